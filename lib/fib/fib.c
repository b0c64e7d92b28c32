// SPDX-License-Identifier: BSD-2-Clause
/*
 * The table algorithm: adding and removing a prefix rewrites the entries
 * of its range only (leaf pushing, as DPDK's rte_lpm).
 *
 * Each entry remembers the length of the prefix that wrote it, so an add
 * overwrites only the entries that a shorter (or the same) prefix wrote,
 * and a delete only the ones it wrote itself, giving them back to the
 * covering rule.  A prefix longer than a level's bits needs a group below
 * the entry on its path; a group whose 256 entries end up equal, with a
 * value the parent entry can hold, is folded back into it and freed.
 *
 * A reader may walk the tables at any time (the BPF program, through the
 * mmapped maps), so every change is a sequence of single-entry stores
 * that each leave a correct table: a new group starts as a copy of the
 * entry it replaces and is complete before the link to it is stored; a
 * group is unlinked (its parent entry set to the value all its entries
 * hold) before it is freed.  An address reads its old value or its new
 * one, never anything else.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fib_internal.h"

/* The entries on @addr's path: slot[l] is the entry at level l, group[l]
 * the group holding it (l > 0). */
struct fib_path {
	__u32 *slot[FIB_MAX_LEVELS];
	__u32 group[FIB_MAX_LEVELS];
};

bool fib_mask(const __u8 *addr, unsigned int addr_bytes, unsigned int plen,
	      __u8 *key)
{
	unsigned int full = plen / 8, rest = plen % 8;
	bool clean = true;

	memset(key, 0, FIB_MAX_ADDR_BYTES);
	memcpy(key, addr, full);
	if (rest) {
		key[full] = addr[full] & (__u8)(0xff00 >> rest);
		clean = key[full] == addr[full];
		full++;
	}
	for (unsigned int i = full; i < addr_bytes && clean; i++)
		clean = !addr[i];
	return clean;
}

static int check_prefix(const struct fib *f, const void *addr,
			unsigned int plen, __u8 *key)
{
	if (!addr || plen > f->max_plen)
		return -EINVAL;
	if (!fib_mask(addr, f->addr_bytes, plen, key))
		return -EINVAL;
	return 0;
}

static int check_target(__u32 target)
{
	return !target || target > SLUICE_FIB_TARGET_MASK ? -EINVAL : 0;
}

bool fib_group_foldable(const struct fib *f, __u32 g, unsigned int parent_level,
			__u32 *v)
{
	const __u32 *e = fib_group(&f->t, g);
	__u32 first = entry_get(&e[0]);

	if (entry_is_link(first) ||
	    sluice_fib_depth(first) > fib_level_bits(parent_level))
		return false;
	for (unsigned int i = 1; i < SLUICE_FIB_GROUP_SIZE; i++)
		if (entry_get(&e[i]) != first)
			return false;
	*v = first;
	return true;
}

/* How many new groups adding a prefix at @level on @key's path takes. */
static unsigned int groups_needed(const struct fib *f, const __u8 *key,
				  unsigned int level)
{
	const __u32 *tbl = f->t.root;

	for (unsigned int l = 0; l < level; l++) {
		__u32 e = entry_get(&tbl[fib_level_index(key, l)]);

		if (!entry_is_link(e))
			return level - l;
		tbl = fib_group(&f->t, entry_group(e));
	}
	return 0;
}

/* Writes @e into the entries that @plen's prefix may overwrite: those
 * written by a prefix no longer than it, in the groups below too. */
static void paint(struct fib *f, __u32 *tbl, __u32 n, __u32 e,
		  unsigned int plen)
{
	for (__u32 i = 0; i < n; i++) {
		__u32 cur = entry_get(&tbl[i]);

		if (entry_is_link(cur))
			paint(f, fib_group(&f->t, entry_group(cur)),
			      SLUICE_FIB_GROUP_SIZE, e, plen);
		else if (sluice_fib_depth(cur) <= plen && cur != e)
			entry_set(&tbl[i], e);
	}
}

