/*
 * errors.c: where a run of model predictions falls short of people
 * (include/accord/errors.h); errors_import.c imports the runs.
 *
 * The analysis is Andrew Ng's error analysis by tag ("Machine Learning
 * Yearning", 2018, ch. 14-19; "Data-centric AI" course, 2021): per group
 * of items, how much data it holds, how accurate the model is there, and
 * how far it is from human-level performance (HLP) there.  The product of
 * the gap and the group's share of the data is what closing that gap
 * would add to overall accuracy, so groups are sorted by it.
 *
 * For the gap to mean "how far from human level", the model is measured
 * exactly as a person is (errors_item_credit): against the adjudicated or
 * gold class where one exists, else against the other people on the item,
 * on the same items, each item once.  A model that behaves like one more
 * person then has a gap of 0 in expectation at any overlap.  Formulas and
 * the intervals: docs/statistics.md, "Error analysis".
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/errors.h"
#include "accord/project.h"
#include "agree_int.h"
#include "internal.h"
#include "interval.h"

#define NO_TAG "(no tag)"
#define ALL_ITEMS "all items"

/* Items */

/* The item's reference: its adjudicated class, else its gold class. */
static int
item_reference(const struct ratings *r, int i)
{
	if (r->reference != NULL && r->reference[i] >= 0)
		return r->reference[i];
	if (r->gold != NULL && r->gold[i] >= 0)
		return r->gold[i];
	return -1;
}

/*
 * h and c of item i (errors.h), from count[] (nclasses entries, zero on
 * entry and on return), and the untied majority class in *major (-1:
 * none or a tie).  Returns 1 when h is defined.
 */
static int
item_score(const struct ratings *r, int i, int y, int *count, double *h,
    double *c, int *major)
{
	int ref = item_reference(r, i), m = 0, x, k, top = 0, ntop = 0;
	double pairs = 0;

	*major = -1;
	for (x = r->start[i]; x < r->start[i + 1]; x++) {
		k = r->cls[x];
		if (k < 0 || k >= r->nclasses)
			continue;
		m++;
		/* n (n - 1) grows by 2 (n - 1) when n grows by one. */
		pairs += 2.0 * count[k];
		if (++count[k] > top) {
			top = count[k];
			ntop = 1;
			*major = k;
		} else if (count[k] == top)
			ntop++;
	}
	if (ntop > 1)
		*major = -1;
	*h = *c = 0;
	if (ref >= 0 && m >= 1) {
		*h = (double)count[ref] / m;
		*c = y == ref;
	} else if (m >= 2) {
		*h = pairs / ((double)m * (m - 1));
		*c = y >= 0 && y < r->nclasses ? (double)count[y] / m : 0;
	}
	for (x = r->start[i]; x < r->start[i + 1]; x++)
		if (r->cls[x] >= 0 && r->cls[x] < r->nclasses)
			count[r->cls[x]] = 0;
	return (ref >= 0 && m >= 1) || m >= 2;
}

int
errors_item_credit(const struct ratings *r, int item, int y, double *h,
    double *c)
{
	int *count = xcalloc((size_t)r->nclasses + 1, sizeof *count), major;
	int ok = item_score(r, item, y, count, h, c, &major);

	free(count);
	return ok;
}

/*
 * The consensus class the confusion matrix and the error counts use:
 * the reference, else the untied majority; -1 when the labels tie.
 */
static int
item_consensus(const struct ratings *r, int i, int major)
{
	int ref = item_reference(r, i);

	return ref >= 0 ? ref : major;
}

/* Patterns: scored items that no figure can tell apart */

/*
 * Two scored items with the same groups, h and c add the same to every
 * figure of every replicate, so the bootstrap draws patterns, not items
 * (as agree_boot.c does with judgement lists).  On real data there are
 * few: h and c take a handful of values per overlap.
 */
struct patterns {
	uint32_t n, cap;
	uint32_t *off, *len; /* the pattern's groups in pool */
	double *h, *c;
	uint32_t *count;     /* scored items of the pattern */
	int *pool;
	size_t npool, cappool;
	uint32_t *table;     /* pattern id + 1, 0 empty */
	uint32_t tsize;      /* power of two */
	uint64_t *hash;
};

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static uint64_t
pattern_hash(const int *g, uint32_t n, double h, double c)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL, bits;
	uint32_t k;

	memcpy(&bits, &h, sizeof bits);
	x = mix64(x ^ bits);
	memcpy(&bits, &c, sizeof bits);
	x = mix64(x ^ bits);
	for (k = 0; k < n; k++)
		x = mix64(x ^ (uint64_t)(uint32_t)g[k]);
	return x;
}

