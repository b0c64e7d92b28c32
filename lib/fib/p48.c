// SPDX-License-Identifier: BSD-2-Clause
/*
 * The /48 index (uapi/sluice/fib_p48.h): a slot for each /48 whose entry
 * at byte 5's level (level 3) is a link to a group or was written by a
 * rule of 41 to 48 bits (one written at that level), holding that entry,
 * so the packet path reads one bucket instead of walking four levels.
 *
 * Why refreshing the /48s a rule of 41 bits or more covers, after each
 * change of it, keeps every slot right:
 *  - a rule of 40 bits or less never rewrites such an entry: fib_add()'s
 *    paint skips links and entries a longer prefix wrote, fib_del()'s
 *    unpaint rewrites only its own rule's entries;
 *  - the groups on the path to such an entry are never folded: a link is
 *    not foldable, and a length over 40 is longer than the parent level
 *    holds, so the /48's path stays while its slot does;
 *  - everything that turns the entry into, or out of, one the index keeps
 *    (a group made or folded below it, a rule of 41 to 48 bits over it
 *    added, replaced or deleted) is a change of a rule of 41 bits or more
 *    that covers the /48 or lies inside it.
 * The slot is stored after the table's own stores, so a reader that uses
 * it reads the old entry or the new one, as a walk would.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "fib_internal.h"

#define P48_LEVEL 3 /* fib_plen_level(41..48): byte 5 */

static __u64 slot_get(const __u64 *s)
{
	return __atomic_load_n(s, __ATOMIC_ACQUIRE);
}

static void slot_set(__u64 *s, __u64 v)
{
	__atomic_store_n(s, v, __ATOMIC_RELEASE);
}

/* Whether the index keeps @e: a link, or the entry of a rule written at
 * this level.  Entries that rules of 40 bits or less pushed down are left
 * to the walk: one such rule covers up to 2^24 /48s. */
static bool p48_keeps(__u32 e)
{
	return entry_is_link(e) || sluice_fib_depth(e) >= FIB_P48_MIN_PLEN;
}

/* The table's entry at @a's /48 level; false when the walk stops above. */
static bool p48_table_entry(const struct fib_tables *t, const __u8 *a, __u32 *e)
{
	__u32 v = entry_get(&t->root[fib_level_index(a, 0)]);

	for (unsigned int l = 1; l <= P48_LEVEL; l++) {
		if (!entry_is_link(v) || entry_group(v) >= t->n_groups)
			return false;
		v = entry_get(
			&fib_group(t, entry_group(v))[fib_level_index(a, l)]);
	}
	*e = v;
	return true;
}

/* Which of two /48s a full bucket keeps: the one whose route covers fewer
 * /48s (a link, then the longest), since a slot serves all of a /48's
 * destinations and a /44's 16 /48s need 16 slots. */
static unsigned int p48_rank(__u32 e)
{
	return entry_is_link(e) ? 255 : sluice_fib_depth(e);
}

static struct sluice_fib6_p48_bucket *p48_bucket(const struct fib_tables *t,
						 const __u8 *a, __u32 *tag)
{
	__u64 mixed = sluice_fib6_p48_mix(sluice_fib6_p48_key(a));

	*tag = sluice_fib6_p48_tag(mixed, t->p48_bits);
	return &t->p48[sluice_fib6_p48_bucket(mixed, t->p48_bits)];
}

void p48_clear(const struct fib_tables *t)
{
	if (t->p48)
		memset(t->p48, 0, sizeof(*t->p48) << t->p48_bits);
}

/* The slot of @key's /48. */
static void p48_refresh_one(struct fib *f, const __u8 *key)
{
	struct sluice_fib6_p48_bucket *bk;
	int mine = -1, empty = -1, low = -1;
	unsigned int low_rank = 256;
	__u64 want = 0;
	__u32 tag, e;

	if (!f->t.p48)
		return;
	bk = p48_bucket(&f->t, key, &tag);
	if (p48_table_entry(&f->t, key, &e) && p48_keeps(e))
		want = (__u64)tag << 32 | e;
	for (int i = 0; i < SLUICE_FIB6_P48_WAYS; i++) {
		__u64 s = slot_get(&bk->slot[i]);

		if (!s) {
			if (empty < 0)
				empty = i;
		} else if ((__u32)(s >> 32) == tag) {
			mine = i;
		} else if (p48_rank((__u32)s) < low_rank) {
			low = i;
			low_rank = p48_rank((__u32)s);
		}
	}
	/* No room: the /48 takes the slot of one of a wider route, whose
	 * /48 then walks, or walks itself.  One store either way, so a
	 * reader matches the old tag or the new one. */
	if (mine < 0 && want)
		mine = empty >= 0			? empty :
		       low_rank < p48_rank((__u32)want) ? low :
							  -1;
	if (mine < 0)
		return;
	/* counted here, so that status and metrics need no scan */
	if (!bk->slot[mine] && want)
		f->p48_used++;
	else if (bk->slot[mine] && !want)
		f->p48_used--;
	slot_set(&bk->slot[mine], want);
}

