/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Connection tracking, in two steps around the firewall:
 *
 *  - ct_lookup() finds the packet's entry (both directions find the same
 *    one: the key is canonical, uapi/sluice/ct.h), moves its state on and
 *    says what the packet is to the firewall in l3_info.ct_state: NEW,
 *    ESTABLISHED, RELATED (an ICMP error quoting a tracked flow), INVALID
 *    (a RST, FIN, SYN or ACK that does not fit the state) or UNTRACKED;
 *  - ct_commit() creates the entry of a NEW flow the firewall let through.
 *
 * Entries age out inside the kernel: an entry is due when its last packet
 * is older than its state's timeout, and one BPF timer sweeps the table
 * in slices (ct_sweep_slice(), armed by bpf/sluice_ct.bpf.c).  A timer
 * per entry was the first design; the kernel allocates a BPF timer with
 * kmalloc_nolock(), which fails for most inits under a burst of new
 * flows, so a sweep it is: the packet path only writes a timestamp.
 *
 * The state, flags and class share one 32-bit word that changes only by
 * compare-and-swap: the CPU whose swap wins is the one that moves the
 * per-state gauges, so they stay exact without walking the table.
 */
#ifndef SLUICE_BPF_CT_H
#define SLUICE_BPF_CT_H

#include <linux/errno.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/ct.h>
#include "clock.h"
#include "ct_maps.h"
#include "l3.h"
#include "nat_maps.h"
#include "pkt.h"

#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC 1
#endif

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_RST 0x04

#define CT_NS 1000000000ULL

/* What ct_lookup() found, for ct_commit() and NAT. */
struct ct_pkt {
	struct sluice_ct_key key; /* the flow's (an answer found by its NAT
				   * alias: the flow the alias names) */
	__u8 commit;  /* NEW: create the entry if the packet goes on */
	__u8 state;   /* the new entry's state */
	__u8 flags;   /* the new entry's flags; a hit: the entry's */
	__u8 pclass;  /* SLUICE_CT_P_* */
	__u8 hit;     /* an entry was found and moved on */
	__u8 dir;     /* a hit: 0 from the opener, 1 an answer */
	__u8 from_hi; /* the packet's source is the key's hi side */
	__u8 pad;
	__u8 inner_src[16]; /* ct_related()'s: the quoted packet's */
	__u8 inner_dst[16];
	__u16 inner_off;  /* ct_related(): where the quoted header is */
	__u8 related_nat; /* ct_related() found it through a NAT alias */
	__u8 pad2;
};

/* The state word: the 8 bytes from in_ifindex to pad (sluice_ct_entry),
 * swapped whole: the BPF ISA this builds for has 64-bit cmpxchg only.
 * in_ifindex never changes after the entry is made. */
struct ct_word {
	__u32 in_ifindex;
	__u8 state;
	__u8 flags;
	__u8 pclass;
	__u8 pad;
};

static __always_inline __u64 *ct_word_of(struct sluice_ct_entry *e)
{
	return (__u64 *)&e->in_ifindex;
}

static __always_inline struct ct_word ct_word_load(__u64 v)
{
	struct ct_word w;

	__builtin_memcpy(&w, &v, sizeof(w));
	return w;
}

static __always_inline __u64 ct_word_store(struct ct_word w)
{
	__u64 v;

	__builtin_memcpy(&v, &w, sizeof(v));
	return v;
}

static __always_inline void ct_event(__u32 ev)
{
	__u64 *n = bpf_map_lookup_elem(&ct_events, &ev);

	if (n)
		*n += 1;
}

static __always_inline void ct_gauge(__u8 pclass, __u8 state, __s64 d)
{
	__u32 k = (__u32)pclass * SLUICE_CT_NSTATES + state;
	__s64 *g;

	if (pclass >= SLUICE_CT_NPROTO || state >= SLUICE_CT_NSTATES)
		return;
	g = bpf_map_lookup_elem(&ct_gauges, &k);
	if (g)
		*g += d;
}

static __always_inline __u64 ct_timeout_ns(const struct sluice_ct_config *cfg,
					   __u8 state)
{
	__u32 i = state;

	/* the compiler knows the states fit and drops a mask the verifier
	 * needs: make it forget first */
	asm volatile("" : "+r"(i));
	return (__u64)cfg->timeout[i & 0xf] * CT_NS;
}

