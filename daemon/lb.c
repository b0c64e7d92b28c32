// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's control plane.  See lb.h for the contract and
 * docs/lb-api.md for the objects.
 *
 * Every change follows one pattern: validate completely, build the new VIP
 * as a copy (backends and Maglev table), write the difference into the maps
 * through a transaction that records how to undo each write, and only then
 * swap the copy in.  A write that fails undoes the earlier ones in reverse,
 * so the maps and the model stay what they were.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "dp_ct.h"
#include "dp_nat.h"
#include "lb_internal.h"
#include "log.h"
#include "maglev.h"

uint64_t lb_backend_key(const struct lb_addr *a)
{
	uint8_t id[17];
	size_t len = addr_len(a->family);

	id[0] = a->family;
	memcpy(id + 1, a->a, len);
	return maglev_key(id, 1 + len);
}

uint32_t lb_backend_weight(const struct lb_backend *b)
{
	if (b->spec.state != LB_BE_ACTIVE || b->health == HEALTH_DOWN)
		return 0;
	return b->spec.weight;
}

bool lb_backend_down(const struct lb_backend *b)
{
	return b->spec.state == LB_BE_DOWN || b->health == HEALTH_DOWN;
}

int lb_table_compute(struct lb_backend *be, size_t n, uint32_t ring_size,
		     uint32_t *table)
{
	struct maglev_backend *mb;
	uint32_t *slots;
	int err;

	mb = calloc(n ? n : 1, sizeof(*mb));
	slots = calloc(n ? n : 1, sizeof(*slots));
	if (!mb || !slots) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!be[i].id || be[i].id >= SLUICE_LB_MAX_BACKENDS) {
			err = -EINVAL;
			goto out;
		}
		mb[i].key = be[i].key;
		mb[i].weight = lb_backend_weight(&be[i]);
		mb[i].value = be[i].id;
	}
	err = maglev_build_slots(mb, n, ring_size, table, slots);
	if (err)
		goto out;
	for (size_t i = 0; i < n; i++)
		be[i].slots = slots[i];
out:
	free(slots);
	free(mb);
	return err;
}

struct sluice_backend lb_be_value(const struct lb_backend *b)
{
	struct sluice_backend v = {};

	memcpy(v.addr, b->spec.addr.a, sizeof(v.addr));
	v.family = b->spec.addr.family;
	v.flags = lb_backend_down(b)		  ? SLUICE_BE_DOWN :
		  b->spec.state == LB_BE_DRAINING ? SLUICE_BE_DRAINING :
						    0;
	return v;
}

static struct sluice_vip vip_value(const struct lb_vip *v)
{
	return (struct sluice_vip){
		.vip_id = v->id,
		.ring_size = v->conf.ring_size,
		.flags = v->conf.flags,
		.backend_port = htons(v->conf.backend_port),
	};
}

/* ---- ids ------------------------------------------------------------------------ */

uint32_t lb_be_id_alloc(struct lb *lb)
{
	uint32_t id;

	if (!lb->free_n)
		return 0;
	id = lb->free_q[lb->free_head];
	lb->free_head = (lb->free_head + 1) % LB_MAX_BACKENDS;
	lb->free_n--;
	return id;
}

/* Undoes the last lb_be_id_alloc(): back to the front of the queue. */
void lb_be_id_unalloc(struct lb *lb, uint32_t id)
{
	lb->free_head = (lb->free_head + LB_MAX_BACKENDS - 1) % LB_MAX_BACKENDS;
	lb->free_q[lb->free_head] = id;
	lb->free_n++;
}

void lb_be_id_release(struct lb *lb, uint32_t id)
{
	lb->free_q[(lb->free_head + lb->free_n) % LB_MAX_BACKENDS] = id;
	lb->free_n++;
}

uint32_t lb_vip_id_alloc(const struct lb *lb)
{
	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		if (!lb->vips[id] && !lb->vip_reserved[id])
			return id;
	return 0;
}

/* ---- the model --------------------------------------------------------------- */

void lb_vip_free(struct lb_vip *v)
{
	if (!v)
		return;
	free(v->be);
	free(v->table);
	free(v);
}

/* A copy of @v with room for @extra more backends and a table to fill. */
struct lb_vip *lb_vip_clone(const struct lb_vip *v, size_t extra)
{
	struct lb_vip *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->conf = v->conf;
	c->id = v->id;
	c->be = calloc(v->n_be + extra ? v->n_be + extra : 1, sizeof(*c->be));
	c->table = malloc(v->conf.ring_size * sizeof(*c->table));
	if (!c->be || !c->table) {
		lb_vip_free(c);
		return NULL;
	}
	memcpy(c->be, v->be, v->n_be * sizeof(*c->be));
	c->n_be = v->n_be;
	return c;
}

