/* SPDX-License-Identifier: GPL-2.0-only */
/* The load balancer's maps (uapi/sluice/lb.h). */
#ifndef SLUICE_BPF_LB_MAPS_H
#define SLUICE_BPF_LB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/lb.h>
#include <uapi/sluice/lb_flows.h>

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

/* The VIP a flow-table entry names (uapi lb.h: a mirror of lb_vips). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_LB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct sluice_vip_by_id);
} lb_vip_ids SEC(".maps");

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

/* The flow table (uapi/sluice/lb_flows.h): 2^cfg_lb_flow_bits slots,
 * mapped by sluiced, which counts flows without a syscall.  lib/dp sets
 * the size and the constant together at load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1u << SLUICE_LB_FLOW_BITS);
	__type(key, __u32);
	__type(value, struct sluice_lb_flow_slot);
} lb_flows SEC(".maps");

const volatile __u32 cfg_lb_flow_bits = SLUICE_LB_FLOW_BITS;

/* What the table's inserts could not do cleanly (uapi lb_flows.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_LB_FLOW_NEVENTS);
	__type(key, __u32);
	__type(value, __u64);
} lb_flow_events SEC(".maps");

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
