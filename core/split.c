/*
 * split.c: stratified, group-aware train/dev/test assignment (see
 * include/accord/split.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accord/split.h"
#include "accord/util.h"
#include "splitmix.h"

int
split_parse(const char *s, struct split_spec *sp, char **cause)
{
	const char *p = s;
	long long sum = 0;
	int n = 0;

	for (;;) {
		char *end;
		long long v;

		if (*p < '0' || *p > '9')
			return acc_error(cause, "'%s': want whole numbers "
			    "like 70/15/15", s);
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno != 0 || v > 1000000)
			return acc_error(cause, "'%s': share too large", s);
		if (n == SPLIT_MAX)
			return acc_error(cause, "'%s': at most %d parts "
			    "(train/dev/test)", s, SPLIT_MAX);
		sp->ratio[n++] = v;
		sum += v;
		p = end;
		if (*p == '\0')
			break;
		if (*p != '/')
			return acc_error(cause, "'%s': want whole numbers "
			    "like 70/15/15", s);
		p++;
	}
	if (sum == 0)
		return acc_error(cause, "'%s': the shares are all zero", s);
	sp->nparts = n;
	return 0;
}

const char *
split_name(int nparts, int s)
{
	static const char *const three[] = { "train", "dev", "test" };

	if (nparts == 2)
		return s == 0 ? "train" : "test";
	if (s < 0 || s >= SPLIT_MAX)
		return "?";
	return three[s];
}

void
split_targets(long long n, const struct split_spec *sp, long long *t)
{
	long long R = 0, rem[SPLIT_MAX], left = n;
	int s, used[SPLIT_MAX] = { 0 };

	for (s = 0; s < sp->nparts; s++)
		R += sp->ratio[s];
	for (s = 0; s < sp->nparts; s++) {
		t[s] = n * sp->ratio[s] / R;
		rem[s] = n * sp->ratio[s] % R;
		left -= t[s];
	}
	/* left < nparts: each part gets at most one more. */
	while (left-- > 0) {
		int best = -1;

		for (s = 0; s < sp->nparts; s++)
			if (!used[s] && (best < 0 || rem[s] > rem[best]))
				best = s;
		used[best] = 1;
		t[best]++;
	}
}

/*
 * Group-aware splits: a search over assignments of groups to parts.
 *
 * Every group (a speaker, a camera) goes whole to one part, so the parts
 * can only approach their targets.  What is minimised is Pearson's X^2 of
 * the achieved part x class table against the per-class targets t_cs of
 * split_targets:  X^2 = sum_{c,s} (a_cs - t_cs)^2 / max(t_cs, 1),  which
 * weighs a miss by the size of the cell it misses (one item off a dev
 * cell of 5 counts as much as sixteen off a train cell of 80), and is 0
 * exactly when every class meets its targets (so groups of one item give
 * the targets).  Above it, as a hard requirement: every part with a share
 * gets at least one group whenever there are as many groups as such parts
 * (with fewer, as many as there are groups: sg_required); the objective
 * compares (required parts left empty, X^2) in that order.  One
 * greedy pass, as before, put the big groups first and could leave test
 * empty with every seed (the audio demo's six speakers at 80/10/10).
 *
 * The search: restarts of a greedy construction (the first largest group
 * first, the others in a random order from the seed), each improved by
 * local search (moving one group, swapping two) until no move lowers the
 * objective; then, for few groups, an exact branch and bound seeded with
 * the best found.  All of it depends on the seed only: the same seed
 * gives the same assignment on every machine.
 */
struct sg {
	const struct split_spec *sp;
	int P, K, G;		/* parts, classes, groups with items */
	int *start;		/* group g's (class, count) at start[g].. */
	int *ecls, *ecnt;	/* ... start[g + 1] - 1 */
	int *size;
	long long *t;		/* K x P targets */
	double *w;		/* K x P: 1 / max(t, 1) */
	long long *a;		/* K x P assigned */
	int *ng;		/* per part: groups in it */
	int *part;		/* per group */
	int req[SPLIT_MAX];	/* the parts that must get a group */
	int nreq;
	double cost;
	uint64_t rng;
};

