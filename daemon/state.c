// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "log.h"
#include "state.h"

const char *iface_state_name(enum iface_state s)
{
	switch (s) {
	case IF_ABSENT: return "absent";
	case IF_ATTACHED: return "attached";
	case IF_ERROR: return "error";
	}
	return "unknown";
}

const char *iface_mode_name(const struct st_iface *ifc)
{
	if (!ifc->configured)
		return "vlan";
	if (ifc->state != IF_ATTACHED)
		return "none";
	return ifc->tc ? "tc" : dp_xdp_mode_name(ifc->mode);
}

int state_init(struct state *st, struct dp *dp, const struct state_dp_ops *ops,
	       const struct sluiced_config *cfg)
{
	memset(st, 0, sizeof(*st));
	st->dp = dp;
	st->ops = ops;
	st->cfg = cfg;
	st->next_nhg_id = 1;
	/* Configured interfaces own slots 1..n in config order, the XDP ones
	 * and then the TC ones, so counters keep their meaning across
	 * restarts with the same config. */
	for (int i = 0; i < cfg->n_ifaces + cfg->n_tc_ifaces; i++) {
		struct st_iface *ifc = &st->ifaces[st->n_ifaces++];
		bool tc = i >= cfg->n_ifaces;

		snprintf(ifc->name, sizeof(ifc->name), "%s",
			 tc ? cfg->tc_ifaces[i - cfg->n_ifaces] :
			      cfg->ifaces[i]);
		ifc->slot = (uint32_t)i + 1;
		ifc->configured = true;
		ifc->tc = tc;
		ifc->state = IF_ABSENT;
	}
	return 0;
}

struct st_iface *state_iface_by_ifindex(struct state *st, uint32_t ifindex)
{
	for (int i = 0; i < st->n_ifaces; i++)
		if (st->ifaces[i].ifindex == ifindex && ifindex)
			return &st->ifaces[i];
	return NULL;
}

const char *state_ifname(const struct state *st, uint32_t ifindex)
{
	struct st_link *lk;

	HASH_FIND(hh, st->links, &ifindex, sizeof(ifindex), lk);
	return lk ? lk->l.name : "";
}

/* ---- next-hop groups: interned by content, refcounted -------------------- */

static struct st_nhg *nhg_by_id(struct state *st, uint32_t id)
{
	struct st_nhg *n;

	HASH_FIND(hh_id, st->nhgs_by_id, &id, sizeof(id), n);
	return n;
}

static uint32_t nhg_new_id(struct state *st)
{
	for (uint32_t tries = 0; tries < SLUICE_MAX_NHGS * 2u; tries++) {
		uint32_t id = st->next_nhg_id++;

		if (st->next_nhg_id > SLUICE_MAX_NHGS * 2u)
			st->next_nhg_id = 1;
		if (id && !nhg_by_id(st, id))
			return id;
	}
	return 0;
}

static struct st_nhg *nhg_insert(struct state *st, const struct sluice_nhg *g,
				 uint32_t id)
{
	struct st_nhg *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->g = *g;
	n->id = id;
	HASH_ADD(hh, st->nhgs, g, sizeof(n->g), n);
	HASH_ADD(hh_id, st->nhgs_by_id, id, sizeof(n->id), n);
	return n;
}

/*
 * The backend role loads only the decapsulation object: it has no route,
 * nexthop group or neighbour maps (lib/dp answers -EOPNOTSUPP).  The
 * mirror is kept in both roles all the same (local_addr_wanted() reads the
 * prefixes; status and metrics count routes and neighbours): only these
 * map writes are skipped.  The deletes are left as they are: they would
 * find nothing to delete, and their results are not looked at.
 */
static bool router_maps(const struct state *st)
{
	return st->ops->role(st->dp) == DP_ROLE_ROUTER;
}

/* Returns the group id holding @g, writing the group first if it is new. */
static int nhg_acquire(struct state *st, const struct sluice_nhg *g,
		       uint32_t *id)
{
	struct st_nhg *n;
	int err;

	HASH_FIND(hh, st->nhgs, g, sizeof(*g), n);
	if (!n) {
		uint32_t nid = nhg_new_id(st);

		if (!nid)
			return -ENOSPC;
		err = router_maps(st) ? st->ops->nhg_set(st->dp, nid, g) : 0;
		if (err)
			return err;
		n = nhg_insert(st, g, nid);
		if (!n) {
			st->ops->nhg_del(st->dp, nid);
			return -ENOMEM;
		}
	}
	if (n->refs++ == 0)
		neigh_probe_nhg_used(st->probe, &n->g);
	*id = n->id;
	return 0;
}

static void nhg_release(struct state *st, uint32_t id)
{
	struct st_nhg *n = nhg_by_id(st, id);

	if (!n || --n->refs > 0)
		return;
	neigh_probe_nhg_unused(st->probe, &n->g);
	st->ops->nhg_del(st->dp, id);
	HASH_DELETE(hh, st->nhgs, n);
	HASH_DELETE(hh_id, st->nhgs_by_id, n);
	free(n);
}

static int seed_nhg_cb(const void *key, const void *value, void *arg)
{
	struct state *st = arg;
	const uint32_t *id = key;
	struct st_nhg *n;

	HASH_FIND(hh, st->nhgs, value, sizeof(struct sluice_nhg), n);
	if (n || nhg_by_id(st, *id))
		return 0; /* a duplicate: reconcile removes it */
	if (!nhg_insert(st, value, *id))
		return -ENOMEM;
	if (*id >= st->next_nhg_id)
		st->next_nhg_id = *id + 1;
	return 0;
}

int state_seed_from_maps(struct state *st)
{
	if (!router_maps(st))
		return 0;
	return st->ops->map_foreach(st->dp, DP_MAP_NHGS, seed_nhg_cb, st);
}

