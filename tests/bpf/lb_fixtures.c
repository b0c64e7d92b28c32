// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's fixture tables.  They sit on the router's topology
 * (fixtures.c): backends are reached through its routes and neighbours,
 * VIPs live in 198.19.0.0/24 and 2001:db8:100::/48, which the router
 * forwards to GW1 on P1, so traffic to a VIP address that is not a VIP
 * shows up as an ordinary forward.
 *
 *   clients    H0 (198.18.0.2, 2001:db8::2) on P0, a source port a flow
 *   VIPs       198.19.0.100-.119, 2001:db8:100::100-::116
 *   backends   198.19.0.11-.15 and 2001:db8:100::21-::23 via GW1 on P1,
 *              the rest one each where a row needs a particular path
 *   outer src  198.18.200.0/24, 2001:db8:5:6:7:8::/96
 *
 * Rows run in order and some depend on the rows before (flow entries,
 * moved slots); each scenario uses source ports of its own.
 */
#include <linux/bpf.h>
#include <netinet/in.h>
#include "lb_fixtures.h"
#include "names.h"

/* The bytes the data path must replace (src4[3], src6[12..15]) are set to
 * something else than 0 on purpose. */
const struct sluice_lb_config lb_config_def = {
	.src4 = { 198, 18, 200, 0x63 },
	.src6 = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x05, 0x00, 0x06, 0x00, 0x07,
		  0x00, 0x08, 0xde, 0xad, 0xbe, 0xef },
	.have_src4 = 1,
	.have_src6 = 1,
};

/* ---- backends ----------------------------------------------------------- */

#define VIA_GW1 { .dst = MAC_GW1, .src = MAC_P1 }
#define VIA_GW0 { .dst = MAC_GW0, .src = MAC_P0 }
#define VIA_GW2 { .dst = MAC_GW2, .src = MAC_P2 }
#define VIA_V30 { .dst = MAC_GW30, .src = MAC_V30, .tagged = 1, .vid = 30 }
#define VIA_AUX { .dst = MAC_GWX, .src = MAC_AUX }
#define NOWHERE { .dst = { 0 } }

const struct lb_backend_def lb_backends[] = {
	{ 1, "198.19.0.11", .out = VIA_GW1 },
	{ 2, "198.19.0.12", .out = VIA_GW1 },
	{ 3, "198.19.0.13", .out = VIA_GW1 },
	{ 4, "198.19.0.14", .out = VIA_GW1 },
	{ 5, "198.19.0.15", .out = VIA_GW1 },
	{ 6, "198.19.5.6", .out = VIA_GW0 },		/* back out of P0: XDP_TX */
	{ 7, "198.19.8.7", .out = VIA_V30 },		/* VLAN 30 on P1 */
	{ 8, "198.19.6.8", .out = VIA_GW2 },		/* P2, MTU 1280 */
	{ 9, "198.18.77.9", .out = NOWHERE },		/* no route */
	{ 10, "198.19.2.10", .out = NOWHERE },		/* gateway unresolved */
	{ 11, "198.19.250.11", .out = NOWHERE },	/* kernel route */
	{ 12, "198.19.3.12", .out = NOWHERE },		/* egress not managed */
	{ 13, "198.19.4.13", .out = VIA_AUX },		/* egress not in tx_ports */
	{ 14, "198.18.0.1", .out = NOWHERE },		/* our own address */
	/* a two-member group: P1 or P2 by flow hash */
	{ 15, "198.19.1.15", .out = VIA_GW1, .ecmp2 = true, .out2 = VIA_GW2 },
	{ 21, "2001:db8:100::21", .out = VIA_GW1 },
	{ 22, "2001:db8:100::22", .out = VIA_GW1 },
	{ 23, "2001:db8:100::23", .out = VIA_GW1 },
	{ 24, "2001:db8:106::24", .out = VIA_GW2 },	/* P2, MTU 1280 */
	{ 25, "2001:db8:103::25", .out = NOWHERE },	/* gateway unresolved */
	{ 26, "2001:db8:999::26", .out = NOWHERE },	/* no route */
	{ 27, "2001:db8:105::27", .out = VIA_GW0 },	/* back out of P0 */
	{ 28, "2001:db8:102::28", .out = VIA_GW2 },	/* v6 route, v4 gateway */
};
const size_t lb_n_backends = sizeof(lb_backends) / sizeof(lb_backends[0]);

/* ---- VIPs ----------------------------------------------------------------- */

#define TCP_VIP IPPROTO_TCP
#define UDP_VIP IPPROTO_UDP
#define GRE SLUICE_VIP_GRE
#define BY_SRC SLUICE_VIP_HASH_SRC

