/* SPDX-License-Identifier: GPL-2.0-only */
/* The previous Maglev tables of second chance (uapi/sluice/lb_second.h). */
#ifndef SLUICE_BPF_LB_SECOND_MAPS_H
#define SLUICE_BPF_LB_SECOND_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/lb.h>
#include <uapi/sluice/lb_second.h>
#include "lb_maps.h"

/* Inner maps of lb_rings' kind (struct lb_ring): lib/dp gives both outer
 * maps the same template, so a table is made the same way for either. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, SLUICE_LB_MAX_VIPS);
	__type(key, __u32);
	__array(values, struct lb_ring);
} lb_prev_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_LB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct sluice_lb_second);
} lb_second SEC(".maps");

#endif
