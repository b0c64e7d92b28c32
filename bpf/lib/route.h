/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L3 route resolution: look the destination up in the LPM tries, pick an
 * ECMP member by flow hash, resolve the neighbour and the egress port.
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
#include "port_maps.h"
#include "route_maps.h"

/* A resolved next hop: where and to whom the frame goes. */
struct hop {
	const struct sluice_iface *out;
	const struct sluice_neigh *nb;
	__u32 ifindex; /* logical egress (maybe a VLAN) */
};

static __always_inline const struct sluice_route *lpm_lookup(__u8 family,
							     const __u8 *dst)
{
	if (family == AF_INET) {
		struct sluice_lpm4_key k = { .prefixlen = 32 };

		__builtin_memcpy(k.addr, dst, 4);
		return bpf_map_lookup_elem(&routes_v4, &k);
	} else {
		struct sluice_lpm6_key k = { .prefixlen = 128 };

		__builtin_memcpy(k.addr, dst, 16);
		return bpf_map_lookup_elem(&routes_v6, &k);
	}
}

static __always_inline int route_type_verdict(const struct sluice_route *rt)
{
	if (!rt)
		return SLUICE_PASS_NO_ROUTE;
	if (rt->type == SLUICE_RT_LOCAL)
		return SLUICE_PASS_LOCAL;
	if (rt->type != SLUICE_RT_FORWARD)
		return SLUICE_PASS_KERNEL_ROUTE;
	return DP_CONTINUE;
}

/* LPM lookup for a transit packet; the TTL matters only when we forward. */
static __always_inline int route_lookup(struct pkt *p, struct l3_info *f)
{
	__u8 ttl;
	int r;

	f->rt = lpm_lookup(f->family, f->dst);
	r = route_type_verdict(f->rt);
	if (r != DP_CONTINUE)
		return r;
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

/* ECMP member, neighbour and egress port for a FORWARD route. */
static __always_inline int resolve_hop(const struct sluice_route *rt,
				       __u8 family, const __u8 *dst, __u32 hash,
				       struct hop *h)
{
	struct sluice_neigh_key nk = {};
	const struct sluice_nhg *g;
	const struct sluice_nh *nh;
	__u32 idx = 0;

	g = bpf_map_lookup_elem(&nhgs, &rt->nhg_id);
	if (!g || g->count == 0)
		return SLUICE_PASS_NO_ROUTE;
	if (g->count > 1)
		idx = hash % g->count;
	if (idx >= SLUICE_MAX_ECMP)
		return SLUICE_PASS_NO_ROUTE;
	nh = &g->nh[idx];

	nk.ifindex = nh->ifindex;
	if (nh->family) {
		nk.family = nh->family;
		__builtin_memcpy(nk.addr, nh->gw, 16);
	} else {
		nk.family = family;
		__builtin_memcpy(nk.addr, dst, 16);
	}
	h->nb = bpf_map_lookup_elem(&neighbors, &nk);
	if (!h->nb)
		return SLUICE_PASS_NO_NEIGH;
	h->ifindex = nh->ifindex;
	h->out = bpf_map_lookup_elem(&ifaces, &h->ifindex);
	if (!h->out)
		return SLUICE_PASS_EGRESS_UNMANAGED;
	return DP_CONTINUE;
}

#endif
