// SPDX-License-Identifier: BSD-2-Clause
/*
 * UDP channels on the graph (include/sluice/graph/udp.h) and the node
 * udp-input: datagrams delivered with their exact payload and peer (IPv4,
 * IPv6, a bind to any), the punts (unbound, not UDP, a fragment) and
 * drops (bad length, bad checksum) with their reasons and the exact
 * bytes; sendto's frames byte for byte (checksums computed here, apart
 * from the library's), sent through eth-input -> ip4/ip6-input ->
 * udp-input to a second channel; bind conflicts and bad arguments refused
 * with their messages; rx_full, tx_full, tx_nobuf; the eventfd; and two
 * graph threads delivering while the application receives and answers,
 * every datagram accounted for and every buffer back in its pool.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sluice/graph/udp.h>
#include <uapi/sluice/reasons.h>
#include "graph_test_util.h"
#include "nodes/udp_input.h"

/* ---- frames, checksums computed here ------------------------------------ */

struct u {
	int v6;
	const char *src, *dst; /* default 198.18.1.2 / 2001:db8:1::2 -> */
	uint16_t sport, dport; /* 198.18.0.1 / 2001:db8::1, 5555 -> 7000 */
	const void *payload;
	size_t len;
	int csum;      /* 0: right, 1: wrong, 2: zero */
	int udp_len;   /* 0: 8 + len */
	size_t pad;    /* bytes of IP payload after the datagram */
	int l4_cut;    /* IP payload only this long (a cut header) */
	uint8_t proto; /* 0: UDP */
	uint16_t frag; /* IPv4 flags and offset */
	int as_sent;   /* sendto's: zero MACs, id 0, DF */
	uint8_t ext;   /* v6: an 8-byte extension header first (60, 43, 44) */
	uint8_t seg_left; /* its segments left, for a routing header */
};

static void addr_of(int v6, const char *text, const char *dflt, void *out)
{
	assert_int_equal(
		inet_pton(v6 ? AF_INET6 : AF_INET, text ? text : dflt, out), 1);
}

/* The UDP checksum over a pseudo header laid out in a buffer, the sum
 * written out plainly (not the library's code). */
static uint16_t ref_udp_csum(int v6, const uint8_t *s, const uint8_t *d,
			     const uint8_t *udp, size_t ulen)
{
	uint8_t p[2048] = { 0 };
	size_t al = v6 ? 16 : 4, n = 0;
	uint32_t sum = 0;

	memcpy(p, s, al);
	memcpy(p + al, d, al);
	n = 2 * al;
	if (v6) {
		p[n + 2] = (uint8_t)(ulen >> 8);
		p[n + 3] = (uint8_t)ulen;
		p[n + 7] = 17;
		n += 8;
	} else {
		p[n + 1] = 17;
		p[n + 2] = (uint8_t)(ulen >> 8);
		p[n + 3] = (uint8_t)ulen;
		n += 4;
	}
	memcpy(p + n, udp, ulen);
	n += ulen;
	n += n & 1; /* the zero byte the buffer holds already */
	for (size_t i = 0; i < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t u_frame(uint8_t *f, const struct u *o)
{
	uint8_t s[16], d[16], *ip = f + 14, *udp;
	size_t xl = o->ext ? 8 : 0;
	size_t hl = (o->v6 ? 40 : 20) + xl;
	size_t ulen = 8 + o->len;
	size_t l4 = o->l4_cut ? (size_t)o->l4_cut : ulen + o->pad;
	uint16_t c;

	addr_of(o->v6, o->src, o->v6 ? "2001:db8:1::2" : "198.18.1.2", s);
	addr_of(o->v6, o->dst, o->v6 ? "2001:db8::1" : "198.18.0.1", d);
	memset(f, 0, 14 + hl + ulen + o->pad + 8);
	if (!o->as_sent) {
		memcpy(f, t_mac_us, 6);
		memcpy(f + 6, t_mac_peer, 6);
	}
	put16(f + 12, o->v6 ? 0x86dd : 0x0800);
	if (o->v6) {
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(xl + l4));
		ip[6] = o->ext ? o->ext : o->proto ? o->proto : 17;
		ip[7] = 64;
		memcpy(ip + 8, s, 16);
		memcpy(ip + 24, d, 16);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + l4));
		put16(ip + 4, o->as_sent ? 0 : 0x1234);
		put16(ip + 6, o->as_sent ? 0x4000 : o->frag);
		ip[8] = 64;
		ip[9] = o->proto ? o->proto : 17;
		memcpy(ip + 12, s, 4);
		memcpy(ip + 16, d, 4);
		put16(ip + 10, t_csum(ip, 20));
	}
	if (o->ext) {
		uint8_t *x = ip + 40;

		x[0] = o->proto ? o->proto : 17;
		if (o->ext == 60) { /* PadN of 4 bytes */
			x[2] = 1;
			x[3] = 4;
		} else if (o->ext == 43) { /* type 253: RFC 3692's test type */
			x[2] = 253;
			x[3] = o->seg_left;
		}
	}
	udp = ip + hl;
	put16(udp, o->sport ? o->sport : 5555);
	put16(udp + 2, o->dport ? o->dport : 7000);
	put16(udp + 4, (uint16_t)(o->udp_len ? o->udp_len : (int)ulen));
	if (o->len)
		memcpy(udp + 8, o->payload, o->len);
	c = ref_udp_csum(o->v6, s, d, udp, ulen);
	if (!c)
		c = 0xffff;
	put16(udp + 6, o->csum == 2 ? 0 : o->csum == 1 ? c ^ 0x0101 : c);
	return 14 + hl + l4;
}

