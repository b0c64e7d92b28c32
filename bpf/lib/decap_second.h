/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Second chance, the backend's half (uapi/sluice/lb_second.h).  Behind the
 * outer header to this host, a load balancer may have put a complete
 * encapsulated packet to another backend (the one the flow had before the
 * VIP's table changed) instead of the client's packet.  If this host has
 * the connection's socket (or the packet opens one: a SYN; or it is not
 * TCP), both headers go and the client's packet is delivered here.  If
 * not, only the outer header goes and the packet inside goes back to the
 * router that brought it, which routes it to the other backend; that one
 * decapsulates it as usual: what it gets carries no alternative, so a
 * packet is never sent on twice.
 *
 * A listening socket does not count: for a packet that is not a SYN it
 * would only answer with a reset.  A socket being opened (SYN received)
 * or closed (TIME-WAIT) does.
 */
#ifndef SLUICE_BPF_DECAP_SECOND_H
#define SLUICE_BPF_DECAP_SECOND_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "csum.h"
#include "decap.h"
#include "pkt.h"

#define SECOND_TCP_SYN 0x02

/* The header behind the outer one, when it is a tunnel of its own. */
struct decap_mid {
	struct decap_outer t; /* its length, inner type, GRE or not */
	__u8 family;
	__u8 proto; /* IPPROTO_IPIP, _IPV6 or _GRE */
	__u8 ttl;   /* TTL / hop limit */
	__u8 tos;
	__u16 tot_len; /* its whole IP packet, host order */
	__u8 saddr[16];
	__u8 daddr[16];
	__u8 local; /* its destination is this host's too */
};

static __always_inline int second_is_tunnel(__u8 proto)
{
	return proto == IPPROTO_IPIP || proto == IPPROTO_IPV6 ||
	       proto == IPPROTO_GRE;
}

/*
 * @mid is the inner header of @inner_type (its fixed part checked by
 * decap_check_inner()).  DP_CONTINUE when it is no second chance (not a
 * tunnel); 0 with @m filled when it is one (m->local: to this host too);
 * else the reason that drops it.
 */
static __always_inline int
second_mid_parse(void *mid, void *end, __u16 inner_type, struct decap_mid *m)
{
	int r;

	if (inner_type == ETH_P_IP) {
		struct iphdr *iph = mid;

		if ((void *)(iph + 1) > end)
			return SLUICE_DROP_TRUNC;
		if (!second_is_tunnel(iph->protocol))
			return DP_CONTINUE;
		m->local = decap_is_local(AF_INET, &iph->daddr);
		/* the load balancer writes exactly this */
		if (iph->ihl != 5 || iph->frag_off & bpf_htons(0x3fff) ||
		    !ip4_csum_ok(iph) || bpf_ntohs(iph->tot_len) < sizeof(*iph))
			return SLUICE_DROP_SECOND_BAD;
		if (bpf_ntohs(iph->tot_len) > (__u32)(end - mid))
			return SLUICE_DROP_TRUNC;
		m->family = AF_INET;
		m->proto = iph->protocol;
		m->ttl = iph->ttl;
		m->tos = iph->tos;
		m->tot_len = bpf_ntohs(iph->tot_len);
		__builtin_memcpy(m->saddr, &iph->saddr, 4);
		__builtin_memcpy(m->daddr, &iph->daddr, 4);
		m->t.len = sizeof(*iph);
		r = decap_inner(iph + 1, end, iph->protocol, &m->t);
	} else {
		struct ipv6hdr *ip6 = mid;

		if ((void *)(ip6 + 1) > end)
			return SLUICE_DROP_TRUNC;
		if (!second_is_tunnel(ip6->nexthdr))
			return DP_CONTINUE;
		m->local = decap_is_local(AF_INET6, ip6->daddr.in6_u.u6_addr8);
		if (bpf_ntohs(ip6->payload_len) >
		    (__u32)(end - (void *)(ip6 + 1)))
			return SLUICE_DROP_TRUNC;
		m->family = AF_INET6;
		m->proto = ip6->nexthdr;
		m->ttl = ip6->hop_limit;
		m->tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
		m->tot_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		__builtin_memcpy(m->saddr, ip6->saddr.in6_u.u6_addr8, 16);
		__builtin_memcpy(m->daddr, ip6->daddr.in6_u.u6_addr8, 16);
		m->t.len = sizeof(*ip6);
		r = decap_inner(ip6 + 1, end, ip6->nexthdr, &m->t);
	}
	/* GRE with options or of something else than IP: not what a load
	 * balancer carries */
	if (r == SLUICE_PASS_GRE_OPTIONS || r == SLUICE_PASS_NOT_ENCAP)
		return SLUICE_DROP_SECOND_BAD;
	return r == DP_CONTINUE ? 0 : r;
}

/* second_mid_parse(), but a tunnel to this host that is not the load
 * balancer's form is decapsulated one layer, as before second chance. */
static __always_inline int second_mid(void *mid, void *end, __u16 inner_type,
				      struct decap_mid *m)
{
	int r = second_mid_parse(mid, end, inner_type, m);

	return m->local && r ? DP_CONTINUE : r;
}

/* 1 when the client's packet at @in (of @type) belongs here: a socket
 * that is not a listener, a SYN, or not TCP; 0 when it does not; else
 * the reason that drops it. */
