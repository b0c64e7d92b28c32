// SPDX-License-Identifier: BSD-2-Clause
/* udp-input (udp_input.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sluice/graph/udp.h>
#include <uapi/sluice/reasons.h>
#include "../graph_internal.h"
#include "../udp_csum.h"
#include "ip_check.h"
#include "udp_input.h"

#define IP4_HLEN 20
#define IP6_HLEN 40
#define UDP_HLEN 8
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

struct udp_input_priv {
	struct graph_udp *udp;
	uint64_t delivered;
	uint64_t rx_full;
	uint64_t unbound;
	/* the channels delivered to in this burst, to signal at its end */
	uint16_t n_touched;
	struct graph_udp_chan *touched[GRAPH_BURST_MAX];
};

/* Where the datagram is, once its IP header is taken apart. */
struct dgram {
	int family;
	const uint8_t *src, *dst; /* addresses in the IP header */
	const uint8_t *udp;
	uint32_t l4_len; /* the IP payload's bytes */
};

static int udp_input_init(struct graph_node *node,
			  const struct graph_node_args *a)
{
	struct udp_input_priv *p = graph_node_priv(node);

	if (!a->arg) {
		graph_set_error("arg: missing: udp-input needs the struct "
				"graph_udp of its channels");
		return -EINVAL;
	}
	p->udp = a->arg;
	return 0;
}

/* The IP header: 0, or the reason to drop or punt the packet. */
static uint16_t ip_split(struct pktio_buf *b, struct dgram *d)
{
	const uint8_t *h =
		(const uint8_t *)pktio_buf_data(b) + graph_meta(b)->l3_off;
	uint32_t len = pktio_buf_len(b), l3 = graph_meta(b)->l3_off;
	uint32_t avail = len > l3 ? len - l3 : 0;
	uint32_t hl, tot;
	uint16_t why;
	int waypoint;
	uint8_t nh;

	if (avail && h[0] >> 4 == 4) {
		hl = (h[0] & 0xfu) * 4;
		tot = avail >= IP4_HLEN ? ip_rd16(h + 2) : 0;
		/* ip4-input refused these already: never read past them */
		if (hl < IP4_HLEN || tot < hl || tot > avail)
			return SLUICE_DROP_BAD_LEN;
		if (h[9] != GRAPH_IPPROTO_UDP)
			return SLUICE_PASS_LOCAL;
		if (ip_rd16(h + 6) & (IP_MF | IP_OFFMASK))
			return SLUICE_PASS_FRAGMENT;
		d->family = AF_INET;
		d->src = h + 12;
		d->dst = h + 16;
		d->udp = h + hl;
		d->l4_len = tot - hl;
		return 0;
	}
	if (avail && h[0] >> 4 == 6) {
		if (avail < IP6_HLEN)
			return SLUICE_DROP_TRUNC_IP6;
		tot = ip_rd16(h + 4);
		if (tot > avail - IP6_HLEN)
			return SLUICE_DROP_BAD_LEN;
		/* behind destination options and routing headers, as the
		 * kernel's UDP finds it; ip6-input refused a bad chain */
		why = (uint16_t)ip6_ext_walk(h, l3, avail, tot, &nh, &hl);
		if (why == SLUICE_DROP_BAD_LEN ||
		    why == SLUICE_DROP_TRUNC_IP6 || why == SLUICE_PASS_FRAGMENT)
			return why;
		if (why || nh != GRAPH_IPPROTO_UDP)
			return SLUICE_PASS_LOCAL;
		/* segments left: this host is a waypoint, not the end */
		ip6_ext_end(h, &waypoint);
		if (waypoint)
			return SLUICE_PASS_LOCAL;
		d->family = AF_INET6;
		d->src = h + 8;
		d->dst = h + 24;
		d->udp = h + hl;
		d->l4_len = tot - (hl - IP6_HLEN);
		return 0;
	}
	return avail ? SLUICE_DROP_BAD_VERSION : SLUICE_DROP_TRUNC_IP4;
}

static int csum_ok(const struct pktio_buf *b, const struct dgram *d,
		   uint32_t udp_len)
{
	if (b->ol_flags & PKTIO_OL_L4_CSUM_BAD)
		return 0;
	if (b->ol_flags & PKTIO_OL_L4_CSUM_GOOD)
		return 1;
	if (!ip_rd16(d->udp + 6)) /* none: IPv4 allows it, IPv6 not */
		return d->family == AF_INET;
	return udp_csum_sum(d->src, d->dst, d->family == AF_INET ? 4 : 16,
			    d->udp, udp_len) == 0xffff;
}

