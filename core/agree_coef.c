/*
 * agree_coef.c: the chance-corrected coefficients over all items: percent
 * agreement, Fleiss' and Conger's kappa, Gwet's AC1 and Krippendorff's
 * alpha (nominal, ordinal, interval).
 */
#include "agree_int.h"

/* Why the multi-labeler statistics are undefined, or NULL. */
const char *
agree_why_base(const struct agree_result *r)
{
	if (r->nlabels == 0)
		return AGREE_WHY_NO_LABELS;
	if (r->nactive < 2)
		return AGREE_WHY_ONE_LABELER;
	if (r->npairable == 0)
		return AGREE_WHY_NO_PAIRS;
	return NULL;
}

/*
 * Krippendorff (2011), sec. D ("any metric"): alpha = 1 - D_o / D_e =
 * 1 - (n - 1) sum_{c<k} o_ck delta2_ck / sum_{c<k} n_c n_k delta2_ck,
 * where o is the coincidence matrix, n_c its marginals (pairable values of
 * class c) and n their total.  metric: 0 nominal, 1 ordinal, 2 interval.
 */
static double
kalpha(const struct agree_sums *s, int metric)
{
	int k = s->k, c, d, g;
	long long n = 0, run;
	double num = 0, den = 0, d2, mid;

	for (c = 0; c < k; c++)
		n += s->npair_c[c];
	for (c = 0; c < k; c++) {
		if (s->npair_c[c] == 0)
			continue;
		run = s->npair_c[c];
		for (d = c + 1; d < k; d++) {
			run += s->npair_c[d];
			if (s->npair_c[d] == 0)
				continue;
			if (metric == 0)
				d2 = 1; /* nominal: 1 when c != k */
			else if (metric == 1) {
				/*
				 * Ordinal: (sum_{g=c}^{k} n_g - (n_c + n_k) /
				 * 2)^2, run being sum_{g=c}^{d} n_g.
				 */
				mid = (double)run -
				    (double)(s->npair_c[c] + s->npair_c[d]) / 2;
				d2 = mid * mid;
			} else {
				/* Interval: (c - k)^2 on positions 0..k-1. */
				g = d - c;
				d2 = (double)g * g;
			}
			num += s->coinc[(size_t)c * k + d] * d2;
			den +=
			    (double)s->npair_c[c] * (double)s->npair_c[d] * d2;
		}
	}
	return 1 - (double)(n - 1) * num / den;
}

/* The three alphas undefined for why (ordinal and interval: nominal). */
static void
alpha_undefined(
    const struct agree_input *in, struct agree_result *r, const char *why)
{
	set_undefined(&r->alpha_nominal, why);
	set_undefined(&r->alpha_ordinal, in->ordinal ? why : AGREE_WHY_NOMINAL);
	set_undefined(
	    &r->alpha_interval, in->ordinal ? why : AGREE_WHY_NOMINAL);
}

/*
 * The chance agreement of Fleiss' kappa and of Gwet's AC1, both from
 * p_j, the mean over labeled items of the item's share of class j.
 *
 * Fleiss (1971): kappa = (P-bar - P-bar_e) / (1 - P-bar_e), P-bar_e =
 * sum_j p_j^2.  With a varying number of labels per item this p_j (Gwet
 * 2014; irrCAC fleiss.kappa.raw) is Fleiss' p_j when every item has n
 * labels.  P-bar_e = 1 only if one class is ever used.
 *
 * Gwet (2008) AC1 for multiple raters (ac1 = 1): gamma = (p_a - p_e) /
 * (1 - p_e), p_e = sum_q pi_q (1 - pi_q) / (Q - 1), pi_q being p_q and Q
 * the number of classes on the scale (used or not); Q >= 2 here.
 */
