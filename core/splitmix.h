/*
 * splitmix.h: splitmix64 (Steele, Lea and Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014), the seeded generator the
 * export split draws from and the agreement bootstrap seeds its streams
 * with.  Small, fast, fully seeded: the same seed gives the same stream
 * on every machine.  Nothing outside core/ sees it.
 */
#ifndef ACCORD_SPLITMIX_H
#define ACCORD_SPLITMIX_H

#include <stdint.h>

/* Advance the state *x and return its next 64-bit output. */
static inline uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif
