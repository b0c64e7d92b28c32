/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The chain of programs an entry point is made of (docs/stateful.md): one
 * program holding every stage is past the verifier's budget and the
 * stack's 512 bytes, so the stages run in programs joined by tail calls,
 * each verified on its own, with what crosses a call in pkt_state.
 *
 *   entry --(guard configured)--> ddos --> ct, or route
 *         --(tracking on)-------> ct --(NAT rule or full-NAT VIP)--> nat
 *
 * The entry file (sluice_xdp.bpf.c, sluice_tc.bpf.c) defines the program
 * array CHAIN_TAILS with the slots below, route_half(): what follows
 * the stateful stages at its hook (the load balancer, then routing or
 * NAT's program), and ct_bypass(): what stays out of conntrack there;
 * then includes this header and wraps each body here in a program of its
 * hook's section.
 */
#ifndef SLUICE_BPF_CHAIN_H
#define SLUICE_BPF_CHAIN_H

#include "ct.h"
#include "ddos.h"
#include "fw.h"
#include "nat_tail.h"
#include "pkt.h"
#include "pkt_state.h"
#include "stats.h"

#ifndef CHAIN_TAILS
#error "the entry file defines CHAIN_TAILS, its program array"
#endif

#define TAIL_CT 0
#define TAIL_NAT 1
#define TAIL_DDOS 2
#define TAIL_ROUTE 3
#define TAIL_SLOTS 4

static __always_inline int route_half(struct __ctx_buff *ctx, struct pkt *p,
				      struct l3_info *f, struct pkt_state *st,
				      int nat);
static __always_inline int ct_bypass(const struct l3_info *f);

/* On to NAT's program (nat_tail.h). */
static __always_inline int chain_to_nat(struct __ctx_buff *ctx, struct pkt *p,
					struct pkt_state *st)
{
	pkt_state_save(st, p);
	bpf_tail_call(ctx, &CHAIN_TAILS, TAIL_NAT);
	return SLUICE_DROP_TAIL_MISSING;
}

/* The entry point, after parsing: on to the guard or the stateful half
 * when either is configured (0: neither, the entry goes on itself). */
static __always_inline int chain_from_entry(struct __ctx_buff *ctx,
					    struct pkt *p,
					    const struct l3_info *f, int *r)
{
	struct pkt_state *st;
	int ddos = ddos_on();

	if (!ddos && !ct_on())
		return 0;
	/* the packet state only for the chain: the stateless router
	 * never reads it */
	st = pkt_state_get();
	if (!st) {
		*r = SLUICE_REASON_INVALID;
		return 1;
	}
	st->f = *f;
	pkt_state_save(st, p);
	bpf_tail_call(ctx, &CHAIN_TAILS, ddos ? TAIL_DDOS : TAIL_CT);
	*r = SLUICE_DROP_TAIL_MISSING;
	return 1;
}

/* A program of the chain: the packet from pkt_state, @body, finish(). */
#define CHAIN_PROGRAM(ctx, body)                                               \
	({                                                                     \
		struct pkt_state *st_ = pkt_state_get();                       \
		struct pkt p_ = {};                                            \
		int r_;                                                        \
                                                                               \
		if (!st_) {                                                    \
			pkt_init(&p_, ctx);                                    \
			r_ = SLUICE_REASON_INVALID;                            \
		} else {                                                       \
			pkt_state_load(&p_, st_, ctx);                         \
			r_ = body(ctx, &p_, st_);                              \
		}                                                              \
		finish(&p_, r_);                                               \
	})

/* sluice_*_ct: conntrack, the firewall, the commit, then route_half(). */
static __always_inline int chain_stateful(struct __ctx_buff *ctx, struct pkt *p,
					  struct pkt_state *st)
{
	int r;

	st->np.flags = 0;
	r = ct_lookup(p, &st->f, &st->ct, ct_bypass(&st->f));
	if (r != DP_CONTINUE)
		return r;
	trace_note_ct(p, st->f.ct_state);
	r = fw_in(ctx, p, &st->f); /* with the conntrack state */
	if (r != DP_CONTINUE)
		return r;
	/* a connection a SYN cookie opened: the kernel's SYNPROXY
	 * translates its sequence numbers (ddos_ct.h) */
	if (st->ct.hit && (st->ct.flags & SLUICE_CTF_SYNPROXY))
		return SLUICE_PASS_DDOS_SYNPROXY;
	r = ct_commit(p, &st->ct);
	if (r != DP_CONTINUE)
		return r;
	return route_half(ctx, p, &st->f, st, nat_on());
}

/* sluice_*_ddos: the guard, then the stateful half or route_half(). */
static __always_inline int chain_ddos(struct __ctx_buff *ctx, struct pkt *p,
				      struct pkt_state *st)
{
	int r = ddos_stage(ctx, p, &st->f);

	if (r != DP_CONTINUE)
		return r;
	bpf_tail_call(ctx, &CHAIN_TAILS, ct_on() ? TAIL_CT : TAIL_ROUTE);
	return SLUICE_DROP_TAIL_MISSING;
}

/* sluice_*_route: what the guard let through, untracked: the
 * firewall's "in" rules, then route_half(). */
static __always_inline int chain_route(struct __ctx_buff *ctx, struct pkt *p,
				       struct pkt_state *st)
{
	int r;

	st->f.ct_state = SLUICE_CTM_UNTRACKED;
	r = fw_in(ctx, p, &st->f);
	if (r != DP_CONTINUE)
		return r;
	return route_half(ctx, p, &st->f, st, 0);
}

#endif
