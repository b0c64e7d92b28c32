/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sluice-vrouter's stats export: one JSON document,
 *
 *   {"threads": [{"name": "vr0", "loops": N, "packets": N,
 *                 "graph": {"nodes": [...]}}],      graph_stats_json()
 *    "ports": [{"name": "eth1", "driver": "af_xdp", "rx_packets": N,
 *               "rx_bytes": N, "rx_drops": N, "tx_packets": N,
 *               "tx_bytes": N, "tx_drops": N, "tx_errors": N}],
 *    "totals": {"rx_packets": N, "tx_packets": N, "port_drops": N,
 *               "forwarded": N, "punted": N, "dropped": N,
 *               "onlink_notes": N, "onlink_note_errors": N},
 *    "fib": {"swaps": N, "stale_errors": N, "note_opens": N}}
 *
 * "forwarded" is the packets if-output was given, "punted" the punt
 * node's, "dropped" the drop node's, "onlink_notes" and
 * "onlink_note_errors" ip4-lookup's and ip6-lookup's (on-link misses
 * noted for sluiced, and those that could not be: lib/fibread/neigh_note.h),
 * summed over the threads.  The
 * counters are read while the workers run (aligned 64-bit words: each is
 * some recent value, the document is not one instant).
 */
#ifndef SLUICE_VROUTER_STATS_H
#define SLUICE_VROUTER_STATS_H

#include <stdio.h>
#include <sluice/graph/graph.h>
#include <sluice/pktio/config.h>
#include "vr_fib.h"

struct vr_stats_src {
	struct pktio_app *app;
	struct graph *graphs[VR_THREADS_MAX];
	unsigned int n_threads;
	const struct vr_fib *fib;
};

/* The document (malloc'd), or NULL with errno. */
char *vr_stats_json(const struct vr_stats_src *s);
/* Writes it to @path atomically (a temporary file, then rename): 0 or
 * -errno. */
int vr_stats_write(const struct vr_stats_src *s, const char *path);
/* One line: rx, tx, forwarded, punted, dropped, FIB swaps, notes. */
void vr_stats_summary(const struct vr_stats_src *s, FILE *f);

#endif
