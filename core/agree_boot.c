/*
 * agree_boot.c: the percentile bootstrap of the HLP intervals.
 *
 * The bootstrap resamples items.  An item enters HLP only through the
 * list of its (labeler, judgement) pairs, and on real data few distinct
 * lists exist (200,000 items x 5 labelers x 3 classes give about 160), so
 * the scan maps items to pattern ids once (agree_scan.c), and all a
 * replicate needs is how many of its N draws fell on each pattern: a
 * multinomial draw of N over the patterns, with pattern p's share of
 * the items as its probability.  That is drawn pattern by pattern as
 * conditional binomials, so a replicate costs O(patterns), not O(N)
 * (agree_resample_draw).  Each replicate seeds its own generator from
 * (seed, replicate number), so the intervals do not depend on how many
 * threads ran them.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/util.h"
#include "agree_int.h"
#include "interval.h"
#include "splitmix.h"

/*
 * Random numbers: xoshiro256** (Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 2021), seeded with
 * splitmix64 (Steele, Lea and Flood, OOPSLA 2014) as its authors
 * recommend.  Replicate b's state is words 4b..4b+3 of the splitmix64
 * stream started at the seed.
 */
static inline uint64_t
rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next(struct agree_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

void
agree_rng_seed(struct agree_rng *r, uint64_t seed, uint64_t replicate)
{
	uint64_t x = seed + replicate * 4 * 0x9e3779b97f4a7c15ULL;
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

/*
 * A uniform number in the open interval (0, 1): the top 52 bits of an
 * output and a half, over 2^52, all exact in a double.  Never 0, so its
 * logarithm is finite, and never 1.
 */
static inline double
rng_uniform(struct agree_rng *r)
{
	return ((double)(rng_next(r) >> 12) + 0.5) * 0x1p-52;
}

/*
 * Binomial variates, exact: no normal or Poisson approximation, so the
 * counts of a replicate have exactly the multinomial distribution that
 * drawing its items one by one gives.
 *
 * fc(k) is the error of Stirling's formula, log k! - (k + 1/2) log(k + 1)
 * + (k + 1) - log(2 pi) / 2: the first ten values are stored (computed
 * to 50 digits), the rest come from its asymptotic series, whose first
 * omitted term is below 1e-11 from k = 10 on (Hormann 1993, table 1).
 */
static double
stirling_tail(uint32_t k)
{
	static const double fc[10] = {
		0.081061466795327258, 0.041340695955409294,
		0.027677925684998339, 0.020790672103765093,
		0.016644691189821192, 0.013876128823070748,
		0.011896709945891770, 0.010411265261972096,
		0.009255462182712733, 0.008330563433362871,
	};
	double k1, k1sq;

	if (k < 10)
		return fc[k];
	k1 = k + 1.0;
	k1sq = k1 * k1;
	return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / k1sq) / k1sq) / k1;
}

/*
 * Bin(n, p) for n p < 10, p <= 1/2: inversion, adding up the
 * probabilities from 0 with the recurrence f(x) = f(x - 1) ((n + 1) s /
 * x - s), s = p / q (Kachitvichyanukul and Schmeiser, "Binomial random
 * variate generation", CACM 1988, BINV).  About n p + 1 steps.  The
 * probabilities left after n are rounding error: a u that reaches them
 * is drawn again.
 */
static uint32_t
binomial_inversion(struct agree_rng *r, uint32_t n, double p)
{
	double q = 1 - p, s = p / q, a = (n + 1.0) * s;
	double f0 = exp(n * log1p(-p)), f, u;
	uint32_t x;

	for (;;) {
		u = rng_uniform(r);
		f = f0;
		for (x = 0; u > f; f *= a / x - s) {
			u -= f;
			if (++x > n)
				break;
		}
		if (x <= n)
			return x;
	}
}

/*
 * Bin(n, p) for n p >= 10, p <= 1/2: BTRD, transformed rejection with a
 * decomposition (Hormann, "The generation of binomial random variates",
 * J. Statist. Comput. Simul. 46, 1993), steps numbered as there.  Its
 * expected cost is bounded in n p: most variates are accepted at step 1
 * with one uniform, and the exact test of step 3.4 is rarely reached.
 */