/* ---- routes ------------------------------------------------------------- */

static bool table_mirrored(uint32_t table)
{
	return table == RT_TABLE_MAIN || table == RT_TABLE_LOCAL;
}

static void mask_prefix(uint8_t *addr, unsigned int len, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++) {
		unsigned int bits = i * 8;

		if (bits >= len)
			addr[i] = 0;
		else if (len - bits < 8)
			addr[i] &= (uint8_t)(0xff << (8 - (len - bits)));
	}
}

/* The kernel's order: the local table first, then the lowest metric. */
static const struct st_variant *best_variant(const struct st_prefix *p)
{
	const struct st_variant *best = NULL;

	for (const struct st_variant *v = p->variants; v; v = v->next) {
		if (!best) {
			best = v;
			continue;
		}
		if ((v->table == RT_TABLE_LOCAL) !=
		    (best->table == RT_TABLE_LOCAL)) {
			if (v->table == RT_TABLE_LOCAL)
				best = v;
			continue;
		}
		if (v->priority < best->priority)
			best = v;
	}
	return best;
}

/* Spell out a nexthop object (a group of them, or one) as the route's
 * nexthops; dead, blackhole and unknown members are left out. */
static void resolve_nhobj(const struct state *st, uint32_t id,
			  struct nl_route *r)
{
	const struct st_nhobj *o, *m;

	HASH_FIND(hh, st->nhobjs, &id, sizeof(id), o);
	if (!o)
		return;
	if (o->nh.blackhole) {
		r->unsupported = true;
		r->unsupported_why = "blackhole nexthop";
		return;
	}
	for (int i = 0; i < (o->nh.n_grp ? o->nh.n_grp : 1); i++) {
		struct nl_nh *nh;

		if (o->nh.n_grp) {
			uint32_t mid = o->nh.grp[i].id;

			HASH_FIND(hh, st->nhobjs, &mid, sizeof(mid), m);
		} else {
			m = o;
		}
		if (!m || m->nh.dead || m->nh.blackhole || m->nh.n_grp ||
		    !m->nh.oif || r->n_nh >= NL_MAX_NH)
			continue;
		nh = &r->nh[r->n_nh++];
		memset(nh, 0, sizeof(*nh));
		nh->ifindex = m->nh.oif;
		nh->weight = o->nh.n_grp ? o->nh.grp[i].weight : 1;
		if (m->nh.has_gw) {
			nh->gw_family = m->nh.family;
			memcpy(nh->gw, m->nh.gw, sizeof(nh->gw));
		}
	}
}

static void variant_to_route(const struct state *st, const struct st_prefix *p,
			     const struct st_variant *v, struct nl_route *r)
{
	memset(r, 0, sizeof(*r));
	r->family = p->key.family;
	r->dst_len = p->key.len;
	memcpy(r->dst, p->key.addr, 16);
	r->table = v->table;
	r->priority = v->priority;
	r->type = v->type;
	r->protocol = v->protocol;
	r->unsupported = v->unsupported;
	r->unsupported_why = v->unsupported_why;
	r->nh_id = v->nh_id;
	r->n_nh = v->n_nh < NL_MAX_NH ? v->n_nh : NL_MAX_NH;
	if (r->n_nh)
		memcpy(r->nh, v->nh, sizeof(struct nl_nh) * (size_t)r->n_nh);
	else if (r->nh_id)
		resolve_nhobj(st, r->nh_id, r);
}

void state_route_of(const struct state *st, const struct st_prefix *p,
		    struct nl_route *r)
{
	memset(r, 0, sizeof(*r));
	if (p->best)
		variant_to_route(st, p, p->best, r);
}

static void prefix_unprogram(struct state *st, struct st_prefix *p)
{
	int err;

	if (!p->is_programmed)
		return;
	err = router_maps(st) ? st->ops->route_del(st->dp, p->key.family,
						   p->key.addr, p->key.len) :
				0;
	if (err && err != -ENOENT)
		st->route_errors++;
	else if (st->n_refused)
		st->retry_refused = true; /* room for a refused one */
	if (p->programmed.type == SLUICE_RT_FORWARD)
		nhg_release(st, p->programmed.nhg_id);
	p->is_programmed = false;
	p->best = NULL;
	st->routes_programmed[p->key.family == AF_INET6]--;
}

/* n_refused may count a prefix freed without a sync (a forgotten table):
 * state_retry_refused() recounts. */
static void prefix_refused(struct state *st, struct st_prefix *p, bool on)
{
	if (p->refused == on)
		return;
	p->refused = on;
	if (on)
		st->n_refused++;
	else if (st->n_refused)
		st->n_refused--;
}

