// SPDX-License-Identifier: GPL-2.0-only
/*
 * sluice's backend-side XDP program (sluiced --role backend): decapsulate
 * what a sluice load balancer sent to this host and pass the inner packet
 * to the stack (or, for second chance, send it on to the backend the flow
 * had before: lib/decap_second.h).  Everything else passes untouched.  Verdicts are counted
 * in the shared stats map, under the port's slot when sluiced gave it one.
 */
#include "ctx/xdp.h"
#include "lib/decap.h"
#include "lib/decap_second.h"
#include "lib/parse.h"
#include "lib/pkt.h"
#include "lib/stats.h"

static __always_inline int decap(struct xdp_md *ctx, struct pkt *p)
{
	struct decap_outer o = {};
	void *l3;
	int r;

	/* a frame too short to parse is not ours to judge: the stack's */
	if (parse_eth(p) != DP_CONTINUE)
		return SLUICE_PASS_NOT_ENCAP;
	l3 = p->data + (p->l3_off & 0x1f);
	r = decap_outer(l3, p->data_end, p->l3_proto, &o);
	if (r != DP_CONTINUE)
		return r;
	r = decap_check_inner(l3 + (o.len & 0xff), p->data_end, o.inner_type);
	if (r != DP_CONTINUE)
		return r;
	/* second chance: another tunnel inside (decap_second.h) */
	r = decap_second(ctx, p, &o);
	if (r != DP_CONTINUE)
		return r;
	return decap_strip(ctx, p, &o);
}

SEC("xdp")
int sluice_decap(struct xdp_md *ctx)
{
	struct pkt p = {};

	pkt_init(&p, ctx);
	trace_begin(&p);
	parse_port(&p); /* only for the counter slot */
	return finish(&p, decap(ctx, &p));
}

char LICENSE[] SEC("license") = "GPL";
