// SPDX-License-Identifier: BSD-2-Clause
/*
 * The vRouter's on-link notes (lib/fibread/neigh_note.c, called by
 * lib/graph/nodes/ip_lookup.c): a burst with packets to hosts on a
 * connected subnet that have no neighbour leaves one note per host in the
 * pinned neigh_wanted map, keyed byte for byte as bpf/lib/route.h keys
 * it (the expected bytes are built here by hand, not with the struct);
 * a gateway's miss and a resolved host leave none; a note already there
 * is not written again; more hosts than NEIGH_NOTE_BURST in a burst are
 * counted, not noted; without the map the packets are punted as before
 * and the misses counted as errors.  The table is a real one: lib/dp
 * programs the XDP path's maps pinned in a directory of this test, and
 * the notes are taken with sluiced's own reader (dp_neigh_wanted_take).
 *
 *   A  101  port, slot 0 of the graph_fib
 *   B  102  port; V 1030 VLAN 30 on B, slot 1
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <cmocka.h>
#include <sluice/graph/fib.h>
#include <uapi/sluice/reasons.h>
#include <uapi/sluice/route.h>
#include "dp.h"
#include "fibread.h"
#include "neigh_note.h"
#include "graph_test_util.h"

enum { IF_A = 101, IF_B = 102, IF_V = 1030 };
enum { G_ONLINK = 1, G_GW, G_ONLINK6 };

static const uint8_t mac_a[6] = { 0x02, 0xaa, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0xaa, 0, 0, 0, 0x0b };
static const uint8_t n_host[6] = { 0x02, 0x77, 0, 0, 0, 0x05 };

static struct dp *dp;
static struct fibread *rd;
static struct neigh_note *nn;
static struct graph_fib gfib;
static char pin[96], pin_bad[112];

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

static void a6(uint8_t last, uint8_t *a) /* 2001:db8:9::last */
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[5] = 9;
	a[15] = last;
}

static int iface(uint32_t ifindex, const uint8_t *mac, uint32_t slot,
		 uint32_t parent, uint16_t vid)
{
	struct sluice_iface v = { .mtu = 1500, .slot = slot };

	memcpy(v.mac, mac, 6);
	if (parent) {
		v.flags = SLUICE_IF_VLAN;
		v.parent_ifindex = parent;
		v.vlan_id = vid;
	}
	return dp_iface_set(dp, ifindex, &v);
}

static int table(void)
{
	struct sluice_nhg onlink = { .count = 1 }, gw = { .count = 1 };
	struct sluice_nhg onlink6 = { .count = 1 };
	struct sluice_neigh_key k = { .ifindex = IF_A, .family = AF_INET };
	struct sluice_neigh v = { 0 };
	struct sluice_route rt = { .type = SLUICE_RT_FORWARD };
	uint8_t a[16];
	int err;

	err = iface(IF_A, mac_a, 1, 0, 0)	  ?:
		      iface(IF_B, mac_b, 2, 0, 0) ?:
		      iface(IF_V, mac_b, 3, IF_B, 30);
	/* 198.19.9.1 resolved; .2 and the rest not */
	a4(ip4(9, 1), k.addr);
	memcpy(v.mac, n_host, 6);
	err = err ?: dp_neigh_set(dp, &k, &v);
	onlink.nh[0].ifindex = IF_A;
	err = err ?: dp_nhg_set(dp, G_ONLINK, &onlink);
	/* a gateway without a neighbour: sluiced's to resolve, no note */
	gw.nh[0].ifindex = IF_A;
	gw.nh[0].family = AF_INET;
	a4(ip4(254, 3), gw.nh[0].gw);
	err = err ?: dp_nhg_set(dp, G_GW, &gw);
	onlink6.nh[0].ifindex = IF_V;
	err = err ?: dp_nhg_set(dp, G_ONLINK6, &onlink6);
	rt.nhg_id = G_ONLINK;
	a4(ip4(9, 0), a);
	err = err ?: dp_route_set(dp, AF_INET, a, 24, &rt);
	rt.nhg_id = G_GW;
	a4(ip4(3, 0), a);
	err = err ?: dp_route_set(dp, AF_INET, a, 24, &rt);
	rt.nhg_id = G_ONLINK6;
	a6(0, a);
	return err ?: dp_route_set(dp, AF_INET6, a, 64, &rt);
}

