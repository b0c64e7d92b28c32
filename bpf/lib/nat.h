/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NAT on top of connection tracking (uapi/sluice/nat.h), in two steps:
 *
 *  - nat_pre(), before the route lookup: a packet of a NATed flow is
 *    rewritten as its binding says (the opener's one way, an answer back
 *    again); a new flow that a DNAT rule names gets its new destination,
 *    so the route lookup sees it;
 *  - nat_post(), after it: a new flow that an SNAT rule of its egress port
 *    names gets a source address and a port nobody's answers use, and a
 *    new NATed flow gets its binding and alias, which its conntrack entry
 *    removes when it expires.
 *
 * Checksums are updated incrementally (RFC 1624): the IPv4 header's here,
 * the L4 one through the context layer (at TC the kernel's helper, which
 * knows the skb's checksum state).  A UDP checksum of zero stays zero.
 */
#ifndef SLUICE_BPF_NAT_H
#define SLUICE_BPF_NAT_H

#include <linux/icmp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/flow_hash.h>
#include <uapi/sluice/nat.h>
#include "ct.h"
#include "l3.h"
#include "nat_maps.h"
#include "pkt.h"
#include "route.h"

/* nat_pending.flags beyond the binding's: set before nat_pre() */
#define NAT_PENDING_LB 0x100   /* a full-NAT VIP's flow: np->lb */
#define NAT_PENDING_MASQ 0x200 /* masquerade whatever the rules say */

/* Ports tried for one new flow before it is refused. */
#define NAT_PORT_TRIES 64

/* A NAT decided for a new flow, bound by nat_post(). */
struct nat_pending {
	__u8 new_src[16];
	__u8 new_dst[16];
	__be16 new_sport;
	__be16 new_dport;
	__u32 flags; /* SLUICE_NATF_SNAT | SLUICE_NATF_DNAT, NAT_PENDING_* */
	/* a full-NAT VIP's backend (the load balancer's pick), when
	 * NAT_PENDING_LB: the destination, and the source masqueraded */
	struct lb_fullnat_pick {
		__u8 addr[16];
		__be16 port;
		__u16 pad;
	} lb;
	/* nat_bind() builds the binding and the alias here, off the stack
	 * (the pending NAT lives in a map, bpf/lib/pkt_state.h) */
	struct sluice_nat_flow bind;
	struct sluice_nat_flow alias;
};

static __always_inline void nat_event(__u32 ev)
{
	__u64 *n = bpf_map_lookup_elem(&nat_events, &ev);

	if (n)
		*n += 1;
}

static __always_inline __u32 nat_csum_add(__u32 a, __u32 b)
{
	__u64 s = (__u64)a + b;

	return (__u32)((s & 0xffffffff) + (s >> 32));
}

/* The IPv4 header's checksum moved by @diff. */
static __always_inline void nat_ip4_csum(struct iphdr *iph, __u32 diff)
{
	__u32 s = (__u16)~iph->check;

	s = nat_csum_add(s, diff);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	iph->check = (__u16)~s;
}

/*
 * Rewrite one side of the packet: its address and its port (ICMP echo:
 * the identifier, which both directions carry in the same place).
 * @dst_side 0 = the source.  @f follows, so the later stages see the
 * packet as it now is.  A function of its own: inlined at each of its
 * call sites, the pipeline's stack would not fit in 512 bytes.
 */
struct nat_side {
	__u8 addr[16];
	__be16 port;
	__u8 dst_side; /* 0: the source */
	__u8 pad;
};

static __always_inline __u64 nat_acc_change(__u64 acc, __u32 old, __u32 new)
{
	return acc + (~old >> 16) + (~old & 0xffff) + (new >> 16) +
	       (new & 0xffff);
}

static __always_inline __u32 nat_acc_fold(__u64 acc)
{
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return (__u32)acc;
}

static __noinline int nat_rewrite(struct __ctx_buff *ctx, struct pkt *p,
				  struct l3_info *f, const struct nat_side *to)
{
	__u32 off = f->l4_off, csum_off = 0, port_off, w;
	int pseudo = 1, udp = 0, have_port = 0;
	__u64 acc = 0;
	__u32 *where;

	if (off > L4_OFF_MAX)
		return SLUICE_DROP_TRUNC_L4;
	port_off = to->dst_side ? 2 : 0;
	if (f->proto == IPPROTO_TCP) {
		csum_off = 16;
		have_port = 1;
	} else if (f->proto == IPPROTO_UDP) {
		csum_off = 6;
		have_port = udp = 1;
	} else if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
		csum_off = 2;
		port_off = 4; /* the echo identifier */
		have_port = 1;
		pseudo = f->proto == IPPROTO_ICMPV6;
	}

	/* the address (and the IPv4 header's checksum), word by word */
	if (f->family == AF_INET) {
		struct iphdr *iph = p->data + p->l3_off;

		if ((void *)(iph + 1) > p->data_end)
			return SLUICE_DROP_TRUNC_IP4;
		where = to->dst_side ? &iph->daddr : &iph->saddr;
		__builtin_memcpy(&w, to->addr, 4);
		acc = nat_acc_change(0, *where, w);
		*where = w;
		nat_ip4_csum(iph, nat_acc_fold(acc));
	} else {
		struct ipv6hdr *ip6 = p->data + p->l3_off;

		if ((void *)(ip6 + 1) > p->data_end)
			return SLUICE_DROP_TRUNC_IP6;
		where = to->dst_side ? (__u32 *)&ip6->daddr :
				       (__u32 *)&ip6->saddr;
#pragma unroll
		for (int i = 0; i < 4; i++) {
			__builtin_memcpy(&w, to->addr + 4 * i, 4);
			acc = nat_acc_change(acc, where[i], w);
			where[i] = w;
		}
	}
	__builtin_memcpy(to->dst_side ? f->dst : f->src, to->addr, 16);
	if (!pseudo)
		acc = 0;

	/* the port, in the packet and in @f */
	if (have_port) {
		__u8 *l4 = p->data + off;
		__u16 *pp;

		if ((void *)(l4 + 8) > p->data_end)
			return SLUICE_DROP_TRUNC_L4;
		pp = (__u16 *)(l4 + (port_off & 7));
		acc = nat_acc_change(acc, *pp, (__u16)to->port);
		/* a 16-bit change in a 32-bit word: the high halves cancel */
		acc -= 0xffff;
		*pp = (__u16)to->port;
		if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) {
			if (to->dst_side)
				f->ports = (f->ports & 0xffff) |
					   ((__u32)(__u16)to->port << 16);
			else
				f->ports = (f->ports & 0xffff0000) |
					   (__u16)to->port;
		}
	}
	if (!csum_off)
		return DP_CONTINUE;
	if (ctx_l4_csum_diff(ctx, p, off + csum_off, nat_acc_fold(acc), pseudo,
			     udp))
		return SLUICE_DROP_ADJUST;
	pkt_reload(p, ctx);
	return DP_CONTINUE;
}

