/*
 * errors.h: error analysis of model predictions against the labels, by tag
 * and by metadata slice, next to human-level performance (HLP).
 *
 * A prediction run (prediction_runs, predictions) is imported once from a
 * CSV or JSON Lines file and analysed as often as wanted.  The analysis
 * scores the model's prediction on each item exactly as a person's label
 * is scored (errors_item_credit: against the adjudicated or gold class
 * where there is one, else against the people) and reports, per group of
 * items (a tag, a metadata slice): its share of the data, the model's
 * accuracy, the people's HLP on the same items, the gap HLP - accuracy
 * and the room for improvement gap x share of data, each with a bootstrap
 * interval (docs/statistics.md, "Error analysis").
 *
 * Functions returning int give 0, or -1 with *cause (malloc'd, caller
 * frees).  Both store functions need the sme or admin role (checked here,
 * refusals audited).  Nothing here prints.
 */
#ifndef ACCORD_ERRORS_H
#define ACCORD_ERRORS_H

#include "accord/agree.h"
#include "accord/ratings.h"
#include "accord/store.h"

/* Reasons a gap or room is undefined, besides agree.h's for HLP. */
#define ERRORS_WHY_NO_ITEMS "no scored item"

/* Largest predictions file read, and longest run name. */
#define ERRORS_MAX_BYTES ((size_t)512 << 20)
#define ERRORS_MAX_NAME 128

struct errors_import_result {
	char *run;   /* the run's name (caller frees) */
	int rows;    /* predictions stored (or in the reused run) */
	int bad;     /* rows reported and skipped */
	int reused;  /* 1: a run of that name with identical content existed */
};

/*
 * Import the predictions in `file` as run `name` (NULL: the file's base
 * name without its extension).  CSV with a header, or JSON Lines by a
 * .jsonl/.ndjson/.json extension; columns: `path` (or `file`: a path
 * relative to the file, an absolute path, a base name naming one item,
 * or a sha256) or `sha256`; `class` or `prediction` (a class name); an
 * optional `score` (a number).  Other columns are ignored.
 *
 * Each bad row (no such item, unknown class, a bad score, an item named
 * twice) is reported through on_error ("FILE:LINE", message) and
 * skipped; the good rows are stored, the run and all its rows in one
 * transaction.  A run name already in the store is an error unless the
 * file's SHA-256 is the one recorded, and then the stored run is reused
 * (out->reused, nothing written).  No good row at all is an error and
 * stores nothing.  After 0, free out->run.
 */
int errors_import(struct store *st, const char *file, const char *name,
    const char *user, void (*on_error)(void *arg, const char *where,
    const char *msg), void *arg, struct errors_import_result *out,
    char **cause);

/*
 * How a person and the model are scored on one item (docs/statistics.md,
 * "Error analysis").  The item's reference is its newest adjudicated
 * class, else its gold class, else none; with m labels in force, n_x of
 * class x:
 *
 *   a person's credit for label x:  reference: 1[x = ref]
 *                                   none:      (n_x - 1) / (m - 1)
 *   the item's HLP h (their mean):  reference: n_ref / m
 *                                   none:      sum_x n_x (n_x - 1) /
 *                                              (m (m - 1))
 *   the model's credit for y:       reference: 1[y = ref]
 *                                   none:      n_y / m
 *
 * Each is the expected agreement with one other person (or with the
 * reference), so a model that behaves like one more person has E c = E h
 * whatever the overlap.  Returns 1 with *h and *c when h is defined (a
 * reference and m >= 1, or m >= 2), else 0.  y is a class index.
 */
int errors_item_credit(const struct ratings *r, int item, int y, double *h,
    double *c);

/* The bootstrap behind every interval of the rows. */
struct errors_boot {
	int bootstrap;     /* replicates; 0: none (the intervals say why) */
	uint64_t seed;     /* the same seed gives the same intervals */
	double confidence; /* e.g. 0.95 */
	/* Threads (0: as many as pay off, at most 8); the intervals do not
	 * depend on it. */
	int threads;
};

