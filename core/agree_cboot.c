/*
 * agree_cboot.c: item-bootstrap intervals of percent agreement, Fleiss'
 * kappa, Gwet's AC1 and Krippendorff's alphas.
 *
 * Each of them is a function of sums over items of functions of the
 * item's class counts alone (agree_csums), so items with the same count
 * vector contribute the same: a replicate draws how many items of each
 * vector it takes (a multinomial, agree_resample_draw) and weighs the
 * vectors' contributions by it.  A replicate costs O(vectors x classes
 * on an item^2 + k^2), whatever the number of items.  The interval is BCa
 * with the jackknife over the vectors (interval.c).
 */
#include <stdlib.h>
#include <string.h>

#include "accord/util.h"
#include "agree_int.h"
#include "interval.h"

/* Above this many classes the k x k sums per replicate cost too much. */
#define CBOOT_MAX_CLASSES 256

/* Seeds the replicates apart from the HLP bootstrap's stream. */
#define CBOOT_SEED 0x636f656673756d73ULL

/* c's sums zeroed, for k classes. */
static void
csums_zero(struct agree_csums *c)
{
	size_t k = (size_t)c->k;

	c->n1 = c->n2 = c->pa = 0;
	memset(c->pi, 0, k * sizeof *c->pi);
	memset(c->npair, 0, k * sizeof *c->npair);
	memset(c->coinc, 0, k * k * sizeof *c->coinc);
}

static void
csums_init(struct agree_csums *c, int k)
{
	c->k = k;
	c->pi = xcalloc((size_t)k, sizeof *c->pi);
	c->npair = xcalloc((size_t)k, sizeof *c->npair);
	c->coinc = xcalloc((size_t)k * k, sizeof *c->coinc);
	csums_zero(c);
}

static void
csums_free(struct agree_csums *c)
{
	free(c->pi);
	free(c->npair);
	free(c->coinc);
}

/*
 * Add w items of count vector v[0..n) (class, count) to c: what
 * agree_scan adds for one item (item_add_class_pairs, the pi sums), times
 * w.
 */
static void
csums_add(struct agree_csums *c, const struct agree_judgement *v, uint32_t n,
    double w)
{
	size_t k = (size_t)c->k;
	double m = 0, same = 0;
	uint32_t p, q;

	for (p = 0; p < n; p++)
		m += v[p].num;
	c->n1 += w;
	for (p = 0; p < n; p++)
		c->pi[v[p].labeler] += w * v[p].num / m;
	if (m < 2)
		return;
	c->n2 += w;
	for (p = 0; p < n; p++) {
		double nc = v[p].num;

		c->npair[v[p].labeler] += w * nc;
		for (q = 0; q < n; q++) {
			double x = p == q ? nc * (nc - 1) : nc * v[q].num;

			c->coinc[v[p].labeler * k + v[q].labeler] +=
			    w * x / (m - 1);
		}
		same += nc * (nc - 1);
	}
	c->pa += w * same / (m * (m - 1));
}

static struct agree_ci *
coef_ci(struct agree_result *r, int x)
{
	struct agree_ci *ci[AGREE_NCOEF] = { &r->percent_ci, &r->fleiss_ci,
		&r->ac1_ci, &r->alpha_nominal_ci, &r->alpha_ordinal_ci,
		&r->alpha_interval_ci };

	return ci[x];
}

/* Every interval undefined: why, or the statistic's own reason. */
static void
cis_undefined(struct agree_result *r, const char *why)
{
	int x;

	for (x = 0; x < AGREE_NCOEF; x++) {
		struct agree_stat *st = agree_coef_stat(r, x);

		ci_undefined(coef_ci(r, x), st->defined ? why : st->why);
	}
}

/*
 * The jackknife: the coefficients without one item of vector g, for
 * every g, into jv[x * nv + g] (ok[x * nv + g] = 0 where undefined).
 */
static void
coef_jackknife(const struct agree_input *in, const struct agree_patterns *cv,
    struct agree_csums *all, double *jv, unsigned char *ok)
{
	struct agree_csums c;
	const char *why[AGREE_NCOEF];
	double v[AGREE_NCOEF];
	uint32_t g, nv = cv->n;
	int x;

