/* SPDX-License-Identifier: BSD-2-Clause */
/* splitmix64's finaliser: a fixed, well-mixed 64-bit hash that every node
 * and every version computes the same way (Maglev's permutations depend on
 * it), and a cheap one for hash tables (lib/fib's rule set). */
#ifndef SLUICE_MIX64_H
#define SLUICE_MIX64_H

#include <stdint.h>

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

#endif
