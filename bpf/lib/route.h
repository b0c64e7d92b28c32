/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L3 route resolution: look the destination up in the compiled table
 * (fib.h), pick an ECMP member by flow hash, take its resolved next hop.
 * Whatever the kernel must see (local, TTL expiry, no route or neighbour)
 * is handed over untouched.  The load balancer resolves its outer packets
 * here too; emit.h sends, forward.h is the router's tail.
 */
#ifndef SLUICE_BPF_ROUTE_H
#define SLUICE_BPF_ROUTE_H

#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include "csum.h"
#include "pkt.h"
#include "l3.h"
#include "fib.h"
#include "neigh_wanted.h"
#include "route_maps.h"
#include "trace_note.h"

/* A resolved next hop: where and to whom the frame goes. */
struct hop {
	const struct sluice_fib_nh *nh;
	__u64 neigh; /* the neighbour's MAC (bytes 0-5), read once */
};

static __always_inline int route_target_verdict(__u32 target)
{
	if (target == SLUICE_FIB_NONE || target == SLUICE_FIB_NO_NHG)
		return SLUICE_PASS_NO_ROUTE;
	if (target == SLUICE_FIB_LOCAL)
		return SLUICE_PASS_LOCAL;
	if (target < SLUICE_FIB_NHG0)
		return SLUICE_PASS_KERNEL_ROUTE;
	return DP_CONTINUE;
}

/* For the trace: the table's entry @e that matched @dst (the route's
 * prefix length and next-hop group). */
static __always_inline void trace_note_route(const struct pkt *p, __u8 family,
					     const __u8 *dst, __u32 e)
{
	struct sluice_trace_decision *d = trace_note(p);
	__u32 gi = sluice_fib_target(e) - SLUICE_FIB_NHG0;
	const struct sluice_fib_nhg *g = NULL;

	if (!d || sluice_fib_target(e) == SLUICE_FIB_NONE)
		return;
	if (sluice_fib_target(e) >= SLUICE_FIB_NHG0)
		g = bpf_map_lookup_elem(&fib_nhgs, &gi);
	d->flags |= SLUICE_TRACE_D_ROUTE;
	d->route_family = family;
	__builtin_memcpy(d->route_dst, dst, 16);
	d->plen = sluice_fib_depth(e);
	d->nhg_id = g ? g->id : 0;
}

/* For the trace: the next hop the packet was sent to. */
static __always_inline void trace_note_hop(const struct pkt *p,
					   const struct sluice_fib_nh *nh)
{
	struct sluice_trace_decision *d = trace_note(p);

	if (!d)
		return;
	d->flags |= SLUICE_TRACE_D_HOP;
	d->oif = nh->ifindex;
	d->gw_family = nh->family;
	__builtin_memcpy(d->gw, nh->gw, 16);
}

/* Whether a forwarding @target's next-hop group can carry anything: a
 * group id that names no group still gets its slot, empty (lib/dp
 * nexthop.c dp_nexthops_target()). */
static __always_inline int route_nhg_usable(__u32 target)
{
	__u32 gi = target - SLUICE_FIB_NHG0;
	const struct sluice_fib_nhg *g = bpf_map_lookup_elem(&fib_nhgs, &gi);

	return g && g->count;
}

/* Route lookup for a transit packet; the TTL matters only when we
 * forward, so a route with no usable group is no route whatever the TTL
 * (the kernel's answer to it is its own, not TTL expiry's). */
static __always_inline int route_lookup(struct pkt *p, struct l3_info *f)
{
	__u32 e = fib_entry(f->family, f->dst);
	__u8 ttl;
	int r;

	trace_note_route(p, f->family, f->dst, e);
	f->target = sluice_fib_target(e);
	r = route_target_verdict(f->target);
	if (r != DP_CONTINUE)
		return r;
	if (!route_nhg_usable(f->target))
		return SLUICE_PASS_NO_ROUTE;
	if (f->family == AF_INET) {
		struct iphdr *iph = p->data + p->l3_off;

		if ((void *)(iph + 1) > p->data_end)
			return SLUICE_DROP_TRUNC_IP4;
		ttl = iph->ttl;
	} else {
		struct ipv6hdr *ip6 = p->data + p->l3_off;

		if ((void *)(ip6 + 1) > p->data_end)
			return SLUICE_DROP_TRUNC_IP6;
		ttl = ip6->hop_limit;
	}
	if (ttl <= 1)
		return SLUICE_PASS_TTL;
	return DP_CONTINUE;
}

/* The resolved next hop fib_nhs[@idx] for a packet to @dst. */
static __always_inline int resolve_nh(__u32 idx, __u8 family, const __u8 *dst,
				      struct hop *h)
{
	h->nh = bpf_map_lookup_elem(&fib_nhs, &idx);

	if (!h->nh || !(h->nh->flags & SLUICE_NH_USED))
		return SLUICE_PASS_NO_NEIGH;
	if (h->nh->flags & SLUICE_NH_ONLINK) {
		struct sluice_neigh_key nk = { .ifindex = h->nh->ifindex,
					       .family = family };
		const struct sluice_neigh *nb;

		__builtin_memcpy(nk.addr, dst, 16);
		nb = bpf_map_lookup_elem(&neighbors, &nk);
		if (!nb) {
			neigh_wanted_note(&nk);
			return SLUICE_PASS_NO_NEIGH;
		}
		h->neigh = 0;
		__builtin_memcpy(&h->neigh, nb->mac, ETH_ALEN);
	} else {
		h->neigh = *(volatile const __u64 *)&h->nh->neigh;
		if (!(h->neigh >> SLUICE_NH_STATE_SHIFT & SLUICE_NH_RESOLVED))
			return SLUICE_PASS_NO_NEIGH;
	}
	if (!(h->nh->flags & SLUICE_NH_MANAGED))
		return SLUICE_PASS_EGRESS_UNMANAGED;
	return DP_CONTINUE;
}

/* ECMP member and its resolved next hop for a forwarding @target: array
 * reads only, except for a connected destination (SLUICE_NH_ONLINK),
 * whose neighbour is the packet's own destination.  The member is picked
 * by @f's flow hash, or by @hash when @f is NULL. */
static __always_inline int resolve_hop(__u32 target, __u8 family,
				       const __u8 *dst, const struct l3_info *f,
				       __u32 hash, struct hop *h)
{
	const struct sluice_fib_nhg *g;
	__u32 gi = target - SLUICE_FIB_NHG0, count, idx = 0;

	g = bpf_map_lookup_elem(&fib_nhgs, &gi);
	if (!g)
		return SLUICE_PASS_NO_ROUTE;
	count = g->count;
	if (count == 0)
		return SLUICE_PASS_NO_ROUTE;
	if (count > 1)
		idx = (f ? l3_flow_hash(f) : hash) % count;
	if (idx >= SLUICE_MAX_ECMP)
		return SLUICE_PASS_NO_ROUTE;
	return resolve_nh(g->nh[idx], family, dst, h);
}

#endif
