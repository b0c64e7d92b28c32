// SPDX-License-Identifier: BSD-2-Clause
/*
 * lib/fw: rule parsing and validation (the field and the value named in
 * every error), the compiler (hand-made cases, then random rule sets
 * where the compiled lookups must pick the same rule as a plain first
 * match, for every dimension, named sets included), and the checker.
 *
 * FW_SEED=N in the environment repeats a randomized run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <cmocka.h>
#include <uapi/sluice/ct.h>
#include "fw.h"

static uint64_t seed;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* A rule from "field=value" pairs; fails the test on a parse error. */
static struct fw_rule rule_of(__u32 id, const char *const *kv)
{
	struct fw_rule r;
	char err[FW_ERR_MAX];

	fw_rule_init(&r);
	r.id = id;
	assert_int_equal(fw_rule_set(&r, "iface", "eth0", err, sizeof(err)), 0);
	for (size_t i = 0; kv[i]; i += 2) {
		int e = fw_rule_set(&r, kv[i], kv[i + 1], err, sizeof(err));

		if (e)
			fail_msg("%s=%s: %s", kv[i], kv[i + 1], err);
	}
	assert_int_equal(fw_rule_validate(&r, err, sizeof(err)), 0);
	return r;
}

#define RULE(id, ...) rule_of(id, (const char *const[]){ __VA_ARGS__, NULL })

/* ---- parsing and validation ------------------------------------------- */

static void expect_err(const char *field, const char *value, const char *msg)
{
	struct fw_rule r;
	char err[FW_ERR_MAX] = "";

	fw_rule_init(&r);
	assert_int_equal(fw_rule_set(&r, field, value, err, sizeof(err)),
			 -EINVAL);
	if (strcmp(err, msg))
		fail_msg("%s=%s: got '%s', want '%s'", field, value, err, msg);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_err("dport", "70000", "dport: 70000 is not a port");
	expect_err("sport", "x", "sport: x is not a port");
	expect_err("dport", "5-3",
		   "dport: 5-3 is not a range (the first port is above the "
		   "last)");
	expect_err("dport", "1-", "dport: 1- is not a port");
	expect_err("dport", "-1", "dport: -1 is not a port");
	expect_err("src", "198.18.0.300/24",
		   "src: 198.18.0.300/24 is not a prefix");
	expect_err("src", "198.18.0.1/24",
		   "src: 198.18.0.1/24 is not a prefix");
	expect_err("dst", "2001:db8::/129",
		   "dst: 2001:db8::/129 is not a prefix");
	expect_err("dst", "@",
		   "dst: @ is not a set name (1 to 31 characters "
		   "after @)");
	expect_err("proto", "sctp",
		   "proto: sctp is not tcp, udp, icmp or icmpv6");
	expect_err("icmp_type", "256",
		   "icmp_type: 256 is not an ICMP type (0-255)");
	expect_err("state", "new,bogus",
		   "state: new,bogus is not a list of new, established, "
		   "related, invalid, untracked");
	expect_err("action", "allow",
		   "action: allow is not accept, drop or reject");
	expect_err("dir", "both", "dir: both is not in or out");
	expect_err("colour", "red", "colour: unknown field");
}

static void expect_invalid(const char *const *kv, const char *msg)
{
	struct fw_rule r;
	char err[FW_ERR_MAX] = "";

	fw_rule_init(&r);
	strcpy(r.iface, "eth0");
	for (size_t i = 0; kv[i]; i += 2)
		assert_int_equal(
			fw_rule_set(&r, kv[i], kv[i + 1], err, sizeof(err)), 0);
	assert_int_equal(fw_rule_validate(&r, err, sizeof(err)), -EINVAL);
	if (strcmp(err, msg))
		fail_msg("got '%s', want '%s'", err, msg);
}

#define INVALID(msg, ...)                                                      \
	expect_invalid((const char *const[]){ __VA_ARGS__, NULL }, msg)

