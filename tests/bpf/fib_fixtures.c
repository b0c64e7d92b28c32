// SPDX-License-Identifier: BSD-2-Clause
/*
 * The compiled forwarding table's rows: each step changes the tables
 * through lib/dp, then frames from the sender on P0 must come out as the
 * step says, with the MACs of the next hop that the longest remaining
 * prefix names.  Every group has its own gateway with its own MAC, so the
 * output bytes tell which route a frame took.
 *
 *   v4 prefixes   0.0.0.0/0, 198.19.0.0/16, 198.19.7.0/24, 198.19.7.128/25,
 *                 198.19.7.200/32, 198.19.7.201/32 (local)
 *   v6 prefixes   ::/0, 2001:db8::/32, 2001:db8:7::/48, 2001:db8:7:1::/64,
 *                 2001:db8:7:1::10/127, 2001:db8:7:1::20/128,
 *                 2001:db8:7:1::21/128 (local)
 *   next hops     198.19.20-23.0/24 (neighbours, ECMP, groups, ports)
 *   race          198.19.40.0/24 under 198.19.0.0/16, 198.19.40.200/32 in it;
 *                 198.19.42.0/24 to an ECMP group that grows and shrinks
 */
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include "fib_fixtures.h"
#include "names.h"

/* ---- next hops: one gateway MAC per group ----------------------------------- */

#define VIA_P1(a, b)                                                           \
	{                                                                      \
		.dst = MAC(a, b), .src = MAC_P1                                \
	}
#define VIA_P2(a, b)                                                           \
	{                                                                      \
		.dst = MAC(a, b), .src = MAC_P2                                \
	}

/* v4 overlapping prefixes: group 1xx, gateway MAC 02:00:00:00:40:xx */
#define NH_V4_0 VIA_P1(0x40, 0x00)
#define NH_V4_16 VIA_P2(0x40, 0x16)
#define NH_V4_24 VIA_P1(0x40, 0x24)
#define NH_V4_25 VIA_P2(0x40, 0x25)
#define NH_V4_32 VIA_P1(0x40, 0x32)
#define NH_V4_RE VIA_P2(0x40, 0x99) /* the /24's replacement */
/* v6: group 2xx, gateway MAC 02:00:00:00:6x:xx */
#define NH_V6_0 VIA_P1(0x60, 0x00)
#define NH_V6_32 VIA_P2(0x60, 0x32)
#define NH_V6_48 VIA_P1(0x60, 0x48)
#define NH_V6_64 VIA_P2(0x60, 0x64)
#define NH_V6_127 VIA_P1(0x61, 0x27)
#define NH_V6_128 VIA_P2(0x61, 0x28)
#define NH_V6_RE VIA_P1(0x60, 0x99) /* the /64's replacement */
/* next-hop cases */
#define NH_NEIGH VIA_P1(0x50, 0x20)
#define NH_NEIGH_MOVED VIA_P1(0x50, 0x2f)
#define NH_ECMP_A VIA_P1(0x50, 0x31)
#define NH_ECMP_B VIA_P2(0x50, 0x32)
#define NH_ECMP_C VIA_P1(0x50, 0x33)
#define NH_GONE VIA_P2(0x50, 0x40)
#define NH_REBORN VIA_P1(0x50, 0x42)
#define NH_MTU VIA_P2(0x50, 0x41)

const struct topo_iface fib_topo_ifaces[] = {
	{ IFX_P0, MAC_P0, 1500, 1, .port = true },
	{ IFX_P1, MAC_P1, 1500, 2, .port = true },
	{ IFX_P2, MAC_P2, 1500, 3, .port = true },
};
const size_t fib_n_topo_ifaces =
	sizeof(fib_topo_ifaces) / sizeof(fib_topo_ifaces[0]);

