// SPDX-License-Identifier: BSD-2-Clause
/*
 * lib/fib: the forwarding-table compiler.  Hand-made fixtures (nesting,
 * deletion back to the covering route at every level, group folding,
 * -ENOSPC, bad input, adoption), a randomized comparison with a plain
 * binary trie for IPv4 and IPv6, a reader racing a writer, and the load
 * time of an internet-like IPv4 table (printed, not asserted).
 *
 * FIB_SEED=N in the environment repeats a randomized run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "fib.h"

#define T(i) (SLUICE_FIB_NHG0 + (i))

static uint64_t seed;

/* ---- helpers -------------------------------------------------------------- */

struct env {
	struct fib *f;
	struct fib_tables t;
	unsigned int ab; /* address bytes */
};

/* @p48_bits: the IPv6 /48 index's size (log2 of its buckets), 0 for none */
static void env_open_index(struct env *e, unsigned int ab, __u32 n_groups,
			   unsigned int p48_bits)
{
	memset(e, 0, sizeof(*e));
	e->ab = ab;
	/* malloc, not calloc: fib_new() must clear them */
	e->t.root = malloc(sizeof(__u32) * SLUICE_FIB_ROOT_SIZE);
	e->t.groups = malloc(sizeof(__u32) * SLUICE_FIB_GROUP_SIZE *
			     (n_groups ? n_groups : 1));
	e->t.n_groups = n_groups;
	assert_non_null(e->t.root);
	assert_non_null(e->t.groups);
	memset(e->t.root, 0xa5, sizeof(__u32) * 4096);
	if (ab == 16 && p48_bits) {
		e->t.p48_bits = p48_bits;
		e->t.p48 = malloc(sizeof(*e->t.p48) << p48_bits);
		assert_non_null(e->t.p48);
		memset(e->t.p48, 0xa5, sizeof(*e->t.p48) * 64);
	}
	assert_int_equal(fib_new(&e->f, ab, &e->t, false), 0);
}

/* every IPv6 test runs with the /48 index of the default size */
static void env_open(struct env *e, unsigned int ab, __u32 n_groups)
{
	env_open_index(e, ab, n_groups, SLUICE_FIB6_P48_BITS);
}

static void env_close(struct env *e)
{
	fib_free(e->f);
	free(e->t.root);
	free(e->t.groups);
	free(e->t.p48);
	memset(e, 0, sizeof(*e));
}

/* "198.18.0.0/15" or "2001:db8::/32" into bytes and a length */
static void parse(const struct env *e, const char *s, __u8 *addr,
		  unsigned int *plen)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	*plen = e->ab * 8;
	if (slash) {
		*slash = 0;
		*plen = (unsigned int)atoi(slash + 1);
	}
	if (inet_pton(e->ab == 4 ? AF_INET : AF_INET6, buf, addr) != 1)
		fail_msg("bad test address %s", s);
}

static int add(struct env *e, const char *pfx, __u32 target)
{
	__u8 a[16];
	unsigned int plen;

	parse(e, pfx, a, &plen);
	return fib_add(e->f, a, plen, target);
}

static int del(struct env *e, const char *pfx)
{
	__u8 a[16];
	unsigned int plen;

	parse(e, pfx, a, &plen);
	return fib_del(e->f, a, plen);
}

static __u32 look(struct env *e, const char *addr)
{
	__u8 a[16];
	unsigned int plen;

	parse(e, addr, a, &plen);
	return fib_lookup(&e->t, e->ab, a);
}

/* each address of @cases, NULL-terminated, must look up to its target */
struct expect {
	const char *addr;
	__u32 target;
};

static void check(struct env *e, const struct expect *cases, const char *step)
{
	for (; cases->addr; cases++)
		if (look(e, cases->addr) != cases->target)
			fail_msg("%s: %s looks up %u, want %u", step,
				 cases->addr, look(e, cases->addr),
				 cases->target);
	assert_int_equal(fib_verify(e->f), 0);
}

/* splitmix64 */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rnd(s) % n);
}

static void rnd_bytes(uint64_t *s, __u8 *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (__u8)rnd(s);
}

