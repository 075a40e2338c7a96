/*
 * agree_detail.c: the agreement statistics per labeler pair (Cohen's
 * kappa), per class (specific agreement, HLP, the confusion and its
 * disagreements) and per labeler (agreement with the others, gold
 * accuracy, HLP).
 */
#include <stdlib.h>
#include <string.h>

#include "accord/util.h"
#include "agree_int.h"

static int
cmp_disagreement(const void *x, const void *y)
{
	const struct agree_disagreement *a = x, *b = y;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->c != b->c)
		return a->c - b->c;
	return a->k - b->k;
}

/*
 * Cohen (1960) for every pair on the items both labeled: kappa = (p_o -
 * p_c) / (1 - p_c), p_c = sum_j p_j. p_.j from the pair's marginals.
 * p_c = 1 (both used one and the same class only) leaves it undefined.
 */
void
agree_stats_pairs(const struct agree_input *in, const struct agree_sums *s,
    struct agree_result *r)
{
	int L = in->nlabelers, k = in->nclasses, a, b, c, ndef = 0;
	double sum = 0;
	size_t pi;

	r->npairs = L > 1 ? L * (L - 1) / 2 : 0;
	r->pairs =
	    xcalloc((size_t)(r->npairs > 0 ? r->npairs : 1), sizeof *r->pairs);
	for (a = 0; a < L; a++) {
		for (b = a + 1; b < L; b++) {
			struct agree_pair *p;
			long long n, e = 0;

			pi = pair_index(a, b, L);
			p = &r->pairs[pi];
			p->a = a;
			p->b = b;
			n = p->nshared = s->pn[pi];
			if (n == 0) {
				set_undefined(&p->kappa, AGREE_WHY_NO_SHARED);
				continue;
			}
			for (c = 0; c < k; c++)
				e += (long long)s->pma[pi * k + c] *
				    s->pmb[pi * k + c];
			p->observed = (double)s->pagree[pi] / n;
			p->expected = (double)e / ((double)n * n);
			if (e == n * n) {
				set_undefined(&p->kappa, AGREE_WHY_ONE_CLASS);
				continue;
			}
			set_value(&p->kappa,
			    (p->observed - p->expected) / (1 - p->expected));
			sum += p->kappa.value;
			ndef++;
		}
	}
	/* Light (1971): the mean of the pairwise kappas. */
	if (ndef > 0)
		set_value(&r->cohen_mean, sum / ndef);
	else
		set_undefined(&r->cohen_mean,
		    agree_why_base(r) != NULL ? agree_why_base(r)
					      : AGREE_WHY_ONE_CLASS);
}

void
agree_stats_classes(const struct agree_input *in, const struct agree_sums *s,
    struct agree_result *r)
{
	int k = in->nclasses, c, d, n = 0;
	long long row, total = 0;
	const char *base = agree_why_base(r);

	r->confusion = xcalloc((size_t)k * k, sizeof *r->confusion);
	memcpy(r->confusion, s->conf, (size_t)k * k * sizeof *r->confusion);
	r->classes = xcalloc((size_t)k, sizeof *r->classes);
	for (c = 0; c < k; c++) {
		struct agree_class *cl = &r->classes[c];

		cl->nlabels = s->used_c[c];
		cl->borderline = c == in->borderline;
		/*
		 * Specific agreement: agreeing pairs over pairs involving
		 * the class, sum_i n_ic (n_ic - 1) / sum_i n_ic (n_i - 1);
		 * for two labelers 2a / (2a + b + c) (Cicchetti and
		 * Feinstein 1990; Uebersax's generalisation to many).
		 */
		row = 0;
		for (d = 0; d < k; d++)
			row += s->conf[(size_t)c * k + d];
		if (base != NULL)
			set_undefined(&cl->specific, base);
		else if (row == 0)
			set_undefined(&cl->specific, AGREE_WHY_CLASS_UNUSED);
		else
			set_value(&cl->specific,
			    (double)s->conf[(size_t)c * k + c] / (double)row);
		cl->hlp_weight = s->cls_weight[c];
		if (s->cls_weight[c] > 0)
			set_value(
			    &cl->hlp, s->cls_credit[c] / s->cls_weight[c]);
		else
			set_undefined(&cl->hlp, AGREE_WHY_NO_REFERENCE);
		for (d = c + 1; d < k; d++)
			if (s->conf[(size_t)c * k + d] > 0) {
				n++;
				total += s->conf[(size_t)c * k + d];
			}
	}
	r->ndisagreements = n;
	r->disagreements =
	    xcalloc((size_t)(n > 0 ? n : 1), sizeof *r->disagreements);
	n = 0;
	for (c = 0; c < k; c++)
		for (d = c + 1; d < k; d++) {
			long long v = s->conf[(size_t)c * k + d];

			if (v == 0)
				continue;
			r->disagreements[n].c = c;
			r->disagreements[n].k = d;
			r->disagreements[n].count = v;
			r->disagreements[n].share = (double)v / (double)total;
			n++;
		}
	qsort(r->disagreements, (size_t)n, sizeof *r->disagreements,
	    cmp_disagreement);
}

