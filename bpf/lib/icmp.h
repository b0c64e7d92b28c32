/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ICMP error answers, from the address the client wrote to, quoting the
 * start of its packet, sent back out of the ingress port: "too big"
 * (fragmentation needed, packet too big), which the load balancer sends
 * when a packet would not fit the egress MTU after encapsulation, and the
 * firewall's "unreachable" rejects (fw_reject.h).
 *
 * The quoted bytes are already in place: the new IP + ICMP headers are
 * exactly as long as the room pushed in front of the old IP header.
 */
#ifndef SLUICE_BPF_ICMP_H
#define SLUICE_BPF_ICMP_H

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include "csum.h"
#include "emit.h"
#include "parse.h"
#include "pkt.h"

#define ICMP_REPLY_TTL 64
#define ICMP4_QUOTE 28 /* IP header + 8 bytes */
#define ICMP6_QUOTE 48 /* IPv6 header + 8 bytes */

/* L2 offsets are 14 or 18; masking keeps the verifier's range small. */
static __always_inline __u32 l2_len(const struct pkt *p)
{
	return p->l3_off & 0x1f;
}

/*
 * Make room for @room bytes of new headers in front of the L3 header, cut
 * the tail so that exactly @quote bytes of the old packet remain after
 * them, and address the frame back to its sender (MACs swapped, type
 * @ethertype).  0 or -1.
 */
static __always_inline int icmp_reply_frame(struct __ctx_buff *ctx,
					    struct pkt *p, __u32 room,
					    __u32 quote, __u16 ethertype)
{
	__u8 smac[ETH_ALEN], dmac[ETH_ALEN];
	struct ethhdr *eth = p->data;

	if ((void *)(eth + 1) > p->data_end)
		return -1;
	__builtin_memcpy(smac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(dmac, eth->h_dest, ETH_ALEN);
	if (ctx_adjust_l2_room(ctx, (int)room))
		return -1;
	if (ctx_trim(ctx, l2_len(p) + room + quote))
		return -1;
	pkt_reload(p, ctx);
	eth = p->data;
	if ((void *)(eth + 1) + sizeof(struct vlan_tag) > p->data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, smac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, dmac, ETH_ALEN);
	l2_set_type(p->data, p, ethertype);
	return 0;
}

/*
 * Replace the packet by the ICMP error @type/@code about it (@rest: the
 * header's second word, network order), from the address it was sent to,
 * addressed back to its sender.  DP_CONTINUE with p->icmp_sent set, or the
 * reason it could not be built; the caller sends it (emit_back()).
 */
static __always_inline int icmp4_error(struct __ctx_buff *ctx, struct pkt *p,
				       __u8 type, __u8 code, __be32 rest)
{
	const __u32 room = sizeof(struct iphdr) + sizeof(struct icmphdr);
	__u32 off = l2_len(p);
	struct iphdr *in = p->data + off, *oh;
	struct icmphdr *ic;
	__be32 saddr, daddr;

	if ((void *)(in + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_IP4;
	saddr = in->saddr;
	daddr = in->daddr;
	if (icmp_reply_frame(ctx, p, room, ICMP4_QUOTE, ETH_P_IP))
		return SLUICE_DROP_ADJUST;
	oh = p->data + off;
	ic = (void *)(oh + 1);
	if ((void *)(ic + 1) + ICMP4_QUOTE > p->data_end)
		return SLUICE_DROP_ADJUST;

	*(__u8 *)oh = 0x45;
	oh->tos = 0;
	oh->tot_len = bpf_htons(room + ICMP4_QUOTE);
	oh->id = 0;
	oh->frag_off = 0;
	oh->ttl = ICMP_REPLY_TTL;
	oh->protocol = IPPROTO_ICMP;
	oh->saddr = daddr; /* from the address it was sent to */
	oh->daddr = saddr;
	oh->check = ip4_csum_full(oh);

	ic->type = type;
	ic->code = code;
	ic->checksum = 0;
	*(__be32 *)&ic->un = rest;
	ic->checksum = ~csum_fold32(csum_words(ic, (8 + ICMP4_QUOTE) / 2));
	p->icmp_sent = 1;
	return DP_CONTINUE;
}

static __always_inline int icmp6_error(struct __ctx_buff *ctx, struct pkt *p,
				       __u8 type, __u8 code, __be32 rest)
{
	const __u32 room = sizeof(struct ipv6hdr) + sizeof(struct icmp6hdr);
	__u32 off = l2_len(p), sum;
	struct ipv6hdr *in = p->data + off, *oh;
	__u8 saddr[16], daddr[16];
	struct icmp6hdr *ic;

	if ((void *)(in + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_IP6;
	__builtin_memcpy(saddr, in->saddr.in6_u.u6_addr8, 16);
	__builtin_memcpy(daddr, in->daddr.in6_u.u6_addr8, 16);
	if (icmp_reply_frame(ctx, p, room, ICMP6_QUOTE, ETH_P_IPV6))
		return SLUICE_DROP_ADJUST;
	oh = p->data + off;
	ic = (void *)(oh + 1);
	if ((void *)(ic + 1) + ICMP6_QUOTE > p->data_end)
		return SLUICE_DROP_ADJUST;

	*(__be32 *)oh = bpf_htonl(6u << 28);
	oh->payload_len = bpf_htons(sizeof(*ic) + ICMP6_QUOTE);
	oh->nexthdr = IPPROTO_ICMPV6;
	oh->hop_limit = ICMP_REPLY_TTL;
	__builtin_memcpy(oh->saddr.in6_u.u6_addr8, daddr, 16);
	__builtin_memcpy(oh->daddr.in6_u.u6_addr8, saddr, 16);

	ic->icmp6_type = type;
	ic->icmp6_code = code;
	ic->icmp6_cksum = 0;
	ic->icmp6_dataun.un_data32[0] = rest;
	/* pseudo-header: addresses, upper-layer length, next header */
	sum = csum_words(oh->saddr.in6_u.u6_addr8, 16);
	sum += bpf_htons(sizeof(*ic) + ICMP6_QUOTE);
	sum += bpf_htons(IPPROTO_ICMPV6);
	sum += csum_words(ic, (8 + ICMP6_QUOTE) / 2);
	ic->icmp6_cksum = ~csum_fold32(sum);
	p->icmp_sent = 1;
	return DP_CONTINUE;
}

static __always_inline int icmp4_too_big(struct __ctx_buff *ctx, struct pkt *p,
					 __u32 mtu)
{
	/* unused (2 bytes), next-hop MTU (2 bytes) */
	int r = icmp4_error(ctx, p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			    bpf_htonl(mtu & 0xffff));

	return r == DP_CONTINUE ? SLUICE_FWD_LB_TOO_BIG : r;
}

static __always_inline int icmp6_too_big(struct __ctx_buff *ctx, struct pkt *p,
					 __u32 mtu)
{
	int r = icmp6_error(ctx, p, ICMPV6_PKT_TOOBIG, 0, bpf_htonl(mtu));

	return r == DP_CONTINUE ? SLUICE_FWD_LB_TOO_BIG : r;
}

#endif
