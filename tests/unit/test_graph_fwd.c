// SPDX-License-Identifier: BSD-2-Clause
/*
 * The graph's forwarding nodes (lib/graph/nodes/ip_lookup.c, ip_rewrite.c,
 * if_output.c), each alone on the ring driver: an input burst, the exact
 * output burst of every edge (buffers, bytes, reason, metadata) and the
 * node's counters.  The forwarding table is a real one: lib/dp programs
 * the XDP path's maps, pinned in a directory of this test, and the nodes
 * read them through lib/fibread as sluice-vrouter does.
 *
 * Interfaces are map entries only (no device: nothing is attached):
 *   A  101  port, MTU 1500, slot 0 of the graph_fib
 *   B  102  port, MTU 100 (small: a 120-byte packet is too big), slot 1
 *   V  1030 VLAN 30 on B
 *   X  105  managed by sluice, without a port in the graph_fib
 *   U  106  not managed (no ifaces entry)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sluice/graph/fib.h>
#include <uapi/sluice/reasons.h>
#include <uapi/sluice/route.h>
#include "dp.h"
#include "fibread.h"
#include "graph_test_util.h"

enum { IF_A = 101, IF_B = 102, IF_V = 1030, IF_X = 105, IF_U = 106 };
enum {
	G_A = 1,
	G_UNRES,
	G_UNMAN,
	G_NOPORT,
	G_VLAN,
	G_B,
	G_ONLINK,
	G_ECMP,
	G_A6
};

static const uint8_t mac_a[6] = { 0x02, 0xaa, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0xaa, 0, 0, 0, 0x0b };
static const uint8_t mac_x[6] = { 0x02, 0xaa, 0, 0, 0, 0x0c };
static const uint8_t n_gw_a[6] = { 0x02, 0x77, 0, 0, 0, 0x01 };
static const uint8_t n_gw_b[6] = { 0x02, 0x77, 0, 0, 0, 0x02 };
static const uint8_t n_gw_v[6] = { 0x02, 0x77, 0, 0, 0, 0x03 };
static const uint8_t n_other[6] = { 0x02, 0x77, 0, 0, 0, 0x04 };
static const uint8_t n_host[6] = { 0x02, 0x77, 0, 0, 0, 0x05 };
static const uint8_t n_gw_a6[6] = { 0x02, 0x77, 0, 0, 0, 0x06 };

static struct dp *dp;
static struct fibread *rd;
static char pin[96];

static uint32_t ip4(uint8_t c, uint8_t d)
{
	return 0xc6130000u | (uint32_t)c << 8 | d; /* 198.19.c.d */
}

static void a4(uint32_t host, uint8_t *a)
{
	memset(a, 0, 16);
	a[0] = (uint8_t)(host >> 24);
	a[1] = (uint8_t)(host >> 16);
	a[2] = (uint8_t)(host >> 8);
	a[3] = (uint8_t)host;
}

static void a6(uint8_t w2, uint8_t last, uint8_t *a)
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[5] = w2; /* 2001:db8:w2::last */
	a[15] = last;
}

static int iface(uint32_t ifindex, const uint8_t *mac, uint16_t mtu,
		 uint32_t slot, uint32_t parent, uint16_t vid)
{
	struct sluice_iface v = { .mtu = mtu, .slot = slot };

	memcpy(v.mac, mac, 6);
	if (parent) {
		v.flags = SLUICE_IF_VLAN;
		v.parent_ifindex = parent;
		v.vlan_id = vid;
	}
	return dp_iface_set(dp, ifindex, &v);
}

static int neigh(uint32_t ifindex, int family, const uint8_t *addr,
		 const uint8_t *mac)
{
	struct sluice_neigh_key k = { .ifindex = ifindex,
				      .family = (__u8)family };
	struct sluice_neigh v = { 0 };

	memcpy(k.addr, addr, 16);
	memcpy(v.mac, mac, 6);
	return dp_neigh_set(dp, &k, &v);
}

/* A group of one next hop (@gw_host 0: on-link), or two for ECMP. */
static int group(uint32_t id, uint32_t ifindex, int family, const uint8_t *gw)
{
	struct sluice_nhg g = { .count = 1 };

	g.nh[0].ifindex = ifindex;
	if (gw) {
		g.nh[0].family = (__u8)family;
		memcpy(g.nh[0].gw, gw, 16);
	}
	return dp_nhg_set(dp, id, &g);
}

static int route(int family, const uint8_t *addr, unsigned int plen,
		 uint8_t type, uint32_t nhg)
{
	struct sluice_route rt = { .type = type, .nhg_id = nhg };

	return dp_route_set(dp, family, addr, plen, &rt);
}

static int fwd4(uint8_t c, uint32_t nhg)
{
	uint8_t a[16];

	a4(ip4(c, 0), a);
	return route(AF_INET, a, 24, SLUICE_RT_FORWARD, nhg);
}

