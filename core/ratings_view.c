/*
 * ratings_view.c: sub-matrices of a ratings matrix (one slice, one
 * guideline version, any set of items) and the most disagreed items of one.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accord/ratings.h"
#include "accord/util.h"

/* One entry of a view's item while it is made: labeler and class. */
struct pair {
	int lab, cls;
};

/*
 * Item i's labels under version (0: every one) onto the view's arrays at
 * *n: the labels in force made under it, and for version != 0 the labels
 * that count for it only (struct ratings_hist, h[0..nh), this item's, in
 * id order), each where the labeler's label in force is of another
 * version or withdrawn, the newest winning.  tmp: room for the item's
 * labels and nh more.
 */
static void
view_item(const struct ratings *r, int i, int version,
    const struct ratings_hist *h, int nh, struct pair *tmp,
    struct ratings_view *v, int *n)
{
	int x, m = 0, k, y;

	for (x = r->start[i]; x < r->start[i + 1]; x++)
		if (version == 0 || r->guideline[x] == version)
			tmp[m++] = (struct pair){ r->lab[x], r->cls[x] };
	for (k = 0; k < nh; k++) {
		if (h[k].guideline != version || ((x = ratings_entry(r, i,
		    h[k].lab)) >= 0 && r->guideline[x] == version))
			continue;
		for (y = 0; y < m && tmp[y].lab != h[k].lab; y++)
			;
		if (y == m) {	/* a new labeler: keep them ascending */
			for (y = m++; y > 0 && tmp[y - 1].lab > h[k].lab; y--)
				tmp[y] = tmp[y - 1];
			tmp[y].lab = h[k].lab;
		}
		tmp[y].cls = h[k].cls;
	}
	for (y = 0; y < m; y++) {
		v->lab_[*n] = tmp[y].lab;
		v->cls_[(*n)++] = tmp[y].cls;
	}
}

/*
 * The items a view takes: those of one slice (slice < 0: every item),
 * those keep marks, or the n items of list, ascending.
 */
struct view_sel {
	const unsigned char *keep;
	const int *list;
	int n, slice;
};

/* How many items the selection walks: the list's, else every item. */
static int
sel_walk(const struct ratings *r, const struct view_sel *sel)
{
	return sel->list != NULL ? sel->n : r->nitems;
}

/* The k-th item walked, or -1 when the selection leaves it out. */
static int
sel_item(const struct ratings *r, const struct view_sel *sel, int k)
{
	if (sel->list != NULL)
		return sel->list[k];
	if (sel->keep != NULL)
		return sel->keep[k] ? k : -1;
	return sel->slice < 0 || r->slice[k] == sel->slice ? k : -1;
}

/*
 * The first of r->hist (in item order) at or after from whose item is i
 * or later.  Walking every item, the next ones are this item's; a list
 * may skip most items, so it searches.
 */
