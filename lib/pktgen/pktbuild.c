// SPDX-License-Identifier: BSD-2-Clause
/*
 * The packet builder (pktbuild.h).  Headers are written byte by byte at fixed
 * offsets (RFC 791, 8200, 793, 768, 792, 4443, 826, IEEE 802.1Q) and every
 * checksum is a full RFC 1071 sum over the finished bytes.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "pktbuild.h"

#define IP4_ID 0x1234 /* the identification of every built packet */

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

__u64 csum_add(__u64 sum, const void *data, size_t len)
{
	const __u8 *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (__u32)p[0] << 8 | p[1];
	if (len)
		sum += (__u32)p[0] << 8;
	return sum;
}

__u16 csum_fold(__u64 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

int pkt_addr(int family, const char *txt, __u8 *out)
{
	if (!txt || inet_pton(family, txt, out) != 1)
		return -EINVAL;
	return 0;
}

static __u8 spec_ttl(const struct pkt_spec *s)
{
	if (s->ttl == TTL_ZERO)
		return 0;
	return s->ttl ? (__u8)s->ttl : 64;
}

static __u16 spec_ethertype(const struct pkt_spec *s)
{
	if (s->ethertype)
		return s->ethertype;
	switch (s->l3) {
	case PKT_L3_IP4: return 0x0800;
	case PKT_L3_IP6: return 0x86dd;
	case PKT_L3_ARP: return 0x0806;
	default: return 0x88b5; /* IEEE local experimental */
	}
}

/* Ethernet and the optional tag; returns the L3 offset. */
static __u32 build_eth(const struct pkt_spec *s, __u8 *p)
{
	__u32 off = 12;

	memcpy(p, s->dst, 6);
	memcpy(p + 6, s->src, 6);
	if (s->tagged) {
		put16(p + off, 0x8100);
		put16(p + off + 2, (__u16)(s->pcp << 13 | (s->dei & 1) << 12 |
					   (s->vid & 0x0fff)));
		off += 4;
	}
	put16(p + off, spec_ethertype(s));
	return off + 2;
}

static void fill_payload(__u8 *p, __u32 len)
{
	for (__u32 i = 0; i < len; i++)
		p[i] = (__u8)(i * 31 + 7);
}

static __u32 l4_hdr_len(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP: return 20;
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: return 8;
	default: return 0;
	}
}

/* The bytes an ICMP error quotes: the start of @s->quote's L3 header. */
static int quote_bytes(const struct pkt_spec *s, __u8 *out, __u32 *len)
{
	struct frame q;
	__u32 want;
	int err;

	if (s->quote->quote) /* one level is all a fixture needs */
		return -EINVAL;
	err = pkt_build(s->quote, &q);
	if (err)
		return err;
	want = s->quote_len ? s->quote_len : q.l4_off - q.l3_off + 8;
	if (q.l3_off + want > q.len)
		return -EINVAL;
	memcpy(out, q.buf + q.l3_off, want);
	*len = want;
	return 0;
}

/* Bytes after the L4 header: the payload, or the quote of an error. */
static int l4_body_len(const struct pkt_spec *s, __u32 *len)
{
	__u8 scratch[PKT_MAX];

	if (!s->quote || (s->l4 != IPPROTO_ICMP && s->l4 != IPPROTO_ICMPV6)) {
		*len = s->payload;
		return 0;
	}
	return quote_bytes(s, scratch, len);
}

/* The L4 header without its checksum, then the payload. */
static int build_l4_body(const struct pkt_spec *s, __u8 *p, __u32 len)
{
	__u8 v6 = s->l3 == PKT_L3_IP6;
	__u32 qlen;

	switch (s->l4) {
	case IPPROTO_TCP:
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put32(p + 4, 0x01020304);		    /* seq */
		put32(p + 8, 0x05060708);		    /* ack */
		p[12] = 5 << 4;				    /* data offset */
		p[13] = s->tcp_flags ? s->tcp_flags : 0x18; /* PSH | ACK */
		put16(p + 14, 0xffff);			    /* window */
		break;
	case IPPROTO_UDP:
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put16(p + 4, (__u16)len);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		p[0] = s->icmp_type == ICMP_TYPE_ZERO ? 0 :
		       s->icmp_type		      ? s->icmp_type :
		       v6			      ? 128 :
							8;
		p[1] = s->icmp_code;
		put16(p + 4, s->sport);
		put16(p + 6, s->dport);
		if (s->quote)
			return quote_bytes(s, p + 8, &qlen);
		break;
	}
	fill_payload(p + l4_hdr_len(s->l4), s->payload);
	return 0;
}