static void prefix_sync(struct state *st, struct st_prefix *p)
{
	const struct st_variant *best = best_variant(p);
	struct sluice_route rt = {};
	struct sluice_nhg g;
	struct nl_route r;
	const char *why;
	int err;

	if (!best) {
		prefix_unprogram(st, p);
		prefix_refused(st, p, false);
		return;
	}
	variant_to_route(st, p, best, &r);
	rt.type = (uint8_t)nl_route_translate(&r, &g, &why);
	if (why && best->unsupported) {
		st->unsupported_routes++;
		pr_debug("route: left to the kernel (%s)", why);
	}
	if (rt.type == SLUICE_RT_FORWARD) {
		err = nhg_acquire(st, &g, &rt.nhg_id);
		if (err) {
			/* cannot express it: let the kernel carry it */
			st->route_errors++;
			rt.type = SLUICE_RT_KERNEL;
			rt.nhg_id = 0;
		}
	}
	if (p->is_programmed && !memcmp(&rt, &p->programmed, sizeof(rt))) {
		prefix_refused(st, p, false); /* the map has it already */
		p->best = best;
		if (rt.type == SLUICE_RT_FORWARD)
			nhg_release(st, rt.nhg_id); /* drop the extra ref */
		return;
	}
	err = router_maps(st) ?
		      st->ops->route_set(st->dp, p->key.family, p->key.addr,
					 p->key.len, &rt) :
		      0;
	if (err) {
		/* p->best stays what the map holds (NULL when that route is
		 * gone): /v1/routes must not show next hops never written */
		if (st->route_errors++ < 10)
			pr_err("route: cannot program a route: %s",
			       strerror(-err));
		if (rt.type == SLUICE_RT_FORWARD)
			nhg_release(st, rt.nhg_id);
		prefix_refused(st, p, true);
		return;
	}
	prefix_refused(st, p, false);
	p->best = best;
	if (p->is_programmed) {
		if (p->programmed.type == SLUICE_RT_FORWARD)
			nhg_release(st, p->programmed.nhg_id);
	} else {
		st->routes_programmed[p->key.family == AF_INET6]++;
	}
	p->programmed = rt;
	p->is_programmed = true;
}

static void variant_free(struct st_variant *v)
{
	free(v->nh);
	free(v);
}

static int variant_set_nh(struct st_variant *v, const struct nl_route *r)
{
	struct nl_nh *nh = NULL;

	if (r->n_nh) {
		nh = malloc(sizeof(*nh) * (size_t)r->n_nh);
		if (!nh)
			return -ENOMEM;
		memcpy(nh, r->nh, sizeof(*nh) * (size_t)r->n_nh);
	}
	free(v->nh);
	v->nh = nh;
	v->n_nh = r->n_nh;
	return 0;
}

static bool nh_equal(const struct nl_nh *a, const struct nl_nh *b)
{
	return a->ifindex == b->ifindex && a->gw_family == b->gw_family &&
	       !memcmp(a->gw, b->gw, sizeof(a->gw));
}

/* IPv6 multipath arrives in pieces with `ip -6 route append`/per-nexthop
 * deletes; IPv4 always sends the whole route. */
static int variant_append_nh(struct st_variant *v, const struct nl_route *r)
{
	for (int i = 0; i < r->n_nh; i++) {
		struct nl_nh *nh;
		bool dup = false;

		for (int j = 0; j < v->n_nh; j++)
			dup = dup || nh_equal(&v->nh[j], &r->nh[i]);
		if (dup || v->n_nh >= NL_MAX_NH)
			continue;
		nh = realloc(v->nh, sizeof(*nh) * (size_t)(v->n_nh + 1));
		if (!nh)
			return -ENOMEM;
		v->nh = nh;
		v->nh[v->n_nh++] = r->nh[i];
	}
	return 0;
}

static void variant_remove_nh(struct st_variant *v, const struct nl_nh *gone)
{
	for (int j = 0; j < v->n_nh; j++) {
		if (nh_equal(&v->nh[j], gone)) {
			memmove(&v->nh[j], &v->nh[j + 1],
				sizeof(*v->nh) * (size_t)(v->n_nh - j - 1));
			v->n_nh--;
			return;
		}
	}
}

static bool is_local_addr_route(const struct nl_route *r)
{
	return r->table == RT_TABLE_LOCAL && r->type == RTN_LOCAL &&
	       r->dst_len == (r->family == AF_INET ? 32 : 128);
}

static int iface_program(struct state *st, struct st_iface *ifc);

/* Adds or removes @a in a list kept in arrival order; true if it moved. */
static bool addr_list_update(uint8_t *list, int *n, size_t alen,
			     const uint8_t *a, bool del)
{
	for (int i = 0; i < *n; i++) {
		if (memcmp(list + (size_t)i * alen, a, alen))
			continue;
		if (!del)
			return false;
		memmove(list + (size_t)i * alen, list + (size_t)(i + 1) * alen,
			(size_t)(*n - i - 1) * alen);
		(*n)--;
		return true;
	}
	if (del || *n >= ST_IFACE_ADDRS)
		return false;
	memcpy(list + (size_t)(*n)++ * alen, a, alen);
	return true;
}

/* An address of one of our interfaces came or went (a local route names
 * the interface that has it): the LB's default outer source follows. */
static void iface_addr_event(struct state *st, const struct nl_route *r,
			     bool del)
{
	struct st_iface *ifc;
	bool changed;

	if (!is_local_addr_route(r) || r->n_nh < 1)
		return;
	ifc = state_iface_by_ifindex(st, r->nh[0].ifindex);
	if (!ifc)
		return;
	if (r->family == AF_INET)
		changed = addr_list_update(&ifc->addr4[0][0], &ifc->n_addr4, 4,
					   r->dst, del);
	else
		changed = addr_list_update(&ifc->addr6[0][0], &ifc->n_addr6, 16,
					   r->dst, del);
	if (changed && ifc->state == IF_ATTACHED && iface_program(st, ifc))
		pr_err("iface %s: cannot update its addresses", ifc->name);
}

/* Backend role: the host's own addresses (the kernel's local routes) are
 * the tunnel endpoints the decapsulation program accepts. */
static void local_addr_event(struct state *st, const struct nl_route *r,
			     bool del)
{
	int err;

	if (!is_local_addr_route(r))
		return;
	err = del ? st->ops->local_addr_del(st->dp, r->family, r->dst) :
		    st->ops->local_addr_set(st->dp, r->family, r->dst);
	if (err && err != -ENOENT)
		pr_err("decap: cannot %s a local address: %s",
		       del ? "remove" : "add", strerror(-err));
}

