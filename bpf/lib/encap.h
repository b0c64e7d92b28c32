/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Encapsulation towards a backend (IPIP in all four family combinations,
 * or GRE) and the ICMP "too big" answer when the outer packet would not fit
 * the egress MTU.  The outer packet is routed by the router's own tables.
 */
#ifndef SLUICE_BPF_ENCAP_H
#define SLUICE_BPF_ENCAP_H

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include "csum.h"
#include "ctx.h"
#include "l3.h"
#include "maps.h"
#include "parse.h"
#include "route.h"

#define GRE_HLEN 4
#define OUTER_TTL 64
#define IPV6_MIN_MTU 1280

struct gre_base {
	__be16 flags;			/* no checksum, key or sequence */
	__be16 proto;			/* ethertype of the inner packet */
};

/* L2 offsets are 14 or 18; masking keeps the verifier's range small. */
static __always_inline __u32 l2_len(const struct pkt *p)
{
	return p->l3_off & 0x1f;
}

/* Writes the L2 header's type fields at @data for a frame whose L3 now
 * has @ethertype; MACs are the caller's. */
static __always_inline void l2_set_type(void *data, const struct pkt *p,
					__u16 ethertype)
{
	struct ethhdr *eth = data;

	if (p->tagged) {
		struct vlan_tag *tag = (void *)(eth + 1);

		eth->h_proto = bpf_htons(ETH_P_8021Q);
		tag->tci = bpf_htons(p->vlan_tci);
		tag->proto = bpf_htons(ethertype);
	} else {
		eth->h_proto = bpf_htons(ethertype);
	}
}

/* Sum of @nwords 16-bit words at @start; the caller checked the bounds.
 * @nwords is a compile-time constant at every call site. */
static __always_inline __u32 csum_words(const void *start, int nwords)
{
	const __u16 *w = start;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < nwords; i++)
		sum += w[i];
	return sum;
}

static __always_inline __u16 ip4_csum_full(struct iphdr *iph)
{
	iph->check = 0;
	return ~csum_fold32(csum_words(iph, 10));
}

/* Push the outer header(s) in front of the inner IP header. */
static __always_inline int push_outer(struct xdp_md *ctx, struct pkt *p,
				      const struct l3_info *f, __u8 ofam,
				      __u8 gre, const __u8 *src, const __u8 *dst,
				      __u32 outer_len, __u32 hash)
{
	__u32 off = l2_len(p), ohl, overhead;
	__u16 inner_type = f->family == AF_INET ? ETH_P_IP : ETH_P_IPV6;
	__u8 tos = 0, proto;
	void *data, *end, *o;

	ohl = ofam == AF_INET ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	overhead = ohl + (gre ? GRE_HLEN : 0);
	proto = gre ? IPPROTO_GRE :
		f->family == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;

	/* the outer header carries the inner DSCP/ECN */
	o = p->data + off;
	if (f->family == AF_INET) {
		struct iphdr *in = o;

		if ((void *)(in + 1) > p->data_end)
			return SLUICE_DROP_TRUNC_IP4;
		tos = in->tos;
	} else {
		struct ipv6hdr *in = o;

		if ((void *)(in + 1) > p->data_end)
			return SLUICE_DROP_TRUNC_IP6;
		tos = (in->priority << 4) | (in->flow_lbl[0] >> 4);
	}

	if (bpf_xdp_adjust_head(ctx, -(int)overhead))
		return SLUICE_DROP_ADJUST;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	p->data = data;
	p->data_end = end;
	o = data + off;
	if (o + sizeof(struct ipv6hdr) + GRE_HLEN > end || data + 18 > end)
		return SLUICE_DROP_ADJUST;
	l2_set_type(data, p, ofam == AF_INET ? ETH_P_IP : ETH_P_IPV6);

	if (ofam == AF_INET) {
		struct iphdr *oh = o;

		*(__u8 *)oh = 0x45;
		oh->tos = tos;
		oh->tot_len = bpf_htons(outer_len);
		oh->id = 0;
		oh->frag_off = 0;
		oh->ttl = OUTER_TTL;
		oh->protocol = proto;
		__builtin_memcpy(&oh->saddr, src, 4);
		__builtin_memcpy(&oh->daddr, dst, 4);
		oh->check = ip4_csum_full(oh);
	} else {
		struct ipv6hdr *oh = o;

		/* version, traffic class, and the flow hash as flow label
		 * so ECMP on the way spreads flows */
		*(__be32 *)oh = bpf_htonl(6u << 28 | (__u32)tos << 20 |
					  (hash & 0xfffff));
		oh->payload_len = bpf_htons(outer_len - sizeof(*oh));
		oh->nexthdr = proto;
		oh->hop_limit = OUTER_TTL;
		__builtin_memcpy(oh->saddr.in6_u.u6_addr8, src, 16);
		__builtin_memcpy(oh->daddr.in6_u.u6_addr8, dst, 16);
	}
	if (gre) {
		struct gre_base *g = o + ohl;

		if ((void *)(g + 1) > end)
			return SLUICE_DROP_ADJUST;
		g->flags = 0;
		g->proto = bpf_htons(inner_type);
	}
	return DP_CONTINUE;
}

