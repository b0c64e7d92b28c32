// SPDX-License-Identifier: BSD-2-Clause
/*
 * The graph core: the node type registry, building and checking a graph,
 * the walker and the per-node counters.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "graph_internal.h"

_Static_assert(sizeof(struct graph_meta) ==
		       sizeof(((struct pktio_buf *)0)->udata),
	       "graph_meta lives in a buffer's udata");

static __thread char last_error[256];

const char *graph_last_error(void)
{
	return last_error;
}

void graph_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

/* ---- node types -------------------------------------------------------- */

static pthread_mutex_t types_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct graph_node_type *types[GRAPH_TYPES_MAX] = {
	&graph_node_eth_input,	&graph_node_ip4_input,	&graph_node_ip6_input,
	&graph_node_drop,	&graph_node_punt,	&graph_node_tx,
	&graph_node_ip4_lookup, &graph_node_ip6_lookup, &graph_node_ip_rewrite,
	&graph_node_if_output,	&graph_node_udp_input,
};
static unsigned int n_types = 11;

static const struct graph_node_type *type_find_locked(const char *name)
{
	for (unsigned int i = 0; i < n_types; i++)
		if (!strcmp(types[i]->name, name))
			return types[i];
	return NULL;
}

const struct graph_node_type *graph_node_type_find(const char *name)
{
	const struct graph_node_type *t;

	pthread_mutex_lock(&types_lock);
	t = type_find_locked(name);
	pthread_mutex_unlock(&types_lock);
	return t;
}

int graph_node_type_register(const struct graph_node_type *type)
{
	int err = 0;

	if (!type || !type->name || !type->process ||
	    strlen(type->name) >= GRAPH_NAME_MAX ||
	    type->n_edges > GRAPH_EDGES_MAX ||
	    (type->n_edges && !type->edges) ||
	    ((type->flags & GRAPH_NODE_F_SINK) && type->n_edges)) {
		graph_set_error("node type %s: needs a name, a process() and "
				"at most %d edges (none for a sink)",
				type && type->name ? type->name : "(null)",
				GRAPH_EDGES_MAX);
		return -EINVAL;
	}
	pthread_mutex_lock(&types_lock);
	if (type_find_locked(type->name)) {
		graph_set_error("node type %s: registered already", type->name);
		err = -EEXIST;
	} else if (n_types == GRAPH_TYPES_MAX) {
		graph_set_error("node type %s: %d types registered already",
				type->name, GRAPH_TYPES_MAX);
		err = -ENOSPC;
	} else {
		types[n_types++] = type;
	}
	pthread_mutex_unlock(&types_lock);
	return err;
}

/* ---- building ---------------------------------------------------------- */

static int spec_index(const struct graph_spec *spec, const char *name)
{
	for (unsigned int i = 0; i < spec->n_nodes; i++)
		if (!strcmp(spec->nodes[i].name, name))
			return (int)i;
	return -1;
}

static int edge_index(const struct graph_node_type *t, const char *edge)
{
	for (int e = 0; e < t->n_edges; e++)
		if (!strcmp(t->edges[e], edge))
			return e;
	return -1;
}

static void free_nodes(struct graph *g)
{
	for (unsigned int i = 0; i < g->n_nodes; i++) {
		struct graph_node *n = g->nodes[i];

		if (!n)
			continue;
		free(n->priv);
		free(n);
	}
}

/* Resolves names to nodes, edge by edge; every edge wired once. */
static int wire(struct graph *g, const struct graph_spec *spec)
{
	for (unsigned int i = 0; i < spec->n_nodes; i++) {
		const struct graph_node_spec *ns = &spec->nodes[i];
		struct graph_node *n = g->nodes[i];
		const struct graph_node_type *t = n->type;

		for (unsigned int k = 0; k < ns->n_next; k++) {
			const struct graph_edge_spec *es = &ns->next[k];
			int e = es->edge ? edge_index(t, es->edge) : -1;
			int to = es->to ? spec_index(spec, es->to) : -1;

			if (e < 0) {
				graph_set_error("nodes[%u].next: \"%s\" is not "
						"an edge of %s",
						i, es->edge ? es->edge : "",
						t->name);
				return -EINVAL;
			}
			if (to < 0) {
				graph_set_error("nodes[%u].next.%s: \"%s\" is "
						"not a node",
						i, es->edge,
						es->to ? es->to : "");
				return -EINVAL;
			}
			if (n->next[e]) {
				graph_set_error("nodes[%u].next.%s: wired "
						"twice",
						i, es->edge);
				return -EINVAL;
			}
			n->next[e] = g->nodes[to];
		}
		for (int e = 0; e < t->n_edges; e++)
			if (!n->next[e]) {
				graph_set_error("nodes[%u].next: edge \"%s\" "
						"of %s is not wired",
						i, t->edges[e], t->name);
				return -EINVAL;
			}
	}
	return 0;
}