static __always_inline int ct_embryonic_state(__u8 state)
{
	return state == SLUICE_CT_SYN_SENT || state == SLUICE_CT_SYN_RECV ||
	       state == SLUICE_CT_UNREPLIED;
}

/* A NATed flow's binding and alias go with it: its port is free again. */
static __always_inline void ct_nat_release(struct sluice_ct_key *key)
{
	struct sluice_nat_flow *b = bpf_map_lookup_elem(&nat_flows, key);
	__u32 ev = SLUICE_NATE_RELEASED;
	__u64 *n;

	if (!b)
		return;
	bpf_map_delete_elem(&nat_flows, &b->other);
	bpf_map_delete_elem(&nat_flows, key);
	n = bpf_map_lookup_elem(&nat_events, &ev);
	if (n)
		*n += 1;
}

/* Take an entry out: the CPU whose swap to NONE wins does the accounting
 * and the delete, so an entry is never counted out twice. */
static __always_inline int ct_retire(struct sluice_ct_key *key,
				     struct sluice_ct_entry *e, __u64 seen,
				     __u32 ev)
{
	struct ct_word w = ct_word_load(seen), gone = w;

	gone.state = SLUICE_CT_NONE;
	if (__sync_val_compare_and_swap(ct_word_of(e), seen,
					ct_word_store(gone)) != seen)
		return -1;
	ct_gauge(w.pclass, w.state, -1);
	ct_event(ev);
	if (w.flags & SLUICE_CTF_NAT)
		ct_nat_release(key);
	bpf_map_delete_elem(&ct, key);
	return 0;
}

/* Fill @k canonically; 1 when the packet's source is the "hi" side. */
static __always_inline int ct_key_fill(struct sluice_ct_key *k, const __u8 *src,
				       const __u8 *dst, __be16 sport,
				       __be16 dport, __u8 proto, __u8 family)
{
	int from_hi = 0, decided = 0;

	/* word by word from where the addresses are: no copies on the
	 * stack, which every stage calling this shares */
#pragma unroll
	for (int i = 0; i < 4; i++) {
		__u32 s = bpf_ntohl(((const __u32 *)src)[i]);
		__u32 d = bpf_ntohl(((const __u32 *)dst)[i]);

		if (!decided && s != d) {
			from_hi = s > d;
			decided = 1;
		}
	}
	if (!decided)
		from_hi = bpf_ntohs(sport) > bpf_ntohs(dport);
	__builtin_memcpy(k->lo_addr, from_hi ? dst : src, 16);
	__builtin_memcpy(k->hi_addr, from_hi ? src : dst, 16);
	k->lo_port = from_hi ? dport : sport;
	k->hi_port = from_hi ? sport : dport;
	k->proto = proto;
	k->family = family;
	k->zone = 0;
	return from_hi;
}

#define CT_INVALID 0xff /* ct_tcp_next(): the packet does not fit */

/*
 * The TCP state machine without windows (docs/stateful.md): what the
 * packet's flags do to the entry seen from direction @dir (0 = from the
 * opener).  Returns the new state, or CT_INVALID with *ev set.
 */
