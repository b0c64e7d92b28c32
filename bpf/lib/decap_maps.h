/* SPDX-License-Identifier: GPL-2.0-only */
/* The backend's tunnel endpoints: addresses of this host. */
#ifndef SLUICE_BPF_DECAP_MAPS_H
#define SLUICE_BPF_DECAP_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/decap.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SLUICE_MAX_LOCAL_ADDRS);
	__type(key, struct sluice_addr_key);
	__type(value, __u32);
} local_addrs SEC(".maps");

#endif
