// SPDX-License-Identifier: GPL-2.0-only
/*
 * sluice's XDP entry point: parse once, then the load balancer (packets to
 * a VIP), then the L3 router.  Each stage lives in its own header under
 * lib/; this file is the pipeline and nothing else.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lib/ctx.h"
#include "lib/maps.h"
#include "lib/l3.h"
#include "lib/lb.h"
#include "lib/parse.h"
#include "lib/route.h"
#include "lib/stats.h"

static __always_inline int pipeline(struct xdp_md *ctx, struct pkt *p)
{
	struct l3_info f = {};
	int r;

	p->in_if = bpf_map_lookup_elem(&ifaces, &p->ingress_ifindex);
	if (!p->in_if)
		return SLUICE_PASS_UNMANAGED_IF;
	p->slot = p->in_if->slot < SLUICE_MAX_IFACES ? p->in_if->slot : 0;

	r = parse_l2(p);
	if (r != DP_CONTINUE)
		return r;
	if (p->l3_proto == ETH_P_IP)
		r = ip4_parse(p, &f);
	else
		r = ip6_parse(p, &f);
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
	struct pkt p = {
		.data = (void *)(long)ctx->data,
		.data_end = (void *)(long)ctx->data_end,
		.ingress_ifindex = ctx->ingress_ifindex,
		.in_ifindex = ctx->ingress_ifindex,
	};

	p.len = p.data_end - p.data;
	return finish(&p, pipeline(ctx, &p));
}

char LICENSE[] SEC("license") = "GPL";
