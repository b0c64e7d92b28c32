// SPDX-License-Identifier: BSD-2-Clause
/*
 * The decapsulation program's fixture tables (backend role).  The frames
 * are what a sluice load balancer sends a backend: from the LB's egress
 * (MAC_P1) to this host's port, an outer header from the LB's source
 * ranges to one of this host's addresses, and a client's packet to a VIP
 * inside.
 *
 *   this host  198.18.11.2, 2001:db8:11::2 (registered at setup);
 *              198.18.11.3, 2001:db8:11::3 come and go with the rows
 *   not us     198.18.11.9, 2001:db8:11::9
 *   outer src  198.18.200.7, 2001:db8:5:6:7:8:dead:beef
 *   inner      H0 (198.18.0.2, 2001:db8::2) -> VIP 198.19.0.100 or
 *              2001:db8:100::100, a source port each
 *
 * Rows run in order; only the add/del rows change state, and they say so.
 */
#include <linux/bpf.h>
#include <netinet/in.h>
#include "decap_fixtures.h"
#include "names.h"

#define MAC_BE MAC(0x0b, 0x02)		/* this host's port */

#define ME4 "198.18.11.2"
#define ME6 "2001:db8:11::2"
#define ME4B "198.18.11.3"
#define ME6B "2001:db8:11::3"
#define OTHER4 "198.18.11.9"
#define OTHER6 "2001:db8:11::9"
#define LB4 "198.18.200.7"
#define LB6 "2001:db8:5:6:7:8:dead:beef"

const char *const decap_local_addrs[] = { ME4, ME6 };
const size_t decap_n_local_addrs =
	sizeof(decap_local_addrs) / sizeof(decap_local_addrs[0]);

/* ---- row shorthands ------------------------------------------------------ */

#define TO_BE .dst = MAC_BE, .src = MAC_P1
#define TO_BE_V(v) TO_BE, .tagged = 1, .vid = v
#define C4 .l3 = PKT_L3_IP4, .saddr = H0_4, .daddr = "198.19.0.100"
#define C6 .l3 = PKT_L3_IP6, .saddr = H0_6, .daddr = "2001:db8:100::100"
#define TCP(sp, n) .l4 = IPPROTO_TCP, .sport = sp, .dport = 80, .payload = n
#define UDP(sp, n) .l4 = IPPROTO_UDP, .sport = sp, .dport = 53, .payload = n
#define ECHO(n) .l4 = IPPROTO_ICMP, .sport = 7, .dport = 1, .payload = n
#define ECHO6(n) .l4 = IPPROTO_ICMPV6, .sport = 7, .dport = 1, .payload = n

/* tunnels from the LB to @d (an address of either family) */
#define IPIP_TO(s, d, ...)                                                     \
	{ .kind = DXT_IPIP, .saddr = s, .daddr = d, __VA_ARGS__ }
#define GRE_TO(s, d, ...)                                                      \
	{ .kind = DXT_GRE, .saddr = s, .daddr = d, __VA_ARGS__ }
#define IPIP4 IPIP_TO(LB4, ME4)
#define IPIP6 IPIP_TO(LB6, ME6)
#define GRE4 GRE_TO(LB4, ME4)
#define GRE6 GRE_TO(LB6, ME6)
#define PLAIN { .kind = DXT_NONE }

#define DECAP(r)                                                               \
	.verdict = XDP_PASS, .reason = SLUICE_DECAP_##r, .decap = true
#define PASS(r) .verdict = XDP_PASS, .reason = SLUICE_PASS_##r
#define DROP(r) .verdict = XDP_DROP, .reason = SLUICE_DROP_##r

#define CUT(n) { MUT_CUT, BASE_L2, 0, n }
#define FIT { MUT_IP_LEN_FIT, BASE_L2, 0, 0 }
#define CSUM { MUT_IP4_CSUM, BASE_L2, 0, 0 }

/* Lengths used below: a v4/tcp inner packet with 8 bytes of payload is 48
 * bytes, a v6 one 68; the outer IPv4 header 20, IPv6 40, GRE 4. */