/* Why HLP is undefined when nothing was scored. */
static const char *
why_hlp(
    const struct agree_sums *s, const struct agree_result *r, long long nlab)
{
	if (nlab == 0)
		return AGREE_WHY_NO_LABELS;
	if (!s->any_ref && r->nactive < 2)
		return AGREE_WHY_ONE_LABELER;
	return AGREE_WHY_NO_REFERENCE;
}

/*
 * Labeler j against the others: of all pairs (j, another) on the same
 * item, the share that agree, and the mean of j's defined Cohen kappas.
 */
static void
labeler_vs_others(const struct agree_sums *s, const struct agree_result *r,
    int j, struct agree_labeler *l)
{
	int L = s->L, o, ndef = 0;
	long long agree = 0, pairs = 0;
	double ksum = 0;
	const char *why;

	for (o = 0; o < L; o++) {
		const struct agree_pair *p;
		size_t pi;

		if (o == j)
			continue;
		pi = o < j ? pair_index(o, j, L) : pair_index(j, o, L);
		p = &r->pairs[pi];
		agree += s->pagree[pi];
		pairs += p->nshared;
		if (p->kappa.defined) {
			ksum += p->kappa.value;
			ndef++;
		}
	}
	if (l->nlabels == 0 || pairs == 0) {
		why = l->nlabels == 0 ? AGREE_WHY_NO_LABELS
		    : r->nactive < 2  ? AGREE_WHY_ONE_LABELER
				      : AGREE_WHY_NO_SHARED;
		set_undefined(&l->agree_others, why);
		set_undefined(&l->kappa_mean, why);
		return;
	}
	set_value(&l->agree_others, (double)agree / pairs);
	if (ndef > 0)
		set_value(&l->kappa_mean, ksum / ndef);
	else
		set_undefined(&l->kappa_mean, AGREE_WHY_ONE_CLASS);
}

void
agree_stats_labelers(const struct agree_input *in, const struct agree_sums *s,
    struct agree_result *r)
{
	int L = in->nlabelers, j;

	r->labelers = xcalloc((size_t)(L > 0 ? L : 1), sizeof *r->labelers);
	for (j = 0; j < L; j++) {
		struct agree_labeler *l = &r->labelers[j];

		l->nlabels = s->lab_n[j];
		l->nshared = s->lab_shared[j];
		labeler_vs_others(s, r, j, l);
		l->ngold = s->lab_gold[j];
		if (l->ngold > 0)
			set_value(&l->gold_accuracy,
			    (double)s->lab_gold_ok[j] / l->ngold);
		else
			set_undefined(&l->gold_accuracy,
			    l->nlabels == 0 ? AGREE_WHY_NO_LABELS
					    : AGREE_WHY_NO_GOLD);
		l->nscored = s->lab_scored[j];
		if (l->nscored > 0)
			set_value(&l->hlp, s->lab_credit[j] / l->nscored);
		else
			set_undefined(&l->hlp, why_hlp(s, r, l->nlabels));
		ci_undefined(&l->hlp_ci,
		    l->hlp.defined ? AGREE_WHY_NO_BOOTSTRAP : l->hlp.why);
	}
	r->team_scored = s->team_scored;
	/* Each scored item once, whoever and however many labeled it. */
	if (s->team_items > 0)
		set_value(&r->team_hlp, s->team_credit / s->team_items);
	else
		set_undefined(&r->team_hlp, why_hlp(s, r, r->nlabels));
	ci_undefined(&r->team_hlp_ci,
	    r->team_hlp.defined ? AGREE_WHY_NO_BOOTSTRAP : r->team_hlp.why);
}