/* The parts that must get a group and hold none. */
static int
sg_empty(const struct sg *g)
{
	int s, n = 0;

	for (s = 0; s < g->P; s++)
		if (g->req[s] && g->ng[s] == 0)
			n++;
	return n;
}

/* The change in X^2 when group k's items join (sign 1) or leave (-1)
 * part s. */
static double
sg_delta(const struct sg *g, int k, int s, int sign)
{
	double d = 0;
	int e;

	for (e = g->start[k]; e < g->start[k + 1]; e++) {
		size_t cs = (size_t)g->ecls[e] * g->P + s;
		double n = sign * g->ecnt[e], dev = (double)(g->a[cs] -
		    g->t[cs]);

		d += g->w[cs] * (n * n + 2 * n * dev);
	}
	return d;
}

static void
sg_put(struct sg *g, int k, int s, int sign)
{
	int e;

	g->cost += sg_delta(g, k, s, sign);
	for (e = g->start[k]; e < g->start[k + 1]; e++)
		g->a[(size_t)g->ecls[e] * g->P + s] += sign * g->ecnt[e];
	g->ng[s] += sign;
	g->part[k] = sign > 0 ? s : -1;
}

/* Move group k to part s. */
static void
sg_move(struct sg *g, int k, int s)
{
	sg_put(g, k, g->part[k], -1);
	sg_put(g, k, s, 1);
}

/* X^2 recomputed from the table (sg_put's running sum drifts). */
static double
sg_cost(const struct sg *g)
{
	size_t cs;
	double c = 0;

	for (cs = 0; cs < (size_t)g->K * g->P; cs++)
		c += g->w[cs] * (double)(g->a[cs] - g->t[cs]) *
		    (double)(g->a[cs] - g->t[cs]);
	return c;
}

/* Uniform in 0..n-1 from splitmix64, without modulo bias (rejection). */
static uint64_t
rng_below(uint64_t *x, uint64_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, v;

	do
		v = splitmix64(x);
	while (v >= lim);
	return v % n;
}

/* Fisher-Yates. */
static void
shuffle(int *a, int n, uint64_t *x)
{
	int i;

	for (i = n - 1; i > 0; i--) {
		int j = (int)rng_below(x, (uint64_t)i + 1), t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
}

/* order[] sorted by group size, largest first, ties kept in order. */
static void
sort_by_size(int *order, int n, const int *size)
{
	int *tmp = xcalloc((size_t)n + 1, sizeof *tmp), w, i, lo, hi, m;

	/* Bottom-up merge sort: stable, and n log n for a million groups. */
	for (w = 1; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			int a = lo, b, k = lo;

			m = lo + w < n ? lo + w : n;
			hi = lo + 2 * w < n ? lo + 2 * w : n;
			b = m;
			while (a < m || b < hi)
				if (b >= hi || (a < m && size[order[a]] >=
				    size[order[b]]))
					tmp[k++] = order[a++];
				else
					tmp[k++] = order[b++];
		}
		for (i = 0; i < n; i++)
			order[i] = tmp[i];
	}
	free(tmp);
}

/*
 * Greedy construction: groups in order, each to the part where X^2 grows
 * least; when the groups left are only as many as the required parts still
 * empty, each goes to one of those.
 */
static void
sg_greedy(struct sg *g, const int *order)
{
	int i, s, empty = g->nreq;

	for (i = 0; i < g->G; i++) {
		int k = order[i], best = -1, force = g->G - i <= empty;
		double bd = 0;

		for (s = 0; s < g->P; s++) {
			double d;

			if (g->sp->ratio[s] == 0 || (force && (!g->req[s] ||
			    g->ng[s] > 0)))
				continue;
			d = sg_delta(g, k, s, 1);
			if (best < 0 || d < bd) {
				best = s;
				bd = d;
			}
		}
		if (g->req[best] && g->ng[best] == 0)
			empty--;
		sg_put(g, k, best, 1);
	}
}

