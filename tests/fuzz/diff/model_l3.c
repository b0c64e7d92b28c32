// SPDX-License-Identifier: BSD-2-Clause
/*
 * The reference model of the router: L2 and L3 parsing, the route lookup
 * (a linear longest match over the configuration's route list), next-hop
 * and neighbour resolution, TTL and checksum, the L2 rewrite.  Where the
 * BPF program makes a policy choice (which reason a malformation gets,
 * which check comes first), the comment names the BPF line it mirrors;
 * everything else is what RFC 791/8200 and the configuration say.
 */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <uapi/sluice/sluice.h>
#include <uapi/sluice/flow_hash.h>
#include "model.h"

static __u16 rd16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

const struct d_iface *m_iface(const struct dcfg *c, __u32 ifindex)
{
	for (size_t i = 0; i < c->n_ifaces; i++)
		if (c->ifaces[i].ifindex == ifindex)
			return &c->ifaces[i];
	return NULL;
}

static bool prefix_match(const __u8 *a, const __u8 *pfx, unsigned int plen)
{
	unsigned int full = plen / 8, rest = plen % 8;

	if (memcmp(a, pfx, full))
		return false;
	if (!rest)
		return true;
	return ((a[full] ^ pfx[full]) & (0xff00 >> rest)) == 0;
}

const struct d_route *m_route(const struct dcfg *c, __u8 family,
			      const __u8 *dst)
{
	const struct d_route *best = NULL;

	for (size_t i = 0; i < c->n_routes; i++) {
		const struct d_route *rt = &c->routes[i];

		if (rt->family != family ||
		    !prefix_match(dst, rt->addr, rt->plen))
			continue;
		if (!best || rt->plen > best->plen)
			best = rt;
	}
	return best;
}

static const struct d_nhg *m_nhg(const struct dcfg *c, __u32 id)
{
	for (size_t i = 0; i < c->n_nhgs; i++)
		if (c->nhgs[i].id == id)
			return &c->nhgs[i];
	return NULL;
}

static const struct d_neigh *m_neigh(const struct dcfg *c, __u32 ifindex,
				     __u8 family, const __u8 *addr)
{
	size_t n = family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < c->n_neighs; i++) {
		const struct d_neigh *nb = &c->neighs[i];

		if (nb->ifindex == ifindex && nb->family == family &&
		    !memcmp(nb->addr, addr, n))
			return nb;
	}
	return NULL;
}

int m_route_reason(const struct dcfg *c, const struct d_route *rt)
{
	const struct d_nhg *g;

	if (!rt)
		return SLUICE_PASS_NO_ROUTE;
	if (rt->type == SLUICE_RT_LOCAL)
		return SLUICE_PASS_LOCAL;
	if (rt->type != SLUICE_RT_FORWARD)
		return SLUICE_PASS_KERNEL_ROUTE;
	if (!rt->nhg) /* a forward route without a group */
		return SLUICE_PASS_NO_ROUTE;
	/* A group id that names no group yet still gets its slot in the
	 * table (lib/dp nexthop.c dp_nexthops_target()), empty: no route,
	 * before the TTL is looked at (route.h route_lookup()
	 * route_nhg_usable()). */
	g = m_nhg(c, rt->nhg);
	if (!g || !g->count)
		return SLUICE_PASS_NO_ROUTE;
	return M_CONTINUE;
}

int m_resolve(const struct dcfg *c, const struct d_route *rt, __u8 family,
	      const __u8 *dst, __u32 hash, struct m_hop *h)
{
	const struct d_nhg *g = m_nhg(c, rt->nhg);
	const struct d_neigh *nb;
	const struct d_nh *nh;

	if (!g || !g->count)
		return SLUICE_PASS_NO_ROUTE;
	nh = &g->nh[g->count > 1 ? hash % g->count : 0];
	/* connected: the destination itself is the neighbour */
	if (nh->family)
		nb = m_neigh(c, nh->ifindex, nh->family, nh->gw);
	else
		nb = m_neigh(c, nh->ifindex, family, dst);
	if (!nb)
		return SLUICE_PASS_NO_NEIGH;
	/* route.h resolve_nh(): unresolved before unmanaged */
	h->out = m_iface(c, nh->ifindex);
	if (!h->out)
		return SLUICE_PASS_EGRESS_UNMANAGED;
	memcpy(h->mac, nb->mac, 6);
	return M_CONTINUE;
}

