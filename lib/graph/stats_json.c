// SPDX-License-Identifier: BSD-2-Clause
/* graph_stats_json(): every node's counters as one JSON document, for an
 * export (the vRouter's stats socket, a test). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "graph_internal.h"

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static void emit(void *arg, const char *name, uint64_t val)
{
	add_u64(arg, name, val);
}

char *graph_stats_json(struct graph *g)
{
	struct json_object *root = json_object_new_object();
	struct json_object *nodes = json_object_new_array();
	char *out = NULL;

	if (!root || !nodes)
		goto out;
	json_object_object_add(root, "nodes", nodes);
	for (unsigned int i = 0; i < g->n_nodes; i++) {
		struct graph_node *n = g->order[i];
		struct json_object *o = json_object_new_object();
		struct json_object *own = json_object_new_object();

		if (!o || !own) {
			json_object_put(o);
			json_object_put(own);
			goto out;
		}
		json_object_object_add(o, "name",
				       json_object_new_string(n->name));
		json_object_object_add(o, "type",
				       json_object_new_string(n->type->name));
		add_u64(o, "calls", n->stats.calls);
		add_u64(o, "packets", n->stats.packets);
		add_u64(o, "ns", n->stats.ns);
		add_u64(o, "overflow", n->stats.overflow);
		if (n->type->counters)
			n->type->counters(n, emit, own);
		json_object_object_add(o, "counters", own);
		json_object_array_add(nodes, o);
	}
	out = strdup(json_object_to_json_string_ext(
		root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	if (!root && nodes)
		json_object_put(nodes);
	json_object_put(root);
	if (!out)
		errno = ENOMEM;
	return out;
}
