/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-packet trace (uapi/sluice/trace.h, docs/trace.md).  finish()
 * calls trace_packet() once per packet, after the reason is counted:
 * every packet of every program passes there exactly once, with its
 * final reason, verdict and frame.  Off, that is one array lookup and a
 * branch; on, trace_emit() (a global function: verified once, not
 * inlined into every pipeline) copies the start of the frame, parses it,
 * applies the filter and writes the event into the ring.  The addresses,
 * ports and the filter are the packet's as received when the pipeline
 * noted them after its parse (trace_note_rx(): NAT and the LB's rewrites
 * show in their notes and in the frame), else the frame's as it leaves.
 */
#ifndef SLUICE_BPF_TRACE_H
#define SLUICE_BPF_TRACE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/trace.h>
#include "pkt.h"
#include "trace_maps.h"
#include "trace_note.h"

#ifdef SLUICE_CTX_XDP
#define TRACE_HOOK SLUICE_TRACE_HOOK_XDP
#else
#define TRACE_HOOK SLUICE_TRACE_HOOK_TC
#endif

/* Byte by byte, as a loop: unrolled, the copies of unaligned addresses
 * spill registers into trace_emit()'s frame, which the verifier adds to
 * the entry point's (see trace_emit()). */
static __always_inline void trace_copy(__u8 *to, const __u8 *from, __u32 n)
{
	/* an unknown count: the compiler may not unroll it */
	asm volatile("" : "+r"(n));
	for (__u32 i = 0; i < n && i < 16; i++)
		to[i] = from[i];
}

/* An IPv4 or IPv6 header at @off of @d (@cap bytes): its addresses and
 * protocol into @family/@src/@dst/@proto; the L4 offset, 0 when the
 * header is not all there.  @off is bounded by the caller. */
static __always_inline __u32 trace_l3(const __u8 *d, __u32 cap, __u32 off,
				      __u16 type, __u8 *family, __u8 *src,
				      __u8 *dst, __u8 *proto)
{
	if (off > SLUICE_TRACE_CAP - 40)
		return 0;
	if (type == ETH_P_IP) {
		if (off + 20 > cap || (d[off] >> 4) != 4)
			return 0;
		*family = AF_INET;
		*proto = d[off + 9];
		trace_copy(src, d + off + 12, 4);
		trace_copy(dst, d + off + 16, 4);
		return off + (d[off] & 0xf) * 4;
	}
	if (type == ETH_P_IPV6) {
		if (off + 40 > cap || (d[off] >> 4) != 6)
			return 0;
		*family = AF_INET6;
		*proto = d[off + 6];
		trace_copy(src, d + off + 8, 16);
		trace_copy(dst, d + off + 24, 16);
		return off + 40;
	}
	return 0;
}

/* The event's addresses, protocol and ports from its frame bytes; an
 * IPIP or IP6IP6 frame (the load balancer's encapsulation) by its inner
 * header, the outer kept as tun_*. */
/* The ethertype after the Ethernet header and at most one tag, with the
 * L3 offset in *@off; 0 when the captured bytes end first. */
static __always_inline __u16 trace_l2(const __u8 *d, __u32 cap, __u32 *off)
{
	__u16 type;

	if (cap < 14 || cap > SLUICE_TRACE_CAP)
		return 0;
	*off = 14;
	type = (__u16)d[12] << 8 | d[13];
	if (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		if (cap < 18)
			return 0;
		type = (__u16)d[16] << 8 | d[17];
		*off = 18;
	}
	return type;
}

