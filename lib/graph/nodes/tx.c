// SPDX-License-Identifier: BSD-2-Clause
/* tx (tx.h). */
#include <errno.h>
#include <string.h>
#include "../graph_internal.h"
#include "tx.h"

int graph_tx_bind(struct graph_tx_priv *p, const struct graph_node_args *a)
{
	struct pktio_port_info info;
	int err;

	err = pktio_port_info(a->port, &info);
	if (err) {
		graph_set_error("port: %s", pktio_last_error());
		return err;
	}
	if (a->queue >= info.nqueues) {
		graph_set_error("queue: %u is not a queue of port \"%s\" "
				"(0..%u)",
				a->queue, info.name, info.nqueues - 1);
		return -EINVAL;
	}
	p->port = a->port;
	p->queue = a->queue;
	return 0;
}

static int tx_init(struct graph_node *node, const struct graph_node_args *a)
{
	return graph_tx_bind(graph_node_priv(node), a);
}

static void tx_process(struct graph_ctx *ctx, struct graph_node *node,
		       struct pktio_buf **bufs, uint16_t n)
{
	struct graph_tx_priv *p = graph_node_priv(node);
	uint16_t sent = pktio_tx_burst(p->port, p->queue, bufs, n);

	(void)ctx;
	if (sent < n) {
		p->full += n - sent;
		pktio_buf_free_bulk(bufs + sent, n - sent);
	}
}

static int tx_counter(struct graph_node *node, const char *name, uint64_t *val)
{
	struct graph_tx_priv *p = graph_node_priv(node);

	if (strcmp(name, "tx_full"))
		return -ENOENT;
	*val = p->full;
	return 0;
}

static void tx_counters(struct graph_node *node,
			void (*emit)(void *arg, const char *name, uint64_t val),
			void *arg)
{
	struct graph_tx_priv *p = graph_node_priv(node);

	emit(arg, "tx_full", p->full);
}

const struct graph_node_type graph_node_tx = {
	.name = "tx",
	.flags = GRAPH_NODE_F_SINK,
	.priv_size = sizeof(struct graph_tx_priv),
	.needs_port = 1,
	.init = tx_init,
	.process = tx_process,
	.counter = tx_counter,
	.counters = tx_counters,
};