static __always_inline __u8 ct_tcp_next(__u8 state, __u8 *flags, int dir,
					__u8 tf, __u32 *ev)
{
	__u8 fin_me = dir ? SLUICE_CTF_FIN_REPL : SLUICE_CTF_FIN_ORIG;

	if (tf & TCP_FLAG_RST) {
		if (state == SLUICE_CT_CLOSE) {
			*ev = SLUICE_CTE_INVALID_RST;
			return CT_INVALID;
		}
		return SLUICE_CT_CLOSE;
	}
	if ((tf & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN) {
		if (state == SLUICE_CT_SYN_SENT)
			return dir ? SLUICE_CT_SYN_RECV : state;
		if (state == SLUICE_CT_TIME_WAIT || state == SLUICE_CT_CLOSE)
			return SLUICE_CT_SYN_SENT; /* reopened: see caller */
		*ev = SLUICE_CTE_INVALID_SYN;
		return CT_INVALID;
	}
	if (tf & TCP_FLAG_SYN) { /* SYN+ACK: from the answering side */
		if (dir && (state == SLUICE_CT_SYN_SENT ||
			    state == SLUICE_CT_SYN_RECV ||
			    state == SLUICE_CT_ESTABLISHED))
			return state == SLUICE_CT_ESTABLISHED ?
				       state :
				       SLUICE_CT_SYN_RECV;
		*ev = SLUICE_CTE_INVALID_SYN;
		return CT_INVALID;
	}
	if (tf & TCP_FLAG_FIN) {
		switch (state) {
		case SLUICE_CT_SYN_RECV:
		case SLUICE_CT_ESTABLISHED:
			*flags |= fin_me;
			return SLUICE_CT_FIN_WAIT;
		case SLUICE_CT_FIN_WAIT:
		case SLUICE_CT_CLOSE_WAIT:
			if (*flags & fin_me)
				return state; /* retransmitted */
			*flags |= fin_me;
			return SLUICE_CT_LAST_ACK;
		case SLUICE_CT_LAST_ACK:
		case SLUICE_CT_TIME_WAIT: return state;
		default: *ev = SLUICE_CTE_INVALID_FIN; return CT_INVALID;
		}
	}
	/* a plain ACK */
	switch (state) {
	case SLUICE_CT_SYN_RECV: return dir ? state : SLUICE_CT_ESTABLISHED;
	case SLUICE_CT_FIN_WAIT:
		return (*flags & fin_me) ? state : SLUICE_CT_CLOSE_WAIT;
	case SLUICE_CT_LAST_ACK: return SLUICE_CT_TIME_WAIT;
	case SLUICE_CT_ESTABLISHED:
	case SLUICE_CT_CLOSE_WAIT:
	case SLUICE_CT_TIME_WAIT: return state;
	default: /* SYN_SENT before any answer, CLOSE */
		*ev = SLUICE_CTE_INVALID_ACK;
		return CT_INVALID;
	}
}

static __always_inline __u8 ct_pclass(__u8 proto)
{
	if (proto == IPPROTO_TCP)
		return SLUICE_CT_P_TCP;
	if (proto == IPPROTO_UDP)
		return SLUICE_CT_P_UDP;
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
		return SLUICE_CT_P_ICMP;
	return SLUICE_CT_P_OTHER;
}

/* ICMP kinds ct_icmp() tells apart. */
#define CT_ICMP_OTHER 0 /* untracked (timestamp, router ads, ...) */
#define CT_ICMP_REQUEST 1
#define CT_ICMP_REPLY 2
#define CT_ICMP_ERROR 3

static __always_inline int ct_icmp_kind(__u8 family, __u8 type)
{
	if (family == AF_INET) {
		if (type == ICMP_ECHO)
			return CT_ICMP_REQUEST;
		if (type == ICMP_ECHOREPLY)
			return CT_ICMP_REPLY;
		if (type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
		    type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB)
			return CT_ICMP_ERROR;
		return CT_ICMP_OTHER;
	}
	if (type == ICMPV6_ECHO_REQUEST)
		return CT_ICMP_REQUEST;
	if (type == ICMPV6_ECHO_REPLY)
		return CT_ICMP_REPLY;
	if (type >= ICMPV6_DEST_UNREACH && type <= ICMPV6_PARAMPROB)
		return CT_ICMP_ERROR;
	return CT_ICMP_OTHER;
}

/* Any NAT rule at all: answers may come with a tuple of their own. */
static __always_inline int ct_nat_active(void)
{
	struct sluice_nat_config *nc;
	__u32 zero = 0;

	nc = bpf_map_lookup_elem(&nat_config, &zero);
	return nc && nc->flags;
}

/*
 * An ICMP error: the flow it quotes (the inner header and 8 bytes of its
 * L4 header) is looked up; found means RELATED.  Inner headers with
 * options or extension headers are not followed: INVALID.
 */
static __always_inline void ct_related(struct pkt *p, struct l3_info *f,
				       struct ct_pkt *c, void *inner)
{
	__u8 *src = c->inner_src, *dst = c->inner_dst;
	__u8 proto, family = f->family;
	__be16 sport, dport;
	__u8 *l4;

	if (family == AF_INET) {
		struct iphdr *ih = inner;

		if ((void *)(ih + 1) + 8 > p->data_end || ih->ihl != 5)
			goto invalid;
		proto = ih->protocol;
		__builtin_memset(src, 0, 16);
		__builtin_memset(dst, 0, 16);
		__builtin_memcpy(src, &ih->saddr, 4);
		__builtin_memcpy(dst, &ih->daddr, 4);
		l4 = (void *)(ih + 1);
	} else {
		struct ipv6hdr *ih = inner;

		if ((void *)(ih + 1) + 8 > p->data_end)
			goto invalid;
		proto = ih->nexthdr;
		__builtin_memcpy(src, &ih->saddr, 16);
		__builtin_memcpy(dst, &ih->daddr, 16);
		l4 = (void *)(ih + 1);
	}
	if ((void *)l4 + 8 > p->data_end)
		goto invalid;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		__builtin_memcpy(&sport, l4, 2);
		__builtin_memcpy(&dport, l4 + 2, 2);
	} else if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		__builtin_memcpy(&sport, l4 + 4, 2); /* echo identifier */
		dport = sport;
	} else {
		sport = dport = 0;
	}
	ct_key_fill(&c->key, src, dst, sport, dport, proto, family);
	c->inner_off = (__u16)((void *)inner - p->data);
	if (bpf_map_lookup_elem(&ct, &c->key)) {
		f->ct_state = SLUICE_CTM_RELATED;
		ct_event(SLUICE_CTE_RELATED);
		return;
	}
	/* about a NATed flow: the quoted packet is a translated one */
	if (ct_nat_active()) {
		struct sluice_nat_flow *a;

		c->key.zone = SLUICE_NAT_ZONE_ALIAS;
		a = bpf_map_lookup_elem(&nat_flows, &c->key);
		c->key.zone = 0;
		if (a && (a->flags & SLUICE_NATF_ALIAS) &&
		    bpf_map_lookup_elem(&ct, &a->other)) {
			c->key = a->other;
			c->related_nat = 1;
			f->ct_state = SLUICE_CTM_RELATED;
			ct_event(SLUICE_CTE_RELATED);
			return;
		}
	}
invalid:
	f->ct_state = SLUICE_CTM_INVALID;
	ct_event(SLUICE_CTE_INVALID_NO_ENTRY);
}

/* A new flow: what its entry will be, or INVALID for what cannot open one
 * (a RST, an echo reply, an ICMP error nothing matches). */
static __always_inline void ct_first(struct l3_info *f, struct ct_pkt *c,
				     int icmp_kind, int from_hi)
{
	c->pclass = ct_pclass(f->proto);
	c->flags = from_hi ? SLUICE_CTF_ORIG_HI : 0;
	if (c->pclass == SLUICE_CT_P_TCP) {
		if (f->tcp_flags & TCP_FLAG_RST)
			goto invalid;
		if ((f->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) ==
		    TCP_FLAG_SYN) {
			c->state = SLUICE_CT_SYN_SENT;
		} else if (f->tcp_flags & TCP_FLAG_SYN) {
			goto invalid; /* a SYN+ACK nobody asked for */
		} else {
			/* mid-stream (an entry flushed, or older than us):
			 * picked up as established, as Linux does */
			c->state = SLUICE_CT_ESTABLISHED;
			c->flags |= SLUICE_CTF_PICKUP;
		}
	} else if (c->pclass == SLUICE_CT_P_ICMP &&
		   icmp_kind == CT_ICMP_REPLY) {
		goto invalid;
	} else {
		c->state = SLUICE_CT_UNREPLIED;
	}
	c->commit = 1;
	f->ct_state = SLUICE_CTM_NEW;
	return;
invalid:
	f->ct_state = SLUICE_CTM_INVALID;
	ct_event(SLUICE_CTE_INVALID_NO_ENTRY);
}

