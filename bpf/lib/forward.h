/* SPDX-License-Identifier: GPL-2.0-only */
/* The router's tail: resolve the next hop, check the MTU, TTL-1, send. */
#ifndef SLUICE_BPF_FORWARD_H
#define SLUICE_BPF_FORWARD_H

#include "csum.h"
#include "emit.h"
#include "fw.h"
#include "l3.h"
#include "pkt.h"
#include "route.h"
#include "steer_transit.h"

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

/* At TC a host's or container's TCP comes as one large GSO skb that the
 * stack cuts into segments on the way out: what must fit is a segment,
 * gso_size bytes of payload behind the headers each segment repeats. */
static __always_inline int gso_fits(struct __ctx_buff *ctx, const struct pkt *p,
				    const struct l3_info *f, __u32 mtu)
{
#ifdef SLUICE_CTX_SKB
	/* the IP header, then the L4 one as the segments carry it: TCP's
	 * with its options (a flat 60 would refuse every full-sized segment
	 * with timestamps: 1448 + 20 + 60 > 1500), UDP's, or the largest
	 * TCP header for anything else */
	__u32 off = f->l4_off, hdrs = off - p->l3_off, l4 = 60;

	if (off > L4_OFF_MAX) /* a bound the verifier can see */
		return 0;
	if (f->proto == IPPROTO_TCP) {
		struct tcphdr *th = p->data + off;

		if ((void *)(th + 1) > p->data_end)
			return 0;
		if (th->doff >= 5)
			l4 = th->doff * 4u;
	} else if (f->proto == IPPROTO_UDP) {
		l4 = sizeof(struct udphdr);
	}
	return ctx->gso_segs > 1 && ctx->gso_size &&
	       ctx->gso_size + hdrs + l4 <= mtu;
#else
	(void)ctx;
	(void)p;
	(void)f;
	(void)mtu;
	return 0;
#endif
}

static __always_inline int forward_stage(struct __ctx_buff *ctx, struct pkt *p,
					 struct l3_info *f)
{
	struct hop h;
	int r;

	/* to a user-space router's socket, untouched (steer_transit.h) */
	r = steer_transit(ctx, p);
	if (r != DP_CONTINUE)
		return r;
	r = resolve_hop(f->target, f->family, f->dst, f, 0, &h);
	if (r != DP_CONTINUE)
		return r;
	trace_note_hop(p, h.nh);
	r = fw_out(ctx, p, f, h.nh->slot); /* the egress port is known */
	if (r != DP_CONTINUE)
		return r;
	if (f->l3_len > h.nh->mtu && !gso_fits(ctx, p, f, h.nh->mtu))
		return SLUICE_PASS_MTU;
	/* Past this point the packet is ours. */
	decrease_ttl(p, f->family);
	return emit_hop(ctx, p, &h);
}

#endif
