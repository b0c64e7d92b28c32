// SPDX-License-Identifier: BSD-2-Clause
/*
 * Two evaluations of a packet against a rule list: the data path's, over
 * the compiled lookups (bpf/lib/fw.h in C), and a plain first match over
 * the rules.  The unit tests hold them equal on random rule sets.
 */
#include <string.h>
#include <netinet/in.h>
#include "fw.h"
#include "fw_internal.h"

static bool addr_in(const struct fw_prefix *p, __u8 family, const __u8 *addr)
{
	struct fw_prefix a = { .family = family,
			       .plen = family == AF_INET ? 32 : 128 };

	memcpy(a.addr, addr, family == AF_INET ? 4 : 16);
	return fw_prefix_covers(p, &a);
}

/* The longest prefix entry of @dim for the address: an LPM trie lookup. */
static const struct sluice_fw_bits *
lpm_find(const struct fw_compiled *c, __u8 dim, __u8 family, const __u8 *addr)
{
	const struct fw_lpm_entry *best = NULL;

	for (size_t i = 0; i < c->n_lpm; i++) {
		const struct fw_lpm_entry *e = &c->lpm[i];

		if (e->dim != dim || !addr_in(&e->p, family, addr))
			continue;
		if (!best || e->p.plen > best->p.plen)
			best = e;
	}
	return best ? &best->bits : NULL;
}

static const struct sluice_fw_bits *port_find(const struct fw_compiled *c,
					      __u8 dim, __u16 port)
{
	const struct fw_port_entry *best = NULL;

	for (size_t i = 0; i < c->n_ports; i++) {
		const struct fw_port_entry *e = &c->ports[i];
		__u32 mask = e->plen ? 0xffffu << (16 - e->plen) & 0xffff : 0;

		if (e->dim != dim || (port & mask) != (e->port & mask))
			continue;
		if (!best || e->plen > best->plen)
			best = e;
	}
	return best ? &best->bits : NULL;
}

int fw_eval_compiled(const struct fw_compiled *c, const struct fw_packet *pk,
		     fw_nset_member member, void *arg)
{
	const struct sluice_fw_bits *ps, *src = NULL, *dst = NULL, *sp = NULL,
					 *dp = NULL;
	bool icmp = pk->proto == IPPROTO_ICMP || pk->proto == IPPROTO_ICMPV6;
	__u16 sport = icmp ? 0 : pk->sport;
	__u16 dport = icmp ? pk->icmp_type : pk->dport;
	__u32 k = fw_class_of(pk->proto) * SLUICE_FW_NSTATE +
		  fw_state_index(pk->ct_state);
	__u32 missed = 0;

	ps = &c->ps[k];
	if (c->hdr.dims & SLUICE_FW_D_SRC &&
	    !(src = lpm_find(c, SLUICE_FW_DIM_SRC, pk->family, pk->src)))
		return -1;
	if (c->hdr.dims & SLUICE_FW_D_DST &&
	    !(dst = lpm_find(c, SLUICE_FW_DIM_DST, pk->family, pk->dst)))
		return -1;
	if (c->hdr.dims & SLUICE_FW_D_SPORT && !(sp = port_find(c, 0, sport)))
		return -1;
	if (c->hdr.dims & SLUICE_FW_D_DPORT && !(dp = port_find(c, 1, dport)))
		return -1;
	for (int r = 0; r < c->hdr.nrefs; r++)
		if (!member(c->hdr.refs[r].nset, pk, c->hdr.refs[r].dim, arg))
			missed |= 1u << r;
	/* as the data path: outside a named set, the protocol x state
	 * bitmap without its rules (fw_psx) */
	if (missed)
		ps = &c->psx[k * (SLUICE_FW_MISS - 1) + missed - 1];
	/* as the data path: the words every dimension has rules in, lowest
	 * first (a dimension the set does not use matches all) */
	for (__u32 j = 0; j < SLUICE_FW_SUMMARY; j++) {
		__u64 m = ps->sum[j];

		if (src)
			m &= src->sum[j];
		if (dst)
			m &= dst->sum[j];
		if (sp)
			m &= sp->sum[j];
		if (dp)
			m &= dp->sum[j];
		for (; m; m &= m - 1) {
			__u32 i = j * 64 + (__u32)__builtin_ctzll(m);
			__u64 w = ps->w[i];

			if (src)
				w &= src->w[i];
			if (dst)
				w &= dst->w[i];
			if (sp)
				w &= sp->w[i];
			if (dp)
				w &= dp->w[i];
			if (w)
				return (int)(i * 64 +
					     (__u32)__builtin_ctzll(w));
		}
	}
	return -1;
}

static bool addr_match(const struct fw_addr *a, const struct fw_packet *pk,
		       const __u8 *addr, fw_nset_contains contains, void *arg)
{
	switch (a->kind) {
	case FW_ADDR_PREFIX: return addr_in(&a->p, pk->family, addr);
	case FW_ADDR_SET: return contains(a->set, addr, pk->family, arg);
	default: return true;
	}
}

static bool rule_match(const struct fw_rule *r, const struct fw_packet *pk,
		       fw_nset_contains contains, void *arg)
{
	bool icmp = pk->proto == IPPROTO_ICMP || pk->proto == IPPROTO_ICMPV6;

	if (r->proto && r->proto != pk->proto)
		return false;
	if (!fw_rule_class_ok(r, fw_class_of(pk->proto)))
		return false;
	if (r->states && !(r->states & (1u << fw_state_index(pk->ct_state))))
		return false;
	if (!addr_match(&r->src, pk, pk->src, contains, arg) ||
	    !addr_match(&r->dst, pk, pk->dst, contains, arg))
		return false;
	if (r->icmp_type >= 0 && (!icmp || pk->icmp_type != r->icmp_type))
		return false;
	if (icmp)
		return true; /* port rules are TCP/UDP only */
	return r->sport.lo <= pk->sport && pk->sport <= r->sport.hi &&
	       r->dport.lo <= pk->dport && pk->dport <= r->dport.hi;
}

int fw_eval_linear(const struct fw_rule *rules, size_t n,
		   const struct fw_packet *pk, fw_nset_contains contains,
		   void *arg)
{
	for (size_t i = 0; i < n; i++)
		if (rule_match(&rules[i], pk, contains, arg))
			return (int)i;
	return -1;
}
