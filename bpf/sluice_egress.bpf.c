// SPDX-License-Identifier: GPL-2.0-only
/*
 * sluice's TC egress entry point, on every port the router manages: what
 * the host itself sends (its own connections, and its answers to
 * connections it accepted) goes through connection tracking here, so the
 * entries of the host's flows see both directions.  Frames sluice
 * redirects at XDP leave through the driver and never come here; what
 * the TC router redirects does, and is tracked twice, harmlessly (the
 * same packet moves no state twice).  Nothing is dropped here but a new
 * flow the table has no room for.
 */
#include "ctx/skb.h"
#include "lib/ct.h"
#include "lib/l3.h"
#include "lib/nat.h"
#include "lib/parse.h"
#include "lib/pkt.h"
#include "lib/pkt_state.h"
#include "lib/stats.h"

/* Ethernet + VLAN + IPv6 + an ICMPv6 error's quoted headers. */
#define EGRESS_PULL_LEN 128

/*
 * A new flow the kernel forwards (it came in by a port: @from, the skb's
 * ingress ifindex; 0 for the host's own) that an SNAT rule of this port
 * names.  sluice handed it to the kernel untranslated because its next
 * hop was not resolved yet (nat_post()); it is translated here, as it
 * leaves (egress_snat()).
 */
static __always_inline int snat_pending(const struct l3_info *f,
					const struct ct_pkt *c, __u32 from,
					__u32 ifindex)
{
	struct sluice_nat_config *nc;
	struct sluice_ct_key alias;
	__u32 zero = 0;

	if (!from)
		return 0;
	nc = bpf_map_lookup_elem(&nat_config, &zero);
	if (!nc || !(nc->flags & SLUICE_NAT_HAS_SNAT))
		return 0;
	/* translated already (the TC router's redirect comes here too):
	 * its tuple is a NATed flow's alias */
	alias = c->key;
	alias.zone = SLUICE_NAT_ZONE_ALIAS;
	if (bpf_map_lookup_elem(&nat_flows, &alias))
		return 0;
	return nat_snat_would(f, 0, ifindex);
}

/*
 * The SNAT the XDP program would have made had the next hop been
 * resolved, made as the packet leaves: the flow's entry, a source and a
 * port (nat_snat_new(), which rewrites the packet), the binding and the
 * alias (nat_bind()).  The answers find the alias at XDP, the flow's
 * next packets its binding: the flow is NATed from its first packet on,
 * never leaks its inner source.  A flow NAT cannot bind (no port left,
 * no address) is dropped under NAT's reason, its entry removed.
 */
static __always_inline int egress_snat(struct __sk_buff *ctx, struct pkt *p,
				       struct l3_info *f, struct pkt_state *st)
{
	int r = ct_commit(p, &st->ct);

	if (r != DP_CONTINUE)
		return r;
	__builtin_memset(&st->np, 0, sizeof(st->np));
	r = nat_snat_new(ctx, p, f, &st->ct, &st->np, p->ingress_ifindex);
	if (r != DP_CONTINUE)
		return r;
	if (st->np.flags & SLUICE_NATF_SNAT) {
		r = nat_bind(f, &st->ct, &st->np);
		if (r != DP_CONTINUE)
			return r;
	}
	return SLUICE_PASS_EGRESS_TRACKED;
}

static __always_inline int pipeline(struct __sk_buff *ctx, struct pkt *p,
				    __u32 from)
{
	struct l3_info f = {};
	struct pkt_state *st = pkt_state_get();
	int r;

	if (!st)
		return SLUICE_PASS_EGRESS_UNTRACKED;

	p->in_if = port_lookup(p->ingress_ifindex);
	if (!p->in_if)
		return SLUICE_PASS_EGRESS_UNTRACKED;
	p->slot = p->in_if->slot;
	if (parse_eth(p) != DP_CONTINUE)
		return SLUICE_PASS_EGRESS_UNTRACKED;
	if (p->l3_proto == ETH_P_IP)
		r = ip4_parse(p, &f);
	else if (p->l3_proto == ETH_P_IPV6)
		r = ip6_parse(p, &f);
	else
		return SLUICE_PASS_EGRESS_UNTRACKED;
	if (r != DP_CONTINUE)
		return SLUICE_PASS_EGRESS_UNTRACKED;
	trace_note_rx(p, &f); /* as the kernel handed it, before egress SNAT */
	if (ct_lookup(p, &f, &st->ct, 0) != DP_CONTINUE)
		return SLUICE_PASS_EGRESS_UNTRACKED;
	if (st->ct.commit &&
	    snat_pending(&f, &st->ct, from, p->ingress_ifindex))
		return egress_snat(ctx, p, &f, st);
	r = ct_commit(p, &st->ct);
	if (r != DP_CONTINUE)
		return r;
	return f.ct_state == SLUICE_CTM_UNTRACKED ?
		       SLUICE_PASS_EGRESS_UNTRACKED :
		       SLUICE_PASS_EGRESS_TRACKED;
}

SEC("tc")
int sluice_egress(struct __sk_buff *ctx)
{
	struct pkt p = {};

	bpf_skb_pull_data(ctx, ctx->len < EGRESS_PULL_LEN ? ctx->len :
							    EGRESS_PULL_LEN);
	pkt_init(&p, ctx);
	/* at egress, the port is the one the packet leaves by */
	p.ingress_ifindex = ctx->ifindex;
	p.in_ifindex = ctx->ifindex;
	trace_begin(&p);
	return finish(&p, pipeline(ctx, &p, ctx->ingress_ifindex));
}

char LICENSE[] SEC("license") = "GPL";