static __always_inline int second_here(struct xdp_md *ctx, void *in, void *end,
				       __u16 type)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	struct tcphdr *th;
	__u32 tlen;
	__u8 state;

	if (type == ETH_P_IP) {
		struct iphdr *iph = in;

		if ((void *)(iph + 1) > end)
			return SLUICE_DROP_TRUNC;
		if (iph->protocol != IPPROTO_TCP)
			return 1;
		if (iph->ihl < 5)
			return SLUICE_DROP_BAD_INNER;
		th = in + (iph->ihl & 0xf) * 4;
		t.ipv4.saddr = iph->saddr;
		t.ipv4.daddr = iph->daddr;
		tlen = sizeof(t.ipv4);
	} else {
		struct ipv6hdr *ip6 = in;

		if ((void *)(ip6 + 1) > end)
			return SLUICE_DROP_TRUNC;
		if (ip6->nexthdr != IPPROTO_TCP)
			return 1; /* extension headers included: not ours */
		th = (void *)(ip6 + 1);
		__builtin_memcpy(t.ipv6.saddr, ip6->saddr.in6_u.u6_addr32, 16);
		__builtin_memcpy(t.ipv6.daddr, ip6->daddr.in6_u.u6_addr32, 16);
		tlen = sizeof(t.ipv6);
	}
	if ((void *)(th + 1) > end)
		return SLUICE_DROP_TRUNC;
	if (((__u8 *)th)[13] & SECOND_TCP_SYN)
		return 1;
	if (type == ETH_P_IP) {
		t.ipv4.sport = th->source;
		t.ipv4.dport = th->dest;
	} else {
		t.ipv6.sport = th->source;
		t.ipv6.dport = th->dest;
	}
	sk = bpf_skc_lookup_tcp(ctx, &t, tlen, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	state = sk->state;
	bpf_sk_release(sk);
	return state != BPF_TCP_LISTEN;
}

/*
 * Strip the outer header and send the packet inside back to the hop that
 * brought it (the frame's source MAC, out of the port it came in on, the
 * tag kept): that router sent this host a tunnel packet, so it routes to
 * the backends; the host need not forward nor have a route of its own.
 * One hop more: TTL - 1.  A redirect to the ingress port rather than
 * XDP_TX, which a veth peer without XDP would not see in time (emit.h).
 */
static __always_inline int second_send(struct xdp_md *ctx, struct pkt *p,
				       const struct decap_outer *o,
				       const struct decap_mid *m)
{
	__u8 dst[ETH_ALEN], src[ETH_ALEN];
	__u16 type = m->family == AF_INET ? ETH_P_IP : ETH_P_IPV6;
	struct ethhdr *eth = p->data;
	void *l3;

	if ((void *)(eth + 1) > p->data_end)
		return SLUICE_DROP_TRUNC;
	__builtin_memcpy(dst, eth->h_source, ETH_ALEN);
	__builtin_memcpy(src, eth->h_dest, ETH_ALEN);
	if (ctx_adjust_l2_room(ctx, -(int)(o->len & 0xff)))
		return SLUICE_DROP_TRUNC;
	pkt_reload(p, ctx);
	eth = p->data;
	if ((void *)(eth + 1) + 4 + sizeof(struct ipv6hdr) > p->data_end)
		return SLUICE_DROP_TRUNC;
	__builtin_memcpy(eth->h_dest, dst, ETH_ALEN);
	__builtin_memcpy(eth->h_source, src, ETH_ALEN);
	if (p->tagged) {
		__be16 *tag = (void *)(eth + 1);

		eth->h_proto = bpf_htons(ETH_P_8021Q);
		tag[0] = bpf_htons(p->vlan_tci);
		tag[1] = bpf_htons(type);
		l3 = tag + 2;
	} else {
		eth->h_proto = bpf_htons(type);
		l3 = eth + 1;
	}
	if (m->family == AF_INET)
		ip4_decrease_ttl(l3);
	else
		((struct ipv6hdr *)l3)->hop_limit--;
	p->redirect = bpf_redirect(ctx->ingress_ifindex, 0);
	if (p->redirect != XDP_REDIRECT)
		return SLUICE_DROP_REDIRECT;
	return SLUICE_FWD_DECAP_SECOND;
}

/*
 * After decap_check_inner(): DP_CONTINUE for a packet that carries no
 * alternative (decapsulated as before), else the reason that decided it.
 */
static __always_inline int decap_second(struct xdp_md *ctx, struct pkt *p,
					const struct decap_outer *o)
{
	struct decap_mid m = {};
	struct decap_outer both;
	void *mid, *in;
	int r;

	mid = p->data + (p->l3_off & 0x1f) + (o->len & 0xff);
	r = second_mid(mid, p->data_end, o->inner_type, &m);
	if (r)
		return r;
	in = mid + (m.t.len & 0xff);
	r = decap_check_inner(in, p->data_end, m.t.inner_type);
	if (r != DP_CONTINUE) /* this host's tunnel: one layer, as before */
		return m.local ? DP_CONTINUE : r;
	both = m.t;
	both.len = (o->len & 0xff) + (m.t.len & 0xff);
	/* the carried tunnel is to this host too (one host is two of the
	 * VIP's backends, by two addresses): the client's packet is ours,
	 * and one layer off would leave the kernel a tunnel it cannot take */
	if (m.local) {
		r = decap_strip(ctx, p, &both);
		return r == SLUICE_DROP_TRUNC ? r : SLUICE_DECAP_SECOND_LOCAL;
	}
	r = second_here(ctx, in, p->data_end, m.t.inner_type);
	if (r == 1) {
		r = decap_strip(ctx, p, &both);
		return r == SLUICE_DROP_TRUNC ? r : SLUICE_DECAP_SECOND_LOCAL;
	}
	if (r)
		return r;
	/* one hop more would expire it: delivered here, as before */
	if (m.ttl <= 1) {
		r = decap_strip(ctx, p, &both);
		return r == SLUICE_DROP_TRUNC ? r : SLUICE_DECAP_SECOND_TTL;
	}
	return second_send(ctx, p, o, &m);
}

#endif
