// SPDX-License-Identifier: GPL-2.0-only
/*
 * sluice's backend-side XDP program (sluiced --role backend): decapsulate
 * what a sluice load balancer sent to this host and pass the inner packet
 * to the stack.  Everything else passes untouched.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "lib/ctx.h"
#include "lib/decap.h"

static __always_inline int decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct decap_outer o = {};
	struct decap_l2 l2 = {};
	struct ethhdr *eth = data;
	__u16 proto;
	void *l3;
	int r;

	if ((void *)(eth + 1) > end)
		return SLUICE_PASS_NOT_ENCAP;
	__builtin_memcpy(l2.dst, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(l2.src, eth->h_source, ETH_ALEN);
	proto = bpf_ntohs(eth->h_proto);
	l3 = eth + 1;
	if (proto == ETH_P_8021Q) {
		__be16 *tag = l3;

		if ((void *)(tag + 2) > end)
			return SLUICE_PASS_NOT_ENCAP;
		l2.tagged = 1;
		l2.tci = tag[0];
		proto = bpf_ntohs(tag[1]);
		l3 = tag + 2;
	}
	r = decap_outer(l3, end, proto, &o);
	if (r != DP_CONTINUE)
		return r;
	r = decap_check_inner(l3 + (o.len & 0xff), end, o.inner_type);
	if (r != DP_CONTINUE)
		return r;
	/* adjust_head keeps the L2 header's length: strip only L3 bytes by
	 * moving the start past the outer header, then rewrite L2 there */
	return decap_strip(ctx, &l2, &o);
}

SEC("xdp")
int sluice_decap(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	int reason = decap(ctx);
	__u32 idx = (__u32)reason;
	struct sluice_counter *c;

	if (reason < 0 || reason >= SLUICE_DECAP_REASON_MAX)
		idx = SLUICE_DROP_TRUNC;
	c = bpf_map_lookup_elem(&decap_stats, &idx);
	if (c) {
		c->packets++;
		c->bytes += len;
	}
	return idx >= SLUICE_DROP_TRUNC ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
