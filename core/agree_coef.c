/*
 * agree_coef.c: the chance-corrected coefficients over all items: percent
 * agreement, Fleiss' and Conger's kappa, Gwet's AC1 and Krippendorff's
 * alpha (nominal, ordinal, interval).
 */
#include <stdlib.h>

#include "accord/util.h"
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
double
agree_alpha_sums(const struct agree_csums *s, int metric, double *num,
    double *den, double *dmax)
{
	int k = s->k, c, d, g;
	double n = 0, run, d2, mid;

	*num = *den = *dmax = 0;
	for (c = 0; c < k; c++)
		n += s->npair[c];
	for (c = 0; c < k; c++) {
		if (s->npair[c] == 0)
			continue;
		run = s->npair[c];
		for (d = c + 1; d < k; d++) {
			run += s->npair[d];
			if (s->npair[d] == 0)
				continue;
			if (metric == 0)
				d2 = 1; /* nominal: 1 when c != k */
			else if (metric == 1) {
				/*
				 * Ordinal: (sum_{g=c}^{k} n_g - (n_c + n_k) /
				 * 2)^2, run being sum_{g=c}^{d} n_g.
				 */
				mid = run - (s->npair[c] + s->npair[d]) / 2;
				d2 = mid * mid;
			} else {
				/* Interval: (c - k)^2 on positions 0..k-1. */
				g = d - c;
				d2 = (double)g * g;
			}
			*num += s->coinc[(size_t)c * k + d] * d2;
			*den += s->npair[c] * s->npair[d] * d2;
			if (d2 > *dmax)
				*dmax = d2;
		}
	}
	return n;
}

static double
kalpha(const struct agree_csums *s, int metric)
{
	double num, den, dmax, n = agree_alpha_sums(s, metric, &num, &den,
	    &dmax);

	return 1 - (n - 1) * num / den;
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
share_expected(const struct agree_csums *s, int ac1)
{
	double pe = 0;
	int c;

	for (c = 0; c < s->k; c++) {
		double p = s->pi[c] / s->n1;

		pe += ac1 ? p * (1 - p) : p * p;
	}
	return ac1 ? pe / (s->k - 1) : pe;
}

void
agree_coefs(const struct agree_csums *s, int ordinal, double v[AGREE_NCOEF],
    const char *why[AGREE_NCOEF])
{
	int c, nused = 0, npair_used = 0, x;
	double pa = s->pa / s->n2, pe;

	for (x = 0; x < AGREE_NCOEF; x++) {
		v[x] = 0;
		why[x] = NULL;
	}
	for (c = 0; c < s->k; c++) {
		nused += s->pi[c] > 0;
		npair_used += s->npair[c] > 0;
	}
	/*
	 * Percent agreement: the mean over items with two or more labels of
	 * the share of agreeing labeler pairs (Fleiss 1971's P-bar; Gwet
	 * 2014's p_a).
	 */
	v[AGREE_C_PERCENT] = pa;
	if (nused < 2)
		why[AGREE_C_FLEISS] = AGREE_WHY_ONE_CLASS;
	else {
		pe = share_expected(s, 0);
		v[AGREE_C_FLEISS] = (pa - pe) / (1 - pe);
	}
	/* Q = 1 leaves AC1 no chance term. */
	if (s->k < 2)
		why[AGREE_C_AC1] = AGREE_WHY_ONE_CLASS;
	else {
		pe = share_expected(s, 1);
		v[AGREE_C_AC1] = (pa - pe) / (1 - pe);
	}
	/*
	 * Krippendorff (2011): D_e = 0 exactly when every pairable value is
	 * one class, and alpha is then undefined (0/0).
	 */
	for (x = AGREE_C_ALPHA_NOMINAL; x <= AGREE_C_ALPHA_INTERVAL; x++) {
		if (x != AGREE_C_ALPHA_NOMINAL && !ordinal)
			why[x] = AGREE_WHY_NOMINAL;
		else if (npair_used < 2)
			why[x] = AGREE_WHY_ONE_CLASS;
		else
			v[x] = kalpha(s, x - AGREE_C_ALPHA_NOMINAL);
	}
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

struct agree_stat *
agree_coef_stat(struct agree_result *r, int x)
{
	struct agree_stat *st[AGREE_NCOEF] = { &r->percent, &r->fleiss,
		&r->ac1, &r->alpha_nominal, &r->alpha_ordinal,
		&r->alpha_interval };

	return st[x];
}

void
agree_stats_global(const struct agree_input *in, const struct agree_sums *s,
    struct agree_result *r)
{
	const char *base = agree_why_base(r), *why[AGREE_NCOEF];
	int k = in->nclasses, c, x;
	double v[AGREE_NCOEF], *npair, pe;
	struct agree_csums cs;

	if (base != NULL) {
		for (x = 0; x < AGREE_NCOEF; x++)
			set_undefined(agree_coef_stat(r, x), base);
		if (!in->ordinal) {
			set_undefined(&r->alpha_ordinal, AGREE_WHY_NOMINAL);
			set_undefined(&r->alpha_interval, AGREE_WHY_NOMINAL);
		}
		set_undefined(&r->unanimous, base);
		set_undefined(&r->conger, base);
		return;
	}
	npair = xcalloc((size_t)k, sizeof *npair);
	for (c = 0; c < k; c++)
		npair[c] = (double)s->npair_c[c];
	cs.k = k;
	cs.n1 = r->nlabeled;
	cs.n2 = r->npairable;
	cs.pa = s->pa_sum;
	cs.pi = s->pi_sum;
	cs.npair = npair;
	cs.coinc = s->coinc;
	agree_coefs(&cs, in->ordinal, v, why);
	for (x = 0; x < AGREE_NCOEF; x++) {
		if (why[x] == NULL)
			set_value(agree_coef_stat(r, x), v[x]);
		else
			set_undefined(agree_coef_stat(r, x), why[x]);
	}
	free(npair);
	set_value(&r->unanimous, (double)s->unanimous / r->npairable);
	if (!r->fleiss.defined)
		set_undefined(&r->conger, AGREE_WHY_ONE_CLASS);
	else {
		pe = conger_expected(s, r);
		set_value(&r->conger, (v[AGREE_C_PERCENT] - pe) / (1 - pe));
	}
}
