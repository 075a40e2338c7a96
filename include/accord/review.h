/*
 * review.h: what the SME review reads: the disagreement queue and one
 * item's full record (labels with their history, adjudications, comments,
 * gold).  The write side (adjudicate, comment, gold) is adjudicate.h.
 *
 * Every function here refuses unless `user` is sme or admin (the review
 * shows every labeler's labels); a refusal is audited (project_require).
 * Functions return 0, or -1 with *cause (malloc'd, caller frees);
 * allocation failure aborts (xmalloc).  Each reads under one read
 * transaction, so what it returns is one consistent snapshot.
 */
#ifndef ACCORD_REVIEW_H
#define ACCORD_REVIEW_H

#include "accord/store.h"

#define REVIEW_MAX_META 8

/* Which items the queue holds.  Zeroed: every disagreed item. */
struct review_filter {
	/* Class pair: only items whose labels include both classes (names);
	 * both set or neither. */
	char *class_a, *class_b;
	char *batch;		/* import batch name; NULL: any */
	int guideline;		/* only labels made under version V; 0: all */
	int nmeta;		/* metadata conditions, all must hold: */
	char *meta_key[REVIEW_MAX_META];	/* current_meta key = value, */
	char *meta_value[REVIEW_MAX_META];	/* values compared as text */
	/* Items already decided (newest adjudication 'class' or 'ambiguous'
	 * made after their newest label in force): 0 shows them after every
	 * undecided item, 1 leaves them out. */
	int hide_decided;
};

/*
 * Parse the filter prompt's syntax into *f (zeroed first): words separated
 * by spaces, each one of
 *   A/B              class pair (class names)
 *   batch=NAME       import batch
 *   v=N              guideline version (also guideline=N)
 *   decided=hide     leave decided items out (decided=show: keep them last)
 *   KEY=VALUE        metadata (up to REVIEW_MAX_META)
 * An empty text is no filter.  Class and batch names are not checked here
 * (review_queue does, against the store).  -1 with *cause on bad syntax.
 */
int review_filter_parse(const char *text, struct review_filter *f,
    char **cause);
/* The filter in the same syntax (malloc'd; "" for none). */
char *review_filter_text(const struct review_filter *f);
void review_filter_free(struct review_filter *f);

struct review_entry {
	long long item;
	double entropy;		/* vote entropy of the labels in force, bits */
	int nlabels;		/* labels in force (under the filter's version) */
	int nclasses;		/* distinct classes among them (>= 2) */
	int decided;		/* see review_filter.hide_decided */
};

/*
 * The disagreement queue: items with labels in force of at least two
 * distinct classes (only labels under f->guideline when set), that pass
 * the filter.  Order: undecided first; then by vote entropy
 * H = -sum_c p_c log2 p_c (p_c the share of labels of class c) descending,
 * then by number of labels descending, then by item id.  An unknown class
 * or batch name in f is an error.  *out malloc'd (NULL when *n is 0).
 */
int review_queue(struct store *st, const char *user,
    const struct review_filter *f, struct review_entry **out, int *n,
    char **cause);

/*
 * What review_queue refuses, without reading the labels: user not sme or
 * admin (audited), a class pair with one class, an unknown class or batch
 * name in f (NULL: no filter).  For a command to refuse before a screen
 * takes the terminal, where the screen reads the queue itself.  0, or -1
 * with *cause.
 */
int review_check(struct store *st, const char *user,
    const struct review_filter *f, char **cause);

/* One label row, in force or superseded. */
struct review_label {
	long long id;
	char *labeler;
	int class_id;		/* 0: a withdrawal (undo) row */
	char *note;
	char *tags;		/* the labeler's tags in force on the item,
				 * ", "-joined ("" none); same on every row */
	double seconds;		/* < 0: not recorded */
	int guideline;
	char *created_at;
	int in_force;		/* the labeler's label in force on the item */
	char *origin;		/* "screen" | "import" */
};

struct review_adjudication {
	long long id;
	int class_id;		/* 0 unless status is "class" */
	char *status;		/* "class" | "ambiguous" | "relabel" */
	char *user;
	char *note;
	int guideline;
	char *created_at;
};

struct review_comment {
	long long id;
	char *user;
	char *text;
	char *created_at;
};

struct review_detail {
	long long item;
	char *path;
	char *kind;		/* "image" | "audio" */
	char *batch;		/* import batch name */
	/* Every label row on the item, oldest first (history included). */
	int nlabels;
	struct review_label *labels;
	/* Oldest first. */
	int nadj;
	struct review_adjudication *adj;
	int ncomments;
	struct review_comment *comments;
	int gold_class;		/* newest gold row's class; 0: not gold */
};

/*
 * Everything recorded about item for the review.  Free with
 * review_detail_free() (also after -1, where *out is zeroed).
 */
int review_detail(struct store *st, const char *user, long long item,
    struct review_detail *out, char **cause);
void review_detail_free(struct review_detail *d);

#endif