/* nat_rewrite() of one side to @addr and @port. */
static __always_inline int nat_set(struct __ctx_buff *ctx, struct pkt *p,
				   struct l3_info *f, int dst_side,
				   const __u8 *addr, __be16 port)
{
	struct nat_side to = { .port = port, .dst_side = dst_side };

	trace_note_nat(p, dst_side);
	__builtin_memcpy(to.addr, addr, 16);
	return nat_rewrite(ctx, p, f, &to);
}

/* The opener's side of a flow from its conntrack key. */
static __always_inline void nat_orig_side(const struct sluice_ct_key *k,
					  __u8 flags, int dst_side,
					  const __u8 **addr, __be16 *port)
{
	int hi = !!(flags & SLUICE_CTF_ORIG_HI) != dst_side;

	*addr = hi ? k->hi_addr : k->lo_addr;
	*port = hi ? k->hi_port : k->lo_port;
}

/* A packet of a NATed flow: rewritten as its binding says. */
static __always_inline int nat_xlate(struct __ctx_buff *ctx, struct pkt *p,
				     struct l3_info *f, struct ct_pkt *c)
{
	struct sluice_nat_flow *b = bpf_map_lookup_elem(&nat_flows, &c->key);
	const __u8 *addr;
	__be16 port;
	int r = DP_CONTINUE;

