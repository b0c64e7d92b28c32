/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The load balancer's flow table, probed in line (uapi/sluice/lb_flows.h
 * says how a slot is claimed and read).  Both functions are global: the
 * verifier checks their loops once, not on every path of sluice_xdp that
 * reaches the load balancer, which is close to its budget.
 */
#ifndef SLUICE_BPF_LB_FLOWS_H
#define SLUICE_BPF_LB_FLOWS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/lb_flows.h>
#include "lb_maps.h"

/*
 * A slot's tag is read before the rest and again after it, and written
 * after the rest (uapi/sluice/lb_flows.h).  x86 keeps loads in order with
 * loads and stores with stores, so plain accesses the compiler may not
 * move are enough there.  A weakly ordered CPU (arm64) would let the slot
 * be read outside the two reads of its tag, and its new tag be seen
 * before its contents; BPF has no load-acquire or store-release in the
 * compilers we build with, so there the tag is read by an atomic OR of 0
 * and written by an exchange, which every JIT makes fully ordered.
 * SLUICE_BPF_WEAK_ORDER builds that variant anywhere (the bpf tier can
 * run it on x86: `make BPF_EXTRA_CFLAGS=-DSLUICE_BPF_WEAK_ORDER`).
 */
#if !defined(__TARGET_ARCH_x86) && !defined(SLUICE_BPF_WEAK_ORDER)
#define SLUICE_BPF_WEAK_ORDER 1
#endif
#ifdef SLUICE_BPF_WEAK_ORDER
#define lb_tag_read(p) __sync_fetch_and_or((p), 0)
#define lb_tag_publish(p, v) ((void)__sync_lock_test_and_set((p), (v)))
#else
#define lb_tag_read(p) (*(volatile __u64 *)(p))
#define lb_tag_publish(p, v)                                                   \
	do {                                                                   \
		asm volatile("" ::: "memory");                                 \
		*(volatile __u64 *)(p) = (v);                                  \
	} while (0)
#endif

/* What a flow's slot says, read whole (lb_flows_find()). */
struct lb_flow_entry {
	__u32 vip_id;
	__u32 backend_id;
	__u64 last_seen_ns;
};

static __always_inline void lb_flow_event(__u32 ev)
{
	__u64 *n = bpf_map_lookup_elem(&lb_flow_events, &ev);

	if (n)
		*n += 1;
}

static __always_inline __u32 lb_flows_slot(__u32 hash, __u32 probe)
{
	__u32 bits = cfg_lb_flow_bits;

	return (sluice_lb_flow_base(hash, bits) + probe) & ((1u << bits) - 1);
}

/* The key is copied and compared as five 64-bit words: byte-wise, the
 * stack of the nested calls grew past the verifier's 512 bytes. */
static __always_inline int lb_flows_key_eq(const struct sluice_flow_key *a,
					   const struct sluice_flow_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3] &&
	       x[4] == y[4];
}

/*
 * The slot of @k (table hash @hash), its index + 1, with what it says in
 * *@out; 0 when the table does not have the flow.  The tag is read again
 * after the slot: a slot claimed meanwhile is a miss, never half of two
 * flows.
 */
__noinline int lb_flows_find(const struct sluice_flow_key *k, __u32 hash,
			     struct lb_flow_entry *out)
{
	__u64 tag = sluice_lb_flow_tag(hash);

	if (!k || !out)
		return 0;
	for (__u32 p = 0; p < SLUICE_LB_FLOW_PROBES; p++) {
		__u32 idx = lb_flows_slot(hash, p);
		struct sluice_lb_flow_slot *sl;
		__u64 t;

		sl = bpf_map_lookup_elem(&lb_flows, &idx);
		if (!sl)
			return 0;
		t = lb_tag_read(&sl->tag);
		if (!t) /* never used: the flow is not further on */
			return 0;
		if (t != tag || !lb_flows_key_eq(&sl->key, k))
			continue;
		out->vip_id = sl->vip_id;
		out->backend_id = sl->backend_id;
		out->last_seen_ns = sl->last_seen_ns;
		asm volatile("" ::: "memory");
		if (lb_tag_read(&sl->tag) != tag)
			return 0;
		return (int)idx + 1;
	}
	return 0;
}