const struct topo_nhg fib_topo_nhgs[] = {
	{ 100, { { IFX_P1, "198.18.1.100" } } },
	{ 116, { { IFX_P2, "198.18.2.116" } } },
	{ 124, { { IFX_P1, "198.18.1.124" } } },
	{ 125, { { IFX_P2, "198.18.2.125" } } },
	{ 132, { { IFX_P1, "198.18.1.132" } } },
	{ 199, { { IFX_P2, "198.18.2.199" } } },
	{ 200, { { IFX_P1, "2001:db8:1::200" } } },
	{ 232, { { IFX_P2, "2001:db8:2::232" } } },
	{ 248, { { IFX_P1, "2001:db8:1::248" } } },
	{ 264, { { IFX_P2, "2001:db8:2::264" } } },
	{ 227, { { IFX_P1, "2001:db8:1::227" } } },
	{ 228, { { IFX_P2, "2001:db8:2::228" } } },
	{ 299, { { IFX_P1, "2001:db8:1::299" } } },
	{ 110, { { IFX_P1, "198.18.1.20" } } },
	{ 111, { { IFX_P1, "198.18.1.31" } } },
	{ 112, { { IFX_P2, "198.18.2.40" } } },
	{ 113, { { IFX_P2, "198.18.2.41" } } },
	{ 120, { { IFX_P1, "198.18.1.50" } } },
	{ 121, { { IFX_P2, "198.18.2.51" } } },
	{ 122, { { IFX_P1, "198.18.1.52" } } },
	{ 123, { { IFX_P1, "198.18.1.60" }, { IFX_P2, "198.18.2.61" } } },
};
const size_t fib_n_topo_nhgs = sizeof(fib_topo_nhgs) / sizeof(fib_topo_nhgs[0]);

const struct topo_neigh fib_topo_neighs[] = {
	{ IFX_P1, "198.18.1.100", MAC(0x40, 0x00) },
	{ IFX_P2, "198.18.2.116", MAC(0x40, 0x16) },
	{ IFX_P1, "198.18.1.124", MAC(0x40, 0x24) },
	{ IFX_P2, "198.18.2.125", MAC(0x40, 0x25) },
	{ IFX_P1, "198.18.1.132", MAC(0x40, 0x32) },
	{ IFX_P2, "198.18.2.199", MAC(0x40, 0x99) },
	{ IFX_P1, "2001:db8:1::200", MAC(0x60, 0x00) },
	{ IFX_P2, "2001:db8:2::232", MAC(0x60, 0x32) },
	{ IFX_P1, "2001:db8:1::248", MAC(0x60, 0x48) },
	{ IFX_P2, "2001:db8:2::264", MAC(0x60, 0x64) },
	{ IFX_P1, "2001:db8:1::227", MAC(0x61, 0x27) },
	{ IFX_P2, "2001:db8:2::228", MAC(0x61, 0x28) },
	{ IFX_P1, "2001:db8:1::299", MAC(0x60, 0x99) },
	{ IFX_P1, "198.18.1.20", MAC(0x50, 0x20) },
	{ IFX_P1, "198.18.1.31", MAC(0x50, 0x31) },
	{ IFX_P2, "198.18.2.32", MAC(0x50, 0x32) },
	{ IFX_P1, "198.18.1.33", MAC(0x50, 0x33) },
	{ IFX_P2, "198.18.2.40", MAC(0x50, 0x40) },
	{ IFX_P2, "198.18.2.41", MAC(0x50, 0x41) },
	{ IFX_P1, "198.18.1.42", MAC(0x50, 0x42) },
	{ IFX_P1, "198.18.1.50", MAC(0x70, 0x50) },
	{ IFX_P2, "198.18.2.51", MAC(0x70, 0x51) },
	{ IFX_P1, "198.18.1.52", MAC(0x70, 0x52) },
	{ IFX_P1, "198.18.1.60", MAC(0x70, 0x60) },
	{ IFX_P2, "198.18.2.61", MAC(0x70, 0x61) },
	{ IFX_P1, "198.18.1.62", MAC(0x70, 0x62) },
};
const size_t fib_n_topo_neighs =
	sizeof(fib_topo_neighs) / sizeof(fib_topo_neighs[0]);

