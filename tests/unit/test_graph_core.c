// SPDX-License-Identifier: BSD-2-Clause
/*
 * The graph core: the walker with a fan-out and a fan-in (one pass, each
 * node called once per burst), graphs refused (unknown type, node or edge,
 * unwired, loops named by their path), node type registration, a burst of
 * 256 through eth-input -> ip4-input -> tx with every counter checked, a
 * burst above GRAPH_BURST_MAX, a node that makes more packets than a
 * node's input holds, and no buffer lost.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <json-c/json.h>
#include <sluice/pktio/worker.h>
#include <uapi/sluice/reasons.h>
#include "graph_test_util.h"

/* split: by the first byte, modulo 3, onto edges a, b, c */
static void split_process(struct graph_ctx *ctx, struct graph_node *node,
			  struct pktio_buf **bufs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		uint8_t *d = pktio_buf_data(bufs[i]);

		graph_enqueue(ctx, node, d[0] % 3, bufs[i]);
	}
}

static const char *const split_edges[] = { "a", "b", "c" };
static const struct graph_node_type split_type = {
	.name = "t-split",
	.edges = split_edges,
	.n_edges = 3,
	.process = split_process,
};

/* fwd: the whole burst on its one edge */
static void fwd_process(struct graph_ctx *ctx, struct graph_node *node,
			struct pktio_buf **bufs, uint16_t n)
{
	graph_enqueue_burst(ctx, node, 0, bufs, n);
}

static const char *const fwd_edges[] = { "next" };
static const struct graph_node_type fwd_type = {
	.name = "t-fwd",
	.edges = fwd_edges,
	.n_edges = 1,
	.process = fwd_process,
};

/* dup: each buffer and a clone of it on its one edge */
static void dup_process(struct graph_ctx *ctx, struct graph_node *node,
			struct pktio_buf **bufs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		graph_enqueue(ctx, node, 0, pktio_buf_clone(bufs[i]));
		graph_enqueue(ctx, node, 0, bufs[i]);
	}
}

static const struct graph_node_type dup_type = {
	.name = "t-dup",
	.edges = fwd_edges,
	.n_edges = 1,
	.process = dup_process,
};

/* t-arg: init keeps graph_node_args.arg, refuses without it; fini
 * counts, so a failed build is seen to undo the nodes it started */
static int finis;

static int arg_init(struct graph_node *node, const struct graph_node_args *a)
{
	if (!a->arg) {
		graph_set_error("arg: missing");
		return -EINVAL;
	}
	*(void **)graph_node_priv(node) = a->arg;
	return 0;
}

static void arg_fini(struct graph_node *node)
{
	(void)node;
	finis++;
}

static const struct graph_node_type arg_type = {
	.name = "t-arg",
	.edges = fwd_edges,
	.n_edges = 1,
	.priv_size = sizeof(void *),
	.init = arg_init,
	.fini = arg_fini,
	.process = fwd_process,
};

static int setup(void **state)
{
	(void)state;
	register_capture();
	assert_int_equal(graph_node_type_register(&split_type), 0);
	assert_int_equal(graph_node_type_register(&fwd_type), 0);
	assert_int_equal(graph_node_type_register(&dup_type), 0);
	assert_int_equal(graph_node_type_register(&arg_type), 0);
	pktio_set_log(NULL, NULL);
	return 0;
}

#define E(edge, to) ((struct graph_edge_spec){ edge, to })

/*
 * s -a-> ca;  s -b-> f -next-> cc;  s -c-> cc.  cc gets buffers from two
 * nodes and is called once, after both: the walk is one pass.
 */
