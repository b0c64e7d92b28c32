// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "punt_mac.h"
#include "vr_graph.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct graph_edge_spec eth_next[] = {
	{ "ip4", "ip4-input" },
	{ "ip6", "ip6-input" },
	{ "punt", "punt-mac" },
	{ "drop", "drop" },
};
static const struct graph_edge_spec ip4_next[] = {
	{ "ok", "ip4-lookup" },
	{ "punt", "punt-mac" },
	{ "drop", "drop" },
};
static const struct graph_edge_spec ip6_next[] = {
	{ "ok", "ip6-lookup" },
	{ "punt", "punt-mac" },
	{ "drop", "drop" },
};
/* "local": the host's own address goes to the kernel, like any punt */
static const struct graph_edge_spec lookup_next[] = {
	{ "rewrite", "ip-rewrite" },
	{ "local", "punt-mac" },
	{ "punt", "punt-mac" },
	{ "drop", "drop" },
};
static const struct graph_edge_spec rewrite_next[] = {
	{ "output", "if-output" },
	{ "punt", "punt-mac" },
	{ "drop", "drop" },
};
static const struct graph_edge_spec punt_mac_next[] = {
	{ "punt", "punt" },
};

static const char *const types[] = {
	"eth-input",  "ip4-input", "ip6-input", "ip4-lookup", "ip6-lookup",
	"ip-rewrite", "if-output", "punt-mac",	"punt",	      "drop",
};
_Static_assert(N(types) == VR_GRAPH_NODES, "one node of each type");

int vr_graph_types(char *err, size_t errlen)
{
	int rc = graph_node_type_register(&vr_node_punt_mac);

	if (rc && rc != -EEXIST) {
		snprintf(err, errlen, "node type punt-mac: %s",
			 graph_last_error());
		return rc;
	}
	for (size_t i = 0; i < N(types); i++) {
		if (!graph_node_type_find(types[i])) {
			snprintf(err, errlen,
				 "node type %s is not in this build of "
				 "libgraph",
				 types[i]);
			return -ENOENT;
		}
	}
	return 0;
}

void vr_graph_spec(struct vr_graph_spec *s, uint16_t thread,
		   struct pktio_port *tap, struct graph_fib *fib)
{
	struct graph_node_spec *n = s->nodes;

	memset(s, 0, sizeof(*s));
	/* each node is named as its type: the stats read "ip4-lookup" */
	for (size_t i = 0; i < N(types); i++)
		n[i].name = types[i];
	n[0].next = eth_next;
	n[0].n_next = N(eth_next);
	n[1].next = ip4_next;
	n[1].n_next = N(ip4_next);
	n[2].next = ip6_next;
	n[2].n_next = N(ip6_next);
	for (size_t i = 3; i <= 4; i++) {
		n[i].next = lookup_next;
		n[i].n_next = N(lookup_next);
		n[i].arg = fib;
	}
	n[5].next = rewrite_next;
	n[5].n_next = N(rewrite_next);
	n[5].arg = fib;
	n[6].arg = fib; /* if-output: every port of the fib, queue = thread */
	n[6].queue = thread;
	n[7].next = punt_mac_next;
	n[7].n_next = N(punt_mac_next);
	n[7].port = tap;
	n[8].port = tap;
	n[8].queue = thread;
	s->spec.nodes = s->nodes;
	s->spec.n_nodes = VR_GRAPH_NODES;
	s->spec.entry = "eth-input";
}

int vr_graph_create(uint16_t thread, struct pktio_port *tap,
		    struct graph_fib *fib, struct graph **out)
{
	struct vr_graph_spec s;

	vr_graph_spec(&s, thread, tap, fib);
	return graph_create(&s.spec, out);
}