	csums_init(&c, all->k);
	for (g = 0; g < nv; g++) {
		c.n1 = all->n1;
		c.n2 = all->n2;
		c.pa = all->pa;
		memcpy(c.pi, all->pi, (size_t)c.k * sizeof *c.pi);
		memcpy(c.npair, all->npair, (size_t)c.k * sizeof *c.npair);
		memcpy(c.coinc, all->coinc,
		    (size_t)c.k * c.k * sizeof *c.coinc);
		csums_add(&c, cv->pool + cv->off[g], cv->len[g], -1);
		if (c.n2 > 0)
			agree_coefs(&c, in->ordinal, v, why);
		for (x = 0; x < AGREE_NCOEF; x++) {
			ok[(size_t)x * nv + g] = c.n2 > 0 && why[x] == NULL;
			jv[(size_t)x * nv + g] = v[x];
		}
	}
	csums_free(&c);
}

/*
 * When no item has a disagreement every resample agrees fully and the
 * bootstrap has nothing to say, while the data cannot rule out a little
 * disagreement either: the interval is then [lo, 1], lo being the
 * coefficient at the largest disagreement Wilson's score interval allows
 * for a share observed 0 on the n2 pairable items, w = z^2 / (n2 + z^2),
 * with the chance terms of the data: percent agreement 1 - w; Fleiss and
 * AC1 (1 - w - p_e) / (1 - p_e); an alpha 1 - (n - 1) n w d_max / (2 sum_{c<k}
 * n_c n_k d2), d_max the largest d2 between classes used (a disagreeing
 * share w of the n pairable values at the largest distance).  Returns -1
 * when the coefficient is not at 1 (no spread for another reason).
 */
static int
coef_floor(const struct agree_csums *s, int x, double est, double conf,
    double *lo)
{
	double z = interval_norm_quantile((1 + conf) / 2), w, pe = 0, p, n;
	double num, den, dmax;
	int c, k = s->k;

	if (!(est >= 1 - 1e-12))
		return -1;
	w = z * z / (s->n2 + z * z);
	if (x == AGREE_C_PERCENT) {
		*lo = 1 - w;
		return 0;
	}
	if (x == AGREE_C_FLEISS || x == AGREE_C_AC1) {
		for (c = 0; c < k; c++) {
			p = s->pi[c] / s->n1;
			pe += x == AGREE_C_AC1 ? p * (1 - p) : p * p;
		}
		if (x == AGREE_C_AC1)
			pe /= k - 1;
		*lo = (1 - w - pe) / (1 - pe);
		return 0;
	}
	n = agree_alpha_sums(s, x - AGREE_C_ALPHA_NOMINAL, &num, &den, &dmax);
	if (!(den > 0))
		return -1;
	*lo = 1 - (n - 1) * n * w * dmax / (2 * den);
	return 0;
}

/* Below this many pairable items with a disagreement, see coef_few. */
#define CBOOT_FEW 5

/*
 * With fewer than CBOOT_FEW pairable items holding a disagreement, the
 * resamples take only a handful of values and BCa's ends land on them
 * (2 disagreements in 40 items: the upper end is the value with 1,
 * short of the truth one time in ten).  Each coefficient is then 1 -
 * (its disagreement share over chance), the share w = 1 - percent being
 * what the data pin down: the interval scales 1 - est by Wilson's
 * interval for w on the n2 pairable items over w.  With 2 labels per
 * item w is a plain proportion; with more it is a mean of item shares,
 * and Wilson on n2 items is conservative.
 */
static void
coef_few(const struct agree_csums *s, double est, double conf, double *lo,
    double *hi)
{
	double w = 1 - s->pa / s->n2, wlo, whi;

	interval_wilson(w, s->n2, conf, &wlo, &whi);
	*lo = 1 - (1 - est) * whi / w;
	*hi = 1 - (1 - est) * wlo / w;
}

