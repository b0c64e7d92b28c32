// SPDX-License-Identifier: GPL-2.0-only
/*
 * sluice's XDP entry point: parse once, then the load balancer (packets to
 * a VIP), then the L3 router.  Each stage lives in its own header under
 * lib/, written against the context layer (ctx/); this file is the
 * pipeline and nothing else.
 *
 * The stateful layer's order (docs/stateful.md): parse -> DDoS guard ->
 * conntrack lookup (sets l3_info.ct_state) -> firewall "in" -> conntrack
 * commit (a NEW flow the firewall let through gets its entry) -> load
 * balancer -> NAT -> route -> firewall "out" -> forward.  Those stages run
 * in programs chained by tail calls through xdp_tails (lib/chain.h);
 * sluice_xdp itself parses and, with nothing stateful configured, balances
 * and routes as it always has.
 */
#include "ctx/xdp.h"
#include "lib/forward.h"
#include "lib/fw.h"
#include "lib/l3.h"
#include "lib/lb.h"
#include "lib/lb_hbh.h"
#include "lib/parse.h"
#include "lib/pkt.h"
#include "lib/pkt_state.h"
#include "lib/route.h"
#include "lib/stats.h"
#include "lib/steer.h"

int sluice_xdp_ct(struct xdp_md *ctx);
int sluice_xdp_nat(struct xdp_md *ctx);
int sluice_xdp_ddos(struct xdp_md *ctx);
int sluice_xdp_route(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} xdp_tails SEC(".maps") = {
	.values = { [0] = (void *)&sluice_xdp_ct,
		    [1] = (void *)&sluice_xdp_nat,
		    [2] = (void *)&sluice_xdp_ddos,
		    [3] = (void *)&sluice_xdp_route },
};

#define CHAIN_TAILS xdp_tails
#include "lib/chain.h"

_Static_assert(TAIL_CT == 0 && TAIL_NAT == 1 && TAIL_DDOS == 2 &&
		       TAIL_ROUTE == 3 && TAIL_SLOTS == 4,
	       "xdp_tails' slots are lib/chain.h's");

/* The load balancer, then routing (or NAT's program when a rule exists).
 * With @st's conntrack result (the stateful half): a NATed flow's
 * packets skip the load balancer (their binding says where they go), and
 * a full-NAT VIP's new flow goes to NAT with the backend picked.  The
 * stateless router passes no @st (NULL, @nat 0): nothing reads it then. */
static __always_inline int route_half(struct __ctx_buff *ctx, struct pkt *p,
				      struct l3_info *f, struct pkt_state *st,
				      int nat)
{
	struct lb_fullnat fn;
	int r;

	if (!nat || !st->ct.hit || !(st->ct.flags & SLUICE_CTF_NAT)) {
		r = lb_stage(ctx, p, f, nat ? &fn : NULL);
		if (r == LB_FULLNAT) {
			__builtin_memcpy(st->np.lb.addr, fn.addr, 16);
			st->np.lb.port = fn.port;
			st->np.flags = NAT_PENDING_LB;
		} else if (r != DP_CONTINUE) {
			return r;
		}
	}
	if (lb_hbh_after(f))
		return SLUICE_PASS_IP_OPTIONS;
	if (nat)
		return chain_to_nat(ctx, p, st);
	r = route_lookup(p, f);
	if (r != DP_CONTINUE)
		return r;
	return forward_stage(ctx, p, f);
}

/* A direct-server-return VIP's flow stays out of conntrack: its answers
 * never pass here, so it would be seen one way only, held half-open and
 * its ACKs called invalid (a firewall's "state invalid: drop" would cut
 * every such VIP).  A full-NAT VIP's is tracked: its NAT needs it. */
static __always_inline int ct_bypass(const struct l3_info *f)
{
	return lb_vip_untracked(f);
}

SEC("xdp")
int sluice_xdp_ct(struct xdp_md *ctx)
{
	return CHAIN_PROGRAM(ctx, chain_stateful);
}

SEC("xdp")
int sluice_xdp_nat(struct xdp_md *ctx)
{
	return nat_tail_run(ctx);
}

SEC("xdp")
int sluice_xdp_ddos(struct xdp_md *ctx)
{
	return CHAIN_PROGRAM(ctx, chain_ddos);
}

SEC("xdp")
int sluice_xdp_route(struct xdp_md *ctx)
{
	return CHAIN_PROGRAM(ctx, chain_route);
}

/* Parsing, then the stateless router unless something stateful is on.
 * Here l3_info is on the stack, as the router has always had it (what the
 * verifier knows of it keeps this program's check short); the chain gets
 * a copy in pkt_state. */
static __always_inline int pipeline(struct __ctx_buff *ctx, struct pkt *p)
{
	struct l3_info f = {};
	int r;

	r = parse_port(p);
	if (r != DP_CONTINUE)
		return r;
	r = parse_frame(p, &f);
	if (lb_hbh_wanted(p, &f, r)) {
		/* to a VIP with hop-by-hop: straight to the LB (lb_hbh.h) */
		trace_note_rx(p, &f);
		f.ct_state = SLUICE_CTM_UNTRACKED;
	} else {
		if (r != DP_CONTINUE)
			return r;
		trace_note_rx(p, &f);
		/* to an AF_XDP socket, before the rest */
		r = steer_stage(ctx, p, &f);
		if (r != DP_CONTINUE)
			return r;
		if (chain_from_entry(ctx, p, &f, &r))
			return r;
		f.ct_state = SLUICE_CTM_UNTRACKED;
		r = fw_in(ctx, p, &f);
		if (r != DP_CONTINUE)
			return r;
	}
	return route_half(ctx, p, &f, NULL, 0);
}

SEC("xdp")
int sluice_xdp(struct xdp_md *ctx)
{
	struct pkt p = {};

	pkt_init(&p, ctx);
	trace_begin(&p);
	return finish(&p, pipeline(ctx, &p));
}

/* Which queues have a socket (lib/dp/steer.c; never attached). */
SEC("xdp")
int sluice_steer_probe(struct xdp_md *ctx)
{
	return steer_probe(ctx);
}

char LICENSE[] SEC("license") = "GPL";
