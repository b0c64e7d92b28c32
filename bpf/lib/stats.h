/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Turns the deciding reason into a counter and the hook's action.  Only an
 * entry point calls this, once per packet: every packet is counted under
 * exactly one reason, and the verdict comes from the reason's row in
 * uapi/sluice/reasons.h, never from its position.
 */
#ifndef SLUICE_BPF_STATS_H
#define SLUICE_BPF_STATS_H

#include "pkt.h"
#include "stats_maps.h"
#include "trace.h"

/* The verdict column of the reason list, as a table the program indexes. */
#define SLUICE_VERDICT_ROW_(id, num, name, verdict) [num] = verdict,
static const volatile __u8 reason_verdict[SLUICE_REASON_SLOTS] = {
	SLUICE_REASONS(SLUICE_VERDICT_ROW_)
};
#undef SLUICE_VERDICT_ROW_

/* Reasons that exist (holes in the list are not): a stage can only
 * return these, the check keeps a mistake visible as REASON_INVALID. */
#define SLUICE_REASON_KNOWN_(id, num, name, verdict) [num] = 1,
static const volatile __u8 reason_known[SLUICE_REASON_SLOTS] = { SLUICE_REASONS(
	SLUICE_REASON_KNOWN_) };
#undef SLUICE_REASON_KNOWN_

static __always_inline void count_reason(__u32 slot, __u32 reason, __u32 len)
{
	__u32 idx = slot * SLUICE_REASON_SLOTS + reason;
	struct sluice_counter *c;

	c = bpf_map_lookup_elem(&stats, &idx);
	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

static __always_inline int finish(struct pkt *p, int reason)
{
	__u32 r = (__u32)reason;
	__u8 verdict;

	if (r >= SLUICE_REASON_SLOTS)
		r = SLUICE_REASON_INVALID;
	/* a no-op mask the compiler must keep: a reason from a global stage
	 * is an unknown the verifier bounds only through it */
	asm volatile("" : "+r"(r));
	r &= SLUICE_REASON_SLOTS - 1;
	if (!reason_known[r])
		r = SLUICE_REASON_INVALID;
	if (p->slot >= SLUICE_MAX_IFACES)
		p->slot = 0;
	count_reason(p->slot, r, p->len);
	verdict = reason_verdict[r];
	trace_packet(p, r, verdict);
	return ctx_action(verdict, p->redirect);
}

#endif