static double
share_expected(
    const struct agree_sums *s, const struct agree_result *r, int ac1)
{
	double pe = 0;
	int c;

	for (c = 0; c < s->k; c++) {
		double p = s->pi_sum[c] / r->nlabeled;

		pe += ac1 ? p * (1 - p) : p * p;
	}
	return ac1 ? pe / (s->k - 1) : pe;
}

/*
 * Conger (1980): chance agreement is the mean over labeler pairs (g, h) of
 * sum_k p_gk p_hk, p_gk being labeler g's share of class k over all the
 * items g labeled (Gwet 2014, irrCAC conger.kappa.raw, for missing
 * labels).  With complete data this is Davies and Fleiss (1982), NLTK's
 * multi_kappa.  Labelers without labels take no part.  Returns it.
 */
static double
conger_expected(const struct agree_sums *s, const struct agree_result *r)
{
	/* sum_{g != h} p_gk p_hk = (sum_g p_gk)^2 - sum_g p_gk^2 */
	double tot, sq, p, pe = 0;
	int k = s->k, ng = r->nactive, c, j;

	for (c = 0; c < k; c++) {
		tot = sq = 0;
		for (j = 0; j < s->L; j++) {
			if (s->lab_n[j] == 0)
				continue;
			p = (double)s->lab_cls[(size_t)j * k + c] /
			    (double)s->lab_n[j];
			tot += p;
			sq += p * p;
		}
		pe += tot * tot - sq;
	}
	return pe / ((double)ng * (ng - 1));
}

void
agree_stats_global(const struct agree_input *in, const struct agree_sums *s,
    struct agree_result *r)
{
	const char *base = agree_why_base(r);
	int k = in->nclasses, c, nused = 0, npair_used = 0;
	double pa, pe;

	for (c = 0; c < k; c++) {
		nused += s->used_c[c] > 0;
		npair_used += s->npair_c[c] > 0;
	}

	if (base != NULL) {
		set_undefined(&r->percent, base);
		set_undefined(&r->unanimous, base);
		set_undefined(&r->fleiss, base);
		set_undefined(&r->conger, base);
		set_undefined(&r->ac1, base);
		alpha_undefined(in, r, base);
		return;
	}

	/*
	 * Percent agreement: the mean over items with two or more labels of
	 * the share of agreeing labeler pairs (Fleiss 1971's P-bar; Gwet
	 * 2014's p_a).
	 */
	pa = s->pa_sum / r->npairable;
	set_value(&r->percent, pa);
	set_value(&r->unanimous, (double)s->unanimous / r->npairable);

	if (nused < 2) {
		set_undefined(&r->fleiss, AGREE_WHY_ONE_CLASS);
		set_undefined(&r->conger, AGREE_WHY_ONE_CLASS);
	} else {
		pe = share_expected(s, r, 0);
		set_value(&r->fleiss, (pa - pe) / (1 - pe));
		pe = conger_expected(s, r);
		set_value(&r->conger, (pa - pe) / (1 - pe));
	}

	/* Q = 1 leaves AC1 no chance term. */
	if (k < 2)
		set_undefined(&r->ac1, AGREE_WHY_ONE_CLASS);
	else {
		pe = share_expected(s, r, 1);
		set_value(&r->ac1, (pa - pe) / (1 - pe));
	}

	/*
	 * Krippendorff (2011): D_e = 0 exactly when every pairable value is
	 * one class, and alpha is then undefined (0/0).
	 */
	if (npair_used < 2)
		alpha_undefined(in, r, AGREE_WHY_ONE_CLASS);
	else {
		set_value(&r->alpha_nominal, kalpha(s, 0));
		if (in->ordinal) {
			set_value(&r->alpha_ordinal, kalpha(s, 1));
			set_value(&r->alpha_interval, kalpha(s, 2));
		} else {
			set_undefined(&r->alpha_ordinal, AGREE_WHY_NOMINAL);
			set_undefined(&r->alpha_interval, AGREE_WHY_NOMINAL);
		}
	}
}
