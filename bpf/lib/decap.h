/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Backend side of the load balancer: strip the IPIP (4in4, 6in6, 4in6,
 * 6in4) or GRE header that a sluice LB put in front of a client's packet,
 * when it is addressed to this host, and hand the inner packet to the
 * stack.  The VIP sits on a loopback, so the server answers the client
 * directly.  Written for hosts without the ipip/gre modules.
 */
#ifndef SLUICE_BPF_DECAP_H
#define SLUICE_BPF_DECAP_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/sluice.h>
#include "csum.h"
#include "decap_maps.h"
#include "pkt.h"

#define GRE_FLAGS_MASK 0xffff /* C, R, K, S, recursion, flags, version */

struct decap_outer {
	__u32 len;	  /* outer IP (+ GRE) header bytes */
	__u16 inner_type; /* ETH_P_IP or ETH_P_IPV6 */
	__u8 gre;
	__u8 pad;
};

static __always_inline int decap_is_local(__u8 family, const void *addr)
{
	struct sluice_addr_key k = { .family = family };

	__builtin_memcpy(k.addr, addr, family == AF_INET ? 4 : 16);
	return bpf_map_lookup_elem(&local_addrs, &k) != NULL;
}

/* What follows the outer header: IPIP by protocol number, or GRE. */
static __always_inline int decap_inner(void *next, void *end, __u8 proto,
				       struct decap_outer *o)
{
	if (proto == IPPROTO_IPIP) {
		o->inner_type = ETH_P_IP;
		return DP_CONTINUE;
	}
	if (proto == IPPROTO_IPV6) {
		o->inner_type = ETH_P_IPV6;
		return DP_CONTINUE;
	}
	if (proto == IPPROTO_GRE) {
		__be16 *gre = next;

		if ((void *)(gre + 2) > end)
			return SLUICE_DROP_TRUNC;
		if (gre[0] & bpf_htons(GRE_FLAGS_MASK))
			return SLUICE_PASS_GRE_OPTIONS;
		if (gre[1] == bpf_htons(ETH_P_IP))
			o->inner_type = ETH_P_IP;
		else if (gre[1] == bpf_htons(ETH_P_IPV6))
			o->inner_type = ETH_P_IPV6;
		else
			return SLUICE_PASS_NOT_ENCAP; /* e.g. GRE-carried L2 */
		o->gre = 1;
		o->len += 4;
		return DP_CONTINUE;
	}
	return SLUICE_PASS_NOT_ENCAP;
}

/* The inner header must be there and of the family the outer said. */
static __always_inline int decap_check_inner(void *inner, void *end,
					     __u16 inner_type)
{
	__u8 *v = inner;

	if (inner_type == ETH_P_IP) {
		if (inner + sizeof(struct iphdr) > end)
			return SLUICE_DROP_TRUNC;
		return (v[0] >> 4) == 4 ? DP_CONTINUE : SLUICE_DROP_BAD_INNER;
	}
	if (inner + sizeof(struct ipv6hdr) > end)
		return SLUICE_DROP_TRUNC;
	return (v[0] >> 4) == 6 ? DP_CONTINUE : SLUICE_DROP_BAD_INNER;
}

static __always_inline int decap_outer(void *l3, void *end, __u16 proto,
				       struct decap_outer *o)
{
	if (proto == ETH_P_IP) {
		struct iphdr *iph = l3;

		if ((void *)(iph + 1) > end)
			return SLUICE_PASS_NOT_ENCAP; /* the stack judges */
		if (iph->protocol != IPPROTO_IPIP &&
		    iph->protocol != IPPROTO_IPV6 &&
		    iph->protocol != IPPROTO_GRE)
			return SLUICE_PASS_NOT_ENCAP;
		/* options, fragments, or a header the kernel would refuse
		 * (version, length, checksum): leave it to the kernel */
		if (iph->version != 4 || iph->ihl != 5 ||
		    iph->frag_off & bpf_htons(0x3fff))
			return SLUICE_PASS_NOT_ENCAP;
		if (bpf_ntohs(iph->tot_len) < sizeof(*iph))
			return SLUICE_PASS_NOT_ENCAP;
		if (bpf_ntohs(iph->tot_len) > (__u32)(end - l3))
			return SLUICE_DROP_TRUNC;
		if (!ip4_csum_ok(iph))
			return SLUICE_PASS_NOT_ENCAP;
		if (!decap_is_local(AF_INET, &iph->daddr))
			return SLUICE_PASS_NOT_LOCAL;
		o->len = sizeof(*iph);
		return decap_inner(iph + 1, end, iph->protocol, o);
	}
	if (proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > end)
			return SLUICE_PASS_NOT_ENCAP;
		if (ip6->version != 6 || (ip6->nexthdr != IPPROTO_IPIP &&
					  ip6->nexthdr != IPPROTO_IPV6 &&
					  ip6->nexthdr != IPPROTO_GRE))
			return SLUICE_PASS_NOT_ENCAP;
		if (bpf_ntohs(ip6->payload_len) >
		    (__u32)(end - (void *)(ip6 + 1)))
			return SLUICE_DROP_TRUNC;
		if (!decap_is_local(AF_INET6, ip6->daddr.in6_u.u6_addr8))
			return SLUICE_PASS_NOT_LOCAL;
		o->len = sizeof(*ip6);
		return decap_inner(ip6 + 1, end, ip6->nexthdr, o);
	}
	return SLUICE_PASS_NOT_ENCAP;
}

/* Remove o->len bytes after the L2 header and give L2 the inner type. */
static __always_inline int decap_strip(struct __ctx_buff *ctx, struct pkt *p,
				       const struct decap_outer *o)
{
	__u8 dst[ETH_ALEN], src[ETH_ALEN];
	struct ethhdr *eth = p->data;

	if ((void *)(eth + 1) > p->data_end)
		return SLUICE_DROP_TRUNC;
	__builtin_memcpy(dst, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(src, eth->h_source, ETH_ALEN);
	if (ctx_adjust_l2_room(ctx, -(int)o->len))
		return SLUICE_DROP_TRUNC;
	pkt_reload(p, ctx);
	eth = p->data;
	if ((void *)(eth + 1) + 4 > p->data_end)
		return SLUICE_DROP_TRUNC;
	__builtin_memcpy(eth->h_dest, dst, ETH_ALEN);
	__builtin_memcpy(eth->h_source, src, ETH_ALEN);
	if (p->tagged) {
		__be16 *tag = (void *)(eth + 1);

		eth->h_proto = bpf_htons(ETH_P_8021Q);
		tag[0] = bpf_htons(p->vlan_tci);
		tag[1] = bpf_htons(o->inner_type);
	} else {
		eth->h_proto = bpf_htons(o->inner_type);
	}
	return o->gre ? SLUICE_DECAP_GRE : SLUICE_DECAP_IPIP;
}

#endif
