/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * On-link destinations the data path has no neighbour for.  The kernel
 * resolves a neighbour only when it sends through it itself: with its
 * forwarding off it never does for a host that transit traffic goes to,
 * and the packets sluice hands it (pass_no_neigh) are dropped.  So the
 * miss is noted here, once per destination until sluiced has taken it
 * (daemon/neigh_onlink.c reads, asks the kernel to resolve, deletes);
 * the gateways of routes need no note: sluiced knows them from the routes
 * (daemon/neigh_probe.c).  An LRU map: a scan of a connected subnet evicts
 * old notes instead of filling it, and costs the packet path a lookup only
 * on a miss, which goes to the kernel anyway.
 */
#ifndef SLUICE_BPF_NEIGH_WANTED_H
#define SLUICE_BPF_NEIGH_WANTED_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/route.h>

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SLUICE_MAX_NEIGH_WANTED);
	__type(key, struct sluice_neigh_key);
	__type(value, __u32); /* 1: nothing else is kept */
} neigh_wanted SEC(".maps");

/* The lookup first: an LRU update takes a free node before it finds the
 * key, so updating on every packet of a flood would churn the list. */
static __always_inline void neigh_wanted_note(const struct sluice_neigh_key *k)
{
	__u32 one = 1;

	if (!bpf_map_lookup_elem(&neigh_wanted, k))
		bpf_map_update_elem(&neigh_wanted, k, &one, BPF_NOEXIST);
}

#endif
