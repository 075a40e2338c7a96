/*
 * agree.c: agreement statistics and HLP on a ratings matrix: checks the
 * input, then runs the steps that compute the result.
 *
 * One pass over the items builds everything the statistics need
 * (agree_scan.c); the statistics are then closed formulas on those sums:
 * the chance-corrected coefficients (agree_coef.c), the tables per pair,
 * class and labeler (agree_detail.c), and the HLP bootstrap intervals
 * (agree_boot.c).
 *
 * docs/statistics.md states every definition; the comments cite sources.
 */
#include <stdlib.h>
#include <string.h>

#include "accord/agree.h"
#include "accord/util.h"
#include "agree_int.h"

void
agree_opts_init(struct agree_opts *opts)
{
	opts->bootstrap = 1000;
	opts->seed = 1;
	opts->confidence = 0.95;
	opts->threads = 0;
}

/* Item i's labels by item: in order, labelers ascending, classes known. */
static int
check_item(const struct agree_input *in, int i, char **cause)
{
	int x, from = in->start[i], to = in->start[i + 1];

	if (to < from)
		return acc_error(cause, "item %d: labels end (%d) before they "
		    "start (%d)", i, to, from);
	for (x = from; x < to; x++) {
		if (in->lab[x] < 0 || in->lab[x] >= in->nlabelers ||
		    (x > from && in->lab[x] <= in->lab[x - 1]))
			return acc_error(cause, "item %d: labeler %d out of "
			    "range or out of order", i, in->lab[x]);
		if (in->cls[x] < 0 || in->cls[x] >= in->nclasses)
			return acc_error(cause, "item %d, labeler %d: class %d "
			    "out of range", i, in->lab[x], in->cls[x]);
	}
	return 0;
}

void
agree_by_item(const struct agree_input *in, struct agree_input *by,
    struct agree_csr *own)
{
	size_t n = 0, k, total = (size_t)in->nitems * (size_t)in->nlabelers;
	int i, j, L = in->nlabelers;

	*by = *in;
	memset(own, 0, sizeof *own);
	if (in->cells == NULL && in->start != NULL)
		return;
	/* Neither form (no labelers): no labels, by item. */
	for (k = 0; in->cells != NULL && k < total; k++)
		n += in->cells[k] >= 0 && in->cells[k] < in->nclasses;
	own->start = xcalloc((size_t)in->nitems + 1, sizeof *own->start);
	own->lab = xcalloc(n + 1, sizeof *own->lab);
	own->cls = xcalloc(n + 1, sizeof *own->cls);
	n = 0;
	for (i = 0; i < in->nitems; i++) {
		const int *row = in->cells != NULL ? in->cells + (size_t)i *
		    (size_t)L : NULL;

		for (j = 0; in->cells != NULL && j < L; j++)
			if (row[j] >= 0 && row[j] < in->nclasses) {
				own->lab[n] = j;
				own->cls[n++] = row[j];
			}
		own->start[i + 1] = (int)n;
	}
	by->cells = NULL;
	by->start = own->start;
	by->lab = own->lab;
	by->cls = own->cls;
}

void
agree_csr_free(struct agree_csr *own)
{
	free(own->start);
	free(own->lab);
	free(own->cls);
	memset(own, 0, sizeof *own);
}