/* Below this, a move must lower X^2 by more to count (rounding). */
#define SG_EPS 1e-9
/* Local search passes, and swaps tried per pass beyond exhaustive. */
#define SG_PASSES 200
#define SG_SWAP_ALL 150
#define SG_SWAP_SAMPLES(G) ((G) < 5000 ? (long long)(G) * 20 : 100000)

/* Improve by moving one group: the best move of each group in turn. */
static int
sg_moves(struct sg *g)
{
	int k, s, moved = 0;

	for (k = 0; k < g->G; k++) {
		int from = g->part[k], best = -1;
		double out, bd = -SG_EPS;

		if (g->req[from] && g->ng[from] == 1)
			continue;	/* it would leave its part empty */
		out = sg_delta(g, k, from, -1);
		sg_put(g, k, from, -1);
		for (s = 0; s < g->P; s++) {
			double d;

			if (s == from || g->sp->ratio[s] == 0)
				continue;
			d = out + sg_delta(g, k, s, 1);
			if (d < bd) {
				bd = d;
				best = s;
			}
		}
		sg_put(g, k, best >= 0 ? best : from, 1);
		moved += best >= 0;
	}
	return moved;
}

/* Swap groups k and l (in different parts) if that lowers X^2. */
static int
sg_try_swap(struct sg *g, int k, int l)
{
	int pk = g->part[k], pl = g->part[l];
	double before = g->cost;

	if (pk == pl)
		return 0;
	sg_move(g, k, pl);
	sg_move(g, l, pk);
	if (g->cost < before - SG_EPS)
		return 1;
	sg_move(g, l, pl);
	sg_move(g, k, pk);
	g->cost = before;
	return 0;
}

static int
sg_swaps(struct sg *g)
{
	long long n, i;
	int k, l, swapped = 0;

	if (g->G <= SG_SWAP_ALL) {
		for (k = 0; k < g->G; k++)
			for (l = k + 1; l < g->G; l++)
				swapped += sg_try_swap(g, k, l);
		return swapped;
	}
	n = SG_SWAP_SAMPLES(g->G);
	for (i = 0; i < n; i++) {
		k = (int)rng_below(&g->rng, (uint64_t)g->G);
		l = (int)rng_below(&g->rng, (uint64_t)g->G);
		swapped += sg_try_swap(g, k, l);
	}
	return swapped;
}

static void
sg_local(struct sg *g)
{
	int pass;

	for (pass = 0; pass < SG_PASSES; pass++)
		if (sg_moves(g) + sg_swaps(g) == 0)
			break;
	g->cost = sg_cost(g);
}

static void
sg_clear(struct sg *g)
{
	memset(g->a, 0, (size_t)g->K * g->P * sizeof *g->a);
	memset(g->ng, 0, (size_t)g->P * sizeof *g->ng);
	g->cost = 0;
}

/* (empty, cost) below (bempty, bcost)? */
static int
sg_better(int empty, double cost, int bempty, double bcost)
{
	return empty < bempty || (empty == bempty && cost < bcost - SG_EPS);
}

/*
 * Exact search for few groups: depth first over the groups largest first,
 * each to every active part, pruned where the cells already over their
 * target (which only grow as groups are added) cost as much as the best,
 * or where fewer groups are left than required parts still empty.  Node
 * budget SG_NODES: past it, the best so far stands.
 */
#define SG_EXACT_GROUPS 24
#define SG_NODES 1000000L

struct sg_bb {
	struct sg *g;
	const int *order;
	int *best;		/* per group: the best assignment */
	double bcost, over;	/* the best X^2; over-target part of now */
	int bempty;
	long nodes;
};

static double
sg_over(const struct sg *g, int k, int s, int sign)
{
	double d = 0;
	int e;

	for (e = g->start[k]; e < g->start[k + 1]; e++) {
		size_t cs = (size_t)g->ecls[e] * g->P + s;
		long long x0 = g->a[cs] - g->t[cs], x1 = x0 + sign *
		    g->ecnt[e];

		d += g->w[cs] * ((x1 > 0 ? (double)x1 * x1 : 0) -
		    (x0 > 0 ? (double)x0 * x0 : 0));
	}
	return d;
}

