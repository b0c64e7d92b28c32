/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers ip4-input and ip6-input share. */
#ifndef SLUICE_GRAPH_IP_CHECK_H
#define SLUICE_GRAPH_IP_CHECK_H

#include <stdint.h>

#define GRAPH_IPPROTO_TCP 6
#define GRAPH_IPPROTO_UDP 17
#define GRAPH_IPPROTO_ICMPV6 58

static inline uint16_t ip_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Whether an L4 header of @proto fits both the frame (@in_frame bytes
 * from L4) and the IP length (@l4_len): as l3.h's l4_ports(). */
static inline int l4_header_fits(uint8_t proto, uint32_t in_frame,
				 uint32_t l4_len)
{
	uint32_t need = proto == GRAPH_IPPROTO_TCP ? 20 :
			proto == GRAPH_IPPROTO_UDP ? 8 :
						     0;

	return in_frame >= need && l4_len >= need;
}

#endif
