// SPDX-License-Identifier: BSD-2-Clause
/*
 * The graph's JSON config (include/sluice/graph/config.h): parsed into a
 * graph_spec, checked as graph_create would (without ports), threads and
 * their ports checked for duplicates.  Refusals name the field path and
 * the value.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <sluice/graph/config.h>
#include "graph_internal.h"

#define CONFIG_FILE_MAX (1u << 20)

struct node_cfg {
	char name[GRAPH_NAME_MAX];
	char type[GRAPH_NAME_MAX];
	char port[PKTIO_DEV_MAX];
	char edge[GRAPH_EDGES_MAX][GRAPH_NAME_MAX];
	char to[GRAPH_EDGES_MAX][GRAPH_NAME_MAX];
	struct graph_edge_spec next[GRAPH_EDGES_MAX];
};

struct graph_config {
	char entry[GRAPH_NAME_MAX];
	unsigned int n_nodes;
	struct node_cfg nodes[GRAPH_NODES_MAX];
	struct graph_node_spec specs[GRAPH_NODES_MAX];
	struct graph_spec spec;
	unsigned int n_threads;
	struct graph_thread_cfg threads[GRAPH_THREADS_MAX];
};

static const char *jstr(struct json_object *v)
{
	return json_object_to_json_string_ext(
		v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int only_keys(struct json_object *obj, const char *path,
		     const char *const *allowed)
{
	json_object_object_foreach(obj, key, val) {
		char list[160];
		size_t off = 0;
		int k;

		(void)val;
		for (k = 0; allowed[k]; k++)
			if (!strcmp(allowed[k], key))
				break;
		if (allowed[k])
			continue;
		list[0] = '\0';
		for (k = 0; allowed[k] && off < sizeof(list); k++)
			off += (size_t)snprintf(list + off, sizeof(list) - off,
						"%s%s", k ? ", " : "",
						allowed[k]);
		graph_set_error("%s%s%s: unknown key (%s)", path,
				*path ? "." : "", key, list);
		return -EINVAL;
	}
	return 0;
}

/* A string of 1..size-1 characters into out; absent: 0, out untouched. */
static int get_str(struct json_object *obj, const char *path, const char *key,
		   char *out, size_t size)
{
	struct json_object *v;
	size_t len;

	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	len = json_object_is_type(v, json_type_string) ?
		      (size_t)json_object_get_string_len(v) :
		      0;
	if (!len || len >= size) {
		graph_set_error("%s%s%s: %s is not a string of 1..%zu "
				"characters",
				path, *path ? "." : "", key, jstr(v), size - 1);
		return -EINVAL;
	}
	memcpy(out, json_object_get_string(v), len + 1);
	return 0;
}

static int get_int(struct json_object *obj, const char *path, const char *key,
		   int64_t min, int64_t max, int64_t *out)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	n = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) :
						    min - 1;
	if (n < min || n > max) {
		graph_set_error("%s.%s: %s is not an integer within "
				"%lld..%lld",
				path, key, jstr(v), (long long)min,
				(long long)max);
		return -EINVAL;
	}
	*out = n;
	return 0;
}