static ssize_t be_index(const struct lb_vip *v, const struct lb_addr *a)
{
	for (size_t i = 0; i < v->n_be; i++)
		if (addr_eq(&v->be[i].spec.addr, a))
			return (ssize_t)i;
	return -1;
}

static const struct lb_backend *be_by_id(const struct lb_vip *v, uint32_t id)
{
	for (size_t i = 0; i < v->n_be; i++)
		if (v->be[i].id == id)
			return &v->be[i];
	return NULL;
}

/* ix[id]: @v's backend with that id, or NULL (@v may be NULL), so that
 * comparing two versions of a VIP stays linear in its backends. */
static const struct lb_backend **index_by_id(const struct lb_vip *v)
{
	const struct lb_backend **ix =
		calloc(SLUICE_LB_MAX_BACKENDS, sizeof(*ix));

	for (size_t i = 0; ix && v && i < v->n_be; i++)
		ix[v->be[i].id] = &v->be[i];
	return ix;
}

void lb_backend_init(struct lb_backend *b, const struct lb_backend_spec *s,
		     uint32_t id)
{
	memset(b, 0, sizeof(*b));
	b->spec = *s;
	b->id = id;
	b->key = lb_backend_key(&s->addr);
	b->health = HEALTH_UNKNOWN;
}

void lb_stats_clear(struct lb *lb, uint32_t vip_id, uint32_t be_id)
{
	/* counters only: a failure leaves old numbers, never a wrong packet */
	int err = lb->ops->stats_clear(lb->dp, vip_id, be_id);

	if (err)
		pr_warn("lb: cannot clear counters of vip %u/backend %u: %s",
			vip_id, be_id, strerror(-err));
}

/* A new VIP: its backends, then its complete table, then the key that makes
 * the data path look at all that. */
static int program_add(struct lb *lb, struct txn *t, const struct lb_vip *nw)
{
	struct sluice_vip vv = vip_value(nw);
	int err;

	lb_stats_clear(lb, nw->id, 0);
	for (size_t i = 0; i < nw->n_be; i++) {
		struct sluice_backend bv = lb_be_value(&nw->be[i]);

		lb_stats_clear(lb, 0, nw->be[i].id);
		err = lb_txn_be_set(t, nw->be[i].id, &bv, NULL);
		if (err)
			return err;
	}
	err = lb_txn_ring_install(t, nw->id, nw->conf.ring_size, nw->table, 0,
				  NULL);
	return err ? err : lb_txn_vip_set(t, &nw->conf.key, &vv, NULL);
}

/* Gone: the key first (no new packet finds the VIP), then its table, then
 * the backends nothing points to any more. */
static int program_del(struct lb *lb, struct txn *t, const struct lb_vip *old)
{
	struct sluice_vip vv = vip_value(old);
	int err;

	err = lb_txn_vip_del(t, &old->conf.key, &vv);
	if (!err)
		err = lb_txn_ring_del(t, old->id, old->conf.ring_size,
				      old->table);
	if (!err)
		err = lb_second_keep(lb, old, NULL);
	for (size_t i = 0; i < old->n_be && !err; i++) {
		struct sluice_backend bv = lb_be_value(&old->be[i]);

		err = lb_txn_be_del(t, old->be[i].id, &bv);
	}
	if (err)
		return err;
	lb_stats_clear(lb, old->id, 0);
	for (size_t i = 0; i < old->n_be; i++)
		lb_stats_clear(lb, 0, old->be[i].id);
	return 0;
}