	if (!b)
		return DP_CONTINUE; /* released this instant */
	if (!c->dir) {
		if (b->flags & SLUICE_NATF_SNAT)
			r = nat_set(ctx, p, f, 0, b->new_src, b->new_sport);
		if (r == DP_CONTINUE && (b->flags & SLUICE_NATF_DNAT))
			r = nat_set(ctx, p, f, 1, b->new_dst, b->new_dport);
		nat_event(SLUICE_NATE_XLATE_ORIG);
		return r;
	}
	/* an answer: back to the opener's addresses */
	if (b->flags & SLUICE_NATF_SNAT) {
		nat_orig_side(&c->key, c->flags, 0, &addr, &port);
		r = nat_set(ctx, p, f, 1, addr, port);
	}
	if (r == DP_CONTINUE && (b->flags & SLUICE_NATF_DNAT)) {
		nat_orig_side(&c->key, c->flags, 1, &addr, &port);
		r = nat_set(ctx, p, f, 0, addr, port);
	}
	nat_event(SLUICE_NATE_XLATE_REPLY);
	return r;
}

/* ---- ICMP errors about a NATed flow ------------------------------------ */

/* The checksums an ICMP error's translation moves: the quoted IP header's,
 * the quoted L4 header's, the error's own. */
struct nat_icmp_acc {
	__u64 ip;
	__u64 l4;
	__u64 icmp;
};

/* The @nw words at @a (in the packet) are @b's. */
static __always_inline int nat_addr_eq(const __u32 *a, const __u8 *b, __u32 nw)
{
	__u32 w;

	for (__u32 i = 0; i < 4 && i < nw; i++) {
		__builtin_memcpy(&w, b + 4 * i, 4);
		if (a[i] != w)
			return 0;
	}
	return 1;
}

/* One 32-bit word of the quoted packet from @old to @new. */
static __always_inline void nat_icmp_word(struct nat_icmp_acc *a, __u32 *w,
					  __u32 new, int in_pseudo, int in_ip)
{
	__u32 old = *w;

	if (in_ip)
		a->ip = nat_acc_change(a->ip, old, new);
	if (in_pseudo)
		a->l4 = nat_acc_change(a->l4, old, new);
	a->icmp = nat_acc_change(a->icmp, old, new);
	*w = new;
}

/* A 16-bit field of the quoted packet (a port, a checksum). */
static __always_inline void nat_icmp_half(struct nat_icmp_acc *a, __u16 *h,
					  __u16 new, int in_l4)
{
	__u32 old = *h;

	if (in_l4)
		a->l4 = nat_acc_change(a->l4, old, new) - 0xffff;
	a->icmp = nat_acc_change(a->icmp, old, new) - 0xffff;
	*h = new;
}

/* A word of the error's outer address to @w (and @fw, l3_info's copy):
 * the IPv4 header's checksum follows, an ICMPv6 one covers it. */
static __always_inline void nat_icmp_outer(struct pkt *p,
					   struct nat_icmp_acc *a, __u32 *word,
					   __u8 *fw, __u32 w, const __u32 nw)
{
	if (nw == 4) {
		a->icmp = nat_acc_change(a->icmp, *word, w);
	} else {
		struct iphdr *oh = p->data + p->l3_off;

		if ((void *)(oh + 1) <= p->data_end)
			nat_ip4_csum(oh,
				     nat_acc_fold(nat_acc_change(0, *word, w)));
	}
	*word = w;
	__builtin_memcpy(fw, &w, 4);
}

