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
 * balancer -> NAT -> route -> firewall "out" -> forward.
 *
 * Programs chained by tail calls through xdp_tails, each verified on its
 * own (one program holding it all is past the verifier's budget and the
 * stack's 512 bytes): sluice_xdp parses and, with nothing stateful
 * configured, routes as before; sluice_xdp_ddos is the DDoS guard,
 * followed by sluice_xdp_ct (the stateful half) or sluice_xdp_route (the
 * load balancer and routing); sluice_xdp_nat is NAT's half of the
 * stateful one.  What crosses a tail call is in pkt_state.
 */
#include "ctx/xdp.h"
#include "lib/ct.h"
#include "lib/ddos.h"
#include "lib/forward.h"
#include "lib/l3.h"
#include "lib/lb.h"
#include "lib/nat_tail.h"
#include "lib/parse.h"
#include "lib/pkt.h"
#include "lib/pkt_state.h"
#include "lib/route.h"
#include "lib/stats.h"

#define TAIL_CT 0
#define TAIL_NAT 1
#define TAIL_DDOS 2
#define TAIL_ROUTE 3

int sluice_xdp_ct(struct xdp_md *ctx);
int sluice_xdp_nat(struct xdp_md *ctx);
int sluice_xdp_ddos(struct xdp_md *ctx);
int sluice_xdp_route(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(struct xdp_md *));
} xdp_tails SEC(".maps") = {
	.values = { [TAIL_CT] = (void *)&sluice_xdp_ct,
		    [TAIL_NAT] = (void *)&sluice_xdp_nat,
		    [TAIL_DDOS] = (void *)&sluice_xdp_ddos,
		    [TAIL_ROUTE] = (void *)&sluice_xdp_route },
};

/* The load balancer, then routing (or NAT's half when a rule exists).
 * With @st's conntrack result (the stateful half): a NATed flow's
 * packets skip the load balancer (their binding says where they go), and
 * a full-NAT VIP's new flow goes to NAT with the backend picked. */
static __always_inline int lb_and_route(struct __ctx_buff *ctx, struct pkt *p,
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
	if (nat) {
		pkt_state_save(st, p);
		bpf_tail_call(ctx, &xdp_tails, TAIL_NAT);
		return SLUICE_DROP_TAIL_MISSING;
	}
	r = route_lookup(p, f);
	if (r != DP_CONTINUE)
		return r;
	return forward_stage(ctx, p, f);
}

/* The stateful half: conntrack, the firewall, then on. */
static __always_inline int stateful(struct __ctx_buff *ctx, struct pkt *p,
				    struct pkt_state *st)
{
	int r;

	st->np.flags = 0;
	r = ct_lookup(p, &st->f, &st->ct);
	if (r != DP_CONTINUE)
		return r;
	/* the firewall's "in" rules go here */
	r = ct_commit(p, &st->ct);
	if (r != DP_CONTINUE)
		return r;
	return lb_and_route(ctx, p, &st->f, st, nat_on());
}

SEC("xdp")
int sluice_xdp_ct(struct xdp_md *ctx)
{
	struct pkt_state *st = pkt_state_get();
	struct pkt p = {};

	if (!st) {
		pkt_init(&p, ctx);
		return finish(&p, SLUICE_REASON_INVALID);
	}
	pkt_state_load(&p, st, ctx);
	return finish(&p, stateful(ctx, &p, st));
}

SEC("xdp")
int sluice_xdp_nat(struct xdp_md *ctx)
{
	return nat_tail_run(ctx);
}

/* The DDoS guard, then the stateful half or the load balancer and
 * routing. */
SEC("xdp")
int sluice_xdp_ddos(struct xdp_md *ctx)
{
	struct pkt_state *st = pkt_state_get();
	struct pkt p = {};
	int r;

	if (!st) {
		pkt_init(&p, ctx);
		return finish(&p, SLUICE_REASON_INVALID);
	}
	pkt_state_load(&p, st, ctx);
	r = ddos_stage(ctx, &p, &st->f);
	if (r == DP_CONTINUE) {
		bpf_tail_call(ctx, &xdp_tails, ct_on() ? TAIL_CT : TAIL_ROUTE);
		r = SLUICE_DROP_TAIL_MISSING;
	}
	return finish(&p, r);
}

SEC("xdp")
int sluice_xdp_route(struct xdp_md *ctx)
{
	struct pkt_state *st = pkt_state_get();
	struct pkt p = {};

	if (!st) {
		pkt_init(&p, ctx);
		return finish(&p, SLUICE_REASON_INVALID);
	}
	pkt_state_load(&p, st, ctx);
	st->f.ct_state = SLUICE_CTM_UNTRACKED;
	return finish(&p, lb_and_route(ctx, &p, &st->f, st, 0));
}

/* Parsing, then the stateless router unless tracking is on.  Here l3_info
 * is on the stack, as the router has always had it (what the verifier
 * knows of it keeps this program's check short); the stateful half gets
 * a copy in pkt_state. */
static __always_inline int pipeline(struct __ctx_buff *ctx, struct pkt *p)
{
	struct pkt_state *st = pkt_state_get();
	struct l3_info f = {};
	int r;

	if (!st)
		return SLUICE_REASON_INVALID;
	r = parse_port(p);
	if (r != DP_CONTINUE)
		return r;
	r = parse_frame(p, &f);
	if (r != DP_CONTINUE)
		return r;
	if (ddos_on() || ct_on()) {
		st->f = f;
		pkt_state_save(st, p);
		bpf_tail_call(ctx, &xdp_tails, ddos_on() ? TAIL_DDOS : TAIL_CT);
		return SLUICE_DROP_TAIL_MISSING;
	}
	f.ct_state = SLUICE_CTM_UNTRACKED;
	return lb_and_route(ctx, p, &f, st, 0);
}

SEC("xdp")
int sluice_xdp(struct xdp_md *ctx)
{
	struct pkt p = {};

	pkt_init(&p, ctx);
	return finish(&p, pipeline(ctx, &p));
}

char LICENSE[] SEC("license") = "GPL";