/* The edge for @b, or UDP_INPUT_N_EDGES when a channel took it. */
static uint16_t udp_one(struct udp_input_priv *p, struct pktio_buf *b)
{
	struct graph_meta *m = graph_meta(b);
	struct graph_udp_chan *ch;
	struct dgram d;
	uint32_t udp_len;
	uint16_t why;

	why = ip_split(b, &d);
	if (why) {
		m->reason = why;
		return why == SLUICE_PASS_LOCAL || why == SLUICE_PASS_FRAGMENT ?
			       UDP_INPUT_PUNT :
			       UDP_INPUT_DROP;
	}
	if (d.l4_len < UDP_HLEN) {
		m->reason = SLUICE_DROP_TRUNC_L4;
		return UDP_INPUT_DROP;
	}
	udp_len = ip_rd16(d.udp + 4);
	/* shorter than the IP payload is allowed: the rest is padding */
	if (udp_len < UDP_HLEN || udp_len > d.l4_len) {
		m->reason = SLUICE_DROP_BAD_LEN;
		return UDP_INPUT_DROP;
	}
	ch = graph_udp_lookup(p->udp, d.family, d.dst, ip_rd16(d.udp + 2));
	if (!ch) {
		p->unbound++;
		m->reason = SLUICE_PASS_LOCAL;
		return UDP_INPUT_PUNT;
	}
	if (!csum_ok(b, &d, udp_len)) {
		m->reason = SLUICE_DROP_BAD_CSUM;
		return UDP_INPUT_DROP;
	}
	switch (graph_udp_deliver(ch, b)) {
	case 0:
		p->delivered++;
		if (!p->n_touched || p->touched[p->n_touched - 1] != ch)
			p->touched[p->n_touched++] = ch;
		return UDP_INPUT_N_EDGES;
	case -ENOBUFS:
		p->rx_full++;
		pktio_buf_free(b);
		return UDP_INPUT_N_EDGES;
	default: /* closed since the lookup: as if unbound */
		p->unbound++;
		m->reason = SLUICE_PASS_LOCAL;
		return UDP_INPUT_PUNT;
	}
}

static void udp_input_process(struct graph_ctx *ctx, struct graph_node *node,
			      struct pktio_buf **bufs, uint16_t n)
{
	struct udp_input_priv *p = graph_node_priv(node);

	p->n_touched = 0;
	for (uint16_t i = 0; i < n; i++) {
		uint16_t e = udp_one(p, bufs[i]);

		if (e != UDP_INPUT_N_EDGES)
			graph_enqueue(ctx, node, e, bufs[i]);
	}
	/* one wake-up per channel and burst, after its datagrams */
	for (uint16_t i = 0; i < p->n_touched; i++)
		graph_udp_signal(p->touched[i]);
}

static int udp_input_counter(struct graph_node *node, const char *name,
			     uint64_t *val)
{
	struct udp_input_priv *p = graph_node_priv(node);

	if (!strcmp(name, "delivered"))
		*val = p->delivered;
	else if (!strcmp(name, "rx_full"))
		*val = p->rx_full;
	else if (!strcmp(name, "unbound"))
		*val = p->unbound;
	else
		return -ENOENT;
	return 0;
}

static void udp_input_counters(struct graph_node *node,
			       void (*emit)(void *arg, const char *name,
					    uint64_t val),
			       void *arg)
{
	struct udp_input_priv *p = graph_node_priv(node);

	emit(arg, "delivered", p->delivered);
	emit(arg, "rx_full", p->rx_full);
	emit(arg, "unbound", p->unbound);
}

static const char *const udp_input_edges[UDP_INPUT_N_EDGES] = {
	[UDP_INPUT_PUNT] = "punt",
	[UDP_INPUT_DROP] = "drop",
};

const struct graph_node_type graph_node_udp_input = {
	.name = "udp-input",
	.edges = udp_input_edges,
	.n_edges = UDP_INPUT_N_EDGES,
	.priv_size = sizeof(struct udp_input_priv),
	.init = udp_input_init,
	.process = udp_input_process,
	.counter = udp_input_counter,
	.counters = udp_input_counters,
};
