/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The stateful firewall stage: the packet against its interface's compiled
 * rule set for one direction (uapi/sluice/fw.h).  Each match dimension the
 * set uses is one lookup giving the bitmap of the rules that match in it;
 * the bitmaps are ANDed (their summaries first, then only the words they
 * share) and the lowest set bit is the first matching rule.  The cost is
 * the same for 10 rules or 10,000 in the common cases, and one array
 * lookup (fw_ports) when the interface has no rules.
 *
 * "in" runs after the conntrack lookup (l3_info.ct_state), "out" once the
 * route has named the egress port.  Accept continues the pipeline, drop
 * and reject decide the packet; every decision is counted per rule.
 */
#ifndef SLUICE_BPF_FW_H
#define SLUICE_BPF_FW_H

#include <linux/in.h>
#include <uapi/sluice/ct.h>
#include "fw_maps.h"
#include "fw_reject.h"
#include "l3.h"
#include "pkt.h"
#include "trace_note.h"

/* Index of the lowest set bit of @x (not 0), without branches: BPF has
 * no ctz, and a branch per step multiplies the verifier's states. */
static const volatile __u8 fw_debruijn[64] = {
	0,  1,	2,  53, 3,  7,	54, 27, 4,  38, 41, 8,	34, 55, 48, 28,
	62, 5,	39, 46, 44, 42, 22, 9,	24, 35, 59, 56, 49, 18, 29, 11,
	63, 52, 6,  26, 37, 40, 33, 47, 61, 45, 43, 21, 23, 58, 17, 10,
	51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12,
};

static __always_inline __u32 fw_ctz64(__u64 x)
{
	return fw_debruijn[((x & -x) * 0x022fdd63cc95386dULL) >> 58];
}

static __always_inline __u32 fw_class(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP: return SLUICE_FW_P_TCP;
	case IPPROTO_UDP: return SLUICE_FW_P_UDP;
	case IPPROTO_ICMP: return SLUICE_FW_P_ICMP;
	case IPPROTO_ICMPV6: return SLUICE_FW_P_ICMPV6;
	default: return SLUICE_FW_P_OTHER;
	}
}

/* The ct state's bit number; 0 (conntrack did not run) is UNTRACKED. */
static __always_inline __u32 fw_state(__u8 ct)
{
	if (!ct || ct & SLUICE_CTM_UNTRACKED)
		return 4;
	if (ct & SLUICE_CTM_NEW)
		return 0;
	if (ct & SLUICE_CTM_ESTABLISHED)
		return 1;
	if (ct & SLUICE_CTM_RELATED)
		return 2;
	return 3; /* INVALID */
}

/* The prefix dimension @dim of set @set for @addr; NULL: no rule matches. */
static __always_inline const struct sluice_fw_bits *
fw_prefix(__u32 set, __u32 dim, __u8 family, const __u8 *addr)
{
	if (family == AF_INET) {
		struct sluice_fw_lpm4_key k = { .prefixlen = 64,
						.tag = set << 1 | dim };

		__builtin_memcpy(k.addr, addr, 4);
		return bpf_map_lookup_elem(&fw_lpm4, &k);
	} else {
		struct sluice_fw_lpm6_key k = { .prefixlen = 160,
						.tag = set << 1 | dim };

		__builtin_memcpy(k.addr, addr, 16);
		return bpf_map_lookup_elem(&fw_lpm6, &k);
	}
}

static __always_inline const struct sluice_fw_bits *
fw_port(__u32 set, __u32 dim, __be16 port)
{
	struct sluice_fw_port_key k = { .prefixlen = 48,
					.tag = set << 1 | dim,
					.port = port };

	return bpf_map_lookup_elem(&fw_lpm_port, &k);
}

/* Is @addr in named set @nset? */
static __always_inline int fw_in_nset(__u32 nset, __u8 family, const __u8 *addr)
{
	if (family == AF_INET) {
		struct sluice_fw_nset4_key k = { .prefixlen = 64,
						 .nset = nset };

		__builtin_memcpy(k.addr, addr, 4);
		return bpf_map_lookup_elem(&fw_nset4, &k) != NULL;
	} else {
		struct sluice_fw_nset6_key k = { .prefixlen = 160,
						 .nset = nset };

		__builtin_memcpy(k.addr, addr, 16);
		return bpf_map_lookup_elem(&fw_nset6, &k) != NULL;
	}
}

