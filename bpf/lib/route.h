/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L3 forwarding: validate the IP header, look the destination up in the LPM
 * tries, pick an ECMP member by flow hash, resolve the neighbour, rewrite and
 * redirect.  Whatever the kernel must see (local, TTL expiry, no route or
 * neighbour, fragments, options, too big) is handed over untouched.
 */
#ifndef SLUICE_BPF_ROUTE_H
#define SLUICE_BPF_ROUTE_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <uapi/sluice/flow_hash.h>
#include "csum.h"
#include "ctx.h"
#include "maps.h"
#include "parse.h"

#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

#ifndef NEXTHDR_HOP
#define NEXTHDR_HOP 0
#define NEXTHDR_FRAGMENT 44
#endif

/* What the L3 stage learnt, for the shared forwarding tail. */
struct l3_fwd {
	const struct sluice_route *rt;
	__u32 hash;
	__u32 l3_len;			/* IP total length */
	__u8 family;
	__u8 pad[3];
	__u8 dst[16];
};

/* Ports of TCP/UDP as one word for the flow hash; the caller has checked
 * that the L4 header is present. */
static __always_inline int l4_ports(struct pkt *p, void *l4, __u8 proto,
				    __u32 l4_len, __u32 *ports)
{
	*ports = 0;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > p->data_end ||
		    l4_len < sizeof(*th))
			return SLUICE_DROP_TRUNC_L4;
		*ports = *(__u32 *)th;
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > p->data_end ||
		    l4_len < sizeof(*uh))
			return SLUICE_DROP_TRUNC_L4;
		*ports = *(__u32 *)uh;
	}
	return DP_CONTINUE;
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

