// SPDX-License-Identifier: BSD-2-Clause
/*
 * The rule compiler: one ordered rule list into the bit-vector lookups of
 * uapi/sluice/fw.h.  For each match dimension it finds the values where
 * the set of matching rules can change and gives each the bitmap of the
 * rules that match there:
 *
 *  - prefixes: every distinct prefix a rule names, plus /0 of each
 *    family; the bitmap of P holds the rules whose prefix covers P (or
 *    that name none).  The longest match for an address is the most
 *    specific rule prefix containing it, and every rule prefix that also
 *    contains the address covers that one, so its bitmap is exact.
 *  - ports: the rules' range ends cut 0..65535 into disjoint intervals;
 *    each interval's bitmap holds the rules whose range covers it;
 *    neighbours with equal bitmaps are merged, then each interval is
 *    written as the aligned blocks (port prefixes) that tile it.
 *  - protocol class x ct state: a 5 x 5 table.
 *
 * Every bitmap then gets its summary (a bit per non-zero word), which
 * the data path ANDs before it visits any word.
 *
 * The cost is O(rules x distinct values) per dimension.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "fw.h"
#include "fw_internal.h"

#define ERR(code, ...) (snprintf(err, errlen, __VA_ARGS__), (code))

static void bit_set(struct sluice_fw_bits *b, size_t i)
{
	b->w[i / 64] |= 1ULL << (i % 64);
}

__u32 fw_class_of(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP: return SLUICE_FW_P_TCP;
	case IPPROTO_UDP: return SLUICE_FW_P_UDP;
	case IPPROTO_ICMP: return SLUICE_FW_P_ICMP;
	case IPPROTO_ICMPV6: return SLUICE_FW_P_ICMPV6;
	default: return SLUICE_FW_P_OTHER;
	}
}

/* As bpf/lib/fw.h's fw_state(). */
__u32 fw_state_index(__u8 ct)
{
	if (!ct || ct & 0x10)
		return 4;
	if (ct & 0x01)
		return 0;
	if (ct & 0x02)
		return 1;
	if (ct & 0x04)
		return 2;
	return 3;
}

bool fw_prefix_covers(const struct fw_prefix *a, const struct fw_prefix *b)
{
	unsigned int full, rest;

	if (a->family != b->family || a->plen > b->plen)
		return false;
	full = a->plen / 8;
	rest = a->plen % 8;
	if (memcmp(a->addr, b->addr, full))
		return false;
	if (rest) {
		__u8 mask = (__u8)(0xff << (8 - rest));

		if ((a->addr[full] & mask) != (b->addr[full] & mask))
			return false;
	}
	return true;
}

static const struct fw_addr *addr_of(const struct fw_rule *r, __u8 dim)
{
	return dim == SLUICE_FW_DIM_SRC ? &r->src : &r->dst;
}

/* The range rule @r matches in port dimension @dim (1: dport, which
 * carries the ICMP type). */
struct fw_range fw_port_range(const struct fw_rule *r, __u8 dim)
{
	struct fw_range any = { 0, 65535 };

	if (dim == 0)
		return r->sport;
	if (r->icmp_type >= 0)
		return (struct fw_range){ (__u16)r->icmp_type,
					  (__u16)r->icmp_type };
	return r->dport.lo == 0 && r->dport.hi == 65535 ? any : r->dport;
}

static int lpm_add(struct fw_compiled *c, size_t *cap, __u8 dim,
		   const struct fw_prefix *p, const struct fw_rule *rules,
		   size_t n)
{
	struct fw_lpm_entry *e;

	for (size_t i = 0; i < c->n_lpm; i++)
		if (c->lpm[i].dim == dim && c->lpm[i].p.family == p->family &&
		    c->lpm[i].p.plen == p->plen &&
		    !memcmp(c->lpm[i].p.addr, p->addr, 16))
			return 0;
	if (c->n_lpm == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		void *m = realloc(c->lpm, nc * sizeof(*c->lpm));

		if (!m)
			return -ENOMEM;
		c->lpm = m;
		*cap = nc;
	}
	e = &c->lpm[c->n_lpm++];
	memset(e, 0, sizeof(*e));
	e->dim = dim;
	e->p = *p;
	for (size_t i = 0; i < n; i++) {
		const struct fw_addr *a = addr_of(&rules[i], dim);

		if (a->kind != FW_ADDR_PREFIX || fw_prefix_covers(&a->p, p))
			bit_set(&e->bits, i);
	}
	return 0;
}

