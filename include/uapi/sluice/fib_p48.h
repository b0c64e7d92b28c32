/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fib6_p48: an exact-match index of the IPv6 table's /48 level, read before
 * the walk (uapi/sluice/fib.h).  IPv6 tables are mostly /48s, and the walk
 * of a /48 is four dependent reads (the root, then the groups of bytes 3, 4
 * and 5), each a cache and a TLB miss once the table is large; the index
 * answers a /48 in one read of one bucket.
 *
 * BPF_MAP_TYPE_ARRAY (BPF_F_MMAPABLE) of 2^bits buckets of
 * SLUICE_FIB6_P48_WAYS 64-bit slots (32 bytes: half a cache line); bits is
 * a load-time setting (sluiced's fib.v6_index_slots), SLUICE_FIB6_P48_BITS
 * unless set, and the data path has it as a constant of its load.  The
 * address's first 48 bits, mixed by sluice_fib6_p48_mix() (a bijection of
 * 48-bit values), give the bucket (the low bits bits) and the tag (the
 * other 48 - bits, at most 32): bucket and tag together name exactly one
 * /48.
 *
 * A slot is tag << 32 | entry, where entry is what the walk reads at that
 * /48's level (byte 5): a link to the group of byte 6 (a longer route lies
 * inside the /48) or the entry a route of 41 to 48 bits wrote there (a
 * route of 40 bits or less is left to the walk: it covers up to 2^24
 * /48s).  A slot of 0 is empty; no cached entry is 0.  Each slot is written by one aligned 64-bit store, so
 * a reader sees it whole, and after the table entries it mirrors: a reader
 * gets the old entry or the new one, as from the walk.
 *
 * lib/fib keeps it: after each change to a rule of 41 bits or longer it
 * recomputes the slots of the /48s the rule covers (one, or up to 128 for
 * a /41) from the table.  A /48 without a slot (only routes of 40 bits or
 * less cover it, or its bucket was full when it was written) takes the
 * walk.  Readers that do not know the index (lib/fibread) take
 * the walk always and get the same answers.
 */
#ifndef SLUICE_UAPI_FIB_P48_H
#define SLUICE_UAPI_FIB_P48_H

#include <linux/types.h>

#ifndef SLUICE_FIB6_P48_BITS
#define SLUICE_FIB6_P48_BITS 17 /* the default: 131,072 buckets, 4 MiB */
#endif
#define SLUICE_FIB6_P48_BITS_MIN 16 /* the tag must fit a slot's 32 bits */
#define SLUICE_FIB6_P48_BITS_MAX 22 /* 128 MiB */
#define SLUICE_FIB6_P48_BUCKETS (1u << SLUICE_FIB6_P48_BITS)
#define SLUICE_FIB6_P48_WAYS 4
#define SLUICE_FIB6_P48_MASK 0xffffffffffffull /* 48 bits */
/* The sizes an index may have, in slots (sluiced's fib.v6_index_slots). */
#define SLUICE_FIB6_P48_SLOTS_MIN                                              \
	(SLUICE_FIB6_P48_WAYS << SLUICE_FIB6_P48_BITS_MIN)
#define SLUICE_FIB6_P48_SLOTS_MAX                                              \
	(SLUICE_FIB6_P48_WAYS << SLUICE_FIB6_P48_BITS_MAX)

struct sluice_fib6_p48_bucket {
	__u64 slot[SLUICE_FIB6_P48_WAYS];
};

/* Two multiply-xorshift rounds on 48 bits: each step is invertible (odd
 * multipliers, shifts of at least 1), so distinct /48s never share a
 * bucket and a tag, and every bit of the /48 moves the bucket. */
#define SLUICE_FIB6_P48_MUL1 0x9e3779b97f4bull
#define SLUICE_FIB6_P48_MUL2 0xbf58476d1ce5ull
#define SLUICE_FIB6_P48_SHIFT 23

static inline __u64 sluice_fib6_p48_mix(__u64 k)
{
	k = (k * SLUICE_FIB6_P48_MUL1) & SLUICE_FIB6_P48_MASK;
	k ^= k >> SLUICE_FIB6_P48_SHIFT;
	k = (k * SLUICE_FIB6_P48_MUL2) & SLUICE_FIB6_P48_MASK;
	k ^= k >> SLUICE_FIB6_P48_SHIFT;
	return k;
}

/* The first 48 bits of the IPv6 address @a, as a number. */
static inline __u64 sluice_fib6_p48_key(const __u8 *a)
{
	return (__u64)a[0] << 40 | (__u64)a[1] << 32 | (__u64)a[2] << 24 |
	       (__u64)a[3] << 16 | (__u64)a[4] << 8 | (__u64)a[5];
}

/* The bits of an index of @slots slots: 0 for 0 (no index), -1 unless
 * @slots is 0 or a power of two from SLOTS_MIN to SLOTS_MAX.  The one
 * check of a size, for sluiced's config, lib/dp and the bench. */
static inline int sluice_fib6_p48_slots_bits(__u64 slots)
{
	if (!slots)
		return 0;
	if (slots < SLUICE_FIB6_P48_SLOTS_MIN ||
	    slots > SLUICE_FIB6_P48_SLOTS_MAX || (slots & (slots - 1)))
		return -1;
	return __builtin_ctzll(slots / SLUICE_FIB6_P48_WAYS);
}

/* A mixed /48's bucket and tag in an index of 2^@bits buckets. */
#define sluice_fib6_p48_bucket(mixed, bits)                                    \
	((__u32)((mixed) & ((1ull << (bits)) - 1)))
#define sluice_fib6_p48_tag(mixed, bits) ((__u32)((mixed) >> (bits)))

#endif /* SLUICE_UAPI_FIB_P48_H */
