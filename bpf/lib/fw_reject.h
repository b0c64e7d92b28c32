/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The firewall's "reject": the packet is replaced by the answer a closed
 * port would give and sent back out of the ingress port.  TCP gets a RST
 * (RFC 9293 3.10.7.1: the ACK's number as sequence, or RST|ACK
 * acknowledging the segment); UDP an ICMP port unreachable (the client's
 * "connection refused"); anything else ICMP administratively prohibited.
 * No answer to an ICMP error or a RST (DROP_FW_REJECT).
 */
#ifndef SLUICE_BPF_FW_REJECT_H
#define SLUICE_BPF_FW_REJECT_H

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include "csum.h"
#include "emit.h"
#include "icmp.h"
#include "l3.h"
#include "pkt.h"

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_RST 0x04
#define FW_RST_LEN 20 /* a TCP header without options */

#ifndef ICMP_PKT_FILTERED
#define ICMP_PKT_FILTERED 13 /* communication administratively prohibited */
#endif

/* The RST answering @f's segment, written over it in place: same L2
 * (MACs swapped), a fresh IP header, 20 bytes of TCP. */
static __always_inline int fw_rst(struct __ctx_buff *ctx, struct pkt *p,
				  struct l3_info *f)
{
	__u32 l3 = l2_len(p), ip_len, l4 = f->l4_off & 0x7f, seg, sum;
	__u8 mac[ETH_ALEN], flags, rflags;
	struct ethhdr *eth;
	struct tcphdr *th, rst;
	__be32 seq, ack, rseq = 0, rack = 0;
	__be16 sport, dport;

	ip_len = f->family == AF_INET ? sizeof(struct iphdr) :
					sizeof(struct ipv6hdr);
	th = p->data + l4;
	if ((void *)(th + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_L4;
	flags = ((__u8 *)th)[13];
	if (flags & TCP_FLAG_RST || th->doff < 5)
		return SLUICE_DROP_FW_REJECT;
	seg = f->l3_len - ip_len;
	if (seg < th->doff * 4u)
		return SLUICE_DROP_FW_REJECT;
	seg -= th->doff * 4u; /* payload */
	seg += !!(flags & TCP_FLAG_SYN) + !!(flags & TCP_FLAG_FIN);
	seq = th->seq;
	ack = th->ack_seq;
	sport = th->source;
	dport = th->dest;
	if (flags & TCP_FLAG_ACK) {
		rseq = ack;
		rflags = TCP_FLAG_RST;
	} else {
		rack = bpf_htonl(bpf_ntohl(seq) + seg);
		rflags = TCP_FLAG_RST | TCP_FLAG_ACK;
	}

	if (ctx_trim(ctx, l3 + ip_len + FW_RST_LEN))
		return SLUICE_DROP_ADJUST;
	pkt_reload(p, ctx);
	eth = p->data;
	th = p->data + l4;
	if ((void *)(eth + 1) > p->data_end || (void *)(th + 1) > p->data_end)
		return SLUICE_DROP_ADJUST;
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);

	if (f->family == AF_INET) {
		struct iphdr *iph = p->data + l3;
		__be32 a;

		if ((void *)(iph + 1) > p->data_end)
			return SLUICE_DROP_ADJUST;
		a = iph->saddr;
		*(__u8 *)iph = 0x45;
		iph->tos = 0;
		iph->tot_len = bpf_htons(sizeof(*iph) + FW_RST_LEN);
		iph->id = 0;
		iph->frag_off = bpf_htons(0x4000); /* DF, as Linux sends it */
		iph->ttl = ICMP_REPLY_TTL;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = iph->daddr;
		iph->daddr = a;
		iph->check = ip4_csum_full(iph);
		sum = csum_words(&iph->saddr, 4);
	} else {
		struct ipv6hdr *ip6 = p->data + l3;
		__u8 a[16];

		if ((void *)(ip6 + 1) > p->data_end)
			return SLUICE_DROP_ADJUST;
		__builtin_memcpy(a, ip6->saddr.in6_u.u6_addr8, 16);
		*(__be32 *)ip6 = bpf_htonl(6u << 28);
		ip6->payload_len = bpf_htons(FW_RST_LEN);
		ip6->nexthdr = IPPROTO_TCP;
		ip6->hop_limit = ICMP_REPLY_TTL;
		__builtin_memcpy(ip6->saddr.in6_u.u6_addr8,
				 ip6->daddr.in6_u.u6_addr8, 16);
		__builtin_memcpy(ip6->daddr.in6_u.u6_addr8, a, 16);
		sum = csum_words(ip6->saddr.in6_u.u6_addr8, 16);
	}
	/* built on the stack, then copied: one bounds check covers it */
	__builtin_memset(&rst, 0, sizeof(rst));
	rst.source = dport;
	rst.dest = sport;
	rst.seq = rseq;
	rst.ack_seq = rack;
	rst.doff = 5;
	((__u8 *)&rst)[13] = rflags;
	sum += bpf_htons(IPPROTO_TCP) + bpf_htons(FW_RST_LEN);
	sum += csum_words(&rst, FW_RST_LEN / 2);
	rst.check = ~csum_fold32(sum);
	th = p->data + l4;
	if ((void *)(th + 1) > p->data_end)
		return SLUICE_DROP_ADJUST;
	__builtin_memcpy(th, &rst, sizeof(rst));
	return DP_CONTINUE;
}

/* An ICMP error (or a header too short to tell): never answered. */
static __always_inline int fw_icmp_is_error(struct pkt *p, struct l3_info *f)
{
	__u8 *t = p->data + (f->l4_off & 0x7f);

	if ((void *)(t + 1) > p->data_end)
		return 1;
	if (f->proto == IPPROTO_ICMPV6)
		return *t < 128; /* 0..127: errors */
	return *t == ICMP_DEST_UNREACH || *t == ICMP_SOURCE_QUENCH ||
	       *t == ICMP_REDIRECT || *t == ICMP_TIME_EXCEEDED ||
	       *t == ICMP_PARAMETERPROB;
}

/* Replace the packet by its rejection and send it back. */
static __always_inline int fw_reject(struct __ctx_buff *ctx, struct pkt *p,
				     struct l3_info *f)
{
	int r;

	if (f->proto == IPPROTO_TCP) {
		r = fw_rst(ctx, p, f);
	} else if ((f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) &&
		   fw_icmp_is_error(p, f)) {
		return SLUICE_DROP_FW_REJECT;
	} else if (f->family == AF_INET) {
		if (f->l3_len < ICMP4_QUOTE)
			return SLUICE_DROP_FW_REJECT;
		r = icmp4_error(ctx, p, ICMP_DEST_UNREACH,
				f->proto == IPPROTO_UDP ? ICMP_PORT_UNREACH :
							  ICMP_PKT_FILTERED,
				0);
	} else {
		if (f->l3_len < ICMP6_QUOTE)
			return SLUICE_DROP_FW_REJECT;
		r = icmp6_error(ctx, p, ICMPV6_DEST_UNREACH,
				f->proto == IPPROTO_UDP ? ICMPV6_PORT_UNREACH :
							  ICMPV6_ADM_PROHIBITED,
				0);
	}
	if (r != DP_CONTINUE)
		return r;
	r = emit_back(ctx, p);
	return r == SLUICE_FWD_TX ? SLUICE_FWD_FW_REJECT : r;
}

#endif
