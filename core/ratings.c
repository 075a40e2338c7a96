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

