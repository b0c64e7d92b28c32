// SPDX-License-Identifier: GPL-2.0-only
/*
 * sluice's TC (clsact ingress) entry point: the router's pipeline for
 * packets that enter as skbs, such as traffic from containers on a veth
 * (docs/veth.md).  The same stages and chain of programs as
 * sluice_xdp.bpf.c (lib/chain.h, through tc_tails), compiled against
 * ctx/skb.h, over the same pinned maps and counters; the load balancer
 * stays at XDP.
 */
#include "ctx/skb.h"
#include "lib/forward.h"
#include "lib/fw.h"
#include "lib/l3.h"
#include "lib/parse.h"
#include "lib/pkt.h"
#include "lib/pkt_state.h"
#include "lib/route.h"
#include "lib/stats.h"

int sluice_tc_ct(struct __sk_buff *ctx);
int sluice_tc_nat(struct __sk_buff *ctx);
int sluice_tc_ddos(struct __sk_buff *ctx);
int sluice_tc_route(struct __sk_buff *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct __sk_buff *));
} tc_tails SEC(".maps") = {
	.values = { [0] = (void *)&sluice_tc_ct,
		    [1] = (void *)&sluice_tc_nat,
		    [2] = (void *)&sluice_tc_ddos,
		    [3] = (void *)&sluice_tc_route },
};

#define CHAIN_TAILS tc_tails
#include "lib/chain.h"

_Static_assert(TAIL_CT == 0 && TAIL_NAT == 1 && TAIL_DDOS == 2 &&
		       TAIL_ROUTE == 3 && TAIL_SLOTS == 4,
	       "tc_tails' slots are lib/chain.h's");

/* Routing, or NAT's program when a rule exists (@st NULL, @nat 0: the
 * stateless router). */
static __always_inline int route_half(struct __ctx_buff *ctx, struct pkt *p,
				      struct l3_info *f, struct pkt_state *st,
				      int nat)
{
	int r;

	if (nat)
		return chain_to_nat(ctx, p, st);
	r = route_lookup(p, f);
	if (r != DP_CONTINUE)
		return r;
	return forward_stage(ctx, p, f);
}

/* No load balancer at TC: conntrack sees every flow both ways. */
static __always_inline int ct_bypass(const struct l3_info *f)
{
	(void)f;
	return 0;
}

SEC("tc")
int sluice_tc_ct(struct __sk_buff *ctx)
{
	return CHAIN_PROGRAM(ctx, chain_stateful);
}

SEC("tc")
int sluice_tc_nat(struct __sk_buff *ctx)
{
	return nat_tail_run(ctx);
}

SEC("tc")
int sluice_tc_ddos(struct __sk_buff *ctx)
{
	return CHAIN_PROGRAM(ctx, chain_ddos);
}

SEC("tc")
int sluice_tc_route(struct __sk_buff *ctx)
{
	return CHAIN_PROGRAM(ctx, chain_route);
}

static __always_inline int pipeline(struct __ctx_buff *ctx, struct pkt *p)
{
	struct l3_info f = {};
	int r;

	r = parse_port(p);
	if (r != DP_CONTINUE)
		return r;
	if (ctx_vlan_offloaded(ctx))
		return SLUICE_PASS_VLAN_OFFLOADED;
	r = parse_frame(p, &f);
	if (r != DP_CONTINUE)
		return r;
	trace_note_rx(p, &f);
	if (chain_from_entry(ctx, p, &f, &r))
		return r;
	f.ct_state = SLUICE_CTM_UNTRACKED;
	r = fw_in(ctx, p, &f);
	if (r != DP_CONTINUE)
		return r;
	return route_half(ctx, p, &f, NULL, 0);
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
	trace_begin(&p);
	return finish(&p, pipeline(ctx, &p));
}

char LICENSE[] SEC("license") = "GPL";