/*
 * @k into the table: 0 entered, 1 the table has it already (@noexist:
 * left as it is; else rewritten in place), -1 not entered (another CPU
 * was writing the slot; the packet still goes where it was going).  The
 * first free slot of the probes, else the first deleted one, else the
 * one seen longest ago: its flow is evicted and placed by Maglev again
 * when it comes back, as with an LRU.  An eviction and a put that enters
 * nothing are counted (lb_flow_events): a table too small for its flows
 * shows there.
 */
__noinline int lb_flows_put(const struct sluice_flow_key *k, __u32 hash,
			    const struct lb_flow_entry *e, int noexist)
{
	__u64 tag = sluice_lb_flow_tag(hash), seen = 0, gone_seen = 0;
	__u64 old_seen = 0;
	__u32 pick = 0, gone = 0, old = 0, evict = 0;
	__u64 oldest = ~0ull;
	struct sluice_lb_flow_slot *sl;
	int found = 0, have = 0, have_gone = 0;

	if (!k || !e)
		return -1;
#pragma clang loop unroll(disable)
	for (__u32 p = 0; p < SLUICE_LB_FLOW_PROBES; p++) {
		__u32 idx = lb_flows_slot(hash, p);
		__u64 t;

		sl = bpf_map_lookup_elem(&lb_flows, &idx);
		if (!sl)
			return -1;
		t = lb_tag_read(&sl->tag);
		if (!t) {
			pick = idx;
			have = 1;
			break;
		}
		if (t == tag && lb_flows_key_eq(&sl->key, k)) {
			if (noexist)
				return 1;
			pick = idx;
			seen = t;
			found = 1;
			break;
		}
		if (t == SLUICE_LB_FLOW_GONE) {
			if (!have_gone) {
				gone = idx;
				gone_seen = t;
				have_gone = 1;
			}
			continue;
		}
		if (t == SLUICE_LB_FLOW_BUSY)
			continue;
		if (sl->last_seen_ns < oldest) {
			oldest = sl->last_seen_ns;
			old = idx;
			old_seen = t;
		}
	}
	/* a deleted slot before the free one keeps the probes short */
	if (!found && have_gone) {
		pick = gone;
		seen = gone_seen;
	} else if (!found && !have) {
		if (oldest == ~0ull) { /* every probe busy */
			lb_flow_event(SLUICE_LBFE_INSERT_FAIL_BUSY);
			return -1;
		}
		pick = old;
		seen = old_seen;
		evict = 1;
	}
	sl = bpf_map_lookup_elem(&lb_flows, &pick);
	if (!sl)
		return -1;
	if (__sync_val_compare_and_swap(&sl->tag, seen, SLUICE_LB_FLOW_BUSY) !=
	    seen) {
		lb_flow_event(SLUICE_LBFE_INSERT_FAIL_BUSY);
		return -1;
	}
	if (evict)
		lb_flow_event(SLUICE_LBFE_EVICTED);
	{
		const __u64 *kw = (const __u64 *)k;
		__u64 *dw = (__u64 *)&sl->key;

		dw[0] = kw[0];
		dw[1] = kw[1];
		dw[2] = kw[2];
		dw[3] = kw[3];
		dw[4] = kw[4];
	}
	sl->vip_id = e->vip_id;
	sl->backend_id = e->backend_id;
	sl->last_seen_ns = e->last_seen_ns;
	lb_tag_publish(&sl->tag, tag); /* the slot, then its tag */
	return found;
}

/* The slot @at (lb_flows_find()'s answer) seen at @now. */
static __always_inline void lb_flows_touch(int at, __u64 now)
{
	__u32 idx = (__u32)at - 1;
	struct sluice_lb_flow_slot *sl;

	sl = bpf_map_lookup_elem(&lb_flows, &idx);
	if (sl)
		sl->last_seen_ns = now;
}

#endif