static int get_array(struct json_object *obj, const char *key,
		     struct json_object **out, size_t max)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) > max) {
		graph_set_error("%s: %s is not an array of at most %zu "
				"entries",
				key, jstr(v), max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_node(struct graph_config *c, unsigned int i,
		      struct json_object *o)
{
	static const char *const keys[] = { "name", "type",  "next",
					    "port", "queue", NULL };
	struct node_cfg *n = &c->nodes[i];
	struct graph_node_spec *s = &c->specs[i];
	const struct graph_node_type *t;
	struct json_object *next;
	char path[32];
	int64_t q = 0;
	int err;

	snprintf(path, sizeof(path), "nodes[%u]", i);
	if (!json_object_is_type(o, json_type_object)) {
		graph_set_error("%s: %s is not an object", path, jstr(o));
		return -EINVAL;
	}
	err = only_keys(o, path, keys);
	if (!err)
		err = get_str(o, path, "name", n->name, sizeof(n->name));
	if (!err && !n->name[0]) {
		graph_set_error("%s.name: missing", path);
		err = -EINVAL;
	}
	if (!err)
		err = get_str(o, path, "type", n->type, sizeof(n->type));
	if (!err)
		err = get_str(o, path, "port", n->port, sizeof(n->port));
	if (!err)
		err = get_int(o, path, "queue", 0, PKTIO_MAX_QUEUES - 1, &q);
	if (err)
		return err;
	if (!n->type[0])
		memcpy(n->type, n->name, sizeof(n->type));
	t = graph_node_type_find(n->type);
	if (!t) {
		graph_set_error("%s.type: \"%s\" is not a node type", path,
				n->type);
		return -EINVAL;
	}
	if (t->needs_port && !n->port[0]) {
		graph_set_error("%s.port: missing: node \"%s\" (%s) sends to "
				"a port",
				path, n->name, t->name);
		return -EINVAL;
	}
	if (!t->needs_port && (n->port[0] || q)) {
		graph_set_error("%s.port: node \"%s\" (%s) takes no port", path,
				n->name, t->name);
		return -EINVAL;
	}
	s->name = n->name;
	s->type = n->type;
	s->queue = (uint16_t)q;
	s->next = n->next;
	if (!json_object_object_get_ex(o, "next", &next))
		return 0;
	if (!json_object_is_type(next, json_type_object)) {
		graph_set_error("%s.next: %s is not an object", path,
				jstr(next));
		return -EINVAL;
	}
	json_object_object_foreach(next, edge, to) {
		unsigned int k = s->n_next;
		char epath[32 + GRAPH_NAME_MAX];

		(void)to;
		if (k == GRAPH_EDGES_MAX || strlen(edge) >= GRAPH_NAME_MAX) {
			graph_set_error("%s.next.%s: not an edge of %s", path,
					edge, t->name);
			return -EINVAL;
		}
		snprintf(n->edge[k], sizeof(n->edge[k]), "%s", edge);
		snprintf(epath, sizeof(epath), "%s.next", path);
		err = get_str(next, epath, edge, n->to[k], sizeof(n->to[k]));
		if (err)
			return err;
		n->next[k] = (struct graph_edge_spec){ n->edge[k], n->to[k] };
		s->n_next++;
	}
	return 0;
}

static int parse_thread(struct graph_config *c, unsigned int i,
			struct json_object *o)
{
	static const char *const keys[] = { "name", "cpu", "ports", NULL };
	static const char *const pkeys[] = { "port", "queue", NULL };
	struct graph_thread_cfg *t = &c->threads[i];
	struct json_object *ports;
	char path[32], ppath[64];
	int64_t cpu = -1;
	int err;

	snprintf(path, sizeof(path), "threads[%u]", i);
	if (!json_object_is_type(o, json_type_object)) {
		graph_set_error("%s: %s is not an object", path, jstr(o));
		return -EINVAL;
	}
	snprintf(t->name, sizeof(t->name), "worker%u", i);
	err = only_keys(o, path, keys);
	if (!err)
		err = get_str(o, path, "name", t->name, sizeof(t->name));
	if (!err)
		err = get_int(o, path, "cpu", -1, 4095, &cpu);
	if (!err)
		err = get_array(o, "ports", &ports, GRAPH_THREAD_PORTS_MAX);
	if (err)
		return err;
	t->cpu = (int)cpu;
	for (unsigned int k = 0; k < i; k++)
		if (!strcmp(c->threads[k].name, t->name)) {
			graph_set_error("%s.name: \"%s\" is threads[%u] "
					"already",
					path, t->name, k);
			return -EINVAL;
		}
	if (!ports || !json_object_array_length(ports)) {
		graph_set_error("%s.ports: missing: a thread polls 1..%d "
				"queues",
				path, GRAPH_THREAD_PORTS_MAX);
		return -EINVAL;
	}
	for (unsigned int p = 0; p < json_object_array_length(ports); p++) {
		struct json_object *po = json_object_array_get_idx(ports, p);
		struct graph_thread_port *tp = &t->ports[p];
		int64_t q = 0;

		snprintf(ppath, sizeof(ppath), "%s.ports[%u]", path, p);
		if (!json_object_is_type(po, json_type_object)) {
			graph_set_error("%s: %s is not an object", ppath,
					jstr(po));
			return -EINVAL;
		}
		err = only_keys(po, ppath, pkeys);
		if (!err)
			err = get_str(po, ppath, "port", tp->port,
				      sizeof(tp->port));
		if (!err && !tp->port[0]) {
			graph_set_error("%s.port: missing", ppath);
			err = -EINVAL;
		}
		if (!err)
			err = get_int(po, ppath, "queue", 0,
				      PKTIO_MAX_QUEUES - 1, &q);
		if (err)
			return err;
		tp->queue = (uint16_t)q;
		t->n_ports = p + 1;
		/* one poller per queue, as pktio's workers require */
		for (unsigned int k = 0; k <= i; k++)
			for (unsigned int m = 0; m < c->threads[k].n_ports;
			     m++) {
				const struct graph_thread_port *o2 =
					&c->threads[k].ports[m];

				if ((k == i && m == p) ||
				    strcmp(o2->port, tp->port) ||
				    o2->queue != tp->queue)
					continue;
				graph_set_error("%s: port \"%s\" queue %u is "
						"polled by threads[%u] already",
						ppath, tp->port, tp->queue, k);
				return -EINVAL;
			}
	}
	return 0;
}

static int parse_root(struct graph_config *c, struct json_object *root)
{
	static const char *const keys[] = { "entry", "nodes", "threads", NULL };
	struct json_object *nodes, *threads;
	int err;

	if (!json_object_is_type(root, json_type_object)) {
		graph_set_error("config: %s is not an object", jstr(root));
		return -EINVAL;
	}
	err = only_keys(root, "", keys);
	if (!err)
		err = get_str(root, "", "entry", c->entry, sizeof(c->entry));
	if (!err)
		err = get_array(root, "nodes", &nodes, GRAPH_NODES_MAX);
	if (!err)
		err = get_array(root, "threads", &threads, GRAPH_THREADS_MAX);
	if (err)
		return err;
	if (!nodes || !json_object_array_length(nodes)) {
		graph_set_error("nodes: missing: a graph has 1..%d nodes",
				GRAPH_NODES_MAX);
		return -EINVAL;
	}
	c->n_nodes = (unsigned int)json_object_array_length(nodes);
	for (unsigned int i = 0; i < c->n_nodes; i++) {
		err = parse_node(c, i, json_object_array_get_idx(nodes, i));
		if (err)
			return err;
	}
	c->spec = (struct graph_spec){ .nodes = c->specs,
				       .n_nodes = c->n_nodes,
				       .entry = c->entry[0] ? c->entry : NULL };
	err = graph_spec_check(&c->spec);
	if (err)
		return err == -ENOMEM ? err : -EINVAL; /* a loop too */
	c->n_threads =
		threads ? (unsigned int)json_object_array_length(threads) : 0;
	for (unsigned int i = 0; i < c->n_threads; i++) {
		err = parse_thread(c, i, json_object_array_get_idx(threads, i));
		if (err)
			return err;
	}
	return 0;
}

static void text_position(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int graph_config_parse(const char *text, struct graph_config **out)
{
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	struct json_object *root;
	struct graph_config *c;
	size_t len = strlen(text), end;
	int err, line, col;

	*out = NULL;
	if (len > CONFIG_FILE_MAX) {
		graph_set_error("config: %zu bytes, at most %u", len,
				CONFIG_FILE_MAX);
		return -EINVAL;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (root && jerr == json_tokener_success && end < len &&
	       strchr(" \t\r\n", text[end]))
		end++;
	if (!root || jerr != json_tokener_success || end != len) {
		json_object_put(root);
		text_position(text, end, &line, &col);
		graph_set_error("config: invalid JSON at line %d column %d: %s",
				line, col,
				jerr == json_tokener_continue ?
					"unexpected end of input" :
				jerr != json_tokener_success ?
					json_tokener_error_desc(jerr) :
					"unexpected data after the document");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		json_object_put(root);
		return -ENOMEM;
	}
	err = parse_root(c, root);
	json_object_put(root);
	if (err) {
		free(c);
		return err;
	}
	*out = c;
	return 0;
}

int graph_config_load(const char *path, struct graph_config **out)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f;
	int err;

	*out = NULL;
	f = fopen(path, "r");
	if (!f) {
		err = -errno;
		graph_set_error("config: %s: %s", path, strerror(-err));
		return err;
	}
	text = malloc(CONFIG_FILE_MAX + 2);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(text, 1, CONFIG_FILE_MAX + 1, f);
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (err) {
		graph_set_error("config: %s: read error", path);
	} else if (n > CONFIG_FILE_MAX) {
		graph_set_error("config: %s: above %u bytes", path,
				CONFIG_FILE_MAX);
		err = -EINVAL;
	} else if (memchr(text, '\0', n)) {
		graph_set_error("config: %s: a NUL byte", path);
		err = -EINVAL;
	} else {
		text[n] = '\0';
		err = graph_config_parse(text, out);
	}
	free(text);
	return err;
}

void graph_config_free(struct graph_config *cfg)
{
	free(cfg);
}

const struct graph_spec *graph_config_spec(const struct graph_config *cfg)
{
	return &cfg->spec;
}

const char *graph_config_node_port(const struct graph_config *cfg,
				   unsigned int i)
{
	return i < cfg->n_nodes && cfg->nodes[i].port[0] ? cfg->nodes[i].port :
							   NULL;
}

unsigned int graph_config_n_threads(const struct graph_config *cfg)
{
	return cfg->n_threads;
}

const struct graph_thread_cfg *
graph_config_thread(const struct graph_config *cfg, unsigned int i)
{
	return i < cfg->n_threads ? &cfg->threads[i] : NULL;
}

int graph_config_create(const struct graph_config *cfg,
			graph_port_lookup_fn lookup, void *ctx,
			struct graph **out)
{
	struct graph_node_spec specs[GRAPH_NODES_MAX];
	struct graph_spec spec = cfg->spec;

	*out = NULL;
	memcpy(specs, cfg->specs, cfg->n_nodes * sizeof(specs[0]));
	for (unsigned int i = 0; i < cfg->n_nodes; i++) {
		const char *name = cfg->nodes[i].port;

		if (!name[0])
			continue;
		specs[i].port = lookup(ctx, name);
		if (!specs[i].port) {
			graph_set_error("nodes[%u].port: \"%s\" is not a port",
					i, name);
			return -EINVAL;
		}
	}
	for (unsigned int i = 0; i < cfg->n_threads; i++)
		for (unsigned int p = 0; p < cfg->threads[i].n_ports; p++) {
			const char *name = cfg->threads[i].ports[p].port;

			if (!lookup(ctx, name)) {
				graph_set_error("threads[%u].ports[%u].port: "
						"\"%s\" is not a port",
						i, p, name);
				return -EINVAL;
			}
		}
	spec.nodes = specs;
	return graph_create(&spec, out);
}