static struct graph_udp_ep ep(const char *addr, uint16_t port)
{
	struct graph_udp_ep e = { .family = AF_UNSPEC, .port = port };

	if (!addr)
		return e;
	e.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(e.family, addr, &e.addr), 1);
	return e;
}

static void assert_ep(const struct graph_udp_ep *e, const char *addr,
		      uint16_t port)
{
	struct graph_udp_ep want = ep(addr, port);

	assert_int_equal(e->family, want.family);
	assert_int_equal(e->port, port);
	assert_memory_equal(&e->addr, &want.addr,
			    want.family == AF_INET ? 4 : 16);
}

/* udp-input alone: punt -> e0, drop -> e1 (captures) */
static struct graph *udp_alone(struct graph_udp *t)
{
	static const struct graph_edge_spec next[] = { { "punt", "e0" },
						       { "drop", "e1" } };
	struct graph_node_spec nodes[] = {
		{ .name = "udp",
		  .type = "udp-input",
		  .next = next,
		  .n_next = 2,
		  .arg = t },
		{ .name = "e0", .type = "capture" },
		{ .name = "e1", .type = "capture" },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 3 };
	struct graph *g;

	register_capture();
	assert_int_equal(graph_create(&spec, &g), 0);
	return g;
}

static uint64_t counter(struct graph *g, const char *node, const char *name)
{
	uint64_t v = 0;

	assert_int_equal(graph_node_counter(g, node, name, &v), 0);
	return v;
}

struct ucase {
	const char *what;
	struct u o;
	int edge; /* 0 punt, 1 drop, -1 delivered */
	uint16_t reason;
	uint32_t ol_flags;
};

#define DELIVERED (-1)
#define UCF(what_, edge_, reason_, flags_, ...)                                \
	{                                                                      \
		.what = what_, .o = { __VA_ARGS__ }, .edge = edge_,            \
		.reason = reason_, .ol_flags = flags_                          \
	}
#define UC(what_, edge_, reason_, ...)                                         \
	UCF(what_, edge_, reason_, 0, __VA_ARGS__)

