// SPDX-License-Identifier: BSD-2-Clause
/*
 * The graph's JSON config: bad configs refused with their exact messages
 * (field path and value), a good one parsed (defaults, threads), built on
 * ring ports and walked, ports resolved by name, a file loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sluice/graph/config.h>
#include "graph_test_util.h"

#define ROUTER                                                                 \
	"{\"entry\": \"eth\", \"nodes\": ["                                    \
	"{\"name\": \"eth\", \"type\": \"eth-input\", \"next\": "              \
	"{\"ip4\": \"ip4\", \"ip6\": \"ip6\", \"punt\": \"punt\", "            \
	"\"drop\": \"drop\"}},"                                                \
	"{\"name\": \"ip4\", \"type\": \"ip4-input\", \"next\": "              \
	"{\"ok\": \"tx0\", \"punt\": \"punt\", \"drop\": \"drop\"}},"          \
	"{\"name\": \"ip6\", \"type\": \"ip6-input\", \"next\": "              \
	"{\"ok\": \"tx0\", \"punt\": \"punt\", \"drop\": \"drop\"}},"          \
	"{\"name\": \"tx0\", \"type\": \"tx\", \"port\": \"out\"},"            \
	"{\"name\": \"punt\", \"port\": \"tap\", \"queue\": 0},"               \
	"{\"name\": \"drop\"}],"                                               \
	"\"threads\": [{\"name\": \"w0\", \"cpu\": 1, \"ports\": "             \
	"[{\"port\": \"in\"}]}]}"

struct bad {
	const char *json;
	const char *msg;
};

static const struct bad bads[] = {
	{ "{", "config: invalid JSON at line 1 column 2: unexpected end of "
	       "input" },
	{ "[]", "config: [] is not an object" },
	{ "{\"nodes\": []}", "nodes: missing: a graph has 1..64 nodes" },
	{ "{}", "nodes: missing: a graph has 1..64 nodes" },
	{ "{\"nodes\": {}}",
	  "nodes: {} is not an array of at most 64 entries" },
	{ "{\"colour\": 1, \"nodes\": [{\"name\": \"drop\"}]}",
	  "colour: unknown key (entry, nodes, threads)" },
	{ "{\"nodes\": [1]}", "nodes[0]: 1 is not an object" },
	{ "{\"nodes\": [{\"type\": \"drop\"}]}", "nodes[0].name: missing" },
	{ "{\"nodes\": [{\"name\": 7}]}",
	  "nodes[0].name: 7 is not a string of 1..31 characters" },
	{ "{\"nodes\": [{\"name\": \"d\", \"colour\": 1}]}",
	  "nodes[0].colour: unknown key (name, type, next, port, queue)" },
	{ "{\"nodes\": [{\"name\": \"x\", \"type\": \"ip9-input\"}]}",
	  "nodes[0].type: \"ip9-input\" is not a node type" },
	{ "{\"nodes\": [{\"name\": \"tx\"}]}",
	  "nodes[0].port: missing: node \"tx\" (tx) sends to a port" },
	{ "{\"nodes\": [{\"name\": \"drop\", \"port\": \"p\"}]}",
	  "nodes[0].port: node \"drop\" (drop) takes no port" },
	{ "{\"nodes\": [{\"name\": \"tx\", \"port\": \"p\", \"queue\": 64}]}",
	  "nodes[0].queue: 64 is not an integer within 0..63" },
	{ "{\"nodes\": [{\"name\": \"i\", \"type\": \"ip4-input\", \"next\": "
	  "{\"ok\": \"d\", \"punt\": \"d\", \"drop\": \"d\"}}, {\"name\": "
	  "\"d\", \"type\": \"drop\"}, {\"name\": \"e\", \"type\": "
	  "\"ip6-input\", \"next\": {\"ok\": \"ip9-input\"}}]}",
	  "nodes[2].next.ok: \"ip9-input\" is not a node" },
	{ "{\"nodes\": [{\"name\": \"i\", \"type\": \"ip4-input\", \"next\": "
	  "{\"ok\": \"d\", \"punt\": \"d\", \"drop\": \"d\", \"pnut\": "
	  "\"d\"}}, {\"name\": \"d\", \"type\": \"drop\"}]}",
	  "nodes[0].next: \"pnut\" is not an edge of ip4-input" },
	{ "{\"nodes\": [{\"name\": \"i\", \"type\": \"ip4-input\", \"next\": "
	  "{\"ok\": \"d\", \"drop\": \"d\"}}, {\"name\": \"d\", \"type\": "
	  "\"drop\"}]}",
	  "nodes[0].next: edge \"punt\" of ip4-input is not wired" },
	{ "{\"nodes\": [{\"name\": \"i\", \"type\": \"ip4-input\", \"next\": "
	  "{\"ok\": 3}}]}",
	  "nodes[0].next.ok: 3 is not a string of 1..31 characters" },
	{ "{\"nodes\": [{\"name\": \"i\", \"type\": \"ip4-input\", \"next\": "
	  "[]}]}",
	  "nodes[0].next: [] is not an object" },
	/* ip4 -> ip6 -> ip4 */
	{ "{\"nodes\": [{\"name\": \"a\", \"type\": \"ip4-input\", \"next\": "
	  "{\"ok\": \"b\", \"punt\": \"d\", \"drop\": \"d\"}}, {\"name\": "
	  "\"b\", \"type\": \"ip6-input\", \"next\": {\"ok\": \"a\", "
	  "\"punt\": \"d\", \"drop\": \"d\"}}, {\"name\": \"d\", \"type\": "
	  "\"drop\"}]}",
	  "graph: loop through node \"a\": a -> b -> a" },
	{ "{\"nodes\": [{\"name\": \"d\", \"type\": \"drop\"}, {\"name\": "
	  "\"d\", \"type\": \"drop\"}]}",
	  "nodes[1].name: \"d\" is nodes[0] already" },
	{ "{\"entry\": \"e\", \"nodes\": [{\"name\": \"drop\"}]}",
	  "entry: \"e\" is not a node" },
	{ "{\"nodes\": [{\"name\": \"drop\"}], \"threads\": [{\"name\": "
	  "\"w\"}]}",
	  "threads[0].ports: missing: a thread polls 1..64 queues" },
	{ "{\"nodes\": [{\"name\": \"drop\"}], \"threads\": [{\"cpu\": -2, "
	  "\"ports\": [{\"port\": \"a\"}]}]}",
	  "threads[0].cpu: -2 is not an integer within -1..4095" },
	{ "{\"nodes\": [{\"name\": \"drop\"}], \"threads\": [{\"ports\": "
	  "[{\"queue\": 1}]}]}",
	  "threads[0].ports[0].port: missing" },
	{ "{\"nodes\": [{\"name\": \"drop\"}], \"threads\": [{\"ports\": "
	  "[{\"port\": \"a\", \"q\": 1}]}]}",
	  "threads[0].ports[0].q: unknown key (port, queue)" },
	{ "{\"nodes\": [{\"name\": \"drop\"}], \"threads\": [{\"ports\": "
	  "[{\"port\": \"a\"}]}, {\"ports\": [{\"port\": \"b\"}, {\"port\": "
	  "\"a\", \"queue\": 0}]}]}",
	  "threads[1].ports[1]: port \"a\" queue 0 is polled by threads[0] "
	  "already" },
	{ "{\"nodes\": [{\"name\": \"drop\"}], \"threads\": [{\"name\": \"w\", "
	  "\"ports\": [{\"port\": \"a\"}]}, {\"name\": \"w\", \"ports\": "
	  "[{\"port\": \"b\"}]}]}",
	  "threads[1].name: \"w\" is threads[0] already" },
};

