// SPDX-License-Identifier: BSD-2-Clause
/*
 * Second chance's fixture tables (second_fixtures.h).
 *
 *   this host   198.18.11.2, 2001:db8:11::2 (decapsulates to these), and
 *               198.18.11.3, 2001:db8:11::3
 *   previous    198.18.12.9, 2001:db8:12::9 (the tunnel sent on goes
 *               back to the frame's source MAC: no route is looked up)
 *   client      H0 (198.18.0.2, 2001:db8::2) -> VIP 198.19.0.100 or
 *               2001:db8:100::100 port 80: both on lo, with a listener on
 *               the VIP's port, so that a row can have a connection
 *   LB source   198.18.200.7, 2001:db8:5:6:7:8:dead:beef
 */
#include <linux/bpf.h>
#include <netinet/in.h>
#include "second_fixtures.h"
#include "names.h"

#define MAC_BE MAC(0x0b, 0x02)

#define ME4 "198.18.11.2"
#define ME6 "2001:db8:11::2"
#define ME4B "198.18.11.3" /* this host's other addresses */
#define ME6B "2001:db8:11::3"
#define PREV4 "198.18.12.9"
#define PREV6 "2001:db8:12::9"
#define LB4 "198.18.200.7"
#define LB6 "2001:db8:5:6:7:8:dead:beef"

#define TO_BE .dst = MAC_BE, .src = MAC_P1
#define C4 .l3 = PKT_L3_IP4, .saddr = H0_4, .daddr = "198.19.0.100"
#define C6 .l3 = PKT_L3_IP6, .saddr = H0_6, .daddr = "2001:db8:100::100"
#define TCP(sp, n) .l4 = IPPROTO_TCP, .sport = sp, .dport = 80, .payload = n

#define TUN(k, s, d, ...)                                                      \
	{                                                                      \
		.kind = k, .saddr = s, .daddr = d, __VA_ARGS__                 \
	}
#define NONE                                                                   \
	{                                                                      \
		.kind = DXT_NONE                                               \
	}

#define LOCAL .verdict = XDP_PASS, .reason = SLUICE_DECAP_SECOND_LOCAL
#define SENT_ON                                                                \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_DECAP_SECOND,            \
	.out = SCO_MID
#define TTL_ONE .verdict = XDP_PASS, .reason = SLUICE_DECAP_SECOND_TTL
#define BAD(r) .verdict = XDP_DROP, .reason = SLUICE_DROP_##r, .out = SCO_SAME