const struct decap_fixture decap_fixtures[] = {
	/* IPIP: the four combinations */
	{ "4in4 (proto 4): decap_ipip, the inner v4 packet behind the L2",
	  { TO_BE, C4, TCP(51001, 8) }, IPIP4, {}, DECAP(IPIP) },
	{ "6in6 (nexthdr 41): decap_ipip, ethertype 0x86dd",
	  { TO_BE, C6, TCP(51002, 8) }, IPIP6, {}, DECAP(IPIP) },
	{ "4in6 (nexthdr 4): decap_ipip, ethertype 0x0800",
	  { TO_BE, C4, TCP(51003, 8) }, IPIP6, {}, DECAP(IPIP) },
	{ "6in4 (proto 41): decap_ipip, ethertype 0x86dd",
	  { TO_BE, C6, TCP(51004, 8) }, IPIP4, {}, DECAP(IPIP) },
	{ "4in4 udp", { TO_BE, C4, UDP(51005, 24) }, IPIP4, {}, DECAP(IPIP) },
	{ "6in6 udp", { TO_BE, C6, UDP(51006, 24) }, IPIP6, {}, DECAP(IPIP) },
	{ "4in4 icmp echo", { TO_BE, C4, ECHO(16) }, IPIP4, {}, DECAP(IPIP) },
	{ "6in6 icmpv6 echo", { TO_BE, C6, ECHO6(16) }, IPIP6, {},
	  DECAP(IPIP) },
	{ "4in4, smallest inner (20-byte header only, protocol 253)",
	  { TO_BE, C4, .l4 = 253 }, IPIP4, {}, DECAP(IPIP) },
	{ "6in6, smallest inner (40-byte header only, nexthdr 59)",
	  { TO_BE, C6, .l4 = 59 }, IPIP6, {}, DECAP(IPIP) },
	{ "4in4, 1500-byte outer packet", { TO_BE, C4, TCP(51007, 1440) },
	  IPIP4, {}, DECAP(IPIP) },
	{ "6in6, 1500-byte outer packet", { TO_BE, C6, TCP(51008, 1400) },
	  IPIP6, {}, DECAP(IPIP) },
	{ "4in4, outer DF set: decapsulated (DF is not a fragment)",
	  { TO_BE, C4, TCP(51009, 8) }, IPIP_TO(LB4, ME4, .frag = 0x4000), {},
	  DECAP(IPIP) },
	{ "4in4, outer TOS 0xb8: the inner TOS (0x28) is the inner's",
	  { TO_BE, C4, TCP(51010, 8), .tos = 0x28 },
	  IPIP_TO(LB4, ME4, .tos = 0xb8), {}, DECAP(IPIP) },
	{ "6in6, outer class and flow label: the inner's stay",
	  { TO_BE, C6, TCP(51011, 8), .tos = 0x28, .flow = 0x12345 },
	  IPIP_TO(LB6, ME6, .tos = 0xb8, .flow = 0xabcde), {}, DECAP(IPIP) },
	{ "4in4, inner TTL 1: passed on, not decremented",
	  { TO_BE, C4, TCP(51012, 8), .ttl = 1 }, IPIP4, {}, DECAP(IPIP) },
	{ "6in6, inner hop limit 1: passed on, not decremented",
	  { TO_BE, C6, TCP(51013, 8), .ttl = 1 }, IPIP6, {}, DECAP(IPIP) },
	{ "4in4, inner IPv4 checksum wrong: not the decapsulator's business",
	  { TO_BE, C4, TCP(51014, 8) }, IPIP4, {},
	  .imut = { { MUT_XOR8, BASE_L3, 11, 0x01 } }, DECAP(IPIP) },
	{ "4in4, Ethernet padding behind the inner packet stays behind it",
	  { TO_BE, C4, UDP(51015, 0), .eth_pad = 12 }, IPIP4, {},
	  DECAP(IPIP) },
	{ "4in4 in 4in4: one layer removed, the inner IPIP packet passed",
	  { TO_BE, .l3 = PKT_L3_IP4, .saddr = LB4, .daddr = ME4, .l4 = 4,
	    .payload = 48 }, IPIP4, {}, DECAP(IPIP) },
	{ "4in4 behind 32 bytes of metadata: the metadata stays in front",
	  { TO_BE, C4, TCP(51016, 8) }, IPIP4, {}, .meta = 32, DECAP(IPIP) },
	{ "6in4 behind 8 bytes of metadata", { TO_BE, C6, TCP(51017, 8) },
	  IPIP4, {}, .meta = 8, DECAP(IPIP) },

	/* GRE (RFC 2784, no options) */
	{ "GRE over v4, inner v4 (0x0800): decap_gre",
	  { TO_BE, C4, TCP(51101, 8) }, GRE4, {}, DECAP(GRE) },
	{ "GRE over v6, inner v6 (0x86dd): decap_gre",
	  { TO_BE, C6, TCP(51102, 8) }, GRE6, {}, DECAP(GRE) },
	{ "GRE over v4, inner v6: decap_gre", { TO_BE, C6, TCP(51103, 8) },
	  GRE4, {}, DECAP(GRE) },
	{ "GRE over v6, inner v4: decap_gre", { TO_BE, C4, TCP(51104, 8) },
	  GRE6, {}, DECAP(GRE) },
	{ "GRE over v4, inner udp", { TO_BE, C4, UDP(51105, 0) }, GRE4, {},
	  DECAP(GRE) },
	{ "GRE over v6, 1500-byte outer packet",
	  { TO_BE, C6, TCP(51106, 1396) }, GRE6, {}, DECAP(GRE) },
	{ "GRE over v4, behind 16 bytes of metadata",
	  { TO_BE, C4, TCP(51107, 8) }, GRE4, {}, .meta = 16, DECAP(GRE) },

	/* GRE with options, version or routing bits: the kernel's */
	{ "GRE with a key (K): pass_gre_options, untouched",
	  { TO_BE, C4, TCP(51201, 8) },
	  GRE_TO(LB4, ME4, .gre_flags = 0x2000, .gre_key = 0x00c0ffee), {},
	  PASS(GRE_OPTIONS) },
	{ "GRE with a sequence number (S): pass_gre_options",
	  { TO_BE, C4, TCP(51202, 8) },
	  GRE_TO(LB4, ME4, .gre_flags = 0x1000, .gre_seq = 7), {},
	  PASS(GRE_OPTIONS) },
	{ "GRE with a checksum (C, correct): pass_gre_options",
	  { TO_BE, C4, TCP(51203, 8) }, GRE_TO(LB4, ME4, .gre_flags = 0x8000),
	  {}, PASS(GRE_OPTIONS) },
	{ "GRE with checksum, key and sequence: pass_gre_options",
	  { TO_BE, C6, TCP(51204, 8) },
	  GRE_TO(LB4, ME4, .gre_flags = 0xb000, .gre_key = 1, .gre_seq = 2),
	  {}, PASS(GRE_OPTIONS) },
	{ "GRE over v6 with a key: pass_gre_options",
	  { TO_BE, C6, TCP(51205, 8) },
	  GRE_TO(LB6, ME6, .gre_flags = 0x2000, .gre_key = 42), {},
	  PASS(GRE_OPTIONS) },
	{ "GRE with the routing bit (R, RFC 1701): pass_gre_options",
	  { TO_BE, C4, TCP(51206, 8) }, GRE_TO(LB4, ME4, .gre_flags = 0x4000),
	  {}, PASS(GRE_OPTIONS) },
	{ "GRE version 1 (PPTP, with K): pass_gre_options",
	  { TO_BE, C4, TCP(51207, 8) },
	  GRE_TO(LB4, ME4, .gre_flags = 0x2001, .gre_key = 0x00080001), {},
	  PASS(GRE_OPTIONS) },
	{ "GRE version 7, no other bit: pass_gre_options (only 0 is ours)",
	  { TO_BE, C4, TCP(51209, 8) }, GRE_TO(LB4, ME4, .gre_flags = 0x0007),
	  {}, PASS(GRE_OPTIONS) },
	{ "GRE, a reserved0 bit (0x0080): pass_gre_options",
	  { TO_BE, C4, TCP(51208, 8) }, GRE_TO(LB4, ME4, .gre_flags = 0x0080),
	  {}, PASS(GRE_OPTIONS) },

	/* GRE carrying something else than IP */
	{ "GRE carrying Ethernet (0x6558): pass_not_encap, untouched",
	  { TO_BE, C4, TCP(51301, 8) }, GRE_TO(LB4, ME4, .gre_proto = 0x6558),
	  {}, PASS(NOT_ENCAP) },
	{ "GRE over v6 carrying Ethernet (0x6558): pass_not_encap",
	  { TO_BE, C6, TCP(51302, 8) }, GRE_TO(LB6, ME6, .gre_proto = 0x6558),
	  {}, PASS(NOT_ENCAP) },
	{ "GRE carrying MPLS (0x8847): pass_not_encap",
	  { TO_BE, C4, TCP(51303, 8) }, GRE_TO(LB4, ME4, .gre_proto = 0x8847),
	  {}, PASS(NOT_ENCAP) },
	{ "GRE carrying ARP (0x0806): pass_not_encap",
	  { TO_BE, C4, TCP(51304, 8) }, GRE_TO(LB4, ME4, .gre_proto = 0x0806),
	  {}, PASS(NOT_ENCAP) },

	/* not addressed to this host */
	{ "4in4 to an address that is not ours: pass_not_local, untouched",
	  { TO_BE, C4, TCP(51401, 8) }, IPIP_TO(LB4, OTHER4), {},
	  PASS(NOT_LOCAL) },
	{ "6in6 to an address that is not ours: pass_not_local",
	  { TO_BE, C6, TCP(51402, 8) }, IPIP_TO(LB6, OTHER6), {},
	  PASS(NOT_LOCAL) },
	{ "4in6 to an address that is not ours: pass_not_local",
	  { TO_BE, C4, TCP(51403, 8) }, IPIP_TO(LB6, OTHER6), {},
	  PASS(NOT_LOCAL) },
	{ "GRE to an address that is not ours: pass_not_local",
	  { TO_BE, C4, TCP(51404, 8) }, GRE_TO(LB4, OTHER4), {},
	  PASS(NOT_LOCAL) },
	{ "GRE with a key, not ours: pass_not_local (the address first)",
	  { TO_BE, C4, TCP(51405, 8) },
	  GRE_TO(LB4, OTHER4, .gre_flags = 0x2000, .gre_key = 9), {},
	  PASS(NOT_LOCAL) },
	{ "4in4 from our address to another: pass_not_local (dst counts)",
	  { TO_BE, C4, TCP(51406, 8) }, IPIP_TO(ME4, OTHER4), {},
	  PASS(NOT_LOCAL) },
	{ "v6 outer c612:b02:: (our v4 address's bytes): pass_not_local",
	  { TO_BE, C6, TCP(51407, 8) }, IPIP_TO(LB6, "c612:b02::"), {},
	  PASS(NOT_LOCAL) },
	{ "v6 outer ::ffff:198.18.11.2 (v4-mapped): pass_not_local",
	  { TO_BE, C4, TCP(51408, 8) }, IPIP_TO(LB6, "::ffff:198.18.11.2"), {},
	  PASS(NOT_LOCAL) },
	{ "4in4 to 198.18.11.1 (a neighbour of ours): pass_not_local",
	  { TO_BE, C4, TCP(51409, 8) }, IPIP_TO(LB4, "198.18.11.1"), {},
	  PASS(NOT_LOCAL) },

	/* local addresses come and go (dp_local_addr_set / _del) */
	{ "198.18.11.3 added: 4in4 to it decapsulated",
	  { TO_BE, C4, TCP(51501, 8) }, IPIP_TO(LB4, ME4B), {},
	  .add_local = ME4B, DECAP(IPIP) },
	{ "2001:db8:11::3 added: GRE over v6 to it decapsulated",
	  { TO_BE, C6, TCP(51502, 8) }, GRE_TO(LB6, ME6B), {},
	  .add_local = ME6B, DECAP(GRE) },
	{ "198.18.11.3 deleted: 4in4 to it is pass_not_local again",
	  { TO_BE, C4, TCP(51503, 8) }, IPIP_TO(LB4, ME4B), {},
	  .del_local = ME4B, PASS(NOT_LOCAL) },
	{ "2001:db8:11::3 deleted: GRE to it is pass_not_local again",
	  { TO_BE, C6, TCP(51504, 8) }, GRE_TO(LB6, ME6B), {},
	  .del_local = ME6B, PASS(NOT_LOCAL) },
	{ "198.18.11.2 is still ours after that: decap_ipip",
	  { TO_BE, C4, TCP(51505, 8) }, IPIP4, {}, DECAP(IPIP) },
	{ "2001:db8:11::2 is still ours after that: decap_ipip",
	  { TO_BE, C6, TCP(51506, 8) }, IPIP6, {}, DECAP(IPIP) },
	{ "198.18.11.3 added again: decapsulated again",
	  { TO_BE, C6, TCP(51507, 8) }, GRE_TO(LB4, ME4B), {},
	  .add_local = ME4B, DECAP(GRE) },
	{ "198.18.11.3 deleted again: pass_not_local",
	  { TO_BE, C6, TCP(51508, 8) }, GRE_TO(LB4, ME4B), {},
	  .del_local = ME4B, PASS(NOT_LOCAL) },

	/* plain traffic to this host */
	{ "plain v4 tcp to us: pass_not_encap, untouched",
	  { TO_BE, .l3 = PKT_L3_IP4, .saddr = H0_4, .daddr = ME4,
	    TCP(51601, 8) }, PLAIN, {}, PASS(NOT_ENCAP) },
	{ "plain v4 udp to us: pass_not_encap",
	  { TO_BE, .l3 = PKT_L3_IP4, .saddr = H0_4, .daddr = ME4,
	    UDP(51602, 8) }, PLAIN, {}, PASS(NOT_ENCAP) },
	{ "plain v4 icmp echo to us: pass_not_encap",
	  { TO_BE, .l3 = PKT_L3_IP4, .saddr = H0_4, .daddr = ME4, ECHO(8) },
	  PLAIN, {}, PASS(NOT_ENCAP) },
	{ "plain v6 tcp to us: pass_not_encap",
	  { TO_BE, .l3 = PKT_L3_IP6, .saddr = H0_6, .daddr = ME6,
	    TCP(51603, 8) }, PLAIN, {}, PASS(NOT_ENCAP) },
	{ "plain v6 udp to us: pass_not_encap",
	  { TO_BE, .l3 = PKT_L3_IP6, .saddr = H0_6, .daddr = ME6,
	    UDP(51604, 8) }, PLAIN, {}, PASS(NOT_ENCAP) },
	{ "plain icmpv6 echo to us: pass_not_encap",
	  { TO_BE, .l3 = PKT_L3_IP6, .saddr = H0_6, .daddr = ME6, ECHO6(8) },
	  PLAIN, {}, PASS(NOT_ENCAP) },
	{ "ARP reply to us: pass_not_encap",
	  { TO_BE, .l3 = PKT_L3_ARP, .saddr = "198.18.11.1", .daddr = ME4 },
	  PLAIN, {}, PASS(NOT_ENCAP) },
	{ "another ethertype (0x88b5): pass_not_encap",
	  { TO_BE, .l3 = PKT_L3_RAW, .payload = 46 }, PLAIN, {},
	  PASS(NOT_ENCAP) },
	{ "plain tagged v4 tcp (vlan 11): pass_not_encap",
	  { TO_BE_V(11), .l3 = PKT_L3_IP4, .saddr = H0_4, .daddr = ME4,
	    TCP(51605, 8) }, PLAIN, {}, PASS(NOT_ENCAP) },
	{ "v6 hop-by-hop header in front of IPIP: pass_not_encap",
	  { TO_BE, .l3 = PKT_L3_IP6, .saddr = LB6, .daddr = ME6, .l4 = 4,
	    .ext = PKT_EXT_HBH, .payload = 48 }, PLAIN, {}, PASS(NOT_ENCAP) },
	{ "v6 fragment header in front of IPIP: pass_not_encap",
	  { TO_BE, .l3 = PKT_L3_IP6, .saddr = LB6, .daddr = ME6, .l4 = 4,
	    .ext = PKT_EXT_FRAG, .payload = 48 }, PLAIN, {}, PASS(NOT_ENCAP) },
	{ "v4 protocol 94 (IPIP of RFC 1853's era): pass_not_encap",
	  { TO_BE, .l3 = PKT_L3_IP4, .saddr = LB4, .daddr = ME4, .l4 = 94,
	    .payload = 48 }, PLAIN, {}, PASS(NOT_ENCAP) },

	/* outer IPv4 with options or fragmented: the kernel's */
	{ "4in4, outer with options (ihl 6): pass_not_encap, untouched",
	  { TO_BE, C4, TCP(51701, 8) }, IPIP_TO(LB4, ME4, .ip_opts = 1), {},
	  PASS(NOT_ENCAP) },
	{ "4in4, outer with 40 bytes of options (ihl 15): pass_not_encap",
	  { TO_BE, C4, TCP(51702, 8) }, IPIP_TO(LB4, ME4, .ip_opts = 10), {},
	  PASS(NOT_ENCAP) },
	{ "GRE, outer with options: pass_not_encap",
	  { TO_BE, C4, TCP(51703, 8) }, GRE_TO(LB4, ME4, .ip_opts = 1), {},
	  PASS(NOT_ENCAP) },
	{ "4in4, outer first fragment (MF): pass_not_encap",
	  { TO_BE, C4, TCP(51704, 8) }, IPIP_TO(LB4, ME4, .frag = 0x2000), {},
	  PASS(NOT_ENCAP) },
	{ "4in4, outer last fragment (offset 185): pass_not_encap",
	  { TO_BE, C4, TCP(51705, 8) }, IPIP_TO(LB4, ME4, .frag = 185), {},
	  PASS(NOT_ENCAP) },
	{ "6in4, outer fragment with DF and MF: pass_not_encap",
	  { TO_BE, C6, TCP(51706, 8) }, IPIP_TO(LB4, ME4, .frag = 0x6000), {},
	  PASS(NOT_ENCAP) },
	{ "GRE, outer middle fragment: pass_not_encap",
	  { TO_BE, C4, TCP(51707, 8) }, GRE_TO(LB4, ME4, .frag = 0x2001), {},
	  PASS(NOT_ENCAP) },
	{ "4in4, outer ihl 4 (malformed): pass_not_encap",
	  { TO_BE, C4, TCP(51708, 8) }, IPIP4,
	  { { MUT_SET8, BASE_L3, 0, 0x44 }, CSUM }, PASS(NOT_ENCAP) },

	/* the inner packet is not what the outer header says */
	{ "proto 4, a v6 packet behind it: drop_bad_inner, dropped",
	  { TO_BE, C6, TCP(51801, 8) }, IPIP4,
	  { { MUT_SET8, BASE_L3, 9, 4 }, CSUM }, DROP(BAD_INNER) },
	{ "nexthdr 41, a 48-byte v4 packet behind it: drop_bad_inner",
	  { TO_BE, C4, TCP(51802, 8) }, IPIP6,
	  { { MUT_SET8, BASE_L3, 6, 41 } }, DROP(BAD_INNER) },
	{ "proto 4, inner version nibble 6: drop_bad_inner",
	  { TO_BE, C4, TCP(51803, 8) }, IPIP4,
	  { { MUT_SET8, BASE_L4, 0, 0x65 } }, DROP(BAD_INNER) },
	{ "proto 4, inner version nibble 0: drop_bad_inner",
	  { TO_BE, C4, TCP(51804, 8) }, IPIP4,
	  { { MUT_SET8, BASE_L4, 0, 0x05 } }, DROP(BAD_INNER) },
	{ "4in6, inner version nibble 6: drop_bad_inner",
	  { TO_BE, C4, TCP(51805, 8) }, IPIP6,
	  { { MUT_SET8, BASE_L4, 0, 0x65 } }, DROP(BAD_INNER) },
	{ "6in6, inner version nibble 4: drop_bad_inner",
	  { TO_BE, C6, TCP(51806, 8) }, IPIP6,
	  { { MUT_SET8, BASE_L4, 0, 0x40 } }, DROP(BAD_INNER) },
	{ "GRE says 0x86dd, a 48-byte v4 packet follows: drop_bad_inner",
	  { TO_BE, C4, TCP(51807, 8) }, GRE_TO(LB4, ME4, .gre_proto = 0x86dd),
	  {}, DROP(BAD_INNER) },
	{ "GRE over v6 says 0x0800, a v6 packet follows: drop_bad_inner",
	  { TO_BE, C6, TCP(51808, 8) }, GRE_TO(LB6, ME6, .gre_proto = 0x0800),
	  {}, DROP(BAD_INNER) },
	{ "nexthdr 41, a 28-byte v4 packet behind: drop_trunc (length first)",
	  { TO_BE, C4, UDP(51809, 0) }, IPIP6,
	  { { MUT_SET8, BASE_L3, 6, 41 } }, DROP(TRUNC) },

	/* truncated */
	{ "4in4, inner header cut at 10 of 20 bytes: drop_trunc",
	  { TO_BE, C4, TCP(51901, 8) }, IPIP4, { CUT(44) }, DROP(TRUNC) },
	{ "4in4, inner cut at 10 bytes, outer tot_len fits: drop_trunc",
	  { TO_BE, C4, TCP(51902, 8) }, IPIP4, { CUT(44), FIT },
	  DROP(TRUNC) },
	{ "6in6, inner header cut at 39 of 40 bytes: drop_trunc",
	  { TO_BE, C6, TCP(51903, 8) }, IPIP6, { CUT(93) }, DROP(TRUNC) },
	{ "4in6, inner header cut at 19 bytes: drop_trunc",
	  { TO_BE, C4, TCP(51904, 8) }, IPIP6, { CUT(73) }, DROP(TRUNC) },
	{ "6in4, inner header cut at 39 bytes: drop_trunc",
	  { TO_BE, C6, TCP(51905, 8) }, IPIP4, { CUT(73), FIT }, DROP(TRUNC) },
	{ "4in4, nothing behind the outer header: drop_trunc",
	  { TO_BE, C4, TCP(51906, 8) }, IPIP4, { CUT(34), FIT }, DROP(TRUNC) },
	{ "GRE over v4, GRE header cut at 2 bytes: drop_trunc",
	  { TO_BE, C4, TCP(51907, 8) }, GRE4, { CUT(36) }, DROP(TRUNC) },
	{ "GRE over v6, GRE header cut at 3 bytes: drop_trunc",
	  { TO_BE, C6, TCP(51908, 8) }, GRE6, { CUT(57), FIT }, DROP(TRUNC) },
	{ "GRE over v4, inner header cut at 19 bytes: drop_trunc",
	  { TO_BE, C4, TCP(51909, 8) }, GRE4, { CUT(57) }, DROP(TRUNC) },
	{ "GRE with a key, cut in the key: drop_trunc (outer length says more)",
	  { TO_BE, C4, TCP(51910, 8) },
	  GRE_TO(LB4, ME4, .gre_flags = 0x2000, .gre_key = 5), { CUT(40) },
	  DROP(TRUNC) },
	{ "outer IPv4 header cut at 19 bytes: pass_not_encap, untouched",
	  { TO_BE, C4, TCP(51911, 8) }, IPIP4, { CUT(33) }, PASS(NOT_ENCAP) },
	{ "outer IPv6 header cut at 39 bytes: pass_not_encap",
	  { TO_BE, C6, TCP(51912, 8) }, IPIP6, { CUT(53) }, PASS(NOT_ENCAP) },
	/* outer headers the kernel would refuse are left to it, untouched */
	{ "outer IPv4 with version nibble 6: pass_not_encap",
	  { TO_BE, C4, TCP(51920, 8) }, IPIP4,
	  { { MUT_SET8, BASE_L3, 0, 0x65 }, { MUT_IP4_CSUM, BASE_L3, 0, 0 } },
	  PASS(NOT_ENCAP) },
	{ "outer IPv4 with a bad header checksum: pass_not_encap",
	  { TO_BE, C4, TCP(51921, 8) }, IPIP4, { { MUT_XOR8, BASE_L3, 10, 0x01 } },
	  PASS(NOT_ENCAP) },
	{ "outer IPv4 tot_len 19 (shorter than its header): pass_not_encap",
	  { TO_BE, C4, TCP(51922, 8) }, IPIP4,
	  { { MUT_SET16, BASE_L3, 2, 19 }, { MUT_IP4_CSUM, BASE_L3, 0, 0 } },
	  PASS(NOT_ENCAP) },
	{ "outer IPv6 with version nibble 4: pass_not_encap",
	  { TO_BE, C6, TCP(51923, 8) }, IPIP6, { { MUT_SET8, BASE_L3, 0, 0x40 } },
	  PASS(NOT_ENCAP) },
	{ "the Ethernet header alone (IPv4 ethertype): pass_not_encap",
	  { TO_BE, C4, TCP(51913, 8) }, IPIP4, { CUT(14) }, PASS(NOT_ENCAP) },
	{ "tagged, the tag cut at 2 bytes: pass_not_encap",
	  { TO_BE_V(11), C4, TCP(51914, 8) }, IPIP4, { CUT(16) },
	  PASS(NOT_ENCAP) },

	/* 802.1Q: the tag stays, with the inner family's ethertype in it */
	{ "vlan 11 (pcp 5, dei 1), 4in4: decapsulated, tag kept (0x0800)",
	  { TO_BE_V(11), .pcp = 5, .dei = 1, C4, TCP(52001, 8) }, IPIP4, {},
	  DECAP(IPIP) },
	{ "vlan 11, 6in4: tag kept, 0x86dd in it",
	  { TO_BE_V(11), C6, TCP(52002, 8) }, IPIP4, {}, DECAP(IPIP) },
	{ "vlan 4094, 4in6: tag kept, 0x0800 in it",
	  { TO_BE_V(4094), .pcp = 7, C4, TCP(52003, 8) }, IPIP6, {},
	  DECAP(IPIP) },
	{ "vlan 11, GRE over v6, inner v6: tag kept",
	  { TO_BE_V(11), .pcp = 2, C6, TCP(52004, 8) }, GRE6, {}, DECAP(GRE) },
	{ "priority tag (vid 0, pcp 3), GRE over v4: tag kept",
	  { TO_BE_V(0), .pcp = 3, C4, TCP(52005, 8) }, GRE4, {}, DECAP(GRE) },
	{ "vlan 11 behind 32 bytes of metadata, 6in6: tag and metadata kept",
	  { TO_BE_V(11), C6, TCP(52006, 8) }, IPIP6, {}, .meta = 32,
	  DECAP(IPIP) },
	{ "vlan 11, 4in4 not ours: pass_not_local, untouched",
	  { TO_BE_V(11), C4, TCP(52007, 8) }, IPIP_TO(LB4, OTHER4), {},
	  PASS(NOT_LOCAL) },
	{ "vlan 11, GRE with a key: pass_gre_options",
	  { TO_BE_V(11), C4, TCP(52008, 8) },
	  GRE_TO(LB4, ME4, .gre_flags = 0x2000, .gre_key = 3), {},
	  PASS(GRE_OPTIONS) },
	{ "vlan 11, inner cut: drop_trunc",
	  { TO_BE_V(11), C4, TCP(52009, 8) }, IPIP4, { CUT(48) }, DROP(TRUNC) },
	{ "vlan 11, proto 4 with a v6 packet: drop_bad_inner",
	  { TO_BE_V(11), C6, TCP(52010, 8) }, IPIP4,
	  { { MUT_SET8, BASE_L3, 9, 4 }, CSUM }, DROP(BAD_INNER) },
	{ "802.1ad tag (0x88a8) over 4in4: pass_not_encap (802.1Q only)",
	  { TO_BE_V(11), C4, TCP(52011, 8) }, IPIP4,
	  { { MUT_SET16, BASE_L2, 12, 0x88a8 } }, PASS(NOT_ENCAP) },
	{ "802.1Q tag naming 0x8100 again (QinQ): pass_not_encap",
	  { TO_BE_V(11), C4, TCP(52012, 8) }, IPIP4,
	  { { MUT_SET16, BASE_L2, 16, 0x8100 } }, PASS(NOT_ENCAP) },
};
const size_t decap_n_fixtures =
	sizeof(decap_fixtures) / sizeof(decap_fixtures[0]);

