// SPDX-License-Identifier: BSD-2-Clause
/*
 * Transit steering's rows (bpf/lib/steer_transit.h) over the router's
 * topology: a transit selector hands every packet the router would
 * forward (any protocol, the neighbour resolved or not) to the AF_XDP
 * socket of its port and queue, untouched, and nothing else: traffic to
 * our addresses, ARP, ND, multicast (OSPF), TTL expiry, no route and
 * kernel routes keep their verdicts.  The same real copy-mode socket as
 * steer_runner.c's, on sl0 queue 0.  Every row checks the verdict, the
 * one reason counter that moved, the output bytes (the input's when
 * steered: no TTL decrement, no MAC rewrite) and the selectors'
 * counters.  Steering is left off at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include "dp.h"
#include "dp_ct.h"
#include "dp_nat.h"
#include "dp_steer.h"
#include "names.h"
#include "runner.h"
#include "steer_runner.h"

#define TO_P0 .dst = MAC_P0, .src = MAC_H0
#define TO_V10 .dst = MAC_V10, .src = MAC_H0, .tagged = 1, .vid = 10
#define IP4(d) .l3 = PKT_L3_IP4, .saddr = H0_4, .daddr = d
#define IP6(d) .l3 = PKT_L3_IP6, .saddr = H0_6, .daddr = d
#define UDP(n) .l4 = IPPROTO_UDP, .sport = 40001, .dport = 53, .payload = n
#define TCP(n) .l4 = IPPROTO_TCP, .sport = 40000, .dport = 443, .payload = n
#define ICMP4(n) .l4 = IPPROTO_ICMP, .sport = 7, .dport = 1, .payload = n
#define ICMP6(n) .l4 = IPPROTO_ICMPV6, .sport = 7, .dport = 1, .payload = n
#define PASS(r) .verdict = XDP_PASS, .reason = SLUICE_PASS_##r
#define STEERED .verdict = XDP_REDIRECT, .reason = SLUICE_FWD_STEER_XSK
#define FWD_P1                                                                 \
	.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_REDIRECT,                \
	.routed = true, .out = { .dst = MAC_GW1, .src = MAC_P1 }

/* selector ids */
#define TR_ANY 1   /* transit, every port, every queue */
#define TR_P1 2	   /* transit from P1 only */
#define TR_P0_Q1 3 /* transit from P0, queue 1 only */
#define TR_P0 4	   /* transit from P0, every queue */
#define TR_UDP 5   /* a port selector: udp 5000, every port */
#define TR_N 6

static int transit_set(struct env *e, __u32 id, __u32 ifindex, __u32 queue)
{
	struct dp_steer_entry en = { .kind = DP_STEER_TRANSIT,
				     .ifindex = ifindex };
	struct sluice_steer_sel s = { .id = id, .queue = queue };

	return dp_steer_entry_set(e->dp, &en, &s);
}

static int transit_del(struct env *e, __u32 ifindex)
{
	struct dp_steer_entry en = { .kind = DP_STEER_TRANSIT,
				     .ifindex = ifindex };

	return dp_steer_entry_del(e->dp, &en);
}

static bool rows_ok(struct env *e, const struct steer_row *rows, size_t n)
{
	bool all = true;

	for (size_t i = 0; i < n; i++) {
		bool ok = steer_row_run(e, &rows[i], 1, TR_N);

		tap(e, ok, rows[i].fx.name);
		all = all && ok;
	}
	return all;
}

#define RUN_ROWS(e, rows) rows_ok(e, rows, sizeof(rows) / sizeof(rows[0]))

/* A forwarded packet with no selector of its port or queue. */
static const struct steer_row elsewhere_row = {
	{ "transit: a selector of another port or queue leaves it alone",
	  IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), ICMP4(16) },
	  FWD_P1 },
	0,
	false,
};

