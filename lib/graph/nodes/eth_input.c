// SPDX-License-Identifier: BSD-2-Clause
/* eth-input (eth_input.h): the order of bpf/lib/parse.h's checks. */
#include <uapi/sluice/reasons.h>
#include "../graph_internal.h"
#include "eth_input.h"

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t classify(struct pktio_buf *b)
{
	const uint8_t *d = pktio_buf_data(b);
	uint32_t len = pktio_buf_len(b);
	struct graph_meta *m = graph_meta(b);
	uint16_t proto;

	m->flags = 0;
	m->l3_off = ETH_HLEN;
	if (len < ETH_HLEN) {
		m->reason = SLUICE_DROP_TRUNC_ETH;
		return ETH_INPUT_DROP;
	}
	proto = rd16(d + 12);
	if (proto == ETH_P_8021Q) {
		if (len < ETH_HLEN + VLAN_HLEN) {
			m->reason = SLUICE_DROP_TRUNC_VLAN;
			return ETH_INPUT_DROP;
		}
		m->flags |= GRAPH_META_VLAN;
		m->vlan_tci = rd16(d + 14);
		proto = rd16(d + 16);
		m->l3_off = ETH_HLEN + VLAN_HLEN;
	}
	m->l3_proto = proto;
	/* the group bit: broadcast and multicast belong to the kernel */
	if (d[0] & 1) {
		m->reason = SLUICE_PASS_MULTICAST;
		return ETH_INPUT_PUNT;
	}
	if (proto == ETH_P_IP)
		return ETH_INPUT_IP4;
	if (proto == ETH_P_IPV6)
		return ETH_INPUT_IP6;
	m->reason = SLUICE_PASS_NOT_IP; /* ARP, LLDP, a second tag, ... */
	return ETH_INPUT_PUNT;
}

static void eth_input_process(struct graph_ctx *ctx, struct graph_node *node,
			      struct pktio_buf **bufs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		graph_enqueue(ctx, node, classify(bufs[i]), bufs[i]);
}

static const char *const eth_input_edges[ETH_INPUT_N_EDGES] = {
	[ETH_INPUT_IP4] = "ip4",
	[ETH_INPUT_IP6] = "ip6",
	[ETH_INPUT_PUNT] = "punt",
	[ETH_INPUT_DROP] = "drop",
};

const struct graph_node_type graph_node_eth_input = {
	.name = "eth-input",
	.edges = eth_input_edges,
	.n_edges = ETH_INPUT_N_EDGES,
	.process = eth_input_process,
};