static void test_fan_out(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	const struct graph_edge_spec s_next[] = { E("a", "ca"), E("c", "cc"),
						  E("b", "f") };
	const struct graph_edge_spec f_next[] = { E("next", "cc") };
	/* the sinks first: the walk order is the graph's, not the list's */
	const struct graph_node_spec nodes[] = {
		{ .name = "ca", .type = "capture" },
		{ .name = "cc", .type = "capture" },
		{ .name = "f", .type = "t-fwd", .next = f_next, .n_next = 1 },
		{ .name = "s", .type = "t-split", .next = s_next, .n_next = 3 },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 4, .entry = "s" };
	struct pktio_buf *in[30];
	struct capture *ca, *cc;
	struct graph_node_stats st;
	struct graph *g;

	(void)state;
	assert_int_equal(graph_create(&spec, &g), 0);
	for (uint8_t i = 0; i < 30; i++)
		in[i] = buf_of(pool, &i, 1);
	graph_walk(g, in, 30);
	ca = cap(g, "ca");
	cc = cap(g, "cc");
	assert_int_equal(ca->n, 10);
	assert_int_equal(cc->n, 20);
	assert_int_equal(ca->calls, 1);
	assert_int_equal(cc->calls, 1);
	for (int i = 0; i < 10; i++)
		assert_ptr_equal(ca->bufs[i], in[3 * i]);
	/* s's own edge c first (s ran before f), then what f forwarded */
	for (int i = 0; i < 10; i++) {
		assert_ptr_equal(cc->bufs[i], in[3 * i + 2]);
		assert_ptr_equal(cc->bufs[10 + i], in[3 * i + 1]);
	}
	assert_int_equal(graph_node_stats(g, "s", &st), 0);
	assert_int_equal(st.calls, 1);
	assert_int_equal(st.packets, 30);
	assert_int_equal(graph_node_stats(g, "f", &st), 0);
	assert_int_equal(st.packets, 10);
	assert_int_equal(graph_node_stats(g, "cc", &st), 0);
	assert_int_equal(st.calls, 1);
	assert_int_equal(st.packets, 20);
	assert_int_equal(graph_node_stats(g, "nope", &st), -ENOENT);
	assert_string_equal(graph_last_error(),
			    "graph: \"nope\" is not a node");
	cap_free(ca);
	cap_free(cc);
	graph_destroy(g);
	assert_int_equal(pktio_pool_avail(pool), 64);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void refused(const struct graph_node_spec *nodes, unsigned int n,
		    const char *entry, int err, const char *msg)
{
	struct graph_spec spec = { .nodes = nodes,
				   .n_nodes = n,
				   .entry = entry };
	struct graph *g = (struct graph *)1;

	assert_int_equal(graph_create(&spec, &g), err);
	assert_null(g);
	assert_string_equal(graph_last_error(), msg);
}

static void test_refusals(void **state)
{
	const struct graph_edge_spec ok_c[] = { E("next", "c") };
	const struct graph_edge_spec to_ip9[] = { E("next", "ip9-input") };
	const struct graph_edge_spec bad_edge[] = { E("nxt", "c") };
	const struct graph_edge_spec twice[] = { E("next", "c"),
						 E("next", "c") };
	struct graph_node_spec nodes[3] = {
		{ .name = "c", .type = "capture" },
		{ .name = "f", .type = "t-fwd", .next = ok_c, .n_next = 1 },
	};

	(void)state;
	refused(nodes, 0, NULL, -EINVAL, "nodes: 0 nodes, 1..64 allowed");
	refused(nodes, 2, "x", -EINVAL, "entry: \"x\" is not a node");
	nodes[1].type = "t-fwdd";
	refused(nodes, 2, NULL, -EINVAL,
		"nodes[1].type: \"t-fwdd\" is not a node type");
	nodes[1].type = "t-fwd";
	nodes[1].next = to_ip9;
	refused(nodes, 2, NULL, -EINVAL,
		"nodes[1].next.next: \"ip9-input\" is not a node");
	nodes[1].next = bad_edge;
	refused(nodes, 2, NULL, -EINVAL,
		"nodes[1].next: \"nxt\" is not an edge of t-fwd");
	nodes[1].next = twice;
	nodes[1].n_next = 2;
	refused(nodes, 2, NULL, -EINVAL, "nodes[1].next.next: wired twice");
	nodes[1].n_next = 0;
	refused(nodes, 2, NULL, -EINVAL,
		"nodes[1].next: edge \"next\" of t-fwd is not wired");
	nodes[1].next = ok_c;
	nodes[1].n_next = 1;
	nodes[1].name = "c";
	refused(nodes, 2, NULL, -EINVAL,
		"nodes[1].name: \"c\" is nodes[0] already");
	nodes[1].name = "";
	refused(nodes, 2, NULL, -EINVAL,
		"nodes[1].name: \"\" is not a name (1..31 characters)");
	nodes[1].name = "f";
	/* eth-input's four edges must all be wired */
	nodes[2] = (struct graph_node_spec){ .name = "eth-input",
					     .next = ok_c,
					     .n_next = 0 };
	refused(nodes, 3, NULL, -EINVAL,
		"nodes[2].next: edge \"ip4\" of eth-input is not wired");
}

static void test_loops(void **state)
{
	const struct graph_edge_spec to_a[] = { E("next", "a") };
	const struct graph_edge_spec to_b[] = { E("next", "b") };
	const struct graph_edge_spec to_c[] = { E("next", "c") };
	const struct graph_edge_spec s_next[] = { E("a", "sink"),
						  E("b", "sink"), E("c", "b") };
	struct graph_node_spec nodes[] = {
		{ .name = "s", .type = "t-split", .next = s_next, .n_next = 3 },
		{ .name = "a", .type = "t-fwd", .next = to_b, .n_next = 1 },
		{ .name = "b", .type = "t-fwd", .next = to_c, .n_next = 1 },
		{ .name = "c", .type = "t-fwd", .next = to_a, .n_next = 1 },
		{ .name = "sink", .type = "capture" },
	};

	(void)state;
	refused(nodes, 5, NULL, -ELOOP,
		"graph: loop through node \"a\": a -> b -> c -> a");
	nodes[1].next = to_a; /* a -> a */
	refused(&nodes[1], 1, NULL, -ELOOP,
		"graph: loop through node \"a\": a -> a");
}

static void test_types(void **state)
{
	struct graph_node_type bad = { .name = "t-bad" };
	const struct graph_node_type *t;

	(void)state;
	assert_int_equal(graph_node_type_register(&split_type), -EEXIST);
	assert_string_equal(graph_last_error(),
			    "node type t-split: registered already");
	assert_int_equal(graph_node_type_register(&bad), -EINVAL);
	bad.process = fwd_process;
	bad.flags = GRAPH_NODE_F_SINK;
	bad.edges = fwd_edges;
	bad.n_edges = 1;
	assert_int_equal(graph_node_type_register(&bad), -EINVAL);
	assert_null(graph_node_type_find("t-bad"));
	t = graph_node_type_find("ip4-input");
	assert_non_null(t);
	assert_int_equal(t->n_edges, 3);
	assert_string_equal(t->edges[0], "ok");
}

/* A node's entry in graph_stats_json's document, checked field by field */
static void check_json_node(struct json_object *nodes, int i, const char *name,
			    const char *type, int64_t calls, int64_t packets,
			    const char *own)
{
	struct json_object *o = json_object_array_get_idx(nodes, i), *v;

	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "name", &v));
	assert_string_equal(json_object_get_string(v), name);
	assert_true(json_object_object_get_ex(o, "type", &v));
	assert_string_equal(json_object_get_string(v), type);
	assert_true(json_object_object_get_ex(o, "calls", &v));
	assert_int_equal(json_object_get_int64(v), calls);
	assert_true(json_object_object_get_ex(o, "packets", &v));
	assert_int_equal(json_object_get_int64(v), packets);
	assert_true(json_object_object_get_ex(o, "ns", &v));
	assert_true(json_object_get_int64(v) > 0);
	assert_true(json_object_object_get_ex(o, "overflow", &v));
	assert_int_equal(json_object_get_int64(v), 0);
	assert_true(json_object_object_get_ex(o, "counters", &v));
	assert_string_equal(
		json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), own);
}

