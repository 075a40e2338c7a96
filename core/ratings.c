/*
 * ratings.c: the ratings matrix of a store (see include/accord/ratings.h).
 *
 * Speed matters here: a project of 200,000 items and 5 labelers has about
 * a million label rows, and `accord agree` should answer in well under a
 * second.  So every table is read in one ordered pass and rows are placed
 * by walking sorted arrays, never by a query per item.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/project.h"
#include "accord/ratings.h"
#include "internal.h"

/* The index of item id in the ascending ids[0..n-1], or -1. */
static int
item_index(const long long *ids, int n, long long id)
{
	int lo = 0, hi = n - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (ids[mid] == id)
			return mid;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
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

static int
read_items(struct store *st, struct ratings *r, char ***batch, char **cause)
{
	sqlite3_stmt *s;
	int rc, cap = 0;

	if (sql_prepare(st, "SELECT i.id, i.path, b.name FROM items i JOIN "
	    "batches b ON b.id = i.batch ORDER BY i.id", &s, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (r->nitems == cap) {
			cap = cap ? cap * 2 : 256;
			r->item_ids = xreallocarray(r->item_ids, (size_t)cap,
			    sizeof *r->item_ids);
			r->paths = xreallocarray(r->paths, (size_t)cap,
			    sizeof *r->paths);
			*batch = xreallocarray(*batch, (size_t)cap,
			    sizeof **batch);
		}
		r->item_ids[r->nitems] = sqlite3_column_int64(s, 0);
		r->paths[r->nitems] = xstrdup(sql_text(s, 1));
		(*batch)[r->nitems] = xstrdup(sql_text(s, 2));
		r->nitems++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read items");
	return 0;
}

static int
read_labelers(struct store *st, struct ratings *r, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	/* BINARY collation: the same order as strcmp, for the bsearch below. */
	if (sql_prepare(st, "SELECT DISTINCT labeler FROM labels ORDER BY "
	    "labeler", &s, cause) != 0)
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
 */
static int
read_labels(struct store *st, const struct project *p, struct ratings *r,
    char **cause)
{
	sqlite3_stmt *s;
	size_t n = (size_t)r->nitems * (size_t)r->nlabelers, k;
	long long last_item = -1;
	int rc, it = -1, lab = -1;
	char *last_name = NULL;

	r->cells = xmalloc((n ? n : 1) * sizeof *r->cells);
	r->guideline = xcalloc(n ? n : 1, sizeof *r->guideline);
	r->day = xmalloc((n ? n : 1) * sizeof *r->day);
	for (k = 0; k < n; k++) {
		r->cells[k] = -1;
		r->day[k] = RATINGS_NO_DAY;
	}
	if (sql_prepare(st, "SELECT item, labeler, class, guideline, "
	    "created_at FROM labels ORDER BY id", &s, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long item = sqlite3_column_int64(s, 0);
		const char *name = sql_text(s, 1);
		size_t cell;

		/* Labels of one item usually come together: search rarely. */
		if (item != last_item) {
			it = item_index(r->item_ids, r->nitems, item);
			last_item = item;
		}
		if (it < 0)
			continue; /* cannot happen with foreign keys on */
		if (last_name == NULL || strcmp(last_name, name) != 0) {
			free(last_name);
			last_name = xstrdup(name);
			lab = labeler_index(r, name);
		}
		if (lab < 0)
			continue;
		cell = (size_t)it * (size_t)r->nlabelers + (size_t)lab;
		r->day[cell] = RATINGS_NO_DAY;
		if (sqlite3_column_type(s, 2) == SQLITE_NULL) {
			r->cells[cell] = -1;
			r->guideline[cell] = 0;
		} else {
			r->cells[cell] = class_index(p,
			    sqlite3_column_int64(s, 2));
			r->guideline[cell] = r->cells[cell] < 0 ? 0 :
			    sqlite3_column_int(s, 3);
			if (r->cells[cell] >= 0 &&
			    ratings_parse_day(sql_text(s, 4), &r->day[cell]) != 0)
				r->day[cell] = RATINGS_NO_DAY;
		}
	}
	free(last_name);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read labels");
	return 0;
}

/*
 * Per item, the newest row of a table ordered by (item, id) decides:
 * `sql` returns item, class, and 1 when the row counts as a class.
 */
static int
read_per_item(struct store *st, const struct project *p,
    const struct ratings *r, const char *sql, int *dst, const char *what,
    char **cause)
{
	sqlite3_stmt *s;
	int rc, i;

	for (i = 0; i < r->nitems; i++)
		dst[i] = -1;
	if (sql_prepare(st, sql, &s, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		i = item_index(r->item_ids, r->nitems,
		    sqlite3_column_int64(s, 0));
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
				r->day[to] = r->day[from];
				k++;
			}
		}
		for (j = 0, i = 0; j < r->nlabelers; j++)
			if (keep[j])
				r->labelers[i++] = r->labelers[j];
			else
				free(r->labelers[j]);
		r->nlabelers = nl;
	}
	free(keep);
}

static void
collect_versions(struct ratings *r)
{
	size_t k, n = (size_t)r->nitems * r->nlabelers;
	int i, j;

	for (k = 0; k < n; k++) {
		int v = r->guideline[k];

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
read_slices(struct store *st, const char *by, struct ratings *r,
    char **batch, char **cause)
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

		i = item_index(r->item_ids, r->nitems,
		    sqlite3_column_int64(s, 0));
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
	char **batch = NULL;
	int c, i, nbatch, ret = -1;

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
	if (store_begin(st, 0, cause) != 0)
		goto done;
	if (read_items(st, out, &batch, cause) != 0 ||
	    read_labelers(st, out, cause) != 0 ||
	    read_labels(st, &p, out, cause) != 0)
		goto rollback;
	out->reference = xcalloc((size_t)out->nitems + 1,
	    sizeof *out->reference);
	out->gold = xcalloc((size_t)out->nitems + 1, sizeof *out->gold);
	if (read_per_item(st, &p, out, "SELECT item, class, status = 'class' "
	    "FROM adjudications ORDER BY item, id", out->reference,
	    "cannot read adjudications", cause) != 0 ||
	    read_per_item(st, &p, out, "SELECT item, class, 1 FROM gold "
	    "ORDER BY item, id", out->gold, "cannot read gold", cause) != 0 ||
	    read_slices(st, opts->by, out, batch, cause) != 0)
		goto rollback;
	store_commit(st, NULL);
	compact_labelers(out);
	collect_versions(out);
	ret = 0;
	goto done;
rollback:
	store_rollback(st);
done:
	nbatch = out->nitems;
	for (i = 0; i < nbatch; i++)
		free(batch[i]);
	free(batch);
	project_free(&p);
	if (ret != 0)
		ratings_free(out);
	return ret;
}

int
ratings_item_index(const struct ratings *r, long long id)
{
	return item_index(r->item_ids, r->nitems, id);
}

void
ratings_free(struct ratings *r)
{
	int i;

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
 * The view of the v->in.nitems items (ratings indexes, ascending) in
 * v->items, which the view already owns, and the labels made under
 * version (0: every version).
 */
static void
view_fill(const struct ratings *r, int version, struct ratings_view *v)
{
	int i, j, n = v->in.nitems, L = r->nlabelers;

	v->cells_ = xcalloc((size_t)n * L + 1, sizeof *v->cells_);
	v->reference_ = xcalloc((size_t)n + 1, sizeof *v->reference_);
	v->gold_ = xcalloc((size_t)n + 1, sizeof *v->gold_);
	for (n = 0; n < v->in.nitems; n++) {
		i = v->items[n];
		for (j = 0; j < L; j++) {
			size_t from = (size_t)i * L + j;

			v->cells_[(size_t)n * L + j] = version == 0 ||
			    r->guideline[from] == version ? r->cells[from] : -1;
		}
		v->reference_[n] = r->reference[i];
		v->gold_[n] = r->gold[i];
	}
	v->in.nlabelers = L;
	v->in.nclasses = r->nclasses;
	v->in.cells = v->cells_;
	v->in.ordinal = r->ordinal;
	v->in.borderline = r->borderline;
	v->in.reference = v->reference_;
	v->in.gold = v->gold_;
}

void
ratings_view(const struct ratings *r, int slice, int version,
    struct ratings_view *v)
{
	int i, n = 0;

	memset(v, 0, sizeof *v);
	v->items = xcalloc((size_t)r->nitems + 1, sizeof *v->items);
	for (i = 0; i < r->nitems; i++)
		if (slice < 0 || r->slice[i] == slice)
			v->items[n++] = i;
	v->in.nitems = n;
	view_fill(r, version, v);
}

void
ratings_view_mask(const struct ratings *r, const unsigned char *keep,
    int version, struct ratings_view *v)
{
	int i, n = 0;

	memset(v, 0, sizeof *v);
	v->items = xcalloc((size_t)r->nitems + 1, sizeof *v->items);
	for (i = 0; i < r->nitems; i++)
		if (keep[i])
			v->items[n++] = i;
	v->in.nitems = n;
	view_fill(r, version, v);
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

int
ratings_most_disagreed(const struct ratings *r, const struct ratings_view *v,
    int max, struct ratings_disagreed *out)
{
	struct ratings_disagreed *all;
	int *count = xcalloc((size_t)r->nclasses + 1, sizeof *count);
	int i, j, c, n = 0, L = v->in.nlabelers;

	all = xcalloc((size_t)v->in.nitems + 1, sizeof *all);
	for (i = 0; i < v->in.nitems; i++) {
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
		if (h > 0) {
			all[n].item = v->items[i];
			all[n].nlabels = m;
			all[n].entropy = h;
			n++;
		}
	}
	qsort(all, (size_t)n, sizeof *all, cmp_disagreed);
	if (n > max)
		n = max;
	memcpy(out, all, (size_t)n * sizeof *out);
	free(all);
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
	int i, j, b, lo = INT_MAX, hi = INT_MIN, first, L = r->nlabelers;
	int ret = 0;

	memset(out, 0, sizeof *out);
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
		memset(&v, 0, sizeof v);
		v.items = xcalloc((size_t)count[b], sizeof *v.items);
		memcpy(v.items, &order[i], (size_t)count[b] * sizeof *v.items);
		i += count[b];
		v.in.nitems = count[b];
		view_fill(r, version, &v);
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