/* ---- row shorthands ------------------------------------------------------- */

#define ROUTE(p, g)                                                            \
	{                                                                      \
		.op = FOP_ROUTE, .arg = p, .type = SLUICE_RT_FORWARD, .id = g  \
	}
#define LOCAL(p)                                                               \
	{                                                                      \
		.op = FOP_ROUTE, .arg = p, .type = SLUICE_RT_LOCAL             \
	}
#define DEL(p)                                                                 \
	{                                                                      \
		.op = FOP_ROUTE_DEL, .arg = p                                  \
	}
#define VIA(...)                                                               \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_REDIRECT,                \
	.routed = true, .out = __VA_ARGS__
#define GOES(r) .verdict = XDP_PASS, .reason = SLUICE_PASS_##r
#define USAGE(r4, r6, g4, g6)                                                  \
	.usage = { .check = true,                                              \
		   .v4_routes = r4,                                            \
		   .v6_routes = r6,                                            \
		   .v4_groups = g4,                                            \
		   .v6_groups = g6 }
#define MEMBER(...)                                                            \
	{                                                                      \
		__VA_ARGS__, XDP_REDIRECT, SLUICE_FWD_REDIRECT                 \
	}
#define ECMP_FLOW(d)                                                           \
	{                                                                      \
		.dst = MAC_P0, .src = MAC_H0, .l3 = PKT_L3_IP4,                \
		.l4 = IPPROTO_TCP, .saddr = H0_4, .daddr = d, .sport = 40000,  \
		.dport = 443, .payload = 16                                    \
	}

/* v4 destinations, one inside each prefix (and only the longer ones) */
#define A0 "198.18.200.5"
#define A16 "198.19.8.5"
#define A24 "198.19.7.5"
#define A24_TOP "198.19.7.127" /* the /24's last address below the /25 */
#define A25 "198.19.7.210"
#define A25_TOP "198.19.7.255"
#define A32 "198.19.7.200"
#define ALOC "198.19.7.201"
/* v6 destinations: 2001:db8::/32 covers every address we may use, so the
 * /0 shows only once the /32 is gone */
#define B32 "2001:db8:8::5"
#define B48 "2001:db8:7:2::5"
#define B64 "2001:db8:7:1::99"
#define B127 "2001:db8:7:1::11"
#define B127_LOW "2001:db8:7:1::10"
#define B127_OUT "2001:db8:7:1::12" /* next to the /127, outside it */
#define B128 "2001:db8:7:1::20"
#define BLOC "2001:db8:7:1::21"

#define P4_32 "198.19.7.200/32"
#define P4_LOC "198.19.7.201/32"
#define P4_25 "198.19.7.128/25"
#define P4_24 "198.19.7.0/24"
#define P4_16 "198.19.0.0/16"
#define P4_0 "0.0.0.0/0"
#define P6_128 "2001:db8:7:1::20/128"
#define P6_LOC "2001:db8:7:1::21/128"
#define P6_127 "2001:db8:7:1::10/127"
#define P6_64 "2001:db8:7:1::/64"
#define P6_48 "2001:db8:7::/48"
#define P6_32 "2001:db8::/32"
#define P6_0 "::/0"

/* the /127 and the /128s sit 13 levels down: a group at every level
 * below the root (bytes 3 to 15) */
#define V6_DEEP 13

