// SPDX-License-Identifier: BSD-2-Clause
/* ip4-input (ip4_input.h). */
#include <uapi/sluice/reasons.h>
#include "../graph_internal.h"
#include "ip4_input.h"
#include "ip_check.h"

#define IP4_HLEN 20
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

/* The one's-complement sum of a 20-byte header, checksum included, folds
 * to 0xffff when it is right. */
static int ip4_csum_ok(const uint8_t *h)
{
	uint32_t sum = 0;

	for (int i = 0; i < IP4_HLEN; i += 2)
		sum += ip_rd16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static uint16_t ip4_check(struct pktio_buf *b)
{
	struct graph_meta *m = graph_meta(b);
	const uint8_t *h = (const uint8_t *)pktio_buf_data(b) + m->l3_off;
	uint32_t len = pktio_buf_len(b);
	uint32_t avail = len > m->l3_off ? len - m->l3_off : 0;
	uint32_t ihl, tot_len;

	if (avail < IP4_HLEN) {
		m->reason = SLUICE_DROP_TRUNC_IP4;
		return IP4_INPUT_DROP;
	}
	if (h[0] >> 4 != 4) {
		m->reason = SLUICE_DROP_BAD_VERSION;
		return IP4_INPUT_DROP;
	}
	ihl = h[0] & 0xf;
	if (ihl < 5) {
		m->reason = SLUICE_DROP_BAD_IHL;
		return IP4_INPUT_DROP;
	}
	tot_len = ip_rd16(h + 2);
	if (tot_len < ihl * 4 || tot_len > avail) {
		m->reason = SLUICE_DROP_BAD_LEN;
		return IP4_INPUT_DROP;
	}
	if (ihl > 5) {
		m->reason = SLUICE_PASS_IP_OPTIONS;
		return IP4_INPUT_PUNT;
	}
	if (!ip4_csum_ok(h)) {
		m->reason = SLUICE_DROP_BAD_CSUM;
		return IP4_INPUT_DROP;
	}
	/* daddr at 16, saddr at 12 */
	if ((h[16] & 0xf0) == 0xe0 || (h[16] == 0xff && h[17] == 0xff &&
				       h[18] == 0xff && h[19] == 0xff)) {
		m->reason = SLUICE_PASS_MULTICAST;
		return IP4_INPUT_PUNT;
	}
	if ((h[16] == 169 && h[17] == 254) || (h[12] == 169 && h[13] == 254)) {
		m->reason = SLUICE_PASS_LINK_LOCAL;
		return IP4_INPUT_PUNT;
	}
	if (ip_rd16(h + 6) & (IP_MF | IP_OFFMASK)) {
		m->reason = SLUICE_PASS_FRAGMENT;
		return IP4_INPUT_PUNT;
	}
	if (!l4_header_fits(h[9], avail - IP4_HLEN, tot_len - IP4_HLEN)) {
		m->reason = SLUICE_DROP_TRUNC_L4;
		return IP4_INPUT_DROP;
	}
	/* route.h checks the TTL after the lookup; the answer is the same
	 * (the kernel's), and ip-rewrite may then decrement blindly */
	if (h[8] <= 1) {
		m->reason = SLUICE_PASS_TTL;
		return IP4_INPUT_PUNT;
	}
	return IP4_INPUT_OK;
}

static void ip4_input_process(struct graph_ctx *ctx, struct graph_node *node,
			      struct pktio_buf **bufs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		graph_enqueue(ctx, node, ip4_check(bufs[i]), bufs[i]);
}

static const char *const ip4_input_edges[IP4_INPUT_N_EDGES] = {
	[IP4_INPUT_OK] = "ok",
	[IP4_INPUT_PUNT] = "punt",
	[IP4_INPUT_DROP] = "drop",
};

const struct graph_node_type graph_node_ip4_input = {
	.name = "ip4-input",
	.edges = ip4_input_edges,
	.n_edges = IP4_INPUT_N_EDGES,
	.process = ip4_input_process,
};