void state_route_event(struct state *st, const struct nl_route *r, bool del,
		       uint16_t nlmsg_flags)
{
	struct st_variant **vp, *v;
	struct prefix_key key = {};
	struct st_prefix *p;

	if (!table_mirrored(r->table))
		return;
	if (st->ops->role(st->dp) == DP_ROLE_BACKEND)
		local_addr_event(st, r, del);
	iface_addr_event(st, r, del);
	key.family = r->family;
	key.len = r->dst_len;
	memcpy(key.addr, r->dst, 16);
	mask_prefix(key.addr, key.len, r->family == AF_INET ? 4 : 16);

	HASH_FIND(hh, st->prefixes, &key, sizeof(key), p);
	if (!p) {
		if (del)
			return;
		p = calloc(1, sizeof(*p));
		if (!p)
			goto nomem;
		p->key = key;
		HASH_ADD(hh, st->prefixes, key, sizeof(p->key), p);
	}
	for (vp = &p->variants; *vp; vp = &(*vp)->next)
		if ((*vp)->table == r->table &&
		    (*vp)->priority == r->priority && (*vp)->tos == r->tos)
			break;
	v = *vp;

	if (del) {
		if (!v)
			return;
		if (r->family == AF_INET6 && r->n_nh == 1 && v->n_nh > 1) {
			variant_remove_nh(v, &r->nh[0]);
		} else {
			*vp = v->next;
			if (p->best == v)
				p->best = NULL;
			variant_free(v);
		}
	} else {
		/* IPv6 keeps routes that differ only by nexthop side by
		 * side (siblings, or `ip -6 route append`), and dumps them as
		 * separate messages: a new one adds its nexthops unless it
		 * replaces.  IPv4 always sends the whole route. */
		bool append = v && r->family == AF_INET6 &&
			      !(nlmsg_flags & NLM_F_REPLACE);

		if (!v) {
			v = calloc(1, sizeof(*v));
			if (!v)
				goto nomem;
			v->table = r->table;
			v->priority = r->priority;
			v->tos = r->tos;
			*vp = v;
		}
		v->protocol = r->protocol;
		v->type = r->type;
		v->nh_id = r->nh_id;
		v->unsupported = r->unsupported;
		v->unsupported_why = r->unsupported_why;
		if ((append ? variant_append_nh(v, r) : variant_set_nh(v, r)))
			goto nomem;
	}
	prefix_sync(st, p);
	if (!p->variants) {
		HASH_DEL(st->prefixes, p);
		free(p);
	}
	return;
nomem:
	st->route_errors++;
	pr_err("route: out of memory");
}

void state_retry_refused(struct state *st)
{
	uint64_t errors = st->route_errors;
	struct st_prefix *p, *tmp;
	uint32_t n = 0;

	if (!st->retry_refused)
		return;
	st->retry_refused = false;
	HASH_ITER(hh, st->prefixes, p, tmp) {
		if (!p->refused)
			continue;
		prefix_sync(st, p);
		n += p->refused;
	}
	st->n_refused = n;
	/* a route refused again is not a new error */
	st->route_errors = errors;
}

/* ---- nexthop objects ------------------------------------------------------ */

/* Routes that name an object by id only get no notification when the
 * object changes: re-resolve every such route (in memory; only what
 * changed is written). */
static void resync_nhobj_routes(struct state *st)
{
	struct st_prefix *p, *tmp;

	HASH_ITER(hh, st->prefixes, p, tmp) {
		for (const struct st_variant *v = p->variants; v; v = v->next) {
			if (v->nh_id && !v->n_nh) {
				prefix_sync(st, p);
				break;
			}
		}
	}
}

/* Deleting an object deletes the routes that use it, and the kernel says
 * nothing about those routes. */
static void drop_nhobj_routes(struct state *st, uint32_t id)
{
	struct st_prefix *p, *tmp;

	HASH_ITER(hh, st->prefixes, p, tmp) {
		struct st_variant **vp = &p->variants;
		bool changed = false;

		while (*vp) {
			struct st_variant *v = *vp;

			if (v->nh_id != id) {
				vp = &v->next;
				continue;
			}
			*vp = v->next;
			if (p->best == v)
				p->best = NULL;
			variant_free(v);
			changed = true;
		}
		if (!changed)
			continue;
		prefix_sync(st, p);
		if (!p->variants) {
			HASH_DEL(st->prefixes, p);
			free(p);
		}
	}
}

void state_nexthop_event(struct state *st, const struct nl_nexthop *nh,
			 bool del)
{
	struct st_nhobj *o;

	HASH_FIND(hh, st->nhobjs, &nh->id, sizeof(nh->id), o);
	if (del) {
		if (!o)
			return;
		HASH_DEL(st->nhobjs, o);
		free(o);
		drop_nhobj_routes(st, nh->id);
	} else {
		if (!o) {
			o = calloc(1, sizeof(*o));
			if (!o)
				return;
			o->id = nh->id;
			HASH_ADD(hh, st->nhobjs, id, sizeof(o->id), o);
		}
		o->nh = *nh;
	}
	/* in a re-dump, objects come before the routes that name them */
	if (!st->redumping)
		resync_nhobj_routes(st);
}

/* ---- neighbours ---------------------------------------------------------- */

static void neigh_key(const struct nl_neigh *n, struct sluice_neigh_key *k)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = n->ifindex;
	k->family = n->family;
	memcpy(k->addr, n->addr, n->family == AF_INET ? 4 : 16);
}

/* Up to @room neighbours the full map refused get the room deleted ones
 * left.  Nothing else would retry them: a permanent neighbour sends no
 * other event, and a reachable one only when its state next changes. */
