/*
 * ratings_read.c: reading the ratings matrix's labels: every label row on
 * two threads, or each item's packed rows (item_labels), on two threads.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "label_int.h"
#include "ratings_int.h"
#include "ratings_read.h"
#include "store_pg.h"

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
	struct sql_stmt *s;
	int rc, lab = -1;

	if (sql_prepare(st, with_day ? "SELECT item, labeler, class, "
	    "guideline, created_at FROM labels WHERE id > ?1 AND id <= ?2 "
	    "ORDER BY id" : "SELECT item, labeler, class, guideline FROM "
	    "labels WHERE id > ?1 AND id <= ?2 ORDER BY id", &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, from);
	sql_bind_int(s, 2, to);
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *name = sql_text(s, 1);
		int cls = -1, day = RATINGS_NO_DAY;

		/* A labeler's labels often come in runs: search rarely. */
		if (lab < 0 || strcmp(r->labelers[lab], name) != 0)
			lab = labeler_index_n(r, name, strlen(name));
		if (lab < 0)
			continue;
		if (sql_col_type(s, 2) != SQL_COL_NULL)
			cls = class_index(p, sql_col_int64(s, 2));
		if (with_day && cls >= 0 &&
		    ratings_parse_day(sql_text(s, 4), &day) != 0)
			day = RATINGS_NO_DAY;
		emit(arg, sql_col_int64(s, 0), lab, cls,
		    cls < 0 ? 0 : sql_col_int(s, 3), day);
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read labels");
	return 0;
}

/*
 * Folding one item's rows, oldest first, into its labels in force.  Each
 * row replaces what its (item, labeler) held (label_stream); a label
 * superseded by one made under another guideline version still counts
 * for its own version (struct ratings_hist; a withdrawal removes it from
 * every version).  pos[] finds the item's entry of a labeler in one load
 * (-1: none yet) and is reset when the item is done, so the scratch is
 * one int per labeler, not one per item and labeler.
 */
struct fold_e {
	int lab, cls, guideline, day;
};

struct fold {
	int *pos;		/* nlabelers */
	struct fold_e *e;	/* the item's (item, labeler) pairs so far */
	int n, cap;
};

/* Labels by item as they are read: growing arrays, entries in order. */
struct lab_out {
	int *lab, *cls, *guideline, *day;
	size_t n, cap;
	int with_day;
};

static void
fold_init(struct fold *f, int nlabelers)
{
	int j;

	memset(f, 0, sizeof *f);
	f->pos = xcalloc((size_t)nlabelers + 1, sizeof *f->pos);
	for (j = 0; j < nlabelers; j++)
		f->pos[j] = -1;
}

static void
fold_free(struct fold *f)
{
	free(f->pos);
	free(f->e);
	memset(f, 0, sizeof *f);
}

static void
hist_add(struct ratings *h, int item, int lab, int cls, int guideline)
{
	if ((h->nhist & (h->nhist - 1)) == 0)
		h->hist = xreallocarray(h->hist, h->nhist ?
		    (size_t)h->nhist * 2 : 64, sizeof *h->hist);
	h->hist[h->nhist++] = (struct ratings_hist){ item, lab, cls,
	    guideline };
}

/*
 * A withdrawal takes lab's labels kept for older versions of item with
 * it: they are the last entries of h (the item's rows are folded one
 * after the other), and an undo after a relabel under a newer version
 * left the older label counting for its version.
 */
static void
hist_drop(struct ratings *h, int item, int lab)
{
	int i, k;

	for (i = h->nhist; i > 0 && h->hist[i - 1].item == item; i--)
		;
	for (k = i; i < h->nhist; i++)
		if (h->hist[i].lab != lab)
			h->hist[k++] = h->hist[i];
	h->nhist = k;
}

/* One row of item `item` (cls -1: a withdrawal; guideline 0 then). */
static void
fold_row(struct fold *f, struct ratings *h, int item, int lab, int cls,
    int guideline, int day)
{
	int x = f->pos[lab], before;

	if (x < 0) {
		if (cls < 0)
			return;	/* withdraws nothing */
		if (f->n == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 16;
			f->e = xreallocarray(f->e, (size_t)f->cap,
			    sizeof *f->e);
		}
		x = f->pos[lab] = f->n++;
		f->e[x] = (struct fold_e){ lab, -1, 0, RATINGS_NO_DAY };
	}
	before = label_stream(&f->e[x].cls, cls);
	if (before >= 0 && cls >= 0 && f->e[x].guideline != guideline)
		hist_add(h, item, lab, before, f->e[x].guideline);
	else if (cls < 0)
		hist_drop(h, item, lab);
	f->e[x].guideline = guideline;
	f->e[x].day = day;
}