static int setup(void **state)
{
	struct dp_opts o = { 0 };
	char why[256] = "";
	int err;

	(void)state;
	register_capture();
	snprintf(pin, sizeof(pin), "/sys/fs/bpf/sluice-test-graph-onlink-%d",
		 (int)getpid());
	snprintf(pin_bad, sizeof(pin_bad), "%s-bad", pin);
	if (mkdir(pin, 0700))
		return -1;
	o.pin_dir = pin;
	err = dp_open(&dp, &o) ?: table();
	err = err ?: fibread_open(&rd, pin, why, sizeof(why));
	err = err ?: neigh_note_open(&nn, pin, why, sizeof(why));
	if (err)
		fprintf(stderr, "setup: %s %s\n", strerror(-err), why);
	gfib.reader = rd;
	gfib.notes = nn;
	return err ? -1 : 0;
}

static int teardown(void **state)
{
	char p[160];

	(void)state;
	neigh_note_close(nn);
	fibread_close(rd);
	if (dp) {
		dp_unpin_maps(dp);
		dp_close(dp);
	}
	rmdir(pin);
	snprintf(p, sizeof(p), "%s/neigh_wanted", pin_bad);
	unlink(p);
	rmdir(pin_bad);
	return 0;
}

/* The key resolve_nh() builds, byte by byte as the struct lays it out on
 * this (little-endian) host: ifindex, family, 3 zero pad bytes, the
 * address in 16 bytes (v4: 4, then 0). */
static void want_key(uint8_t *w, uint32_t ifindex, uint8_t family,
		     const uint8_t *addr)
{
	memset(w, 0, 24);
	w[0] = (uint8_t)ifindex;
	w[1] = (uint8_t)(ifindex >> 8);
	w[2] = (uint8_t)(ifindex >> 16);
	w[3] = (uint8_t)(ifindex >> 24);
	w[4] = family;
	memcpy(w + 8, addr, family == AF_INET ? 4 : 16);
}

/* The notes in the map, taken (the map is empty after). */
static int take(struct sluice_neigh_key *k, int max)
{
	int n = dp_neigh_wanted_take(dp, k, max);

	assert_true(n >= 0);
	return n;
}

/* Whether @w (24 bytes) is one of @k[0..n). */
static bool has_key(const struct sluice_neigh_key *k, int n, const uint8_t *w)
{
	for (int i = 0; i < n; i++)
		if (!memcmp(&k[i], w, 24))
			return true;
	return false;
}

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

static uint64_t counter(struct graph *g, const char *name)
{
	uint64_t v = UINT64_MAX;

	assert_int_equal(graph_node_counter(g, "lkp", name, &v), 0);
	return v;
}

/* One burst of v4 packets to @dst[0..n) (host order): how many went to
 * punt as pass_no_neigh and to rewrite. */
static void burst4(struct graph *g, struct pktio_pool *pool,
		   const uint32_t *dst, unsigned int n, unsigned int *no_neigh,
		   unsigned int *fwd)
{
	struct pktio_buf *b[32];
	struct capture *c;
	uint8_t f[256];

	assert_true(n <= 32);
	for (unsigned int i = 0; i < n; i++) {
		size_t len = v4_frame(f, &(struct v4){ .dst = dst[i] });
		struct graph_meta *m;

		b[i] = buf_of(pool, f, len);
		m = graph_meta(b[i]);
		memset(m, 0, sizeof(*m));
		m->l3_off = 14;
		m->l3_proto = 0x0800;
	}
	graph_walk(g, b, (uint16_t)n);
	c = cap(g, "c_punt");
	*no_neigh = 0;
	for (unsigned int i = 0; i < c->n; i++)
		*no_neigh += graph_meta(c->bufs[i])->reason ==
			     SLUICE_PASS_NO_NEIGH;
	*fwd = cap(g, "c_rw")->n;
	assert_int_equal(c->n + *fwd, n);
	cap_free(c);
	cap_free(cap(g, "c_rw"));
}

static void burst6(struct graph *g, struct pktio_pool *pool,
		   const uint8_t *last, unsigned int n)
{
	struct pktio_buf *b[32];
	struct capture *c;
	uint8_t f[256];

	assert_true(n <= 32);
	for (unsigned int i = 0; i < n; i++) {
		size_t len = v6_frame(f, &(struct v6){ 0 });
		struct graph_meta *m;

		a6(last[i], f + 14 + 24);
		b[i] = buf_of(pool, f, len);
		m = graph_meta(b[i]);
		memset(m, 0, sizeof(*m));
		m->l3_off = 14;
		m->l3_proto = 0x86dd;
	}
	graph_walk(g, b, (uint16_t)n);
	c = cap(g, "c_punt");
	assert_int_equal(c->n, n);
	for (unsigned int i = 0; i < c->n; i++)
		assert_int_equal(graph_meta(c->bufs[i])->reason,
				 SLUICE_PASS_NO_NEIGH);
	cap_free(c);
}

