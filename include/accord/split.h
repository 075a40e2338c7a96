/*
 * split.h: stratified, group-aware train/dev/test assignment.
 *
 * Pure computation, deterministic for a seed (its own generator, no global
 * state).  Functions returning int give 0, or -1 with *cause (malloc'd,
 * caller frees).  Allocation failure aborts.
 */
#ifndef ACCORD_SPLIT_H
#define ACCORD_SPLIT_H

#include <stdint.h>

#define SPLIT_MAX 3

struct split_spec {
	int nparts;			/* 1..SPLIT_MAX */
	long long ratio[SPLIT_MAX];	/* whole numbers >= 0, sum > 0 */
	uint64_t seed;
};

/*
 * Parse "70/15/15", "80/20" or "100": one to three whole numbers >= 0
 * separated by '/', not all zero (they are shares of their sum, so 8/1/1
 * is 80/10/10).  The seed is left as it is.
 */
int split_parse(const char *s, struct split_spec *sp, char **cause);

/* The name of part s: train/dev/test for three parts, train/test for
 * two, train for one. */
const char *split_name(int nparts, int s);

/*
 * Largest-remainder (Hamilton) apportionment of n items to the parts:
 * t[s] = floor(n r_s / R) plus one for the n - sum floor parts with the
 * largest remainders (ties to the earlier part), R = sum r.  Exact integer
 * arithmetic, so |t[s] - n r_s / R| < 1 always.
 */
void split_targets(long long n, const struct split_spec *sp, long long *t);

/*
 * Assign each item a part: out[i] in 0..nparts-1.  cls[i] is the item's
 * class (0..nclasses-1).  Without groups (group NULL) every class is
 * shuffled with the seed and cut at its split_targets(), so each part gets
 * each class within one item of its share.  With group (group[i] in
 * 0..ngroups-1), items of one group always share a part, and the groups
 * are assigned by a search (core/split.c) that minimises Pearson's X^2 of
 * the part x class counts against the per-class targets, subject to every
 * part with a share getting at least one group when there are as many
 * groups with items as such parts (with fewer: train, then test, then dev
 * get one).  Parts with ratio 0 get nothing.  Groups of one item reproduce
 * the targets exactly.  Deterministic for the seed.
 */
void split_assign(const struct split_spec *sp, int nitems, int nclasses,
    const int *cls, const int *group, int ngroups, int *out);

#endif