/* The pseudo header of RFC 793/768 (v4) or RFC 8200 section 8.1 (v6). */
static __u64 pseudo_sum(const struct pkt_spec *s, const __u8 *saddr,
			const __u8 *daddr, __u32 len)
{
	__u8 ph[40] = { 0 };

	if (s->l3 == PKT_L3_IP6) {
		memcpy(ph, saddr, 16);
		memcpy(ph + 16, daddr, 16);
		put32(ph + 32, len);
		ph[39] = s->l4;
		return csum_add(0, ph, 40);
	}
	memcpy(ph, saddr, 4);
	memcpy(ph + 4, daddr, 4);
	ph[9] = s->l4;
	put16(ph + 10, (__u16)len);
	return csum_add(0, ph, 12);
}

/* Writes the L4 header and payload at @p and their length to @len. */
static int build_l4(const struct pkt_spec *s, __u8 *p, const __u8 *saddr,
		    const __u8 *daddr, __u32 *lenp)
{
	__u32 len, body;
	__u64 sum;
	__u16 c;
	int err = l4_body_len(s, &body);

	if (err)
		return err;
	len = l4_hdr_len(s->l4) + body;
	*lenp = len;
	err = build_l4_body(s, p, len);
	if (err || !l4_hdr_len(s->l4))
		return err;
	sum = s->l4 == IPPROTO_ICMP ? 0 : pseudo_sum(s, saddr, daddr, len);
	c = csum_fold(csum_add(sum, p, len));
	if (s->l4 == IPPROTO_UDP && c == 0)
		c = 0xffff;
	put16(p + (s->l4 == IPPROTO_TCP ? 16 :
		   s->l4 == IPPROTO_UDP ? 6 :
					  2),
	      c);
	return 0;
}

static void ip4_set_csum(__u8 *iph)
{
	__u32 hlen = (iph[0] & 0x0f) * 4;

	put16(iph + 10, 0);
	put16(iph + 10, csum_fold(csum_add(0, iph, hlen)));
}

static int build_ip4(const struct pkt_spec *s, struct frame *f)
{
	__u8 *iph = f->buf + f->l3_off;
	__u32 hlen = 20 + 4 * s->ip_opts, l4len;
	int err;

	if (pkt_addr(AF_INET, s->saddr, iph + 12) ||
	    pkt_addr(AF_INET, s->daddr, iph + 16) || s->ip_opts > 10)
		return -EINVAL;
	iph[0] = 0x40 | (__u8)(hlen / 4);
	iph[1] = s->tos;
	put16(iph + 4, s->id == ID_ZERO ? 0 : s->id ? (__u16)s->id : IP4_ID);
	put16(iph + 6, s->frag);
	iph[8] = spec_ttl(s);
	iph[9] = s->l4;
	if (s->ip_opts) {
		/* router alert (RFC 2113), then NOPs to the end */
		memset(iph + 20, 0x01, hlen - 20);
		iph[20] = 0x94;
		iph[21] = 4;
		put16(iph + 22, 0);
	}
	f->l4_off = f->l3_off + hlen;
	err = build_l4(s, f->buf + f->l4_off, iph + 12, iph + 16, &l4len);
	if (err)
		return err;
	put16(iph + 2, (__u16)(hlen + l4len));
	ip4_set_csum(iph);
	f->len = f->l4_off + l4len;
	return 0;
}

/* One 8-byte options header (hop-by-hop or destination options): PadN
 * over its 6 option bytes. */
static void build_opts6(__u8 *p, __u8 next)
{
	memset(p, 0, 8);
	p[0] = next;
	p[2] = 1;
	p[3] = 4;
}

