/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the graph unit tests share: a "capture" sink node type that keeps
 * the buffers it gets (so a test sees each edge's exact output burst),
 * frame builders for IPv4 and IPv6, pools and ring ports.
 */
#ifndef SLUICE_TEST_GRAPH_UTIL_H
#define SLUICE_TEST_GRAPH_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sluice/graph/graph.h>
#include <sluice/pktio/pktio.h>
#include <sluice/pktio/ring.h>

struct capture {
	uint16_t n;
	uint16_t calls;
	struct pktio_buf *bufs[GRAPH_BURST_MAX];
};

static inline void capture_process(struct graph_ctx *ctx,
				   struct graph_node *node,
				   struct pktio_buf **bufs, uint16_t n)
{
	struct capture *c = graph_node_priv(node);

	(void)ctx;
	assert_true(c->n + n <= GRAPH_BURST_MAX);
	memcpy(&c->bufs[c->n], bufs, n * sizeof(*bufs));
	c->n = (uint16_t)(c->n + n);
	c->calls++;
}

static const struct graph_node_type capture_type = {
	.name = "capture",
	.flags = GRAPH_NODE_F_SINK,
	.priv_size = sizeof(struct capture),
	.process = capture_process,
};

static inline void register_capture(void)
{
	int err = graph_node_type_register(&capture_type);

	assert_true(err == 0 || err == -EEXIST);
}

static inline struct capture *cap(struct graph *g, const char *name)
{
	struct graph_node *n = graph_node_find(g, name);

	assert_non_null(n);
	return graph_node_priv(n);
}

static inline void cap_free(struct capture *c)
{
	pktio_buf_free_bulk(c->bufs, c->n);
	c->n = 0;
}

static inline struct pktio_pool *make_pool(uint32_t count)
{
	struct pktio_pool_cfg cfg;
	struct pktio_pool *pool;

	pktio_pool_cfg_init(&cfg, count);
	cfg.cache_size = 0; /* exact accounting */
	assert_int_equal(pktio_pool_create(&cfg, &pool), 0);
	return pool;
}

static inline struct pktio_port *
open_ring(const char *dev, struct pktio_pool *pool, const char *size_opt)
{
	const char *opts[1] = { size_opt };
	struct pktio_port_cfg cfg = {
		.driver = "ring",
		.dev = dev,
		.nqueues = 1,
		.pool = pool,
		.options = opts,
		.n_options = size_opt ? 1 : 0,
	};
	struct pktio_port *port;

	assert_int_equal(pktio_port_open(&cfg, &port), 0);
	return port;
}

static inline struct pktio_buf *buf_of(struct pktio_pool *pool,
				       const uint8_t *f, size_t len)
{
	struct pktio_buf *b = pktio_buf_alloc(pool);
	uint8_t *d;

	assert_non_null(b);
	d = pktio_buf_append(b, (uint32_t)len);
	assert_non_null(d);
	memcpy(d, f, len);
	return b;
}

static inline uint16_t t_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static const uint8_t t_mac_us[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t t_mac_peer[6] = { 0x02, 0, 0, 0, 0, 0x02 };

/* An IPv4 frame: what a test changes, the rest a UDP datagram with an
 * 8-byte payload from 198.18.0.1 to 198.19.0.1, TTL 64. */
struct v4 {
	uint8_t vihl;  /* 0: 0x45 */
	int tot_len;   /* 0: the header + l4_len */
	uint8_t ttl;   /* 0: 64 */
	uint8_t proto; /* 0: UDP */
	uint16_t frag; /* flags and offset */
	uint32_t src;  /* 0: 198.18.0.1 (host order) */
	uint32_t dst;  /* 0: 198.19.0.1 */
	int l4_len;    /* 0: 16 (UDP 8 + 8) */
	int frame_len; /* 0: everything; else cut (or pad) to this */
	int bad_csum;  /* spoil the header checksum */
	uint16_t vlan; /* 0: untagged; else a tag with this TCI */
	int bcast_mac; /* ff:ff:...: as the destination MAC */
};

static inline size_t v4_frame(uint8_t *f, const struct v4 *o)
{
	size_t l2 = o->vlan ? 18 : 14;
	uint8_t *ip = f + l2;
	uint8_t vihl = o->vihl ? o->vihl : 0x45;
	size_t hl = (size_t)(vihl & 0xf) * 4;
	int l4_len = o->l4_len ? o->l4_len : 16;
	size_t tot;

	if (hl < 20)
		hl = 20;
	tot = hl + (size_t)l4_len;
	memset(f, 0, 256);
	if (o->bcast_mac)
		memset(f, 0xff, 6);
	else
		memcpy(f, t_mac_us, 6);
	memcpy(f + 6, t_mac_peer, 6);
	if (o->vlan) {
		put16(f + 12, 0x8100);
		put16(f + 14, o->vlan);
		put16(f + 16, 0x0800);
	} else {
		put16(f + 12, 0x0800);
	}
	ip[0] = vihl;
	put16(ip + 2, (uint16_t)(o->tot_len ? (size_t)o->tot_len : tot));
	put16(ip + 4, 0x1234);
	put16(ip + 6, o->frag);
	ip[8] = o->ttl ? o->ttl : 64;
	ip[9] = o->proto ? o->proto : 17;
	put16(ip + 12, (uint16_t)((o->src ? o->src : 0xc6120001) >> 16));
	put16(ip + 14, (uint16_t)(o->src ? o->src : 0xc6120001));
	put16(ip + 16, (uint16_t)((o->dst ? o->dst : 0xc6130001) >> 16));
	put16(ip + 18, (uint16_t)(o->dst ? o->dst : 0xc6130001));
	put16(ip + 10, (uint16_t)(t_csum(ip, hl) ^ (o->bad_csum ? 1 : 0)));
	for (int i = 0; i < l4_len; i++)
		ip[hl + (size_t)i] = (uint8_t)(0x40 + i);
	if (ip[9] == 17 && l4_len >= 8) {
		put16(ip + hl, 1000);
		put16(ip + hl + 2, 2000);
		put16(ip + hl + 4, (uint16_t)l4_len);
		put16(ip + hl + 6, 0); /* no UDP checksum (IPv4 allows it) */
	}
	return o->frame_len ? (size_t)o->frame_len : l2 + tot;
}

/* An IPv6 frame: UDP from 2001:db8::1 to 2001:db8:1::1, hop limit 64. */
struct v6 {
	uint8_t ver;   /* 0: 6 */
	uint8_t nh;    /* 0: UDP; 255: hop-by-hop (0) */
	uint8_t hlim;  /* 0: 64 */
	int plen;      /* 0: l4_len */
	int l4_len;    /* 0: 16 */
	int frame_len; /* 0: everything */
	uint8_t icmp_type;
	int dst_mcast; /* ff02::1 */
	int dst_ll;    /* fe80::1 */
	int src_ll;
};

static inline size_t v6_frame(uint8_t *f, const struct v6 *o)
{
	uint8_t *ip = f + 14;
	int l4_len = o->l4_len ? o->l4_len : 16;
	static const uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t dst[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1
	};
	static const uint8_t mc[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t ll[16] = { 0xfe, 0x80, [15] = 1 };

	memset(f, 0, 256);
	memcpy(f, t_mac_us, 6);
	memcpy(f + 6, t_mac_peer, 6);
	put16(f + 12, 0x86dd);
	ip[0] = (uint8_t)((o->ver ? o->ver : 6) << 4);
	put16(ip + 4, (uint16_t)(o->plen ? o->plen : l4_len));
	ip[6] = o->nh == 255 ? 0 : o->nh ? o->nh : 17;
	ip[7] = o->hlim ? o->hlim : 64;
	memcpy(ip + 8, o->src_ll ? ll : src, 16);
	memcpy(ip + 24, o->dst_mcast ? mc : o->dst_ll ? ll : dst, 16);
	for (int i = 0; i < l4_len; i++)
		ip[40 + i] = (uint8_t)(0x60 + i);
	if (ip[6] == 58)
		ip[40] = o->icmp_type;
	return o->frame_len ? (size_t)o->frame_len : 14 + 40 + (size_t)l4_len;
}

#endif