static void neigh_retry_refused(struct state *st, unsigned int room)
{
	struct st_neigh *e, *tmp;

	if (!st->neigh_errors || !router_maps(st))
		return; /* the map never refused one */
	HASH_ITER(hh, st->neighs, e, tmp) {
		struct sluice_neigh v = {};

		if (!room)
			return;
		if (e->programmed)
			continue;
		memcpy(v.mac, e->mac, 6);
		if (st->ops->neigh_set(st->dp, &e->key, &v))
			return; /* still full */
		e->programmed = true;
		room--;
	}
}

void state_neigh_event(struct state *st, const struct nl_neigh *n, bool del)
{
	struct sluice_neigh_key k;
	struct sluice_neigh v = {};
	struct st_neigh *e;
	int err;

	neigh_probe_neigh_event(st->probe, n, del);
	neigh_key(n, &k);
	HASH_FIND(hh, st->neighs, &k, sizeof(k), e);
	if (del || !nl_neigh_usable(n)) {
		bool freed;

		if (!e)
			return;
		freed = e->programmed && !st->ops->neigh_del(st->dp, &k);
		HASH_DEL(st->neighs, e);
		free(e);
		if (freed)
			neigh_retry_refused(st, 1);
		return;
	}
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return;
		e->key = k;
		HASH_ADD(hh, st->neighs, key, sizeof(e->key), e);
	} else if (e->programmed && !memcmp(e->mac, n->mac, 6)) {
		e->state = n->state;
		return;
	}
	memcpy(e->mac, n->mac, 6);
	e->state = n->state;
	memcpy(v.mac, n->mac, 6);
	err = router_maps(st) ? st->ops->neigh_set(st->dp, &k, &v) : 0;
	e->programmed = !err;
	/* a full map refuses every new neighbour: count them, log a few */
	if (err && st->neigh_errors++ < 10)
		pr_err("neigh: cannot program: %s%s", strerror(-err),
		       err == -E2BIG ? " (the neighbors map is full)" : "");
}

/* ---- links and managed interfaces ---------------------------------------- */

static struct st_iface *iface_by_name(struct state *st, const char *name)
{
	for (int i = 0; i < st->n_ifaces; i++)
		if (!strcmp(st->ifaces[i].name, name))
			return &st->ifaces[i];
	return NULL;
}

static uint32_t free_slot(struct state *st)
{
	for (uint32_t s = 1; s < SLUICE_MAX_IFACES; s++) {
		bool used = false;

		for (int i = 0; i < st->n_ifaces && !used; i++)
			used = st->ifaces[i].slot == s;
		if (!used)
			return s;
	}
	return 0;
}

static int iface_program(struct state *st, struct st_iface *ifc)
{
	struct sluice_iface v = {};

	memcpy(v.mac, ifc->mac, 6);
	v.mtu = (uint16_t)(ifc->mtu > 0xffff ? 0xffff : ifc->mtu);
	v.slot = ifc->slot;
	if (!ifc->configured) {
		v.flags = SLUICE_IF_VLAN;
		v.vlan_id = ifc->vlan_id;
		v.parent_ifindex = ifc->parent;
	} else if (ifc->is_veth) {
		v.flags = SLUICE_IF_VETH;
	}
	if (ifc->configured && st->hold_ports)
		v.flags |= SLUICE_IF_HOLD;
	if (ifc->n_addr4)
		memcpy(v.addr4, ifc->addr4[0], 4);
	for (int i = 0; i < ifc->n_addr6; i++) {
		/* link-local (fe80::/10) is no tunnel source */
		if (ifc->addr6[i][0] == 0xfe &&
		    (ifc->addr6[i][1] & 0xc0) == 0x80)
			continue;
		memcpy(v.addr6, ifc->addr6[i], 16);
		break;
	}
	return st->ops->iface_set(st->dp, ifc->ifindex, &v);
}

static void iface_lost(struct state *st, struct st_iface *ifc)
{
	if (!ifc->ifindex)
		return;
	st->ops->iface_del(st->dp, ifc->ifindex);
	if (ifc->configured) {
		st->ops->port_del(st->dp, ifc->ifindex);
		if (ifc->tc)
			st->ops->detach_tc(st->dp, ifc->name, false);
		else
			st->ops->detach(st->dp, ifc->name, false);
	} else {
		st->ops->vlan_del(st->dp, ifc->parent, ifc->vlan_id);
	}
	ifc->ifindex = 0;
	ifc->state = IF_ABSENT;
}

static void configured_link(struct state *st, struct st_iface *ifc,
			    const struct nl_link *l)
{
	bool fresh = ifc->ifindex != l->ifindex || ifc->state != IF_ATTACHED;
	bool returned = ifc->lost;
	enum dp_xdp_mode mode = DP_XDP_AUTO;
	bool adopted = false;
	int err;

	memcpy(ifc->mac, l->mac, 6);
	ifc->mtu = l->mtu;
	ifc->is_veth = l->is_veth;
	if (!fresh) {
		if (iface_program(st, ifc))
			pr_err("iface %s: cannot update", ifc->name);
		return;
	}
	if (ifc->ifindex && ifc->ifindex != l->ifindex)
		iface_lost(st, ifc);
	ifc->ifindex = l->ifindex;
	/* a TC port is in tx_ports like any other: XDP ports redirect to it */
	if (ifc->tc)
		err = st->ops->attach_tc(st->dp, (int)l->ifindex, ifc->name,
					 &adopted);
	else
		err = st->ops->attach(st->dp, (int)l->ifindex, ifc->name,
				      st->cfg->xdp_mode, &mode, &adopted);
	if (!err)
		err = st->ops->port_set(st->dp, l->ifindex);
	if (!err)
		err = iface_program(st, ifc);
	if (err) {
		ifc->state = IF_ERROR;
		snprintf(ifc->error, sizeof(ifc->error), "attach: %s",
			 strerror(-err));
		pr_err("iface %s: %s", ifc->name, ifc->error);
		return;
	}
	ifc->state = IF_ATTACHED;
	ifc->lost = false;
	ifc->mode = mode;
	ifc->adopted = adopted;
	ifc->error[0] = '\0';
	if (ifc->tc) {
		pr_info("iface %s: %s (ifindex %u, TC at clsact ingress)",
			ifc->name,
			adopted	 ? "adopted the TC filter left attached" :
			returned ? "came back, re-attached" :
				   "attached",
			l->ifindex);
		return;
	}
	pr_info("iface %s: %s (ifindex %u, %s mode)%s", ifc->name,
		adopted	 ? "adopted the pinned XDP link" :
		returned ? "came back, re-attached" :
			   "attached",
		l->ifindex, dp_xdp_mode_name(mode),
		mode == DP_XDP_GENERIC && st->cfg->xdp_mode != DP_XDP_GENERIC ?
			" -- generic mode is slow" :
			"");
}

