// SPDX-License-Identifier: BSD-2-Clause
/* if-output (if_output.h). */
#include <errno.h>
#include <string.h>
#include <sluice/graph/fib.h>
#include "../graph_internal.h"
#include "if_output.h"

static int if_output_init(struct graph_node *node,
			  const struct graph_node_args *a)
{
	struct if_output_priv *p = graph_node_priv(node);
	const struct graph_fib *fib = a->arg;

	if (!fib) {
		graph_set_error("arg: missing (a struct graph_fib)");
		return -EINVAL;
	}
	if (fib->n_ports > GRAPH_FIB_PORTS_MAX) {
		graph_set_error("arg: %u ports, at most %u", fib->n_ports,
				GRAPH_FIB_PORTS_MAX);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < fib->n_ports; i++) {
		struct pktio_port_info info;
		int err;

		if (!fib->ports[i].port) {
			graph_set_error("arg: ports[%u] (ifindex %d): no port",
					i, fib->ports[i].ifindex);
			return -EINVAL;
		}
		err = pktio_port_info(fib->ports[i].port, &info);
		if (err) {
			graph_set_error("arg: ports[%u]: %s", i,
					pktio_last_error());
			return err;
		}
		if (a->queue >= info.nqueues) {
			graph_set_error("queue: %u is not a queue of port "
					"\"%s\" (0..%u)",
					a->queue, info.name, info.nqueues - 1);
			return -EINVAL;
		}
	}
	p->fib = fib;
	p->queue = a->queue;
	return 0;
}

static void send_run(struct if_output_priv *p, uint16_t out,
		     struct pktio_buf **bufs, uint16_t n)
{
	uint16_t sent;

	if (out >= p->fib->n_ports) {
		p->bad_slot += n;
		pktio_buf_free_bulk(bufs, n);
		return;
	}
	sent = pktio_tx_burst(p->fib->ports[out].port, p->queue, bufs, n);
	if (sent < n) {
		p->full += n - sent;
		pktio_buf_free_bulk(bufs + sent, n - sent);
	}
}

static void if_output_process(struct graph_ctx *ctx, struct graph_node *node,
			      struct pktio_buf **bufs, uint16_t n)
{
	struct if_output_priv *p = graph_node_priv(node);
	uint16_t i = 0;

	(void)ctx;
	while (i < n) {
		uint16_t out = graph_meta(bufs[i])->out, j = i + 1;

		while (j < n && graph_meta(bufs[j])->out == out)
			j++;
		send_run(p, out, bufs + i, (uint16_t)(j - i));
		i = j;
	}
}

static int if_output_counter(struct graph_node *node, const char *name,
			     uint64_t *val)
{
	struct if_output_priv *p = graph_node_priv(node);

	if (!strcmp(name, "tx_full"))
		*val = p->full;
	else if (!strcmp(name, "bad_slot"))
		*val = p->bad_slot;
	else
		return -ENOENT;
	return 0;
}

static void if_output_counters(struct graph_node *node,
			       void (*emit)(void *arg, const char *name,
					    uint64_t val),
			       void *arg)
{
	struct if_output_priv *p = graph_node_priv(node);

	emit(arg, "tx_full", p->full);
	emit(arg, "bad_slot", p->bad_slot);
}

const struct graph_node_type graph_node_if_output = {
	.name = "if-output",
	.flags = GRAPH_NODE_F_SINK,
	.priv_size = sizeof(struct if_output_priv),
	.init = if_output_init,
	.process = if_output_process,
	.counter = if_output_counter,
	.counters = if_output_counters,
};