static int
check_input(
    const struct agree_input *in, const struct agree_opts *o, char **cause)
{
	int k = in->nclasses, i, j, by_item;
	size_t n, at;

	if (in->nitems < 0 || in->nlabelers < 0)
		return acc_error(cause, "negative matrix size");
	if (k < 1)
		return acc_error(cause, "no classes");
	if (in->nlabelers > AGREE_MAX_LABELERS)
		return acc_error(cause, "too many labelers (%d, at most %d)",
		    in->nlabelers, AGREE_MAX_LABELERS);
	if (k > AGREE_MAX_CLASSES)
		return acc_error(cause, "too many classes (%d, at most %d)", k,
		    AGREE_MAX_CLASSES);
	n = (size_t)in->nlabelers * (size_t)(in->nlabelers - 1) / 2;
	if (in->nlabelers > 1 && n > AGREE_MAX_PAIR_CELLS / (2 * (size_t)k))
		return acc_error(cause,
		    "too many labelers for pairwise "
		    "statistics (%d labelers, %d classes)",
		    in->nlabelers, k);
	by_item = in->cells == NULL && in->start != NULL;
	if (in->cells == NULL && in->nitems > 0 && in->nlabelers > 0 &&
	    (in->start == NULL || (in->start[in->nitems] > 0 &&
	    (in->lab == NULL || in->cls == NULL))))
		return acc_error(cause, "no ratings matrix");
	if (by_item && in->start[0] != 0)
		return acc_error(cause, "item 0: labels start at %d, not 0",
		    in->start[0]);
	for (i = 0; i < in->nitems; i++) {
		for (j = 0; in->cells != NULL && j < in->nlabelers; j++) {
			at = (size_t)i * (size_t)in->nlabelers + (size_t)j;
			if (in->cells[at] < -1 || in->cells[at] >= k)
				return acc_error(cause,
				    "item %d, labeler %d: "
				    "class %d out of range",
				    i, j, in->cells[at]);
		}
		if (by_item && check_item(in, i, cause) != 0)
			return -1;
		if (in->reference != NULL &&
		    (in->reference[i] < -1 || in->reference[i] >= k))
			return acc_error(cause,
			    "item %d: reference class %d "
			    "out of range",
			    i, in->reference[i]);
		if (in->gold != NULL && (in->gold[i] < -1 || in->gold[i] >= k))
			return acc_error(cause,
			    "item %d: gold class %d out of "
			    "range",
			    i, in->gold[i]);
	}
	if (in->borderline < -1 || in->borderline >= k)
		return acc_error(
		    cause, "borderline class %d out of range", in->borderline);
	if (in->ordinal && in->borderline >= 0 &&
	    (in->borderline == 0 || in->borderline == k - 1))
		return acc_error(cause,
		    "the borderline class is at an end of "
		    "the ordinal scale, not inside it");
	if (o->bootstrap < 0)
		return acc_error(cause, "negative bootstrap count");
	if (!(o->confidence > 0 && o->confidence < 1))
		return acc_error(cause, "confidence must lie between 0 and 1");
	if (o->threads < 0)
		return acc_error(cause, "negative thread count");
	return 0;
}

int
agree_compute(const struct agree_input *in, const struct agree_opts *opts,
    struct agree_result *out, char **cause)
{
	struct agree_opts defaults;
	struct agree_sums s;
	struct agree_scan_patterns sp;
	struct agree_input by;
	struct agree_csr own;
	int j;

	memset(out, 0, sizeof *out);
	if (opts == NULL) {
		agree_opts_init(&defaults);
		opts = &defaults;
	}
	if (check_input(in, opts, cause) != 0)
		return -1;
	agree_by_item(in, &by, &own);
	in = &by;
	out->nitems = in->nitems;
	out->nlabelers = in->nlabelers;
	out->nclasses = in->nclasses;

	agree_sums_init(&s, in->nclasses, in->nlabelers);
	memset(&sp, 0, sizeof sp);
	agree_scan(in, &s, out, &sp);
	out->hlp_items = (int)sp.npat;
	for (j = 0; j < in->nlabelers; j++)
		out->nactive += s.lab_n[j] > 0;

	agree_stats_global(in, &s, out);
	agree_stats_pairs(in, &s, out);
	agree_stats_classes(in, &s, out);
	agree_stats_labelers(in, &s, out);
	agree_bootstrap(in, opts, &s, &sp.pt, sp.count, sp.npat, out);
	agree_coef_bootstrap(in, opts, &sp, out);

	agree_scan_patterns_free(&sp);
	agree_sums_free(&s);
	agree_csr_free(&own);
	return 0;
}

void
agree_result_free(struct agree_result *r)
{
	free(r->pairs);
	free(r->confusion);
	free(r->classes);
	free(r->disagreements);
	free(r->labelers);
	memset(r, 0, sizeof *r);
}
