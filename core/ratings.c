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

#include "accord/project.h"
#include "accord/ratings.h"
#include "internal.h"
#include "ratings_int.h"
#include "ratings_read.h"

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
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT id, name FROM batches ORDER BY id", &s,
	    cause) != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		b->ids = xreallocarray(b->ids, (size_t)b->n + 1, sizeof *b->ids);
		b->names = xreallocarray(b->names, (size_t)b->n + 1,
		    sizeof *b->names);
		b->ids[b->n] = sql_col_int64(s, 0);
		b->names[b->n++] = xstrdup(sql_text(s, 1));
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
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

/* The name of batch bid, from *last on (items of one batch are imported
 * together, so the search is rare); NULL if there is no such batch. */
static char *
batch_name(const struct batches *b, long long bid, int *last)
{
	if (*last >= b->n || b->ids[*last] != bid)
		for (*last = 0; *last < b->n && b->ids[*last] != bid; (*last)++)
			;
	return *last < b->n ? b->names[*last] : NULL;
}

/*
 * The items' growing arrays while they are read: ids, batch names and
 * (with paths) each path's offset into one buffer.
 */
struct items_acc {
	struct ratings *r;
	char ***batch;
	struct buf all;
	size_t *off;
	int cap, with_paths, sorted;
};

/* Room for n items (n > cap). */
static void
items_grow(struct items_acc *a, int n)
{
	a->cap = n;
	a->r->item_ids = xreallocarray(a->r->item_ids, (size_t)n,
	    sizeof *a->r->item_ids);
	*a->batch = xreallocarray(*a->batch, (size_t)n, sizeof **a->batch);
	if (a->with_paths)
		a->off = xreallocarray(a->off, (size_t)n, sizeof *a->off);
}

/* Add the row of s (id, batch, path); 0, or -1 with *cause. */
static int
items_add(struct items_acc *a, struct sql_stmt *s, const struct batches *b,
    int *last, char **cause)
{
	struct ratings *r = a->r;
	long long bid = sql_col_int64(s, 1);
	char *name;

	if (r->nitems == a->cap)
		items_grow(a, a->cap ? a->cap * 2 : 256);
	r->item_ids[r->nitems] = sql_col_int64(s, 0);
	if (r->nitems > 0 &&
	    r->item_ids[r->nitems] < r->item_ids[r->nitems - 1])
		a->sorted = 0;
	if (a->with_paths) {
		a->off[r->nitems] = a->all.len;
		buf_add(&a->all, sql_text(s, 2),
		    (size_t)sql_col_bytes(s, 2) + 1);
	}
	if ((name = batch_name(b, bid, last)) == NULL)
		return acc_error(cause, "item %lld names batch %lld, which "
		    "does not exist", r->item_ids[r->nitems], bid);
	(*a->batch)[r->nitems++] = name;
	return 0;
}

/* Put the items (read from the batch index) in id order. */
static void
items_sort(struct ratings *r, char **batch)
{
	struct item_row *row = xcalloc((size_t)r->nitems + 1, sizeof *row);
	int i;

	for (i = 0; i < r->nitems; i++)
		row[i] = (struct item_row){ r->item_ids[i], batch[i] };
	qsort(row, (size_t)r->nitems, sizeof *row, cmp_item_row);
	for (i = 0; i < r->nitems; i++) {
		r->item_ids[i] = row[i].id;
		batch[i] = row[i].batch;
	}
	free(row);
}

/*
 * Items are never deleted and each gets max(id) + 1, so the ids are
 * normally every number from the smallest to the largest.  When the
 * count says so, they need no reading (a sixth of `accord agree`'s time
 * on 200,000 items): 1 with r->item_ids filled, else 0.
 */
static int
items_dense(struct ratings *r, long long count, long long lo, long long hi)
{
	int i;

	if (count <= 0 || count >= INT_MAX || hi - lo + 1 != count)
		return 0;
	r->item_ids = xreallocarray(NULL, (size_t)count, sizeof *r->item_ids);
	for (i = 0; i < (int)count; i++)
		r->item_ids[i] = lo + i;
	r->nitems = (int)count;
	return 1;
}

static int
read_items(struct store *st, struct ratings *r, const struct batches *b,
    enum items_read what, char ***batch, char **cause)
{
	struct items_acc a = { .r = r, .batch = batch,
	    .with_paths = what == ITEMS_PATHS, .sorted = 1 };
	struct sql_stmt *s;
	long long count = 0, lo = 0, hi = 0;
	int i, rc, last = 0;

