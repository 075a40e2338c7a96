/*
 * synth.h: synthetic labelers for the export and Dawid-Skene benchmarks
 * (gen_export.c, ds_bench.c), header-only so each benchmark stays one
 * program.
 *
 * Each item has a true class drawn from a skewed prior (weights
 * 1/(c+1)^2: most items are the first class, as most parts are "ok"), and
 * k distinct labelers of nlabelers label it.  Labeler j is right with
 * probability acc[j], drawn once in 0.60..0.95; a wrong answer is the
 * borderline class with probability SYNTH_BORDERLINE (when there is one),
 * else another class, uniformly.  Labelers who differ in skill are what
 * Dawid-Skene can exploit and majority vote cannot, so the EM has real
 * work to do.  Everything depends only on the seed and the item index.
 */
#ifndef ACCORD_BENCH_SYNTH_H
#define ACCORD_BENCH_SYNTH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "accord/util.h"

#define SYNTH_MAX_K 16
#define SYNTH_BORDERLINE 0.05

/* A whole-number argument of prog, at least min; exits 2 otherwise. */
static inline long long
synth_arg(const char *prog, const char *s, long long min, const char *what)
{
	long long v;

	if (acc_parse_int(s, min, 100000000, &v) != 0) {
		fprintf(stderr, "%s: bad %s '%s'\n", prog, what, s);
		exit(2);
	}
	return v;
}

struct synth_rng {
	uint64_t s;
};

/* splitmix64 (Steele, Lea, Flood 2014). */
static inline uint64_t
synth_next(struct synth_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static inline double
synth_unit(struct synth_rng *r)
{
	return (double)(synth_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

struct synth {
	int nlabelers, k;
	int nclasses;     /* classes labels can take, borderline included */
	int borderline;   /* its index, or -1 */
	uint64_t seed;
	double *acc;      /* nlabelers */
	double prior_sum; /* of the truth classes' weights */
};

static inline void
synth_init(struct synth *s, int nlabelers, int k, int nclasses,
    int borderline, uint64_t seed)
{
	struct synth_rng r = { seed ^ 0x5eed5eedULL };
	int j, c;

	s->nlabelers = nlabelers;
	s->k = k;
	s->nclasses = nclasses;
	s->borderline = borderline;
	s->seed = seed;
	s->acc = malloc((size_t)nlabelers * sizeof *s->acc);
	if (s->acc == NULL)
		abort();
	for (j = 0; j < nlabelers; j++)
		s->acc[j] = 0.60 + 0.35 * synth_unit(&r);
	s->prior_sum = 0;
	for (c = 0; c < nclasses; c++)
		if (c != borderline)
			s->prior_sum += 1.0 / ((c + 1.0) * (c + 1.0));
}

static inline void
synth_free(struct synth *s)
{
	free(s->acc);
	s->acc = NULL;
}

/*
 * Item i: its true class, and its k labelers and their answers (class
 * indices) in who[] and said[] (SYNTH_MAX_K entries each at most).
 */
static inline int
synth_item(const struct synth *s, long long i, int *who, int *said)
{
	struct synth_rng r = { s->seed * 0x100000001b3ULL ^ (uint64_t)i };
	double u = synth_unit(&r) * s->prior_sum;
	int truth = 0, c, n, j, t;

	for (c = 0; c < s->nclasses; c++) {
		if (c == s->borderline)
			continue;
		truth = c;
		u -= 1.0 / ((c + 1.0) * (c + 1.0));
		if (u < 0)
			break;
	}
	for (n = 0; n < s->k; n++) {
		/* Distinct labelers: k is small, so rejection is cheap. */
		do {
			j = (int)(synth_next(&r) % (uint64_t)s->nlabelers);
			for (t = 0; t < n && who[t] != j; t++)
				;
		} while (t < n);
		who[n] = j;
		if (synth_unit(&r) < s->acc[j])
			said[n] = truth;
		else if (s->borderline >= 0 &&
		    synth_unit(&r) < SYNTH_BORDERLINE)
			said[n] = s->borderline;
		else {
			/* Another class that is neither truth nor borderline. */
			int others = s->nclasses - 1 - (s->borderline >= 0);

			if (others <= 0) {
				said[n] = truth;
				continue;
			}
			t = (int)(synth_next(&r) % (uint64_t)others);
			for (c = 0; c < s->nclasses; c++) {
				if (c == truth || c == s->borderline)
					continue;
				if (t-- == 0)
					break;
			}
			said[n] = c;
		}
	}
	return truth;
}

#endif
