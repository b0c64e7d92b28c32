/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * lb_flows: the load balancer's flow table, flow -> (VIP, backend).
 *
 * BPF_MAP_TYPE_ARRAY (BPF_F_MMAPABLE) of 2^bits 64-byte slots, one cache
 * line each; bits is a load-time setting (sluiced's lb.max_flows: twice
 * that, rounded up to a power of two) that the data path has as a
 * constant of its load (cfg_lb_flow_bits).  It replaced an LRU hash map
 * (layouts 1 and 2), whose insert cost a SYN about 250 ns on the machines
 * we measure (docs/performance.md, "A flow table of our own").
 *
 * A flow's slots are probed in line from sluice_lb_flow_base() of its
 * table hash (sluice_lb_flow_hash(): the 5-tuple, whatever the VIP's
 * Maglev hash is), at most SLUICE_LB_FLOW_PROBES of them.  A slot's tag
 * says what it holds:
 *   0                    free, never used: no flow lies beyond it
 *   SLUICE_LB_FLOW_BUSY  being written by one CPU (readers skip it)
 *   SLUICE_LB_FLOW_GONE  deleted by user space (reusable; not the end)
 *   odd                  sluice_lb_flow_tag() of the flow in it
 * The data path never frees a slot: a new flow takes the first free slot
 * of its probes, else the first deleted one, else the one seen longest
 * ago (evicted).  So a probe that meets a free slot can stop there.
 *
 * Writing a slot: claim its tag by compare-and-swap (the tag read ->
 * BUSY), write the rest, then the new tag, so no two CPUs write one slot
 * and a reader either misses or sees the whole flow.  A reader checks the
 * tag, the whole key, then reads the slot and checks the tag again.
 * User space enters flows only into tables no program runs on (the
 * carry-over at an upgrade, explain's copy, tests); it deletes, also from
 * a live table, by claiming the slot and tagging it GONE.
 */
#ifndef SLUICE_UAPI_LB_FLOWS_H
#define SLUICE_UAPI_LB_FLOWS_H

#include <linux/types.h>
#include "flow_hash.h"
#include "lb.h"

#define SLUICE_LB_FLOW_BUSY 2u
#define SLUICE_LB_FLOW_GONE 4u
#define SLUICE_LB_FLOW_PROBES 16
#define SLUICE_LB_FLOW_BITS_MIN 11 /* 2,048 slots: lb.max_flows 1,024 */
#define SLUICE_LB_FLOW_BITS_MAX 25 /* 2 GiB: lb.max_flows 16,777,216 */
#ifndef SLUICE_LB_FLOW_BITS
#define SLUICE_LB_FLOW_BITS 18 /* the default lb.max_flows: 16 MiB */
#endif

struct sluice_lb_flow_slot {
	/* a 32-bit tag in 64 bits: the compare-and-swap that claims a slot
	 * is 64-bit, the width every BPF target has */
	__u64 tag;
	__u32 vip_id;
	__u32 backend_id;
	__u64 last_seen_ns; /* the CPU's tick when last refreshed */
	struct sluice_flow_key key;
};

_Static_assert(sizeof(struct sluice_lb_flow_slot) == 64, "lb flow slot");

/* What the data path's inserts could not do cleanly, in the
 * lb_flow_events per-CPU array (index = event): without them a table too
 * small for its flows would evict them without a word (a returning
 * evicted flow is placed by Maglev again, and keeps its backend only while
 * the VIP's backends stay as they were).  Counted only off the common
 * path: a SYN that finds a free slot counts nothing here. */
#define SLUICE_LB_FLOW_EVENTS(X)                                               \
	/* a live flow's slot given to a new flow: its 16 probes held no    \
	 * free and no deleted slot */  \
	X(EVICTED, 0, "evicted")                                               \
	/* not entered: every probe was being written, or another CPU      \
	 * claimed the chosen slot first; the packet still goes its way */   \
	X(INSERT_FAIL_BUSY, 1, "insert_fail_busy")

#define SLUICE_LB_FLOW_EVENT_ENUM_(id, num, name) SLUICE_LBFE_##id = num,
enum sluice_lb_flow_event { SLUICE_LB_FLOW_EVENTS(SLUICE_LB_FLOW_EVENT_ENUM_) };
#undef SLUICE_LB_FLOW_EVENT_ENUM_
#define SLUICE_LB_FLOW_NEVENTS 8 /* slots: events are appended, never moved */

/* The table's hash of a flow: the 5-tuple, as a VIP's default Maglev hash
 * (bpf/lib/lb.h lb_hash()), also for VIPs hashed by source only, whose
 * flows would otherwise all share their client's probes. */
static inline __u32 sluice_lb_flow_hash(const struct sluice_flow_key *k)
{
	return sluice_flow_hash((const __u32 *)k->saddr,
				(const __u32 *)k->daddr,
				k->family == 2 /* AF_INET */ ? 1 : 4,
				(__u32)k->sport | (__u32)k->dport << 16,
				k->proto);
}

/* The first slot probed: the hash's high bits after a multiplication by
 * 2^32 / phi (Fibonacci hashing), so that nearby hashes spread. */
static inline __u32 sluice_lb_flow_base(__u32 hash, __u32 bits)
{
	return (__u32)(hash * 2654435761u) >> (32 - bits);
}

static inline __u32 sluice_lb_flow_tag(__u32 hash)
{
	return hash | 1;
}

/* The table's bits for @max_flows flows: twice as many slots, a power of
 * two, so that the probes of a flow meet a free slot soon; -1 outside
 * 1 .. 2^(BITS_MAX - 1). */
static inline int sluice_lb_flow_bits(__u32 max_flows)
{
	int bits = SLUICE_LB_FLOW_BITS_MIN;

	if (!max_flows || max_flows > 1u << (SLUICE_LB_FLOW_BITS_MAX - 1))
		return -1;
	while ((1u << (bits - 1)) < max_flows)
		bits++;
	return bits;
}

#endif /* SLUICE_UAPI_LB_FLOWS_H */