const struct fib_step fib_steps[] = {
	/* ---- 1. overlapping IPv4 prefixes ---- */
	{ "fib v4: a /32 alone (a group under the root)",
	  { ROUTE(P4_32, 132) },
	  .probe = { { A32, 0, VIA(NH_V4_32) },
		     { A25, 0, GOES(NO_ROUTE) },
		     { A0, 0, GOES(NO_ROUTE) } },
	  USAGE(1, 0, 1, 0) },
	{ "fib v4: a /0 added: it fills the /32's group around it",
	  { ROUTE(P4_0, 100) },
	  .probe = { { A32, 0, VIA(NH_V4_32) },
		     { A25, 0, VIA(NH_V4_0) },
		     { A24, 0, VIA(NH_V4_0) },
		     { A0, 0, VIA(NH_V4_0) } },
	  USAGE(2, 0, 1, 0) },
	{ "fib v4: /25, /16, /24 and a local /32 added: the longest wins",
	  { ROUTE(P4_25, 125), ROUTE(P4_16, 116), ROUTE(P4_24, 124),
	    LOCAL(P4_LOC) },
	  .probe = { { A32, 0, VIA(NH_V4_32) },
		     { ALOC, 0, GOES(LOCAL) },
		     { A25, 0, VIA(NH_V4_25) },
		     { A25_TOP, 0, VIA(NH_V4_25) },
		     { A24, 0, VIA(NH_V4_24) },
		     { A24_TOP, 0, VIA(NH_V4_24) },
		     { A16, 0, VIA(NH_V4_16) },
		     { A0, 0, VIA(NH_V4_0) } },
	  USAGE(6, 0, 1, 0) },
	{ "fib v4: the /24 replaced (another group): the longer keep theirs",
	  { ROUTE(P4_24, 199) },
	  .probe = { { A24, 0, VIA(NH_V4_RE) },
		     { A24_TOP, 0, VIA(NH_V4_RE) },
		     { A25, 0, VIA(NH_V4_25) },
		     { A32, 0, VIA(NH_V4_32) },
		     { ALOC, 0, GOES(LOCAL) },
		     { A16, 0, VIA(NH_V4_16) } },
	  USAGE(6, 0, 1, 0) },
	{ "fib v4: the /25 deleted: back to the /24 (inside the group)",
	  { DEL(P4_25) },
	  .probe = { { A25, 0, VIA(NH_V4_RE) },
		     { A25_TOP, 0, VIA(NH_V4_RE) },
		     { A24, 0, VIA(NH_V4_RE) },
		     { A32, 0, VIA(NH_V4_32) },
		     { ALOC, 0, GOES(LOCAL) } },
	  USAGE(5, 0, 1, 0) },
	{ "fib v4: the /24 deleted: back to the /16 (root and group)",
	  { DEL(P4_24) },
	  .probe = { { A24, 0, VIA(NH_V4_16) },
		     { A25, 0, VIA(NH_V4_16) },
		     { A32, 0, VIA(NH_V4_32) },
		     { ALOC, 0, GOES(LOCAL) },
		     { A16, 0, VIA(NH_V4_16) },
		     { A0, 0, VIA(NH_V4_0) } },
	  USAGE(4, 0, 1, 0) },
	{ "fib v4: the /16 deleted: back to the /0 (root and group)",
	  { DEL(P4_16) },
	  .probe = { { A16, 0, VIA(NH_V4_0) },
		     { A24, 0, VIA(NH_V4_0) },
		     { A25, 0, VIA(NH_V4_0) },
		     { A32, 0, VIA(NH_V4_32) },
		     { ALOC, 0, GOES(LOCAL) } },
	  USAGE(3, 0, 1, 0) },
	{ "fib v4: both /32s deleted: the group folds into the /0",
	  { DEL(P4_32), DEL(P4_LOC) },
	  .probe = { { A32, 0, VIA(NH_V4_0) },
		     { ALOC, 0, VIA(NH_V4_0) },
		     { A25, 0, VIA(NH_V4_0) } },
	  USAGE(1, 0, 0, 0) },
	{ "fib v4: the /0 deleted: no route (deleting it again: ENOENT)",
	  { DEL(P4_0), { .op = FOP_ROUTE_DEL, .arg = P4_0, .err = -ENOENT } },
	  .probe = { { A0, 0, GOES(NO_ROUTE) },
		     { A16, 0, GOES(NO_ROUTE) },
		     { A32, 0, GOES(NO_ROUTE) } },
	  USAGE(0, 0, 0, 0) },

	/* ---- 2. overlapping IPv6 prefixes ---- */
	{ "fib v6: a /127 and a /128 alone (13 levels of groups)",
	  { ROUTE(P6_128, 228), ROUTE(P6_127, 227) },
	  .probe = { { B128, 0, VIA(NH_V6_128) },
		     { B127, 0, VIA(NH_V6_127) },
		     { B127_LOW, 0, VIA(NH_V6_127) },
		     { B127_OUT, 0, GOES(NO_ROUTE) },
		     { B64, 0, GOES(NO_ROUTE) } },
	  USAGE(0, 2, 0, V6_DEEP) },
	{ "fib v6: a /0 added: it fills every level around them",
	  { ROUTE(P6_0, 200) },
	  .probe = { { B128, 0, VIA(NH_V6_128) },
		     { B127, 0, VIA(NH_V6_127) },
		     { B127_OUT, 0, VIA(NH_V6_0) },
		     { B64, 0, VIA(NH_V6_0) },
		     { B32, 0, VIA(NH_V6_0) } },
	  USAGE(0, 3, 0, V6_DEEP) },
	{ "fib v6: /48, /32, /64 and a local /128 added: the longest wins",
	  { ROUTE(P6_48, 248), ROUTE(P6_32, 232), ROUTE(P6_64, 264),
	    LOCAL(P6_LOC) },
	  .probe = { { B128, 0, VIA(NH_V6_128) },
		     { BLOC, 0, GOES(LOCAL) },
		     { B127, 0, VIA(NH_V6_127) },
		     { B127_OUT, 0, VIA(NH_V6_64) },
		     { B64, 0, VIA(NH_V6_64) },
		     { B48, 0, VIA(NH_V6_48) },
		     { B32, 0, VIA(NH_V6_32) } },
	  USAGE(0, 7, 0, V6_DEEP) },
	{ "fib v6: the /64 replaced (another group): the longer keep theirs",
	  { ROUTE(P6_64, 299) },
	  .probe = { { B64, 0, VIA(NH_V6_RE) },
		     { B127_OUT, 0, VIA(NH_V6_RE) },
		     { B127, 0, VIA(NH_V6_127) },
		     { B128, 0, VIA(NH_V6_128) },
		     { BLOC, 0, GOES(LOCAL) },
		     { B48, 0, VIA(NH_V6_48) } },
	  USAGE(0, 7, 0, V6_DEEP) },
	{ "fib v6: the /127 deleted: back to the /64 (13 levels down)",
	  { DEL(P6_127) },
	  .probe = { { B127, 0, VIA(NH_V6_RE) },
		     { B127_LOW, 0, VIA(NH_V6_RE) },
		     { B128, 0, VIA(NH_V6_128) },
		     { BLOC, 0, GOES(LOCAL) } },
	  USAGE(0, 6, 0, V6_DEEP) },
	{ "fib v6: the /64 deleted: back to the /48",
	  { DEL(P6_64) },
	  .probe = { { B64, 0, VIA(NH_V6_48) },
		     { B127, 0, VIA(NH_V6_48) },
		     { B128, 0, VIA(NH_V6_128) },
		     { BLOC, 0, GOES(LOCAL) },
		     { B48, 0, VIA(NH_V6_48) } },
	  USAGE(0, 5, 0, V6_DEEP) },
	{ "fib v6: the /48 deleted: back to the /32",
	  { DEL(P6_48) },
	  .probe = { { B48, 0, VIA(NH_V6_32) },
		     { B64, 0, VIA(NH_V6_32) },
		     { B127, 0, VIA(NH_V6_32) },
		     { B128, 0, VIA(NH_V6_128) } },
	  USAGE(0, 4, 0, V6_DEEP) },
	{ "fib v6: the /32 deleted: back to the /0",
	  { DEL(P6_32) },
	  .probe = { { B32, 0, VIA(NH_V6_0) },
		     { B48, 0, VIA(NH_V6_0) },
		     { B127, 0, VIA(NH_V6_0) },
		     { B128, 0, VIA(NH_V6_128) },
		     { BLOC, 0, GOES(LOCAL) } },
	  USAGE(0, 3, 0, V6_DEEP) },
	{ "fib v6: the /128s deleted: 13 groups fold into the /0",
	  { DEL(P6_128), DEL(P6_LOC) },
	  .probe = { { B128, 0, VIA(NH_V6_0) },
		     { BLOC, 0, VIA(NH_V6_0) },
		     { B127, 0, VIA(NH_V6_0) } },
	  USAGE(0, 1, 0, 0) },
	{ "fib v6: the /0 deleted: no route",
	  { DEL(P6_0) },
	  .probe = { { B128, 0, GOES(NO_ROUTE) }, { B32, 0, GOES(NO_ROUTE) } },
	  USAGE(0, 0, 0, 0) },

	/* ---- 3. next hops ---- */
	{ "fib nh: routes to a gateway, an ECMP group of 1, two more groups",
	  { ROUTE("198.19.20.0/24", 110), ROUTE("198.19.21.0/24", 111),
	    ROUTE("198.19.22.0/24", 112), ROUTE("198.19.23.0/24", 113) },
	  .probe = { { "198.19.20.5", 0, VIA(NH_NEIGH) },
		     { "198.19.22.5", 0, VIA(NH_GONE) },
		     { "198.19.23.5", 1300, VIA(NH_MTU) } },
	  .ecmp = { "fib nh: ECMP group of 1: every flow to its member",
		    IFX_P0,
		    ECMP_FLOW("198.19.21.9"),
		    16,
		    1,
		    1,
		    { MEMBER(NH_ECMP_A) },
		    true } },
	{ "fib nh: the gateway's MAC changes: the next frame goes there",
	  { { .op = FOP_NEIGH,
	      .arg = "198.18.1.20",
	      .ifx = IFX_P1,
	      .mac = MAC(0x50, 0x2f) } },
	  .same_nhs = true,
	  .probe = { { "198.19.20.5", 0, VIA(NH_NEIGH_MOVED) },
		     { "198.19.22.5", 0, VIA(NH_GONE) } } },
	{ "fib nh: the gateway's neighbour deleted: pass_no_neigh",
	  { { .op = FOP_NEIGH_DEL, .arg = "198.18.1.20", .ifx = IFX_P1 } },
	  .same_nhs = true,
	  .probe = { { "198.19.20.5", 0, GOES(NO_NEIGH) },
		     { "198.19.22.5", 0, VIA(NH_GONE) } } },
	{ "fib nh: the neighbour re-added: forwarded again",
	  { { .op = FOP_NEIGH,
	      .arg = "198.18.1.20",
	      .ifx = IFX_P1,
	      .mac = MAC(0x50, 0x20) } },
	  .same_nhs = true,
	  .probe = { { "198.19.20.5", 0, VIA(NH_NEIGH) } } },
	{ "fib nh: the ECMP group grows to 3 members",
	  { { .op = FOP_NHG,
	      .id = 111,
	      .nh = { { IFX_P1, "198.18.1.31" },
		      { IFX_P2, "198.18.2.32" },
		      { IFX_P1, "198.18.1.33" } } } },
	  .ecmp = { "fib nh: ECMP grown to 3: each flow to its member, all used",
		    IFX_P0,
		    ECMP_FLOW("198.19.21.9"),
		    32,
		    1,
		    3,
		    { MEMBER(NH_ECMP_A), MEMBER(NH_ECMP_B), MEMBER(NH_ECMP_C) },
		    true } },
	{ "fib nh: the ECMP group shrinks to 2 members",
	  { { .op = FOP_NHG,
	      .id = 111,
	      .nh = { { IFX_P2, "198.18.2.32" }, { IFX_P1, "198.18.1.33" } } } },
	  .ecmp = { "fib nh: ECMP shrunk to 2: each flow to its member, all used",
		    IFX_P0,
		    ECMP_FLOW("198.19.21.9"),
		    32,
		    1,
		    2,
		    { MEMBER(NH_ECMP_B), MEMBER(NH_ECMP_C) },
		    true } },
	{ "fib nh: the ECMP group back to its first member",
	  { { .op = FOP_NHG, .id = 111, .nh = { { IFX_P1, "198.18.1.31" } } } },
	  .ecmp = { "fib nh: ECMP back to 1: every flow to it",
		    IFX_P0,
		    ECMP_FLOW("198.19.21.9"),
		    16,
		    1,
		    1,
		    { MEMBER(NH_ECMP_A) },
		    true } },
	{ "fib nh: a group deleted while a route uses it: pass_no_route",
	  { { .op = FOP_NHG_DEL, .id = 112 } },
	  .probe = { { "198.19.22.5", 0, GOES(NO_ROUTE) },
		     { "198.19.20.5", 0, VIA(NH_NEIGH) } } },
	{ "fib nh: the group re-created (another gateway): forwards again",
	  { { .op = FOP_NHG, .id = 112, .nh = { { IFX_P1, "198.18.1.42" } } } },
	  .probe = { { "198.19.22.5", 0, VIA(NH_REBORN) } } },
	{ "fib nh: P2's MTU lowered to 1280: what no longer fits passes",
	  { { .op = FOP_PORT_MTU, .ifx = IFX_P2, .mtu = 1280 } },
	  .same_nhs = true,
	  /* TCP payload + 40 bytes of headers: the L3 length */
	  .probe = { { "198.19.23.5", 1300, GOES(MTU) },
		     { "198.19.23.6", 1241, GOES(MTU) },
		     { "198.19.23.7", 1240, VIA(NH_MTU) },
		     { "198.19.23.8", 0, VIA(NH_MTU) } } },
	{ "fib nh: P2's MTU back to 1500: the large frame forwards",
	  { { .op = FOP_PORT, .ifx = IFX_P2 } },
	  .same_nhs = true,
	  .probe = { { "198.19.23.5", 1300, VIA(NH_MTU) } } },
	{ "fib nh: P1 removed from ifaces: pass_egress_unmanaged",
	  { { .op = FOP_PORT_DEL, .ifx = IFX_P1 } },
	  .same_nhs = true,
	  .probe = { { "198.19.20.5", 0, GOES(EGRESS_UNMANAGED) },
		     { "198.19.22.5", 0, GOES(EGRESS_UNMANAGED) },
		     { "198.19.23.5", 0, VIA(NH_MTU) } } },
	{ "fib nh: P1 back in ifaces: forwarded again",
	  { { .op = FOP_PORT, .ifx = IFX_P1 } },
	  .same_nhs = true,
	  .probe = { { "198.19.20.5", 0, VIA(NH_NEIGH) },
		     { "198.19.22.5", 0, VIA(NH_REBORN) } } },
};
const size_t fib_n_steps = sizeof(fib_steps) / sizeof(fib_steps[0]);

