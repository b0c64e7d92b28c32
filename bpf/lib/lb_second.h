/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Second chance, the load balancer's half (uapi/sluice/lb_second.h): which
 * backend a flow had in the VIP's previous Maglev table, when that one
 * should get the packet if the backend of now has no socket for it.
 */
#ifndef SLUICE_BPF_LB_SECOND_H
#define SLUICE_BPF_LB_SECOND_H

#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/lb.h>
#include "lb_maps.h"
#include "lb_second_maps.h"

#define LB_TCP_SYN 0x02

/*
 * The previous table's backend for a flow of hash @hash whose Maglev pick
 * now is @new_id; NULL when there is none to carry: no previous table or
 * past its grace period, the same backend then, or one that can no longer
 * take packets (deleted, down).  A function of its own: its lookups' keys
 * would otherwise take room on the pipeline's stack, which has none to
 * spare.
 */
static __noinline const struct sluice_backend *
lb_second_prev(__u32 vip_id, __u32 hash, __u32 new_id, __u64 now)
{
	const struct sluice_lb_second *sc;
	const struct sluice_backend *be;
	__u32 idx, id, *slot;
	void *ring;

	sc = bpf_map_lookup_elem(&lb_second, &vip_id);
	if (!sc || !sc->ring_size || now >= sc->until_ns)
		return NULL;
	ring = bpf_map_lookup_elem(&lb_prev_rings, &vip_id);
	if (!ring)
		return NULL;
	idx = hash % sc->ring_size;
	slot = bpf_map_lookup_elem(ring, &idx);
	if (!slot || !*slot || *slot == new_id)
		return NULL;
	id = *slot;
	be = bpf_map_lookup_elem(&lb_backends, &id);
	if (!be || !be->family || (be->flags & SLUICE_BE_DOWN))
		return NULL;
	return be;
}

/*
 * The backend to carry for a flow the flow table did not know: only TCP
 * has a socket to look for, and a SYN opens a connection that is the new
 * backend's.
 */
static __always_inline const struct sluice_backend *
lb_second_alt(const struct sluice_vip *vip, __u32 hash, __u8 proto,
	      __u8 tcp_flags, __u32 new_id, __u64 now)
{
	if (proto != IPPROTO_TCP || (tcp_flags & LB_TCP_SYN))
		return NULL;
	return lb_second_prev(vip->vip_id, hash, new_id, now);
}

#endif
