/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The backend side's tables for the BPF tier: the addresses of "this host"
 * and the frames the decapsulation program (sluice_decap, lib/dp's backend
 * role) gets, with what it must make of them.
 *
 * A row names the inner packet (a pkt_spec whose L2 is the frame's) and
 * the tunnel in front of it; the input is pkt_encap() of the two, the
 * expected output of a decapsulation is pkt_build() of the inner spec
 * alone: the same L2, the inner family's ethertype (in the tag, when
 * tagged), the inner packet byte for byte.  Everything else comes back
 * untouched.
 */
#ifndef SLUICE_TESTS_DECAP_FIXTURES_H
#define SLUICE_TESTS_DECAP_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <uapi/sluice/sluice.h>
#include "fixtures.h"
#include "pktbuild.h"

enum dx_kind {
	DXT_NONE, /* no tunnel: the spec is the whole frame */
	DXT_IPIP, /* outer IP, protocol 4 or 41 by inner family */
	DXT_GRE,  /* outer IP, protocol 47, GRE header */
};

/* The tunnel header in front of the inner packet (pkt_encap's fields). */
struct dx_tunnel {
	__u8 kind;	   /* enum dx_kind */
	const char *saddr; /* outer addresses, text; the family follows */
	const char *daddr;
	__u8 tos;
	__u32 flow;
	__u16 frag;   /* IPv4 flags and offset, host order */
	__u8 ip_opts; /* IPv4 option words */
	__u16 gre_flags;
	__u16 gre_proto; /* 0: the inner family's ethertype */
	__u32 gre_key;
	__u32 gre_seq;
};

struct decap_fixture {
	const char *name;
	struct pkt_spec in; /* the inner packet, with the frame's L2 */
	struct dx_tunnel t;
	/* on the encapsulated frame; a row that decapsulates may only cut
	 * it or change the outer header */
	struct pkt_mut mut[PKT_MAX_MUT];
	__u8 meta;	       /* metadata bytes in front of the frame */
	const char *add_local; /* dp_local_addr_set() before the row */
	const char *del_local; /* dp_local_addr_del() before the row */
	int verdict;	       /* XDP_* */
	int reason;	       /* SLUICE_DECAP_*, SLUICE_PASS_*, SLUICE_DROP_*
				 * of the decap list, counted exactly once */
	bool decap;	       /* output: the inner packet (pkt_build of
				 * .in, then .imut), cut as much as the input
				 * was; otherwise the input, byte for byte */
	/* on the inner packet before it is encapsulated (and so on the
	 * expected output too) */
	struct pkt_mut imut[PKT_MAX_MUT];
};

#define DX_EINVAL (-1) /* band: test_run refuses the frame */

struct dx_band {
	__u32 below; /* lengths below this (and above the last) */
	int reason;  /* of the decap list, or DX_EINVAL */
};

/* Cut one encapsulated frame at every length in [from, upto); where the
 * band's reason is a decapsulation, the output is the expected inner
 * frame cut by as much. */
struct decap_sweep {
	const char *name;
	struct pkt_spec in;
	struct dx_tunnel t;
	__u32 from;
	__u32 upto;
	struct dx_band band[6];
};

/* This host: registered with dp_local_addr_set() at setup. */
extern const char *const decap_local_addrs[];
extern const size_t decap_n_local_addrs;
extern const struct decap_fixture decap_fixtures[];
extern const size_t decap_n_fixtures;
extern const struct decap_sweep decap_sweeps[];
extern const size_t decap_n_sweeps;

#endif
