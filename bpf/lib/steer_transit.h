/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transit steering (uapi/sluice/steer.h, docs/steering.md): every packet
 * the router would forward, of any protocol, to the AF_XDP socket of its
 * ingress port and rx queue, for a router in user space (issue #10's
 * sluice-vrouter).  It runs at the head of forward_stage(): the route
 * lookup has said "forward" (a next-hop group: not local, not a kernel
 * route, no route or TTL expiry, which stay the kernel's), and nothing
 * has resolved the neighbour or touched the frame yet, so the user-space
 * router gets its transit traffic whole, unresolved neighbours included,
 * with the TTL and the MACs as they came in.  ARP, ND, multicast and
 * link-local traffic never get this far (the parser hands them to the
 * kernel), nor does traffic to the host's own addresses.
 *
 * What ran before the route lookup ran: the DDoS guard, conntrack, the
 * firewall's "in" rules and NAT's rewrite (the firewall's "out" rules,
 * which need the egress port, do not).  Without a transit selector it
 * costs one flag test.  XDP only: at TC it is nothing.
 */
#ifndef SLUICE_BPF_STEER_TRANSIT_H
#define SLUICE_BPF_STEER_TRANSIT_H

#include "pkt.h"

#ifdef SLUICE_CTX_XDP
#include "steer.h"

/* The transit selector of @ifindex's packets (0: every port's). */
static __always_inline const struct sluice_steer_sel *
steer_transit_sel(__u32 ifindex, __u32 rxq)
{
	struct sluice_steer_port_key k = {
		.ifindex = ifindex,
		.proto = SLUICE_STEER_PROTO_TRANSIT,
	};

	return steer_on_queue(bpf_map_lookup_elem(&steer_ports, &k), rxq);
}

static __always_inline int steer_transit(struct xdp_md *ctx, struct pkt *p)
{
	const struct sluice_steer_config *c;
	const struct sluice_steer_sel *s;
	__u32 zero = 0, rxq;

	c = bpf_map_lookup_elem(&steer_config, &zero);
	if (!c || !(c->flags & SLUICE_STEER_F_TRANSIT))
		return DP_CONTINUE;
	rxq = ctx->rx_queue_index;
	/* the port's own selector, then the one of every port */
	s = steer_transit_sel(p->ingress_ifindex, rxq);
	if (!s)
		s = steer_transit_sel(0, rxq);
	if (!s)
		return DP_CONTINUE;
	return steer_to_xsk(p, s, rxq);
}
#else
/* TC: an AF_XDP socket is reached only through an XDP redirect. */
static __always_inline int steer_transit(struct __ctx_buff *ctx, struct pkt *p)
{
	(void)ctx;
	(void)p;
	return DP_CONTINUE;
}
#endif

#endif
