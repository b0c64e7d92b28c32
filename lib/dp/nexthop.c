// SPDX-License-Identifier: BSD-2-Clause
/*
 * Next hops compiled into fib_nhgs and fib_nhs (nexthop.h).
 *
 * The packet path reads these arrays while we write them, so every change
 * is ordered for a reader that may look at any moment:
 *  - a new fib_nhs entry is filled before SLUICE_NH_USED is set, and before
 *    any group names it;
 *  - a group grows by writing its new members before its count, and
 *    shrinks by writing its count first: a reader never reads past the
 *    members that are valid;
 *  - the neighbour's MAC and its resolved bit are one 64-bit store;
 *  - a freed fib_nhs entry keeps its contents until its index is reused,
 *    last-in-line (FIFO), so a reader that took the index just before it
 *    was freed still reads a valid next hop and is long done by then.
 * A port's other fields (MTU, MAC) are separate stores: a reader racing a
 * port change may see the old MTU with the new MAC, once.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "dp.h"
#include "dp_internal.h"
#include "log.h"
#include "nexthop.h"

#define HASH_BUCKETS 65536u
#define NO_INDEX 0xffffffffu

/* A FIFO of free indices. */
struct free_fifo {
	__u32 *q;
	__u32 cap, head, n;
};

struct dp_nexthops {
	struct dp *dp;
	struct sluice_fib_nhg *nhgs; /* mmapped fib_nhgs */
	struct sluice_fib_nh *nhs;   /* mmapped fib_nhs */
	/* fib_nhgs: references (routes + the group itself), whether the
	 * group exists in nhgs, and the id -> index chains */
	__u32 *nhg_refs;
	bool *nhg_present;
	__u32 *nhg_next, nhg_head[HASH_BUCKETS];
	/* fib_nhs: references (group members), key -> index chains */
	__u32 *nh_refs;
	__u32 *nh_next, nh_head[HASH_BUCKETS];
	struct free_fifo nhg_free, nh_free;
	__u32 nhgs_used, nhs_used;
};

static int fifo_init(struct free_fifo *f, __u32 cap)
{
	f->q = calloc(cap, sizeof(*f->q));
	f->cap = cap;
	f->head = f->n = 0;
	return f->q ? 0 : -ENOMEM;
}

static void fifo_push(struct free_fifo *f, __u32 v)
{
	if (f->n < f->cap)
		f->q[(f->head + f->n++) % f->cap] = v;
}

static int fifo_pop(struct free_fifo *f, __u32 *v)
{
	if (!f->n)
		return -ENOSPC;
	*v = f->q[f->head];
	f->head = (f->head + 1) % f->cap;
	f->n--;
	return 0;
}