static void
sg_dfs(struct sg_bb *b, int i)
{
	struct sg *g = b->g;
	int s, k;

	if (b->nodes++ > SG_NODES)
		return;
	if (sg_empty(g) > g->G - i)
		return;
	if (b->bempty == 0 && b->over >= b->bcost - SG_EPS)
		return;
	if (i == g->G) {
		double c = sg_cost(g);

		if (sg_better(0, c, b->bempty, b->bcost)) {
			b->bempty = 0;
			b->bcost = c;
			for (k = 0; k < g->G; k++)
				b->best[k] = g->part[k];
		}
		return;
	}
	k = b->order[i];
	for (s = 0; s < g->P; s++) {
		double o;

		if (g->sp->ratio[s] == 0)
			continue;
		o = sg_over(g, k, s, 1);
		b->over += o;
		sg_put(g, k, s, 1);
		sg_dfs(b, i + 1);
		sg_put(g, k, s, -1);
		b->over -= o;
	}
}

static void
sg_search(struct sg *g, int *best)
{
	int *order = xcalloc((size_t)g->G + 1, sizeof *order), r, k, nr;
	int bempty = INT32_MAX;
	double bcost = 0;
	long long entries = g->start[g->G];

	/*
	 * Restarts within about 4e6 steps of move and swap evaluation, 2 to
	 * 8 (a pass evaluates each group's moves and up to SG_SWAP_ALL^2 / 2
	 * swaps; a few passes settle it).
	 */
	nr = (int)(4000000LL / ((entries + 1) * g->P * 4 + (long long)(g->G <
	    SG_SWAP_ALL ? g->G : SG_SWAP_ALL) * g->G * 2));
	nr = nr < 2 ? 2 : nr > 8 ? 8 : nr;
	for (r = 0; r < nr; r++) {
		for (k = 0; k < g->G; k++)
			order[k] = k;
		shuffle(order, g->G, &g->rng);
		if (r == 0)
			sort_by_size(order, g->G, g->size);
		sg_clear(g);
		sg_greedy(g, order);
		sg_local(g);
		if (r == 0 || sg_better(sg_empty(g), g->cost, bempty, bcost)) {
			bempty = sg_empty(g);
			bcost = g->cost;
			memcpy(best, g->part, (size_t)g->G * sizeof *best);
		}
	}
	if (g->G <= SG_EXACT_GROUPS) {
		struct sg_bb b = { .g = g, .order = order, .best = best,
			.bcost = bcost, .bempty = bempty };

		for (k = 0; k < g->G; k++)
			order[k] = k;
		sort_by_size(order, g->G, g->size);
		sg_clear(g);
		for (k = 0; k < g->G; k++)
			g->part[k] = -1;
		sg_dfs(&b, 0);
	}
	free(order);
}

/*
 * The parts that must get a group: every part with a share when there are
 * groups enough; else as many as there are groups, train first, then
 * test, then dev (a held-out test set is what a model cannot do without;
 * a dev set can be cut from train later).
 */
static void
sg_required(struct sg *g)
{
	static const int three[] = { 0, 2, 1 };	/* train, test, dev */
	int i, s;

	for (i = 0; i < g->P; i++) {
		s = g->P == 3 ? three[i] : i;
		if (g->sp->ratio[s] == 0 || g->nreq >= g->G)
			continue;
		g->req[s] = 1;
		g->nreq++;
	}
}