/* ---- 4. a change while lookups run ------------------------------------------ */

const struct fib_race fib_race = {
	.flip = "198.19.40.0/24",
	.nhg_a = 120,
	.nhg_b = 121,
	.cover = "198.19.0.0/16",
	.nhg_c = 122,
	.inner = "198.19.40.200/32",
	.in_flip = "198.19.40.9",
	.in_cover = "198.19.41.9",
	.out_a = VIA_P1(0x70, 0x50),
	.out_b = VIA_P2(0x70, 0x51),
	.out_c = VIA_P1(0x70, 0x52),
	.ecmp_route = "198.19.42.0/24",
	.in_ecmp = "198.19.42.9",
	.nhg_ecmp = 123,
	.ecmp = { { IFX_P1, "198.18.1.60" },
		  { IFX_P2, "198.18.2.61" },
		  { IFX_P1, "198.18.1.62" } },
	.ecmp_out = { VIA_P1(0x70, 0x60), VIA_P2(0x70, 0x61),
		      VIA_P1(0x70, 0x62) },
	.big = 3,
	.small = 2,
	.flips = 3000,
	.cover_every = 50,
};

/* ---- 5. restart adoption ---------------------------------------------------- */

/* ---- 5b. the /48 index ---- */

const char *const fib_p48_routed = "2001:db8:7::";
const char *const fib_p48_other = "2001:db8:8::";

