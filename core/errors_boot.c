/*
 * errors_boot.c: the intervals of `accord errors`: the scored items
 * grouped into patterns, one paired item bootstrap over them for every
 * row, BCa with the jackknife over the patterns, and the fallbacks where
 * the resamples have no spread (errors_int.h; docs/statistics.md, "Error
 * analysis").
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accord/errors.h"
#include "accord/util.h"
#include "agree_int.h"
#include "errors_int.h"
#include "interval.h"

/* Patterns */

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
void
errors_patterns_add(struct patterns *pt, const int *g, uint32_t n, double h,
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

void
errors_patterns_free(struct patterns *pt)
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

void
errors_rows_no_intervals(struct errors_row *rows, int n, const char *why)
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
void
errors_bootstrap(const struct patterns *pt, int ngroups, const struct gsum *gs,
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
