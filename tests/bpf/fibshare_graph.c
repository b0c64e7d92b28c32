// SPDX-License-Identifier: BSD-2-Clause
/*
 * The graph side of the fibshare comparison (fibshare_runner.c): the
 * forwarding graph sluice-vrouter runs, eth-input -> ip4-input/ip6-input
 * -> ip4-lookup/ip6-lookup -> ip-rewrite -> if-output, on the same pinned
 * table (lib/fibread), with a ring port standing for each egress port and
 * one for the kernel (punt, and the lookups' local edge).  One frame in,
 * what came out where.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sluice/graph/fib.h>
#include <sluice/graph/graph.h>
#include <sluice/pktio/pktio.h>
#include <sluice/pktio/ring.h>
#include "fibshare.h"

#define FSG_BUFS 32

struct fsgraph {
	struct pktio_pool *pool;
	struct pktio_port *punt;
	struct graph_fib fib;
	struct graph *g;
};

static const struct graph_edge_spec eth_next[] = {
	{ "ip4", "ip4" },
	{ "ip6", "ip6" },
	{ "punt", "punt" },
	{ "drop", "drop" },
};
static const struct graph_edge_spec ip4_next[] = {
	{ "ok", "lkp4" },
	{ "punt", "punt" },
	{ "drop", "drop" },
};
static const struct graph_edge_spec ip6_next[] = {
	{ "ok", "lkp6" },
	{ "punt", "punt" },
	{ "drop", "drop" },
};
static const struct graph_edge_spec lkp_next[] = {
	{ "rewrite", "rw" },
	{ "local", "punt" },
	{ "punt", "punt" },
	{ "drop", "drop" },
};
static const struct graph_edge_spec rw_next[] = {
	{ "output", "out" },
	{ "punt", "punt" },
	{ "drop", "drop" },
};

static struct pktio_port *ring(struct pktio_pool *pool, const char *dev)
{
	struct pktio_port_cfg cfg = {
		.driver = "ring", .dev = dev, .nqueues = 1, .pool = pool
	};
	struct pktio_port *p = NULL;

	return pktio_port_open(&cfg, &p) ? NULL : p;
}

void fsgraph_close(struct fsgraph *g)
{
	if (!g)
		return;
	graph_destroy(g->g);
	pktio_port_close(g->punt);
	for (unsigned int i = 0; i < g->fib.n_ports; i++)
		pktio_port_close(g->fib.ports[i].port);
	if (g->pool)
		pktio_pool_destroy(g->pool);
	free(g);
}

void fsgraph_set_notes(struct fsgraph *g, struct neigh_note *n)
{
	g->fib.notes = n;
}

int fsgraph_open(struct fsgraph **out, struct fibread *rd, const __u32 *ifindex,
		 unsigned int n, char *why, size_t len)
{
	struct pktio_pool_cfg pc;
	struct fsgraph *g;
	char dev[32];
	int err;

	if (n > GRAPH_FIB_PORTS_MAX)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	pktio_pool_cfg_init(&pc, FSG_BUFS);
	pc.cache_size = 0;
	err = pktio_pool_create(&pc, &g->pool);
	if (err) {
		snprintf(why, len, "pool: %s", pktio_last_error());
		free(g);
		return err;
	}
	g->fib.reader = rd;
	for (unsigned int i = 0; i < n; i++) {
		snprintf(dev, sizeof(dev), "fsg-%u", ifindex[i]);
		g->fib.ports[i].ifindex = (int)ifindex[i];
		g->fib.ports[i].port = ring(g->pool, dev);
		if (!g->fib.ports[i].port) {
			snprintf(why, len, "%s: %s", dev, pktio_last_error());
			fsgraph_close(g);
			return -EIO;
		}
		g->fib.n_ports = i + 1;
	}
	g->punt = ring(g->pool, "fsg-punt");
	if (!g->punt) {
		snprintf(why, len, "fsg-punt: %s", pktio_last_error());
		fsgraph_close(g);
		return -EIO;
	}
	{
		const struct graph_node_spec nodes[] = {
			{ .name = "eth",
			  .type = "eth-input",
			  .next = eth_next,
			  .n_next = 4 },
			{ .name = "ip4",
			  .type = "ip4-input",
			  .next = ip4_next,
			  .n_next = 3 },
			{ .name = "ip6",
			  .type = "ip6-input",
			  .next = ip6_next,
			  .n_next = 3 },
			{ .name = "lkp4",
			  .type = "ip4-lookup",
			  .next = lkp_next,
			  .n_next = 4,
			  .arg = &g->fib },
			{ .name = "lkp6",
			  .type = "ip6-lookup",
			  .next = lkp_next,
			  .n_next = 4,
			  .arg = &g->fib },
			{ .name = "rw",
			  .type = "ip-rewrite",
			  .next = rw_next,
			  .n_next = 3,
			  .arg = &g->fib },
			{ .name = "out", .type = "if-output", .arg = &g->fib },
			{ .name = "punt", .port = g->punt },
			{ .name = "drop" },
		};
		const struct graph_spec spec = { .nodes = nodes,
						 .n_nodes = sizeof(nodes) /
							    sizeof(nodes[0]) };

		err = graph_create(&spec, &g->g);
	}
	if (err) {
		snprintf(why, len, "graph: %s", graph_last_error());
		fsgraph_close(g);
		return err;
	}
	*out = g;
	return 0;
}

/* Takes what @port sent, into @o when it is the one frame. */
static unsigned int take(struct pktio_port *port, struct fsgraph_out *o)
{
	struct pktio_buf *got[4];
	uint16_t n = pktio_ring_drain(port, 0, got, 4);

	if (n == 1) {
		o->len = pktio_buf_len(got[0]);
		if (o->len > sizeof(o->bytes))
			o->len = sizeof(o->bytes);
		memcpy(o->bytes, pktio_buf_data(got[0]), o->len);
		o->reason = graph_meta(got[0])->reason;
	}
	pktio_buf_free_bulk(got, n);
	return n;
}

int fsgraph_run(struct fsgraph *g, const __u8 *in, __u32 len,
		struct fsgraph_out *o)
{
	struct pktio_buf *b = pktio_buf_alloc(g->pool);
	unsigned int seen = 0, n;
	void *d;

	memset(o, 0, sizeof(*o));
	o->port = FSG_DROPPED;
	if (!b)
		return -ENOBUFS;
	d = pktio_buf_append(b, len);
	if (!d) {
		pktio_buf_free(b);
		return -ENOSPC;
	}
	memcpy(d, in, len);
	graph_walk(g->g, &b, 1);
	for (unsigned int i = 0; i < g->fib.n_ports; i++) {
		n = take(g->fib.ports[i].port, o);
		if (n)
			o->port = (int)i;
		seen += n;
	}
	n = take(g->punt, o);
	if (n)
		o->port = FSG_PUNTED;
	seen += n;
	/* one frame in, at most one out (none: dropped) */
	return seen <= 1 && pktio_pool_avail(g->pool) == FSG_BUFS ? 0 : -EPROTO;
}
