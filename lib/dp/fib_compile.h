/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/dp internal: the compiled forwarding table (fib.c).  route.c's typed
 * operations on routes, next-hop groups, neighbours and ports call these
 * in the router role, so the table the packet path reads follows the
 * source maps.
 */
#ifndef SLUICE_DP_FIB_COMPILE_H
#define SLUICE_DP_FIB_COMPILE_H

#include <linux/types.h>
#include <uapi/sluice/sluice.h>

struct dp;
struct dp_nexthops;

/* After the load: mmap the tables, adopt and replay (see fib.c). */
int dp_fib_open(struct dp *dp);
void dp_fib_close(struct dp *dp);

/* Table first, then the source map; undone when the second fails. */
int dp_fib_route_set(struct dp *dp, int family, const void *addr,
		     unsigned int plen, const struct sluice_route *rt);
int dp_fib_route_del(struct dp *dp, int family, const void *addr,
		     unsigned int plen);
int dp_fib_nhg_set(struct dp *dp, __u32 id, const struct sluice_nhg *g);
int dp_fib_nhg_del(struct dp *dp, __u32 id);
/* The source map has changed already. */
void dp_fib_neigh_changed(struct dp *dp, const struct sluice_neigh_key *k,
			  const struct sluice_neigh *v);
void dp_fib_iface_changed(struct dp *dp, __u32 ifindex);
/* The next-hop compiler (nexthop.h), NULL without the table. */
struct dp_nexthops *dp_fib_nexthops(struct dp *dp);

#endif
