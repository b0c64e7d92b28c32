// SPDX-License-Identifier: BSD-2-Clause
/*
 * Frames for the per-packet cost figures and the frames the data path must
 * answer with, built by the shared packet builder (lib/pktgen, not by
 * running BPF code), so that a sample output can be compared byte for byte.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "bench.h"
#include "pktbuild.h"

/* A built frame into the caller's buffer: its length, or -EINVAL. */
static int copy_out(const struct frame *fr, __u8 *buf, __u32 cap)
{
	if (fr->len > cap)
		return -EINVAL;
	memcpy(buf, fr->buf, fr->len);
	return (int)fr->len;
}

/* A bench flow as the shared builder's spec: the IP identification 0, the
 * builder's defaults for the rest (TCP sequence numbers, payload bytes). */
int frame_build(const struct flow *f, __u8 *buf, __u32 cap)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	struct pkt_spec s = {
		.l3 = f->family == AF_INET ? PKT_L3_IP4 : PKT_L3_IP6,
		.l4 = f->proto,
		.saddr = src,
		.daddr = dst,
		.ttl = f->ttl ? f->ttl : TTL_ZERO,
		.id = ID_ZERO,
		.sport = f->sport,
		.dport = f->dport,
		.payload = f->payload,
		.tos = f->tos,
		.tcp_flags = f->tcp_flags,
	};
	struct frame fr;
	int err;

	if ((f->family != AF_INET && f->family != AF_INET6) ||
	    (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP) ||
	    !inet_ntop(f->family, f->saddr, src, sizeof(src)) ||
	    !inet_ntop(f->family, f->daddr, dst, sizeof(dst)))
		return -EINVAL;
	memcpy(s.dst, f->dmac, 6);
	memcpy(s.src, f->smac, 6);
	err = pkt_build(&s, &fr);
	return err ? err : copy_out(&fr, buf, cap);
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
	struct frame in = { .len = len, .l3_off = 14, .l3 = PKT_L3_IP4 };
	struct pkt_encap e = { .family = AF_INET };
	struct frame out;
	int err;

	if (len < 14 + 20 || len > sizeof(in.buf) || inner[12] != 0x08 ||
	    inner[13] != 0x00)
		return -EINVAL;
	memcpy(in.buf, inner, len);
	in.l4_off = 14 + (inner[14] & 0x0f) * 4;
	memcpy(e.dst, dmac, 6);
	memcpy(e.src, smac, 6);
	memcpy(e.saddr, src, 4);
	memcpy(e.daddr, dst, 4);
	e.tos = inner[15]; /* the inner TOS */
	err = pkt_encap(&in, &e, &out);
	return err ? err : copy_out(&out, buf, cap);
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
