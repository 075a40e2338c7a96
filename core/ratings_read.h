/*
 * ratings_read.h: what ratings_build needs of the matrix reader
 * (core/ratings_read.c): the label rows into the labels by item, on two threads
 * when there are enough of them, and the newest row per item of a table.
 * Every function runs inside ratings_build's read transaction and returns
 * 0, or -1 with *cause (caller frees).
 */
#ifndef ACCORD_RATINGS_READ_H
#define ACCORD_RATINGS_READ_H

#include <pthread.h>
#include <stdint.h>

#include "accord/project.h"
#include "accord/ratings.h"
#include "internal.h"

struct item_map;	/* ratings_int.h */

/*
 * Twelve bytes a row, not 24: every page this buffer touches is a page
 * fault, and on the benchmark's virtual machine faults were most of the
 * system time.  Hence the limits read_labels_start checks.
 */
struct raw_label {
	uint32_t item; /* item id - lp->item_lo */
	uint16_t lab;
	int16_t cls;
	int32_t guideline;
};

struct label_part {
	struct store *st; /* the caller's, for the path */
	const struct project *p;
	const struct ratings *r;
	long long lo, to; /* the ids read: (lo, to] */
	long long item_lo, item_hi; /* smallest and largest item id */
	int with_day; /* read each row's day too */
	/* ratings_opts.stop: asked before each chunk the caller reads */
	int (*stop)(void *arg);
	void *stop_arg;
	struct store own; /* the second connection, in a read transaction */
	pthread_t tid;
	int started, failed;
	pthread_mutex_t mu; /* guards next_lo, next_hi */
	long long next_lo, next_hi; /* not yet claimed: (next_lo, next_hi] */
	long long chunk; /* ids a claim takes */
	/* The second thread's rows: chunk c is rows[end[c - 1] .. end[c]),
	 * in id order within; chunks in claim order, newest first. */
	struct raw_label *rows;
	int *days; /* their days, when r->day is wanted */
	size_t n, cap;
	size_t *end;
	int nchunks, chunk_cap;
};

/*
 * Pages of SQLite's cache while reading (ratings_build): the scans read
 * each page once.  64 against the default 2 MiB: 0.178 s against 0.198 s
 * for `accord agree` on 200,000 x 5, a thousand page faults fewer.
 */
#define RATINGS_CACHE_PAGES "64"

/*
 * Fix the range of label ids to read, (lp->lo, lp->to], inside the
 * caller's read transaction, and start the second thread when there are
 * enough rows and CPUs.  r->labelers must be read already.  After 0 the
 * caller must call read_labels_finish.
 */
int read_labels_start(struct store *st, const struct project *p,
    const struct ratings *r, int with_day, int threads,
    struct label_part *lp, char **cause);
/*
 * Read the chunks left, wait for the second thread, and fold every row,
 * by item in id order, into r's labels by item (allocated here).  With
 * map NULL (the caller failed on the way) only stop it, wait and free.
 */
int read_labels_finish(struct store *st, const struct item_map *map,
    struct ratings *r, struct label_part *lp, char **cause);

/*
 * Read every item's packed label rows (item_labels) into r's labels by
 * item (allocated here), on two threads when there are enough items and
 * CPUs (threads != 1).  r->labelers and the items must be read already.
 */
int read_by_item(struct store *st, const struct project *p,
    const struct item_map *map, struct ratings *r, int threads,
    char **cause);

/*
 * Per item, the newest row of a table ordered by (item, id) decides:
 * `sql` returns item, class, and 1 when the row counts as a class; dst[i]
 * gets item i's class index or -1.  what names the table in an error.
 */
int read_per_item(struct store *st, const struct project *p,
    const struct item_map *map, const struct ratings *r, const char *sql,
    int *dst, const char *what, char **cause);

#endif
