/* SPDX-License-Identifier: GPL-2.0-only */
/* Turns the deciding reason into a counter and an XDP verdict.  Only the
 * entry point calls this, once per packet. */
#ifndef SLUICE_BPF_STATS_H
#define SLUICE_BPF_STATS_H

#include "ctx.h"
#include "maps.h"

static __always_inline int finish(struct pkt *p, int reason)
{
	__u32 idx;
	struct sluice_counter *c;

	if (reason < 0 || reason >= SLUICE_REASON_MAX)
		reason = SLUICE_DROP_REDIRECT;
	idx = p->slot * SLUICE_REASON_MAX + (__u32)reason;
	c = bpf_map_lookup_elem(&stats, &idx);
	if (c) {
		c->packets++;
		c->bytes += p->len;
	}
	if (reason == SLUICE_FWD_REDIRECT || reason == SLUICE_FWD_LB)
		return XDP_REDIRECT;
	if (reason == SLUICE_FWD_TX || reason == SLUICE_FWD_LB_TX)
		return XDP_TX;
	if (reason == SLUICE_DROP_LB_TOO_BIG && p->icmp_sent)
		return XDP_TX;	/* dropped, answered with ICMP too big */
	if (reason < SLUICE_REASON_FIRST_DROP)
		return XDP_PASS;
	return XDP_DROP;
}

#endif