const struct fib_p48_case fib_p48_cases[] = {
	{ "fib p48: a /32, a /48 in it, a /64 in that",
	  { ROUTE(P6_32, 232), ROUTE(P6_48, 248), ROUTE(P6_64, 264) },
	  1, /* the /64: the slot links to byte 6's group */
	  { { B48, 0, VIA(NH_V6_48) },
	    { B64, 0, VIA(NH_V6_64) },
	    { B32, 0, VIA(NH_V6_32) } } },
	{ "fib p48: the /64 deleted",
	  { DEL(P6_64) },
	  2, /* the /48's own entry */
	  { { B48, 0, VIA(NH_V6_48) },
	    { B64, 0, VIA(NH_V6_48) },
	    { B32, 0, VIA(NH_V6_32) } } },
	{ "fib p48: the /48 replaced (another group)",
	  { ROUTE(P6_48, 264) },
	  2,
	  { { B48, 0, VIA(NH_V6_64) }, { B32, 0, VIA(NH_V6_32) } } },
	{ "fib p48: the /48 deleted",
	  { DEL(P6_48) },
	  0, /* only the /32: the walk answers */
	  { { B48, 0, VIA(NH_V6_32) }, { B32, 0, VIA(NH_V6_32) } } },
};
const size_t fib_n_p48_cases = sizeof(fib_p48_cases) / sizeof(fib_p48_cases[0]);

