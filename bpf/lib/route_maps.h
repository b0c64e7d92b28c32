/* SPDX-License-Identifier: GPL-2.0-only */
/* The router's tables: routes (LPM), next-hop groups, neighbours. */
#ifndef SLUICE_BPF_ROUTE_MAPS_H
#define SLUICE_BPF_ROUTE_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/route.h>

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_MAX_ROUTES_V4);
	__type(key, struct sluice_lpm4_key);
	__type(value, struct sluice_route);
} routes_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_MAX_ROUTES_V6);
	__type(key, struct sluice_lpm6_key);
	__type(value, struct sluice_route);
} routes_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_MAX_NHGS);
	__type(key, __u32);
	__type(value, struct sluice_nhg);
} nhgs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_MAX_NEIGHS);
	__type(key, struct sluice_neigh_key);
	__type(value, struct sluice_neigh);
} neighbors SEC(".maps");

#endif