/* Room for the new IP + ICMP headers in front of the quoted packet, and
 * the tail cut so that exactly @want bytes remain. */
static __always_inline int icmp_make_room(struct xdp_md *ctx, struct pkt *p,
					  __u32 room, __u32 want)
{
	__u32 have;

	if (bpf_xdp_adjust_head(ctx, -(int)room))
		return -1;
	have = ctx->data_end - ctx->data;
	if (have > want && bpf_xdp_adjust_tail(ctx, (int)want - (int)have))
		return -1;
	p->data = (void *)(long)ctx->data;
	p->data_end = (void *)(long)ctx->data_end;
	return 0;
}

/*
 * Answer a client whose packet would not fit after encapsulation: ICMP
 * fragmentation needed (v4) or packet too big (v6) from the VIP, quoting
 * the packet's IP header and 8 bytes, sent back out of the ingress port.
 * The quoted bytes are already in place: the new IP + ICMP headers are
 * exactly as long as the room we push in front of the old IP header.
 */
static __always_inline int icmp4_too_big(struct xdp_md *ctx, struct pkt *p,
					 __u32 mtu)
{
	const __u32 room = sizeof(struct iphdr) + sizeof(struct icmphdr);
	__u32 off = l2_len(p), want = off + room + 28;
	__u8 smac[ETH_ALEN], dmac[ETH_ALEN];
	__be32 saddr, daddr;
	struct ethhdr *eth = p->data;
	struct iphdr *in = p->data + off, *oh;
	struct icmphdr *ic;
	void *data, *end;

	if ((void *)(in + 1) > p->data_end || (void *)(eth + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_IP4;
	__builtin_memcpy(smac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(dmac, eth->h_dest, ETH_ALEN);
	saddr = in->saddr;
	daddr = in->daddr;

	if (icmp_make_room(ctx, p, room, want))
		return SLUICE_DROP_ADJUST;
	data = p->data;
	end = p->data_end;
	eth = data;
	oh = data + off;
	ic = (void *)(oh + 1);
	if ((void *)(eth + 1) + sizeof(struct vlan_tag) > end ||
	    (void *)(ic + 1) + 28 > end)
		return SLUICE_DROP_ADJUST;

	__builtin_memcpy(eth->h_dest, smac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, dmac, ETH_ALEN);
	l2_set_type(data, p, ETH_P_IP);
	*(__u8 *)oh = 0x45;
	oh->tos = 0;
	oh->tot_len = bpf_htons(room + 28);
	oh->id = 0;
	oh->frag_off = 0;
	oh->ttl = OUTER_TTL;
	oh->protocol = IPPROTO_ICMP;
	oh->saddr = daddr;		/* from the VIP */
	oh->daddr = saddr;
	oh->check = ip4_csum_full(oh);

	ic->type = ICMP_DEST_UNREACH;
	ic->code = ICMP_FRAG_NEEDED;
	ic->checksum = 0;
	ic->un.frag.__unused = 0;
	ic->un.frag.mtu = bpf_htons((__u16)mtu);
	ic->checksum = ~csum_fold32(csum_words(ic, (8 + 28) / 2));
	p->icmp_sent = 1;
	return SLUICE_DROP_LB_TOO_BIG;
}

static __always_inline int icmp6_too_big(struct xdp_md *ctx, struct pkt *p,
					 __u32 mtu)
{
	const __u32 room = sizeof(struct ipv6hdr) + sizeof(struct icmp6hdr);
	__u32 off = l2_len(p), want = off + room + 48, sum;
	__u8 smac[ETH_ALEN], dmac[ETH_ALEN], saddr[16], daddr[16];
	struct ethhdr *eth = p->data;
	struct ipv6hdr *in = p->data + off, *oh;
	struct icmp6hdr *ic;
	void *data, *end;

	if ((void *)(in + 1) > p->data_end || (void *)(eth + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_IP6;
	__builtin_memcpy(smac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(dmac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(saddr, in->saddr.in6_u.u6_addr8, 16);
	__builtin_memcpy(daddr, in->daddr.in6_u.u6_addr8, 16);

	if (icmp_make_room(ctx, p, room, want))
		return SLUICE_DROP_ADJUST;
	data = p->data;
	end = p->data_end;
	eth = data;
	oh = data + off;
	ic = (void *)(oh + 1);
	if ((void *)(eth + 1) + sizeof(struct vlan_tag) > end ||
	    (void *)(ic + 1) + 48 > end)
		return SLUICE_DROP_ADJUST;

	__builtin_memcpy(eth->h_dest, smac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, dmac, ETH_ALEN);
	l2_set_type(data, p, ETH_P_IPV6);
	*(__be32 *)oh = bpf_htonl(6u << 28);
	oh->payload_len = bpf_htons(sizeof(*ic) + 48);
	oh->nexthdr = IPPROTO_ICMPV6;
	oh->hop_limit = OUTER_TTL;
	__builtin_memcpy(oh->saddr.in6_u.u6_addr8, daddr, 16);	/* the VIP */
	__builtin_memcpy(oh->daddr.in6_u.u6_addr8, saddr, 16);

	ic->icmp6_type = ICMPV6_PKT_TOOBIG;
	ic->icmp6_code = 0;
	ic->icmp6_cksum = 0;
	ic->icmp6_mtu = bpf_htonl(mtu);
	/* pseudo-header: addresses, upper-layer length, next header */
	sum = csum_words(oh->saddr.in6_u.u6_addr8, 16);
	sum += bpf_htons(sizeof(*ic) + 48);
	sum += bpf_htons(IPPROTO_ICMPV6);
	sum += csum_words(ic, (8 + 48) / 2);
	ic->icmp6_cksum = ~csum_fold32(sum);
	p->icmp_sent = 1;
	return SLUICE_DROP_LB_TOO_BIG;
}

/* Encapsulate towards @be and route the outer packet. */
static __always_inline int lb_encap_forward(struct xdp_md *ctx, struct pkt *p,
					    const struct l3_info *f,
					    const struct sluice_vip *vip,
					    const struct sluice_backend *be,
					    __u32 hash, __u8 icmp_error)
{
	const struct sluice_lb_config *cfg;
	const struct sluice_route *rt;
	__u8 gre = vip->flags & SLUICE_VIP_GRE;
	__u8 ofam = be->family;
	__u32 zero = 0, overhead, outer_len, pmtu;
	__u8 src[16] = {};
	struct hop h;
	int r;

	overhead = (ofam == AF_INET ? sizeof(struct iphdr) :
				      sizeof(struct ipv6hdr)) +
		   (gre ? GRE_HLEN : 0);
	outer_len = f->l3_len + overhead;

	cfg = bpf_map_lookup_elem(&lb_config, &zero);
	if (!cfg || (ofam == AF_INET ? !cfg->have_src4 : !cfg->have_src6))
		return SLUICE_DROP_LB_NO_SOURCE;
	rt = lpm_lookup(ofam, be->addr);
	if (!rt || rt->type != SLUICE_RT_FORWARD)
		return SLUICE_DROP_LB_NO_ROUTE;
	r = resolve_hop(rt, ofam, be->addr, hash, &h);
	if (r != DP_CONTINUE)
		return SLUICE_DROP_LB_NO_ROUTE;
	if (outer_len > h.out->mtu) {
		if (icmp_error)	/* never an ICMP error about an ICMP error */
			return SLUICE_DROP_LB_TOO_BIG;
		pmtu = h.out->mtu > overhead ? h.out->mtu - overhead : 0;
		if (f->family == AF_INET)
			return icmp4_too_big(ctx, p, pmtu);
		return icmp6_too_big(ctx, p, pmtu < IPV6_MIN_MTU ? IPV6_MIN_MTU :
								   pmtu);
	}

	/* Vary the outer source per flow so receivers (RSS) spread load. */
	if (ofam == AF_INET) {
		__builtin_memcpy(src, cfg->src4, 3);
		src[3] = 1 + hash % 254;
	} else {
		__builtin_memcpy(src, cfg->src6, 12);
		__builtin_memcpy(src + 12, &hash, 4);
	}
	r = push_outer(ctx, p, f, ofam, gre, src, be->addr, outer_len, hash);
	if (r != DP_CONTINUE)
		return r;
	r = emit_hop(ctx, p, &h);
	if (r == SLUICE_FWD_REDIRECT)
		return SLUICE_FWD_LB;
	if (r == SLUICE_FWD_TX)
		return SLUICE_FWD_LB_TX;
	return r;
}

#endif