static int
cmp_fold_e(const void *a, const void *b)
{
	int x = ((const struct fold_e *)a)->lab;
	int y = ((const struct fold_e *)b)->lab;

	return (x > y) - (x < y);
}

static void
lab_out_grow(struct lab_out *o, size_t want)
{
	if (want <= o->cap)
		return;
	o->cap = o->cap ? o->cap : 65536;
	while (o->cap < want)
		o->cap *= 2;
	o->lab = xreallocarray(o->lab, o->cap, sizeof *o->lab);
	o->cls = xreallocarray(o->cls, o->cap, sizeof *o->cls);
	o->guideline = xreallocarray(o->guideline, o->cap,
	    sizeof *o->guideline);
	if (o->with_day)
		o->day = xreallocarray(o->day, o->cap, sizeof *o->day);
}

/*
 * Room for n labels up front, in huge pages: growing the arrays copied
 * and faulted them in page by page (a third of the read's time at
 * 1,000,000 items x 5 labels); room never written is never backed.
 */
static void
lab_out_reserve(struct lab_out *o, size_t n)
{
	n = n ? n : 1;
	o->cap = n;
	o->lab = xmalloc_huge(n, sizeof *o->lab);
	o->cls = xmalloc_huge(n, sizeof *o->cls);
	o->guideline = xmalloc_huge(n, sizeof *o->guideline);
	if (o->with_day)
		o->day = xmalloc_huge(n, sizeof *o->day);
}

static void
lab_out_free(struct lab_out *o)
{
	free(o->lab);
	free(o->cls);
	free(o->guideline);
	free(o->day);
	memset(o, 0, sizeof *o);
}

/*
 * The item is read: its labels in force, labelers ascending, onto o;
 * returns how many.  The fold is ready for the next item.
 */
static int
fold_end(struct fold *f, struct lab_out *o)
{
	int x, y, m = 0;

	if (f->n > 16)
		qsort(f->e, (size_t)f->n, sizeof *f->e, cmp_fold_e);
	else
		for (x = 1; x < f->n; x++) {
			struct fold_e t = f->e[x];

			for (y = x; y > 0 && f->e[y - 1].lab > t.lab; y--)
				f->e[y] = f->e[y - 1];
			f->e[y] = t;
		}
	lab_out_grow(o, o->n + (size_t)f->n);
	for (x = 0; x < f->n; x++) {
		const struct fold_e *e = &f->e[x];

		f->pos[e->lab] = -1;
		if (e->cls < 0)
			continue;
		o->lab[o->n] = e->lab;
		o->cls[o->n] = e->cls;
		o->guideline[o->n] = e->guideline;
		if (o->with_day)
			o->day[o->n] = e->day;
		o->n++;
		m++;
	}
	f->n = 0;
	return m;
}

/*
 * Hand the labels read (o, nitems counts in r->start[1..]) to r: the
 * counts become offsets.  0, or -1 with *cause when they do not fit an int.
 */
static int
lab_out_give(struct lab_out *o, struct ratings *r, char **cause)
{
	int i;

	if (o->n > INT_MAX) {
		lab_out_free(o);
		return acc_error(cause, "too many labels in force (%zu)",
		    o->n);
	}
	r->start[0] = 0;
	for (i = 0; i < r->nitems; i++)
		r->start[i + 1] += r->start[i];
	r->nlabels = (int)o->n;
	r->lab = o->lab;
	r->cls = o->cls;
	r->guideline = o->guideline;
	r->day = o->day;
	if (r->lab == NULL) {	/* no label: still arrays to free */
		r->lab = xcalloc(1, sizeof *r->lab);
		r->cls = xcalloc(1, sizeof *r->cls);
		r->guideline = xcalloc(1, sizeof *r->guideline);
		if (o->with_day)
			r->day = xcalloc(1, sizeof *r->day);
	}
	memset(o, 0, sizeof *o);
	return 0;
}