static __always_inline void fw_count(__u32 counter, __u32 len)
{
	struct sluice_counter *c = bpf_map_lookup_elem(&fw_counters, &counter);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

/* What classification needs of a packet, copied out of it. */
struct fw_query {
	__u32 set;
	__u8 family;
	__u8 proto;
	__u8 ct_state;
	__u8 pad;
	__be16 sport;
	__be16 dport; /* the ICMP type for ICMP and ICMPv6 */
	__u8 src[16];
	__u8 dst[16];
};

/*
 * The lowest rule that @ps (protocol x state, without the rules of the
 * named sets the packet is not in), @src, @dst, @sp and @dp all hold
 * (@ps stands in for a dimension the set does not use), or -1.  The
 * summaries are ANDed first, then only the words they share are read,
 * lowest first, stopping at the first match (uapi/sluice/fw.h).
 *
 * A global function: to the verifier its arguments are memory of one
 * size whichever map holds them, so the word loop is checked once and
 * not once for each mix of maps (v4 or v6 trie, stand-in or not).  It
 * calls nothing, so its arguments stay in registers: the stack the
 * pipeline leaves is small.
 */
__attribute__((noinline)) int fw_first(const struct sluice_fw_bits *ps,
				       const struct sluice_fw_bits *src,
				       const struct sluice_fw_bits *dst,
				       const struct sluice_fw_bits *sp,
				       const struct sluice_fw_bits *dp)
{
	if (!ps || !src || !dst || !sp || !dp)
		return -1;
#pragma clang loop unroll(disable)
	for (int j = 0; j < SLUICE_FW_SUMMARY; j++) {
		__u64 m = ps->sum[j] & src->sum[j] & dst->sum[j] & sp->sum[j] &
			  dp->sum[j];

		for (int t = 0; t < 64 && m; t++) {
			__u32 i = (j * 64 + fw_ctz64(m)) &
				  (SLUICE_FW_WORDS - 1);
			__u64 w = ps->w[i] & src->w[i] & dst->w[i] & sp->w[i] &
				  dp->w[i];

			if (w)
				return (int)(i * 64 + fw_ctz64(w));
			m &= m - 1;
		}
	}
	return -1;
}

/*
 * The first rule of set @q->set that matches, or -1: one lookup per
 * dimension the set uses, then fw_first().  A global function: the
 * verifier checks it once on its own, rather than once for every path of
 * the pipeline that reaches the firewall (twice: in and out), which
 * multiplied its states past the program size limit.
 */
__attribute__((noinline)) int fw_match(const struct fw_query *q)
{
	const struct sluice_fw_bits *ps, *src, *dst, *sp, *dp;
	const struct sluice_fw_set *s;
	__u32 k, set, miss = 0;

	if (!q)
		return -1;
	set = q->set;
	s = bpf_map_lookup_elem(&fw_sets, &set);
	if (!s || set >= SLUICE_FW_MAX_SETS)
		return -1;
		/* the named sets the address is not in: their rules are out */
#pragma unroll
	for (int r = 0; r < SLUICE_FW_MAX_REFS; r++)
		if (r < s->nrefs &&
		    !fw_in_nset(s->refs[r].nset, q->family,
				s->refs[r].dim == SLUICE_FW_DIM_SRC ? q->src :
								      q->dst))
			miss |= 1u << r;
	k = set * (SLUICE_FW_NCLASS * SLUICE_FW_NSTATE) +
	    fw_class(q->proto) * SLUICE_FW_NSTATE + fw_state(q->ct_state);
	if (miss) {
		k = k * SLUICE_FW_MISS + miss;
		ps = bpf_map_lookup_elem(&fw_psx, &k);
	} else {
		ps = bpf_map_lookup_elem(&fw_ps, &k);
	}
	if (!ps)
		return -1;
	/* a dimension's lookup without an entry: no rule matches in it */
	src = dst = sp = dp = ps;
	if (s->dims & SLUICE_FW_D_SRC) {
		src = fw_prefix(set, SLUICE_FW_DIM_SRC, q->family, q->src);
		if (!src)
			return -1;
	}
	if (s->dims & SLUICE_FW_D_DST) {
		dst = fw_prefix(set, SLUICE_FW_DIM_DST, q->family, q->dst);
		if (!dst)
			return -1;
	}
	if (s->dims & SLUICE_FW_D_SPORT) {
		sp = fw_port(set, 0, q->sport);
		if (!sp)
			return -1;
	}
	if (s->dims & SLUICE_FW_D_DPORT) {
		dp = fw_port(set, 1, q->dport);
		if (!dp)
			return -1;
	}
	return fw_first(ps, src, dst, sp, dp);
}

/* The query for @f; DP_CONTINUE or a drop reason. */
static __always_inline int fw_query_of(struct pkt *p, struct l3_info *f,
				       __u32 set, struct fw_query *q)
{
	q->set = set;
	q->family = f->family;
	q->proto = f->proto;
	q->ct_state = f->ct_state;
	q->sport = (__be16)f->ports;
	q->dport = (__be16)(f->ports >> 16);
	__builtin_memcpy(q->src, f->src, 16);
	__builtin_memcpy(q->dst, f->dst, 16);
	if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
		__u8 *t = p->data + (f->l4_off & 0x7f);

		if ((void *)(t + 1) > p->data_end)
			return SLUICE_DROP_TRUNC_L4;
		q->sport = 0;
		q->dport = bpf_htons(*t);
	}
	return DP_CONTINUE;
}