/* The key helper alone: the bytes resolve_nh() writes. */
static void test_key_bytes(void **state)
{
	struct sluice_neigh_key k;
	uint8_t d[16], w[24];

	(void)state;
	a4(ip4(9, 2), d);
	memset(&k, 0xee, sizeof(k)); /* every byte must be set */
	neigh_note_key(&k, IF_A, AF_INET, d);
	want_key(w, IF_A, AF_INET, d);
	assert_memory_equal(&k, w, 24);
	a6(7, d);
	memset(&k, 0xee, sizeof(k));
	neigh_note_key(&k, IF_V, AF_INET6, d);
	want_key(w, IF_V, AF_INET6, d);
	assert_memory_equal(&k, w, 24);
}

static void test_set(void **state)
{
	struct neigh_note_set s = { 0 };
	struct sluice_neigh_key k;
	uint8_t d[16];

	(void)state;
	for (unsigned int i = 0; i < NEIGH_NOTE_BURST; i++) {
		a4(ip4(9, (uint8_t)(10 + i)), d);
		neigh_note_key(&k, IF_A, AF_INET, d);
		assert_int_equal(neigh_note_add(&s, &k), 1);
		assert_int_equal(neigh_note_add(&s, &k), 0);
	}
	assert_int_equal(s.n, NEIGH_NOTE_BURST);
	a4(ip4(9, 200), d);
	neigh_note_key(&k, IF_A, AF_INET, d);
	assert_int_equal(neigh_note_add(&s, &k), -ENOSPC);
	assert_int_equal(s.full, 1);
	/* the same address on another interface is another host */
	a4(ip4(9, 10), d);
	neigh_note_key(&k, IF_B, AF_INET, d);
	assert_int_equal(neigh_note_add(&s, &k), -ENOSPC);
	s.n = 0;
	assert_int_equal(neigh_note_add(&s, &k), 1);
}

/* v4: one note per unresolved on-link host per burst, whatever the number
 * of packets; none for a resolved host or a gateway's miss; a note still
 * there is looked up, not written again. */
