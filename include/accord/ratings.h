/*
 * ratings.h: the items x labelers ratings matrix read from a store, kept
 * by item (only the labels in force, so memory grows with the labels, not
 * with items x labelers), with
 * what every agreement report needs around it (reference and gold labels,
 * item paths, guideline versions, slice keys), and sub-matrices of it as
 * agree_input (include/accord/agree.h) for one slice or guideline version.
 *
 * The matrix is read once (ratings_build) and sliced in memory
 * (ratings_view), so a report per slice and per guideline version costs no
 * further queries.  Nothing here prints.  Functions returning int give 0 on
 * success or -1 with *cause (malloc'd, caller frees); allocation failure
 * aborts (xmalloc).
 */
#ifndef ACCORD_RATINGS_H
#define ACCORD_RATINGS_H

#include <limits.h>

#include "accord/agree.h"
#include "accord/store.h"

/* The day of a cell without a label, or whose time cannot be read. */
#define RATINGS_NO_DAY INT_MIN

/* The slice name of items that have no value for the --by key. */
#define RATINGS_NO_SLICE "(none)"

struct ratings_opts {
	const char *user; /* the real OS user; must be sme or admin */
	/*
	 * NULL: no slices.  "batch": the item's import batch.  Otherwise a
	 * metadata key (current_meta): text values are slices as they are;
	 * when every value is a number (text that is a whole number, as CSV
	 * cells are stored, counts as one), up to 4 distinct values are one
	 * slice each ("KEY = V") and more are cut into quartile bins
	 * ("KEY Q1 [lo, hi)", the last bin closed).  Items without the key
	 * fall in the slice RATINGS_NO_SLICE.
	 */
	const char *by;
	/* Also each label's UTC day in r->day (for ratings_trend); else
	 * r->day is NULL.  Parsing every row's time costs, so ask only when
	 * a trend is wanted. */
	int days;
	/*
	 * Also every item's path in r->paths (export writes them all).
	 * Else r->paths is NULL until ratings_load_paths fetches the few a
	 * report shows: the paths are most of the items table, and reading
	 * them all was a third of `accord agree`'s time.
	 */
	int paths;
	/*
	 * 1: read every label row on the calling thread.  0: from 100,000
	 * rows on, a second thread reads the newer rows over its own
	 * connection when there is a second CPU; the matrix is the same.
	 */
	int threads;
	/*
	 * > 0: read only the label rows with id <= label_to, as if the
	 * newer ones were not there (a later read of an earlier snapshot:
	 * labels are append-only, so those rows are the same).  0: all.
	 */
	long long label_to;
	/*
	 * NULL, or asked between chunks of label rows while the rows are
	 * read on two threads (with days, from 100,000 rows): nonzero ends
	 * the read and ratings_build returns -1 ("stopped"), so a screen
	 * can quit without waiting for a read it no longer wants.
	 */
	int (*stop)(void *arg);
	void *stop_arg;
};

struct ratings {
	int nitems, nlabelers, nclasses;
	/*
	 * The labels in force by item, as agree_input's labels by item: item
	 * i's are entries start[i] to start[i + 1] - 1 (start has nitems + 1
	 * entries), labelers ascending; entry x is labeler lab[x]'s label,
	 * class cls[x] (index in position order), made under guideline
	 * version guideline[x].  A (item, labeler) without an entry has no
	 * label in force (ratings_entry finds one).  nlabels entries in all.
	 */
	int nlabels;
	int *start;
	int *lab, *cls, *guideline;
	/*
	 * Per entry again: the UTC day (days since 1970-01-01) the label was
	 * made (labels.created_at, ratings_parse_day), or RATINGS_NO_DAY
	 * when the time cannot be read.  NULL unless ratings_opts.days.
	 */
	int *day;
	/*
	 * Per item: the class of the newest adjudication when its status is
	 * 'class' (a newer 'ambiguous' or 'relabel' decision withdraws an
	 * older class), else -1; and the class of the newest gold row (a NULL
	 * class there removes the item from gold), else -1.
	 */
	int *reference;
	int *gold;
	long long *item_ids; /* items.id, ascending */
	char **paths;        /* items.path; see ratings_opts.paths */
	char *path_buf;      /* private: every path, when read at once */
	int *slice;          /* slice index per item; all 0 without --by */