static bool be_value_eq(const struct sluice_backend *a,
			const struct sluice_backend *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/*
 * @old (as the maps hold it: @old_vv is its lb_vips value, @old->table its
 * ring or NULL if there is none) becomes @nw, same vip id and key.
 *
 * What the data path sees at every step, rollback included: each slot of
 * the VIP's table names a backend that is set and not down, or the whole
 * table is empty (no usable backend; for a moment, while the slots of a
 * table that fills or empties are written, part of it), so a new flow
 * never finds a dangling slot, nor an empty one while some backend could
 * take it, except the instant it would have before (drop_lb_no_backend).
 * Hence a backend that comes (or comes back) up is written before the
 * table gives it slots; one that goes down loses its slots before it is
 * flagged (flagging first would drop the new flows still hashed to it);
 * one that leaves is deleted once no slot names it.  A table that goes
 * from empty to full or back is written in place like any other change:
 * while its slots are written a packet finds the empty slot of before (it
 * is dropped, as it was a moment ago) or the backend of after, never a
 * backend that is unset or down.  Only a new M swaps in a whole table.
 * The undo of each step runs in reverse order, so it keeps the same rule.
 */
int lb_program_change(struct lb *lb, struct txn *t, const struct lb_vip *old,
		      const struct sluice_vip *old_vv, const struct lb_vip *nw,
		      uint32_t *written)
{
	const struct lb_backend **old_ix = index_by_id(old);
	const struct lb_backend **new_ix = index_by_id(nw);
	struct sluice_vip vv = vip_value(nw);
	uint32_t m = nw->conf.ring_size;
	uint64_t before = lb->slots_written;
	bool vip_first;
	int err = 0;

	if (!old_ix || !new_ix) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nw->n_be && !err; i++) {
		const struct lb_backend *o = old_ix[nw->be[i].id];
		struct sluice_backend bv = lb_be_value(&nw->be[i]), ov;

		if (!o) {
			lb_stats_clear(lb, 0, nw->be[i].id);
			err = lb_txn_be_set(t, nw->be[i].id, &bv, NULL);
			continue;
		}
		ov = lb_be_value(o);
		if (!be_value_eq(&bv, &ov) && !(bv.flags & SLUICE_BE_DOWN))
			err = lb_txn_be_set(t, nw->be[i].id, &bv, &ov);
	}
	if (err)
		goto out;

	/* A new M: the data path indexes hash % vip.ring_size, so a smaller
	 * M goes first (the old, larger table covers it), a larger one last
	 * (after its table). */
	vip_first = old->table && m < old_vv->ring_size &&
		    m <= old->conf.ring_size;
	if (vip_first && memcmp(&vv, old_vv, sizeof(vv))) {
		err = lb_txn_vip_set(t, &nw->conf.key, &vv, old_vv);
		if (err)
			goto out;
	}
	/* the table of before is in place before the new one is seen (no
	 * undo: after a rollback it equals the table, and carries nothing) */
	err = lb_second_keep(lb, old, nw);
	if (err)
		goto out;
	if (old->table && old->conf.ring_size == m) {
		/* In place, even from no usable backend to some or back
		 * (every slot changes): swapping in a new table would make
		 * the kernel wait for an RCU grace period (milliseconds) on
		 * every such change, and slot by slot each packet still gets
		 * the answer of before the change or of after it. */
		err = lb_txn_ring_write(t, nw->id, m, old->table, nw->table);
	} else {
		err = lb_txn_ring_install(t, nw->id, m, nw->table,
					  old->table ? old->conf.ring_size : 0,
					  old->table);
	}
	if (err)
		goto out;

	for (size_t i = 0; i < nw->n_be && !err; i++) {
		const struct lb_backend *o = old_ix[nw->be[i].id];
		struct sluice_backend bv = lb_be_value(&nw->be[i]), ov;

		if (!o)
			continue;
		ov = lb_be_value(o);
		if (!be_value_eq(&bv, &ov) && (bv.flags & SLUICE_BE_DOWN))
			err = lb_txn_be_set(t, nw->be[i].id, &bv, &ov);
	}
	for (size_t i = 0; i < old->n_be && !err; i++) {
		struct sluice_backend ov = lb_be_value(&old->be[i]);

		if (new_ix[old->be[i].id])
			continue;
		err = lb_txn_be_del(t, old->be[i].id, &ov);
		if (!err)
			lb_stats_clear(lb, 0, old->be[i].id);
	}
	if (!err && !vip_first && memcmp(&vv, old_vv, sizeof(vv)))
		err = lb_txn_vip_set(t, &nw->conf.key, &vv, old_vv);
	if (written)
		*written = (uint32_t)(lb->slots_written - before);
out:
	free(old_ix);
	free(new_ix);
	return err;
}

/* Health targets for @nw's backends that @old (NULL: none) did not have.
 * On failure the ones added here are removed again. */
int lb_health_add(struct lb *lb, const struct lb_vip *old,
		  const struct lb_vip *nw)
{
	const struct health_params *hp = &nw->conf.health;
	const struct lb_backend **old_ix;
	size_t i;
	int err = 0;

	if (!lb->health || hp->kind == HEALTH_NONE)
		return 0;
	old_ix = index_by_id(old);
	if (!old_ix)
		return -ENOMEM;
	for (i = 0; i < nw->n_be && !err; i++) {
		const struct lb_backend *b = &nw->be[i];

		if (old_ix[b->id])
			continue;
		err = health_set(lb->health, b->id, b->spec.addr.family,
				 b->spec.addr.a, hp);
	}
	while (err && i-- > 0)
		if (!old_ix[nw->be[i].id])
			health_del(lb->health, nw->be[i].id);
	free(old_ix);
	return err;
}

