// SPDX-License-Identifier: BSD-2-Clause
/* ip4-lookup, ip6-lookup (ip_lookup.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <uapi/sluice/reasons.h>
#include "fibread.h"
#include "neigh_note.h"
#include "../graph_internal.h"
#include "drop.h"
#include "ip_check.h"
#include "ip_lookup.h"

struct ip_lookup_priv {
	struct graph_fib *fib;
	struct graph_reason_counts reasons; /* what it did not forward */
	uint64_t no_fib, fib_error, no_port;
	/* this burst's on-link misses, noted once it is routed */
	struct neigh_note_set pending;
	struct neigh_note_counts notes;
};

static int ip_lookup_init(struct graph_node *node,
			  const struct graph_node_args *a)
{
	struct ip_lookup_priv *p = graph_node_priv(node);

	if (!a->arg) {
		graph_set_error("arg: missing (a struct graph_fib)");
		return -EINVAL;
	}
	p->fib = a->arg;
	return 0;
}

/*
 * @b's flow as l3.h's ip4_parse/ip6_parse fill l3_info: 0, or the reason
 * to drop a packet whose headers the frame cuts (only when the input
 * node did not run before).
 */
static int flow_of(struct pktio_buf *b, uint8_t family, struct fibread_flow *f)
{
	const struct graph_meta *m = graph_meta(b);
	const uint8_t *ip = (const uint8_t *)pktio_buf_data(b) + m->l3_off;
	uint32_t len = pktio_buf_len(b);
	uint32_t avail = len > m->l3_off ? len - m->l3_off : 0;
	uint32_t hl = family == AF_INET ? 20 : 40;

	memset(f, 0, sizeof(*f));
	f->family = family;
	if (avail < hl)
		return family == AF_INET ? SLUICE_DROP_TRUNC_IP4 :
					   SLUICE_DROP_TRUNC_IP6;
	if (family == AF_INET) {
		f->proto = ip[9];
		memcpy(f->saddr, ip + 12, 4);
		memcpy(f->daddr, ip + 16, 4);
	} else {
		uint32_t plen = ip_rd16(ip + 4);
		uint8_t nh;

		f->proto = ip[6];
		memcpy(f->saddr, ip + 8, 16);
		memcpy(f->daddr, ip + 24, 16);
		/* behind destination-options and routing headers, as
		 * ip6_parse() (ip6-input checked the chain) */
		if (plen > avail - hl)
			plen = avail - hl;
		if (!ip6_ext_walk(ip, m->l3_off, avail, plen, &nh, &hl))
			f->proto = nh;
	}
	if (f->proto == GRAPH_IPPROTO_TCP || f->proto == GRAPH_IPPROTO_UDP) {
		if (avail < hl + 4)
			return SLUICE_DROP_TRUNC_L4;
		/* the word as loaded, as XDP's l4_ports() */
		memcpy(&f->ports, ip + hl, 4);
	}
	return 0;
}

static uint16_t punt_as(struct ip_lookup_priv *p, struct graph_meta *m,
			int reason)
{
	m->reason = (uint16_t)reason;
	p->reasons.n[reason < SLUICE_REASON_SLOTS ? reason :
						    SLUICE_REASON_INVALID]++;
	return IP_LOOKUP_PUNT;
}

static uint16_t lookup_one(struct ip_lookup_priv *p, const struct fibread *r,
			   uint8_t family, struct pktio_buf *b)
{
	struct graph_meta *m = graph_meta(b);
	struct fibread_flow f;
	struct fibread_hop h;
	int err;

	err = flow_of(b, family, &f);
	if (err) {
		m->reason = (uint16_t)err;
		p->reasons.n[err]++;
		return IP_LOOKUP_DROP;
	}
	if (!r) {
		p->no_fib++;
		return punt_as(p, m, SLUICE_PASS_NO_ROUTE);
	}
	if (fibread_lookup(r, &f, &h) < 0) {
		/* only the neighbors hash of an on-link next hop can fail:
		 * the kernel resolves it */
		p->fib_error++;
		return punt_as(p, m, SLUICE_PASS_NO_NEIGH);
	}
	neigh_note_hop(&p->pending, &f, &h);
	if (h.reason == SLUICE_FWD_REDIRECT) {
		if (graph_fib_port_slot(p->fib, h.tx_ifindex) < 0) {
			p->no_port++;
			return punt_as(p, m, SLUICE_PASS_EGRESS_UNMANAGED);
		}
		m->nh = h.nh;
		return IP_LOOKUP_REWRITE;
	}
	if (h.flags & FIBREAD_LOCAL) {
		m->reason = SLUICE_PASS_LOCAL;
		p->reasons.n[SLUICE_PASS_LOCAL]++;
		return IP_LOOKUP_LOCAL;
	}
	return punt_as(p, m, h.reason);
}

