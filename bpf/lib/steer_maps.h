/* SPDX-License-Identifier: GPL-2.0-only */
/* Steering's maps (uapi/sluice/steer.h). */
#ifndef SLUICE_BPF_STEER_MAPS_H
#define SLUICE_BPF_STEER_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/steer.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_steer_config);
} steer_config SEC(".maps");

/* The applications' sockets, by (port slot, rx queue): written by them
 * (the contract in uapi/sluice/steer.h), never by sluiced. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, SLUICE_STEER_XSKS);
	__type(key, __u32);
	__type(value, __u32);
} steer_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_STEER_MAX_PORTS);
	__type(key, struct sluice_steer_port_key);
	__type(value, struct sluice_steer_sel);
} steer_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_STEER_MAX_PREFIXES);
	__type(key, struct sluice_steer_dst_key);
	__type(value, struct sluice_steer_sel);
} steer_dst SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_STEER_MAX_SELECTORS);
	__type(key, __u32);
	__type(value, struct sluice_steer_counter);
} steer_counters SEC(".maps");

#endif