/* After a commit: no checks for backends that are gone. */
static void health_drop(struct lb *lb, const struct lb_vip *old,
			const struct lb_backend **new_ix)
{
	if (!lb->health || !old)
		return;
	for (size_t i = 0; i < old->n_be; i++)
		if (!new_ix[old->be[i].id])
			health_del(lb->health, old->be[i].id);
}

/* The model follows the maps: @nw replaces @old (either may be NULL);
 * @new_ix indexes @nw. */
void lb_commit(struct lb *lb, struct lb_vip *old, struct lb_vip *nw,
	       const struct lb_backend **new_ix)
{
	if (old) {
		for (size_t i = 0; i < old->n_be; i++) {
			uint32_t id = old->be[i].id;

			if (new_ix[id])
				continue;
			lb->be_owner[id] = 0;
			lb_be_id_release(lb, id);
		}
		lb->vips[old->id] = NULL;
	}
	if (nw) {
		for (size_t i = 0; i < nw->n_be; i++)
			lb->be_owner[nw->be[i].id] = (uint16_t)nw->id;
		lb->vips[nw->id] = nw;
	}
	lb_vip_free(old);
	if (lb->watch.changed)
		lb->watch.changed(lb->watch.arg);
}

int lb_map_error(char *err, size_t errlen, int rc)
{
	snprintf(err, errlen,
		 "data path: a map write failed (%s); nothing "
		 "changed",
		 strerror(rc < 0 ? -rc : rc));
	pr_err("lb: %s", err);
	return -EIO;
}

/*
 * The one way a VIP changes: program @nw over @old (either NULL for add or
 * delete), add health targets, then swap the model.  On failure everything
 * is undone and @nw freed; @old stays.
 */
/* NAT's switch for full-NAT VIPs follows whether any is left (@adding: one
 * is about to be).  -EPERM when one is wanted and conntrack is off. */
static int fullnat_sync(struct lb *lb, bool adding)
{
	bool any = adding, ct_on = false;
	int rc;

	if (!lb->ops->fullnat_set)
		return adding ? -EOPNOTSUPP : 0;
	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS && !any; id++)
		any = lb->vips[id] &&
		      (lb->vips[id]->conf.flags & SLUICE_VIP_FULLNAT);
	rc = lb->ops->fullnat_set(lb->dp, any, &ct_on);
	if (rc)
		return rc;
	return any && !ct_on ? -EPERM : 0;
}

int lb_apply(struct lb *lb, struct lb_vip *old, struct lb_vip *nw,
	     uint32_t *written, char *err, size_t errlen)
{
	const struct lb_backend **new_ix = index_by_id(nw);
	struct txn t = { .lb = lb };
	struct sluice_vip ovv;
	bool sync;
	int rc;

	if (!new_ix) {
		rc = -ENOMEM;
	} else if (!old) {
		rc = program_add(lb, &t, nw);
	} else if (!nw) {
		rc = program_del(lb, &t, old);
	} else {
		ovv = vip_value(old);
		rc = lb_program_change(lb, &t, old, &ovv, nw, written);
	}
	if (!rc && nw)
		rc = lb_health_add(lb, old, nw);
	if (rc) {
		lb_txn_rollback(&t);
		lb_txn_free(&t);
		free(new_ix);
		lb_vip_free(nw);
		return lb_map_error(err, errlen, rc);
	}
	/* NAT's switch for full-NAT VIPs follows every change that could
	 * move it, restored VIPs (lb.json at a start) included: a VIP that
	 * comes or goes, or a full-NAT one that changes (not a backend of
	 * another kind of VIP: three syscalls saved per backend write) */
	sync = !old || !nw ||
	       ((old->conf.flags | nw->conf.flags) & SLUICE_VIP_FULLNAT);
	lb_txn_free(&t);
	health_drop(lb, old, new_ix);
	lb_commit(lb, old, nw, new_ix); /* frees @old */
	free(new_ix);
	if (sync && fullnat_sync(lb, false) == -EPERM)
		pr_warn("lb: a fullnat VIP with connection tracking off: its "
			"packets are dropped (drop_lb_fullnat) until "
			"`sluicectl ct enable`");
	return 0;
}

static struct lb_vip *vip_by_key(const struct lb *lb,
				 const struct sluice_vip_key *k)
{
	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		if (lb->vips[id] && key_eq(&lb->vips[id]->conf.key, k))
			return lb->vips[id];
	return NULL;
}

