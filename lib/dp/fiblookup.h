/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The route-lookup benchmark's object (bench/fib_lookup.bpf.c): the same
 * destination looked up in an LPM trie or in a compiled forwarding table,
 * for IPv4 and IPv6.  Benchmarks load it here, so that only lib/dp
 * includes a skeleton; they fill the maps themselves (the tries with
 * bpf_map_update_elem, the tables with lib/fib over the mmapped arrays).
 */
#ifndef SLUICE_DP_FIBLOOKUP_H
#define SLUICE_DP_FIBLOOKUP_H

#include <linux/types.h>

struct dp_fiblookup;

enum dp_fiblookup_prog {
	DP_FIBLOOKUP_TRIE4,
	DP_FIBLOOKUP_TABLE4,
	DP_FIBLOOKUP_TRIE6,
	DP_FIBLOOKUP_TABLE6,
	DP_FIBLOOKUP_PROGS
};

enum dp_fiblookup_map {
	DP_FIBLOOKUP_MAP_TRIE4, /* key {__u32 prefixlen; __u8 addr[4]} */
	DP_FIBLOOKUP_MAP_TRIE6, /* key {__u32 prefixlen; __u8 addr[16]} */
	DP_FIBLOOKUP_MAP_FIB4_ROOT,
	DP_FIBLOOKUP_MAP_FIB4_GROUPS,
	DP_FIBLOOKUP_MAP_FIB6_ROOT,
	DP_FIBLOOKUP_MAP_FIB6_GROUPS,
	DP_FIBLOOKUP_MAP_FIB6_P48, /* the /48 index (uapi/sluice/fib_p48.h) */
	DP_FIBLOOKUP_MAPS
};

/* Group pools of @fib4_groups and @fib6_groups 256-entry blocks (at
 * least 1 each), an IPv6 /48 index of 2^@p48_bits buckets (0: none;
 * else SLUICE_FIB6_P48_BITS_MIN..MAX).  NULL with errno set when the
 * object does not load. */
struct dp_fiblookup *dp_fiblookup_open(__u32 fib4_groups, __u32 fib6_groups,
				       unsigned int p48_bits);
void dp_fiblookup_close(struct dp_fiblookup *b);
int dp_fiblookup_prog_fd(const struct dp_fiblookup *b,
			 enum dp_fiblookup_prog p);
int dp_fiblookup_map_fd(const struct dp_fiblookup *b, enum dp_fiblookup_map m);

#endif
