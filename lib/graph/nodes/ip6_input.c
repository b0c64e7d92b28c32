// SPDX-License-Identifier: BSD-2-Clause
/* ip6-input (ip6_input.h). */
#include <uapi/sluice/reasons.h>
#include "../graph_internal.h"
#include "ip6_input.h"
#include "ip_check.h"

#define IP6_HLEN 40
#define NEXTHDR_HOP 0
#define ICMP6_HLEN 8

static uint16_t ip6_check(struct pktio_buf *b)
{
	struct graph_meta *m = graph_meta(b);
	const uint8_t *h = (const uint8_t *)pktio_buf_data(b) + m->l3_off;
	uint32_t len = pktio_buf_len(b);
	uint32_t avail = len > m->l3_off ? len - m->l3_off : 0;
	const uint8_t *s = h + 8, *d = h + 24;
	uint32_t plen, hl;
	uint8_t nh;
	int r;

	if (avail < IP6_HLEN) {
		m->reason = SLUICE_DROP_TRUNC_IP6;
		return IP6_INPUT_DROP;
	}
	if (h[0] >> 4 != 6) {
		m->reason = SLUICE_DROP_BAD_VERSION;
		return IP6_INPUT_DROP;
	}
	plen = ip_rd16(h + 4);
	nh = h[6];
	if (nh == NEXTHDR_HOP) {
		m->reason = SLUICE_PASS_IP_OPTIONS;
		return IP6_INPUT_PUNT;
	}
	if (plen > avail - IP6_HLEN) {
		m->reason = SLUICE_DROP_BAD_LEN;
		return IP6_INPUT_DROP;
	}
	if (d[0] == 0xff) {
		m->reason = SLUICE_PASS_MULTICAST;
		return IP6_INPUT_PUNT;
	}
	if ((d[0] == 0xfe && (d[1] & 0xc0) == 0x80) ||
	    (s[0] == 0xfe && (s[1] & 0xc0) == 0x80)) {
		m->reason = SLUICE_PASS_LINK_LOCAL;
		return IP6_INPUT_PUNT;
	}
	/* a fragment header, first or in the chain: pass_fragment */
	r = ip6_ext_walk(h, m->l3_off, avail, plen, &nh, &hl);
	if (r) {
		m->reason = (uint16_t)r;
		return r == SLUICE_DROP_BAD_LEN || r == SLUICE_DROP_TRUNC_IP6 ?
			       IP6_INPUT_DROP :
			       IP6_INPUT_PUNT;
	}
	if (nh == GRAPH_IPPROTO_ICMPV6) {
		if (avail - hl < ICMP6_HLEN ||
		    IP6_HLEN + plen - hl < ICMP6_HLEN) {
			m->reason = SLUICE_DROP_TRUNC_L4;
			return IP6_INPUT_DROP;
		}
		if (h[hl] >= 133 && h[hl] <= 137) {
			m->reason = SLUICE_PASS_ND;
			return IP6_INPUT_PUNT;
		}
	}
	if (!l4_header_fits(nh, avail - hl, IP6_HLEN + plen - hl)) {
		m->reason = SLUICE_DROP_TRUNC_L4;
		return IP6_INPUT_DROP;
	}
	if (h[7] <= 1) {
		m->reason = SLUICE_PASS_TTL;
		return IP6_INPUT_PUNT;
	}
	return IP6_INPUT_OK;
}

static void ip6_input_process(struct graph_ctx *ctx, struct graph_node *node,
			      struct pktio_buf **bufs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		graph_enqueue(ctx, node, ip6_check(bufs[i]), bufs[i]);
}

static const char *const ip6_input_edges[IP6_INPUT_N_EDGES] = {
	[IP6_INPUT_OK] = "ok",
	[IP6_INPUT_PUNT] = "punt",
	[IP6_INPUT_DROP] = "drop",
};

const struct graph_node_type graph_node_ip6_input = {
	.name = "ip6-input",
	.edges = ip6_input_edges,
	.n_edges = IP6_INPUT_N_EDGES,
	.process = ip6_input_process,
};
