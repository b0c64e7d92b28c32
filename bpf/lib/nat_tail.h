/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NAT's half of the pipeline, in a program of its own that the entry
 * point tail-calls when a NAT rule exists: NAT before the route lookup,
 * the route lookup, NAT after it, forwarding.  A program of its own
 * because NAT inlined into the entry point took it past the stack's 512
 * bytes and multiplied the verifier's work twentyfold (seconds at every
 * start); the tail call costs nothing to a router without NAT, and the
 * packet's state crosses it in pkt_state (pkt_state.h).
 */
#ifndef SLUICE_BPF_NAT_TAIL_H
#define SLUICE_BPF_NAT_TAIL_H

#include "forward.h"
#include "nat.h"
#include "pkt.h"
#include "pkt_state.h"
#include "route.h"
#include "stats.h"

/* The entry point tail-calls NAT's program only when a rule exists: a
 * router without NAT pays one array read. */
static __always_inline int nat_on(void)
{
	struct sluice_nat_config *nc;
	__u32 zero = 0;

	nc = bpf_map_lookup_elem(&nat_config, &zero);
	return nc && nc->flags;
}

static __always_inline int nat_half(struct __ctx_buff *ctx, struct pkt *p,
				    struct pkt_state *st)
{
	struct l3_info *f = &st->f;
	int r;

	r = nat_pre(ctx, p, f, &st->ct, &st->np);
	if (r != DP_CONTINUE)
		return r;
	r = route_lookup(p, f);
	r = nat_post(ctx, p, f, &st->ct, &st->np, r);
	if (r != DP_CONTINUE)
		return r;
	return forward_stage(ctx, p, f);
}

/* The tail program's body: the packet from pkt_state, then finish(). */
static __always_inline int nat_tail_run(struct __ctx_buff *ctx)
{
	struct pkt_state *st = pkt_state_get();
	struct pkt p = {};

	if (!st) {
		pkt_init(&p, ctx);
		return finish(&p, SLUICE_REASON_INVALID);
	}
	pkt_state_load(&p, st, ctx);
	return finish(&p, nat_half(ctx, &p, st));
}

#endif