static void test_validate(void **state)
{
	struct fw_rule r;
	char err[FW_ERR_MAX];

	(void)state;
	INVALID("sport: ports need proto tcp or udp (proto is 'icmp')", "proto",
		"icmp", "sport", "80");
	INVALID("icmp_type: 8 needs proto icmp or icmpv6", "proto", "tcp",
		"icmp_type", "8");
	INVALID("dst: an IPv6 prefix with an IPv4 src", "src", "198.18.0.0/15",
		"dst", "2001:db8::/32");
	INVALID("proto: icmp with IPv6 addresses", "src", "2001:db8::/32",
		"proto", "icmp");
	fw_rule_init(&r);
	assert_int_equal(fw_rule_validate(&r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "iface: missing");
	/* the good ones, and their text form */
	r = RULE(1, "src", "198.18.0.0/24", "proto", "tcp", "dport", "80-88",
		 "state", "new,established", "action", "reject");
	fw_rule_format(&r, err, sizeof(err));
	assert_string_equal(err, "--src 198.18.0.0/24 --proto tcp --dport "
				 "80-88 --state new,established --action "
				 "reject");
	r = RULE(2, "dst", "@bad", "proto", "icmpv6", "icmp_type", "128");
	fw_rule_format(&r, err, sizeof(err));
	assert_string_equal(err, "--dst @bad --proto icmpv6 --icmp-type 128 "
				 "--action accept");
}

/* ---- the compiler ------------------------------------------------------ */

struct nsets {
	const char *name[4];
	struct fw_prefix pfx[4][8];
	int n[4];
	int count;
};

static int resolve(const char *name, void *arg)
{
	struct nsets *ns = arg;

	for (int i = 0; i < ns->count; i++)
		if (!strcmp(ns->name[i], name))
			return i + 1;
	return -ENOENT;
}

static bool in_set(const struct nsets *ns, int i, const __u8 *addr, __u8 family)
{
	struct fw_prefix a = { .family = family,
			       .plen = family == AF_INET ? 32 : 128 };

	memcpy(a.addr, addr, family == AF_INET ? 4 : 16);
	for (int k = 0; k < ns->n[i]; k++) {
		const struct fw_prefix *p = &ns->pfx[i][k];
		unsigned int full = p->plen / 8, rest = p->plen % 8;

		if (p->family != family || memcmp(p->addr, a.addr, full))
			continue;
		if (rest &&
		    (p->addr[full] ^ a.addr[full]) & (__u8)(0xff << (8 - rest)))
			continue;
		return true;
	}
	return false;
}

static bool member(__u16 nset, const struct fw_packet *pk, __u8 dim, void *arg)
{
	return in_set(arg, nset - 1, dim ? pk->dst : pk->src, pk->family);
}

static bool contains(const char *name, const __u8 *addr, __u8 family, void *arg)
{
	int id = resolve(name, arg);

	return id > 0 && in_set(arg, id - 1, addr, family);
}

static struct fw_packet pkt4(const char *src, const char *dst, __u8 proto,
			     __u16 sport, __u16 dport)
{
	struct fw_packet p = { .family = AF_INET,
			       .proto = proto,
			       .sport = sport,
			       .dport = dport };

	inet_pton(AF_INET, src, p.src);
	inet_pton(AF_INET, dst, p.dst);
	return p;
}

static void test_compile_basic(void **state)
{
	struct fw_rule rules[5];
	struct fw_compiled c;
	struct fw_packet pk;
	char err[FW_ERR_MAX];

	(void)state;
	rules[0] = RULE(10, "src", "198.18.1.0/24", "action", "drop");
	rules[1] = RULE(11, "proto", "tcp", "dport", "80", "action", "accept");
	rules[2] =
		RULE(12, "proto", "tcp", "dport", "1-1023", "action", "reject");
	rules[3] =
		RULE(13, "proto", "icmp", "icmp_type", "8", "action", "drop");
	rules[4] = RULE(14, "dst", "2001:db8::/32", "state", "new", "action",
			"drop");
	assert_int_equal(fw_compile(rules, 5, SLUICE_FW_ACT_ACCEPT, NULL, NULL,
				    &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.hdr.nwords, 1);
	assert_int_equal(c.hdr.dims,
			 SLUICE_FW_D_SRC | SLUICE_FW_D_DST | SLUICE_FW_D_DPORT);
	assert_int_equal(c.rules[2].counter, 12);
	assert_int_equal(c.rules[2].action, SLUICE_FW_ACT_REJECT);

	pk = pkt4("198.18.1.7", "198.19.0.1", IPPROTO_TCP, 1000, 80);
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), 0);
	pk = pkt4("198.18.2.7", "198.19.0.1", IPPROTO_TCP, 1000, 80);
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), 1);
	pk.dport = 22;
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), 2);
	pk.dport = 1024;
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), -1);
	pk.proto = IPPROTO_UDP;
	pk.dport = 80;
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), -1);
	pk = pkt4("198.18.2.7", "198.19.0.1", IPPROTO_ICMP, 0, 0);
	pk.icmp_type = 8;
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), 3);
	pk.icmp_type = 0;
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), -1);
	/* v6, new only: untracked (0) does not match --state new */
	pk.family = AF_INET6;
	pk.proto = IPPROTO_UDP;
	inet_pton(AF_INET6, "2001:db8::1", pk.dst);
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), -1);
	pk.ct_state = SLUICE_CTM_NEW;
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), 4);
	fw_compiled_free(&c);
}

