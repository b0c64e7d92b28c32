/* SPDX-License-Identifier: GPL-2.0-only */
/* The per-packet trace's maps (uapi/sluice/trace.h, lib/trace.h). */
#ifndef SLUICE_BPF_TRACE_MAPS_H
#define SLUICE_BPF_TRACE_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/trace.h>

/* The filter and the switch, written by `sluicectl trace`. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_trace_cfg);
} trace_cfg SEC(".maps");

/* matched / emitted / lost, per CPU: sampling and the count bound need
 * no atomic shared between CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_trace_stats);
} trace_stats SEC(".maps");

/* Where an event is assembled before it is copied into the ring: the
 * entry points' stacks have no room for it, and filtering before the
 * ring is touched keeps unmatched packets from using its space. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_trace_event);
} trace_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SLUICE_TRACE_RING_BYTES);
} trace_events SEC(".maps");

#endif
