/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the stages decided, for the trace (uapi/sluice/trace.h's
 * sluice_trace_decision, docs/trace.md).  trace_begin() looks the switch
 * up once at the packet's start (the lookup finish() made before) and
 * notes it in struct pkt; a stage that decides something calls a
 * trace_note_*() here, which with the trace off is a test of that byte
 * and nothing else.  On, the decision goes into the per-CPU event
 * trace_packet() sends (trace_scratch): the packet's programs, tail
 * calls included, run on one CPU.
 */
#ifndef SLUICE_BPF_TRACE_NOTE_H
#define SLUICE_BPF_TRACE_NOTE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/trace.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include "l3.h"
#include "pkt.h"
#include "trace_maps.h"

/* The entry point, after pkt_init(): the trace's switch, and with the
 * trace on an empty decision. */
static __always_inline void trace_begin(struct pkt *p)
{
	struct sluice_trace_event *ev;
	struct sluice_trace_cfg *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&trace_cfg, &zero);
	if (!c || !c->enabled)
		return;
	ev = bpf_map_lookup_elem(&trace_scratch, &zero);
	if (!ev)
		return;
	__builtin_memset(&ev->d, 0, sizeof(ev->d));
	ev->flags = 0; /* no addresses as received yet */
	p->tracing = 1;
}

/* The packet as received, from the parse and before any stage rewrites
 * it (NAT, the LB's full NAT): the event's addresses and ports, and what
 * the trace's filter matches, are these (SLUICE_TRACE_F_RX); what a
 * stage changed is in its note and in the frame. */
static __always_inline void trace_note_rx(const struct pkt *p,
					  const struct l3_info *f)
{
	struct sluice_trace_event *ev;
	__u32 zero = 0;

	if (!p->tracing)
		return;
	ev = bpf_map_lookup_elem(&trace_scratch, &zero);
	if (!ev)
		return;
	ev->family = f->family;
	ev->proto = f->proto;
	__builtin_memcpy(ev->src, f->src, 16);
	__builtin_memcpy(ev->dst, f->dst, 16);
	ev->flags = SLUICE_TRACE_F_PARSED | SLUICE_TRACE_F_RX;
	if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) {
		/* f->ports: the two ports as loaded, network order */
		ev->sport = bpf_ntohs((__u16)f->ports);
		ev->dport = bpf_ntohs((__u16)(f->ports >> 16));
		ev->flags |= SLUICE_TRACE_F_PORTS;
	}
}

/* The packet's decision while the trace is on, else NULL. */
static __always_inline struct sluice_trace_decision *
trace_note(const struct pkt *p)
{
	struct sluice_trace_event *ev;
	__u32 zero = 0;

	if (!p->tracing)
		return NULL;
	ev = bpf_map_lookup_elem(&trace_scratch, &zero);
	return ev ? &ev->d : NULL;
}

/* A firewall set decided: rule @id (or, @policy, its policy counter
 * @id) with @action. */
static __always_inline void trace_note_fw(const struct pkt *p, __u32 id,
					  __u8 action, int policy)
{
	struct sluice_trace_decision *d = trace_note(p);

	if (!d)
		return;
	d->flags &= ~(SLUICE_TRACE_D_FW | SLUICE_TRACE_D_FW_POLICY);
	d->flags |= policy ? SLUICE_TRACE_D_FW_POLICY : SLUICE_TRACE_D_FW;
	d->fw_id = id;
	d->fw_action = action;
}

static __always_inline void trace_note_ct(const struct pkt *p, __u8 ct_state)
{
	struct sluice_trace_decision *d = trace_note(p);

	if (!d)
		return;
	d->flags |= SLUICE_TRACE_D_CT;
	d->ct_state = ct_state;
}

/* The packet's VIP, and its backend once picked (0 before). */
static __always_inline void trace_note_vip(const struct pkt *p, __u32 vip_id,
					   __u32 backend_id)
{
	struct sluice_trace_decision *d = trace_note(p);

	if (!d)
		return;
	d->flags |= SLUICE_TRACE_D_VIP;
	d->vip_id = vip_id;
	d->backend_id = backend_id;
}

/* NAT rewrote the destination (@dst_side) or the source. */
static __always_inline void trace_note_nat(const struct pkt *p, int dst_side)
{
	struct sluice_trace_decision *d = trace_note(p);

	if (d)
		d->flags |= dst_side ? SLUICE_TRACE_D_NAT_DST :
				       SLUICE_TRACE_D_NAT_SRC;
}

#endif