/* Ports without a protocol match TCP and UDP only (nftables' `th
 * dport`): an ICMP packet, whose type the port dimension carries, and
 * another protocol never match them. */
static void test_compile_ports_any_proto(void **state)
{
	struct fw_rule rules[2];
	struct fw_compiled c;
	struct fw_packet pk;
	char err[FW_ERR_MAX];

	(void)state;
	rules[0] = RULE(20, "src", "198.18.1.0/24", "dport", "0-255", "state",
			"new,established", "action", "reject");
	rules[1] = RULE(21, "action", "accept");
	assert_int_equal(fw_rule_validate(&rules[0], err, sizeof(err)), 0);
	assert_int_equal(fw_compile(rules, 2, SLUICE_FW_ACT_DROP, NULL, NULL,
				    &c, err, sizeof(err)),
			 0);
	pk = pkt4("198.18.1.7", "198.19.0.1", IPPROTO_TCP, 1000, 22);
	pk.ct_state = SLUICE_CTM_NEW;
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), 0);
	pk.proto = IPPROTO_UDP;
	pk.dport = 53;
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), 0);
	pk.dport = 256;
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), 1);
	pk = pkt4("198.18.1.7", "198.19.0.1", IPPROTO_ICMP, 0, 0);
	pk.ct_state = SLUICE_CTM_NEW;
	pk.icmp_type = 8;
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), 1);
	pk.proto = 47; /* GRE: no ports */
	pk.icmp_type = 0;
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), 1);
	assert_int_equal(fw_eval_linear(rules, 2, &pk, NULL, NULL), 1);
	fw_compiled_free(&c);
}

