/* SPDX-License-Identifier: GPL-2.0-only */
/* NAT's maps (uapi/sluice/nat.h). */
#ifndef SLUICE_BPF_NAT_MAPS_H
#define SLUICE_BPF_NAT_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/nat.h>

#ifndef SLUICE_NAT_MAX_RULES
#define SLUICE_NAT_MAX_RULES 4096
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_NAT_MAX_RULES);
	__type(key, struct sluice_dnat_key);
	__type(value, struct sluice_dnat);
} nat_dnat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_NAT_MAX_RULES);
	__type(key, struct sluice_snat_key);
	__type(value, struct sluice_snat);
} nat_snat SEC(".maps");

/* Two entries a NATed flow (binding and alias): twice conntrack's
 * capacity (set at load time with it, lib/dp/ct.c). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2 * SLUICE_CT_MAX_ENTRIES);
	__type(key, struct sluice_ct_key);
	__type(value, struct sluice_nat_flow);
} nat_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_nat_config);
} nat_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_NAT_NEVENTS);
	__type(key, __u32);
	__type(value, __u64);
} nat_events SEC(".maps");

#endif
