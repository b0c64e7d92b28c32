// SPDX-License-Identifier: BSD-2-Clause
/*
 * The reference model of the load balancer: a packet to a VIP (or an ICMP
 * error quoting a flow from one) gets the backend its Maglev table names
 * for the flow hash, and goes out encapsulated (IPIP, or GRE for a VIP
 * that asks) with an outer header the model writes field by field, or,
 * when it would not fit, is answered with an ICMP "too big".  The
 * flow table never changes the answer here: backends do not change during
 * a run, so a flow's entry names the backend the table named.
 */
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <uapi/sluice/sluice.h>
#include <uapi/sluice/flow_hash.h>
#include "model.h"

struct m_flow {
	__u8 family, proto;
	__u8 saddr[16], daddr[16];
	__u8 sport[2], dport[2]; /* network order bytes */
	bool icmp_error;
	bool ext; /* behind IPv6 extension headers */
};

static void put16(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

/* The quoted packet of an ICMP error, reversed: the client's flow to the
 * VIP that a backend's answer belonged to. */
static int icmp_flow(const struct m_pkt *p, struct m_flow *fl)
{
	const __u8 *ic = p->b + p->l4_off, *in = ic + 8;
	/* the IP packet, not the frame: a trailer is no quote (lb.h
	 * lb_icmp_flow()) */
	__u32 room = p->l3_off + p->l3_len - p->l4_off;

	if (room < 8)
		return -1;
	if (p->family == AF_INET) {
		if (ic[0] != 3 && ic[0] != 11) /* unreachable, time exceeded */
			return -1;
		if (room < 8 + 20 + 4 || in[0] != 0x45)
			return -1;
		fl->proto = in[9];
		memcpy(fl->saddr, in + 16, 4);
		memcpy(fl->daddr, in + 12, 4);
		in += 20;
	} else {
		if (ic[0] < 1 || ic[0] > 3) /* unreachable, too big, time */
			return -1;
		if (room < 8 + 40 + 4 || in[0] >> 4 != 6)
			return -1;
		fl->proto = in[6];
		memcpy(fl->saddr, in + 24, 16);
		memcpy(fl->daddr, in + 8, 16);
		in += 40;
	}
	memcpy(fl->sport, in + 2, 2);
	memcpy(fl->dport, in, 2);
	fl->family = p->family;
	if (fl->proto != IPPROTO_TCP && fl->proto != IPPROTO_UDP)
		return -1;
	/* lb.h lb_icmp_flow(): only an error sent to the quoted source */
	if (memcmp(fl->daddr, p->dst, p->family == AF_INET ? 4 : 16))
		return -1;
	fl->icmp_error = true;
	return 0;
}

/* TCP/UDP behind at most 4 hop-by-hop (first), destination-options and
 * routing headers (segments left 0), all inside the IP packet and within
 * 256 bytes of the frame start (lb.h lb_ip6_ext_flow()); else not the
 * LB's. */
static int ext_flow(const struct m_pkt *p, struct m_flow *fl)
{
	__u32 off = p->l3_off + 40, end = p->l3_off + p->l3_len, need;
	__u8 nh = p->b[p->l3_off + 6];

	for (int i = 0; i < 4 && (nh == 60 || nh == 43 || (nh == 0 && !i));
	     i++) {
		if (off > 256 || off + 8 > p->len || off + 8 > end)
			return -1;
		if (nh == 43 && p->b[off + 3])
			return -1;
		nh = p->b[off];
		off += (p->b[off + 1] + 1u) * 8;
	}
	if ((nh != IPPROTO_TCP && nh != IPPROTO_UDP) || off > 256)
		return -1;
	need = nh == IPPROTO_TCP ? 20 : 8;
	if (off + need > p->len || off + need > end)
		return -1;
	fl->family = AF_INET6;
	fl->proto = nh;
	memcpy(fl->saddr, p->src, 16);
	memcpy(fl->daddr, p->dst, 16);
	memcpy(fl->sport, p->b + off, 2);
	memcpy(fl->dport, p->b + off + 2, 2);
	fl->ext = true;
	return 0;
}

static int flow_of(const struct m_pkt *p, struct m_flow *fl)
{
	memset(fl, 0, sizeof(*fl));
	/* TCP/UDP the parser found behind extension headers: the LB's walk */
	if (p->family == AF_INET6 && p->l4_off != p->l3_off + 40)
		return ext_flow(p, fl);
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		fl->family = p->family;
		fl->proto = p->proto;
		memcpy(fl->saddr, p->src, 16);
		memcpy(fl->daddr, p->dst, 16);
		memcpy(fl->sport, &p->ports, 2);
		memcpy(fl->dport, (const __u8 *)&p->ports + 2, 2);
		return 0;
	}
	/* lb.h lb_flow_of(): ICMP of the packet's own family only */
	if ((p->family == AF_INET && p->proto == IPPROTO_ICMP) ||
	    (p->family == AF_INET6 && p->proto == IPPROTO_ICMPV6))
		return icmp_flow(p, fl);
	if (p->family == AF_INET6 && p->proto == 0)
		return ext_flow(p, fl);
	return -1;
}

