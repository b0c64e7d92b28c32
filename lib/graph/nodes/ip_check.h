/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers ip4-input and ip6-input share. */
#ifndef SLUICE_GRAPH_IP_CHECK_H
#define SLUICE_GRAPH_IP_CHECK_H

#include <stdint.h>
#include <uapi/sluice/reasons.h>

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

/* IPv6 extension headers looked through, and where L4 may start at the
 * latest (from the frame start): l3.h's L3_IP6_EXT_MAX, L4_OFF_MAX. */
#define GRAPH_IP6_EXT_MAX 4
#define GRAPH_L4_OFF_MAX 128

/* The transport behind at most GRAPH_IP6_EXT_MAX destination-options (60)
 * and routing (43) headers, as l3.h's ip6_ext_walk(): 0 with *nhp and
 * *hlp (the IPv6 header and its extension headers) set, or the XDP
 * program's reason.  @h is the IPv6 header, @l3_off bytes into the frame,
 * @avail bytes of it there, @plen its payload length (within @avail). */
static inline int ip6_ext_walk(const uint8_t *h, uint32_t l3_off,
			       uint32_t avail, uint32_t plen, uint8_t *nhp,
			       uint32_t *hlp)
{
	uint32_t off = 40, end = 40 + plen, len;
	uint8_t nh = h[6];

	for (int i = 0; i < GRAPH_IP6_EXT_MAX && (nh == 60 || nh == 43); i++) {
		if (l3_off + off > GRAPH_L4_OFF_MAX)
			return SLUICE_PASS_IP_OPTIONS;
		if (off + 8 > end)
			return SLUICE_DROP_BAD_LEN;
		if (off + 8 > avail)
			return SLUICE_DROP_TRUNC_IP6;
		len = (h[off + 1] + 1u) * 8;
		if (off + len > end)
			return SLUICE_DROP_BAD_LEN;
		nh = h[off];
		off += len;
	}
	if (nh == 60 || nh == 43 || nh == 0 || l3_off + off > GRAPH_L4_OFF_MAX)
		return SLUICE_PASS_IP_OPTIONS;
	if (nh == 44)
		return SLUICE_PASS_FRAGMENT;
	*nhp = nh;
	*hlp = off;
	return 0;
}

/* A chain ip6_ext_walk() accepted, walked again: where its transport
 * starts from the IPv6 header @h, and in *@waypoint whether a routing
 * header in it has segments left (the packet is not at its last
 * destination yet: the kernel's to route on). */
static inline uint32_t ip6_ext_end(const uint8_t *h, int *waypoint)
{
	uint32_t off = 40;
	uint8_t nh = h[6];

	*waypoint = 0;
	for (int i = 0; i < GRAPH_IP6_EXT_MAX && (nh == 60 || nh == 43); i++) {
		if (nh == 43 && h[off + 3])
			*waypoint = 1;
		nh = h[off];
		off += (h[off + 1] + 1u) * 8;
	}
	return off;
}

#endif