static void
patterns_rehash(struct patterns *pt)
{
	uint32_t p, at;

	pt->tsize = pt->tsize ? pt->tsize * 2 : 1024;
	free(pt->table);
	pt->table = xcalloc(pt->tsize, sizeof *pt->table);
	for (p = 0; p < pt->n; p++) {
		at = (uint32_t)pt->hash[p] & (pt->tsize - 1);
		while (pt->table[at] != 0)
			at = (at + 1) & (pt->tsize - 1);
		pt->table[at] = p + 1;
	}
}

/* Count one item of groups g[0..n) (sorted, distinct), h and c. */
static void
patterns_add(struct patterns *pt, const int *g, uint32_t n, double h,
    double c)
{
	uint64_t hash = pattern_hash(g, n, h, c);
	uint32_t at, p;

	if ((uint64_t)(pt->n + 1) * 2 > pt->tsize)
		patterns_rehash(pt);
	at = (uint32_t)hash & (pt->tsize - 1);
	while ((p = pt->table[at]) != 0) {
		p--;
		if (pt->hash[p] == hash && pt->h[p] == h && pt->c[p] == c &&
		    pt->len[p] == n && (n == 0 ||
		    memcmp(pt->pool + pt->off[p], g, n * sizeof *g) == 0)) {
			pt->count[p]++;
			return;
		}
		at = (at + 1) & (pt->tsize - 1);
	}
	if (pt->n == pt->cap) {
		pt->cap = pt->cap ? pt->cap * 2 : 64;
		pt->off = xreallocarray(pt->off, pt->cap, sizeof *pt->off);
		pt->len = xreallocarray(pt->len, pt->cap, sizeof *pt->len);
		pt->h = xreallocarray(pt->h, pt->cap, sizeof *pt->h);
		pt->c = xreallocarray(pt->c, pt->cap, sizeof *pt->c);
		pt->count = xreallocarray(pt->count, pt->cap,
		    sizeof *pt->count);
		pt->hash = xreallocarray(pt->hash, pt->cap, sizeof *pt->hash);
	}
	while (pt->npool + n > pt->cappool) {
		pt->cappool = pt->cappool ? pt->cappool * 2 : 256;
		pt->pool = xreallocarray(pt->pool, pt->cappool,
		    sizeof *pt->pool);
	}
	p = pt->n++;
	pt->off[p] = (uint32_t)pt->npool;
	pt->len[p] = n;
	if (n > 0)
		memcpy(pt->pool + pt->npool, g, n * sizeof *g);
	pt->npool += n;
	pt->h[p] = h;
	pt->c[p] = c;
	pt->count[p] = 1;
	pt->hash[p] = hash;
	pt->table[at] = p + 1;
}

