// SPDX-License-Identifier: BSD-2-Clause
/*
 * The fixture tables of the BPF tier.  A row is a frame, the verdict, the one
 * counter that must move, and (for forwards) the L2 the frame must leave
 * with; the runner rebuilds the expected bytes from that independently.
 *
 * Addresses: 198.18.0.0/15 and 2001:db8::/32 only, plus the link-local and
 * multicast ranges where a row is about them.  MACs are locally administered.
 *
 *   ingress hosts  198.18.0.0/24   2001:db8::/64     on P0 (and VLANs 10, 20)
 *   next hops      198.18.1.0/24   2001:db8:1::/64   on P1 (and VLAN 30)
 *                  198.18.2.0/24   2001:db8:2::/64   on P2 (MTU 1280)
 *   remote         198.19.0.0/16   2001:db8:1xx::/48 (one /24 or /48 a case)
 */
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include "fixtures.h"
#include "names.h"

/* ---- topology ------------------------------------------------------------- */

const struct topo_iface topo_ifaces[] = {
	{ IFX_P0, MAC_P0, 1500, 1, .port = true },
	{ IFX_P1, MAC_P1, 1500, 2, .port = true },
	{ IFX_P2, MAC_P2, 1280, 3, .port = true },
	{ IFX_AUX, MAC_AUX, 1500, 4, .port = false },
	{ IFX_V10, MAC_V10, 1500, 5, .parent = IFX_P0, .vid = 10 },
	{ IFX_V20, MAC_V20, 1500, 6, .parent = IFX_P0, .vid = 20 },
	{ IFX_V30, MAC_V30, 1500, 7, .parent = IFX_P1, .vid = 30 },
};
const size_t topo_n_ifaces = sizeof(topo_ifaces) / sizeof(topo_ifaces[0]);

const struct topo_nhg topo_nhgs[] = {
	{ 1, { { IFX_P1, "198.18.1.254" } } },
	{ 2, { { IFX_P1, "198.18.1.254" }, { IFX_P2, "198.18.2.254" } } },
	{ 3, { { IFX_P2, "198.18.2.254" } } },
	{ 4, { { IFX_P1, NULL } } },			/* connected */
	{ 5, { { IFX_P1, "198.18.1.253" } } },		/* no neighbour */
	{ 6, { { IFX_EXT, "198.18.3.254" } } },		/* unmanaged port */
	{ 7, { { IFX_AUX, "198.18.4.254" } } },		/* not in tx_ports */
	{ 8, { { IFX_P0, "198.18.0.254" } } },		/* back out of P0 */
	{ 10, { { IFX_V30, "198.18.30.254" } } },
	{ 11, { { IFX_V20, "198.18.20.254" } } },
	{ 12, { { IFX_P1, "198.18.1.254" }, { IFX_P2, "198.18.2.254" },
		{ IFX_P0, "198.18.0.254" } } },
	{ 21, { { IFX_P1, "2001:db8:1::fe" } } },
	{ 22, { { IFX_P1, "2001:db8:1::fe" }, { IFX_P2, "2001:db8:2::fe" } } },
	{ 23, { { IFX_P1, "2001:db8:1::fd" } } },	/* no neighbour */
	{ 24, { { IFX_P1, NULL } } },			/* connected */
	{ 25, { { IFX_P0, "2001:db8::fe" } } },
	{ 26, { { IFX_P2, "2001:db8:2::fe" } } },
};
const size_t topo_n_nhgs = sizeof(topo_nhgs) / sizeof(topo_nhgs[0]);

const struct topo_route topo_routes[] = {
	{ "198.18.0.1/32", SLUICE_RT_LOCAL, 0 },
	{ "198.18.1.0/24", SLUICE_RT_FORWARD, 4 },
	{ "198.19.0.0/16", SLUICE_RT_FORWARD, 3 },
	{ "198.19.0.0/24", SLUICE_RT_FORWARD, 1 },
	{ "198.19.1.0/24", SLUICE_RT_FORWARD, 2 },
	{ "198.19.2.0/24", SLUICE_RT_FORWARD, 5 },
	{ "198.19.3.0/24", SLUICE_RT_FORWARD, 6 },
	{ "198.19.4.0/24", SLUICE_RT_FORWARD, 7 },
	{ "198.19.5.0/24", SLUICE_RT_FORWARD, 8 },
	{ "198.19.8.0/24", SLUICE_RT_FORWARD, 10 },
	{ "198.19.9.0/24", SLUICE_RT_FORWARD, 11 },
	{ "198.19.10.0/24", SLUICE_RT_FORWARD, 12 },
	{ "198.19.11.0/24", SLUICE_RT_FORWARD, 99 },	/* group missing */
	{ "198.19.250.0/24", SLUICE_RT_KERNEL, 0 },
	{ "2001:db8::1/128", SLUICE_RT_LOCAL, 0 },
	{ "2001:db8:1::/64", SLUICE_RT_FORWARD, 24 },
	{ "2001:db8:100::/48", SLUICE_RT_FORWARD, 21 },
	{ "2001:db8:100:1::/64", SLUICE_RT_FORWARD, 26 },
	{ "2001:db8:101::/48", SLUICE_RT_FORWARD, 22 },
	{ "2001:db8:102::/48", SLUICE_RT_FORWARD, 3 },	/* v4 next hop */
	{ "2001:db8:103::/48", SLUICE_RT_FORWARD, 23 },
	{ "2001:db8:104::/48", SLUICE_RT_FORWARD, 6 },
	{ "2001:db8:105::/48", SLUICE_RT_FORWARD, 25 },
	{ "2001:db8:106::/48", SLUICE_RT_FORWARD, 26 },
	{ "2001:db8:200::/48", SLUICE_RT_KERNEL, 0 },
};
const size_t topo_n_routes = sizeof(topo_routes) / sizeof(topo_routes[0]);

