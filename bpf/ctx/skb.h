/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TC (clsact) side of the context layer, see ctx/xdp.h.  The packet is
 * an skb: redirects go through bpf_redirect() and keep the skb's checksum
 * state, which is why traffic that starts on the host or in a container on
 * a veth is better routed here than at XDP (docs/veth.md).
 */
#ifndef SLUICE_BPF_CTX_SKB_H
#define SLUICE_BPF_CTX_SKB_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/reasons.h>

#define __ctx_buff __sk_buff
#define SLUICE_CTX_SKB 1

#define CTX_ACT_PASS TC_ACT_OK
#define CTX_ACT_DROP TC_ACT_SHOT
#define CTX_ACT_TX TC_ACT_REDIRECT
#define CTX_ACT_REDIRECT TC_ACT_REDIRECT

static __always_inline void *ctx_data(const struct __sk_buff *ctx)
{
	return (void *)(long)ctx->data;
}

static __always_inline void *ctx_data_end(const struct __sk_buff *ctx)
{
	return (void *)(long)ctx->data_end;
}

/* The whole packet's length, paged part included. */
static __always_inline __u32 ctx_len(const struct __sk_buff *ctx)
{
	return ctx->len;
}

static __always_inline __u32 ctx_ingress_ifindex(const struct __sk_buff *ctx)
{
	return ctx->ingress_ifindex ? ctx->ingress_ifindex : ctx->ifindex;
}

/* At TC ingress the stack has already moved a VLAN tag out of the data
 * into the skb: such a frame is the kernel's (pass_vlan_offloaded). */
static __always_inline int ctx_vlan_offloaded(const struct __sk_buff *ctx)
{
	return ctx->vlan_present;
}

static __always_inline int ctx_adjust_l2_room(struct __sk_buff *ctx, int delta)
{
	return bpf_skb_adjust_room(ctx, delta, BPF_ADJ_ROOM_MAC, 0);
}

/* Room for an 802.1Q tag in front of the frame (the caller rewrites the
 * whole L2 header, as after ctx_adjust_l2_room()).  Not adjust_room: a tag
 * is L2 and changes no segment's L3 size (an Ethernet MTU excludes the L2
 * header), yet bpf_skb_adjust_room() refuses a GSO skb that is neither
 * TCP's nor, with BPF_F_ADJ_ROOM_FIXED_GSO, UDP's (net/core/filter.c
 * bpf_skb_net_grow(): UDP GSO from a container; SCTP; test_run's skbs,
 * which have no GSO type) and without that flag cuts TCP's gso_size by 4.
 * bpf_skb_change_head() grows L2 for any skb and keeps gso_size and
 * gso_segs: what FIXED_GSO means, for every GSO type. */
static __always_inline int ctx_vlan_push_room(struct __sk_buff *ctx)
{
	return bpf_skb_change_head(ctx, 4, 0);
}

/* The skb helper knows a tag in the data (adjust_room does not take one
 * off an skb whose protocol is 802.1Q). */
static __always_inline int ctx_vlan_pop(struct __sk_buff *ctx)
{
	return bpf_skb_vlan_pop(ctx);
}

static __always_inline int ctx_trim(struct __sk_buff *ctx, __u32 len)
{
	if (ctx->len <= len)
		return 0;
	return bpf_skb_change_tail(ctx, len, 0);
}

static __always_inline int ctx_set_len(struct __sk_buff *ctx, __u32 len)
{
	return bpf_skb_change_tail(ctx, len, 0);
}

static __always_inline int ctx_load_bytes(struct __sk_buff *ctx, __u32 off,
					  void *to, __u32 len)
{
	return bpf_skb_load_bytes(ctx, off, to, len);
}

static __always_inline int ctx_redirect(struct __sk_buff *ctx, __u32 ifindex)
{
	(void)ctx;
	return bpf_redirect(ifindex, 0);
}

static __always_inline int ctx_action(__u8 verdict, int redirect)
{
	switch (verdict) {
	case SLUICE_V_PASS: return TC_ACT_OK;
	case SLUICE_V_REDIRECT:
	case SLUICE_V_TX:
		return redirect == TC_ACT_REDIRECT ? TC_ACT_REDIRECT :
						     TC_ACT_SHOT;
	default: return TC_ACT_SHOT;
	}
}

/* An L4 checksum at @off moved by @diff: see ctx/xdp.h.  The kernel's
 * helper knows whether the skb's checksum is complete or partial (a
 * host's or container's packet carries only the pseudo-header's sum). */
static __always_inline int ctx_l4_csum_diff(struct __sk_buff *ctx, void *pp,
					    __u32 off, __u32 diff, int pseudo,
					    int udp)
{
	__u64 flags = (pseudo ? BPF_F_PSEUDO_HDR : 0) |
		      (udp ? BPF_F_MARK_MANGLED_0 : 0);

	(void)pp;
	return bpf_l4_csum_replace(ctx, off, 0, diff, flags) ? -1 : 0;
}

#endif
