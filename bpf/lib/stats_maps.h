/* SPDX-License-Identifier: GPL-2.0-only */
/* The verdict counters, shared by every program (uapi/sluice/stats.h). */
#ifndef SLUICE_BPF_STATS_MAPS_H
#define SLUICE_BPF_STATS_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/stats.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_STATS_ENTRIES);
	__type(key, __u32);
	__type(value, struct sluice_counter);
} stats SEC(".maps");

#endif