static uint32_t
binomial_btrd(struct agree_rng *r, uint32_t n, double p)
{
	double q = 1 - p, m = floor((n + 1.0) * p), ratio = p / q;
	double nr = (n + 1.0) * ratio, npq = n * p * q, sq = sqrt(npq);
	double b = 1.15 + 2.53 * sq, a = -0.0873 + 0.0248 * b + 0.01 * p;
	double c = n * p + 0.5, alpha = (2.83 + 5.1 / b) * sq;
	double vr = 0.92 - 4.2 / b, urvr = 0.86 * vr;
	double u, v, us, kd, f, rho, t, nm, nk, h;
	uint32_t k, km, i, mi = (uint32_t)m;

	for (;;) {
		/* 1: the box in the middle, accepted at once. */
		v = rng_uniform(r);
		if (v <= urvr) {
			u = v / vr - 0.43;
			return (uint32_t)floor(
			    (2 * a / (0.5 - fabs(u)) + b) * u + c);
		}
		/* 2: a point of the hat outside the box. */
		if (v >= vr)
			u = rng_uniform(r) - 0.5;
		else {
			u = v / vr - 0.93;
			u = (u < 0 ? -0.5 : 0.5) - u;
			v = rng_uniform(r) * vr;
		}
		/* 3.0 */
		us = 0.5 - fabs(u);
		kd = floor((2 * a / us + b) * u + c);
		if (kd < 0 || kd > n)
			continue;
		k = (uint32_t)kd;
		v = v * alpha / (a / (us * us) + b);
		km = k > mi ? k - mi : mi - k;
		if (km <= 15) {
			/* 3.1: f(k) / f(m) by the recurrence. */
			f = 1;
			if (mi < k)
				for (i = mi + 1; i <= k; i++)
					f *= nr / i - ratio;
			else
				for (i = k + 1; i <= mi; i++)
					v *= nr / i - ratio;
			if (v <= f)
				return k;
			continue;
		}
		/* 3.2: squeeze on log f(k) / f(m). */
		v = log(v);
		rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6) / npq +
		    0.5);
		t = -(double)km * km / (2 * npq);
		if (v < t - rho)
			return k;
		if (v > t + rho)
			continue;
		/* 3.3, 3.4: the exact test, with Stirling's formula. */
		nm = n - m + 1;
		h = (m + 0.5) * log((m + 1) / (ratio * nm)) +
		    stirling_tail(mi) + stirling_tail(n - mi);
		nk = n - k + 1.0;
		if (v <= h + (n + 1.0) * log(nm / nk) +
		    (k + 0.5) * log(nk * ratio / (k + 1)) - stirling_tail(k) -
		    stirling_tail(n - k))
			return k;
	}
}

uint32_t
agree_binomial(struct agree_rng *r, uint32_t n, double p)
{
	if (n == 0 || p <= 0)
		return 0;
	if (p >= 1)
		return n;
	/* Both methods want p <= 1/2; 1 - p is exact there. */
	if (p > 0.5)
		return n - agree_binomial(r, n, 1 - p);
	return n * p < 10 ? binomial_inversion(r, n, p) :
			    binomial_btrd(r, n, p);
}

/*
 * The resampling plan (struct agree_resample).  Drawing a replicate's
 * counts as conditional binomials, largest pattern first, gives pattern
 * order[i] Bin(left, count / rest) of the draws not yet given to the
 * patterns before it (left of them, among rest items): a variate costs
 * what a few dozen draws of single items cost, so the patterns of
 * AGREE_BINOMIAL_MIN items or more are drawn that way, and the draws
 * left over go to the small patterns one item at a time, uniform
 * positions in their items (given the large patterns' counts, the rest
 * are independent uniform draws among the other items: the result is
 * the same multinomial).  With few patterns, as in the usual case, no
 * small pattern is left; with many, as when each item has labelers of
 * its own among hundreds, most are small, and they are drawn as before.
 *
 * Drawing an item of the small patterns uniformly is drawing a position
 * among their items sorted as in order: small pattern t holds positions
 * cum[t] to cum[t + 1] - 1.  The guide table maps the top BOOT_GBITS
 * bits of the 32-bit draw to the first small pattern those draws can
 * land in (Chen and Asau's guide table, 1974).  With at most
 * BOOT_GUIDE_PATTERNS small patterns nearly every entry lies inside one
 * pattern, and says so (BOOT_MIXED clear): the draw's pattern is then
 * the entry itself, with no search along cum and no branch the
 * processor mispredicts.  With more, the table could not be fine enough,
 * and bypos[] gives each position's pattern in one look-up instead.
 */