const struct lb_vip_def lb_vips[] = {
	{ 1, "198.19.0.100", TCP_VIP, 80, 0, 65537, .be = { 1, 2, 3 } },
	{ 2, "2001:db8:100::100", TCP_VIP, 80, 0, 4099, .be = { 21, 22, 23 } },
	{ 3, "198.19.0.101", TCP_VIP, 80, 0, 1009, .be = { 21, 22 } },
	{ 4, "2001:db8:100::101", TCP_VIP, 80, 0, 1009, .be = { 1, 2 } },
	{ 5, "198.19.0.102", TCP_VIP, 80, GRE, 251, .be = { 1, 2, 3 } },
	{ 6, "2001:db8:100::102", TCP_VIP, 80, GRE, 251, .be = { 21, 22, 23 } },
	{ 7, "2001:db8:100::103", TCP_VIP, 80, GRE, 251, .be = { 1, 2 } },
	{ 8, "198.19.0.100", UDP_VIP, 53, 0, 1009, .be = { 1, 2, 3 } },
	{ 9, "2001:db8:100::100", UDP_VIP, 53, 0, 1009, .be = { 21, 22, 23 } },
	{ 10, "198.19.0.103", TCP_VIP, 0, 0, 251, .be = { 4 } },
	{ 11, "198.19.0.103", TCP_VIP, 443, 0, 251, .be = { 5 } },
	{ 12, "198.19.0.104", TCP_VIP, 80, 0, 251, .be = { 6 } },
	{ 13, "2001:db8:100::104", TCP_VIP, 80, 0, 251, .be = { 27 } },
	{ 14, "198.19.0.105", TCP_VIP, 80, 0, 251, .be = { 7 } },
	{ 15, "198.19.0.106", TCP_VIP, 0, BY_SRC, 1009,
	  .be = { 1, 2, 3, 4, 5 } },
	{ 16, "198.19.0.107", TCP_VIP, 80, 0, 251, .be = { 0 } }, /* all 0 */
	{ 17, "198.19.0.108", TCP_VIP, 80, 0, 251, .no_table = true,
	  .be = { 1 } },
	{ 18, "198.19.0.109", TCP_VIP, 80, 0, 251, .be = { 9 } },
	{ 19, "198.19.0.110", TCP_VIP, 80, 0, 251, .be = { 10 } },
	{ 20, "198.19.0.111", TCP_VIP, 80, 0, 251, .be = { 11 } },
	{ 21, "198.19.0.112", TCP_VIP, 80, 0, 251, .be = { 12 } },
	{ 22, "198.19.0.113", TCP_VIP, 80, 0, 251, .be = { 13 } },
	{ 23, "198.19.0.114", TCP_VIP, 80, 0, 251, .be = { 14 } },
	{ 24, "2001:db8:100::109", TCP_VIP, 80, 0, 251, .be = { 26 } },
	{ 25, "2001:db8:100::110", TCP_VIP, 80, 0, 251, .be = { 25 } },
	{ 26, "198.19.0.115", TCP_VIP, 80, 0, 251, .be = { 8 } },
	{ 27, "2001:db8:100::115", TCP_VIP, 80, 0, 251, .be = { 24 } },
	{ 28, "2001:db8:100::116", TCP_VIP, 80, 0, 251, .be = { 28 } },
	{ 29, "198.19.0.117", TCP_VIP, 80, 0, 251, .be = { 15 } },
	{ 30, "198.19.0.118", TCP_VIP, 0, BY_SRC, 251, .be = { 15 } },
	{ 31, "198.19.0.119", TCP_VIP, 80, GRE, 251, .be = { 21, 22 } },
};
const size_t lb_n_vips = sizeof(lb_vips) / sizeof(lb_vips[0]);

/* ---- row shorthands -------------------------------------------------------- */

#define VIP1 "198.19.0.100"
#define VIP1_6 "2001:db8:100::100"

#define TO_P0 .dst = MAC_P0, .src = MAC_H0
#define TO_V10 .dst = MAC_V10, .src = MAC_H0, .tagged = 1, .vid = 10
#define C4(d) .l3 = PKT_L3_IP4, .saddr = H0_4, .daddr = d
#define C6(d) .l3 = PKT_L3_IP6, .saddr = H0_6, .daddr = d
#define TCP(sp, dp, n) .l4 = IPPROTO_TCP, .sport = sp, .dport = dp, .payload = n
#define UDP(sp, dp, n) .l4 = IPPROTO_UDP, .sport = sp, .dport = dp, .payload = n
#define SYN .tcp_flags = 0x02

/* What a backend sends a client (DSR), for ICMP errors to quote. */
#define REPLY4(vip, sp, dp)                                                   \
	(&(const struct pkt_spec){ TO_P0, .l3 = PKT_L3_IP4, .saddr = vip,      \
				   .daddr = H0_4, TCP(sp, dp, 64) })
#define REPLY6(vip, sp, dp)                                                   \
	(&(const struct pkt_spec){ TO_P0, .l3 = PKT_L3_IP6, .saddr = vip,      \
				   .daddr = H0_6, TCP(sp, dp, 64) })
/* An ICMP error from GW0 (a router on the client's side) to a VIP. */
#define ICMP4_ERR(vip, type, code, mtu, q)                                    \
	.l3 = PKT_L3_IP4, .saddr = "198.18.0.254", .daddr = vip,               \
	.l4 = IPPROTO_ICMP, .icmp_type = type, .icmp_code = code, .dport = mtu, \
	.quote = q
#define ICMP6_ERR(vip, type, mtu, q)                                          \
	.l3 = PKT_L3_IP6, .saddr = "2001:db8::fe", .daddr = vip,               \
	.l4 = IPPROTO_ICMPV6, .icmp_type = type, .dport = mtu, .quote = q

#define A(op, ...) { ACT_##op, __VA_ARGS__ }
#define A0(op) { ACT_##op, 0, 0 }

#define LB(v, p, n)                                                            \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_LB, .vip = v,            \
	.path = LBP_##p, .out = LBO_ENCAP, .flows = n
#define LB_TX(v, p, n)                                                         \
	.verdict = XDP_TX, .reason = SLUICE_FWD_LB_TX, .vip = v,               \
	.path = LBP_##p, .out = LBO_ENCAP, .flows = n
#define LB_DROP(r, v, p, n)                                                    \
	.verdict = XDP_DROP, .reason = SLUICE_DROP_LB_##r, .vip = v,           \
	.path = LBP_##p, .out = LBO_SAME, .flows = n
#define TOO_BIG(v, m)                                                          \
	.verdict = XDP_TX, .reason = SLUICE_DROP_LB_TOO_BIG, .vip = v,         \
	.path = LBP_NEW, .out = LBO_TOO_BIG, .flows = 1, .mtu = m
