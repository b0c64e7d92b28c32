// SPDX-License-Identifier: BSD-2-Clause
/*
 * fib_prune(): takes out of adopted tables the prefixes no rule holds.
 *
 * A restart adopts the tables the packet path is reading and replays the
 * rules over them (fib_new(), fib_note()/fib_add()).  When the rules'
 * source was rebuilt instead of adopted (a pinned routes map of another
 * layout), the replay is short of every prefix deleted meanwhile, and the
 * tables go on answering for them.  Every leaf entry names the length of
 * the prefix that wrote it, so the prefix can be read back from the
 * entry's place; one the rule set lacks is noted as a rule and deleted
 * like any other, which gives its entries back to the covering rule and
 * folds the groups it leaves uniform, all with the writer's usual stores
 * (safe while the packet path reads).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fib_internal.h"

struct stale_prefix {
	__u8 key[FIB_MAX_ADDR_BYTES];
	__u32 plen;
	__u32 target;
};

struct prune {
	const struct fib *f;
	__u8 addr[FIB_MAX_ADDR_BYTES]; /* the walk's place */
	struct stale_prefix last;      /* the last prefix looked at */
	bool have_last;
	struct stale_prefix *v;
	size_t n, cap;
};

static int push(struct prune *p, const struct stale_prefix *s)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		struct stale_prefix *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = *s;
	return 0;
}

/* The leaf @e at the walk's place: noted when no rule wrote it.  A
 * prefix covers many entries in a row, so the one just looked at is
 * remembered rather than looked up again. */
static int leaf(struct prune *p, __u32 e)
{
	struct stale_prefix s = { .plen = sluice_fib_depth(e),
				  .target = sluice_fib_target(e) };

	fib_mask(p->addr, p->f->addr_bytes, s.plen, s.key);
	if (p->have_last && !memcmp(&s, &p->last, sizeof(s)))
		return 0;
	p->last = s;
	p->have_last = true;
	if (rules_find(&p->f->rules, s.key, s.plen))
		return 0;
	return push(p, &s);
}

static int walk(struct prune *p, const __u32 *tbl, __u32 n, unsigned int level)
{
	int err;

	for (__u32 i = 0; i < n; i++) {
		__u32 e = entry_get(&tbl[i]);

		if (level) {
			p->addr[2 + level] = (__u8)i;
		} else {
			p->addr[0] = (__u8)(i >> 16);
			p->addr[1] = (__u8)(i >> 8);
			p->addr[2] = (__u8)i;
		}
		if (entry_is_link(e)) {
			/* fib_new() checked the links of adopted tables */
			err = walk(p, fib_group(&p->f->t, entry_group(e)),
				   SLUICE_FIB_GROUP_SIZE, level + 1);
		} else if (e && sluice_fib_target(e)) {
			err = leaf(p, e);
		} else {
			continue;
		}
		if (err)
			return err;
	}
	return 0;
}

static int by_prefix(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct stale_prefix));
}

int fib_prune(struct fib *f, size_t *removed)
{
	struct prune p = { .f = f };
	size_t failed = 0;
	int err;

	*removed = 0;
	err = walk(&p, f->t.root, SLUICE_FIB_ROOT_SIZE, 0);
	if (err)
		goto out;
	/* a prefix broken up by the groups of longer ones is met again
	 * after each of them */
	if (p.n)
		qsort(p.v, p.n, sizeof(*p.v), by_prefix);
	for (size_t i = 0; i < p.n; i++) {
		const struct stale_prefix *s = &p.v[i];

		if (i && !by_prefix(s, &p.v[i - 1]))
			continue;
		err = fib_note(f, s->key, s->plen, s->target);
		if (err)
			break;
		if (fib_del(f, s->key, s->plen)) {
			/* the tables lack a group the prefix needs: they
			 * were not written by this library; leave them */
			rules_remove(&f->rules, s->key, s->plen);
			failed++;
			continue;
		}
		(*removed)++;
	}
	if (!err && failed)
		err = -EBADMSG;
out:
	free(p.v);
	return err;
}
