/*
 * ratings.c: the ratings matrix of a store (see include/accord/ratings.h).
 *
 * Speed matters here: a project of 200,000 items and 5 labelers has about
 * a million label rows, and `accord agree` should answer in well under a
 * second.  So every table is read in one ordered pass and rows are placed
 * by walking sorted arrays, never by a query per item.
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
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
#include "ratings_read.h"

/*
 * Item ids to matrix rows.  Ids are usually dense (1..n, the rowids import
 * hands out), so a direct table over [first id, last id] answers with one
 * load; a million label rows arrive in time order, not item order, and a
 * binary search per row cost a tenth of `accord agree`.  Sparse ids (span
 * over four times the count) fall back to binary search.
 */
struct item_map {
	const long long *ids;
	int n;
	long long base;
	int *direct; /* NULL: binary search */
};

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

/* The row of item id, or -1. */
static int
item_index(const struct item_map *m, long long id)
{
	int lo = 0, hi = m->n - 1;

	if (m->direct != NULL)
		return id < m->base || id > m->ids[m->n - 1] ? -1 :
		    m->direct[id - m->base];
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (m->ids[mid] == id)
			return mid;
		if (m->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
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

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Text slices: the distinct values sorted, each item's slice found by
 * bsearch; items with no value (NULL) go to RATINGS_NO_SLICE, last.
 */
static void
slice_text(struct ratings *r, char **val)
{
	char **names = xcalloc((size_t)r->nitems + 1, sizeof *names);
	int i, n = 0, none = 0, d = 0;

	for (i = 0; i < r->nitems; i++)
		if (val[i] != NULL)
			names[n++] = val[i];
		else
			none = 1;
	qsort(names, (size_t)n, sizeof *names, cmp_str);
	for (i = 0; i < n; i++)
		if (d == 0 || strcmp(names[d - 1], names[i]) != 0)
			names[d++] = names[i];
	r->nslices = d + none;
	r->slices = xcalloc((size_t)r->nslices + 1, sizeof *r->slices);
	for (i = 0; i < d; i++)
		r->slices[i] = xstrdup(names[i]);
	if (none)
		r->slices[d] = xstrdup(RATINGS_NO_SLICE);
	for (i = 0; i < r->nitems; i++) {
		char **hit;

		if (val[i] == NULL) {
			r->slice[i] = d;
			continue;
		}
		hit = bsearch(&val[i], names, (size_t)d, sizeof *names,
		    cmp_str);
		r->slice[i] = (int)(hit - names);
	}
	free(names);
}

/*
 * Numeric slices.  Few distinct values (a flag like `clipped`) are a slice
 * each; otherwise quartile bins with cut points at the values of rank
 * floor(j n / 4), j = 1..3, of the sorted values (type 1-like empirical
 * quantiles), so each bin holds a quarter of the items unless values tie.
 * Empty bins (ties across a cut) are dropped.
 */
static void
slice_numeric(struct ratings *r, const char *key, const double *val,
    const int *has)
{
	double *v = xcalloc((size_t)r->nitems + 1, sizeof *v), cut[3];
	int i, j, n = 0, d = 0, none = 0, nbins, used[4] = { 0 }, map[4];
	double dist[4];
	int few;

	for (i = 0; i < r->nitems; i++)
		if (has[i])
			v[n++] = val[i];
		else
			none = 1;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	for (i = 0; i < n && d <= 4; i++)
		if (d == 0 || v[i] != dist[d - 1]) {
			if (d < 4)
				dist[d] = v[i];
			d++;
		}
	few = d <= 4;
	nbins = few ? d : 4;
	for (j = 0; j < 3; j++)
		cut[j] = n ? v[(size_t)(j + 1) * (size_t)n / 4] : 0;
	for (i = 0; i < r->nitems; i++) {
		int b = 0;

		if (!has[i])
			continue;
		if (few)
			while (dist[b] != val[i])
				b++;
		else
			for (j = 0; j < 3; j++)
				if (val[i] >= cut[j])
					b = j + 1;
		r->slice[i] = b;
		used[b] = 1;
	}
	r->nslices = 0;
	r->slices = xcalloc((size_t)nbins + 2, sizeof *r->slices);
	for (j = 0; j < nbins; j++) {
		double lo, hi;

		map[j] = -1;
		if (!used[j])
			continue;
		map[j] = r->nslices;
		if (few) {
			r->slices[r->nslices++] = xasprintf("%s = %.10g", key,
			    dist[j]);
			continue;
		}
		lo = j == 0 ? v[0] : cut[j - 1];
		hi = j == 3 ? v[n - 1] : cut[j];
		r->slices[r->nslices++] = xasprintf("%s Q%d [%.4g, %.4g%c", key,
		    j + 1, lo, hi, j == 3 ? ']' : ')');
	}
	if (none)
		r->slices[r->nslices++] = xstrdup(RATINGS_NO_SLICE);
	for (i = 0; i < r->nitems; i++)
		r->slice[i] = has[i] ? map[r->slice[i]] : r->nslices - 1;
	free(v);
}

static int
read_slices(struct store *st, const char *by, const struct item_map *map,
    struct ratings *r, char **batch, char **cause)
{
	sqlite3_stmt *s;
	char **txt;
	double *num;
	int *has, rc, i, nrows = 0, allnum = 1, ret = 0;

	r->slice = xcalloc((size_t)r->nitems + 1, sizeof *r->slice);
	if (by == NULL) {
		r->nslices = 1;
		r->slices = xcalloc(1, sizeof *r->slices);
		r->slices[0] = xstrdup("");
		return 0;
	}
	if (strcmp(by, "batch") == 0) {
		slice_text(r, batch);
		return 0;
	}
	/*
	 * The current_meta view in rowid order: the last row of an item is
	 * its newest, the value in force.  "+key" keeps SQLite from using the
	 * (key, value) index and then sorting: a plain table scan is ten
	 * times faster on 200,000 items (0.04 s against 0.5 s).
	 */
	if (sql_prepare(st, "SELECT item, value FROM item_meta WHERE +key = "
	    "?1 ORDER BY id", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, by);
	txt = xcalloc((size_t)r->nitems + 1, sizeof *txt);
	num = xcalloc((size_t)r->nitems + 1, sizeof *num);
	has = xcalloc((size_t)r->nitems + 1, sizeof *has);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int t = sqlite3_column_type(s, 1);

		i = item_index(map, sqlite3_column_int64(s, 0));
		if (i < 0)
			continue;
		free(txt[i]);
		txt[i] = NULL;
		/* has: 0 no value (NULL clears an older one), 1 text, 2 number. */
		has[i] = t == SQLITE_NULL ? 0 : t == SQLITE_INTEGER ||
		    t == SQLITE_FLOAT ? 2 : 1;
		if (has[i]) {
			num[i] = sqlite3_column_double(s, 1);
			txt[i] = xstrdup(sql_text(s, 1));
		}
		/*
		 * Metadata CSV cells are stored as text: one that is a whole
		 * number ("12", "0.5", "-3e2") counts as one, as in `accord
		 * drift`, so a numeric CSV column is cut into quartiles too.
		 */
		if (has[i] == 1 && t == SQLITE_TEXT &&
		    acc_parse_double(txt[i], &num[i]) == 0 && isfinite(num[i]))
			has[i] = 2;
	}
	for (i = 0; i < r->nitems; i++) {
		if (has[i])
			nrows++;
		if (has[i] == 1)
			allnum = 0;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		ret = sql_fail(st, cause, "cannot read metadata");
	else if (nrows == 0)
		ret = acc_error(cause, "no item has metadata key '%s'", by);
	else if (allnum)
		slice_numeric(r, by, num, has);
	else
		slice_text(r, txt);
	for (i = 0; i < r->nitems; i++)
		free(txt[i]);
	free(txt);
	free(num);
	free(has);
	return ret;
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
	    read_slices(st, opts->by, &map, out, batch, cause) != 0)
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

/*
 * Copy the cells of one slice (or, with keep, of the items keep marks) and
 * version into the view's own arrays.
 */
static void
view_copy(const struct ratings *r, const unsigned char *keep, int slice,
    int version, int n, struct ratings_view *v)
{
	int i, j, L = r->nlabelers;

	v->cells_ = xcalloc((size_t)n * L + 1, sizeof *v->cells_);
	v->reference_ = xcalloc((size_t)n + 1, sizeof *v->reference_);
	v->gold_ = xcalloc((size_t)n + 1, sizeof *v->gold_);
	n = 0;
	for (i = 0; i < r->nitems; i++) {
		if (keep != NULL ? !keep[i] : slice >= 0 && r->slice[i] != slice)
			continue;
		v->items[n] = i;
		for (j = 0; j < L; j++) {
			size_t from = (size_t)i * L + j;

			v->cells_[(size_t)n * L + j] = version == 0 ||
			    r->guideline[from] == version ? r->cells[from] : -1;
		}
		v->reference_[n] = r->reference[i];
		v->gold_[n] = r->gold[i];
		n++;
	}
	/* Labels that count for this version only (struct ratings_hist). */
	if (version != 0 && r->nhist > 0) {
		int *row = xmalloc(((size_t)r->nitems + 1) * sizeof *row);

		for (i = 0; i < r->nitems; i++)
			row[i] = -1;
		for (i = 0; i < n; i++)
			row[v->items[i]] = i;
		for (i = 0; i < r->nhist; i++) {
			const struct ratings_hist *h = &r->hist[i];

			if (h->guideline != version || row[h->item] < 0 ||
			    r->guideline[(size_t)h->item * L + h->lab] ==
			    version)
				continue;
			v->cells_[(size_t)row[h->item] * L + h->lab] = h->cls;
		}
		free(row);
	}
	v->in.cells = v->cells_;
	v->in.reference = v->reference_;
	v->in.gold = v->gold_;
}

static void
view_shape(const struct ratings *r, int n, struct ratings_view *v)
{
	v->in.nitems = n;
	v->in.nlabelers = r->nlabelers;
	v->in.nclasses = r->nclasses;
	v->in.ordinal = r->ordinal;
	v->in.borderline = r->borderline;
}

void
ratings_view(const struct ratings *r, int slice, int version,
    struct ratings_view *v)
{
	int i, n = 0;

	memset(v, 0, sizeof *v);
	for (i = 0; i < r->nitems; i++)
		if (slice < 0 || r->slice[i] == slice)
			n++;
	v->items = xcalloc((size_t)n + 1, sizeof *v->items);
	/*
	 * The whole matrix is r's own arrays: borrowing them saves copying
	 * a cell per item and labeler (4 MB on the benchmark's 200,000 x 5).
	 */
	if (slice < 0 && version == 0) {
		for (i = 0; i < n; i++)
			v->items[i] = i;
		v->in.cells = r->cells;
		v->in.reference = r->reference;
		v->in.gold = r->gold;
	} else
		view_copy(r, NULL, slice, version, n, v);
	view_shape(r, n, v);
}

void
ratings_view_mask(const struct ratings *r, const unsigned char *keep,
    int version, struct ratings_view *v)
{
	int i, n = 0;

	memset(v, 0, sizeof *v);
	for (i = 0; i < r->nitems; i++)
		if (keep[i])
			n++;
	v->items = xcalloc((size_t)n + 1, sizeof *v->items);
	view_copy(r, keep, -1, version, n, v);
	view_shape(r, n, v);
}

void
ratings_view_free(struct ratings_view *v)
{
	free(v->items);
	free(v->cells_);
	free(v->reference_);
	free(v->gold_);
	memset(v, 0, sizeof *v);
}

static int
cmp_disagreed(const void *a, const void *b)
{
	const struct ratings_disagreed *x = a, *y = b;

	if (x->entropy != y->entropy)
		return x->entropy > y->entropy ? -1 : 1;
	if (x->nlabels != y->nlabels)
		return x->nlabels > y->nlabels ? -1 : 1;
	return (x->item > y->item) - (x->item < y->item);
}

/*
 * The max smallest by cmp_disagreed, kept sorted while the items stream
 * by: sorting all 200,000 split items of a large project to keep ten cost
 * more than computing every statistic.  cmp_disagreed is a total order
 * (item ids differ), so the result is exactly the head of a full sort.
 */
int
ratings_most_disagreed(const struct ratings *r, const struct ratings_view *v,
    int max, struct ratings_disagreed *out)
{
	int *count = xcalloc((size_t)r->nclasses + 1, sizeof *count);
	int i, j, c, n = 0, L = v->in.nlabelers;

	for (i = 0; i < v->in.nitems && max > 0; i++) {
		struct ratings_disagreed d;
		int m = 0;
		double h = 0;

		memset(count, 0, (size_t)r->nclasses * sizeof *count);
		for (j = 0; j < L; j++) {
			int cell = v->in.cells[(size_t)i * L + j];

			if (cell >= 0) {
				count[cell]++;
				m++;
			}
		}
		for (c = 0; c < r->nclasses; c++)
			if (count[c] > 0 && count[c] < m) {
				double p = (double)count[c] / m;

				h -= p * log2(p);
			}
		if (h <= 0)
			continue;
		d.item = v->items[i];
		d.nlabels = m;
		d.entropy = h;
		if (n == max && cmp_disagreed(&d, &out[n - 1]) >= 0)
			continue;
		if (n < max)
			n++;
		for (j = n - 1; j > 0 && cmp_disagreed(&d, &out[j - 1]) < 0; j--)
			out[j] = out[j - 1];
		out[j] = d;
	}
	free(count);
	return n;
}

/* Times */

/*
 * Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar:
 * H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
 * days_from_civil (eras of 400 years, March-based years).
 */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(long long y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : mdays[m - 1];
}

/* n digits at *p as a number, advancing *p; -1 when they are not there. */
static int
digits(const char **p, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

int
ratings_parse_day(const char *s, int *day)
{
	const char *p = s;
	long long secs = 0, d;
	int y, mo, dd, h = 0, mi = 0, se = 0, off = 0;

	if (s == NULL || (y = digits(&p, 4)) < 0 || *p++ != '-' ||
	    (mo = digits(&p, 2)) < 1 || mo > 12 || *p++ != '-' ||
	    (dd = digits(&p, 2)) < 1 || dd > days_in_month(y, mo))
		return -1;
	if (*p == 'T' || *p == ' ') {
		p++;
		if ((h = digits(&p, 2)) < 0 || h > 23 || *p++ != ':' ||
		    (mi = digits(&p, 2)) < 0 || mi > 59)
			return -1;
		if (*p == ':') {
			p++;
			if ((se = digits(&p, 2)) < 0 || se > 60)
				return -1;
			if (*p == '.' || *p == ',') {
				if (!isdigit((unsigned char)*++p))
					return -1;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (*p == 'Z')
			p++;
		else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om = 0;

			if ((oh = digits(&p, 2)) < 0 || oh > 23)
				return -1;
			if (*p == ':')
				p++;
			if (isdigit((unsigned char)*p) &&
			    ((om = digits(&p, 2)) < 0 || om > 59))
				return -1;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p != '\0')
		return -1;
	secs = days_from_civil(y, mo, dd) * 86400 + h * 3600 + mi * 60 + se -
	    off;
	d = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	*day = (int)d;
	return 0;
}

/* The inverse of days_from_civil: Hinnant's civil_from_days. */
void
ratings_day_iso(int day, char out[16])
{
	long long z = (long long)day + 719468, era, doe, yoe, y, doy, mp, d, m;
	char big[80];

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	/* Wide enough for any int day: nothing is cut. */
	snprintf(big, sizeof big, "%04lld-%02lld-%02lld", y, m, d);
	big[15] = '\0';
	memcpy(out, big, 16);
}

/* The Monday starting the week of day (1970-01-01 was a Thursday). */
static int
week_start(int day)
{
	return day - (int)((((long long)day + 3) % 7 + 7) % 7);
}

int
ratings_trend(const struct ratings *r, int version, struct ratings_trend *out,
    char **cause)
{
	struct agree_opts o;
	int *newest, *count, *start, *order;
	unsigned char *keep;
	int i, j, b, lo = INT_MAX, hi = INT_MIN, first, L = r->nlabelers;
	int ret = 0;

	memset(out, 0, sizeof *out);
	if (r->day == NULL)
		return acc_error(cause, "the ratings were read without days "
		    "(ratings_opts.days)");
	newest = xcalloc((size_t)r->nitems + 1, sizeof *newest);
	for (i = 0; i < r->nitems; i++) {
		int labeled = 0, undated = 0;

		newest[i] = RATINGS_NO_DAY;
		for (j = 0; j < L; j++) {
			size_t k = (size_t)i * L + j;

			if (r->cells[k] < 0 || (version != 0 &&
			    r->guideline[k] != version))
				continue;
			labeled = 1;
			if (r->day[k] == RATINGS_NO_DAY)
				undated = 1;
			else if (r->day[k] > newest[i])
				newest[i] = r->day[k];
		}
		/* Without every label's day, which is newest is unknown. */
		if (labeled && undated) {
			out->nundated++;
			newest[i] = RATINGS_NO_DAY;
		} else if (labeled) {
			lo = newest[i] < lo ? newest[i] : lo;
			hi = newest[i] > hi ? newest[i] : hi;
		}
	}
	if (lo > hi) {
		free(newest);
		return 0;
	}
	out->unit = (long long)hi - lo + 1 <= RATINGS_TREND_DAYS ? 1 : 7;
	first = out->unit == 1 ? lo : week_start(lo);
	out->nbuckets = ((out->unit == 1 ? hi : week_start(hi)) - first) /
	    out->unit + 1;
	out->buckets = xcalloc((size_t)out->nbuckets, sizeof *out->buckets);

	/* Items by bucket (a counting sort keeps them ascending in each). */
	count = xcalloc((size_t)out->nbuckets + 1, sizeof *count);
	start = xcalloc((size_t)out->nbuckets + 1, sizeof *start);
	order = xcalloc((size_t)r->nitems + 1, sizeof *order);
	for (i = 0; i < r->nitems; i++)
		if (newest[i] != RATINGS_NO_DAY) {
			newest[i] = ((out->unit == 1 ? newest[i] :
			    week_start(newest[i])) - first) / out->unit;
			count[newest[i]]++;
		}
	for (b = 1; b <= out->nbuckets; b++)
		start[b] = start[b - 1] + count[b - 1];
	for (i = 0; i < r->nitems; i++)
		if (newest[i] != RATINGS_NO_DAY)
			order[start[newest[i]]++] = i;

	agree_opts_init(&o);
	o.bootstrap = 0;
	o.threads = 1;
	keep = xcalloc((size_t)r->nitems + 1, 1);
	for (b = 0, i = 0; b < out->nbuckets && ret == 0; b++) {
		struct ratings_bucket *bk = &out->buckets[b];
		struct ratings_view v;
		struct agree_result a;

		bk->day = first + b * out->unit;
		bk->nitems = count[b];
		if (count[b] == 0) {
			bk->percent.why = bk->fleiss.why = AGREE_WHY_NO_LABELS;
			continue;
		}
		memset(keep, 0, (size_t)r->nitems);
		for (j = i; j < i + count[b]; j++)
			keep[order[j]] = 1;
		i += count[b];
		ratings_view_mask(r, keep, version, &v);
		if (agree_compute(&v.in, &o, &a, cause) != 0)
			ret = -1;
		else {
			bk->npairable = a.npairable;
			bk->percent = a.percent;
			bk->fleiss = a.fleiss;
			agree_result_free(&a);
		}
		ratings_view_free(&v);
	}
	free(count);
	free(start);
	free(order);
	free(keep);
	free(newest);
	if (ret != 0)
		ratings_trend_free(out);
	return ret;
}

void
ratings_trend_free(struct ratings_trend *t)
{
	free(t->buckets);
	memset(t, 0, sizeof *t);
}