	char **labelers; /* sorted by name; only those with a label in force */
	char **classes;  /* class names in position order */
	int ordinal;
	int borderline; /* class index or -1 */

	/*
	 * Slice names: text values by name, numeric ones in value order,
	 * RATINGS_NO_SLICE last; one slice named "" when there is no --by.
	 */
	int nslices;
	char **slices;

	int nversions;
	int *versions; /* guideline versions with labels, ascending */

	/*
	 * Labels that count for an older guideline version only: when a
	 * labeler's label made under version V was superseded by one made
	 * under another version (a relabel after the guideline changed), the
	 * old one stays their label *for V*.  In item order, id order within
	 * an item; a view of version V takes, per (item, labeler), the newest
	 * label made under V (docs/statistics.md).
	 */
	int nhist;
	struct ratings_hist {
		int item, lab, cls, guideline;
	} *hist;

	/* The largest label id read (0: no label row): the snapshot. */
	long long label_to;
};

/*
 * Read the matrix of every item of the store under one read transaction
 * (a consistent snapshot).  Refuses unless opts->user is sme or admin:
 * the matrix shows each labeler's label on each item.  A --by key that no
 * item has is an error ("no item has metadata key K").  After 0, free *out
 * with ratings_free(); after -1 *out holds nothing.
 *
 * Cost: one pass over the labels table in id order (the newest row per (item,
 * labeler) is the label in force, exactly the current_labels view), one
 * over items, adjudications, gold, and the --by metadata; no per-item
 * queries.  Memory O(items + labels + labelers).
 */
int ratings_build(struct store *st, const struct ratings_opts *opts,
    struct ratings *out, char **cause);

/*
 * Make r->paths[idx[k]] the path of those n items (r->paths, nitems
 * entries, is allocated on the first call; paths not asked for stay
 * NULL).  Items rows are never changed, so reading them after
 * ratings_build is as of the same moment.  Nothing to do when
 * ratings_opts.paths read them all.
 */
int ratings_load_paths(struct store *st, struct ratings *r, const int *idx,
    int n, char **cause);

/*
 * Each label's day for r, read without them (ratings_opts.days 0): *day
 * gets what r->day would have held, r->nlabels entries (malloc'd, caller
 * frees).  It reads r's label rows again, those with ids up to
 * r->label_to (the same rows: labels are append-only), so the days are
 * of r's snapshot whatever was labeled since; the labels in force they
 * give must be r's, or it fails ("the labels ... changed").  r is only
 * read.  o gives the user, threads and stop (the rest is set here);
 * refuses as ratings_build does.
 *
 * Cost: what days add to ratings_build, reading every label row rather
 * than the packed rows per item: 0.8 s of 1.2 at 1,000,000 items x 3
 * labels.  The stats screen reads them after its first screen.
 */
int ratings_read_days(struct store *st, const struct ratings_opts *o,
    const struct ratings *r, int **day, char **cause);

/* The item index of items.id `id` (binary search), or -1. */
int ratings_item_index(const struct ratings *r, long long id);

/*
 * The entry of labeler lab's label in force on item (an index into
 * r->cls, r->guideline, r->day), or -1 when there is none.  A binary
 * search among the item's labels.
 */
int ratings_entry(const struct ratings *r, int item, int lab);

/*
 * *in = every item and guideline version of r, labels by item, ready for
 * agree_compute() or consensus_compute_in(): the view of
 * ratings_view(r, -1, 0) without its item list.  It points into r.
 */
void ratings_input(const struct ratings *r, struct agree_input *in);

/* Free what ratings_build() allocated (not r itself); r is zeroed. */
void ratings_free(struct ratings *r);