static const struct d_vip *vip_of(const struct dcfg *c, const struct m_flow *fl)
{
	__u16 dport = (__u16)(fl->dport[0] << 8 | fl->dport[1]);
	size_t n = fl->family == AF_INET ? 4 : 16;
	const struct d_vip *any = NULL;

	for (size_t i = 0; i < c->n_vips; i++) {
		const struct d_vip *v = &c->vips[i];

		if (v->family != fl->family || v->proto != fl->proto ||
		    memcmp(v->addr, fl->daddr, n))
			continue;
		if (v->port == dport)
			return v;
		if (!v->port)
			any = v;
	}
	return any;
}

static const struct d_backend *backend(const struct dcfg *c, __u32 id)
{
	for (size_t i = 0; i < c->n_backends; i++)
		if (c->backends[i].id == id)
			return &c->backends[i];
	return NULL;
}

static __u32 flow_hash(const struct m_flow *fl, const struct d_vip *v)
{
	const __u32 zero[4] = { 0 };
	__u32 s[4], d[4], ports;
	int words = fl->family == AF_INET ? 1 : 4;

	memcpy(s, fl->saddr, 16);
	memcpy(d, fl->daddr, 16);
	if (v->flags & SLUICE_VIP_HASH_SRC)
		return sluice_flow_hash(s, zero, words, 0, 0);
	memcpy(&ports, fl->sport, 2);
	memcpy((__u8 *)&ports + 2, fl->dport, 2);
	return sluice_flow_hash(s, d, words, ports, fl->proto);
}