static void test_compile_limits(void **state)
{
	static struct fw_rule rules[SLUICE_FW_MAX_RULES + 1];
	struct nsets ns = { .name = { "a", "b", "c", "d" }, .count = 4 };
	struct fw_compiled c;
	char err[FW_ERR_MAX];

	(void)state;
	for (size_t i = 0; i <= SLUICE_FW_MAX_RULES; i++)
		rules[i] = RULE((__u32)i + 1, "action", "drop");
	assert_int_equal(fw_compile(rules, SLUICE_FW_MAX_RULES + 1,
				    SLUICE_FW_ACT_ACCEPT, NULL, NULL, &c, err,
				    sizeof(err)),
			 -E2BIG);
	assert_string_equal(err, "rules: 16385 rules on one interface and "
				 "direction, at most 16384");
	fw_compiled_free(&c);
	assert_int_equal(fw_compile(rules, SLUICE_FW_MAX_RULES,
				    SLUICE_FW_ACT_ACCEPT, NULL, NULL, &c, err,
				    sizeof(err)),
			 0);
	assert_int_equal(c.hdr.nwords, 256);
	fw_compiled_free(&c);
	/* named sets: unknown, then one too many */
	rules[0] = RULE(1, "src", "@nope");
	assert_int_equal(fw_compile(rules, 1, SLUICE_FW_ACT_ACCEPT, resolve,
				    &ns, &c, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "src: @nope is not a named set");
	fw_compiled_free(&c);
	rules[0] = RULE(1, "src", "@a");
	rules[1] = RULE(2, "src", "@b");
	rules[2] = RULE(3, "dst", "@c");
	rules[3] = RULE(4, "dst", "@d");
	rules[4] = RULE(5, "dst", "@a");
	assert_int_equal(fw_compile(rules, 5, SLUICE_FW_ACT_ACCEPT, resolve,
				    &ns, &c, err, sizeof(err)),
			 -E2BIG);
	assert_string_equal(err, "dst: @a is one named set too many (at most "
				 "4 per interface and direction)");
	fw_compiled_free(&c);
	assert_int_equal(fw_compile(rules, 4, SLUICE_FW_ACT_DROP, resolve, &ns,
				    &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.hdr.nrefs, 4);
	assert_int_equal(c.hdr.policy, SLUICE_FW_ACT_DROP);
	fw_compiled_free(&c);
}

/* Random rules over a small value space, so that they overlap a lot. */
static void random_prefix(struct fw_prefix *p, __u8 family)
{
	unsigned int max = family == AF_INET ? 32 : 128;
	static const __u8 lens4[] = { 8, 15, 16, 23, 24, 25, 30, 32 };
	static const __u8 lens6[] = { 16, 32, 48, 63, 64, 120, 128 };

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->plen = family == AF_INET ? lens4[rnd() % 8] : lens6[rnd() % 7];
	if (family == AF_INET) {
		p->addr[0] = 198;
		p->addr[1] = 18 + rnd() % 2;
		p->addr[2] = rnd() % 4;
		p->addr[3] = rnd() % 8;
	} else {
		p->addr[0] = 0x20;
		p->addr[1] = 0x01;
		p->addr[2] = 0x0d;
		p->addr[3] = 0xb8;
		p->addr[5] = rnd() % 4;
		p->addr[15] = rnd() % 8;
	}
	for (unsigned int i = p->plen; i < max; i++)
		p->addr[i / 8] &= (__u8) ~(0x80 >> (i % 8));
}

static void random_range(struct fw_range *r)
{
	static const __u16 pts[] = { 0,	  1,	22,   53,   79,	   80,	 81,
				     443, 1023, 1024, 8080, 65534, 65535 };
	__u16 a = pts[rnd() % 13], b = pts[rnd() % 13];

	r->lo = a < b ? a : b;
	r->hi = a < b ? b : a;
}

static void random_rule(struct fw_rule *r, __u32 id, struct nsets *ns)
{
	static const __u8 protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP,
				       IPPROTO_ICMP, IPPROTO_ICMPV6 };
	__u8 fam = rnd() % 3 == 0 ? AF_INET6 : AF_INET;

	fw_rule_init(r);
	r->id = id;
	strcpy(r->iface, "eth0");
	r->action = rnd() % 3;
	if (rnd() % 2) {
		r->src.kind = FW_ADDR_PREFIX;
		random_prefix(&r->src.p, fam);
	} else if (rnd() % 4 == 0) {
		r->src.kind = FW_ADDR_SET;
		strcpy(r->src.set, ns->name[rnd() % 2]);
	}
	if (rnd() % 2) {
		r->dst.kind = FW_ADDR_PREFIX;
		random_prefix(&r->dst.p, r->src.kind == FW_ADDR_PREFIX ?
						 r->src.p.family :
						 fam);
	} else if (rnd() % 4 == 0) {
		r->dst.kind = FW_ADDR_SET;
		strcpy(r->dst.set, ns->name[2 + rnd() % 2]);
	}
	r->proto = protos[rnd() % 5];
	/* no protocol: ports mean TCP and UDP */
	if (!r->proto || r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP) {
		if (rnd() % 2)
			random_range(&r->sport);
		if (rnd() % 2)
			random_range(&r->dport);
	}
	if ((r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6) &&
	    rnd() % 2)
		r->icmp_type = (__s16)(rnd() % 3 ? 8 : 0);
	if (rnd() % 3 == 0)
		r->states = (__u8)(1 + rnd() % 31);
}

static void random_packet(struct fw_packet *pk)
{
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP,
				       IPPROTO_ICMPV6, 47 };
	static const __u8 cts[] = { 0,
				    SLUICE_CTM_NEW,
				    SLUICE_CTM_ESTABLISHED,
				    SLUICE_CTM_RELATED,
				    SLUICE_CTM_INVALID,
				    SLUICE_CTM_UNTRACKED };
	struct fw_prefix a;

	memset(pk, 0, sizeof(*pk));
	pk->family = rnd() % 3 == 0 ? AF_INET6 : AF_INET;
	random_prefix(&a, pk->family);
	memcpy(pk->src, a.addr, 16);
	pk->src[pk->family == AF_INET ? 3 : 15] = rnd() % 8;
	random_prefix(&a, pk->family);
	memcpy(pk->dst, a.addr, 16);
	pk->dst[pk->family == AF_INET ? 3 : 15] = rnd() % 8;
	pk->proto = protos[rnd() % 5];
	pk->ct_state = cts[rnd() % 6];
	if (pk->proto == IPPROTO_TCP || pk->proto == IPPROTO_UDP) {
		struct fw_range r;

		random_range(&r);
		pk->sport = rnd() % 2 ? r.lo : r.hi;
		random_range(&r);
		pk->dport = rnd() % 2 ? r.lo : r.hi;
	} else if (pk->proto != 47) {
		pk->icmp_type = rnd() % 2 ? 8 : 0;
	}
}

