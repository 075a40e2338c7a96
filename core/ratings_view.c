/*
 * ratings_view.c: sub-matrices of a ratings matrix (one slice, one
 * guideline version, any set of items) and the most disagreed items of one.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accord/ratings.h"
#include "accord/util.h"

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
