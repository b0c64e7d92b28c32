// SPDX-License-Identifier: BSD-2-Clause
/*
 * An explained frame in words (explain.h): Ethernet, an 802.1Q tag, then
 * IP headers down to L4 — an IPIP/IPv6/GRE encapsulation shows its outer
 * header, then the packet inside.  Reads bytes, never trusts a length
 * field past the frame.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <json-c/json.h>
#include "explain.h"

static __u16 be16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static void line(struct json_object *arr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void line(struct json_object *arr, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(arr, json_object_new_string(buf));
}

void explain_mac_str(const __u8 *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

static const char *proto_str(__u8 p, char *buf, size_t len)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_IPIP: return "ipip";
	case IPPROTO_IPV6: return "ipv6";
	case IPPROTO_GRE: return "gre";
	}
	snprintf(buf, len, "%u", p);
	return buf;
}

static void l4_line(struct json_object *arr, __u8 proto, const __u8 *l4,
		    size_t room, struct explain_decoded *d)
{
	static const char flag_names[] = "FSRPAUEC";
	char flags[9] = "";
	int n = 0;

	if ((proto == IPPROTO_TCP && room >= 14) ||
	    (proto == IPPROTO_UDP && room >= 8)) {
		d->sport = be16(l4);
		d->dport = be16(l4 + 2);
	}
	if (proto == IPPROTO_TCP && room >= 14) {
		for (int i = 0; i < 8; i++)
			if (l4[13] & (1u << i))
				flags[n++] = flag_names[i];
		flags[n] = '\0';
		line(arr, "tcp %u > %u flags %s", d->sport, d->dport,
		     n ? flags : "none");
	} else if (proto == IPPROTO_UDP && room >= 8) {
		line(arr, "udp %u > %u", d->sport, d->dport);
	} else if ((proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) &&
		   room >= 8) {
		line(arr, "%s type %u code %u id %u seq %u",
		     proto == IPPROTO_ICMP ? "icmp" : "icmpv6", l4[0], l4[1],
		     be16(l4 + 4), be16(l4 + 6));
	}
}

/* One IP header at @ip: its line, then what it carries. */
static void ip_lines(struct json_object *arr, const __u8 *ip, size_t room,
		     int depth, struct explain_decoded *d)
{
	char s[INET6_ADDRSTRLEN], t[INET6_ADDRSTRLEN], pb[8];
	const char *pfx = depth ? "inner " : "";
	size_t hl;
	__u8 proto, ttl;
	int family;

	if (room < 20 || depth > 2)
		return;
	if ((ip[0] >> 4) == 4) {
		hl = (size_t)(ip[0] & 0xf) * 4;
		if (hl < 20 || room < hl)
			return;
		family = AF_INET;
		proto = ip[9];
		ttl = ip[8];
		inet_ntop(AF_INET, ip + 12, s, sizeof(s));
		inet_ntop(AF_INET, ip + 16, t, sizeof(t));
	} else if ((ip[0] >> 4) == 6 && room >= 40) {
		hl = 40;
		family = AF_INET6;
		proto = ip[6];
		ttl = ip[7];
		inet_ntop(AF_INET6, ip + 8, s, sizeof(s));
		inet_ntop(AF_INET6, ip + 24, t, sizeof(t));
	} else {
		return;
	}
	line(arr, "%sipv%d %s > %s %s %u proto %s", pfx,
	     family == AF_INET ? 4 : 6, s, t,
	     family == AF_INET ? "ttl" : "hlim", ttl,
	     proto_str(proto, pb, sizeof(pb)));
	if (!depth) {
		d->family = family;
		d->ttl = ttl;
		snprintf(d->src, sizeof(d->src), "%s", s);
		snprintf(d->dst, sizeof(d->dst), "%s", t);
	}
	if (proto == IPPROTO_IPIP || proto == IPPROTO_IPV6) {
		if (!depth)
			d->encap = proto == IPPROTO_IPIP ? "ipip" : "ip6";
		ip_lines(arr, ip + hl, room - hl, depth + 1, d);
		return;
	}
	if (proto == IPPROTO_GRE && room >= hl + 4) {
		const __u8 *g = ip + hl;
		/* C, K, S each add 4 bytes (RFC 2890) */
		size_t gl = 4 + (g[0] & 0x80 ? 4 : 0) + (g[0] & 0x20 ? 4 : 0) +
			    (g[0] & 0x10 ? 4 : 0);

		if (!depth)
			d->encap = "gre";
		line(arr, "gre proto 0x%04x", be16(g + 2));
		if (room >= hl + gl)
			ip_lines(arr, g + gl, room - hl - gl, depth + 1, d);
		return;
	}
	if (!depth || !d->encap)
		l4_line(arr, proto, ip + hl, room - hl, d);
	else
		l4_line(arr, proto, ip + hl, room - hl,
			&(struct explain_decoded){ 0 });
}

struct json_object *explain_decode(const __u8 *f, size_t len,
				   struct explain_decoded *d)
{
	struct json_object *arr = json_object_new_array();
	char a[18], b[18];
	size_t off = 14;
	__u16 type;

	memset(d, 0, sizeof(*d));
	if (len < 14)
		return arr;
	memcpy(d->dst_mac, f, 6);
	memcpy(d->src_mac, f + 6, 6);
	explain_mac_str(f + 6, a, sizeof(a));
	explain_mac_str(f, b, sizeof(b));
	type = be16(f + 12);
	if (type == 0x8100 && len >= 18) {
		d->vlan = be16(f + 14) & 0xfff;
		type = be16(f + 16);
		off = 18;
		line(arr, "eth %s > %s vlan %u type 0x%04x", a, b, d->vlan,
		     type);
	} else {
		line(arr, "eth %s > %s type 0x%04x", a, b, type);
	}
	if (type == 0x0800 || type == 0x86dd)
		ip_lines(arr, f + off, len - off, 0, d);
	return arr;
}
