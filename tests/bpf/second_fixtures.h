/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Second chance's tables for the BPF tier (second_runner.c).
 *
 * Backend rows: a frame as a load balancer sends it to this host, the
 * client's packet inside one tunnel or two (the inner one to the backend
 * the flow had before), whether this host has the connection's socket, and
 * what the decapsulation program must make of it: the client's packet
 * delivered, the inner tunnel sent back to the hop that brought it (MACs
 * swapped, TTL - 1), or the input.
 *
 * LB rows: a VIP whose table changed (the previous one kept, or past its
 * grace period, or none), a flow chosen by the runner for the property the
 * row names (its previous and current backends differ, or agree), and
 * whether the output carries the previous backend.
 */
#ifndef SLUICE_TESTS_SECOND_FIXTURES_H
#define SLUICE_TESTS_SECOND_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "decap_fixtures.h"
#include "pktbuild.h"

enum sc_sock {
	SCS_NONE,	 /* no connection for the row's 4-tuple (the listener
			 * on the VIP's port is always there) */
	SCS_ESTABLISHED, /* a connection from the client's address and port
			  * to the VIP's, made before the row */
};

enum sc_out {
	SCO_SAME,  /* the input, byte for byte */
	SCO_INNER, /* the client's packet behind the frame's L2 */
	SCO_MID,   /* the carried tunnel to the previous backend, back to
		    * the hop: MACs swapped (tag kept), TTL / hop limit - 1 */
};

struct second_fixture {
	const char *name;
	struct pkt_spec in;	/* the client's packet, the frame's L2 */
	struct dx_tunnel mid;	/* to the previous backend (DXT_NONE: none) */
	struct dx_tunnel outer; /* from the LB to this host */
	struct pkt_mut mut[PKT_MAX_MUT];  /* on the whole frame */
	__u8 sock;			  /* enum sc_sock */
	int verdict;			  /* XDP_* */
	int reason;			  /* counted once */
	__u8 out;			  /* enum sc_out */
	struct pkt_mut imut[PKT_MAX_MUT]; /* on the carried tunnel before the
					   * outer header (and on SCO_MID) */
};

extern const struct second_fixture second_fixtures[];
extern const size_t second_n_fixtures;

/* ---- the load balancer's half ---------------------------------------- */

#define SC_MAX_BE 4

struct second_vip_def {
	__u32 id;
	const char *addr;
	__u8 proto;
	__u16 port;
	__u16 flags; /* SLUICE_VIP_* */
	__u32 ring;
	__u32 be[SC_MAX_BE];   /* now (backend ids of lb_fixtures.c) */
	__u32 prev[SC_MAX_BE]; /* before the change */
};

enum sc_grace {
	SCG_ON,	  /* the previous table, until a minute from now */
	SCG_PAST, /* the previous table, until a second ago */
	SCG_NONE, /* no previous table */
};

enum sc_want {
	SCW_DIFFER, /* a flow whose backend then and now differ */
	SCW_AGREE,  /* one whose backend is the same in both */
};

enum sc_pre {
	SCP_NONE,
	SCP_SYN_FIRST, /* the same flow's SYN first: the table knows it */
	SCP_PREV_DOWN, /* the previous backend is down (restored after) */
	SCP_PREV_DEL,  /* the previous backend is deleted (restored after) */
};

struct second_lb_fixture {
	const char *name;
	__u32 vip;
	__u8 l3;	/* PKT_L3_IP4 or _IP6 (the client's) */
	__u8 l4;	/* IPPROTO_TCP or _UDP */
	__u8 tcp_flags; /* 0: PSH | ACK */
	__u16 payload;
	__u8 grace;   /* enum sc_grace */
	__u8 want;    /* enum sc_want */
	__u8 pre;     /* enum sc_pre */
	int reason;   /* SLUICE_FWD_LB or SLUICE_FWD_LB_SECOND */
	bool carried; /* the output nests the previous backend's tunnel */
	__s8 flows;   /* change of the flow table's size */
	bool pair;    /* then through the backends: the new one without the
			 * socket sends it on, the previous one delivers */
};

extern const struct second_vip_def second_vips[];
extern const size_t second_n_vips;
extern const struct second_lb_fixture second_lb_fixtures[];
extern const size_t second_n_lb_fixtures;

#endif
