/* SPDX-License-Identifier: GPL-2.0-only */
/* The DDoS guard's maps (uapi/sluice/ddos.h). */
#ifndef SLUICE_BPF_DDOS_MAPS_H
#define SLUICE_BPF_DDOS_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/ddos.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_ddos_config);
} ddos_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_DDOS_MAX_BLOCK_V4);
	__type(key, struct sluice_lpm4_key);
	__type(value, struct sluice_ddos_block);
} ddos_block_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_DDOS_MAX_BLOCK_V6);
	__type(key, struct sluice_lpm6_key);
	__type(value, struct sluice_ddos_block);
} ddos_block_v6 SEC(".maps");

/* One LRU list for all CPUs: a source prefix's bucket is one entry
 * whichever CPU its packets reach. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SLUICE_DDOS_MAX_BUCKETS);
	__type(key, struct sluice_ddos_bucket_key);
	__type(value, struct sluice_ddos_bucket);
} ddos_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_DDOS_MAX_SERVICES);
	__type(key, struct sluice_ddos_service_key);
	__type(value, struct sluice_ddos_service);
} ddos_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_DDOS_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct sluice_ddos_svc_state);
} ddos_svc_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_DDOS_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct sluice_ddos_svc_syns);
} ddos_svc_syns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SLUICE_DDOS_MAX_FLOWS);
	__type(key, struct sluice_ddos_flow_key);
	__type(value, __u64); /* when the cookie ACK came */
} ddos_flows SEC(".maps");

#endif
