// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-vrouter's graph (vrouter/vr_graph.c) without a real port: the
 * spec passes libgraph's checks with no port at all (every edge wired, no
 * loop), and built on a ring port standing for the punt TAP, with a FIB
 * that has no reader yet, it punts what it cannot route to the TAP with
 * the TAP's MAC as destination (punt-mac: exact output bytes), drops a
 * runt, and if-output sends nothing.
 *
 * The forwarding nodes (ip4-lookup, ip6-lookup, ip-rewrite, if-output)
 * are another branch's (s19-fwd); when this build has none, stand-ins of
 * the same names and edges are registered that send every packet where
 * the real lookups send it without a reader: punt, pass_no_route.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sluice/graph/fib.h>
#include <sluice/graph/graph.h>
#include <sluice/pktio/pktio.h>
#include <sluice/pktio/ring.h>
#include <uapi/sluice/reasons.h>
#include "vr_graph.h"

static const char *const lookup_edges[] = { "rewrite", "local", "punt",
					    "drop" };
static const char *const rewrite_edges[] = { "output", "punt", "drop" };

static void stand_in_punt(struct graph_ctx *ctx, struct graph_node *node,
			  struct pktio_buf **bufs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		graph_meta(bufs[i])->reason = SLUICE_PASS_NO_ROUTE;
		graph_enqueue(ctx, node, 2, bufs[i]); /* "punt" */
	}
}

static void stand_in_rewrite(struct graph_ctx *ctx, struct graph_node *node,
			     struct pktio_buf **bufs, uint16_t n)
{
	graph_enqueue_burst(ctx, node, 1, bufs, n); /* "punt" */
}

static void stand_in_sink(struct graph_ctx *ctx, struct graph_node *node,
			  struct pktio_buf **bufs, uint16_t n)
{
	(void)ctx;
	(void)node;
	pktio_buf_free_bulk(bufs, n);
}

static const struct graph_node_type stand_ins[] = {
	{ .name = "ip4-lookup",
	  .edges = lookup_edges,
	  .n_edges = 4,
	  .process = stand_in_punt },
	{ .name = "ip6-lookup",
	  .edges = lookup_edges,
	  .n_edges = 4,
	  .process = stand_in_punt },
	{ .name = "ip-rewrite",
	  .edges = rewrite_edges,
	  .n_edges = 3,
	  .process = stand_in_rewrite },
	{ .name = "if-output",
	  .flags = GRAPH_NODE_F_SINK,
	  .process = stand_in_sink },
};

static int setup(void **state)
{
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(stand_ins) / sizeof(stand_ins[0]); i++)
		if (!graph_node_type_find(stand_ins[i].name))
			assert_int_equal(
				graph_node_type_register(&stand_ins[i]), 0);
	assert_int_equal(vr_graph_types(err, sizeof(err)), 0);
	/* registering punt-mac twice is fine */
	assert_int_equal(vr_graph_types(err, sizeof(err)), 0);
	return 0;
}

/* The spec alone: every edge wired, no loop, no port needed. */
static void test_spec(void **state)
{
	struct vr_graph_spec s;

	(void)state;
	for (uint16_t t = 0; t < 3; t++) {
		vr_graph_spec(&s, t, NULL, NULL);
		assert_int_equal(graph_spec_check(&s.spec), 0);
		assert_string_equal(s.spec.entry, "eth-input");
		assert_int_equal(s.nodes[6].queue, t); /* if-output */
		assert_int_equal(s.nodes[8].queue, t); /* punt */
	}
}

