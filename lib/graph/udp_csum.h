/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The UDP checksum (RFC 768, RFC 8200 8.1) over the IPv4 or IPv6 pseudo
 * header, for udp-input (verify) and the channels' sendto (build).
 */
#ifndef SLUICE_GRAPH_UDP_CSUM_H
#define SLUICE_GRAPH_UDP_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds big-endian 16-bit words of @p to @sum; an odd last byte is the
 * high byte of a word (so only the last piece summed may be odd). */
static inline uint32_t udp_csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static inline uint16_t udp_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * The sum of the pseudo header and the UDP datagram (@udp, @udp_len
 * bytes, its checksum field as it is): 0xffff when the checksum is right;
 * over a zero checksum field, its complement is the checksum to write.
 * @alen: 4 (IPv4) or 16 (IPv6); @src and @dst that long.
 */
static inline uint16_t udp_csum_sum(const uint8_t *src, const uint8_t *dst,
				    size_t alen, const uint8_t *udp,
				    uint32_t udp_len)
{
	uint32_t sum = 17; /* the protocol, IPPROTO_UDP */

	sum = udp_csum_add(sum, src, alen);
	sum = udp_csum_add(sum, dst, alen);
	sum += udp_len & 0xffff;
	sum += udp_len >> 16;
	/* fold now and then: 64 KiB of payload fit a uint32_t sum */
	sum = udp_csum_add(udp_csum_fold(sum), udp, udp_len);
	return udp_csum_fold(sum);
}

#endif
