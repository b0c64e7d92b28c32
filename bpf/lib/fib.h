/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Route lookup in the compiled table (uapi/sluice/fib.h): the root entry of
 * the address's first 24 bits, then one group per further 8 bits while the
 * entry links to a group.  IPv4 reads at most two entries, IPv6 at most
 * fourteen after one read of the /48 index (uapi/sluice/fib_p48.h), which
 * answers most /48s alone, whatever the number of routes.  Every read is an array lookup
 * the verifier inlines, indexed by one byte of the address.
 */
#ifndef SLUICE_BPF_FIB_H
#define SLUICE_BPF_FIB_H

#include <linux/in.h>
#include "fib_maps.h"

#ifndef AF_INET /* linux/socket.h, which BPF programs cannot include */
#define AF_INET 2
#endif

/* The root entry of @dst's first three bytes. */
static __always_inline __u32 fib_root_entry(void *root, const __u8 *dst)
{
	__u32 k = (__u32)dst[0] << 8 | dst[1];
	struct sluice_fib_block *b = bpf_map_lookup_elem(root, &k);

	return b ? b->e[dst[2]] : SLUICE_FIB_NONE;
}

/* The entry @byte of the group an EXT entry @v links to; 0 when the link
 * is out of the pool (a table being resized under us). */
static __always_inline __u32 fib_group_entry(void *groups, __u32 v, __u8 byte)
{
	__u32 g = v & ~SLUICE_FIB_EXT;
	struct sluice_fib_block *b = bpf_map_lookup_elem(groups, &g);

	return b ? b->e[byte] : SLUICE_FIB_NONE;
}

/* The entry that matched @dst (its target and prefix length, as
 * uapi/sluice/fib.h packs them); 0 for no route. */
static __always_inline __u32 fib4_entry(const __u8 *dst)
{
	__u32 v = fib_root_entry(&fib4_root, dst);

	if (v & SLUICE_FIB_EXT) {
		v = fib_group_entry(&fib4_groups, v, dst[3]);
		if (v & SLUICE_FIB_EXT) /* IPv4 has one level of groups */
			return SLUICE_FIB_NONE;
	}
	return v;
}

/* What the global function below reads: a pointer to 16 bytes. */
struct sluice_fib6_addr {
	__u8 a[16];
};

__u32 sluice_fib6_walk(const struct sluice_fib6_addr *dst);

/* The /48 index's entry for @a (uapi/sluice/fib_p48.h): what the walk
 * would read at byte 5, or 0 when the index has no slot for the /48. */
static __always_inline __u32 fib6_p48_entry(const __u8 *a)
{
	__u64 mixed = sluice_fib6_p48_mix(sluice_fib6_p48_key(a));
	__u32 b = sluice_fib6_p48_bucket(mixed, cfg_fib6_p48_bits);
	__u32 tag = sluice_fib6_p48_tag(mixed, cfg_fib6_p48_bits);
	struct sluice_fib6_p48_bucket *bk;

	if (!cfg_fib6_p48_bits)
		return SLUICE_FIB_NONE;
	bk = bpf_map_lookup_elem(&fib6_p48, &b);
	if (!bk)
		return SLUICE_FIB_NONE;
	for (int i = 0; i < SLUICE_FIB6_P48_WAYS; i++) {
		__u64 s = bk->slot[i];

		if ((__u32)(s >> 32) == tag && (__u32)s)
			return (__u32)s;
	}
	return SLUICE_FIB_NONE;
}

/*
 * IPv6's walk, up to 14 levels, as a global function: the verifier checks
 * it once per program instead of once for every path that routes, which
 * keeps sluice_xdp well inside the verifier's 1M-instruction budget.  The
 * /48 index first: a hit replaces the first four reads (it is the entry
 * the walk would reach at byte 5), a miss costs one read of a bucket.
 */
__noinline __u32 sluice_fib6_walk(const struct sluice_fib6_addr *dst)
{
	int i = 6;
	__u32 v;

	if (!dst)
		return SLUICE_FIB_NONE;
	v = fib6_p48_entry(dst->a);
	if (!v) {
		v = fib_root_entry(&fib6_root, dst->a);
		i = 3;
	}
	for (; i < 16 && (v & SLUICE_FIB_EXT); i++)
		v = fib_group_entry(&fib6_groups, v, dst->a[i]);
	if (v & SLUICE_FIB_EXT) /* deeper than 128 bits: a corrupt table */
		return SLUICE_FIB_NONE;
	return v;
}

static __always_inline __u32 fib6_entry(const __u8 *dst)
{
	return sluice_fib6_walk((const struct sluice_fib6_addr *)dst);
}

static __always_inline __u32 fib_entry(__u8 family, const __u8 *dst)
{
	return family == AF_INET ? fib4_entry(dst) : fib6_entry(dst);
}

/* Returns the target (SLUICE_FIB_*), SLUICE_FIB_NONE for no route. */
static __always_inline __u32 fib4_lookup(const __u8 *dst)
{
	return sluice_fib_target(fib4_entry(dst));
}

static __always_inline __u32 fib6_lookup(const __u8 *dst)
{
	return sluice_fib_target(fib6_entry(dst));
}

static __always_inline __u32 fib_lookup(__u8 family, const __u8 *dst)
{
	return sluice_fib_target(fib_entry(family, dst));
}

#endif
