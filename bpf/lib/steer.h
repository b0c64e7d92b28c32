/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Steering to AF_XDP sockets (uapi/sluice/steer.h, docs/steering.md): the
 * stage right after parsing in sluice_xdp.  A TCP or UDP packet that a
 * selector matches goes to the socket registered for its ingress port
 * and rx queue; with no socket there it goes on its normal path and the
 * selector's no_socket counter says so.  Off (one array read) until a
 * selector exists.
 *
 * XDP only: an AF_XDP socket is reached through an XSKMAP redirect,
 * which TC has no equivalent of; the stage reads the rx queue from the
 * xdp_md itself.
 */
#ifndef SLUICE_BPF_STEER_H
#define SLUICE_BPF_STEER_H

#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include "l3.h"
#include "parse.h"
#include "pkt.h"
#include "steer_maps.h"

#define STEER_BGP_PORT 179

/* @s when it takes packets of rx queue @rxq, else NULL. */
static __always_inline const struct sluice_steer_sel *
steer_on_queue(const struct sluice_steer_sel *s, __u32 rxq)
{
	if (s && s->queue != SLUICE_STEER_ANY_QUEUE && s->queue != rxq)
		return NULL;
	return s;
}

/* The port selector of @f on @ifindex's packets (0: any port's). */
static __always_inline const struct sluice_steer_sel *
steer_port(const struct l3_info *f, __u32 ifindex, __u32 rxq)
{
	struct sluice_steer_port_key k = {
		.ifindex = ifindex,
		.proto = f->proto,
		.dport = (__be16)(f->ports >> 16),
	};

	return steer_on_queue(bpf_map_lookup_elem(&steer_ports, &k), rxq);
}

/* The prefix selector of @f's destination on @ifindex's packets. */
static __always_inline const struct sluice_steer_sel *
steer_dst_lookup(const struct l3_info *f, __u32 ifindex, __u32 rxq)
{
	struct sluice_steer_dst_key k = { .ifindex = ifindex };

	if (f->family == AF_INET) {
		k.prefixlen = 32 + 128;
		k.addr[10] = 0xff;
		k.addr[11] = 0xff;
		__builtin_memcpy(&k.addr[12], f->dst, 4);
	} else {
		k.prefixlen = 32 + 128;
		__builtin_memcpy(k.addr, f->dst, 16);
	}
	return steer_on_queue(bpf_map_lookup_elem(&steer_dst, &k), rxq);
}

/* BGP's TCP port, either way: a prefix selector leaves a session alone. */
static __always_inline int steer_is_bgp(const struct l3_info *f)
{
	return f->proto == IPPROTO_TCP &&
	       ((__u16)f->ports == bpf_htons(STEER_BGP_PORT) ||
		(__u16)(f->ports >> 16) == bpf_htons(STEER_BGP_PORT));
}

/* Selector lookups: port, then prefix; an interface's own entries
 * before those of every port. */
static __always_inline const struct sluice_steer_sel *
steer_match(const struct pkt *p, const struct l3_info *f, __u32 flags,
	    __u32 rxq)
{
	const struct sluice_steer_sel *s = NULL;

	if (flags & SLUICE_STEER_F_PORTS) {
		if (flags & SLUICE_STEER_F_IFACE)
			s = steer_port(f, p->ingress_ifindex, rxq);
		if (!s)
			s = steer_port(f, 0, rxq);
		if (s)
			return s;
	}
	if (!(flags & (f->family == AF_INET ? SLUICE_STEER_F_DST4 :
					      SLUICE_STEER_F_DST6)) ||
	    steer_is_bgp(f))
		return NULL;
	if (flags & SLUICE_STEER_F_IFACE)
		s = steer_dst_lookup(f, p->ingress_ifindex, rxq);
	if (!s)
		s = steer_dst_lookup(f, 0, rxq);
	return s;
}

/* The counter slot of the physical port: the socket is bound to it, a
 * tagged frame's p->slot is its VLAN subinterface's. */
static __always_inline __u32 steer_port_slot(const struct pkt *p)
{
	const struct sluice_iface *i;

	if (!p->tagged)
		return p->slot;
	i = port_lookup(p->ingress_ifindex);
	return i ? i->slot : SLUICE_MAX_IFACES;
}

/* Selector @s matched: to the socket of (the packet's port, @rxq), or on
 * its normal path (DP_CONTINUE) when there is none; @s's counters say
 * which. */
static __always_inline int
steer_to_xsk(struct pkt *p, const struct sluice_steer_sel *s, __u32 rxq)
{
	struct sluice_steer_counter *n;
	__u32 slot, id = s->id;

	n = bpf_map_lookup_elem(&steer_counters, &id);
	slot = steer_port_slot(p);
	if (n)
		n->matched++;
	if (rxq < SLUICE_STEER_MAX_QUEUES && slot < SLUICE_MAX_IFACES &&
	    bpf_redirect_map(&steer_xsks, SLUICE_STEER_XSK_KEY(slot, rxq), 0) ==
		    XDP_REDIRECT) {
		if (n)
			n->redirected++;
		return SLUICE_FWD_STEER_XSK;
	}
	if (n)
		n->no_socket++;
	return DP_CONTINUE;
}

static __always_inline int steer_stage(struct xdp_md *ctx, struct pkt *p,
				       const struct l3_info *f)
{
	const struct sluice_steer_config *c;
	const struct sluice_steer_sel *s;
	__u32 zero = 0, rxq;

	c = bpf_map_lookup_elem(&steer_config, &zero);
	/* off, or only a transit selector (the route stage's) */
	if (!c || !(c->flags & ~SLUICE_STEER_F_TRANSIT))
		return DP_CONTINUE;
	/* only TCP and UDP: ARP, ND, ICMP, OSPF stay the kernel's */
	if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		return DP_CONTINUE;
	rxq = ctx->rx_queue_index;
	s = steer_match(p, f, c->flags, rxq);
	if (!s)
		return DP_CONTINUE;
	return steer_to_xsk(p, s, rxq);
}

/*
 * Which queues of a port have a socket: user space cannot read an XSKMAP
 * (lookups from a syscall are refused), so lib/dp runs this program
 * (BPF_PROG_TEST_RUN) with the port's slot in the frame's first 4 bytes
 * and reads back the bitmap of queues with a socket at bytes 8..15.
 */
static __always_inline int steer_probe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 *slot = data;
	__u64 *bits = data + 8, have = 0;

	if (data + 16 > end || *slot >= SLUICE_MAX_IFACES)
		return XDP_DROP;
	for (__u32 q = 0; q < SLUICE_STEER_MAX_QUEUES; q++) {
		__u32 k = SLUICE_STEER_XSK_KEY(*slot, q);

		if (bpf_map_lookup_elem(&steer_xsks, &k))
			have |= 1ull << q;
	}
	*bits = have;
	return XDP_PASS;
}

#endif