static void mask(__u8 *a, unsigned int ab, unsigned int plen)
{
	for (unsigned int i = 0; i < ab; i++) {
		if (plen >= 8 * (i + 1))
			continue;
		a[i] &= plen <= 8 * i ? 0 : (__u8)(0xff00 >> (plen - 8 * i));
	}
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 +
	       (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- fixtures ------------------------------------------------------------- */

static void test_v4_nested(void **state)
{
	struct env e;

	(void)state;
	env_open(&e, 4, 64);
	assert_int_equal(add(&e, "198.0.0.0/8", T(1)), 0);
	assert_int_equal(add(&e, "198.18.0.0/16", T(2)), 0);
	assert_int_equal(add(&e, "198.18.1.0/24", T(3)), 0);
	assert_int_equal(add(&e, "198.18.1.128/25", T(4)), 0);
	assert_int_equal(add(&e, "198.18.1.200/32", T(5)), 0);
	assert_int_equal(fib_rules(e.f), 5);
	assert_int_equal(fib_groups_used(e.f), 1);
	check(&e,
	      (const struct expect[]){ { "198.1.1.1", T(1) },
				       { "198.18.2.1", T(2) },
				       { "198.18.1.1", T(3) },
				       { "198.18.1.127", T(3) },
				       { "198.18.1.128", T(4) },
				       { "198.18.1.199", T(4) },
				       { "198.18.1.200", T(5) },
				       { "198.18.1.201", T(4) },
				       { "199.0.0.1", 0 },
				       { "197.255.255.255", 0 },
				       { NULL, 0 } },
	      "all five");

	/* inside the group: the /25 goes back to the /24 */
	assert_int_equal(del(&e, "198.18.1.128/25"), 0);
	check(&e,
	      (const struct expect[]){ { "198.18.1.129", T(3) },
				       { "198.18.1.200", T(5) },
				       { "198.18.1.1", T(3) },
				       { NULL, 0 } },
	      "no /25");
	/* the /24 was pushed into the group: its entries there go to the
	 * /16 while the /32 keeps the group */
	assert_int_equal(del(&e, "198.18.1.0/24"), 0);
	assert_int_equal(fib_groups_used(e.f), 1);
	check(&e,
	      (const struct expect[]){ { "198.18.1.129", T(2) },
				       { "198.18.1.1", T(2) },
				       { "198.18.1.200", T(5) },
				       { NULL, 0 } },
	      "no /24");
	/* out of the group: it folds into the root entry, now the /16's */
	assert_int_equal(del(&e, "198.18.1.200/32"), 0);
	assert_int_equal(fib_groups_used(e.f), 0);
	check(&e,
	      (const struct expect[]){ { "198.18.1.200", T(2) },
				       { "198.18.255.255", T(2) },
				       { NULL, 0 } },
	      "no /32");
	/* a /32 under the /16 only, then the /16 goes: the group's 255
	 * other entries go to the /8, the /32 stays */
	assert_int_equal(add(&e, "198.18.1.200/32", T(5)), 0);
	assert_int_equal(del(&e, "198.18.0.0/16"), 0);
	assert_int_equal(fib_groups_used(e.f), 1);
	check(&e,
	      (const struct expect[]){ { "198.18.1.200", T(5) },
				       { "198.18.1.199", T(1) },
				       { "198.18.2.0", T(1) },
				       { NULL, 0 } },
	      "no /16");
	assert_int_equal(del(&e, "198.0.0.0/8"), 0);
	check(&e,
	      (const struct expect[]){ { "198.18.1.200", T(5) },
				       { "198.18.1.199", 0 },
				       { "198.18.2.0", 0 },
				       { NULL, 0 } },
	      "no /8");
	assert_int_equal(del(&e, "198.18.1.200/32"), 0);
	assert_int_equal(fib_groups_used(e.f), 0);
	assert_int_equal(fib_rules(e.f), 0);
	check(&e, (const struct expect[]){ { "198.18.1.200", 0 }, { NULL, 0 } },
	      "empty");
	/* everything is 0 again */
	for (__u32 i = 0; i < SLUICE_FIB_ROOT_SIZE; i++)
		if (e.t.root[i])
			fail_msg("root[%u] = %#x after deleting all", i,
				 e.t.root[i]);
	env_close(&e);
}

static void test_v4_default_and_host(void **state)
{
	struct env e;

	(void)state;
	env_open(&e, 4, 4);
	assert_int_equal(add(&e, "0.0.0.0/0", SLUICE_FIB_KERNEL), 0);
	assert_int_equal(add(&e, "198.18.0.1/32", SLUICE_FIB_LOCAL), 0);
	assert_int_equal(add(&e, "255.255.255.255/32", T(7)), 0);
	check(&e,
	      (const struct expect[]){ { "0.0.0.0", SLUICE_FIB_KERNEL },
				       { "198.18.0.1", SLUICE_FIB_LOCAL },
				       { "198.18.0.2", SLUICE_FIB_KERNEL },
				       { "255.255.255.255", T(7) },
				       { "255.255.255.254", SLUICE_FIB_KERNEL },
				       { NULL, 0 } },
	      "default and hosts");
	assert_int_equal(del(&e, "0.0.0.0/0"), 0);
	check(&e,
	      (const struct expect[]){ { "0.0.0.0", 0 },
				       { "198.18.0.1", SLUICE_FIB_LOCAL },
				       { "198.18.0.2", 0 },
				       { "255.255.255.255", T(7) },
				       { NULL, 0 } },
	      "no default");
	assert_int_equal(fib_groups_used(e.f), 2);
	/* the default comes back under the hosts, into their groups */
	assert_int_equal(add(&e, "0.0.0.0/0", T(9)), 0);
	check(&e,
	      (const struct expect[]){ { "198.18.0.2", T(9) },
				       { "198.18.0.1", SLUICE_FIB_LOCAL },
				       { "255.255.255.254", T(9) },
				       { NULL, 0 } },
	      "default again");
	env_close(&e);
}

static void test_v6_nested(void **state)
{
	struct env e;

	(void)state;
	env_open(&e, 16, 64);
	assert_int_equal(add(&e, "::/0", T(1)), 0);
	assert_int_equal(add(&e, "2001:db8::/32", T(2)), 0);
	assert_int_equal(add(&e, "2001:db8:1::/48", T(3)), 0);
	assert_int_equal(add(&e, "2001:db8:1:2::/64", T(4)), 0);
	assert_int_equal(add(&e, "2001:db8:1:2::/127", T(5)), 0);
	assert_int_equal(add(&e, "2001:db8:1:2::1/128", T(6)), 0);
	assert_int_equal(add(&e, "2001:db8:1:2:ff00::/72", T(8)), 0);
	/* groups: /32 one, /48 two more, /64 two more, /127 eight more;
	 * the /128 and the /72 are on paths that exist */
	assert_int_equal(fib_groups_used(e.f), 13);
	check(&e,
	      (const struct expect[]){ { "::1", T(1) },
				       { "2001:db9::", T(1) },
				       { "2001:db8::1", T(2) },
				       { "2001:db8:1::1", T(3) },
				       { "2001:db8:1:2::2", T(4) },
				       { "2001:db8:1:2::", T(5) },
				       { "2001:db8:1:2::1", T(6) },
				       { "2001:db8:1:2:ff12::", T(8) },
				       { "2001:db8:1:2:fe00::", T(4) },
				       { NULL, 0 } },
	      "all");
	assert_int_equal(del(&e, "2001:db8:1:2::1/128"), 0);
	assert_int_equal(fib_groups_used(e.f), 13);
	check(&e,
	      (const struct expect[]){ { "2001:db8:1:2::1", T(5) },
				       { NULL, 0 } },
	      "no /128");
	assert_int_equal(del(&e, "2001:db8:1:2::/127"), 0);
	/* the seven groups below the /72's fold, one after the other */
	assert_int_equal(fib_groups_used(e.f), 6);
	check(&e,
	      (const struct expect[]){ { "2001:db8:1:2::1", T(4) },
				       { "2001:db8:1:2::", T(4) },
				       { NULL, 0 } },
	      "no /127");
	assert_int_equal(del(&e, "2001:db8:1:2::/64"), 0);
	check(&e,
	      (const struct expect[]){ { "2001:db8:1:2::1", T(3) },
				       { "2001:db8:1:2:ff00::1", T(8) },
				       { NULL, 0 } },
	      "no /64");
	assert_int_equal(del(&e, "2001:db8:1:2:ff00::/72"), 0);
	assert_int_equal(fib_groups_used(e.f), 3);
	assert_int_equal(del(&e, "2001:db8::/32"), 0);
	check(&e,
	      (const struct expect[]){ { "2001:db8:1:2::1", T(3) },
				       { "2001:db8::1", T(1) },
				       { NULL, 0 } },
	      "no /32");
	assert_int_equal(del(&e, "2001:db8:1::/48"), 0);
	assert_int_equal(fib_groups_used(e.f), 0);
	assert_int_equal(del(&e, "::/0"), 0);
	check(&e,
	      (const struct expect[]){ { "2001:db8:1:2::1", 0 }, { NULL, 0 } },
	      "empty");
	/* a lone /128: thirteen groups, all folded by its deletion */
	assert_int_equal(add(&e, "2001:db8::1/128", T(1)), 0);
	assert_int_equal(fib_groups_used(e.f), 13);
	assert_int_equal(look(&e, "2001:db8::1"), T(1));
	assert_int_equal(look(&e, "2001:db8::"), 0);
	assert_int_equal(del(&e, "2001:db8::1/128"), 0);
	assert_int_equal(fib_groups_used(e.f), 0);
	assert_int_equal(fib_verify(e.f), 0);
	env_close(&e);
}

/* ---- the /48 index (uapi/sluice/fib_p48.h) -------------------------------- */

static struct sluice_fib6_p48_bucket *p48_of(const struct env *e, const __u8 *a,
					     __u32 *tag)
{
	__u64 m = sluice_fib6_p48_mix(sluice_fib6_p48_key(a));

	*tag = sluice_fib6_p48_tag(m, SLUICE_FIB6_P48_BITS);
	return &e->t.p48[sluice_fib6_p48_bucket(m, SLUICE_FIB6_P48_BITS)];
}

/* The index's slot for @pfx's /48: its entry, 0 when it has none. */
static __u32 p48_slot(const struct env *e, const char *pfx)
{
	const struct sluice_fib6_p48_bucket *bk;
	unsigned int plen;
	__u8 a[16];
	__u32 tag;

	parse(e, pfx, a, &plen);
	bk = p48_of(e, a, &tag);
	for (int i = 0; i < SLUICE_FIB6_P48_WAYS; i++)
		if (bk->slot[i] && (__u32)(bk->slot[i] >> 32) == tag)
			return (__u32)bk->slot[i];
	return 0;
}

static void test_v6_p48(void **state)
{
	char pfx[SLUICE_FIB6_P48_WAYS + 1][48], *name;
	struct sluice_fib6_p48_bucket *bk, saved;
	__u32 bucket = 0, e64;
	unsigned int plen, found = 0;
	uint64_t s = 48;
	__u8 a[16];
	struct env e;

	(void)state;
	env_open(&e, 16, 64);
	assert_int_equal(fib_p48_used(e.f), 0); /* fib_new() emptied it */
	/* a /48 route: its slot holds the route's entry */
	assert_int_equal(add(&e, "2001:db8:1::/48", T(1)), 0);
	assert_int_equal(p48_slot(&e, "2001:db8:1::"),
			 sluice_fib_entry(T(1), 48));
	assert_int_equal(fib_p48_used(e.f), 1);
	/* a longer route inside: the slot links to byte 6's group */
	assert_int_equal(add(&e, "2001:db8:1:5::/64", T(2)), 0);
	e64 = p48_slot(&e, "2001:db8:1::");
	assert_true(e64 & SLUICE_FIB_EXT);
	/* a shorter route covering it changes neither; the /48s only a
	 * route of 40 bits or less covers have no slot (the walk answers) */
	assert_int_equal(add(&e, "2001:db8::/32", T(3)), 0);
	assert_int_equal(p48_slot(&e, "2001:db8:1::"), e64);
	assert_int_equal(p48_slot(&e, "2001:db8:2::"), 0);
	check(&e,
	      (const struct expect[]){ { "2001:db8:1::9", T(1) },
				       { "2001:db8:1:5::9", T(2) },
				       { "2001:db8:1:6::9", T(1) },
				       { "2001:db8:2::9", T(3) },
				       { "2001:db9::9", 0 },
				       { NULL, 0 } },
	      "a /48, a /64 inside, a /32 over both");
	/* the /48 deleted: still a link (the /64), the rest back to the /32 */
	assert_int_equal(del(&e, "2001:db8:1::/48"), 0);
	assert_int_equal(p48_slot(&e, "2001:db8:1::"), e64);
	check(&e,
	      (const struct expect[]){ { "2001:db8:1::9", T(3) },
				       { "2001:db8:1:5::9", T(2) },
				       { NULL, 0 } },
	      "the /48 deleted");
	/* the /64 deleted too: the /48's entry is the /32's, no slot */
	assert_int_equal(del(&e, "2001:db8:1:5::/64"), 0);
	assert_int_equal(p48_slot(&e, "2001:db8:1::"), 0);
	assert_int_equal(fib_p48_used(e.f), 0);
	check(&e,
	      (const struct expect[]){ { "2001:db8:1::9", T(3) },
				       { "2001:db8:1:5::9", T(3) },
				       { NULL, 0 } },
	      "the /64 deleted");

	/* a /44 is written at the /48 level: each of its 16 /48s gets a slot
	 * with its entry; a /46 inside takes 4 of them; the /44 deleted, the
	 * /46's stay and the other 12 (back to the /32) go; then the /46 */
	assert_int_equal(add(&e, "2001:db8:20::/44", T(4)), 0);
	assert_int_equal(fib_p48_used(e.f), 16);
	assert_int_equal(p48_slot(&e, "2001:db8:2f::"),
			 sluice_fib_entry(T(4), 44));
	assert_int_equal(add(&e, "2001:db8:24::/46", T(5)), 0);
	assert_int_equal(fib_p48_used(e.f), 16);
	assert_int_equal(p48_slot(&e, "2001:db8:25::"),
			 sluice_fib_entry(T(5), 46));
	assert_int_equal(p48_slot(&e, "2001:db8:28::"),
			 sluice_fib_entry(T(4), 44));
	check(&e,
	      (const struct expect[]){ { "2001:db8:20::9", T(4) },
				       { "2001:db8:27::9", T(5) },
				       { "2001:db8:30::9", T(3) },
				       { NULL, 0 } },
	      "a /44 and a /46 in it");
	assert_int_equal(del(&e, "2001:db8:20::/44"), 0);
	assert_int_equal(fib_p48_used(e.f), 4);
	assert_int_equal(p48_slot(&e, "2001:db8:2f::"), 0);
	check(&e,
	      (const struct expect[]){ { "2001:db8:20::9", T(3) },
				       { "2001:db8:27::9", T(5) },
				       { NULL, 0 } },
	      "the /44 deleted");
	assert_int_equal(del(&e, "2001:db8:24::/46"), 0);
	assert_int_equal(fib_p48_used(e.f), 0);
	check(&e,
	      (const struct expect[]){ { "2001:db8:27::9", T(3) },
				       { NULL, 0 } },
	      "the /46 deleted");

	/* one /48 more than a bucket holds: the last takes the walk */
	while (found <= SLUICE_FIB6_P48_WAYS) {
		__u64 k = 0xfd0000000000ull | (rnd(&s) & 0xffffffffffull);

		for (int i = 0; i < 6; i++)
			a[i] = (__u8)(k >> (40 - 8 * i));
		memset(a + 6, 0, 10);
		if (found &&
		    sluice_fib6_p48_bucket(sluice_fib6_p48_mix(k),
					   SLUICE_FIB6_P48_BITS) != bucket)
			continue;
		bucket = sluice_fib6_p48_bucket(sluice_fib6_p48_mix(k),
						SLUICE_FIB6_P48_BITS);
		name = pfx[found];
		inet_ntop(AF_INET6, a, name, 48);
		strcat(name, "/48");
		assert_int_equal(add(&e, name, T(10 + found)), 0);
		found++;
	}
	assert_int_equal(fib_p48_used(e.f), SLUICE_FIB6_P48_WAYS);
	assert_int_equal(p48_slot(&e, pfx[SLUICE_FIB6_P48_WAYS]), 0);
	for (unsigned int i = 0; i <= SLUICE_FIB6_P48_WAYS; i++) {
		parse(&e, pfx[i], a, &plen);
		a[15] = 9;
		assert_int_equal(fib_lookup(&e.t, 16, a), T(10 + i));
	}
	assert_int_equal(fib_verify(e.f), 0);
	/* a slot freed is not taken by the /48 left out (it walks until
	 * its next change) */
	assert_int_equal(del(&e, pfx[1]), 0);
	assert_int_equal(fib_p48_used(e.f), SLUICE_FIB6_P48_WAYS - 1);
	assert_int_equal(add(&e, pfx[SLUICE_FIB6_P48_WAYS],
			     T(10 + SLUICE_FIB6_P48_WAYS)),
			 0);
	assert_int_equal(p48_slot(&e, pfx[SLUICE_FIB6_P48_WAYS]),
			 sluice_fib_entry(T(10 + SLUICE_FIB6_P48_WAYS), 48));
	assert_int_equal(fib_verify(e.f), 0);

	/* verify catches a slot that lies, and a /48 held twice */
	bk = &e.t.p48[bucket];
	saved = *bk;
	bk->slot[0] = (bk->slot[0] & ~0xffffffffull) |
		      sluice_fib_entry(T(77), 48);
	assert_int_equal(fib_verify(e.f), -EBADMSG);
	*bk = saved;
	assert_int_equal(fib_verify(e.f), 0);
	bk->slot[1] = bk->slot[0];
	assert_int_equal(fib_verify(e.f), -EBADMSG);
	*bk = saved;

	/* a restart: the index is emptied and filled again by the notes */
	fib_free(e.f);
	assert_int_equal(fib_new(&e.f, 16, &e.t, true), 0);
	assert_int_equal(fib_p48_used(e.f), 0);
	assert_int_equal(add(&e, "2001:db8::/32", T(3)), 0);
	for (unsigned int i = 0; i <= SLUICE_FIB6_P48_WAYS; i++) {
		if (i == 1)
			continue;
		parse(&e, pfx[i], a, &plen);
		assert_int_equal(fib_note(e.f, a, plen, T(10 + i)), 0);
	}
	assert_int_equal(fib_p48_used(e.f), SLUICE_FIB6_P48_WAYS);
	assert_int_equal(fib_verify(e.f), 0);
	env_close(&e);
}

/* "fd../@plen" of the /48 number @k, into @out (48 bytes) */
static void p48_name(__u64 k, unsigned int plen, char *out)
{
	__u8 a[16] = { 0 };

	for (int i = 0; i < 6; i++)
		a[i] = (__u8)(k >> (40 - 8 * i));
	inet_ntop(AF_INET6, a, out, 48);
	snprintf(out + strlen(out), 48 - strlen(out), "/%u", plen);
}

/* A full bucket keeps the /48s of the narrowest routes: a /48 takes the
 * slot of a /47's /48, a /47's /48 does not take a /48's. */
static void test_v6_p48_rank(void **state)
{
	enum { N = SLUICE_FIB6_P48_WAYS + 2 };
	const struct sluice_fib6_p48_bucket *bk;
	char name[N][48];
	__u64 key[N];
	uint64_t s = 4847;
	unsigned int n = 0;
	__u32 bucket = 0, b;
	struct env e;

	(void)state;
	env_open(&e, 16, 256);
	/* N even /48s of one bucket (a /47 covers each and the odd one
	 * after it, which another bucket holds) */
	while (n < N) {
		__u64 k = 0xfd0000000000ull | (rnd(&s) & 0xfffffffffeull);

		b = sluice_fib6_p48_bucket(sluice_fib6_p48_mix(k),
					   SLUICE_FIB6_P48_BITS);
		if ((n && b != bucket) ||
		    sluice_fib6_p48_bucket(sluice_fib6_p48_mix(k + 1),
					   SLUICE_FIB6_P48_BITS) == b)
			continue;
		bucket = b;
		key[n++] = k;
	}
	bk = &e.t.p48[bucket];
	for (unsigned int i = 0; i < SLUICE_FIB6_P48_WAYS; i++) {
		p48_name(key[i], 47, name[i]);
		assert_int_equal(add(&e, name[i], T(20 + i)), 0);
		assert_int_equal(p48_slot(&e, name[i]),
				 sluice_fib_entry(T(20 + i), 47));
	}
	for (unsigned int i = 0; i < SLUICE_FIB6_P48_WAYS; i++)
		assert_true(bk->slot[i] != 0); /* full of /47s' /48s */
	p48_name(key[N - 2], 48, name[N - 2]);
	assert_int_equal(add(&e, name[N - 2], T(30)), 0);
	assert_int_equal(p48_slot(&e, name[N - 2]),
			 sluice_fib_entry(T(30), 48));
	p48_name(key[N - 1], 47, name[N - 1]);
	assert_int_equal(add(&e, name[N - 1], T(31)), 0);
	assert_int_equal(p48_slot(&e, name[N - 1]), 0);
	/* one /47's /48 lost its slot to the /48, the last never had one:
	 * every address still finds its route */
	for (unsigned int i = 0; i < N; i++) {
		__u8 a[16];
		unsigned int plen;

		parse(&e, name[i], a, &plen);
		a[15] = 9;
		assert_int_equal(fib_lookup(&e.t, 16, a),
				 i == N - 2 ? T(30) :
				 i == N - 1 ? T(31) :
					      T(20 + i));
	}
	assert_int_equal(fib_verify(e.f), 0);
	env_close(&e);
}

static void test_replace(void **state)
{
	struct env e;
	__u8 a[16];
	unsigned int plen;

	(void)state;
	env_open(&e, 4, 8);
	assert_int_equal(add(&e, "198.18.0.0/16", T(1)), 0);
	assert_int_equal(add(&e, "198.18.1.0/24", T(2)), 0);
	assert_int_equal(add(&e, "198.18.1.7/32", T(3)), 0);
	assert_int_equal(add(&e, "198.18.1.0/24", T(4)), 0);
	assert_int_equal(add(&e, "198.18.1.7/32", T(5)), 0);
	assert_int_equal(add(&e, "198.18.0.0/16", T(6)), 0);
	assert_int_equal(fib_rules(e.f), 3);
	assert_int_equal(fib_groups_used(e.f), 1);
	check(&e,
	      (const struct expect[]){ { "198.18.1.1", T(4) },
				       { "198.18.1.7", T(5) },
				       { "198.18.2.1", T(6) },
				       { NULL, 0 } },
	      "replaced");
	parse(&e, "198.18.1.0/24", a, &plen);
	assert_int_equal(fib_find(e.f, a, plen), T(4));
	assert_int_equal(fib_find(e.f, a, 23), 0);
	/* the replacement is what a delete gives back */
	assert_int_equal(del(&e, "198.18.1.0/24"), 0);
	check(&e,
	      (const struct expect[]){ { "198.18.1.1", T(6) },
				       { "198.18.1.7", T(5) },
				       { NULL, 0 } },
	      "deleted");
	env_close(&e);
}

static void test_enospc(void **state)
{
	const size_t root_sz = sizeof(__u32) * SLUICE_FIB_ROOT_SIZE;
	__u32 *root = malloc(root_sz), groups[4 * SLUICE_FIB_GROUP_SIZE];
	struct env e;

	(void)state;
	assert_non_null(root);
	env_open(&e, 4, 2);
	assert_int_equal(add(&e, "198.18.0.0/15", T(1)), 0);
	assert_int_equal(add(&e, "198.18.1.1/32", T(2)), 0);
	assert_int_equal(add(&e, "198.18.2.1/32", T(3)), 0);
	memcpy(root, e.t.root, root_sz);
	memcpy(groups, e.t.groups, 2 * sizeof(__u32) * SLUICE_FIB_GROUP_SIZE);
	assert_int_equal(add(&e, "198.18.3.1/32", T(4)), -ENOSPC);
	assert_int_equal(add(&e, "198.18.3.128/25", T(4)), -ENOSPC);
	assert_memory_equal(root, e.t.root, root_sz);
	assert_memory_equal(groups, e.t.groups,
			    2 * sizeof(__u32) * SLUICE_FIB_GROUP_SIZE);
	assert_int_equal(fib_rules(e.f), 3);
	check(&e,
	      (const struct expect[]){ { "198.18.3.1", T(1) },
				       { "198.18.1.1", T(2) },
				       { NULL, 0 } },
	      "after -ENOSPC");
	/* what needs no new group still goes in */
	assert_int_equal(add(&e, "198.18.1.2/32", T(5)), 0);
	assert_int_equal(add(&e, "198.18.3.0/24", T(6)), 0);
	assert_int_equal(add(&e, "198.18.2.1/32", T(7)), 0);
	/* and a freed group is there for the next one */
	assert_int_equal(del(&e, "198.18.2.1/32"), 0);
	assert_int_equal(add(&e, "198.18.3.1/32", T(4)), 0);
	check(&e,
	      (const struct expect[]){ { "198.18.3.1", T(4) },
				       { "198.18.3.2", T(6) },
				       { "198.18.2.1", T(1) },
				       { NULL, 0 } },
	      "after freeing");
	env_close(&e);

	/* IPv6: a /48 takes three groups, a /48 in another /32 two more */
	env_open(&e, 16, 4);
	assert_int_equal(add(&e, "2001:db8::/48", T(1)), 0);
	assert_int_equal(fib_groups_used(e.f), 3);
	memcpy(root, e.t.root, root_sz);
	memcpy(groups, e.t.groups, sizeof(groups));
	assert_int_equal(add(&e, "2001:db9::/48", T(2)), -ENOSPC);
	assert_int_equal(add(&e, "2001:db8:0:1::/64", T(2)), -ENOSPC);
	assert_memory_equal(root, e.t.root, root_sz);
	assert_memory_equal(groups, e.t.groups, sizeof(groups));
	assert_int_equal(fib_rules(e.f), 1);
	assert_int_equal(add(&e, "2001:db8:0:100::/56", T(3)), 0);
	assert_int_equal(fib_groups_used(e.f), 4);
	check(&e,
	      (const struct expect[]){ { "2001:db8:1::", 0 },
				       { "2001:db8::1", T(1) },
				       { "2001:db8:0:101::", T(3) },
				       { NULL, 0 } },
	      "v6 after -ENOSPC");
	env_close(&e);
	free(root);
}

/* A freed group goes to the back of the queue: reused as late as possible,
 * so that a reader still inside it has long left. */
static void test_fifo(void **state)
{
	struct env e;
	char pfx[32];

	(void)state;
	env_open(&e, 4, 4);
	for (int i = 0; i < 9; i++) {
		__u32 link;

		snprintf(pfx, sizeof(pfx), "198.18.%d.1/32", i);
		assert_int_equal(add(&e, pfx, T(i)), 0);
		link = e.t.root[198 << 16 | 18 << 8 | i];
		assert_int_equal(link, SLUICE_FIB_EXT | (__u32)(i % 4));
		assert_int_equal(del(&e, pfx), 0);
		assert_int_equal(fib_groups_used(e.f), 0);
	}
	env_close(&e);
}

static void test_bad_input(void **state)
{
	static const struct fib_tables none;
	__u8 a[16] = { 198, 18, 1, 1 };
	struct fib_tables t;
	struct env e;
	struct fib *f;

	(void)state;
	env_open(&e, 4, 4);
	assert_int_equal(add(&e, "198.18.0.0/16", T(1)), 0);
	assert_int_equal(add(&e, "198.18.1.1/24", T(2)), -EINVAL);
	assert_int_equal(add(&e, "198.19.0.0/15", T(2)), -EINVAL);
	assert_int_equal(fib_add(e.f, a, 33, T(2)), -EINVAL);
	assert_int_equal(add(&e, "198.18.1.0/24", 0), -EINVAL);
	assert_int_equal(add(&e, "198.18.1.0/24", SLUICE_FIB_TARGET_MASK + 1),
			 -EINVAL);
	assert_int_equal(add(&e, "198.18.1.0/24", SLUICE_FIB_TARGET_MASK), 0);
	assert_int_equal(del(&e, "198.18.1.1/24"), -EINVAL);
	assert_int_equal(fib_del(e.f, a, 33), -EINVAL);
	assert_int_equal(del(&e, "198.18.2.0/24"), -ENOENT);
	assert_int_equal(del(&e, "198.18.0.0/17"), -ENOENT);
	assert_int_equal(fib_note(e.f, a, 24, T(1)), -EINVAL);
	assert_int_equal(fib_rules(e.f), 2);
	check(&e,
	      (const struct expect[]){ { "198.18.1.1", SLUICE_FIB_TARGET_MASK },
				       { "198.18.2.1", T(1) },
				       { NULL, 0 } },
	      "after bad input");
	env_close(&e);

	env_open(&e, 16, 4);
	assert_int_equal(fib_add(e.f, a, 129, T(2)), -EINVAL);
	assert_int_equal(add(&e, "2001:db8::1/127", T(2)), -EINVAL);
	assert_int_equal(add(&e, "2001:db9::/31", T(2)), -EINVAL);
	assert_int_equal(add(&e, "2001:db8::/128", 0), -EINVAL);
	assert_int_equal(fib_rules(e.f), 0);
	assert_int_equal(fib_groups_used(e.f), 0);
	t = e.t;
	assert_int_equal(fib_new(&f, 8, &t, false), -EINVAL);
	assert_null(f);
	assert_int_equal(fib_new(&f, 4, &none, false), -EINVAL);
	t.n_groups = SLUICE_FIB_EXT;
	assert_int_equal(fib_new(&f, 4, &t, true), -EINVAL);
	env_close(&e);
}

/* ---- adoption ------------------------------------------------------------- */

static const char *const adopt_v4[] = {
	"0.0.0.0/0",	   "198.18.0.0/15", "198.18.1.0/24", "198.18.1.128/25",
	"198.18.1.200/32", "198.19.7.0/28", "198.19.7.9/32", "203.0.113.0/24",
	"203.0.113.77/32", "10.0.0.0/8",    "10.1.2.3/32",   NULL,
};
static const char *const adopt_v6[] = {
	"::/0",
	"2001:db8::/32",
	"2001:db8:1::/48",
	"2001:db8:1:2::/64",
	"2001:db8:1:2::1/128",
	"2001:db8:ff00::/40",
	"fd00::/8",
	"fd00:1::1:0/112",
	NULL,
};

/* every group some link in the tables names, as a bitmap */
static void mark_links(const struct env *e, const __u32 *tbl, __u32 n,
		       __u8 *seen)
{
	for (__u32 i = 0; i < n; i++) {
		__u32 g = tbl[i] & ~SLUICE_FIB_EXT;

		if (!(tbl[i] & SLUICE_FIB_EXT))
			continue;
		assert_true(g < e->t.n_groups);
		seen[g] = 1;
		mark_links(e, e->t.groups + (size_t)g * SLUICE_FIB_GROUP_SIZE,
			   SLUICE_FIB_GROUP_SIZE, seen);
	}
}

static void adopt_family(unsigned int ab, const char *const *rules,
			 const char *const *more)
{
	const __u32 n_groups = 64;
	__u8 a[16];
	unsigned int plen, n = 0;
	__u32 used;
	struct env e;

	env_open(&e, ab, n_groups);
	for (; rules[n]; n++)
		assert_int_equal(add(&e, rules[n], T(n)), 0);
	used = fib_groups_used(e.f);
	assert_true(used > 2);
	/* a restart: the old process is gone, the tables stay */
	fib_free(e.f);
	assert_int_equal(fib_new(&e.f, ab, &e.t, true), 0);
	assert_int_equal(fib_groups_used(e.f), used);
	for (unsigned int i = 0; i < n; i++) {
		parse(&e, rules[i], a, &plen);
		assert_int_equal(fib_note(e.f, a, plen, T(i)), 0);
	}
	assert_int_equal(fib_rules(e.f), n);
	assert_int_equal(fib_verify(e.f), 0);
	/* verify notices a rule the tables do not hold */
	parse(&e, rules[1], a, &plen);
	assert_int_equal(fib_note(e.f, a, plen, T(99)), 0);
	assert_int_equal(fib_verify(e.f), -EBADMSG);
	assert_int_equal(fib_note(e.f, a, plen, T(1)), 0);
	assert_int_equal(fib_verify(e.f), 0);

	/* new rules, some needing groups: the adopted ones still look up
	 * right (verify), so no group in use was handed out again */
	for (unsigned int i = 0; more[i]; i++)
		assert_int_equal(add(&e, more[i], T(50 + i)), 0);
	assert_true(fib_groups_used(e.f) > used);
	assert_int_equal(fib_verify(e.f), 0);
	for (unsigned int i = 0; more[i]; i++) {
		parse(&e, more[i], a, &plen);
		assert_int_equal(fib_lookup(&e.t, ab, a), T(50 + i));
	}
	/* and deleting adopted and new rules works */
	for (unsigned int i = 0; i < n; i += 2)
		assert_int_equal(del(&e, rules[i]), 0);
	for (unsigned int i = 0; more[i]; i++)
		if (i % 2 == 0)
			assert_int_equal(del(&e, more[i]), 0);
	assert_int_equal(fib_verify(e.f), 0);
	env_close(&e);
}

static void test_adopt(void **state)
{
	static const char *const more_v4[] = { "198.18.2.1/32", "198.18.3.1/32",
					       "198.18.1.201/32",
					       "203.0.114.1/32", NULL };
	static const char *const more_v6[] = { "2001:db8:2::/48",
					       "2001:db8:1:3::/64",
					       "fd00:2::1/128", NULL };

	(void)state;
	adopt_family(4, adopt_v4, more_v4);
	adopt_family(16, adopt_v6, more_v6);
}

/* A restart whose routes map was rebuilt (another layout): the replay is
 * empty, the kernel's routes come back with fib_add(), and the prefixes
 * deleted meanwhile are still in the adopted tables until fib_prune(). */
struct prune_case {
	unsigned int ab;
	const char *const *before; /* the earlier run's rules */
	const char *const *kept;   /* the kernel's now: a subset */
	const struct expect *before_look, *after_look;
	size_t stale;
};

static void prune_family(const struct prune_case *c)
{
	__u32 used_before;
	size_t removed = 99;
	struct env e;

	env_open(&e, c->ab, 64);
	for (unsigned int i = 0; c->before[i]; i++)
		assert_int_equal(add(&e, c->before[i], T(i)), 0);
	check(&e, c->before_look, "before");
	used_before = fib_groups_used(e.f);
	/* prune of a table that matches its rules: nothing to take out */
	assert_int_equal(fib_prune(e.f, &removed), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(fib_groups_used(e.f), used_before);
	check(&e, c->before_look, "pruned while whole");

	fib_free(e.f);
	assert_int_equal(fib_new(&e.f, c->ab, &e.t, true), 0);
	for (unsigned int i = 0; c->kept[i]; i++)
		assert_int_equal(add(&e, c->kept[i], T(20 + i)), 0);
	/* what the warning at start-up is about */
	assert_int_equal(fib_verify(e.f), -EBADMSG);
	assert_int_equal(fib_prune(e.f, &removed), 0);
	assert_int_equal(removed, c->stale);
	check(&e, c->after_look, "after"); /* fib_verify() too */
	assert_true(fib_groups_used(e.f) < used_before);
	/* and the pruned tables take changes as any other */
	for (unsigned int i = 0; c->kept[i]; i++)
		assert_int_equal(del(&e, c->kept[i]), 0);
	assert_int_equal(fib_groups_used(e.f), 0);
	assert_int_equal(fib_verify(e.f), 0);
	env_close(&e);
}

static void test_prune(void **state)
{
	static const char *const before4[] = {
		"0.0.0.0/0",	   "198.18.0.0/15",   "198.18.1.0/24",
		"198.18.1.128/25", "198.18.1.200/32", "198.19.7.0/28",
		"203.0.113.0/24",  "203.0.113.77/32", NULL,
	};
	/* the /15, /25, /28 and the 203.0.113 pair were deleted; the /24
	 * is back with another target */
	static const char *const kept4[] = { "0.0.0.0/0", "198.18.1.0/24",
					     "198.18.1.200/32", NULL };
	static const struct expect look4_before[] = {
		{ "198.18.5.5", T(1) },	  { "198.18.1.130", T(3) },
		{ "198.18.1.200", T(4) }, { "198.19.7.1", T(5) },
		{ "203.0.113.77", T(7) }, { "203.0.113.5", T(6) },
		{ "192.0.2.1", T(0) },	  { NULL, 0 },
	};
	static const struct expect look4_after[] = {
		{ "198.18.5.5", T(20) },
		{ "198.18.1.130", T(21) },
		{ "198.18.1.200", T(22) },
		{ "198.19.7.1", T(20) },
		{ "203.0.113.77", T(20) },
		{ "203.0.113.5", T(20) },
		{ NULL, 0 },
	};
	static const char *const before6[] = {
		"2001:db8::/32",
		"2001:db8:1::/48",
		"2001:db8:1:2::/64",
		"2001:db8:1:2::1/128",
		"2001:db8:ff00::/40",
		"fd00::/8",
		NULL,
	};
	static const char *const kept6[] = { "2001:db8:1::/48",
					     "2001:db8:ff00::/40", NULL };
	static const struct expect look6_before[] = {
		{ "2001:db8:5::1", T(0) },
		{ "2001:db8:1:2::1", T(3) },
		{ "2001:db8:1:2::2", T(2) },
		{ "fd00::1", T(5) },
		{ NULL, 0 },
	};
	static const struct expect look6_after[] = {
		{ "2001:db8:5::1", 0 },
		{ "2001:db8:1:2::1", T(20) },
		{ "2001:db8:1:2::2", T(20) },
		{ "2001:db8:ff00::1", T(21) },
		{ "fd00::1", 0 },
		{ NULL, 0 },
	};
	const struct prune_case cases[] = {
		{ 4, before4, kept4, look4_before, look4_after, 5 },
		{ 16, before6, kept6, look6_before, look6_after, 4 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		prune_family(&cases[i]);
}

/* New groups after adoption are never ones the adopted tables link. */
static void test_adopt_keeps_groups(void **state)
{
	__u32 kept[40] = { 0 };
	__u8 linked[64] = { 0 };
	char pfx[64];
	struct env e;
	__u32 used;

	(void)state;
	env_open(&e, 4, 64);
	/* spread the groups in use over the pool: take 40, free every
	 * other one */
	for (int i = 0; i < 40; i++) {
		snprintf(pfx, sizeof(pfx), "198.18.%d.1/32", i);
		assert_int_equal(add(&e, pfx, T(i)), 0);
	}
	for (int i = 0; i < 40; i += 2) {
		snprintf(pfx, sizeof(pfx), "198.18.%d.1/32", i);
		assert_int_equal(del(&e, pfx), 0);
	}
	used = fib_groups_used(e.f);
	assert_int_equal(used, 20);
	for (int i = 1; i < 40; i += 2)
		kept[i] = e.t.root[198 << 16 | 18 << 8 | i];
	fib_free(e.f);
	assert_int_equal(fib_new(&e.f, 4, &e.t, true), 0);
	for (int i = 1; i < 40; i += 2) {
		__u8 a[4] = { 198, 18, (__u8)i, 1 };

		assert_int_equal(fib_note(e.f, a, 32, T(i)), 0);
	}
	assert_int_equal(fib_verify(e.f), 0);
	/* take every free group */
	for (int i = 0; i < 44; i++) {
		snprintf(pfx, sizeof(pfx), "198.19.%d.1/32", i);
		assert_int_equal(add(&e, pfx, T(i)), 0);
	}
	assert_int_equal(add(&e, "198.19.200.1/32", T(1)), -ENOSPC);
	mark_links(&e, e.t.root, SLUICE_FIB_ROOT_SIZE, linked);
	for (int i = 1; i < 40; i += 2) {
		char addr[32];

		snprintf(addr, sizeof(addr), "198.18.%d.1", i);
		assert_int_equal(look(&e, addr), T(i));
		/* the adopted links are untouched */
		assert_true(kept[i] & SLUICE_FIB_EXT);
		assert_int_equal(e.t.root[198 << 16 | 18 << 8 | i], kept[i]);
	}
	for (int i = 0; i < 44; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "198.19.%d.1", i);
		assert_int_equal(look(&e, addr), T(i));
	}
	/* 20 kept + 44 new = 64 distinct groups: none handed out twice */
	for (int g = 0; g < 64; g++)
		assert_int_equal(linked[g], 1);
	assert_int_equal(fib_groups_used(e.f), 64);
	assert_int_equal(fib_verify(e.f), 0);
	env_close(&e);
}

static void test_adopt_rejects_bad_tables(void **state)
{
	struct env e;
	struct fib *f;
	__u32 link;

	(void)state;
	env_open(&e, 4, 8);
	assert_int_equal(add(&e, "198.18.1.1/32", T(1)), 0);
	assert_int_equal(add(&e, "198.18.2.1/32", T(2)), 0);
	link = e.t.root[198 << 16 | 18 << 8 | 1];
	assert_true(link & SLUICE_FIB_EXT);
	/* the same group linked twice */
	e.t.root[198 << 16 | 18 << 8 | 3] = link;
	assert_int_equal(fib_new(&f, 4, &e.t, true), -EBADMSG);
	/* a link out of the pool */
	e.t.root[198 << 16 | 18 << 8 | 3] = SLUICE_FIB_EXT | 8;
	assert_int_equal(fib_new(&f, 4, &e.t, true), -EBADMSG);
	/* a link below the last level */
	e.t.root[198 << 16 | 18 << 8 | 3] = 0;
	e.t.groups[(link & ~SLUICE_FIB_EXT) * SLUICE_FIB_GROUP_SIZE + 7] =
		SLUICE_FIB_EXT | 5;
	assert_int_equal(fib_new(&f, 4, &e.t, true), -EBADMSG);
	/* and verify sees a wrong entry */
	assert_int_equal(fib_verify(e.f), -EBADMSG);
	e.t.groups[(link & ~SLUICE_FIB_EXT) * SLUICE_FIB_GROUP_SIZE + 7] = 0;
	assert_int_equal(fib_verify(e.f), 0);
	e.t.root[198 << 16 | 18 << 8 | 9] = sluice_fib_entry(T(1), 24);
	assert_int_equal(fib_verify(e.f), -EBADMSG);
	env_close(&e);
}

/* ---- randomized, against a plain binary trie ------------------------------ */

struct ref_node {
	__u32 child[2];
	__u32 target; /* 0: no rule ends here */
};

struct ref {
	struct ref_node *n;
	size_t len, cap;
};

static void ref_init(struct ref *r)
{
	r->cap = 1 << 16;
	r->n = calloc(r->cap, sizeof(*r->n));
	assert_non_null(r->n);
	r->len = 1; /* the root */
}

static int bit(const __u8 *a, unsigned int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

/* Sets (target != 0) or clears a rule; returns the old target. */
static __u32 ref_set(struct ref *r, const __u8 *a, unsigned int plen,
		     __u32 target)
{
	__u32 cur = 0, old;

	for (unsigned int i = 0; i < plen; i++) {
		int b = bit(a, i);

		if (!r->n[cur].child[b]) {
			if (!target)
				return 0;
			if (r->len == r->cap) {
				r->cap *= 2;
				r->n = realloc(r->n, r->cap * sizeof(*r->n));
				assert_non_null(r->n);
			}
			memset(&r->n[r->len], 0, sizeof(*r->n));
			r->n[cur].child[b] = (__u32)r->len++;
		}
		cur = r->n[cur].child[b];
	}
	old = r->n[cur].target;
	r->n[cur].target = target;
	return old;
}

static __u32 ref_lookup(const struct ref *r, const __u8 *a, unsigned int bits)
{
	__u32 cur = 0, best = r->n[0].target;

	for (unsigned int i = 0; i < bits; i++) {
		cur = r->n[cur].child[bit(a, i)];
		if (!cur)
			break;
		if (r->n[cur].target)
			best = r->n[cur].target;
	}
	return best;
}

struct rpfx {
	__u8 a[16];
	__u8 plen;
};

#define RAND_PREFIXES 100000
#define RAND_LOOKUPS 1000000
#define V4_CLUSTERS 768
#define V6_CLUSTERS 256
#define V6_WINDOW 4

struct rgen {
	unsigned int ab;
	uint64_t s;
	__u8 clusters[V6_CLUSTERS > V4_CLUSTERS ? V6_CLUSTERS : V4_CLUSTERS][16];
	unsigned int n_clusters;
	unsigned int drawn[129];
};

/*
 * Short prefixes cost 2^(24 - plen) entry writes each, so a uniform
 * draw over the lengths would spend minutes repainting /1s: a length
 * below 16 gets at most 2^(plen - 4) draws (one for /1../4), about a
 * million writes per length, and the draws go to the longer lengths.
 * No /0 (the fixtures have it): with one, every lookup would hit.
 */
static unsigned int draw_plen(struct rgen *g)
{
	unsigned int max = g->ab * 8, plen;

	for (;;) {
		plen = 1 + rnd_below(&g->s, max);
		if (plen >= 16 ||
		    g->drawn[plen] < (plen <= 4 ? 1u : 1u << (plen - 4)))
			break;
	}
	g->drawn[plen]++;
	return plen;
}

static void draw_prefix(struct rgen *g, struct rpfx *p)
{
	unsigned int plen = draw_plen(g), lo;
	const __u8 *base;

	p->plen = (__u8)plen;
	if (g->ab == 4) {
		/*
		 * Up to /24 anywhere; longer ones under 768 /20 clusters, so
		 * at most 768 * 16 distinct /24s need a group (the pool is
		 * the real SLUICE_FIB4_GROUPS) and prefixes nest densely.
		 */
		rnd_bytes(&g->s, p->a, 4);
		if (plen > 24 || rnd_below(&g->s, 2)) {
			base = g->clusters[rnd_below(&g->s, g->n_clusters)];
			p->a[0] = base[0];
			p->a[1] = base[1];
			p->a[2] = (__u8)((base[2] & 0xf0) | (p->a[2] & 0x0f));
		}
		mask(p->a, 4, plen);
		return;
	}
	/*
	 * IPv6: a prefix is one of 256 random cluster addresses with only
	 * its last V6_WINDOW bits drawn at random.  Prefixes of a cluster
	 * then share the cluster's chain of groups, and each length adds at
	 * most a few groups per level (2^V6_WINDOW variants at worst), so
	 * the groups stay bounded (about clusters * 13 levels * 15) instead
	 * of 13 per random /128, while rules nest deeply at every length.
	 */
	base = g->clusters[rnd_below(&g->s, g->n_clusters)];
	memcpy(p->a, base, 16);
	lo = plen > V6_WINDOW ? plen - V6_WINDOW : 0;
	for (unsigned int i = lo; i < plen; i++)
		if (rnd_below(&g->s, 2))
			p->a[i / 8] ^= (__u8)(0x80 >> (i % 8));
	mask(p->a, 16, plen);
}

/* An address to look up: half inside a prefix of @set, a quarter near a
 * cluster, a quarter anywhere. */
static void draw_addr(struct rgen *g, const struct rpfx *set, size_t n, __u8 *a)
{
	unsigned int r = rnd_below(&g->s, 4), from;
	const struct rpfx *p;
	__u8 rand[16];

	rnd_bytes(&g->s, rand, g->ab);
	if (r < 2) {
		p = &set[rnd_below(&g->s, (uint32_t)n)];
		memcpy(a, p->a, g->ab);
		from = p->plen;
	} else if (r == 2) {
		memcpy(a, g->clusters[rnd_below(&g->s, g->n_clusters)], g->ab);
		from = rnd_below(&g->s, g->ab * 8);
	} else {
		from = 0;
	}
	for (unsigned int i = from; i < g->ab * 8; i++) {
		__u8 m = (__u8)(0x80 >> (i % 8));

		a[i / 8] = (__u8)((a[i / 8] & ~m) | (rand[i / 8] & m));
	}
}

static void compare_lookups(struct rgen *g, const struct env *e,
			    const struct ref *r, const struct rpfx *set,
			    size_t n, const char *phase)
{
	char buf[INET6_ADDRSTRLEN];
	__u32 want, have;
	size_t hits = 0;
	__u8 a[16];

	for (unsigned int i = 0; i < RAND_LOOKUPS; i++) {
		draw_addr(g, set, n, a);
		want = ref_lookup(r, a, g->ab * 8);
		have = fib_lookup(&e->t, g->ab, a);
		if (want != have)
			fail_msg("seed %llu, %s, lookup %u: %s gives %u, the "
				 "reference %u",
				 (unsigned long long)seed, phase, i,
				 inet_ntop(g->ab == 4 ? AF_INET : AF_INET6, a,
					   buf, sizeof(buf)),
				 have, want);
		hits += !!want;
	}
	print_message("# %s: %u lookups agree, %zu hit a route\n", phase,
		      RAND_LOOKUPS, hits);
}

static void random_family(unsigned int ab, __u32 n_groups,
			  unsigned int p48_bits)
{
	struct rpfx *added = calloc(RAND_PREFIXES, sizeof(*added));
	struct rgen *g = calloc(1, sizeof(*g));
	size_t n_added = 0, half;
	struct timespec t0;
	struct ref r;
	struct env e;
	int err;

	assert_non_null(added);
	assert_non_null(g);
	g->ab = ab;
	g->s = seed ^ ab;
	g->n_clusters = ab == 4 ? V4_CLUSTERS : V6_CLUSTERS;
	for (unsigned int i = 0; i < g->n_clusters; i++)
		rnd_bytes(&g->s, g->clusters[i], 16);
	ref_init(&r);
	env_open_index(&e, ab, n_groups, p48_bits);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0; i < RAND_PREFIXES; i++) {
		struct rpfx p;
		__u32 target = 1 + rnd_below(&g->s, SLUICE_FIB_TARGET_MASK);

		draw_prefix(g, &p);
		err = fib_add(e.f, p.a, p.plen, target);
		if (err)
			fail_msg("seed %llu: add %u of /%u: %d",
				 (unsigned long long)seed, i, p.plen, err);
		if (!ref_set(&r, p.a, p.plen, target))
			added[n_added++] = p;
	}
	assert_int_equal(fib_rules(e.f), n_added);
	print_message("# IPv%u: %u adds, %zu distinct prefixes, %u groups, "
		      "%zu of %zu /48 index slots, %.0f ms\n",
		      ab == 4 ? 4 : 6, RAND_PREFIXES, n_added,
		      fib_groups_used(e.f), fib_p48_used(e.f),
		      fib_p48_slots(e.f), ms_since(&t0));
	if (ab == 16 && p48_bits)
		assert_true(fib_p48_used(e.f) > 1000); /* the index is used */
	assert_int_equal(fib_p48_slots(e.f),
			 ab == 16 && p48_bits ?
				 (size_t)SLUICE_FIB6_P48_WAYS << p48_bits :
				 0);
	assert_int_equal(fib_verify(e.f), 0);
	compare_lookups(g, &e, &r, added, n_added,
			ab == 4 ? "IPv4 added" : "IPv6 added");

	/* delete a random half: shuffle, drop the first half */
	for (size_t i = n_added - 1; i > 0; i--) {
		size_t j = rnd_below(&g->s, (uint32_t)(i + 1));
		struct rpfx tmp = added[i];

		added[i] = added[j];
		added[j] = tmp;
	}
	half = n_added / 2;
	for (size_t i = 0; i < half; i++) {
		err = fib_del(e.f, added[i].a, added[i].plen);
		if (err)
			fail_msg("seed %llu: del %zu of /%u: %d",
				 (unsigned long long)seed, i, added[i].plen,
				 err);
		assert_true(ref_set(&r, added[i].a, added[i].plen, 0));
	}
	assert_int_equal(fib_rules(e.f), n_added - half);
	print_message("# IPv%u: %zu deleted, %u groups left, %zu /48 index "
		      "slots\n",
		      ab == 4 ? 4 : 6, half, fib_groups_used(e.f),
		      fib_p48_used(e.f));
	assert_int_equal(fib_verify(e.f), 0);
	/* lookups drawn from all prefixes, deleted ones included */
	compare_lookups(g, &e, &r, added, n_added,
			ab == 4 ? "IPv4 half deleted" : "IPv6 half deleted");

	/* a restart whose rules came back short (a routes map rebuilt):
	 * the first half of what is left is replayed, the rest is stale in
	 * the adopted tables until fib_prune() takes it out */
	fib_free(e.f);
	assert_int_equal(fib_new(&e.f, ab, &e.t, true), 0);
	for (size_t i = half; i < n_added; i++) {
		/* ref_set() gives back the target it replaces */
		__u32 t = ref_set(&r, added[i].a, added[i].plen, 0);

		if (i >= half + (n_added - half) / 2)
			continue; /* stale: gone from the reference too */
		ref_set(&r, added[i].a, added[i].plen, t);
		assert_int_equal(fib_add(e.f, added[i].a, added[i].plen, t), 0);
	}
	{
		size_t removed = 0,
		       stale = n_added - half - (n_added - half) / 2;

		assert_int_equal(fib_prune(e.f, &removed), 0);
		/* a stale prefix wholly hidden under longer ones wrote no
		 * entry left to find */
		assert_true(removed > stale / 2 && removed <= stale);
		print_message("# IPv%u: %zu stale after a short replay, %zu "
			      "pruned, %u groups left\n",
			      ab == 4 ? 4 : 6, stale, removed,
			      fib_groups_used(e.f));
	}
	assert_int_equal(fib_verify(e.f), 0);
	compare_lookups(g, &e, &r, added, n_added,
			ab == 4 ? "IPv4 pruned" : "IPv6 pruned");

	env_close(&e);
	free(r.n);
	free(added);
	free(g);
}

static void test_random_v4(void **state)
{
	(void)state;
	random_family(4, SLUICE_FIB4_GROUPS, 0);
}

static void test_random_v6(void **state)
{
	(void)state;
	random_family(16, SLUICE_FIB6_GROUPS, SLUICE_FIB6_P48_BITS);
}

/* The index's other sizes (sluiced's fib.v6_index_slots): the smallest,
 * which this set fills (full buckets, the rank rule), and none. */
static void test_random_v6_index_sizes(void **state)
{
	(void)state;
	random_family(16, SLUICE_FIB6_GROUPS, SLUICE_FIB6_P48_BITS_MIN);
	random_family(16, SLUICE_FIB6_GROUPS, 0);
}

/* fib_new() takes an index only of a size the slot format allows. */
/* The one check of an index's size in slots (sluiced's config, lib/dp
 * and the bench use it): the edges of the range, and what is not a power
 * of two. */
static void test_index_slots_bits(void **state)
{
	(void)state;
	assert_int_equal(sluice_fib6_p48_slots_bits(0), 0);
	assert_int_equal(sluice_fib6_p48_slots_bits(262144),
			 SLUICE_FIB6_P48_BITS_MIN);
	assert_int_equal(sluice_fib6_p48_slots_bits(524288),
			 SLUICE_FIB6_P48_BITS);
	assert_int_equal(sluice_fib6_p48_slots_bits(16777216),
			 SLUICE_FIB6_P48_BITS_MAX);
	assert_int_equal(sluice_fib6_p48_slots_bits(131072), -1);
	assert_int_equal(sluice_fib6_p48_slots_bits(33554432), -1);
	assert_int_equal(sluice_fib6_p48_slots_bits(300000), -1);
	assert_int_equal(sluice_fib6_p48_slots_bits(262145), -1);
	assert_int_equal(sluice_fib6_p48_slots_bits(1ull << 40), -1);
}

static void test_index_size_checked(void **state)
{
	struct fib_tables t = { 0 };
	struct fib *f = NULL;

	(void)state;
	t.root = calloc(SLUICE_FIB_ROOT_SIZE, sizeof(__u32));
	t.groups = calloc(SLUICE_FIB_GROUP_SIZE, sizeof(__u32));
	t.n_groups = 1;
	t.p48 = calloc(4, sizeof(*t.p48)); /* never reached */
	assert_non_null(t.root);
	assert_non_null(t.groups);
	assert_non_null(t.p48);
	t.p48_bits = SLUICE_FIB6_P48_BITS_MIN - 1; /* a 33-bit tag */
	assert_int_equal(fib_new(&f, 16, &t, false), -EINVAL);
	t.p48_bits = SLUICE_FIB6_P48_BITS_MAX + 1;
	assert_int_equal(fib_new(&f, 16, &t, false), -EINVAL);
	assert_null(f);
	/* IPv4 has no index: its p48 is ignored whatever its size */
	assert_int_equal(fib_new(&f, 4, &t, false), 0);
	assert_int_equal(fib_p48_slots(f), 0);
	fib_free(f);
	free(t.root);
	free(t.groups);
	free(t.p48);
}

/* ---- a reader racing the writer ------------------------------------------- */

#define RACE_ADDRS 4

struct race {
	const struct fib_tables *t;
	unsigned int ab;
	__u8 addr[RACE_ADDRS][16];
	__u32 legal[RACE_ADDRS][4]; /* what each address may read */
	int done;
	unsigned long lookups;
	unsigned long bad;
	__u32 bad_value;
	unsigned int bad_addr;
};

static void *race_reader(void *arg)
{
	struct race *r = arg;

	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
		for (unsigned int i = 0; i < RACE_ADDRS; i++) {
			__u32 v = fib_lookup(r->t, r->ab, r->addr[i]);
			unsigned int k;

			for (k = 0; k < 4 && r->legal[i][k] != v; k++)
				;
			if (k == 4 && !r->bad++) {
				r->bad_value = v;
				r->bad_addr = i;
			}
		}
		r->lookups++;
	}
	return NULL;
}

/*
 * One thread cycles a prefix and a host route inside it (add A, add the
 * host, replace A by B, delete the host, delete the prefix) over a fixed
 * covering route C, creating and folding groups each time; another looks
 * up addresses in the host, in the prefix, and outside both.  Each must
 * only ever read what it could have at some point: never 0 where C
 * covers it, never a half-built group's contents.  The pool is large
 * enough that no group is reused during the run: a freed group keeps
 * answers that were right, and a group linked before it is filled reads
 * 0 (fib_new() cleared the pool).  The order of reuse is test_fifo's.
 */
static void race_family(unsigned int ab, const char *cover, const char *pfx,
			const char *host, const char *const addrs[RACE_ADDRS],
			unsigned int cycles)
{
	const __u32 C = T(1), A = T(2), B = T(3), D = T(4);
	struct race r = { .ab = ab };
	unsigned int plen;
	__u32 cover_groups;
	pthread_t th;
	struct env e;

	/* per cycle, the host takes one group (IPv4) or twelve (IPv6) */
	env_open(&e, ab, cycles * (ab == 4 ? 1 : 12) + 16);
	r.t = &e.t;
	for (unsigned int i = 0; i < RACE_ADDRS; i++)
		parse(&e, addrs[i], r.addr[i], &plen);
	/* in the host; in the prefix; under the cover only; nowhere */
	memcpy(r.legal[0], (__u32[]){ C, A, B, D }, sizeof(r.legal[0]));
	memcpy(r.legal[1], (__u32[]){ C, A, B, C }, sizeof(r.legal[1]));
	memcpy(r.legal[2], (__u32[]){ C, C, C, C }, sizeof(r.legal[2]));
	memcpy(r.legal[3], (__u32[]){ 0, 0, 0, 0 }, sizeof(r.legal[3]));
	assert_int_equal(add(&e, cover, C), 0);
	cover_groups = fib_groups_used(e.f); /* the IPv6 /32 takes one */
	assert_int_equal(pthread_create(&th, NULL, race_reader, &r), 0);
	for (unsigned int i = 0; i < cycles; i++) {
		assert_int_equal(add(&e, pfx, A), 0);
		assert_int_equal(add(&e, host, D), 0);
		assert_int_equal(add(&e, pfx, B), 0);
		assert_int_equal(del(&e, host), 0);
		assert_int_equal(del(&e, pfx), 0);
	}
	__atomic_store_n(&r.done, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	print_message("# race IPv%u: %u write cycles, %lu lookup rounds\n",
		      ab == 4 ? 4 : 6, cycles, r.lookups);
	if (r.bad)
		fail_msg("%lu bad reads, the first %s -> %u", r.bad,
			 addrs[r.bad_addr], r.bad_value);
	assert_true(r.lookups > 0);
	assert_int_equal(fib_groups_used(e.f), cover_groups);
	assert_int_equal(fib_verify(e.f), 0);
	env_close(&e);
}

static void test_race(void **state)
{
	static const char *const v4[RACE_ADDRS] = { "198.18.1.5", "198.18.1.6",
						    "198.18.2.1",
						    "198.20.0.1" };
	static const char *const v6[RACE_ADDRS] = {
		"2001:db8:1::5", "2001:db8:1::6", "2001:db8:2::1", "2001:db9::1"
	};

	(void)state;
	race_family(4, "198.18.0.0/15", "198.18.1.0/24", "198.18.1.5/32", v4,
		    20000);
	race_family(16, "2001:db8::/32", "2001:db8:1::/48", "2001:db8:1::5/128",
		    v6, 2000);
}

/* ---- load time (printed, not asserted) ------------------------------------ */

/* An internet-like mix: 60% /24, 20% /22-/23, 19% /16-/21, 1% /25-/32. */
static unsigned int internet_plen(uint64_t *s)
{
	uint32_t r = rnd_below(s, 1000);

	if (r < 600)
		return 24;
	if (r < 800)
		return 22 + rnd_below(s, 2);
	if (r < 990)
		return 16 + rnd_below(s, 6);
	return 25 + rnd_below(s, 8);
}

static void test_load_internet(void **state)
{
	const unsigned int n = 1000000;
	struct rpfx *p = calloc(n, sizeof(*p));
	unsigned int enospc = 0;
	uint64_t s = seed;
	struct timespec t0;
	double load_ms, del_ms, look_ms;
	size_t distinct;
	volatile __u32 sink = 0;
	struct env e;
	int err;

	(void)state;
	assert_non_null(p);
	for (unsigned int i = 0; i < n; i++) {
		__u32 a = 0x01000000u + rnd_below(&s, 0xdf000000u);

		memcpy(p[i].a, &(__be32){ htonl(a) }, 4);
		p[i].plen = (__u8)internet_plen(&s);
		mask(p[i].a, 4, p[i].plen);
	}
	env_open(&e, 4, SLUICE_FIB4_GROUPS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0; i < n; i++) {
		err = fib_add(e.f, p[i].a, p[i].plen, T(i % 1024));
		if (err == -ENOSPC)
			enospc++;
		else if (err)
			fail_msg("add %u: %d", i, err);
	}
	load_ms = ms_since(&t0);
	distinct = fib_rules(e.f);
	assert_int_equal(fib_verify(e.f), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0; i < n; i++)
		sink += fib_lookup(&e.t, 4, p[i].a);
	look_ms = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0; i < n; i += 2)
		fib_del(e.f, p[i].a, p[i].plen); /* -ENOENT for repeats */
	del_ms = ms_since(&t0);
	print_message("# load: %u internet-like IPv4 prefixes (%zu distinct) "
		      "in %.0f ms, %u groups of %u, %u -ENOSPC; 1M lookups "
		      "%.0f ms; deleting every other one %.0f ms\n",
		      n, distinct, load_ms, fib_groups_used(e.f),
		      SLUICE_FIB4_GROUPS, enospc, look_ms, del_ms);
	assert_int_equal(fib_verify(e.f), 0);
	(void)sink;
	env_close(&e);
	free(p);
}

static int setup_seed(void **state)
{
	const char *env = getenv("FIB_SEED");

	(void)state;
	seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	print_message("# seed %llu (FIB_SEED=%llu repeats this run)\n",
		      (unsigned long long)seed, (unsigned long long)seed);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_nested),
		cmocka_unit_test(test_v4_default_and_host),
		cmocka_unit_test(test_v6_nested),
		cmocka_unit_test(test_v6_p48),
		cmocka_unit_test(test_v6_p48_rank),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_adopt),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_adopt_keeps_groups),
		cmocka_unit_test(test_adopt_rejects_bad_tables),
		cmocka_unit_test(test_random_v4),
		cmocka_unit_test(test_random_v6),
		cmocka_unit_test(test_random_v6_index_sizes),
		cmocka_unit_test(test_index_slots_bits),
		cmocka_unit_test(test_index_size_checked),
		cmocka_unit_test(test_race),
		cmocka_unit_test(test_load_internet),
	};

	return cmocka_run_group_tests(tests, setup_seed, NULL);
}