/* 2^14 entries of 16 bits: 32 KB, which stays in the L1 cache. */
#define BOOT_GBITS 14
#define BOOT_GUIDE_PATTERNS 4096
#define BOOT_MIXED 0x8000u
#define BOOT_HISTS 4

/*
 * The small pattern of draw x, from small pattern t on: for a guide entry
 * that spans several patterns (rare).
 */
static uint32_t
boot_search(const struct agree_resample *rs, uint32_t t, uint32_t x)
{
	uint32_t pos = (uint32_t)((uint64_t)x * rs->tail >> 32);

	while (rs->cum[t + 1] <= pos)
		t++;
	return t;
}

/*
 * Count the draws x[0..c): with a guide table into th, BOOT_HISTS
 * histograms of the small patterns, draw j in number j mod BOOT_HISTS
 * (most draws land in the few largest patterns, and a run of increments
 * of one counter waits on each store in turn; several counters per
 * pattern break the chain); else straight into hist by pattern id.  The
 * position of a draw is floor(x tail / 2^32), monotone in x, which the
 * guide table relies on.
 */
static void
boot_count(const struct agree_resample *rs, const uint32_t *x, uint32_t c,
    uint32_t *hist, uint32_t *th)
{
	uint32_t j, t, nt = rs->ntail;
	uint64_t n = rs->tail;

	if (rs->guide == NULL) {
		for (j = 0; j < c; j++)
			hist[rs->bypos[(uint64_t)x[j] * n >> 32]]++;
		return;
	}
	for (j = 0; j < c; j++) {
		t = rs->guide[x[j] >> (32 - BOOT_GBITS)];
		if (t & BOOT_MIXED)
			t = boot_search(rs, t & ~BOOT_MIXED, x[j]);
		th[(j % BOOT_HISTS) * nt + t]++;
	}
}

/*
 * ndraws uniform positions among the small patterns' items into hist or
 * th (boot_count), in blocks: first the block's random numbers (a tight loop of
 * arithmetic), then their patterns (a loop of independent look-ups), two
 * small loops whose state fits in registers, where one loop doing both
 * spilled to the stack.
 *
 * The 32-bit numbers are the high, then the low half of each 64-bit
 * output.  A number x is a uniform position in [0, tail) unless the low
 * half of x tail is below t = 2^32 mod tail, when it is rejected and the
 * next one is taken: Lemire, "Fast random integer generation in an
 * interval", ACM TOMACS 2019, exactly (his first test, low half below
 * tail, only spares computing t, done once here).  A block ends on a
 * whole output, so it may hold one draw more than it asked for: that one
 * is the next block's first, or at the end unused.
 */
#define BOOT_BLOCK 512

static void
boot_draws(const struct agree_resample *rs, struct agree_rng *r,
    uint32_t ndraws, uint32_t *hist, uint32_t *th)
{
	uint32_t x[BOOT_BLOCK + 1], n = rs->tail, t = (0U - n) % n;
	uint32_t left = ndraws, want, k = 0;
	uint64_t v;

	while (left > 0) {
		want = left < BOOT_BLOCK ? left : BOOT_BLOCK;
		while (k < want) {
			v = rng_next(r);
			x[k] = (uint32_t)(v >> 32);
			k += (uint32_t)((uint64_t)x[k] * n) >= t;
			x[k] = (uint32_t)v;
			k += (uint32_t)((uint64_t)x[k] * n) >= t;
		}
		boot_count(rs, x, want, hist, th);
		left -= want;
		/* The extra draw, if any, opens the next block. */
		k -= want;
		x[0] = x[want];
	}
}

/*
 * The guide table over the small patterns' cumulative counts, or each
 * position's pattern id (above).
 */