const struct second_fixture second_fixtures[] = {
	{ "4in4 in 4in4, a connection here: decap_second_local, delivered",
	  { TO_BE, C4, TCP(52101, 8) },
	  TUN(DXT_IPIP, LB4, PREV4),
	  TUN(DXT_IPIP, LB4, ME4),
	  .sock = SCS_ESTABLISHED,
	  LOCAL,
	  .out = SCO_INNER },
	{ "4in4 in 4in4, no connection (the listener does not count): "
	  "fwd_decap_second, the inner tunnel sent back to the hop, TTL 63",
	  { TO_BE, C4, TCP(52102, 8) },
	  TUN(DXT_IPIP, LB4, PREV4),
	  TUN(DXT_IPIP, LB4, ME4),
	  SENT_ON },
	{ "6in6 in 6in6, a connection here: delivered",
	  { TO_BE, C6, TCP(52103, 8) },
	  TUN(DXT_IPIP, LB6, PREV6),
	  TUN(DXT_IPIP, LB6, ME6),
	  .sock = SCS_ESTABLISHED,
	  LOCAL,
	  .out = SCO_INNER },
	{ "6in6 in 6in6, no connection: sent on, hop limit 63",
	  { TO_BE, C6, TCP(52104, 8) },
	  TUN(DXT_IPIP, LB6, PREV6),
	  TUN(DXT_IPIP, LB6, ME6),
	  SENT_ON },
	{ "v4 in GRE over v6 in GRE over v4, no connection: sent on",
	  { TO_BE, C4, TCP(52105, 8) },
	  TUN(DXT_GRE, LB6, PREV6),
	  TUN(DXT_GRE, LB4, ME4),
	  SENT_ON },
	{ "v6 in GRE over v4 in GRE over v6, a connection here: delivered",
	  { TO_BE, C6, TCP(52106, 8) },
	  TUN(DXT_GRE, LB4, PREV4),
	  TUN(DXT_GRE, LB6, ME6),
	  .sock = SCS_ESTABLISHED,
	  LOCAL,
	  .out = SCO_INNER },
	{ "6in4 in 4in6, no connection, 1400 bytes of payload: sent on",
	  { TO_BE, C6, TCP(52107, 1400) },
	  TUN(DXT_IPIP, LB4, PREV4),
	  TUN(DXT_IPIP, LB6, ME6),
	  SENT_ON },
	{ "a SYN, no connection: delivered here (a new connection is ours)",
	  { TO_BE, C4, TCP(52108, 0), .tcp_flags = 0x02 },
	  TUN(DXT_IPIP, LB4, PREV4),
	  TUN(DXT_IPIP, LB4, ME4),
	  LOCAL,
	  .out = SCO_INNER },
	{ "UDP inside, no socket looked for: delivered here",
	  { TO_BE, C4, .l4 = IPPROTO_UDP, .sport = 52109, .dport = 53,
	    .payload = 8 },
	  TUN(DXT_IPIP, LB4, PREV4),
	  TUN(DXT_IPIP, LB4, ME4),
	  LOCAL,
	  .out = SCO_INNER },
	{ "no connection, the inner tunnel's TTL 1: decap_second_ttl, "
	  "delivered here",
	  { TO_BE, C4, TCP(52112, 8) },
	  TUN(DXT_IPIP, LB4, PREV4),
	  TUN(DXT_IPIP, LB4, ME4),
	  TTL_ONE,
	  .out = SCO_INNER,
	  .imut = { { MUT_SET8, BASE_L3, 8, 1 },
		    { MUT_IP4_CSUM, BASE_L3, 0, 0 } } },
	{ "tagged (vlan 11, pcp 5), no connection: sent back, tag kept",
	  { TO_BE, .tagged = 1, .vid = 11, .pcp = 5, C4, TCP(52113, 8) },
	  TUN(DXT_IPIP, LB4, PREV4),
	  TUN(DXT_IPIP, LB4, ME4),
	  SENT_ON },
	{ "v6 in v6, hop limit 1 inside: decap_second_ttl, delivered here",
	  { TO_BE, C6, TCP(52124, 8) },
	  TUN(DXT_IPIP, LB6, PREV6),
	  TUN(DXT_IPIP, LB6, ME6),
	  TTL_ONE,
	  .out = SCO_INNER,
	  .imut = { { MUT_SET8, BASE_L3, 7, 1 } } },
	{ "4in4 in 4in4, the carried tunnel to this host's other address, no "
	  "connection: both headers go, decap_second_local",
	  { TO_BE, C4, TCP(52125, 8) },
	  TUN(DXT_IPIP, LB4, ME4B),
	  TUN(DXT_IPIP, LB4, ME4),
	  LOCAL,
	  .out = SCO_INNER },
	{ "v6 in GRE over v6 in GRE over v6, the carried tunnel to this "
	  "host's other address: both headers go, decap_second_local",
	  { TO_BE, C6, TCP(52126, 8) },
	  TUN(DXT_GRE, LB6, ME6B),
	  TUN(DXT_GRE, LB6, ME6),
	  LOCAL,
	  .out = SCO_INNER },
	{ "one tunnel only (no alternative), no connection: decap_ipip, "
	  "delivered as before",
	  { TO_BE, C4, TCP(52114, 8) },
	  NONE,
	  TUN(DXT_IPIP, LB4, ME4),
	  .verdict = XDP_PASS,
	  .reason = SLUICE_DECAP_IPIP,
	  .out = SCO_INNER },
	{ "one GRE tunnel only, v6, no connection: decap_gre as before",
	  { TO_BE, C6, TCP(52115, 8) },
	  NONE,
	  TUN(DXT_GRE, LB6, ME6),
	  .verdict = XDP_PASS,
	  .reason = SLUICE_DECAP_GRE,
	  .out = SCO_INNER },
	/* malformed */
	{ "the inner tunnel's IPv4 checksum wrong: drop_second_bad",
	  { TO_BE, C4, TCP(52116, 8) },
	  TUN(DXT_IPIP, LB4, PREV4),
	  TUN(DXT_IPIP, LB4, ME4),
	  BAD(SECOND_BAD),
	  .imut = { { MUT_XOR8, BASE_L3, 10, 0x01 } } },
	{ "the inner tunnel with IPv4 options: drop_second_bad",
	  { TO_BE, C4, TCP(52117, 8) },
	  TUN(DXT_IPIP, LB4, PREV4, .ip_opts = 1),
	  TUN(DXT_IPIP, LB4, ME4),
	  BAD(SECOND_BAD) },
	{ "the inner tunnel a fragment: drop_second_bad",
	  { TO_BE, C4, TCP(52118, 8) },
	  TUN(DXT_IPIP, LB4, PREV4, .frag = 0x2000),
	  TUN(DXT_IPIP, LB4, ME4),
	  BAD(SECOND_BAD) },
	{ "the inner tunnel's GRE with a key: drop_second_bad",
	  { TO_BE, C4, TCP(52119, 8) },
	  TUN(DXT_GRE, LB4, PREV4, .gre_flags = 0x2000, .gre_key = 7),
	  TUN(DXT_IPIP, LB4, ME4),
	  BAD(SECOND_BAD) },
	{ "the inner tunnel's GRE carrying Ethernet: drop_second_bad",
	  { TO_BE, C6, TCP(52120, 8) },
	  TUN(DXT_GRE, LB6, PREV6, .gre_proto = 0x6558),
	  TUN(DXT_IPIP, LB6, ME6),
	  BAD(SECOND_BAD) },
	{ "the inner tunnel longer than the frame: drop_trunc",
	  { TO_BE, C4, TCP(52121, 8) },
	  TUN(DXT_IPIP, LB4, PREV4),
	  TUN(DXT_IPIP, LB4, ME4),
	  { { MUT_CUT, BASE_L2, 0, 90 }, { MUT_IP_LEN_FIT, BASE_L2, 0, 0 } },
	  BAD(TRUNC) },
	{ "v6, the client's TCP header cut (lengths made to fit): drop_trunc",
	  { TO_BE, C6, TCP(52122, 0) },
	  TUN(DXT_IPIP, LB6, PREV6),
	  TUN(DXT_IPIP, LB6, ME6),
	  { { MUT_CUT, BASE_L2, 0, 14 + 40 + 40 + 40 + 10 },
	    { MUT_IP_LEN_FIT, BASE_L2, 0, 0 } },
	  BAD(TRUNC),
	  .imut = { { MUT_CUT, BASE_L2, 0, 14 + 40 + 40 + 10 },
		    { MUT_IP_LEN_FIT, BASE_L2, 0, 0 } } },
	{ "proto 4 inside, a v6 packet behind it: drop_bad_inner",
	  { TO_BE, C6, TCP(52123, 8) },
	  TUN(DXT_IPIP, LB4, PREV4),
	  TUN(DXT_IPIP, LB4, ME4),
	  BAD(BAD_INNER),
	  .imut = { { MUT_SET8, BASE_L3, 9, 4 },
		    { MUT_IP4_CSUM, BASE_L3, 0, 0 } } },
};
const size_t second_n_fixtures =
	sizeof(second_fixtures) / sizeof(second_fixtures[0]);