/* A checksum field moved by @acc, its own change into the error's. */
static __always_inline void nat_icmp_csum(struct nat_icmp_acc *a, __u16 *sum,
					  __u64 acc, int udp)
{
	__u32 s, d = nat_acc_fold(acc);

	if (udp && !*sum)
		return; /* no checksum */
	s = (__u16) ~*sum;
	s += (d & 0xffff) + (d >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (__u16)~s;
	if (udp && !s)
		s = 0xffff;
	nat_icmp_half(a, sum, (__u16)s, 0);
}

/*
 * An ICMP error quoting a NATed flow's translated packet (ct_related()
 * found it by the alias): the quoted packet goes back to what its sender
 * sent before NAT, and the error's outer address that was NAT's goes
 * back too: a router on the far side of an SNAT sends the error to the
 * pool address, which becomes the client's; the inner DNATed destination
 * becomes the address the client used.  Every checksum follows: the
 * quoted IP and L4 ones, the error's, the outer IP header's.
 */
static __always_inline int nat_icmp_error_fam(struct __ctx_buff *ctx,
					      struct pkt *p, struct l3_info *f,
					      struct ct_pkt *c, const __u32 nw)
{
	struct sluice_nat_flow *b = bpf_map_lookup_elem(&nat_flows, &c->key);
	struct sluice_ct_entry *e = bpf_map_lookup_elem(&ct, &c->key);
	__u32 off = c->inner_off;
	struct nat_icmp_acc a = {};
	const __u8 *osrc, *odst;
	__be16 osport, odport;
	__u32 *isrc, *idst, *outer_src, *outer_dst, w;
	__u16 *iports, *l4sum = 0;
	__u8 iproto;
	int udp = 0, in_pseudo = 1;

	if (!b || !e || off > L4_OFF_MAX + 8)
		return DP_CONTINUE;
	nat_orig_side(&c->key, e->flags, 0, &osrc, &osport);
	nat_orig_side(&c->key, e->flags, 1, &odst, &odport);
	if (nw == 1) {
		struct iphdr *oh = p->data + p->l3_off;
		struct iphdr *ih = p->data + off;

		if ((void *)(oh + 1) > p->data_end ||
		    (void *)(ih + 1) + 8 > p->data_end)
			return DP_CONTINUE;
		isrc = &ih->saddr;
		idst = &ih->daddr;
		outer_src = &oh->saddr;
		outer_dst = &oh->daddr;
		iproto = ih->protocol;
		iports = (__u16 *)(ih + 1);
	} else {
		struct ipv6hdr *oh = p->data + p->l3_off;
		struct ipv6hdr *ih = p->data + off;

		if ((void *)(oh + 1) > p->data_end ||
		    (void *)(ih + 1) + 8 > p->data_end)
			return DP_CONTINUE;
		isrc = (__u32 *)&ih->saddr;
		idst = (__u32 *)&ih->daddr;
		outer_src = (__u32 *)&oh->saddr;
		outer_dst = (__u32 *)&oh->daddr;
		iproto = ih->nexthdr;
		iports = (__u16 *)(ih + 1);
	}
	if ((void *)(iports + 4) > p->data_end)
		return DP_CONTINUE;
	if (iproto == IPPROTO_UDP) {
		l4sum = iports + 3;
		udp = 1;
	} else if (iproto == IPPROTO_TCP) {
		if ((void *)(iports + 9) <= p->data_end)
			l4sum = iports + 8; /* only if quoted */
	} else if (iproto == IPPROTO_ICMP || iproto == IPPROTO_ICMPV6) {
		l4sum = iports + 1;
		in_pseudo = iproto == IPPROTO_ICMPV6;
	}

	/* the quoted packet's source was SNAT's: the opener's again */
	if ((b->flags & SLUICE_NATF_SNAT) &&
	    nat_addr_eq(isrc, b->new_src, nw)) {
		for (int i = 0; i < 4; i++) {
			if (i >= (int)nw)
				break;
			__builtin_memcpy(&w, osrc + 4 * i, 4);
			/* the outer destination was the pool's */
			if (outer_dst[i] == isrc[i])
				nat_icmp_outer(p, &a, &outer_dst[i],
					       f->dst + 4 * i, w, nw);
			nat_icmp_word(&a, &isrc[i], w, in_pseudo, nw == 1);
		}
		if (iproto == IPPROTO_ICMP || iproto == IPPROTO_ICMPV6)
			nat_icmp_half(&a, iports + 2, (__u16)osport, 1);
		else
			nat_icmp_half(&a, iports, (__u16)osport, 1);
	}
	/* the quoted packet's destination was DNAT's: the one it had */
	if ((b->flags & SLUICE_NATF_DNAT) &&
	    nat_addr_eq(idst, b->new_dst, nw)) {
		for (int i = 0; i < 4; i++) {
			if (i >= (int)nw)
				break;
			__builtin_memcpy(&w, odst + 4 * i, 4);
			/* the inner host itself sent the error: it comes
			 * from the address the client used */
			if (outer_src[i] == idst[i])
				nat_icmp_outer(p, &a, &outer_src[i],
					       f->src + 4 * i, w, nw);
			nat_icmp_word(&a, &idst[i], w, in_pseudo, nw == 1);
		}
		if (iproto == IPPROTO_TCP || iproto == IPPROTO_UDP)
			nat_icmp_half(&a, iports + 1, (__u16)odport, 1);
	}
	if (nw == 1) {
		struct iphdr *ih = p->data + off;

		if ((void *)(ih + 1) <= p->data_end)
			nat_icmp_csum(&a, &ih->check, a.ip, 0);
	}
	if (l4sum && (void *)(l4sum + 1) <= p->data_end)
		nat_icmp_csum(&a, l4sum, a.l4, udp);
	nat_event(SLUICE_NATE_XLATE_ICMP_ERROR);
	/* the error's own checksum: all of the above (an ICMPv6 one also
	 * covers its outer addresses, in a.icmp already) */
	if (ctx_l4_csum_diff(ctx, p, f->l4_off + 2, nat_acc_fold(a.icmp),
			     nw == 4, 0))
		return SLUICE_DROP_ADJUST;
	pkt_reload(p, ctx);
	return DP_CONTINUE;
}

/* One function per family: the address width must be a constant the
 * verifier sees in every branch. */
static __always_inline int nat_icmp_error(struct __ctx_buff *ctx, struct pkt *p,
					  struct l3_info *f, struct ct_pkt *c)
{
	if (f->family == AF_INET)
		return nat_icmp_error_fam(ctx, p, f, c, 1);
	return nat_icmp_error_fam(ctx, p, f, c, 4);
}

/* The ports a new flow's source may take (TCP, UDP), or its echo id. */
static __always_inline __be16 nat_src_port(const struct l3_info *f)
{
	return (__be16)(f->ports & 0xffff);
}

static __always_inline int nat_pre(struct __ctx_buff *ctx, struct pkt *p,
				   struct l3_info *f, struct ct_pkt *c,
				   struct nat_pending *np)
{
	struct sluice_nat_config *cfg;
	struct sluice_dnat_key dk = {};
	struct sluice_dnat *d;
	__u32 zero = 0;
	__be16 to_port;
	int r;

	cfg = bpf_map_lookup_elem(&nat_config, &zero);
	if (!cfg || !cfg->flags)
		return DP_CONTINUE;
	if (c->commit && (np->flags & NAT_PENDING_LB)) {
		/* a full-NAT VIP's new flow: to the backend the load
		 * balancer picked, from our own address */
		__builtin_memcpy(np->new_dst, np->lb.addr, 16);
		np->new_dport = np->lb.port;
		r = nat_set(ctx, p, f, 1, np->lb.addr, np->lb.port);
		if (r != DP_CONTINUE)
			return r;
		np->flags = SLUICE_NATF_DNAT | NAT_PENDING_MASQ;
		return DP_CONTINUE;
	}
	np->flags = 0;
	if (c->hit)
		return (c->flags & SLUICE_CTF_NAT) ? nat_xlate(ctx, p, f, c) :
						     DP_CONTINUE;
	if (c->related_nat)
		return nat_icmp_error(ctx, p, f, c);
	if (!c->commit || !(cfg->flags & SLUICE_NAT_HAS_DNAT))
		return DP_CONTINUE;
	if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		return DP_CONTINUE;
	dk.ifindex = p->in_ifindex;
	dk.family = f->family;
	dk.proto = f->proto;
	dk.dport = (__be16)(f->ports >> 16);
	__builtin_memcpy(dk.daddr, f->dst, 16);
	d = bpf_map_lookup_elem(&nat_dnat, &dk);
	if (!d)
		return DP_CONTINUE;
	to_port = d->to_port ? d->to_port : dk.dport;
	__builtin_memcpy(np->new_dst, d->to_addr, 16);
	np->new_dport = to_port;
	r = nat_set(ctx, p, f, 1, d->to_addr, to_port);
	if (r != DP_CONTINUE)
		return r;
	np->flags = SLUICE_NATF_DNAT;
	return DP_CONTINUE;
}

/* ---- SNAT's port search -------------------------------------------------- */

/* The port search's state: in a per-CPU scratch entry, as the stack
 * of the whole pipeline has no room for it. */
struct nat_try {
	struct sluice_ct_key alias;
	struct sluice_nat_flow val;
	__u8 new_src[16];
	__u8 dst[16];
	__u32 lo, n, start;
	__be16 dport;
	__be16 got; /* the port taken, 0 while none */
	__u8 icmp;
	__u8 proto;
	__u8 family;
	__u8 pad;
	struct sluice_snat_key sk;
	struct sluice_snat masq;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nat_try);
} nat_scratch SEC(".maps");

