/*
 * agree_boot.c: the percentile bootstrap of the HLP intervals.
 *
 * The bootstrap resamples items.  An item enters HLP only through the
 * list of its (labeler, judgement) pairs, and on real data few distinct
 * lists exist (200,000 items x 5 labelers x 3 classes give about 160), so
 * the scan maps items to pattern ids once (agree_scan.c) and a replicate
 * is N uniform draws counted per pattern followed by a pass over the
 * patterns.  Each replicate seeds its own generator from (seed, replicate
 * number), so the intervals do not depend on how many threads ran them.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/util.h"
#include "agree_int.h"
#include "splitmix.h"

/*
 * Random numbers: xoshiro256** (Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 2021), seeded with
 * splitmix64 (Steele, Lea and Flood, OOPSLA 2014) as its authors
 * recommend.  Replicate b's state is words 4b..4b+3 of the splitmix64
 * stream started at the seed.
 */
struct rng {
	uint64_t s[4];
};

static inline uint64_t
rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next(struct rng *r)
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

static void
rng_seed(struct rng *r, uint64_t seed, uint64_t replicate)
{
	uint64_t x = seed + replicate * 4 * 0x9e3779b97f4a7c15ULL;
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

/*
 * The bootstrap's shared state; each worker writes only its replicates.
 *
 * Only an item's pattern matters, so drawing an item uniformly is drawing
 * a position in the items sorted by pattern: pattern p holds positions
 * cum[p] to cum[p + 1] - 1.  The guide table maps the top BOOT_GBITS bits
 * of the 32-bit draw to the first pattern those draws can land in (Chen
 * and Asau's guide table, 1974).  With at most BOOT_GUIDE_PATTERNS
 * patterns nearly every entry lies inside one pattern, and says so
 * (BOOT_MIXED clear): the draw's pattern is then the entry itself, with
 * no search along cum and no branch the processor mispredicts (the search
 * was half of the draws' time at 1,000,000 items x 5 labelers).  With
 * more patterns, as when each item has labelers of its own among
 * hundreds, the table could not be fine enough, and bypos[] gives each
 * position's pattern in one look-up instead.
 */
/* 2^14 entries of 16 bits: 32 KB, which stays in the L1 cache. */
#define BOOT_GBITS 14
#define BOOT_GUIDE_PATTERNS 4096
#define BOOT_MIXED 0x8000u
#define BOOT_HISTS 4

struct boot {
	const struct agree_patterns *pt;
	const uint32_t *cum;   /* pt->n + 1 cumulative item counts */
	const uint16_t *guide; /* 1 << BOOT_GBITS entries, or NULL */
	const uint32_t *bypos; /* nitems entries when guide is NULL */
	uint32_t nitems;
	int nlabelers;
	int nrep;
	uint64_t seed;
	double *team;         /* nrep */
	double *lab;          /* nlabelers x nrep */
	unsigned char *labok; /* nlabelers x nrep: labeler scored */
};

/*
 * The pattern of draw x, from pattern p on: for a guide entry that spans
 * several patterns (rare).
 */
static uint32_t
boot_search(const struct boot *b, uint32_t p, uint32_t x)
{
	uint32_t pos = (uint32_t)((uint64_t)x * b->nitems >> 32);

	while (b->cum[p + 1] <= pos)
		p++;
	return p;
}

/*
 * Count the draws x[0..c) into hist (BOOT_HISTS histograms of np patterns
 * with a guide table, draw j in number j mod BOOT_HISTS; else one).  The position of
 * a draw is floor(x nitems / 2^32), monotone in x, which the guide table
 * relies on.
 */
static void
boot_count(const struct boot *b, const uint32_t *x, uint32_t c,
    uint32_t *hist)
{
	uint32_t j, p, np = b->pt->n;
	uint64_t n = b->nitems;

	if (b->guide == NULL) {
		for (j = 0; j < c; j++)
			hist[b->bypos[(uint64_t)x[j] * n >> 32]]++;
		return;
	}
	for (j = 0; j < c; j++) {
		p = b->guide[x[j] >> (32 - BOOT_GBITS)];
		if (p & BOOT_MIXED)
			p = boot_search(b, p & ~BOOT_MIXED, x[j]);
		hist[(j % BOOT_HISTS) * np + p]++;
	}
}

/*
 * A replicate's nitems draws into hist, in blocks: first the block's
 * random numbers (a tight loop of arithmetic), then their patterns (a
 * loop of independent look-ups), two small loops whose state fits in
 * registers, where one loop doing both spilled to the stack.
 *
 * The 32-bit numbers are the high, then the low half of each 64-bit
 * output.  A number x is a uniform position in [0, nitems) unless the low
 * half of x nitems is below t = 2^32 mod nitems, when it is rejected and
 * the next one is taken: Lemire, "Fast random integer generation in an
 * interval", ACM TOMACS 2019, exactly (his first test, low half below
 * nitems, only spares computing t, done once here).  A block ends on a
 * whole output, so it may hold one draw more than it asked for: that one
 * is the next block's first, or at the end of the replicate unused.
 */
#define BOOT_BLOCK 512

static void
boot_draws(const struct boot *b, struct rng *r, uint32_t *hist)
{
	uint32_t x[BOOT_BLOCK + 1], n = b->nitems, t = (0U - n) % n, left = n;
	uint32_t want, k = 0;
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
		boot_count(b, x, want, hist);
		left -= want;
		/* The extra draw, if any, opens the next block. */
		k -= want;
		x[0] = x[want];
	}
}

