// SPDX-License-Identifier: BSD-2-Clause
/* Route sets for the route-lookup figures: see routegen.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "routegen.h"

__u64 rg_next(__u64 *state)
{
	__u64 z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double rg_unit(__u64 *s)
{
	return (double)(rg_next(s) >> 11) / 9007199254740992.0;
}

/* A length from a table of {plen, weight in 1/10000}. */
struct rg_len {
	unsigned int plen, weight;
};

static unsigned int pick_len(const struct rg_len *t, size_t n, __u64 *s)
{
	unsigned int total = 0, x;

	for (size_t i = 0; i < n; i++)
		total += t[i].weight;
	x = (unsigned int)(rg_next(s) % total);
	for (size_t i = 0; i < n; i++) {
		if (x < t[i].weight)
			return t[i].plen;
		x -= t[i].weight;
	}
	return t[n - 1].plen;
}

static void mask(__u8 *a, unsigned int plen)
{
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int bit = i * 8;

		if (bit >= plen)
			a[i] = 0;
		else if (plen - bit < 8)
			a[i] &= (__u8)(0xff << (8 - (plen - bit)));
	}
}

/* Random bits from bit @from on (the ones above are kept). */
static void random_from(__u8 *a, unsigned int from, __u64 *s)
{
	__u8 r[16];
	__u64 x = rg_next(s), y = rg_next(s);

	memcpy(r, &x, 8);
	memcpy(r + 8, &y, 8);
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int bit = i * 8;
		__u8 keep;

		if (bit + 8 <= from)
			continue;
		keep = bit >= from ? 0 : (__u8)(0xff << (8 - (from - bit)));
		a[i] = (__u8)((a[i] & keep) | (r[i] & ~keep));
	}
}

/* @v (right-aligned) into bits [from, to) of @a, to - from <= 32 */
static void set_bits(__u8 *a, unsigned int from, unsigned int to, __u32 v)
{
	for (unsigned int b = to; b-- > from; v >>= 1) {
		__u8 m = (__u8)(0x80 >> (b % 8));

		a[b / 8] = (__u8)((v & 1) ? a[b / 8] | m : a[b / 8] & ~m);
	}
}

static int cmp_route(const void *x, const void *y)
{
	const struct rg_route *a = x, *b = y;
	int c = memcmp(a->addr, b->addr, 16);

	return c ? c : (int)a->plen - (int)b->plen;
}

/* Sorts out duplicates, shuffles, keeps @n: -ENOMEM if fewer are left. */
static int distinct_shuffled(struct rg_route *all, size_t m,
			     struct rg_route *out, size_t n, __u64 *s)
{
	size_t k = 0;

	qsort(all, m, sizeof(*all), cmp_route);
	for (size_t i = 0; i < m; i++)
		if (!k || cmp_route(&all[k - 1], &all[i]))
			all[k++] = all[i];
	if (k < n)
		return -ENOMEM;
	for (size_t i = k - 1; i > 0; i--) {
		size_t j = (size_t)(rg_next(s) % (i + 1));
		struct rg_route t = all[i];

		all[i] = all[j];
		all[j] = t;
	}
	memcpy(out, all, n * sizeof(*out));
	return 0;
}

int routegen_v4(struct rg_route *out, size_t n, __u64 seed)
{
	static const struct rg_len lens[] = {
		{ 8, 2 },     { 12, 3 },   { 14, 5 },	{ 15, 5 },
		{ 16, 120 },  { 17, 60 },  { 18, 100 }, { 19, 250 },
		{ 20, 400 },  { 21, 450 }, { 22, 950 }, { 23, 840 },
		{ 24, 6715 }, { 25, 20 },  { 26, 15 },	{ 27, 15 },
		{ 28, 15 },   { 29, 15 },  { 30, 10 },	{ 32, 10 },
	};
	size_t m = n + n / 8 + 64;
	struct rg_route *all = calloc(m, sizeof(*all));
	__u64 s = seed;
	int err;

	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < m; i++) {
		struct rg_route *r = &all[i];
		__u8 o;

		do
			o = (__u8)(1 + rg_next(&s) % 223);
		while (o == 127 || o == 169);
		r->addr[0] = o;
		random_from(r->addr, 8, &s);
		r->plen = (__u8)pick_len(lens, sizeof(lens) / sizeof(lens[0]),
					 &s);
		mask(r->addr, r->plen);
	}
	err = distinct_shuffled(all, m, out, n, &s);
	free(all);
	return err;
}