static __always_inline int ip4_stage(struct pkt *p, struct l3_fwd *f)
{
	struct iphdr *iph = p->data + p->l3_off;
	struct sluice_lpm4_key key = { .prefixlen = 32 };
	__u32 saddr, daddr, ports, tot_len, avail;
	__u8 d0;
	int r;

	if ((void *)(iph + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_IP4;
	if (iph->version != 4)
		return SLUICE_DROP_BAD_VERSION;
	if (iph->ihl < 5)
		return SLUICE_DROP_BAD_IHL;
	tot_len = bpf_ntohs(iph->tot_len);
	avail = p->data_end - (void *)iph;
	if (tot_len < (__u32)iph->ihl * 4 || tot_len > avail)
		return SLUICE_DROP_BAD_LEN;
	if (iph->ihl > 5)
		return SLUICE_PASS_IP_OPTIONS;
	if (!ip4_csum_ok(iph))
		return SLUICE_DROP_BAD_CSUM;

	saddr = iph->saddr;
	daddr = iph->daddr;
	d0 = ((__u8 *)&daddr)[0];
	if ((d0 & 0xf0) == 0xe0 || daddr == 0xffffffff)
		return SLUICE_PASS_MULTICAST;
	if ((bpf_ntohl(daddr) >> 16) == 0xa9fe ||
	    (bpf_ntohl(saddr) >> 16) == 0xa9fe)
		return SLUICE_PASS_LINK_LOCAL;
	if (iph->frag_off & bpf_htons(IP_MF | IP_OFFMASK))
		return SLUICE_PASS_FRAGMENT;

	r = l4_ports(p, iph + 1, iph->protocol, tot_len - sizeof(*iph),
		     &ports);
	if (r != DP_CONTINUE)
		return r;

	__builtin_memcpy(key.addr, &daddr, 4);
	f->rt = bpf_map_lookup_elem(&routes_v4, &key);
	r = route_type_verdict(f->rt);
	if (r != DP_CONTINUE)
		return r;
	if (iph->ttl <= 1)
		return SLUICE_PASS_TTL;

	f->family = AF_INET;
	f->l3_len = tot_len;
	__builtin_memcpy(f->dst, &daddr, 4);
	f->hash = sluice_flow_hash(&saddr, &daddr, 1, ports, iph->protocol);
	return DP_CONTINUE;
}

static __always_inline int ip6_stage(struct pkt *p, struct l3_fwd *f)
{
	struct ipv6hdr *ip6 = p->data + p->l3_off;
	struct sluice_lpm6_key key = { .prefixlen = 128 };
	__u32 plen, ports = 0;
	__u8 *d, *s;
	int r;

	if ((void *)(ip6 + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_IP6;
	if (ip6->version != 6)
		return SLUICE_DROP_BAD_VERSION;
	plen = bpf_ntohs(ip6->payload_len);
	if (ip6->nexthdr == NEXTHDR_HOP)	/* incl. jumbograms */
		return SLUICE_PASS_IP_OPTIONS;
	if (plen > (__u32)(p->data_end - (void *)(ip6 + 1)))
		return SLUICE_DROP_BAD_LEN;

	d = ip6->daddr.in6_u.u6_addr8;
	s = ip6->saddr.in6_u.u6_addr8;
	if (d[0] == 0xff)
		return SLUICE_PASS_MULTICAST;
	if ((d[0] == 0xfe && (d[1] & 0xc0) == 0x80) ||
	    (s[0] == 0xfe && (s[1] & 0xc0) == 0x80))
		return SLUICE_PASS_LINK_LOCAL;
	if (ip6->nexthdr == NEXTHDR_FRAGMENT)
		return SLUICE_PASS_FRAGMENT;
	if (ip6->nexthdr == IPPROTO_ICMPV6) {
		struct icmp6hdr *ic = (void *)(ip6 + 1);

		if ((void *)(ic + 1) > p->data_end || plen < sizeof(*ic))
			return SLUICE_DROP_TRUNC_L4;
		if (ic->icmp6_type >= 133 && ic->icmp6_type <= 137)
			return SLUICE_PASS_ND;
	}
	r = l4_ports(p, ip6 + 1, ip6->nexthdr, plen, &ports);
	if (r != DP_CONTINUE)
		return r;

	__builtin_memcpy(key.addr, d, 16);
	f->rt = bpf_map_lookup_elem(&routes_v6, &key);
	r = route_type_verdict(f->rt);
	if (r != DP_CONTINUE)
		return r;
	if (ip6->hop_limit <= 1)
		return SLUICE_PASS_TTL;

	f->family = AF_INET6;
	f->l3_len = plen + sizeof(*ip6);
	__builtin_memcpy(f->dst, d, 16);
	f->hash = sluice_flow_hash(ip6->saddr.in6_u.u6_addr32,
				   ip6->daddr.in6_u.u6_addr32, 4, ports,
				   ip6->nexthdr);
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

/* The shared tail: ECMP member, neighbour, egress port, MTU, rewrite. */
static __always_inline int forward_stage(struct xdp_md *ctx, struct pkt *p,
					 struct l3_fwd *f)
{
	struct sluice_neigh_key nk = {};
	const struct sluice_iface *out;
	const struct sluice_neigh *nb;
	const struct sluice_nhg *g;
	const struct sluice_nh *nh;
	__u32 idx = 0, egress;
	int r;

	g = bpf_map_lookup_elem(&nhgs, &f->rt->nhg_id);
	if (!g || g->count == 0)
		return SLUICE_PASS_NO_ROUTE;
	if (g->count > 1)
		idx = f->hash % g->count;
	if (idx >= SLUICE_MAX_ECMP)
		return SLUICE_PASS_NO_ROUTE;
	nh = &g->nh[idx];

	nk.ifindex = nh->ifindex;
	if (nh->family) {
		nk.family = nh->family;
		__builtin_memcpy(nk.addr, nh->gw, 16);
	} else {
		nk.family = f->family;
		__builtin_memcpy(nk.addr, f->dst, 16);
	}
	nb = bpf_map_lookup_elem(&neighbors, &nk);
	if (!nb)
		return SLUICE_PASS_NO_NEIGH;
	out = bpf_map_lookup_elem(&ifaces, &nh->ifindex);
	if (!out)
		return SLUICE_PASS_EGRESS_UNMANAGED;
	if (f->l3_len > out->mtu)
		return SLUICE_PASS_MTU;

	/* Past this point the packet is ours: rewrite L3, then L2. */
	if (f->family == AF_INET) {
		struct iphdr *iph = p->data + p->l3_off;

		if ((void *)(iph + 1) > p->data_end)
			return SLUICE_DROP_TRUNC_IP4;
		ip4_decrease_ttl(iph);
	} else {
		struct ipv6hdr *ip6 = p->data + p->l3_off;

		if ((void *)(ip6 + 1) > p->data_end)
			return SLUICE_DROP_TRUNC_IP6;
		ip6->hop_limit--;
	}
	r = l2_rewrite(ctx, p, out, nb);
	if (r != DP_CONTINUE)
		return r;

	egress = (out->flags & SLUICE_IF_VLAN) ? out->parent_ifindex
					       : nh->ifindex;
	if (egress == p->ingress_ifindex)
		return SLUICE_FWD_TX;
	p->redirect_verdict = bpf_redirect_map(&tx_ports, egress, 0);
	if (p->redirect_verdict != XDP_REDIRECT)
		return SLUICE_DROP_REDIRECT;
	return SLUICE_FWD_REDIRECT;
}

#endif
