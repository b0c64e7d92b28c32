/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The BPF tier's tables: the topology the runner programs through lib/dp,
 * and the fixtures it runs over it.  Interfaces are named by IFX_* symbols;
 * the runner maps them to the ifindexes of its own namespace.
 */
#ifndef SLUICE_TESTS_FIXTURES_H
#define SLUICE_TESTS_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <uapi/sluice/sluice.h>
#include "pktbuild.h"

enum ifx {
	IFX_NONE, /* end of a list */
	IFX_LO,	  /* lo: never configured (unmanaged ingress) */
	IFX_P0,	  /* sl0: the usual ingress */
	IFX_P1,	  /* sl1: the usual egress */
	IFX_P2,	  /* sl2: second ECMP member, small MTU */
	IFX_AUX,  /* sl0p: in ifaces, not in tx_ports */
	IFX_EXT,  /* sl1p: a real device sluice does not manage */
	IFX_V10,  /* VLAN 10 on P0 (map entry only) */
	IFX_V20,  /* VLAN 20 on P0 */
	IFX_V30,  /* VLAN 30 on P1 */
	IFX_COUNT
};

/* ---- topology ------------------------------------------------------------- */

struct topo_iface {
	int ifx;
	__u8 mac[6];
	__u16 mtu;
	__u32 slot;
	int parent; /* IFX_* of the port, for a VLAN */
	__u16 vid;
	bool port; /* also in tx_ports (redirect target) */
};

struct topo_nh {
	int ifx;	/* IFX_NONE ends the group */
	const char *gw; /* NULL: on-link (family 0) */
};

struct topo_nhg {
	__u32 id;
	struct topo_nh nh[SLUICE_MAX_ECMP];
};

struct topo_route {
	const char *prefix; /* "198.19.0.0/24", "2001:db8:100::/48" */
	__u8 type;	    /* SLUICE_RT_* */
	__u32 nhg;
};

struct topo_neigh {
	int ifx;
	const char *addr;
	__u8 mac[6];
};

/* ---- fixtures ------------------------------------------------------------- */

/* The expected L2 of a routed frame; its L3 is the input's, TTL - 1. */
struct l2_out {
	__u8 dst[6];
	__u8 src[6];
	__u8 tagged;
	__u8 pcp;
	__u8 dei;
	__u16 vid;
};

struct fixture {
	const char *name;
	int ingress; /* IFX_* */
	struct pkt_spec in;
	struct pkt_mut mut[PKT_MAX_MUT];
	__u8 meta;   /* metadata bytes in front of the frame */
	int run_err; /* test_run must fail with this (-EINVAL) */
	int verdict; /* XDP_* */
	int reason;  /* SLUICE_*, counted exactly once */
	bool routed; /* output: rebuilt with out and TTL - 1;
				 * otherwise the input, byte for byte */
	struct l2_out out;
};

struct ecmp_member {
	struct l2_out out;
	int verdict;
	int reason;
};

/* One group, many flows: source ports sport .. sport + flows - 1, each run
 * @runs times; the member must be the one sluice_flow_hash() names. */
struct ecmp_fixture {
	const char *name;
	int ingress;
	struct pkt_spec in;
	__u16 flows;
	__u16 runs;
	__u8 n; /* group members, in group order */
	struct ecmp_member memb[SLUICE_MAX_ECMP];
	bool all_used; /* every member must carry a flow */
};

#define SWEEP_EINVAL (-1) /* band reason: test_run refuses the frame */

struct sweep_band {
	__u32 below; /* lengths below this (and above the last) */
	int reason;  /* SLUICE_DROP_* or SWEEP_EINVAL */
};

/* Cut one frame at every length in [from, upto). */
struct sweep_fixture {
	const char *name;
	int ingress;
	struct pkt_spec in;
	__u8 meta;
	bool fit_len; /* IP length field follows the cut */
	__u32 from;
	__u32 upto;
	struct sweep_band band[4];
};

extern const struct topo_iface topo_ifaces[];
extern const size_t topo_n_ifaces;
extern const struct topo_nhg topo_nhgs[];
extern const size_t topo_n_nhgs;
extern const struct topo_route topo_routes[];
extern const size_t topo_n_routes;
extern const struct topo_neigh topo_neighs[];
extern const size_t topo_n_neighs;

extern const struct fixture fixtures[];
extern const size_t n_fixtures;
extern const struct ecmp_fixture ecmp_fixtures[];
extern const size_t n_ecmp_fixtures;
extern const struct sweep_fixture sweep_fixtures[];
extern const size_t n_sweep_fixtures;

/* The v4 forward fixture's flow, for the cost figure: TTL 255 and an
 * ingress whose MAC is the next hop's, so every repeat forwards again. */
extern const struct fixture perf_fixture;

#endif