/* Every bitmap's summary has bit j exactly when word j is not 0. */
static void assert_summary(const struct sluice_fw_bits *b)
{
	for (size_t j = 0; j < SLUICE_FW_WORDS; j++)
		assert_int_equal(!!(b->sum[j / 64] >> (j % 64) & 1), !!b->w[j]);
}

static void assert_summaries(const struct fw_compiled *c)
{
	for (size_t i = 0; i < SLUICE_FW_NCLASS * SLUICE_FW_NSTATE; i++)
		assert_summary(&c->ps[i]);
	for (size_t i = 0; i < c->n_lpm; i++)
		assert_summary(&c->lpm[i].bits);
	for (size_t i = 0; i < c->n_ports; i++)
		assert_summary(&c->ports[i].bits);
	for (size_t i = 0; i < c->n_psx; i++)
		assert_summary(&c->psx[i]);
}

/*
 * 10,000 rules, one source address each, then "state established
 * accept" last: the summaries are exact, and the first rule, the last
 * and none (the policy) are found as a first match over the rules finds
 * them.  Then random sets of up to SLUICE_FW_MAX_RULES rules, whose
 * matches fall in any word, against the plain first match.
 */
static void test_compile_summary(void **state)
{
	static struct fw_rule rules[SLUICE_FW_MAX_RULES];
	struct nsets ns = { .name = { "s1", "s2", "d1", "d2" }, .count = 4 };
	const size_t n = 10000;
	struct fw_compiled c;
	struct fw_packet pk;
	char err[FW_ERR_MAX], a[40];

	(void)state;
	for (size_t i = 0; i + 1 < n; i++) {
		snprintf(a, sizeof(a), "198.19.%zu.%zu/32", i / 256, i % 256);
		rules[i] = RULE((__u32)i + 1, "src", a, "proto", "tcp", "dport",
				"443", "action", "drop");
	}
	rules[n - 1] =
		RULE((__u32)n, "state", "established", "action", "accept");
	assert_int_equal(fw_compile(rules, n, SLUICE_FW_ACT_DROP, NULL, NULL,
				    &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.hdr.nwords, (n + 63) / 64);
	assert_summaries(&c);
	pk = pkt4("198.19.0.0", "198.18.0.1", IPPROTO_TCP, 1000, 443);
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), 0);
	pk = pkt4("198.19.39.14", "198.18.0.1", IPPROTO_TCP, 1000, 443);
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), (int)n - 2);
	pk = pkt4("198.18.0.9", "198.18.0.1", IPPROTO_TCP, 1000, 443);
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), -1);
	pk.ct_state = SLUICE_CTM_ESTABLISHED;
	assert_int_equal(fw_eval_compiled(&c, &pk, NULL, NULL), (int)n - 1);
	fw_compiled_free(&c);

	for (int i = 0; i < 4; i++) {
		ns.n[i] = 1 + (int)(rnd() % 8);
		for (int k = 0; k < ns.n[i]; k++)
			random_prefix(&ns.pfx[i][k],
				      rnd() % 3 ? AF_INET : AF_INET6);
	}
	for (int round = 0; round < 6; round++) {
		size_t m = 1000 + rnd() % (SLUICE_FW_MAX_RULES - 1000);

		for (size_t i = 0; i < m; i++)
			random_rule(&rules[i], (__u32)i + 1, &ns);
		/* a rule that matches little first and often, so matches
		 * are spread over the words */
		for (size_t i = 0; i < m; i++)
			if (rnd() % 4)
				rules[i].states = SLUICE_CTM_INVALID;
		assert_int_equal(fw_compile(rules, m, SLUICE_FW_ACT_ACCEPT,
					    resolve, &ns, &c, err, sizeof(err)),
				 0);
		assert_summaries(&c);
		for (int k = 0; k < 300; k++) {
			int want, got;

			random_packet(&pk);
			want = fw_eval_linear(rules, m, &pk, contains, &ns);
			got = fw_eval_compiled(&c, &pk, member, &ns);
			if (want != got)
				fail_msg("seed %llu round %d: compiled %d, "
					 "linear %d",
					 (unsigned long long)seed, round, got,
					 want);
		}
		fw_compiled_free(&c);
	}
}