static long nat_try_port(__u64 i, void *unused)
{
	struct nat_try *t;
	__u32 zero = 0, port;
	__be16 p;

	(void)unused;
	t = bpf_map_lookup_elem(&nat_scratch, &zero);
	if (!t)
		return 1;
	port = t->lo + (t->start + (__u32)i) % (t->n ? t->n : 1);
	p = bpf_htons((__u16)port);
	ct_key_fill(&t->alias, t->new_src, t->dst, p, t->icmp ? p : t->dport,
		    t->proto, t->family);
	/* a flow of the host's own on that tuple keeps it */
	if (bpf_map_lookup_elem(&ct, &t->alias)) {
		nat_event(SLUICE_NATE_PORT_COLLISION);
		return 0;
	}
	t->alias.zone = SLUICE_NAT_ZONE_ALIAS;
	if (bpf_map_update_elem(&nat_flows, &t->alias, &t->val, BPF_NOEXIST)) {
		nat_event(SLUICE_NATE_PORT_COLLISION);
		return 0;
	}
	t->got = p;
	return 1;
}

/* The address of a pool @lo..@hi a source keeps (a hash of it picks). */
static __always_inline void nat_pool_addr(const struct sluice_snat *s,
					  const struct l3_info *f, __u8 *out)
{
	__u32 lo, hi, span, pick;

	__builtin_memcpy(out, s->to_lo, 16);
	/* the pool spans the last 32 bits (a /96 of IPv6 at most) */
	__builtin_memcpy(&lo, s->to_lo + (f->family == AF_INET ? 0 : 12), 4);
	__builtin_memcpy(&hi, s->to_hi + (f->family == AF_INET ? 0 : 12), 4);
	lo = bpf_ntohl(lo);
	hi = bpf_ntohl(hi);
	if (hi <= lo)
		return;
	span = hi - lo + 1;
	pick = span ? sluice_hash_final(
			      sluice_hash_mix(*(const __u32 *)f->src,
					      *(const __u32 *)(f->src + 12))) %
			       span :
		      0;
	pick = bpf_htonl(lo + pick);
	__builtin_memcpy(out + (f->family == AF_INET ? 0 : 12), &pick, 4);
}