static void vlan_link(struct state *st, const struct nl_link *l)
{
	struct st_iface *parent = state_iface_by_ifindex(st, l->parent);
	struct st_iface *ifc = iface_by_name(st, l->name);
	int err;

	if (!parent || !parent->configured || !l->vlan_8021q)
		return;
	if (!ifc) {
		if (st->n_ifaces >= SLUICE_MAX_IFACES - 1)
			return;
		ifc = &st->ifaces[st->n_ifaces++];
		memset(ifc, 0, sizeof(*ifc));
		snprintf(ifc->name, sizeof(ifc->name), "%s", l->name);
		ifc->slot = free_slot(st);
	}
	ifc->ifindex = l->ifindex;
	ifc->parent = l->parent;
	ifc->vlan_id = l->vlan_id;
	memcpy(ifc->mac, l->mac, 6);
	ifc->mtu = l->mtu;
	err = iface_program(st, ifc);
	if (!err)
		err = st->ops->vlan_set(st->dp, l->parent, l->vlan_id,
					l->ifindex);
	ifc->state = err ? IF_ERROR : IF_ATTACHED;
	if (err)
		snprintf(ifc->error, sizeof(ifc->error), "vlan: %s",
			 strerror(-err));
}

static void forget_neighs_on(struct state *st, uint32_t ifindex)
{
	struct st_neigh *e, *tmp;
	unsigned int freed = 0;

	HASH_ITER(hh, st->neighs, e, tmp) {
		if (e->key.ifindex != ifindex)
			continue;
		if (e->programmed && !st->ops->neigh_del(st->dp, &e->key))
			freed++;
		HASH_DEL(st->neighs, e);
		free(e);
	}
	neigh_retry_refused(st, freed);
}

void state_link_event(struct state *st, const struct nl_link *l, bool del)
{
	struct st_link *lk;
	struct st_iface *ifc;

	HASH_FIND(hh, st->links, &l->ifindex, sizeof(l->ifindex), lk);
	if (del || (lk && (lk->l.flags ^ l->flags) & (IFF_UP | IFF_LOWER_UP)))
		st->routes_dirty = true;
	if (del) {
		ifc = state_iface_by_ifindex(st, l->ifindex);
		if (ifc) {
			pr_warn("iface %s: disappeared (ifindex %u); detached, "
				"waiting for it to return",
				ifc->name, l->ifindex);
			iface_lost(st, ifc);
			ifc->lost = true;
		}
		forget_neighs_on(st, l->ifindex);
		if (lk) {
			HASH_DEL(st->links, lk);
			free(lk);
		}
		return;
	}
	if (!lk) {
		lk = calloc(1, sizeof(*lk));
		if (!lk)
			return;
		lk->ifindex = l->ifindex;
		HASH_ADD(hh, st->links, ifindex, sizeof(lk->ifindex), lk);
	}
	lk->l = *l;

	ifc = iface_by_name(st, l->name);
	if (ifc && ifc->configured)
		configured_link(st, ifc, l);
	else if (l->is_vlan)
		vlan_link(st, l);
}

/* ---- whole-state operations ---------------------------------------------- */

void state_forget_routes(struct state *st)
{
	struct st_prefix *p, *ptmp;

	/* Keep what is programmed (maps and nhg refs) but drop the variants:
	 * the re-dump rebuilds them and reconcile removes the rest, so a
	 * route that did not change is never rewritten. */
	st->redumping = true;
	/* the re-dump reports the addresses again, in the kernel's order */
	for (int i = 0; i < st->n_ifaces; i++)
		st->ifaces[i].n_addr4 = st->ifaces[i].n_addr6 = 0;
	HASH_ITER(hh, st->prefixes, p, ptmp) {
		while (p->variants) {
			struct st_variant *v = p->variants;

			p->variants = v->next;
			variant_free(v);
		}
		p->best = NULL;
	}
}

void state_forget_kernel(struct state *st)
{
	struct st_nhobj *o, *otmp;
	struct st_neigh *n, *ntmp;
	struct st_link *lk, *ltmp;

	state_forget_routes(st);
	neigh_probe_forget_kernel(st->probe);
	HASH_ITER(hh, st->nhobjs, o, otmp) {
		HASH_DEL(st->nhobjs, o);
		free(o);
	}
	HASH_ITER(hh, st->neighs, n, ntmp) {
		HASH_DEL(st->neighs, n);
		free(n);
	}
	HASH_ITER(hh, st->links, lk, ltmp) {
		HASH_DEL(st->links, lk);
		free(lk);
	}
}

struct stale_keys {
	uint8_t (*keys)[24];
	size_t n, cap;
	size_t key_size;
};

static int push_key(struct stale_keys *s, const void *key)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		void *k = realloc(s->keys, cap * sizeof(*s->keys));

		if (!k)
			return -ENOMEM;
		s->keys = k;
		s->cap = cap;
	}
	memcpy(s->keys[s->n++], key, s->key_size);
	return 0;
}