int m_emit(const struct dcfg *c, const struct m_pkt *p, const struct m_hop *h,
	   __u16 ethertype, const __u8 *l3, __u32 l3_len, struct d_result *r)
{
	const struct d_iface *out = h->out;
	bool out_tagged = out->flags & SLUICE_IF_VLAN;
	__u32 tx = out_tagged ? out->parent : out->ifindex;
	const struct d_iface *txp = m_iface(c, tx);
	__u8 *o = r->out;
	__u32 n = 12;

	/* A GSO skb at TC takes a tag like any other (ctx/skb.h
	 * ctx_vlan_push_room(): bpf_skb_change_head(), whatever the GSO
	 * type; test_run's skbs have none). */
	memcpy(o, h->mac, 6);
	memcpy(o + 6, out->mac, 6);
	if (out_tagged) {
		/* emit.h l2_rewrite(): priority and DEI kept from a tag */
		__u16 tci = (p->tagged ? (p->tci & 0xf000) : 0) |
			    (out->vid & 0x0fff);

		o[n++] = 0x81;
		o[n++] = 0x00;
		o[n++] = (__u8)(tci >> 8);
		o[n++] = (__u8)tci;
	}
	o[n++] = (__u8)(ethertype >> 8);
	o[n++] = (__u8)ethertype;
	memcpy(o + n, l3, l3_len);
	r->out_len = n + l3_len;

	if (tx == p->port->ifindex) {
		/* back out of the ingress port: XDP_TX, or a devmap
		 * redirect on a veth (emit.h emit_back()); TC redirects */
		if (c->prog == D_PROG_XDP &&
		    !(p->port->flags & SLUICE_IF_VETH)) {
			r->retval = XDP_TX;
			return SLUICE_FWD_TX;
		}
		r->retval = c->prog == D_PROG_XDP ? XDP_REDIRECT :
						    TC_ACT_REDIRECT;
		if (c->prog == D_PROG_XDP && (!txp || !txp->port))
			return SLUICE_DROP_REDIRECT;
		return SLUICE_FWD_TX;
	}
	r->retval = c->prog == D_PROG_XDP ? XDP_REDIRECT : TC_ACT_REDIRECT;
	/* XDP redirects through tx_ports: a port not in it is refused */
	if (c->prog == D_PROG_XDP && (!txp || !txp->port))
		return SLUICE_DROP_REDIRECT;
	return SLUICE_FWD_REDIRECT;
}

/* ---- parsing --------------------------------------------------------------- */