	/*
	 * Arrays of the right size from the start (the count reads the
	 * small batch index): growing them copied and faulted in twice.
	 */
	if (sql_int(st, "SELECT count(*) FROM items", NULL, &count,
	    cause) < 0 || sql_int(st, "SELECT min(id) FROM items", NULL, &lo,
	    cause) < 0 || sql_int(st, "SELECT max(id) FROM items", NULL, &hi,
	    cause) < 0)
		return -1;
	if (what == ITEMS_IDS && items_dense(r, count, lo, hi))
		return 0;
	if (count > 0 && count < INT_MAX)
		items_grow(&a, (int)count);
	/* INDEXED BY is SQLite's: PostgreSQL's planner picks its own scan. */
	if (sql_prepare(st, a.with_paths ? "SELECT id, batch, path FROM items "
	    "ORDER BY id" : st->kind == STORE_PG ? "SELECT id, batch FROM "
	    "items ORDER BY id" : "SELECT id, batch FROM items INDEXED BY "
	    "items_batch", &s, cause) != 0) {
		free(a.off);
		return -1;
	}
	sql_stream(s);
	while ((rc = sql_step(s)) == SQL_ROW)
		if (items_add(&a, s, b, &last, cause) != 0)
			break;
	if (rc != SQL_ROW && rc != SQL_DONE)
		sql_fail(st, cause, "cannot read items");
	sql_finalize(st, s);
	if (rc != SQL_DONE) {
		r->nitems = 0;
		buf_free(&a.all);
		free(a.off);
		return -1;
	}
	if (!a.sorted)	/* only without paths: the table is in id order */
		items_sort(r, *batch);
	if (a.with_paths) {
		r->path_buf = a.all.s;
		r->paths = xcalloc((size_t)r->nitems + 1, sizeof *r->paths);
		for (i = 0; i < r->nitems; i++)
			r->paths[i] = a.all.s + a.off[i];
	}
	free(a.off);
	return 0;
}

int
ratings_load_paths(struct store *st, struct ratings *r, const int *idx,
    int n, char **cause)
{
	struct sql_stmt *s;
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
		sql_reset(s);
		sql_bind_int(s, 1, r->item_ids[i]);
		rc = sql_step(s);
		if (rc != SQL_ROW) {
			sql_finalize(st, s);
			if (rc == SQL_DONE)
				return acc_error(cause, "item %lld is not in "
				    "the store", r->item_ids[i]);
			return sql_fail(st, cause, "cannot read item paths");
		}
		r->paths[i] = xstrdup(sql_text(s, 0));
	}
	sql_finalize(st, s);
	return 0;
}