/* p48_other's slot planted as a copy of p48_routed's (after the first
 * case): B32's byte 6 is 0, so the link sends it down the /48's group */
const struct fib_probe fib_p48_planted = { B32, 0, VIA(NH_V6_48) };

const struct fib_change fib_restart_setup[] = {
	ROUTE(P4_16, 116),
	ROUTE(P4_24, 124),
	ROUTE(P4_32, 132),
	LOCAL(P4_LOC),
	ROUTE(P6_48, 248),
	ROUTE(P6_127, 227),
	ROUTE("198.19.30.0/24", 150),	  /* a group that does not exist */
	{ .op = FOP_NHG_DEL, .id = 113 }, /* one that no longer does */
	ROUTE("198.19.23.0/24", 113),
	{ .op = FOP_END },
};

const struct fib_probe fib_restart_probes[] = {
	{ A32, 0, VIA(NH_V4_32) },
	{ ALOC, 0, GOES(LOCAL) },
	{ A24, 0, VIA(NH_V4_24) },
	{ A16, 0, VIA(NH_V4_16) },
	{ B127, 0, VIA(NH_V6_127) },
	{ B48, 0, VIA(NH_V6_48) },
	{ "198.19.30.5", 0, GOES(NO_ROUTE) },
	{ "198.19.23.5", 0, GOES(NO_ROUTE) },
	{ .daddr = NULL },
};

const struct fib_change fib_restart_change[] = {
	ROUTE(P4_24, 199),
	DEL(P4_32),
	ROUTE(P6_64, 264),
	{ .op = FOP_NHG, .id = 113, .nh = { { IFX_P2, "198.18.2.41" } } },
	{ .op = FOP_END },
};

const struct fib_probe fib_restart_after[] = {
	{ A24, 0, VIA(NH_V4_RE) },   { A32, 0, VIA(NH_V4_RE) },
	{ ALOC, 0, GOES(LOCAL) },    { B64, 0, VIA(NH_V6_64) },
	{ B127, 0, VIA(NH_V6_127) }, { "198.19.23.5", 0, VIA(NH_MTU) },
	{ .daddr = NULL },
};