static void
assign_groups(const struct split_spec *sp, int nitems, int nclasses,
    const int *cls, const int *group, int ngroups, uint64_t *rng, int *out)
{
	struct sg g;
	int P = sp->nparts, i, c, k, e, s, *gid, *first, *next, *cnt, *best;
	long long *nc = xcalloc((size_t)nclasses + 1, sizeof *nc);

	memset(&g, 0, sizeof g);
	g.sp = sp;
	g.P = P;
	g.K = nclasses;
	g.rng = *rng;
	/* Groups with items, numbered 0..G-1 in order of first item. */
	gid = xcalloc((size_t)ngroups + 1, sizeof *gid);
	for (k = 0; k < ngroups; k++)
		gid[k] = -1;
	for (i = 0; i < nitems; i++)
		if (gid[group[i]] < 0)
			gid[group[i]] = g.G++;
	/* Each group's items as a list, then its classes counted. */
	first = xcalloc((size_t)g.G + 1, sizeof *first);
	next = xcalloc((size_t)nitems + 1, sizeof *next);
	for (k = 0; k < g.G; k++)
		first[k] = -1;
	for (i = nitems - 1; i >= 0; i--) {
		next[i] = first[gid[group[i]]];
		first[gid[group[i]]] = i;
	}
	g.start = xcalloc((size_t)g.G + 2, sizeof *g.start);
	g.ecls = xcalloc((size_t)nitems + 1, sizeof *g.ecls);
	g.ecnt = xcalloc((size_t)nitems + 1, sizeof *g.ecnt);
	g.size = xcalloc((size_t)g.G + 1, sizeof *g.size);
	cnt = xcalloc((size_t)nclasses + 1, sizeof *cnt);
	for (k = 0, e = 0; k < g.G; k++) {
		g.start[k] = e;
		for (i = first[k]; i >= 0; i = next[i]) {
			if (cnt[cls[i]]++ == 0) {
				g.ecls[e] = cls[i];
				e++;
			}
			g.size[k]++;
			nc[cls[i]]++;
		}
		for (i = g.start[k]; i < e; i++) {
			g.ecnt[i] = cnt[g.ecls[i]];
			cnt[g.ecls[i]] = 0;
		}
	}
	g.start[g.G] = e;
	g.t = xcalloc((size_t)nclasses * P + 1, sizeof *g.t);
	g.w = xcalloc((size_t)nclasses * P + 1, sizeof *g.w);
	g.a = xcalloc((size_t)nclasses * P + 1, sizeof *g.a);
	for (c = 0; c < nclasses; c++) {
		split_targets(nc[c], sp, g.t + (size_t)c * P);
		for (s = 0; s < P; s++)
			g.w[(size_t)c * P + s] = 1.0 / (double)(g.t[(size_t)c *
			    P + s] > 1 ? g.t[(size_t)c * P + s] : 1);
	}
	g.ng = xcalloc((size_t)P + 1, sizeof *g.ng);
	g.part = xcalloc((size_t)g.G + 1, sizeof *g.part);
	sg_required(&g);
	best = xcalloc((size_t)g.G + 1, sizeof *best);
	if (g.G > 0)
		sg_search(&g, best);
	for (i = 0; i < nitems; i++)
		out[i] = best[gid[group[i]]];
	*rng = g.rng;
	free(best);
	free(g.part);
	free(g.ng);
	free(g.a);
	free(g.w);
	free(g.t);
	free(cnt);
	free(g.size);
	free(g.ecnt);
	free(g.ecls);
	free(g.start);
	free(next);
	free(first);
	free(gid);
	free(nc);
}

void
split_assign(const struct split_spec *sp, int nitems, int nclasses,
    const int *cls, const int *group, int ngroups, int *out)
{
	uint64_t rng = sp->seed;
	int *members, c, i, s;

	if (group != NULL) {
		assign_groups(sp, nitems, nclasses, cls, group, ngroups, &rng,
		    out);
		return;
	}
	members = xcalloc((size_t)nitems + 1, sizeof *members);
	for (c = 0; c < nclasses; c++) {
		long long t[SPLIT_MAX];
		int n = 0, k = 0;

		for (i = 0; i < nitems; i++)
			if (cls[i] == c)
				members[n++] = i;
		if (n == 0)
			continue;
		/* One generator for all classes: each class's shuffle
		 * depends on the seed and on the classes before it. */
		shuffle(members, n, &rng);
		split_targets(n, sp, t);
		for (s = 0; s < sp->nparts; s++) {
			long long e;

			for (e = 0; e < t[s]; e++)
				out[members[k++]] = s;
		}
	}
	free(members);
}
