/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The router's graph, one instance per worker thread (nodes keep
 * per-walk state, so threads never share one):
 *
 *   eth-input -> ip4-input -> ip4-lookup -> ip-rewrite -> if-output
 *             -> ip6-input -> ip6-lookup ----^
 *   every punt edge and the lookups' "local" -> punt-mac -> punt (the
 *   TAP, queue = thread); every drop edge -> drop
 *
 * if-output sends on queue = thread of the egress port.  The lookups,
 * ip-rewrite and if-output share one struct graph_fib (the node arg).
 */
#ifndef SLUICE_VROUTER_GRAPH_H
#define SLUICE_VROUTER_GRAPH_H

#include <sluice/graph/fib.h>
#include <sluice/graph/graph.h>

#define VR_GRAPH_NODES 10

struct vr_graph_spec {
	struct graph_node_spec nodes[VR_GRAPH_NODES];
	struct graph_spec spec;
};

/*
 * Registers sluice-vrouter's own node type (punt-mac) and checks that
 * every type the graph uses is in this build: 0, or -ENOENT naming the
 * missing type in @err.
 */
int vr_graph_types(char *err, size_t errlen);
/* The spec of thread @thread's graph (@tap and @fib may be NULL for
 * graph_spec_check). */
void vr_graph_spec(struct vr_graph_spec *s, uint16_t thread,
		   struct pktio_port *tap, struct graph_fib *fib);
/* Builds it: 0, or -errno with graph_last_error() naming the node. */
int vr_graph_create(uint16_t thread, struct pktio_port *tap,
		    struct graph_fib *fib, struct graph **out);

#endif