/* Drop a new flow NAT could not bind: its entry goes too, so its next
 * packet is new again rather than passed untranslated. */
static __always_inline int nat_refuse(struct ct_pkt *c, __u32 ev, int reason)
{
	struct sluice_ct_entry *e = bpf_map_lookup_elem(&ct, &c->key);

	nat_event(ev);
	if (e)
		ct_retire(&c->key, e, *(volatile __u64 *)ct_word_of(e),
			  SLUICE_CTE_FLUSHED);
	return reason;
}

/* The SNAT rule of @ifindex whose prefix holds @f's source, if any. */
static __always_inline struct sluice_snat *
nat_snat_rule(struct nat_try *t, const struct l3_info *f, __u32 ifindex)
{
	__builtin_memset(&t->sk, 0, sizeof(t->sk));
	t->sk.prefixlen = 64 + (f->family == AF_INET ? 32 : 128);
	t->sk.ifindex = ifindex;
	t->sk.family = f->family;
	__builtin_memcpy(t->sk.src, f->src, 16);
	return bpf_map_lookup_elem(&nat_snat, &t->sk);
}

/* A new flow that only SNAT would translate (no DNAT, no full-NAT VIP)
 * and that an SNAT rule of @ifindex names: TCP, UDP or ICMP echo. */
static __always_inline int nat_snat_would(const struct l3_info *f,
					  __u32 np_flags, __u32 ifindex)
{
	struct nat_try *t;
	__u32 zero = 0;

	if (np_flags & (SLUICE_NATF_DNAT | NAT_PENDING_LB | NAT_PENDING_MASQ))
		return 0;
	if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP &&
	    f->proto != IPPROTO_ICMP && f->proto != IPPROTO_ICMPV6)
		return 0;
	t = bpf_map_lookup_elem(&nat_scratch, &zero);
	return t && nat_snat_rule(t, f, ifindex);
}

/* SNAT for a new flow leaving by @ifindex: a source and a free port.
 * The alias is made here (taking the port), the binding by nat_bind(). */