/* Gives the entries that @plen's prefix wrote to @cover. */
static void unpaint(struct fib *f, __u32 *tbl, __u32 n, unsigned int plen,
		    __u32 cover)
{
	for (__u32 i = 0; i < n; i++) {
		__u32 cur = entry_get(&tbl[i]);

		if (entry_is_link(cur))
			unpaint(f, fib_group(&f->t, entry_group(cur)),
				SLUICE_FIB_GROUP_SIZE, plen, cover);
		else if (cur && sluice_fib_depth(cur) == plen)
			entry_set(&tbl[i], cover);
	}
}

/* How many entries @plen's prefix covers at its level. */
static __u32 range_size(unsigned int plen)
{
	return 1u << (fib_level_bits(fib_plen_level(plen)) - plen);
}

/* Follows @key's path down to @level, creating the groups it lacks (the
 * caller counted them); fills @path. */
static void descend_creating(struct fib *f, const __u8 *key, unsigned int level,
			     struct fib_path *path)
{
	__u32 *tbl = f->t.root;

	for (unsigned int l = 0;; l++) {
		__u32 *slot = &tbl[fib_level_index(key, l)];
		__u32 e = entry_get(slot), g, *grp;

		path->slot[l] = slot;
		if (l == level)
			return;
		if (!entry_is_link(e)) {
			/* the new group answers exactly as the entry did,
			 * so storing the link changes no lookup */
			g = pool_alloc(&f->pool);
			grp = fib_group(&f->t, g);
			for (unsigned int i = 0; i < SLUICE_FIB_GROUP_SIZE; i++)
				entry_set(&grp[i], e);
			e = SLUICE_FIB_EXT | g;
			entry_set(slot, e);
		}
		path->group[l + 1] = entry_group(e);
		tbl = fib_group(&f->t, entry_group(e));
	}
}

/* Follows @key's path down to @level; -EBADMSG if a link is missing. */
static int descend(const struct fib *f, const __u8 *key, unsigned int level,
		   struct fib_path *path)
{
	__u32 *tbl = f->t.root;

	for (unsigned int l = 0;; l++) {
		__u32 *slot = &tbl[fib_level_index(key, l)];
		__u32 e = entry_get(slot);

		path->slot[l] = slot;
		if (l == level)
			return 0;
		if (!entry_is_link(e) || entry_group(e) >= f->t.n_groups)
			return -EBADMSG;
		path->group[l + 1] = entry_group(e);
		tbl = fib_group(&f->t, entry_group(e));
	}
}

int fib_add(struct fib *f, const void *addr, unsigned int plen, __u32 target)
{
	__u8 key[FIB_MAX_ADDR_BYTES];
	struct fib_path path;
	unsigned int level;
	int err;

	err = check_prefix(f, addr, plen, key) ?: check_target(target);
	if (err)
		return err;
	level = fib_plen_level(plen);
	/* everything that can fail comes before the first store */
	if (groups_needed(f, key, level) > f->pool.n_free)
		return -ENOSPC;
	err = rules_set(&f->rules, key, plen, target);
	if (err)
		return err;
	descend_creating(f, key, level, &path);
	paint(f, path.slot[level], range_size(plen),
	      sluice_fib_entry(target, plen), plen);
	if (plen >= FIB_P48_MIN_PLEN)
		p48_refresh(f, key, plen);
	return 0;
}

int fib_del(struct fib *f, const void *addr, unsigned int plen)
{
	__u8 key[FIB_MAX_ADDR_BYTES];
	unsigned int level, cover_plen;
	struct fib_path path;
	__u32 cover, v;
	int err;

	err = check_prefix(f, addr, plen, key);
	if (err)
		return err;
	if (!rules_find(&f->rules, key, plen))
		return -ENOENT;
	level = fib_plen_level(plen);
	err = descend(f, key, level, &path);
	if (err)
		return err;
	cover = rules_cover(&f->rules, key, plen, &cover_plen);
	if (cover)
		cover = sluice_fib_entry(cover, cover_plen);
	rules_remove(&f->rules, key, plen);
	unpaint(f, path.slot[level], range_size(plen), plen, cover);
	/* Fold the groups on the path that became uniform, deepest first.
	 * The groups inside the range keep the longer prefixes that made
	 * them, so only the path's can have become foldable. */
	for (unsigned int l = level; l > 0; l--) {
		if (!fib_group_foldable(f, path.group[l], l - 1, &v))
			break;
		entry_set(path.slot[l - 1], v);
		pool_free(&f->pool, path.group[l]);
	}
	if (plen >= FIB_P48_MIN_PLEN)
		p48_refresh(f, key, plen);
	return 0;
}