static void test_v4_burst(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	struct graph *g = lookup_graph("ip4-lookup");
	const uint32_t dst[] = {
		ip4(9, 2), ip4(9, 2), ip4(9, 3), ip4(9, 2), ip4(3, 5),
		ip4(9, 1), ip4(9, 3), ip4(9, 2), ip4(3, 6),
	};
	struct sluice_neigh_key k[8];
	unsigned int nn_, fwd;
	uint8_t d[16], w[24];
	int n;

	(void)state;
	assert_int_equal(take(k, 8), 0);
	burst4(g, pool, dst, 9, &nn_, &fwd);
	/* the packets go where they went before: to the kernel */
	assert_int_equal(nn_, 8);
	/* 9.1 is resolved: forwarded by the table (punted here only for the
	 * lack of a port in this graph_fib), and not noted */
	assert_int_equal(fwd, 0);
	assert_int_equal(counter(g, "no_port"), 1);
	assert_int_equal(counter(g, "onlink_notes"), 2);
	assert_int_equal(counter(g, "onlink_note_present"), 0);
	assert_int_equal(counter(g, "onlink_note_errors"), 0);
	assert_int_equal(counter(g, "onlink_note_full"), 0);

	/* the next burst finds them there: looked up, not written */
	burst4(g, pool, dst, 4, &nn_, &fwd);
	assert_int_equal(counter(g, "onlink_notes"), 2);
	assert_int_equal(counter(g, "onlink_note_present"), 2);

	n = take(k, 8);
	assert_int_equal(n, 2);
	a4(ip4(9, 2), d);
	want_key(w, IF_A, AF_INET, d);
	assert_true(has_key(k, n, w));
	a4(ip4(9, 3), d);
	want_key(w, IF_A, AF_INET, d);
	assert_true(has_key(k, n, w));

	/* taken by sluiced: the next miss notes the host again */
	burst4(g, pool, dst, 1, &nn_, &fwd);
	assert_int_equal(counter(g, "onlink_notes"), 3);
	assert_int_equal(take(k, 8), 1);
	a4(ip4(9, 2), d);
	want_key(w, IF_A, AF_INET, d);
	assert_memory_equal(&k[0], w, 24);

	/* gateway misses and a resolved host alone: nothing */
	burst4(g, pool, (const uint32_t[]){ ip4(3, 5), ip4(9, 1) }, 2, &nn_,
	       &fwd);
	assert_int_equal(counter(g, "onlink_notes"), 3);
	assert_int_equal(take(k, 8), 0);
	graph_destroy(g);
	assert_int_equal(pktio_pool_avail(pool), 64);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* v6, through a VLAN: the key names the logical egress (1030), as XDP's. */
static void test_v6_vlan(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	struct graph *g = lookup_graph("ip6-lookup");
	struct sluice_neigh_key k[8];
	uint8_t d[16], w[24];
	int n;

	(void)state;
	burst6(g, pool, (const uint8_t[]){ 7, 7, 8, 7 }, 4);
	assert_int_equal(counter(g, "onlink_notes"), 2);
	n = take(k, 8);
	assert_int_equal(n, 2);
	a6(7, d);
	want_key(w, IF_V, AF_INET6, d);
	assert_true(has_key(k, n, w));
	a6(8, d);
	want_key(w, IF_V, AF_INET6, d);
	assert_true(has_key(k, n, w));
	graph_destroy(g);
	assert_int_equal(pktio_pool_avail(pool), 64);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* More hosts in a burst than NEIGH_NOTE_BURST: the first ones are noted,
 * the rest counted (a later packet to them notes them). */
static void test_full(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	struct graph *g = lookup_graph("ip4-lookup");
	struct sluice_neigh_key k[32];
	uint32_t dst[NEIGH_NOTE_BURST + 4];
	unsigned int nn_, fwd;

	(void)state;
	for (unsigned int i = 0; i < NEIGH_NOTE_BURST + 4; i++)
		dst[i] = ip4(9, (uint8_t)(100 + i));
	burst4(g, pool, dst, NEIGH_NOTE_BURST + 4, &nn_, &fwd);
	assert_int_equal(nn_, NEIGH_NOTE_BURST + 4);
	assert_int_equal(counter(g, "onlink_notes"), NEIGH_NOTE_BURST);
	assert_int_equal(counter(g, "onlink_note_full"), 4);
	assert_int_equal(take(k, 32), NEIGH_NOTE_BURST);
	graph_destroy(g);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* No map: the router routes on (the same punts), the misses are errors;
 * an absent pin and a map of another shape are refused by name. */
static void test_no_map(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	struct graph *g = lookup_graph("ip4-lookup");
	const uint32_t dst[] = { ip4(9, 2), ip4(9, 2), ip4(9, 3), ip4(3, 5) };
	struct sluice_neigh_key k[8];
	struct neigh_note *x = NULL;
	unsigned int nn_, fwd;
	char why[512] = "", p[160];
	int fd;

	(void)state;
	gfib.notes = NULL;
	burst4(g, pool, dst, 4, &nn_, &fwd);
	assert_int_equal(nn_, 4);
	assert_int_equal(counter(g, "onlink_notes"), 0);
	assert_int_equal(counter(g, "onlink_note_errors"), 2);
	assert_int_equal(take(k, 8), 0);
	gfib.notes = nn;

	assert_int_equal(mkdir(pin_bad, 0700), 0);
	assert_int_equal(neigh_note_open(&x, pin_bad, why, sizeof(why)),
			 -ENOENT);
	assert_null(x);
	assert_non_null(strstr(why, "-bad/neigh_wanted: No such file"));
	/* another map under the name: not this build's layout */
	snprintf(p, sizeof(p), "%s/neigh_wanted", pin_bad);
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "t_bad", 24, 8, 4, NULL);
	assert_true(fd >= 0);
	assert_int_equal(bpf_obj_pin(fd, p), 0);
	close(fd);
	assert_int_equal(neigh_note_open(&x, pin_bad, why, sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "not the layout this build writes"));

	/* the live map is not stale; one that is not the pin's any more is */
	assert_int_equal(neigh_note_stale(nn), 0);
	snprintf(p, sizeof(p), "%s/neigh_wanted", pin);
	fd = bpf_obj_get(p);
	assert_true(fd >= 0);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(neigh_note_stale(nn), 1);
	assert_int_equal(bpf_obj_pin(fd, p), 0);
	close(fd);
	assert_int_equal(neigh_note_stale(nn), 0);
	graph_destroy(g);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_bytes),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_v4_burst),
		cmocka_unit_test(test_v6_vlan),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_no_map),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
