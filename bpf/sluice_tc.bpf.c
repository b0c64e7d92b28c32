// SPDX-License-Identifier: GPL-2.0-only
/*
 * sluice's TC (clsact ingress) entry point: the router's pipeline for
 * packets that enter as skbs, such as traffic from containers on a veth
 * (docs/veth.md).  The same stages and programs as sluice_xdp.bpf.c,
 * compiled against ctx/skb.h, over the same pinned maps and counters; the
 * load balancer stays at XDP.
 */
#include "ctx/skb.h"
#include "lib/ct.h"
#include "lib/ddos.h"
#include "lib/forward.h"
#include "lib/l3.h"
#include "lib/nat_tail.h"
#include "lib/parse.h"
#include "lib/pkt.h"
#include "lib/pkt_state.h"
#include "lib/route.h"
#include "lib/stats.h"

/* The same three programs as XDP's (sluice_xdp.bpf.c), chained through
 * tc_tails. */
#define TAIL_CT 0
#define TAIL_NAT 1
#define TAIL_DDOS 2
#define TAIL_ROUTE 3

int sluice_tc_ct(struct __sk_buff *ctx);
int sluice_tc_nat(struct __sk_buff *ctx);
int sluice_tc_ddos(struct __sk_buff *ctx);
int sluice_tc_route(struct __sk_buff *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(struct __sk_buff *));
} tc_tails SEC(".maps") = {
	.values = { [TAIL_CT] = (void *)&sluice_tc_ct,
		    [TAIL_NAT] = (void *)&sluice_tc_nat,
		    [TAIL_DDOS] = (void *)&sluice_tc_ddos,
		    [TAIL_ROUTE] = (void *)&sluice_tc_route },
};

/* Routing, or NAT's half when a rule exists. */
static __always_inline int route_on(struct __ctx_buff *ctx, struct pkt *p,
				    struct l3_info *f, struct pkt_state *st,
				    int nat)
{
	int r;

	if (nat) {
		pkt_state_save(st, p);
		bpf_tail_call(ctx, &tc_tails, TAIL_NAT);
		return SLUICE_DROP_TAIL_MISSING;
	}
	r = route_lookup(p, f);
	if (r != DP_CONTINUE)
		return r;
	return forward_stage(ctx, p, f);
}

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
	return route_on(ctx, p, &st->f, st, nat_on());
}

SEC("tc")
int sluice_tc_ct(struct __sk_buff *ctx)
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

SEC("tc")
int sluice_tc_nat(struct __sk_buff *ctx)
{
	return nat_tail_run(ctx);
}

/* The DDoS guard, then the stateful half or routing. */
SEC("tc")
int sluice_tc_ddos(struct __sk_buff *ctx)
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
		bpf_tail_call(ctx, &tc_tails, ct_on() ? TAIL_CT : TAIL_ROUTE);
		r = SLUICE_DROP_TAIL_MISSING;
	}
	return finish(&p, r);
}

SEC("tc")
int sluice_tc_route(struct __sk_buff *ctx)
{
	struct pkt_state *st = pkt_state_get();
	struct pkt p = {};

	if (!st) {
		pkt_init(&p, ctx);
		return finish(&p, SLUICE_REASON_INVALID);
	}
	pkt_state_load(&p, st, ctx);
	st->f.ct_state = SLUICE_CTM_UNTRACKED;
	return finish(&p, route_on(ctx, &p, &st->f, st, 0));
}

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
	if (ctx_vlan_offloaded(ctx))
		return SLUICE_PASS_VLAN_OFFLOADED;
	r = parse_frame(p, &f);
	if (r != DP_CONTINUE)
		return r;
	if (ddos_on() || ct_on()) {
		st->f = f;
		pkt_state_save(st, p);
		bpf_tail_call(ctx, &tc_tails, ddos_on() ? TAIL_DDOS : TAIL_CT);
		return SLUICE_DROP_TAIL_MISSING;
	}
	f.ct_state = SLUICE_CTM_UNTRACKED;
	return route_on(ctx, p, &f, st, 0);
}

/* Ethernet + VLAN + IPv6 + a TCP header with options: what the stages
 * read must be in the skb's linear part. */
#define TC_PULL_LEN 128

SEC("tc")
int sluice_tc(struct __sk_buff *ctx)
{
	struct pkt p = {};

	bpf_skb_pull_data(ctx, ctx->len < TC_PULL_LEN ? ctx->len : TC_PULL_LEN);
	pkt_init(&p, ctx);
	return finish(&p, pipeline(ctx, &p));
}

char LICENSE[] SEC("license") = "GPL";
