/*
 * errors.h: error analysis of model predictions against the labels, by tag
 * and by metadata slice, next to human-level performance (HLP).
 *
 * A prediction run (prediction_runs, predictions) is imported once from a
 * CSV or JSON Lines file and analysed as often as wanted.  The analysis
 * compares each predicted item with its consensus class (majority of the
 * labels in force, the SME's adjudication overriding; see errors.c) and
 * reports, per group of items (a tag, a metadata slice): its share of the
 * data, the model's error rate, its share of all errors, the team's HLP on
 * the same items, the gap HLP - model accuracy, and the room for
 * improvement gap x share of data (docs/statistics.md).
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

/* One group of items (a tag, a slice, or all of them). */
struct errors_row {
	char *name;
	int items;          /* scored items in the group */
	int errors;         /* of them, predicted otherwise than consensus */
	double data_share;  /* items / all scored items */
	double error_rate;  /* errors / items (0 when items is 0) */
	double error_share; /* errors / all errors (0 when there are none) */
	struct agree_stat hlp;  /* team HLP on the group's scored items */
	struct agree_ci hlp_ci; /* its bootstrap interval over those items */
	struct agree_stat gap;  /* hlp - (1 - error_rate) */
	struct agree_stat room; /* gap x data_share */
};

/*
 * The rows of ngroups groups over the items of r.  consensus[i] and
 * predicted[i] (r->nitems each) are class indices or -1: an item is
 * scored when both are >= 0, and wrong when they differ.  Item i belongs
 * to group pair_group[p] for every p with pair_item[p] == i (an item may
 * be in several groups, or none).  HLP: agree_compute() on the view of
 * the group's scored items, with the bootstrap, seed and confidence of
 * hlp_opts (NULL: no bootstrap; hlp_ci then says why); its threads are
 * used as given.  *rows gets ngroups rows in group order (free with
 * errors_rows_free); 0, or -1 with *cause.
 */
int errors_rows(const struct ratings *r, const int *consensus,
    const int *predicted, int ngroups, char *const *names,
    const int *pair_item, const int *pair_group, int npairs,
    const struct agree_opts *hlp_opts, struct errors_row **rows,
    char **cause);
void errors_rows_free(struct errors_row *rows, int n);

/* Sort rows by room, largest first; undefined rooms last (by error share). */
void errors_rows_sort(struct errors_row *rows, int n);

struct errors_opts {
	const char *user; /* the real OS user */
	const char *run;  /* run name */
	/* NULL or "tag": tags only; "batch" or a metadata key: also slices,
	 * cut as ratings_build() cuts them (numeric keys in quartiles). */
	const char *by;
	/* HLP intervals: bootstrap replicates (0: none) and their seed, at
	 * 95% confidence, as `accord agree`. */
	int bootstrap;
	uint64_t seed;
};

struct errors_report {
	char *run, *file, *sha256, *imported_by, *imported_at;
	char *by;          /* the slicing key, NULL without one */
	int nclasses;
	char **classes;    /* position order */
	int nitems;        /* items in the store */
	int npredicted;    /* items the run predicts */
	int nscored;       /* predicted and with a consensus class */
	/* Predicted items left out, and why. */
	int nambiguous;    /* newest adjudication: ambiguous */
	int nties;         /* labels tie for the majority */
	int nunlabeled;    /* no label in force and no adjudicated class */
	struct errors_row overall;
	int ntags;
	struct errors_row *tags;   /* each tag in force, then "(no tag)" */
	int nslices;
	struct errors_row *slices; /* with by: the slices of that key */
	/* nclasses x nclasses: confusion[consensus * nclasses + predicted]. */
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