static int
hist_first(const struct ratings *r, int from, int i, int search)
{
	int lo = from, hi = r->nhist;

	if (!search) {
		while (lo < r->nhist && r->hist[lo].item < i)
			lo++;
		return lo;
	}
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (r->hist[mid].item < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Copy the labels of the items sel takes (n of them) under version into
 * the view's own arrays.
 */
static void
view_copy(const struct ratings *r, const struct view_sel *sel, int version,
    int n, struct ratings_view *v)
{
	size_t room = 0;
	struct pair *tmp;
	int k, i, hi = 0, nh, most = 0, at = 0, walk = sel_walk(r, sel);

	for (k = 0; k < walk; k++)
		if ((i = sel_item(r, sel, k)) >= 0) {
			int m = r->start[i + 1] - r->start[i];

			room += (size_t)m;
			most = m > most ? m : most;
		}
	if (version != 0)
		room += (size_t)r->nhist;
	tmp = xcalloc((size_t)most + (version != 0 ? (size_t)r->nhist : 0) +
	    1, sizeof *tmp);
	v->start_ = xcalloc((size_t)n + 1, sizeof *v->start_);
	v->lab_ = xcalloc(room + 1, sizeof *v->lab_);
	v->cls_ = xcalloc(room + 1, sizeof *v->cls_);
	v->reference_ = xcalloc((size_t)n + 1, sizeof *v->reference_);
	v->gold_ = xcalloc((size_t)n + 1, sizeof *v->gold_);
	n = 0;
	for (k = 0; k < walk; k++) {
		if ((i = sel_item(r, sel, k)) < 0)
			continue;
		nh = 0;
		/* r->hist is in item order, as the items walked are. */
		if (version != 0 && r->nhist > 0) {
			hi = hist_first(r, hi, i, sel->list != NULL);
			while (hi + nh < r->nhist && r->hist[hi + nh].item == i)
				nh++;
		}
		v->items[n] = i;
		view_item(r, i, version, nh ? r->hist + hi : NULL, nh, tmp, v,
		    &at);
		v->start_[n + 1] = at;
		v->reference_[n] = r->reference[i];
		v->gold_[n] = r->gold[i];
		n++;
	}
	free(tmp);
	v->in.start = v->start_;
	v->in.lab = v->lab_;
	v->in.cls = v->cls_;
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

/*
 * Whether the view of every item under version is r's labels as they
 * are: each label in force was made under it and no label counts for it
 * only (struct ratings_hist).  A store with one guideline version is
 * the usual case, and its view of that version is then r's own arrays,
 * not a copy of 2.7M labels at 1,000,000 items (view_copy and its page
 * faults were an eighth of the stats report's profile, with the trend's
 * views).  One pass over the versions costs little beside that copy.
 */
static int
view_whole(const struct ratings *r, int version)
{
	int x;

	if (version == 0)
		return 1;
	for (x = 0; x < r->nlabels; x++)
		if (r->guideline[x] != version)
			return 0;
	for (x = 0; x < r->nhist; x++)
		if (r->hist[x].guideline == version)
			return 0;
	return 1;
}

/* Make v from the n items sel takes, borrowing r's arrays when it can. */
static void
view_make(const struct ratings *r, const struct view_sel *sel, int version,
    int n, struct ratings_view *v)
{
	int i;

	v->items = xcalloc((size_t)n + 1, sizeof *v->items);
	/*
	 * The whole matrix is r's own arrays: borrowing them saves copying
	 * every label (12 MB on 1,000,000 items x 3 labels).
	 */
	if (n == r->nitems && view_whole(r, version)) {
		for (i = 0; i < n; i++)
			v->items[i] = i;
		ratings_input(r, &v->in);
	} else
		view_copy(r, sel, version, n, v);
	view_shape(r, n, v);
}

void
ratings_view(const struct ratings *r, int slice, int version,
    struct ratings_view *v)
{
	struct view_sel sel = { NULL, NULL, 0, slice };
	int i, n = 0;

	memset(v, 0, sizeof *v);
	for (i = 0; i < r->nitems; i++)
		if (slice < 0 || r->slice[i] == slice)
			n++;
	view_make(r, &sel, version, n, v);
}

void
ratings_view_mask(const struct ratings *r, const unsigned char *keep,
    int version, struct ratings_view *v)
{
	struct view_sel sel = { keep, NULL, 0, -1 };
	int i, n = 0;

	memset(v, 0, sizeof *v);
	for (i = 0; i < r->nitems; i++)
		if (keep[i])
			n++;
	view_make(r, &sel, version, n, v);
}

void
ratings_view_items(const struct ratings *r, const int *items, int n,
    int version, struct ratings_view *v)
{
	struct view_sel sel = { NULL, items, n, -1 };

	memset(v, 0, sizeof *v);
	view_make(r, &sel, version, n, v);
}

void
ratings_view_free(struct ratings_view *v)
{
	free(v->items);
	free(v->start_);
	free(v->lab_);
	free(v->cls_);
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
	int i, j, c, x, n = 0;

	for (i = 0; i < v->in.nitems && max > 0; i++) {
		struct ratings_disagreed d;
		int m = 0;
		double h = 0;

		memset(count, 0, (size_t)r->nclasses * sizeof *count);
		for (x = v->in.start[i]; x < v->in.start[i + 1]; x++) {
			count[v->in.cls[x]]++;
			m++;
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