/* Every-port selector TR_ANY (P0's own is for queue 1), the socket in. */
static const struct steer_row with_socket[] = {
	{ { "transit: v4 icmp echo forwarded -> the socket, untouched",
	    IFX_P0,
	    { TO_P0, IP4("198.19.0.5"), ICMP4(16) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: v4 udp forwarded -> the socket",
	    IFX_P0,
	    { TO_P0, IP4("198.19.0.5"), UDP(16) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: v4 tcp forwarded -> the socket",
	    IFX_P0,
	    { TO_P0, IP4("198.19.0.5"), TCP(32) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: v6 icmpv6 echo forwarded -> the socket",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8:100::5"), ICMP6(16) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: v6 udp forwarded -> the socket",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8:100::5"), UDP(16) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: v6 tcp forwarded -> the socket",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8:100::5"), TCP(32) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: v4 on-link destination -> the socket",
	    IFX_P0,
	    { TO_P0, IP4("198.18.1.7"), ICMP4(16) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: tagged (vlan 10) -> the port's socket, tag kept",
	    IFX_P0,
	    { TO_V10, IP4("198.19.0.5"), ICMP4(16) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: v4 neighbour unresolved -> the socket (its router "
	    "resolves)",
	    IFX_P0,
	    { TO_P0, IP4("198.19.2.5"), TCP(8) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: v6 neighbour unresolved -> the socket",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8:103::5"), TCP(8) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: v4 on-link host unresolved -> the socket",
	    IFX_P0,
	    { TO_P0, IP4("198.18.1.8"), ICMP4(16) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: too big for the egress MTU -> the socket (its router "
	    "answers)",
	    IFX_P0,
	    { TO_P0, IP4("198.19.6.5"), UDP(1253) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: out of a port sluiced does not manage -> the socket",
	    IFX_P0,
	    { TO_P0, IP4("198.19.3.5"), TCP(8) },
	    STEERED },
	  TR_ANY,
	  true },
	{ { "transit: udp 5000 forwarded: the port selector first",
	    IFX_P0,
	    { TO_P0, IP4("198.19.0.5"), .l4 = IPPROTO_UDP, .sport = 40001,
	      .dport = 5000, .payload = 16 },
	    STEERED },
	  TR_UDP,
	  true },
	/* what the router does not forward keeps its verdict */
	{ { "transit: v4 icmp echo to our address -> the kernel",
	    IFX_P0,
	    { TO_P0, IP4("198.18.0.1"), ICMP4(16) },
	    PASS(LOCAL) },
	  0,
	  false },
	{ { "transit: v6 icmpv6 echo to our address -> the kernel",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8::1"), ICMP6(16) },
	    PASS(LOCAL) },
	  0,
	  false },
	{ { "transit: bgp to our address -> the kernel",
	    IFX_P0,
	    { TO_P0, IP4("198.18.0.1"), .l4 = IPPROTO_TCP, .sport = 40000,
	      .dport = 179, .payload = 8 },
	    PASS(LOCAL) },
	  0,
	  false },
	{ { "transit: arp -> the kernel",
	    IFX_P0,
	    { TO_P0, .l3 = PKT_L3_ARP, .saddr = H0_4, .daddr = "198.18.0.1",
	      .eth_pad = 18 },
	    PASS(NOT_IP) },
	  0,
	  false },
	{ { "transit: ospf hello to 224.0.0.5 -> the kernel",
	    IFX_P0,
	    { .dst = MAC_MC4,
	      .src = MAC_H0,
	      IP4("224.0.0.5"),
	      .l4 = 89,
	      .payload = 40,
	      .ttl = 1 },
	    PASS(MULTICAST) },
	  0,
	  false },
	{ { "transit: ospf unicast to our address -> the kernel",
	    IFX_P0,
	    { TO_P0, IP4("198.18.0.1"), .l4 = 89, .payload = 40, .ttl = 1 },
	    PASS(LOCAL) },
	  0,
	  false },
	{ { "transit: ospfv3 hello to ff02::5 -> the kernel",
	    IFX_P0,
	    { .dst = MAC_MC6,
	      .src = MAC_H0,
	      .l3 = PKT_L3_IP6,
	      .saddr = "fe80::2",
	      .daddr = "ff02::5",
	      .l4 = 89,
	      .payload = 40,
	      .ttl = 1 },
	    PASS(MULTICAST) },
	  0,
	  false },
	{ { "transit: nd neighbour solicitation -> the kernel",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8::1"), ICMP6(16), .icmp_type = 135,
	      .ttl = 255 },
	    PASS(ND) },
	  0,
	  false },
	{ { "transit: nd advertisement to a forwarded address -> the kernel",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8:100::5"), ICMP6(16), .icmp_type = 136,
	      .ttl = 255 },
	    PASS(ND) },
	  0,
	  false },
	{ { "transit: v4 ttl 1 -> the kernel (time exceeded)",
	    IFX_P0,
	    { TO_P0, IP4("198.19.0.5"), ICMP4(16), .ttl = 1 },
	    PASS(TTL) },
	  0,
	  false },
	{ { "transit: v6 hop limit 1 -> the kernel",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8:100::5"), ICMP6(16), .ttl = 1 },
	    PASS(TTL) },
	  0,
	  false },
	{ { "transit: v4 no route -> the kernel",
	    IFX_P0,
	    { TO_P0, IP4("198.18.99.1"), ICMP4(16) },
	    PASS(NO_ROUTE) },
	  0,
	  false },
	{ { "transit: v6 no route -> the kernel",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8:999::1"), TCP(8) },
	    PASS(NO_ROUTE) },
	  0,
	  false },
	{ { "transit: v4 kernel route -> the kernel",
	    IFX_P0,
	    { TO_P0, IP4("198.19.250.5"), TCP(8) },
	    PASS(KERNEL_ROUTE) },
	  0,
	  false },
	{ { "transit: v6 to a link-local address -> the kernel",
	    IFX_P0,
	    { TO_P0, IP6("fe80::7"), UDP(8) },
	    PASS(LINK_LOCAL) },
	  0,
	  false },
};

/* The same selectors, the socket gone: forwarded as ever, no_socket. */
static const struct steer_row without_socket[] = {
	{ { "transit no socket: v4 icmp echo -> forwarded by XDP",
	    IFX_P0,
	    { TO_P0, IP4("198.19.0.5"), ICMP4(16) },
	    FWD_P1 },
	  TR_ANY,
	  false },
	{ { "transit no socket: v6 tcp -> forwarded by XDP",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8:100::5"), TCP(32) },
	    FWD_P1 },
	  TR_ANY,
	  false },
	{ { "transit no socket: neighbour unresolved -> the kernel",
	    IFX_P0,
	    { TO_P0, IP4("198.19.2.5"), TCP(8) },
	    PASS(NO_NEIGH) },
	  TR_ANY,
	  false },
	{ { "transit no socket: to our address -> the kernel, not counted",
	    IFX_P0,
	    { TO_P0, IP4("198.18.0.1"), ICMP4(16) },
	    PASS(LOCAL) },
	  0,
	  false },
};

/* P0's own selector (every queue) is looked up before every port's. */
static const struct steer_row own_port_row = {
	{ "transit: the port's own selector before every port's",
	  IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), ICMP4(16) },
	  STEERED },
	TR_P0,
	true,
};

/* With conntrack on, the packet goes through the chain's programs
 * (conntrack, the firewall, the commit) and is steered after them. */
static const struct steer_row ct_row = {
	{ "transit: conntrack on: steered after the stateful stages",
	  IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), .l4 = IPPROTO_UDP, .sport = 40077,
	    .dport = 53, .payload = 16 },
	  STEERED },
	TR_P0,
	true,
};

