/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sending a frame: rewrite L2 for the egress port (MACs; push, pop or
 * retag a VLAN) and queue it for that port, or send it back out of the
 * port it came in on.
 *
 * "Back out of the ingress port" is XDP_TX on a real NIC.  On a veth,
 * an XDP_TX frame reaches a peer that has no XDP program only when some
 * other packet wakes that peer, so a one-arm load balancer in a container
 * stalls; a devmap redirect to the ingress port wakes it.  The daemon marks
 * veth ports SLUICE_IF_VETH and `sluicectl iface` says which is used.
 */
#ifndef SLUICE_BPF_EMIT_H
#define SLUICE_BPF_EMIT_H

#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include "parse.h"
#include "pkt.h"
#include "route.h"

/* Writes the L2 header's type fields at @data for a frame whose L3 now
 * has @ethertype (keeping the frame's VLAN tag); MACs are the caller's. */
static __always_inline void l2_set_type(void *data, struct pkt *p,
					__u16 ethertype)
{
	struct ethhdr *eth = data;

	p->l3_proto = ethertype;
	if (p->tagged) {
		struct vlan_tag *tag = (void *)(eth + 1);

		eth->h_proto = bpf_htons(ETH_P_8021Q);
		tag->tci = bpf_htons(p->vlan_tci);
		tag->proto = bpf_htons(ethertype);
	} else {
		eth->h_proto = bpf_htons(ethertype);
	}
}

/* Rewrite L2 for @h's egress (VLAN push/pop/retag as the ports need) and
 * set the destination and source MACs.  The whole header is written, type
 * fields included, so ctx_vlan_push_room() means the same at XDP and TC
 * (and a GSO skb takes a tag at TC: ctx/skb.h). */
static __always_inline int l2_rewrite(struct __ctx_buff *ctx, struct pkt *p,
				      const struct hop *h)
{
	const struct sluice_fib_nh *out = h->nh;
	int out_tagged = out->port_flags & SLUICE_IF_VLAN;
	struct ethhdr *eth;

	if (p->tagged && !out_tagged) {
		if (ctx_vlan_pop(ctx))
			return SLUICE_DROP_ADJUST;
	} else if (!p->tagged && out_tagged) {
		if (ctx_vlan_push_room(ctx))
			return SLUICE_DROP_ADJUST;
	}
	pkt_reload(p, ctx);
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
		tag->proto = bpf_htons(p->l3_proto);
	} else {
		eth->h_proto = bpf_htons(p->l3_proto);
	}
	__builtin_memcpy(eth->h_dest, &h->neigh, ETH_ALEN);
	__builtin_memcpy(eth->h_source, out->smac, ETH_ALEN);
	return DP_CONTINUE;
}

/* Send the (rewritten) frame back out of the port it came in on. */
static __always_inline int emit_back(struct __ctx_buff *ctx, struct pkt *p)
{
	p->egress_ifindex = p->ingress_ifindex;
#ifdef SLUICE_CTX_XDP
	if (!(p->port_flags & SLUICE_IF_VETH))
		return SLUICE_FWD_TX; /* XDP_TX */
#endif
	p->redirect = ctx_redirect(ctx, p->ingress_ifindex);
	if (p->redirect != CTX_ACT_REDIRECT)
		return SLUICE_DROP_REDIRECT;
	return SLUICE_FWD_TX;
}

/* Send the frame to @h: L2 rewrite, then out of the egress port.
 * Returns FWD_TX or FWD_REDIRECT (or a drop reason). */
static __always_inline int emit_hop(struct __ctx_buff *ctx, struct pkt *p,
				    const struct hop *h)
{
	__u32 egress;
	int r;

	r = l2_rewrite(ctx, p, h);
	if (r != DP_CONTINUE)
		return r;
	egress = h->nh->tx_ifindex;
	if (egress == p->ingress_ifindex)
		return emit_back(ctx, p);
	p->egress_ifindex = egress;
	p->redirect = ctx_redirect(ctx, egress);
	if (p->redirect != CTX_ACT_REDIRECT)
		return SLUICE_DROP_REDIRECT;
	return SLUICE_FWD_REDIRECT;
}

#endif