static int compile_prefixes(struct fw_compiled *c, const struct fw_rule *rules,
			    size_t n, __u8 dim, size_t *cap)
{
	struct fw_prefix root4 = { .family = AF_INET },
			 root6 = { .family = AF_INET6 };
	int err;

	err = lpm_add(c, cap, dim, &root4, rules, n) ?:
		      lpm_add(c, cap, dim, &root6, rules, n);
	for (size_t i = 0; !err && i < n; i++) {
		const struct fw_addr *a = addr_of(&rules[i], dim);

		if (a->kind == FW_ADDR_PREFIX)
			err = lpm_add(c, cap, dim, &a->p, rules, n);
	}
	return err;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static int port_add(struct fw_compiled *c, size_t *cap, __u8 dim, __u32 port,
		    __u8 plen, const struct sluice_fw_bits *bits)
{
	if (c->n_ports == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		void *m = realloc(c->ports, nc * sizeof(*c->ports));

		if (!m)
			return -ENOMEM;
		c->ports = m;
		*cap = nc;
	}
	c->ports[c->n_ports].dim = dim;
	c->ports[c->n_ports].plen = plen;
	c->ports[c->n_ports].port = (__u16)port;
	c->ports[c->n_ports].bits = *bits;
	c->n_ports++;
	return 0;
}

/* [lo, hi) as the largest aligned blocks, in order. */
static int port_tile(struct fw_compiled *c, size_t *cap, __u8 dim, __u32 lo,
		     __u32 hi, const struct sluice_fw_bits *bits)
{
	while (lo < hi) {
		unsigned int k = 0;
		int err;

		while (k < 16 && !(lo & ((2u << k) - 1)) &&
		       lo + (2u << k) <= hi)
			k++;
		/* block of 2^k ports */
		err = port_add(c, cap, dim, lo, (__u8)(16 - k), bits);
		if (err)
			return err;
		lo += 1u << k;
	}
	return 0;
}

static int compile_ports(struct fw_compiled *c, const struct fw_rule *rules,
			 size_t n, __u8 dim, size_t *cap)
{
	__u32 *cuts = malloc(sizeof(*cuts) * (2 * n + 2));
	struct sluice_fw_bits cur, next;
	size_t nc = 0, m = 0;
	__u32 start = 0;
	int err = 0;

	if (!cuts)
		return -ENOMEM;
	cuts[nc++] = 0;
	cuts[nc++] = 65536;
	for (size_t i = 0; i < n; i++) {
		struct fw_range r = fw_port_range(&rules[i], dim);

		cuts[nc++] = r.lo;
		cuts[nc++] = (__u32)r.hi + 1;
	}
	qsort(cuts, nc, sizeof(*cuts), cmp_u32);
	for (size_t i = 0; i < nc; i++)
		if (!m || cuts[m - 1] != cuts[i])
			cuts[m++] = cuts[i];
	/* cuts[0] = 0 ... cuts[m-1] = 65536: intervals [cuts[j], cuts[j+1]) */
	for (size_t j = 0; j + 1 < m && !err; j++) {
		memset(&next, 0, sizeof(next));
		for (size_t i = 0; i < n; i++) {
			struct fw_range r = fw_port_range(&rules[i], dim);

			if (r.lo <= cuts[j] && cuts[j] <= r.hi)
				bit_set(&next, i);
		}
		if (j == 0) {
			cur = next;
			continue;
		}
		if (!memcmp(&cur, &next, sizeof(cur)))
			continue;
		err = port_tile(c, cap, dim, start, cuts[j], &cur);
		start = cuts[j];
		cur = next;
	}
	if (!err)
		err = port_tile(c, cap, dim, start, 65536, &cur);
	free(cuts);
	return err;
}

static bool range_any(struct fw_range r)
{
	return r.lo == 0 && r.hi == 65535;
}

static int compile_refs(struct fw_compiled *c, const struct fw_rule *rules,
			size_t n, fw_nset_resolve resolve, void *arg, char *err,
			size_t errlen)
{
	const char *names[SLUICE_FW_MAX_REFS];

	for (size_t i = 0; i < n; i++) {
		for (__u8 dim = 0; dim < 2; dim++) {
			const struct fw_addr *a = addr_of(&rules[i], dim);
			struct sluice_fw_ref *ref;
			size_t k;
			int id;

			if (a->kind != FW_ADDR_SET)
				continue;
			for (k = 0; k < c->hdr.nrefs; k++)
				if (c->hdr.refs[k].dim == dim &&
				    !strcmp(names[k], a->set))
					break;
			if (k == c->hdr.nrefs) {
				if (k == SLUICE_FW_MAX_REFS)
					return ERR(-E2BIG,
						   "%s: @%s is one named set "
						   "too many (at most %d per "
						   "interface and direction)",
						   dim ? "dst" : "src", a->set,
						   SLUICE_FW_MAX_REFS);
				id = resolve ? resolve(a->set, arg) : -ENOENT;
				/* the rule is bad input, as a rule on an
				 * unknown interface is: no object the
				 * request addresses is missing */
				if (id < 0)
					return ERR(-EINVAL,
						   "%s: @%s is not a named set",
						   dim ? "dst" : "src", a->set);
				names[k] = a->set;
				c->hdr.refs[k].nset = (__u16)id;
				c->hdr.refs[k].dim = dim;
				c->hdr.nrefs++;
			}
			ref = &c->hdr.refs[k];
			bit_set(&ref->rules, i);
		}
	}
	return 0;
}

void fw_bits_summarize(struct sluice_fw_bits *b)
{
	memset(b->sum, 0, sizeof(b->sum));
	for (size_t i = 0; i < SLUICE_FW_WORDS; i++)
		if (b->w[i])
			b->sum[i / 64] |= 1ULL << (i % 64);
}

/* What a packet outside some named sets can match: for each protocol x
 * state entry and each non-empty subset of the refs, the entry without
 * those refs' rules (the data path looks up one bitmap, not five). */
static int compile_psx(struct fw_compiled *c)
{
	size_t nmiss = (1u << c->hdr.nrefs) - 1;
	size_t nps = SLUICE_FW_NCLASS * SLUICE_FW_NSTATE;

	if (!nmiss)
		return 0;
	c->psx = calloc(nps * (SLUICE_FW_MISS - 1), sizeof(*c->psx));
	if (!c->psx)
		return -ENOMEM;
	c->n_psx = nps * (SLUICE_FW_MISS - 1);
	for (size_t k = 0; k < nps; k++) {
		for (size_t miss = 1; miss <= nmiss; miss++) {
			struct sluice_fw_bits *b =
				&c->psx[k * (SLUICE_FW_MISS - 1) + miss - 1];

			*b = c->ps[k];
			for (size_t r = 0; r < c->hdr.nrefs; r++) {
				if (!(miss >> r & 1))
					continue;
				for (size_t i = 0; i < SLUICE_FW_WORDS; i++)
					b->w[i] &= ~c->hdr.refs[r].rules.w[i];
			}
		}
	}
	return 0;
}

static void summarize_all(struct fw_compiled *c)
{
	for (size_t i = 0; i < c->n_psx; i++)
		fw_bits_summarize(&c->psx[i]);
	for (size_t i = 0; i < SLUICE_FW_NCLASS * SLUICE_FW_NSTATE; i++)
		fw_bits_summarize(&c->ps[i]);
	for (size_t i = 0; i < c->n_lpm; i++)
		fw_bits_summarize(&c->lpm[i].bits);
	for (size_t i = 0; i < c->n_ports; i++)
		fw_bits_summarize(&c->ports[i].bits);
	for (size_t i = 0; i < c->hdr.nrefs; i++)
		fw_bits_summarize(&c->hdr.refs[i].rules);
}

int fw_compile(const struct fw_rule *rules, size_t n, __u8 policy,
	       fw_nset_resolve resolve, void *arg, struct fw_compiled *c,
	       char *err, size_t errlen)
{
	size_t pcap = 0, lcap = 0;
	int e;

	memset(c, 0, sizeof(*c));
	if (n > SLUICE_FW_MAX_RULES)
		return ERR(-E2BIG,
			   "rules: %zu rules on one interface and direction, "
			   "at most %d",
			   n, SLUICE_FW_MAX_RULES);
	if (policy != SLUICE_FW_ACT_ACCEPT && policy != SLUICE_FW_ACT_DROP)
		return ERR(-EINVAL, "policy: %u is not accept or drop", policy);
	c->nrules = (__u32)n;
	c->hdr.nwords = (__u16)((n + 63) / 64);
	c->hdr.policy = policy;
	for (size_t i = 0; i < n; i++) {
		c->rules[i].counter = rules[i].id;
		c->rules[i].action = rules[i].action;
		if (rules[i].src.kind == FW_ADDR_PREFIX)
			c->hdr.dims |= SLUICE_FW_D_SRC;
		if (rules[i].dst.kind == FW_ADDR_PREFIX)
			c->hdr.dims |= SLUICE_FW_D_DST;
		if (!range_any(fw_port_range(&rules[i], 0)))
			c->hdr.dims |= SLUICE_FW_D_SPORT;
		if (!range_any(fw_port_range(&rules[i], 1)))
			c->hdr.dims |= SLUICE_FW_D_DPORT;
	}
	for (__u32 cl = 0; cl < SLUICE_FW_NCLASS; cl++) {
		for (__u32 st = 0; st < SLUICE_FW_NSTATE; st++) {
			struct sluice_fw_bits *b =
				&c->ps[cl * SLUICE_FW_NSTATE + st];

			for (size_t i = 0; i < n; i++) {
				const struct fw_rule *r = &rules[i];

				if (!fw_rule_class_ok(r, cl))
					continue;
				if (r->states && !(r->states & (1u << st)))
					continue;
				bit_set(b, i);
			}
		}
	}
	e = compile_refs(c, rules, n, resolve, arg, err, errlen);
	if (!e && c->hdr.dims & SLUICE_FW_D_SRC)
		e = compile_prefixes(c, rules, n, SLUICE_FW_DIM_SRC, &lcap);
	if (!e && c->hdr.dims & SLUICE_FW_D_DST)
		e = compile_prefixes(c, rules, n, SLUICE_FW_DIM_DST, &lcap);
	if (!e && c->hdr.dims & SLUICE_FW_D_SPORT)
		e = compile_ports(c, rules, n, 0, &pcap);
	if (!e && c->hdr.dims & SLUICE_FW_D_DPORT)
		e = compile_ports(c, rules, n, 1, &pcap);
	if (!e)
		e = compile_psx(c);
	if (e == -ENOMEM)
		snprintf(err, errlen, "out of memory compiling the rules");
	if (!e)
		summarize_all(c);
	return e;
}

void fw_compiled_free(struct fw_compiled *c)
{
	free(c->lpm);
	free(c->ports);
	free(c->psx);
	c->lpm = NULL;
	c->ports = NULL;
	c->psx = NULL;
	c->n_lpm = c->n_ports = c->n_psx = 0;
}