struct boot_worker {
	struct boot *b;
	int first, step;
};

static void *
boot_run(void *arg)
{
	struct boot_worker *w = arg;
	struct boot *b = w->b;
	const struct agree_patterns *pt = b->pt;
	uint32_t *hist;
	double *lc = xcalloc((size_t)b->nlabelers, sizeof *lc);
	double *lw = xcalloc((size_t)b->nlabelers, sizeof *lw);
	double *credit = xcalloc((size_t)b->nlabelers + 1, sizeof *credit);
	struct rng r;
	uint32_t p, e, h, np = pt->n;
	int rep, j;
	/*
	 * Few patterns: BOOT_HISTS histograms (boot_count).  Most draws land
	 * in the few largest patterns, and a run of increments of one
	 * counter waits on each store in turn; several counters per pattern
	 * break the chain.  The sums are the same.
	 */
	uint32_t nh = b->guide != NULL ? BOOT_HISTS : 1, *hq;

	hist = xcalloc((size_t)np * nh + 1, sizeof *hist);

	/* A tie has fewer classes than labelers: codes are 0..nlabelers. */
	for (j = 0; j <= b->nlabelers; j++)
		credit[j] = judgement_credit((uint32_t)j);

	for (rep = w->first; rep < b->nrep; rep += w->step) {
		double tc = 0, tw = 0;

		memset(hist, 0, (size_t)np * nh * sizeof *hist);
		memset(lc, 0, (size_t)b->nlabelers * sizeof *lc);
		memset(lw, 0, (size_t)b->nlabelers * sizeof *lw);
		rng_seed(&r, b->seed, (uint64_t)rep);
		boot_draws(b, &r, hist);
		for (hq = hist + np; hq < hist + (size_t)np * nh; hq += np)
			for (p = 0; p < np; p++)
				hist[p] += hq[p];
		for (p = 0; p < pt->n; p++) {
			const struct agree_judgement *jl;
			double hd;

			if ((h = hist[p]) == 0)
				continue;
			hd = h;
			tc += hd * pt->credit[p];
			tw += hd * pt->len[p];
			jl = pt->pool + pt->off[p];
			for (e = 0; e < pt->len[p]; e++) {
				lw[jl[e].labeler] += hd;
				lc[jl[e].labeler] += hd * credit[jl[e].code];
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
	free(credit);
	return NULL;
}

static int
boot_threads(int want, uint64_t work)
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

/* Run the replicates on up to nthreads threads (fewer if creation fails). */
static void
boot_all(struct boot *b, int nthreads)
{
	pthread_t th[AGREE_MAX_THREADS];
	struct boot_worker w[AGREE_MAX_THREADS];
	int started[AGREE_MAX_THREADS];
	int t;

	if (nthreads > b->nrep)
		nthreads = b->nrep;
	if (nthreads < 1)
		nthreads = 1;
	for (t = 0; t < nthreads; t++) {
		w[t].b = b;
		w[t].first = t;
		w[t].step = nthreads;
		started[t] = 0;
	}
	for (t = 1; t < nthreads; t++)
		started[t] = pthread_create(&th[t], NULL, boot_run, &w[t]) == 0;
	boot_run(&w[0]);
	for (t = 1; t < nthreads; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			boot_run(&w[t]);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Quantile p of sorted x[0..n-1] by linear interpolation between order
 * statistics (Hyndman and Fan 1996, definition 7; R's and numpy's
 * default).
 */
static double
quantile(const double *x, int n, double p)
{
	double h = (n - 1) * p;
	int i = (int)floor(h);

	if (i >= n - 1)
		return x[n - 1];
	if (i < 0)
		return x[0];
	return x[i] + (h - i) * (x[i + 1] - x[i]);
}

/*
 * The percentile interval (Efron and Tibshirani, "An Introduction to the
 * Bootstrap", 1993, ch. 13): the (1-c)/2 and (1+c)/2 quantiles of the
 * replicates.  Sorts v in place.
 */
static void
percentile_ci(double *v, int n, double conf, struct agree_ci *ci)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	ci->lo = quantile(v, n, (1 - conf) / 2);
	ci->hi = quantile(v, n, (1 + conf) / 2);
	ci->defined = 1;
	ci->why = NULL;
}

/*
 * The cumulative item counts per pattern and the guide table over them,
 * or each position's pattern (struct boot), into b->cum and b->guide or
 * b->bypos, which the caller frees.
 */
static void
boot_guide(struct boot *b, const uint32_t *count)
{
	const struct agree_patterns *pt = b->pt;
	uint32_t *cum, *bypos, p, g, ng, lo, hi, q;
	uint16_t *guide;

	cum = xcalloc((size_t)pt->n + 1, sizeof *cum);
	for (p = 0; p < pt->n; p++)
		cum[p + 1] = cum[p] + count[p];
	b->cum = cum;
	if (pt->n > BOOT_GUIDE_PATTERNS) {
		bypos = xcalloc((size_t)b->nitems + 1, sizeof *bypos);
		for (p = 0; p < pt->n; p++)
			for (q = cum[p]; q < cum[p + 1]; q++)
				bypos[q] = p;
		b->bypos = bypos;
		return;
	}
	ng = (uint32_t)1 << BOOT_GBITS;
	guide = xcalloc(ng, sizeof *guide);
	for (g = 0, p = 0; g < ng; g++) {
		/*
		 * The smallest and the largest position a draw in this entry
		 * can give (boot_take: floor(x nitems / 2^32)).
		 */
		lo = (uint32_t)(((uint64_t)g << (32 - BOOT_GBITS)) *
		    b->nitems >> 32);
		hi = (uint32_t)(((((uint64_t)g + 1) << (32 - BOOT_GBITS)) - 1) *
		    b->nitems >> 32);
		while (cum[p + 1] <= lo)
			p++;
		guide[g] = (uint16_t)(cum[p + 1] > hi ? p : p | BOOT_MIXED);
	}
	b->guide = guide;
}

/* Each labeler's HLP interval from the replicates b ran. */
static void
boot_labeler_intervals(
    struct boot *b, double confidence, struct agree_result *r)
{
	int j, rep, B = b->nrep;

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
		if (ok)
			percentile_ci(
			    b->lab + (size_t)j * B, B, confidence, &l->hlp_ci);
		else
			ci_undefined(&l->hlp_ci, AGREE_WHY_FEW_ITEMS);
	}
}

void
agree_bootstrap(const struct agree_input *in, const struct agree_opts *o,
    const struct agree_patterns *pt, const uint32_t *count, uint32_t npat,
    struct agree_result *r)
{
	struct boot b;
	int L = in->nlabelers, B = o->bootstrap;

	if (B == 0 || npat == 0)
		return;
	memset(&b, 0, sizeof b);
	b.pt = pt;
	b.nitems = npat;
	b.nlabelers = L;
	b.nrep = B;
	b.seed = o->seed;
	boot_guide(&b, count);
	b.team = xcalloc((size_t)B, sizeof *b.team);
	b.lab = xcalloc((size_t)B * (size_t)(L > 0 ? L : 1), sizeof *b.lab);
	b.labok = xcalloc((size_t)B * (size_t)(L > 0 ? L : 1), sizeof *b.labok);
	boot_all(&b, boot_threads(o->threads, (uint64_t)B * npat));
	r->bootstrap = B;
	percentile_ci(b.team, B, o->confidence, &r->team_hlp_ci);
	boot_labeler_intervals(&b, o->confidence, r);
	free(b.team);
	free(b.lab);
	free(b.labok);
	free((void *)b.cum);
	free((void *)b.guide);
	free((void *)b.bypos);
}