static __always_inline int nat_snat_new(struct __ctx_buff *ctx, struct pkt *p,
					struct l3_info *f, struct ct_pkt *c,
					struct nat_pending *np, __u32 ifindex)
{
	const struct sluice_iface *out_if;
	struct sluice_snat *s;
	struct nat_try *t;
	__u32 zero = 0;
	__u16 orig;

	t = bpf_map_lookup_elem(&nat_scratch, &zero);
	if (!t)
		return DP_CONTINUE;
	s = nat_snat_rule(t, f, ifindex);
	if (!s) {
		/* hairpin: a DNATed flow sent back out of the port it came
		 * in by is masqueraded, or the inner host would answer the
		 * client directly; and a full-NAT VIP's flow always is */
		if (!(np->flags & NAT_PENDING_MASQ) &&
		    (!(np->flags & SLUICE_NATF_DNAT) ||
		     ifindex != p->in_ifindex))
			return DP_CONTINUE;
		__builtin_memset(&t->masq, 0, sizeof(t->masq));
		t->masq.flags = SLUICE_SNAT_MASQUERADE;
		t->masq.port_lo = 1024;
		t->masq.port_hi = 65535;
		s = &t->masq;
	}
	__builtin_memset(t->new_src, 0, 16);
	t->got = 0;
	if (s->flags & SLUICE_SNAT_MASQUERADE) {
		out_if = port_lookup(ifindex);
		if (!out_if)
			return nat_refuse(c, SLUICE_NATE_NO_ADDRESS,
					  SLUICE_DROP_NAT_NO_ADDRESS);
		if (f->family == AF_INET) {
			if (!*(const __u32 *)out_if->addr4)
				return nat_refuse(c, SLUICE_NATE_NO_ADDRESS,
						  SLUICE_DROP_NAT_NO_ADDRESS);
			__builtin_memcpy(t->new_src, out_if->addr4, 4);
		} else {
			if (!out_if->addr6[0])
				return nat_refuse(c, SLUICE_NATE_NO_ADDRESS,
						  SLUICE_DROP_NAT_NO_ADDRESS);
			__builtin_memcpy(t->new_src, out_if->addr6, 16);
		}
	} else {
		nat_pool_addr(s, f, t->new_src);
	}

	/* the ports: the flow's own first (as Linux), then onwards */
	t->icmp = f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6;
	if (!t->icmp && f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		return DP_CONTINUE; /* other protocols: not translated */
	if (t->icmp) {
		__be16 id = c->from_hi ? c->key.hi_port : c->key.lo_port;

		orig = bpf_ntohs(id);
	} else {
		orig = bpf_ntohs(nat_src_port(f));
	}
	if (t->icmp) {
		/* an echo identifier is no port: any of the 65536, its own
		 * first */
		t->lo = 0;
		t->n = 65536;
		t->start = orig;
	} else {
		t->lo = s->port_lo;
		t->n = (__u32)s->port_hi - s->port_lo + 1;
		if (s->port_hi < s->port_lo || !t->n)
			t->n = 1;
		t->start = (orig >= s->port_lo && orig <= s->port_hi) ?
				   orig - s->port_lo :
				   sluice_hash_final(sluice_hash_mix(
					   orig, *(const __u32 *)f->src)) %
					   t->n;
	}
	__builtin_memcpy(t->dst, f->dst, 16);
	t->dport = (__be16)(f->ports >> 16);
	t->proto = f->proto;
	t->family = f->family;
	__builtin_memset(&t->val, 0, sizeof(t->val));
	t->val.other = c->key;
	t->val.flags = SLUICE_NATF_ALIAS;
	bpf_loop(NAT_PORT_TRIES, nat_try_port, NULL, 0);
	if (!t->got)
		return nat_refuse(c, SLUICE_NATE_PORT_EXHAUSTED,
				  SLUICE_DROP_NAT_NO_PORT);
	np->flags |= SLUICE_NATF_SNAT | SLUICE_NATF_ALIAS;
	__builtin_memcpy(np->new_src, t->new_src, 16);
	np->new_sport = t->got;
	return nat_set(ctx, p, f, 0, np->new_src, np->new_sport);
}

/* The binding of a new NATed flow, its alias, and the entry's flag. */
static __always_inline int nat_bind(struct l3_info *f, struct ct_pkt *c,
				    struct nat_pending *np)
{
	struct sluice_nat_flow *b = &np->bind, *a = &np->alias;
	struct sluice_ct_entry *e;
	__be16 sp, dp;

