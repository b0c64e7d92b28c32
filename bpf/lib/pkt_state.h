/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the stages hand on within one packet (parsing's l3_info,
 * conntrack's result to the firewall, NAT and the commit), kept in a
 * per-CPU map rather than on the stack: the entry point's stack is near
 * its 512 bytes; values read back from a map are unknowns to the
 * verifier, so the paths of the stages before converge instead of
 * multiplying through those after; and the state survives the tail call
 * into NAT's half of the pipeline (nat_tail.h).
 */
#ifndef SLUICE_BPF_PKT_STATE_H
#define SLUICE_BPF_PKT_STATE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ct.h"
#include "l3.h"
#include "nat.h"

/* The scalars of struct pkt a global stage needs (its pointers cannot
 * go through a map). */
struct pkt_scalars {
	__u32 len;
	__u32 slot;
	__u32 ingress_ifindex;
	__u32 in_ifindex;
	__u32 l3_off;
	__u16 l3_proto;
	__u16 vlan_tci;
	__u16 port_flags;
	__u8 tagged;
	__u8 fw_out;  /* fw.h: some port has "out" rules */
	__u8 tracing; /* trace_note.h */
};

struct pkt_state {
	struct l3_info f; /* what parsing learnt, for every stage */
	struct ct_pkt ct;
	struct nat_pending np;
	struct pkt_scalars pkt;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pkt_state);
} pkt_state SEC(".maps");

static __always_inline struct pkt_state *pkt_state_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&pkt_state, &zero);
}

/* Before a tail call: @p's scalars into the packet's state. */
static __always_inline void pkt_state_save(struct pkt_state *st,
					   const struct pkt *p)
{
	st->pkt.len = p->len;
	st->pkt.slot = p->slot;
	st->pkt.ingress_ifindex = p->ingress_ifindex;
	st->pkt.in_ifindex = p->in_ifindex;
	st->pkt.l3_off = p->l3_off;
	st->pkt.l3_proto = p->l3_proto;
	st->pkt.vlan_tci = p->vlan_tci;
	st->pkt.port_flags = p->port_flags;
	st->pkt.tagged = p->tagged;
	st->pkt.fw_out = p->fw_out;
	st->pkt.tracing = p->tracing;
}

/* After it: the packet again, from the context and the state.  The L3
 * offset is bounded for the verifier (Ethernet and at most one tag). */
static __always_inline void pkt_state_load(struct pkt *p, struct pkt_state *st,
					   struct __ctx_buff *ctx)
{
	pkt_init(p, ctx);
	p->len = st->pkt.len;
	p->slot = st->pkt.slot;
	p->in_ifindex = st->pkt.in_ifindex;
	p->ingress_ifindex = st->pkt.ingress_ifindex;
	p->l3_off = st->pkt.l3_off == 18 ? 18 : 14;
	p->l3_proto = st->pkt.l3_proto;
	p->vlan_tci = st->pkt.vlan_tci;
	p->port_flags = st->pkt.port_flags;
	p->tagged = st->pkt.tagged;
	p->fw_out = st->pkt.fw_out;
	p->tracing = st->pkt.tracing;
}

#endif