struct reconcile_ctx {
	struct state *st;
	enum dp_map_id map;
	struct stale_keys stale;
};

static bool prefix_wanted(struct state *st, uint8_t family, const uint8_t *addr,
			  uint32_t len)
{
	struct prefix_key key = { .family = family, .len = (uint8_t)len };
	struct st_prefix *p;

	memcpy(key.addr, addr, family == AF_INET ? 4 : 16);
	HASH_FIND(hh, st->prefixes, &key, sizeof(key), p);
	return p && p->is_programmed && p->variants;
}

static int reconcile_cb(const void *key, const void *value, void *arg)
{
	struct reconcile_ctx *c = arg;
	struct state *st = c->st;
	bool wanted = true;

	(void)value;
	switch (c->map) {
	case DP_MAP_ROUTES_V4: {
		const struct sluice_lpm4_key *k = key;

		wanted = prefix_wanted(st, AF_INET, k->addr, k->prefixlen);
		break;
	}
	case DP_MAP_ROUTES_V6: {
		const struct sluice_lpm6_key *k = key;

		wanted = prefix_wanted(st, AF_INET6, k->addr, k->prefixlen);
		break;
	}
	case DP_MAP_NEIGHBORS: {
		struct st_neigh *e;

		HASH_FIND(hh, st->neighs, key, sizeof(struct sluice_neigh_key),
			  e);
		wanted = e && e->programmed;
		break;
	}
	case DP_MAP_NHGS: {
		struct st_nhg *n = nhg_by_id(st, *(const uint32_t *)key);

		wanted = n && n->refs > 0;
		break;
	}
	case DP_MAP_IFACES:
	case DP_MAP_TX_PORTS: {
		struct st_iface *ifc =
			state_iface_by_ifindex(st, *(const uint32_t *)key);

		wanted = ifc && ifc->state == IF_ATTACHED &&
			 (c->map == DP_MAP_IFACES || ifc->configured);
		break;
	}
	case DP_MAP_VLANS: {
		const struct sluice_vlan_key *k = key;

		wanted = false;
		for (int i = 0; i < st->n_ifaces && !wanted; i++)
			wanted = !st->ifaces[i].configured &&
				 st->ifaces[i].state == IF_ATTACHED &&
				 st->ifaces[i].parent == k->parent_ifindex &&
				 st->ifaces[i].vlan_id == k->vlan_id;
		break;
	}
	default: break;
	}
	return wanted ? 0 : push_key(&c->stale, key);
}

/* A stale entry goes through the typed operation, as any other delete:
 * lib/dp removes it from the compiled forwarding table as well. */
static int stale_delete(struct state *st, enum dp_map_id map, const void *key)
{
	switch (map) {
	case DP_MAP_ROUTES_V4: {
		const struct sluice_lpm4_key *k = key;

		return st->ops->route_del(st->dp, AF_INET, k->addr,
					  k->prefixlen);
	}
	case DP_MAP_ROUTES_V6: {
		const struct sluice_lpm6_key *k = key;

		return st->ops->route_del(st->dp, AF_INET6, k->addr,
					  k->prefixlen);
	}
	case DP_MAP_NHGS: return st->ops->nhg_del(st->dp, *(const __u32 *)key);
	case DP_MAP_NEIGHBORS: return st->ops->neigh_del(st->dp, key);
	case DP_MAP_IFACES:
		/* an earlier run's port, dropped from the configuration (a
		 * kept TC filter has no pin for link_prune.c to find) */
		if (st->ops->port_forget)
			st->ops->port_forget(st->dp, *(const __u32 *)key);
		return st->ops->iface_del(st->dp, *(const __u32 *)key);
	case DP_MAP_TX_PORTS:
		return st->ops->port_del(st->dp, *(const __u32 *)key);
	case DP_MAP_VLANS: {
		const struct sluice_vlan_key *k = key;

		return st->ops->vlan_del(st->dp, k->parent_ifindex, k->vlan_id);
	}
	default: return st->ops->map_delete(st->dp, map, key);
	}
}

static void drop_dead_routes(struct state *st)
{
	struct st_prefix *p, *tmp;

	HASH_ITER(hh, st->prefixes, p, tmp) {
		if (p->variants)
			continue;
		prefix_unprogram(st, p);
		HASH_DEL(st->prefixes, p);
		free(p);
	}
}

static void drop_unused_nhgs(struct state *st)
{
	struct st_nhg *n, *tmp;

	HASH_ITER(hh, st->nhgs, n, tmp) {
		if (n->refs)
			continue;
		st->ops->nhg_del(st->dp, n->id);
		HASH_DELETE(hh, st->nhgs, n);
		HASH_DELETE(hh_id, st->nhgs_by_id, n);
		free(n);
	}
}

static bool local_addr_wanted(struct state *st, const struct sluice_addr_key *k)
{
	struct prefix_key key = { .family = k->family };
	struct st_prefix *p;

	key.len = k->family == AF_INET ? 32 : 128;
	memcpy(key.addr, k->addr, k->family == AF_INET ? 4 : 16);
	HASH_FIND(hh, st->prefixes, &key, sizeof(key), p);
	if (!p)
		return false;
	for (const struct st_variant *v = p->variants; v; v = v->next)
		if (v->table == RT_TABLE_LOCAL && v->type == RTN_LOCAL)
			return true;
	return false;
}

static int stale_local_cb(const void *key, const void *value, void *arg)
{
	struct reconcile_ctx *c = arg;

	(void)value;
	if (local_addr_wanted(c->st, key))
		return 0;
	return push_key(&c->stale, key);
}