static void test_udp_input(void **state)
{
	static const char p5[] = "hello", p1[] = "x", p0[] = "";
	static uint8_t p1400[1400];
	const struct ucase tc[] = {
		UC("v4 to a bound port", DELIVERED, 0, .payload = p5, .len = 5),
		UC("v4, no checksum", DELIVERED, 0, .payload = p5, .len = 5,
		   .csum = 2),
		UC("v4, 1400 bytes", DELIVERED, 0, .payload = p1400,
		   .len = 1400),
		UC("v4, empty", DELIVERED, 0, .payload = p0, .len = 0),
		UC("v4, IP padding after the datagram", DELIVERED, 0,
		   .payload = p1, .len = 1, .pad = 3),
		UC("v6 to a bound port", DELIVERED, 0, .v6 = 1, .payload = p5,
		   .len = 5),
		UC("v6, odd length", DELIVERED, 0, .v6 = 1, .payload = p1,
		   .len = 1),
		UC("to the bind to any (v4)", DELIVERED, 0, .dst = "198.18.9.9",
		   .dport = 9000, .payload = p5, .len = 5),
		UC("to the bind to any (v6)", DELIVERED, 0, .v6 = 1,
		   .dst = "2001:db8:9::9", .dport = 9000, .payload = p5,
		   .len = 5),
		UCF("wrong checksum, offload says good", DELIVERED, 0,
		    PKTIO_OL_L4_CSUM_GOOD, .payload = p5, .len = 5, .csum = 1),
		UCF("right checksum, offload says bad", 1, SLUICE_DROP_BAD_CSUM,
		    PKTIO_OL_L4_CSUM_BAD, .payload = p5, .len = 5),
		UC("v4 wrong checksum", 1, SLUICE_DROP_BAD_CSUM, .payload = p5,
		   .len = 5, .csum = 1),
		UC("v6 wrong checksum", 1, SLUICE_DROP_BAD_CSUM, .v6 = 1,
		   .payload = p5, .len = 5, .csum = 1),
		UC("v6 zero checksum", 1, SLUICE_DROP_BAD_CSUM, .v6 = 1,
		   .payload = p5, .len = 5, .csum = 2),
		UC("v4 udp length 7", 1, SLUICE_DROP_BAD_LEN, .payload = p5,
		   .len = 5, .udp_len = 7),
		UC("v4 udp length beyond the IP payload", 1,
		   SLUICE_DROP_BAD_LEN, .payload = p5, .len = 5, .udp_len = 14),
		UC("v6 udp length beyond the payload length", 1,
		   SLUICE_DROP_BAD_LEN, .v6 = 1, .payload = p5, .len = 5,
		   .udp_len = 100),
		UC("v4 udp header cut by the IP length", 1,
		   SLUICE_DROP_TRUNC_L4, .payload = p5, .len = 5, .l4_cut = 6),
		UC("v6 udp header cut by the payload length", 1,
		   SLUICE_DROP_TRUNC_L4, .v6 = 1, .payload = p5, .len = 5,
		   .l4_cut = 4),
		UC("v4 unbound port", 0, SLUICE_PASS_LOCAL, .dport = 7001,
		   .payload = p5, .len = 5),
		UC("v4 bound port, another address", 0, SLUICE_PASS_LOCAL,
		   .dst = "198.18.0.2", .payload = p5, .len = 5),
		UC("v6 unbound port", 0, SLUICE_PASS_LOCAL, .v6 = 1,
		   .dport = 7001, .payload = p5, .len = 5),
		UC("unbound, wrong checksum: the kernel's", 0,
		   SLUICE_PASS_LOCAL, .dport = 7001, .payload = p5, .len = 5,
		   .csum = 1),
		UC("v4 tcp", 0, SLUICE_PASS_LOCAL, .proto = 6, .payload = p1400,
		   .len = 12),
		UC("v6 destination options, then UDP", DELIVERED, 0, .v6 = 1,
		   .ext = 60, .payload = p5, .len = 5),
		UC("v6 routing header, 0 segments left, then UDP", DELIVERED, 0,
		   .v6 = 1, .ext = 43, .payload = p1, .len = 1),
		UC("v6 routing header, 1 segment left: a waypoint", 0,
		   SLUICE_PASS_LOCAL, .v6 = 1, .ext = 43, .seg_left = 1,
		   .payload = p5, .len = 5),
		UC("v6 destination options, then TCP", 0, SLUICE_PASS_LOCAL,
		   .v6 = 1, .ext = 60, .proto = 6, .payload = p1400, .len = 12),
		UC("v6 fragment header", 0, SLUICE_PASS_FRAGMENT, .v6 = 1,
		   .ext = 44, .payload = p5, .len = 5),
		UC("v6 destination options, then a cut UDP header", 1,
		   SLUICE_DROP_TRUNC_L4, .v6 = 1, .ext = 60, .payload = p5,
		   .len = 5, .l4_cut = 4),
		UC("v4 fragment", 0, SLUICE_PASS_FRAGMENT, .frag = 0x2000,
		   .payload = p5, .len = 5),
	};
	const unsigned int n = sizeof(tc) / sizeof(tc[0]);
	struct pktio_pool *pool = make_pool(64);
	struct graph_udp_ep b4 = ep("198.18.0.1", 7000);
	struct graph_udp_ep b6 = ep("2001:db8::1", 7000);
	struct graph_udp_ep bany = ep(NULL, 9000);
	struct graph_udp_chan *c4, *c6, *cany;
	struct graph_udp_dgram dg[8];
	struct graph_udp_chan_stats st;
	struct pktio_buf *in[40];
	uint8_t f[40][1600];
	size_t len[40];
	struct graph_udp *t;
	struct graph *g;
	unsigned int k[2] = { 0, 0 }, delivered = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(p1400); i++)
		p1400[i] = (uint8_t)(i * 7);
	assert_int_equal(graph_udp_create(&t, NULL), 0);
	assert_int_equal(graph_udp_bind(t, &b4, &c4), 0);
	assert_int_equal(graph_udp_bind(t, &b6, &c6), 0);
	assert_int_equal(graph_udp_bind(t, &bany, &cany), 0);
	g = udp_alone(t);
	for (unsigned int i = 0; i < n; i++) {
		len[i] = u_frame(f[i], &tc[i].o);
		in[i] = buf_of(pool, f[i], len[i]);
		in[i]->ol_flags = tc[i].ol_flags;
		graph_meta(in[i])->l3_off = 14;
		graph_meta(in[i])->reason = 0xffff;
		delivered += tc[i].edge == DELIVERED;
	}
	graph_walk(g, in, (uint16_t)n);
	/* each edge: the cases expected on it, in order, bytes unchanged */
	for (unsigned int i = 0; i < n; i++) {
		struct capture *c;
		struct pktio_buf *b;

		if (tc[i].edge == DELIVERED)
			continue;
		c = cap(g, tc[i].edge ? "e1" : "e0");
		if (k[tc[i].edge] >= c->n)
			fail_msg("\"%s\" not on its edge", tc[i].what);
		b = c->bufs[k[tc[i].edge]++];
		if (b != in[i])
			fail_msg("\"%s\": out of order or missing", tc[i].what);
		assert_int_equal(pktio_buf_len(b), len[i]);
		assert_memory_equal(pktio_buf_data(b), f[i], len[i]);
		if (graph_meta(b)->reason != tc[i].reason)
			fail_msg("\"%s\": reason %u, expected %u", tc[i].what,
				 graph_meta(b)->reason, tc[i].reason);
	}
	assert_int_equal(cap(g, "e0")->n, k[0]);
	assert_int_equal(cap(g, "e1")->n, k[1]);
	cap_free(cap(g, "e0"));
	cap_free(cap(g, "e1"));
	assert_int_equal(counter(g, "udp", "delivered"), delivered);
	assert_int_equal(counter(g, "udp", "unbound"), 4);
	assert_int_equal(counter(g, "udp", "rx_full"), 0);

	/* v4: 6 in order (the checksum-good offload one last), payloads */
	assert_int_equal(graph_udp_recv(c4, dg, 8), 6);
	assert_int_equal(graph_udp_recv(c4, dg + 7, 1), 0);
	for (unsigned int i = 0, j = 0; i < n; i++) {
		const struct u *o = &tc[i].o;

		if (tc[i].edge != DELIVERED || o->v6 || o->dport)
			continue;
		if (dg[j].len != o->len ||
		    memcmp(dg[j].data, o->payload, o->len))
			fail_msg("\"%s\": payload of %u bytes, expected %zu",
				 tc[i].what, dg[j].len, o->len);
		assert_ptr_equal(dg[j].buf, in[i]);
		assert_ep(&dg[j].peer, "198.18.1.2", 5555);
		assert_ep(&dg[j].local, "198.18.0.1", 7000);
		graph_udp_release(&dg[j++]);
	}
	/* v6: the two plain ones, then the two behind extension headers */
	assert_int_equal(graph_udp_recv(c6, dg, 8), 4);
	assert_int_equal(dg[0].len, 5);
	assert_memory_equal(dg[0].data, "hello", 5);
	assert_int_equal(dg[1].len, 1);
	assert_memory_equal(dg[1].data, "x", 1);
	assert_ep(&dg[1].peer, "2001:db8:1::2", 5555);
	assert_ep(&dg[1].local, "2001:db8::1", 7000);
	assert_int_equal(dg[2].len, 5);
	assert_memory_equal(dg[2].data, "hello", 5);
	assert_ep(&dg[2].peer, "2001:db8:1::2", 5555);
	assert_int_equal(dg[3].len, 1);
	assert_memory_equal(dg[3].data, "x", 1);
	for (int i = 0; i < 4; i++)
		graph_udp_release(&dg[i]);
	assert_null(dg[1].buf);
	assert_int_equal(graph_udp_recv(cany, dg, 8), 2);
	assert_ep(&dg[0].local, "198.18.9.9", 9000);
	assert_ep(&dg[1].local, "2001:db8:9::9", 9000);
	assert_ep(&dg[1].peer, "2001:db8:1::2", 5555);
	graph_udp_release(&dg[0]);
	graph_udp_release(&dg[1]);
	graph_udp_chan_stats(c4, &st);
	assert_int_equal(st.rx, 6);
	assert_int_equal(st.rx_full, 0);

	/* a closed channel's port goes to the kernel again */
	graph_udp_close(c6);
	len[0] = u_frame(f[0], &(struct u){ .v6 = 1, .payload = p5, .len = 5 });
	in[0] = buf_of(pool, f[0], len[0]);
	graph_meta(in[0])->l3_off = 14;
	graph_walk(g, in, 1);
	assert_int_equal(cap(g, "e0")->n, 1);
	assert_int_equal(graph_meta(cap(g, "e0")->bufs[0])->reason,
			 SLUICE_PASS_LOCAL);
	cap_free(cap(g, "e0"));

	graph_destroy(g);
	graph_udp_destroy(t);
	assert_int_equal(pktio_pool_avail(pool), pktio_pool_count(pool));
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* eth-input -> ip4-input/ip6-input -> udp-input, punt and drop captured */
static struct graph *rx_graph(struct graph_udp *t)
{
	static const struct graph_edge_spec eth[] = { { "ip4", "ip4" },
						      { "ip6", "ip6" },
						      { "punt", "punt" },
						      { "drop", "drop" } };
	static const struct graph_edge_spec ip[] = { { "ok", "udp" },
						     { "punt", "punt" },
						     { "drop", "drop" } };
	static const struct graph_edge_spec udp[] = { { "punt", "punt" },
						      { "drop", "drop" } };
	struct graph_node_spec nodes[] = {
		{ .name = "eth", .type = "eth-input", .next = eth, .n_next = 4 },
		{ .name = "ip4", .type = "ip4-input", .next = ip, .n_next = 3 },
		{ .name = "ip6", .type = "ip6-input", .next = ip, .n_next = 3 },
		{ .name = "udp",
		  .type = "udp-input",
		  .next = udp,
		  .n_next = 2,
		  .arg = t },
		{ .name = "punt", .type = "capture" },
		{ .name = "drop", .type = "capture" },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 6 };
	struct graph *g;