/*
 * The label rows are read by two threads that meet in the middle.  The
 * calling thread claims chunks of RATINGS_CHUNK ids from the oldest end,
 * a second thread, over its own read-only connection, claims chunks from
 * the newest end; each keeps its rows as they come.  When no chunk is
 * left, the rows are taken in id order (the caller's, then the second
 * thread's chunks oldest first), grouped by item and folded (fold_rows),
 * so the newest row of an (item, labeler) still wins.  Claiming as they
 * go, the two finish together whatever else either does (the caller also
 * reads the items first) and however the machine shares its
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
 * inside its read transaction (the first read opens DB-wal and DB-shm).
 * NOMUTEX: it is used by one thread at a time, and a mutex
 * per sqlite3_column call cost a tenth of the scan.  0 or -1.
 */
static int
label_part_open(struct label_part *lp)
{
	struct store *own = &lp->own;
	long long one;
	int ok;

	/*
	 * PostgreSQL: a second session of the same role (the server's
	 * policies apply to it as to the first), in a read transaction.
	 * Its snapshot is the same or newer, as on SQLite: the rows up to
	 * `to` are the same in both.
	 */
	if (lp->st->kind == STORE_PG) {
		own->path = lp->st->path;
		ok = pg_connect(own, NULL) == 0 && store_begin(own, 0,
		    NULL) == 0;
		if (!ok)
			label_part_close(lp);
		return ok ? 0 : -1;
	}
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
	if (!ok)
		label_part_close(lp);
	return ok ? 0 : -1;
}

static void
label_part_close(struct label_part *lp)
{
	if (lp->own.kind == STORE_PG) {
		if (lp->own.pg == NULL)
			return;
		if (lp->own.in_tx)
			store_rollback(&lp->own);
		sql_cache_drop(&lp->own);
		pg_close(&lp->own);
		lp->own.kind = STORE_SQLITE;
		return;
	}
	if (lp->own.db == NULL)
		return;
	if (lp->own.in_tx)
		store_rollback(&lp->own);
	sql_cache_drop(&lp->own);
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
	if (r->label_to > 0 && hi > r->label_to)
		hi = r->label_to;	/* ratings_opts.label_to */
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

/* The calling thread's rows, in id order, items already as indexes. */
struct own_rows {
	const struct item_map *map;
	struct row {
		int item, lab, cls, guideline;
	} *rows;
	int *days;
	size_t n, cap;
	int with_day;
};

/* emit for scan_labels: keep the calling thread's row. */
static void
own_label(void *arg, long long item, int lab, int cls, int guideline,
    int day)
{
	struct own_rows *o = arg;
	int it = item_index(o->map, item);

	if (it < 0)
		return; /* cannot happen with foreign keys on */
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 65536;
		o->rows = xreallocarray(o->rows, o->cap, sizeof *o->rows);
		if (o->with_day)
			o->days = xreallocarray(o->days, o->cap,
			    sizeof *o->days);
	}
	o->rows[o->n] = (struct row){ it, lab, cls, guideline };
	if (o->with_day)
		o->days[o->n] = day;
	o->n++;
}

/*
 * Every row read, in id order: the calling thread's (own), then the
 * second thread's chunks oldest first (lp, unless it failed), by item
 * with a stable counting sort, then folded item by item into r's labels.
 * order[] names a row as k < own->n (own's k) or own->n + k (lp's k).
 */
static int
fold_rows(struct own_rows *own, struct label_part *lp, int theirs,
    struct ratings *r, char **cause)
{
	size_t n = own->n + (theirs ? lp->n : 0), k, *at;
	uint32_t *order;
	struct lab_out out = { .with_day = own->with_day };
	struct fold f;
	int c, i;

