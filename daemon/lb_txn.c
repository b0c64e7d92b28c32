// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's write transaction: every map write of a change goes
 * through here and leaves the way back, so that a write that fails can put
 * the maps back as they were before the change began.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lb_internal.h"
#include "log.h"

/* ---- transactions ---------------------------------------------------------- */

/* Room for one more undo, made before the write it undoes: a write that
 * succeeded is never left without its undo. */
static int txn_reserve(struct txn *t)
{
	struct undo *u;
	size_t cap;

	if (t->n < t->cap)
		return 0;
	cap = t->cap ? t->cap * 2 : 16;
	u = realloc(t->u, cap * sizeof(*u));
	if (!u)
		return -ENOMEM;
	t->u = u;
	t->cap = cap;
	return 0;
}

/* After a write (@err its result): keep @u, the way back, if it worked. */
static int txn_note(struct txn *t, int err, const struct undo *u)
{
	if (!err)
		t->u[t->n++] = *u;
	return err;
}

void lb_txn_free(struct txn *t)
{
	free(t->u);
	t->u = NULL;
	t->n = t->cap = 0;
}

/* Each lb_txn_*() makes one map write through lb->ops and notes its undo: a new
 * key or entry is deleted again, an old value is put back. */
int lb_txn_vip_set(struct txn *t, const struct sluice_vip_key *k,
		   const struct sluice_vip *v, const struct sluice_vip *prev)
{
	struct undo u = { .op = prev ? UNDO_VIP_SET : UNDO_VIP_DEL, .key = *k };

	if (prev)
		u.vip = *prev;
	if (txn_reserve(t))
		return -ENOMEM;
	return txn_note(t, t->lb->ops->vip_set(t->lb->dp, k, v), &u);
}

int lb_txn_vip_del(struct txn *t, const struct sluice_vip_key *k,
		   const struct sluice_vip *prev)
{
	struct undo u = { .op = UNDO_VIP_SET, .key = *k, .vip = *prev };

	if (txn_reserve(t))
		return -ENOMEM;
	return txn_note(t, t->lb->ops->vip_del(t->lb->dp, k), &u);
}

int lb_txn_be_set(struct txn *t, uint32_t id, const struct sluice_backend *b,
		  const struct sluice_backend *prev)
{
	struct undo u = { .op = prev ? UNDO_BE_SET : UNDO_BE_DEL, .id = id };

	if (prev)
		u.be = *prev;
	if (txn_reserve(t))
		return -ENOMEM;
	return txn_note(t, t->lb->ops->backend_set(t->lb->dp, id, b), &u);
}

int lb_txn_be_del(struct txn *t, uint32_t id, const struct sluice_backend *prev)
{
	struct undo u = { .op = UNDO_BE_SET, .id = id, .be = *prev };

	if (txn_reserve(t))
		return -ENOMEM;
	return txn_note(t, t->lb->ops->backend_del(t->lb->dp, id), &u);
}

/* @prev (@prev_m slots) is what was installed, NULL if nothing; it must stay
 * valid until the transaction is over. */
int lb_txn_ring_install(struct txn *t, uint32_t vip_id, uint32_t m,
			const uint32_t *table, uint32_t prev_m,
			const uint32_t *prev)
{
	struct undo u = { .op = prev ? UNDO_RING_INSTALL : UNDO_RING_DEL,
			  .id = vip_id,
			  .n = prev_m,
			  .table = prev };
	int err;

	if (txn_reserve(t))
		return -ENOMEM;
	err = t->lb->ops->ring_install(t->lb->dp, vip_id, m, table);
	t->lb->slots_written += err ? 0 : m;
	return txn_note(t, err, &u);
}

int lb_txn_ring_del(struct txn *t, uint32_t vip_id, uint32_t m,
		    const uint32_t *prev)
{
	struct undo u = {
		.op = UNDO_RING_INSTALL, .id = vip_id, .n = m, .table = prev
	};

	if (txn_reserve(t))
		return -ENOMEM;
	return txn_note(t, t->lb->ops->ring_del(t->lb->dp, vip_id), &u);
}

/* Writes the slots where @old and @nw (@m slots each) differ, in one pass
 * that finds and writes them.  The undo borrows both tables (the old
 * VIP's and the new one's, which outlive the transaction) and writes @old
 * back over @nw: nothing is copied, whatever the size of the change. */
int lb_txn_ring_write(struct txn *t, uint32_t vip_id, uint32_t m,
		      const uint32_t *old, const uint32_t *nw)
{
	struct undo u = { .op = UNDO_RING_WRITE,
			  .id = vip_id,
			  .n = m,
			  .table = old,
			  .cur = nw };
	uint32_t changed = 0;
	int err;

	if (!memcmp(old, nw, m * sizeof(*old)))
		return 0;
	if (txn_reserve(t))
		return -ENOMEM;
	err = t->lb->ops->ring_update(t->lb->dp, vip_id, m, old, nw, &changed);
	/* A failed update may have written some of the slots (the kernel
	 * stops at the first element it cannot update): the undo puts all
	 * of them back, before any backend they now name is unset again. */
	t->u[t->n++] = u;
	t->lb->slots_written += changed;
	return err;
}

/* Puts the maps back as they were, newest write first. */
void lb_txn_rollback(struct txn *t)
{
	struct lb *lb = t->lb;
	uint32_t changed;
	int err, failed = 0;

	while (t->n) {
		struct undo *u = &t->u[--t->n];

		switch (u->op) {
		case UNDO_VIP_DEL:
			err = lb->ops->vip_del(lb->dp, &u->key);
			break;
		case UNDO_VIP_SET:
			err = lb->ops->vip_set(lb->dp, &u->key, &u->vip);
			break;
		case UNDO_BE_DEL:
			err = lb->ops->backend_del(lb->dp, u->id);
			break;
		case UNDO_BE_SET:
			err = lb->ops->backend_set(lb->dp, u->id, &u->be);
			break;
		case UNDO_RING_DEL:
			err = lb->ops->ring_del(lb->dp, u->id);
			break;
		case UNDO_RING_INSTALL:
			err = lb->ops->ring_install(lb->dp, u->id, u->n,
						    u->table);
			lb->slots_written += err ? 0 : u->n;
			break;
		case UNDO_RING_WRITE:
			changed = 0;
			err = lb->ops->ring_update(lb->dp, u->id, u->n, u->cur,
						   u->table, &changed);
			lb->slots_written += changed;
			break;
		default: err = -EINVAL;
		}
		if (err)
			failed++;
	}
	if (failed)
		pr_err("lb: %d undo writes failed: the data path may differ from "
		       "the model until the next change",
		       failed);
}
