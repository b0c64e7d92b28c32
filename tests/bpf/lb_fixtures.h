/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The load balancer's tables for the BPF tier: backends, VIPs (each with a
 * Maglev table built by lib/maglev), and the rows the runner plays in
 * order over the router's topology of fixtures.c.
 *
 * A row does not name the backend a flow lands on: that is the hash's
 * business.  It names the path (Maglev pick, flow-table hit, none), and
 * lb_runner.c keeps a model of the tables (the Maglev tables as installed,
 * the flow entries the rows made) from which it predicts the backend, and
 * so the outer header, independently of the data path.
 */
#ifndef SLUICE_TESTS_LB_FIXTURES_H
#define SLUICE_TESTS_LB_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <uapi/sluice/sluice.h>
#include "fixtures.h"
#include "pktbuild.h"

#define LB_VIP_MAX_BE 8 /* backends of one VIP in these tables */
#define LB_MAX_BE_ID 64 /* backend ids used here are below this */
#define LB_MAX_ACT 3

struct lb_backend_def {
	__u32 id;
	const char *addr;
	/* the L2 of an outer frame toward it; when that is tagged, PCP and
	 * DEI are the ingress tag's (0 if untagged) and not listed here */
	struct l2_out out;
	/* its route is a group of two: out for hash % 2 == 0, else out2 */
	bool ecmp2;
	struct l2_out out2;
};

struct lb_vip_def {
	__u32 id;
	const char *addr;
	__u8 proto;
	__u16 port;		 /* host order; 0 = every port */
	__u16 flags;		 /* SLUICE_VIP_* */
	__u32 ring;		 /* M (prime) */
	bool no_table;		 /* ring_size says M, but no table installed */
	__u32 be[LB_VIP_MAX_BE]; /* weight 1 each; 0 ends the list */
};

/* State changes around a row.  "The row's flow" is the flow the packet
 * belongs to (for an ICMP error: the quoted packet, reversed); "its slot"
 * is that flow's slot in the Maglev table of the row's VIP. */
enum lb_act_op {
	ACT_END,
	ACT_RING_MOVE,	    /* its slot: the VIP's next backend */
	ACT_RING_ZERO,	    /* its slot: 0 (unset) */
	ACT_RING_RESET,	    /* the VIP's table: maglev_build()'s again,
				 * only the changed slots written */
	ACT_ENTRY_BE_DOWN,  /* the backend of its entry: SLUICE_BE_DOWN */
	ACT_ENTRY_BE_DEL,   /* the backend of its entry: deleted */
	ACT_ENTRY_BE_DRAIN, /* the backend of its entry: SLUICE_BE_DRAINING */
	ACT_SLOT_BE_DOWN,   /* the backend its slot names: SLUICE_BE_DOWN */
	ACT_BE_RESTORE,	    /* every backend as the table says, flags 0 */
	ACT_FLOW_AGE,	    /* its entry: last seen @a ms ago (< 0: ahead) */
	ACT_FLOW_PUT,	    /* its entry := VIP @a, a backend that is not
				 * its slot's */
	ACT_SRC,	    /* lb_config.have_src4 = @a, have_src6 = @b */
	ACT_IDLE,	    /* lb_config.flow_idle_timeout_s = @a */
	ACT_VIP_DEL,	    /* VIP @a out of lb_vips (dp_vip_del) */
	ACT_VIP_ADD,	    /* VIP @a into lb_vips again (dp_vip_set) */
	ACT_PROBES_FILL,    /* its flow's 16 probe slots: other live
			     * flows, the one at probe @a seen longest ago
			     * (what was there is kept for RESTORE) */
	ACT_PROBES_BUSY,    /* its flow's 16 probe slots: being written */
	ACT_PROBES_RESTORE, /* those slots as they were before */
};

struct lb_act {
	__u8 op; /* enum lb_act_op */
	__u32 a;
	__u32 b;
};

enum lb_path {
	LBP_ROUTER, /* no VIP: no LB counter, no flow entry moves */
	LBP_NONE,   /* the VIP matched, no backend was found */
	LBP_NEW,    /* Maglev picked (miss, SYN, rehash) */
	LBP_HIT,    /* the flow table answered */
};

enum lb_out {
	LBO_SAME,    /* the input, byte for byte */
	LBO_ENCAP,   /* encapsulated toward the predicted backend */
	LBO_ROUTED,  /* the router's: .routed L2, TTL - 1 */
	LBO_TOO_BIG, /* ICMP too big back to the client */
};

/* The destination's bit in the VIP pre-check bitmap, after the actions. */
enum lb_bit {
	BIT_ANY,
	BIT_SET,
	BIT_CLEAR,
};

/* The flow table's event the row counts (uapi lb_flows.h); every other
 * row counts none. */
enum lb_fev {
	FEV_NONE,
	FEV_EVICTED, /* +1 evicted: the row's flow took probe ACT_PROBES_FILL's
		      * @a, the others are as they were */
	FEV_BUSY,    /* +1 insert_fail_busy: the row's flow is not entered */
};

enum lb_seen {
	SEEN_ANY,
	SEEN_NOW,  /* the entry was stamped by this run */
	SEEN_KEPT, /* ... left as ACT_FLOW_AGE wrote it */
};

struct lb_fixture {
	const char *name;
	int ingress;
	struct pkt_spec in;
	struct pkt_mut mut[PKT_MAX_MUT];
	struct lb_act act[LB_MAX_ACT];	 /* before the packet */
	struct lb_act after[LB_MAX_ACT]; /* after it: put back */
	int verdict;			 /* XDP_* */
	int reason;	      /* SLUICE_*, counted once on the ingress slot */
	__u32 vip;	      /* the VIP whose counters move; 0: none */
	__u8 path;	      /* enum lb_path */
	__u8 out;	      /* enum lb_out */
	__s8 flows;	      /* change of the flow table's size */
	__u32 mtu;	      /* LBO_TOO_BIG: the MTU the answer names */
	struct l2_out routed; /* LBO_ROUTED */
	bool same_be;	      /* the backend of the row before, which the
				 * 5-tuple hash would not have given */
	__u8 seen;	      /* enum lb_seen: the entry's last_seen_ns */
	__u8 meta;	      /* metadata bytes in front of the frame */
	__u8 bit;	      /* enum lb_bit */
	const char *same_bit; /* an address whose bit the destination's
				 * is (a pre-check collision) */
	__u8 fev;	      /* enum lb_fev */
};

extern const struct sluice_lb_config lb_config_def;
extern const struct lb_backend_def lb_backends[];
extern const size_t lb_n_backends;
extern const struct lb_vip_def lb_vips[];
extern const size_t lb_n_vips;
extern const struct lb_fixture lb_fixtures[];
extern const size_t lb_n_fixtures;
extern const struct sweep_fixture lb_sweeps[];
extern const size_t lb_n_sweeps;

/* The cost figure: one flow, as an ACK (flow-table hit) and as a SYN of a
 * new flow (the entry is deleted before each: Maglev pick and insert). */
extern const struct lb_fixture lb_perf_ack;
extern const struct lb_fixture lb_perf_syn;

#endif
