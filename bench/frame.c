// SPDX-License-Identifier: BSD-2-Clause
/*
 * Frames for the per-packet cost figures and the frames the data path must
 * answer with, built field by field here (not by running BPF code), so
 * that a sample output can be compared byte for byte.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "bench.h"

#define ETH_HLEN 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define UDP_HLEN 8
#define TCP_HLEN 20

static __u32 sum16(const __u8 *p, size_t len, __u32 sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	return sum;
}

static __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static void ip4_header(__u8 *ip, __u8 tos, __u16 tot_len, __u8 ttl,
		       __u8 proto, const __u8 *src, const __u8 *dst)
{
	memset(ip, 0, IP4_HLEN);
	ip[0] = 0x45;
	ip[1] = tos;
	put16(ip + 2, tot_len);
	ip[8] = ttl;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	put16(ip + 10, fold(sum16(ip, IP4_HLEN, 0)));
}

int frame_build(const struct flow *f, __u8 *buf, __u32 cap)
{
	__u32 l4len = (f->proto == IPPROTO_TCP ? TCP_HLEN : UDP_HLEN) +
		      f->payload;
	__u32 l3hl = f->family == AF_INET ? IP4_HLEN : IP6_HLEN;
	__u32 len = ETH_HLEN + l3hl + l4len, sum;
	__u8 *ip = buf + ETH_HLEN, *l4 = ip + l3hl;
	int alen = f->family == AF_INET ? 4 : 16;

	if (len > cap || (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP))
		return -EINVAL;
	memset(buf, 0, len);
	memcpy(buf, f->dmac, 6);
	memcpy(buf + 6, f->smac, 6);
	put16(buf + 12, f->family == AF_INET ? 0x0800 : 0x86dd);

	if (f->family == AF_INET) {
		ip4_header(ip, f->tos, (__u16)(IP4_HLEN + l4len), f->ttl,
			   f->proto, f->saddr, f->daddr);
	} else {
		put32(ip, 6u << 28 | (__u32)f->tos << 20);
		put16(ip + 4, (__u16)l4len);
		ip[6] = f->proto;
		ip[7] = f->ttl;
		memcpy(ip + 8, f->saddr, 16);
		memcpy(ip + 24, f->daddr, 16);
	}

	put16(l4, f->sport);
	put16(l4 + 2, f->dport);
	for (__u32 i = 0; i < f->payload; i++)
		l4[l4len - f->payload + i] = (__u8)(0x30 + i % 64);
	if (f->proto == IPPROTO_UDP) {
		put16(l4 + 4, (__u16)l4len);
	} else {
		put32(l4 + 4, 0x01000000);	/* seq */
		put32(l4 + 8, f->tcp_flags & 0x10 ? 0x02000000 : 0);
		l4[12] = 5 << 4;		/* data offset */
		l4[13] = f->tcp_flags;
		put16(l4 + 14, 65535);		/* window */
	}
	/* pseudo-header: addresses, protocol, L4 length */
	sum = sum16(f->saddr, alen, 0);
	sum = sum16(f->daddr, alen, sum);
	sum += f->proto + l4len;
	sum = sum16(l4, l4len, sum);
	put16(l4 + (f->proto == IPPROTO_UDP ? 6 : 16), fold(sum) ?: 0xffff);
	return (int)len;
}

int frame_routed(const struct flow *in, int hops, const __u8 dmac[6],
		 const __u8 smac[6], __u8 *buf, __u32 cap)
{
	struct flow f = *in;

	if (hops < 0 || hops >= in->ttl)
		return -EINVAL;
	f.ttl = (__u8)(in->ttl - hops);
	memcpy(f.dmac, dmac, 6);
	memcpy(f.smac, smac, 6);
	return frame_build(&f, buf, cap);
}

int frame_ipip4(const __u8 *inner, __u32 len, const __u8 dmac[6],
		const __u8 smac[6], const __u8 src[4], const __u8 dst[4],
		__u8 *buf, __u32 cap)
{
	__u32 l3 = len - ETH_HLEN, out = len + IP4_HLEN;

	if (len < ETH_HLEN + IP4_HLEN || out > cap || inner[12] != 0x08 ||
	    inner[13] != 0x00)
		return -EINVAL;
	memcpy(buf, dmac, 6);
	memcpy(buf + 6, smac, 6);
	put16(buf + 12, 0x0800);
	ip4_header(buf + ETH_HLEN, inner[ETH_HLEN + 1],
		   (__u16)(IP4_HLEN + l3), 64, IPPROTO_IPIP, src, dst);
	memcpy(buf + ETH_HLEN + IP4_HLEN, inner + ETH_HLEN, l3);
	return (int)out;
}

int parse_addr(const char *txt, int *family, __u8 addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, txt, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, txt, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}
