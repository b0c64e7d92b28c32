/* SPDX-License-Identifier: GPL-2.0-only */
/* The firewall's compiled rule sets (uapi/sluice/fw.h). */
#ifndef SLUICE_BPF_FW_MAPS_H
#define SLUICE_BPF_FW_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/fw.h>

/* By counter slot: the set id of each direction. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct sluice_fw_port);
} fw_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_FW_MAX_SETS);
	__type(key, __u32);
	__type(value, struct sluice_fw_set);
} fw_sets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_FW_MAX_SETS *SLUICE_FW_MAX_RULES);
	__type(key, __u32);
	__type(value, struct sluice_fw_rule);
} fw_rules SEC(".maps");

/* protocol class x ct state */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries,
	       SLUICE_FW_MAX_SETS *SLUICE_FW_NCLASS *SLUICE_FW_NSTATE);
	__type(key, __u32);
	__type(value, struct sluice_fw_bits);
} fw_ps SEC(".maps");

/* protocol x ct state without the rules of the named sets a packet is
 * not in, for sets that reference named sets: written for those only */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_FW_MAX_PSX);
	__type(key, __u32);
	__type(value, struct sluice_fw_bits);
} fw_psx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_FW_MAX_LPM);
	__type(key, struct sluice_fw_lpm4_key);
	__type(value, struct sluice_fw_bits);
} fw_lpm4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_FW_MAX_LPM);
	__type(key, struct sluice_fw_lpm6_key);
	__type(value, struct sluice_fw_bits);
} fw_lpm6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_FW_MAX_PORT_LPM);
	__type(key, struct sluice_fw_port_key);
	__type(value, struct sluice_fw_bits);
} fw_lpm_port SEC(".maps");

/* Named prefix sets (fw set add/load): membership only. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_FW_MAX_NSET_PREFIXES);
	__type(key, struct sluice_fw_nset4_key);
	__type(value, __u8);
} fw_nset4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SLUICE_FW_MAX_NSET_PREFIXES);
	__type(key, struct sluice_fw_nset6_key);
	__type(value, __u8);
} fw_nset6 SEC(".maps");

/* Hits by rule id, then each set's policy (SLUICE_FW_POLICY_COUNTER). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_FW_COUNTERS);
	__type(key, __u32);
	__type(value, struct sluice_counter);
} fw_counters SEC(".maps");

#endif