static void test_compile_random(void **state)
{
	static struct fw_rule rules[300];
	struct nsets ns = { .name = { "s1", "s2", "d1", "d2" }, .count = 4 };
	unsigned long hits = 0;

	(void)state;
	for (int i = 0; i < 4; i++) {
		ns.n[i] = 1 + (int)(rnd() % 8);
		for (int k = 0; k < ns.n[i]; k++)
			random_prefix(&ns.pfx[i][k],
				      rnd() % 3 ? AF_INET : AF_INET6);
	}
	for (int round = 0; round < 40; round++) {
		size_t n = 1 + rnd() % (round < 30 ? 20 : 300);
		struct fw_compiled c;
		char err[FW_ERR_MAX];

		for (size_t i = 0; i < n; i++)
			random_rule(&rules[i], (__u32)i + 1, &ns);
		assert_int_equal(fw_compile(rules, n, SLUICE_FW_ACT_ACCEPT,
					    resolve, &ns, &c, err, sizeof(err)),
				 0);
		for (int k = 0; k < 2000; k++) {
			struct fw_packet pk;
			int want, got;

			random_packet(&pk);
			want = fw_eval_linear(rules, n, &pk, contains, &ns);
			got = fw_eval_compiled(&c, &pk, member, &ns);
			if (want != got) {
				char txt[256];

				fw_rule_format(&rules[want < 0 ? got : want],
					       txt, sizeof(txt));
				fail_msg("seed %llu round %d: compiled %d, "
					 "linear %d (%s)",
					 (unsigned long long)seed, round, got,
					 want, txt);
			}
			hits += want >= 0;
		}
		fw_compiled_free(&c);
	}
	/* a test that only ever sees the policy would prove nothing */
	assert_true(hits > 10000);
}

