/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L3 parsing: validate the IPv4/IPv6 header and find the flow's 5-tuple.
 * Malformed packets are dropped with a reason; what only the kernel may
 * handle (options, hop-by-hop, fragments, multicast, link-local, ND) is
 * handed over untouched.
 */
#ifndef SLUICE_BPF_L3_H
#define SLUICE_BPF_L3_H

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
#include "parse.h"
#include "pkt.h"

#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

#ifndef NEXTHDR_HOP
#define NEXTHDR_HOP 0
#define NEXTHDR_FRAGMENT 44
#endif

/* Where L4 can start: Ethernet, one VLAN tag, an IPv6 header (IPv4 with
 * options goes to the kernel).  Bounds an offset read back from the stack. */
#define L4_OFF_MAX 128

#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10

/* What L3 parsing learnt; the later stages read it. */
struct l3_info {
	__u32 target; /* SLUICE_FIB_*, set by route_lookup() */
	__u32 l3_len; /* IP total length */
	__u32 ports;  /* sport | dport << 16, as loaded */
	__u32 l4_off; /* from the frame start */
	__u8 family;
	__u8 proto; /* L4 protocol (v6: behind DO/routing headers) */
	__u8 tcp_flags;
	__u8 ct_state; /* SLUICE_CTM_*, set by ct_lookup() (uapi/sluice/ct.h) */
	__u8 src[16];
	__u8 dst[16];
};

/* Ports of TCP/UDP as one word for the flow hash; checks the L4 header is
 * present in the frame and inside the IP length. */
static __always_inline int l4_ports(struct pkt *p, void *l4, __u8 proto,
				    __u32 l4_len, struct l3_info *f)
{
	f->ports = 0;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > p->data_end || l4_len < sizeof(*th))
			return SLUICE_DROP_TRUNC_L4;
		f->ports = *(__u32 *)th;
		f->tcp_flags = ((__u8 *)th)[13];
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > p->data_end || l4_len < sizeof(*uh))
			return SLUICE_DROP_TRUNC_L4;
		f->ports = *(__u32 *)uh;
	}
	return DP_CONTINUE;
}