	if (n >= UINT32_MAX)
		return acc_error(cause, "too many label rows (%zu)", n);
	lab_out_reserve(&out, n);
	at = xcalloc((size_t)r->nitems + 1, sizeof *at);
	for (k = 0; k < own->n; k++)
		at[own->rows[k].item + 1]++;
	for (k = 0; theirs && k < lp->n; k++) {
		int it = item_index(own->map, lp->item_lo + lp->rows[k].item);

		/* No such item cannot happen with foreign keys on. */
		lp->rows[k].item = it < 0 ? UINT32_MAX : (uint32_t)it;
		if (it >= 0)
			at[it + 1]++;
	}
	for (i = 0; i < r->nitems; i++)
		at[i + 1] += at[i];
	order = xmalloc_huge(n ? n : 1, sizeof *order);
	for (k = 0; k < own->n; k++)
		order[at[own->rows[k].item]++] = (uint32_t)k;
	for (c = theirs ? lp->nchunks - 1 : -1; c >= 0; c--)
		for (k = c ? lp->end[c - 1] : 0; k < lp->end[c]; k++)
			if (lp->rows[k].item != UINT32_MAX)
				order[at[lp->rows[k].item]++] =
				    (uint32_t)(own->n + k);
	/* at[i] is now where item i + 1's rows begin. */
	fold_init(&f, r->nlabelers);
	for (i = 0, k = 0; i < r->nitems; i++) {
		for (; k < at[i]; k++) {
			size_t o = order[k];

			if (o < own->n)
				fold_row(&f, r, i, own->rows[o].lab,
				    own->rows[o].cls, own->rows[o].guideline,
				    own->with_day ? own->days[o] :
				    RATINGS_NO_DAY);
			else {
				o -= own->n;
				fold_row(&f, r, i, lp->rows[o].lab,
				    lp->rows[o].cls, lp->rows[o].guideline,
				    lp->days != NULL ? lp->days[o] :
				    RATINGS_NO_DAY);
			}
		}
		r->start[i + 1] = fold_end(&f, &out);
	}
	fold_free(&f);
	free(order);
	free(at);
	return lab_out_give(&out, r, cause);
}

/*
 * Read the chunks left, wait for the second thread and fold its rows in
 * after them (or read its part here if it failed).  With map NULL (the
 * caller failed on the way) only stop it, wait and free.
 */
int
read_labels_finish(struct store *st, const struct item_map *map,
    struct ratings *r, struct label_part *lp, char **cause)
{
	struct own_rows own = { .map = map, .with_day = lp->with_day };
	long long a, b;
	int ret = 0;

	if (map != NULL) {
		/* Room for every row up front, as label_part_run has. */
		own.cap = (size_t)(lp->to - lp->lo > 0 ? lp->to - lp->lo : 1);
		own.rows = xmalloc_huge(own.cap, sizeof *own.rows);
		if (own.with_day)
			own.days = xmalloc_huge(own.cap, sizeof *own.days);
		if (!lp->started)
			ret = scan_labels(st, lp->p, r, lp->lo, lp->to,
			    lp->with_day, own_label, &own, cause);
		while (lp->started && ret == 0) {
			/* Asked to stop: the second thread's claims end too. */
			if (lp->stop != NULL && lp->stop(lp->stop_arg)) {
				claim_none(lp);
				ret = acc_error(cause, "stopped");
			} else if (!claim_chunk(lp, 0, &a, &b))
				break;
			else
				ret = scan_labels(st, lp->p, r, a, b,
				    lp->with_day, own_label, &own, cause);
		}
	}
	part_stop(lp);
	/* The chunks met at next_hi; the thread had the rest. */
	if (map != NULL && ret == 0 && lp->started && lp->failed)
		ret = scan_labels(st, lp->p, r, lp->next_hi, lp->to,
		    lp->with_day, own_label, &own, cause);
	if (map != NULL && ret == 0) {
		r->start = xcalloc((size_t)r->nitems + 1, sizeof *r->start);
		ret = fold_rows(&own, lp, lp->started && !lp->failed, r,
		    cause);
	}
	free(own.rows);
	free(own.days);
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
 * are all in one value, so its labels are folded as it is read, and two
 * threads can read disjoint items at once: the calling thread claims
 * chunks of item ids from the low end, a second connection's thread from
 * the high end (claim_chunk), each with its own labels and list of
 * superseded labels (struct ratings_hist), joined in item order at the
 * end.  Entries with an id above `to`, the largest label id in the
 * caller's snapshot, are skipped: the second connection may see labels
 * made since.  Without label days (ratings_opts.days, which need each
 * label's time) this is what ratings_build reads.
 */
#define RATINGS_ITEM_CHUNK 2048

/*
 * Where one reader (the calling thread or the second) puts what it reads:
 * the labels by item onto out, each item's count at count[item], its
 * superseded labels in h->hist.  r gives the labelers.
 */
struct place {
	const struct ratings *r;
	const struct item_map *map;
	struct ratings *h;
	int *count;
	struct fold f;
	struct lab_out out;
};

/* Fold the entries of one item_labels value; 0, or -1 if it is damaged. */
static int
place_entries(struct place *pl, const struct project *p, long long item,
    const char *v, long long to)
{
	const struct ratings *r = pl->r;
	struct label_entry e = { 0 };
	int lab = -1, k, it = item_index(pl->map, item);

	if (it < 0)
		return 0; /* cannot happen with foreign keys on */
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
		fold_row(&pl->f, pl->h, it, lab, cls, cls < 0 ? 0 :
		    (int)e.guideline, RATINGS_NO_DAY);
	}
	pl->count[it] = fold_end(&pl->f, &pl->out);
	return k;
}

/* Read and place the items with from < id <= to_item. */
static int
scan_items(struct store *st, const struct project *p, struct place *pl,
    long long from, long long to_item, long long to, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT item, rows FROM item_labels WHERE "
	    "item > ?1 AND item <= ?2 ORDER BY item", &s, cause) != 0)
		return -1;
	/* One call may read every item (no second thread). */
	if (to_item - from > RATINGS_ITEM_CHUNK)
		sql_stream(s);
	sql_bind_int(s, 1, from);
	sql_bind_int(s, 2, to_item);
	while ((rc = sql_step(s)) == SQL_ROW) {
		long long item = sql_col_int64(s, 0);

		if (place_entries(pl, p, item, sql_text(s, 1), to) != 0) {
			sql_finalize(st, s);
			return acc_error(cause, "the packed label rows of item "
			    "%lld are damaged (item_labels); accord check "
			    "tells more", item);
		}
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read labels");
	return 0;
}

