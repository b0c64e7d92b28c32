/* SPDX-License-Identifier: BSD-2-Clause */
/* lib/fib's own: the rule set, the group pool and the trie's geometry,
 * shared by its files; users include fib.h only. */
#ifndef SLUICE_FIB_INTERNAL_H
#define SLUICE_FIB_INTERNAL_H

#include "fib.h"

#define FIB_MAX_PLEN (8 * FIB_MAX_ADDR_BYTES)
/* root + one group level per byte after the first three */
#define FIB_MAX_LEVELS (1 + FIB_MAX_ADDR_BYTES - 3)

/* ---- rules.c: the rule set, one hash per prefix length ---------------- */

/* Open addressing with linear probing, keyed by the masked address.  A
 * slot is the target (0: empty) followed by the key's addr_bytes. */
struct rule_table {
	__u8 *slots;
	__u32 mask; /* capacity - 1; capacity 0 until the first rule */
	__u32 count;
};

struct rule_set {
	unsigned int addr_bytes;
	unsigned int stride; /* bytes per slot */
	size_t count;
	__u64 nonempty[(FIB_MAX_PLEN + 1 + 63) / 64]; /* bit per length */
	struct rule_table len[FIB_MAX_PLEN + 1];
};

void rules_init(struct rule_set *rs, unsigned int addr_bytes);
void rules_fini(struct rule_set *rs);
/* @key: masked to @plen.  The target, 0 when absent. */
__u32 rules_find(const struct rule_set *rs, const __u8 *key, unsigned int plen);
/* Adds or replaces; 0 or -ENOMEM (then unchanged). */
int rules_set(struct rule_set *rs, const __u8 *key, unsigned int plen,
	      __u32 target);
/* 0 or -ENOENT. */
int rules_remove(struct rule_set *rs, const __u8 *key, unsigned int plen);
/* The longest rule shorter than @plen that covers @addr: its target (0:
 * none) and, in *@cover_plen, its length. */
__u32 rules_cover(const struct rule_set *rs, const __u8 *addr,
		  unsigned int plen, unsigned int *cover_plen);
int rules_walk(const struct rule_set *rs, fib_rule_fn fn, void *ctx);

/* ---- groups.c: the pool of 256-entry groups ----------------------------- */

/*
 * Free groups wait in a FIFO: allocation takes the head, a freed group
 * joins the tail.  A reader of the packet path may still be inside a
 * group when the writer unlinks it (it read the link just before); the
 * group keeps its last contents, which are the right answers for the
 * addresses that led there, until it is handed out again.  Going to the
 * back of the queue puts every other free group's reuse in between, so a
 * reader (a BPF program runs a lookup in well under a microsecond, with
 * preemption off) is long gone by then.
 */
struct group_pool {
	__u32 *fifo; /* n entries, a ring */
	__u64 *used; /* bit per group */
	__u32 n;
	__u32 head;
	__u32 n_free;
};

int pool_init(struct group_pool *p, __u32 n);
void pool_fini(struct group_pool *p);
/* Call only when n_free > 0 (callers count first). */
__u32 pool_alloc(struct group_pool *p);
void pool_free(struct group_pool *p, __u32 g);
/* Adoption: marks @g used (before pool_build_fifo); -EBADMSG if it is out
 * of range or already used. */
int pool_claim(struct group_pool *p, __u32 g);
/* Adoption: queues every group not claimed, in index order. */
void pool_build_fifo(struct group_pool *p);
bool pool_is_used(const struct group_pool *p, __u32 g);

/* ---- fib.c ---------------------------------------------------------------- */

struct fib {
	struct fib_tables t;
	unsigned int addr_bytes;
	unsigned int max_plen;
	unsigned int levels; /* 2 for IPv4, 14 for IPv6 */
	struct group_pool pool;
	struct rule_set rules;
	__u32 p48_used; /* slots of the /48 index in use */
};

/* The trie's geometry: level 0 is the root (the first 24 bits), level
 * l > 0 a group indexed by address byte 2 + l.  After level l, the walk
 * has consumed fib_level_bits(l) bits; a prefix of length plen is written
 * at level fib_plen_level(plen). */
static inline unsigned int fib_level_bits(unsigned int level)
{
	return SLUICE_FIB_ROOT_BITS + level * SLUICE_FIB_GROUP_BITS;
}

static inline unsigned int fib_plen_level(unsigned int plen)
{
	if (plen <= SLUICE_FIB_ROOT_BITS)
		return 0;
	return (plen - SLUICE_FIB_ROOT_BITS + SLUICE_FIB_GROUP_BITS - 1) /
	       SLUICE_FIB_GROUP_BITS;
}

static inline __u32 fib_level_index(const __u8 *addr, unsigned int level)
{
	if (level)
		return addr[2 + level];
	return (__u32)addr[0] << 16 | (__u32)addr[1] << 8 | addr[2];
}

static inline __u32 *fib_group(const struct fib_tables *t, __u32 g)
{
	return t->groups + (size_t)g * SLUICE_FIB_GROUP_SIZE;
}

/* The writer's loads and stores.  Only the writer stores, so its own loads
 * need no ordering; each store is release so that a reader that sees a
 * link also sees the group's contents written before it. */
static inline __u32 entry_get(const __u32 *e)
{
	return __atomic_load_n(e, __ATOMIC_RELAXED);
}

static inline void entry_set(__u32 *e, __u32 v)
{
	__atomic_store_n(e, v, __ATOMIC_RELEASE);
}

static inline bool entry_is_link(__u32 e)
{
	return e & SLUICE_FIB_EXT;
}

static inline __u32 entry_group(__u32 e)
{
	return e & ~SLUICE_FIB_EXT;
}

/* Copies @addr masked to @plen into @key (FIB_MAX_ADDR_BYTES, zero
 * padded); true when @addr had no host bits set. */
bool fib_mask(const __u8 *addr, unsigned int addr_bytes, unsigned int plen,
	      __u8 *key);

/* ---- p48.c: the /48 index (uapi/sluice/fib_p48.h) ----------------------- */

/* The shortest rule written at the /48 level (byte 5): a rule this long
 * or longer may change the entries of the /48s it covers, which the index
 * mirrors; a shorter one never changes an entry the index keeps. */
#define FIB_P48_MIN_PLEN 41

/* Empties the index (a no-op without one). */
void p48_clear(const struct fib_tables *t);
/* Sets or clears the slots of the /48s that rule @key/@plen covers (one,
 * or 2^(48 - plen) below /48) from what the table holds now.  Call after
 * every change of a rule of FIB_P48_MIN_PLEN bits or more. */
void p48_refresh(struct fib *f, const __u8 *key, unsigned int plen);
/* The index's entry for @addr (16 bytes): 0 when it has none. */
__u32 p48_entry(const struct fib_tables *t, const __u8 *addr);
/* fib_verify()'s part: 0 or -EBADMSG. */
int p48_verify(const struct fib *f);

/* Whether group @g is uniform with a value its parent entry at level
 * @parent_level may hold; then *@v is that value. */
bool fib_group_foldable(const struct fib *f, __u32 g, unsigned int parent_level,
			__u32 *v);

#endif