static int table(void)
{
	uint8_t gw[16], gw2[16], a[16];
	struct sluice_nhg ecmp = { .count = 2 };
	int err;

	err = iface(IF_A, mac_a, 1500, 1, 0, 0)		    ?:
		      iface(IF_B, mac_b, 100, 2, 0, 0)	    ?:
		      iface(IF_V, mac_b, 1500, 3, IF_B, 30) ?:
		      iface(IF_X, mac_x, 1500, 4, 0, 0);
	if (err)
		return err;
	a4(ip4(254, 1), gw);  /* A's gateway */
	a4(ip4(254, 2), gw2); /* B's */
	err = neigh(IF_A, AF_INET, gw, n_gw_a)		?:
		      neigh(IF_B, AF_INET, gw2, n_gw_b) ?:
		      group(G_A, IF_A, AF_INET, gw)	?:
		      group(G_B, IF_B, AF_INET, gw2);
	ecmp.nh[0].ifindex = IF_A;
	ecmp.nh[1].ifindex = IF_B;
	ecmp.nh[0].family = ecmp.nh[1].family = AF_INET;
	memcpy(ecmp.nh[0].gw, gw, 16);
	memcpy(ecmp.nh[1].gw, gw2, 16);
	err = err ?: dp_nhg_set(dp, G_ECMP, &ecmp);
	a4(ip4(254, 3), gw); /* no neighbour */
	err = err ?: group(G_UNRES, IF_A, AF_INET, gw);
	a4(ip4(254, 4), gw);
	err = err					?:
		      neigh(IF_U, AF_INET, gw, n_other) ?:
		      group(G_UNMAN, IF_U, AF_INET, gw);
	a4(ip4(254, 5), gw);
	err = err					?:
		      neigh(IF_X, AF_INET, gw, n_other) ?:
		      group(G_NOPORT, IF_X, AF_INET, gw);
	a4(ip4(254, 6), gw);
	err = err				       ?:
		      neigh(IF_V, AF_INET, gw, n_gw_v) ?:
		      group(G_VLAN, IF_V, AF_INET, gw);
	a4(ip4(9, 1), a); /* an on-link host with a neighbour; .2 without */
	err = err				      ?:
		      neigh(IF_A, AF_INET, a, n_host) ?:
		      group(G_ONLINK, IF_A, 0, NULL);
	a6(0xff, 1, gw);
	err = err					 ?:
		      neigh(IF_A, AF_INET6, gw, n_gw_a6) ?:
		      group(G_A6, IF_A, AF_INET6, gw);
	err = err			?:
		      fwd4(1, G_A)	?:
		      fwd4(3, G_UNRES)	?:
		      fwd4(4, G_UNMAN)	?:
		      fwd4(5, G_NOPORT) ?:
		      fwd4(6, G_VLAN)	?:
		      fwd4(7, G_B)	?:
		      fwd4(9, G_ONLINK) ?:
					  fwd4(11, G_ECMP);
	a4(ip4(8, 0), a);
	err = err ?: route(AF_INET, a, 24, SLUICE_RT_LOCAL, 0);
	a4(ip4(10, 0), a);
	err = err ?: route(AF_INET, a, 24, SLUICE_RT_KERNEL, 0);
	a6(1, 0, a);
	return err ?: route(AF_INET6, a, 48, SLUICE_RT_FORWARD, G_A6);
}

static int setup(void **state)
{
	struct dp_opts o = { 0 };
	char why[256] = "";
	int err;

	(void)state;
	register_capture();
	snprintf(pin, sizeof(pin), "/sys/fs/bpf/sluice-test-graph-fwd-%d",
		 (int)getpid());
	if (mkdir(pin, 0700))
		return -1;
	o.pin_dir = pin;
	err = dp_open(&dp, &o) ?: table();
	err = err ?: fibread_open(&rd, pin, why, sizeof(why));
	if (err)
		fprintf(stderr, "setup: %s %s\n", strerror(-err), why);
	return err ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	fibread_close(rd);
	if (dp) {
		dp_unpin_maps(dp);
		dp_close(dp);
	}
	rmdir(pin);
	return 0;
}

/* The buffer as eth-input leaves it. */
static struct pktio_buf *in_buf(struct pktio_pool *pool, const uint8_t *f,
				size_t len)
{
	struct pktio_buf *b = buf_of(pool, f, len);
	struct graph_meta *m = graph_meta(b);
	uint16_t et = (uint16_t)(f[12] << 8 | f[13]);

	memset(m, 0, sizeof(*m));
	m->l3_off = 14;
	if (et == 0x8100) {
		m->flags = GRAPH_META_VLAN;
		m->vlan_tci = (uint16_t)(f[14] << 8 | f[15]);
		m->l3_off = 18;
		et = (uint16_t)(f[16] << 8 | f[17]);
	}
	m->l3_proto = et;
	return b;
}

static struct graph_fib gfib;

static void fib_ports(struct pktio_port *a, struct pktio_port *b)
{
	memset(&gfib, 0, sizeof(gfib));
	gfib.reader = rd;
	gfib.n_ports = 2;
	gfib.ports[0] = (struct graph_fib_port){ IF_A, a };
	gfib.ports[1] = (struct graph_fib_port){ IF_B, b };
}

static uint64_t counter(struct graph *g, const char *node, const char *name)
{
	uint64_t v = UINT64_MAX;

	assert_int_equal(graph_node_counter(g, node, name, &v), 0);
	return v;
}

/* ---- ip4-lookup, ip6-lookup ----------------------------------------------- */