/*
 * The second thread's reader.  Its chunks are item ranges from the top
 * down, each read in item order into pl.out, then moved to the top of
 * the calling thread's arrays (all), below the chunk read before: the
 * calling thread fills them from the bottom, and as the labels in force
 * are at most the rows, both fit in the room all was given.  One array
 * for both, not one each joined at the end: at 1,000,000 items x 5
 * labels the second thread's copy was a third more memory.
 */
struct item_part {
	struct label_part lp;	/* connection, mutex, chunks (item ids) */
	struct place pl;	/* the thread's chunk ... */
	struct ratings mine;	/* ... and superseded labels */
	struct lab_out *all;	/* the calling thread's arrays */
	size_t top;		/* the thread's labels: all[top .. cap) */
	long long to;		/* largest label id of the snapshot */
};

/* Move the chunk just read below the thread's labels in ip->all. */
static void
chunk_to_top(struct item_part *ip)
{
	struct lab_out *t = &ip->pl.out, *all = ip->all;
	size_t n = t->n;

	ip->top -= n;
	memcpy(all->lab + ip->top, t->lab, n * sizeof *t->lab);
	memcpy(all->cls + ip->top, t->cls, n * sizeof *t->cls);
	memcpy(all->guideline + ip->top, t->guideline,
	    n * sizeof *t->guideline);
	t->n = 0;
}

