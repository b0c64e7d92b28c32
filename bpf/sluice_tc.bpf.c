// SPDX-License-Identifier: GPL-2.0-only
/*
 * sluice's TC (clsact ingress) entry point: the router's pipeline for
 * packets that enter as skbs, such as traffic from containers on a veth
 * (docs/veth.md).  The same stages as sluice_xdp.bpf.c, compiled against
 * ctx/skb.h, over the same pinned maps and counters; the load balancer
 * stays at XDP.
 */
#include "ctx/skb.h"
#include "lib/ct.h"
#include "lib/forward.h"
#include "lib/l3.h"
#include "lib/parse.h"
#include "lib/pkt.h"
#include "lib/route.h"
#include "lib/stats.h"

static __always_inline int pipeline(struct __ctx_buff *ctx, struct pkt *p)
{
	struct l3_info f = {};
	struct ct_pkt ct;
	int r;

	r = parse_port(p);
	if (r != DP_CONTINUE)
		return r;
	if (ctx_vlan_offloaded(ctx))
		return SLUICE_PASS_VLAN_OFFLOADED;
	r = parse_frame(p, &f);
	if (r != DP_CONTINUE)
		return r;
	r = ct_lookup(p, &f, &ct);
	if (r != DP_CONTINUE)
		return r;
	/* the firewall's "in" rules go here */
	r = ct_commit(p, &ct);
	if (r != DP_CONTINUE)
		return r;
	r = route_lookup(p, &f);
	if (r != DP_CONTINUE)
		return r;
	return forward_stage(ctx, p, &f);
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
