/*
 * ratings.c: read the ratings matrix of a store (ratings_build; see
 * include/accord/ratings.h).  Slices are cut in ratings_slice.c, views
 * and the hot list taken in ratings_view.c, the trend in ratings_trend.c.
 *
 * Speed matters here: a project of 200,000 items and 5 labelers has about
 * a million label rows, and `accord agree` should answer in well under a
 * second.  So every table is read in one ordered pass and rows are placed
 * by walking sorted arrays, never by a query per item.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/priv.h"
#include "accord/project.h"
#include "accord/ratings.h"
#include "internal.h"
#include "ratings_int.h"

static void
item_map_init(struct item_map *m, const long long *ids, int n)
{
	long long span = n ? ids[n - 1] - ids[0] + 1 : 0;
	int i;

	m->ids = ids;
	m->n = n;
	m->base = n ? ids[0] : 0;
	m->direct = NULL;
	if (n == 0 || span > 4 * (long long)n + 1024)
		return;
	m->direct = xmalloc((size_t)span * sizeof *m->direct);
	for (i = 0; i < span; i++)
		m->direct[i] = -1;
	for (i = 0; i < n; i++)
		m->direct[ids[i] - m->base] = i;
}

static void
item_map_free(struct item_map *m)
{
	free(m->direct);
	m->direct = NULL;
}

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

/*
 * The batch names, few, in id order; *batch[i] points at item i's name.
 * Items name their batch by id, so the names are not copied per item.
 */
struct batches {
	long long *ids;
	char **names;
	int n;
};

static int
read_batches(struct store *st, struct batches *b, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT id, name FROM batches ORDER BY id", &s,
	    cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		b->ids = xreallocarray(b->ids, (size_t)b->n + 1, sizeof *b->ids);
		b->names = xreallocarray(b->names, (size_t)b->n + 1,
		    sizeof *b->names);
		b->ids[b->n] = sqlite3_column_int64(s, 0);
		b->names[b->n++] = xstrdup(sql_text(s, 1));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read batches");
	return 0;
}

static void
batches_free(struct batches *b)
{
	int i;

	for (i = 0; i < b->n; i++)
		free(b->names[i]);
	free(b->ids);
	free(b->names);
}

/* What read_items reads besides the item ids. */
enum items_read {
	ITEMS_IDS,	/* ids only (none read when they are dense) */
	ITEMS_BATCH,	/* each item's batch name (--by batch) */
	ITEMS_PATHS,	/* its batch and its path (ratings_opts.paths) */
};

/*
 * The items in id order, their batch, and (ITEMS_PATHS) their paths.
 * Every path goes into one buffer, NUL after each, and paths[i] points
 * into it (r->path_buf): a malloc and a free per item cost more than
 * reading the items.  Without paths the items_batch index is read
 * instead of the table: it holds (batch, id) and is a tenth the size.
 * Ids are handed out in import order and an item keeps the batch that
 * first imported it, so that order is id order; should it ever not be,
 * the items are sorted.
 */
struct item_row {
	long long id;
	char *batch;
};

static int
cmp_item_row(const void *a, const void *b)
{
	long long x = ((const struct item_row *)a)->id;
	long long y = ((const struct item_row *)b)->id;

	return x < y ? -1 : x > y;
}

static int
read_items(struct store *st, struct ratings *r, const struct batches *b,
    enum items_read what, char ***batch, char **cause)
{
	sqlite3_stmt *s;
	struct buf all = { 0 };
	size_t *off = NULL;
	long long count = 0, lo = 0, hi = 0;
	int i, rc, cap = 0, last = 0, nobatch = 0, sorted = 1;
	int with_paths = what == ITEMS_PATHS;

