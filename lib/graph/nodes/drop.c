// SPDX-License-Identifier: BSD-2-Clause
/* drop (drop.h). */
#include "../graph_internal.h"
#include "drop.h"

static void drop_process(struct graph_ctx *ctx, struct graph_node *node,
			 struct pktio_buf **bufs, uint16_t n)
{
	(void)ctx;
	graph_reason_count_burst(graph_node_priv(node), bufs, n);
	pktio_buf_free_bulk(bufs, n);
}

static int drop_counter(struct graph_node *node, const char *name,
			uint64_t *val)
{
	return graph_reason_counter(graph_node_priv(node), name, val);
}

static void drop_counters(struct graph_node *node,
			  void (*emit)(void *arg, const char *name,
				       uint64_t val),
			  void *arg)
{
	graph_reason_counters(graph_node_priv(node), emit, arg);
}

const struct graph_node_type graph_node_drop = {
	.name = "drop",
	.flags = GRAPH_NODE_F_SINK,
	.priv_size = sizeof(struct graph_reason_counts),
	.process = drop_process,
	.counter = drop_counter,
	.counters = drop_counters,
};