#define ROUTED(d, s)                                                           \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_REDIRECT,                \
	.path = LBP_ROUTER, .out = LBO_ROUTED, .routed = { .dst = d, .src = s }
#define NOT_LB(v, r)                                                           \
	.verdict = v, .reason = SLUICE_##r, .path = LBP_ROUTER, .out = LBO_SAME

/* ---- rows --------------------------------------------------------------------- */

const struct lb_fixture lb_fixtures[] = {
	/* encapsulation, one new flow each */
	{ "v4 VIP tcp -> v4 backend: IPIP (proto 4), new flow", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(41001, 80, 32) }, {}, {}, {}, LB(1, NEW, 1) },
	{ "v4 VIP: inner TOS 0xb9 is the outer TOS", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(41002, 80, 32), .tos = 0xb9 }, {}, {}, {},
	  LB(1, NEW, 1) },
	{ "v6 VIP tcp -> v6 backend: IPv6 in IPv6 (nexthdr 41)", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(41003, 80, 32) }, {}, {}, {},
	  LB(2, NEW, 1) },
	{ "v6 VIP: traffic class 0xb9 copied, flow label is the hash's",
	  IFX_P0, { TO_P0, C6(VIP1_6), TCP(41004, 80, 32), .tos = 0xb9,
		    .flow = 0xabcde }, {}, {}, {}, LB(2, NEW, 1) },
	{ "v4 VIP -> v6 backend: 4in6 (nexthdr 4)", IFX_P0,
	  { TO_P0, C4("198.19.0.101"), TCP(41005, 80, 32), .tos = 0x28 }, {},
	  {}, {}, LB(3, NEW, 1) },
	{ "v6 VIP -> v4 backend: 6in4 (proto 41)", IFX_P0,
	  { TO_P0, C6("2001:db8:100::101"), TCP(41006, 80, 32), .tos = 0x28 },
	  {}, {}, {}, LB(4, NEW, 1) },
	{ "v4 VIP, GRE over v4 (proto 47, 0x0800)", IFX_P0,
	  { TO_P0, C4("198.19.0.102"), TCP(41007, 80, 32) }, {}, {}, {},
	  LB(5, NEW, 1) },
	{ "v6 VIP, GRE over v6 (nexthdr 47, 0x86dd)", IFX_P0,
	  { TO_P0, C6("2001:db8:100::102"), TCP(41008, 80, 32) }, {}, {}, {},
	  LB(6, NEW, 1) },
	{ "v6 VIP, GRE over v4 (proto 47, 0x86dd)", IFX_P0,
	  { TO_P0, C6("2001:db8:100::103"), TCP(41009, 80, 32) }, {}, {}, {},
	  LB(7, NEW, 1) },
	{ "v4 udp VIP", IFX_P0,
	  { TO_P0, C4(VIP1), UDP(41010, 53, 24) }, {}, {}, {}, LB(8, NEW, 1) },
	{ "v6 udp VIP", IFX_P0,
	  { TO_P0, C6(VIP1_6), UDP(41011, 53, 24) }, {}, {}, {},
	  LB(9, NEW, 1) },
	{ "v4 udp VIP: Ethernet padding after the packet stays behind it",
	  IFX_P0, { TO_P0, C4(VIP1), UDP(41012, 53, 2), .eth_pad = 16 }, {},
	  {}, {}, LB(8, NEW, 1) },
	{ "port-0 VIP takes port 80", IFX_P0,
	  { TO_P0, C4("198.19.0.103"), TCP(41013, 80, 8) }, {}, {}, {},
	  LB(10, NEW, 1) },
	{ "port-0 VIP takes port 8080", IFX_P0,
	  { TO_P0, C4("198.19.0.103"), TCP(41014, 8080, 8) }, {}, {}, {},
	  LB(10, NEW, 1) },
	{ "a port-443 VIP on the same address wins over port 0", IFX_P0,
	  { TO_P0, C4("198.19.0.103"), TCP(41015, 443, 8) }, {}, {}, {},
	  LB(11, NEW, 1) },
	{ "egress == ingress: XDP_TX, fwd_lb_tx", IFX_P0,
	  { TO_P0, C4("198.19.0.104"), TCP(41016, 80, 8) }, {}, {}, {},
	  LB_TX(12, NEW, 1) },
	{ "v6 egress == ingress: XDP_TX, fwd_lb_tx", IFX_P0,
	  { TO_P0, C6("2001:db8:100::104"), TCP(41017, 80, 8) }, {}, {}, {},
	  LB_TX(13, NEW, 1) },
	{ "vlan 10 in (pcp 5), untagged out: tag popped", IFX_P0,
	  { TO_V10, .pcp = 5, C4(VIP1), TCP(41018, 80, 16) }, {}, {}, {},
	  LB(1, NEW, 1) },
	{ "vlan 10 in, v6 VIP, untagged out", IFX_P0,
	  { TO_V10, C6(VIP1_6), TCP(41019, 80, 16) }, {}, {}, {},
	  LB(2, NEW, 1) },
	{ "untagged in, backend behind vlan 30: tag pushed (pcp 0)", IFX_P0,
	  { TO_P0, C4("198.19.0.105"), TCP(41020, 80, 16) }, {}, {}, {},
	  LB(14, NEW, 1) },
	{ "vlan 10 in (pcp 3, dei 1), backend behind vlan 30: retagged",
	  IFX_P0, { TO_V10, .pcp = 3, .dei = 1, C4("198.19.0.105"),
		    TCP(41021, 80, 16) }, {}, {}, {}, LB(14, NEW, 1) },
	{ "v4 VIP, GRE over v6 (nexthdr 47, 0x0800)", IFX_P0,
	  { TO_P0, C4("198.19.0.119"), TCP(41025, 80, 32) }, {}, {}, {},
	  LB(31, NEW, 1) },
	{ "smallest v4 udp packet (28 bytes) to a VIP", IFX_P0,
	  { TO_P0, C4(VIP1), UDP(41026, 53, 0) }, {}, {}, {}, LB(8, NEW, 1) },
	{ "smallest v6 udp packet (48 bytes) to a VIP", IFX_P0,
	  { TO_P0, C6(VIP1_6), UDP(41027, 53, 0) }, {}, {}, {},
	  LB(9, NEW, 1) },
	{ "vlan 10 in, backend back out of P0: popped, XDP_TX", IFX_P0,
	  { TO_V10, .pcp = 1, C4("198.19.0.104"), TCP(41028, 80, 8) }, {}, {},
	  {}, LB_TX(12, NEW, 1) },
	{ "32 bytes of metadata stay in front of the outer frame", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(41029, 80, 8) }, {}, {}, {}, LB(1, NEW, 1),
	  .meta = 32 },
	/* backend 15 sits behind a two-member group: the outer packet's
	 * member is the flow hash's; these ports put flows on both */
	{ "ecmp to the backend: member 1 (P2) for this flow", IFX_P0,
	  { TO_P0, C4("198.19.0.117"), TCP(41030, 80, 8) }, {}, {}, {},
	  LB(29, NEW, 1) },
	{ "ecmp to the backend: member 0 (P1) for this flow", IFX_P0,
	  { TO_P0, C4("198.19.0.117"), TCP(41031, 80, 8) }, {}, {}, {},
	  LB(29, NEW, 1) },
	{ "ecmp to the backend: member 0 again", IFX_P0,
	  { TO_P0, C4("198.19.0.117"), TCP(41032, 80, 8) }, {}, {}, {},
	  LB(29, NEW, 1) },
	{ "ecmp to the backend: member 1 again", IFX_P0,
	  { TO_P0, C4("198.19.0.117"), TCP(41033, 80, 8) }, {}, {}, {},
	  LB(29, NEW, 1) },
	{ "ecmp, hash by source: 198.18.0.2 takes member 0", IFX_P0,
	  { TO_P0, C4("198.19.0.118"), TCP(41034, 80, 8) }, {}, {}, {},
	  LB(30, NEW, 1) },
	{ "ecmp, hash by source: 198.18.0.4 takes member 1", IFX_P0,
	  { TO_P0, .l3 = PKT_L3_IP4, .saddr = "198.18.0.4",
	    .daddr = "198.19.0.118", TCP(41035, 80, 8) }, {}, {}, {},
	  LB(30, NEW, 1) },
	{ "v6 backend whose route has a v4 gateway (P2)", IFX_P0,
	  { TO_P0, C6("2001:db8:100::116"), TCP(41022, 80, 16) }, {}, {}, {},
	  LB(28, NEW, 1) },
	{ "inner TTL 1: balanced, not decremented (not the router's)", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(41023, 80, 16), .ttl = 1 }, {}, {}, {},
	  LB(1, NEW, 1) },
	{ "inner hop limit 1: balanced, not decremented", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(41024, 80, 16), .ttl = 1 }, {}, {}, {},
	  LB(2, NEW, 1) },

	/* the flow table */
	{ "flow: first ACK of an unknown flow: Maglev, new entry", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(42001, 80, 16) }, {}, {}, {},
	  LB(1, NEW, 1) },
	{ "flow: the same flow again: a hit", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(42001, 80, 16) }, {}, {}, {},
	  LB(1, HIT, 0) },
	{ "flow: its slot moved to another backend: still a hit (sticks)",
	  IFX_P0, { TO_P0, C4(VIP1), TCP(42001, 80, 16) }, {},
	  { A0(RING_MOVE) }, {}, LB(1, HIT, 0) },
	{ "flow: a SYN of the flow is picked by Maglev again", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(42001, 80, 16), SYN }, {}, {}, {},
	  LB(1, NEW, 0) },
	{ "flow: the ACKs after that SYN follow the new pick", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(42001, 80, 16) }, {}, {}, {},
	  LB(1, HIT, 0) },
	{ "flow: its backend DOWN: rehashed to the table's choice", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(42001, 80, 16) }, {},
	  { A0(RING_MOVE), A0(ENTRY_BE_DOWN) }, { A0(BE_RESTORE) },
	  LB(1, NEW, 0) },
	{ "flow: its backend deleted (family 0): rehashed", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(42001, 80, 16) }, {},
	  { A0(RING_MOVE), A0(ENTRY_BE_DEL) }, { A0(BE_RESTORE) },
	  LB(1, NEW, 0) },
	{ "flow: backend DOWN and its slot names it: drop_lb_no_backend",
	  IFX_P0, { TO_P0, C4(VIP1), TCP(42001, 80, 16) }, {},
	  { A0(SLOT_BE_DOWN) }, { A0(BE_RESTORE) },
	  LB_DROP(NO_BACKEND, 1, NONE, 0) },
	{ "flow: an entry of VIP 5 for the same 5-tuple is not VIP 1's",
	  IFX_P0, { TO_P0, C4(VIP1), TCP(42001, 80, 16) }, {},
	  { A(FLOW_PUT, 5, 0) }, {}, LB(1, NEW, 0) },
	{ "flow: idle timeout 1 s, entry fresh: a hit", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(42001, 80, 16) }, {}, { A(IDLE, 1, 0) }, {},
	  LB(1, HIT, 0) },
	{ "flow: idle timeout 1 s, entry an hour old: a miss, Maglev again",
	  IFX_P0, { TO_P0, C4(VIP1), TCP(42001, 80, 16) }, {},
	  { A0(RING_MOVE), A(FLOW_AGE, 3600000, 0) }, {}, LB(1, NEW, 0),
	  .seen = SEEN_NOW },
	{ "flow: idle timeout 1 s, entry 500 ms old: a hit, not restamped",
	  IFX_P0, { TO_P0, C4(VIP1), TCP(42001, 80, 16) }, {},
	  { A(FLOW_AGE, 500, 0) }, {}, LB(1, HIT, 0), .seen = SEEN_KEPT },
	{ "flow: no idle timeout, entry an hour old: a hit, restamped", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(42001, 80, 16) }, {},
	  { A(IDLE, 0, 0), A0(RING_MOVE), A(FLOW_AGE, 3600000, 0) },
	  { A0(RING_RESET) }, LB(1, HIT, 0), .seen = SEEN_NOW },
	{ "flow: a SYN of an unknown flow: Maglev, new entry", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(42002, 80, 0), SYN }, {}, {}, {},
	  LB(1, NEW, 1) },
	{ "flow: udp, first packet: new entry", IFX_P0,
	  { TO_P0, C4(VIP1), UDP(42003, 53, 8) }, {}, {}, {}, LB(8, NEW, 1) },
	{ "flow: udp, its slot moved: still a hit", IFX_P0,
	  { TO_P0, C4(VIP1), UDP(42003, 53, 8) }, {}, { A0(RING_MOVE) },
	  { A0(RING_RESET) }, LB(8, HIT, 0) },
	{ "flow: v6, first ACK: new entry", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(42004, 80, 8) }, {}, {}, {},
	  LB(2, NEW, 1) },
	{ "flow: v6, its slot moved: still a hit", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(42004, 80, 8) }, {}, { A0(RING_MOVE) }, {},
	  LB(2, HIT, 0) },
	{ "flow: v6, a SYN: Maglev again", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(42004, 80, 8), SYN }, {}, {},
	  { A0(RING_RESET) }, LB(2, NEW, 0) },

	/* hash by source: the ports do not matter (see same_be) */
	{ "hash by source: a first flow", IFX_P0,
	  { TO_P0, C4("198.19.0.106"), TCP(43001, 80, 8) }, {}, {}, {},
	  LB(15, NEW, 1) },
	{ "hash by source: another source port, same backend", IFX_P0,
	  { TO_P0, C4("198.19.0.106"), TCP(43003, 80, 8) }, {}, {}, {},
	  LB(15, NEW, 1), .same_be = true },
	{ "hash by source: another port pair again, same backend", IFX_P0,
	  { TO_P0, C4("198.19.0.106"), TCP(43002, 8080, 8) }, {}, {}, {},
	  LB(15, NEW, 1), .same_be = true },

	/* drops */
	{ "drop_lb_no_backend: a VIP with every slot 0", IFX_P0,
	  { TO_P0, C4("198.19.0.107"), TCP(44001, 80, 8) }, {}, {}, {},
	  LB_DROP(NO_BACKEND, 16, NONE, 0) },
	{ "drop_lb_no_backend: a VIP with no table installed", IFX_P0,
	  { TO_P0, C4("198.19.0.108"), TCP(44002, 80, 8) }, {}, {}, {},
	  LB_DROP(NO_BACKEND, 17, NONE, 0) },
	{ "drop_lb_no_backend: the flow's slot is 0", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(44003, 80, 8), SYN }, {}, { A0(RING_ZERO) },
	  { A0(RING_RESET) }, LB_DROP(NO_BACKEND, 1, NONE, 0) },
	{ "drop_lb_no_source: no v4 outer source (the pick is kept)", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(44004, 80, 8) }, {}, { A(SRC, 0, 1) },
	  { A(SRC, 1, 1) }, LB_DROP(NO_SOURCE, 1, NEW, 1) },
	{ "drop_lb_no_source: v4 VIP, v6 backends, no v6 source", IFX_P0,
	  { TO_P0, C4("198.19.0.101"), TCP(44005, 80, 8) }, {},
	  { A(SRC, 1, 0) }, { A(SRC, 1, 1) }, LB_DROP(NO_SOURCE, 3, NEW, 1) },
	{ "drop_lb_no_source: v6 VIP, no v6 source", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(44006, 80, 8) }, {}, { A(SRC, 1, 0) },
	  { A(SRC, 1, 1) }, LB_DROP(NO_SOURCE, 2, NEW, 1) },
	{ "drop_lb_no_source: v6 VIP, v4 backends, no v4 source", IFX_P0,
	  { TO_P0, C6("2001:db8:100::101"), TCP(44007, 80, 8) }, {},
	  { A(SRC, 0, 1) }, { A(SRC, 1, 1) }, LB_DROP(NO_SOURCE, 4, NEW, 1) },
	{ "drop_lb_no_source: no source at all; the flow's entry still hits",
	  IFX_P0,
	  { TO_P0, C4(VIP1), TCP(44004, 80, 8) }, {}, { A(SRC, 0, 0) },
	  { A(SRC, 1, 1) }, LB_DROP(NO_SOURCE, 1, HIT, 0) },
	{ "drop_lb_no_route: backend without a route", IFX_P0,
	  { TO_P0, C4("198.19.0.109"), TCP(44008, 80, 8) }, {}, {}, {},
	  LB_DROP(NO_ROUTE, 18, NEW, 1) },
	{ "drop_lb_no_route: backend's gateway has no neighbour", IFX_P0,
	  { TO_P0, C4("198.19.0.110"), TCP(44009, 80, 8) }, {}, {}, {},
	  LB_DROP(NO_ROUTE, 19, NEW, 1) },
	{ "drop_lb_no_route: backend behind a kernel route", IFX_P0,
	  { TO_P0, C4("198.19.0.111"), TCP(44010, 80, 8) }, {}, {}, {},
	  LB_DROP(NO_ROUTE, 20, NEW, 1) },
	{ "drop_lb_no_route: backend behind an unmanaged egress", IFX_P0,
	  { TO_P0, C4("198.19.0.112"), TCP(44011, 80, 8) }, {}, {}, {},
	  LB_DROP(NO_ROUTE, 21, NEW, 1) },
	{ "drop_lb_no_route: backend is one of our addresses", IFX_P0,
	  { TO_P0, C4("198.19.0.114"), TCP(44012, 80, 8) }, {}, {}, {},
	  LB_DROP(NO_ROUTE, 23, NEW, 1) },
	{ "drop_lb_no_route: v6 backend without a route", IFX_P0,
	  { TO_P0, C6("2001:db8:100::109"), TCP(44013, 80, 8) }, {}, {}, {},
	  LB_DROP(NO_ROUTE, 24, NEW, 1) },
	{ "drop_lb_no_route: v6 backend's gateway has no neighbour", IFX_P0,
	  { TO_P0, C6("2001:db8:100::110"), TCP(44014, 80, 8) }, {}, {}, {},
	  LB_DROP(NO_ROUTE, 25, NEW, 1) },
	{ "drop_redirect: egress not in tx_ports (after encapsulation)",
	  IFX_P0, { TO_P0, C4("198.19.0.113"), TCP(44015, 80, 8) }, {}, {}, {},
	  .verdict = XDP_DROP, .reason = SLUICE_DROP_REDIRECT, .vip = 22,
	  .path = LBP_NEW, .out = LBO_ENCAP, .flows = 1 },

	/* too big: ICMP back to the client from the VIP */
	{ "too big: v4 via P2 (1280), IPIP: frag needed, MTU 1260", IFX_P0,
	  { TO_P0, C4("198.19.0.115"), TCP(45001, 80, 1221) }, {}, {}, {},
	  TOO_BIG(26, 1260) },
	{ "too big: v4 outer exactly 1280 on P2 fits", IFX_P0,
	  { TO_P0, C4("198.19.0.115"), TCP(45002, 80, 1220) }, {}, {}, {},
	  LB(26, NEW, 1) },
	{ "too big: v4 via P1 (1500), IPIP: MTU 1480", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(45003, 80, 1441) }, {}, {}, {},
	  TOO_BIG(1, 1480) },
	{ "too big: v4 outer exactly 1500 on P1 fits", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(45004, 80, 1440) }, {}, {}, {},
	  LB(1, NEW, 1) },
	{ "too big: v4 udp via P1: MTU 1480", IFX_P0,
	  { TO_P0, C4(VIP1), UDP(45005, 53, 1453) }, {}, {}, {},
	  TOO_BIG(8, 1480) },
	{ "too big: v4 GRE (24 bytes): MTU 1476", IFX_P0,
	  { TO_P0, C4("198.19.0.102"), TCP(45006, 80, 1437) }, {}, {}, {},
	  TOO_BIG(5, 1476) },
	{ "too big: v4 GRE outer exactly 1500 fits", IFX_P0,
	  { TO_P0, C4("198.19.0.102"), TCP(45007, 80, 1436) }, {}, {}, {},
	  LB(5, NEW, 1) },
	{ "too big: 4in6 (40 bytes): MTU 1460", IFX_P0,
	  { TO_P0, C4("198.19.0.101"), TCP(45008, 80, 1421) }, {}, {}, {},
	  TOO_BIG(3, 1460) },
	{ "too big: behind 16 bytes of metadata, which stay", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(45016, 80, 1441) }, {}, {}, {},
	  TOO_BIG(1, 1480), .meta = 16 },
	{ "too big: on vlan 10 the answer goes back tagged", IFX_P0,
	  { TO_V10, .pcp = 2, C4(VIP1), TCP(45009, 80, 1441) }, {}, {}, {},
	  TOO_BIG(1, 1480) },
	{ "too big: v6 via P1: packet too big, MTU 1460", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(45010, 80, 1401) }, {}, {}, {},
	  TOO_BIG(2, 1460) },
	{ "too big: v6 outer exactly 1500 on P1 fits", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(45011, 80, 1400) }, {}, {}, {},
	  LB(2, NEW, 1) },
	{ "too big: v6 via P2: MTU 1240 clamped to 1280", IFX_P0,
	  { TO_P0, C6("2001:db8:100::115"), TCP(45012, 80, 1181) }, {}, {}, {},
	  TOO_BIG(27, 1280) },
	{ "too big: v6 outer exactly 1280 on P2 fits", IFX_P0,
	  { TO_P0, C6("2001:db8:100::115"), TCP(45013, 80, 1180) }, {}, {}, {},
	  LB(27, NEW, 1) },
	{ "too big: 6in4 (20 bytes) via P1: MTU 1480", IFX_P0,
	  { TO_P0, C6("2001:db8:100::101"), TCP(45014, 80, 1421) }, {}, {}, {},
	  TOO_BIG(4, 1480) },
	{ "too big: v6 udp via P1: MTU 1460", IFX_P0,
	  { TO_P0, C6(VIP1_6), UDP(45015, 53, 1413) }, {}, {}, {},
	  TOO_BIG(9, 1460) },

	/* ICMP errors about VIP -> client packets go to the flow's backend */
	{ "icmp: the client's flow", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(46001, 80, 8) }, {}, {}, {}, LB(1, NEW, 1) },
	{ "icmp: frag needed about it, its slot moved: to the entry's backend",
	  IFX_P0, { TO_P0, ICMP4_ERR(VIP1, 3, 4, 1400,
				     REPLY4(VIP1, 80, 46001)) }, {},
	  { A0(RING_MOVE) }, {}, LB(1, HIT, 0) },
	{ "icmp: time exceeded about it: to the entry's backend", IFX_P0,
	  { TO_P0, ICMP4_ERR(VIP1, 11, 0, 0, REPLY4(VIP1, 80, 46001)) }, {},
	  {}, { A0(RING_RESET) }, LB(1, HIT, 0) },
	{ "icmp: frag needed about a flow without entry: Maglev, none made",
	  IFX_P0, { TO_P0, ICMP4_ERR(VIP1, 3, 4, 1400,
				     REPLY4(VIP1, 80, 46002)) }, {}, {}, {},
	  LB(1, NEW, 0) },
	{ "icmp: port unreachable about a udp VIP flow", IFX_P0,
	  { TO_P0, ICMP4_ERR(VIP1, 3, 3, 0,
			     (&(const struct pkt_spec){
				     TO_P0, .l3 = PKT_L3_IP4, .saddr = VIP1,
				     .daddr = H0_4, UDP(53, 46003, 32) })) },
	  {}, {}, {}, LB(8, NEW, 0) },
	{ "icmp: v6 client flow", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(46004, 80, 8) }, {}, {}, {},
	  LB(2, NEW, 1) },
	{ "icmp: v6 packet too big about it, its slot moved: entry's backend",
	  IFX_P0, { TO_P0, ICMP6_ERR(VIP1_6, 2, 1400,
				     REPLY6(VIP1_6, 80, 46004)) }, {},
	  { A0(RING_MOVE) }, { A0(RING_RESET) }, LB(2, HIT, 0) },
	{ "icmp: v6 destination unreachable, no entry: Maglev", IFX_P0,
	  { TO_P0, ICMP6_ERR(VIP1_6, 1, 0, REPLY6(VIP1_6, 80, 46005)) }, {},
	  {}, {}, LB(2, NEW, 0) },
	{ "icmp: an error too big to encapsulate is dropped, not answered",
	  IFX_P0, { TO_P0, ICMP4_ERR("198.19.0.115", 3, 4, 1400,
				     (&(const struct pkt_spec){
					     TO_P0, .l3 = PKT_L3_IP4,
					     .saddr = "198.19.0.115",
					     .daddr = H0_4,
					     TCP(80, 46006, 1400) })),
		    .quote_len = 1233 }, {}, {}, {},
	  .verdict = XDP_DROP, .reason = SLUICE_DROP_LB_TOO_BIG, .vip = 26,
	  .path = LBP_NEW, .out = LBO_SAME, .flows = 0 },
	{ "icmp: the same error 1 byte shorter fits", IFX_P0,
	  { TO_P0, ICMP4_ERR("198.19.0.115", 3, 4, 1400,
			     (&(const struct pkt_spec){
				     TO_P0, .l3 = PKT_L3_IP4,
				     .saddr = "198.19.0.115", .daddr = H0_4,
				     TCP(80, 46006, 1400) })),
	    .quote_len = 1232 }, {}, {}, {}, LB(26, NEW, 0) },
	{ "icmp: echo request to a VIP address: routed", IFX_P0,
	  { TO_P0, C4(VIP1), .l4 = IPPROTO_ICMP, .sport = 7, .dport = 1,
	    .payload = 16 }, {}, {}, {}, ROUTED(MAC_GW1, MAC_P1) },
	{ "icmp: v6 echo request to a VIP address: routed", IFX_P0,
	  { TO_P0, C6(VIP1_6), .l4 = IPPROTO_ICMPV6, .sport = 7, .dport = 1,
	    .payload = 16 }, {}, {}, {}, ROUTED(MAC_GW1, MAC_P1) },
	{ "icmp: error quoting a port no VIP has: routed", IFX_P0,
	  { TO_P0, ICMP4_ERR(VIP1, 3, 4, 1400, REPLY4(VIP1, 443, 46007)) }, {},
	  {}, {}, ROUTED(MAC_GW1, MAC_P1) },

	/* not for a VIP: the router's path, as before */
	{ "router: not a VIP (198.19.0.120:80): forwarded, TTL - 1", IFX_P0,
	  { TO_P0, C4("198.19.0.120"), TCP(47001, 80, 8) }, {}, {}, {},
	  ROUTED(MAC_GW1, MAC_P1) },
	{ "router: v6 not a VIP: forwarded, hop limit - 1", IFX_P0,
	  { TO_P0, C6("2001:db8:100::120"), TCP(47002, 80, 8) }, {}, {}, {},
	  ROUTED(MAC_GW1, MAC_P1) },
	{ "router: VIP address, port 443, no port-0 VIP: forwarded", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(47003, 443, 8) }, {}, {}, {},
	  ROUTED(MAC_GW1, MAC_P1) },
	{ "router: v6 VIP address, port 443: forwarded", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(47004, 443, 8) }, {}, {}, {},
	  ROUTED(MAC_GW1, MAC_P1) },
	{ "router: VIP address, udp 80 (the udp VIP is 53): forwarded", IFX_P0,
	  { TO_P0, C4(VIP1), UDP(47005, 80, 8) }, {}, {}, {},
	  ROUTED(MAC_GW1, MAC_P1) },
	{ "router: port-0 tcp VIP address, udp: forwarded", IFX_P0,
	  { TO_P0, C4("198.19.0.103"), UDP(47006, 80, 8) }, {}, {}, {},
	  ROUTED(MAC_GW1, MAC_P1) },
	{ "router: VIP address, GRE (no ports): forwarded", IFX_P0,
	  { TO_P0, C4(VIP1), .l4 = 47, .payload = 24 }, {}, {}, {},
	  ROUTED(MAC_GW1, MAC_P1) },
	{ "router: VIP address with TTL 1 on port 443: pass_ttl", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(47007, 443, 8), .ttl = 1 }, {}, {}, {},
	  NOT_LB(XDP_PASS, PASS_TTL) },

	/* malformed or not ours, to a VIP: the router's reasons, no LB */
	{ "to a VIP, IPv4 checksum wrong: drop_bad_csum", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(48001, 80, 8) },
	  { { MUT_XOR8, BASE_L3, 11, 0x01 } }, {}, {},
	  NOT_LB(XDP_DROP, DROP_BAD_CSUM) },
	{ "to a VIP, tot_len one more than the frame: drop_bad_len", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(48002, 80, 8) },
	  { { MUT_SET16, BASE_L3, 2, 49 }, { MUT_IP4_CSUM, BASE_L2, 0, 0 } },
	  {}, {}, NOT_LB(XDP_DROP, DROP_BAD_LEN) },
	{ "to a VIP, v6 payload_len one more: drop_bad_len", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(48003, 80, 8) },
	  { { MUT_SET16, BASE_L3, 4, 29 } }, {}, {},
	  NOT_LB(XDP_DROP, DROP_BAD_LEN) },
	{ "to a VIP with IPv4 options: pass_ip_options", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(48004, 80, 8), .ip_opts = 1 }, {}, {}, {},
	  NOT_LB(XDP_PASS, PASS_IP_OPTIONS) },
	{ "to a v6 VIP with hop-by-hop: pass_ip_options", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(48005, 80, 8), .ext = PKT_EXT_HBH }, {},
	  {}, {}, NOT_LB(XDP_PASS, PASS_IP_OPTIONS) },
	{ "to a VIP, first fragment: pass_fragment", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(48006, 80, 8), .frag = 0x2000 }, {}, {}, {},
	  NOT_LB(XDP_PASS, PASS_FRAGMENT) },
	{ "to a v6 VIP, fragment header: pass_fragment", IFX_P0,
	  { TO_P0, C6(VIP1_6), TCP(48007, 80, 8), .ext = PKT_EXT_FRAG }, {},
	  {}, {}, NOT_LB(XDP_PASS, PASS_FRAGMENT) },
	{ "to a VIP, tcp header of 10 bytes: drop_trunc_l4", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(48008, 80, 8) },
	  { { MUT_CUT, BASE_L2, 0, 44 }, { MUT_IP_LEN_FIT, BASE_L2, 0, 0 } },
	  {}, {}, NOT_LB(XDP_DROP, DROP_TRUNC_L4) },
	{ "to a VIP, another host's MAC: pass_other_host", IFX_P0,
	  { .dst = MAC_OTHER, .src = MAC_H0, C4(VIP1), TCP(48009, 80, 8) }, {},
	  {}, {}, NOT_LB(XDP_PASS, PASS_OTHER_HOST) },
	{ "to a VIP on an unmanaged port (lo): pass_unmanaged_if", IFX_LO,
	  { TO_P0, C4(VIP1), TCP(48010, 80, 8) }, {}, {}, {},
	  NOT_LB(XDP_PASS, PASS_UNMANAGED_IF) },
};
const size_t lb_n_fixtures = sizeof(lb_fixtures) / sizeof(lb_fixtures[0]);