/* One group of items (a tag, a slice, or all of them). */
struct errors_row {
	char *name;
	int items;          /* scored items in the group */
	/* Of them, items whose prediction differs from the consensus class
	 * (adjudication, else gold, else an untied majority; the confusion
	 * matrix's off-diagonal).  Items whose labels tie are not counted. */
	int errors;
	double data_share;  /* items / all scored items */
	double error_rate;  /* 1 - accuracy (0 when items is 0) */
	/* The group's sum of (1 - model credit) over all scored items' sum
	 * (0 when the model has full credit everywhere). */
	double error_share;
	struct agree_stat hlp;      /* mean of h over the scored items */
	struct agree_stat accuracy; /* mean of the model's credit c */
	struct agree_stat gap;      /* hlp - accuracy */
	struct agree_stat room;     /* sum of (h - c) over all scored items */
	/* Bootstrap intervals (BCa), all from one resampling of the scored
	 * items, so the figures of every row are paired. */
	struct agree_ci hlp_ci, accuracy_ci, gap_ci, room_ci;
};

/*
 * The overall row and the rows of ngroups groups over the items of r.
 * predicted[i] (r->nitems entries) is item i's predicted class or -1;
 * ambiguous[i] nonzero leaves item i out (NULL: none is).  An item is
 * scored when it is predicted, not ambiguous and its h is defined
 * (errors_item_credit).  Item i belongs to group pair_group[p] for every
 * p with pair_item[p] == i (an item may be in several groups, or none;
 * a pair given twice counts once).  *overall gets the row of every scored
 * item (name "all items"), *rows ngroups rows in group order (free with
 * errors_rows_free and free(overall->name)).  b NULL: no intervals.
 *
 * The intervals resample the scored items b->bootstrap times (items with
 * the same groups, h and c are one pattern, and a replicate is a
 * multinomial draw over the patterns); a group none of whose items a
 * replicate drew has no HLP, accuracy or gap there, and those three
 * intervals are then withheld (AGREE_WHY_FEW_ITEMS).  0, or -1 with
 * *cause.
 */
int errors_rows(const struct ratings *r, const unsigned char *ambiguous,
    const int *predicted, int ngroups, char *const *names,
    const int *pair_item, const int *pair_group, int npairs,
    const struct errors_boot *b, struct errors_row *overall,
    struct errors_row **rows, char **cause);
void errors_rows_free(struct errors_row *rows, int n);

/* Sort rows by room, largest first; undefined rooms last (by error share). */
void errors_rows_sort(struct errors_row *rows, int n);

struct errors_opts {
	const char *user; /* the real OS user */
	const char *run;  /* run name */
	/* NULL or "tag": tags only; "batch" or a metadata key: also slices,
	 * cut as ratings_build() cuts them (numeric keys in quartiles). */
	const char *by;
	/* Intervals: bootstrap replicates (0: none) and their seed, at 95%
	 * confidence; threads as errors_boot's. */
	int bootstrap;
	uint64_t seed;
	int threads;
};

struct errors_report {
	char *run, *file, *sha256, *imported_by, *imported_at;
	char *by;          /* the slicing key, NULL without one */
	int nclasses;
	char **classes;    /* position order */
	int nitems;        /* items in the store */
	int npredicted;    /* items the run predicts */
	int nscored;       /* predicted, not ambiguous, h defined */
	/* Predicted items left out, and why. */
	int nambiguous;    /* newest adjudication: ambiguous */
	int nunlabeled;    /* no label in force */
	int nsingle;       /* one label and no reference: no one to compare */
	/* Scored items without a consensus class (their labels tie and
	 * there is no reference): in every figure but the confusion matrix
	 * and the rows' error counts. */
	int nties;
	struct errors_row overall;
	int ntags;
	struct errors_row *tags;   /* each tag in force, then "(no tag)" */
	int nslices;
	struct errors_row *slices; /* with by: the slices of that key */
	/* nclasses x nclasses: confusion[consensus * nclasses + predicted]
	 * over the scored items with a consensus class. */
	long long *confusion;
};

/*
 * Analyse the stored run o->run.  Tags and slices come sorted by room
 * (errors_rows_sort).  After 0 free with errors_report_free().
 */
int errors_report(struct store *st, const struct errors_opts *o,
    struct errors_report *out, char **cause);
void errors_report_free(struct errors_report *rep);

#endif