static void store32(__u32 *p, __u32 v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void store16(__u16 *p, __u16 v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* ---- next-hop group ids -> fib_nhgs indices -------------------------------- */

static __u32 id_bucket(__u32 id)
{
	return (id * 2654435761u) >> 16;
}

static __u32 nhg_find(const struct dp_nexthops *n, __u32 id)
{
	for (__u32 i = n->nhg_head[id_bucket(id)]; i != NO_INDEX;
	     i = n->nhg_next[i])
		if (n->nhgs[i].id == id)
			return i;
	return NO_INDEX;
}

static void nhg_link(struct dp_nexthops *n, __u32 i)
{
	__u32 b = id_bucket(n->nhgs[i].id);

	n->nhg_next[i] = n->nhg_head[b];
	n->nhg_head[b] = i;
}

static void nhg_unlink(struct dp_nexthops *n, __u32 i)
{
	__u32 *p = &n->nhg_head[id_bucket(n->nhgs[i].id)];

	while (*p != NO_INDEX && *p != i)
		p = &n->nhg_next[*p];
	if (*p == i)
		*p = n->nhg_next[i];
}

/* The index of @id, allocated (an empty group) when it has none. */
static int nhg_index(struct dp_nexthops *n, __u32 id, __u32 *out)
{
	__u32 i = nhg_find(n, id);
	int err;

	if (i == NO_INDEX) {
		err = fifo_pop(&n->nhg_free, &i);
		if (err) {
			pr_err("dp: no free next-hop group index (%u in use)",
			       n->nhgs_used);
			return err;
		}
		store32(&n->nhgs[i].count, 0);
		store32(&n->nhgs[i].id, id);
		nhg_link(n, i);
		n->nhgs_used++;
	}
	*out = i;
	return 0;
}

static void nh_put(struct dp_nexthops *n, __u32 i);

/* Nothing uses index @i any more: members released, index freed. */
static void nhg_release(struct dp_nexthops *n, __u32 i)
{
	struct sluice_fib_nhg *g = &n->nhgs[i];
	__u32 count = g->count;

	/* Count and members stay until the index is reused (nhg_index()
	 * clears the count first), like a freed next hop's contents: a
	 * packet that read the route's old target just before the route
	 * moved on still forwards by it.  The id goes: it is bookkeeping,
	 * and adoption takes an index without one as free. */
	for (__u32 m = 0; m < count && m < SLUICE_MAX_ECMP; m++)
		nh_put(n, g->nh[m]);
	nhg_unlink(n, i);
	store32(&g->id, 0);
	n->nhg_present[i] = false;
	fifo_push(&n->nhg_free, i);
	n->nhgs_used--;
}

static void nhg_unref(struct dp_nexthops *n, __u32 i)
{
	if (n->nhg_refs[i] && --n->nhg_refs[i] == 0)
		nhg_release(n, i);
}

/* ---- resolved next hops ---------------------------------------------------- */

static __u32 nh_bucket(__u32 ifindex, __u8 family, const __u8 *gw)
{
	__u32 h = ifindex * 2654435761u ^ family;

	for (int i = 0; i < 16; i++)
		h = (h ^ gw[i]) * 16777619u;
	return (h ^ h >> 16) % HASH_BUCKETS;
}

static bool nh_is(const struct sluice_fib_nh *e, __u32 ifindex, __u8 family,
		  const __u8 *gw)
{
	return e->ifindex == ifindex && e->family == family &&
	       !memcmp(e->gw, gw, 16);
}

static __u32 nh_find(const struct dp_nexthops *n, __u32 ifindex, __u8 family,
		     const __u8 *gw)
{
	for (__u32 i = n->nh_head[nh_bucket(ifindex, family, gw)];
	     i != NO_INDEX; i = n->nh_next[i])
		if (nh_is(&n->nhs[i], ifindex, family, gw))
			return i;
	return NO_INDEX;
}

/* The neighbour word: its MAC and the resolved bit, or 0. */
static __u64 neigh_word(const struct sluice_neigh *v)
{
	__u64 w = 0;

	if (!v)
		return 0;
	memcpy(&w, v->mac, 6);
	return w | (__u64)SLUICE_NH_RESOLVED << SLUICE_NH_STATE_SHIFT;
}

static void nh_store_neigh(struct sluice_fib_nh *e, __u64 w)
{
	__atomic_store_n(&e->neigh, w, __ATOMIC_RELEASE);
}

/* Port fields of @e from ifaces (managed or not). */
static void nh_fill_port(struct dp_nexthops *n, struct sluice_fib_nh *e)
{
	struct sluice_iface ifc;
	__u32 ifindex = e->ifindex;
	__u16 flags = e->flags & (SLUICE_NH_USED | SLUICE_NH_ONLINK);

	if (dp_lookup(n->dp, DP_MAP_IFACES, &ifindex, &ifc)) {
		e->tx_ifindex = ifindex;
		e->port_flags = 0;
		store16(&e->flags, flags);
		return;
	}
	e->mtu = ifc.mtu;
	e->vlan_id = ifc.vlan_id;
	e->slot = ifc.slot;
	memcpy(e->smac, ifc.mac, 6);
	e->tx_ifindex = ifc.flags & SLUICE_IF_VLAN ? ifc.parent_ifindex :
						     ifindex;
	e->port_flags = ifc.flags;
	store16(&e->flags, flags | SLUICE_NH_MANAGED);
}

static void nh_fill_neigh(struct dp_nexthops *n, struct sluice_fib_nh *e)
{
	struct sluice_neigh_key k = { .ifindex = e->ifindex,
				      .family = e->family };
	struct sluice_neigh v;

	if (e->flags & SLUICE_NH_ONLINK)
		return;
	memcpy(k.addr, e->gw, 16);
	nh_store_neigh(e, dp_lookup(n->dp, DP_MAP_NEIGHBORS, &k, &v) ?
				  0 :
				  neigh_word(&v));
}

static int nh_get(struct dp_nexthops *n, const struct sluice_nh *nh, __u32 *out)
{
	__u8 gw[16] = { 0 };
	__u8 family = nh->family;
	struct sluice_fib_nh *e;
	__u32 i, b;
	int err;

	if (family)
		memcpy(gw, nh->gw, family == AF_INET ? 4 : 16);
	i = nh_find(n, nh->ifindex, family, gw);
	if (i != NO_INDEX) {
		n->nh_refs[i]++;
		*out = i;
		return 0;
	}
	err = fifo_pop(&n->nh_free, &i);
	if (err) {
		pr_err("dp: no free next-hop entry (%u in use)", n->nhs_used);
		return err;
	}
	e = &n->nhs[i];
	store16(&e->flags, 0);
	e->ifindex = nh->ifindex;
	e->family = family;
	memcpy(e->gw, gw, 16);
	e->flags = family ? 0 : SLUICE_NH_ONLINK;
	nh_fill_neigh(n, e);
	e->flags |= SLUICE_NH_USED;
	nh_fill_port(n, e); /* sets the flags word last: now usable */
	b = nh_bucket(e->ifindex, family, gw);
	n->nh_next[i] = n->nh_head[b];
	n->nh_head[b] = i;
	n->nh_refs[i] = 1;
	n->nhs_used++;
	*out = i;
	return 0;
}

static void nh_put(struct dp_nexthops *n, __u32 i)
{
	struct sluice_fib_nh *e;
	__u32 *p;

	if (!i || i >= SLUICE_FIB_MAX_NHS || !n->nh_refs[i] || --n->nh_refs[i])
		return;
	e = &n->nhs[i];
	p = &n->nh_head[nh_bucket(e->ifindex, e->family, e->gw)];
	while (*p != NO_INDEX && *p != i)
		p = &n->nh_next[*p];
	if (*p == i)
		*p = n->nh_next[i];
	/* The entry keeps its contents (SLUICE_NH_USED too): a reader that
	 * took the index from a group just before the group let it go still
	 * gets the old, valid answer.  nh_get() clears the flags first when
	 * the FIFO hands the index out again; adoption tells a freed entry
	 * by no group naming it. */
	fifo_push(&n->nh_free, i);
	n->nhs_used--;
}

/* ---- the interface ------------------------------------------------------- */

int dp_nexthops_target(struct dp_nexthops *n, const struct sluice_route *rt,
		       __u32 *target)
{
	__u32 i;
	int err;

	if (rt->type == SLUICE_RT_LOCAL) {
		*target = SLUICE_FIB_LOCAL;
		return 0;
	}
	if (rt->type != SLUICE_RT_FORWARD) {
		*target = SLUICE_FIB_KERNEL;
		return 0;
	}
	if (!rt->nhg_id) {
		*target = SLUICE_FIB_NO_NHG;
		return 0;
	}
	err = nhg_index(n, rt->nhg_id, &i);
	if (err)
		return err;
	n->nhg_refs[i]++;
	*target = SLUICE_FIB_NHG0 + i;
	return 0;
}

void dp_nexthops_put(struct dp_nexthops *n, __u32 target)
{
	if (target >= SLUICE_FIB_NHG0 &&
	    target - SLUICE_FIB_NHG0 < SLUICE_MAX_NHGS)
		nhg_unref(n, target - SLUICE_FIB_NHG0);
}

int dp_nexthops_nhg_set(struct dp_nexthops *n, __u32 id,
			const struct sluice_nhg *g)
{
	__u32 i, members[SLUICE_MAX_ECMP], old[SLUICE_MAX_ECMP], old_count;
	struct sluice_fib_nhg *fg;
	__u32 count = g->count;
	int err;

	if (!id || !count || count > SLUICE_MAX_ECMP)
		return -EINVAL;
	err = nhg_index(n, id, &i);
	if (err)
		return err;
	for (__u32 m = 0; m < count; m++) {
		err = nh_get(n, &g->nh[m], &members[m]);
		if (err) {
			while (m--)
				nh_put(n, members[m]);
			if (!n->nhg_refs[i] && !n->nhg_present[i])
				nhg_release(n, i);
			return err;
		}
	}
	fg = &n->nhgs[i];
	old_count = fg->count;
	memcpy(old, fg->nh, sizeof(old));
	if (count < old_count)
		store32(&fg->count, count);
	for (__u32 m = 0; m < count; m++)
		store32(&fg->nh[m], members[m]);
	if (count >= old_count)
		store32(&fg->count, count);
	for (__u32 m = 0; m < old_count && m < SLUICE_MAX_ECMP; m++)
		nh_put(n, old[m]);
	if (!n->nhg_present[i]) {
		n->nhg_present[i] = true;
		n->nhg_refs[i]++;
	}
	return 0;
}

void dp_nexthops_nhg_del(struct dp_nexthops *n, __u32 id)
{
	__u32 i = nhg_find(n, id), count;
	struct sluice_fib_nhg *fg;

	if (i == NO_INDEX || !n->nhg_present[i])
		return;
	/* routes may still name it: they see an empty group (no route),
	 * as they saw no group before */
	fg = &n->nhgs[i];
	count = fg->count;
	store32(&fg->count, 0);
	for (__u32 m = 0; m < count && m < SLUICE_MAX_ECMP; m++) {
		nh_put(n, fg->nh[m]);
		store32(&fg->nh[m], 0);
	}
	n->nhg_present[i] = false;
	nhg_unref(n, i);
}

void dp_nexthops_neigh(struct dp_nexthops *n, const struct sluice_neigh_key *k,
		       const struct sluice_neigh *v)
{
	__u8 gw[16] = { 0 };
	__u32 i;

	memcpy(gw, k->addr, k->family == AF_INET ? 4 : 16);
	i = nh_find(n, k->ifindex, k->family, gw);
	if (i != NO_INDEX)
		nh_store_neigh(&n->nhs[i], neigh_word(v));
}

void dp_nexthops_iface(struct dp_nexthops *n, __u32 ifindex)
{
	for (__u32 i = 1; i < SLUICE_FIB_MAX_NHS; i++)
		if (n->nh_refs[i] && n->nhs[i].ifindex == ifindex)
			nh_fill_port(n, &n->nhs[i]);
}

void dp_nexthops_settle(struct dp_nexthops *n)
{
	for (__u32 i = 0; i < SLUICE_MAX_NHGS; i++)
		if (n->nhgs[i].id && !n->nhg_refs[i])
			nhg_release(n, i);
	for (__u32 i = 1; i < SLUICE_FIB_MAX_NHS; i++) {
		struct sluice_fib_nh *e = &n->nhs[i];

		if (!(e->flags & SLUICE_NH_USED))
			continue;
		if (!n->nh_refs[i]) { /* adopted, and nothing took it */
			n->nh_refs[i] = 1;
			nh_put(n, i);
			continue;
		}
		nh_fill_neigh(n, e);
		nh_fill_port(n, e);
	}
}

int dp_nexthops_hop_of(struct dp_nexthops *n, __u32 target, __u8 family,
		       const __u8 *addr, __u32 *hop)
{
	const struct sluice_fib_nhg *g;
	const struct sluice_fib_nh *e;
	struct sluice_nh nh = { .family = family };
	__u32 m;

	*hop = 0;
	if (target < SLUICE_FIB_NHG0 ||
	    target - SLUICE_FIB_NHG0 >= SLUICE_MAX_NHGS)
		return 0;
	g = &n->nhgs[target - SLUICE_FIB_NHG0];
	if (!g->id || g->count != 1)
		return 0;
	m = g->nh[0];
	if (!m || m >= SLUICE_FIB_MAX_NHS || !n->nh_refs[m])
		return 0;
	e = &n->nhs[m];
	if (!(e->flags & SLUICE_NH_ONLINK)) {
		n->nh_refs[m]++;
		*hop = m;
		return 0;
	}
	nh.ifindex = e->ifindex;
	memcpy(nh.gw, addr, family == AF_INET ? 4 : 16);
	return nh_get(n, &nh, hop);
}

void dp_nexthops_hop_put(struct dp_nexthops *n, __u32 hop)
{
	nh_put(n, hop);
}

void dp_nexthops_hop_adopt(struct dp_nexthops *n, __u32 hop)
{
	if (hop && hop < SLUICE_FIB_MAX_NHS &&
	    (n->nhs[hop].flags & SLUICE_NH_USED))
		n->nh_refs[hop]++;
}

__u32 dp_nexthops_groups_used(const struct dp_nexthops *n)
{
	return n->nhgs_used;
}

__u32 dp_nexthops_hops_used(const struct dp_nexthops *n)
{
	return n->nhs_used;
}

/* Indices an earlier run left in use are kept (the packet path may be
 * reading them): groups, and the next hops their members name; groups are
 * recompiled from nhgs right after, routes replayed, then
 * dp_nexthops_settle() frees what nothing took. */
int dp_nexthops_new(struct dp_nexthops **out, struct dp *dp,
		    struct sluice_fib_nhg *nhgs, struct sluice_fib_nh *nhs)
{
	struct dp_nexthops *n = calloc(1, sizeof(*n));
	int err = -ENOMEM;

	if (!n)
		return -ENOMEM;
	n->dp = dp;
	n->nhgs = nhgs;
	n->nhs = nhs;
	n->nhg_refs = calloc(SLUICE_MAX_NHGS, sizeof(*n->nhg_refs));
	n->nhg_present = calloc(SLUICE_MAX_NHGS, sizeof(*n->nhg_present));
	n->nhg_next = calloc(SLUICE_MAX_NHGS, sizeof(*n->nhg_next));
	n->nh_refs = calloc(SLUICE_FIB_MAX_NHS, sizeof(*n->nh_refs));
	n->nh_next = calloc(SLUICE_FIB_MAX_NHS, sizeof(*n->nh_next));
	if (!n->nhg_refs || !n->nhg_present || !n->nhg_next || !n->nh_refs ||
	    !n->nh_next)
		goto err;
	err = fifo_init(&n->nhg_free, SLUICE_MAX_NHGS) ?:
		      fifo_init(&n->nh_free, SLUICE_FIB_MAX_NHS);
	if (err)
		goto err;
	memset(n->nhg_head, 0xff, sizeof(n->nhg_head));
	memset(n->nh_head, 0xff, sizeof(n->nh_head));
	for (__u32 i = 0; i < SLUICE_MAX_NHGS; i++) {
		if (!nhgs[i].id) {
			fifo_push(&n->nhg_free, i);
			continue;
		}
		if (nhg_find(n, nhgs[i].id) != NO_INDEX) {
			/* a duplicate id: never written by us; unused */
			store32(&nhgs[i].count, 0);
			store32(&nhgs[i].id, 0);
			fifo_push(&n->nhg_free, i);
			continue;
		}
		nhg_link(n, i);
		n->nhgs_used++;
	}
	/* members of the adopted groups hold their next hops */
	for (__u32 i = 0; i < SLUICE_MAX_NHGS; i++)
		for (__u32 m = 0;
		     nhgs[i].id && m < nhgs[i].count && m < SLUICE_MAX_ECMP;
		     m++)
			if (nhgs[i].nh[m] && nhgs[i].nh[m] < SLUICE_FIB_MAX_NHS)
				n->nh_refs[nhgs[i].nh[m]]++;
	/* Every entry with SLUICE_NH_USED is kept for now: a group or a
	 * backend (lb_backend_hop.c, adopted next) may name it; a freed one
	 * keeps its flags (see nh_put()).  dp_nexthops_settle() frees those
	 * that nothing took. */
	for (__u32 i = 1; i < SLUICE_FIB_MAX_NHS; i++) {
		struct sluice_fib_nh *e = &nhs[i];
		__u32 b;

		if (!(e->flags & SLUICE_NH_USED)) {
			n->nh_refs[i] = 0;
			fifo_push(&n->nh_free, i);
			continue;
		}
		b = nh_bucket(e->ifindex, e->family, e->gw);
		n->nh_next[i] = n->nh_head[b];
		n->nh_head[b] = i;
		n->nhs_used++;
	}
	*out = n;
	return 0;
err:
	dp_nexthops_free(n);
	return err;
}

void dp_nexthops_free(struct dp_nexthops *n)
{
	if (!n)
		return;
	free(n->nhg_refs);
	free(n->nhg_present);
	free(n->nhg_next);
	free(n->nh_refs);
	free(n->nh_next);
	free(n->nhg_free.q);
	free(n->nh_free.q);
	free(n);
}