/* A VIP with @s's backends, ids from the free lists (or @ids), table built. */
int lb_vip_build(const struct lb_vip_spec *s, uint32_t vip_id,
		 const uint32_t *ids, struct lb_vip **out)
{
	struct lb_vip *v = calloc(1, sizeof(*v));
	int err;

	if (!v)
		return -ENOMEM;
	v->conf = s->conf;
	v->id = vip_id;
	v->be = calloc(s->n_be ? s->n_be : 1, sizeof(*v->be));
	v->table = malloc(s->conf.ring_size * sizeof(*v->table));
	if (!v->be || !v->table) {
		lb_vip_free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->n_be; i++)
		lb_backend_init(&v->be[i], &s->be[i], ids[i]);
	v->n_be = s->n_be;
	err = lb_table_compute(v->be, v->n_be, v->conf.ring_size, v->table);
	if (err) {
		lb_vip_free(v);
		return err;
	}
	*out = v;
	return 0;
}

/* ---- public operations ------------------------------------------------------ */

int lb_vip_add(struct lb *lb, const struct lb_vip_spec *spec, uint32_t *vip_id,
	       char *err, size_t errlen)
{
	char name[LB_VIP_ID_LEN];
	struct lb_vip *nw = NULL;
	uint32_t *ids = NULL, id;
	size_t got = 0;
	int rc;

	rc = lb_vip_spec_check(spec, "", err, errlen);
	if (rc)
		return rc;
	if (spec->conf.flags & SLUICE_VIP_FULLNAT) {
		rc = fullnat_sync(lb, true);
		/* a state the request needs and does not have: a conflict
		 * (409), as conntrack's refusal to go off under a NAT rule
		 * is, not a failure of sluiced */
		if (rc == -EPERM) {
			snprintf(err, errlen,
				 "mode: fullnat needs connection tracking: "
				 "turn it on first (sluicectl ct enable, or "
				 "conntrack.enabled in the config)");
			rc = -EBUSY;
			goto out;
		}
		if (rc) {
			snprintf(err, errlen,
				 "mode: fullnat: cannot switch NAT's full-NAT "
				 "path on: %s",
				 strerror(-rc));
			goto out;
		}
	}
	lb_vip_id_str(&spec->conf.key, name, sizeof(name));
	if (vip_by_key(lb, &spec->conf.key)) {
		snprintf(err, errlen, "vip %s exists", name);
		rc = -EEXIST;
		goto out;
	}
	id = lb_vip_id_alloc(lb);
	if (!id) {
		snprintf(err, errlen, "vips: all %u vip ids are in use",
			 LB_MAX_VIPS);
		rc = -ENOSPC;
		goto out;
	}
	ids = calloc(spec->n_be ? spec->n_be : 1, sizeof(*ids));
	if (!ids) {
		rc = -ENOMEM;
		goto out;
	}
	for (; got < spec->n_be; got++) {
		ids[got] = lb_be_id_alloc(lb);
		if (!ids[got])
			break;
	}
	if (got < spec->n_be) {
		snprintf(err, errlen,
			 "backends: only %zu backend ids are free "
			 "(%u for all VIPs together)",
			 got, LB_MAX_BACKENDS);
		rc = -ENOSPC;
		goto out;
	}
	rc = lb_vip_build(spec, id, ids, &nw);
	if (rc) {
		snprintf(err, errlen, "cannot build the table: %s",
			 strerror(-rc));
		goto out;
	}
	rc = lb_apply(lb, NULL, nw, NULL, err, errlen);
	if (!rc) {
		pr_info("lb: VIP %s added (vip_id %u, %zu backends)", name, id,
			spec->n_be);
		if (vip_id)
			*vip_id = id;
		lb_state_changed(lb, &spec->conf.key);
	}
out:
	if (rc)
		while (got-- > 0)
			lb_be_id_unalloc(lb, ids[got]);
	/* the switch fullnat_sync() set for this VIP follows the VIPs
	 * there are again: a refused VIP changes nothing */
	if (rc && (spec->conf.flags & SLUICE_VIP_FULLNAT))
		fullnat_sync(lb, false);
	free(ids);
	return rc;
}

struct lb_vip *lb_vip_get_err(struct lb *lb, uint32_t vip_id, char *err,
			      size_t errlen)
{
	struct lb_vip *v = vip_id < SLUICE_LB_MAX_VIPS ? lb->vips[vip_id] :
							 NULL;

	if (!v)
		snprintf(err, errlen, "vip %u does not exist", vip_id);
	return v;
}