int fib_note(struct fib *f, const void *addr, unsigned int plen, __u32 target)
{
	__u8 key[FIB_MAX_ADDR_BYTES];
	int err;

	err = check_prefix(f, addr, plen, key) ?:
		      check_target(target)     ?:
		      rules_set(&f->rules, key, plen, target);
	if (!err && plen >= FIB_P48_MIN_PLEN)
		p48_refresh(f, key, plen); /* fib_new() emptied the index */
	return err;
}

__u32 fib_find(const struct fib *f, const void *addr, unsigned int plen)
{
	__u8 key[FIB_MAX_ADDR_BYTES];

	if (check_prefix(f, addr, plen, key))
		return 0;
	return rules_find(&f->rules, key, plen);
}

__u32 fib_groups_used(const struct fib *f)
{
	return f->pool.n - f->pool.n_free;
}

__u32 fib_groups_free(const struct fib *f)
{
	return f->pool.n_free;
}

size_t fib_rules(const struct fib *f)
{
	return f->rules.count;
}

int fib_walk(const struct fib *f, fib_rule_fn fn, void *ctx)
{
	return rules_walk(&f->rules, fn, ctx);
}

/* Adoption: claims the groups linked from @tbl's @n entries at @level. */
static int claim_links(struct fib *f, const __u32 *tbl, __u32 n,
		       unsigned int level)
{
	int err;

	for (__u32 i = 0; i < n; i++) {
		__u32 e = entry_get(&tbl[i]), g = entry_group(e);

		if (!entry_is_link(e))
			continue;
		if (level + 1 >= f->levels)
			return -EBADMSG;
		err = pool_claim(&f->pool, g);
		if (err)
			return err;
		err = claim_links(f, fib_group(&f->t, g), SLUICE_FIB_GROUP_SIZE,
				  level + 1);
		if (err)
			return err;
	}
	return 0;
}

int fib_new(struct fib **out, unsigned int addr_bytes,
	    const struct fib_tables *t, bool adopt)
{
	struct fib *f;
	int err;

	*out = NULL;
	if ((addr_bytes != 4 && addr_bytes != 16) || !t || !t->root ||
	    (t->n_groups && !t->groups) || t->n_groups >= SLUICE_FIB_EXT)
		return -EINVAL;
	if (addr_bytes == 16 && t->p48 &&
	    (t->p48_bits < SLUICE_FIB6_P48_BITS_MIN ||
	     t->p48_bits > SLUICE_FIB6_P48_BITS_MAX))
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->t = *t;
	if (addr_bytes != 16)
		f->t.p48 = NULL; /* the index is IPv6's */
	f->addr_bytes = addr_bytes;
	f->max_plen = 8 * addr_bytes;
	f->levels = fib_plen_level(f->max_plen) + 1;
	rules_init(&f->rules, addr_bytes);
	err = pool_init(&f->pool, t->n_groups);
	if (err)
		goto err_free;
	if (adopt) {
		err = claim_links(f, t->root, SLUICE_FIB_ROOT_SIZE, 0);
		if (err)
			goto err_pool;
	} else {
		memset(t->root, 0, sizeof(*t->root) * SLUICE_FIB_ROOT_SIZE);
		if (t->n_groups)
			memset(t->groups, 0,
			       sizeof(*t->groups) * SLUICE_FIB_GROUP_SIZE *
				       (size_t)t->n_groups);
	}
	/* adopted or not, the index is filled again rule by rule: an
	 * earlier writer may have died between a table store and its slot */
	p48_clear(&f->t);
	pool_build_fifo(&f->pool);
	*out = f;
	return 0;

err_pool:
	pool_fini(&f->pool);
err_free:
	free(f);
	return err;
}

void fib_free(struct fib *f)
{
	if (!f)
		return;
	rules_fini(&f->rules);
	pool_fini(&f->pool);
	free(f);
}
