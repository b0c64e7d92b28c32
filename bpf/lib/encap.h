/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Encapsulation towards a backend (IPIP in all four family combinations,
 * or GRE); the outer packet is routed by the router's own tables.  When it
 * would not fit the egress MTU the client gets an ICMP "too big" answer
 * (icmp.h), sent back out of the ingress port (FWD_LB_TOO_BIG); an ICMP
 * error about the flow gets none (DROP_LB_TOO_BIG).
 *
 * Second chance (lb_second.h) nests two: the outer header to the backend
 * of now around a complete encapsulated packet to the backend of before.
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
#include "emit.h"
#include "icmp.h"
#include "l3.h"
#include "lb_maps.h"
#include "parse.h"
#include "pkt.h"
#include "route.h"

#define GRE_HLEN 4
#define OUTER_TTL 64
#define IPV6_MIN_MTU 1280

struct gre_base {
	__be16 flags; /* no checksum, key or sequence */
	__be16 proto; /* ethertype of the inner packet */
};

/* Push the outer header(s) in front of the inner IP header, of family
 * @ifam. */
static __always_inline int push_outer(struct __ctx_buff *ctx, struct pkt *p,
				      __u8 ifam, __u8 ofam, __u8 gre,
				      const __u8 *src, const __u8 *dst,
				      __u32 outer_len, __u32 hash)
{
	__u32 off = l2_len(p), ohl, overhead;
	__u16 inner_type = ifam == AF_INET ? ETH_P_IP : ETH_P_IPV6;
	__u8 tos = 0, proto;
	void *data, *end, *o;

	ohl = ofam == AF_INET ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	overhead = ohl + (gre ? GRE_HLEN : 0);
	proto = gre		? IPPROTO_GRE :
		ifam == AF_INET ? IPPROTO_IPIP :
				  IPPROTO_IPV6;

	/* the outer header carries the inner DSCP/ECN */
	o = p->data + off;
	if (ifam == AF_INET) {
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

	if (ctx_adjust_l2_room(ctx, (int)overhead))
		return SLUICE_DROP_ADJUST;
	pkt_reload(p, ctx);
	data = p->data;
	end = p->data_end;
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

/*
 * The outer source: from the configured range, varied per flow so that
 * receivers (RSS) spread the load; without a range, the egress port's own
 * address, as the kernel's tunnels do.
 */
static __always_inline int outer_source(const struct sluice_lb_config *cfg,
					const struct hop *h, __u8 ofam,
					__u32 hash, __u8 *src)
{
	const struct sluice_iface *out;

	if (ofam == AF_INET && cfg->have_src4) {
		__builtin_memcpy(src, cfg->src4, 3);
		src[3] = 1 + hash % 254;
		return DP_CONTINUE;
	}
	if (ofam == AF_INET6 && cfg->have_src6) {
		__builtin_memcpy(src, cfg->src6, 12);
		__builtin_memcpy(src + 12, &hash, 4);
		return DP_CONTINUE;
	}
	/* no range: the port's address (its ifaces entry, like parsing's) */
	out = port_lookup(h->nh->ifindex);
	if (!out)
		return SLUICE_DROP_LB_NO_SOURCE;
	if (ofam == AF_INET) {
		if (!*(const __u32 *)out->addr4)
			return SLUICE_DROP_LB_NO_SOURCE;
		__builtin_memcpy(src, out->addr4, 4);
		return DP_CONTINUE;
	}
	if (!out->addr6[0]) /* a global address never starts with 0 */
		return SLUICE_DROP_LB_NO_SOURCE;
	__builtin_memcpy(src, out->addr6, 16);
	return DP_CONTINUE;
}

static __always_inline __u32 encap_overhead(__u8 ofam, __u8 gre)
{
	return (ofam == AF_INET ? sizeof(struct iphdr) :
				  sizeof(struct ipv6hdr)) +
	       (gre ? GRE_HLEN : 0);
}

/*
 * Second chance: the header to the previous backend @alt, the first of
 * two (@arg: the flow hash in bits 0-31, the inner IP length in 32-47,
 * GRE in 48, an inner IPv6 packet in 49).  DROP_LB_NO_SOURCE with the
 * packet untouched when there is no outer source of @alt's family.  A
 * function of its own: inlined, its locals would not fit the pipeline's
 * stack; for the same reason the outer source is built in the caller's
 * @src (16 bytes, free until the caller's own header) and the context
 * is @p's.
 */
static __noinline int lb_push_alt(struct pkt *p, const struct hop *h,
				  const struct sluice_backend *alt, __u64 arg,
				  __u8 *src)
{
	const struct sluice_lb_config *cfg;
	__u32 zero = 0, hash = (__u32)arg, l3_len = (arg >> 32) & 0xffff;
	__u8 gre = (arg >> 48) & 1;
	int r;

	if (!p || !h || !alt || !src)
		return SLUICE_DROP_LB_NO_SOURCE;
	cfg = bpf_map_lookup_elem(&lb_config, &zero);
	if (!cfg)
		return SLUICE_DROP_LB_NO_SOURCE;
	__builtin_memset(src, 0, 16);
	r = outer_source(cfg, h, alt->family, hash, src);
	if (r != DP_CONTINUE)
		return r;
	return push_outer(p->ctx, p, (arg >> 49) & 1 ? AF_INET6 : AF_INET,
			  alt->family, gre, src, alt->addr,
			  l3_len + encap_overhead(alt->family, gre), hash);
}

/*
 * A connected backend's next hop has the backend itself for gateway
 * (lib/dp/nexthop.c), and no route's group names it, so the daemon's probe
 * of the routes' gateways never asks the kernel for it: with kernel
 * forwarding off, a backend nothing else talks to (a UDP VIP's, which has
 * no health check by default) would stay unresolved for good.  Its miss is
 * noted as an on-link destination's is (neigh_wanted.h), and sluiced asks.
 */
static __always_inline void backend_neigh_wanted(const struct hop *h,
						 __u8 family, const __u8 *addr)
{
	struct sluice_neigh_key nk = { .family = family };
	const __u32 *gw, *a = (const __u32 *)addr;

	if (!h->nh || h->nh->family != family)
		return;
	gw = (const __u32 *)h->nh->gw;
	if (gw[0] != a[0] || gw[1] != a[1] || gw[2] != a[2] || gw[3] != a[3])
		return; /* a gateway of a route: the probe's */
	nk.ifindex = h->nh->ifindex;
	__builtin_memcpy(nk.addr, addr, 16);
	neigh_wanted_note(&nk);
}

/*
 * Encapsulate towards @be and route the outer packet.  With @alt (second
 * chance), the packet inside is itself encapsulated towards @alt, when
 * both fit the MTU (else @alt is left out: the packet goes as it would
 * without second chance, and no ICMP error is sent for what only the
 * alternative would have added).
 */
static __always_inline int
lb_encap_forward(struct __ctx_buff *ctx, struct pkt *p, const struct l3_info *f,
		 const struct sluice_vip *vip, const struct sluice_backend *be,
		 const struct sluice_backend *alt, __u32 hash, __u8 icmp_error)
{
	const struct sluice_lb_config *cfg;
	__u32 target;
	__u8 gre = vip->flags & SLUICE_VIP_GRE;
	__u8 ofam = be->family;
	__u32 zero = 0, overhead, outer_len, pmtu;
	__u8 src[16] = {};
	struct hop h;
	int r;

	overhead = encap_overhead(ofam, gre);
	outer_len = f->l3_len + overhead;

	cfg = bpf_map_lookup_elem(&lb_config, &zero);
	if (!cfg)
		return SLUICE_DROP_LB_NO_SOURCE;
	/* the next hop the control plane resolved for the backend, or a
	 * route lookup (none resolved yet, or an ECMP route) */
	if (be->hop) {
		h.nh = NULL;
		r = resolve_nh(be->hop, ofam, be->addr, &h);
		if (r == SLUICE_PASS_NO_NEIGH)
			backend_neigh_wanted(&h, ofam, be->addr);
	} else {
		target = fib_entry(ofam, be->addr);
		trace_note_route(p, ofam, be->addr, target);
		target = sluice_fib_target(target);
		if (target < SLUICE_FIB_NHG0)
			return SLUICE_DROP_LB_NO_ROUTE;
		r = resolve_hop(target, ofam, be->addr, NULL, hash, &h);
	}
	if (r != DP_CONTINUE)
		return SLUICE_DROP_LB_NO_ROUTE;
	trace_note_hop(p, h.nh);
	if (outer_len > h.nh->mtu) {
		if (icmp_error) /* never an ICMP error about an ICMP error */
			return SLUICE_DROP_LB_TOO_BIG;
		pmtu = h.nh->mtu > overhead ? h.nh->mtu - overhead : 0;
		if (f->family == AF_INET)
			r = icmp4_too_big(ctx, p, pmtu);
		else
			r = icmp6_too_big(ctx, p,
					  pmtu < IPV6_MIN_MTU ? IPV6_MIN_MTU :
								pmtu);
		if (p->icmp_sent) {
			int sent = emit_back(ctx, p);

			if (sent != SLUICE_FWD_TX)
				return sent;
		}
		return r;
	}

	if (alt &&
	    f->l3_len + encap_overhead(alt->family, gre) + overhead > h.nh->mtu)
		alt = NULL;
	if (alt) {
		r = lb_push_alt(p, &h, alt,
				(__u64)hash |
					(__u64)(f->l3_len & 0xffff) << 32 |
					(__u64)(gre ? 1 : 0) << 48 |
					(__u64)(f->family == AF_INET6) << 49,
				src);
		if (r == SLUICE_DROP_LB_NO_SOURCE)
			alt = NULL; /* no source of its family: none carried */
		else if (r != DP_CONTINUE)
			return r;
	}
	r = outer_source(cfg, &h, ofam, hash, src);
	if (r != DP_CONTINUE)
		return r;
	r = push_outer(
		ctx, p, alt ? alt->family : f->family, ofam, gre, src, be->addr,
		alt ? f->l3_len + encap_overhead(alt->family, gre) + overhead :
		      outer_len,
		hash);
	if (r != DP_CONTINUE)
		return r;
	r = emit_hop(ctx, p, &h);
	if (r == SLUICE_FWD_REDIRECT)
		return alt ? SLUICE_FWD_LB_SECOND : SLUICE_FWD_LB;
	if (r == SLUICE_FWD_TX)
		return alt ? SLUICE_FWD_LB_SECOND_TX : SLUICE_FWD_LB_TX;
	return r;
}

#endif