/* A packet of a known flow: counters, state, deadline. */
static __always_inline void ct_update(struct pkt *p, struct l3_info *f,
				      const struct sluice_ct_config *cfg,
				      struct sluice_ct_entry *e, int from_hi,
				      int alias, struct ct_pkt *c)
{
	__u64 seen = *(volatile __u64 *)ct_word_of(e), next;
	struct ct_word w = ct_word_load(seen), nw;
	__u64 now = clock_tick_ns(); /* timeouts count in seconds */
	__u8 state, flags;
	__u32 ev = 0;
	int dir;

	if (w.state == SLUICE_CT_NONE) { /* being removed right now */
		f->ct_state = SLUICE_CTM_INVALID;
		return;
	}
	/* an answer found through its NAT alias is an answer, whatever
	 * its (translated) addresses say */
	dir = alias ? 1 : (!!(w.flags & SLUICE_CTF_ORIG_HI) != from_hi);
	dir &= 1;
	c->hit = 1;
	c->dir = dir;
	c->flags = w.flags;
	e->packets[dir] += 1;
	e->bytes[dir] += p->len;
	e->last_seen_ns = now;

	flags = w.flags;
	if (dir)
		flags |= SLUICE_CTF_REPLIED;
	if (w.pclass == SLUICE_CT_P_TCP) {
		state = ct_tcp_next(w.state, &flags, dir, f->tcp_flags, &ev);
		if (state == CT_INVALID) {
			f->ct_state = SLUICE_CTM_INVALID;
			ct_event(ev);
			return;
		}
		if (state == SLUICE_CT_SYN_SENT && w.state != state) {
			/* reopened after TIME_WAIT/CLOSE, maybe from the
			 * other side: a new connection on the same tuple
			 * (a NATed one keeps its binding and opener) */
			if (w.flags & SLUICE_CTF_NAT) {
				f->ct_state = SLUICE_CTM_INVALID;
				ct_event(SLUICE_CTE_INVALID_SYN);
				return;
			}
			flags = from_hi ? SLUICE_CTF_ORIG_HI : 0;
			dir = 0;
			ct_event(SLUICE_CTE_REOPENED);
		}
	} else {
		state = (flags & SLUICE_CTF_REPLIED) ? SLUICE_CT_REPLIED :
						       SLUICE_CT_UNREPLIED;
	}
	f->ct_state = (dir || (flags & SLUICE_CTF_REPLIED)) ?
			      SLUICE_CTM_ESTABLISHED :
			      SLUICE_CTM_NEW;
	if (state == w.state && flags == w.flags)
		return;
	nw = w;
	nw.state = state;
	nw.flags = flags;
	next = ct_word_store(nw);
	if (__sync_val_compare_and_swap(ct_word_of(e), seen, next) != seen)
		return; /* another CPU moved it first: it keeps its move */
	if (state != w.state) {
		ct_gauge(w.pclass, w.state, -1);
		ct_gauge(w.pclass, state, 1);
	}
}

/* Tracking is on (the entry points skip the stateful half when not). */
static __always_inline int ct_on(void)
{
	struct sluice_ct_config *cfg;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&ct_config, &zero);
	return cfg && cfg->enabled;
}

/* @untracked: the hook leaves this packet out (a direct-server-return
 * VIP's at XDP: chain.h's ct_bypass()), as if tracking were off. */
static __always_inline int ct_lookup(struct pkt *p, struct l3_info *f,
				     struct ct_pkt *c, int untracked)
{
	__u32 zero = 0, off = f->l4_off;
	struct sluice_ct_config *cfg;
	struct sluice_ct_entry *e;
	__be16 sport = 0, dport = 0;
	int icmp_kind = CT_ICMP_OTHER, from_hi;

	c->commit = 0;
	c->hit = 0;
	c->related_nat = 0;
	cfg = bpf_map_lookup_elem(&ct_config, &zero);
	if (!cfg || !cfg->enabled || untracked) {
		f->ct_state = SLUICE_CTM_UNTRACKED;
		return DP_CONTINUE;
	}
	if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) {
		sport = (__be16)(f->ports & 0xffff);
		dport = (__be16)(f->ports >> 16);
	} else if ((f->proto == IPPROTO_ICMP && f->family == AF_INET) ||
		   (f->proto == IPPROTO_ICMPV6 && f->family == AF_INET6)) {
		__u8 *ic;

		if (off > L4_OFF_MAX)
			return SLUICE_DROP_TRUNC_L4;
		ic = p->data + off;
		if ((void *)(ic + 8) > p->data_end)
			return SLUICE_DROP_TRUNC_L4;
		icmp_kind = ct_icmp_kind(f->family, ic[0]);
		if (icmp_kind == CT_ICMP_OTHER) {
			f->ct_state = SLUICE_CTM_UNTRACKED;
			return DP_CONTINUE;
		}
		if (icmp_kind == CT_ICMP_ERROR) {
			ct_related(p, f, c, ic + 8);
			return DP_CONTINUE;
		}
		__builtin_memcpy(&sport, ic + 4, 2);
		dport = sport;
	}
	from_hi = ct_key_fill(&c->key, f->src, f->dst, sport, dport, f->proto,
			      f->family);
	c->from_hi = from_hi;
	e = bpf_map_lookup_elem(&ct, &c->key);
	if (e) {
		ct_update(p, f, cfg, e, from_hi, 0, c);
		return DP_CONTINUE;
	}
	if (ct_nat_active()) {
		struct sluice_nat_flow *a;

		c->key.zone = SLUICE_NAT_ZONE_ALIAS;
		a = bpf_map_lookup_elem(&nat_flows, &c->key);
		c->key.zone = 0;
		if (a && (a->flags & SLUICE_NATF_ALIAS)) {
			c->key = a->other;
			e = bpf_map_lookup_elem(&ct, &c->key);
			if (e) {
				ct_update(p, f, cfg, e, from_hi, 1, c);
				return DP_CONTINUE;
			}
		}
	}
	ct_first(f, c, icmp_kind, from_hi);
	return DP_CONTINUE;
}