enum { WHITE, GREY, BLACK };

/* Depth-first from a node on a loop, to name the loop by its path. */
static int find_loop(struct graph_node *n, uint8_t *colour,
		     struct graph_node **path, unsigned int depth)
{
	colour[n->id] = GREY;
	path[depth] = n;
	for (int e = 0; e < n->type->n_edges; e++) {
		struct graph_node *m = n->next[e];

		if (colour[m->id] == GREY) {
			char buf[200];
			size_t off = 0;
			unsigned int s = 0;

			while (path[s] != m)
				s++;
			for (unsigned int k = s; k <= depth; k++)
				off += (size_t)snprintf(
					buf + off,
					off < sizeof(buf) ? sizeof(buf) - off :
							    0,
					"%s -> ", path[k]->name);
			if (off < sizeof(buf))
				snprintf(buf + off, sizeof(buf) - off, "%s",
					 m->name);
			graph_set_error("graph: loop through node \"%s\": %s",
					m->name, buf);
			return -ELOOP;
		}
		if (colour[m->id] == WHITE &&
		    find_loop(m, colour, path, depth + 1))
			return -ELOOP;
	}
	colour[n->id] = BLACK;
	return 0;
}

/*
 * The walk order: topological (Kahn's), and among the nodes ready at a
 * step the first in the spec, so the order is the one the spec suggests
 * (ip4-input before ip6-input when listed so).  A node left unplaced is on
 * a loop, or behind one.
 */
static int sort(struct graph *g)
{
	unsigned int indeg[GRAPH_NODES_MAX] = { 0 };
	uint8_t placed[GRAPH_NODES_MAX] = { 0 };
	uint8_t colour[GRAPH_NODES_MAX] = { 0 };
	struct graph_node *path[GRAPH_NODES_MAX];
	unsigned int n = 0;

	for (unsigned int i = 0; i < g->n_nodes; i++)
		for (int e = 0; e < g->nodes[i]->type->n_edges; e++)
			indeg[g->nodes[i]->next[e]->id]++;
	while (n < g->n_nodes) {
		unsigned int i;

		for (i = 0; i < g->n_nodes; i++)
			if (!placed[i] && !indeg[i])
				break;
		if (i == g->n_nodes)
			break;
		placed[i] = 1;
		g->order[n++] = g->nodes[i];
		for (int e = 0; e < g->nodes[i]->type->n_edges; e++)
			indeg[g->nodes[i]->next[e]->id]--;
	}
	if (n == g->n_nodes)
		return 0;
	for (unsigned int i = 0; i < g->n_nodes; i++)
		if (!placed[i] && find_loop(g->nodes[i], colour, path, 0))
			return -ELOOP;
	graph_set_error("graph: a loop"); /* not reached */
	return -ELOOP;
}

static int init_nodes(struct graph *g, const struct graph_spec *spec,
		      unsigned int *inited)
{
	for (unsigned int i = 0; i < g->n_nodes; i++) {
		const struct graph_node_spec *ns = &spec->nodes[i];
		struct graph_node *n = g->nodes[i];
		struct graph_node_args args = { .port = ns->port,
						.queue = ns->queue,
						.arg = ns->arg };
		int err;

		if (n->type->needs_port && !ns->port) {
			graph_set_error("nodes[%u].port: node \"%s\" (%s) "
					"needs a port",
					i, n->name, n->type->name);
			return -EINVAL;
		}
		if (n->type->init) {
			char why[sizeof(last_error)];

			err = n->type->init(n, &args);
			if (err) {
				snprintf(why, sizeof(why), "%s", last_error);
				graph_set_error("nodes[%u] (%s): %s", i,
						n->name, why);
				return err;
			}
		}
		(*inited)++;
	}
	return 0;
}

