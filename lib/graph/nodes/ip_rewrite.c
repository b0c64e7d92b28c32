// SPDX-License-Identifier: BSD-2-Clause
/* ip-rewrite (ip_rewrite.h). */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <uapi/sluice/reasons.h>
#include <uapi/sluice/route.h>
#include "fibread.h"
#include "../graph_internal.h"
#include "drop.h"
#include "ip_check.h"
#include "ip_lookup.h"
#include "ip_rewrite.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_VLAN 0x8100
#define VLAN_HLEN 4

struct ip_rewrite_priv {
	struct graph_fib *fib;
	struct graph_reason_counts reasons;
	uint64_t no_fib, fib_error, no_port;
};

static int ip_rewrite_init(struct graph_node *node,
			   const struct graph_node_args *a)
{
	struct ip_rewrite_priv *p = graph_node_priv(node);

	if (!a->arg) {
		graph_set_error("arg: missing (a struct graph_fib)");
		return -EINVAL;
	}
	p->fib = a->arg;
	return 0;
}

static uint16_t give(struct ip_rewrite_priv *p, struct graph_meta *m,
		     uint16_t edge, int reason)
{
	m->reason = (uint16_t)reason;
	p->reasons.n[reason < SLUICE_REASON_SLOTS ? reason :
						    SLUICE_REASON_INVALID]++;
	return edge;
}

/* The kernel's ip_decrease_ttl(), as bpf/lib/csum.h has it: the same
 * bytes in every case (a sum of 0xffff folds to 0, not to 0xffff). */
static void ip4_decrease_ttl(uint8_t *ip)
{
	uint16_t raw;
	uint32_t check;

	memcpy(&raw, ip + 10, 2);
	check = raw;
	check += htons(0x0100);
	raw = (uint16_t)(check + (check >= 0xffff));
	memcpy(ip + 10, &raw, 2);
	ip[8]--;
}

/*
 * emit.h's l2_rewrite(): the frame's L2 header for @h's egress.  The
 * whole header is written (MACs, tag, ethertype); 0 or drop_adjust.
 */
static int l2_rewrite(struct pktio_buf *b, struct graph_meta *m,
		      const struct fibread_hop *h, uint16_t l3_proto)
{
	uint8_t *eth = pktio_buf_data(b);
	int in_tagged = m->l3_off == 18 && (m->flags & GRAPH_META_VLAN);
	int out_tagged = h->port_flags & SLUICE_IF_VLAN;
	uint16_t in_tci = in_tagged ? ip_rd16(eth + 14) : 0;

	if (in_tagged && !out_tagged) {
		eth = pktio_buf_adj(b, VLAN_HLEN);
		if (!eth)
			return SLUICE_DROP_ADJUST;
	} else if (!in_tagged && out_tagged) {
		eth = pktio_buf_prepend(b, VLAN_HLEN);
		if (!eth)
			return SLUICE_DROP_ADJUST;
	}
	memcpy(eth, h->dmac, 6);
	memcpy(eth + 6, h->smac, 6);
	if (out_tagged) {
		/* keep priority and DEI of a tagged frame, 0 otherwise */
		uint16_t tci =
			(uint16_t)((in_tci & 0xf000) | (h->vlan_id & 0x0fff));

		eth[12] = ETH_P_VLAN >> 8;
		eth[13] = ETH_P_VLAN & 0xff;
		eth[14] = (uint8_t)(tci >> 8);
		eth[15] = (uint8_t)tci;
		eth[16] = (uint8_t)(l3_proto >> 8);
		eth[17] = (uint8_t)l3_proto;
		m->l3_off = 18;
		m->flags |= GRAPH_META_VLAN;
	} else {
		eth[12] = (uint8_t)(l3_proto >> 8);
		eth[13] = (uint8_t)l3_proto;
		m->l3_off = 14;
		m->flags &= (uint8_t)~GRAPH_META_VLAN;
	}
	return 0;
}

static uint16_t rewrite_one(struct ip_rewrite_priv *p, const struct fibread *r,
			    struct pktio_buf *b)
{
	struct graph_meta *m = graph_meta(b);
	uint8_t *ip = (uint8_t *)pktio_buf_data(b) + m->l3_off;
	uint32_t len = pktio_buf_len(b);
	uint32_t avail = len > m->l3_off ? len - m->l3_off : 0;
	uint16_t l3_proto = m->l3_proto;
	uint32_t nh = m->nh, l3_len;
	struct fibread_hop h;
	uint8_t family, ttl;
	const uint8_t *dst;
	int slot, err;

