// SPDX-License-Identifier: BSD-2-Clause
/*
 * The graph's nodes, each alone on the ring driver: an input burst and the
 * exact output burst of every edge (a capture node on each), with every
 * reason eth-input, ip4-input and ip6-input can give (the XDP path's, in
 * bpf/lib/parse.h and l3.h), drop's and punt's counters by reason name,
 * tx and punt onto ring ports, and every buffer back in its pool.
 */
#include <errno.h>
#include <uapi/sluice/reasons.h>
#include "graph_test_util.h"
#include "nodes/eth_input.h"
#include "nodes/ip4_input.h"
#include "nodes/ip6_input.h"

enum { TO_A, TO_B, TO_C, TO_D }; /* the capture of edge 0..3 */

struct tcase {
	const char *what;
	uint8_t frame[256];
	size_t len;
	int edge;	 /* expected edge */
	uint16_t reason; /* expected graph_meta reason (drop, punt) */
};

#define MAX_CASES 40

/* A graph of @type with its edges wired to captures e0..e3. */
static struct graph *alone(const char *type, const char *const *edges,
			   unsigned int n_edges)
{
	static const char *const caps[] = { "e0", "e1", "e2", "e3" };
	struct graph_edge_spec next[4];
	struct graph_node_spec nodes[5] = {
		{ .name = "n", .type = type, .next = next, .n_next = n_edges },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = n_edges + 1 };
	struct graph *g;

	register_capture();
	for (unsigned int e = 0; e < n_edges; e++) {
		next[e] = (struct graph_edge_spec){ edges[e], caps[e] };
		nodes[e + 1] = (struct graph_node_spec){ .name = caps[e],
							 .type = "capture" };
	}
	assert_int_equal(graph_create(&spec, &g), 0);
	return g;
}

/*
 * All the cases in one burst through the node; each edge's capture then
 * holds exactly the cases expected on it, in input order, bytes unchanged,
 * with the expected reason.
 */
