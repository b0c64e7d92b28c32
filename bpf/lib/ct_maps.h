/* SPDX-License-Identifier: GPL-2.0-only */
/* Connection tracking's maps (uapi/sluice/ct.h). */
#ifndef SLUICE_BPF_CT_MAPS_H
#define SLUICE_BPF_CT_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/ct.h>

/* Not preallocated: a million-entry table costs memory only for the
 * entries it holds.  The capacity is set at load time (lib/dp/ct.c). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_CT_MAX_ENTRIES);
	__type(key, struct sluice_ct_key);
	__type(value, struct sluice_ct_entry);
} ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_ct_config);
} ct_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_CT_NEVENTS);
	__type(key, __u32);
	__type(value, __u64);
} ct_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_CT_GAUGES);
	__type(key, __u32);
	__type(value, __s64);
} ct_gauges SEC(".maps");

/* The keys of the last half-open and unreplied entries each CPU created:
 * when the table is full, the oldest of them still in that state are
 * evicted to make room (established entries never are). */
#define CT_EMBRYONIC_RING 64
struct ct_embryonic_ring {
	__u32 head; /* next slot written; the oldest key is there */
	__u32 pad;
	struct sluice_ct_key keys[CT_EMBRYONIC_RING];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_embryonic_ring);
} ct_embryonic SEC(".maps");

/* A new entry is built here before it goes in the table, off the stack
 * (the pipeline's is nearly full). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_ct_entry);
} ct_new SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_ct_sweep);
} ct_sweep SEC(".maps");

#endif
