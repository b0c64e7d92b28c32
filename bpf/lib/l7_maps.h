/* SPDX-License-Identifier: GPL-2.0-only */
/* The L7 local hop's maps (uapi/sluice/l7.h). */
#ifndef SLUICE_BPF_L7_MAPS_H
#define SLUICE_BPF_L7_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/l7.h>

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, SLUICE_L7_MAX_SOCKS);
	__type(key, struct sluice_l7_key);
	__type(value, __u64);
} l7_socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_L7_MAX_SELECTORS);
	__type(key, __u32);
	__type(value, struct sluice_l7_port);
} l7_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_L7_MAX_SELECTORS);
	__type(key, __u32);
	__type(value, struct sluice_l7_counter);
} l7_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_l7_config);
} l7_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sluice_l7_sk);
} l7_sk SEC(".maps");

#endif