static void run_cases(const char *type, const char *const *edges,
		      unsigned int n_edges, const struct tcase *tc,
		      unsigned int n, uint8_t l3_off)
{
	struct pktio_pool *pool = make_pool(64);
	struct graph *g = alone(type, edges, n_edges);
	struct pktio_buf *in[MAX_CASES];
	char cname[3] = "e0";

	for (unsigned int i = 0; i < n; i++) {
		in[i] = buf_of(pool, tc[i].frame, tc[i].len);
		graph_meta(in[i])->l3_off = l3_off;
		graph_meta(in[i])->reason = 0xffff;
	}
	graph_walk(g, in, (uint16_t)n);
	for (unsigned int e = 0; e < n_edges; e++) {
		struct capture *c;
		unsigned int k = 0;

		cname[1] = (char)('0' + e);
		c = cap(g, cname);
		for (unsigned int i = 0; i < n; i++) {
			struct pktio_buf *b;

			if (tc[i].edge != (int)e)
				continue;
			if (k >= c->n)
				fail_msg("%s: case \"%s\" not on edge %s", type,
					 tc[i].what, edges[e]);
			b = c->bufs[k++];
			if (b != in[i])
				fail_msg("%s: edge %s: \"%s\" out of order or "
					 "missing",
					 type, edges[e], tc[i].what);
			assert_int_equal(pktio_buf_len(b), tc[i].len);
			assert_memory_equal(pktio_buf_data(b), tc[i].frame,
					    tc[i].len);
			if (tc[i].reason &&
			    graph_meta(b)->reason != tc[i].reason)
				fail_msg("%s: \"%s\": reason %u, expected %u",
					 type, tc[i].what,
					 graph_meta(b)->reason, tc[i].reason);
		}
		if (k != c->n)
			fail_msg("%s: edge %s: %u buffers, expected %u", type,
				 edges[e], c->n, k);
		if (c->n)
			assert_int_equal(c->calls, 1); /* one burst per edge */
		cap_free(c);
	}
	graph_destroy(g);
	assert_int_equal(pktio_pool_avail(pool), pktio_pool_count(pool));
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

#define V4(tc_, what_, edge_, reason_, ...)                                    \
	do {                                                                   \
		struct v4 o_ = { __VA_ARGS__ };                                \
		(tc_)->what = what_;                                           \
		(tc_)->len = v4_frame((tc_)->frame, &o_);                      \
		(tc_)->edge = edge_;                                           \
		(tc_)->reason = reason_;                                       \
		(tc_)++;                                                       \
	} while (0)

#define V6(tc_, what_, edge_, reason_, ...)                                    \
	do {                                                                   \
		struct v6 o_ = { __VA_ARGS__ };                                \
		(tc_)->what = what_;                                           \
		(tc_)->len = v6_frame((tc_)->frame, &o_);                      \
		(tc_)->edge = edge_;                                           \
		(tc_)->reason = reason_;                                       \
		(tc_)++;                                                       \
	} while (0)

static const char *const ip_edges[] = { "ok", "punt", "drop" };

static void test_ip4_input(void **state)
{
	static struct tcase tc[MAX_CASES];
	struct tcase *t = tc;

	(void)state;
	V4(t, "udp", IP4_INPUT_OK, 0, .ttl = 64);
	V4(t, "tcp", IP4_INPUT_OK, 0, .proto = 6, .l4_len = 20);
	V4(t, "icmp", IP4_INPUT_OK, 0, .proto = 1, .l4_len = 8);
	V4(t, "ethernet padding after the datagram", IP4_INPUT_OK, 0,
	   .l4_len = 8, .frame_len = 60);
	V4(t, "ttl 2", IP4_INPUT_OK, 0, .ttl = 2);
	V4(t, "19 bytes of header", IP4_INPUT_DROP, SLUICE_DROP_TRUNC_IP4,
	   .frame_len = 14 + 19);
	V4(t, "version 6", IP4_INPUT_DROP, SLUICE_DROP_BAD_VERSION,
	   .vihl = 0x65);
	V4(t, "ihl 4", IP4_INPUT_DROP, SLUICE_DROP_BAD_IHL, .vihl = 0x44);
	V4(t, "total length beyond the frame", IP4_INPUT_DROP,
	   SLUICE_DROP_BAD_LEN, .tot_len = 37);
	V4(t, "total length below the header", IP4_INPUT_DROP,
	   SLUICE_DROP_BAD_LEN, .tot_len = 19);
	V4(t, "ihl 6 total length 23", IP4_INPUT_DROP, SLUICE_DROP_BAD_LEN,
	   .vihl = 0x46, .tot_len = 23);
	V4(t, "options", IP4_INPUT_PUNT, SLUICE_PASS_IP_OPTIONS, .vihl = 0x46);
	V4(t, "options, bad checksum: options first", IP4_INPUT_PUNT,
	   SLUICE_PASS_IP_OPTIONS, .vihl = 0x46, .bad_csum = 1);
	V4(t, "bad checksum", IP4_INPUT_DROP, SLUICE_DROP_BAD_CSUM,
	   .bad_csum = 1);
	V4(t, "bad checksum to multicast: checksum first", IP4_INPUT_DROP,
	   SLUICE_DROP_BAD_CSUM, .bad_csum = 1, .dst = 0xe0000005);
	V4(t, "224.0.0.5", IP4_INPUT_PUNT, SLUICE_PASS_MULTICAST,
	   .dst = 0xe0000005);
	V4(t, "239.1.1.1", IP4_INPUT_PUNT, SLUICE_PASS_MULTICAST,
	   .dst = 0xef010101);
	V4(t, "255.255.255.255", IP4_INPUT_PUNT, SLUICE_PASS_MULTICAST,
	   .dst = 0xffffffff);
	V4(t, "to 169.254.1.1", IP4_INPUT_PUNT, SLUICE_PASS_LINK_LOCAL,
	   .dst = 0xa9fe0101);
	V4(t, "from 169.254.1.1", IP4_INPUT_PUNT, SLUICE_PASS_LINK_LOCAL,
	   .src = 0xa9fe0101);
	V4(t, "more fragments", IP4_INPUT_PUNT, SLUICE_PASS_FRAGMENT,
	   .frag = 0x2000);
	V4(t, "fragment offset", IP4_INPUT_PUNT, SLUICE_PASS_FRAGMENT,
	   .frag = 0x0001);
	V4(t, "don't fragment", IP4_INPUT_OK, 0, .frag = 0x4000);
	V4(t, "udp cut by the total length", IP4_INPUT_DROP,
	   SLUICE_DROP_TRUNC_L4, .l4_len = 16, .tot_len = 24);
	V4(t, "udp cut by the frame", IP4_INPUT_DROP, SLUICE_DROP_TRUNC_L4,
	   .l4_len = 4);
	V4(t, "tcp cut", IP4_INPUT_DROP, SLUICE_DROP_TRUNC_L4, .proto = 6,
	   .l4_len = 19);
	V4(t, "ttl 1", IP4_INPUT_PUNT, SLUICE_PASS_TTL, .ttl = 1);
	V4(t, "ttl 1, udp cut: the cut first", IP4_INPUT_DROP,
	   SLUICE_DROP_TRUNC_L4, .ttl = 1, .l4_len = 4);
	/* ttl 0: the builder's 0 means 64, so write it by hand below */
	V4(t, "ttl 0", IP4_INPUT_PUNT, SLUICE_PASS_TTL, .ttl = 1);
	t[-1].frame[14 + 8] = 0;
	t[-1].frame[14 + 10]++; /* the checksum: TTL is the high byte */
	run_cases("ip4-input", ip_edges, 3, tc, (unsigned int)(t - tc), 14);
}

static void test_ip4_input_vlan(void **state)
{
	static struct tcase tc[4];
	struct tcase *t = tc;

	(void)state;
	/* eth-input's l3_off, 18 behind a tag, is where ip4-input reads */
	V4(t, "tagged udp", IP4_INPUT_OK, 0, .vlan = 100);
	V4(t, "tagged bad checksum", IP4_INPUT_DROP, SLUICE_DROP_BAD_CSUM,
	   .vlan = 100, .bad_csum = 1);
	V4(t, "tagged, 19 bytes", IP4_INPUT_DROP, SLUICE_DROP_TRUNC_IP4,
	   .vlan = 100, .frame_len = 18 + 19);
	run_cases("ip4-input", ip_edges, 3, tc, (unsigned int)(t - tc), 18);
}

static void test_ip6_input(void **state)
{
	static struct tcase tc[MAX_CASES];
	struct tcase *t = tc;

	(void)state;
	V6(t, "udp", IP6_INPUT_OK, 0, .hlim = 64);
	V6(t, "tcp", IP6_INPUT_OK, 0, .nh = 6, .l4_len = 20);
	V6(t, "echo request", IP6_INPUT_OK, 0, .nh = 58, .icmp_type = 128,
	   .l4_len = 8);
	V6(t, "padding after the payload", IP6_INPUT_OK, 0, .l4_len = 8,
	   .frame_len = 14 + 40 + 20);
	V6(t, "39 bytes", IP6_INPUT_DROP, SLUICE_DROP_TRUNC_IP6,
	   .frame_len = 14 + 39);
	V6(t, "version 4", IP6_INPUT_DROP, SLUICE_DROP_BAD_VERSION, .ver = 4);
	V6(t, "hop-by-hop", IP6_INPUT_PUNT, SLUICE_PASS_IP_OPTIONS, .nh = 255);
	V6(t, "jumbogram (hop-by-hop, payload length 0)", IP6_INPUT_PUNT,
	   SLUICE_PASS_IP_OPTIONS, .nh = 255, .l4_len = 8);
	V6(t, "payload length beyond the frame", IP6_INPUT_DROP,
	   SLUICE_DROP_BAD_LEN, .plen = 17);
	V6(t, "to ff02::1", IP6_INPUT_PUNT, SLUICE_PASS_MULTICAST,
	   .dst_mcast = 1);
	V6(t, "to fe80::1", IP6_INPUT_PUNT, SLUICE_PASS_LINK_LOCAL,
	   .dst_ll = 1);
	V6(t, "from fe80::1", IP6_INPUT_PUNT, SLUICE_PASS_LINK_LOCAL,
	   .src_ll = 1);
	V6(t, "fragment", IP6_INPUT_PUNT, SLUICE_PASS_FRAGMENT, .nh = 44);
	V6(t, "icmpv6 cut by the payload length", IP6_INPUT_DROP,
	   SLUICE_DROP_TRUNC_L4, .nh = 58, .icmp_type = 128, .l4_len = 8,
	   .plen = 4);
	V6(t, "icmpv6 cut by the frame", IP6_INPUT_DROP, SLUICE_DROP_TRUNC_L4,
	   .nh = 58, .icmp_type = 128, .l4_len = 4);
	V6(t, "router solicitation", IP6_INPUT_PUNT, SLUICE_PASS_ND, .nh = 58,
	   .icmp_type = 133, .l4_len = 8);
	V6(t, "neighbour solicitation", IP6_INPUT_PUNT, SLUICE_PASS_ND,
	   .nh = 58, .icmp_type = 135, .l4_len = 24);
	V6(t, "redirect", IP6_INPUT_PUNT, SLUICE_PASS_ND, .nh = 58,
	   .icmp_type = 137, .l4_len = 8);
	V6(t, "type 138 is no ND", IP6_INPUT_OK, 0, .nh = 58, .icmp_type = 138,
	   .l4_len = 8);
	V6(t, "udp cut by the payload length", IP6_INPUT_DROP,
	   SLUICE_DROP_TRUNC_L4, .plen = 4, .l4_len = 16);
	V6(t, "tcp cut by the frame", IP6_INPUT_DROP, SLUICE_DROP_TRUNC_L4,
	   .nh = 6, .l4_len = 19);
	V6(t, "hop limit 1", IP6_INPUT_PUNT, SLUICE_PASS_TTL, .hlim = 1);
	V6(t, "hop limit 0", IP6_INPUT_PUNT, SLUICE_PASS_TTL, .hlim = 1);
	t[-1].frame[14 + 7] = 0;
	V6(t, "hop limit 2", IP6_INPUT_OK, 0, .hlim = 2);
	run_cases("ip6-input", ip_edges, 3, tc, (unsigned int)(t - tc), 14);
}

static void raw(struct tcase **t, const char *what, const uint8_t *f,
		size_t len, int edge, uint16_t reason)
{
	memset((*t)->frame, 0, sizeof((*t)->frame));
	memcpy((*t)->frame, f, len);
	(*t)->what = what;
	(*t)->len = len;
	(*t)->edge = edge;
	(*t)->reason = reason;
	(*t)++;
}

static void test_eth_input(void **state)
{
	static const char *const edges[] = { "ip4", "ip6", "punt", "drop" };
	static struct tcase tc[MAX_CASES];
	struct tcase *t = tc;
	uint8_t f[64];

	(void)state;
	V4(t, "ipv4", ETH_INPUT_IP4, 0, .ttl = 64);
	V6(t, "ipv6", ETH_INPUT_IP6, 0, .hlim = 64);
	V4(t, "tagged ipv4", ETH_INPUT_IP4, 0, .vlan = 0x2064);
	/* eth-input only classifies: a bad IPv4 header is ip4-input's */
	V4(t, "ipv4, bad checksum", ETH_INPUT_IP4, 0, .bad_csum = 1);
	V4(t, "broadcast", ETH_INPUT_PUNT, SLUICE_PASS_MULTICAST,
	   .bcast_mac = 1);
	memset(f, 0, sizeof(f));
	memcpy(f, t_mac_us, 6);
	memcpy(f + 6, t_mac_peer, 6);
	put16(f + 12, 0x0806);
	raw(&t, "unicast arp", f, 42, ETH_INPUT_PUNT, SLUICE_PASS_NOT_IP);
	memset(f, 0xff, 6);
	raw(&t, "broadcast arp", f, 42, ETH_INPUT_PUNT, SLUICE_PASS_MULTICAST);
	memcpy(f, (uint8_t[]){ 0x33, 0x33, 0xff, 0, 0, 1 }, 6);
	put16(f + 12, 0x86dd);
	raw(&t, "ipv6 multicast mac", f, 60, ETH_INPUT_PUNT,
	    SLUICE_PASS_MULTICAST);
	memcpy(f, t_mac_us, 6);
	put16(f + 12, 0x88cc);
	raw(&t, "lldp to us", f, 60, ETH_INPUT_PUNT, SLUICE_PASS_NOT_IP);
	put16(f + 12, 0x8100);
	put16(f + 14, 10);
	put16(f + 16, 0x8100);
	raw(&t, "two tags", f, 60, ETH_INPUT_PUNT, SLUICE_PASS_NOT_IP);
	put16(f + 16, 0x0806);
	raw(&t, "tagged arp", f, 60, ETH_INPUT_PUNT, SLUICE_PASS_NOT_IP);
	raw(&t, "13 bytes", f, 13, ETH_INPUT_DROP, SLUICE_DROP_TRUNC_ETH);
	raw(&t, "1 byte", f, 1, ETH_INPUT_DROP, SLUICE_DROP_TRUNC_ETH);
	raw(&t, "a tag cut", f, 17, ETH_INPUT_DROP, SLUICE_DROP_TRUNC_VLAN);
	put16(f + 16, 0x86dd);
	raw(&t, "a tag and no ipv6 header", f, 18, ETH_INPUT_IP6, 0);
	run_cases("eth-input", edges, 4, tc, (unsigned int)(t - tc), 0);
}

/* eth-input leaves where L3 starts and the tag for the nodes after it */
static void test_eth_input_meta(void **state)
{
	struct pktio_pool *pool = make_pool(8);
	static const char *const edges[] = { "ip4", "ip6", "punt", "drop" };
	struct graph *g = alone("eth-input", edges, 4);
	struct pktio_buf *b[2];
	struct capture *c;
	uint8_t f[256];
	size_t len;

	(void)state;
	len = v4_frame(f, &(struct v4){ .vlan = 0x2064 });
	b[0] = buf_of(pool, f, len);
	len = v4_frame(f, &(struct v4){ .ttl = 64 });
	b[1] = buf_of(pool, f, len);
	graph_walk(g, b, 2);
	c = cap(g, "e0");
	assert_int_equal(c->n, 2);
	assert_int_equal(graph_meta(c->bufs[0])->l3_off, 18);
	assert_int_equal(graph_meta(c->bufs[0])->flags, GRAPH_META_VLAN);
	assert_int_equal(graph_meta(c->bufs[0])->vlan_tci, 0x2064);
	assert_int_equal(graph_meta(c->bufs[0])->l3_proto, 0x0800);
	assert_int_equal(graph_meta(c->bufs[1])->l3_off, 14);
	assert_int_equal(graph_meta(c->bufs[1])->flags, 0);
	cap_free(c);
	graph_destroy(g);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* drop frees every buffer and counts it under its reason's name */
static void test_drop(void **state)
{
	struct pktio_pool *pool = make_pool(16);
	struct graph_node_spec nodes[] = { { .name = "drop" } };
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 1 };
	static const uint16_t reasons[] = {
		SLUICE_DROP_BAD_CSUM, SLUICE_DROP_BAD_CSUM,
		SLUICE_DROP_TRUNC_L4, SLUICE_DROP_BAD_IHL,
		999 /* not a reason: counted as the invalid one */
	};
	struct pktio_buf *b[5];
	struct graph *g;
	uint64_t v;

	(void)state;
	assert_int_equal(graph_create(&spec, &g), 0);
	for (int i = 0; i < 5; i++) {
		b[i] = buf_of(pool, (const uint8_t *)"x", 1);
		graph_meta(b[i])->reason = reasons[i];
	}
	graph_walk(g, b, 5);
	assert_int_equal(pktio_pool_avail(pool), 16);
	assert_int_equal(graph_node_counter(g, "drop", "drop_bad_csum", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(graph_node_counter(g, "drop", "drop_trunc_l4", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(graph_node_counter(g, "drop", "drop_bad_ihl", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(graph_node_counter(g, "drop", "drop_redirect", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(graph_node_counter(g, "drop", "drop_bad_len", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(graph_node_counter(g, "drop", "packets", &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(graph_node_counter(g, "drop", "colour", &v), -ENOENT);
	assert_string_equal(graph_last_error(),
			    "node drop (drop): no counter \"colour\"");
	graph_destroy(g);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* punt and tx: onto ring ports, exact bytes; what a full queue refuses is
 * freed and counted */
static void test_punt_tx(void **state)
{
	struct pktio_pool *pool = make_pool(32);
	struct pktio_port *tap = open_ring("g-tap", pool, NULL);
	struct pktio_port *out = open_ring("g-out", pool, "size=4");
	struct graph_node_spec nodes[] = {
		{ .name = "punt", .port = tap },
		{ .name = "tx", .port = out },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 1 };
	struct pktio_buf *b[8], *got[8];
	struct graph *gp, *gt;
	uint8_t f[256];
	uint64_t v;
	size_t len;

	(void)state;
	assert_int_equal(graph_create(&spec, &gp), 0);
	spec.nodes = &nodes[1];
	assert_int_equal(graph_create(&spec, &gt), 0);

	len = v4_frame(f, &(struct v4){ .ttl = 1 });
	for (int i = 0; i < 3; i++) {
		b[i] = buf_of(pool, f, len);
		graph_meta(b[i])->reason = i ? SLUICE_PASS_TTL :
					       SLUICE_PASS_NOT_IP;
	}
	graph_walk(gp, b, 3);
	assert_int_equal(pktio_ring_drain(tap, 0, got, 8), 3);
	for (int i = 0; i < 3; i++) {
		assert_ptr_equal(got[i], b[i]);
		assert_int_equal(pktio_buf_len(got[i]), len);
		assert_memory_equal(pktio_buf_data(got[i]), f, len);
	}
	pktio_buf_free_bulk(got, 3);
	assert_int_equal(graph_node_counter(gp, "punt", "pass_ttl", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(graph_node_counter(gp, "punt", "pass_not_ip", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(graph_node_counter(gp, "punt", "punt_full", &v), 0);
	assert_int_equal(v, 0);

	/* 6 to a queue of 4: 4 sent, 2 freed and counted */
	for (int i = 0; i < 6; i++)
		b[i] = buf_of(pool, f, len);
	graph_walk(gt, b, 6);
	assert_int_equal(pktio_ring_drain(out, 0, got, 8), 4);
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(got[i], b[i]);
	pktio_buf_free_bulk(got, 4);
	assert_int_equal(graph_node_counter(gt, "tx", "tx_full", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(pktio_pool_avail(pool), 32);

	graph_destroy(gp);
	graph_destroy(gt);
	pktio_port_close(tap);
	pktio_port_close(out);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* tx and punt refuse to start without a port, or with a queue it lacks */
static void test_port_refusals(void **state)
{
	struct pktio_pool *pool = make_pool(4);
	struct pktio_port *p = open_ring("g-one", pool, NULL);
	struct graph_node_spec nodes[] = { { .name = "tx" } };
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 1 };
	struct graph *g;

	(void)state;
	assert_int_equal(graph_create(&spec, &g), -EINVAL);
	assert_null(g);
	assert_string_equal(graph_last_error(),
			    "nodes[0].port: node \"tx\" (tx) needs a port");
	nodes[0].port = p;
	nodes[0].queue = 1;
	assert_int_equal(graph_create(&spec, &g), -EINVAL);
	assert_string_equal(graph_last_error(),
			    "nodes[0] (tx): queue: 1 is not a queue of port "
			    "\"g-one\" (0..0)");
	nodes[0].name = "p";
	nodes[0].type = "punt";
	assert_int_equal(graph_create(&spec, &g), -EINVAL);
	assert_string_equal(graph_last_error(),
			    "nodes[0] (p): queue: 1 is not a queue of port "
			    "\"g-one\" (0..0)");
	pktio_port_close(p);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_input),
		cmocka_unit_test(test_eth_input_meta),
		cmocka_unit_test(test_ip4_input),
		cmocka_unit_test(test_ip4_input_vlan),
		cmocka_unit_test(test_ip6_input),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_punt_tx),
		cmocka_unit_test(test_port_refusals),
	};

	pktio_set_log(NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
