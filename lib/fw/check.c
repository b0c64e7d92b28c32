// SPDX-License-Identifier: BSD-2-Clause
/*
 * `fw check`: rules no packet can reach.  A rule is shadowed when one
 * earlier rule of the same interface and direction matches everything it
 * matches; when the two matches are equal and the actions differ, the
 * pair contradicts itself (the later rule's action is never taken).
 * Pairwise only: a rule covered by the union of several earlier rules is
 * not reported (docs/firewall.md).
 */
#include <string.h>
#include <netinet/in.h>
#include "fw.h"
#include "fw_internal.h"

static bool addr_covers(const struct fw_addr *a, const struct fw_addr *b)
{
	if (a->kind == FW_ADDR_ANY)
		return true;
	if (a->kind == FW_ADDR_SET)
		return b->kind == FW_ADDR_SET && !strcmp(a->set, b->set);
	return b->kind == FW_ADDR_PREFIX && fw_prefix_covers(&a->p, &b->p);
}

static bool range_covers(struct fw_range a, struct fw_range b)
{
	return a.lo <= b.lo && b.hi <= a.hi;
}

/* The address family a rule is limited to, 0 for both. */
static __u8 rule_family(const struct fw_rule *r)
{
	if (r->src.kind == FW_ADDR_PREFIX)
		return r->src.p.family;
	if (r->dst.kind == FW_ADDR_PREFIX)
		return r->dst.p.family;
	if (r->proto == IPPROTO_ICMP)
		return AF_INET;
	if (r->proto == IPPROTO_ICMPV6)
		return AF_INET6;
	return 0;
}

bool fw_rule_covers(const struct fw_rule *a, const struct fw_rule *b)
{
	__u8 fa = rule_family(a);

	if (fa && fa != rule_family(b))
		return false;
	if (a->proto && a->proto != b->proto)
		return false;
	if (a->states && (!b->states || (b->states & ~a->states)))
		return false;
	if (a->icmp_type >= 0 && a->icmp_type != b->icmp_type)
		return false;
	return addr_covers(&a->src, &b->src) && addr_covers(&a->dst, &b->dst) &&
	       range_covers(a->sport, b->sport) &&
	       range_covers(a->dport, b->dport);
}

size_t fw_check(const struct fw_rule *rules, size_t n, struct fw_issue *out,
		size_t max)
{
	size_t found = 0;

	for (size_t j = 1; j < n; j++) {
		for (size_t i = 0; i < j; i++) {
			const struct fw_rule *a = &rules[i], *b = &rules[j];
			struct fw_issue is;

			if (!fw_rule_covers(a, b))
				continue;
			is.kind = fw_rule_covers(b, a) &&
						  a->action != b->action ?
					  FW_CONTRADICTS :
					  FW_SHADOWED;
			is.rule = b->id;
			is.by = a->id;
			if (found < max)
				out[found] = is;
			found++;
			break; /* the first rule that hides it */
		}
	}
	return found;
}

const char *fw_issue_name(enum fw_issue_kind k)
{
	return k == FW_CONTRADICTS ? "contradicts" : "shadowed";
}
