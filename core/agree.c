/*
 * agree.c: agreement statistics and HLP on a ratings matrix.
 *
 * One pass over the items builds everything the statistics need: per-item
 * class counts (a scratch vector touched only at the classes present, so a
 * pass costs O(labels on the item squared), never O(classes)), the pooled
 * labeler-vs-labeler confusion, Krippendorff's coincidence matrix, the
 * per-pair tables for Cohen's kappa, Gwet's item-averaged proportions and
 * each (labeler, item) HLP judgement.  The statistics are then closed
 * formulas on those sums.
 *
 * The HLP bootstrap resamples items.  An item enters HLP only through the
 * list of its (labeler, judgement) pairs, and on real data few distinct
 * lists exist (200,000 items x 5 labelers x 3 classes give about 160), so
 * items are mapped to pattern ids once and a replicate is N uniform draws
 * counted per pattern followed by a pass over the patterns.  Each
 * replicate seeds its own generator from (seed, replicate number), so the
 * intervals do not depend on how many threads ran them.
 *
 * docs/statistics.md states every definition; the comments cite sources.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/agree.h"
#include "accord/util.h"

/*
 * Limits that keep memory bounded: the k x k matrices and the per-pair
 * marginals (2k counts for each of L(L-1)/2 pairs).
 */
#define AGREE_MAX_CLASSES 4096
#define AGREE_MAX_LABELERS 65535
#define AGREE_MAX_PAIR_CELLS ((size_t)1 << 27)
#define AGREE_MAX_THREADS 8

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

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

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
 * HLP judgements.  A judgement is one labeler's label on one item scored
 * against a reference; code 0 means it missed, code t >= 1 means credit
 * 1/t (1: matched; t >= 2: the label is one of t classes tied for the
 * leave-one-out majority, so it matches a uniformly broken tie with
 * probability 1/t).
 */
struct judgement {
	uint16_t labeler; /* AGREE_MAX_LABELERS keeps both in 16 bits */
	uint16_t code;
};

static inline double
judgement_credit(uint32_t code)
{
	return code == 0 ? 0.0 : 1.0 / code;
}

/* Distinct per-item judgement lists, with an open-addressing index. */
struct patterns {
	uint32_t n, cap;
	uint32_t *off, *len;
	uint64_t *hash;
	double *credit; /* sum of the list's credits */
	struct judgement *pool;
	size_t npool, cappool;
	uint32_t *table; /* pattern id + 1, 0 empty */
	uint32_t tsize;  /* power of two */
};

