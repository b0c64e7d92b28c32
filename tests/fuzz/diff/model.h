/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The reference model's internals, shared by model_l3.c (parsing, routing,
 * forwarding) and model_lb.c (the load balancer).  Written from what the BPF
 * programs do, not from their code: the model parses the frame's bytes
 * itself, looks routes up linearly in the configuration's route list, and
 * builds the output frame from scratch.
 */
#ifndef SLUICE_TESTS_DIFF_MODEL_H
#define SLUICE_TESTS_DIFF_MODEL_H

#include "diff.h"

#define M_CONTINUE (-1)

/* The packet as the model parsed it. */
struct m_pkt {
	const struct d_frame *f;
	const __u8 *b; /* the frame */
	__u32 len;
	const struct d_iface *port;  /* the physical ingress port */
	const struct d_iface *in_if; /* the logical one (VLAN subif) */
	__u32 slot;
	bool tagged;
	__u16 tci;
	__u32 l3_off;
	__u16 ethertype; /* of L3 */
	/* L3 */
	__u8 family; /* AF_INET, AF_INET6 */
	__u8 proto;  /* v6: the first next header */
	__u8 ttl;
	__u32 l3_len; /* v4 total length, v6 40 + payload length */
	__u32 l4_off;
	__u8 src[16], dst[16]; /* v4 in the first 4 bytes, rest zero */
	__u32 ports;	       /* the L4 header's first 4 bytes as loaded */
	__u8 tcp_flags;
	int plant; /* dcfg.plant */
};

/* A resolved next hop. */
struct m_hop {
	const struct d_iface *out; /* the logical egress */
	__u8 mac[6];		   /* the neighbour's */
};

const struct d_iface *m_iface(const struct dcfg *c, __u32 ifindex);
/* Longest match of @dst in the route list: NULL when none. */
const struct d_route *m_route(const struct dcfg *c, __u8 family,
			      const __u8 *dst);
/* Resolve member @hash % count of @rt's group for a packet to @dst:
 * M_CONTINUE with @h set, or the router's reason. */
int m_resolve(const struct dcfg *c, const struct d_route *rt, __u8 family,
	      const __u8 *dst, __u32 hash, struct m_hop *h);
/* A route's router verdict: M_CONTINUE for one that forwards. */
int m_route_reason(const struct dcfg *c, const struct d_route *rt);
/* Write the frame to send: new L2 for @h's egress in front of @l3 (@l3_len
 * bytes, the rest of the frame), into @r; the reason it is sent with
 * (FWD_REDIRECT, FWD_TX, DROP_REDIRECT). */
int m_emit(const struct dcfg *c, const struct m_pkt *p, const struct m_hop *h,
	   __u16 ethertype, const __u8 *l3, __u32 l3_len, struct d_result *r);

#endif