static int check_names(const struct graph_spec *spec)
{
	if (!spec->n_nodes || spec->n_nodes > GRAPH_NODES_MAX) {
		graph_set_error("nodes: %u nodes, 1..%d allowed", spec->n_nodes,
				GRAPH_NODES_MAX);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < spec->n_nodes; i++) {
		const char *name = spec->nodes[i].name;

		if (!name || !*name || strlen(name) >= GRAPH_NAME_MAX) {
			graph_set_error("nodes[%u].name: \"%s\" is not a name "
					"(1..%d characters)",
					i, name ? name : "",
					GRAPH_NAME_MAX - 1);
			return -EINVAL;
		}
		if (spec_index(spec, name) != (int)i) {
			graph_set_error("nodes[%u].name: \"%s\" is nodes[%d] "
					"already",
					i, name, spec_index(spec, name));
			return -EINVAL;
		}
	}
	return 0;
}

static int build(const struct graph_spec *spec, int init, struct graph **out)
{
	unsigned int inited = 0;
	struct graph *g;
	int err, entry;

	*out = NULL;
	err = check_names(spec);
	if (err)
		return err;
	entry = spec->entry ? spec_index(spec, spec->entry) : 0;
	if (entry < 0) {
		graph_set_error("entry: \"%s\" is not a node", spec->entry);
		return -EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->ctx.graph = g;
	g->n_nodes = spec->n_nodes;
	for (unsigned int i = 0; i < spec->n_nodes; i++) {
		const struct graph_node_spec *ns = &spec->nodes[i];
		const char *tname = ns->type ? ns->type : ns->name;
		const struct graph_node_type *t = graph_node_type_find(tname);
		struct graph_node *n;

		if (!t) {
			graph_set_error("nodes[%u].type: \"%s\" is not a node "
					"type",
					i, tname);
			err = -EINVAL;
			goto err_nodes;
		}
		n = calloc(1, sizeof(*n));
		if (!n) {
			err = -ENOMEM;
			goto err_nodes;
		}
		g->nodes[i] = n;
		n->type = t;
		n->graph = g;
		n->id = (uint16_t)i;
		snprintf(n->name, sizeof(n->name), "%s", ns->name);
		if (t->priv_size) {
			n->priv = calloc(1, t->priv_size);
			if (!n->priv) {
				err = -ENOMEM;
				goto err_nodes;
			}
		}
	}
	g->entry = g->nodes[entry];
	err = wire(g, spec);
	if (!err)
		err = sort(g);
	if (!err && init)
		err = init_nodes(g, spec, &inited);
	if (err)
		goto err_init;
	*out = g;
	return 0;

err_init:
	for (unsigned int i = 0; i < inited; i++)
		if (g->nodes[i]->type->fini)
			g->nodes[i]->type->fini(g->nodes[i]);
err_nodes:
	free_nodes(g);
	free(g);
	return err;
}

int graph_create(const struct graph_spec *spec, struct graph **out)
{
	return build(spec, 1, out);
}

int graph_spec_check(const struct graph_spec *spec)
{
	struct graph *g;
	int err;

	err = build(spec, 0, &g);
	if (err)
		return err;
	free_nodes(g);
	free(g);
	return 0;
}

void graph_destroy(struct graph *g)
{
	if (!g)
		return;
	for (unsigned int i = 0; i < g->n_nodes; i++) {
		struct graph_node *n = g->nodes[i];

		/* a walk always ends empty; this is for a node left half
		 * way by a caller's bug, so no buffer is lost */
		pktio_buf_free_bulk(n->in, n->n_in);
		if (n->type->fini)
			n->type->fini(n);
	}
	free_nodes(g);
	free(g);
}

/* ---- walking ----------------------------------------------------------- */

static inline void stage(struct graph_node *to, struct pktio_buf *b)
{
	if (__builtin_expect(to->n_in == GRAPH_BURST_MAX, 0)) {
		to->stats.overflow++;
		pktio_buf_free(b);
		return;
	}
	to->in[to->n_in++] = b;
}

void graph_enqueue(struct graph_ctx *ctx, struct graph_node *node,
		   uint16_t edge, struct pktio_buf *b)
{
	(void)ctx;
	stage(node->next[edge], b);
}

void graph_enqueue_burst(struct graph_ctx *ctx, struct graph_node *node,
			 uint16_t edge, struct pktio_buf **bufs, uint16_t n)
{
	struct graph_node *to = node->next[edge];
	uint16_t room = (uint16_t)(GRAPH_BURST_MAX - to->n_in);
	uint16_t k = n < room ? n : room;

	(void)ctx;
	memcpy(&to->in[to->n_in], bufs, k * sizeof(*bufs));
	to->n_in = (uint16_t)(to->n_in + k);
	if (k < n) {
		to->stats.overflow += n - k;
		pktio_buf_free_bulk(bufs + k, n - k);
	}
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void walk_once(struct graph *g, struct pktio_buf **bufs, uint16_t n)
{
	uint64_t t0, t1;

	memcpy(g->entry->in, bufs, n * sizeof(*bufs));
	g->entry->n_in = n;
	t0 = now_ns();
	for (unsigned int i = 0; i < g->n_nodes; i++) {
		struct graph_node *node = g->order[i];
		uint16_t k = node->n_in;

		if (!k)
			continue;
		/* topological order: nothing enqueues to a node once it
		 * ran, so its input is free again as soon as it starts */
		node->n_in = 0;
		node->type->process(&g->ctx, node, node->in, k);
		t1 = now_ns();
		node->stats.calls++;
		node->stats.packets += k;
		node->stats.ns += t1 - t0;
		t0 = t1;
	}
}

void graph_walk(struct graph *g, struct pktio_buf **bufs, uint16_t n)
{
	while (n) {
		uint16_t k = n < GRAPH_BURST_MAX ? n : GRAPH_BURST_MAX;

		walk_once(g, bufs, k);
		bufs += k;
		n = (uint16_t)(n - k);
	}
}

void graph_pktio_burst(struct pktio_worker *w, struct pktio_port *port,
		       uint16_t q, struct pktio_buf **bufs, uint16_t n,
		       void *ctx)
{
	(void)w;
	(void)port;
	(void)q;
	graph_walk(ctx, bufs, n);
}

/* ---- looking at it ----------------------------------------------------- */

void *graph_node_priv(struct graph_node *node)
{
	return node->priv;
}

const char *graph_node_name(const struct graph_node *node)
{
	return node->name;
}

struct graph_node *graph_node_find(struct graph *g, const char *name)
{
	for (unsigned int i = 0; i < g->n_nodes; i++)
		if (!strcmp(g->nodes[i]->name, name))
			return g->nodes[i];
	errno = ENOENT;
	return NULL;
}

int graph_node_stats(struct graph *g, const char *node,
		     struct graph_node_stats *s)
{
	struct graph_node *n = graph_node_find(g, node);

	if (!n) {
		graph_set_error("graph: \"%s\" is not a node", node);
		return -ENOENT;
	}
	*s = n->stats;
	return 0;
}

int graph_node_counter(struct graph *g, const char *node, const char *name,
		       uint64_t *val)
{
	struct graph_node *n = graph_node_find(g, node);

	if (!n) {
		graph_set_error("graph: \"%s\" is not a node", node);
		return -ENOENT;
	}
	if (!strcmp(name, "calls"))
		*val = n->stats.calls;
	else if (!strcmp(name, "packets"))
		*val = n->stats.packets;
	else if (!strcmp(name, "ns"))
		*val = n->stats.ns;
	else if (!strcmp(name, "overflow"))
		*val = n->stats.overflow;
	else if (!n->type->counter || n->type->counter(n, name, val)) {
		graph_set_error("node %s (%s): no counter \"%s\"", node,
				n->type->name, name);
		return -ENOENT;
	}
	return 0;
}

void graph_foreach_node(struct graph *g,
			void (*fn)(struct graph_node *node, void *arg),
			void *arg)
{
	for (unsigned int i = 0; i < g->n_nodes; i++)
		fn(g->order[i], arg);
}
