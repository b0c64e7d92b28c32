/* SPDX-License-Identifier: GPL-2.0-only */
/* The ports sluice manages and their VLAN subinterfaces. */
#ifndef SLUICE_BPF_PORT_MAPS_H
#define SLUICE_BPF_PORT_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/route.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_MAX_IFACES * 4);
	__type(key, __u32);
	__type(value, struct sluice_iface);
} ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, SLUICE_PORT_CACHE);
	__type(key, __u32);
	__type(value, struct sluice_port_cache);
} port_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_MAX_VLANS);
	__type(key, struct sluice_vlan_key);
	__type(value, __u32);
} vlans SEC(".maps");

#endif
