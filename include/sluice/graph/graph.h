/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libgraph: packet-processing nodes on libpktio, walked burst by burst
 * (issue #10).  A node type registers a name, an optional init, a
 * process() that works on a burst, and its next edges (an enum in the
 * node's header, names in the type).  A graph is a list of node
 * instances and their edge wiring; it is checked when it is built
 * (unknown node or edge, an unwired edge, a loop: each refused naming the
 * node) and then walked: a burst enters the entry node, each node
 * enqueues every buffer on one of its edges, and the nodes run in
 * topological order, so one pass moves a whole burst.  Nothing is
 * allocated or logged per packet.
 *
 * Conventions as libpktio's: 0 or -errno, NULL with errno set; every
 * refusal is kept for graph_last_error().
 */
#ifndef SLUICE_GRAPH_H
#define SLUICE_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <sluice/pktio/pktio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GRAPH_BURST_MAX 256 /* buffers a node's input holds per walk */
#define GRAPH_NAME_MAX 32
#define GRAPH_EDGES_MAX 16
#define GRAPH_NODES_MAX 64
#define GRAPH_TYPES_MAX 64

struct graph;
struct graph_node;
struct graph_ctx;
struct pktio_worker;

/*
 * What the nodes tell each other about a packet, kept in the buffer's
 * udata (8 bytes, the graph owns it while a buffer is in the graph):
 * where L3 starts (eth-input), and why a packet goes to drop or punt
 * (a reason of include/uapi/sluice/reasons.h, the XDP path's names).
 * Two fields are reused once their first meaning is spent, by stage:
 *   reason/vlan_tci -> nh: ip4-lookup/ip6-lookup hand ip-rewrite the
 *       fib_nhs index they chose (the ingress tag is of no use past the
 *       lookup; a node that sends the packet to drop or punt after that
 *       sets reason again, which overwrites nh);
 *   l3_proto -> out: ip-rewrite hands if-output the slot of the egress
 *       port in the graph_fib's port table (include/sluice/graph/fib.h).
 */
struct graph_meta {
	union {
		struct {
			uint16_t reason;
			uint16_t vlan_tci; /* valid when GRAPH_META_VLAN */
		};
		uint32_t nh; /* lookup -> ip-rewrite */
	};
	uint8_t l3_off;
	uint8_t flags;
	union {
		uint16_t l3_proto; /* ethertype, host order */
		uint16_t out;	   /* ip-rewrite -> if-output */
	};
};
_Static_assert(sizeof(struct graph_meta) == 8, "graph_meta is the udata");
#define GRAPH_META_VLAN 0x01

static inline struct graph_meta *graph_meta(struct pktio_buf *b)
{
	return (struct graph_meta *)&b->udata;
}

/* A sink (drop, punt, tx) has no edges and takes packets from anywhere. */
#define GRAPH_NODE_F_SINK 0x1

/* What a node instance is given at init (from the graph spec). */
struct graph_node_args {
	struct pktio_port *port; /* tx, punt: where packets go */
	uint16_t queue;
	/* the node type's own (e.g. the FIB a lookup node reads), opaque
	 * to the core: the program building the graph passes it */
	void *arg;
};

typedef void (*graph_process_fn)(struct graph_ctx *ctx, struct graph_node *node,
				 struct pktio_buf **bufs, uint16_t n);

struct graph_node_type {
	const char *name;
	const char *const *edges; /* edges[i] names next edge i */
	uint16_t n_edges;
	uint16_t flags;	  /* GRAPH_NODE_F_* */
	size_t priv_size; /* zeroed bytes: graph_node_priv() */
	int needs_port;	  /* init fails without args->port */
	/* optional; 0 or -errno (the node says why with graph_set_error) */
	int (*init)(struct graph_node *node,
		    const struct graph_node_args *args);
	void (*fini)(struct graph_node *node); /* optional */
	graph_process_fn process;
	/* optional: a counter of the node's own by name, -ENOENT if none */
	int (*counter)(struct graph_node *node, const char *name,
		       uint64_t *val);
	/* optional: each of the node's own counters, for an export */
	void (*counters)(struct graph_node *node,
			 void (*emit)(void *arg, const char *name,
				      uint64_t val),
			 void *arg);
};

/*
 * Registers a node type (the built-in ones are always there).  -EEXIST
 * for a name taken, -ENOSPC beyond GRAPH_TYPES_MAX, -EINVAL for a type
 * without name or process, or with too many edges.
 */
int graph_node_type_register(const struct graph_node_type *type);
const struct graph_node_type *graph_node_type_find(const char *name);

/* An edge's wiring: edge name -> node instance name. */
struct graph_edge_spec {
	const char *edge;
	const char *to;
};

/* A node instance. */
struct graph_node_spec {
	const char *name; /* unique in the graph */
	const char *type; /* a registered type; default: name */
	const struct graph_edge_spec *next;
	unsigned int n_next; /* every edge of the type, once */
	struct pktio_port *port;
	uint16_t queue;
	void *arg; /* handed to the type's init (graph_node_args.arg) */
};

struct graph_spec {
	const struct graph_node_spec *nodes;
	unsigned int n_nodes;
	const char *entry; /* where bursts enter; default nodes[0] */
};

/*
 * Builds a graph.  Refusals name the node, the field and the value:
 *   nodes[2].next.ok: "ip9-input" is not a node
 *   nodes[0].next: edge "ip4" of eth-input is not wired
 *   graph: loop: a -> b -> a
 */
int graph_create(const struct graph_spec *spec, struct graph **out);
void graph_destroy(struct graph *g);
/* The same checks without starting the nodes (no port needed). */
int graph_spec_check(const struct graph_spec *spec);

/*
 * Walks a burst: the buffers enter the entry node and leave through the
 * sinks (sent or freed).  Any n; more than GRAPH_BURST_MAX go in chunks.
 */
void graph_walk(struct graph *g, struct pktio_buf **bufs, uint16_t n);

/*
 * A pktio_burst_fn (include/sluice/pktio/worker.h) that walks each burst
 * a worker polls through the graph given as its ctx.
 */
void graph_pktio_burst(struct pktio_worker *w, struct pktio_port *port,
		       uint16_t q, struct pktio_buf **bufs, uint16_t n,
		       void *ctx);

/* In a node's process(): send a buffer, or several, on one of its edges. */
void graph_enqueue(struct graph_ctx *ctx, struct graph_node *node,
		   uint16_t edge, struct pktio_buf *b);
void graph_enqueue_burst(struct graph_ctx *ctx, struct graph_node *node,
			 uint16_t edge, struct pktio_buf **bufs, uint16_t n);

/* What a node reads of itself. */
void *graph_node_priv(struct graph_node *node);
const char *graph_node_name(const struct graph_node *node);
struct graph_node *graph_node_find(struct graph *g, const char *name);

/*
 * Per node: process() calls, packets given to it, nanoseconds spent in
 * it (clock_gettime around each call, never per packet), and buffers
 * freed because its input was full (only a node that makes packets can
 * cause that: a walk conserves buffers otherwise).
 */
struct graph_node_stats {
	uint64_t calls;
	uint64_t packets;
	uint64_t ns;
	uint64_t overflow;
};

/* -ENOENT when there is no such node. */
int graph_node_stats(struct graph *g, const char *node,
		     struct graph_node_stats *s);
/*
 * A counter by name: "calls", "packets", "ns", "overflow", or one of the
 * node's own (drop and punt: a reason name such as "drop_bad_csum"; tx:
 * "tx_full").  -ENOENT naming what is missing.
 */
int graph_node_counter(struct graph *g, const char *node, const char *name,
		       uint64_t *val);
/* Calls fn for each node in walk order. */
void graph_foreach_node(struct graph *g,
			void (*fn)(struct graph_node *node, void *arg),
			void *arg);

/*
 * Every node's counters as one JSON document (malloc'd, the caller frees):
 *   {"nodes": [{"name": "ip4", "type": "ip4-input", "calls": 1,
 *               "packets": 236, "ns": 5120, "overflow": 0,
 *               "counters": {}}, ...]}
 * in walk order; "counters" holds the node's own (drop and punt: the
 * reasons seen, by name).  NULL with errno ENOMEM.
 */
char *graph_stats_json(struct graph *g);

/* The calling thread's last refusal. */
const char *graph_last_error(void);
/* For node init functions: record why (printf format). */
void graph_set_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_GRAPH_H */
