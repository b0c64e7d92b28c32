/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * if-output: sends each buffer to the port ip-rewrite chose for it,
 * graph_fib.ports[graph_meta's out].port (include/sluice/graph/fib.h, the
 * node spec's arg), on the node spec's queue: every port has that queue
 * (checked at init), and each worker thread's graph names its own, so no
 * two threads send on one queue.  A run of buffers to the same port goes
 * as one pktio_tx_burst().  A sink: no edges.
 *
 * Counters of its own: "tx_full" (buffers a queue refused, freed, as
 * tx's) and "bad_slot" (an out beyond the port table, freed: a node
 * before it broke the contract).
 */
#ifndef SLUICE_GRAPH_IF_OUTPUT_H
#define SLUICE_GRAPH_IF_OUTPUT_H

#include <stdint.h>

struct graph_fib;

struct if_output_priv {
	const struct graph_fib *fib;
	uint16_t queue;
	uint64_t full;
	uint64_t bad_slot;
};

#endif