	/*
	 * Arrays of the right size from the start (the count reads the
	 * small batch index): growing them copied and faulted in twice.
	 */
	if (sql_int(st, "SELECT count(*) FROM items", NULL, &count,
	    cause) < 0 || sql_int(st, "SELECT min(id) FROM items", NULL, &lo,
	    cause) < 0 || sql_int(st, "SELECT max(id) FROM items", NULL, &hi,
	    cause) < 0)
		return -1;
	/*
	 * Items are never deleted and each gets max(id) + 1, so the ids are
	 * normally every number from the smallest to the largest.  When the
	 * count says so, they need no reading (a sixth of `accord agree`'s
	 * time on 200,000 items).
	 */
	if (what == ITEMS_IDS && count > 0 && count < INT_MAX &&
	    hi - lo + 1 == count) {
		r->item_ids = xreallocarray(NULL, (size_t)count,
		    sizeof *r->item_ids);
		for (i = 0; i < (int)count; i++)
			r->item_ids[i] = lo + i;
		r->nitems = (int)count;
		return 0;
	}
	if (count > 0 && count < INT_MAX) {
		cap = (int)count;
		r->item_ids = xreallocarray(NULL, (size_t)cap,
		    sizeof *r->item_ids);
		*batch = xreallocarray(NULL, (size_t)cap, sizeof **batch);
		if (with_paths)
			off = xreallocarray(NULL, (size_t)cap, sizeof *off);
	}
	if (sql_prepare(st, with_paths ? "SELECT id, batch, path FROM items "
	    "ORDER BY id" : "SELECT id, batch FROM items INDEXED BY "
	    "items_batch", &s, cause) != 0) {
		free(off);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long bid = sqlite3_column_int64(s, 1);

		if (r->nitems == cap) {
			cap = cap ? cap * 2 : 256;
			r->item_ids = xreallocarray(r->item_ids, (size_t)cap,
			    sizeof *r->item_ids);
			*batch = xreallocarray(*batch, (size_t)cap,
			    sizeof **batch);
			if (with_paths)
				off = xreallocarray(off, (size_t)cap,
				    sizeof *off);
		}
		r->item_ids[r->nitems] = sqlite3_column_int64(s, 0);
		if (r->nitems > 0 &&
		    r->item_ids[r->nitems] < r->item_ids[r->nitems - 1])
			sorted = 0;
		if (with_paths) {
			off[r->nitems] = all.len;
			buf_add(&all, sql_text(s, 2),
			    (size_t)sqlite3_column_bytes(s, 2) + 1);
		}
		/* Items of one batch are imported together: search rarely. */
		if (last >= b->n || b->ids[last] != bid)
			for (last = 0; last < b->n && b->ids[last] != bid;
			    last++)
				;
		if (last == b->n) {
			acc_error(cause, "item %lld names batch %lld, which "
			    "does not exist", r->item_ids[r->nitems], bid);
			nobatch = 1;
			break;
		}
		(*batch)[r->nitems] = b->names[last];
		r->nitems++;
	}
	sqlite3_finalize(s);
	if (nobatch || rc != SQLITE_DONE) {
		if (!nobatch)
			sql_fail(st, cause, "cannot read items");
		r->nitems = 0;
		buf_free(&all);
		free(off);
		return -1;
	}
	if (!sorted) {	/* only without paths: the table is in id order */
		struct item_row *row = xcalloc((size_t)r->nitems + 1,
		    sizeof *row);

		for (i = 0; i < r->nitems; i++)
			row[i] = (struct item_row){ r->item_ids[i],
			    (*batch)[i] };
		qsort(row, (size_t)r->nitems, sizeof *row, cmp_item_row);
		for (i = 0; i < r->nitems; i++) {
			r->item_ids[i] = row[i].id;
			(*batch)[i] = row[i].batch;
		}
		free(row);
	}
	if (with_paths) {
		r->path_buf = all.s;
		r->paths = xcalloc((size_t)r->nitems + 1, sizeof *r->paths);
		for (i = 0; i < r->nitems; i++)
			r->paths[i] = all.s + off[i];
	}
	free(off);
	return 0;
}

int
ratings_load_paths(struct store *st, struct ratings *r, const int *idx,
    int n, char **cause)
{
	sqlite3_stmt *s;
	int k, rc;

	if (r->path_buf != NULL || n <= 0)
		return 0;
	if (r->paths == NULL)
		r->paths = xcalloc((size_t)r->nitems + 1, sizeof *r->paths);
	if (sql_prepare(st, "SELECT path FROM items WHERE id = ?1", &s,
	    cause) != 0)
		return -1;
	for (k = 0; k < n; k++) {
		int i = idx[k];

		if (i < 0 || i >= r->nitems || r->paths[i] != NULL)
			continue;
		sqlite3_reset(s);
		sql_bind_int(s, 1, r->item_ids[i]);
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW) {
			sqlite3_finalize(s);
			if (rc == SQLITE_DONE)
				return acc_error(cause, "item %lld is not in "
				    "the store", r->item_ids[i]);
			return sql_fail(st, cause, "cannot read item paths");
		}
		r->paths[i] = xstrdup(sql_text(s, 0));
	}
	sqlite3_finalize(s);
	return 0;
}