/* ---- truncation sweeps --------------------------------------------------- */

#define B(x) SLUICE_##x

const struct decap_sweep decap_sweeps[] = {
	/* 14 + 20 + 48.  A frame shorter than the outer header's length is
	 * truncated: dropped, whatever part of the inner packet is left. */
	{ "decap: cut 4in4/tcp", { TO_BE, C4, TCP(53001, 8) }, IPIP4, 0, 83,
	  { { 14, DX_EINVAL }, { 34, B(PASS_NOT_ENCAP) }, { 82, B(DROP_TRUNC) },
	    { 83, B(DECAP_IPIP) } } },
	/* 14 + 20 + 48 (v6/udp, no payload) */
	{ "decap: cut 6in4/udp", { TO_BE, C6, UDP(53002, 0) }, IPIP4, 14, 83,
	  { { 34, B(PASS_NOT_ENCAP) }, { 82, B(DROP_TRUNC) },
	    { 83, B(DECAP_IPIP) } } },
	/* 14 + 40 + 28 */
	{ "decap: cut 4in6/udp", { TO_BE, C4, UDP(53003, 0) }, IPIP6, 14, 83,
	  { { 54, B(PASS_NOT_ENCAP) }, { 82, B(DROP_TRUNC) },
	    { 83, B(DECAP_IPIP) } } },
	/* 14 + 20 + 4 + 28 */
	{ "decap: cut GRE over v4, inner v4/udp", { TO_BE, C4, UDP(53004, 0) },
	  GRE4, 14, 67,
	  { { 34, B(PASS_NOT_ENCAP) }, { 66, B(DROP_TRUNC) },
	    { 67, B(DECAP_GRE) } } },
	/* 18 + 40 + 4 + 48 */
	{ "decap: cut tagged GRE over v6, inner v6/udp",
	  { TO_BE_V(11), .pcp = 6, C6, UDP(53005, 0) }, GRE6, 14, 111,
	  { { 18, B(PASS_NOT_ENCAP) }, { 58, B(PASS_NOT_ENCAP) },
	    { 110, B(DROP_TRUNC) }, { 111, B(DECAP_GRE) } } },
};
const size_t decap_n_sweeps = sizeof(decap_sweeps) / sizeof(decap_sweeps[0]);
