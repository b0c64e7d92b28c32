/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * drop: frees every buffer it gets, counted under graph_meta's reason
 * (the XDP path's names: graph_node_counter(g, "drop", "drop_bad_csum")).
 * A sink: no edges.
 */
#ifndef SLUICE_GRAPH_DROP_H
#define SLUICE_GRAPH_DROP_H

#include <stdint.h>
#include <uapi/sluice/reasons.h>

/* drop's and punt's per-reason counters (reason_count.c) */
struct graph_reason_counts {
	uint64_t n[SLUICE_REASON_SLOTS];
};

void graph_reason_count_burst(struct graph_reason_counts *c,
			      struct pktio_buf **bufs, uint16_t n);
int graph_reason_counter(const struct graph_reason_counts *c, const char *name,
			 uint64_t *val);
/* the reasons counted at least once, by name */
void graph_reason_counters(const struct graph_reason_counts *c,
			   void (*emit)(void *arg, const char *name,
					uint64_t val),
			   void *arg);

#endif