	if (l3_proto == ETH_P_IPV4 && avail >= 20) {
		family = AF_INET;
		ttl = ip[8];
		dst = ip + 16;
		l3_len = ip_rd16(ip + 2);
	} else if (l3_proto == ETH_P_IPV6 && avail >= 40) {
		family = AF_INET6;
		ttl = ip[7];
		dst = ip + 24;
		l3_len = 40u + ip_rd16(ip + 4);
	} else if (l3_proto == ETH_P_IPV4) {
		return give(p, m, IP_REWRITE_DROP, SLUICE_DROP_TRUNC_IP4);
	} else if (l3_proto == ETH_P_IPV6) {
		return give(p, m, IP_REWRITE_DROP, SLUICE_DROP_TRUNC_IP6);
	} else {
		return give(p, m, IP_REWRITE_DROP, SLUICE_DROP_BAD_VERSION);
	}
	/* route.h: the TTL matters once the route says forward */
	if (ttl <= 1)
		return give(p, m, IP_REWRITE_PUNT, SLUICE_PASS_TTL);
	if (!r) {
		p->no_fib++;
		return give(p, m, IP_REWRITE_PUNT, SLUICE_PASS_NO_NEIGH);
	}
	err = fibread_nh(r, nh, family, dst, &h);
	if (err < 0) {
		p->fib_error++;
		return give(p, m, IP_REWRITE_PUNT, SLUICE_PASS_NO_NEIGH);
	}
	if (h.reason != SLUICE_FWD_REDIRECT)
		return give(p, m, IP_REWRITE_PUNT, h.reason);
	slot = graph_fib_port_slot(p->fib, h.tx_ifindex);
	if (slot < 0) {
		p->no_port++;
		return give(p, m, IP_REWRITE_PUNT,
			    SLUICE_PASS_EGRESS_UNMANAGED);
	}
	/* forward.h: too big for the egress, the kernel answers (ICMP) */
	if (l3_len > h.mtu)
		return give(p, m, IP_REWRITE_PUNT, SLUICE_PASS_MTU);
	/* past this point the packet is ours */
	if (family == AF_INET)
		ip4_decrease_ttl(ip);
	else
		ip[7]--;
	err = l2_rewrite(b, m, &h, l3_proto);
	if (err)
		return give(p, m, IP_REWRITE_DROP, err);
	m->out = (uint16_t)slot;
	return IP_REWRITE_OUTPUT;
}

static void ip_rewrite_process(struct graph_ctx *ctx, struct graph_node *node,
			       struct pktio_buf **bufs, uint16_t n)
{
	struct ip_rewrite_priv *p = graph_node_priv(node);
	/* once per burst: the owner swaps readers between bursts (fib.h) */
	const struct fibread *r =
		__atomic_load_n(&p->fib->reader, __ATOMIC_ACQUIRE);

	for (uint16_t i = 0; i < n; i++)
		graph_enqueue(ctx, node, rewrite_one(p, r, bufs[i]), bufs[i]);
}

static const struct {
	const char *name;
	size_t off;
} own_counters[] = {
	{ "no_fib", offsetof(struct ip_rewrite_priv, no_fib) },
	{ "fib_error", offsetof(struct ip_rewrite_priv, fib_error) },
	{ "no_port", offsetof(struct ip_rewrite_priv, no_port) },
};

static uint64_t own(const struct ip_rewrite_priv *p, size_t i)
{
	return *(const uint64_t *)((const char *)p + own_counters[i].off);
}

static int ip_rewrite_counter(struct graph_node *node, const char *name,
			      uint64_t *val)
{
	struct ip_rewrite_priv *p = graph_node_priv(node);

	for (size_t i = 0; i < sizeof(own_counters) / sizeof(own_counters[0]);
	     i++) {
		if (!strcmp(name, own_counters[i].name)) {
			*val = own(p, i);
			return 0;
		}
	}
	return graph_reason_counter(&p->reasons, name, val);
}

static void ip_rewrite_counters(struct graph_node *node,
				void (*emit)(void *arg, const char *name,
					     uint64_t val),
				void *arg)
{
	struct ip_rewrite_priv *p = graph_node_priv(node);

	for (size_t i = 0; i < sizeof(own_counters) / sizeof(own_counters[0]);
	     i++)
		emit(arg, own_counters[i].name, own(p, i));
	graph_reason_counters(&p->reasons, emit, arg);
}

static const char *const ip_rewrite_edges[IP_REWRITE_N_EDGES] = {
	[IP_REWRITE_OUTPUT] = "output",
	[IP_REWRITE_PUNT] = "punt",
	[IP_REWRITE_DROP] = "drop",
};

const struct graph_node_type graph_node_ip_rewrite = {
	.name = "ip-rewrite",
	.edges = ip_rewrite_edges,
	.n_edges = IP_REWRITE_N_EDGES,
	.priv_size = sizeof(struct ip_rewrite_priv),
	.init = ip_rewrite_init,
	.process = ip_rewrite_process,
	.counter = ip_rewrite_counter,
	.counters = ip_rewrite_counters,
};
