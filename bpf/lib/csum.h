/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SLUICE_BPF_CSUM_H
#define SLUICE_BPF_CSUM_H

#include <linux/ip.h>
#include <bpf/bpf_endian.h>

static __always_inline __u16 csum_fold32(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* True when an option-less IPv4 header sums to 0xffff (a valid checksum).
 * Unrolled over the ten 16-bit words: the header length is fixed here. */
static __always_inline int ip4_csum_ok(const struct iphdr *iph)
{
	const __u16 *w = (const __u16 *)iph;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	return csum_fold32(sum) == 0xffff;
}

/* TTL - 1 with the RFC 1624 incremental update, as ip_decrease_ttl() does:
 * the TTL is the high byte of its 16-bit word, so the sum grows by 0x0100. */
static __always_inline void ip4_decrease_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xffff));
	iph->ttl--;
}

#endif