/* The first next header of @s's IPv6 packet. */
static __u8 ext6_first(const struct pkt_spec *s)
{
	if (s->ext == PKT_EXT_HBH)
		return 0;
	if (s->dst_opts)
		return 60;
	if (s->routing)
		return 43;
	return s->ext == PKT_EXT_FRAG ? 44 : s->l4;
}

/* The chain: hop-by-hop, dst_opts destination options, a routing header,
 * fragment. */
static __u32 build_ext6(const struct pkt_spec *s, __u8 *p)
{
	__u8 after_rt = s->ext == PKT_EXT_FRAG ? 44 : s->l4;
	__u8 after_dst = s->routing ? 43 : after_rt;
	__u32 n = 0;

	if (s->ext == PKT_EXT_HBH) {
		build_opts6(p, s->dst_opts ? 60 : after_dst);
		n += 8;
	}
	for (__u8 i = 0; i < s->dst_opts; i++, n += 8)
		build_opts6(p + n, i + 1 < s->dst_opts ? 60 : after_dst);
	if (s->routing) {
		/* RFC 8200 4.4: type 253 (experimental, RFC 4727), segments
		 * left 0, no addresses */
		memset(p + n, 0, 8);
		p[n] = after_rt;
		p[n + 2] = 253;
		n += 8;
	}
	if (s->ext == PKT_EXT_FRAG) {
		memset(p + n, 0, 8);
		p[n] = s->l4;
		put16(p + n + 2, 1); /* offset 0, more fragments */
		put32(p + n + 4, 0xdeadbeef);
		n += 8;
	}
	return n;
}

static int build_ip6(const struct pkt_spec *s, struct frame *f)
{
	__u8 *ip6 = f->buf + f->l3_off;
	__u32 ext, l4len;
	int err;

	if (pkt_addr(AF_INET6, s->saddr, ip6 + 8) ||
	    pkt_addr(AF_INET6, s->daddr, ip6 + 24))
		return -EINVAL;
	/* version, traffic class, flow label */
	put32(ip6, 6u << 28 | (__u32)s->tos << 20 | (s->flow & 0xfffff));
	ip6[6] = ext6_first(s);
	ip6[7] = spec_ttl(s);
	ext = build_ext6(s, ip6 + 40);
	f->l4_off = f->l3_off + 40 + ext;
	err = build_l4(s, f->buf + f->l4_off, ip6 + 8, ip6 + 24, &l4len);
	if (err)
		return err;
	put16(ip6 + 4, (__u16)(ext + l4len));
	f->len = f->l4_off + l4len;
	return 0;
}

static int build_arp(const struct pkt_spec *s, struct frame *f)
{
	__u8 *a = f->buf + f->l3_off;

	put16(a, 1); /* Ethernet */
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 2); /* reply */
	memcpy(a + 8, s->src, 6);
	memcpy(a + 18, s->dst, 6);
	if (pkt_addr(AF_INET, s->saddr, a + 14) ||
	    pkt_addr(AF_INET, s->daddr, a + 24))
		return -EINVAL;
	f->l4_off = f->l3_off + 28;
	f->len = f->l4_off;
	return 0;
}

int pkt_build(const struct pkt_spec *s, struct frame *f)
{
	__u32 body;
	int err = l4_body_len(s, &body);

	/* worst case: tag, IPv4 with 40 bytes of options, TCP, payload */
	if (err || body + s->eth_pad + 18 + 60 + 20 +
				   8u * (s->dst_opts + !!s->routing) >
			   PKT_MAX)
		return err ? err : -EINVAL;
	memset(f, 0, sizeof(*f));
	f->l3 = s->l3;
	f->l3_off = build_eth(s, f->buf);
	switch (s->l3) {
	case PKT_L3_IP4: err = build_ip4(s, f); break;
	case PKT_L3_IP6: err = build_ip6(s, f); break;
	case PKT_L3_ARP: err = build_arp(s, f); break;
	default:
		f->l4_off = f->l3_off;
		fill_payload(f->buf + f->l3_off, s->payload);
		f->len = f->l3_off + s->payload;
		err = 0;
	}
	f->len += s->eth_pad; /* the buffer is zeroed */
	return err;
}

/* ---- encapsulation ---------------------------------------------------------- */

