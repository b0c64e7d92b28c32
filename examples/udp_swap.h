/* SPDX-License-Identifier: BSD-2-Clause */
/* Turns a UDP datagram around in place: MACs, IP addresses and ports
 * swapped.  A one's-complement sum does not depend on the order of its
 * words, so the IPv4 header checksum and the UDP checksum stay valid. */
#ifndef SLUICE_EXAMPLES_UDP_SWAP_H
#define SLUICE_EXAMPLES_UDP_SWAP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline void swap_bytes(uint8_t *a, uint8_t *b, unsigned int n)
{
	uint8_t t[16];

	memcpy(t, a, n);
	memcpy(a, b, n);
	memcpy(b, t, n);
}

/* True when @frame is an untagged UDP datagram to @port (0: any), now
 * turned around; false (frame unchanged) otherwise. */
static inline bool udp_swap(uint8_t *frame, uint32_t len, uint16_t port)
{
	uint32_t l4, ip_src, alen;
	uint16_t type, dport;

	if (len < 14)
		return false;
	type = (uint16_t)(frame[12] << 8 | frame[13]);
	if (type == 0x0800) {
		uint32_t ihl;

		if (len < 14 + 20 || frame[14] >> 4 != 4 || frame[23] != 17)
			return false;
		ihl = (frame[14] & 0x0fu) * 4;
		/* a fragment's ports are elsewhere (or absent) */
		if (ihl < 20 || ((frame[20] << 8 | frame[21]) & 0x3fff))
			return false;
		l4 = 14 + ihl;
		ip_src = 14 + 12;
		alen = 4;
	} else if (type == 0x86dd) {
		if (len < 14 + 40 || frame[14] >> 4 != 6 || frame[20] != 17)
			return false;
		l4 = 14 + 40;
		ip_src = 14 + 8;
		alen = 16;
	} else {
		return false;
	}
	if (len < l4 + 8)
		return false;
	dport = (uint16_t)(frame[l4 + 2] << 8 | frame[l4 + 3]);
	if (port && dport != port)
		return false;
	swap_bytes(frame, frame + 6, 6);
	swap_bytes(frame + ip_src, frame + ip_src + alen, alen);
	swap_bytes(frame + l4, frame + l4 + 2, 2);
	return true;
}

#endif