static uint64_t
patterns_hash(const struct judgement *j, uint32_t n)
{
	uint64_t h = 0x84222325cbf29ce4ULL ^ n;
	uint32_t i;

	for (i = 0; i < n; i++) {
		h ^= ((uint64_t)j[i].labeler << 32) | j[i].code;
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h;
}

static void
patterns_rehash(struct patterns *pt, uint32_t tsize)
{
	uint32_t i, slot;

	free(pt->table);
	pt->table = xcalloc(tsize, sizeof *pt->table);
	pt->tsize = tsize;
	for (i = 0; i < pt->n; i++) {
		slot = (uint32_t)pt->hash[i] & (tsize - 1);
		while (pt->table[slot] != 0)
			slot = (slot + 1) & (tsize - 1);
		pt->table[slot] = i + 1;
	}
}

/* The id of the list j[0..n-1], added if new. */
static uint32_t
patterns_id(struct patterns *pt, const struct judgement *j, uint32_t n)
{
	uint64_t h = patterns_hash(j, n);
	uint32_t slot, id, i;
	double credit = 0;

	if (pt->tsize == 0 || (uint64_t)(pt->n + 1) * 2 > pt->tsize)
		patterns_rehash(pt, pt->tsize == 0 ? 1024 : pt->tsize * 2);
	slot = (uint32_t)h & (pt->tsize - 1);
	while ((id = pt->table[slot]) != 0) {
		id--;
		if (pt->hash[id] == h && pt->len[id] == n &&
		    memcmp(pt->pool + pt->off[id], j, n * sizeof *j) == 0)
			return id;
		slot = (slot + 1) & (pt->tsize - 1);
	}
	if (pt->n == pt->cap) {
		pt->cap = pt->cap == 0 ? 256 : pt->cap * 2;
		pt->off = xreallocarray(pt->off, pt->cap, sizeof *pt->off);
		pt->len = xreallocarray(pt->len, pt->cap, sizeof *pt->len);
		pt->hash = xreallocarray(pt->hash, pt->cap, sizeof *pt->hash);
		pt->credit =
		    xreallocarray(pt->credit, pt->cap, sizeof *pt->credit);
	}
	if (pt->npool + n > pt->cappool) {
		while (pt->npool + n > pt->cappool)
			pt->cappool = pt->cappool == 0 ? 1024 : pt->cappool * 2;
		pt->pool =
		    xreallocarray(pt->pool, pt->cappool, sizeof *pt->pool);
	}
	id = pt->n++;
	memcpy(pt->pool + pt->npool, j, n * sizeof *j);
	pt->off[id] = (uint32_t)pt->npool;
	pt->len[id] = n;
	pt->hash[id] = h;
	for (i = 0; i < n; i++)
		credit += judgement_credit(j[i].code);
	pt->credit[id] = credit;
	pt->npool += n;
	pt->table[slot] = id + 1;
	return id;
}

static void
patterns_free(struct patterns *pt)
{
	free(pt->off);
	free(pt->len);
	free(pt->hash);
	free(pt->credit);
	free(pt->pool);
	free(pt->table);
	memset(pt, 0, sizeof *pt);
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
	const struct patterns *pt;
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
	const struct patterns *pt = b->pt;
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
			const struct judgement *jl;
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

static void
set_value(struct agree_stat *s, double v)
{
	s->value = v;
	s->defined = 1;
	s->why = NULL;
}

static void
set_undefined(struct agree_stat *s, const char *why)
{
	s->value = 0;
	s->defined = 0;
	s->why = why;
}

static void
ci_undefined(struct agree_ci *ci, const char *why)
{
	ci->lo = ci->hi = 0;
	ci->defined = 0;
	ci->why = why;
}

/* Index of the pair a < b among L labelers, in the order (0,1), (0,2)... */
static inline size_t
pair_index(int a, int b, int L)
{
	return (size_t)a * (size_t)(2 * L - a - 1) / 2 + (size_t)(b - a - 1);
}

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

void
agree_opts_init(struct agree_opts *opts)
{
	opts->bootstrap = 1000;
	opts->seed = 1;
	opts->confidence = 0.95;
	opts->threads = 0;
}

static int
check_input(
    const struct agree_input *in, const struct agree_opts *o, char **cause)
{
	int k = in->nclasses, i, j;
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
	if (in->cells == NULL && in->nitems > 0 && in->nlabelers > 0)
		return acc_error(cause, "no ratings matrix");
	for (i = 0; i < in->nitems; i++) {
		for (j = 0; j < in->nlabelers; j++) {
			at = (size_t)i * (size_t)in->nlabelers + (size_t)j;
			if (in->cells[at] < -1 || in->cells[at] >= k)
				return acc_error(cause,
				    "item %d, labeler %d: "
				    "class %d out of range",
				    i, j, in->cells[at]);
		}
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

/* Everything the single pass accumulates. */
struct sums {
	int k, L;
	long long *conf;    /* k x k pooled confusion */
	double *coinc;      /* k x k coincidence matrix */
	long long *npair_c; /* values per class on pairable items */
	long long *used_c;  /* labels per class, all items */
	double *pi_sum;     /* sum over labeled items of n_uc / m_u */
	double pa_sum;      /* sum over pairable items of P_u */
	int unanimous;

	/* Per pair: shared items, agreements, and both marginals. */
	int *pn, *pagree, *pma, *pmb;

	long long *lab_n;   /* labels per labeler */
	long long *lab_cls; /* L x k: labels per labeler and class */
	int *lab_shared, *lab_gold, *lab_gold_ok;
	double *lab_credit;
	int *lab_scored;
	double *cls_credit, *cls_weight;
	double team_credit;
	long long team_scored;
	int any_ref; /* some item has a reference or gold */
};

/*
 * Score labeler `lab`'s label x on one item whose class counts are cnt
 * over the nd classes in pres[] (m labels in all); ref is the item's
 * reference (adjudicated, else gold) or -1.  Returns 0 when there is no
 * reference (no reference and no other label), else 1 with *code set.
 */
static int
hlp_judge(struct sums *s, int x, int ref, const int *cnt, const int *pres,
    int nd, int m, uint32_t *code)
{
	int d, c, n, best = 0, tied = 0, in_tie;

	if (ref >= 0) {
		s->cls_weight[ref] += 1;
		if (x == ref) {
			s->cls_credit[ref] += 1;
			*code = 1;
		} else
			*code = 0;
		return 1;
	}
	if (m < 2)
		return 0;
	/*
	 * Leave-one-out majority: the most frequent class among the other
	 * labels.  A tie among t classes is broken uniformly at random in
	 * expectation: each tied class is the reference with weight 1/t.
	 */
	for (d = 0; d < nd; d++) {
		c = pres[d];
		n = cnt[c] - (c == x);
		if (n > best) {
			best = n;
			tied = 1;
		} else if (n == best && n > 0)
			tied++;
	}
	in_tie = cnt[x] - 1 == best;
	for (d = 0; d < nd; d++) {
		c = pres[d];
		if (cnt[c] - (c == x) == best)
			s->cls_weight[c] += 1.0 / tied;
	}
	if (in_tie) {
		s->cls_credit[x] += 1.0 / tied;
		*code = (uint32_t)tied;
	} else
		*code = 0;
	return 1;
}

static void
sums_init(struct sums *s, int k, int L)
{
	size_t np = (size_t)L * (size_t)(L > 0 ? L - 1 : 0) / 2;

	memset(s, 0, sizeof *s);
	s->k = k;
	s->L = L;
	s->conf = xcalloc((size_t)k * k, sizeof *s->conf);
	s->coinc = xcalloc((size_t)k * k, sizeof *s->coinc);
	s->npair_c = xcalloc((size_t)k, sizeof *s->npair_c);
	s->used_c = xcalloc((size_t)k, sizeof *s->used_c);
	s->pi_sum = xcalloc((size_t)k, sizeof *s->pi_sum);
	s->pn = xcalloc(np, sizeof *s->pn);
	s->pagree = xcalloc(np, sizeof *s->pagree);
	s->pma = xcalloc(np * k, sizeof *s->pma);
	s->pmb = xcalloc(np * k, sizeof *s->pmb);
	s->lab_n = xcalloc((size_t)L, sizeof *s->lab_n);
	s->lab_cls = xcalloc((size_t)L * k, sizeof *s->lab_cls);
	s->lab_shared = xcalloc((size_t)L, sizeof *s->lab_shared);
	s->lab_gold = xcalloc((size_t)L, sizeof *s->lab_gold);
	s->lab_gold_ok = xcalloc((size_t)L, sizeof *s->lab_gold_ok);
	s->lab_credit = xcalloc((size_t)L, sizeof *s->lab_credit);
	s->lab_scored = xcalloc((size_t)L, sizeof *s->lab_scored);
	s->cls_credit = xcalloc((size_t)k, sizeof *s->cls_credit);
	s->cls_weight = xcalloc((size_t)k, sizeof *s->cls_weight);
}

static void
sums_free(struct sums *s)
{
	free(s->conf);
	free(s->coinc);
	free(s->npair_c);
	free(s->used_c);
	free(s->pi_sum);
	free(s->pn);
	free(s->pagree);
	free(s->pma);
	free(s->pmb);
	free(s->lab_n);
	free(s->lab_cls);
	free(s->lab_shared);
	free(s->lab_gold);
	free(s->lab_gold_ok);
	free(s->lab_credit);
	free(s->lab_scored);
	free(s->cls_credit);
	free(s->cls_weight);
}

/*
 * The pass over the items.  Fills s, r's item counts and the pattern
 * table; *count (grown here, caller frees) receives the number of items
 * of each pattern and *npat the number of items holding a judgement.
 */
static void
scan(const struct agree_input *in, struct sums *s, struct agree_result *r,
    struct patterns *pt, uint32_t **count, uint32_t *npat)
{
	int L = in->nlabelers, k = in->nclasses;
	int *cnt = xcalloc((size_t)k, sizeof *cnt);
	int *pres = xcalloc((size_t)(L > 0 ? L : 1), sizeof *pres);
	int *lab = xcalloc((size_t)(L > 0 ? L : 1), sizeof *lab);
	int *cls = xcalloc((size_t)(L > 0 ? L : 1), sizeof *cls);
	struct judgement *jl = xcalloc((size_t)(L > 0 ? L : 1), sizeof *jl);
	int u, j, m, nd, p, q, c, d, x, ref, g, nj;
	uint32_t code, id, ncount = 0;

	*npat = 0;
	for (u = 0; L > 0 && u < in->nitems; u++) {
		const int *row = in->cells + (size_t)u * (size_t)L;

		m = nd = 0;
		for (j = 0; j < L; j++) {
			if ((x = row[j]) < 0)
				continue;
			lab[m] = j;
			cls[m] = x;
			m++;
			if (cnt[x]++ == 0)
				pres[nd++] = x;
			s->lab_n[j]++;
			s->lab_cls[(size_t)j * k + x]++;
			s->used_c[x]++;
		}
		if (m == 0)
			continue;
		r->nlabeled++;
		r->nlabels += m;
		/*
		 * Gwet (2008), multiple raters: pi_q = (1/n) sum_i r_iq / r_i
		 * over the items with at least one rating (Gwet 2014 for
		 * missing ratings).
		 */
		for (d = 0; d < nd; d++)
			s->pi_sum[pres[d]] += (double)cnt[pres[d]] / m;
		if (m >= 2) {
			long long same = 0;

			r->npairable++;
			if (nd == 1)
				s->unanimous++;
			/*
			 * Pooled confusion: ordered pairs of different
			 * labelers, n_c (n_d - [c = d]).  Krippendorff (2011)
			 * sec. C: the coincidence matrix counts the same
			 * pairs weighted 1 / (m_u - 1), so each unit
			 * contributes its m_u pairable values once.
			 */
			for (p = 0; p < nd; p++) {
				c = pres[p];
				s->npair_c[c] += cnt[c];
				for (q = 0; q < nd; q++) {
					long long v;

					d = pres[q];
					v = c == d
					    ? (long long)cnt[c] * (cnt[c] - 1)
					    : (long long)cnt[c] * cnt[d];
					s->conf[(size_t)c * k + d] += v;
					s->coinc[(size_t)c * k + d] +=
					    (double)v / (m - 1);
				}
				same += (long long)cnt[c] * (cnt[c] - 1);
			}
			/*
			 * Fleiss (1971): P_i = sum_j n_ij (n_ij - 1) /
			 * (n (n - 1)), with the item's own n (Gwet 2014).
			 */
			s->pa_sum += (double)same / ((double)m * (m - 1));
			/* Cohen (1960) tables, one per pair, shared items. */
			for (p = 0; p < m; p++) {
				s->lab_shared[lab[p]]++;
				for (q = p + 1; q < m; q++) {
					size_t pi =
					    pair_index(lab[p], lab[q], L);

					s->pn[pi]++;
					s->pagree[pi] += cls[p] == cls[q];
					s->pma[pi * k + cls[p]]++;
					s->pmb[pi * k + cls[q]]++;
				}
			}
		}
		g = in->gold != NULL ? in->gold[u] : -1;
		ref = in->reference != NULL ? in->reference[u] : -1;
		if (ref < 0)
			ref = g;
		if (ref >= 0)
			s->any_ref = 1;
		nj = 0;
		for (p = 0; p < m; p++) {
			if (g >= 0) {
				s->lab_gold[lab[p]]++;
				s->lab_gold_ok[lab[p]] += cls[p] == g;
			}
			if (!hlp_judge(s, cls[p], ref, cnt, pres, nd, m, &code))
				continue;
			s->lab_scored[lab[p]]++;
			s->lab_credit[lab[p]] += judgement_credit(code);
			s->team_credit += judgement_credit(code);
			s->team_scored++;
			jl[nj].labeler = (uint16_t)lab[p];
			jl[nj].code = (uint16_t)code;
			nj++;
		}
		if (nj > 0) {
			id = patterns_id(pt, jl, (uint32_t)nj);
			if (id >= ncount) {
				*count = xreallocarray(
				    *count, pt->cap, sizeof **count);
				memset(*count + ncount, 0,
				    (pt->cap - ncount) * sizeof **count);
				ncount = pt->cap;
			}
			(*count)[id]++;
			(*npat)++;
		}
		for (d = 0; d < nd; d++)
			cnt[pres[d]] = 0;
	}
	free(cnt);
	free(pres);
	free(lab);
	free(cls);
	free(jl);
}

/* Why the multi-labeler statistics are undefined, or NULL. */
static const char *
why_base(const struct agree_result *r)
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
kalpha(const struct sums *s, int metric)
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

static void
stats_global(
    const struct agree_input *in, const struct sums *s, struct agree_result *r)
{
	const char *base = why_base(r);
	int k = in->nclasses, L = in->nlabelers, c, nused = 0, npair_used = 0;
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
		set_undefined(&r->alpha_nominal, base);
		set_undefined(
		    &r->alpha_ordinal, in->ordinal ? base : AGREE_WHY_NOMINAL);
		set_undefined(
		    &r->alpha_interval, in->ordinal ? base : AGREE_WHY_NOMINAL);
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

	/*
	 * Fleiss (1971): kappa = (P-bar - P-bar_e) / (1 - P-bar_e), P-bar_e
	 * = sum_j p_j^2.  With a varying number of labels per item, p_j is
	 * the mean over labeled items of the item's share of class j (Gwet
	 * 2014; irrCAC fleiss.kappa.raw), which is Fleiss' p_j when every
	 * item has n labels.  P-bar_e = 1 only if one class is ever used.
	 */
	if (nused < 2)
		set_undefined(&r->fleiss, AGREE_WHY_ONE_CLASS);
	else {
		pe = 0;
		for (c = 0; c < k; c++) {
			double p = s->pi_sum[c] / r->nlabeled;

			pe += p * p;
		}
		set_value(&r->fleiss, (pa - pe) / (1 - pe));
	}

	/*
	 * Conger (1980): chance agreement is the mean over labeler pairs
	 * (g, h) of sum_k p_gk p_hk, p_gk being labeler g's share of class k
	 * over all the items g labeled (Gwet 2014, irrCAC conger.kappa.raw,
	 * for missing labels).  With complete data this is Davies and Fleiss
	 * (1982), NLTK's multi_kappa.  Labelers without labels take no part.
	 */
	if (nused < 2)
		set_undefined(&r->conger, AGREE_WHY_ONE_CLASS);
	else {
		/* sum_{g != h} p_gk p_hk = (sum_g p_gk)^2 - sum_g p_gk^2 */
		double tot, sq, p;
		int ng = r->nactive, j;

		pe = 0;
		for (c = 0; c < k; c++) {
			tot = sq = 0;
			for (j = 0; j < L; j++) {
				if (s->lab_n[j] == 0)
					continue;
				p = (double)s->lab_cls[(size_t)j * k + c] /
				    (double)s->lab_n[j];
				tot += p;
				sq += p * p;
			}
			pe += tot * tot - sq;
		}
		pe /= (double)ng * (ng - 1);
		set_value(&r->conger, (pa - pe) / (1 - pe));
	}

	/*
	 * Gwet (2008) AC1 for multiple raters: gamma = (p_a - p_e) / (1 -
	 * p_e), p_e = sum_q pi_q (1 - pi_q) / (Q - 1), Q the number of
	 * classes on the scale (used or not).  Q = 1 leaves no chance term.
	 */
	if (k < 2)
		set_undefined(&r->ac1, AGREE_WHY_ONE_CLASS);
	else {
		pe = 0;
		for (c = 0; c < k; c++) {
			double p = s->pi_sum[c] / r->nlabeled;

			pe += p * (1 - p);
		}
		pe /= k - 1;
		set_value(&r->ac1, (pa - pe) / (1 - pe));
	}

	/*
	 * Krippendorff (2011): D_e = 0 exactly when every pairable value is
	 * one class, and alpha is then undefined (0/0).
	 */
	if (npair_used < 2) {
		set_undefined(&r->alpha_nominal, AGREE_WHY_ONE_CLASS);
		set_undefined(&r->alpha_ordinal,
		    in->ordinal ? AGREE_WHY_ONE_CLASS : AGREE_WHY_NOMINAL);
		set_undefined(&r->alpha_interval,
		    in->ordinal ? AGREE_WHY_ONE_CLASS : AGREE_WHY_NOMINAL);
	} else {
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

/*
 * Cohen (1960) for every pair on the items both labeled: kappa = (p_o -
 * p_c) / (1 - p_c), p_c = sum_j p_j. p_.j from the pair's marginals.
 * p_c = 1 (both used one and the same class only) leaves it undefined.
 */
static void
stats_pairs(
    const struct agree_input *in, const struct sums *s, struct agree_result *r)
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
		    why_base(r) != NULL ? why_base(r) : AGREE_WHY_ONE_CLASS);
}

static void
stats_classes(
    const struct agree_input *in, const struct sums *s, struct agree_result *r)
{
	int k = in->nclasses, c, d, n = 0;
	long long row, total = 0;
	const char *base = why_base(r);

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
why_hlp(const struct sums *s, const struct agree_result *r, long long nlab)
{
	if (nlab == 0)
		return AGREE_WHY_NO_LABELS;
	if (!s->any_ref && r->nactive < 2)
		return AGREE_WHY_ONE_LABELER;
	return AGREE_WHY_NO_REFERENCE;
}

static void
stats_labelers(
    const struct agree_input *in, const struct sums *s, struct agree_result *r)
{
	int L = in->nlabelers, j, o, ndef;
	long long agree, pairs;
	double ksum;

	r->labelers = xcalloc((size_t)(L > 0 ? L : 1), sizeof *r->labelers);
	for (j = 0; j < L; j++) {
		struct agree_labeler *l = &r->labelers[j];

		l->nlabels = s->lab_n[j];
		l->nshared = s->lab_shared[j];
		agree = pairs = 0;
		ksum = 0;
		ndef = 0;
		for (o = 0; o < L; o++) {
			const struct agree_pair *p;

			if (o == j)
				continue;
			p = &r->pairs[o < j ? pair_index(o, j, L)
					    : pair_index(j, o, L)];
			agree += s->pagree[o < j ? pair_index(o, j, L)
						 : pair_index(j, o, L)];
			pairs += p->nshared;
			if (p->kappa.defined) {
				ksum += p->kappa.value;
				ndef++;
			}
		}
		/*
		 * Agreement with the others: of all pairs (this labeler,
		 * another) on the same item, the share that agree.
		 */
		if (l->nlabels == 0) {
			set_undefined(&l->agree_others, AGREE_WHY_NO_LABELS);
			set_undefined(&l->kappa_mean, AGREE_WHY_NO_LABELS);
		} else if (pairs == 0) {
			set_undefined(&l->agree_others,
			    r->nactive < 2 ? AGREE_WHY_ONE_LABELER
					   : AGREE_WHY_NO_SHARED);
			set_undefined(&l->kappa_mean,
			    r->nactive < 2 ? AGREE_WHY_ONE_LABELER
					   : AGREE_WHY_NO_SHARED);
		} else {
			set_value(&l->agree_others, (double)agree / pairs);
			if (ndef > 0)
				set_value(&l->kappa_mean, ksum / ndef);
			else
				set_undefined(
				    &l->kappa_mean, AGREE_WHY_ONE_CLASS);
		}
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
	if (s->team_scored > 0)
		set_value(&r->team_hlp, s->team_credit / s->team_scored);
	else
		set_undefined(&r->team_hlp, why_hlp(s, r, r->nlabels));
	ci_undefined(&r->team_hlp_ci,
	    r->team_hlp.defined ? AGREE_WHY_NO_BOOTSTRAP : r->team_hlp.why);
}

static void
bootstrap(const struct agree_input *in, const struct agree_opts *o,
    const struct patterns *pt, const uint32_t *count, uint32_t npat,
    struct agree_result *r)
{
	struct boot b;
	int L = in->nlabelers, j, rep, B = o->bootstrap;
	uint32_t *cum, *guide, p, g, ng;

	if (B == 0 || npat == 0)
		return;
	memset(&b, 0, sizeof b);
	cum = xcalloc((size_t)pt->n + 1, sizeof *cum);
	for (p = 0; p < pt->n; p++)
		cum[p + 1] = cum[p] + count[p];
	/* About four entries per pattern, 2^8 to 2^16 of them. */
	b.gbits = 8;
	while (b.gbits < 16 && ((uint32_t)1 << b.gbits) < 4 * pt->n)
		b.gbits++;
	ng = (uint32_t)1 << b.gbits;
	guide = xcalloc(ng, sizeof *guide);
	for (g = 0, p = 0; g < ng; g++) {
		/* The smallest position a draw in this entry can give. */
		uint32_t lo =
		    (uint32_t)(((uint64_t)g << (32 - b.gbits)) * npat >> 32);

		while (cum[p + 1] <= lo)
			p++;
		guide[g] = p;
	}
	b.pt = pt;
	b.cum = cum;
	b.guide = guide;
	b.nitems = npat;
	b.nlabelers = L;
	b.nrep = B;
	b.seed = o->seed;
	b.team = xcalloc((size_t)B, sizeof *b.team);
	b.lab = xcalloc((size_t)B * (size_t)(L > 0 ? L : 1), sizeof *b.lab);
	b.labok = xcalloc((size_t)B * (size_t)(L > 0 ? L : 1), sizeof *b.labok);
	boot_all(&b, boot_threads(o->threads, (uint64_t)B * npat));
	r->bootstrap = B;
	percentile_ci(b.team, B, o->confidence, &r->team_hlp_ci);
	for (j = 0; j < L; j++) {
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
			ok &= b.labok[(size_t)j * B + rep];
		if (ok)
			percentile_ci(b.lab + (size_t)j * B, B, o->confidence,
			    &l->hlp_ci);
		else
			ci_undefined(&l->hlp_ci, AGREE_WHY_FEW_ITEMS);
	}
	free(b.team);
	free(b.lab);
	free(b.labok);
	free(cum);
	free(guide);
}

int
agree_compute(const struct agree_input *in, const struct agree_opts *opts,
    struct agree_result *out, char **cause)
{
	struct agree_opts defaults;
	struct sums s;
	struct patterns pt;
	uint32_t *count = NULL, npat;
	int j;

	memset(out, 0, sizeof *out);
	if (opts == NULL) {
		agree_opts_init(&defaults);
		opts = &defaults;
	}
	if (check_input(in, opts, cause) != 0)
		return -1;
	out->nitems = in->nitems;
	out->nlabelers = in->nlabelers;
	out->nclasses = in->nclasses;

	sums_init(&s, in->nclasses, in->nlabelers);
	memset(&pt, 0, sizeof pt);
	scan(in, &s, out, &pt, &count, &npat);
	out->hlp_items = (int)npat;
	for (j = 0; j < in->nlabelers; j++)
		out->nactive += s.lab_n[j] > 0;

	stats_global(in, &s, out);
	stats_pairs(in, &s, out);
	stats_classes(in, &s, out);
	stats_labelers(in, &s, out);
	bootstrap(in, opts, &pt, count, npat, out);

	free(count);
	patterns_free(&pt);
	sums_free(&s);
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