/* The GRE header's length: 4, and 4 for each optional field its flags
 * announce (RFC 1701: checksum and offset with C or R; RFC 2890). */
static __u32 gre_len(const struct pkt_encap *e)
{
	if (!e->gre)
		return 0;
	return 4 + (e->gre_flags & 0xc000 ? 4 : 0) +
	       (e->gre_flags & 0x2000 ? 4 : 0) +
	       (e->gre_flags & 0x1000 ? 4 : 0);
}

/* Flags, protocol, then the optional fields; with C, the checksum over
 * the GRE header and the @plen bytes of payload behind it (RFC 2784). */
static void build_gre(const struct pkt_encap *e, __u16 proto, __u8 *g,
		      __u32 plen)
{
	__u32 off = 4, csum_off = 0;

	put16(g, e->gre_flags);
	put16(g + 2, e->gre_proto ? e->gre_proto : proto);
	if (e->gre_flags & 0xc000) {
		csum_off = off; /* checksum, then offset 0 */
		off += 4;
	}
	if (e->gre_flags & 0x2000) {
		put32(g + off, e->gre_key);
		off += 4;
	}
	if (e->gre_flags & 0x1000)
		put32(g + off, e->gre_seq);
	if (e->gre_flags & 0x8000)
		put16(g + csum_off,
		      csum_fold(csum_add(0, g, gre_len(e) + plen)));
}

int pkt_encap(const struct frame *inner, const struct pkt_encap *e,
	      struct frame *out)
{
	const __u8 *in = inner->buf + inner->l3_off;
	__u32 off, ohl, ilen, rest, glen = gre_len(e);
	__u8 proto, *o;

	if ((inner->l3 != PKT_L3_IP4 && inner->l3 != PKT_L3_IP6) ||
	    inner->len < inner->l3_off + (inner->l3 == PKT_L3_IP4 ? 20 : 40) ||
	    e->ip_opts > 10)
		return -EINVAL;
	/* the inner packet's own length field */
	ilen = inner->l3 == PKT_L3_IP4 ? (__u32)(in[2] << 8 | in[3]) :
					 40 + (__u32)(in[4] << 8 | in[5]);
	proto = e->gre ? 47 : inner->l3 == PKT_L3_IP4 ? 4 : 41;
	ohl = e->family == AF_INET ? 20 + 4 * e->ip_opts : 40;
	rest = inner->len - inner->l3_off;
	memset(out, 0, sizeof(*out));
	out->l3 = e->family == AF_INET ? PKT_L3_IP4 : PKT_L3_IP6;
	memcpy(out->buf, e->dst, 6);
	memcpy(out->buf + 6, e->src, 6);
	off = 12;
	if (e->tagged) {
		put16(out->buf + off, 0x8100);
		put16(out->buf + off + 2,
		      (__u16)(e->pcp << 13 | (e->dei & 1) << 12 |
			      (e->vid & 0x0fff)));
		off += 4;
	}
	put16(out->buf + off, e->family == AF_INET ? 0x0800 : 0x86dd);
	out->l3_off = off + 2;
	out->l4_off = out->l3_off + ohl;
	out->len = out->l4_off + glen + rest;
	if (out->len > sizeof(out->buf))
		return -EINVAL;
	o = out->buf + out->l3_off;
	if (e->family == AF_INET) {
		o[0] = 0x40 | (__u8)(ohl / 4);
		o[1] = e->tos;
		put16(o + 2, (__u16)(ohl + glen + ilen));
		/* id 0 */
		put16(o + 6, e->frag);
		o[8] = 64;
		o[9] = proto;
		memcpy(o + 12, e->saddr, 4);
		memcpy(o + 16, e->daddr, 4);
		if (e->ip_opts) { /* as build_ip4() writes them */
			memset(o + 20, 0x01, ohl - 20);
			o[20] = 0x94;
			o[21] = 4;
			put16(o + 22, 0);
		}
		ip4_set_csum(o);
	} else {
		put32(o, 6u << 28 | (__u32)e->tos << 20 | (e->flow & 0xfffff));
		put16(o + 4, (__u16)(glen + ilen));
		o[6] = proto;
		o[7] = 64;
		memcpy(o + 8, e->saddr, 16);
		memcpy(o + 24, e->daddr, 16);
	}
	memcpy(o + ohl + glen, in, rest);
	if (e->gre)
		build_gre(e, inner->l3 == PKT_L3_IP4 ? 0x0800 : 0x86dd, o + ohl,
			  ilen < rest ? ilen : rest);
	return 0;
}