static int
read_labelers(struct store *st, struct ratings *r, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	/*
	 * BINARY collation: the same order as strcmp, for the bsearch below.
	 * SELECT DISTINCT would walk the whole labeler index (a million
	 * entries for five names); this seeks it once per labeler instead
	 * (SQLite's documented "skip-scan" by recursive query).
	 */
	if (sql_prepare(st, "WITH RECURSIVE l(name) AS (SELECT min(labeler) "
	    "FROM labels UNION ALL SELECT (SELECT min(labeler) FROM labels "
	    "WHERE labeler > l.name) FROM l WHERE l.name IS NOT NULL) "
	    "SELECT name FROM l WHERE name IS NOT NULL", &s, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->labelers = xreallocarray(r->labelers,
		    (size_t)r->nlabelers + 1, sizeof *r->labelers);
		r->labelers[r->nlabelers++] = xstrdup(sql_text(s, 0));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read labelers");
	return 0;
}

static int
labeler_index(const struct ratings *r, const char *name)
{
	int lo = 0, hi = r->nlabelers - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2, c = strcmp(r->labelers[mid], name);

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
 * cell, which is what the current_labels view means.  A table scan in
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
			lab = labeler_index(r, name);
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

	if (it < 0)
		return; /* cannot happen with foreign keys on */
	cell = (size_t)it * (size_t)pl->r->nlabelers + (size_t)lab;
	/* A label superseded under another version still counts for its own
	 * (a withdrawal removes it from every version). */
	if (pl->r->cells[cell] >= 0 && cls >= 0 &&
	    pl->r->guideline[cell] != guideline) {
		struct ratings *r = pl->r;

		if ((r->nhist & (r->nhist - 1)) == 0)
			r->hist = xreallocarray(r->hist, r->nhist ?
			    (size_t)r->nhist * 2 : 64, sizeof *r->hist);
		r->hist[r->nhist++] = (struct ratings_hist){ it, lab,
		    r->cells[cell], r->guideline[cell] };
	}
	pl->r->cells[cell] = cls;
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
 * Pages of SQLite's cache while reading (ratings_build): the scans read
 * each page once.  64 against the default 2 MiB: 0.178 s against 0.198 s
 * for `accord agree` on 200,000 x 5, a thousand page faults fewer.
 */
#define RATINGS_CACHE_PAGES "64"

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
static int
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
static int
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
 * id order, "ID,CLASS,GUIDELINE,N:LABELER;" each (core/schema.c), so one
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

/* A number of digits at *p (optional), advancing *p; 0 when there are none. */
static int
entry_num(const char **p, long long *v)
{
	const char *q = *p;
	long long x = 0;

	while (*q >= '0' && *q <= '9' && x < LLONG_MAX / 10)
		x = x * 10 + (*q++ - '0');
	if (q == *p)
		return 0;
	*v = x;
	*p = q;
	return 1;
}

/* Place the entries of one item_labels value; 0, or -1 if it is damaged. */
static int
place_entries(struct place *pl, const struct project *p, long long item,
    const char *e, long long to)
{
	const struct ratings *r = pl->r;
	long long prev = 0;
	int lab = -1;

	while (*e != '\0') {
		long long id, cid = -1, g, n;
		const char *name;
		int cls = -1;

		if (!entry_num(&e, &id) || *e++ != ',')
			return -1;
		if (*e != ',' && !entry_num(&e, &cid))
			return -1;
		if (*e++ != ',' || !entry_num(&e, &g) || *e++ != ',' ||
		    !entry_num(&e, &n) || *e++ != ':' ||
		    (long long)strnlen(e, (size_t)n + 1) < n + 1 ||
		    e[n] != ';')
			return -1;
		name = e;
		e += n + 1;
		if (id <= prev)
			return -1;	/* not in id order: the newest would not win */
		prev = id;
		if (id > to)
			continue;
		/* One labeler's labels often follow each other: search rarely. */
		if (lab < 0 || strncmp(r->labelers[lab], name, (size_t)n) != 0 ||
		    r->labelers[lab][n] != '\0')
			lab = labeler_index_n(r, name, (size_t)n);
		if (lab < 0)
			continue;
		if (cid >= 0)
			cls = class_index(p, cid);
		place_label(pl, item, lab, cls, cls < 0 ? 0 : (int)g,
		    RATINGS_NO_DAY);
	}
	return 0;
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
static int
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
static int
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
		dst[i] = sqlite3_column_int(s, 2) && sqlite3_column_type(s, 1) !=
		    SQLITE_NULL ? class_index(p, sqlite3_column_int64(s, 1)) : -1;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, what);
	return 0;
}

/* Drop labeler columns without a label in force (all withdrawn). */
static void
compact_labelers(struct ratings *r)
{
	int i, j, nl = 0, *keep = xcalloc((size_t)r->nlabelers + 1,
	    sizeof *keep);

	for (i = 0; i < r->nitems; i++)
		for (j = 0; j < r->nlabelers; j++)
			if (r->cells[(size_t)i * r->nlabelers + j] >= 0)
				keep[j] = 1;
	for (i = 0; i < r->nhist; i++)
		keep[r->hist[i].lab] = 1;
	for (j = 0; j < r->nlabelers; j++)
		if (keep[j])
			nl++;
	if (nl < r->nlabelers) {
		for (i = 0; i < r->nitems; i++) {
			int k = 0;

			for (j = 0; j < r->nlabelers; j++) {
				size_t from = (size_t)i * r->nlabelers + j;
				size_t to = (size_t)i * nl + k;

				if (!keep[j])
					continue;
				r->cells[to] = r->cells[from];
				r->guideline[to] = r->guideline[from];
				if (r->day != NULL)
					r->day[to] = r->day[from];
				k++;
			}
		}
		for (j = 0, i = 0; j < r->nlabelers; j++)
			if (keep[j]) {
				keep[j] = i;	/* now the new index */
				r->labelers[i++] = r->labelers[j];
			} else
				free(r->labelers[j]);
		for (i = 0; i < r->nhist; i++)
			r->hist[i].lab = keep[r->hist[i].lab];
		r->nlabelers = nl;
	}
	free(keep);
}

static void
collect_versions(struct ratings *r)
{
	size_t k, n = (size_t)r->nitems * r->nlabelers;
	int i, j;

	for (k = 0; k < n + (size_t)r->nhist; k++) {
		int v = k < n ? r->guideline[k] : r->hist[k - n].guideline;

		if (v <= 0)
			continue;
		for (i = 0; i < r->nversions && r->versions[i] < v; i++)
			;
		if (i < r->nversions && r->versions[i] == v)
			continue;
		r->versions = xreallocarray(r->versions,
		    (size_t)r->nversions + 1, sizeof *r->versions);
		for (j = r->nversions; j > i; j--)
			r->versions[j] = r->versions[j - 1];
		r->versions[i] = v;
		r->nversions++;
	}
}

int
ratings_build(struct store *st, const struct ratings_opts *opts,
    struct ratings *out, char **cause)
{
	struct project p;
	struct batches b = { 0 };
	struct item_map map = { 0 };
	struct label_part lp;
	char **batch = NULL;
	enum items_read what = opts->paths ? ITEMS_PATHS : opts->by != NULL &&
	    strcmp(opts->by, "batch") == 0 ? ITEMS_BATCH : ITEMS_IDS;
	long long cache = LLONG_MIN;
	int c, ret = -1;

	memset(out, 0, sizeof *out);
	/* Before the read transaction: a refusal writes an audit row. */
	if (project_require(st, opts->user, ROLE_SME, "reading agreement",
	    cause) != 0)
		return -1;
	if (project_load(st, &p, cause) != 0)
		return -1;
	out->nclasses = p.nclasses;
	out->ordinal = p.ordinal;
	out->borderline = -1;
	out->classes = xcalloc((size_t)p.nclasses + 1, sizeof *out->classes);
	for (c = 0; c < p.nclasses; c++) {
		out->classes[c] = xstrdup(p.classes[c].name);
		if (p.classes[c].borderline)
			out->borderline = c;
	}
	/*
	 * Every query here reads its pages once, in order: a small page
	 * cache (RATINGS_CACHE_PAGES) spares the faults and cache misses of
	 * filling SQLite's default 2 MiB with pages never read again.  The
	 * connection's own size is put back at the end.
	 */
	if (sql_int(st, "PRAGMA cache_size", NULL, &cache, cause) < 0)
		goto done;
	sql_exec(st, "PRAGMA cache_size = " RATINGS_CACHE_PAGES, NULL);
	if (store_begin(st, 0, cause) != 0)
		goto done;
	if (!opts->days) {
		/* One row per item (schema 4): see read_by_item. */
		if (read_labelers(st, out, cause) != 0 ||
		    read_batches(st, &b, cause) != 0 ||
		    read_items(st, out, &b, what, &batch, cause) != 0)
			goto rollback;
		item_map_init(&map, out->item_ids, out->nitems);
		if (read_by_item(st, &p, &map, out, opts->threads, cause) != 0)
			goto rollback;
	} else {
		if (read_labelers(st, out, cause) != 0 ||
		    read_labels_start(st, &p, out, opts->days, opts->threads,
		    &lp, cause) != 0)
			goto rollback;
		/* A second thread may be reading label rows meanwhile. */
		if (read_batches(st, &b, cause) != 0 ||
		    read_items(st, out, &b, what, &batch, cause) != 0) {
			read_labels_finish(st, NULL, out, &lp, NULL);
			goto rollback;
		}
		item_map_init(&map, out->item_ids, out->nitems);
		if (read_labels_finish(st, &map, out, &lp, cause) != 0)
			goto rollback;
	}
	out->reference = xcalloc((size_t)out->nitems + 1,
	    sizeof *out->reference);
	out->gold = xcalloc((size_t)out->nitems + 1, sizeof *out->gold);
	if (read_per_item(st, &p, &map, out, "SELECT item, class, status = "
	    "'class' FROM adjudications ORDER BY item, id", out->reference,
	    "cannot read adjudications", cause) != 0 ||
	    read_per_item(st, &p, &map, out, "SELECT item, class, 1 FROM gold "
	    "ORDER BY item, id", out->gold, "cannot read gold", cause) != 0 ||
	    ratings_slices_read(st, opts->by, &map, out, batch, cause) != 0)
		goto rollback;
	store_commit(st, NULL);
	compact_labelers(out);
	collect_versions(out);
	ret = 0;
	goto done;
rollback:
	store_rollback(st);
done:
	if (cache != LLONG_MIN) {
		char pragma[64];

		snprintf(pragma, sizeof pragma, "PRAGMA cache_size = %lld",
		    cache);
		sql_exec(st, pragma, NULL);
	}
	item_map_free(&map);
	batches_free(&b);
	free(batch);
	project_free(&p);
	if (ret != 0)
		ratings_free(out);
	return ret;
}

int
ratings_item_index(const struct ratings *r, long long id)
{
	/* A map without the direct table: a binary search over the ids. */
	struct item_map m = { r->item_ids, r->nitems, 0, NULL };

	return item_index(&m, id);
}

void
ratings_free(struct ratings *r)
{
	int i;

	/* One buffer holds every path (read_items), or each is its own. */
	if (r->path_buf != NULL)
		free(r->path_buf);
	else if (r->paths != NULL)
		for (i = 0; i < r->nitems; i++)
			free(r->paths[i]);
	for (i = 0; i < r->nlabelers; i++)
		free(r->labelers[i]);
	for (i = 0; i < r->nclasses; i++)
		free(r->classes[i]);
	for (i = 0; i < r->nslices; i++)
		free(r->slices[i]);
	free(r->cells);
	free(r->guideline);
	free(r->day);
	free(r->hist);
	free(r->reference);
	free(r->gold);
	free(r->item_ids);
	free(r->paths);
	free(r->slice);
	free(r->labelers);
	free(r->classes);
	free(r->slices);
	free(r->versions);
	memset(r, 0, sizeof *r);
}

