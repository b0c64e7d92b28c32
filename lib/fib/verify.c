// SPDX-License-Identifier: BSD-2-Clause
/*
 * fib_verify(): the tables against the rule set, computed independently
 * of the incremental code.  A scratch copy of the tables' shape (the same
 * links, leaves zeroed) is painted with every rule, shortest first, so
 * each entry ends with the longest rule covering it; then the tables must
 * equal it.  On the way: every link in range, under the last level, to a
 * group in use and linked once; every group in use linked; no group left
 * that a delete should have folded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fib_internal.h"

struct verify {
	const struct fib *f;
	__u32 *root; /* scratch, the tables' shape */
	__u32 *groups;
	__u64 *linked; /* bit per group */
	__u32 n_linked;
};

static __u32 *scratch_group(const struct verify *v, __u32 g)
{
	return v->groups + (size_t)g * SLUICE_FIB_GROUP_SIZE;
}

/* Copies the links of @tbl (@n entries at @level) into @out, checking
 * them; leaves are checked for a depth the level can hold. */
static int copy_links(struct verify *v, const __u32 *tbl, __u32 *out, __u32 n,
		      unsigned int level)
{
	const struct fib *f = v->f;
	__u32 g, fold;
	int err;

	for (__u32 i = 0; i < n; i++) {
		__u32 e = entry_get(&tbl[i]);

		if (!entry_is_link(e)) {
			if (sluice_fib_depth(e) > fib_level_bits(level) ||
			    (e && !sluice_fib_target(e)))
				return -EBADMSG;
			continue;
		}
		g = entry_group(e);
		if (level + 1 >= f->levels || g >= f->t.n_groups ||
		    (v->linked[g / 64] & (1ull << (g % 64))) ||
		    !pool_is_used(&f->pool, g) ||
		    fib_group_foldable(f, g, level, &fold))
			return -EBADMSG;
		v->linked[g / 64] |= 1ull << (g % 64);
		v->n_linked++;
		out[i] = e;
		err = copy_links(v, fib_group(&f->t, g), scratch_group(v, g),
				 SLUICE_FIB_GROUP_SIZE, level + 1);
		if (err)
			return err;
	}
	return 0;
}

static void paint_all(const struct verify *v, __u32 *tbl, __u32 n, __u32 e)
{
	for (__u32 i = 0; i < n; i++) {
		if (entry_is_link(tbl[i]))
			paint_all(v, scratch_group(v, entry_group(tbl[i])),
				  SLUICE_FIB_GROUP_SIZE, e);
		else
			tbl[i] = e;
	}
}

static int paint_rule(const void *addr, unsigned int plen, __u32 target,
		      void *ctx)
{
	const struct verify *v = ctx;
	unsigned int level = fib_plen_level(plen);
	__u32 *tbl = v->root;

	for (unsigned int l = 0; l < level; l++) {
		__u32 e = tbl[fib_level_index(addr, l)];

		if (!entry_is_link(e))
			return -EBADMSG; /* the rule needs a group there */
		tbl = scratch_group(v, entry_group(e));
	}
	paint_all(v, tbl + fib_level_index(addr, level),
		  1u << (fib_level_bits(level) - plen),
		  sluice_fib_entry(target, plen));
	return 0;
}

static int compare(const __u32 *want, const __u32 *have, __u32 n)
{
	for (__u32 i = 0; i < n; i++)
		if (want[i] != entry_get(&have[i]))
			return -EBADMSG;
	return 0;
}

int fib_verify(const struct fib *f)
{
	__u32 n = f->t.n_groups;
	struct verify v = { .f = f };
	int err = -ENOMEM;

	v.root = calloc(SLUICE_FIB_ROOT_SIZE, sizeof(*v.root));
	v.groups = calloc((size_t)(n ? n : 1) * SLUICE_FIB_GROUP_SIZE,
			  sizeof(*v.groups));
	v.linked = calloc(n / 64 + 1, sizeof(*v.linked));
	if (!v.root || !v.groups || !v.linked)
		goto out;
	err = copy_links(&v, f->t.root, v.root, SLUICE_FIB_ROOT_SIZE, 0);
	if (err)
		goto out;
	err = -EBADMSG;
	if (v.n_linked != fib_groups_used(f))
		goto out; /* a group in use that nothing links: leaked */
	err = rules_walk(&f->rules, paint_rule, &v);
	if (err)
		goto out;
	err = compare(v.root, f->t.root, SLUICE_FIB_ROOT_SIZE);
	for (__u32 g = 0; !err && g < n; g++)
		if (v.linked[g / 64] & (1ull << (g % 64)))
			err = compare(scratch_group(&v, g), fib_group(&f->t, g),
				      SLUICE_FIB_GROUP_SIZE);
	if (!err)
		err = p48_verify(f); /* against the tables just checked */
out:
	free(v.root);
	free(v.groups);
	free(v.linked);
	return err;
}