static struct pktio_buf *frame(struct pktio_pool *pool, const uint8_t *f,
			       size_t len)
{
	struct pktio_buf *b = pktio_buf_alloc(pool);
	uint8_t *d;

	assert_non_null(b);
	d = pktio_buf_append(b, (uint32_t)len);
	assert_non_null(d);
	memcpy(d, f, len);
	return b;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* UDP from 198.18.0.1 to 198.19.0.1, 8 bytes of payload, TTL 64. */
static size_t v4(uint8_t *f)
{
	static const uint8_t mac_port[6] = { 0x02, 0, 0, 0, 0x77, 0x01 };
	static const uint8_t mac_peer[6] = { 0x02, 0, 0, 0, 0x77, 0x02 };
	uint8_t *ip = f + 14;

	memset(f, 0, 64);
	memcpy(f, mac_port, 6);
	memcpy(f + 6, mac_peer, 6);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, 36);
	ip[8] = 64;
	ip[9] = 17;
	put16(ip + 12, 0xc612);
	put16(ip + 14, 0x0001);
	put16(ip + 16, 0xc613);
	put16(ip + 18, 0x0001);
	put16(ip + 10, csum(ip, 20));
	put16(ip + 20, 1000);
	put16(ip + 22, 2000);
	put16(ip + 24, 16);
	for (int i = 0; i < 8; i++)
		ip[28 + i] = (uint8_t)(0x40 + i);
	return 14 + 36;
}

/* UDP from 2001:db8::1 to 2001:db8:1::1, hop limit 64. */
static size_t v6(uint8_t *f)
{
	static const uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t dst[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1
	};
	uint8_t *ip = f + 14;

	memset(f, 0, 80);
	f[0] = 0x02;
	f[5] = 0x03;
	f[6] = 0x02;
	f[11] = 0x04;
	put16(f + 12, 0x86dd);
	ip[0] = 0x60;
	put16(ip + 4, 16);
	ip[6] = 17;
	ip[7] = 64;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	put16(ip + 40, 1000);
	put16(ip + 42, 2000);
	put16(ip + 44, 16);
	return 14 + 40 + 16;
}

static uint64_t counter(struct graph *g, const char *node, const char *name)
{
	uint64_t v = 0;

	assert_int_equal(graph_node_counter(g, node, name, &v), 0);
	return v;
}

/* On a ring port as the TAP: what the graph cannot route reaches the
 * TAP, byte for byte, but for the destination MAC (the TAP's). */
static void test_punt_to_tap(void **state)
{
	struct graph_fib fib = { 0 }; /* no reader, no port yet */
	struct pktio_pool_cfg pcfg;
	struct pktio_pool *pool;
	struct pktio_port *tap;
	struct pktio_port_info info;
	struct pktio_port_cfg cfg = {
		.driver = "ring",
		.dev = "vr-tap",
		.nqueues = 1,
	};
	struct pktio_buf *in[3], *out[8];
	uint8_t f4[64], f6[80], runt[10] = { 0 }, want[80];
	size_t n4, n6;
	struct graph *g;
	uint16_t got;

	(void)state;
	pktio_pool_cfg_init(&pcfg, 64);
	pcfg.cache_size = 0;
	assert_int_equal(pktio_pool_create(&pcfg, &pool), 0);
	cfg.pool = pool;
	assert_int_equal(pktio_port_open(&cfg, &tap), 0);
	assert_int_equal(pktio_port_info(tap, &info), 0);
	assert_int_equal(vr_graph_create(0, tap, &fib, &g), 0);

	n4 = v4(f4);
	n6 = v6(f6);
	in[0] = frame(pool, f4, n4);
	in[1] = frame(pool, runt, sizeof(runt));
	in[2] = frame(pool, f6, n6);
	graph_walk(g, in, 3);

	got = pktio_ring_drain(tap, 0, out, 8);
	assert_int_equal(got, 2);
	memcpy(want, f4, n4);
	memcpy(want, info.mac, 6);
	assert_int_equal(pktio_buf_len(out[0]), n4);
	assert_memory_equal(pktio_buf_data(out[0]), want, n4);
	memcpy(want, f6, n6);
	memcpy(want, info.mac, 6);
	assert_int_equal(pktio_buf_len(out[1]), n6);
	assert_memory_equal(pktio_buf_data(out[1]), want, n6);
	pktio_buf_free_bulk(out, got);

	assert_int_equal(counter(g, "punt", "pass_no_route"), 2);
	assert_int_equal(counter(g, "punt-mac", "packets"), 2);
	assert_int_equal(counter(g, "drop", "drop_trunc_eth"), 1);
	assert_int_equal(counter(g, "if-output", "packets"), 0);
	assert_int_equal(counter(g, "ip4-lookup", "packets"), 1);
	assert_int_equal(counter(g, "ip6-lookup", "packets"), 1);

	graph_destroy(g);
	pktio_port_close(tap);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_punt_to_tap),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
