// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer at start (lb_load): what is pinned from a previous run
 * is adopted, so that vip ids, backend ids and therefore lb_flows stay
 * valid and only the ring slots that differ are written; what is pinned
 * and no longer configured is removed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "lb_internal.h"
#include "log.h"

/* ---- startup: load and adopt ------------------------------------------------- */

struct map_vip {
	struct sluice_vip_key key;
	struct sluice_vip v;
	bool matched;
};

struct adopt {
	struct map_vip vips[SLUICE_LB_MAX_VIPS];
	size_t n_vips;
	struct sluice_backend be[SLUICE_LB_MAX_BACKENDS];
	bool claimed[SLUICE_LB_MAX_BACKENDS];
	/* flows[vip id][backend id / 8]: lb_flows has a flow of that pair */
	uint8_t (*flows)[SLUICE_LB_MAX_BACKENDS / 8 + 1];
	/* per config VIP */
	ssize_t *match;	   /* index into vips, -1 = new */
	uint32_t **ids;	   /* backend ids, 0 = to allocate */
	uint32_t **tables; /* the pinned ring, NULL if none */
	uint32_t *table_m;
};

static int adopt_vip_cb(const void *key, const void *value, void *arg)
{
	struct adopt *ad = arg;

	if (ad->n_vips < SLUICE_LB_MAX_VIPS) {
		ad->vips[ad->n_vips].key = *(const struct sluice_vip_key *)key;
		ad->vips[ad->n_vips].v = *(const struct sluice_vip *)value;
		ad->n_vips++;
	}
	return 0;
}

static int adopt_be_cb(const void *key, const void *value, void *arg)
{
	const struct sluice_backend *b = value;
	struct adopt *ad = arg;
	uint32_t id = *(const uint32_t *)key;

	if (id && id < SLUICE_LB_MAX_BACKENDS && b->family)
		ad->be[id] = *b;
	return 0;
}

static int adopt_flow_cb(const void *key, const void *value, void *arg)
{
	const struct sluice_flow *f = value;
	struct adopt *ad = arg;

	(void)key;
	if (f->vip_id && f->vip_id < SLUICE_LB_MAX_VIPS && f->backend_id &&
	    f->backend_id < SLUICE_LB_MAX_BACKENDS)
		ad->flows[f->vip_id][f->backend_id / 8] |=
			(uint8_t)(1u << (f->backend_id % 8));
	return 0;
}

static bool be_matches(const struct sluice_backend *b,
		       const struct lb_backend_spec *s)
{
	return b->family == s->addr.family &&
	       !memcmp(b->addr, s->addr.a, addr_len(b->family));
}

static void adopt_free(struct adopt *ad, size_t n)
{
	if (!ad)
		return;
	for (size_t i = 0; i < n; i++) {
		if (ad->ids)
			free(ad->ids[i]);
		if (ad->tables)
			free(ad->tables[i]);
	}
	free(ad->ids);
	free(ad->tables);
	free(ad->table_m);
	free(ad->match);
	free(ad->flows);
	free(ad);
}

/* The pinned ring of a VIP, NULL if it has none. */
static uint32_t *read_ring(struct lb *lb, uint32_t vip_id, uint32_t *m)
{
	uint32_t *t = malloc(SLUICE_LB_MAX_RING * sizeof(*t));
	int err;

	if (!t)
		return NULL;
	err = lb->ops->ring_read(lb->dp, vip_id, t, SLUICE_LB_MAX_RING, m);
	if (err || !*m) {
		free(t);
		return NULL;
	}
	return t;
}

/*
 * Which pinned ids the config's VIPs and backends take over.  A backend id
 * is claimed by the VIP whose ring or flows name it (so flows stay on it),
 * then, for backends still without one, any unclaimed pinned entry with the
 * same address.  Never an id that the pinned ring of another adopted VIP
 * names: that VIP's slots point to it until its own table is rewritten,
 * and the new owner could flag it down or change it first (a backend
 * moved to another VIP across the restart).  Such an id stays unclaimed
 * and is deleted once every table is rewritten; the backend gets a new id.
 */
#define RING_SHARED UINT16_MAX