int lb_vip_del(struct lb *lb, uint32_t vip_id, char *err, size_t errlen)
{
	struct lb_vip *old = lb_vip_get_err(lb, vip_id, err, errlen);
	struct sluice_vip_key key;
	char name[LB_VIP_ID_LEN];
	int rc;

	if (!old)
		return -ENOENT;
	key = old->conf.key; /* @old is freed with the change */
	lb_vip_id_str(&old->conf.key, name, sizeof(name));
	rc = lb_apply(lb, old, NULL, NULL, err, errlen);
	if (!rc) {
		pr_info("lb: VIP %s deleted", name);
		lb_state_changed(lb, &key);
	}
	return rc;
}

/* Recomputes @nw's table and applies it over the VIP it was cloned from. */
int lb_change(struct lb *lb, struct lb_vip *nw, uint32_t *written, char *err,
	      size_t errlen)
{
	int rc = lb_table_compute(nw->be, nw->n_be, nw->conf.ring_size,
				  nw->table);

	if (rc) {
		lb_vip_free(nw);
		snprintf(err, errlen, "cannot build the table: %s",
			 strerror(-rc));
		return rc;
	}
	return lb_apply(lb, lb->vips[nw->id], nw, written, err, errlen);
}

int lb_backend_add(struct lb *lb, uint32_t vip_id,
		   const struct lb_backend_spec *spec, char *err, size_t errlen)
{
	struct lb_vip *v = lb_vip_get_err(lb, vip_id, err, errlen), *nw;
	char name[LB_VIP_ID_LEN], a[INET6_ADDRSTRLEN];
	uint32_t id, written = 0;
	int rc;

	if (!v)
		return -ENOENT;
	rc = lb_backend_spec_check(spec, err, errlen) ?:
		     lb_fullnat_backend_check(&v->conf, &spec->addr, "address",
					      err, errlen);
	if (rc)
		return rc;
	lb_vip_id_str(&v->conf.key, name, sizeof(name));
	lb_addr_str(&spec->addr, a, sizeof(a));
	if (be_index(v, &spec->addr) >= 0) {
		snprintf(err, errlen, "backend %s exists in vip %s", a, name);
		return -EEXIST;
	}
	id = lb_be_id_alloc(lb);
	if (!id) {
		snprintf(err, errlen, "backends: all %u backend ids are in use",
			 LB_MAX_BACKENDS);
		return -ENOSPC;
	}
	nw = lb_vip_clone(v, 1);
	if (!nw) {
		lb_be_id_unalloc(lb, id);
		return -ENOMEM;
	}
	lb_backend_init(&nw->be[nw->n_be++], spec, id);
	rc = lb_change(lb, nw, &written, err, errlen);
	if (rc) {
		lb_be_id_unalloc(lb, id);
		return rc;
	}
	pr_info("lb: VIP %s: backend %s added (backend_id %u, %u slots written)",
		name, a, id, written);
	lb_state_changed(lb, &lb->vips[vip_id]->conf.key);
	return 0;
}

static struct lb_vip *clone_for(struct lb *lb, uint32_t vip_id,
				const struct lb_addr *addr, size_t *idx,
				char *err, size_t errlen, int *rc)
{
	struct lb_vip *v = lb_vip_get_err(lb, vip_id, err, errlen), *nw;
	char name[LB_VIP_ID_LEN], a[INET6_ADDRSTRLEN];
	ssize_t i;

	*rc = -ENOENT;
	if (!v)
		return NULL;
	i = be_index(v, addr);
	if (i < 0) {
		snprintf(err, errlen, "backend %s is not in vip %s",
			 lb_addr_str(addr, a, sizeof(a)),
			 lb_vip_id_str(&v->conf.key, name, sizeof(name)));
		return NULL;
	}
	nw = lb_vip_clone(v, 0);
	*rc = nw ? 0 : -ENOMEM;
	*idx = (size_t)i;
	return nw;
}

