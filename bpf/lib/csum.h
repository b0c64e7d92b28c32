/* SPDX-License-Identifier: GPL-2.0-only */
/* Internet checksums: full sums of small fixed headers and RFC 1624
 * incremental updates. */
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

/* Sum of @nwords 16-bit words at @start; the caller checked the bounds.
 * @nwords is a compile-time constant at every call site. */
static __always_inline __u32 csum_words(const void *start, int nwords)
{
	const __u16 *w = start;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < nwords; i++)
		sum += w[i];
	return sum;
}

/* True when an option-less IPv4 header sums to 0xffff (a valid checksum). */
static __always_inline int ip4_csum_ok(const struct iphdr *iph)
{
	return csum_fold32(csum_words(iph, 10)) == 0xffff;
}

/* The checksum of a new option-less IPv4 header. */
static __always_inline __u16 ip4_csum_full(struct iphdr *iph)
{
	iph->check = 0;
	return ~csum_fold32(csum_words(iph, 10));
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
