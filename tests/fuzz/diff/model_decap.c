// SPDX-License-Identifier: BSD-2-Clause
/*
 * The reference model of the backend role's program (sluice_decap): an
 * IPIP (all four family combinations) or GRE packet to one of this host's
 * addresses loses its outer header and goes to the stack; second chance
 * (a tunnel inside the tunnel, to another host) is delivered here or sent
 * back to the hop that brought it.  The fuzzer's namespace has no socket,
 * so a TCP packet that is not a SYN never "belongs here".  Everything else
 * passes untouched.  Which malformation gets which reason is the program's
 * policy, named at each check (bpf/lib/decap.h, decap_second.h).
 */
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <uapi/sluice/sluice.h>
#include "model.h"

#define D_CONT (-1)

struct tun {
	__u32 len;   /* header bytes: IP (+ GRE) */
	__u16 inner; /* ethertype of what follows */
	bool gre;
};

static __u16 rd16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static bool sum_ok(const __u8 *b, __u32 n)
{
	__u32 s = 0;

	for (__u32 i = 0; i < n; i += 2)
		s += rd16(b + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static bool is_local(const struct dcfg *c, __u8 fam, const __u8 *a)
{
	for (size_t i = 0; i < c->n_locals; i++)
		if (c->locals[i].family == fam &&
		    !memcmp(c->locals[i].addr, a, fam == AF_INET ? 4 : 16))
			return true;
	return false;
}

static bool tunnel_proto(__u8 p)
{
	return p == IPPROTO_IPIP || p == IPPROTO_IPV6 || p == IPPROTO_GRE;
}

/* What follows an IP header of protocol @proto at @off (decap_inner()). */
static int inner_of(const __u8 *b, __u32 len, __u32 off, __u8 proto,
		    struct tun *t)
{
	if (proto == IPPROTO_IPIP || proto == IPPROTO_IPV6) {
		t->inner = proto == IPPROTO_IPIP ? 0x0800 : 0x86dd;
		return D_CONT;
	}
	if (off + 4 > len)
		return SLUICE_DROP_TRUNC;
	if (rd16(b + off)) /* checksum, key, sequence, version... */
		return SLUICE_PASS_GRE_OPTIONS;
	t->inner = rd16(b + off + 2);
	if (t->inner != 0x0800 && t->inner != 0x86dd)
		return SLUICE_PASS_NOT_ENCAP;
	t->gre = true;
	t->len += 4;
	return D_CONT;
}

/* The header at @off must be whole and of the family announced. */
static int check_inner(const __u8 *b, __u32 len, __u32 off, __u16 type)
{
	__u32 need = type == 0x0800 ? 20 : 40;

	if (off + need > len)
		return SLUICE_DROP_TRUNC;
	return b[off] >> 4 == (type == 0x0800 ? 4 : 6) ? D_CONT :
							 SLUICE_DROP_BAD_INNER;
}

static int outer_of(const struct dcfg *c, const __u8 *b, __u32 len, __u32 l3,
		    __u16 type, struct tun *t)
{
	const __u8 *ip = b + l3;
	__u32 avail = len - l3;

	memset(t, 0, sizeof(*t));
	if (type == 0x0800) {
		/* what the kernel must judge (decap_outer()): its own */
		if (avail < 20 || !tunnel_proto(ip[9]))
			return SLUICE_PASS_NOT_ENCAP;
		if (ip[0] != 0x45 || (rd16(ip + 6) & 0x3fff) ||
		    rd16(ip + 2) < 20)
			return SLUICE_PASS_NOT_ENCAP;
		if (rd16(ip + 2) > avail)
			return SLUICE_DROP_TRUNC;
		if (!sum_ok(ip, 20))
			return SLUICE_PASS_NOT_ENCAP;
		if (!is_local(c, AF_INET, ip + 16))
			return SLUICE_PASS_NOT_LOCAL;
		t->len = 20;
		return inner_of(b, len, l3 + 20, ip[9], t);
	}
	if (type == 0x86dd) {
		if (avail < 40 || ip[0] >> 4 != 6 || !tunnel_proto(ip[6]))
			return SLUICE_PASS_NOT_ENCAP;
		if (rd16(ip + 4) > avail - 40)
			return SLUICE_DROP_TRUNC;
		if (!is_local(c, AF_INET6, ip + 24))
			return SLUICE_PASS_NOT_LOCAL;
		t->len = 40;
		return inner_of(b, len, l3 + 40, ip[6], t);
	}
	return SLUICE_PASS_NOT_ENCAP;
}

/* The frame without @cut bytes after L2, whose type becomes @type; with
 * @swap, the MACs exchanged (back to the hop that sent it). */
static void strip(const struct m_pkt *p, __u32 cut, __u16 type, bool swap,
		  struct d_result *r)
{
	__u8 *o = r->out;
	__u32 n = 12, from = p->l3_off + cut;

	memcpy(o, p->b + (swap ? 6 : 0), 6);
	memcpy(o + 6, p->b + (swap ? 0 : 6), 6);
	if (p->tagged) {
		o[n++] = 0x81;
		o[n++] = 0x00;
		o[n++] = (__u8)(p->tci >> 8);
		o[n++] = (__u8)p->tci;
	}
	o[n++] = (__u8)(type >> 8);
	o[n++] = (__u8)type;
	memcpy(o + n, p->b + from, p->len - from);
	r->out_len = n + p->len - from;
}

/* Does the client's packet at @off belong here (second_here())?  1 yes,
 * 0 no, else a reason.  No socket exists: only a SYN or not TCP. */
static int here(const __u8 *b, __u32 len, __u32 off, __u16 type)
{
	__u32 th;

	if (type == 0x0800) {
		if (b[off + 9] != IPPROTO_TCP)
			return 1;
		if ((b[off] & 0x0f) < 5)
			return SLUICE_DROP_BAD_INNER;
		th = off + (b[off] & 0x0f) * 4u;
	} else {
		if (b[off + 6] != IPPROTO_TCP)
			return 1;
		th = off + 40;
	}
	if (th + 20 > len)
		return SLUICE_DROP_TRUNC;
	return (b[th + 13] & 0x02) ? 1 : 0;
}

/* Second chance: D_CONT when the inner header is no tunnel (decapsulated
 * one layer), else the reason.  A tunnel to this host as well: both
 * headers go when the load balancer's form is whole, else one layer. */
static int second(const struct dcfg *c, const struct m_pkt *p,
		  const struct tun *o, struct d_result *r)
{
	const __u8 *b = p->b;
	__u32 mid = p->l3_off + o->len, len = p->len, in;
	struct tun m = { 0 };
	bool local;
	__u8 fam, ttl;
	int res;

	if (o->inner == 0x0800) {
		const __u8 *ip = b + mid;

		if (!tunnel_proto(ip[9]))
			return D_CONT;
		local = is_local(c, AF_INET, ip + 16);
		/* the load balancer writes exactly this */
		if ((ip[0] & 0x0f) != 5 || (rd16(ip + 6) & 0x3fff) ||
		    !sum_ok(ip, 20) || rd16(ip + 2) < 20)
			return local ? D_CONT : SLUICE_DROP_SECOND_BAD;
		if (rd16(ip + 2) > len - mid)
			return local ? D_CONT : SLUICE_DROP_TRUNC;
		fam = AF_INET;
		ttl = ip[8];
		m.len = 20;
		res = inner_of(b, len, mid + 20, ip[9], &m);
	} else {
		const __u8 *ip = b + mid;

		if (!tunnel_proto(ip[6]))
			return D_CONT;
		local = is_local(c, AF_INET6, ip + 24);
		if (rd16(ip + 4) > len - mid - 40)
			return local ? D_CONT : SLUICE_DROP_TRUNC;
		fam = AF_INET6;
		ttl = ip[7];
		m.len = 40;
		res = inner_of(b, len, mid + 40, ip[6], &m);
	}
	if (res == SLUICE_PASS_GRE_OPTIONS || res == SLUICE_PASS_NOT_ENCAP)
		res = SLUICE_DROP_SECOND_BAD;
	if (res != D_CONT)
		return local ? D_CONT : res;
	in = mid + m.len;
	res = check_inner(b, len, in, m.inner);
	if (res != D_CONT)
		return local ? D_CONT : res;
	if (local) {
		strip(p, o->len + m.len, m.inner, false, r);
		return SLUICE_DECAP_SECOND_LOCAL;
	}
	res = here(b, len, in, m.inner);
	if (res == 1) {
		strip(p, o->len + m.len, m.inner, false, r);
		return SLUICE_DECAP_SECOND_LOCAL;
	}
	if (res)
		return res;
	if (ttl <= 1) {
		strip(p, o->len + m.len, m.inner, false, r);
		return SLUICE_DECAP_SECOND_TTL;
	}
	/* back to the hop: the tunnel inside, one hop older; second_send()
	 * wants room for a tag and an IPv6 header whatever the frame has */
	if (len - o->len < 14 + 4 + 40)
		return SLUICE_DROP_TRUNC;
	strip(p, o->len, fam == AF_INET ? 0x0800 : 0x86dd, true, r);
	{
		__u8 *ip = r->out + p->l3_off;

		if (fam == AF_INET) {
			__u32 s = 0;

			ip[8]--;
			ip[10] = ip[11] = 0;
			for (int i = 0; i < 20; i += 2)
				s += rd16(ip + i);
			while (s >> 16)
				s = (s & 0xffff) + (s >> 16);
			ip[10] = (__u8)(~s >> 8);
			ip[11] = (__u8)~s;
		} else {
			ip[7]--;
		}
	}
	r->retval = XDP_REDIRECT;
	return SLUICE_FWD_DECAP_SECOND;
}

static int decap(const struct dcfg *c, struct m_pkt *p, struct d_result *r)
{
	const __u8 *b = p->b;
	struct tun o;
	__u16 type;
	int res;

	/* a frame too short to parse is the stack's to judge */
	if (p->len < 14)
		return SLUICE_PASS_NOT_ENCAP;
	type = rd16(b + 12);
	p->l3_off = 14;
	if (type == 0x8100) {
		if (p->len < 18)
			return SLUICE_PASS_NOT_ENCAP;
		p->tagged = true;
		p->tci = rd16(b + 14);
		type = rd16(b + 16);
		p->l3_off = 18;
	}
	res = outer_of(c, b, p->len, p->l3_off, type, &o);
	if (res != D_CONT)
		return res;
	res = check_inner(b, p->len, p->l3_off + o.len, o.inner);
	if (res != D_CONT)
		return res;
	res = second(c, p, &o, r);
	if (res != D_CONT)
		return res;
	strip(p, o.len, o.inner, false, r);
	return o.gre ? SLUICE_DECAP_GRE : SLUICE_DECAP_IPIP;
}

void model_decap(const struct dcfg *c, const struct d_frame *f,
		 struct d_result *r)
{
	struct m_pkt p = { .f = f, .b = f->buf, .len = f->len };
	int v = -1;

	r->out_len = 0;
	r->retval = 0;
	p.port = m_iface(c, f->ifindex);
	r->reason = decap(c, &p, r);
	/* the port's slot only: no VLAN subinterfaces on a backend */
	r->slot = p.port ? p.port->slot : 0;
#define M_VERDICT_(id, num, name, verdict)                                     \
	if (r->reason == num)                                                  \
		v = verdict;
	SLUICE_REASONS(M_VERDICT_)
#undef M_VERDICT_
	r->retval = v == SLUICE_V_PASS	   ? XDP_PASS :
		    v == SLUICE_V_REDIRECT ? XDP_REDIRECT :
		    v == SLUICE_V_TX	   ? XDP_TX :
					     XDP_DROP;
	if (!r->out_len) {
		memcpy(r->out, f->buf, f->len);
		r->out_len = f->len;
	}
}