/* ---- truncation sweeps to VIPs ------------------------------------------------ */

#define R(x) SLUICE_DROP_##x

const struct sweep_fixture lb_sweeps[] = {
	{ "lb: cut v4/tcp to a VIP", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(49001, 80, 32) }, 0, false, 0, 86,
	  { { 14, SWEEP_EINVAL }, { 34, R(TRUNC_IP4) }, { 86, R(BAD_LEN) } } },
	{ "lb: cut v4/tcp to a VIP, tot_len follows the cut", IFX_P0,
	  { TO_P0, C4(VIP1), TCP(49001, 80, 32) }, 0, true, 34, 54,
	  { { 54, R(TRUNC_L4) } } },
	{ "lb: cut tagged v4/tcp to a VIP", IFX_P0,
	  { TO_V10, C4(VIP1), TCP(49002, 80, 32) }, 0, false, 14, 90,
	  { { 18, R(TRUNC_VLAN) }, { 38, R(TRUNC_IP4) }, { 90, R(BAD_LEN) } } },
	{ "lb: cut v6/udp to a VIP", IFX_P0,
	  { TO_P0, C6(VIP1_6), UDP(49003, 53, 16) }, 0, false, 0, 78,
	  { { 14, SWEEP_EINVAL }, { 54, R(TRUNC_IP6) }, { 78, R(BAD_LEN) } } },
	{ "lb: cut v6/udp to a VIP, payload_len follows the cut", IFX_P0,
	  { TO_P0, C6(VIP1_6), UDP(49003, 53, 16) }, 0, true, 54, 62,
	  { { 62, R(TRUNC_L4) } } },
};
const size_t lb_n_sweeps = sizeof(lb_sweeps) / sizeof(lb_sweeps[0]);

/* ---- cost figure ---------------------------------------------------------- */

const struct lb_fixture lb_perf_ack = {
	"perf: v4 VIP, established flow (ACK, flow-table hit)", IFX_P0,
	{ TO_P0, C4(VIP1), TCP(50001, 80, 10) }, {}, {}, {}, LB(1, HIT, 0)
};

const struct lb_fixture lb_perf_syn = {
	"perf: v4 VIP, SYN (Maglev pick, flow entry rewritten)", IFX_P0,
	{ TO_P0, C4(VIP1), TCP(50001, 80, 10), SYN }, {}, {}, {},
	LB(1, NEW, 0)
};