static __always_inline int ip4_parse(struct pkt *p, struct l3_info *f)
{
	struct iphdr *iph = p->data + p->l3_off;
	__u32 saddr, daddr, tot_len, avail;
	__u8 d0;
	int r;

	if ((void *)(iph + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_IP4;
	if (iph->version != 4)
		return SLUICE_DROP_BAD_VERSION;
	if (iph->ihl < 5)
		return SLUICE_DROP_BAD_IHL;
	tot_len = bpf_ntohs(iph->tot_len);
	/* p->len, not data_end: at TC the payload may be paged */
	avail = p->len - p->l3_off;
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

	r = l4_ports(p, iph + 1, iph->protocol, tot_len - sizeof(*iph), f);
	if (r != DP_CONTINUE)
		return r;

	f->family = AF_INET;
	f->proto = iph->protocol;
	f->l3_len = tot_len;
	f->l4_off = p->l3_off + sizeof(*iph);
	__builtin_memcpy(f->src, &saddr, 4);
	__builtin_memcpy(f->dst, &daddr, 4);
	return DP_CONTINUE;
}

/* IPv6 extension headers the parser looks through to find the transport
 * header, as nftables' "tcp dport" and "meta l4proto" do: at most this
 * many destination-options and routing headers (a routing header whatever
 * its segments left: the packet is forwarded whole).  Without this, TCP to
 * port 22 behind a destination-options header was "protocol 60, no ports"
 * to the firewall, conntrack, NAT and the DDoS guard: a bypass of port
 * rules. */
#define L3_IP6_EXT_MAX 4
#ifndef IPPROTO_ROUTING
#define IPPROTO_ROUTING 43
#define IPPROTO_DSTOPTS 60
#endif

/* Walks the destination-options and routing headers from *offp (next
 * header *nhp) up to the transport header; @end is where the IP packet
 * ends.  What the parser does not follow goes to the kernel untouched: a
 * fragment header (pass_fragment, as when it is first), a hop-by-hop
 * header not first (pass_ip_options: the kernel answers it with a
 * parameter problem), a longer chain or one ending past L4_OFF_MAX
 * (pass_ip_options).  A header leaving the IP payload is drop_bad_len (as
 * a payload length leaving the frame); one leaving the linear data is
 * drop_trunc_ip6 (as a truncated fixed header). */
static __always_inline int ip6_ext_walk(struct pkt *p, __u32 end, __u8 *nhp,
					__u32 *offp)
{
	__u32 off = *offp, len;
	__u8 nh = *nhp, *h;
	int i;

	for (i = 0; i < L3_IP6_EXT_MAX; i++) {
		if (nh != IPPROTO_DSTOPTS && nh != IPPROTO_ROUTING)
			break;
		if (off > L4_OFF_MAX) /* a bound the verifier can see */
			return SLUICE_PASS_IP_OPTIONS;
		h = p->data + off;
		if (off + 8 > end)
			return SLUICE_DROP_BAD_LEN;
		if ((void *)(h + 8) > p->data_end)
			return SLUICE_DROP_TRUNC_IP6;
		len = ((__u32)h[1] + 1) * 8;
		if (off + len > end)
			return SLUICE_DROP_BAD_LEN;
		nh = h[0];
		off += len;
	}
	if (nh == IPPROTO_DSTOPTS || nh == IPPROTO_ROUTING ||
	    nh == NEXTHDR_HOP || off > L4_OFF_MAX)
		return SLUICE_PASS_IP_OPTIONS;
	if (nh == NEXTHDR_FRAGMENT)
		return SLUICE_PASS_FRAGMENT;
	*nhp = nh;
	*offp = off;
	return DP_CONTINUE;
}

static __always_inline int ip6_parse(struct pkt *p, struct l3_info *f)
{
	struct ipv6hdr *ip6 = p->data + p->l3_off;
	__u32 plen, off, end;
	__u8 *d, *s, nh;
	int r;

	if ((void *)(ip6 + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_IP6;
	if (ip6->version != 6)
		return SLUICE_DROP_BAD_VERSION;
	plen = bpf_ntohs(ip6->payload_len);
	if (ip6->nexthdr == NEXTHDR_HOP) { /* incl. jumbograms */
		/* the kernel's, unless it is for a VIP (lb_hbh.h): what the
		 * LB reads, the payload length unchecked */
		f->family = AF_INET6;
		f->proto = NEXTHDR_HOP;
		f->l3_len = plen + sizeof(*ip6);
		f->l4_off = p->l3_off + sizeof(*ip6);
		__builtin_memcpy(f->src, ip6->saddr.in6_u.u6_addr8, 16);
		__builtin_memcpy(f->dst, ip6->daddr.in6_u.u6_addr8, 16);
		return SLUICE_PASS_IP_OPTIONS;
	}
	if (plen > p->len - p->l3_off - sizeof(*ip6))
		return SLUICE_DROP_BAD_LEN;

	d = ip6->daddr.in6_u.u6_addr8;
	s = ip6->saddr.in6_u.u6_addr8;
	if (d[0] == 0xff)
		return SLUICE_PASS_MULTICAST;
	if ((d[0] == 0xfe && (d[1] & 0xc0) == 0x80) ||
	    (s[0] == 0xfe && (s[1] & 0xc0) == 0x80))
		return SLUICE_PASS_LINK_LOCAL;
	nh = ip6->nexthdr;
	off = p->l3_off + sizeof(*ip6);
	end = off + plen;
	r = ip6_ext_walk(p, end, &nh, &off);
	if (r != DP_CONTINUE)
		return r;
	if (off > L4_OFF_MAX) /* checked by the walk; for the verifier */
		return SLUICE_PASS_IP_OPTIONS;
	if (nh == IPPROTO_ICMPV6) {
		struct icmp6hdr *ic = p->data + off;

		if ((void *)(ic + 1) > p->data_end || end - off < sizeof(*ic))
			return SLUICE_DROP_TRUNC_L4;
		if (ic->icmp6_type >= 133 && ic->icmp6_type <= 137)
			return SLUICE_PASS_ND;
	}
	r = l4_ports(p, p->data + off, nh, end - off, f);
	if (r != DP_CONTINUE)
		return r;

	f->family = AF_INET6;
	f->proto = nh;
	f->l3_len = plen + sizeof(*ip6);
	f->l4_off = off;
	__builtin_memcpy(f->src, s, 16);
	__builtin_memcpy(f->dst, d, 16);
	return DP_CONTINUE;
}

/* The 5-tuple flow hash (uapi/sluice/flow_hash.h), computed only where it
 * decides something (an ECMP group of more than one member): most routes
 * have one next hop, and the IPv6 hash is ten mixing rounds. */
static __always_inline __u32 l3_flow_hash(const struct l3_info *f)
{
	return sluice_flow_hash((const __u32 *)f->src, (const __u32 *)f->dst,
				f->family == AF_INET ? 1 : 4, f->ports,
				f->proto);
}

/* The router's parse of a frame from a managed port: L2, then L3. */
static __always_inline int parse_frame(struct pkt *p, struct l3_info *f)
{
	int r = parse_l2(p);

	if (r != DP_CONTINUE)
		return r;
	if (p->l3_proto == ETH_P_IP)
		return ip4_parse(p, f);
	return ip6_parse(p, f);
}

#endif
