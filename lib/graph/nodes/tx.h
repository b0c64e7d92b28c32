/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tx: sends every buffer it gets on a pktio port's queue (the node
 * spec's port and queue); what the queue does not take is freed and
 * counted as "tx_full".  A sink: no edges.
 *
 * punt: the same towards the kernel (a TAP port in production, a ring
 * port in the tests), counted per reason as drop is
 * (graph_node_counter(g, "punt", "pass_ttl")), plus "punt_full".
 */
#ifndef SLUICE_GRAPH_TX_H
#define SLUICE_GRAPH_TX_H

#include <stdint.h>

struct pktio_port;

struct graph_tx_priv {
	struct pktio_port *port;
	uint16_t queue;
	uint64_t full;
};

struct graph_node_args;

/* tx's and punt's init: @a's port and queue, checked (the queue exists),
 * into @p; -errno with graph_set_error() naming what is wrong. */
int graph_tx_bind(struct graph_tx_priv *p, const struct graph_node_args *a);

#endif