const struct topo_neigh topo_neighs[] = {
	{ IFX_P1, "198.18.1.254", MAC_GW1 },
	{ IFX_P2, "198.18.2.254", MAC_GW2 },
	{ IFX_P1, "198.18.1.7", MAC_H17 },
	{ IFX_EXT, "198.18.3.254", MAC_GWX },
	{ IFX_AUX, "198.18.4.254", MAC_GWX },
	{ IFX_P0, "198.18.0.254", MAC_GW0 },
	{ IFX_V30, "198.18.30.254", MAC_GW30 },
	{ IFX_V20, "198.18.20.254", MAC_GW20 },
	{ IFX_P1, "2001:db8:1::fe", MAC_GW1 },
	{ IFX_P2, "2001:db8:2::fe", MAC_GW2 },
	{ IFX_P1, "2001:db8:1::7", MAC_H17 },
	{ IFX_P0, "2001:db8::fe", MAC_GW0 },
};
const size_t topo_n_neighs = sizeof(topo_neighs) / sizeof(topo_neighs[0]);

/* ---- row shorthands ------------------------------------------------------- */

#define TO_P0 .dst = MAC_P0, .src = MAC_H0
#define TO_V10 .dst = MAC_V10, .src = MAC_H0, .tagged = 1, .vid = 10
#define IP4(d) .l3 = PKT_L3_IP4, .saddr = H0_4, .daddr = d
#define IP6(d) .l3 = PKT_L3_IP6, .saddr = H0_6, .daddr = d
#define TCP(n) .l4 = IPPROTO_TCP, .sport = 40000, .dport = 443, .payload = n
#define UDP(n) .l4 = IPPROTO_UDP, .sport = 40001, .dport = 53, .payload = n
#define ICMP4(n) .l4 = IPPROTO_ICMP, .sport = 7, .dport = 1, .payload = n
#define ICMP6(n) .l4 = IPPROTO_ICMPV6, .sport = 7, .dport = 1, .payload = n

#define FWD(d, s)                                                              \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_REDIRECT, .routed = true, \
	.out = { .dst = d, .src = s }
#define FWD_TX(d, s)                                                           \
	.verdict = XDP_TX, .reason = SLUICE_FWD_TX, .routed = true,            \
	.out = { .dst = d, .src = s }
#define FWD_TAG(v, r, d, s, id, p, de)                                         \
	.verdict = v, .reason = r, .routed = true,                             \
	.out = { .dst = d, .src = s, .tagged = 1, .vid = id, .pcp = p, .dei = de }
#define PASS(r) .verdict = XDP_PASS, .reason = SLUICE_PASS_##r
#define DROP(r) .verdict = XDP_DROP, .reason = SLUICE_DROP_##r

#define CUT(n) { MUT_CUT, BASE_L2, 0, n }
#define FIT { MUT_IP_LEN_FIT, BASE_L2, 0, 0 }
#define CSUM { MUT_IP4_CSUM, BASE_L2, 0, 0 }
#define SET8(b, o, v) { MUT_SET8, b, o, v }
#define SET16(b, o, v) { MUT_SET16, b, o, v }
#define XOR8(b, o, v) { MUT_XOR8, b, o, v }
#define FWD_CSUM(v) { MUT_IP4_FWD_CSUM, BASE_L2, 0, v }

/* The v4 forward fixture's flow; the cost figure reuses it. */
#define V4_FWD_FLOW IP4("198.19.0.5"), TCP(32)

/* ---- fixtures --------------------------------------------------------------- */