static void test_bad_configs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct graph_config *c = (struct graph_config *)1;
		int err = graph_config_parse(bads[i].json, &c);

		if (err != -EINVAL || c ||
		    strcmp(graph_last_error(), bads[i].msg))
			fail_msg("config %zu: %d \"%s\", expected \"%s\"", i,
				 err, graph_last_error(), bads[i].msg);
	}
}

struct ports {
	struct pktio_port *in, *out, *tap;
};

static struct pktio_port *lookup(void *ctx, const char *name)
{
	struct ports *p = ctx;

	if (!strcmp(name, "in"))
		return p->in;
	if (!strcmp(name, "out"))
		return p->out;
	if (!strcmp(name, "tap"))
		return p->tap;
	return NULL;
}

static void test_router(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	struct pktio_port *in = open_ring("c-in", pool, NULL);
	struct pktio_port *out = open_ring("c-out", pool, NULL);
	struct pktio_port *tap = open_ring("c-tap", pool, NULL);
	struct ports ports = { .in = in, .out = out, .tap = tap };
	const struct graph_thread_cfg *t;
	const struct graph_spec *spec;
	struct pktio_buf *b[4], *got[4];
	struct graph_config *c;
	struct graph *g;
	uint8_t f[256];
	size_t len;
	uint64_t v;

	(void)state;
	assert_int_equal(graph_config_parse(ROUTER, &c), 0);
	spec = graph_config_spec(c);
	assert_int_equal(spec->n_nodes, 6);
	assert_string_equal(spec->entry, "eth");
	assert_string_equal(spec->nodes[4].type, "punt"); /* type = name */
	assert_string_equal(graph_config_node_port(c, 3), "out");
	assert_null(graph_config_node_port(c, 0));
	assert_int_equal(graph_config_n_threads(c), 1);
	t = graph_config_thread(c, 0);
	assert_string_equal(t->name, "w0");
	assert_int_equal(t->cpu, 1);
	assert_int_equal(t->n_ports, 1);
	assert_string_equal(t->ports[0].port, "in");
	assert_int_equal(t->ports[0].queue, 0);
	assert_null(graph_config_thread(c, 1));

	assert_int_equal(graph_config_create(c, lookup, &ports, &g), 0);
	len = v4_frame(f, &(struct v4){ .ttl = 64 });
	b[0] = buf_of(pool, f, len);
	b[1] = buf_of(pool, f, len);
	len = v4_frame(f, &(struct v4){ .ttl = 1 });
	b[2] = buf_of(pool, f, len);
	len = v4_frame(f, &(struct v4){ .bad_csum = 1 });
	b[3] = buf_of(pool, f, len);
	graph_walk(g, b, 4);
	assert_int_equal(pktio_ring_drain(ports.out, 0, got, 4), 2);
	assert_ptr_equal(got[0], b[0]);
	assert_ptr_equal(got[1], b[1]);
	pktio_buf_free_bulk(got, 2);
	assert_int_equal(pktio_ring_drain(ports.tap, 0, got, 4), 1);
	assert_ptr_equal(got[0], b[2]);
	pktio_buf_free_bulk(got, 1);
	assert_int_equal(graph_node_counter(g, "drop", "drop_bad_csum", &v), 0);
	assert_int_equal(v, 1);
	graph_destroy(g);

	/* a port the application does not have */
	ports.tap = NULL;
	assert_int_equal(graph_config_create(c, lookup, &ports, &g), -EINVAL);
	assert_null(g);
	assert_string_equal(graph_last_error(),
			    "nodes[4].port: \"tap\" is not a port");
	ports.tap = ports.out;
	ports.in = NULL;
	assert_int_equal(graph_config_create(c, lookup, &ports, &g), -EINVAL);
	assert_string_equal(graph_last_error(),
			    "threads[0].ports[0].port: \"in\" is not a port");
	graph_config_free(c);

	pktio_port_close(in);
	pktio_port_close(out);
	pktio_port_close(tap);
	assert_int_equal(pktio_pool_avail(pool), 64);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_load(void **state)
{
	char path[] = "/tmp/test_graph_config.XXXXXX";
	struct graph_config *c;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, ROUTER "\n", strlen(ROUTER) + 1),
			 (ssize_t)strlen(ROUTER) + 1);
	close(fd);
	assert_int_equal(graph_config_load(path, &c), 0);
	assert_int_equal(graph_config_spec(c)->n_nodes, 6);
	graph_config_free(c);
	unlink(path);
	assert_int_equal(graph_config_load(path, &c), -ENOENT);
	assert_null(c);
	assert_non_null(strstr(graph_last_error(), "No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_router),
		cmocka_unit_test(test_load),
	};

	pktio_set_log(NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
