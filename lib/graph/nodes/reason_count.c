// SPDX-License-Identifier: BSD-2-Clause
/* Per-reason counters of the sinks drop and punt (drop.h). */
#include <errno.h>
#include "../graph_internal.h"
#include "drop.h"

void graph_reason_count_burst(struct graph_reason_counts *c,
			      struct pktio_buf **bufs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		uint16_t r = graph_meta(bufs[i])->reason;

		/* a node that mis-numbers a reason is counted, never lost */
		c->n[r < SLUICE_REASON_SLOTS ? r : SLUICE_REASON_INVALID]++;
	}
}

int graph_reason_counter(const struct graph_reason_counts *c, const char *name,
			 uint64_t *val)
{
	int r = graph_reason_by_name(name);

	if (r < 0)
		return -ENOENT;
	*val = c->n[r];
	return 0;
}

void graph_reason_counters(const struct graph_reason_counts *c,
			   void (*emit)(void *arg, const char *name,
					uint64_t val),
			   void *arg)
{
	for (unsigned int r = 0; r < SLUICE_REASON_SLOTS; r++)
		if (c->n[r] && graph_reason_name(r))
			emit(arg, graph_reason_name(r), c->n[r]);
}