static void *
item_part_run(void *arg)
{
	struct item_part *ip = arg;
	struct label_part *lp = &ip->lp;
	char *cause = NULL;
	long long a, b;

	lp->failed = 1;
	while (claim_chunk(lp, 1, &a, &b)) {
		if (scan_items(&lp->own, lp->p, &ip->pl, a, b, ip->to,
		    &cause) != 0) {
			free(cause);
			return NULL;
		}
		chunk_to_top(ip);
	}
	lp->failed = 0;
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
 * The thread's superseded labels after the caller's, then in item order:
 * both lists are in id order within an item, and one item's are all in
 * one list, so a sort by item that keeps that order (the index breaks
 * ties) gives the one-thread list.
 */
static void
hist_merge(struct ratings *r, const struct ratings *mine)
{
	struct hist_seq *all;
	int total = r->nhist + mine->nhist, i;

	if (mine->nhist == 0)
		return;
	all = xcalloc((size_t)total + 1, sizeof *all);
	for (i = 0; i < total; i++) {
		all[i].h = i < r->nhist ? r->hist[i] : mine->hist[i - r->nhist];
		all[i].seq = i;
	}
	qsort(all, (size_t)total, sizeof *all, cmp_hist_seq);
	r->hist = xreallocarray(r->hist, (size_t)total, sizeof *r->hist);
	for (i = 0; i < total; i++)
		r->hist[i] = all[i].h;
	r->nhist = total;
	free(all);
}

/*
 * The thread's labels, all[top .. cap), down to the calling thread's, and
 * the room between given back (the thread touched it; the read is done).
 */
static void
join_top(struct lab_out *all, size_t top)
{
	size_t n = all->cap - top, page = (size_t)sysconf(_SC_PAGESIZE);
	void *arr[3] = { all->lab, all->cls, all->guideline };
	int k;

	for (k = 0; k < 3; k++) {
		uintptr_t from, to = (uintptr_t)((int *)arr[k] + all->cap);

		memmove((int *)arr[k] + all->n, (int *)arr[k] + top,
		    n * sizeof(int));
		from = ((uintptr_t)((int *)arr[k] + all->n + n) + page - 1) /
		    page * page;
		/* Only whole pages; the rest of the memory stays as it is. */
		if (from < to)
			(void)madvise((void *)from, (to - from) / page * page,
			    MADV_DONTNEED);
	}
	all->n += n;
}

/*
 * Read every item's labels (allocated here), on two threads when there
 * are enough items and CPUs (threads != 1).
 */
int
read_by_item(struct store *st, const struct project *p,
    const struct item_map *map, struct ratings *r, int threads,
    char **cause)
{
	struct place pl = { .r = r, .map = map, .h = r };
	struct item_part ip;
	long long to = 0, lo, hi, a, b;
	int ret = 0;

	r->start = xcalloc((size_t)r->nitems + 1, sizeof *r->start);
	pl.count = r->start + 1;
	if (r->nitems == 0)
		return lab_out_give(&pl.out, r, cause);
	if (sql_int(st, "SELECT coalesce(max(id), 0) FROM labels", NULL, &to,
	    cause) < 0)
		return -1;
	if (r->label_to > 0 && to > r->label_to)
		to = r->label_to;	/* ratings_opts.label_to */
	r->label_to = to;
	lo = r->item_ids[0] - 1;
	hi = r->item_ids[r->nitems - 1];
	/* Labels in force are at most the rows, at most the largest id. */
	lab_out_reserve(&pl.out, (size_t)to);
	fold_init(&pl.f, r->nlabelers);
	memset(&ip, 0, sizeof ip);
	ip.lp.st = st;
	ip.lp.p = p;
	ip.lp.r = r;
	ip.lp.next_lo = lo;
	ip.lp.next_hi = hi;
	ip.lp.chunk = RATINGS_ITEM_CHUNK;
	ip.to = to;
	ip.pl = (struct place){ .r = r, .map = map, .h = &ip.mine,
	    .count = pl.count };
	ip.all = &pl.out;
	ip.top = pl.out.cap;
	fold_init(&ip.pl.f, r->nlabelers);
	if (threads != 1 && to >= RATINGS_PARALLEL_ROWS &&
	    sysconf(_SC_NPROCESSORS_ONLN) > 1)
		part_start(&ip.lp, item_part_run, &ip);
	if (!ip.lp.started)
		ret = scan_items(st, p, &pl, lo, hi, to, cause);
	while (ip.lp.started && ret == 0 && claim_chunk(&ip.lp, 0, &a, &b))
		ret = scan_items(st, p, &pl, a, b, to, cause);
	part_stop(&ip.lp);
	/* The chunks met at next_hi; the thread had the rest. */
	if (ret == 0 && ip.lp.started && ip.lp.failed)
		ret = scan_items(st, p, &pl, ip.lp.next_hi, hi, to, cause);
	else if (ret == 0 && ip.lp.started) {
		join_top(&pl.out, ip.top);
		hist_merge(r, &ip.mine);
	}
	if (ret == 0)
		ret = lab_out_give(&pl.out, r, cause);
	lab_out_free(&pl.out);
	lab_out_free(&ip.pl.out);
	fold_free(&pl.f);
	fold_free(&ip.pl.f);
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
	struct sql_stmt *s;
	int rc, i;

	for (i = 0; i < r->nitems; i++)
		dst[i] = -1;
	if (sql_prepare(st, sql, &s, cause) != 0)
		return -1;
	sql_stream(s);
	while ((rc = sql_step(s)) == SQL_ROW) {
		i = item_index(map, sql_col_int64(s, 0));
		if (i < 0)
			continue;
		dst[i] = sql_col_int(s, 2) &&
		    sql_col_type(s, 1) != SQL_COL_NULL ?
		    class_index(p, sql_col_int64(s, 1)) : -1;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, what);
	return 0;
}
