/* SPDX-License-Identifier: GPL-2.0-only */
/* Frames the kernel lost after the data path let go of them
 * (uapi/sluice/xmit.h). */
#ifndef SLUICE_BPF_XMIT_MAPS_H
#define SLUICE_BPF_XMIT_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/xmit.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_XMIT_ENTRIES);
	__type(key, __u32);
	__type(value, struct sluice_xmit_drop);
} xmit_drops SEC(".maps");

#endif
