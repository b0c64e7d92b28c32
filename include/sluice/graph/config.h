/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A graph in JSON: its nodes and their wiring, the ports tx and punt
 * send to, and the threads that poll ports into it (docs/graph.md):
 *
 *   {"entry": "eth",
 *    "nodes": [{"name": "eth", "type": "eth-input",
 *               "next": {"ip4": "ip4", "ip6": "ip6", "punt": "punt",
 *                        "drop": "drop"}},
 *              ...
 *              {"name": "tx0", "type": "tx", "port": "r1", "queue": 0}],
 *    "threads": [{"name": "w0", "cpu": 1,
 *                 "ports": [{"port": "r0", "queue": 0}]}]}
 *
 * graph_config_parse() checks everything that needs no port (types,
 * edges, wiring, loops, a port for tx and punt, threads); ports are
 * pktio's names, resolved by graph_config_create().  Every refusal names
 * the field path and the value (graph_last_error()).
 */
#ifndef SLUICE_GRAPH_CONFIG_H
#define SLUICE_GRAPH_CONFIG_H

#include <sluice/graph/graph.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GRAPH_THREADS_MAX 64
#define GRAPH_THREAD_PORTS_MAX 64

struct graph_config;

struct graph_thread_port {
	char port[PKTIO_DEV_MAX];
	uint16_t queue;
};

struct graph_thread_cfg {
	char name[GRAPH_NAME_MAX];
	int cpu; /* -1: not pinned */
	unsigned int n_ports;
	struct graph_thread_port ports[GRAPH_THREAD_PORTS_MAX];
};

int graph_config_parse(const char *text, struct graph_config **out);
int graph_config_load(const char *path, struct graph_config **out);
void graph_config_free(struct graph_config *cfg);

/* The spec as parsed (ports not resolved: graph_config_create does it). */
const struct graph_spec *graph_config_spec(const struct graph_config *cfg);
/* The port name of nodes[i], or NULL. */
const char *graph_config_node_port(const struct graph_config *cfg,
				   unsigned int i);
unsigned int graph_config_n_threads(const struct graph_config *cfg);
const struct graph_thread_cfg *
graph_config_thread(const struct graph_config *cfg, unsigned int i);

/* A port by name (pktio_app_port() has this shape), NULL if none. */
typedef struct pktio_port *(*graph_port_lookup_fn)(void *ctx, const char *name);

/*
 * Builds the graph, each tx/punt node on the port lookup(ctx, name)
 * gives: `nodes[3].port: "r9" is not a port`.  Threads' ports are checked
 * the same way: `threads[0].ports[1].port: "r9" is not a port`.
 */
int graph_config_create(const struct graph_config *cfg,
			graph_port_lookup_fn lookup, void *ctx,
			struct graph **out);

#ifdef __cplusplus
}
#endif

#endif