/* With a NAT rule's switch on too, the conntrack program hands routing
 * to NAT's program, which steers after NAT's stages (no rule of this
 * flow's: the frame is unchanged). */
static const struct steer_row nat_row = {
	{ "transit: NAT on: steered by NAT's program after its stages",
	  IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), .l4 = IPPROTO_UDP, .sport = 40078,
	    .dport = 53, .payload = 16 },
	  STEERED },
	TR_P0,
	true,
};

/* TC ports are never steered: the TC program forwards as ever. */
static const struct steer_row tc_row = {
	{ "transit: at TC a selector steers nothing (tc: forwarded)",
	  IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), ICMP4(16) },
	  FWD_P1 },
	0,
	false,
};

/* The switch off, the entries still there: nothing is looked up. */
static const struct steer_row switch_off_row = {
	{ "transit: the flag off -> forwarded, no selector counts",
	  IFX_P0,
	  { TO_P0, IP4("198.19.0.5"), ICMP4(16) },
	  FWD_P1 },
	0,
	false,
};

/* @row with conntrack on (and NAT's switch, when @nat_flags). */
static bool stateful_step(struct env *e, const struct steer_row *row,
			  __u32 nat_flags)
{
	struct sluice_ct_config cfg;
	bool ok;

	dp_ct_default_config(&cfg);
	cfg.enabled = 1;
	ok = !dp_ct_config_set(e->dp, &cfg) &&
	     !dp_nat_config_set(e->dp, nat_flags) &&
	     steer_row_run(e, row, 1, TR_N);
	dp_nat_config_set(e->dp, 0);
	dp_ct_flush(e->dp, NULL, NULL);
	dp_ct_config_set(e->dp, &(struct sluice_ct_config){ 0 });
	return ok;
}