static void
patterns_free(struct patterns *pt)
{
	free(pt->off);
	free(pt->len);
	free(pt->h);
	free(pt->c);
	free(pt->count);
	free(pt->pool);
	free(pt->table);
	free(pt->hash);
	memset(pt, 0, sizeof *pt);
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Rows */

#define STAT(v) ((struct agree_stat){ .value = (v), .defined = 1 })
#define UNDEFINED(w) ((struct agree_stat){ .why = (w) })
#define CI_UNDEFINED(w) ((struct agree_ci){ .why = (w) })

/* The sums a group's figures come from. */
struct gsum {
	double n, h, c; /* items, sum of h, sum of c */
	int errors;
};

static void
row_figures(struct errors_row *row, const struct gsum *s, double total,
    double total_miss)
{
	row->items = (int)s->n;
	row->errors = s->errors;
	row->data_share = total > 0 ? s->n / total : 0;
	row->error_share = total_miss > 0 ? (s->n - s->c) / total_miss : 0;
	if (s->n == 0) {
		row->error_rate = 0;
		row->hlp = row->accuracy = row->gap = row->room =
		    UNDEFINED(ERRORS_WHY_NO_ITEMS);
		return;
	}
	row->hlp = STAT(s->h / s->n);
	row->accuracy = STAT(s->c / s->n);
	row->error_rate = 1 - row->accuracy.value;
	row->gap = STAT((s->h - s->c) / s->n);
	row->room = STAT((s->h - s->c) / total);
}

/*
 * The bootstrap.  Replicate b's resample of the N scored items is a
 * multinomial draw over the patterns (agree_resample_draw), seeded from
 * (seed, b) alone, so every group's figures come from the same resamples
 * (paired) whatever the thread count.  A replicate keeps, per group of
 * the chunk [g0, g1), its items and sums of h and c; the overall row's
 * are kept always.  With very many groups the replicates are drawn again
 * per chunk of groups (the same draws: the same seeds), so memory stays
 * within BOOT_MAX_BYTES.
 */
#define BOOT_MAX_BYTES ((size_t)256 << 20)

struct boot {
	const struct patterns *pt;
	struct agree_resample rs;
	int ngroups, g0, g1, nrep;
	uint64_t seed;
	/* (g - g0) x nrep; the overall row's: nrep each. */
	uint32_t *n;
	double *h, *c;
	double *all_h, *all_c;
};

static void *
boot_run(void *arg)
{
	struct agree_worker *w = arg;
	struct boot *b = w->shared;
	const struct patterns *pt = b->pt;
	uint32_t *hist = xcalloc(b->rs.nhist + 1, sizeof *hist);
	double *gh = xcalloc((size_t)b->ngroups + 1, sizeof *gh);
	double *gc = xcalloc((size_t)b->ngroups + 1, sizeof *gc);
	uint32_t *gn = xcalloc((size_t)b->ngroups + 1, sizeof *gn);
	struct agree_rng rng;
	uint32_t p, e, k;
	int rep, g, w0 = b->g1 - b->g0;

	for (rep = w->first; rep < b->nrep; rep += w->step) {
		double th = 0, tc = 0;

		agree_rng_seed(&rng, b->seed, (uint64_t)rep);
		agree_resample_draw(&b->rs, &rng, hist);
		for (g = b->g0; g < b->g1; g++) {
			gh[g] = gc[g] = 0;
			gn[g] = 0;
		}
		for (p = 0; p < pt->n; p++) {
			double kh, kc;

			if ((k = hist[p]) == 0)
				continue;
			kh = k * pt->h[p];
			kc = k * pt->c[p];
			th += kh;
			tc += kc;
			for (e = 0; e < pt->len[p]; e++) {
				g = pt->pool[pt->off[p] + e];
				if (g < b->g0 || g >= b->g1)
					continue;
				gn[g] += k;
				gh[g] += kh;
				gc[g] += kc;
			}
		}
		b->all_h[rep] = th;
		b->all_c[rep] = tc;
		for (g = 0; g < w0; g++) {
			size_t at = (size_t)g * b->nrep + rep;

			b->n[at] = gn[b->g0 + g];
			b->h[at] = gh[b->g0 + g];
			b->c[at] = gc[b->g0 + g];
		}
	}
	free(hist);
	free(gh);
	free(gc);
	free(gn);
	return NULL;
}

/* Which figure of a group an interval is for. */
enum figure { FIG_HLP, FIG_ACC, FIG_GAP, FIG_ROOM, NFIG };

/* Figure f from a group's n items and sums h, c, over N scored items. */
static double
figure(enum figure f, double n, double h, double c, double N)
{
	switch (f) {
	case FIG_HLP:
		return h / n;
	case FIG_ACC:
		return c / n;
	case FIG_GAP:
		return (h - c) / n;
	default:
		return (h - c) / N;
	}
}

/*
 * The jackknife of figure f of a group (sums s over N items) for BCa's
 * acceleration: leaving out one item of pattern p in the group gives
 * figure(n - 1, h - h_p, c - c_p, N - 1); leaving out one of the N - n
 * items outside gives figure(n, h, c, N - 1).  value and weight have
 * room for the group's patterns and one more.  Returns 0, or -1 when a
 * leave-one-out value does not exist (one item in the group, or N = 1).
 */
static int
jackknife(enum figure f, const struct patterns *pt, const uint32_t *pats,
    uint32_t npats, const struct gsum *s, double N, double *value,
    double *weight, struct interval_jack *jk)
{
	uint32_t k, p;
	int n = 0;

	if (N < 2 || (f != FIG_ROOM && s->n < 2))
		return -1;
	for (k = 0; k < npats; k++) {
		p = pats[k];
		value[n] = figure(f, s->n - 1, s->h - pt->h[p], s->c - pt->c[p],
		    N - 1);
		weight[n++] = pt->count[p];
	}
	if (N > s->n) {
		value[n] = figure(f, s->n, s->h, s->c, N - 1);
		weight[n++] = N - s->n;
	}
	jk->value = value;
	jk->weight = weight;
	jk->n = n;
	return 0;
}

/*
 * Where the bootstrap has no spread (every resample gives the same
 * figure: all of the group's items agree with everyone, say), it says
 * nothing about the uncertainty, and a [v, v] interval would claim
 * certainty.  HLP and accuracy are means of credits in [0, 1] and take
 * Wilson's interval over the group's items; the gap takes Newcombe's
 * (1998, method 10) from those two (a difference of proportions), and
 * the room that interval times the group's share of the data.
 */
static void
no_spread(enum figure f, const struct gsum *s, double N, double conf,
    double *lo, double *hi)
{
	double hv = s->h / s->n, cv = s->c / s->n, hl, hh, cl, ch, g;

	interval_wilson(hv, s->n, conf, &hl, &hh);
	interval_wilson(cv, s->n, conf, &cl, &ch);
	switch (f) {
	case FIG_HLP:
		*lo = hl;
		*hi = hh;
		return;
	case FIG_ACC:
		*lo = cl;
		*hi = ch;
		return;
	default:
		g = hv - cv;
		*lo = g - sqrt((hv - hl) * (hv - hl) + (ch - cv) * (ch - cv));
		*hi = g + sqrt((hh - hv) * (hh - hv) + (cv - cl) * (cv - cl));
		if (f == FIG_ROOM) {
			*lo *= s->n / N;
			*hi *= s->n / N;
		}
	}
}

/*
 * The intervals of one row from its B replicates (n, h, c: stride 1) and
 * its jackknife patterns.  rep, value and weight are scratch.
 */
static void
row_intervals(struct errors_row *row, const struct gsum *s, double N,
    const uint32_t *rn, const double *rh, const double *rc, int B,
    const struct patterns *pt, const uint32_t *pats, uint32_t npats,
    double conf, double *rep, double *value, double *weight)
{
	struct agree_ci *ci[NFIG] = { &row->hlp_ci, &row->accuracy_ci,
		&row->gap_ci, &row->room_ci };
	const struct agree_stat *est[NFIG] = { &row->hlp, &row->accuracy,
		&row->gap, &row->room };
	int f, b, empty = 0;
	double tol;

	for (b = 0; b < B; b++)
		empty |= rn[b] == 0;
	for (f = 0; f < NFIG; f++) {
		struct interval_jack jk;
		double lo, hi;

		if (!est[f]->defined) {
			*ci[f] = CI_UNDEFINED(est[f]->why);
			continue;
		}
		/*
		 * A replicate that drew none of the group's items has no
		 * HLP, accuracy or gap; rather than condition on the
		 * others, the interval is withheld, as agree does for a
		 * labeler.  The room of such a replicate is 0: defined.
		 */
		if (empty && f != FIG_ROOM) {
			*ci[f] = CI_UNDEFINED(AGREE_WHY_FEW_ITEMS);
			continue;
		}
		/*
		 * A replicate that draws the same items as the sample, or
		 * others adding up to the same figure, gives the estimate up
		 * to rounding (sums in another order): it is set to the
		 * estimate, so that BCa's bias correction counts it as the
		 * tie it is.  Without this, a replicate a few ulps above the
		 * estimate counted as above it, and on a figure with few
		 * values (a group with two items apart) that moved z0 and the
		 * interval by a whole step.  tol bounds the rounding of a
		 * sum of N terms of at most 1.
		 */
		tol = 64 * N * DBL_EPSILON;
		for (b = 0; b < B; b++) {
			rep[b] = rn[b] == 0 ? 0 :
			    figure((enum figure)f, rn[b], rh[b], rc[b], N);
			if (fabs(rep[b] - est[f]->value) <= tol)
				rep[b] = est[f]->value;
		}
		if (interval_bca(est[f]->value, rep, B,
		    jackknife((enum figure)f, pt, pats, npats, s, N, value,
		    weight, &jk) == 0 ? &jk : NULL, conf, &lo, &hi) != 0)
			no_spread((enum figure)f, s, N, conf, &lo, &hi);
		ci[f]->lo = lo;
		ci[f]->hi = hi;
		ci[f]->defined = 1;
		ci[f]->why = NULL;
	}
}

static void
rows_no_intervals(struct errors_row *rows, int n, const char *why)
{
	int g;

	for (g = 0; g < n; g++) {
		struct errors_row *r = &rows[g];

		r->hlp_ci = CI_UNDEFINED(r->hlp.defined ? why : r->hlp.why);
		r->accuracy_ci = CI_UNDEFINED(r->accuracy.defined ? why :
		    r->accuracy.why);
		r->gap_ci = CI_UNDEFINED(r->gap.defined ? why : r->gap.why);
		r->room_ci = CI_UNDEFINED(r->room.defined ? why :
		    r->room.why);
	}
}

/*
 * All intervals: the overall row's and every group's, the groups in
 * chunks that keep the replicates within BOOT_MAX_BYTES.
 */
static void
bootstrap(const struct patterns *pt, int ngroups, const struct gsum *gs,
    const struct gsum *all, const struct errors_boot *bo,
    struct errors_row *overall, struct errors_row *rows)
{
	struct boot b;
	int B = bo->bootstrap, g, chunk, nthreads;
	size_t per = (size_t)B * (sizeof *b.n + 2 * sizeof *b.h);
	uint32_t *gstart, *gpat, p, e, *all_pats;
	double *rep, *value, *weight, N = all->n;
	uint32_t *all_n;
	uint64_t work;

	memset(&b, 0, sizeof b);
	b.pt = pt;
	b.ngroups = ngroups;
	b.nrep = B;
	b.seed = bo->seed;
	agree_resample_init(&b.rs, pt->count, pt->n);
	/* Each group's patterns, for the jackknife. */
	gstart = xcalloc((size_t)ngroups + 2, sizeof *gstart);
	gpat = xcalloc(pt->npool + 1, sizeof *gpat);
	for (e = 0; e < pt->npool; e++)
		gstart[pt->pool[e] + 2]++;
	for (g = 0; g < ngroups; g++)
		gstart[g + 2] += gstart[g + 1];
	for (p = 0; p < pt->n; p++)
		for (e = 0; e < pt->len[p]; e++)
			gpat[gstart[pt->pool[pt->off[p] + e] + 1]++] = p;
	all_pats = xcalloc((size_t)pt->n + 1, sizeof *all_pats);
	for (p = 0; p < pt->n; p++)
		all_pats[p] = p;

	chunk = ngroups;
	if (per > 0 && (size_t)chunk * per > BOOT_MAX_BYTES)
		chunk = (int)(BOOT_MAX_BYTES / per) > 0 ?
		    (int)(BOOT_MAX_BYTES / per) : 1;
	b.n = xcalloc((size_t)(chunk > 0 ? chunk : 1) * B, sizeof *b.n);
	b.h = xcalloc((size_t)(chunk > 0 ? chunk : 1) * B, sizeof *b.h);
	b.c = xcalloc((size_t)(chunk > 0 ? chunk : 1) * B, sizeof *b.c);
	b.all_h = xcalloc((size_t)B, sizeof *b.all_h);
	b.all_c = xcalloc((size_t)B, sizeof *b.all_c);
	all_n = xcalloc((size_t)B, sizeof *all_n);
	rep = xcalloc((size_t)B, sizeof *rep);
	value = xcalloc((size_t)pt->n + 2, sizeof *value);
	weight = xcalloc((size_t)pt->n + 2, sizeof *weight);
	/* A replicate: a binomial per large pattern, a draw per small
	 * item, a step per pattern and group membership. */
	work = (uint64_t)B * ((uint64_t)b.rs.nbig * AGREE_BINOMIAL_MIN +
	    b.rs.tail + pt->n + pt->npool + (uint64_t)ngroups);
	nthreads = agree_threads(bo->threads, work);

	b.g0 = 0;
	do {
		b.g1 = b.g0 + chunk < ngroups ? b.g0 + chunk : ngroups;
		agree_run_workers(boot_run, &b, b.nrep, nthreads);
		if (b.g0 == 0) {
			int k;

			for (k = 0; k < B; k++)
				all_n[k] = (uint32_t)N;
			row_intervals(overall, all, N, all_n, b.all_h,
			    b.all_c, B, pt, all_pats, pt->n, bo->confidence,
			    rep, value, weight);
		}
		for (g = b.g0; g < b.g1; g++) {
			size_t at = (size_t)(g - b.g0) * B;

			row_intervals(&rows[g], &gs[g], N, b.n + at, b.h + at,
			    b.c + at, B, pt, gpat + gstart[g],
			    gstart[g + 1] - gstart[g], bo->confidence, rep,
			    value, weight);
		}
		b.g0 = b.g1;
	} while (b.g0 < ngroups);

	free(gstart);
	free(gpat);
	free(all_pats);
	free(b.n);
	free(b.h);
	free(b.c);
	free(b.all_h);
	free(b.all_c);
	free(all_n);
	free(rep);
	free(value);
	free(weight);
	agree_resample_free(&b.rs);
}

int
errors_rows(const struct ratings *r, const unsigned char *ambiguous,
    const int *predicted, int ngroups, char *const *names,
    const int *pair_item, const int *pair_group, int npairs,
    const struct errors_boot *bo, struct errors_row *overall,
    struct errors_row **rows, char **cause)
{
	int *count = xcalloc((size_t)r->nclasses + 1, sizeof *count);
	int *gstart = xcalloc((size_t)r->nitems + 2, sizeof *gstart);
	int *glist = xcalloc((size_t)npairs + 1, sizeof *glist);
	struct gsum *gs = xcalloc((size_t)ngroups + 1, sizeof *gs);
	struct gsum all = { 0 };
	struct patterns pt = { 0 };
	struct errors_row *out;
	double miss = 0;
	int i, p, g, k, n, major;

	(void)cause;
	/* Each item's groups, sorted and distinct. */
	for (p = 0; p < npairs; p++)
		if (pair_item[p] >= 0 && pair_item[p] < r->nitems &&
		    pair_group[p] >= 0 && pair_group[p] < ngroups)
			gstart[pair_item[p] + 2]++;
	for (i = 0; i < r->nitems; i++)
		gstart[i + 2] += gstart[i + 1];
	for (p = 0; p < npairs; p++)
		if (pair_item[p] >= 0 && pair_item[p] < r->nitems &&
		    pair_group[p] >= 0 && pair_group[p] < ngroups)
			glist[gstart[pair_item[p] + 1]++] = pair_group[p];

	for (i = 0; i < r->nitems; i++) {
		double h, c;
		int *gl = glist + gstart[i], cons;

		if (predicted[i] < 0 || (ambiguous != NULL && ambiguous[i]) ||
		    !item_score(r, i, predicted[i], count, &h, &c, &major))
			continue;
		n = gstart[i + 1] - gstart[i];
		if (n > 1)
			qsort(gl, (size_t)n, sizeof *gl, cmp_int);
		for (k = 0, g = 0; k < n; k++)
			if (g == 0 || gl[g - 1] != gl[k])
				gl[g++] = gl[k];
		n = g;
		cons = item_consensus(r, i, major);
		all.n++;
		all.h += h;
		all.c += c;
		all.errors += cons >= 0 && cons != predicted[i];
		miss += 1 - c;
		for (k = 0; k < n; k++) {
			struct gsum *s = &gs[gl[k]];

			s->n++;
			s->h += h;
			s->c += c;
			s->errors += cons >= 0 && cons != predicted[i];
		}
		patterns_add(&pt, gl, (uint32_t)n, h, c);
	}

	out = xcalloc((size_t)ngroups + 1, sizeof *out);
	memset(overall, 0, sizeof *overall);
	overall->name = xstrdup(ALL_ITEMS);
	row_figures(overall, &all, all.n, miss);
	for (g = 0; g < ngroups; g++) {
		out[g].name = xstrdup(names[g]);
		row_figures(&out[g], &gs[g], all.n, miss);
	}
	if (bo == NULL || bo->bootstrap <= 0) {
		rows_no_intervals(overall, 1, AGREE_WHY_NO_BOOTSTRAP);
		rows_no_intervals(out, ngroups, AGREE_WHY_NO_BOOTSTRAP);
	} else if (all.n == 0) {
		rows_no_intervals(overall, 1, ERRORS_WHY_NO_ITEMS);
		rows_no_intervals(out, ngroups, ERRORS_WHY_NO_ITEMS);
	} else
		bootstrap(&pt, ngroups, gs, &all, bo, overall, out);

	patterns_free(&pt);
	free(count);
	free(gstart);
	free(glist);
	free(gs);
	*rows = out;
	return 0;
}

void
errors_rows_free(struct errors_row *rows, int n)
{
	int i;

	for (i = 0; i < n && rows != NULL; i++)
		free(rows[i].name);
	free(rows);
}

static int
cmp_row(const void *a, const void *b)
{
	const struct errors_row *x = a, *y = b;

	if (x->room.defined != y->room.defined)
		return x->room.defined ? -1 : 1;
	if (x->room.defined && x->room.value != y->room.value)
		return x->room.value > y->room.value ? -1 : 1;
	if (x->error_share != y->error_share)
		return x->error_share > y->error_share ? -1 : 1;
	return strcmp(x->name, y->name);
}

void
errors_rows_sort(struct errors_row *rows, int n)
{
	qsort(rows, (size_t)n, sizeof *rows, cmp_row);
}


/* Report */

static int
read_run(struct store *st, const char *name, struct errors_report *rep,
    long long *id, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT id, file, sha256, imported_by, imported_at "
	    "FROM prediction_runs WHERE name = ?", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, name);
	rc = sql_step(s);
	if (rc == SQL_ROW) {
		*id = sql_col_int64(s, 0);
		rep->run = xstrdup(name);
		rep->file = xstrdup(sql_text(s, 1));
		rep->sha256 = xstrdup(sql_text(s, 2));
		rep->imported_by = xstrdup(sql_text(s, 3));
		rep->imported_at = xstrdup(sql_text(s, 4));
	}
	sql_finalize(st, s);
	if (rc == SQL_DONE)
		return acc_error(cause, "no prediction run named '%s'", name);
	if (rc != SQL_ROW)
		return sql_fail(st, cause, "cannot read prediction runs");
	return 0;
}

