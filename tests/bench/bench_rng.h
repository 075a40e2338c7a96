/*
 * bench_rng.h: the seeded generator of the benchmark data generators
 * (gen_media.c, gen_store.c): splitmix64 (Steele, Lea and Flood 2014,
 * Vigna's reference code), one 64-bit state, statistically sound for
 * test data, the same numbers on every platform.
 */
#ifndef ACCORD_BENCH_RNG_H
#define ACCORD_BENCH_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s;
};

static inline uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1), 53 bits. */
static inline double
rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