/* ---- the load balancer's half ------------------------------------------ */

const struct second_vip_def second_vips[] = {
	/* a backend added: some flows move to 3 */
	{ 40, "198.19.0.120", IPPROTO_TCP, 80, 0, 251, .be = { 1, 2, 3 },
	  .prev = { 1, 2 } },
	{ 41, "2001:db8:100::120", IPPROTO_TCP, 80, SLUICE_VIP_GRE, 251,
	  .be = { 21, 22, 23 }, .prev = { 21, 22 } },
	/* v4 backends now, v6 before: the two headers of two families */
	{ 42, "198.19.0.121", IPPROTO_TCP, 80, 0, 251, .be = { 1, 2 },
	  .prev = { 21, 22 } },
	{ 43, "198.19.0.122", IPPROTO_UDP, 53, 0, 251, .be = { 1, 2, 3 },
	  .prev = { 1, 2 } },
	{ 44, "198.19.0.123", IPPROTO_TCP, 80, 0, 251, .be = { 1, 2, 3 },
	  .prev = { 1, 2 } },
};
const size_t second_n_vips = sizeof(second_vips) / sizeof(second_vips[0]);

#define V4 .l3 = PKT_L3_IP4, .l4 = IPPROTO_TCP
#define V6 .l3 = PKT_L3_IP6, .l4 = IPPROTO_TCP
#define CARRIED .reason = SLUICE_FWD_LB_SECOND, .carried = true, .flows = 0
#define PLAIN_NEW .reason = SLUICE_FWD_LB, .carried = false, .flows = 1