/* predicted[i]: the run's class index for ratings item i, or -1. */
static int
read_predictions(struct store *st, const struct project *p,
    const struct ratings *r, long long run, int *predicted, char **cause)
{
	struct sql_stmt *s;
	int rc, i, c;

	for (i = 0; i < r->nitems; i++)
		predicted[i] = -1;
	if (sql_prepare(st, "SELECT item, class FROM predictions WHERE run = ?",
	    &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, run);
	while ((rc = sql_step(s)) == SQL_ROW) {
		long long cid = sql_col_int64(s, 1);

		if ((i = ratings_item_index(r, sql_col_int64(s, 0))) < 0)
			continue;
		for (c = 0; c < p->nclasses; c++)
			if (p->classes[c].id == cid)
				predicted[i] = c;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read predictions");
	return 0;
}

/* ambiguous[i]: the newest adjudication of item i says 'ambiguous'. */
static int
read_ambiguous(struct store *st, const struct ratings *r,
    unsigned char *ambiguous, char **cause)
{
	struct sql_stmt *s;
	int rc, i;

	if (sql_prepare(st, "SELECT item, status = 'ambiguous' FROM "
	    "adjudications ORDER BY item, id", &s, cause) != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		i = ratings_item_index(r, sql_col_int64(s, 0));
		if (i >= 0)
			ambiguous[i] = (unsigned char)sql_col_int(s, 1);
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read adjudications");
	return 0;
}

/* (item, group) pairs of a grouping, growing arrays. */
struct groups {
	int n, npairs, cap;
	char **names;
	int *item, *group;
};

static void
groups_add(struct groups *g, int item, int group)
{
	if (g->npairs == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->item = xreallocarray(g->item, (size_t)g->cap,
		    sizeof *g->item);
		g->group = xreallocarray(g->group, (size_t)g->cap,
		    sizeof *g->group);
	}
	g->item[g->npairs] = item;
	g->group[g->npairs++] = group;
}

static void
groups_free(struct groups *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		free(g->names[i]);
	free(g->names);
	free(g->item);
	free(g->group);
	memset(g, 0, sizeof *g);
}

/*
 * Tags in force: a (item, tag, user) triple whose newest row is not a
 * removal.  An item carries a tag when any user's is in force; items
 * with none form NO_TAG (only when some item has a tag).
 */
static int
read_tags(struct store *st, const struct ratings *r, struct groups *g,
    char **cause)
{
	struct sql_stmt *s;
	unsigned char *tagged = xcalloc((size_t)r->nitems + 1, 1);
	int rc, i, t;

	if (sql_prepare(st, "SELECT DISTINCT tag, item FROM tags t WHERE "
	    "removed = 0 AND id = (SELECT max(id) FROM tags u WHERE "
	    "u.item = t.item AND u.tag = t.tag AND u.\"user\" = t.\"user\") "
	    "ORDER BY tag, item", &s, cause) != 0) {
		free(tagged);
		return -1;
	}
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *tag = sql_text(s, 0);

		if ((i = ratings_item_index(r, sql_col_int64(s, 1))) < 0)
			continue;
		if (g->n == 0 || strcmp(g->names[g->n - 1], tag) != 0) {
			g->names = xreallocarray(g->names, (size_t)g->n + 2,
			    sizeof *g->names);
			g->names[g->n++] = xstrdup(tag);
		}
		groups_add(g, i, g->n - 1);
		tagged[i] = 1;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE) {
		free(tagged);
		return sql_fail(st, cause, "cannot read tags");
	}
	if (g->n > 0) {
		t = g->n;
		g->names[g->n++] = xstrdup(NO_TAG);
		for (i = 0; i < r->nitems; i++)
			if (!tagged[i])
				groups_add(g, i, t);
	}
	free(tagged);
	return 0;
}

/*
 * The report's counts and confusion matrix over the items the run
 * predicts: why each is left out, and the consensus class of each scored
 * one (item_consensus) against its prediction.
 */
static void
count_items(const struct ratings *r, const unsigned char *ambiguous,
    const int *predicted, struct errors_report *rep)
{
	int *count = xcalloc((size_t)r->nclasses + 1, sizeof *count);
	int i, k = r->nclasses, major, cons;

	rep->confusion = xcalloc((size_t)k * k + 1, sizeof *rep->confusion);
	for (i = 0; i < r->nitems; i++) {
		double h, c;

		if (predicted[i] < 0)
			continue;
		rep->npredicted++;
		if (ambiguous[i]) {
			rep->nambiguous++;
			continue;
		}
		if (!item_score(r, i, predicted[i], count, &h, &c, &major)) {
			if (r->start[i + 1] == r->start[i])
				rep->nunlabeled++;
			else
				rep->nsingle++;
			continue;
		}
		rep->nscored++;
		if ((cons = item_consensus(r, i, major)) < 0)
			rep->nties++;
		else
			rep->confusion[(size_t)cons * k + predicted[i]]++;
	}
	free(count);
}

static int
analyse(struct store *st, const struct project *p, const struct ratings *r,
    long long run, const struct errors_opts *o, struct errors_report *rep,
    char **cause)
{
	int *predicted = xcalloc((size_t)r->nitems + 1, sizeof *predicted);
	unsigned char *ambiguous = xcalloc((size_t)r->nitems + 1, 1);
	struct groups g = { 0 };
	struct errors_row *rows = NULL;
	struct errors_boot bo;
	int i, ntags, ret = -1;

	bo.bootstrap = o->bootstrap;
	bo.seed = o->seed;
	bo.confidence = 0.95;
	bo.threads = o->threads;
	if (read_predictions(st, p, r, run, predicted, cause) != 0 ||
	    read_ambiguous(st, r, ambiguous, cause) != 0 ||
	    read_tags(st, r, &g, cause) != 0)
		goto out;
	count_items(r, ambiguous, predicted, rep);
	/*
	 * Tags and slices are groups of one call, so that all rows come
	 * from the same bootstrap resamples.
	 */
	ntags = g.n;
	if (rep->by != NULL) {
		g.names = xreallocarray(g.names, (size_t)g.n + r->nslices + 1,
		    sizeof *g.names);
		for (i = 0; i < r->nslices; i++)
			g.names[g.n + i] = xstrdup(r->slices[i]);
		for (i = 0; i < r->nitems; i++)
			groups_add(&g, i, g.n + r->slice[i]);
		g.n += r->nslices;
	}
	if (errors_rows(r, ambiguous, predicted, g.n, g.names, g.item,
	    g.group, g.npairs, &bo, &rep->overall, &rows, cause) != 0)
		goto out;
	rep->ntags = ntags;
	rep->tags = xcalloc((size_t)ntags + 1, sizeof *rep->tags);
	memcpy(rep->tags, rows, (size_t)ntags * sizeof *rows);
	errors_rows_sort(rep->tags, ntags);
	if (rep->by != NULL) {
		rep->nslices = g.n - ntags;
		rep->slices = xcalloc((size_t)rep->nslices + 1,
		    sizeof *rep->slices);
		memcpy(rep->slices, rows + ntags, (size_t)rep->nslices *
		    sizeof *rows);
		errors_rows_sort(rep->slices, rep->nslices);
	}
	free(rows); /* the names moved to rep's rows */
	ret = 0;
out:
	groups_free(&g);
	free(predicted);
	free(ambiguous);
	return ret;
}

int
errors_report(struct store *st, const struct errors_opts *o,
    struct errors_report *out, char **cause)
{
	struct ratings_opts ro = { 0 };
	struct ratings r;
	struct project p;
	long long run = 0;
	int c, ret = -1;

	memset(out, 0, sizeof *out);
	if (project_require(st, o->user, ROLE_SME, "error analysis",
	    cause) != 0)
		return -1;
	if (read_run(st, o->run, out, &run, cause) != 0) {
		errors_report_free(out);
		return -1;
	}
	ro.user = o->user;
	if (o->by != NULL && strcmp(o->by, "tag") != 0)
		ro.by = o->by;
	if (ratings_build(st, &ro, &r, cause) != 0) {
		errors_report_free(out);
		return -1;
	}
	if (project_load(st, &p, cause) != 0) {
		ratings_free(&r);
		errors_report_free(out);
		return -1;
	}
	out->by = ro.by != NULL ? xstrdup(ro.by) : NULL;
	out->nitems = r.nitems;
	out->nclasses = r.nclasses;
	out->classes = xcalloc((size_t)r.nclasses + 1, sizeof *out->classes);
	for (c = 0; c < r.nclasses; c++)
		out->classes[c] = xstrdup(r.classes[c]);
	ret = analyse(st, &p, &r, run, o, out, cause);
	project_free(&p);
	ratings_free(&r);
	if (ret != 0)
		errors_report_free(out);
	return ret;
}

void
errors_report_free(struct errors_report *rep)
{
	int c;

	free(rep->run);
	free(rep->file);
	free(rep->sha256);
	free(rep->imported_by);
	free(rep->imported_at);
	free(rep->by);
	for (c = 0; c < rep->nclasses && rep->classes != NULL; c++)
		free(rep->classes[c]);
	free(rep->classes);
	free(rep->overall.name);
	errors_rows_free(rep->tags, rep->ntags);
	errors_rows_free(rep->slices, rep->nslices);
	free(rep->confusion);
	memset(rep, 0, sizeof *rep);
}