/* 256 frames: eth-input -> ip4-input -> tx, the rest to punt and drop */
static void test_burst_256(void **state)
{
	struct pktio_pool *pool = make_pool(512);
	struct pktio_port *out = open_ring("g-tx", pool, NULL);
	struct pktio_port *tap = open_ring("g-punt", pool, NULL);
	const struct graph_edge_spec eth_next[] = { E("ip4", "ip4-input"),
						    E("ip6", "ip6-input"),
						    E("punt", "punt"),
						    E("drop", "drop") };
	const struct graph_edge_spec ip_next[] = { E("ok", "tx"),
						   E("punt", "punt"),
						   E("drop", "drop") };
	const struct graph_node_spec nodes[] = {
		{ .name = "eth-input", .next = eth_next, .n_next = 4 },
		{ .name = "ip4-input", .next = ip_next, .n_next = 3 },
		{ .name = "ip6-input", .next = ip_next, .n_next = 3 },
		{ .name = "tx", .port = out },
		{ .name = "punt", .port = tap },
		{ .name = "drop" },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 6 };
	struct pktio_buf *in[300], *got[300];
	struct json_object *doc, *jnodes;
	struct graph_node_stats st;
	struct graph *g;
	char *text;
	uint8_t good[256], bad[256], ttl1[256], v6[256], arp[60];
	size_t lg, lb, lt, l6;
	uint64_t v;

	(void)state;
	assert_int_equal(graph_create(&spec, &g), 0);
	lg = v4_frame(good, &(struct v4){ .ttl = 64 });
	lb = v4_frame(bad, &(struct v4){ .bad_csum = 1 });
	lt = v4_frame(ttl1, &(struct v4){ .ttl = 1 });
	l6 = v6_frame(v6, &(struct v6){ .hlim = 64 });
	memset(arp, 0, sizeof(arp));
	memcpy(arp, t_mac_us, 6);
	put16(arp + 12, 0x0806);
	/* 200 good, 20 bad checksums, 16 TTL 1, 10 ARP, 10 IPv6 */
	for (int i = 0; i < 256; i++) {
		if (i % 16 == 3 && i < 200)
			in[i] = buf_of(pool, bad, lb); /* 13 of them */
		else if (i >= 200 && i < 207)
			in[i] = buf_of(pool, bad, lb); /* 7 more: 20 */
		else if (i >= 207 && i < 223)
			in[i] = buf_of(pool, ttl1, lt);
		else if (i >= 223 && i < 233)
			in[i] = buf_of(pool, arp, sizeof(arp));
		else if (i >= 233 && i < 243)
			in[i] = buf_of(pool, v6, l6);
		else
			in[i] = buf_of(pool, good, lg);
	}
	graph_walk(g, in, 256);

	/* 256 - 20 - 16 - 10 - 10 = 200 v4 and 10 v6 sent, in order */
	assert_int_equal(pktio_ring_drain(out, 0, got, 300), 210);
	for (int i = 0, k = 0; i < 256; i++) {
		if ((i % 16 == 3 && i < 200) || (i >= 200 && i < 233))
			continue;
		if (i >= 233 && i < 243)
			continue; /* v6: after every v4 (its own node) */
		assert_ptr_equal(got[k], in[i]);
		assert_memory_equal(pktio_buf_data(got[k]), good, lg);
		k++;
	}
	for (int i = 0; i < 10; i++)
		assert_memory_equal(pktio_buf_data(got[200 + i]), v6, l6);
	pktio_buf_free_bulk(got, 210);
	assert_int_equal(pktio_ring_drain(tap, 0, got, 300), 26);
	pktio_buf_free_bulk(got, 26);

	assert_int_equal(graph_node_stats(g, "eth-input", &st), 0);
	assert_int_equal(st.calls, 1);
	assert_int_equal(st.packets, 256);
	assert_true(st.ns > 0);
	assert_int_equal(graph_node_stats(g, "ip4-input", &st), 0);
	assert_int_equal(st.calls, 1);
	assert_int_equal(st.packets, 236);
	assert_int_equal(graph_node_stats(g, "ip6-input", &st), 0);
	assert_int_equal(st.packets, 10);
	assert_int_equal(graph_node_stats(g, "tx", &st), 0);
	assert_int_equal(st.calls, 1);
	assert_int_equal(st.packets, 210);
	assert_int_equal(graph_node_counter(g, "drop", "packets", &v), 0);
	assert_int_equal(v, 20);
	assert_int_equal(graph_node_counter(g, "drop", "drop_bad_csum", &v), 0);
	assert_int_equal(v, 20);
	assert_int_equal(graph_node_counter(g, "punt", "pass_ttl", &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(graph_node_counter(g, "punt", "pass_not_ip", &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(graph_node_counter(g, "tx", "tx_full", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(pktio_pool_avail(pool), 512);

	/* the same counters, exported in walk order */
	text = graph_stats_json(g);
	assert_non_null(text);
	doc = json_tokener_parse(text);
	assert_non_null(doc);
	assert_true(json_object_object_get_ex(doc, "nodes", &jnodes));
	assert_int_equal(json_object_array_length(jnodes), 6);
	check_json_node(jnodes, 0, "eth-input", "eth-input", 1, 256, "{}");
	check_json_node(jnodes, 1, "ip4-input", "ip4-input", 1, 236, "{}");
	check_json_node(jnodes, 2, "ip6-input", "ip6-input", 1, 10, "{}");
	check_json_node(jnodes, 3, "tx", "tx", 1, 210, "{\"tx_full\":0}");
	check_json_node(jnodes, 4, "punt", "punt", 1, 26,
			"{\"punt_full\":0,\"pass_not_ip\":10,"
			"\"pass_ttl\":16}");
	check_json_node(jnodes, 5, "drop", "drop", 1, 20,
			"{\"drop_bad_csum\":20}");
	json_object_put(doc);
	free(text);

	/* 300 at once: two passes of the walk */
	for (int i = 0; i < 300; i++)
		in[i] = buf_of(pool, good, lg);
	graph_walk(g, in, 300);
	assert_int_equal(pktio_ring_drain(out, 0, got, 300), 300);
	pktio_buf_free_bulk(got, 300);
	assert_int_equal(graph_node_stats(g, "eth-input", &st), 0);
	assert_int_equal(st.calls, 3);
	assert_int_equal(st.packets, 556);

	graph_destroy(g);
	pktio_port_close(out);
	pktio_port_close(tap);
	assert_int_equal(pktio_pool_avail(pool), 512);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* A node making more packets than the next input holds: the excess is
 * freed and counted on the node that could not take it. */
static void test_overflow(void **state)
{
	struct pktio_pool *pool = make_pool(256);
	const struct graph_edge_spec d_next[] = { E("next", "c") };
	const struct graph_node_spec nodes[] = {
		{ .name = "d", .type = "t-dup", .next = d_next, .n_next = 1 },
		{ .name = "c", .type = "capture" },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 2 };
	struct pktio_buf *in[200];
	struct graph *g;
	uint64_t v;

	(void)state;
	assert_int_equal(graph_create(&spec, &g), 0);
	for (uint8_t i = 0; i < 200; i++)
		in[i] = buf_of(pool, &i, 1);
	graph_walk(g, in, 200);
	assert_int_equal(cap(g, "c")->n, GRAPH_BURST_MAX);
	assert_int_equal(graph_node_counter(g, "c", "overflow", &v), 0);
	assert_int_equal(v, 400 - GRAPH_BURST_MAX);
	cap_free(cap(g, "c"));
	graph_destroy(g);
	assert_int_equal(pktio_pool_avail(pool), 256);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* init gets the spec's arg; a refusal names the node and undoes the
 * nodes started before it */
static void test_init(void **state)
{
	const struct graph_edge_spec to_c[] = { E("next", "c") };
	int x;
	struct graph_node_spec nodes[] = {
		{ .name = "a",
		  .type = "t-arg",
		  .next = to_c,
		  .n_next = 1,
		  .arg = &x },
		{ .name = "b", .type = "t-arg", .next = to_c, .n_next = 1 },
		{ .name = "c", .type = "capture" },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 3 };
	struct graph *g;

	(void)state;
	finis = 0;
	refused(nodes, 3, NULL, -EINVAL, "nodes[1] (b): arg: missing");
	assert_int_equal(finis, 1);
	nodes[1].arg = &x;
	assert_int_equal(graph_create(&spec, &g), 0);
	assert_ptr_equal(*(void **)graph_node_priv(graph_node_find(g, "b")),
			 &x);
	/* the checks alone start nothing */
	nodes[1].arg = NULL;
	assert_int_equal(graph_spec_check(&spec), 0);
	graph_destroy(g);
	assert_int_equal(finis, 3);
}

/* A pktio worker walking what it polls through the graph
 * (graph_pktio_burst): 1000 frames injected on a ring port come out of
 * tx's, in order, while the main thread reads them. */
static void test_worker(void **state)
{
	struct pktio_pool *pool = make_pool(2048);
	struct pktio_port *in = open_ring("w-in", pool, NULL);
	struct pktio_port *out = open_ring("w-out", pool, "size=2048");
	const struct graph_edge_spec eth_next[] = { E("ip4", "ip4-input"),
						    E("ip6", "drop"),
						    E("punt", "drop"),
						    E("drop", "drop") };
	const struct graph_edge_spec ip_next[] = { E("ok", "tx"),
						   E("punt", "drop"),
						   E("drop", "drop") };
	const struct graph_node_spec nodes[] = {
		{ .name = "eth-input", .next = eth_next, .n_next = 4 },
		{ .name = "ip4-input", .next = ip_next, .n_next = 3 },
		{ .name = "tx", .port = out },
		{ .name = "drop" },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 4 };
	struct pktio_buf *b[1000], *got[64];
	struct pktio_worker_cfg wc;
	struct pktio_worker *w;
	struct graph_node_stats st;
	struct graph *g;
	uint8_t f[256];
	size_t len;
	int n = 0, sent = 0;

	(void)state;
	assert_int_equal(graph_create(&spec, &g), 0);
	pktio_worker_cfg_init(&wc, graph_pktio_burst, g);
	wc.name = "graph-w";
	wc.idle_sleep_us = 10;
	assert_int_equal(pktio_worker_create(&wc, &w), 0);
	assert_int_equal(pktio_worker_add_queue(w, in, 0), 0);
	assert_int_equal(pktio_worker_start(w), 0);
	len = v4_frame(f, &(struct v4){ .ttl = 64 });
	for (int i = 0; i < 1000; i++) {
		b[i] = buf_of(pool, f, len);
		b[i]->udata = (uint64_t)i; /* the graph overwrites it */
	}
	/* bounded: 10 s at most */
	for (int tries = 0; n < 1000 && tries < 100000; tries++) {
		uint16_t k;

		if (sent < 1000)
			sent += pktio_ring_inject(
				in, 0, b + sent,
				(uint16_t)(sent + 64 <= 1000 ? 64 :
							       1000 - sent));
		k = pktio_ring_drain(out, 0, got, 64);
		for (uint16_t i = 0; i < k; i++)
			assert_ptr_equal(got[i], b[n + i]);
		pktio_buf_free_bulk(got, k);
		n += k;
		if (!k)
			nanosleep(&(struct timespec){ .tv_nsec = 100000 },
				  NULL);
	}
	assert_int_equal(n, 1000);
	assert_int_equal(pktio_worker_stop(w), 0);
	pktio_worker_destroy(w);
	assert_int_equal(graph_node_stats(g, "tx", &st), 0);
	assert_int_equal(st.packets, 1000);
	graph_destroy(g);
	pktio_port_close(in);
	pktio_port_close(out);
	assert_int_equal(pktio_pool_avail(pool), 2048);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fan_out),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_loops),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_burst_256),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_worker),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