const struct fixture fixtures[] = {
	/* forwards */
	{ "v4 tcp forward via gateway", IFX_P0, { TO_P0, V4_FWD_FLOW },
	  FWD(MAC_GW1, MAC_P1) },
	{ "v4 udp forward via gateway", IFX_P0,
	  { TO_P0, IP4("198.19.0.6"), UDP(24) }, FWD(MAC_GW1, MAC_P1) },
	{ "v4 icmp echo forward via gateway", IFX_P0,
	  { TO_P0, IP4("198.19.0.7"), ICMP4(16) }, FWD(MAC_GW1, MAC_P1) },
	{ "v4 gre (no ports) forward via gateway", IFX_P0,
	  { TO_P0, IP4("198.19.0.8"), .l4 = 47, .payload = 24 },
	  FWD(MAC_GW1, MAC_P1) },
	{ "v4 forward with DF set (not a fragment)", IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), TCP(8), .frag = 0x4000 },
	  FWD(MAC_GW1, MAC_P1) },
	{ "v4 forward, TTL 2 leaves with 1", IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), TCP(8), .ttl = 2 },
	  FWD(MAC_GW1, MAC_P1) },
	{ "v4 forward with 16 bytes of Ethernet padding after tot_len", IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), UDP(2), .eth_pad = 16 },
	  FWD(MAC_GW1, MAC_P1) },
	{ "v4 forward, header checksum becomes 0x0000", IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), UDP(8) }, { FWD_CSUM(0x0000) },
	  FWD(MAC_GW1, MAC_P1) },
	{ "v4 forward, header checksum 0xff05 becomes 0x0006 (carry)", IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), UDP(8) }, { FWD_CSUM(0x0006) },
	  FWD(MAC_GW1, MAC_P1) },
	{ "v4 forward, header checksum was 0x0000", IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), UDP(8) }, { FWD_CSUM(0x0100) },
	  FWD(MAC_GW1, MAC_P1) },
	{ "v4 forward, header checksum was 0xffff (the other zero)", IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), UDP(8) },
	  { FWD_CSUM(0x0100), { MUT_IP4_CSUM_NEG0, BASE_L2, 0, 0 } },
	  FWD(MAC_GW1, MAC_P1) },
	{ "v6 tcp forward via gateway", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), TCP(32) }, FWD(MAC_GW1, MAC_P1) },
	{ "v6 udp forward via gateway", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::6"), UDP(24) }, FWD(MAC_GW1, MAC_P1) },
	{ "v6 icmpv6 echo forward via gateway", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::7"), ICMP6(16) }, FWD(MAC_GW1, MAC_P1) },
	{ "v6 forward, hop limit 2 leaves with 1", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), TCP(8), .ttl = 2 },
	  FWD(MAC_GW1, MAC_P1) },
	{ "v6 icmpv6 type 132 is not ND: forwards", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), ICMP6(8), .icmp_type = 132 },
	  FWD(MAC_GW1, MAC_P1) },
	{ "v6 icmpv6 type 138 is not ND: forwards", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), ICMP6(8), .icmp_type = 138 },
	  FWD(MAC_GW1, MAC_P1) },
	{ "v6 forward through an IPv4 next hop", IFX_P0,
	  { TO_P0, IP6("2001:db8:102::5"), UDP(8) }, FWD(MAC_GW2, MAC_P2) },
	{ "v4 on-link forward: neighbour is the destination", IFX_P0,
	  { TO_P0, IP4("198.18.1.7"), TCP(8) }, FWD(MAC_H17, MAC_P1) },
	{ "v6 on-link forward: neighbour is the destination", IFX_P0,
	  { TO_P0, IP6("2001:db8:1::7"), TCP(8) }, FWD(MAC_H17, MAC_P1) },
	{ "v4 egress == ingress: XDP_TX", IFX_P0,
	  { TO_P0, IP4("198.19.5.5"), UDP(8) }, FWD_TX(MAC_GW0, MAC_P0) },
	{ "v6 egress == ingress: XDP_TX", IFX_P0,
	  { TO_P0, IP6("2001:db8:105::5"), UDP(8) }, FWD_TX(MAC_GW0, MAC_P0) },
	{ "lpm v4: the /24 beats the /16", IFX_P0,
	  { TO_P0, IP4("198.19.0.77"), TCP(8) }, FWD(MAC_GW1, MAC_P1) },
	{ "lpm v4: outside the /24 the /16 applies", IFX_P0,
	  { TO_P0, IP4("198.19.77.5"), TCP(8) }, FWD(MAC_GW2, MAC_P2) },
	{ "lpm v6: the /64 beats the /48", IFX_P0,
	  { TO_P0, IP6("2001:db8:100:1::5"), TCP(8) }, FWD(MAC_GW2, MAC_P2) },
	{ "lpm v6: outside the /64 the /48 applies", IFX_P0,
	  { TO_P0, IP6("2001:db8:100:2::5"), TCP(8) }, FWD(MAC_GW1, MAC_P1) },
	{ "v4 tot_len == egress mtu (1280) forwards", IFX_P0,
	  { TO_P0, IP4("198.19.6.5"), UDP(1252) }, FWD(MAC_GW2, MAC_P2) },
	{ "v6 length == egress mtu (1280) forwards", IFX_P0,
	  { TO_P0, IP6("2001:db8:106::5"), UDP(1232) }, FWD(MAC_GW2, MAC_P2) },

	/* VLANs */
	{ "vlan: tagged in, untagged out (tag popped)", IFX_P0,
	  { TO_V10, .pcp = 5, IP4("198.19.0.5"), TCP(16) },
	  FWD(MAC_GW1, MAC_P1) },
	{ "vlan: tagged v6 in, untagged out (tag popped)", IFX_P0,
	  { TO_V10, IP6("2001:db8:100::5"), UDP(16) }, FWD(MAC_GW1, MAC_P1) },
	{ "vlan: untagged in, tagged out (pushed, pcp 0)", IFX_P0,
	  { TO_P0, IP4("198.19.8.5"), TCP(16) },
	  FWD_TAG(XDP_REDIRECT, SLUICE_FWD_REDIRECT, MAC_GW30, MAC_V30, 30, 0,
		  0) },
	{ "vlan: tagged in, other vid out (pcp kept)", IFX_P0,
	  { TO_V10, .pcp = 5, IP4("198.19.8.5"), UDP(16) },
	  FWD_TAG(XDP_REDIRECT, SLUICE_FWD_REDIRECT, MAC_GW30, MAC_V30, 30, 5,
		  0) },
	{ "vlan: retag on the same port is XDP_TX (pcp, dei kept)", IFX_P0,
	  { TO_V10, .pcp = 3, .dei = 1, IP4("198.19.9.5"), UDP(16) },
	  FWD_TAG(XDP_TX, SLUICE_FWD_TX, MAC_GW20, MAC_V20, 20, 3, 1) },
	{ "vlan: tagged in, popped and sent back out of the parent", IFX_P0,
	  { TO_V10, IP4("198.19.5.5"), UDP(16) }, FWD_TX(MAC_GW0, MAC_P0) },

	/* passes */
	{ "pass_not_ip: unicast ARP reply", IFX_P0,
	  { TO_P0, .l3 = PKT_L3_ARP, .saddr = H0_4, .daddr = "198.18.0.1",
	    .eth_pad = 18 }, PASS(NOT_IP) },
	{ "pass_not_ip: unknown ethertype 0x88b5", IFX_P0,
	  { TO_P0, .l3 = PKT_L3_RAW, .payload = 46 }, PASS(NOT_IP) },
	{ "pass_not_ip: ARP on vlan 10", IFX_P0,
	  { TO_V10, .l3 = PKT_L3_ARP, .saddr = H0_4, .daddr = "198.18.0.1",
	    .eth_pad = 18 }, PASS(NOT_IP) },
	{ "pass_nd: router solicitation (133)", IFX_P0,
	  { TO_P0, IP6("2001:db8::1"), ICMP6(0), .icmp_type = 133, .ttl = 255 },
	  PASS(ND) },
	{ "pass_nd: router advertisement (134)", IFX_P0,
	  { TO_P0, IP6("2001:db8::1"), ICMP6(8), .icmp_type = 134, .ttl = 255 },
	  PASS(ND) },
	{ "pass_nd: neighbour solicitation (135)", IFX_P0,
	  { TO_P0, IP6("2001:db8::1"), ICMP6(16), .icmp_type = 135,
	    .ttl = 255 }, PASS(ND) },
	{ "pass_nd: neighbour advertisement (136)", IFX_P0,
	  { TO_P0, IP6("2001:db8::1"), ICMP6(16), .icmp_type = 136,
	    .ttl = 255 }, PASS(ND) },
	{ "pass_nd: redirect (137), even to a routed address", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), ICMP6(32), .icmp_type = 137,
	    .ttl = 255 }, PASS(ND) },
	{ "pass_unmanaged_if: ingress lo is not in ifaces", IFX_LO,
	  { TO_P0, V4_FWD_FLOW }, PASS(UNMANAGED_IF) },
	{ "pass_unmanaged_if: checked before the frame is parsed", IFX_LO,
	  { TO_P0, V4_FWD_FLOW }, { CUT(20) }, PASS(UNMANAGED_IF) },
	{ "pass_vlan_unknown: vid 99", IFX_P0,
	  { .dst = MAC_P0, .src = MAC_H0, .tagged = 1, .vid = 99,
	    V4_FWD_FLOW }, PASS(VLAN_UNKNOWN) },
	{ "pass_vlan_unknown: vid 10 on the wrong port", IFX_P1,
	  { TO_V10, V4_FWD_FLOW }, PASS(VLAN_UNKNOWN) },
	{ "pass_vlan_unknown: priority tag (vid 0)", IFX_P0,
	  { .dst = MAC_P0, .src = MAC_H0, .tagged = 1, .pcp = 6,
	    V4_FWD_FLOW }, PASS(VLAN_UNKNOWN) },
	{ "pass_other_host: another unicast MAC", IFX_P0,
	  { .dst = MAC_OTHER, .src = MAC_H0, V4_FWD_FLOW }, PASS(OTHER_HOST) },
	{ "pass_other_host: vlan 10 frame to the port's MAC", IFX_P0,
	  { .dst = MAC_P0, .src = MAC_H0, .tagged = 1, .vid = 10,
	    V4_FWD_FLOW }, PASS(OTHER_HOST) },
	{ "pass_multicast: L2 broadcast", IFX_P0,
	  { .dst = MAC_BCAST, .src = MAC_H0, IP4("198.18.0.255"), UDP(8) },
	  PASS(MULTICAST) },
	{ "pass_multicast: broadcast ARP (group bit before ethertype)", IFX_P0,
	  { .dst = MAC_BCAST, .src = MAC_H0, .l3 = PKT_L3_ARP, .saddr = H0_4,
	    .daddr = "198.18.0.1", .eth_pad = 18 }, PASS(MULTICAST) },
	{ "pass_multicast: v4 224.0.0.5 to a multicast MAC", IFX_P0,
	  { .dst = MAC_MC4, .src = MAC_H0, IP4("224.0.0.5"), .l4 = 89,
	    .payload = 40, .ttl = 1 }, PASS(MULTICAST) },
	{ "pass_multicast: v4 224.0.0.5 to our unicast MAC", IFX_P0,
	  { TO_P0, IP4("224.0.0.5"), UDP(8) }, PASS(MULTICAST) },
	{ "pass_multicast: v4 239.1.2.3 to our unicast MAC", IFX_P0,
	  { TO_P0, IP4("239.1.2.3"), UDP(8) }, PASS(MULTICAST) },
	{ "pass_multicast: v4 255.255.255.255 to our unicast MAC", IFX_P0,
	  { TO_P0, IP4("255.255.255.255"), UDP(8) }, PASS(MULTICAST) },
	{ "pass_multicast: v6 ff02::1 to a multicast MAC", IFX_P0,
	  { .dst = MAC_MC6, .src = MAC_H0, IP6("ff02::1"), UDP(8) },
	  PASS(MULTICAST) },
	{ "pass_multicast: v6 ff02::1 to our unicast MAC", IFX_P0,
	  { TO_P0, IP6("ff02::1"), UDP(8) }, PASS(MULTICAST) },
	{ "pass_multicast: v6 ff05::2 to our unicast MAC", IFX_P0,
	  { TO_P0, IP6("ff05::2"), UDP(8) }, PASS(MULTICAST) },
	{ "pass_link_local: v4 to 169.254.7.7", IFX_P0,
	  { TO_P0, IP4("169.254.7.7"), UDP(8) }, PASS(LINK_LOCAL) },
	{ "pass_link_local: v4 from 169.254.7.7", IFX_P0,
	  { TO_P0, .l3 = PKT_L3_IP4, .saddr = "169.254.7.7",
	    .daddr = "198.19.0.5", UDP(8) }, PASS(LINK_LOCAL) },
	{ "pass_link_local: v6 to fe80::7", IFX_P0,
	  { TO_P0, IP6("fe80::7"), UDP(8) }, PASS(LINK_LOCAL) },
	{ "pass_link_local: v6 to febf::1 (end of fe80::/10)", IFX_P0,
	  { TO_P0, IP6("febf::1"), UDP(8) }, PASS(LINK_LOCAL) },
	{ "pass_link_local: v6 from fe80::2", IFX_P0,
	  { TO_P0, .l3 = PKT_L3_IP6, .saddr = "fe80::2",
	    .daddr = "2001:db8:100::5", UDP(8) }, PASS(LINK_LOCAL) },
	{ "pass_ip_options: v4 router alert (ihl 6)", IFX_P0,
	  { TO_P0, V4_FWD_FLOW, .ip_opts = 1 }, PASS(IP_OPTIONS) },
	{ "pass_ip_options: v4 ihl 15", IFX_P0,
	  { TO_P0, V4_FWD_FLOW, .ip_opts = 10 }, PASS(IP_OPTIONS) },
	{ "pass_ip_options: v6 hop-by-hop header", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), UDP(8), .ext = PKT_EXT_HBH },
	  PASS(IP_OPTIONS) },
	{ "pass_fragment: v4 first fragment (MF)", IFX_P0,
	  { TO_P0, V4_FWD_FLOW, .frag = 0x2000 }, PASS(FRAGMENT) },
	{ "pass_fragment: v4 last fragment (offset 185)", IFX_P0,
	  { TO_P0, V4_FWD_FLOW, .frag = 185 }, PASS(FRAGMENT) },
	{ "pass_fragment: v4 middle fragment (MF, offset 1)", IFX_P0,
	  { TO_P0, V4_FWD_FLOW, .frag = 0x2001 }, PASS(FRAGMENT) },
	{ "pass_fragment: v6 fragment header", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), UDP(8), .ext = PKT_EXT_FRAG },
	  PASS(FRAGMENT) },
	{ "pass_local: v4 to our address", IFX_P0,
	  { TO_P0, IP4("198.18.0.1"), TCP(8) }, PASS(LOCAL) },
	{ "pass_local: v4 to our address with TTL 1", IFX_P0,
	  { TO_P0, IP4("198.18.0.1"), TCP(8), .ttl = 1 }, PASS(LOCAL) },
	{ "pass_local: v6 to our address", IFX_P0,
	  { TO_P0, IP6("2001:db8::1"), TCP(8) }, PASS(LOCAL) },
	{ "pass_no_route: v4", IFX_P0,
	  { TO_P0, IP4("198.18.99.1"), TCP(8) }, PASS(NO_ROUTE) },
	{ "pass_no_route: v6", IFX_P0,
	  { TO_P0, IP6("2001:db8:999::1"), TCP(8) }, PASS(NO_ROUTE) },
	{ "pass_no_route: v4 route to a missing next-hop group", IFX_P0,
	  { TO_P0, IP4("198.19.11.5"), TCP(8) }, PASS(NO_ROUTE) },
	{ "pass_kernel_route: v4", IFX_P0,
	  { TO_P0, IP4("198.19.250.5"), TCP(8) }, PASS(KERNEL_ROUTE) },
	{ "pass_kernel_route: v6", IFX_P0,
	  { TO_P0, IP6("2001:db8:200::5"), TCP(8) }, PASS(KERNEL_ROUTE) },
	{ "pass_ttl: v4 ttl 1", IFX_P0,
	  { TO_P0, V4_FWD_FLOW, .ttl = 1 }, PASS(TTL) },
	{ "pass_ttl: v4 ttl 0", IFX_P0,
	  { TO_P0, V4_FWD_FLOW, .ttl = TTL_ZERO }, PASS(TTL) },
	{ "pass_ttl: v4 on-link ttl 1", IFX_P0,
	  { TO_P0, IP4("198.18.1.7"), TCP(8), .ttl = 1 }, PASS(TTL) },
	{ "pass_ttl: v6 hop limit 1", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), TCP(8), .ttl = 1 }, PASS(TTL) },
	{ "pass_ttl: v6 hop limit 0", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), TCP(8), .ttl = TTL_ZERO },
	  PASS(TTL) },
	{ "pass_no_neigh: v4 gateway unresolved", IFX_P0,
	  { TO_P0, IP4("198.19.2.5"), TCP(8) }, PASS(NO_NEIGH) },
	{ "pass_no_neigh: v4 on-link host unresolved", IFX_P0,
	  { TO_P0, IP4("198.18.1.8"), TCP(8) }, PASS(NO_NEIGH) },
	{ "pass_no_neigh: v6 gateway unresolved", IFX_P0,
	  { TO_P0, IP6("2001:db8:103::5"), TCP(8) }, PASS(NO_NEIGH) },
	{ "pass_no_neigh: v6 on-link host unresolved", IFX_P0,
	  { TO_P0, IP6("2001:db8:1::8"), TCP(8) }, PASS(NO_NEIGH) },
	{ "pass_egress_unmanaged: v4", IFX_P0,
	  { TO_P0, IP4("198.19.3.5"), TCP(8) }, PASS(EGRESS_UNMANAGED) },
	{ "pass_egress_unmanaged: v6 (v4 next hop)", IFX_P0,
	  { TO_P0, IP6("2001:db8:104::5"), TCP(8) }, PASS(EGRESS_UNMANAGED) },
	{ "pass_mtu: v4 tot_len = egress mtu + 1", IFX_P0,
	  { TO_P0, IP4("198.19.6.5"), UDP(1253) }, PASS(MTU) },
	{ "pass_mtu: v6 length = egress mtu + 1", IFX_P0,
	  { TO_P0, IP6("2001:db8:106::5"), UDP(1233) }, PASS(MTU) },

	/* drops */
	/* drop_trunc_eth cannot be reached: test_run refuses any frame
	 * shorter than ETH_HLEN, even behind metadata (Linux 6.18). */
	{ "test_run refuses a 13-byte frame (EINVAL), nothing counted",
	  IFX_P0, { TO_P0, V4_FWD_FLOW }, { CUT(13) }, .run_err = -EINVAL },
	{ "test_run refuses 13 bytes behind 4 bytes of metadata too", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { CUT(13) }, .meta = 4, .run_err = -EINVAL },
	{ "test_run refuses an empty frame behind 32 bytes of metadata", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { CUT(0) }, .meta = 32, .run_err = -EINVAL },
	{ "14 bytes behind 4 bytes of metadata: metadata comes back", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { CUT(14) }, .meta = 4, DROP(TRUNC_IP4) },
	{ "drop_trunc_vlan: tagged frame cut at 16", IFX_P0,
	  { TO_V10, V4_FWD_FLOW }, { CUT(16) }, DROP(TRUNC_VLAN) },
	{ "drop_trunc_ip4: cut at 33", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { CUT(33) }, DROP(TRUNC_IP4) },
	{ "drop_trunc_ip6: cut at 53", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), TCP(8) }, { CUT(53) },
	  DROP(TRUNC_IP6) },
	{ "drop_trunc_l4: v4 tcp header of 10 bytes, tot_len agrees", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { CUT(44), FIT }, DROP(TRUNC_L4) },
	{ "drop_trunc_l4: v4 tot_len leaves 10 bytes for tcp", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { SET16(BASE_L3, 2, 30), CSUM },
	  DROP(TRUNC_L4) },
	{ "drop_trunc_l4: v4 udp header of 4 bytes, tot_len agrees", IFX_P0,
	  { TO_P0, IP4("198.19.0.6"), UDP(8) }, { CUT(38), FIT },
	  DROP(TRUNC_L4) },
	{ "drop_trunc_l4: v6 tcp header of 10 bytes", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), TCP(8) }, { CUT(64), FIT },
	  DROP(TRUNC_L4) },
	{ "drop_trunc_l4: v6 udp header of 4 bytes", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), UDP(8) }, { CUT(58), FIT },
	  DROP(TRUNC_L4) },
	{ "drop_trunc_l4: v6 icmpv6 header of 4 bytes", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), ICMP6(8) }, { CUT(58), FIT },
	  DROP(TRUNC_L4) },
	{ "drop_bad_version: v6 packet with the IPv4 ethertype", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), TCP(8), .ethertype = 0x0800 },
	  DROP(BAD_VERSION) },
	{ "drop_bad_version: v4 packet with the IPv6 ethertype", IFX_P0,
	  { TO_P0, V4_FWD_FLOW, .ethertype = 0x86dd }, DROP(BAD_VERSION) },
	{ "drop_bad_version: v4 version 5", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { SET8(BASE_L3, 0, 0x55), CSUM },
	  DROP(BAD_VERSION) },
	{ "drop_bad_ihl: ihl 4", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { SET8(BASE_L3, 0, 0x44) }, DROP(BAD_IHL) },
	{ "drop_bad_ihl: ihl 0", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { SET8(BASE_L3, 0, 0x40) }, DROP(BAD_IHL) },
	{ "drop_bad_len: tot_len one more than the frame holds", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { SET16(BASE_L3, 2, 73), CSUM },
	  DROP(BAD_LEN) },
	{ "drop_bad_len: tot_len 19, below the header", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { SET16(BASE_L3, 2, 19), CSUM },
	  DROP(BAD_LEN) },
	{ "drop_bad_len: tot_len 22 with ihl 6", IFX_P0,
	  { TO_P0, V4_FWD_FLOW, .ip_opts = 1 }, { SET16(BASE_L3, 2, 22), CSUM },
	  DROP(BAD_LEN) },
	{ "drop_bad_len: v6 payload_len one more than the frame holds",
	  IFX_P0, { TO_P0, IP6("2001:db8:100::5"), TCP(32) },
	  { SET16(BASE_L3, 4, 53) }, DROP(BAD_LEN) },
	{ "drop_bad_csum: one checksum bit flipped", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { XOR8(BASE_L3, 11, 0x01) }, DROP(BAD_CSUM) },
	{ "drop_bad_csum: TTL changed, checksum not", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, { SET8(BASE_L3, 8, 63) }, DROP(BAD_CSUM) },
	{ "drop_redirect: egress in ifaces but not in tx_ports", IFX_P0,
	  { TO_P0, IP4("198.19.4.5"), TCP(8) },
	  .verdict = XDP_DROP, .reason = SLUICE_DROP_REDIRECT, .routed = true,
	  .out = { .dst = MAC_GWX, .src = MAC_AUX } },
};
const size_t n_fixtures = sizeof(fixtures) / sizeof(fixtures[0]);

