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
 */
#include "ctx/xdp.h"
#include "lib/ct.h"
#include "lib/forward.h"
#include "lib/l3.h"
#include "lib/lb.h"
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
	r = lb_stage(ctx, p, &f);
	if (r != DP_CONTINUE)
		return r;
	r = route_lookup(p, &f);
	if (r != DP_CONTINUE)
		return r;
	return forward_stage(ctx, p, &f);
}

SEC("xdp")
int sluice_xdp(struct xdp_md *ctx)
{
	struct pkt p = {};

	pkt_init(&p, ctx);
	return finish(&p, pipeline(ctx, &p));
}

char LICENSE[] SEC("license") = "GPL";