int lb_backend_patch(struct lb *lb, uint32_t vip_id, const struct lb_addr *addr,
		     const struct lb_backend_patch *p, char *err, size_t errlen)
{
	char name[LB_VIP_ID_LEN], a[INET6_ADDRSTRLEN];
	struct lb_backend *b;
	struct lb_vip *nw;
	uint32_t written = 0;
	size_t i;
	int rc;

	rc = lb_backend_patch_check(p, err, errlen);
	if (rc)
		return rc;
	nw = clone_for(lb, vip_id, addr, &i, err, errlen, &rc);
	if (!nw)
		return rc;
	b = &nw->be[i];
	if (p->has_weight)
		b->spec.weight = p->weight;
	if (p->has_state)
		b->spec.state = p->state;
	lb_vip_id_str(&nw->conf.key, name, sizeof(name));
	lb_addr_str(addr, a, sizeof(a));
	rc = lb_change(lb, nw, &written, err, errlen);
	if (rc)
		return rc;
	pr_info("lb: VIP %s: backend %s set to weight %u, %s (%u slots "
		"written)",
		name, a, lb->vips[vip_id]->be[i].spec.weight,
		lb_be_state_name(lb->vips[vip_id]->be[i].spec.state), written);
	lb_state_changed(lb, &lb->vips[vip_id]->conf.key);
	return 0;
}

int lb_backend_del(struct lb *lb, uint32_t vip_id, const struct lb_addr *addr,
		   char *err, size_t errlen)
{
	char name[LB_VIP_ID_LEN], a[INET6_ADDRSTRLEN];
	struct lb_vip *nw;
	uint32_t written = 0;
	size_t i;
	int rc;

	nw = clone_for(lb, vip_id, addr, &i, err, errlen, &rc);
	if (!nw)
		return rc;
	memmove(&nw->be[i], &nw->be[i + 1],
		(nw->n_be - i - 1) * sizeof(nw->be[0]));
	nw->n_be--;
	lb_vip_id_str(&nw->conf.key, name, sizeof(name));
	lb_addr_str(addr, a, sizeof(a));
	rc = lb_change(lb, nw, &written, err, errlen);
	if (rc)
		return rc;
	pr_info("lb: VIP %s: backend %s deleted (%u slots written)", name, a,
		written);
	lb_state_changed(lb, &lb->vips[vip_id]->conf.key);
	return 0;
}

void lb_health_event(void *arg, uint64_t backend_id, enum health_state st)
{
	char name[LB_VIP_ID_LEN], a[INET6_ADDRSTRLEN], err[256];
	struct lb *lb = arg;
	struct lb_vip *v, *nw;
	const struct lb_backend *b;
	uint32_t written = 0;
	const char *why;
	size_t i;
	int rc;

	if (!backend_id || backend_id >= SLUICE_LB_MAX_BACKENDS)
		return;
	v = lb->vips[lb->be_owner[backend_id]];
	b = v ? be_by_id(v, (uint32_t)backend_id) : NULL;
	if (!b || b->health == st)
		return;
	/* @v and @b are freed when the change commits */
	i = (size_t)(b - v->be);
	lb_vip_id_str(&v->conf.key, name, sizeof(name));
	lb_addr_str(&b->spec.addr, a, sizeof(a));
	nw = lb_vip_clone(v, 0);
	if (!nw) {
		pr_err("lb: VIP %s: backend %s is %s, but: out of memory", name,
		       a, health_state_name(st));
		return;
	}
	nw->be[i].health = st;
	rc = lb_change(lb, nw, &written, err, sizeof(err));
	if (rc) {
		pr_err("lb: VIP %s: backend %s is %s, but %s", name, a,
		       health_state_name(st), err);
		return;
	}
	why = lb->health ? health_last_error(lb->health, backend_id) : NULL;
	if (st == HEALTH_DOWN)
		pr_warn("lb: VIP %s: backend %s is down (%s): %u slots written",
			name, a, why ? why : "", written);
	else
		pr_info("lb: VIP %s: backend %s is %s: %u slots written", name,
			a, health_state_name(st), written);
}

/* ---- life cycle and lookups ------------------------------------------------- */

int lb_new(struct lb **out, struct dp *dp, const struct lb_dp_ops *ops,
	   struct health *h, const struct lb_settings *s)
{
	struct lb *lb = calloc(1, sizeof(*lb));

	if (!lb)
		return -ENOMEM;
	lb->dp = dp;
	lb->ops = ops;
	lb->health = h;
	lb->set = *s;
	lb->journal_fd = -1;
	for (uint32_t id = 1; id < SLUICE_LB_MAX_BACKENDS; id++)
		lb_be_id_release(lb, id);
	*out = lb;
	return 0;
}

void lb_set_watch(struct lb *lb, const struct lb_watch *w)
{
	lb->watch = *w;
}

bool lb_vip_healthy(const struct lb_vip *v)
{
	for (size_t i = 0; i < v->n_be; i++)
		if (v->be[i].spec.state == LB_BE_ACTIVE &&
		    v->be[i].health == HEALTH_UP)
			return true;
	return false;
}

