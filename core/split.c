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

struct grp {
	int id, size, order;
};

static int
cmp_grp(const void *a, const void *b)
{
	const struct grp *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/*
 * The part a group with gc[c] items of class c goes to: of the parts with
 * a share, the first with the largest shortfall over the group's classes,
 * target t minus what it holds a (both c x P), weighed by gc[c] / nc[c].
 */
static int
best_part(const struct split_spec *sp, int nclasses, const int *gc,
    const long long *nc, const long long *t, const long long *a)
{
	int P = sp->nparts, s, c, best = -1;
	double bestv = 0;

	for (s = 0; s < P; s++) {
		double v = 0;

		if (sp->ratio[s] == 0)
			continue;
		for (c = 0; c < nclasses; c++)
			if (gc[c] > 0)
				v += (double)gc[c] *
				    (double)(t[(size_t)c * P + s] -
				    a[(size_t)c * P + s]) / (double)nc[c];
		if (best < 0 || v > bestv) {
			best = s;
			bestv = v;
		}
	}
	return best;
}

static void
assign_groups(const struct split_spec *sp, int nitems, int nclasses,
    const int *cls, const int *group, int ngroups, uint64_t *rng, int *out)
{
	int P = sp->nparts, i, c, g, *order, *first, *next, *gc;
	long long *t = xcalloc((size_t)nclasses * P + 1, sizeof *t);
	long long *a = xcalloc((size_t)nclasses * P + 1, sizeof *a);
	long long *nc = xcalloc((size_t)nclasses + 1, sizeof *nc);
	struct grp *gs = xcalloc((size_t)ngroups + 1, sizeof *gs);

	for (i = 0; i < nitems; i++)
		nc[cls[i]]++;
	for (c = 0; c < nclasses; c++)
		split_targets(nc[c], sp, t + (size_t)c * P);
	/* Each group's items as a linked list, in item order. */
	first = xcalloc((size_t)ngroups + 1, sizeof *first);
	next = xcalloc((size_t)nitems + 1, sizeof *next);
	for (g = 0; g < ngroups; g++)
		first[g] = -1;
	for (i = nitems - 1; i >= 0; i--) {
		next[i] = first[group[i]];
		first[group[i]] = i;
		gs[group[i]].size++;
	}
	order = xcalloc((size_t)ngroups + 1, sizeof *order);
	for (g = 0; g < ngroups; g++)
		order[g] = g;
	shuffle(order, ngroups, rng);
	for (g = 0; g < ngroups; g++) {
		gs[order[g]].id = order[g];
		gs[order[g]].order = g;
	}
	qsort(gs, (size_t)ngroups, sizeof *gs, cmp_grp);
	gc = xcalloc((size_t)nclasses + 1, sizeof *gc);
	for (g = 0; g < ngroups && gs[g].size > 0; g++) {
		int best;

		memset(gc, 0, (size_t)nclasses * sizeof *gc);
		for (i = first[gs[g].id]; i >= 0; i = next[i])
			gc[cls[i]]++;
		best = best_part(sp, nclasses, gc, nc, t, a);
		for (c = 0; c < nclasses; c++)
			a[(size_t)c * P + best] += gc[c];
		for (i = first[gs[g].id]; i >= 0; i = next[i])
			out[i] = best;
	}
	free(t);
	free(a);
	free(nc);
	free(gs);
	free(first);
	free(next);
	free(order);
	free(gc);
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
