/* SPDX-License-Identifier: BSD-2-Clause */
/* The structures the graph core owns (the lib/graph sources only). */
#ifndef SLUICE_GRAPH_INTERNAL_H
#define SLUICE_GRAPH_INTERNAL_H

#include <sluice/graph/graph.h>

struct graph_node {
	const struct graph_node_type *type;
	char name[GRAPH_NAME_MAX];
	struct graph *graph;
	uint16_t id;   /* index in graph->nodes (spec order) */
	uint16_t n_in; /* buffers staged for the next process() */
	struct graph_node *next[GRAPH_EDGES_MAX];
	struct graph_node_stats stats;
	void *priv;
	/* the node's input: every edge into it stages here */
	struct pktio_buf *in[GRAPH_BURST_MAX];
};

/* A walk's state (one graph is walked by one thread at a time). */
struct graph_ctx {
	struct graph *graph;
};

struct graph {
	struct graph_ctx ctx;
	struct graph_node *entry;
	unsigned int n_nodes;
	struct graph_node *nodes[GRAPH_NODES_MAX]; /* spec order */
	struct graph_node *order[GRAPH_NODES_MAX]; /* topological */
};

/* The built-in node types (lib/graph/nodes/). */
extern const struct graph_node_type graph_node_eth_input;
extern const struct graph_node_type graph_node_ip4_input;
extern const struct graph_node_type graph_node_ip6_input;
extern const struct graph_node_type graph_node_drop;
extern const struct graph_node_type graph_node_punt;
extern const struct graph_node_type graph_node_tx;
extern const struct graph_node_type graph_node_ip4_lookup;
extern const struct graph_node_type graph_node_ip6_lookup;
extern const struct graph_node_type graph_node_ip_rewrite;
extern const struct graph_node_type graph_node_if_output;
extern const struct graph_node_type graph_node_udp_input;

/* Reason number by name ("drop_bad_csum"), -ENOENT if none (reasons.c). */
int graph_reason_by_name(const char *name);
const char *graph_reason_name(unsigned int reason);

#endif