/* ---- the checker ------------------------------------------------------- */

static void test_check(void **state)
{
	struct fw_rule rules[7];
	struct fw_issue is[8];
	size_t n;

	(void)state;
	rules[0] = RULE(1, "src", "198.18.0.0/16", "proto", "tcp", "action",
			"drop");
	rules[1] = RULE(2, "src", "198.18.5.0/24", "proto", "tcp", "dport",
			"80", "action", "accept"); /* shadowed by 1 */
	rules[2] = RULE(3, "src", "198.18.0.0/16", "proto", "tcp", "action",
			"accept"); /* contradicts 1 */
	rules[3] = RULE(4, "src", "198.19.0.0/16", "proto", "udp", "action",
			"drop"); /* fine */
	rules[4] = RULE(5, "proto", "udp", "state", "new", "action", "drop");
	rules[5] = RULE(6, "proto", "udp", "action", "accept"); /* fine: 5
								 * is narrower */
	rules[6] = RULE(7, "src", "198.19.0.0/24", "proto", "udp", "state",
			"new,established", "action", "accept"); /* shadowed
								 * by 6 */
	n = fw_check(rules, 7, is, 8);
	assert_int_equal(n, 3);
	assert_int_equal(is[0].kind, FW_SHADOWED);
	assert_int_equal(is[0].rule, 2);
	assert_int_equal(is[0].by, 1);
	assert_int_equal(is[1].kind, FW_CONTRADICTS);
	assert_int_equal(is[1].rule, 3);
	assert_int_equal(is[1].by, 1);
	assert_int_equal(is[2].kind, FW_SHADOWED);
	assert_int_equal(is[2].rule, 7);
	assert_int_equal(is[2].by, 4);
	assert_string_equal(fw_issue_name(FW_CONTRADICTS), "contradicts");
	/* only @max stored, all counted */
	assert_int_equal(fw_check(rules, 7, is, 1), 3);
}

/* Every issue the checker reports is real: the later rule is never the
 * first match of any packet (random rules, random packets). */
static void test_check_sound(void **state)
{
	static struct fw_rule rules[40];
	struct nsets ns = { .name = { "s1", "s2", "d1", "d2" }, .count = 4 };
	struct fw_issue is[40];

	(void)state;
	for (int round = 0; round < 50; round++) {
		size_t n = 2 + rnd() % 39, found;

		for (size_t i = 0; i < n; i++)
			random_rule(&rules[i], (__u32)i + 1, &ns);
		found = fw_check(rules, n, is, 40);
		for (size_t k = 0; k < found && k < 40; k++) {
			for (int t = 0; t < 500; t++) {
				struct fw_packet pk;
				int m;

				random_packet(&pk);
				m = fw_eval_linear(rules, n, &pk, contains,
						   &ns);
				assert_true(m < 0 || rules[m].id != is[k].rule);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_compile_ports_any_proto),
		cmocka_unit_test(test_compile_basic),
		cmocka_unit_test(test_compile_limits),
		cmocka_unit_test(test_compile_random),
		cmocka_unit_test(test_compile_summary),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_sound),
	};
	const char *s = getenv("FW_SEED");

	seed = s ? strtoull(s, NULL, 10) : (uint64_t)time(NULL);
	if (!seed)
		seed = 1;
	printf("# FW_SEED=%llu\n", (unsigned long long)seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