/* Set @set on @p: DP_CONTINUE (accepted) or the reason that decides. */
static __always_inline int fw_apply(struct __ctx_buff *ctx, struct pkt *p,
				    struct l3_info *f, __u32 set)
{
	const struct sluice_fw_rule *rule;
	const struct sluice_fw_set *s;
	struct fw_query q;
	int pos, r;
	__u32 k;

	if (set >= SLUICE_FW_MAX_SETS)
		return DP_CONTINUE;
	s = bpf_map_lookup_elem(&fw_sets, &set);
	if (!s)
		return DP_CONTINUE;
	r = fw_query_of(p, f, set, &q);
	if (r != DP_CONTINUE)
		return r;
	pos = fw_match(&q);
	if (pos < 0 || pos >= SLUICE_FW_MAX_RULES) {
		fw_count(s->policy_counter, p->len);
		trace_note_fw(p, s->policy_counter, s->policy, 1);
		return s->policy == SLUICE_FW_ACT_ACCEPT ?
			       DP_CONTINUE :
			       SLUICE_DROP_FW_POLICY;
	}
	k = set * SLUICE_FW_MAX_RULES + (__u32)pos;
	rule = bpf_map_lookup_elem(&fw_rules, &k);
	if (!rule)
		return DP_CONTINUE;
	fw_count(rule->counter, p->len);
	trace_note_fw(p, rule->counter, rule->action, 0);
	switch (rule->action) {
	case SLUICE_FW_ACT_ACCEPT: return DP_CONTINUE;
	case SLUICE_FW_ACT_REJECT: return fw_reject(ctx, p, f);
	default: return SLUICE_DROP_FW_RULE;
	}
}

/* "in": the ingress interface's rules.  Also notes whether any port has
 * "out" rules, so fw_out() costs nothing when none has. */
static __always_inline int fw_in(struct __ctx_buff *ctx, struct pkt *p,
				 struct l3_info *f)
{
	__u32 slot = p->slot;
	const struct sluice_fw_port *e = bpf_map_lookup_elem(&fw_ports, &slot);

	if (!e)
		return DP_CONTINUE;
	p->fw_out = e->out_any != 0;
	if (!e->set[SLUICE_FW_IN])
		return DP_CONTINUE;
	return fw_apply(ctx, p, f, e->set[SLUICE_FW_IN]);
}

/* "out": the rules of the port the packet leaves by (its counter slot
 * @slot, from the resolved next hop). */
static __always_inline int fw_out(struct __ctx_buff *ctx, struct pkt *p,
				  struct l3_info *f, __u32 slot)
{
	const struct sluice_fw_port *e;

	if (!p->fw_out)
		return DP_CONTINUE;
	e = bpf_map_lookup_elem(&fw_ports, &slot);
	if (!e || !e->set[SLUICE_FW_OUT])
		return DP_CONTINUE;
	return fw_apply(ctx, p, f, e->set[SLUICE_FW_OUT]);
}

#endif