static void reconcile_local_addrs(struct state *st)
{
	struct reconcile_ctx c = { .st = st };

	c.stale.key_size = sizeof(struct sluice_addr_key);
	st->ops->local_addr_foreach(st->dp, stale_local_cb, &c);
	for (size_t k = 0; k < c.stale.n; k++) {
		const struct sluice_addr_key *a = (const void *)c.stale.keys[k];

		st->ops->local_addr_del(st->dp, a->family, a->addr);
	}
	free(c.stale.keys);
}

/* @walk_routes: look for route entries the daemon did not write (start-up:
 * an earlier run's), one lookup per entry of a possibly huge map. */
static int reconcile(struct state *st, bool walk_routes)
{
	static const enum dp_map_id order[] = {
		DP_MAP_ROUTES_V4, DP_MAP_ROUTES_V6, DP_MAP_NHGS,
		DP_MAP_NEIGHBORS, DP_MAP_VLANS,	    DP_MAP_IFACES,
		DP_MAP_TX_PORTS,
	};
	size_t removed = 0;
	int err = 0;

	st->redumping = false;
	drop_dead_routes(st);
	drop_unused_nhgs(st);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct reconcile_ctx c = { .st = st, .map = order[i] };

		if (!walk_routes && (order[i] == DP_MAP_ROUTES_V4 ||
				     order[i] == DP_MAP_ROUTES_V6))
			continue;
		if (!router_maps(st) &&
		    (order[i] == DP_MAP_ROUTES_V4 ||
		     order[i] == DP_MAP_ROUTES_V6 || order[i] == DP_MAP_NHGS ||
		     order[i] == DP_MAP_NEIGHBORS))
			continue; /* not in this role's object */
		c.stale.key_size = (size_t)(order[i] == DP_MAP_ROUTES_V4 ? 8 :
					    order[i] == DP_MAP_ROUTES_V6 ? 20 :
					    order[i] == DP_MAP_NEIGHBORS ? 24 :
					    order[i] == DP_MAP_VLANS	 ? 8 :
									   4);
		err = st->ops->map_foreach(st->dp, order[i], reconcile_cb, &c);
		for (size_t k = 0; k < c.stale.n; k++) {
			if (!stale_delete(st, order[i], c.stale.keys[k]))
				removed++;
		}
		free(c.stale.keys);
		if (err)
			break;
	}
	if (st->ops->role(st->dp) == DP_ROLE_BACKEND)
		reconcile_local_addrs(st);
	if (removed)
		pr_info("reconcile: removed %zu stale map entries", removed);
	/* the routes are the kernel's now: what the compiled table still
	 * holds beyond them (an earlier run's, when its routes map could
	 * not be adopted) goes too; a failure is logged there and does not
	 * stop the start, which forwards the rest as before */
	if (!err && walk_routes && router_maps(st) && st->ops->fib_prune)
		(void)st->ops->fib_prune(st->dp);
	return err;
}

void state_release_ports(struct state *st)
{
	if (!st->hold_ports)
		return;
	st->hold_ports = false;
	for (int i = 0; i < st->n_ifaces; i++) {
		struct st_iface *ifc = &st->ifaces[i];

		if (ifc->configured && ifc->state == IF_ATTACHED &&
		    iface_program(st, ifc))
			pr_err("iface %s: cannot release it (it stays held: "
			       "its packets go to the kernel)",
			       ifc->name);
	}
}

int state_reconcile(struct state *st)
{
	return reconcile(st, true);
}

int state_resync_done(struct state *st)
{
	return reconcile(st, false);
}

void state_shutdown(struct state *st, bool keep)
{
	for (int i = 0; i < st->n_ifaces; i++) {
		struct st_iface *ifc = &st->ifaces[i];

		if (!ifc->configured || !ifc->ifindex)
			continue;
		if (ifc->tc)
			st->ops->detach_tc(st->dp, ifc->name, keep);
		else
			st->ops->detach(st->dp, ifc->name, keep);
		if (!keep)
			pr_info("iface %s: detached", ifc->name);
	}
	if (!keep)
		st->ops->unpin_maps(st->dp);
	else
		pr_info("keep-on-exit: programs stay attached, maps pinned");
}

void state_free(struct state *st)
{
	struct st_nhg *n, *ntmp;

	state_forget_kernel(st);
	{
		struct st_prefix *p, *tmp;

		HASH_ITER(hh, st->prefixes, p, tmp) {
			HASH_DEL(st->prefixes, p);
			free(p);
		}
	}
	HASH_ITER(hh, st->nhgs, n, ntmp) {
		HASH_DELETE(hh, st->nhgs, n);
		HASH_DELETE(hh_id, st->nhgs_by_id, n);
		free(n);
	}
}

/* ---- lib/dp ------------------------------------------------------------------ */

const struct state_dp_ops state_dp_bpf = {
	.role = dp_role,
	.attach = dp_attach,
	.detach = dp_detach,
	.attach_tc = dp_tc_attach,
	.detach_tc = dp_tc_detach,
	.unpin_maps = dp_unpin_maps,
	.iface_set = dp_iface_set,
	.iface_del = dp_iface_del,
	.port_forget = dp_port_forget,
	.fib_prune = dp_fib_prune,
	.vlan_set = dp_vlan_set,
	.vlan_del = dp_vlan_del,
	.port_set = dp_port_set,
	.port_del = dp_port_del,
	.route_set = dp_route_set,
	.route_del = dp_route_del,
	.nhg_set = dp_nhg_set,
	.nhg_del = dp_nhg_del,
	.neigh_set = dp_neigh_set,
	.neigh_del = dp_neigh_del,
	.local_addr_set = dp_local_addr_set,
	.local_addr_del = dp_local_addr_del,
	.local_addr_foreach = dp_local_addr_foreach,
	.map_foreach = dp_map_foreach,
	.map_delete = dp_map_delete,
};
