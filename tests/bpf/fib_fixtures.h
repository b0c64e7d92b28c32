/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The compiled forwarding table's rows (fib_fixtures.c), run by
 * fib_runner.c in a lib/dp of their own: steps that change routes, groups,
 * neighbours and ports through lib/dp, each followed by frames whose
 * verdict, counter and output bytes must show the change.
 */
#ifndef SLUICE_TESTS_FIB_FIXTURES_H
#define SLUICE_TESTS_FIB_FIXTURES_H

#include <stdbool.h>
#include <linux/types.h>
#include "fixtures.h"

#define FIB_MAX_CHANGES 6
#define FIB_MAX_PROBES 8

enum fib_op {
	FOP_END,
	FOP_ROUTE,     /* dp_route_set(arg, type, id) */
	FOP_ROUTE_DEL, /* dp_route_del(arg) */
	FOP_NHG,       /* dp_nhg_set(id, nh) */
	FOP_NHG_DEL,   /* dp_nhg_del(id) */
	FOP_NEIGH,     /* dp_neigh_set(ifx, arg, mac) */
	FOP_NEIGH_DEL, /* dp_neigh_del(ifx, arg) */
	FOP_PORT,      /* dp_iface_set(ifx) as fib_topo has it */
	FOP_PORT_MTU,  /* dp_iface_set(ifx) with another mtu */
	FOP_PORT_DEL,  /* dp_iface_del(ifx) */
};

struct fib_change {
	__u8 op;	 /* enum fib_op */
	const char *arg; /* a prefix, or a neighbour's address */
	__u8 type;	 /* FOP_ROUTE: SLUICE_RT_* */
	__u32 id;	 /* FOP_ROUTE: its group; FOP_NHG*: the group */
	int ifx;
	__u8 mac[6];
	__u16 mtu;
	struct topo_nh nh[SLUICE_MAX_ECMP]; /* FOP_NHG; IFX_NONE ends */
	int err;			    /* what lib/dp must return */
};

/* A TCP frame from the sender on P0 to @daddr and what must become of it
 * (routed: the input with out's L2 and TTL - 1, else the input). */
struct fib_probe {
	const char *daddr; /* NULL ends a list */
	__u16 payload;	   /* TCP payload bytes; 0: 32 */
	int verdict;
	int reason;
	bool routed;
	struct l2_out out;
};

/* dp_fib_stats() after a step, when check is set. */
struct fib_usage_want {
	bool check;
	__u64 v4_routes, v6_routes;
	__u32 v4_groups, v6_groups;
};

struct fib_step {
	const char *name;
	struct fib_change change[FIB_MAX_CHANGES];
	bool same_nhs; /* dp_fib_stats().nhs as before the changes */
	struct fib_usage_want usage;
	struct fib_probe probe[FIB_MAX_PROBES];
	struct ecmp_fixture ecmp; /* .n > 0: these flows too */
};

/* The ports of the table's own lib/dp: P0 (ingress), P1, P2 at the
 * slots of the main topology (fixtures.c), so the counters' slots match. */
extern const struct topo_iface fib_topo_ifaces[];
extern const size_t fib_n_topo_ifaces;
/* Every group the steps name (installed at open; steps change some). */
extern const struct topo_nhg fib_topo_nhgs[];
extern const size_t fib_n_topo_nhgs;
/* Every gateway's neighbour entry. */
extern const struct topo_neigh fib_topo_neighs[];
extern const size_t fib_n_topo_neighs;

/* Cases 1-3: overlapping v4 and v6 prefixes, next hops, in order. */
extern const struct fib_step fib_steps[];
extern const size_t fib_n_steps;

/* A /24 flipped between two groups, a covering /16 coming and going,
 * while frames run. */
struct fib_race {
	const char *flip; /* the /24 */
	__u32 nhg_a, nhg_b;
	const char *cover; /* the /16 */
	__u32 nhg_c;
	/* a /32 inside the /24 (to the /16's group), added and removed
	 * between the /16's changes: its group is made and folded while
	 * frames to other addresses of the /24 go through it */
	const char *inner;
	const char *in_flip, *in_cover; /* addresses inside each */
	struct l2_out out_a, out_b, out_c;
	/* an ECMP group resized between its first @big and @small members
	 * at every flip, a frame to a flow of its last member: a next hop
	 * leaves the group and is freed while frames may hold its index */
	const char *ecmp_route, *in_ecmp;
	__u32 nhg_ecmp;
	struct topo_nh ecmp[SLUICE_MAX_ECMP];
	struct l2_out ecmp_out[SLUICE_MAX_ECMP];
	__u8 big, small;
	unsigned int flips;	  /* writer iterations (A, then B) */
	unsigned int cover_every; /* the /16 and the /32 changed so often */
};
extern const struct fib_race fib_race;

/* Restart adoption: a table built, the same frames after dp_open again on
 * the same pins; then a change that must apply. */
extern const struct fib_change fib_restart_setup[];
extern const struct fib_probe fib_restart_probes[];
extern const struct fib_change fib_restart_change[];
extern const struct fib_probe fib_restart_after[];

/* Group pool exhaustion: fib4_groups of this size, one /32 per /24. */
/* The /48 index (uapi/sluice/fib_p48.h) at packet level: a /32, a /48 in
 * it and a /64 in that; a /48 only the /32 covers (p48_other); frames to
 * each, before and after the runner plants a slot, and as routes go. */
struct fib_p48_case {
	const char *name;
	struct fib_change change[FIB_MAX_CHANGES];
	/* the slot of p48_routed's /48: 0 none, 1 a link, 2 a route's entry */
	int slot;
	struct fib_probe probe[FIB_MAX_PROBES];
};
extern const struct fib_p48_case fib_p48_cases[];
extern const size_t fib_n_p48_cases;
extern const char *const fib_p48_routed, *const fib_p48_other;
/* a frame to p48_other while its slot is a copy of p48_routed's */
extern const struct fib_probe fib_p48_planted;

#define FIB_SMALL_POOL 16

#endif
