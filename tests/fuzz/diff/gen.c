// SPDX-License-Identifier: BSD-2-Clause
/*
 * The frame generator: frame @index of the run seeded @seed is a pure
 * function of the two (its own xorshift state), so a disagreement is
 * reproduced from the seed and the index alone.  A valid frame of some
 * kind the configuration handles (IPv4/IPv6, TCP/UDP/ICMP/other, to routed
 * prefixes, VIPs and addresses the kernel keeps, tagged or not), then, for
 * about half of them, one to three mutations: ethertype, VLAN, IHL, total
 * length, checksum, TTL, fragments, options, IPv6 extension headers,
 * truncation at a header boundary, L4 fields, random bytes.
 */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uapi/sluice/sluice.h>
#include "diff.h"

struct rng {
	__u64 s;
};

static __u64 next(struct rng *r)
{
	__u64 x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static __u32 below(struct rng *r, __u32 n)
{
	return (__u32)((next(r) >> 32) % n);
}

static bool chance(struct rng *r, __u32 pct)
{
	return below(r, 100) < pct;
}

static void seed_rng(struct rng *r, __u64 seed, __u64 index)
{
	__u64 z = seed + index * 0x9e3779b97f4a7c15ull + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	r->s = (z ^ (z >> 31)) | 1;
}

static void put16(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

static __u16 csum(const __u8 *b, __u32 n)
{
	__u32 s = 0;

	for (__u32 i = 0; i + 1 < n; i += 2)
		s += (__u32)(b[i] << 8 | b[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

static void rand_bytes(struct rng *r, __u8 *p, __u32 n)
{
	for (__u32 i = 0; i < n; i++)
		p[i] = (__u8)next(r);
}

/* ---- addresses ---------------------------------------------------------- */

static const char *const dst4[] = {
	"198.18.0.1",	"198.18.0.2",	 "198.18.0.5",	 "198.18.0.99",
	"198.18.10.3",	"198.18.10.200", "198.18.1.21",	 "198.18.1.77",
	"198.18.2.5",	"198.18.3.5",	 "198.18.4.1",	 "198.18.4.77",
	"198.18.5.5",	"198.18.6.7",	 "198.18.6.8",	 "198.18.6.9",
	"203.0.113.9",	"198.19.1.1",	 "198.18.100.1", "198.18.100.2",
	"198.18.100.5", "198.18.100.3",	 "224.0.0.5",	 "255.255.255.255",
	"169.254.1.1",	"198.18.100.1",	 "198.18.100.2", "198.18.100.5",
};
static const char *const dst6[] = {
	"2001:db8::1",	   "2001:db8::3",      "2001:db8::99",
	"2001:db8:1::5",   "2001:db8:1:ff::1", "2001:db8:2::5",
	"2001:db8:3::5",   "2001:db8:4::1",    "2001:db8:4:7::9",
	"2001:db8:5::5",   "2001:db8:6::7",    "2001:db8:6::8",
	"2001:db8:6::9",   "2001:db8:77::1",   "2001:db8:100::1",
	"2001:db8:100::2", "2001:db8:100::3",  "ff02::1",
	"fe80::1",	   "2001:db8:100::1",  "2001:db8:100::2",
};

static void pick_addr(struct rng *r, __u8 fam, bool dst, __u8 *out)
{
	memset(out, 0, 16);
	if (dst && !chance(r, 8)) {
		const char *a =
			fam == AF_INET ?
				dst4[below(r, sizeof(dst4) / sizeof(dst4[0]))] :
				dst6[below(r, sizeof(dst6) / sizeof(dst6[0]))];

		inet_pton(fam, a, out);
		/* vary the host part of what is not an exact address */
		if (chance(r, 20))
			out[fam == AF_INET ? 3 : 15] = (__u8)next(r);
		return;
	}
	if (chance(r, 8)) { /* anything at all */
		rand_bytes(r, out, fam == AF_INET ? 4 : 16);
		return;
	}
	if (fam == AF_INET) {
		inet_pton(fam, chance(r, 3) ? "169.254.0.0" : "198.18.50.0",
			  out);
		out[3] = (__u8)next(r);
	} else {
		inet_pton(fam, chance(r, 3) ? "fe80::" : "2001:db8:50::", out);
		out[14] = (__u8)next(r);
		out[15] = (__u8)next(r);
	}
}

/* ---- the valid frame ---------------------------------------------------- */

struct gen {
	struct rng *r;
	const struct dcfg *c;
	__u8 *b;
	__u32 len;
	__u32 l3_off, l4_off;
	__u8 fam, proto;
	const struct d_vip *vip; /* aimed at this VIP */
};

/* The port a frame to @g's VIP carries (any for a VIP of every port). */
static __u16 vip_port(struct gen *g, const __u16 *ports, __u32 n)
{
	if (g->vip && g->vip->port && !chance(g->r, 5))
		return g->vip->port;
	return ports[below(g->r, n)];
}

static void vip_addr(struct gen *g, __u8 *a)
{
	memset(a, 0, 16);
	memcpy(a, g->vip->addr, g->fam == AF_INET ? 4 : 16);
}

static const struct d_iface *iface_of(const struct dcfg *c, __u32 ifindex)
{
	for (size_t i = 0; i < c->n_ifaces; i++)
		if (c->ifaces[i].ifindex == ifindex)
			return &c->ifaces[i];
	return NULL;
}

static void gen_l2(struct gen *g, __u32 ifindex)
{
	const struct d_iface *in = iface_of(g->c, ifindex);
	struct rng *r = g->r;
	__u8 *b = g->b;

	g->l3_off = 14;
	if (in && chance(r, in->ifindex == g->c->ingress[0] ? 30 : 3)) {
		/* tagged: the known VID mostly */
		/* VID 0, a priority tag (802.1Q): the program passes it
		 * as an unknown VLAN */
		__u16 vid = chance(r, 80) ? 10 :
			    chance(r, 25) ? 0 :
					    (__u16)below(r, 4096);

		for (size_t i = 0; i < g->c->n_ifaces; i++) {
			const struct d_iface *s = &g->c->ifaces[i];

			if (s->parent == ifindex && s->vid == vid)
				in = s;
		}
		b[12] = 0x81;
		b[13] = 0x00;
		put16(b + 14, (below(r, 8) << 13) | vid);
		g->l3_off = 18;
	}
	if (in && !chance(r, 6))
		memcpy(b, in->mac, 6);
	else if (chance(r, 50))
		memset(b, 0xff, 6);
	else
		rand_bytes(r, b, 6);
	rand_bytes(r, b + 6, 6);
	b[6] &= 0xfe;
}

/* The L4 header and payload at @l4 (at most @room bytes): its length. */
static __u32 gen_l4(struct gen *g, __u8 *l4, const __u8 *src, const __u8 *dst)
{
	static const __u16 ports[] = { 80, 443, 53, 22, 8080 };
	struct rng *r = g->r;
	__u32 pay = below(r, 4) ? below(r, 48) : below(r, 400), n;

	switch (g->proto) {
	case IPPROTO_TCP:
		rand_bytes(r, l4, 20);
		if (chance(r, 80))
			put16(l4 + 2, vip_port(g, ports, 5));
		l4[12] = 0x50;
		l4[13] = chance(r, 50) ? 0x02 : (__u8)next(r);
		n = 20;
		break;
	case IPPROTO_UDP:
		rand_bytes(r, l4, 8);
		if (chance(r, 80))
			put16(l4 + 2, vip_port(g, ports, 5));
		n = 8;
		put16(l4 + 4, 8 + pay);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		bool v4 = g->fam == AF_INET;

		rand_bytes(r, l4, 8);
		n = 8;
		if (chance(r, 50)) { /* an error quoting a flow from a VIP */
			__u8 *in = l4 + 8;
			__u8 vip[16], cl[16];

			l4[0] = v4 ? (chance(r, 50) ? 3 : 11) :
				     (__u8)(1 + below(r, 3));
			memcpy(cl, src, 16);
			memcpy(vip, dst, 16);
			if (g->vip)
				vip_addr(g, vip);
			else
				pick_addr(r, g->fam, true, vip);
			if (v4) {
				memset(in, 0, 20);
				in[0] = 0x45;
				put16(in + 2, 60);
				in[8] = 64;
				in[9] = g->vip	      ? g->vip->proto :
					chance(r, 50) ? IPPROTO_TCP :
							IPPROTO_UDP;
				memcpy(in + 12, vip, 4);
				memcpy(in + 16, cl, 4);
				n += 20;
			} else {
				memset(in, 0, 40);
				in[0] = 0x60;
				put16(in + 4, 20);
				in[6] = g->vip	      ? g->vip->proto :
					chance(r, 50) ? IPPROTO_TCP :
							IPPROTO_UDP;
				in[7] = 64;
				memcpy(in + 8, vip, 16);
				memcpy(in + 24, cl, 16);
				n += 40;
			}
			rand_bytes(r, l4 + n, 8);
			put16(l4 + n, vip_port(g, ports, 5));
			n += 8;
		} else {
			l4[0] = v4	      ? (__u8)below(r, 20) :
				chance(r, 40) ? (__u8)(128 + below(r, 12)) :
						(__u8)next(r);
		}
		break;
	}
	default: n = 0;
	}
	rand_bytes(r, l4 + n, pay);
	return n + pay;
}

static __u8 pick_proto(struct gen *g)
{
	static const __u8 other[] = { IPPROTO_GRE, IPPROTO_IPIP, IPPROTO_IPV6,
				      132,	   50,		 255 };
	__u32 x = below(g->r, 100);

	if (x < 35)
		return IPPROTO_TCP;
	if (x < 70)
		return IPPROTO_UDP;
	if (x < 88)
		return g->fam == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	return other[below(g->r, sizeof(other))];
}

static void gen_ip4(struct gen *g)
{
	struct rng *r = g->r;
	__u8 *ip = g->b + g->l3_off, src[16], dst[16];
	__u32 opt = chance(r, 5) ? 4 * (1 + below(r, 10)) : 0, l4len;
	static const __u8 ttls[] = { 64, 64, 64, 2, 1, 0, 255 };

	pick_addr(r, AF_INET, false, src);
	pick_addr(r, AF_INET, true, dst);
	g->proto = pick_proto(g);
	if (g->vip) {
		vip_addr(g, dst);
		__u32 x = below(r, 100);

		if (x < 65)
			g->proto = g->vip->proto;
		else if (x < 90) /* mostly errors quoting its flows */
			g->proto = g->fam == AF_INET ? IPPROTO_ICMP :
						       IPPROTO_ICMPV6;
	}
	memset(ip, 0, 20);
	ip[0] = (__u8)(0x40 | (5 + opt / 4));
	ip[1] = (__u8)next(r);
	put16(ip + 4, below(r, 65536));
	if (chance(r, 5))
		put16(ip + 6, chance(r, 50) ? 0x2000 : below(r, 0x2000));
	else if (chance(r, 30))
		put16(ip + 6, 0x4000); /* DF */
	ip[8] = chance(r, 80) ? 64 : ttls[below(r, sizeof(ttls))];
	ip[9] = g->proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	memset(ip + 20, 1, opt); /* NOPs */
	g->l4_off = g->l3_off + 20 + opt;
	l4len = gen_l4(g, g->b + g->l4_off, src, dst);
	put16(ip + 2, 20 + opt + l4len);
	put16(ip + 10, csum(ip, 20 + opt));
	g->len = g->l4_off + l4len;
}

static void gen_ip6(struct gen *g)
{
	static const __u8 exts[] = { 0, 43, 60, 44 };
	static const __u8 hops[] = { 64, 64, 64, 2, 1, 0, 255 };
	struct rng *r = g->r;
	__u8 *ip = g->b + g->l3_off, src[16], dst[16], *nh = ip + 6;
	__u32 off = 40, l4len;

	pick_addr(r, AF_INET6, false, src);
	pick_addr(r, AF_INET6, true, dst);
	g->proto = pick_proto(g);
	if (g->vip) {
		vip_addr(g, dst);
		__u32 x = below(r, 100);

		if (x < 65)
			g->proto = g->vip->proto;
		else if (x < 90) /* mostly errors quoting its flows */
			g->proto = g->fam == AF_INET ? IPPROTO_ICMP :
						       IPPROTO_ICMPV6;
	}
	memset(ip, 0, 40);
	ip[0] = (__u8)(0x60 | below(r, 16));
	ip[1] = (__u8)next(r);
	ip[2] = (__u8)next(r);
	ip[3] = (__u8)next(r);
	ip[7] = chance(r, 80) ? 64 : hops[below(r, sizeof(hops))];
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	/* extension headers: a chain of up to three, 8 bytes each */
	if (chance(r, 12)) {
		__u32 n = 1 + below(r, 3);

		for (__u32 i = 0; i < n; i++) {
			__u8 *e = ip + off;

			*nh = exts[below(r, sizeof(exts))];
			memset(e, 0, 8);
			nh = e;
			off += 8;
		}
	}
	*nh = g->proto;
	g->l4_off = g->l3_off + off;
	l4len = gen_l4(g, g->b + g->l4_off, src, dst);
	put16(ip + 4, off - 40 + l4len);
	g->len = g->l4_off + l4len;
}

/* ---- tunnels (the backend role) ------------------------------------------ */

/* One of the host's addresses of @fam, or any address. */
static void pick_local(struct gen *g, __u8 fam, __u8 *out)
{
	const struct dcfg *c = g->c;
	size_t n = 0, want;

	for (size_t i = 0; i < c->n_locals; i++)
		n += c->locals[i].family == fam;
	if (!n || chance(g->r, 12)) {
		pick_addr(g->r, fam, true, out);
		return;
	}
	want = below(g->r, (__u32)n);
	for (size_t i = 0; i < c->n_locals; i++)
		if (c->locals[i].family == fam && !want--)
			memcpy(out, c->locals[i].addr, 16);
}

/* An IP header of @fam at @ip in front of @payload bytes: its length. */
static __u32 tunnel_hdr(struct gen *g, __u8 *ip, __u8 fam, __u8 proto,
			const __u8 *dst, __u32 payload)
{
	static const __u8 ttls[] = { 64, 64, 64, 64, 2, 1, 0 };
	struct rng *r = g->r;
	__u8 src[16];

	pick_addr(r, fam, false, src);
	if (fam == AF_INET) {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		ip[1] = (__u8)next(r);
		put16(ip + 2, 20 + payload);
		ip[8] = ttls[below(r, sizeof(ttls))];
		ip[9] = proto;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		put16(ip + 10, csum(ip, 20));
		return 20;
	}
	memset(ip, 0, 40);
	ip[0] = (__u8)(0x60 | below(r, 16));
	ip[3] = (__u8)next(r);
	put16(ip + 4, payload);
	ip[6] = proto;
	ip[7] = ttls[below(r, sizeof(ttls))];
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	return 40;
}

static void gre_hdr(struct gen *g, __u8 *p, __u8 fam)
{
	static const __u16 flags[] = { 0x8000, 0x2000, 0x1000, 0x0001, 0x0080 };

	/* no flags; or one of C, K, S, a version, a recursion bit; or any */
	if (chance(g->r, 10))
		put16(p, chance(g->r, 50) ? flags[below(g->r, 5)] :
					    below(g->r, 65536));
	else
		put16(p, 0);
	put16(p + 2, chance(g->r, 5) ? below(g->r, 65536) :
		     fam == AF_INET  ? 0x0800 :
				       0x86dd);
}

static __u8 ipip_proto(__u8 fam)
{
	return fam == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
}

/* What a load balancer sends a backend: the client's packet in IPIP or
 * GRE, to one of the host's addresses mostly; for second chance, in a
 * tunnel to another backend inside that. */
static void gen_tunnel(struct gen *g)
{
	struct rng *r = g->r;
	__u8 ofam = chance(r, 50) ? AF_INET : AF_INET6;
	__u8 mfam = chance(r, 50) ? AF_INET : AF_INET6;
	__u8 ifam = chance(r, 50) ? AF_INET : AF_INET6;
	bool gre = chance(r, 30), sec = chance(r, 30), mgre = chance(r, 30);
	__u32 ol = (ofam == AF_INET ? 20u : 40u) + (gre ? 4 : 0);
	__u32 ml = sec ? (mfam == AF_INET ? 20u : 40u) + (mgre ? 4 : 0) : 0;
	__u32 base = g->l3_off, in_off = base + ol + ml, client, h;
	__u8 dst[16], nfam = sec ? mfam : ifam, *o = g->b + base;

	/* the client's packet first, where it ends up */
	g->l3_off = in_off;
	g->fam = ifam;
	if (ifam == AF_INET)
		gen_ip4(g);
	else
		gen_ip6(g);
	client = g->len - in_off;
	g->l3_off = base;
	if (sec) {
		__u8 *m = o + ol;

		if (chance(r, 15))
			pick_local(g, mfam, dst);
		else
			pick_addr(r, mfam, true, dst);
		h = tunnel_hdr(g, m, mfam,
			       mgre ? IPPROTO_GRE : ipip_proto(ifam), dst,
			       ml - (mfam == AF_INET ? 20 : 40) + client);
		if (mgre)
			gre_hdr(g, m + h, ifam);
	}
	pick_local(g, ofam, dst);
	h = tunnel_hdr(g, o, ofam, gre ? IPPROTO_GRE : ipip_proto(nfam), dst,
		       ol - (ofam == AF_INET ? 20 : 40) + ml + client);
	if (gre)
		gre_hdr(g, o + h, nfam);
	put16(o - 2, ofam == AF_INET ? 0x0800 : 0x86dd);
	g->fam = ofam;
	g->l4_off = base + ol;
	g->len = in_off + client;
}

/* ---- mutations ------------------------------------------------------------ */

static void mutate(struct gen *g)
{
	struct rng *r = g->r;
	__u8 *b = g->b, *ip = b + g->l3_off;
	bool v4 = g->fam == AF_INET;
	__u32 cut;

	switch (below(r, 12)) {
	case 0: /* ethertype */
		put16(b + g->l3_off - 2, chance(r, 50) ?
						 (v4 ? 0x86dd : 0x0800) :
					 chance(r, 30) ? 0x8100 :
							 below(r, 65536));
		break;
	case 1: /* VLAN: a tag in, out, or another VID */
		if (g->l3_off == 18) {
			if (g->len >= 18 && chance(r, 50)) {
				memmove(b + 12, b + 16, g->len - 16);
				g->len -= 4;
				g->l3_off = 14;
				g->l4_off -= 4;
			} else {
				put16(b + 14, below(r, 65536));
			}
		} else if (g->len >= 12 && g->len + 4 <= D_FRAME_MAX) {
			memmove(b + 16, b + 12, g->len - 12);
			b[12] = 0x81;
			b[13] = 0x00;
			put16(b + 14, chance(r, 50) ? 10 : below(r, 65536));
			g->len += 4;
			g->l3_off = 18;
			g->l4_off += 4;
		}
		break;
	case 2: /* IHL, or the version */
		if (chance(r, 70))
			ip[0] = (__u8)((ip[0] & 0xf0) | below(r, 16));
		else
			ip[0] = (__u8)((ip[0] & 0x0f) | below(r, 16) << 4);
		break;
	case 3: /* total length / payload length */
		if (chance(r, 50))
			put16(ip + (v4 ? 2 : 4), below(r, 65536));
		else
			put16(ip + (v4 ? 2 : 4),
			      (__u32)((ip[v4 ? 2 : 4] << 8 | ip[v4 ? 3 : 5]) +
				      below(r, 9) - 4) &
				      0xffff);
		break;
	case 4: /* checksum */
		if (v4)
			ip[10 + below(r, 2)] ^= (__u8)(1 << below(r, 8));
		break;
	case 5: /* TTL / hop limit 0 or 1 (the checksum follows) */
		if (v4) {
			__u32 ihl = (ip[0] & 0x0f) * 4;

			ip[8] = (__u8)below(r, 2);
			if (ihl >= 20 && g->l3_off + ihl <= g->len) {
				ip[10] = ip[11] = 0;
				put16(ip + 10, csum(ip, ihl));
			}
		} else {
			ip[7] = (__u8)below(r, 2);
		}
		break;
	case 6: /* fragments: MF, an offset, or an IPv6 fragment header */
		if (v4) {
			put16(ip + 6,
			      chance(r, 50) ? 0x2000 : below(r, 0x2000));
			ip[10] = ip[11] = 0;
			put16(ip + 10, csum(ip, 20));
		} else {
			ip[6] = 44;
		}
		break;
	case 7: { /* truncation at a header boundary */
		__u32 at[] = { 14,
			       16,
			       18,
			       g->l3_off + 1,
			       g->l3_off + 19,
			       g->l3_off + 20,
			       g->l3_off + 39,
			       g->l3_off + 40,
			       g->l4_off,
			       g->l4_off + 4,
			       g->l4_off + 7,
			       g->l4_off + 8,
			       g->l4_off + 19,
			       g->l4_off + 20,
			       g->l4_off + 31,
			       g->l4_off + 40,
			       g->l4_off + 43,
			       g->l4_off + 44,
			       g->l4_off + 52,
			       g->l4_off + 60 };

		cut = at[below(r, sizeof(at) / sizeof(at[0]))];
		if (cut < g->len)
			g->len = cut;
		break;
	}
	case 8: /* an L4 header field */
		if (g->l4_off + 20 <= g->len)
			b[g->l4_off + below(r, 20)] = (__u8)next(r);
		break;
	case 9: /* random bytes anywhere */
		for (__u32 n = 1 + below(r, 4); n; n--)
			b[below(r, g->len)] = (__u8)next(r);
		break;
	case 10: /* IPv4 options, with a valid checksum */
		if (v4 && g->l4_off <= g->len && g->len + 8 <= D_FRAME_MAX) {
			memmove(b + g->l4_off + 8, b + g->l4_off,
				g->len - g->l4_off);
			memset(b + g->l4_off, 1, 8);
			g->len += 8;
			g->l4_off += 8;
			ip[0] = (__u8)((ip[0] & 0xf0) + ((ip[0] & 0x0f) + 2));
			put16(ip + 2, (__u32)(ip[2] << 8 | ip[3]) + 8);
			ip[10] = ip[11] = 0;
			if (g->l4_off <= g->len)
				put16(ip + 10, csum(ip, (ip[0] & 0x0f) * 4));
		}
		break;
	default: /* the destination MAC */
		b[below(r, 6)] ^= (__u8)(1 << below(r, 8));
	}
}

void gen_frame(const struct dcfg *c, __u64 seed, __u64 index, struct d_frame *f)
{
	struct rng r;
	struct gen g = { .r = &r, .c = c, .b = f->buf };
	__u32 kind;

	seed_rng(&r, seed, index);
	memset(f->buf, 0, sizeof(f->buf)); /* checksums may read past len */
	f->ifindex = c->ingress[chance(&r, 3) ? c->n_ingress - 1 :
						below(&r, c->n_ingress - 1)];
	gen_l2(&g, f->ifindex);
	kind = below(&r, 100);
	/* with VIPs, a third of the IP frames aimed at one (an ICMP error
	 * quoting one of its flows among them) */
	if (c->n_vips && kind < 92 && chance(&r, 35)) {
		g.vip = &c->vips[below(&r, (__u32)c->n_vips)];
		kind = g.vip->family == AF_INET ? 0 : 50;
	}
	if (c->prog == D_PROG_DECAP && kind < 80) {
		gen_tunnel(&g);
	} else if (kind < 46) {
		g.fam = AF_INET;
		put16(f->buf + g.l3_off - 2, 0x0800);
		gen_ip4(&g);
	} else if (kind < 92) {
		g.fam = AF_INET6;
		put16(f->buf + g.l3_off - 2, 0x86dd);
		gen_ip6(&g);
	} else { /* ARP or anything else */
		put16(f->buf + g.l3_off - 2,
		      chance(&r, 50) ? 0x0806 : below(&r, 65536));
		g.len = g.l3_off + 28 + below(&r, 40);
		g.l4_off = g.l3_off + 20;
		rand_bytes(&r, f->buf + g.l3_off, g.len - g.l3_off);
	}
	if (chance(&r, 50))
		for (__u32 n = 1 + below(&r, 3); n; n--)
			mutate(&g);
	f->len = g.len < 14 ? 14 : g.len;
	f->gso_segs = f->gso_size = 0;
	if (c->prog == D_PROG_TC && chance(&r, 20)) {
		/* a host's TCP as one large skb: segments that may or may
		 * not fit the egress MTU, and nonsense values */
		f->gso_segs = below(&r, 5);
		f->gso_size = chance(&r, 80) ? below(&r, 200) : below(&r, 2000);
	}
}