static void
boot_guide(struct agree_resample *rs)
{
	uint32_t *bypos, t, g, ng, lo, hi, q;
	uint16_t *guide;

	if (rs->ntail > BOOT_GUIDE_PATTERNS) {
		bypos = xcalloc((size_t)rs->tail + 1, sizeof *bypos);
		for (t = 0; t < rs->ntail; t++)
			for (q = rs->cum[t]; q < rs->cum[t + 1]; q++)
				bypos[q] = rs->order[rs->nbig + t];
		rs->bypos = bypos;
		return;
	}
	ng = (uint32_t)1 << BOOT_GBITS;
	guide = xcalloc(ng, sizeof *guide);
	for (g = 0, t = 0; g < ng; g++) {
		/*
		 * The smallest and the largest position a draw in this entry
		 * can give (boot_count: floor(x tail / 2^32)).
		 */
		lo = (uint32_t)(((uint64_t)g << (32 - BOOT_GBITS)) *
		    rs->tail >> 32);
		hi = (uint32_t)(((((uint64_t)g + 1) << (32 - BOOT_GBITS)) - 1) *
		    rs->tail >> 32);
		while (rs->cum[t + 1] <= lo)
			t++;
		guide[g] = (uint16_t)(rs->cum[t + 1] > hi ? t : t | BOOT_MIXED);
	}
	rs->guide = guide;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void
agree_resample_init(
    struct agree_resample *rs, const uint32_t *count, uint32_t npat)
{
	uint64_t *key = xcalloc((size_t)npat + 1, sizeof *key);
	uint32_t p, t;

	memset(rs, 0, sizeof *rs);
	rs->npat = npat;
	rs->count = count;
	/* Largest first, ties in pattern order: one key sorts both. */
	for (p = 0; p < npat; p++)
		key[p] = (uint64_t)(UINT32_MAX - count[p]) << 32 | p;
	qsort(key, npat, sizeof *key, cmp_u64);
	rs->order = xcalloc((size_t)npat + 1, sizeof *rs->order);
	for (p = 0; p < npat; p++) {
		rs->order[p] = (uint32_t)key[p];
		rs->nitems += count[p];
		rs->nbig += count[p] >= AGREE_BINOMIAL_MIN;
	}
	free(key);
	rs->ntail = npat - rs->nbig;
	rs->cum = xcalloc((size_t)rs->ntail + 1, sizeof *rs->cum);
	for (t = 0; t < rs->ntail; t++)
		rs->cum[t + 1] =
		    rs->cum[t] + count[rs->order[rs->nbig + t]];
	rs->tail = rs->cum[rs->ntail];
	rs->nhist = npat;
	if (rs->ntail > 0) {
		boot_guide(rs);
		if (rs->guide != NULL)
			rs->nhist += (size_t)rs->ntail * BOOT_HISTS;
	}
}

void
agree_resample_free(struct agree_resample *rs)
{
	free(rs->order);
	free(rs->cum);
	free(rs->guide);
	free(rs->bypos);
	memset(rs, 0, sizeof *rs);
}

void
agree_resample_draw(
    const struct agree_resample *rs, struct agree_rng *r, uint32_t *hist)
{
	uint32_t i, p, h, c, left = rs->nitems, rest = rs->nitems;
	uint32_t *th = hist + rs->npat, nt = rs->ntail, t, k;

	memset(hist, 0, rs->nhist * sizeof *hist);
	for (i = 0; i < rs->nbig; i++) {
		p = rs->order[i];
		c = rs->count[p];
		/* The last large pattern with no small one: c = rest, all. */
		h = agree_binomial(r, left, (double)c / rest);
		hist[p] = h;
		left -= h;
		rest -= c;
	}
	if (left == 0)
		return;
	boot_draws(rs, r, left, hist, th);
	for (t = 0; rs->guide != NULL && t < nt; t++) {
		for (k = 1; k < BOOT_HISTS; k++)
			th[t] += th[k * nt + t];
		hist[rs->order[rs->nbig + t]] = th[t];
	}
}

/* The bootstrap's shared state; each worker writes only its replicates. */
struct boot {
	const struct agree_patterns *pt;
	struct agree_resample rs;
	int nlabelers;
	int nrep;
	uint64_t seed;
	double *team;         /* nrep */
	double *lab;          /* nlabelers x nrep */
	unsigned char *labok; /* nlabelers x nrep: labeler scored */
};

static void *
boot_run(void *arg)
{
	struct agree_worker *w = arg;
	struct boot *b = w->shared;
	const struct agree_patterns *pt = b->pt;
	uint32_t *hist = xcalloc(b->rs.nhist + 1, sizeof *hist);
	double *lc = xcalloc((size_t)b->nlabelers, sizeof *lc);
	double *lw = xcalloc((size_t)b->nlabelers, sizeof *lw);
	struct agree_rng r;
	uint32_t p, e, h;
	int rep, j;

	for (rep = w->first; rep < b->nrep; rep += w->step) {
		double tc = 0, tw = 0;

		memset(lc, 0, (size_t)b->nlabelers * sizeof *lc);
		memset(lw, 0, (size_t)b->nlabelers * sizeof *lw);
		agree_rng_seed(&r, b->seed, (uint64_t)rep);
		agree_resample_draw(&b->rs, &r, hist);
		for (p = 0; p < pt->n; p++) {
			const struct agree_judgement *jl;
			const double *jc;
			double hd;

			if ((h = hist[p]) == 0)
				continue;
			hd = h;
			tc += hd * pt->credit[p];
			tw += hd;
			jl = pt->pool + pt->off[p];
			jc = pt->jcredit + pt->off[p];
			for (e = 0; e < pt->len[p]; e++) {
				lw[jl[e].labeler] += hd;
				lc[jl[e].labeler] += hd * jc[e];
			}
		}
		/* Every resampled item holds a judgement, so tw > 0. */
		b->team[rep] = tc / tw;
		for (j = 0; j < b->nlabelers; j++) {
			size_t at = (size_t)j * b->nrep + rep;

			b->labok[at] = lw[j] > 0;
			b->lab[at] = lw[j] > 0 ? lc[j] / lw[j] : 0;
		}
	}
	free(hist);
	free(lc);
	free(lw);
	return NULL;
}

int
agree_threads(int want, uint64_t work)
{
	long ncpu;

	if (want > 0)
		return want > AGREE_MAX_THREADS ? AGREE_MAX_THREADS : want;
	/* Below a few million draws a thread costs more than it saves. */
	if (work < 4000000)
		return 1;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		return 1;
	return ncpu > AGREE_MAX_THREADS ? AGREE_MAX_THREADS : (int)ncpu;
}

void
agree_run_workers(void *(*fn)(void *), void *shared, int nrep, int nthreads)
{
	pthread_t th[AGREE_MAX_THREADS];
	struct agree_worker w[AGREE_MAX_THREADS];
	int started[AGREE_MAX_THREADS];
	int t;

	if (nthreads > nrep)
		nthreads = nrep;
	if (nthreads > AGREE_MAX_THREADS)
		nthreads = AGREE_MAX_THREADS;
	if (nthreads < 1)
		nthreads = 1;
	for (t = 0; t < nthreads; t++) {
		w[t].shared = shared;
		w[t].first = t;
		w[t].step = nthreads;
		started[t] = 0;
	}
	for (t = 1; t < nthreads; t++)
		started[t] = pthread_create(&th[t], NULL, fn, &w[t]) == 0;
	fn(&w[0]);
	for (t = 1; t < nthreads; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			fn(&w[t]);
	}
}

/*
 * An HLP interval from B replicates v (sorted in place): BCa with the
 * jackknife jk (interval.c); when every replicate is the same value
 * (every scored item at 1, say) the bootstrap says nothing, and Wilson's
 * score interval on the n scored items takes its place, so 40 items all
 * agreeing give [0.912, 1], not [1, 1].
 */
static void
hlp_interval(double est, double *v, int B, const struct interval_jack *jk,
    double n, double conf, struct agree_ci *ci)
{
	if (interval_bca(est, v, B, jk, conf, &ci->lo, &ci->hi) != 0)
		interval_wilson(est, n, conf, &ci->lo, &ci->hi);
	ci->defined = 1;
	ci->why = NULL;
}

/*
 * The team's jackknife: without one item of pattern p the team HLP is
 * (T - h_p) / (N - 1).  NULL with fewer than two items.
 */
static struct interval_jack *
team_jack(const struct agree_patterns *pt, const uint32_t *count,
    const struct agree_sums *s, struct interval_jack *jk, double **vw)
{
	double N = (double)s->team_items, *v, *w;
	uint32_t p;

	if (N < 2)
		return NULL;
	*vw = v = xcalloc((size_t)pt->n * 2 + 1, sizeof *v);
	w = v + pt->n;
	for (p = 0; p < pt->n; p++) {
		v[p] = (s->team_credit - pt->credit[p]) / (N - 1);
		w[p] = count[p];
	}
	jk->value = v;
	jk->weight = w;
	jk->n = (int)pt->n;
	return jk;
}

/*
 * Each labeler's jackknife, made in one pass over the lists: an item of
 * pattern p that labeler j is scored on, with credit c, leaves (C_j - c)
 * / (W_j - 1); any other item leaves j's HLP as it is (the last entry of
 * j's values, weighted by the items j is not scored on).  Labeler j's
 * entries are v[at[j] .. at[j + 1]), at having L + 1 entries.
 */
static void
labeler_jacks(const struct agree_patterns *pt, const uint32_t *count,
    const struct agree_sums *s, int L, size_t *at, double *v, double *w)
{
	size_t *fill = xcalloc((size_t)L + 1, sizeof *fill);
	uint32_t p, e;
	int j;

	for (p = 0; p < pt->n; p++)
		for (e = 0; e < pt->len[p]; e++)
			at[pt->pool[pt->off[p] + e].labeler + 1]++;
	for (j = 0; j < L; j++)
		at[j + 1] += at[j] + 1;
	for (j = 0; j < L; j++)
		fill[j] = at[j];
	for (p = 0; p < pt->n; p++)
		for (e = 0; e < pt->len[p]; e++) {
			j = pt->pool[pt->off[p] + e].labeler;
			v[fill[j]] = s->lab_scored[j] < 2 ? 0 :
			    (s->lab_credit[j] - pt->jcredit[pt->off[p] + e]) /
			    (s->lab_scored[j] - 1);
			w[fill[j]++] = count[p];
		}
	for (j = 0; j < L; j++) {
		v[fill[j]] = s->lab_scored[j] > 0 ?
		    s->lab_credit[j] / s->lab_scored[j] : 0;
		w[fill[j]] = (double)(s->team_items - s->lab_scored[j]);
	}
	free(fill);
}

/* Each labeler's HLP interval from the replicates b ran. */
static void
boot_labeler_intervals(struct boot *b, const uint32_t *count,
    const struct agree_sums *s, double confidence, struct agree_result *r)
{
	const struct agree_patterns *pt = b->pt;
	size_t nv = pt->npool + (size_t)b->nlabelers + 1;
	size_t *at = xcalloc((size_t)b->nlabelers + 1, sizeof *at);
	double *v = xcalloc(nv, sizeof *v), *w = xcalloc(nv, sizeof *w);
	struct interval_jack jk;
	int j, rep, B = b->nrep;

	labeler_jacks(pt, count, s, b->nlabelers, at, v, w);
	for (j = 0; j < b->nlabelers; j++) {
		struct agree_labeler *l = &r->labelers[j];
		int ok = 1;

		if (!l->hlp.defined)
			continue;
		/*
		 * A replicate that drew none of this labeler's scored items
		 * has no value; rather than condition on the others, the
		 * interval is then withheld.
		 */
		for (rep = 0; rep < B; rep++)
			ok &= b->labok[(size_t)j * B + rep];
		if (!ok) {
			ci_undefined(&l->hlp_ci, AGREE_WHY_FEW_ITEMS);
			continue;
		}
		jk.value = v + at[j];
		jk.weight = w + at[j];
		jk.n = (int)(at[j + 1] - at[j]);
		hlp_interval(l->hlp.value, b->lab + (size_t)j * B, B,
		    l->nscored >= 2 ? &jk : NULL, l->nscored, confidence,
		    &l->hlp_ci);
	}
	free(at);
	free(v);
	free(w);
}

void
agree_bootstrap(const struct agree_input *in, const struct agree_opts *o,
    const struct agree_sums *s, const struct agree_patterns *pt,
    const uint32_t *count, uint32_t npat, struct agree_result *r)
{
	struct interval_jack jk;
	double *jv = NULL;
	struct boot b;
	int L = in->nlabelers, B = o->bootstrap;
	uint64_t work;

	if (B == 0 || npat == 0)
		return;
	memset(&b, 0, sizeof b);
	b.pt = pt;
	b.nlabelers = L;
	b.nrep = B;
	b.seed = o->seed;
	agree_resample_init(&b.rs, count, pt->n);
	b.team = xcalloc((size_t)B, sizeof *b.team);
	b.lab = xcalloc((size_t)B * (size_t)(L > 0 ? L : 1), sizeof *b.lab);
	b.labok = xcalloc((size_t)B * (size_t)(L > 0 ? L : 1), sizeof *b.labok);
	/* A replicate: a binomial per large pattern, a draw per small item. */
	work = (uint64_t)B * ((uint64_t)b.rs.nbig * AGREE_BINOMIAL_MIN +
	    b.rs.tail + pt->npool);
	agree_run_workers(boot_run, &b, B, agree_threads(o->threads, work));
	r->bootstrap = B;
	hlp_interval(r->team_hlp.value, b.team, B,
	    team_jack(pt, count, s, &jk, &jv), (double)s->team_items,
	    o->confidence, &r->team_hlp_ci);
	free(jv);
	boot_labeler_intervals(&b, count, s, o->confidence, r);
	free(b.team);
	free(b.lab);
	free(b.labok);
	agree_resample_free(&b.rs);
}