const struct second_lb_fixture second_lb_fixtures[] = {
	{ "lb: v4 ACK, backends differ: fwd_lb_second, 4in4 in 4in4, no "
	  "flow entry",
	  40, V4, .payload = 8, .grace = SCG_ON, .want = SCW_DIFFER, CARRIED,
	  .pair = true },
	{ "lb: v4 ACK, backends agree: fwd_lb, one tunnel, entry made", 40, V4,
	  .payload = 8, .grace = SCG_ON, .want = SCW_AGREE, PLAIN_NEW },
	{ "lb: v4 SYN, backends differ: fwd_lb, one tunnel (a new "
	  "connection is the new backend's)",
	  40, V4, .tcp_flags = 0x02, .grace = SCG_ON, .want = SCW_DIFFER,
	  PLAIN_NEW },
	{ "lb: v4 ACK after its SYN (the flow table knows it): fwd_lb, no "
	  "alternative",
	  40, V4, .payload = 8, .grace = SCG_ON, .want = SCW_DIFFER,
	  .pre = SCP_SYN_FIRST, .reason = SLUICE_FWD_LB, .flows = 0 },
	{ "lb: v6 ACK on a GRE VIP, backends differ: GRE in GRE", 41, V6,
	  .payload = 8, .grace = SCG_ON, .want = SCW_DIFFER, CARRIED,
	  .pair = true },
	{ "lb: v6 ACK on a GRE VIP, backends agree: one GRE tunnel", 41, V6,
	  .payload = 8, .grace = SCG_ON, .want = SCW_AGREE, PLAIN_NEW },
	{ "lb: v4 ACK, v4 backend now, v6 before: 4in6 in v4", 42, V4,
	  .payload = 8, .grace = SCG_ON, .want = SCW_DIFFER, CARRIED,
	  .pair = true },
	{ "lb: v4 ACK, 1400 bytes, backends differ: carried (fits 1500)", 40,
	  V4, .payload = 1400, .grace = SCG_ON, .want = SCW_DIFFER, CARRIED },
	{ "lb: v4 ACK, 1440 bytes: one tunnel fits, two would not: fwd_lb, "
	  "and still no flow entry (the next, smaller packets carry it)",
	  40, V4, .payload = 1440, .grace = SCG_ON, .want = SCW_DIFFER,
	  .reason = SLUICE_FWD_LB, .flows = 0 },
	{ "lb: UDP, backends differ: fwd_lb (only TCP has a socket to find)",
	  43, .l3 = PKT_L3_IP4, .l4 = IPPROTO_UDP, .payload = 8,
	  .grace = SCG_ON, .want = SCW_DIFFER, PLAIN_NEW },
	{ "lb: grace period over: fwd_lb, one tunnel", 44, V4, .payload = 8,
	  .grace = SCG_PAST, .want = SCW_DIFFER, PLAIN_NEW },
	{ "lb: no previous table: fwd_lb, one tunnel", 44, V4, .payload = 8,
	  .grace = SCG_NONE, .want = SCW_DIFFER, PLAIN_NEW },
	{ "lb: the previous backend down: fwd_lb, one tunnel", 40, V4,
	  .payload = 8, .grace = SCG_ON, .want = SCW_DIFFER,
	  .pre = SCP_PREV_DOWN, PLAIN_NEW },
	{ "lb: the previous backend deleted: fwd_lb, one tunnel", 40, V4,
	  .payload = 8, .grace = SCG_ON, .want = SCW_DIFFER,
	  .pre = SCP_PREV_DEL, PLAIN_NEW },
};
const size_t second_n_lb_fixtures =
	sizeof(second_lb_fixtures) / sizeof(second_lb_fixtures[0]);
