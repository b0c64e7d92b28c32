/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/dp internal: next hops compiled into dense arrays (uapi/sluice/fib.h).
 *
 * The nhgs, neighbors and ifaces hashes stay the source of truth (the API,
 * restarts); nexthop.c keeps fib_nhgs and fib_nhs, which the packet path
 * reads, in step with them.  A next-hop group id gets a fib_nhgs index
 * while a route or the group itself uses it; each distinct (ifindex,
 * family, gateway) gets one fib_nhs entry, shared by every group using it,
 * so a neighbour change rewrites one entry.  Writes go through the arrays'
 * mmap in an order a concurrent reader can follow (see nexthop.c).
 */
#ifndef SLUICE_DP_NEXTHOP_H
#define SLUICE_DP_NEXTHOP_H

#include <linux/types.h>
#include <uapi/sluice/sluice.h>

struct dp;
struct dp_nexthops;

/* @nhgs and @nhs: the mmapped fib_nhgs and fib_nhs.  Indices already in
 * use there (an earlier run's) are adopted as they are. */
int dp_nexthops_new(struct dp_nexthops **out, struct dp *dp,
		    struct sluice_fib_nhg *nhgs, struct sluice_fib_nh *nhs);
void dp_nexthops_free(struct dp_nexthops *n);

/* The table target of @rt, holding a reference on its group's index until
 * dp_nexthops_put(). */
int dp_nexthops_target(struct dp_nexthops *n, const struct sluice_route *rt,
		       __u32 *target);
void dp_nexthops_put(struct dp_nexthops *n, __u32 target);

/* The source maps changed: recompile what depends on them. */
int dp_nexthops_nhg_set(struct dp_nexthops *n, __u32 id,
			const struct sluice_nhg *g);
void dp_nexthops_nhg_del(struct dp_nexthops *n, __u32 id);
void dp_nexthops_neigh(struct dp_nexthops *n, const struct sluice_neigh_key *k,
		       const struct sluice_neigh *v); /* NULL: gone */
void dp_nexthops_iface(struct dp_nexthops *n, __u32 ifindex);

/* After adoption and replay: frees the indices nothing uses any more and
 * refreshes every next hop from the source maps. */
void dp_nexthops_settle(struct dp_nexthops *n);

/* A load-balancer backend's outer next hop (lb_backend_hop.c): for the
 * route @target to @addr, the fib_nhs index the packet path can use
 * without a lookup, holding a reference; 0 when there is none (no route,
 * or ECMP: the flow picks the member).  A connected backend gets a next
 * hop of its own, with its address as the gateway, so its neighbour entry
 * resolves it like any gateway's. */
int dp_nexthops_hop_of(struct dp_nexthops *n, __u32 target, __u8 family,
		       const __u8 *addr, __u32 *hop);
void dp_nexthops_hop_put(struct dp_nexthops *n, __u32 hop);
/* Adoption: an earlier run's backend still names @hop. */
void dp_nexthops_hop_adopt(struct dp_nexthops *n, __u32 hop);

__u32 dp_nexthops_groups_used(const struct dp_nexthops *n);
__u32 dp_nexthops_hops_used(const struct dp_nexthops *n);

#endif