static bool tc_step(struct env *e)
{
	bool ok;

	e->at_tc = true;
	ok = steer_row_run(e, &tc_row, 1, TR_N);
	e->at_tc = false;
	return ok;
}

static int setup(struct env *e)
{
	struct dp_steer_entry udp = { .kind = DP_STEER_PORT,
				      .proto = IPPROTO_UDP,
				      .dport = 5000 };
	struct sluice_steer_sel s = { .id = TR_UDP,
				      .queue = SLUICE_STEER_ANY_QUEUE };

	for (__u32 i = 1; i < TR_N; i++)
		if (dp_steer_counters_clear(e->dp, i))
			return -EIO;
	return dp_steer_flush(e->dp) ?: dp_steer_entry_set(e->dp, &udp, &s);
}

void steer_transit_run_all(struct env *e)
{
	const __u32 p0 = e->ifindex[IFX_P0], p1 = e->ifindex[IFX_P1];
	const __u32 any = SLUICE_STEER_ANY_QUEUE;
	const __u32 on = SLUICE_STEER_F_TRANSIT | SLUICE_STEER_F_PORTS;
	char why[256] = "";
	__u32 flags = 1;
	bool ok;

	ok = !setup(e) && !steer_xsk_open(why, sizeof(why)) &&
	     !dp_steer_xsk_set(e->dp, p0, 0, steer_xsk_fd());
	if (why[0])
		diag("%s\n", why);
	tap(e, ok, "transit setup: the socket on sl0 queue 0, a udp selector");
	if (!ok)
		goto out;
	/* another port's selector, then another queue's */
	tap(e,
	    !transit_set(e, TR_P1, p1, any) && !dp_steer_flags_set(e->dp, on) &&
		    steer_row_run(e, &elsewhere_row, 1, TR_N),
	    "transit: P1's selector leaves P0's forwarded packet alone");
	tap(e,
	    !transit_del(e, p1) && !transit_set(e, TR_P0_Q1, p0, 1) &&
		    steer_row_run(e, &elsewhere_row, 1, TR_N),
	    "transit: P0's queue 1 selector leaves queue 0's packet alone");
	/* every port's: taken when P0's own does not match the queue */
	ok = !transit_set(e, TR_ANY, 0, any);
	tap(e, ok, "transit: a selector for every port");
	if (ok)
		RUN_ROWS(e, with_socket);
	ok = !dp_steer_xsk_del(e->dp, p0, 0);
	tap(e, ok, "transit: the socket's entry deleted");
	if (ok)
		RUN_ROWS(e, without_socket);
	ok = !dp_steer_xsk_set(e->dp, p0, 0, steer_xsk_fd()) &&
	     !transit_set(e, TR_P0, p0, any);
	tap(e, ok && steer_row_run(e, &own_port_row, 1, TR_N),
	    own_port_row.fx.name);
	tap(e, ok && stateful_step(e, &ct_row, 0), ct_row.fx.name);
	tap(e, ok && stateful_step(e, &nat_row, SLUICE_NAT_HAS_SNAT),
	    nat_row.fx.name);
	tap(e, ok && tc_step(e), tc_row.fx.name);
	tap(e,
	    !dp_steer_flags_set(e->dp, SLUICE_STEER_F_PORTS) &&
		    steer_row_run(e, &switch_off_row, 1, TR_N),
	    switch_off_row.fx.name);
out:
	ok = !dp_steer_flush(e->dp) && !dp_steer_flags_get(e->dp, &flags) &&
	     !flags;
	tap(e, ok, "transit: flushed, switch off");
	dp_steer_xsk_del(e->dp, p0, 0);
}