/*
 * A sub-matrix: the items of one slice (slice < 0: every item) and the
 * labels made under one guideline version (version 0: every version).
 * in is ready for agree_compute(), labels by item; its arrays belong to
 * the view, except that a view of every item that keeps every label (any
 * version when version is 0; else when every label in force was made
 * under version and none counts for it only, as in a store with one
 * guideline version) points at r's own labels, reference and gold, so
 * it must not outlive r.  Every labeler is kept, so in.lab's labeler j is
 * r->labelers[j].  items[i] is the ratings item index of the view's row i.
 */
struct ratings_view {
	struct agree_input in;
	int *items;
	/* owned storage behind in, or NULL */
	int *start_, *lab_, *cls_, *reference_, *gold_;
};

void ratings_view(const struct ratings *r, int slice, int version,
    struct ratings_view *v);
/*
 * The same for any set of items: those with keep[i] != 0 (keep has
 * r->nitems entries), e.g. the items carrying a tag, or those a model
 * was scored on (core/errors.c).
 */
void ratings_view_mask(const struct ratings *r, const unsigned char *keep,
    int version, struct ratings_view *v);
/*
 * The same for the n items of list items[], ascending, each once (the
 * items of one day of a trend): it costs their labels, not every item's.
 */
void ratings_view_items(const struct ratings *r, const int *items, int n,
    int version, struct ratings_view *v);
void ratings_view_free(struct ratings_view *v);

/* One item and how split its labels are. */
struct ratings_disagreed {
	int item;       /* ratings item index */
	int nlabels;    /* labels in force on it in the view */
	double entropy; /* vote entropy in bits, > 0 */
};

/*
 * The up to max items of the view whose labels disagree most: highest
 * vote entropy (-sum p_c log2 p_c over the item's label shares) first,
 * then more labels, then lower item id.  Fills out[0..n-1]; returns n.
 */
int ratings_most_disagreed(const struct ratings *r,
    const struct ratings_view *v, int max, struct ratings_disagreed *out);

/*
 * The UTC day of an ISO 8601 time as labels.created_at holds it:
 * "YYYY-MM-DD", optionally followed by "T" or " " and "HH:MM[:SS[.f...]]",
 * optionally followed by "Z" or an offset "+HH[:MM]" / "-HH[:MM]" (a time
 * without one is taken as UTC).  An offset can move the time to another
 * UTC day.  Returns 0 and sets *day (days since 1970-01-01, negative
 * before it), or -1 when s is not such a time or names no real date.
 */
int ratings_parse_day(const char *s, int *day);

/* Day (days since 1970-01-01) as "YYYY-MM-DD" in out. */
void ratings_day_iso(int day, char out[16]);

/*
 * Agreement over time.  Each item of a view counts in the bucket of its
 * newest label in force (the day its set of labels became what it is now),
 * so a bucket's agreement is that of the items completed in it.  Buckets
 * are days when the labeled items span at most RATINGS_TREND_DAYS days,
 * else weeks (Monday to Sunday, UTC).  Buckets run without gaps from the
 * first labeled day's to the last's; an empty one has nitems 0 and
 * undefined statistics.
 */
#define RATINGS_TREND_DAYS 56

struct ratings_bucket {
	int day;	/* first day of the bucket (days since 1970-01-01) */
	int nitems;	/* items whose newest label falls in it */
	int npairable;	/* of those, items with two labels or more */
	struct agree_stat percent;
	struct agree_stat fleiss;
};

struct ratings_trend {
	int unit;	/* 1: days, 7: weeks; 0 when nothing is labeled */
	int nbuckets;
	struct ratings_bucket *buckets;	/* oldest first */
	int nundated;	/* labeled items whose newest label has no day */
};

/*
 * The trend of the labels made under guideline version `version` (0: every
 * version), over every item of r.  Statistics come from agree_compute()
 * with no bootstrap.  Returns 0 (free *out with ratings_trend_free()), or
 * -1 with *cause when agree_compute refuses (a malformed matrix).
 */
int ratings_trend(const struct ratings *r, int version,
    struct ratings_trend *out, char **cause);
void ratings_trend_free(struct ratings_trend *t);

#endif
