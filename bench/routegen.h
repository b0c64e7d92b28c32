/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Route sets for the route-lookup figures (fibcost.c): deterministic
 * (seeded), distinct prefixes in random order, so that the first N of a
 * set are a sample of the whole with the same length mix.  No packet is
 * ever sent to these prefixes: only BPF_PROG_TEST_RUN sees them.
 */
#ifndef SLUICE_BENCH_ROUTEGEN_H
#define SLUICE_BENCH_ROUTEGEN_H

#include <stddef.h>
#include <linux/types.h>

struct rg_route {
	__u8 addr[16]; /* network order, host bits clear; IPv4 in 0-3 */
	__u8 plen;
	__u8 pad[3];
};

/* splitmix64 */
__u64 rg_next(__u64 *state);

/*
 * IPv4, internet-like: about 67% /24, 30% /16-/23 (mostly /22-/23), 1%
 * /25-/32 and a few /8-/15, over 1-223.x.x.x except 127/8 and 169/8 (no
 * multicast, link-local or loopback destination).  0 or -ENOMEM.
 */
int routegen_v4(struct rg_route *out, size_t n, __u64 seed);

/*
 * IPv6: 4096 allocations (/20-/32, 60% /32 and 25% /29) in 2000::/3,
 * each a route, under which the rest are more-specifics: 70% /48, then
 * /33-/47 (/44 /40 /36 the most), 2% /56-/64, 0.2% /128.  Allocations
 * are picked with a skew (a few big networks announce many routes) and
 * fill from their start: the bits down to /40 name one of at most 64
 * pools of an allocation, the bits below are random.  0 or -ENOMEM.
 */
int routegen_v6(struct rg_route *out, size_t n, __u64 seed);

/* A destination inside @r: its prefix, random host bits. */
void routegen_dest(const struct rg_route *r, unsigned int addr_bytes,
		   __u64 *rng, __u8 *dst);

/* Groups (256-entry blocks past the /24 root) a compiled table of
 * @r[0..n) needs when no group folds (every route its own target), or
 * -ENOMEM. */
long routegen_groups(const struct rg_route *r, size_t n,
		     unsigned int addr_bytes);

/* How many of @r[0..n) have plen in [lo, hi]. */
size_t routegen_count_len(const struct rg_route *r, size_t n, unsigned int lo,
			  unsigned int hi);

#endif
