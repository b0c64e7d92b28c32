/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The XDP side of the context layer.  A stage is written once against
 * struct __ctx_buff and the ctx_* functions; the entry file includes this
 * header or ctx/skb.h first, and the same stage compiles for either hook
 * (Cilium's bpf/ctx does the same).
 */
#ifndef SLUICE_BPF_CTX_XDP_H
#define SLUICE_BPF_CTX_XDP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/limits.h>
#include <uapi/sluice/reasons.h>

#define __ctx_buff xdp_md
#define SLUICE_CTX_XDP 1

#define CTX_ACT_PASS XDP_PASS
#define CTX_ACT_DROP XDP_DROP
#define CTX_ACT_TX XDP_TX
#define CTX_ACT_REDIRECT XDP_REDIRECT

static __always_inline void *ctx_data(const struct xdp_md *ctx)
{
	return (void *)(long)ctx->data;
}

static __always_inline void *ctx_data_end(const struct xdp_md *ctx)
{
	return (void *)(long)ctx->data_end;
}

/* The whole frame's length (what the counters count). */
static __always_inline __u32 ctx_len(const struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

static __always_inline __u32 ctx_ingress_ifindex(const struct xdp_md *ctx)
{
	return ctx->ingress_ifindex;
}

/* The frame carries its VLAN tag in the data: nothing is offloaded. */
static __always_inline int ctx_vlan_offloaded(const struct xdp_md *ctx)
{
	(void)ctx;
	return 0;
}

/*
 * Insert (@delta > 0) or remove (@delta < 0) @delta bytes right after the
 * 14-byte Ethernet header.  XDP moves the frame start instead, so the
 * caller rewrites the whole L2 header afterwards (MACs, type and any tag):
 * that makes both hooks give the same frame.
 */
static __always_inline int ctx_adjust_l2_room(struct xdp_md *ctx, int delta)
{
	return bpf_xdp_adjust_head(ctx, -delta);
}

/* Room for an 802.1Q tag in front of the frame; the caller rewrites L2
 * (see ctx_adjust_l2_room()). */
static __always_inline int ctx_vlan_push_room(struct xdp_md *ctx)
{
	return bpf_xdp_adjust_head(ctx, -4);
}

/* Remove the 802.1Q tag that follows the MAC addresses; the caller
 * rewrites L2 (see ctx_adjust_l2_room()). */
static __always_inline int ctx_vlan_pop(struct xdp_md *ctx)
{
	return bpf_xdp_adjust_head(ctx, 4);
}

/* Cut the frame to @len bytes. */
static __always_inline int ctx_trim(struct xdp_md *ctx, __u32 len)
{
	__u32 have = ctx->data_end - ctx->data;

	if (have <= len)
		return 0;
	return bpf_xdp_adjust_tail(ctx, (int)len - (int)have);
}

/*
 * An L4 checksum at @off moved by @diff (a one's complement sum of the
 * change, bpf/lib/nat.h).  @pseudo: the change is in the pseudo-header
 * (only TC needs to know); @udp: a zero checksum means none and stays,
 * and a result of zero is written as 0xffff.
 */
static __always_inline int ctx_l4_csum_diff(struct xdp_md *ctx, void *pp,
					    __u32 off, __u32 diff, int pseudo,
					    int udp)
{
	void *data = (void *)(long)ctx->data;
	__u16 *sum;
	__u32 s;

	(void)pp;
	(void)pseudo;
	if (off > 256)
		return -1;
	sum = data + off;
	if ((void *)(sum + 1) > (void *)(long)ctx->data_end)
		return -1;
	if (udp && !*sum)
		return 0;
	s = (__u16) ~*sum;
	s += (diff & 0xffff) + (diff >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	*sum = (__u16)~s;
	if (udp && !*sum)
		*sum = 0xffff;
	return 0;
}

/* Make the frame exactly @len bytes long (grow into the tailroom or cut). */
static __always_inline int ctx_set_len(struct xdp_md *ctx, __u32 len)
{
	/* the helper's length: the compiler turns data_end - data into
	 * pointer arithmetic on data_end, which the verifier refuses */
	__u64 have = bpf_xdp_get_buff_len(ctx);

	return bpf_xdp_adjust_tail(ctx, (int)len - (int)have);
}

/* Copy @len bytes at @off of the frame to @to (a bounded @len: helpers
 * that take a variable size read it from the stack copy). */
static __always_inline int ctx_load_bytes(struct xdp_md *ctx, __u32 off,
					  void *to, __u32 len)
{
	return bpf_xdp_load_bytes(ctx, off, to, len);
}

/* Ports frames may be redirected to (the devmap also wakes a veth peer
 * that XDP_TX would leave asleep, see docs/veth.md). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, SLUICE_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

/* Queue the frame for @ifindex; CTX_ACT_REDIRECT when it is queued. */
static __always_inline int ctx_redirect(struct xdp_md *ctx, __u32 ifindex)
{
	(void)ctx;
	return bpf_redirect_map(&tx_ports, ifindex, 0);
}

/* The hook's action for a verdict class (reasons.h).  @redirect is what
 * ctx_redirect() answered when the frame was queued, 0 when it was not. */
static __always_inline int ctx_action(__u8 verdict, int redirect)
{
	switch (verdict) {
	case SLUICE_V_PASS: return XDP_PASS;
	case SLUICE_V_REDIRECT: return XDP_REDIRECT;
	case SLUICE_V_TX:
		/* a veth port sends "back out" through the devmap */
		return redirect ? XDP_REDIRECT : XDP_TX;
	default: return XDP_DROP;
	}
}

#endif