static __always_inline void trace_parse(struct sluice_trace_event *ev)
{
	__u32 cap = ev->cap_len, off = 14, l4;
	const __u8 *d = ev->data;
	__u16 type = trace_l2(d, cap, &off);

	if (!type)
		return;
	l4 = trace_l3(d, cap, off, type, &ev->family, ev->src, ev->dst,
		      &ev->proto);
	if (!l4)
		return;
	ev->flags = SLUICE_TRACE_F_PARSED;
	if (ev->proto == IPPROTO_IPIP || ev->proto == IPPROTO_IPV6) {
		__u8 fam = ev->family;

		ev->tun_family = fam;
		__builtin_memcpy(ev->tun_src, ev->src, 16);
		__builtin_memcpy(ev->tun_dst, ev->dst, 16);
		__builtin_memset(ev->src, 0, 16);
		__builtin_memset(ev->dst, 0, 16);
		type = ev->proto == IPPROTO_IPIP ? ETH_P_IP : ETH_P_IPV6;
		/* an outer IPv4 header with options leaves no room for an
		 * inner one in the bytes we have: bounded here */
		if (l4 > 18 + 40)
			return;
		l4 = trace_l3(d, cap, l4, type, &ev->family, ev->src, ev->dst,
			      &ev->proto);
		if (!l4) {
			ev->family = fam;
			ev->flags = 0;
			return;
		}
		ev->flags |= SLUICE_TRACE_F_ENCAP;
	}
	if ((ev->proto == IPPROTO_TCP || ev->proto == IPPROTO_UDP) &&
	    l4 <= SLUICE_TRACE_CAP - 4 && l4 + 4 <= cap) {
		ev->sport = (__u16)d[l4] << 8 | d[l4 + 1];
		ev->dport = (__u16)d[l4 + 2] << 8 | d[l4 + 3];
		ev->flags |= SLUICE_TRACE_F_PORTS;
	}
}

/* With the addresses as received (F_RX): of the frame as it leaves,
 * only an IPIP or IP6IP6 outer header (the load balancer's tunnel to the
 * backend) into tun_*; its proto byte goes through pad[0]. */
static __always_inline void trace_parse_tun(struct sluice_trace_event *ev)
{
	__u32 cap = ev->cap_len, off = 14;
	const __u8 *d = ev->data;
	__u8 *proto = (__u8 *)&ev->pad[0];
	__u16 type = trace_l2(d, cap, &off);

	*proto = 0;
	if (type &&
	    trace_l3(d, cap, off, type, &ev->tun_family, ev->tun_src,
		     ev->tun_dst, proto) &&
	    (*proto == IPPROTO_IPIP || *proto == IPPROTO_IPV6)) {
		ev->flags |= SLUICE_TRACE_F_ENCAP;
	} else {
		ev->tun_family = 0;
		__builtin_memset(ev->tun_src, 0, 32); /* tun_src, tun_dst */
	}
	*proto = 0;
}

static __always_inline int trace_prefix_ok(const struct sluice_trace_prefix *pf,
					   __u8 family, const __u8 *addr)
{
	__u32 plen = pf->plen;

	if (!pf->family)
		return 1;
	if (pf->family != family)
		return 0;
	for (int i = 0; i < 16; i++) {
		__u8 m = plen >= 8 ? 0xff : (__u8)(0xff00 >> plen);

		if ((addr[i] & m) != pf->addr[i])
			return 0;
		plen = plen >= 8 ? plen - 8 : 0;
	}
	return 1;
}

static __always_inline int trace_match(const struct sluice_trace_cfg *c,
				       const struct sluice_trace_event *ev)
{
	int filtered = c->proto || c->port || c->src.family || c->dst.family;

	if (!filtered)
		return 1;
	if (!(ev->flags & SLUICE_TRACE_F_PARSED))
		return 0;
	if (c->proto && ev->proto != c->proto)
		return 0;
	if (c->port && (!(ev->flags & SLUICE_TRACE_F_PORTS) ||
			(ev->sport != c->port && ev->dport != c->port)))
		return 0;
	return trace_prefix_ok(&c->src, ev->family, ev->src) &&
	       trace_prefix_ok(&c->dst, ev->family, ev->dst);
}