static int adopt_claim(struct lb *lb, struct adopt *ad,
		       const struct lb_vip_spec *vips, size_t n)
{
	bool *cand = calloc(SLUICE_LB_MAX_BACKENDS, sizeof(*cand));
	/* the adopted VIP whose pinned ring names an id, RING_SHARED if
	 * several do */
	uint16_t *ring_vid = calloc(SLUICE_LB_MAX_BACKENDS, sizeof(*ring_vid));

	if (!cand || !ring_vid) {
		free(cand);
		free(ring_vid);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		ad->match[i] = -1;
		for (size_t k = 0; k < ad->n_vips; k++) {
			if (!ad->vips[k].matched &&
			    key_eq(&ad->vips[k].key, &vips[i].conf.key) &&
			    ad->vips[k].v.vip_id &&
			    ad->vips[k].v.vip_id < SLUICE_LB_MAX_VIPS) {
				ad->vips[k].matched = true;
				ad->match[i] = (ssize_t)k;
				break;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint16_t vid;

		if (ad->match[i] < 0)
			continue;
		vid = (uint16_t)ad->vips[ad->match[i]].v.vip_id;
		lb->vip_reserved[vid] = true;
		ad->tables[i] = read_ring(lb, vid, &ad->table_m[i]);
		for (uint32_t s = 0; ad->tables[i] && s < ad->table_m[i]; s++) {
			uint32_t id = ad->tables[i][s];

			if (id >= SLUICE_LB_MAX_BACKENDS || ring_vid[id] == vid)
				continue;
			ring_vid[id] = ring_vid[id] ? RING_SHARED : vid;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t vid;

		if (ad->match[i] < 0)
			continue;
		vid = ad->vips[ad->match[i]].v.vip_id;
		memset(cand, 0, SLUICE_LB_MAX_BACKENDS * sizeof(*cand));
		for (uint32_t s = 0; ad->tables[i] && s < ad->table_m[i]; s++)
			if (ad->tables[i][s] < SLUICE_LB_MAX_BACKENDS)
				cand[ad->tables[i][s]] = true;
		for (uint32_t id = 1; id < SLUICE_LB_MAX_BACKENDS; id++) {
			if (!(cand[id] ||
			      ad->flows[vid][id / 8] & (1u << (id % 8))) ||
			    ad->claimed[id] || !ad->be[id].family ||
			    (ring_vid[id] && ring_vid[id] != vid))
				continue;
			for (size_t j = 0; j < vips[i].n_be; j++) {
				if (!ad->ids[i][j] &&
				    be_matches(&ad->be[id], &vips[i].be[j])) {
					ad->ids[i][j] = id;
					ad->claimed[id] = true;
					break;
				}
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t vid;

		if (ad->match[i] < 0)
			continue;
		vid = ad->vips[ad->match[i]].v.vip_id;
		for (size_t j = 0; j < vips[i].n_be; j++) {
			for (uint32_t id = 1;
			     !ad->ids[i][j] && id < SLUICE_LB_MAX_BACKENDS;
			     id++) {
				if (!ad->claimed[id] && ad->be[id].family &&
				    (!ring_vid[id] || ring_vid[id] == vid) &&
				    be_matches(&ad->be[id], &vips[i].be[j])) {
					ad->ids[i][j] = id;
					ad->claimed[id] = true;
				}
			}
		}
	}
	free(ring_vid);
	free(cand);
	/* Free ids: never used first, then the pinned ones nobody claimed
	 * (deleted at the end of lb_load, reused last). */
	lb->free_head = lb->free_n = 0;
	for (uint32_t id = 1; id < SLUICE_LB_MAX_BACKENDS; id++)
		if (!ad->claimed[id] && !ad->be[id].family)
			lb_be_id_release(lb, id);
	for (uint32_t id = 1; id < SLUICE_LB_MAX_BACKENDS; id++)
		if (!ad->claimed[id] && ad->be[id].family)
			lb_be_id_release(lb, id);
	return 0;
}

/* What the maps hold for an adopted VIP, as a model VIP: the old side of
 * lb_program_change(). */
static int adopt_old(struct adopt *ad, size_t i, const struct lb_vip *nw,
		     struct lb_vip *old, struct sluice_vip *old_vv)
{
	const struct map_vip *mv = &ad->vips[ad->match[i]];
	size_t k = 0;

	memset(old, 0, sizeof(*old));
	old->conf = nw->conf;
	old->id = mv->v.vip_id;
	*old_vv = mv->v;
	old->table = ad->tables[i];
	old->conf.ring_size = ad->tables[i] ? ad->table_m[i] : mv->v.ring_size;
	old->be = calloc(nw->n_be ? nw->n_be : 1, sizeof(*old->be));
	if (!old->be)
		return -ENOMEM;
	for (size_t j = 0; j < nw->n_be; j++) {
		uint32_t id = nw->be[j].id;
		const struct sluice_backend *pb = &ad->be[id];
		struct lb_backend *b = &old->be[k];

		/* claimed ids are this VIP's (each is claimed once); the
		 * others were allocated now and are not in its ring yet */
		if (!ad->claimed[id])
			continue;
		b->id = id;
		b->spec.addr.family = pb->family;
		memcpy(b->spec.addr.a, pb->addr, sizeof(pb->addr));
		/* so that lb_be_value() gives back exactly what is pinned */
		b->spec.state = pb->flags & SLUICE_BE_DOWN ? LB_BE_DOWN :
				pb->flags & SLUICE_BE_DRAINING ?
							     LB_BE_DRAINING :
							     LB_BE_ACTIVE;
		b->health = HEALTH_UNKNOWN;
		k++;
	}
	old->n_be = k;
	return 0;
}

static void remove_stale_vip(struct lb *lb, const struct map_vip *mv)
{
	char name[LB_VIP_ID_LEN];
	int err;

	lb_vip_id_str(&mv->key, name, sizeof(name));
	err = lb->ops->vip_del(lb->dp, &mv->key);
	if (!err && mv->v.vip_id && mv->v.vip_id < SLUICE_LB_MAX_VIPS) {
		err = lb->ops->ring_del(lb->dp, mv->v.vip_id);
		lb_stats_clear(lb, mv->v.vip_id, 0);
	}
	if (err)
		pr_warn("lb: cannot remove stale VIP %s: %s", name,
			strerror(-err));
	else
		pr_info("lb: VIP %s (vip_id %u) is not configured: removed",
			name, mv->v.vip_id);
}

static int load_one(struct lb *lb, struct adopt *ad,
		    const struct lb_vip_spec *s, size_t i, char *err,
		    size_t errlen)
{
	struct lb_vip *nw = NULL, old;
	struct sluice_vip old_vv;
	char name[LB_VIP_ID_LEN];
	struct txn t = { .lb = lb };
	uint32_t vid, written = 0;
	bool recompute = false;
	int rc;

	lb_vip_id_str(&s->conf.key, name, sizeof(name));
	for (size_t j = 0; j < s->n_be; j++) {
		if (!ad->ids[i][j])
			ad->ids[i][j] = lb_be_id_alloc(lb);
		if (!ad->ids[i][j]) {
			snprintf(err, errlen, "lb.vips: more than %u backends",
				 LB_MAX_BACKENDS);
			return -ENOSPC;
		}
	}
	vid = ad->match[i] >= 0 ? ad->vips[ad->match[i]].v.vip_id :
				  lb_vip_id_alloc(lb);
	if (!vid) {
		snprintf(err, errlen, "lb.vips: more than %u VIPs",
			 LB_MAX_VIPS);
		return -ENOSPC;
	}
	rc = lb_vip_build(s, vid, ad->ids[i], &nw);
	if (rc)
		return rc;
	if (ad->match[i] < 0) {
		rc = lb_apply(lb, NULL, nw, NULL, err, errlen);
		if (!rc)
			pr_info("lb: VIP %s added (vip_id %u, %zu backends)",
				name, vid, s->n_be);
		return rc;
	}
	/* A backend the old run saw failing stays out until its check says
	 * otherwise: no new flows to a dead server, no slots rewritten. */
	for (size_t j = 0; j < nw->n_be; j++) {
		uint32_t id = nw->be[j].id;

		if (ad->claimed[id] && (ad->be[id].flags & SLUICE_BE_DOWN) &&
		    nw->be[j].spec.state == LB_BE_ACTIVE && lb->health &&
		    nw->conf.health.kind != HEALTH_NONE) {
			nw->be[j].health = HEALTH_DOWN;
			recompute = true;
		}
	}
	if (recompute)
		rc = lb_table_compute(nw->be, nw->n_be, nw->conf.ring_size,
				      nw->table);
	if (!rc)
		rc = adopt_old(ad, i, nw, &old, &old_vv);
	if (rc) {
		lb_vip_free(nw);
		return rc;
	}
	rc = lb_program_change(lb, &t, &old, &old_vv, nw, &written);
	if (!rc)
		rc = lb_health_add(lb, NULL, nw);
	if (rc) {
		lb_txn_rollback(&t);
		lb_vip_free(nw);
		rc = lb_map_error(err, errlen, rc);
	} else {
		lb_commit(lb, NULL, nw, NULL);
		pr_info("lb: VIP %s adopted, %u slots rewritten", name,
			written);
	}
	lb_txn_free(&t);
	free(old.be);
	return rc;
}

int lb_load(struct lb *lb, const struct lb_vip_spec *vips, size_t n, char *err,
	    size_t errlen)
{
	struct sluice_lb_config c = {};
	struct adopt *ad = NULL;
	char prefix[LB_VIP_ID_LEN];
	int rc;

	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		if (lb->vips[id])
			return -EBUSY; /* only for a new lb */
	if (n > LB_MAX_VIPS) {
		snprintf(err, errlen, "lb.vips: %zu are more than %u", n,
			 LB_MAX_VIPS);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(prefix, sizeof(prefix), "lb.vips[%zu].", i);
		rc = lb_vip_spec_check(&vips[i], prefix, err, errlen);
		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++) {
			if (key_eq(&vips[i].conf.key, &vips[j].conf.key)) {
				snprintf(err, errlen,
					 "lb.vips[%zu]: vip %s is "
					 "listed twice",
					 i,
					 lb_vip_id_str(&vips[i].conf.key,
						       prefix, sizeof(prefix)));
				return -EINVAL;
			}
		}
	}
	memcpy(c.src4, lb->set.src4, 4);
	memcpy(c.src6, lb->set.src6, 16);
	c.have_src4 = lb->set.have_src4;
	c.have_src6 = lb->set.have_src6;
	c.flow_idle_timeout_s = lb->set.flow_idle_timeout_s;
	rc = lb->ops->config_set(lb->dp, &c);
	if (rc) {
		snprintf(err, errlen, "lb: cannot write lb_config: %s",
			 strerror(-rc));
		return rc;
	}

	rc = -ENOMEM;
	ad = calloc(1, sizeof(*ad));
	if (!ad)
		goto out;
	ad->flows = calloc(SLUICE_LB_MAX_VIPS, sizeof(*ad->flows));
	ad->match = calloc(n ? n : 1, sizeof(*ad->match));
	ad->ids = calloc(n ? n : 1, sizeof(*ad->ids));
	ad->tables = calloc(n ? n : 1, sizeof(*ad->tables));
	ad->table_m = calloc(n ? n : 1, sizeof(*ad->table_m));
	if (!ad->flows || !ad->match || !ad->ids || !ad->tables || !ad->table_m)
		goto out;
	for (size_t i = 0; i < n; i++) {
		ad->ids[i] = calloc(vips[i].n_be ? vips[i].n_be : 1,
				    sizeof(*ad->ids[i]));
		if (!ad->ids[i])
			goto out;
	}
	rc = lb->ops->map_foreach(lb->dp, DP_MAP_LB_VIPS, adopt_vip_cb, ad);
	if (!rc)
		rc = lb->ops->map_foreach(lb->dp, DP_MAP_LB_BACKENDS,
					  adopt_be_cb, ad);
	if (!rc && (ad->n_vips))
		rc = lb->ops->map_foreach(lb->dp, DP_MAP_LB_FLOWS,
					  adopt_flow_cb, ad);
	if (rc) {
		snprintf(err, errlen, "lb: cannot read the pinned maps: %s",
			 strerror(-rc));
		goto out;
	}
	rc = adopt_claim(lb, ad, vips, n);
	if (rc)
		goto out;

	/* Unconfigured VIPs go first, the safe way (key, then ring). */
	for (size_t k = 0; k < ad->n_vips; k++)
		if (!ad->vips[k].matched)
			remove_stale_vip(lb, &ad->vips[k]);
	for (size_t i = 0; i < n; i++) {
		rc = load_one(lb, ad, &vips[i], i, err, errlen);
		if (rc)
			goto out;
	}
	/* Pinned backends nobody claimed: no ring names them any more. */
	for (uint32_t id = 1; id < SLUICE_LB_MAX_BACKENDS; id++) {
		if (ad->claimed[id] || !ad->be[id].family || lb->be_owner[id])
			continue;
		rc = lb->ops->backend_del(lb->dp, id);
		if (rc)
			pr_warn("lb: cannot remove stale backend %u: %s", id,
				strerror(-rc));
		lb_stats_clear(lb, 0, id);
	}
	/* Rings without a VIP (a run that stopped half-way) */
	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS; id++)
		if (!lb->vips[id])
			lb->ops->ring_del(lb->dp, id);
	rc = 0;
	pr_info("lb: %zu VIPs loaded, %llu slots written", n,
		(unsigned long long)lb->slots_written);
out:
	memset(lb->vip_reserved, 0, sizeof(lb->vip_reserved));
	adopt_free(ad, n);
	return rc;
}