void
agree_coef_bootstrap(const struct agree_input *in, const struct agree_opts *o,
    const struct agree_scan_patterns *sp, struct agree_result *r)
{
	const struct agree_patterns *cv = &sp->cv;
	struct agree_resample rs;
	struct agree_csums c, all;
	struct agree_rng rng;
	const char *why[AGREE_NCOEF];
	double v[AGREE_NCOEF], *rep, *jv, *jw;
	unsigned char *ok, *jok;
	uint32_t *hist, g, nv = cv->n, split = 0;
	int B = o->bootstrap, b, x, k = in->nclasses;

	if (B == 0 || sp->ncv == 0) {
		cis_undefined(r, AGREE_WHY_NO_BOOTSTRAP);
		return;
	}
	if (k > CBOOT_MAX_CLASSES) {
		cis_undefined(r, AGREE_WHY_MANY_CLASSES);
		return;
	}
	csums_init(&c, k);
	csums_init(&all, k);
	for (g = 0; g < nv; g++) {
		csums_add(&all, cv->pool + cv->off[g], cv->len[g],
		    sp->cvcount[g]);
		/* two classes or more on the item: a disagreement */
		if (cv->len[g] >= 2)
			split += sp->cvcount[g];
	}
	agree_resample_init(&rs, sp->cvcount, nv);
	hist = xcalloc(rs.nhist + 1, sizeof *hist);
	rep = xcalloc((size_t)AGREE_NCOEF * B, sizeof *rep);
	ok = xcalloc((size_t)AGREE_NCOEF, sizeof *ok);
	memset(ok, 1, AGREE_NCOEF);
	for (b = 0; b < B; b++) {
		agree_rng_seed(&rng, o->seed ^ CBOOT_SEED, (uint64_t)b);
		agree_resample_draw(&rs, &rng, hist);
		csums_zero(&c);
		for (g = 0; g < nv; g++)
			if (hist[g] > 0)
				csums_add(&c, cv->pool + cv->off[g], cv->len[g],
				    hist[g]);
		if (c.n2 > 0)
			agree_coefs(&c, in->ordinal, v, why);
		for (x = 0; x < AGREE_NCOEF; x++) {
			ok[x] &= c.n2 > 0 && why[x] == NULL;
			rep[(size_t)x * B + b] = v[x];
		}
	}
	jv = xcalloc((size_t)AGREE_NCOEF * nv + 1, sizeof *jv);
	jw = xcalloc((size_t)nv + 1, sizeof *jw);
	jok = xcalloc((size_t)AGREE_NCOEF * nv + 1, sizeof *jok);
	coef_jackknife(in, cv, &all, jv, jok);
	for (x = 0; x < AGREE_NCOEF; x++) {
		struct agree_stat *st = agree_coef_stat(r, x);
		struct agree_ci *ci = coef_ci(r, x);
		struct interval_jack jk = { jv + (size_t)x * nv, jw, 0 };
		int jack_ok = 1;

		if (!st->defined) {
			ci_undefined(ci, st->why);
			continue;
		}
		/*
		 * A replicate where the coefficient is undefined (a resample
		 * with one class only) has no value; as for a labeler's HLP,
		 * the interval is withheld rather than conditioned on the
		 * others.
		 */
		if (!ok[x]) {
			ci_undefined(ci, AGREE_WHY_RESAMPLE);
			continue;
		}
		for (g = 0; g < nv; g++) {
			jw[g] = sp->cvcount[g];
			jack_ok &= jok[(size_t)x * nv + g] || jw[g] == 0;
		}
		jk.n = (int)nv;
		if (split > 0 && split < CBOOT_FEW) {
			coef_few(&all, st->value, o->confidence, &ci->lo,
			    &ci->hi);
		} else if (interval_bca(st->value, rep + (size_t)x * B, B,
			jack_ok ? &jk : NULL, o->confidence, &ci->lo,
			&ci->hi) != 0) {
			if (coef_floor(&all, x, st->value, o->confidence,
				&ci->lo) != 0) {
				ci_undefined(ci, AGREE_WHY_NO_SPREAD);
				continue;
			}
			ci->hi = 1;
		}
		ci->defined = 1;
		ci->why = NULL;
	}
	free(jv);
	free(jw);
	free(jok);
	free(rep);
	free(ok);
	free(hist);
	agree_resample_free(&rs);
	csums_free(&c);
	csums_free(&all);
}
