/*
 * ratings_read.c: reading the ratings matrix's cells: every label row on
 * two threads, or each item's packed rows (item_labels), on two threads.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/priv.h"
#include "label_int.h"
#include "ratings_int.h"
#include "ratings_read.h"

/* The class index (position order) of class id, or -1. */
static int
class_index(const struct project *p, long long id)
{
	int c;

	for (c = 0; c < p->nclasses; c++)
		if (p->classes[c].id == id)
			return c;
	return -1;
}

/* The labeler index of the name s[0..n), or -1 (sorted as by strcmp). */
static int
labeler_index_n(const struct ratings *r, const char *s, size_t n)
{
	int lo = 0, hi = r->nlabelers - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2, c;
		const char *name = r->labelers[mid];
		size_t len = strlen(name);

		c = memcmp(name, s, len < n ? len : n);
		if (c == 0)
			c = len < n ? -1 : len > n;
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * Rows come in id order, so the last row written to a cell is the newest
 * one: the label in force, or a withdrawal (class NULL) that empties the
 * cell, as label_stream (core/label_int.h) has it.  A table scan in
 * rowid order reads pages sequentially and sorts nothing: on a million
 * rows it beats walking the (item, labeler, id) index (0.28 s against
 * 0.35 s in the sqlite3 shell).
 *
 * scan_labels reads the rows with from < id <= to and hands each to emit
 * with its labeler index and class index (-1 for a withdrawal, or a class
 * the project does not know, which empties the cell the same way), and,
 * with_day (ratings_opts.days), the UTC day it was made
 * (RATINGS_NO_DAY otherwise): parsing a million times costs, so only the
 * dashboard asks.
 */
typedef void (*label_fn)(void *, long long item, int lab, int cls,
    int guideline, int day);

static int
scan_labels(struct store *st, const struct project *p,
    const struct ratings *r, long long from, long long to, int with_day,
    label_fn emit, void *arg, char **cause)
{
	sqlite3_stmt *s;
	int rc, lab = -1;

	if (sql_prepare(st, with_day ? "SELECT item, labeler, class, "
	    "guideline, created_at FROM labels WHERE id > ?1 AND id <= ?2 "
	    "ORDER BY id" : "SELECT item, labeler, class, guideline FROM "
	    "labels WHERE id > ?1 AND id <= ?2 ORDER BY id", &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, from);
	sql_bind_int(s, 2, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = sql_text(s, 1);
		int cls = -1, day = RATINGS_NO_DAY;

		/* A labeler's labels often come in runs: search rarely. */
		if (lab < 0 || strcmp(r->labelers[lab], name) != 0)
			lab = labeler_index_n(r, name, strlen(name));
		if (lab < 0)
			continue;
		if (sqlite3_column_type(s, 2) != SQLITE_NULL)
			cls = class_index(p, sqlite3_column_int64(s, 2));
		if (with_day && cls >= 0 &&
		    ratings_parse_day(sql_text(s, 4), &day) != 0)
			day = RATINGS_NO_DAY;
		emit(arg, sqlite3_column_int64(s, 0), lab, cls,
		    cls < 0 ? 0 : sqlite3_column_int(s, 3), day);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read labels");
	return 0;
}

struct place {
	struct ratings *r;
	const struct item_map *map;
};

/* emit for scan_labels: write the row into its cell. */
static void
place_label(void *arg, long long item, int lab, int cls, int guideline,
    int day)
{
	struct place *pl = arg;
	int it = item_index(pl->map, item);
	size_t cell;
	int before;

	if (it < 0)
		return; /* cannot happen with foreign keys on */
	cell = (size_t)it * (size_t)pl->r->nlabelers + (size_t)lab;
	before = label_stream(&pl->r->cells[cell], cls);
	/* A label superseded under another version still counts for its own
	 * (a withdrawal removes it from every version). */
	if (before >= 0 && cls >= 0 && pl->r->guideline[cell] != guideline) {
		struct ratings *r = pl->r;

		if ((r->nhist & (r->nhist - 1)) == 0)
			r->hist = xreallocarray(r->hist, r->nhist ?
			    (size_t)r->nhist * 2 : 64, sizeof *r->hist);
		r->hist[r->nhist++] = (struct ratings_hist){ it, lab, before,
		    r->guideline[cell] };
	}
	pl->r->guideline[cell] = guideline;
	if (pl->r->day != NULL)
		pl->r->day[cell] = day;
}

/*
 * The label rows are read by two threads that meet in the middle.  The
 * calling thread claims chunks of RATINGS_CHUNK ids from the oldest end
 * and places their rows in the cells as it reads them; a second thread,
 * over its own read-only connection, claims chunks from the newest end
 * and keeps its rows as they come.  When no chunk is left, the calling
 * thread places the second thread's chunks, oldest first, after its own,
 * so the newest row of a cell still wins.  Claiming as they go, the two
 * finish together whatever else either does (the caller also reads the
 * items and fills the cells first) and however the machine shares its
 * CPUs: a fixed split, tuned by hand, still left one thread waiting up to
 * 50 ms for the other on a busy machine.
 *
 * Both connections see one snapshot.  The calling thread fixes `to`, the
 * largest label id, inside its read transaction before the second
 * connection opens, so that connection's snapshot is the same or newer;
 * and label rows are never changed or deleted (triggers) while new rows
 * only ever get larger ids, so every snapshot from then on holds exactly
 * the same rows with ids up to `to`.
 */
#define RATINGS_CHUNK 32768

/*
 * Claim the next chunk, (*a, *b], from the oldest end of what is left or
 * (newest) from the newest; 0 when nothing is left.
 */
static int
claim_chunk(struct label_part *lp, int newest, long long *a, long long *b)
{
	int ok;

	pthread_mutex_lock(&lp->mu);
	ok = lp->next_lo < lp->next_hi;
	if (ok && !newest) {
		*a = lp->next_lo;
		*b = lp->next_hi - *a > lp->chunk ? *a + lp->chunk :
		    lp->next_hi;
		lp->next_lo = *b;
	} else if (ok) {
		*b = lp->next_hi;
		*a = *b - lp->next_lo > lp->chunk ? *b - lp->chunk :
		    lp->next_lo;
		lp->next_hi = *a;
	}
	pthread_mutex_unlock(&lp->mu);
	return ok;
}

/* Leave nothing more to claim (the caller stops early). */
static void
claim_none(struct label_part *lp)
{
	pthread_mutex_lock(&lp->mu);
	lp->next_lo = lp->next_hi;
	pthread_mutex_unlock(&lp->mu);
}

static void
keep_label(void *arg, long long item, int lab, int cls, int guideline,
    int day)
{
	struct label_part *lp = arg;

	if (item < lp->item_lo || item > lp->item_hi)
		return; /* no such item: cannot happen with foreign keys on */
	if (lp->n == lp->cap) {
		lp->cap = lp->cap ? lp->cap * 2 : 65536;
		lp->rows = xreallocarray(lp->rows, lp->cap, sizeof *lp->rows);
		if (lp->with_day)
			lp->days = xreallocarray(lp->days, lp->cap,
			    sizeof *lp->days);
	}
	if (lp->with_day)
		lp->days[lp->n] = day;
	lp->rows[lp->n].item = (uint32_t)(item - lp->item_lo);
	lp->rows[lp->n].lab = (uint16_t)lab;
	lp->rows[lp->n].cls = (int16_t)cls;
	lp->rows[lp->n].guideline = guideline;
	lp->n++;
}

static void label_part_close(struct label_part *);

static void *
label_part_run(void *arg)
{
	struct label_part *lp = arg;
	char *cause = NULL;
	long long a, b;

	lp->failed = 1;
	/*
	 * Room for every row up front spares the copies of a growing array;
	 * in huge pages, only what is written is ever backed by memory.
	 */
	lp->cap = (size_t)(lp->to - lp->lo < ((long long)1 << 24) ?
	    lp->to - lp->lo : (long long)1 << 24);
	lp->rows = xmalloc_huge(lp->cap ? lp->cap : 1, sizeof *lp->rows);
	if (lp->with_day)
		lp->days = xmalloc_huge(lp->cap ? lp->cap : 1,
		    sizeof *lp->days);
	while (claim_chunk(lp, 1, &a, &b)) {
		if (scan_labels(&lp->own, lp->p, lp->r, a, b, lp->with_day,
		    keep_label, lp, &cause) != 0) {
			/* The caller reads everything this thread claimed. */
			free(cause);
			return NULL;
		}
		if (lp->nchunks == lp->chunk_cap) {
			lp->chunk_cap = lp->chunk_cap ? lp->chunk_cap * 2 : 64;
			lp->end = xreallocarray(lp->end, (size_t)lp->chunk_cap,
			    sizeof *lp->end);
		}
		lp->end[lp->nchunks++] = lp->n;
	}
	lp->failed = 0;
	return NULL;
}

/*
 * The second connection, opened here on the calling thread and already
 * inside its read transaction (the first read opens DB-wal and DB-shm), so
 * a setgid accord (priv.h) opens it with the project group like every
 * store file.  NOMUTEX: it is used by one thread at a time, and a mutex
 * per sqlite3_column call cost a tenth of the scan.  0 or -1.
 */
static int
label_part_open(struct label_part *lp)
{
	struct store *own = &lp->own;
	long long one;
	int ok;

	priv_raise();
	ok = sqlite3_open_v2(lp->st->path, &own->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK;
	if (ok) {
		own->path = lp->st->path;
		sqlite3_busy_timeout(own->db, 10000);
		sql_exec(own, "PRAGMA cache_size = " RATINGS_CACHE_PAGES, NULL);
		ok = store_begin(own, 0, NULL) == 0 && sql_int(own,
		    "SELECT count(*) FROM labels WHERE id = 0", NULL, &one,
		    NULL) >= 0;
	}
	priv_drop();
	if (!ok)
		label_part_close(lp);
	return ok ? 0 : -1;
}

static void
label_part_close(struct label_part *lp)
{
	if (lp->own.db == NULL)
		return;
	if (lp->own.in_tx)
		store_rollback(&lp->own);
	sqlite3_close(lp->own.db);
	lp->own.db = NULL;
}

/*
 * Start fn(arg) on a second thread with its own connection (lp->own) and
 * the claim mutex; lp->started says whether it runs.  If either cannot
 * start, the caller reads everything itself.
 */
static void
part_start(struct label_part *lp, void *(*fn)(void *), void *arg)
{
	if (pthread_mutex_init(&lp->mu, NULL) != 0)
		return;
	if (label_part_open(lp) == 0 &&
	    pthread_create(&lp->tid, NULL, fn, arg) == 0) {
		lp->started = 1;
		return;
	}
	label_part_close(lp);
	pthread_mutex_destroy(&lp->mu);
}

/* Leave the second thread nothing more to claim, wait for it, close. */
static void
part_stop(struct label_part *lp)
{
	if (lp->started) {
		claim_none(lp);
		pthread_join(lp->tid, NULL);
		pthread_mutex_destroy(&lp->mu);
	}
	label_part_close(lp);
}

/* Below this many label rows a second connection costs more than it saves. */
#define RATINGS_PARALLEL_ROWS 100000

/*
 * Fix the range of label ids to read, (lp->lo, lp->to], inside the
 * caller's read transaction, and start the second thread when there are
 * enough rows and CPUs.  r->labelers must be read already.  After 0 the
 * caller must call read_labels_finish.
 */
int
read_labels_start(struct store *st, const struct project *p,
    const struct ratings *r, int with_day, int threads,
    struct label_part *lp, char **cause)
{
	long long lo = 0, hi = 0;

	memset(lp, 0, sizeof *lp);
	lp->with_day = with_day;
	if (sql_int(st, "SELECT min(id) - 1 FROM labels", NULL, &lo,
	    cause) < 0 || sql_int(st, "SELECT max(id) FROM labels", NULL, &hi,
	    cause) < 0 || sql_int(st, "SELECT min(id) FROM items", NULL,
	    &lp->item_lo, cause) < 0 || sql_int(st, "SELECT max(id) FROM "
	    "items", NULL, &lp->item_hi, cause) < 0)
		return -1;
	lp->st = st;
	lp->p = p;
	lp->r = r;
	lp->lo = lp->next_lo = lo;
	lp->to = lp->next_hi = hi;
	lp->chunk = RATINGS_CHUNK;
	if (threads != 1 && hi - lo >= RATINGS_PARALLEL_ROWS &&
	    lp->item_hi - lp->item_lo <= UINT32_MAX &&
	    r->nlabelers <= UINT16_MAX && p->nclasses <= INT16_MAX &&
	    sysconf(_SC_NPROCESSORS_ONLN) > 1)
		part_start(lp, label_part_run, lp);
	return 0;
}

/*
 * Read the chunks left into the cells, wait for the second thread and
 * place its rows after them (or read its part here if it failed).  With
 * map NULL (the caller failed on the way) only stop it, wait and free.
 */
int
read_labels_finish(struct store *st, const struct item_map *map,
    struct ratings *r, struct label_part *lp, char **cause)
{
	struct place pl = { r, map };
	size_t n = (size_t)r->nitems * (size_t)r->nlabelers, k;
	long long a, b;
	int c, ret = 0;

	if (map != NULL) {
		r->cells = xmalloc_huge(n ? n : 1, sizeof *r->cells);
		r->guideline = xmalloc_huge(n ? n : 1, sizeof *r->guideline);
		for (k = 0; k < n; k++)
			r->cells[k] = -1;
		memset(r->guideline, 0, n * sizeof *r->guideline);
		if (lp->with_day) {
			r->day = xmalloc_huge(n ? n : 1, sizeof *r->day);
			for (k = 0; k < n; k++)
				r->day[k] = RATINGS_NO_DAY;
		}
		if (!lp->started)
			ret = scan_labels(st, lp->p, r, lp->lo, lp->to,
			    lp->with_day, place_label, &pl, cause);
		while (lp->started && ret == 0 && claim_chunk(lp, 0, &a, &b))
			ret = scan_labels(st, lp->p, r, a, b, lp->with_day,
			    place_label, &pl, cause);
	}
	part_stop(lp);
	if (map != NULL && ret == 0 && lp->started) {
		/* The chunks met at next_hi; the thread had the rest. */
		if (lp->failed)
			ret = scan_labels(st, lp->p, r, lp->next_hi, lp->to,
			    lp->with_day, place_label, &pl, cause);
		else
			for (c = lp->nchunks - 1; c >= 0; c--)
				for (k = c ? lp->end[c - 1] : 0;
				    k < lp->end[c]; k++)
					place_label(&pl, lp->item_lo +
					    lp->rows[k].item, lp->rows[k].lab,
					    lp->rows[k].cls,
					    lp->rows[k].guideline,
					    lp->days != NULL ? lp->days[k] :
					    RATINGS_NO_DAY);
	}
	free(lp->rows);
	free(lp->days);
	free(lp->end);
	lp->rows = NULL;
	lp->days = NULL;
	lp->end = NULL;
	lp->started = 0;
	return ret;
}

/*
 * Reading by item (schema 4): item_labels holds each item's label rows in
 * id order, packed as core/label_int.h says and read by label_unpack, so one
 * row per item is decoded instead of one per label.  Each item's rows
 * are all in one value, so its cells are placed as it is read, and two
 * threads can place disjoint items at once: the calling thread claims
 * chunks of item ids from the low end, a second connection's thread from
 * the high end (claim_chunk), each placing into the same matrix with its
 * own list of superseded labels (struct ratings_hist), merged by item at
 * the end.  Entries with an id above `to`, the largest label id in the
 * caller's snapshot, are skipped: the second connection may see labels
 * made since.  Without label days (ratings_opts.days, which need each
 * label's time) this is what ratings_build reads.
 */
#define RATINGS_ITEM_CHUNK 2048

/* Place the entries of one item_labels value; 0, or -1 if it is damaged. */
static int
place_entries(struct place *pl, const struct project *p, long long item,
    const char *v, long long to)
{
	const struct ratings *r = pl->r;
	struct label_entry e = { 0 };
	int lab = -1, k;

	while ((k = label_unpack(&v, &e)) > 0) {
		size_t n = e.labeler_len;
		int cls = -1;

		if (e.id > to)
			continue;
		/* One labeler's labels often come in runs: search rarely. */
		if (lab < 0 || strncmp(r->labelers[lab], e.labeler, n) != 0 ||
		    r->labelers[lab][n] != '\0')
			lab = labeler_index_n(r, e.labeler, n);
		if (lab < 0)
			continue;
		if (e.class_id > 0)
			cls = class_index(p, e.class_id);
		place_label(pl, item, lab, cls, cls < 0 ? 0 : (int)e.guideline,
		    RATINGS_NO_DAY);
	}
	return k;
}

/* Read and place the items with from < id <= to_item. */
static int
scan_items(struct store *st, const struct project *p, struct place *pl,
    long long from, long long to_item, long long to, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT item, rows FROM item_labels WHERE "
	    "item > ?1 AND item <= ?2 ORDER BY item", &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, from);
	sql_bind_int(s, 2, to_item);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long item = sqlite3_column_int64(s, 0);

		if (place_entries(pl, p, item, sql_text(s, 1), to) != 0) {
			sqlite3_finalize(s);
			return acc_error(cause, "the packed label rows of item "
			    "%lld are damaged (item_labels); accord check "
			    "tells more", item);
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read labels");
	return 0;
}

struct item_part {
	struct label_part lp;	/* connection, mutex, chunks (item ids) */
	struct place pl;	/* the thread's: the same matrix ... */
	struct ratings mine;	/* ... with its own superseded labels */
	long long to;		/* largest label id of the snapshot */
};

static void *
item_part_run(void *arg)
{
	struct item_part *ip = arg;
	char *cause = NULL;
	long long a, b;

	ip->lp.failed = 1;
	while (claim_chunk(&ip->lp, 1, &a, &b))
		if (scan_items(&ip->lp.own, ip->lp.p, &ip->pl, a, b, ip->to,
		    &cause) != 0) {
			free(cause);
			return NULL;
		}
	ip->lp.failed = 0;
	return NULL;
}

struct hist_seq {
	struct ratings_hist h;
	int seq;
};

static int
cmp_hist_seq(const void *a, const void *b)
{
	const struct hist_seq *x = a, *y = b;

	if (x->h.item != y->h.item)
		return x->h.item < y->h.item ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Read every item's labels into the cells (allocated here), on two
 * threads when there are enough items and CPUs (threads != 1).
 */
int
read_by_item(struct store *st, const struct project *p,
    const struct item_map *map, struct ratings *r, int threads,
    char **cause)
{
	struct place pl = { r, map };
	struct item_part ip;
	size_t n = (size_t)r->nitems * (size_t)r->nlabelers, k;
	long long to = 0, lo, hi, a, b;
	int ret = 0, i;

	r->cells = xmalloc_huge(n ? n : 1, sizeof *r->cells);
	r->guideline = xmalloc_huge(n ? n : 1, sizeof *r->guideline);
	for (k = 0; k < n; k++)
		r->cells[k] = -1;
	memset(r->guideline, 0, n * sizeof *r->guideline);
	if (r->nitems == 0)
		return 0;
	if (sql_int(st, "SELECT coalesce(max(id), 0) FROM labels", NULL, &to,
	    cause) < 0)
		return -1;
	lo = r->item_ids[0] - 1;
	hi = r->item_ids[r->nitems - 1];
	memset(&ip, 0, sizeof ip);
	ip.lp.st = st;
	ip.lp.p = p;
	ip.lp.r = r;
	ip.lp.next_lo = lo;
	ip.lp.next_hi = hi;
	ip.lp.chunk = RATINGS_ITEM_CHUNK;
	ip.to = to;
	ip.mine = *r;
	ip.mine.hist = NULL;
	ip.mine.nhist = 0;
	ip.pl = (struct place){ &ip.mine, map };
	if (threads != 1 && to >= RATINGS_PARALLEL_ROWS &&
	    sysconf(_SC_NPROCESSORS_ONLN) > 1)
		part_start(&ip.lp, item_part_run, &ip);
	if (!ip.lp.started)
		return scan_items(st, p, &pl, lo, hi, to, cause);
	while (ret == 0 && claim_chunk(&ip.lp, 0, &a, &b))
		ret = scan_items(st, p, &pl, a, b, to, cause);
	part_stop(&ip.lp);
	/* The chunks met at next_hi; the thread had the rest. */
	if (ret == 0 && ip.lp.failed)
		ret = scan_items(st, p, &pl, ip.lp.next_hi, hi, to, cause);
	if (ip.mine.nhist > 0) {
		/*
		 * The thread's superseded labels after the caller's, then in
		 * item order: both lists are in id order within an item, and
		 * one item's are all in one list, so a sort by item that keeps
		 * that order (the index breaks ties) gives the one-thread list.
		 */
		struct hist_seq *all;
		int total = r->nhist + ip.mine.nhist;

		all = xcalloc((size_t)total + 1, sizeof *all);
		for (i = 0; i < total; i++) {
			all[i].h = i < r->nhist ? r->hist[i] :
			    ip.mine.hist[i - r->nhist];
			all[i].seq = i;
		}
		qsort(all, (size_t)total, sizeof *all, cmp_hist_seq);
		r->hist = xreallocarray(r->hist, (size_t)total,
		    sizeof *r->hist);
		for (i = 0; i < total; i++)
			r->hist[i] = all[i].h;
		r->nhist = total;
		free(all);
	}
	free(ip.mine.hist);
	return ret;
}

/*
 * Per item, the newest row of a table ordered by (item, id) decides:
 * `sql` returns item, class, and 1 when the row counts as a class.
 */
int
read_per_item(struct store *st, const struct project *p,
    const struct item_map *map, const struct ratings *r, const char *sql,
    int *dst, const char *what, char **cause)
{
	sqlite3_stmt *s;
	int rc, i;

	for (i = 0; i < r->nitems; i++)
		dst[i] = -1;
	if (sql_prepare(st, sql, &s, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		i = item_index(map, sqlite3_column_int64(s, 0));
		if (i < 0)
			continue;
		dst[i] = sqlite3_column_int(s, 2) &&
		    sqlite3_column_type(s, 1) != SQLITE_NULL ?
		    class_index(p, sqlite3_column_int64(s, 1)) : -1;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, what);
	return 0;
}
