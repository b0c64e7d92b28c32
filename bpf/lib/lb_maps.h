/* SPDX-License-Identifier: GPL-2.0-only */
/* The load balancer's maps (uapi/sluice/lb.h). */
#ifndef SLUICE_BPF_LB_MAPS_H
#define SLUICE_BPF_LB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/lb.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_LB_MAX_VIPS);
	__type(key, struct sluice_vip_key);
	__type(value, struct sluice_vip);
} lb_vips SEC(".maps");

/* One Maglev table per VIP; BPF_F_INNER_MAP lets each VIP have its own M. */
struct lb_ring {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(max_entries, SLUICE_LB_DEFAULT_RING);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, SLUICE_LB_MAX_VIPS);
	__type(key, __u32);
	__array(values, struct lb_ring);
} lb_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct sluice_backend);
} lb_backends SEC(".maps");

/*
 * One LRU list per CPU (BPF_F_NO_COMMON_LRU): an insert takes a node from
 * its own CPU's free list and evicts from its own list, without the common
 * LRU's global lock and list rotation.  The hash table itself is shared, so
 * a lookup finds an entry whichever CPU made it: a flow that moves CPU
 * keeps its backend.  Each CPU's list holds max_entries / CPUs entries
 * (lib/dp sizes it a multiple of the possible CPUs).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, SLUICE_LB_MAX_FLOWS);
	__type(key, struct sluice_flow_key);
	__type(value, struct sluice_flow);
} lb_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_lb_config);
} lb_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} lb_vip_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_lb_vip_bits);
} lb_vip_bits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_LB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct sluice_lb_counter);
} lb_vip_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct sluice_lb_counter);
} lb_backend_stats SEC(".maps");

#endif