	register_capture();
	assert_int_equal(graph_create(&spec, &g), 0);
	return g;
}

static void test_sendto(void **state)
{
	static const char p[] = "the quick brown fox"; /* 19: odd */
	struct pktio_pool *pool = make_pool(32);
	struct graph_udp_opts opts = { .tx_pool = pool };
	struct graph_udp_ep a4 = ep("198.18.1.2", 5555);
	struct graph_udp_ep a6 = ep("2001:db8:1::2", 5555);
	struct graph_udp_ep s4 = ep("198.18.0.1", 7000);
	struct graph_udp_ep s6 = ep("2001:db8::1", 7000);
	struct graph_udp_chan *c4, *c6, *p4, *p6;
	struct pktio_buf *out[8];
	struct graph_udp_dgram dg[4];
	struct graph_udp_chan_stats st;
	uint8_t want[256];
	size_t wlen;
	struct graph_udp *t;
	struct graph *g;

	(void)state;
	assert_int_equal(graph_udp_create(&t, &opts), 0);
	assert_int_equal(graph_udp_bind(t, &s4, &c4), 0);
	assert_int_equal(graph_udp_bind(t, &s6, &c6), 0);
	/* the peers are channels of the same table */
	assert_int_equal(graph_udp_bind(t, &a4, &p4), 0);
	assert_int_equal(graph_udp_bind(t, &a6, &p6), 0);
	assert_int_equal(graph_udp_sendto(c4, &a4, p, 19), 0);
	assert_int_equal(graph_udp_sendto(c6, &a6, p, 19), 0);
	assert_int_equal(graph_udp_sendto(c4, &a4, "", 0), 0);
	/* channel by channel: c4's two, then c6's */
	assert_int_equal(graph_udp_poll_tx(t, out, 8), 3);
	assert_int_equal(graph_udp_poll_tx(t, out + 3, 8), 0);

	/* byte for byte: zero MACs, DF, id 0, TTL 64, both checksums */
	wlen = u_frame(want, &(struct u){ .src = "198.18.0.1",
					  .dst = "198.18.1.2",
					  .sport = 7000,
					  .dport = 5555,
					  .payload = p,
					  .len = 19,
					  .as_sent = 1 });
	assert_int_equal(wlen, 14 + 20 + 8 + 19);
	assert_int_equal(pktio_buf_len(out[0]), wlen);
	assert_memory_equal(pktio_buf_data(out[0]), want, wlen);
	wlen = u_frame(want, &(struct u){ .v6 = 1,
					  .src = "2001:db8::1",
					  .dst = "2001:db8:1::2",
					  .sport = 7000,
					  .dport = 5555,
					  .payload = p,
					  .len = 19,
					  .as_sent = 1 });
	assert_int_equal(pktio_buf_len(out[2]), wlen);
	assert_memory_equal(pktio_buf_data(out[2]), want, wlen);
	wlen = u_frame(want, &(struct u){ .src = "198.18.0.1",
					  .dst = "198.18.1.2",
					  .sport = 7000,
					  .dport = 5555,
					  .as_sent = 1 });
	assert_int_equal(pktio_buf_len(out[1]), wlen);
	assert_memory_equal(pktio_buf_data(out[1]), want, wlen);

	/* walked through the graph's input: they arrive on the peers */
	g = rx_graph(t);
	graph_walk(g, out, 3);
	assert_int_equal(cap(g, "punt")->n, 0);
	assert_int_equal(cap(g, "drop")->n, 0);
	assert_int_equal(graph_udp_recv(p4, dg, 4), 2);
	assert_int_equal(dg[0].len, 19);
	assert_memory_equal(dg[0].data, p, 19);
	assert_ep(&dg[0].peer, "198.18.0.1", 7000);
	assert_int_equal(dg[1].len, 0);
	graph_udp_release(&dg[0]);
	graph_udp_release(&dg[1]);
	assert_int_equal(graph_udp_recv(p6, dg, 4), 1);
	assert_memory_equal(dg[0].data, p, 19);
	assert_ep(&dg[0].peer, "2001:db8::1", 7000);
	graph_udp_release(&dg[0]);
	graph_udp_chan_stats(c4, &st);
	assert_int_equal(st.tx, 2);
	graph_destroy(g);
	graph_udp_destroy(t);
	assert_int_equal(pktio_pool_avail(pool), pktio_pool_count(pool));
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

#define REFUSED(call, err, msg)                                                \
	do {                                                                   \
		assert_int_equal((call), (err));                               \
		if (strcmp(graph_last_error(), (msg)))                         \
			fail_msg("message \"%s\", expected \"%s\"",            \
				 graph_last_error(), (msg));                   \
	} while (0)

static void test_send_refusals(void **state)
{
	struct pktio_pool *pool = make_pool(3);
	struct graph_udp_opts opts = { .tx_pool = pool, .queue_size = 2 };
	struct graph_udp_ep any = ep(NULL, 7000), any4 = ep("0.0.0.0", 7001);
	struct graph_udp_ep s4 = ep("198.18.0.1", 7002);
	struct graph_udp_ep peer = ep("198.18.1.2", 5555);
	struct graph_udp_ep peer6 = ep("2001:db8:1::2", 5555);
	struct graph_udp_ep bad = peer;
	struct graph_udp_ep src4 = ep("198.18.0.5", 0);
	struct graph_udp_ep src6 = ep("2001:db8::5", 0);
	struct graph_udp_chan *ca, *c4a, *c4;
	struct graph_udp_chan_stats st;
	struct pktio_buf *out[4];
	static uint8_t big[1500];
	struct graph_udp *t;

	(void)state;
	assert_int_equal(graph_udp_create(&t, &opts), 0);
	assert_int_equal(graph_udp_bind(t, &any, &ca), 0);
	assert_int_equal(graph_udp_bind(t, &any4, &c4a), 0);
	assert_int_equal(graph_udp_bind(t, &s4, &c4), 0);
	REFUSED(graph_udp_sendto(ca, &peer, "a", 1), -EDESTADDRREQ,
		"sendto: the channel of port 7000 is bound to any address: "
		"give the source (graph_udp_send)");
	REFUSED(graph_udp_sendto(c4a, &peer, "a", 1), -EDESTADDRREQ,
		"sendto: the channel of port 7001 is bound to any address: "
		"give the source (graph_udp_send)");
	REFUSED(graph_udp_send(c4a, &src6, &peer6, "a", 1), -EINVAL,
		"sendto: src: [2001:db8::5]:0 is not an address of the "
		"binding 0.0.0.0:7001");
	REFUSED(graph_udp_send(c4, &src4, &peer, "a", 1), -EINVAL,
		"sendto: src: 198.18.0.5:0 is not an address of the binding "
		"198.18.0.1:7002");
	REFUSED(graph_udp_send(ca, &src4, &peer6, "a", 1), -EINVAL,
		"sendto: peer.family: an IPv6 peer, from 198.18.0.5:0");
	REFUSED(graph_udp_sendto(c4, &peer6, "a", 1), -EINVAL,
		"sendto: peer.family: an IPv6 peer, from 198.18.0.1:7002");
	bad.family = 0;
	REFUSED(graph_udp_sendto(c4, &bad, "a", 1), -EINVAL,
		"sendto: peer.family: 0 is not AF_INET or AF_INET6");
	bad = peer;
	bad.port = 0;
	REFUSED(graph_udp_sendto(c4, &bad, "a", 1), -EINVAL,
		"sendto: peer.port: 0 is not a port (1..65535)");
	REFUSED(graph_udp_sendto(c4, &peer, NULL, 3), -EINVAL,
		"sendto: payload: NULL for 3 bytes");
	REFUSED(graph_udp_sendto(c4, &peer, big, 1473), -EMSGSIZE,
		"sendto: len: 1473 bytes, above the 1472 an MTU of 1500 "
		"takes");
	/* from a source the binds to any cover; the pool's 3 buffers */
	assert_int_equal(graph_udp_send(ca, &src4, &peer, big, 1472), 0);
	assert_int_equal(graph_udp_send(c4a, &src4, &peer, "a", 1), 0);
	assert_int_equal(graph_udp_sendto(c4, &peer, "x", 1), 0);
	REFUSED(graph_udp_sendto(c4, &peer, "a", 1), -ENOBUFS,
		"sendto: no buffer in the pool");
	assert_int_equal(graph_udp_poll_tx(t, out, 4), 3);
	/* ca's datagram, from src4 */
	assert_int_equal(pktio_buf_len(out[0]), 14 + 20 + 8 + 1472);
	assert_memory_equal((uint8_t *)pktio_buf_data(out[0]) + 26, &src4.addr,
			    4);
	pktio_buf_free_bulk(out, 3);
	/* queue_size 2: the third refused, its buffer back */
	assert_int_equal(graph_udp_sendto(c4, &peer, "a", 1), 0);
	assert_int_equal(graph_udp_sendto(c4, &peer, "b", 1), 0);
	REFUSED(graph_udp_sendto(c4, &peer, "c", 1), -EAGAIN,
		"sendto: the tx queue is full");
	assert_int_equal(pktio_pool_avail(pool), 1);
	graph_udp_chan_stats(c4, &st);
	assert_int_equal(st.tx, 3);
	assert_int_equal(st.tx_full, 1);
	assert_int_equal(st.tx_nobuf, 1);
	/* close frees what the tx queue holds */
	graph_udp_close(c4);
	assert_int_equal(pktio_pool_avail(pool), 3);
	assert_int_equal(graph_udp_poll_tx(t, out, 4), 0);
	graph_udp_destroy(t);

	/* a table without a pool only receives */
	assert_int_equal(graph_udp_create(&t, NULL), 0);
	assert_int_equal(graph_udp_bind(t, &s4, &c4), 0);
	REFUSED(graph_udp_sendto(c4, &peer, "a", 1), -EINVAL,
		"sendto: tx_pool: none given to graph_udp_create");
	graph_udp_destroy(t);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_bind_refusals(void **state)
{
	struct graph_udp_opts opts = { .max_chans = 8 };
	struct graph_udp_chan *c[10], *x = NULL;
	struct graph_udp_ep e, a1 = ep("198.18.0.1", 0),
			       a2 = ep("198.18.0.2", 0),
			       a6 = ep("2001:db8::7", 0);
	struct graph_udp *t;

	(void)state;
	REFUSED(graph_udp_create(&t, &(struct graph_udp_opts){ .queue_size =
								       1000 }),
		-EINVAL, "queue_size: 1000 is not a power of two in 2..65536");
	REFUSED(graph_udp_create(&t, &(struct graph_udp_opts){ .mtu = 10 }),
		-EINVAL, "mtu: 10 is not in 68..65535");
	REFUSED(graph_udp_create(&t,
				 &(struct graph_udp_opts){ .max_chans = 2000 }),
		-EINVAL, "max_chans: 2000 is not in 1..1024");
	assert_int_equal(graph_udp_create(&t, &opts), 0);

	e = ep("198.18.0.1", 0);
	REFUSED(graph_udp_bind(t, &e, &x), -EINVAL,
		"bind: port: 0 is not a port (1..65535)");
	e.family = 99;
	e.port = 7000;
	REFUSED(graph_udp_bind(t, &e, &x), -EINVAL,
		"bind: family: 99 is not AF_INET, AF_INET6 or AF_UNSPEC");
	REFUSED(graph_udp_bind(t, NULL, &x), -EINVAL, "bind: local: NULL");

	e = ep("198.18.0.1", 7000);
	assert_int_equal(graph_udp_bind(t, &e, &c[0]), 0);
	REFUSED(graph_udp_bind(t, &e, &x), -EADDRINUSE,
		"bind 198.18.0.1:7000: port 7000 is bound already "
		"(198.18.0.1:7000)");
	e = ep("0.0.0.0", 7000);
	REFUSED(graph_udp_bind(t, &e, &x), -EADDRINUSE,
		"bind 0.0.0.0:7000: port 7000 is bound already "
		"(198.18.0.1:7000)");
	e = ep(NULL, 7000);
	REFUSED(graph_udp_bind(t, &e, &x), -EADDRINUSE,
		"bind *:7000: port 7000 is bound already (198.18.0.1:7000)");
	/* another address, another family, another port: no overlap */
	e = ep("198.18.0.2", 7000);
	assert_int_equal(graph_udp_bind(t, &e, &c[1]), 0);
	e = ep("::", 7000);
	assert_int_equal(graph_udp_bind(t, &e, &c[2]), 0);
	e = ep("2001:db8::1", 7000);
	REFUSED(graph_udp_bind(t, &e, &x), -EADDRINUSE,
		"bind [2001:db8::1]:7000: port 7000 is bound already "
		"([::]:7000)");
	e = ep(NULL, 7256); /* the same bucket as 7000 */
	assert_int_equal(graph_udp_bind(t, &e, &c[3]), 0);
	e = ep("198.18.0.9", 7256);
	REFUSED(graph_udp_bind(t, &e, &x), -EADDRINUSE,
		"bind 198.18.0.9:7256: port 7256 is bound already (*:7256)");
	for (int i = 4; i < 8; i++) {
		e = ep("198.18.0.1", (uint16_t)(8000 + i));
		assert_int_equal(graph_udp_bind(t, &e, &c[i]), 0);
	}
	e = ep("198.18.0.1", 9000);
	REFUSED(graph_udp_bind(t, &e, &x), -ENOSPC,
		"bind 198.18.0.1:9000: 8 channels open already (max_chans)");
	assert_null(x);
	/* close: the port and the slot are free again, lookups skip it */
	graph_udp_close(c[0]);
	graph_udp_close(c[0]); /* twice: nothing */
	assert_null(graph_udp_lookup(t, AF_INET, &a1.addr, 7000));
	assert_ptr_equal(graph_udp_lookup(t, AF_INET, &a2.addr, 7000), c[1]);
	assert_ptr_equal(graph_udp_lookup(t, AF_INET6, &a6.addr, 7000), c[2]);
	assert_ptr_equal(graph_udp_lookup(t, AF_INET6, &a6.addr, 7256), c[3]);
	e = ep("0.0.0.0", 7000);
	REFUSED(graph_udp_bind(t, &e, &x), -EADDRINUSE,
		"bind 0.0.0.0:7000: port 7000 is bound already "
		"(198.18.0.2:7000)");
	e = ep("198.18.0.1", 7000);
	assert_int_equal(graph_udp_bind(t, &e, &c[0]), 0);
	graph_udp_reclaim(t);
	assert_ptr_equal(graph_udp_lookup(t, AF_INET, &a1.addr, 7000), c[0]);
	graph_udp_destroy(t);

	/* udp-input without its table */
	{
		static const struct graph_edge_spec next[] = {
			{ "punt", "d" }, { "drop", "d" }
		};
		struct graph_node_spec nodes[] = {
			{ .name = "udp",
			  .type = "udp-input",
			  .next = next,
			  .n_next = 2 },
			{ .name = "d", .type = "drop" },
		};
		struct graph_spec spec = { .nodes = nodes, .n_nodes = 2 };
		struct graph *g;

		REFUSED(graph_create(&spec, &g), -EINVAL,
			"nodes[0] (udp): arg: missing: udp-input needs the "
			"struct graph_udp of its channels");
	}
}

static void test_rx_full_and_fd(void **state)
{
	struct graph_udp_opts opts = { .queue_size = 4 };
	struct pktio_pool *pool = make_pool(32);
	struct graph_udp_ep e = ep("198.18.0.1", 7000);
	struct pktio_buf *in[10];
	struct graph_udp_dgram dg[10];
	struct graph_udp_chan_stats st;
	struct graph_udp_chan *ch;
	struct graph_udp *t;
	struct pollfd pfd;
	struct graph *g;
	uint8_t f[128];
	char *json;
	size_t len;

	(void)state;
	assert_int_equal(graph_udp_create(&t, &opts), 0);
	assert_int_equal(graph_udp_bind(t, &e, &ch), 0);
	g = udp_alone(t);
	pfd = (struct pollfd){ .fd = graph_udp_fd(ch), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 0), 0);
	for (int i = 0; i < 10; i++) {
		char p[2] = { (char)('0' + i), 0 };

		len = u_frame(f, &(struct u){ .payload = p, .len = 1 });
		in[i] = buf_of(pool, f, len);
		graph_meta(in[i])->l3_off = 14;
	}
	graph_walk(g, in, 10);
	assert_int_equal(counter(g, "udp", "delivered"), 4);
	assert_int_equal(counter(g, "udp", "rx_full"), 6);
	graph_udp_chan_stats(ch, &st);
	assert_int_equal(st.rx, 4);
	assert_int_equal(st.rx_full, 6);
	/* the node's own counters in the stats export */
	json = graph_stats_json(g);
	assert_non_null(json);
	if (!strstr(json, "\"counters\":{\"delivered\":4,\"rx_full\":6,"
			  "\"unbound\":0}"))
		fail_msg("udp-input's counters not in %s", json);
	free(json);
	/* the 6 refused are freed: 4 buffers out of the pool */
	assert_int_equal(pktio_pool_avail(pool), 32 - 4);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(graph_udp_recv(ch, dg, 2), 2);
	assert_int_equal(dg[0].data[0], '0');
	assert_int_equal(dg[1].data[0], '1');
	/* not empty yet: still readable */
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(graph_udp_recv(ch, dg + 2, 8), 2);
	assert_int_equal(dg[3].data[0], '3');
	assert_int_equal(graph_udp_recv(ch, dg + 4, 8), 0);
	/* empty: re-armed, not readable */
	assert_int_equal(poll(&pfd, 1, 0), 0);
	for (int i = 0; i < 4; i++)
		graph_udp_release(&dg[i]);
	len = u_frame(f, &(struct u){ .payload = "z", .len = 1 });
	in[0] = buf_of(pool, f, len);
	graph_meta(in[0])->l3_off = 14;
	graph_walk(g, in, 1);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	/* close frees what the rx queue holds */
	graph_udp_close(ch);
	assert_int_equal(pktio_pool_avail(pool), 32);
	graph_destroy(g);
	graph_udp_destroy(t);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* ---- threads ------------------------------------------------------------ */

#define PRODUCERS 2
#define PER_PRODUCER 50000

struct producer {
	pthread_t th;
	struct graph_udp *t;
	struct pktio_pool *pool;
	int id;
	uint64_t sent, polled;
	struct graph *g;
	volatile int *app_done;
};

/* A graph thread: walks datagrams "<id> <seq>" through udp-input and
 * takes what the application sends (freed: no port here). */
static void *producer_main(void *arg)
{
	struct producer *p = arg;
	struct pktio_buf *bufs[32], *tx[32];
	uint8_t f[128];
	size_t len;

	while (p->sent < PER_PRODUCER || !*p->app_done) {
		unsigned int n = 0;
		uint16_t k;

		while (n < 32 && p->sent + n < PER_PRODUCER) {
			char pl[24];
			int pn = snprintf(pl, sizeof(pl), "%d %llu", p->id,
					  (unsigned long long)(p->sent + n));
			struct pktio_buf *b;

			len = u_frame(f, &(struct u){ .payload = pl,
						      .len = (size_t)pn });
			b = pktio_buf_alloc(p->pool);
			if (!b)
				break; /* the application holds them */
			memcpy(pktio_buf_append(b, (uint32_t)len), f, len);
			graph_meta(b)->l3_off = 14;
			bufs[n++] = b;
		}
		if (n) {
			graph_walk(p->g, bufs, (uint16_t)n);
			p->sent += n;
		}
		k = graph_udp_poll_tx(p->t, tx, 32);
		p->polled += k;
		pktio_buf_free_bulk(tx, k);
		if (!n && !k)
			sched_yield();
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct pktio_pool *pool = make_pool(512);
	struct graph_udp_opts opts = { .tx_pool = pool, .queue_size = 256 };
	struct graph_udp_ep e = ep("198.18.0.1", 7000);
	struct graph_udp_ep peer = ep("198.18.1.2", 5555);
	static const struct graph_edge_spec next[] = { { "punt", "d" },
						       { "drop", "d" } };
	struct graph_node_spec nodes[] = {
		{ .name = "udp",
		  .type = "udp-input",
		  .next = next,
		  .n_next = 2 },
		{ .name = "d", .type = "drop" },
	};
	struct graph_spec spec = { .nodes = nodes, .n_nodes = 2 };
	struct producer pr[PRODUCERS];
	uint64_t next_seq[PRODUCERS] = { 0 };
	uint64_t got = 0, full = 0, answered = 0, refused = 0, polled = 0;
	struct graph_udp_chan_stats st;
	struct graph_udp_dgram dg[64];
	volatile int app_done = 0;
	struct graph_udp_chan *ch;
	struct graph_udp *t;
	struct pollfd pfd;
	int idle = 0;

	(void)state;
	assert_int_equal(graph_udp_create(&t, &opts), 0);
	assert_int_equal(graph_udp_bind(t, &e, &ch), 0);
	nodes[0].arg = t;
	for (int i = 0; i < PRODUCERS; i++) {
		pr[i] = (struct producer){
			.t = t, .pool = pool, .id = i, .app_done = &app_done
		};
		assert_int_equal(graph_create(&spec, &pr[i].g), 0);
		assert_int_equal(pthread_create(&pr[i].th, NULL, producer_main,
						&pr[i]),
				 0);
	}
	pfd = (struct pollfd){ .fd = graph_udp_fd(ch), .events = POLLIN };
	/* the application: sleeps in poll, receives, checks the order of
	 * each producer's datagrams, answers every tenth */
	while (idle < 5) {
		unsigned int n = graph_udp_recv(ch, dg, 64);

		if (!n) {
			graph_udp_chan_stats(ch, &st);
			full = st.rx_full;
			if (got + full == PRODUCERS * (uint64_t)PER_PRODUCER)
				break;
			idle += poll(&pfd, 1, 1000) == 0;
			continue;
		}
		for (unsigned int i = 0; i < n; i++) {
			unsigned long long seq;
			char text[32] = { 0 };
			int id;

			assert_true(dg[i].len < sizeof(text));
			memcpy(text, dg[i].data, dg[i].len);
			assert_int_equal(sscanf(text, "%d %llu", &id, &seq), 2);
			assert_true(id >= 0 && id < PRODUCERS);
			/* in order per producer (gaps: rx_full) */
			assert_true(seq >= next_seq[id]);
			next_seq[id] = seq + 1;
			if (seq % 10 == 0) {
				if (graph_udp_sendto(ch, &peer, dg[i].data,
						     dg[i].len))
					refused++;
				else
					answered++;
			}
			graph_udp_release(&dg[i]);
		}
		got += n;
	}
	app_done = 1;
	for (int i = 0; i < PRODUCERS; i++) {
		pthread_join(pr[i].th, NULL);
		polled += pr[i].polled;
	}
	/* what the graph threads left in the tx queue */
	for (;;) {
		struct pktio_buf *rest[32];
		uint16_t k = graph_udp_poll_tx(t, rest, 32);

		if (!k)
			break;
		polled += k;
		pktio_buf_free_bulk(rest, k);
	}
	graph_udp_chan_stats(ch, &st);
	print_message("# received %llu, rx_full %llu, answered %llu, "
		      "refused %llu\n",
		      (unsigned long long)got, (unsigned long long)st.rx_full,
		      (unsigned long long)answered,
		      (unsigned long long)refused);
	assert_int_equal(idle < 5, 1);
	/* every datagram accounted for */
	assert_int_equal(got + st.rx_full, PRODUCERS * PER_PRODUCER);
	assert_int_equal(st.rx, got);
	assert_true(got > 0);
	assert_int_equal(st.tx, answered);
	assert_int_equal(st.tx_full + st.tx_nobuf, refused);
	assert_int_equal(polled, answered);
	for (int i = 0; i < PRODUCERS; i++) {
		assert_int_equal(counter(pr[i].g, "d", "packets") +
					 counter(pr[i].g, "d", "calls"),
				 0);
		graph_destroy(pr[i].g);
	}
	graph_udp_destroy(t);
	assert_int_equal(pktio_pool_avail(pool), pktio_pool_count(pool));
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_input),
		cmocka_unit_test(test_sendto),
		cmocka_unit_test(test_send_refusals),
		cmocka_unit_test(test_bind_refusals),
		cmocka_unit_test(test_rx_full_and_fd),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