static struct graph *lookup_graph(const char *type)
{
	static const struct graph_edge_spec next[] = {
		{ "rewrite", "c_rw" },
		{ "local", "c_local" },
		{ "punt", "c_punt" },
		{ "drop", "c_drop" },
	};
	struct graph_node_spec nodes[] = {
		{ .name = "lkp",
		  .type = type,
		  .next = next,
		  .n_next = 4,
		  .arg = &gfib },
		{ .name = "c_rw", .type = "capture" },
		{ .name = "c_local", .type = "capture" },
		{ .name = "c_punt", .type = "capture" },
		{ .name = "c_drop", .type = "capture" },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 5 };
	struct graph *g;

	assert_int_equal(graph_create(&spec, &g), 0);
	return g;
}

struct lk_case {
	uint32_t dst;
	const char *edge;    /* capture node */
	int reason;	     /* for local, punt, drop */
	const uint8_t *dmac; /* rewrite: the chosen next hop's neighbour */
	int frame_len;
};

/* The dmac of fib_nhs[@nh] for a packet to @dst (family's bytes). */
static void nh_dmac(uint32_t nh, int family, const uint8_t *dst, uint8_t *dmac)
{
	struct fibread_hop h;

	assert_int_equal(fibread_nh(rd, nh, (uint8_t)family, dst, &h), 0);
	assert_int_equal(h.reason, SLUICE_FWD_REDIRECT);
	memcpy(dmac, h.dmac, 6);
}

static void run_lookup_cases(struct graph *g, struct pktio_pool *pool,
			     const struct lk_case *cs, unsigned int n)
{
	static const char *const caps[] = { "c_rw", "c_local", "c_punt",
					    "c_drop" };
	struct pktio_buf *b[32];
	uint8_t f[32][256];
	size_t len[32];
	unsigned int seen[4] = { 0 };

	assert_true(n <= 32);
	for (unsigned int i = 0; i < n; i++) {
		len[i] = v4_frame(f[i],
				  &(struct v4){ .dst = cs[i].dst,
						.frame_len = cs[i].frame_len });
		b[i] = in_buf(pool, f[i], len[i]);
	}
	graph_walk(g, b, (uint16_t)n);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int k;
		struct capture *c;

		for (k = 0; k < 4 && strcmp(caps[k], cs[i].edge); k++)
			;
		assert_true(k < 4);
		c = cap(g, caps[k]);
		assert_true(seen[k] < c->n);
		/* same buffer, in order, bytes untouched */
		assert_ptr_equal(c->bufs[seen[k]], b[i]);
		assert_int_equal(pktio_buf_len(b[i]), len[i]);
		assert_memory_equal(pktio_buf_data(b[i]), f[i], len[i]);
		seen[k]++;
		if (k == 0) {
			uint8_t d[16], mac[6];

			a4(cs[i].dst, d);
			nh_dmac(graph_meta(b[i])->nh, AF_INET, d, mac);
			assert_memory_equal(mac, cs[i].dmac, 6);
			/* l3_off and l3_proto kept for ip-rewrite */
			assert_int_equal(graph_meta(b[i])->l3_off, 14);
			assert_int_equal(graph_meta(b[i])->l3_proto, 0x0800);
		} else {
			assert_int_equal(graph_meta(b[i])->reason,
					 cs[i].reason);
		}
	}
	for (unsigned int k = 0; k < 4; k++) {
		assert_int_equal(cap(g, caps[k])->n, seen[k]);
		cap_free(cap(g, caps[k]));
	}
}