void p48_refresh(struct fib *f, const __u8 *key, unsigned int plen)
{
	__u8 a[FIB_MAX_ADDR_BYTES];
	__u32 n, base;

	if (!f->t.p48 || plen < FIB_P48_MIN_PLEN)
		return;
	if (plen >= 48) {
		p48_refresh_one(f, key);
		return;
	}
	/* the /48s of a /41../47: byte 5's low 48 - plen bits, counted */
	memcpy(a, key, sizeof(a));
	n = 1u << (48 - plen);
	base = key[5] & ~(n - 1);
	for (__u32 i = 0; i < n; i++) {
		a[5] = (__u8)(base | i);
		p48_refresh_one(f, a);
	}
}

__u32 p48_entry(const struct fib_tables *t, const __u8 *addr)
{
	const struct sluice_fib6_p48_bucket *bk;
	__u32 tag;

	if (!t->p48)
		return SLUICE_FIB_NONE;
	bk = p48_bucket(t, addr, &tag);
	for (int i = 0; i < SLUICE_FIB6_P48_WAYS; i++) {
		__u64 s = slot_get(&bk->slot[i]);

		if ((__u32)(s >> 32) == tag && (__u32)s)
			return (__u32)s;
	}
	return SLUICE_FIB_NONE;
}

size_t fib_p48_used(const struct fib *f)
{
	return f->p48_used;
}

size_t fib_p48_slots(const struct fib *f)
{
	return f->t.p48 ? (size_t)SLUICE_FIB6_P48_WAYS << f->t.p48_bits : 0;
}

/* ---- verification: each slot's /48 back from its bucket and tag --------- */

/* The inverse of an odd multiplier modulo 2^64 (hence 2^48): Newton's
 * iteration doubles the correct low bits each step, from 3 to 96. */
static __u64 mul_inverse(__u64 c)
{
	__u64 x = c;

	for (int i = 0; i < 5; i++)
		x *= 2 - c * x;
	return x;
}

/* The inverse of y = x ^ x >> SHIFT on 48 bits. */
static __u64 unxorshift(__u64 y)
{
	__u64 x = y;

	for (unsigned int s = SLUICE_FIB6_P48_SHIFT; s < 48;
	     s += SLUICE_FIB6_P48_SHIFT)
		x ^= y >> s;
	return x;
}

static __u64 p48_unmix(__u64 m)
{
	m = unxorshift(m);
	m = (m * mul_inverse(SLUICE_FIB6_P48_MUL2)) & SLUICE_FIB6_P48_MASK;
	m = unxorshift(m);
	return (m * mul_inverse(SLUICE_FIB6_P48_MUL1)) & SLUICE_FIB6_P48_MASK;
}

/* One slot of bucket @b: its /48 must hold, in the table, the entry it
 * caches, of a kind the index keeps. */
static int p48_verify_slot(const struct fib *f, __u32 b, __u64 s)
{
	__u64 k;
	__u8 a[FIB_MAX_ADDR_BYTES] = { 0 };
	__u32 e;

	if (!(__u32)s || (s >> 32) >> (48 - f->t.p48_bits))
		return -EBADMSG; /* a tag without an entry, or too wide */
	k = p48_unmix((s >> 32) << f->t.p48_bits | b);
	for (int i = 0; i < 6; i++)
		a[i] = (__u8)(k >> (40 - 8 * i));
	if (!p48_table_entry(&f->t, a, &e) || !p48_keeps(e) || e != (__u32)s)
		return -EBADMSG;
	return 0;
}

int p48_verify(const struct fib *f)
{
	__u32 used = 0;

	if (!f->t.p48)
		return 0;
	for (__u32 b = 0; b < 1u << f->t.p48_bits; b++) {
		const struct sluice_fib6_p48_bucket *bk = &f->t.p48[b];

		for (int i = 0; i < SLUICE_FIB6_P48_WAYS; i++) {
			__u64 s = slot_get(&bk->slot[i]);

			if (!s)
				continue;
			for (int j = 0; j < i; j++)
				if (bk->slot[j] && bk->slot[j] >> 32 == s >> 32)
					return -EBADMSG; /* a /48 twice */
			if (p48_verify_slot(f, b, s))
				return -EBADMSG;
			used++;
		}
	}
	return used == f->p48_used ? 0 : -EBADMSG; /* the count kept */
}