static __always_inline long trace_load(struct __ctx_buff *ctx, void *to,
				       __u32 len)
{
#ifdef SLUICE_CTX_XDP
	return bpf_xdp_load_bytes(ctx, 0, to, len);
#else
	return bpf_skb_load_bytes(ctx, 0, to, len);
#endif
}

/*
 * The event trace_packet() started in @ev (its decision) goes on: the
 * frame's start, the filter, the ring.  The caller looks the maps up and
 * passes their values: the entry points' stacks are near 512 bytes and
 * the verifier counts this function's frame on top of theirs, so it
 * keeps no key and nothing else on its own.  Returns 0; nothing reads it.
 */
__attribute__((noinline)) int trace_emit(struct __ctx_buff *ctx,
					 struct sluice_trace_event *ev,
					 const struct sluice_trace_cfg *c,
					 struct sluice_trace_stats *s)
{
	__u32 reason, len;
	__u64 cap;

	if (!ev || !c || !s)
		return 0;
	reason = ev->reason & 0xff;
	if (c->reasons_on && !(c->reasons[reason >> 3] & (1u << (reason & 7))))
		return 0;
	if (c->count && s->emitted + s->lost >= c->count)
		return 0;
	len = ctx_len(ctx);
	if (!len)
		return 0;
	/* the helpers take a length the verifier can bound, 1..CAP: the
	 * barrier keeps the compiler from dropping the mask it thinks
	 * redundant */
	cap = (len > SLUICE_TRACE_CAP ? SLUICE_TRACE_CAP : len) - 1;
	asm volatile("" : "+r"(cap));
	cap = (cap & (SLUICE_TRACE_CAP - 1)) + 1;
	if (trace_load(ctx, ev->data, cap))
		return 0;
	ev->cap_len = cap;
	ev->len = len;
	if (ev->flags & SLUICE_TRACE_F_RX)
		trace_parse_tun(ev);
	else
		trace_parse(ev);
	if (!trace_match(c, ev))
		return 0;
	s->matched++;
	if (c->sample > 1 && (s->matched - 1) % c->sample)
		return 0;
	ev->ts_ns = bpf_ktime_get_ns();
	if (bpf_ringbuf_output(&trace_events, ev, sizeof(*ev), 0))
		s->lost++;
	else
		s->emitted++;
	return 0;
}

/* finish()'s hook: the packet @p decided by @reason with @verdict.  Off
 * (trace_begin() found it off), a test of a byte. */
static __always_inline void trace_packet(const struct pkt *p, __u32 reason,
					 __u8 verdict)
{
	struct sluice_trace_event *ev;
	struct sluice_trace_stats *s;
	struct sluice_trace_cfg *c;
	__u32 zero = 0;

	if (!p->tracing)
		return;
	c = bpf_map_lookup_elem(&trace_cfg, &zero);
	if (!c || !c->enabled)
		return;
	ev = bpf_map_lookup_elem(&trace_scratch, &zero);
	s = bpf_map_lookup_elem(&trace_stats, &zero);
	if (!ev || !s)
		return;
	/* the decision (the stages wrote ev->d) and, F_RX, the addresses as
	 * received (trace_note_rx()); trace_emit() fills in the rest */
	__builtin_memset(ev, 0,
			 __builtin_offsetof(struct sluice_trace_event, flags));
	if (!(ev->flags & SLUICE_TRACE_F_RX))
		__builtin_memset(
			&ev->flags, 0,
			__builtin_offsetof(struct sluice_trace_event, tun_src) -
				__builtin_offsetof(struct sluice_trace_event,
						   flags));
	ev->tun_family = 0;
	__builtin_memset(ev->tun_src, 0, 32); /* tun_src, tun_dst */
	ev->ifindex = p->ingress_ifindex;
	ev->in_ifindex = p->in_ifindex;
	ev->egress_ifindex = p->egress_ifindex;
	ev->slot = p->slot;
	ev->reason = reason;
	ev->verdict = verdict;
	ev->hook = TRACE_HOOK;
	trace_emit(p->ctx, ev, c, s);
}

#endif