static void test_ip4_lookup(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	const struct lk_case cs[] = {
		{ ip4(1, 5), "c_rw", 0, n_gw_a, 0 },
		{ ip4(3, 5), "c_punt", SLUICE_PASS_NO_NEIGH, NULL, 0 },
		{ ip4(4, 5), "c_punt", SLUICE_PASS_EGRESS_UNMANAGED, NULL, 0 },
		/* managed, but no port in the graph_fib: never mis-sent */
		{ ip4(5, 5), "c_punt", SLUICE_PASS_EGRESS_UNMANAGED, NULL, 0 },
		{ ip4(6, 5), "c_rw", 0, n_gw_v, 0 },
		{ ip4(8, 1), "c_local", SLUICE_PASS_LOCAL, NULL, 0 },
		{ ip4(10, 1), "c_punt", SLUICE_PASS_KERNEL_ROUTE, NULL, 0 },
		{ 0xc612c801, "c_punt", SLUICE_PASS_NO_ROUTE, NULL, 0 },
		{ ip4(9, 1), "c_rw", 0, n_host, 0 }, /* on-link, known */
		{ ip4(9, 2), "c_punt", SLUICE_PASS_NO_NEIGH, NULL, 0 },
		{ ip4(7, 9), "c_rw", 0, n_gw_b, 0 },
		/* cut: 10 bytes of IP; the UDP ports cut */
		{ ip4(1, 5), "c_drop", SLUICE_DROP_TRUNC_IP4, NULL, 24 },
		{ ip4(1, 5), "c_drop", SLUICE_DROP_TRUNC_L4, NULL, 14 + 22 },
	};
	struct graph *g;

	(void)state;
	fib_ports(NULL, NULL);
	g = lookup_graph("ip4-lookup");
	run_lookup_cases(g, pool, cs, sizeof(cs) / sizeof(cs[0]));
	assert_int_equal(counter(g, "lkp", "pass_no_neigh"), 2);
	assert_int_equal(counter(g, "lkp", "pass_egress_unmanaged"), 2);
	assert_int_equal(counter(g, "lkp", "no_port"), 1);
	assert_int_equal(counter(g, "lkp", "pass_local"), 1);
	assert_int_equal(counter(g, "lkp", "pass_kernel_route"), 1);
	assert_int_equal(counter(g, "lkp", "pass_no_route"), 1);
	assert_int_equal(counter(g, "lkp", "drop_trunc_l4"), 1);
	assert_int_equal(counter(g, "lkp", "no_fib"), 0);
	assert_int_equal(counter(g, "lkp", "fib_error"), 0);
	assert_int_equal(counter(g, "lkp", "packets"), 13);

	/* no reader (the owner has none yet): everything to the kernel */
	gfib.reader = NULL;
	{
		const struct lk_case none[] = {
			{ ip4(1, 5), "c_punt", SLUICE_PASS_NO_ROUTE, NULL, 0 },
		};

		run_lookup_cases(g, pool, none, 1);
	}
	assert_int_equal(counter(g, "lkp", "no_fib"), 1);
	assert_int_equal(counter(g, "lkp", "pass_no_route"), 2);
	graph_destroy(g);
	assert_int_equal(pktio_pool_avail(pool), 64);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* ECMP: the member is the one fibread_lookup picks by the flow hash,
 * and over 64 source ports both members are picked. */
static void test_ip4_lookup_ecmp(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	struct pktio_buf *b[64];
	unsigned int per_gw[2] = { 0 };
	uint8_t f[256];
	struct graph *g;

	(void)state;
	fib_ports(NULL, NULL);
	g = lookup_graph("ip4-lookup");
	for (unsigned int i = 0; i < 64; i++) {
		size_t len = v4_frame(f, &(struct v4){ .dst = ip4(11, 7) });
		uint8_t *ip = f + 14;

		put16(ip + 20, (uint16_t)(1000 + i * 7)); /* source port */
		b[i] = in_buf(pool, f, len);
	}
	graph_walk(g, b, 64);
	assert_int_equal(cap(g, "c_rw")->n, 64);
	for (unsigned int i = 0; i < 64; i++) {
		const uint8_t *ip = (const uint8_t *)pktio_buf_data(b[i]) + 14;
		struct fibread_flow fl = { .family = AF_INET, .proto = 17 };
		struct fibread_hop h;
		uint8_t mac[6];

		memcpy(fl.saddr, ip + 12, 4);
		memcpy(fl.daddr, ip + 16, 4);
		memcpy(&fl.ports, ip + 20, 4);
		assert_int_equal(fibread_lookup(rd, &fl, &h), 0);
		assert_int_equal(h.count, 2);
		assert_int_equal(graph_meta(b[i])->nh, h.nh);
		nh_dmac(h.nh, AF_INET, fl.daddr, mac);
		per_gw[!memcmp(mac, n_gw_b, 6)]++;
	}
	assert_true(per_gw[0] > 0 && per_gw[1] > 0);
	cap_free(cap(g, "c_rw"));
	graph_destroy(g);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_ip6_lookup(void **state)
{
	struct pktio_pool *pool = make_pool(16);
	struct pktio_buf *b[4];
	uint8_t f[4][256], mac[6];
	size_t len[4];
	struct graph *g;

	(void)state;
	fib_ports(NULL, NULL);
	g = lookup_graph("ip6-lookup");
	for (int i = 0; i < 4; i++) {
		len[i] = v6_frame(f[i],
				  &(struct v6){ .frame_len = i == 3 ? 14 + 30 :
								      0 });
		b[i] = in_buf(pool, f[i], len[i]);
	}
	/* 2001:db8:1::1 (the frame's), 2001:db8:2::1, 2001:db8:1::1 with
	 * TCP whose ports the frame cuts, a header of 30 bytes */
	f[1][14 + 24 + 5] = 2;
	memcpy(pktio_buf_data(b[1]), f[1], len[1]);
	f[2][14 + 6] = 6;
	len[2] = 14 + 40 + 2;
	memcpy(pktio_buf_data(b[2]), f[2], len[2]);
	pktio_buf_set_len(b[2], (uint32_t)len[2]);
	graph_walk(g, b, 4);
	assert_int_equal(cap(g, "c_rw")->n, 1);
	assert_ptr_equal(cap(g, "c_rw")->bufs[0], b[0]);
	nh_dmac(graph_meta(b[0])->nh, AF_INET6, f[0] + 14 + 24, mac);
	assert_memory_equal(mac, n_gw_a6, 6);
	assert_int_equal(cap(g, "c_punt")->n, 1);
	assert_ptr_equal(cap(g, "c_punt")->bufs[0], b[1]);
	assert_int_equal(graph_meta(b[1])->reason, SLUICE_PASS_NO_ROUTE);
	assert_int_equal(cap(g, "c_drop")->n, 2);
	assert_ptr_equal(cap(g, "c_drop")->bufs[0], b[2]);
	assert_int_equal(graph_meta(b[2])->reason, SLUICE_DROP_TRUNC_L4);
	assert_ptr_equal(cap(g, "c_drop")->bufs[1], b[3]);
	assert_int_equal(graph_meta(b[3])->reason, SLUICE_DROP_TRUNC_IP6);
	for (int i = 0; i < 4; i++)
		assert_memory_equal(pktio_buf_data(b[i]), f[i], len[i]);
	assert_int_equal(cap(g, "c_local")->n, 0);
	cap_free(cap(g, "c_rw"));
	cap_free(cap(g, "c_punt"));
	cap_free(cap(g, "c_drop"));
	graph_destroy(g);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_refused_without_fib(void **state)
{
	static const struct graph_edge_spec next[] = {
		{ "rewrite", "d" }, { "local", "d" },  { "punt", "d" },
		{ "drop", "d" },    { "output", "d" },
	};
	const char *const types[] = { "ip4-lookup", "ip6-lookup", "ip-rewrite",
				      "if-output" };

	(void)state;
	for (int i = 0; i < 4; i++) {
		struct graph_node_spec nodes[] = {
			{ .name = "n",
			  .type = types[i],
			  .next = i == 2 ? next + 2 : next,
			  .n_next = i == 3 ? 0 :
				    i == 2 ? 3 :
					     4 },
			{ .name = "d", .type = "drop" },
		};
		struct graph_spec spec = { .nodes = nodes, .n_nodes = 2 };
		struct graph *g = NULL;

		assert_int_equal(graph_create(&spec, &g), -EINVAL);
		assert_null(g);
		assert_non_null(strstr(graph_last_error(), "arg: missing"));
	}
}

/* ---- ip-rewrite ------------------------------------------------------------ */

static struct graph *rewrite_graph(void)
{
	static const struct graph_edge_spec next[] = {
		{ "output", "c_out" },
		{ "punt", "c_punt" },
		{ "drop", "c_drop" },
	};
	struct graph_node_spec nodes[] = {
		{ .name = "rw",
		  .type = "ip-rewrite",
		  .next = next,
		  .n_next = 3,
		  .arg = &gfib },
		{ .name = "c_out", .type = "capture" },
		{ .name = "c_punt", .type = "capture" },
		{ .name = "c_drop", .type = "capture" },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 4 };
	struct graph *g;

	assert_int_equal(graph_create(&spec, &g), 0);
	return g;
}

/* The fib_nhs index the table gives @dst (v4). */
static uint32_t nh_of4(uint32_t dst)
{
	struct fibread_hop h;
	uint8_t d[16];

	a4(dst, d);
	assert_int_equal(fibread_lookup4(rd, d, 0, &h), 0);
	assert_int_not_equal(h.nh, 0);
	return h.nh;
}

/* What XDP makes of frame @f (v4, maybe tagged) to @dmac/@smac, leaving
 * with tag @out_tci (-1: untagged): TTL - 1, header checksum recomputed
 * from scratch (an independent check of the incremental update). */
static size_t expect4(uint8_t *out, const uint8_t *f, size_t len,
		      const uint8_t *dmac, const uint8_t *smac, int out_tci)
{
	size_t in_l2 = f[12] == 0x81 ? 18 : 14, l2 = out_tci < 0 ? 14 : 18;
	uint8_t *ip = out + l2;

	memcpy(ip, f + in_l2, len - in_l2);
	memcpy(out, dmac, 6);
	memcpy(out + 6, smac, 6);
	if (out_tci >= 0) {
		put16(out + 12, 0x8100);
		put16(out + 14, (uint16_t)out_tci);
	}
	put16(out + l2 - 2, 0x0800);
	ip[8]--;
	put16(ip + 10, 0);
	put16(ip + 10, t_csum(ip, 20));
	return len - in_l2 + l2;
}

struct rw_case {
	struct v4 v;
	uint32_t nh;
	const char *edge;
	int reason;	     /* punt, drop */
	const uint8_t *dmac; /* output */
	const uint8_t *smac;
	int out_tci;
	uint16_t slot;
};

static void run_rewrite_cases(struct graph *g, struct pktio_pool *pool,
			      const struct rw_case *cs, unsigned int n)
{
	static const char *const caps[] = { "c_out", "c_punt", "c_drop" };
	struct pktio_buf *b[32];
	uint8_t f[32][256];
	size_t len[32];
	unsigned int seen[3] = { 0 };

	assert_true(n <= 32);
	for (unsigned int i = 0; i < n; i++) {
		len[i] = v4_frame(f[i], &cs[i].v);
		b[i] = in_buf(pool, f[i], len[i]);
		graph_meta(b[i])->nh = cs[i].nh;
	}
	graph_walk(g, b, (uint16_t)n);
	for (unsigned int i = 0; i < n; i++) {
		struct graph_meta *m = graph_meta(b[i]);
		unsigned int k;

		for (k = 0; k < 3 && strcmp(caps[k], cs[i].edge); k++)
			;
		assert_true(k < 3);
		assert_true(seen[k] < cap(g, caps[k])->n);
		assert_ptr_equal(cap(g, caps[k])->bufs[seen[k]], b[i]);
		seen[k]++;
		if (k == 0) {
			uint8_t want[256];
			size_t wl = expect4(want, f[i], len[i], cs[i].dmac,
					    cs[i].smac, cs[i].out_tci);

			assert_int_equal(pktio_buf_len(b[i]), wl);
			assert_memory_equal(pktio_buf_data(b[i]), want, wl);
			assert_int_equal(m->out, cs[i].slot);
			assert_int_equal(m->l3_off,
					 cs[i].out_tci < 0 ? 14 : 18);
			assert_int_equal(!!(m->flags & GRAPH_META_VLAN),
					 cs[i].out_tci >= 0);
		} else {
			/* to the kernel or dropped as it came */
			assert_int_equal(m->reason, cs[i].reason);
			assert_int_equal(pktio_buf_len(b[i]), len[i]);
			assert_memory_equal(pktio_buf_data(b[i]), f[i], len[i]);
		}
	}
	for (unsigned int k = 0; k < 3; k++) {
		assert_int_equal(cap(g, caps[k])->n, seen[k]);
		cap_free(cap(g, caps[k]));
	}
}

static void test_ip_rewrite4(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	uint32_t nh_a = nh_of4(ip4(1, 5)), nh_v = nh_of4(ip4(6, 5)),
		 nh_b = nh_of4(ip4(7, 5)), nh_on = nh_of4(ip4(9, 1));
	const struct rw_case cs[] = {
		/* untagged in, untagged out */
		{ { .dst = ip4(1, 5) }, nh_a, "c_out", 0, n_gw_a, mac_a, -1, 0 },
		/* tagged in (priority 3, VLAN 5), untagged out: stripped */
		{ { .dst = ip4(1, 5), .vlan = 0x6005 },
		  nh_a,
		  "c_out",
		  0,
		  n_gw_a,
		  mac_a,
		  -1,
		  0 },
		/* to VLAN 30 on B: pushed (priority 0), slot of B */
		{ { .dst = ip4(6, 5) },
		  nh_v,
		  "c_out",
		  0,
		  n_gw_v,
		  mac_b,
		  0x001e,
		  1 },
		/* tagged to VLAN 30: retagged, priority kept */
		{ { .dst = ip4(6, 5), .vlan = 0x6005 },
		  nh_v,
		  "c_out",
		  0,
		  n_gw_v,
		  mac_b,
		  0x601e,
		  1 },
		/* B's MTU is 100: 100 fits, 101 goes to the kernel */
		{ { .dst = ip4(7, 5), .l4_len = 80 },
		  nh_b,
		  "c_out",
		  0,
		  n_gw_b,
		  mac_b,
		  -1,
		  1 },
		{ { .dst = ip4(7, 5), .l4_len = 81 },
		  nh_b,
		  "c_punt",
		  SLUICE_PASS_MTU,
		  NULL,
		  NULL,
		  -1,
		  0 },
		{ { .dst = ip4(7, 5), .l4_len = 81, .vlan = 0x0007 },
		  nh_b,
		  "c_punt",
		  SLUICE_PASS_MTU,
		  NULL,
		  NULL,
		  -1,
		  0 },
		{ { .dst = ip4(1, 5), .ttl = 1 },
		  nh_a,
		  "c_punt",
		  SLUICE_PASS_TTL,
		  NULL,
		  NULL,
		  -1,
		  0 },
		/* the on-link host's neighbour; another host of the prefix
		 * has none */
		{ { .dst = ip4(9, 1) }, nh_on, "c_out", 0, n_host, mac_a, -1, 0 },
		{ { .dst = ip4(9, 2) },
		  nh_on,
		  "c_punt",
		  SLUICE_PASS_NO_NEIGH,
		  NULL,
		  NULL,
		  -1,
		  0 },
		{ { .dst = ip4(3, 5) },
		  nh_of4(ip4(3, 5)),
		  "c_punt",
		  SLUICE_PASS_NO_NEIGH,
		  NULL,
		  NULL,
		  -1,
		  0 },
		{ { .dst = ip4(1, 5) },
		  0x7fffffff,
		  "c_punt",
		  SLUICE_PASS_NO_NEIGH,
		  NULL,
		  NULL,
		  -1,
		  0 },
		{ { .dst = ip4(4, 5) },
		  nh_of4(ip4(4, 5)),
		  "c_punt",
		  SLUICE_PASS_EGRESS_UNMANAGED,
		  NULL,
		  NULL,
		  -1,
		  0 },
		{ { .dst = ip4(5, 5) },
		  nh_of4(ip4(5, 5)),
		  "c_punt",
		  SLUICE_PASS_EGRESS_UNMANAGED,
		  NULL,
		  NULL,
		  -1,
		  0 },
		{ { .dst = ip4(1, 5), .frame_len = 14 + 12 },
		  nh_a,
		  "c_drop",
		  SLUICE_DROP_TRUNC_IP4,
		  NULL,
		  NULL,
		  -1,
		  0 },
	};
	struct pktio_port *pa = open_ring("fw-a", pool, NULL);
	struct pktio_port *pb = open_ring("fw-b", pool, NULL);
	struct graph *g;

	(void)state;
	fib_ports(pa, pb);
	g = rewrite_graph();
	run_rewrite_cases(g, pool, cs, sizeof(cs) / sizeof(cs[0]));
	assert_int_equal(counter(g, "rw", "pass_mtu"), 2);
	assert_int_equal(counter(g, "rw", "pass_no_neigh"), 3);
	assert_int_equal(counter(g, "rw", "pass_egress_unmanaged"), 2);
	assert_int_equal(counter(g, "rw", "no_port"), 1);
	assert_int_equal(counter(g, "rw", "pass_ttl"), 1);
	assert_int_equal(counter(g, "rw", "drop_trunc_ip4"), 1);
	assert_int_equal(counter(g, "rw", "fib_error"), 0);
	graph_destroy(g);
	pktio_port_close(pa);
	pktio_port_close(pb);
	assert_int_equal(pktio_pool_avail(pool), 64);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/*
 * The checksum's corner case: a header whose checksum is fe ff before
 * the TTL goes down.  The kernel's ip_decrease_ttl() (XDP's) writes 00 00
 * where an RFC 1624 fold would write ff ff: the graph writes XDP's bytes.
 * Also: the neighbour deleted after the lookup chose its next hop (pass_
 * no_neigh), a frame neither v4 nor v6, a frame without room for a tag.
 */
static void test_ip_rewrite_edges(void **state)
{
	struct pktio_pool *pool = make_pool(16);
	struct pktio_port *pa = open_ring("fw-a", pool, NULL);
	struct pktio_port *pb = open_ring("fw-b", pool, NULL);
	uint32_t nh_a = nh_of4(ip4(1, 5)), nh_v = nh_of4(ip4(6, 5));
	struct sluice_neigh_key k = { .ifindex = IF_A, .family = AF_INET };
	uint8_t f[256], want[256], *ip = f + 14, *d;
	struct pktio_buf *b[4];
	struct graph *g;
	size_t len = 0;
	uint32_t id;

	(void)state;
	fib_ports(pa, pb);
	g = rewrite_graph();
	for (id = 0; id < 0x10000; id++) {
		len = v4_frame(f, &(struct v4){ .dst = ip4(1, 5) });
		put16(ip + 4, (uint16_t)id);
		put16(ip + 10, 0);
		put16(ip + 10, t_csum(ip, 20));
		if (ip[10] == 0xfe && ip[11] == 0xff)
			break;
	}
	assert_true(id < 0x10000);
	b[0] = in_buf(pool, f, len);
	graph_meta(b[0])->nh = nh_a;
	/* an ARP frame (l3_proto 0x0806) */
	b[1] = in_buf(pool, f, len);
	graph_meta(b[1])->l3_proto = 0x0806;
	graph_meta(b[1])->nh = nh_a;
	/* no headroom: a tag cannot be pushed */
	b[2] = pktio_buf_alloc(pool);
	assert_non_null(b[2]);
	d = pktio_buf_prepend(b[2], pktio_buf_headroom(b[2]));
	assert_non_null(d);
	assert_int_equal(pktio_buf_set_len(b[2], (uint32_t)len), 0);
	memcpy(d, f, len);
	graph_meta(b[2])->l3_off = 14;
	graph_meta(b[2])->l3_proto = 0x0800;
	graph_meta(b[2])->nh = nh_v;
	graph_walk(g, b, 3);

	assert_int_equal(cap(g, "c_out")->n, 1);
	memcpy(want, f, len);
	memcpy(want, n_gw_a, 6);
	memcpy(want + 6, mac_a, 6);
	want[14 + 8]--;
	want[14 + 10] = 0;
	want[14 + 11] = 0;
	assert_memory_equal(pktio_buf_data(b[0]), want, len);
	assert_int_equal(cap(g, "c_drop")->n, 2);
	assert_ptr_equal(cap(g, "c_drop")->bufs[0], b[1]);
	assert_int_equal(graph_meta(b[1])->reason, SLUICE_DROP_BAD_VERSION);
	assert_ptr_equal(cap(g, "c_drop")->bufs[1], b[2]);
	assert_int_equal(graph_meta(b[2])->reason, SLUICE_DROP_ADJUST);
	cap_free(cap(g, "c_out"));
	cap_free(cap(g, "c_drop"));

	/* the neighbour goes after the lookup: to the kernel, unchanged */
	len = v4_frame(f, &(struct v4){ .dst = ip4(1, 5) });
	a4(ip4(254, 1), k.addr);
	assert_int_equal(dp_neigh_del(dp, &k), 0);
	b[0] = in_buf(pool, f, len);
	graph_meta(b[0])->nh = nh_a;
	graph_walk(g, b, 1);
	assert_int_equal(cap(g, "c_punt")->n, 1);
	assert_int_equal(graph_meta(b[0])->reason, SLUICE_PASS_NO_NEIGH);
	assert_memory_equal(pktio_buf_data(b[0]), f, len);
	cap_free(cap(g, "c_punt"));
	assert_int_equal(neigh(IF_A, AF_INET, k.addr, n_gw_a), 0);

	/* no reader: to the kernel */
	gfib.reader = NULL;
	b[0] = in_buf(pool, f, len);
	graph_meta(b[0])->nh = nh_a;
	graph_walk(g, b, 1);
	assert_int_equal(cap(g, "c_punt")->n, 1);
	assert_int_equal(graph_meta(b[0])->reason, SLUICE_PASS_NO_NEIGH);
	assert_int_equal(counter(g, "rw", "no_fib"), 1);
	cap_free(cap(g, "c_punt"));

	graph_destroy(g);
	pktio_port_close(pa);
	pktio_port_close(pb);
	assert_int_equal(pktio_pool_avail(pool), 16);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_ip_rewrite6(void **state)
{
	struct pktio_pool *pool = make_pool(16);
	struct pktio_port *pa = open_ring("fw-a", pool, NULL);
	struct pktio_port *pb = open_ring("fw-b", pool, NULL);
	struct fibread_hop h;
	uint8_t f[256], want[256];
	struct pktio_buf *b[2];
	struct graph *g;
	size_t len;

	(void)state;
	fib_ports(pa, pb);
	g = rewrite_graph();
	len = v6_frame(f, &(struct v6){ 0 });
	assert_int_equal(fibread_lookup6(rd, f + 14 + 24, 0, &h), 0);
	assert_int_equal(h.reason, SLUICE_FWD_REDIRECT);
	b[0] = in_buf(pool, f, len);
	graph_meta(b[0])->nh = h.nh;
	b[1] = in_buf(pool, f, len);
	((uint8_t *)pktio_buf_data(b[1]))[14 + 7] = 1; /* hop limit 1 */
	graph_meta(b[1])->nh = h.nh;
	graph_walk(g, b, 2);
	memcpy(want, f, len);
	memcpy(want, n_gw_a6, 6);
	memcpy(want + 6, mac_a, 6);
	want[14 + 7] = 63;
	assert_int_equal(cap(g, "c_out")->n, 1);
	assert_ptr_equal(cap(g, "c_out")->bufs[0], b[0]);
	assert_memory_equal(pktio_buf_data(b[0]), want, len);
	assert_int_equal(graph_meta(b[0])->out, 0);
	assert_int_equal(cap(g, "c_punt")->n, 1);
	assert_int_equal(graph_meta(b[1])->reason, SLUICE_PASS_TTL);
	cap_free(cap(g, "c_out"));
	cap_free(cap(g, "c_punt"));
	graph_destroy(g);
	pktio_port_close(pa);
	pktio_port_close(pb);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* ---- if-output -------------------------------------------------------------- */

static void test_if_output(void **state)
{
	struct pktio_pool *pool = make_pool(32);
	struct pktio_port *pa = open_ring("fw-a", pool, NULL);
	struct pktio_port *pb = open_ring("fw-b", pool, "size=4");
	struct graph_node_spec nodes[] = {
		{ .name = "out", .type = "if-output", .arg = &gfib },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 1 };
	/* slots: runs of A and B, B's queue takes 4, one beyond the table */
	static const uint16_t outs[] = { 0, 0, 1, 1, 1, 0, 1, 1, 1, 2, 0 };
	enum { N = sizeof(outs) / sizeof(outs[0]) };
	struct pktio_buf *b[N], *got[N];
	uint8_t f[256];
	struct graph *g;
	size_t len;

	(void)state;
	fib_ports(pa, pb);
	assert_int_equal(graph_create(&spec, &g), 0);
	len = v4_frame(f, &(struct v4){ 0 });
	for (unsigned int i = 0; i < N; i++) {
		f[20] = (uint8_t)i; /* tells them apart */
		b[i] = buf_of(pool, f, len);
		graph_meta(b[i])->out = outs[i];
	}
	graph_walk(g, b, N);
	assert_int_equal(pktio_ring_drain(pa, 0, got, N), 4);
	assert_ptr_equal(got[0], b[0]);
	assert_ptr_equal(got[1], b[1]);
	assert_ptr_equal(got[2], b[5]);
	assert_ptr_equal(got[3], b[10]);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(pktio_buf_len(got[i]), len);
	pktio_buf_free_bulk(got, 4);
	assert_int_equal(pktio_ring_drain(pb, 0, got, N), 4);
	assert_ptr_equal(got[0], b[2]);
	assert_ptr_equal(got[1], b[3]);
	assert_ptr_equal(got[2], b[4]);
	assert_ptr_equal(got[3], b[6]);
	pktio_buf_free_bulk(got, 4);
	assert_int_equal(counter(g, "out", "tx_full"), 2);
	assert_int_equal(counter(g, "out", "bad_slot"), 1);
	assert_int_equal(pktio_pool_avail(pool), 32);
	graph_destroy(g);

	/* every port must have the node's queue */
	nodes[0].queue = 1;
	g = NULL;
	assert_int_equal(graph_create(&spec, &g), -EINVAL);
	assert_null(g);
	assert_non_null(strstr(graph_last_error(),
			       "queue: 1 is not a queue of port \"fw-a\""));
	nodes[0].queue = 0;
	gfib.ports[1].port = NULL;
	assert_int_equal(graph_create(&spec, &g), -EINVAL);
	assert_non_null(strstr(graph_last_error(), "ports[1] (ifindex 102)"));
	pktio_port_close(pa);
	pktio_port_close(pb);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip4_lookup),
		cmocka_unit_test(test_ip4_lookup_ecmp),
		cmocka_unit_test(test_ip6_lookup),
		cmocka_unit_test(test_refused_without_fib),
		cmocka_unit_test(test_ip_rewrite4),
		cmocka_unit_test(test_ip_rewrite_edges),
		cmocka_unit_test(test_ip_rewrite6),
		cmocka_unit_test(test_if_output),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
