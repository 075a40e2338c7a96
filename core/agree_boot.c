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
	uint32_t half; /* the unused low half of the last output */
	int have;
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
	r->have = 0;
}

/* 32 random bits: the high, then the low half of each 64-bit output. */
static inline uint32_t
rng_u32(struct rng *r)
{
	uint64_t v;

	if (r->have) {
		r->have = 0;
		return r->half;
	}
	v = rng_next(r);
	r->half = (uint32_t)v;
	r->have = 1;
	return (uint32_t)(v >> 32);
}

/*
 * A uniform integer in [0, s), exactly: Lemire, "Fast random integer
 * generation in an interval", ACM TOMACS 2019 (multiply, and reject the
 * few low products that would bias the result).  *xp receives the 32-bit
 * draw the result came from: the result is floor(x s / 2^32), monotone in
 * x, which the bootstrap's guide table relies on.
 */
static inline uint32_t
rng_below(struct rng *r, uint32_t s, uint32_t *xp)
{
	uint32_t x = rng_u32(r);
	uint64_t m = (uint64_t)x * s;
	uint32_t l = (uint32_t)m;

	if (l < s) {
		uint32_t t = (0U - s) % s;

		while (l < t) {
			x = rng_u32(r);
			m = (uint64_t)x * s;
			l = (uint32_t)m;
		}
	}
	*xp = x;
	return (uint32_t)(m >> 32);
}

/*
 * The bootstrap's shared state; each worker writes only its replicates.
 *
 * Only an item's pattern matters, so drawing an item uniformly is drawing
 * a position in the items sorted by pattern: pattern p holds positions
 * cum[p] to cum[p + 1] - 1.  The guide table maps the top gbits bits of
 * the 32-bit draw to the first pattern those draws can land in, so a draw
 * costs one look-up in a table that stays in L1 cache instead of a random
 * read of an items-long array (Chen and Asau's guide table, 1974).
 */
struct boot {
	const struct agree_patterns *pt;
	const uint32_t *cum;   /* pt->n + 1 cumulative item counts */
	const uint32_t *guide; /* 1 << gbits entries */
	int gbits;
	uint32_t nitems;
	int nlabelers;
	int nrep;
	uint64_t seed;
	double *team;         /* nrep */
	double *lab;          /* nlabelers x nrep */
	unsigned char *labok; /* nlabelers x nrep: labeler scored */
};

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
	uint32_t *hist = xcalloc(pt->n, sizeof *hist);
	double *lc = xcalloc((size_t)b->nlabelers, sizeof *lc);
	double *lw = xcalloc((size_t)b->nlabelers, sizeof *lw);
	double *credit = xcalloc((size_t)b->nlabelers + 1, sizeof *credit);
	struct rng r;
	uint32_t i, p, e, h, x, pos, n = b->nitems;
	int rep, j, shift = 32 - b->gbits;

	/* A tie has fewer classes than labelers: codes are 0..nlabelers. */
	for (j = 0; j <= b->nlabelers; j++)
		credit[j] = judgement_credit((uint32_t)j);

	for (rep = w->first; rep < b->nrep; rep += w->step) {
		double tc = 0, tw = 0;

		memset(hist, 0, pt->n * sizeof *hist);
		memset(lc, 0, (size_t)b->nlabelers * sizeof *lc);
		memset(lw, 0, (size_t)b->nlabelers * sizeof *lw);
		rng_seed(&r, b->seed, (uint64_t)rep);
		for (i = 0; i < n; i++) {
			pos = rng_below(&r, n, &x);
			p = b->guide[x >> shift];
			while (b->cum[p + 1] <= pos)
				p++;
			hist[p]++;
		}
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
 * The cumulative item counts per pattern and the guide table over them
 * (struct boot), into b->cum and b->guide, which the caller frees.
 */
static void
boot_guide(struct boot *b, const uint32_t *count)
{
	const struct agree_patterns *pt = b->pt;
	uint32_t *cum, *guide, p, g, ng;

	cum = xcalloc((size_t)pt->n + 1, sizeof *cum);
	for (p = 0; p < pt->n; p++)
		cum[p + 1] = cum[p] + count[p];
	/* About four entries per pattern, 2^8 to 2^16 of them. */
	b->gbits = 8;
	while (b->gbits < 16 && ((uint32_t)1 << b->gbits) < 4 * pt->n)
		b->gbits++;
	ng = (uint32_t)1 << b->gbits;
	guide = xcalloc(ng, sizeof *guide);
	for (g = 0, p = 0; g < ng; g++) {
		/* The smallest position a draw in this entry can give. */
		uint32_t lo =
		    (uint32_t)(((uint64_t)g << (32 - b->gbits)) * b->nitems >>
			32);

		while (cum[p + 1] <= lo)
			p++;
		guide[g] = p;
	}
	b->cum = cum;
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
}