	__builtin_memset(b, 0, sizeof(*b));
	__builtin_memset(a, 0, sizeof(*a));
	/* the answers' tuple: the packet as it leaves now */
	if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
		sp = (np->flags & SLUICE_NATF_SNAT) ?
			     np->new_sport :
			     (c->from_hi ? c->key.hi_port : c->key.lo_port);
		dp = sp;
	} else {
		sp = (__be16)(f->ports & 0xffff);
		dp = (__be16)(f->ports >> 16);
	}
	ct_key_fill(&b->other, f->src, f->dst, sp, dp, f->proto, f->family);
	b->other.zone = SLUICE_NAT_ZONE_ALIAS;
	if (!(np->flags & SLUICE_NATF_ALIAS)) {
		/* DNAT alone: the alias is made here */
		a->other = c->key;
		a->flags = SLUICE_NATF_ALIAS;
		if (bpf_map_update_elem(&nat_flows, &b->other, a, BPF_NOEXIST))
			return nat_refuse(c, SLUICE_NATE_ALIAS_TAKEN,
					  SLUICE_DROP_NAT_TAKEN);
	}
	__builtin_memcpy(b->new_src, np->new_src, 16);
	__builtin_memcpy(b->new_dst, np->new_dst, 16);
	b->new_sport = np->new_sport;
	b->new_dport = np->new_dport;
	b->flags = np->flags & (SLUICE_NATF_SNAT | SLUICE_NATF_DNAT);
	bpf_map_update_elem(&nat_flows, &c->key, b, BPF_ANY);
	nat_event((np->flags & SLUICE_NATF_SNAT) ? SLUICE_NATE_SNAT_BOUND :
						   SLUICE_NATE_DNAT_BOUND);

	e = bpf_map_lookup_elem(&ct, &c->key);
	if (e) {
		__u64 seen = *(volatile __u64 *)ct_word_of(e);
		struct ct_word w = ct_word_load(seen);

		w.flags |= SLUICE_CTF_NAT;
		__sync_val_compare_and_swap(ct_word_of(e), seen,
					    ct_word_store(w));
	}
	return DP_CONTINUE;
}

/*
 * After the route lookup (@r its answer): SNAT for a new flow that
 * leaves by a port with a rule, then the binding of whatever NAT the
 * flow got.  A DNATed flow is bound even when the route hands it to the
 * kernel (a port forward to the host itself).
 */
static __always_inline int nat_post(struct __ctx_buff *ctx, struct pkt *p,
				    struct l3_info *f, struct ct_pkt *c,
				    struct nat_pending *np, int r)
{
	struct sluice_nat_config *cfg;
	__u32 zero = 0;
	struct hop h;
	int rr;

	if (!c->commit)
		return r;
	cfg = bpf_map_lookup_elem(&nat_config, &zero);
	if (!cfg || !cfg->flags)
		return r;
	if (r == DP_CONTINUE && f->target >= SLUICE_FIB_NHG0 &&
	    ((cfg->flags & SLUICE_NAT_HAS_SNAT) ||
	     (np->flags & SLUICE_NATF_DNAT))) {
		h.nh = NULL;
		rr = resolve_hop(f->target, f->family, f->dst, f, 0, &h);
		if (rr == DP_CONTINUE) {
			rr = nat_snat_new(ctx, p, f, c, np, h.nh->ifindex);
			if (rr != DP_CONTINUE)
				return rr;
		} else if (rr == SLUICE_PASS_NO_NEIGH && h.nh &&
			   nat_snat_would(f, np->flags, h.nh->ifindex)) {
			/* the next hop is not resolved yet: the packet goes
			 * to the kernel as before (which resolves it when it
			 * forwards), but the flow is not recorded untranslated:
			 * its entry goes, so that its next packet is new
			 * again and gets its SNAT */
			return nat_refuse(c, SLUICE_NATE_UNRESOLVED,
					  SLUICE_PASS_NO_NEIGH);
		}
	}
	if (!(np->flags & (SLUICE_NATF_SNAT | SLUICE_NATF_DNAT)))
		return r;
	rr = nat_bind(f, c, np);
	return rr != DP_CONTINUE ? rr : r;
}

#endif
