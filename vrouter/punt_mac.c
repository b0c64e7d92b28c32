// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <string.h>
#include "punt_mac.h"

struct punt_mac_priv {
	uint8_t mac[6];
};

static const char *const punt_mac_edges[PUNT_MAC_N_EDGES] = {
	[PUNT_MAC_PUNT] = "punt",
};

static int punt_mac_init(struct graph_node *node,
			 const struct graph_node_args *a)
{
	struct punt_mac_priv *p = graph_node_priv(node);
	struct pktio_port_info info;
	int err;

	err = pktio_port_info(a->port, &info);
	if (err) {
		graph_set_error("port: %s", pktio_last_error());
		return err;
	}
	memcpy(p->mac, info.mac, sizeof(p->mac));
	return 0;
}

static void punt_mac_process(struct graph_ctx *ctx, struct graph_node *node,
			     struct pktio_buf **bufs, uint16_t n)
{
	struct punt_mac_priv *p = graph_node_priv(node);

	/* eth-input sent every frame under 14 bytes to drop: each has a
	 * destination MAC to overwrite */
	for (uint16_t i = 0; i < n; i++)
		if (pktio_buf_len(bufs[i]) >= 6)
			memcpy(pktio_buf_data(bufs[i]), p->mac, 6);
	graph_enqueue_burst(ctx, node, PUNT_MAC_PUNT, bufs, n);
}

const struct graph_node_type vr_node_punt_mac = {
	.name = "punt-mac",
	.edges = punt_mac_edges,
	.n_edges = PUNT_MAC_N_EDGES,
	.priv_size = sizeof(struct punt_mac_priv),
	.needs_port = 1,
	.init = punt_mac_init,
	.process = punt_mac_process,
};
