// SPDX-License-Identifier: BSD-2-Clause
/* punt (tx.h): to the kernel through a port, counted per reason. */
#include <errno.h>
#include <string.h>
#include "../graph_internal.h"
#include "drop.h"
#include "tx.h"

struct punt_priv {
	struct graph_tx_priv tx;
	struct graph_reason_counts reasons;
};

static int punt_init(struct graph_node *node, const struct graph_node_args *a)
{
	struct punt_priv *p = graph_node_priv(node);

	return graph_tx_bind(&p->tx, a);
}

static void punt_process(struct graph_ctx *ctx, struct graph_node *node,
			 struct pktio_buf **bufs, uint16_t n)
{
	struct punt_priv *p = graph_node_priv(node);
	uint16_t sent;

	(void)ctx;
	graph_reason_count_burst(&p->reasons, bufs, n);
	sent = pktio_tx_burst(p->tx.port, p->tx.queue, bufs, n);
	if (sent < n) {
		p->tx.full += n - sent;
		pktio_buf_free_bulk(bufs + sent, n - sent);
	}
}

static int punt_counter(struct graph_node *node, const char *name,
			uint64_t *val)
{
	struct punt_priv *p = graph_node_priv(node);

	if (!strcmp(name, "punt_full")) {
		*val = p->tx.full;
		return 0;
	}
	return graph_reason_counter(&p->reasons, name, val);
}

static void punt_counters(struct graph_node *node,
			  void (*emit)(void *arg, const char *name,
				       uint64_t val),
			  void *arg)
{
	struct punt_priv *p = graph_node_priv(node);

	emit(arg, "punt_full", p->tx.full);
	graph_reason_counters(&p->reasons, emit, arg);
}

const struct graph_node_type graph_node_punt = {
	.name = "punt",
	.flags = GRAPH_NODE_F_SINK,
	.priv_size = sizeof(struct punt_priv),
	.needs_port = 1,
	.init = punt_init,
	.process = punt_process,
	.counter = punt_counter,
	.counters = punt_counters,
};
