// SPDX-License-Identifier: BSD-2-Clause
/*
 * The rule set: what the tables are compiled from, and where a deletion
 * finds the covering route.  One open-addressing hash per prefix length,
 * keyed by the masked address: an exact lookup is one probe sequence, the
 * covering rule of a prefix is at most one per shorter length (lengths
 * with no rules are skipped by a bitmap).  A slot is 8 bytes for IPv4, 20
 * for IPv6; tables grow at 3/4 load, so 1M rules take 16 MB (IPv4) or
 * 40 MB (IPv6) at worst.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fib_internal.h"
#include "mix64.h"

#define RULES_MIN_CAPACITY 16u

static __u32 key_hash(const __u8 *key, unsigned int addr_bytes)
{
	__u64 a, b;
	__u32 v4;

	if (addr_bytes == 4) {
		memcpy(&v4, key, sizeof(v4));
		return (__u32)mix64(v4);
	}
	memcpy(&a, key, sizeof(a));
	memcpy(&b, key + 8, sizeof(b));
	return (__u32)mix64(a ^ mix64(b));
}

static bool key_equal(const __u8 *x, const __u8 *y, unsigned int addr_bytes)
{
	/* constant sizes, so the compiler inlines the compares */
	if (addr_bytes == 4)
		return !memcmp(x, y, 4);
	return !memcmp(x, y, 16);
}

static __u32 slot_target(const __u8 *slot)
{
	__u32 t;

	memcpy(&t, slot, sizeof(t));
	return t;
}

static void slot_set_target(__u8 *slot, __u32 t)
{
	memcpy(slot, &t, sizeof(t));
}

static __u8 *slot_at(const struct rule_set *rs, const struct rule_table *rt,
		     __u32 i)
{
	return rt->slots + (size_t)i * rs->stride;
}

/* The slot holding @key, or the empty slot where it would go. */
static __u32 probe(const struct rule_set *rs, const struct rule_table *rt,
		   const __u8 *key)
{
	__u32 i = key_hash(key, rs->addr_bytes) & rt->mask;

	for (;; i = (i + 1) & rt->mask) {
		const __u8 *s = slot_at(rs, rt, i);

		if (!slot_target(s) || key_equal(s + 4, key, rs->addr_bytes))
			return i;
	}
}

static int grow(struct rule_set *rs, struct rule_table *rt)
{
	__u32 cap = rt->slots ? (rt->mask + 1) * 2 : RULES_MIN_CAPACITY;
	struct rule_table bigger = { .mask = cap - 1, .count = rt->count };

	if (!cap)
		return -ENOMEM; /* 2^32 slots: more than any table holds */
	bigger.slots = calloc(cap, rs->stride);
	if (!bigger.slots)
		return -ENOMEM;
	for (__u32 i = 0; rt->slots && i <= rt->mask; i++) {
		const __u8 *s = slot_at(rs, rt, i);

		if (slot_target(s))
			memcpy(slot_at(rs, &bigger, probe(rs, &bigger, s + 4)),
			       s, rs->stride);
	}
	free(rt->slots);
	*rt = bigger;
	return 0;
}

void rules_init(struct rule_set *rs, unsigned int addr_bytes)
{
	memset(rs, 0, sizeof(*rs));
	rs->addr_bytes = addr_bytes;
	rs->stride = 4 + addr_bytes;
}

void rules_fini(struct rule_set *rs)
{
	for (unsigned int l = 0; l <= FIB_MAX_PLEN; l++)
		free(rs->len[l].slots);
	memset(rs, 0, sizeof(*rs));
}

__u32 rules_find(const struct rule_set *rs, const __u8 *key, unsigned int plen)
{
	const struct rule_table *rt = &rs->len[plen];

	if (!rt->count)
		return 0;
	return slot_target(slot_at(rs, rt, probe(rs, rt, key)));
}

int rules_set(struct rule_set *rs, const __u8 *key, unsigned int plen,
	      __u32 target)
{
	struct rule_table *rt = &rs->len[plen];
	__u8 *s;
	int err;

	if (rt->count) {
		s = slot_at(rs, rt, probe(rs, rt, key));
		if (slot_target(s)) {
			slot_set_target(s, target);
			return 0;
		}
	}
	if (!rt->slots || (rt->count + 1) * 4ull > (rt->mask + 1ull) * 3) {
		err = grow(rs, rt);
		if (err)
			return err;
	}
	s = slot_at(rs, rt, probe(rs, rt, key));
	slot_set_target(s, target);
	memcpy(s + 4, key, rs->addr_bytes);
	rt->count++;
	rs->count++;
	rs->nonempty[plen / 64] |= 1ull << (plen % 64);
	return 0;
}

/* Linear probing's deletion without tombstones: later slots of the same
 * cluster move back into the hole when their home position allows. */
int rules_remove(struct rule_set *rs, const __u8 *key, unsigned int plen)
{
	struct rule_table *rt = &rs->len[plen];
	__u32 hole, j, home;

	if (!rt->count)
		return -ENOENT;
	hole = probe(rs, rt, key);
	if (!slot_target(slot_at(rs, rt, hole)))
		return -ENOENT;
	for (j = (hole + 1) & rt->mask;; j = (j + 1) & rt->mask) {
		__u8 *s = slot_at(rs, rt, j);

		if (!slot_target(s))
			break;
		home = key_hash(s + 4, rs->addr_bytes) & rt->mask;
		/* s may fill the hole unless its home lies cyclically in
		 * (hole, j] */
		if (((j - home) & rt->mask) >= ((j - hole) & rt->mask)) {
			memcpy(slot_at(rs, rt, hole), s, rs->stride);
			hole = j;
		}
	}
	memset(slot_at(rs, rt, hole), 0, rs->stride);
	rt->count--;
	rs->count--;
	if (!rt->count)
		rs->nonempty[plen / 64] &= ~(1ull << (plen % 64));
	return 0;
}

__u32 rules_cover(const struct rule_set *rs, const __u8 *addr,
		  unsigned int plen, unsigned int *cover_plen)
{
	__u8 key[FIB_MAX_ADDR_BYTES];
	__u32 target;

	for (unsigned int l = plen; l-- > 0;) {
		if (!(rs->nonempty[l / 64] & (1ull << (l % 64))))
			continue;
		fib_mask(addr, rs->addr_bytes, l, key);
		target = rules_find(rs, key, l);
		if (target) {
			*cover_plen = l;
			return target;
		}
	}
	*cover_plen = 0;
	return 0;
}

int rules_walk(const struct rule_set *rs, fib_rule_fn fn, void *ctx)
{
	int ret;

	for (unsigned int l = 0; l <= FIB_MAX_PLEN; l++) {
		const struct rule_table *rt = &rs->len[l];

		for (__u32 i = 0; rt->count && i <= rt->mask; i++) {
			const __u8 *s = slot_at(rs, rt, i);

			if (!slot_target(s))
				continue;
			ret = fn(s + 4, l, slot_target(s), ctx);
			if (ret)
				return ret;
		}
	}
	return 0;
}