static int
read_labelers(struct store *st, struct ratings *r, char **cause)
{
	struct sql_stmt *s;
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
	while ((rc = sql_step(s)) == SQL_ROW) {
		r->labelers = xreallocarray(r->labelers,
		    (size_t)r->nlabelers + 1, sizeof *r->labelers);
		r->labelers[r->nlabelers++] = xstrdup(sql_text(s, 0));
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read labelers");
	return 0;
}

/* Drop labelers without a label in force (all withdrawn). */
static void
compact_labelers(struct ratings *r)
{
	int i, j, nl = 0, *keep = xcalloc((size_t)r->nlabelers + 1,
	    sizeof *keep);

	for (i = 0; i < r->nlabels; i++)
		keep[r->lab[i]] = 1;
	for (i = 0; i < r->nhist; i++)
		keep[r->hist[i].lab] = 1;
	for (j = 0; j < r->nlabelers; j++)
		if (keep[j])
			nl++;
	if (nl < r->nlabelers) {
		/* Renumbering keeps the order: each item's stay ascending. */
		for (j = 0, i = 0; j < r->nlabelers; j++)
			if (keep[j]) {
				keep[j] = i;	/* now the new index */
				r->labelers[i++] = r->labelers[j];
			} else
				free(r->labelers[j]);
		for (i = 0; i < r->nlabels; i++)
			r->lab[i] = keep[r->lab[i]];
		for (i = 0; i < r->nhist; i++)
			r->hist[i].lab = keep[r->hist[i].lab];
		r->nlabelers = nl;
	}
	free(keep);
}

static void
collect_versions(struct ratings *r)
{
	size_t k, n = (size_t)r->nlabels;
	int i, j, last = 0;

	for (k = 0; k < n + (size_t)r->nhist; k++) {
		int v = k < n ? r->guideline[k] : r->hist[k - n].guideline;

		/* Runs of one version are the rule: skip the search. */
		if (v <= 0 || v == last)
			continue;
		last = v;
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

/* The project's classes into out (names, ordinal, borderline). */
static void
copy_classes(const struct project *p, struct ratings *out)
{
	int c;

	out->nclasses = p->nclasses;
	out->ordinal = p->ordinal;
	out->borderline = -1;
	out->classes = xcalloc((size_t)p->nclasses + 1, sizeof *out->classes);
	for (c = 0; c < p->nclasses; c++) {
		out->classes[c] = xstrdup(p->classes[c].name);
		if (p->classes[c].borderline)
			out->borderline = c;
	}
}

/* What one read of the matrix holds while it runs. */
struct build {
	struct store *st;
	const struct ratings_opts *opts;
	struct project p;
	struct batches b;
	struct item_map map;
	char **batch;
	enum items_read what;
};

/*
 * The labels by item, with the items they need, inside the read
 * transaction.  Without days: one packed row per item (schema 4, see
 * read_by_item).  With days: the label rows themselves, which carry the
 * time, while a second thread may read them too (read_labels_start).
 */
static int
read_labels_in_force(struct build *bd, struct ratings *out, char **cause)
{
	const struct ratings_opts *o = bd->opts;
	struct label_part lp;

	if (read_labelers(bd->st, out, cause) != 0)
		return -1;
	if (!o->days) {
		if (read_batches(bd->st, &bd->b, cause) != 0 ||
		    read_items(bd->st, out, &bd->b, bd->what, &bd->batch,
		    cause) != 0)
			return -1;
		item_map_init(&bd->map, out->item_ids, out->nitems);
		return read_by_item(bd->st, &bd->p, &bd->map, out, o->threads,
		    cause);
	}
	if (read_labels_start(bd->st, &bd->p, out, o->days, o->threads, &lp,
	    cause) != 0)
		return -1;
	if (read_batches(bd->st, &bd->b, cause) != 0 ||
	    read_items(bd->st, out, &bd->b, bd->what, &bd->batch,
	    cause) != 0) {
		read_labels_finish(bd->st, NULL, out, &lp, NULL);
		return -1;
	}
	item_map_init(&bd->map, out->item_ids, out->nitems);
	out->label_to = lp.to;
	lp.stop = o->stop;
	lp.stop_arg = o->stop_arg;
	return read_labels_finish(bd->st, &bd->map, out, &lp, cause);
}

/* Adjudications, gold and slices: what each item has besides labels. */
static int
read_item_facts(struct build *bd, struct ratings *out, char **cause)
{
	out->reference = xcalloc((size_t)out->nitems + 1,
	    sizeof *out->reference);
	out->gold = xcalloc((size_t)out->nitems + 1, sizeof *out->gold);
	return read_per_item(bd->st, &bd->p, &bd->map, out, "SELECT item, "
	    "class, status = 'class' FROM adjudications ORDER BY item, id",
	    out->reference, "cannot read adjudications", cause) != 0 ||
	    read_per_item(bd->st, &bd->p, &bd->map, out, "SELECT item, "
	    "class, 1 FROM gold ORDER BY item, id", out->gold,
	    "cannot read gold", cause) != 0 ||
	    ratings_slices_read(bd->st, bd->opts->by, &bd->map, out,
	    bd->batch, cause) != 0 ? -1 : 0;
}

int
ratings_build(struct store *st, const struct ratings_opts *opts,
    struct ratings *out, char **cause)
{
	struct build bd = { .st = st, .opts = opts };
	long long cache = LLONG_MIN;
	int ret = -1, own;

	bd.what = opts->paths ? ITEMS_PATHS : opts->by != NULL &&
	    strcmp(opts->by, "batch") == 0 ? ITEMS_BATCH : ITEMS_IDS;
	memset(out, 0, sizeof *out);
	out->label_to = opts->label_to;	/* the readers' cap, then the id */
	/* Before the read transaction: a refusal writes an audit row. */
	if (project_require(st, opts->user, ROLE_SME, "reading agreement",
	    cause) != 0)
		return -1;
	if (project_load(st, &bd.p, cause) != 0)
		return -1;
	copy_classes(&bd.p, out);
	/*
	 * Every query here reads its pages once, in order: a small page
	 * cache (RATINGS_CACHE_PAGES) spares the faults and cache misses of
	 * filling SQLite's default 2 MiB with pages never read again.  The
	 * connection's own size is put back at the end.
	 */
	if (st->kind == STORE_SQLITE) {
		if (sql_int(st, "PRAGMA cache_size", NULL, &cache, cause) < 0)
			goto done;
		sql_exec(st, "PRAGMA cache_size = " RATINGS_CACHE_PAGES, NULL);
	}
	/*
	 * One read transaction, or the caller's when one is open: export
	 * reads the matrix and the rest of its snapshot in one.
	 */
	own = !st->in_tx;
	if (own && store_begin(st, 0, cause) != 0)
		goto done;
	if (read_labels_in_force(&bd, out, cause) != 0 ||
	    read_item_facts(&bd, out, cause) != 0) {
		store_rollback(st);
		goto done;
	}
	if (own)
		store_commit(st, NULL);
	compact_labelers(out);
	collect_versions(out);
	ret = 0;
done:
	if (cache != LLONG_MIN) {
		char pragma[64];

		snprintf(pragma, sizeof pragma, "PRAGMA cache_size = %lld",
		    cache);
		sql_exec(st, pragma, NULL);
	}
	item_map_free(&bd.map);
	batches_free(&bd.b);
	free(bd.batch);
	project_free(&bd.p);
	if (ret != 0)
		ratings_free(out);
	return ret;
}

/*
 * Whether b, read later with a's label_to, holds a's labels in force: the
 * same labelers, and on a's items (b may have more, imported since, with
 * no label of a's snapshot) the same labels and labels kept for an older
 * version.
 */
static int
same_labels(const struct ratings *a, const struct ratings *b)
{
	int i;

	if (b->nitems < a->nitems || b->nlabels != a->nlabels ||
	    b->nlabelers != a->nlabelers || b->nhist != a->nhist ||
	    (a->nitems > 0 && (memcmp(a->item_ids, b->item_ids,
	    (size_t)a->nitems * sizeof *a->item_ids) != 0 ||
	    memcmp(a->start, b->start, ((size_t)a->nitems + 1) *
	    sizeof *a->start) != 0)))
		return 0;
	for (i = 0; i < a->nlabelers; i++)
		if (strcmp(a->labelers[i], b->labelers[i]) != 0)
			return 0;
	return a->nlabels == 0 || (memcmp(a->lab, b->lab, (size_t)a->nlabels *
	    sizeof *a->lab) == 0 && memcmp(a->cls, b->cls, (size_t)a->nlabels *
	    sizeof *a->cls) == 0 && memcmp(a->guideline, b->guideline,
	    (size_t)a->nlabels * sizeof *a->guideline) == 0 &&
	    (a->nhist == 0 || memcmp(a->hist, b->hist, (size_t)a->nhist *
	    sizeof *a->hist) == 0));
}

int
ratings_read_days(struct store *st, const struct ratings_opts *o,
    const struct ratings *r, int **day, char **cause)
{
	struct ratings_opts ro = { 0 };
	struct ratings b;

	*day = NULL;
	if (r->nlabels == 0) {
		*day = xcalloc(1, sizeof **day);
		return 0;
	}
	ro.user = o->user;
	ro.threads = o->threads;
	ro.stop = o->stop;
	ro.stop_arg = o->stop_arg;
	ro.days = 1;
	ro.label_to = r->label_to;
	if (ratings_build(st, &ro, &b, cause) != 0)
		return -1;
	if (!same_labels(r, &b)) {
		ratings_free(&b);
		return acc_error(cause, "the labels of the matrix changed "
		    "while their days were read");
	}
	*day = b.day;
	b.day = NULL;
	ratings_free(&b);
	return 0;
}

int
ratings_entry(const struct ratings *r, int item, int lab)
{
	int lo, hi;

	if (item < 0 || item >= r->nitems)
		return -1;
	lo = r->start[item];
	hi = r->start[item + 1] - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (r->lab[mid] == lab)
			return mid;
		if (r->lab[mid] < lab)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

void
ratings_input(const struct ratings *r, struct agree_input *in)
{
	memset(in, 0, sizeof *in);
	in->nitems = r->nitems;
	in->nlabelers = r->nlabelers;
	in->nclasses = r->nclasses;
	in->start = r->start;
	in->lab = r->lab;
	in->cls = r->cls;
	in->ordinal = r->ordinal;
	in->borderline = r->borderline;
	in->reference = r->reference;
	in->gold = r->gold;
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
	free(r->start);
	free(r->lab);
	free(r->cls);
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

