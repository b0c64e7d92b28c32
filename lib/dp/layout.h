/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Adopting pinned maps across restarts and upgrades (lib/dp internal).
 * Before an object is loaded, every map with a pin is checked against the
 * layout this build has (uapi/sluice/layout.h): the same layout is reused;
 * an older layout of a map that only mirrors the kernel (routes,
 * neighbours, ports) is rebuilt; the counters of an older stats layout and
 * the entries of an older LB flow table are carried over; anything else is refused with the map, both layouts and
 * the way out named.  After a successful load the versions are recorded
 * in the pinned `layouts` map.
 */
#ifndef SLUICE_DP_LAYOUT_H
#define SLUICE_DP_LAYOUT_H

#include <stdbool.h>
#include <bpf/libbpf.h>

struct dp_layout_plan;

/* Sets the pin paths of @obj's maps under @dir.  *reused is set when any
 * pinned map will be adopted.  0 or -errno (logged, naming the map). */
int dp_layout_prepare(struct bpf_object *obj, const char *dir,
		      struct dp_layout_plan **plan, bool *reused);
/* After a successful load: carry counters over, drop what was rebuilt,
 * record the versions. */
int dp_layout_commit(struct dp_layout_plan *plan, struct bpf_object *obj);
/* After a failed load: put the pins that were moved aside back. */
void dp_layout_abort(struct dp_layout_plan *plan);
void dp_layout_free(struct dp_layout_plan *plan);

/* Enters every flow of the LB flow table pinned at @old_path (an LRU of
 * layout 1 or 2, or a table of slots of another size) into the table
 * @new_fd (layout_flows.c).  The number copied or -errno. */
int dp_layout_copy_flows(const char *old_path, int new_fd);

/* The layout version this build gives map @name (1 for unknown names). */
unsigned int dp_layout_version(const char *name);

#endif
