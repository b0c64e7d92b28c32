// SPDX-License-Identifier: BSD-2-Clause
/*
 * The addresses and ports of the frame as it left (the event's data),
 * for NAT's note: with SLUICE_TRACE_F_RX the event's own addresses are
 * the packet's as received (bpf/lib/trace_note.h), and what NAT changed
 * is in the frame.  An IPIP or IP6IP6 frame is read by its inner header,
 * as the data path reads it.
 */
#include <string.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include "cli_trace.h"

/* An IP header at @off: 0 with its fields in @s and the L4 offset in
 * *l4, or -1 if it is not all there. */
static int sent_l3(const __u8 *d, __u32 cap, __u32 off, __u16 type,
		   struct cli_trace_sent *s, __u32 *l4)
{
	if (type == ETH_P_IP) {
		if (off + 20 > cap || (d[off] >> 4) != 4)
			return -1;
		memset(s->src, 0, sizeof(s->src));
		memset(s->dst, 0, sizeof(s->dst));
		s->family = AF_INET;
		s->proto = d[off + 9];
		memcpy(s->src, d + off + 12, 4);
		memcpy(s->dst, d + off + 16, 4);
		*l4 = off + (d[off] & 0xfu) * 4;
		return 0;
	}
	if (type == ETH_P_IPV6) {
		if (off + 40 > cap || (d[off] >> 4) != 6)
			return -1;
		s->family = AF_INET6;
		s->proto = d[off + 6];
		memcpy(s->src, d + off + 8, 16);
		memcpy(s->dst, d + off + 24, 16);
		*l4 = off + 40;
		return 0;
	}
	return -1;
}

int cli_trace_sent(const struct sluice_trace_event *ev,
		   struct cli_trace_sent *s)
{
	__u32 cap = ev->cap_len, off = 14, l4;
	const __u8 *d = ev->data;
	__u16 type;

	memset(s, 0, sizeof(*s));
	if (cap < 14 || cap > SLUICE_TRACE_CAP)
		return -1;
	type = (__u16)(d[12] << 8 | d[13]);
	if (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		if (cap < 18)
			return -1;
		type = (__u16)(d[16] << 8 | d[17]);
		off = 18;
	}
	if (sent_l3(d, cap, off, type, s, &l4))
		return -1;
	if (s->proto == IPPROTO_IPIP || s->proto == IPPROTO_IPV6) {
		type = s->proto == IPPROTO_IPIP ? ETH_P_IP : ETH_P_IPV6;
		if (sent_l3(d, cap, l4, type, s, &l4))
			return -1;
	}
	if ((s->proto == IPPROTO_TCP || s->proto == IPPROTO_UDP) &&
	    l4 + 4 <= cap) {
		s->sport = (__u16)(d[l4] << 8 | d[l4 + 1]);
		s->dport = (__u16)(d[l4 + 2] << 8 | d[l4 + 3]);
		s->ports = true;
	}
	return 0;
}

void cli_trace_nat_ends(const struct sluice_trace_event *ev, bool dst_side,
			char *buf, size_t len)
{
	bool ports = ev->flags & SLUICE_TRACE_F_PORTS;
	struct cli_trace_sent s;

	if ((ev->flags & SLUICE_TRACE_F_RX) && !cli_trace_sent(ev, &s)) {
		if (dst_side)
			cli_trace_endpoint(s.family, s.dst, s.ports, s.dport,
					   buf, len);
		else
			cli_trace_endpoint(s.family, s.src, s.ports, s.sport,
					   buf, len);
		return;
	}
	/* without F_RX the event's addresses are the frame's already */
	if (dst_side)
		cli_trace_endpoint(ev->family, ev->dst, ports, ev->dport, buf,
				   len);
	else
		cli_trace_endpoint(ev->family, ev->src, ports, ev->sport, buf,
				   len);
}