/* ---- ECMP ------------------------------------------------------------------ */

#define MEMB(d, s) { { .dst = d, .src = s }, XDP_REDIRECT, SLUICE_FWD_REDIRECT }
#define MEMB_TX(d, s) { { .dst = d, .src = s }, XDP_TX, SLUICE_FWD_TX }
#define GROUP2 2, { MEMB(MAC_GW1, MAC_P1), MEMB(MAC_GW2, MAC_P2) }

const struct ecmp_fixture ecmp_fixtures[] = {
	{ "ecmp v4 tcp: one flow 20 times, always its member", IFX_P0,
	  { TO_P0, IP4("198.19.1.5"), TCP(16) }, 1, 20, GROUP2, false },
	{ "ecmp v4 tcp: 64 flows (source port) use both members", IFX_P0,
	  { TO_P0, IP4("198.19.1.5"), TCP(16) }, 64, 1, GROUP2, true },
	{ "ecmp v4 udp: 64 flows use both members", IFX_P0,
	  { TO_P0, IP4("198.19.1.9"), UDP(16) }, 64, 1, GROUP2, true },
	{ "ecmp v4 icmp (no ports): 20 runs, always its member", IFX_P0,
	  { TO_P0, IP4("198.19.1.5"), ICMP4(16) }, 1, 20, GROUP2, false },
	{ "ecmp v6 tcp: one flow 20 times, always its member", IFX_P0,
	  { TO_P0, IP6("2001:db8:101::5"), TCP(16) }, 1, 20, GROUP2, false },
	{ "ecmp v6 udp: 64 flows use both members", IFX_P0,
	  { TO_P0, IP6("2001:db8:101::5"), UDP(16) }, 64, 1, GROUP2, true },
	{ "ecmp v4 three members, one the ingress (XDP_TX): 64 flows", IFX_P0,
	  { TO_P0, IP4("198.19.10.5"), TCP(16) }, 64, 1, 3,
	  { MEMB(MAC_GW1, MAC_P1), MEMB(MAC_GW2, MAC_P2),
	    MEMB_TX(MAC_GW0, MAC_P0) }, true },
};
const size_t n_ecmp_fixtures = sizeof(ecmp_fixtures) / sizeof(ecmp_fixtures[0]);