static void ip_lookup_burst(struct graph_ctx *ctx, struct graph_node *node,
			    struct pktio_buf **bufs, uint16_t n, uint8_t family)
{
	struct ip_lookup_priv *p = graph_node_priv(node);
	/* once per burst: the owner swaps readers between bursts (fib.h) */
	const struct fibread *r =
		__atomic_load_n(&p->fib->reader, __ATOMIC_ACQUIRE);

	for (uint16_t i = 0; i < n; i++)
		graph_enqueue(ctx, node, lookup_one(p, r, family, bufs[i]),
			      bufs[i]);
	if (p->pending.n)
		neigh_note_flush(__atomic_load_n(&p->fib->notes,
						 __ATOMIC_ACQUIRE),
				 &p->pending, &p->notes);
}

static void ip4_lookup_process(struct graph_ctx *ctx, struct graph_node *node,
			       struct pktio_buf **bufs, uint16_t n)
{
	ip_lookup_burst(ctx, node, bufs, n, AF_INET);
}

static void ip6_lookup_process(struct graph_ctx *ctx, struct graph_node *node,
			       struct pktio_buf **bufs, uint16_t n)
{
	ip_lookup_burst(ctx, node, bufs, n, AF_INET6);
}

static const struct {
	const char *name;
	size_t off;
} own_counters[] = {
	{ "no_fib", offsetof(struct ip_lookup_priv, no_fib) },
	{ "fib_error", offsetof(struct ip_lookup_priv, fib_error) },
	{ "no_port", offsetof(struct ip_lookup_priv, no_port) },
	{ "onlink_notes", offsetof(struct ip_lookup_priv, notes.written) },
	{ "onlink_note_present",
	  offsetof(struct ip_lookup_priv, notes.present) },
	{ "onlink_note_errors", offsetof(struct ip_lookup_priv, notes.errors) },
	{ "onlink_note_full", offsetof(struct ip_lookup_priv, pending.full) },
};

static uint64_t own(const struct ip_lookup_priv *p, size_t i)
{
	return *(const uint64_t *)((const char *)p + own_counters[i].off);
}

static int ip_lookup_counter(struct graph_node *node, const char *name,
			     uint64_t *val)
{
	struct ip_lookup_priv *p = graph_node_priv(node);

	for (size_t i = 0; i < sizeof(own_counters) / sizeof(own_counters[0]);
	     i++) {
		if (!strcmp(name, own_counters[i].name)) {
			*val = own(p, i);
			return 0;
		}
	}
	return graph_reason_counter(&p->reasons, name, val);
}

static void ip_lookup_counters(struct graph_node *node,
			       void (*emit)(void *arg, const char *name,
					    uint64_t val),
			       void *arg)
{
	struct ip_lookup_priv *p = graph_node_priv(node);

	for (size_t i = 0; i < sizeof(own_counters) / sizeof(own_counters[0]);
	     i++)
		emit(arg, own_counters[i].name, own(p, i));
	graph_reason_counters(&p->reasons, emit, arg);
}

static const char *const ip_lookup_edges[IP_LOOKUP_N_EDGES] = {
	[IP_LOOKUP_REWRITE] = "rewrite",
	[IP_LOOKUP_LOCAL] = "local",
	[IP_LOOKUP_PUNT] = "punt",
	[IP_LOOKUP_DROP] = "drop",
};

const struct graph_node_type graph_node_ip4_lookup = {
	.name = "ip4-lookup",
	.edges = ip_lookup_edges,
	.n_edges = IP_LOOKUP_N_EDGES,
	.priv_size = sizeof(struct ip_lookup_priv),
	.init = ip_lookup_init,
	.process = ip4_lookup_process,
	.counter = ip_lookup_counter,
	.counters = ip_lookup_counters,
};

const struct graph_node_type graph_node_ip6_lookup = {
	.name = "ip6-lookup",
	.edges = ip_lookup_edges,
	.n_edges = IP_LOOKUP_N_EDGES,
	.priv_size = sizeof(struct ip_lookup_priv),
	.init = ip_lookup_init,
	.process = ip6_lookup_process,
	.counter = ip_lookup_counter,
	.counters = ip_lookup_counters,
};