bool lb_vip_undecided(const struct lb_vip *v)
{
	if (lb_vip_healthy(v))
		return false;
	for (size_t i = 0; i < v->n_be; i++)
		if (v->be[i].spec.state == LB_BE_ACTIVE &&
		    v->be[i].health == HEALTH_UNKNOWN)
			return true;
	return false;
}

void lb_set_health(struct lb *lb, struct health *h)
{
	lb->health = h;
}

void lb_free(struct lb *lb)
{
	if (!lb)
		return;
	/* the loop is gone by now: what it had not written yet, now */
	if (lb->state_dirty)
		lb_state_save(lb);
	lb_journal_close(lb);
	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		lb_vip_free(lb->vips[id]);
	free(lb->state_dir);
	free(lb);
}

const struct lb_vip *lb_vip_get(const struct lb *lb, uint32_t vip_id)
{
	return vip_id < SLUICE_LB_MAX_VIPS ? lb->vips[vip_id] : NULL;
}

int lb_vip_lookup(const struct lb *lb, const char *id,
		  const struct lb_vip **out)
{
	struct sluice_vip_key k;
	size_t len = strlen(id);

	*out = NULL;
	if (len && len <= 3 && strspn(id, "0123456789") == len) {
		unsigned long n = strtoul(id, NULL, 10);

		if (!n || n >= SLUICE_LB_MAX_VIPS)
			return -EINVAL;
		*out = lb->vips[n];
		return 0;
	}
	if (lb_vip_id_parse(id, &k))
		return -EINVAL;
	*out = vip_by_key(lb, &k);
	return 0;
}

const struct lb_backend *lb_backend_find(const struct lb_vip *v,
					 const struct lb_addr *a)
{
	ssize_t i = be_index(v, a);

	return i < 0 ? NULL : &v->be[i];
}

const struct lb_settings *lb_get_settings(const struct lb *lb)
{
	return &lb->set;
}

uint64_t lb_slots_written(const struct lb *lb)
{
	return lb->slots_written;
}

void lb_vip_counters(const struct lb *lb, const struct lb_vip *v,
		     struct sluice_lb_counter *out)
{
	if (lb->ops->vip_stats(lb->dp, v->id, out))
		memset(out, 0, sizeof(*out));
}

void lb_backend_counters(const struct lb *lb, const struct lb_backend *b,
			 struct sluice_lb_counter *out)
{
	if (lb->ops->backend_stats(lb->dp, b->id, out))
		memset(out, 0, sizeof(*out));
}

uint32_t lb_flow_capacity(const struct lb *lb)
{
	return lb->set.max_flows ? lb->set.max_flows : SLUICE_LB_MAX_FLOWS;
}

void lb_flow_events(const struct lb *lb, __u64 out[SLUICE_LB_FLOW_NEVENTS])
{
	if (!lb->ops->flow_events || lb->ops->flow_events(lb->dp, out))
		memset(out, 0, SLUICE_LB_FLOW_NEVENTS * sizeof(out[0]));
}

const char *lb_health_error(const struct lb *lb, const struct lb_backend *b)
{
	const char *e = lb->health ? health_last_error(lb->health, b->id) :
				     NULL;

	return e ? e : "";
}

/* ---- lib/dp ------------------------------------------------------------------ */

static int fullnat_set_bpf(struct dp *dp, bool any, bool *ct_on)
{
	struct sluice_ct_config c;
	int rc = dp_nat_config_bits(dp, any ? SLUICE_NAT_HAS_FULLNAT : 0,
				    any ? 0 : SLUICE_NAT_HAS_FULLNAT);

	if (rc)
		return rc;
	rc = dp_ct_config_get(dp, &c);
	*ct_on = !rc && c.enabled;
	return rc;
}

const struct lb_dp_ops lb_dp_bpf = {
	.config_set = dp_lb_config_set,
	.vip_set = dp_vip_set,
	.vip_del = dp_vip_del,
	.backend_set = dp_backend_set,
	.backend_del = dp_backend_del,
	.ring_install = dp_ring_install,
	.ring_update = dp_ring_update,
	.ring_read = dp_ring_read,
	.ring_del = dp_ring_del,
	.stats_clear = dp_lb_stats_clear,
	.vip_stats = dp_lb_vip_stats,
	.backend_stats = dp_lb_backend_stats,
	.flow_count = dp_lb_flow_count,
	.map_foreach = dp_map_foreach,
	.fullnat_set = fullnat_set_bpf,
	.second_set = dp_lb_second_set,
	.second_del = dp_lb_second_del,
	.flow_table = dp_lb_flow_table,
	.flow_events = dp_lb_flow_events,
};