static __u16 ones_sum(const __u8 *b, __u32 n)
{
	__u32 s = 0;

	for (__u32 i = 0; i + 1 < n; i += 2)
		s += rd16(b + i);
	if (n & 1)
		s += (__u32)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

static const struct d_iface *vlan_sub(const struct dcfg *c, __u32 parent,
				      __u16 vid)
{
	for (size_t i = 0; i < c->n_ifaces; i++) {
		const struct d_iface *s = &c->ifaces[i];

		if ((s->flags & SLUICE_IF_VLAN) && s->parent == parent &&
		    s->vid == vid)
			return s;
	}
	return NULL;
}

static int parse_l2(const struct dcfg *c, struct m_pkt *p)
{
	const __u8 *b = p->b;
	__u16 type;

	/* test_run refuses frames shorter than Ethernet: never seen */
	if (p->len < 14)
		return SLUICE_DROP_TRUNC_ETH;
	type = rd16(b + 12);
	p->l3_off = 14;
	if (type == 0x8100) {
		const struct d_iface *sub;

		if (p->len < 18)
			return SLUICE_DROP_TRUNC_VLAN;
		p->tagged = true;
		p->tci = rd16(b + 14);
		type = rd16(b + 16);
		p->l3_off = 18;
		/* parse.h parse_l2(): VID 0 (a priority tag) is the port's */
		sub = (p->tci & 0x0fff) ?
			      vlan_sub(c, p->port->ifindex, p->tci & 0x0fff) :
			      p->port;
		if (!sub)
			return SLUICE_PASS_VLAN_UNKNOWN;
		p->in_if = sub;
		p->slot = sub->slot;
	}
	p->ethertype = type;
	if (b[0] & 1)
		return SLUICE_PASS_MULTICAST;
	if (memcmp(b, p->in_if->mac, 6))
		return SLUICE_PASS_OTHER_HOST;
	if (type != 0x0800 && type != 0x86dd)
		return SLUICE_PASS_NOT_IP;
	return M_CONTINUE;
}

/* TCP and UDP need their header in the frame and in the IP length. */
static int l4_ports(struct m_pkt *p, __u32 l4_len)
{
	__u32 need = p->proto == IPPROTO_TCP ? 20 :
		     p->proto == IPPROTO_UDP ? 8 :
					       0;

	p->ports = 0;
	if (!need)
		return M_CONTINUE;
	if (p->l4_off + need > p->len || l4_len < need)
		return SLUICE_DROP_TRUNC_L4;
	memcpy(&p->ports, p->b + p->l4_off, 4);
	if (p->proto == IPPROTO_TCP)
		p->tcp_flags = p->b[p->l4_off + 13];
	return M_CONTINUE;
}

static int parse_ip4(struct m_pkt *p)
{
	const __u8 *ip = p->b + p->l3_off;
	__u32 avail = p->len - p->l3_off, ihl, tot;

	if (avail < 20)
		return SLUICE_DROP_TRUNC_IP4;
	if (ip[0] >> 4 != 4)
		return SLUICE_DROP_BAD_VERSION;
	ihl = ip[0] & 0x0f;
	if (ihl < 5)
		return SLUICE_DROP_BAD_IHL;
	tot = rd16(ip + 2);
	if (tot < ihl * 4 || tot > avail)
		return SLUICE_DROP_BAD_LEN;
	/* l3.h: options go to the kernel before the checksum is checked */
	if (ihl > 5)
		return SLUICE_PASS_IP_OPTIONS;
	if (ones_sum(ip, 20) != 0xffff)
		return SLUICE_DROP_BAD_CSUM;
	if ((ip[16] & 0xf0) == 0xe0 || !memcmp(ip + 16, "\xff\xff\xff\xff", 4))
		return p->plant == 2 ? SLUICE_PASS_LINK_LOCAL :
				       SLUICE_PASS_MULTICAST;
	if ((ip[16] == 169 && ip[17] == 254) ||
	    (ip[12] == 169 && ip[13] == 254))
		return SLUICE_PASS_LINK_LOCAL;
	if (rd16(ip + 6) & 0x3fff) /* MF or an offset */
		return SLUICE_PASS_FRAGMENT;
	p->family = AF_INET;
	p->proto = ip[9];
	p->ttl = ip[8];
	p->l3_len = tot;
	p->l4_off = p->l3_off + 20;
	memcpy(p->src, ip + 12, 4);
	memcpy(p->dst, ip + 16, 4);
	return l4_ports(p, tot - 20);
}

static int parse_ip6(struct m_pkt *p)
{
	const __u8 *ip = p->b + p->l3_off;
	__u32 avail = p->len - p->l3_off, plen, off, end;
	__u8 nh;

	if (avail < 40)
		return SLUICE_DROP_TRUNC_IP6;
	if (ip[0] >> 4 != 6)
		return SLUICE_DROP_BAD_VERSION;
	plen = rd16(ip + 4);
	/* l3.h ip6_parse(): hop-by-hop (jumbograms too) before the length,
	 * with what the LB reads of it (lb_hbh.h) */
	if (ip[6] == 0) {
		p->family = AF_INET6;
		p->proto = 0;
		p->ttl = ip[7];
		p->l3_len = 40 + plen;
		p->l4_off = p->l3_off + 40;
		memcpy(p->src, ip + 8, 16);
		memcpy(p->dst, ip + 24, 16);
		return SLUICE_PASS_IP_OPTIONS;
	}
	if (plen > avail - 40)
		return SLUICE_DROP_BAD_LEN;
	if (ip[24] == 0xff)
		return SLUICE_PASS_MULTICAST;
	if ((ip[24] == 0xfe && (ip[25] & 0xc0) == 0x80) ||
	    (ip[8] == 0xfe && (ip[9] & 0xc0) == 0x80))
		return SLUICE_PASS_LINK_LOCAL;
	/* l3.h ip6_ext_walk(): through at most 4 destination-options and
	 * routing headers to the transport */
	off = p->l3_off + 40;
	end = off + plen;
	nh = ip[6];
	for (int i = 0; i < 4 && (nh == 60 || nh == 43); i++) {
		if (off > 128)
			return SLUICE_PASS_IP_OPTIONS;
		if (off + 8 > end)
			return SLUICE_DROP_BAD_LEN;
		if (off + 8 > p->len)
			return SLUICE_DROP_TRUNC_IP6;
		if (off + (p->b[off + 1] + 1u) * 8 > end)
			return SLUICE_DROP_BAD_LEN;
		nh = p->b[off];
		off += (p->b[off + 1] + 1u) * 8;
	}
	if (nh == 60 || nh == 43 || nh == 0 || off > 128)
		return SLUICE_PASS_IP_OPTIONS;
	if (nh == 44)
		return SLUICE_PASS_FRAGMENT;
	p->family = AF_INET6;
	p->proto = nh;
	p->ttl = ip[7];
	p->l3_len = 40 + plen;
	p->l4_off = off;
	memcpy(p->src, ip + 8, 16);
	memcpy(p->dst, ip + 24, 16);
	if (p->proto == IPPROTO_ICMPV6) {
		/* the whole 8-byte ICMPv6 header, in frame and length */
		if (p->l4_off + 8 > p->len || end - off < 8)
			return SLUICE_DROP_TRUNC_L4;
		if (p->b[p->l4_off] >= 133 && p->b[p->l4_off] <= 137)
			return SLUICE_PASS_ND;
	}
	return l4_ports(p, end - off);
}

/* ---- forwarding ------------------------------------------------------------ */

/* At TC a GSO skb goes on when one segment, with the headers each segment
 * repeats, fits the MTU (forward.h gso_fits()): the IP header, and TCP's
 * own length (60 when its offset is nonsense), UDP's 8, else 60. */
static bool gso_fits(const struct dcfg *c, const struct m_pkt *p, __u32 mtu)
{
	__u32 l4 = 60, hdrs = p->l4_off - p->l3_off;

	if (c->prog != D_PROG_TC || p->f->gso_segs < 2 || !p->f->gso_size)
		return false;
	if (p->proto == IPPROTO_TCP) {
		if (p->l4_off + 20 > p->len)
			return false;
		if (p->b[p->l4_off + 12] >> 4 >= 5)
			l4 = (p->b[p->l4_off + 12] >> 4) * 4u;
	} else if (p->proto == IPPROTO_UDP) {
		l4 = 8;
	}
	return p->f->gso_size + hdrs + l4 <= mtu;
}

static int forward(const struct dcfg *c, struct m_pkt *p, struct d_result *r)
{
	const struct d_route *rt = m_route(c, p->family, p->dst);
	__u8 l3[D_FRAME_MAX];
	__u32 hash, l3_len = p->len - p->l3_off;
	struct m_hop h;
	int reason;

	reason = m_route_reason(c, rt);
	if (reason != M_CONTINUE)
		return reason;
	if (p->ttl <= (c->plant == 1 ? 2 : 1))
		return SLUICE_PASS_TTL;
	hash = sluice_flow_hash((const __u32 *)p->src, (const __u32 *)p->dst,
				p->family == AF_INET ? 1 : 4, p->ports,
				p->proto);
	reason = m_resolve(c, rt, p->family, p->dst, hash, &h);
	if (reason != M_CONTINUE)
		return reason;
	if (p->l3_len > h.out->mtu && !gso_fits(c, p, h.out->mtu))
		return SLUICE_PASS_MTU;

	memcpy(l3, p->b + p->l3_off, l3_len);
	if (p->family == AF_INET) {
		__u16 sum;

		l3[8]--;
		l3[10] = l3[11] = 0;
		sum = (__u16)~ones_sum(l3, 20);
		l3[10] = (__u8)(sum >> 8);
		l3[11] = (__u8)sum;
	} else {
		l3[7]--;
	}
	return m_emit(c, p, &h, p->ethertype, l3, l3_len, r);
}

static __u32 retval_of(const struct dcfg *c, int reason, __u32 sent)
{
	int v = -1;

#define M_VERDICT_(id, num, name, verdict)                                     \
	if (reason == num)                                                     \
		v = verdict;
	SLUICE_REASONS(M_VERDICT_)
#undef M_VERDICT_
	if (c->prog == D_PROG_TC) {
		if (v == SLUICE_V_PASS)
			return TC_ACT_OK;
		if (v == SLUICE_V_REDIRECT || v == SLUICE_V_TX)
			return sent;
		return TC_ACT_SHOT;
	}
	if (v == SLUICE_V_PASS)
		return XDP_PASS;
	if (v == SLUICE_V_REDIRECT || v == SLUICE_V_TX)
		return sent;
	return XDP_DROP;
}

static int pipeline(const struct dcfg *c, struct m_pkt *p, struct d_result *r)
{
	int reason;

	p->port = m_iface(c, p->f->ifindex);
	if (!p->port)
		return SLUICE_PASS_UNMANAGED_IF;
	p->in_if = p->port;
	p->slot = p->port->slot;
	reason = parse_l2(c, p);
	if (reason != M_CONTINUE)
		return reason;
	reason = p->ethertype == 0x0800 ? parse_ip4(p) : parse_ip6(p);
	/* hop-by-hop to a VIP is the LB's, else the kernel's (lb_hbh.h;
	 * no firewall, conntrack or DDoS guard here) */
	if (reason == SLUICE_PASS_IP_OPTIONS && p->family == AF_INET6 &&
	    c->prog == D_PROG_XDP && c->lb && p->l3_len > 40 &&
	    p->l3_len <= p->len - p->l3_off) {
		reason = model_lb(c, p, r);
		return reason != M_CONTINUE ? reason : SLUICE_PASS_IP_OPTIONS;
	}
	if (reason != M_CONTINUE)
		return reason;
	if (c->prog == D_PROG_XDP && c->lb) {
		reason = model_lb(c, p, r);
		if (reason != M_CONTINUE)
			return reason;
	}
	return forward(c, p, r);
}

void model_run(const struct dcfg *c, const struct d_frame *f,
	       struct d_result *r)
{
	struct m_pkt p = {
		.f = f, .b = f->buf, .len = f->len, .plant = c->plant
	};

	if (c->prog == D_PROG_DECAP) {
		model_decap(c, f, r);
		return;
	}

	r->retval = 0;
	r->out_len = 0;
	r->reason = pipeline(c, &p, r);
	r->slot = p.port ? p.slot : 0;
	r->retval = retval_of(c, r->reason, r->retval);
	if (!r->out_len) { /* not sent: the frame as it came */
		memcpy(r->out, f->buf, f->len);
		r->out_len = f->len;
	}
}