/* One slot of the embryonic ring: 1 (stop) once an entry went. */
static long ct_evict_slot(__u64 i, int *evicted)
{
	struct ct_embryonic_ring *r;
	struct sluice_ct_entry *e;
	__u32 zero = 0, slot;
	__u64 seen;

	r = bpf_map_lookup_elem(&ct_embryonic, &zero);
	if (!r)
		return 1;
	slot = (r->head + (__u32)i) % CT_EMBRYONIC_RING;
	e = bpf_map_lookup_elem(&ct, &r->keys[slot]);
	if (!e)
		return 0; /* gone since */
	seen = *(volatile __u64 *)ct_word_of(e);
	if (!ct_embryonic_state(ct_word_load(seen).state))
		return 0;
	if (ct_retire(&r->keys[slot], e, seen, SLUICE_CTE_EVICTED_EMBRYONIC))
		return 0;
	*evicted = 1;
	return 1;
}

/* The table is full: evict the oldest half-open or unreplied entry this
 * CPU made that is still so.  1 when one went.  Only a full table pays
 * for this walk. */
static __always_inline int ct_evict_embryonic(void)
{
	int evicted = 0;

	bpf_loop(CT_EMBRYONIC_RING, ct_evict_slot, &evicted, 0);
	return evicted;
}

static __always_inline void ct_embryonic_push(const struct sluice_ct_key *k)
{
	struct ct_embryonic_ring *r;
	__u32 zero = 0, slot;

	r = bpf_map_lookup_elem(&ct_embryonic, &zero);
	if (!r)
		return;
	slot = r->head % CT_EMBRYONIC_RING;
	r->keys[slot] = *k;
	r->head = slot + 1;
}

/* Create @c's entry. */
static __always_inline int ct_create(struct pkt *p, struct ct_pkt *c,
				     const struct sluice_ct_config *cfg)
{
	struct sluice_ct_entry *v;
	__u64 now = clock_tick_ns(); /* timeouts count in seconds */
	__u32 zero = 0;
	long err;

	v = bpf_map_lookup_elem(&ct_new, &zero);
	if (!v)
		return 0;
	__builtin_memset(v, 0, sizeof(*v));
	(void)cfg;
	v->created_ns = now;
	v->last_seen_ns = now;
	v->packets[0] = 1;
	v->bytes[0] = p->len;
	v->in_ifindex = p->in_ifindex;
	v->state = c->state;
	v->flags = c->flags;
	v->pclass = c->pclass;
	err = bpf_map_update_elem(&ct, &c->key, v, BPF_NOEXIST);
	if (err == -E2BIG && ct_evict_embryonic())
		err = bpf_map_update_elem(&ct, &c->key, v, BPF_NOEXIST);
	if (err == -EEXIST) {
		ct_event(SLUICE_CTE_RACE);
		return 0;
	}
	if (err) {
		ct_event(err == -E2BIG ? SLUICE_CTE_INSERT_FAIL_FULL :
					 SLUICE_CTE_INSERT_FAIL_OTHER);
		return err;
	}
	ct_gauge(c->pclass, c->state, 1);
	ct_event(SLUICE_CTE_CREATED);
	if (ct_embryonic_state(c->state))
		ct_embryonic_push(&c->key);
	return 0;
}

/* After the firewall: a NEW flow it let through gets its entry.  A full
 * table with nothing half-open to evict refuses the new flow (counted);
 * established flows go on. */
static __always_inline int ct_commit(struct pkt *p, struct ct_pkt *c)
{
	struct sluice_ct_config *cfg;
	__u32 zero = 0;

	if (!c->commit)
		return DP_CONTINUE;
	cfg = bpf_map_lookup_elem(&ct_config, &zero);
	if (!cfg)
		return DP_CONTINUE;
	if (ct_create(p, c, cfg) == -E2BIG)
		return SLUICE_DROP_CT_FULL;
	return DP_CONTINUE;
}

#endif