/* ---- truncation sweeps ------------------------------------------------------ */

#define R(x) SLUICE_DROP_##x

const struct sweep_fixture sweep_fixtures[] = {
	{ "cut v4/tcp", IFX_P0, { TO_P0, V4_FWD_FLOW }, 0, false, 0, 54,
	  { { 14, SWEEP_EINVAL }, { 34, R(TRUNC_IP4) }, { 54, R(BAD_LEN) } } },
	{ "cut v4/tcp behind 32 bytes of metadata", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, 32, false, 0, 54,
	  { { 14, SWEEP_EINVAL }, { 34, R(TRUNC_IP4) }, { 54, R(BAD_LEN) } } },
	{ "cut v4/tcp, tot_len follows the cut", IFX_P0,
	  { TO_P0, V4_FWD_FLOW }, 0, true, 34, 54, { { 54, R(TRUNC_L4) } } },
	{ "cut v6/udp", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), UDP(16) }, 0, false, 0, 62,
	  { { 14, SWEEP_EINVAL }, { 54, R(TRUNC_IP6) }, { 62, R(BAD_LEN) } } },
	{ "cut v6/udp behind 32 bytes of metadata", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), UDP(16) }, 32, false, 0, 62,
	  { { 14, SWEEP_EINVAL }, { 54, R(TRUNC_IP6) }, { 62, R(BAD_LEN) } } },
	{ "cut v6/udp, payload_len follows the cut", IFX_P0,
	  { TO_P0, IP6("2001:db8:100::5"), UDP(16) }, 0, true, 54, 62,
	  { { 62, R(TRUNC_L4) } } },
	{ "cut tagged v4/udp", IFX_P0,
	  { TO_V10, IP4("198.19.0.5"), UDP(16) }, 0, false, 14, 46,
	  { { 18, R(TRUNC_VLAN) }, { 38, R(TRUNC_IP4) }, { 46, R(BAD_LEN) } } },
	{ "cut tagged v6/tcp, payload_len follows the cut", IFX_P0,
	  { TO_V10, IP6("2001:db8:100::5"), TCP(16) }, 0, true, 58, 78,
	  { { 78, R(TRUNC_L4) } } },
};
const size_t n_sweep_fixtures = sizeof(sweep_fixtures) / sizeof(sweep_fixtures[0]);

/* ---- cost figure ------------------------------------------------------------ */

const struct fixture perf_fixture = {
	"perf: v4 forward, TTL 255, repeated on one buffer", IFX_AUX,
	{ .dst = MAC_AUX, .src = MAC_H0, V4_FWD_FLOW, .ttl = 255 },
	FWD(MAC_GW1, MAC_P1)
};