/* ---- mutations ------------------------------------------------------------ */

static int ip_len_fit(struct frame *f)
{
	__u8 *l3 = f->buf + f->l3_off;

	if (f->l3 == PKT_L3_IP4 && f->len >= f->l3_off + 20) {
		put16(l3 + 2, (__u16)(f->len - f->l3_off));
		if (f->len >= f->l3_off + (l3[0] & 0x0f) * 4)
			ip4_set_csum(l3);
		return 0;
	}
	if (f->l3 == PKT_L3_IP6 && f->len >= f->l3_off + 40) {
		put16(l3 + 4, (__u16)(f->len - f->l3_off - 40));
		return 0;
	}
	return -EINVAL;
}

/* Brute force over all identifications: no cleverness to get wrong. */
static int ip4_fwd_csum(struct frame *f, __u16 want, bool forwarded)
{
	__u8 *iph = f->buf + f->l3_off;
	__u8 ttl = iph[8];

	if (f->l3 != PKT_L3_IP4 || f->len < f->l3_off + 20)
		return -EINVAL;
	for (__u32 id = 0; id <= 0xffff; id++) {
		put16(iph + 4, (__u16)id);
		if (!forwarded)
			iph[8] = ttl - 1;
		ip4_set_csum(iph);
		iph[8] = ttl;
		if ((iph[10] << 8 | iph[11]) == want) {
			ip4_set_csum(iph); /* for the TTL it carries */
			return 0;
		}
	}
	return -ENOENT;
}

static int mut_offset(const struct frame *f, const struct pkt_mut *m,
		      __u32 width, __u32 *off)
{
	__u32 base = m->base == BASE_L3 ? f->l3_off :
		     m->base == BASE_L4 ? f->l4_off :
					  0;

	*off = base + m->off;
	return *off + width <= f->len ? 0 : -EINVAL;
}

static int mutate_one(struct frame *f, const struct pkt_mut *m, bool forwarded)
{
	__u32 off = 0;

	switch (m->op) {
	case MUT_CUT:
		if (m->val < f->len)
			f->len = m->val;
		return 0;
	case MUT_SET8:
	case MUT_XOR8:
		if (mut_offset(f, m, 1, &off))
			return -EINVAL;
		f->buf[off] = m->op == MUT_SET8 ? (__u8)m->val :
						  f->buf[off] ^ (__u8)m->val;
		return 0;
	case MUT_SET16:
		if (mut_offset(f, m, 2, &off))
			return -EINVAL;
		put16(f->buf + off, (__u16)m->val);
		return 0;
	case MUT_IP4_CSUM:
		if (f->l3 != PKT_L3_IP4 ||
		    f->len < f->l3_off + (f->buf[f->l3_off] & 0x0f) * 4u)
			return -EINVAL;
		ip4_set_csum(f->buf + f->l3_off);
		return 0;
	case MUT_IP_LEN_FIT: return ip_len_fit(f);
	case MUT_IP4_FWD_CSUM: return ip4_fwd_csum(f, (__u16)m->val, forwarded);
	case MUT_IP4_CSUM_NEG0:
		if (forwarded)
			return 0;
		if (f->l3 != PKT_L3_IP4 || f->len < f->l3_off + 20 ||
		    f->buf[f->l3_off + 10] || f->buf[f->l3_off + 11])
			return -EINVAL;
		put16(f->buf + f->l3_off + 10, 0xffff);
		return 0;
	}
	return -EINVAL;
}

int pkt_mutate(struct frame *f, const struct pkt_mut *m, bool forwarded)
{
	for (int i = 0; i < PKT_MAX_MUT && m[i].op != MUT_END; i++) {
		int err = mutate_one(f, &m[i], forwarded);

		if (err)
			return err;
	}
	return 0;
}
