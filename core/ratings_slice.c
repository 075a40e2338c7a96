/*
 * ratings_slice.c: cut the items of a ratings matrix into slices by import
 * batch or by a metadata key (text values, or numeric quartile bins).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/ratings.h"
#include "internal.h"
#include "ratings_int.h"

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

int
ratings_slices_read(struct store *st, const char *by,
    const struct item_map *map, struct ratings *r, char **batch,
    char **cause)
{
	struct sql_stmt *s;
	char **txt, *q;
	double *num;
	int *has, rc, i, nrows = 0, allnum = 1, ret = 0, r_prep;

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
	q = xasprintf("SELECT m.item, %s FROM item_meta m WHERE %skey = ?1 "
	    "ORDER BY id", sql_meta_value(st), st->kind == STORE_PG ? "" :
	    "+");
	r_prep = sql_prepare(st, q, &s, cause);
	free(q);
	if (r_prep != 0)
		return -1;
	sql_stream(s);
	sql_bind_text(s, 1, by);
	txt = xcalloc((size_t)r->nitems + 1, sizeof *txt);
	num = xcalloc((size_t)r->nitems + 1, sizeof *num);
	has = xcalloc((size_t)r->nitems + 1, sizeof *has);
	while ((rc = sql_step(s)) == SQL_ROW) {
		int t = meta_type(s, 1);

		i = item_index(map, sql_col_int64(s, 0));
		if (i < 0)
			continue;
		free(txt[i]);
		txt[i] = NULL;
		/* has: 0 no value (NULL clears an older one), 1 text, 2 number. */
		has[i] = t == SQL_COL_NULL ? 0 : t == SQL_COL_INT ||
		    t == SQL_COL_REAL ? 2 : 1;
		if (has[i]) {
			num[i] = sql_col_double(s, 3);
			txt[i] = xstrdup(sql_text(s, 1));
		}
		/*
		 * Metadata CSV cells are stored as text: one that is a whole
		 * number ("12", "0.5", "-3e2") counts as one, as in `accord
		 * drift`, so a numeric CSV column is cut into quartiles too.
		 */
		if (has[i] == 1 && t == SQL_COL_TEXT &&
		    acc_parse_double(txt[i], &num[i]) == 0 && isfinite(num[i]))
			has[i] = 2;
	}
	for (i = 0; i < r->nitems; i++) {
		if (has[i])
			nrows++;
		if (has[i] == 1)
			allnum = 0;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
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
