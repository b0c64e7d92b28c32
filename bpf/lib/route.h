/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L3 forwarding: look the destination up in the LPM tries, pick an ECMP
 * member by flow hash, resolve the neighbour and the egress port, then
 * rewrite and redirect.  Whatever the kernel must see (local, TTL expiry,
 * no route or neighbour, too big) is handed over untouched.  The load
 * balancer reuses the resolve and emit halves for its outer packets.
 */
#ifndef SLUICE_BPF_ROUTE_H
#define SLUICE_BPF_ROUTE_H

#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include "csum.h"
#include "ctx.h"
#include "l3.h"
#include "maps.h"
#include "parse.h"

/* A resolved next hop: where and to whom the frame goes. */
struct hop {
	const struct sluice_iface *out;
	const struct sluice_neigh *nb;
	__u32 ifindex;			/* logical egress (maybe a VLAN) */
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

/* Rewrite L2 for @out (VLAN push/pop/retag as the ports need) and set the
 * destination and source MACs.  May move the packet start. */
static __always_inline int l2_rewrite(struct xdp_md *ctx, struct pkt *p,
				      const struct sluice_iface *out,
				      const struct sluice_neigh *nb)
{
	int out_tagged = out->flags & SLUICE_IF_VLAN;
	struct ethhdr *eth;

	if (p->tagged && !out_tagged) {
		/* pop: the inner ethertype at offset 16 becomes h_proto */
		if (bpf_xdp_adjust_head(ctx, (int)sizeof(struct vlan_tag)))
			return SLUICE_DROP_ADJUST;
	} else if (!p->tagged && out_tagged) {
		/* push: the old h_proto lands at offset 16, the inner one */
		if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct vlan_tag)))
			return SLUICE_DROP_ADJUST;
	}
	p->data = (void *)(long)ctx->data;
	p->data_end = (void *)(long)ctx->data_end;
	eth = p->data;
	if ((void *)eth + sizeof(*eth) + sizeof(struct vlan_tag) > p->data_end)
		return SLUICE_DROP_ADJUST;
	if (out_tagged) {
		struct vlan_tag *tag = (void *)(eth + 1);
		/* keep priority and DEI of a tagged frame, 0 otherwise */
		__u16 tci = (p->tagged ? p->vlan_tci & 0xf000 : 0) |
			    (out->vlan_id & 0x0fff);

		eth->h_proto = bpf_htons(ETH_P_8021Q);
		tag->tci = bpf_htons(tci);
	}
	__builtin_memcpy(eth->h_dest, nb->mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, out->mac, ETH_ALEN);
	return DP_CONTINUE;
}

/* Send the frame to @h: L2 rewrite, then XDP_TX or a devmap redirect.
 * Returns FWD_TX or FWD_REDIRECT (or a drop reason). */
static __always_inline int emit_hop(struct xdp_md *ctx, struct pkt *p,
				    const struct hop *h)
{
	__u32 egress;
	int r;

	r = l2_rewrite(ctx, p, h->out, h->nb);
	if (r != DP_CONTINUE)
		return r;
	egress = (h->out->flags & SLUICE_IF_VLAN) ? h->out->parent_ifindex :
						     h->ifindex;
	if (egress == p->ingress_ifindex)
		return SLUICE_FWD_TX;
	p->redirect_verdict = bpf_redirect_map(&tx_ports, egress, 0);
	if (p->redirect_verdict != XDP_REDIRECT)
		return SLUICE_DROP_REDIRECT;
	return SLUICE_FWD_REDIRECT;
}

static __always_inline void decrease_ttl(struct pkt *p, __u8 family)
{
	if (family == AF_INET) {
		struct iphdr *iph = p->data + p->l3_off;

		if ((void *)(iph + 1) <= p->data_end)
			ip4_decrease_ttl(iph);
	} else {
		struct ipv6hdr *ip6 = p->data + p->l3_off;

		if ((void *)(ip6 + 1) <= p->data_end)
			ip6->hop_limit--;
	}
}

/* The router's tail: resolve, check the MTU, TTL-1, emit. */
static __always_inline int forward_stage(struct xdp_md *ctx, struct pkt *p,
					 struct l3_info *f)
{
	struct hop h;
	int r;

	r = resolve_hop(f->rt, f->family, f->dst, f->hash, &h);
	if (r != DP_CONTINUE)
		return r;
	if (f->l3_len > h.out->mtu)
		return SLUICE_PASS_MTU;
	/* Past this point the packet is ours. */
	decrease_ttl(p, f->family);
	return emit_hop(ctx, p, &h);
}

#endif