static __u16 csum16(const __u8 *b, __u32 n)
{
	__u32 s = 0;

	for (__u32 i = 0; i + 1 < n; i += 2)
		s += (__u32)(b[i] << 8 | b[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* The outer header(s) in front of the inner packet, into @o: its length. */
static __u32 outer(const struct dcfg *c, const struct m_pkt *p,
		   const struct d_vip *v, const struct d_backend *be,
		   const __u8 *src, __u32 hash, __u8 *o)
{
	const __u8 *in = p->b + p->l3_off;
	bool gre = v->flags & SLUICE_VIP_GRE;
	__u8 tos = p->family == AF_INET ? in[1] :
					  (__u8)(in[0] << 4 | in[1] >> 4);
	__u8 proto = gre		  ? IPPROTO_GRE :
		     p->family == AF_INET ? IPPROTO_IPIP :
					    IPPROTO_IPV6;
	__u32 hl = be->family == AF_INET ? 20 : 40, total;

	(void)c;
	total = p->l3_len + hl + (gre ? 4 : 0);
	memset(o, 0, hl + 4);
	if (be->family == AF_INET) {
		__u16 sum;

		o[0] = 0x45;
		o[1] = tos;
		put16(o + 2, total);
		o[8] = 64;
		o[9] = proto;
		memcpy(o + 12, src, 4);
		memcpy(o + 16, be->addr, 4);
		sum = csum16(o, 20);
		put16(o + 10, sum);
	} else {
		/* the flow hash as flow label (encap.h push_outer()) */
		o[0] = (__u8)(0x60 | tos >> 4);
		o[1] = (__u8)(tos << 4 | ((hash >> 16) & 0x0f));
		put16(o + 2, hash & 0xffff);
		put16(o + 4, total - 40);
		o[6] = proto;
		o[7] = 64;
		memcpy(o + 8, src, 16);
		memcpy(o + 24, be->addr, 16);
	}
	if (gre)
		put16(o + hl + 2, p->family == AF_INET ? 0x0800 : 0x86dd);
	return hl + (gre ? 4 : 0);
}

/* The outer source: the configured v4 range varied per flow, else the
 * egress port's own address (encap.h outer_source()). */
static int outer_src(const struct dcfg *c, const struct m_hop *h, __u8 fam,
		     __u32 hash, __u8 *src)
{
	memset(src, 0, 16);
	if (fam == AF_INET && c->have_src4) {
		memcpy(src, c->src4, 3);
		src[3] = (__u8)(1 + hash % 254);
		return M_CONTINUE;
	}
	if (fam == AF_INET) {
		if (!memcmp(h->out->addr4, "\0\0\0\0", 4))
			return SLUICE_DROP_LB_NO_SOURCE;
		memcpy(src, h->out->addr4, 4);
		return M_CONTINUE;
	}
	if (!h->out->addr6[0])
		return SLUICE_DROP_LB_NO_SOURCE;
	memcpy(src, h->out->addr6, 16);
	return M_CONTINUE;
}

/* The sum of @n bytes, not yet folded and complemented. */
static __u32 sum16(const __u8 *b, __u32 n)
{
	__u32 s = 0;

	for (__u32 i = 0; i + 1 < n; i += 2)
		s += (__u32)(b[i] << 8 | b[i + 1]);
	return s;
}

static __u16 fold(__u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* The client's packet does not fit once encapsulated: it is replaced by an
 * ICMP "fragmentation needed" / "packet too big" from the VIP, quoting its
 * first 28 / 48 bytes, sent back out of the ingress port (RFC 792, 4443;
 * an IPv6 MTU is never below 1280). */
static int too_big(const struct dcfg *c, const struct m_pkt *p, __u32 pmtu,
		   struct d_result *r)
{
	const __u8 *in = p->b + p->l3_off;
	bool v4 = p->family == AF_INET;
	__u32 quote = v4 ? 28 : 48, hl = v4 ? 20 : 40, n = 12, s;
	__u8 *o = r->out, *ip, *ic;

	memcpy(o, p->b + 6, 6); /* back to the sender */
	memcpy(o + 6, p->b, 6);
	if (p->tagged) {
		o[n++] = 0x81;
		o[n++] = 0x00;
		put16(o + n, p->tci);
		n += 2;
	}
	put16(o + n, v4 ? 0x0800 : 0x86dd);
	n += 2;
	ip = o + n;
	ic = ip + hl;
	memset(ip, 0, hl + 8);
	memcpy(ic + 8, in, quote);
	if (v4) {
		ip[0] = 0x45;
		put16(ip + 2, 20 + 8 + quote);
		ip[8] = 64;
		ip[9] = IPPROTO_ICMP;
		memcpy(ip + 12, in + 16, 4);
		memcpy(ip + 16, in + 12, 4);
		put16(ip + 10, csum16(ip, 20));
		ic[0] = 3; /* destination unreachable */
		ic[1] = 4; /* fragmentation needed */
		put16(ic + 6, pmtu & 0xffff);
		put16(ic + 2, fold(sum16(ic, 8 + quote)));
	} else {
		if (pmtu < 1280)
			pmtu = 1280;
		ip[0] = 0x60;
		put16(ip + 4, 8 + quote);
		ip[6] = IPPROTO_ICMPV6;
		ip[7] = 64;
		memcpy(ip + 8, in + 24, 16);
		memcpy(ip + 24, in + 8, 16);
		ic[0] = 2; /* packet too big */
		put16(ic + 4, pmtu >> 16);
		put16(ic + 6, pmtu & 0xffff);
		s = sum16(ip + 8, 32) + 8 + quote + IPPROTO_ICMPV6 +
		    sum16(ic, 8 + quote);
		put16(ic + 2, fold(s));
	}
	r->out_len = n + hl + 8 + quote;
	/* back out of the ingress port (emit.h emit_back()) */
	if (p->port->flags & SLUICE_IF_VETH) {
		r->retval = XDP_REDIRECT;
		if (!p->port->port)
			return SLUICE_DROP_REDIRECT;
	} else {
		r->retval = XDP_TX;
	}
	(void)c;
	return SLUICE_FWD_LB_TOO_BIG;
}

int model_lb(const struct dcfg *c, struct m_pkt *p, struct d_result *r)
{
	const struct d_backend *be;
	const struct d_route *rt;
	const struct d_vip *v;
	__u8 frame[D_OUT_MAX], src[16];
	struct m_flow fl;
	struct m_hop h;
	__u32 hash, hl, rest;
	int reason;

	if (flow_of(p, &fl))
		return M_CONTINUE;
	v = vip_of(c, &fl);
	if (!v)
		return M_CONTINUE;
	hash = flow_hash(&fl, v);
	be = backend(c, v->ring[hash % D_RING]);
	if (!be || (be->flags & SLUICE_BE_DOWN))
		return SLUICE_DROP_LB_NO_BACKEND;

	/* the outer packet is routed like any other, the member of an
	 * ECMP group picked by the LB's flow hash */
	rt = m_route(c, be->family, be->addr);
	if (m_route_reason(c, rt) != M_CONTINUE)
		return SLUICE_DROP_LB_NO_ROUTE;
	if (m_resolve(c, rt, be->family, be->addr, hash, &h) != M_CONTINUE)
		return SLUICE_DROP_LB_NO_ROUTE;
	hl = (be->family == AF_INET ? 20 : 40) +
	     (v->flags & SLUICE_VIP_GRE ? 4 : 0);
	if (p->l3_len + hl > h.out->mtu) {
		/* never an ICMP error about an ICMP error (encap.h) */
		if (fl.icmp_error)
			return SLUICE_DROP_LB_TOO_BIG;
		return too_big(c, p, h.out->mtu > hl ? h.out->mtu - hl : 0, r);
	}
	reason = outer_src(c, &h, be->family, hash, src);
	if (reason != M_CONTINUE)
		return reason;
	hl = outer(c, p, v, be, src, hash, frame);
	rest = p->len - p->l3_off;
	memcpy(frame + hl, p->b + p->l3_off, rest);
	reason = m_emit(c, p, &h, be->family == AF_INET ? 0x0800 : 0x86dd,
			frame, hl + rest, r);
	if (reason == SLUICE_FWD_REDIRECT)
		return SLUICE_FWD_LB;
	if (reason == SLUICE_FWD_TX)
		return SLUICE_FWD_LB_TX;
	return reason;
}