#define V6_ALLOCS 4096
#define V6_POOLS 64

int routegen_v6(struct rg_route *out, size_t n, __u64 seed)
{
	static const struct rg_len alloc_lens[] = {
		{ 20, 100 }, { 22, 100 },  { 24, 300 },	 { 26, 200 },
		{ 28, 800 }, { 29, 2500 }, { 32, 6000 },
	};
	static const struct rg_len lens[] = {
		{ 33, 50 },  { 34, 50 },  { 35, 50 },  { 36, 400 },
		{ 37, 50 },  { 38, 50 },  { 39, 50 },  { 40, 800 },
		{ 41, 50 },  { 42, 100 }, { 43, 50 },  { 44, 600 },
		{ 45, 100 }, { 46, 150 }, { 47, 130 }, { 48, 7100 },
		{ 56, 80 },  { 60, 20 },  { 64, 100 }, { 128, 20 },
	};
	size_t m = n + n / 8 + V6_ALLOCS;
	struct rg_route *all = calloc(m, sizeof(*all));
	struct rg_route alloc[V6_ALLOCS];
	__u64 s = seed;
	int err;

	if (!all)
		return -ENOMEM;
	for (size_t a = 0; a < V6_ALLOCS; a++) {
		struct rg_route *r = &alloc[a];

		memset(r, 0, sizeof(*r));
		r->addr[0] = 0x20;
		random_from(r->addr, 3, &s);
		r->plen = (__u8)pick_len(
			alloc_lens, sizeof(alloc_lens) / sizeof(alloc_lens[0]),
			&s);
		mask(r->addr, r->plen);
		all[a] = *r;
	}
	for (size_t i = V6_ALLOCS; i < m; i++) {
		/* skewed, the product of two uniforms: the first
		 * allocation gets about 1/440 of the routes */
		size_t a = (size_t)(V6_ALLOCS * rg_unit(&s) * rg_unit(&s));
		unsigned int alen, pool_bits, pools;
		struct rg_route *r = &all[i];

		a = a < V6_ALLOCS ? a : V6_ALLOCS - 1;
		*r = alloc[a];
		alen = r->plen;
		pool_bits = 40 - alen;
		pools = pool_bits < 6 ? 1u << pool_bits : V6_POOLS;
		/* a pool of the allocation's first ones, skewed too */
		set_bits(r->addr, alen, 40,
			 (__u32)(pools * rg_unit(&s) * rg_unit(&s)));
		random_from(r->addr, 40, &s);
		r->plen = (__u8)pick_len(lens, sizeof(lens) / sizeof(lens[0]),
					 &s);
		mask(r->addr, r->plen);
	}
	err = distinct_shuffled(all, m, out, n, &s);
	free(all);
	return err;
}

void routegen_dest(const struct rg_route *r, unsigned int addr_bytes,
		   __u64 *rng, __u8 *dst)
{
	__u8 a[16];

	memcpy(a, r->addr, 16);
	random_from(a, r->plen, rng);
	memcpy(dst, a, addr_bytes);
}

/* A group is named by the prefix it expands (24 + 8 (level - 1) bits, at
 * most 120: byte 15 is free) and its level, in byte 15. */
static int cmp_key(const void *x, const void *y)
{
	return memcmp(x, y, 16);
}

long routegen_groups(const struct rg_route *r, size_t n,
		     unsigned int addr_bytes)
{
	unsigned int bits = addr_bytes * 8;
	size_t m = 0, k = 0;
	__u8(*keys)[16];

	for (size_t i = 0; i < n; i++)
		if (r[i].plen > 24 && r[i].plen <= bits)
			m += (r[i].plen - 24 + 7) / 8;
	keys = malloc((m ? m : 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		for (unsigned int lv = 1; 24 + 8 * (lv - 1) < r[i].plen; lv++) {
			memcpy(keys[k], r[i].addr, 16);
			mask(keys[k], 24 + 8 * (lv - 1));
			keys[k][15] = (__u8)lv;
			k++;
		}
	}
	qsort(keys, k, sizeof(*keys), cmp_key);
	m = 0;
	for (size_t i = 0; i < k; i++)
		if (!i || memcmp(keys[i - 1], keys[i], 16))
			m++;
	free(keys);
	return (long)m;
}

size_t routegen_count_len(const struct rg_route *r, size_t n, unsigned int lo,
			  unsigned int hi)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += r[i].plen >= lo && r[i].plen <= hi;
	return c;
}
