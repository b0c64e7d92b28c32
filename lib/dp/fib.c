// SPDX-License-Identifier: BSD-2-Clause
/*
 * The compiled forwarding table (uapi/sluice/fib.h), router role: the
 * fib* array maps mmapped, lib/fib keeping the route tries' prefixes
 * expanded into them, nexthop.c keeping the next hops resolved.  route.c's
 * typed operations come here; the LPM tries, nhgs, neighbors and ifaces
 * stay the source of truth, written after the table so that a crash in
 * between leaves a difference the daemon's next reconcile rewrites.
 *
 * One writer: the pinned tables are compiled by the process that holds
 * this struct dp (sluiced); a second writer would diverge from our
 * bookkeeping.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "dp_internal.h"
#include "fib.h"
#include "fib_compile.h"
#include "lb_backend_hop.h"
#include "log.h"
#include "nexthop.h"

enum {
	FIB4_ROOT,
	FIB4_GROUPS,
	FIB6_ROOT,
	FIB6_GROUPS,
	FIB6_P48,
	FIB_NHGS,
	FIB_NHS,
	FIB_MAPS
};

static const int fib_map_ids[FIB_MAPS] = {
	[FIB4_ROOT] = DP_MAP_FIB4_ROOT, [FIB4_GROUPS] = DP_MAP_FIB4_GROUPS,
	[FIB6_ROOT] = DP_MAP_FIB6_ROOT, [FIB6_GROUPS] = DP_MAP_FIB6_GROUPS,
	[FIB6_P48] = DP_MAP_FIB6_P48,	[FIB_NHGS] = DP_MAP_FIB_NHGS,
	[FIB_NHS] = DP_MAP_FIB_NHS,
};

struct dp_fib {
	void *mem[FIB_MAPS];
	size_t len[FIB_MAPS];
	struct fib *v4, *v6;
	struct fib_tables t4, t6;
	struct dp_nexthops *nh;
	/* adopted tables held prefixes the replayed routes lack: the
	 * routes map was rebuilt, or a change was cut short (dp_fib_prune) */
	bool stale;
};

static int map_mmap(struct dp *dp, int id, void **mem, size_t *len)
{
	const struct bpf_map *m = dp->maps[id];
	size_t page = 4096;
	void *p;

	*len = (size_t)bpf_map__value_size(m) * bpf_map__max_entries(m);
	*len = (*len + page - 1) / page * page;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m),
		 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		pr_err("dp: cannot mmap %s: %s", bpf_map__name(m),
		       strerror(-err));
		return err;
	}
	*mem = p;
	return 0;
}

static struct fib *fib_of(struct dp_fib *f, int family)
{
	return family == AF_INET ? f->v4 : f->v6;
}

/* @addr with its host bits cleared, as lib/fib wants it. */
static void masked(int family, const void *addr, unsigned int plen, __u8 *out)
{
	unsigned int bytes = family == AF_INET ? 4 : 16;

	memcpy(out, addr, bytes);
	for (unsigned int i = 0; i < bytes; i++) {
		unsigned int bit = i * 8;

		if (bit >= plen)
			out[i] = 0;
		else if (plen - bit < 8)
			out[i] &= (__u8)(0xff << (8 - (plen - bit)));
	}
}

int dp_fib_route_set(struct dp *dp, int family, const void *addr,
		     unsigned int plen, const struct sluice_route *rt)
{
	struct dp_fib *f = dp->fib;
	struct sluice_route old;
	union dp_lpm_key k;
	enum dp_map_id id;
	__u32 target, old_target = 0;
	bool had_old;
	__u8 a[16];
	int err;

	err = dp_lpm_key(family, addr, plen, &k, &id);
	if (err)
		return err;
	masked(family, addr, plen, a);
	had_old = !dp_lookup(dp, id, &k, &old);
	if (had_old)
		old_target = fib_find(fib_of(f, family), a, plen);
	err = dp_nexthops_target(f->nh, rt, &target);
	if (err)
		return err;
	err = fib_add(fib_of(f, family), a, plen, target);
	if (err) {
		/* a full pool refuses every route that needs a group, and
		 * sluiced tries the refused ones again when room is made:
		 * log the first few (route_errors counts them all) */
		static unsigned int logged;
		const struct fib_tables *t = family == AF_INET ? &f->t4 :
								 &f->t6;
		char txt[INET6_ADDRSTRLEN];

		if (logged < 10) {
			logged++;
			inet_ntop(family, a, txt, sizeof(txt));
			/* a long prefix needs a group per level below
			 * the root: the pool may refuse it with some free */
			if (err == -ENOSPC)
				pr_err("dp: route %s/%u: not programmed: the "
				       "IPv%d forwarding table has %u of its "
				       "%u groups free, fewer than this route "
				       "needs (raise fib.v%d_groups in "
				       "sluiced's config)",
				       txt, plen, family == AF_INET ? 4 : 6,
				       fib_groups_free(fib_of(f, family)),
				       t->n_groups, family == AF_INET ? 4 : 6);
			else
				pr_err("dp: route %s/%u: not programmed: %s",
				       txt, plen, strerror(-err));
		}
		dp_nexthops_put(f->nh, target);
		return err;
	}
	err = dp_update(dp, id, &k, rt);
	if (err) {
		/* put the table back as it was */
		if (old_target)
			fib_add(fib_of(f, family), a, plen, old_target);
		else
			fib_del(fib_of(f, family), a, plen);
		dp_nexthops_put(f->nh, target);
		return err;
	}
	if (old_target)
		dp_nexthops_put(f->nh, old_target);
	dp_backend_hops_refresh(dp, family, a, plen);
	return 0;
}

int dp_fib_route_del(struct dp *dp, int family, const void *addr,
		     unsigned int plen)
{
	struct dp_fib *f = dp->fib;
	union dp_lpm_key k;
	enum dp_map_id id;
	__u32 old_target;
	__u8 a[16];
	int err, err_t;

	err = dp_lpm_key(family, addr, plen, &k, &id);
	if (err)
		return err;
	masked(family, addr, plen, a);
	old_target = fib_find(fib_of(f, family), a, plen);
	err_t = old_target ? fib_del(fib_of(f, family), a, plen) : -ENOENT;
	if (err_t && err_t != -ENOENT)
		return err_t;
	err = dp_delete(dp, id, &k);
	if (old_target) {
		dp_nexthops_put(f->nh, old_target);
		dp_backend_hops_refresh(dp, family, a, plen);
	}
	return err;
}

int dp_fib_nhg_set(struct dp *dp, __u32 id, const struct sluice_nhg *g)
{
	int err = dp_nexthops_nhg_set(dp->fib->nh, id, g);

	if (err)
		return err;
	dp_backend_hops_refresh(dp, 0, NULL, 0);
	err = dp_update(dp, DP_MAP_NHGS, &id, g);
	if (err) /* the group stays compiled: the daemon will retry or
		  * delete it, and the delete frees it */
		pr_warn("dp: nhg %u compiled but not recorded: %s", id,
			strerror(-err));
	return err;
}

int dp_fib_nhg_del(struct dp *dp, __u32 id)
{
	dp_nexthops_nhg_del(dp->fib->nh, id);
	dp_backend_hops_refresh(dp, 0, NULL, 0);
	return dp_delete(dp, DP_MAP_NHGS, &id);
}

void dp_fib_neigh_changed(struct dp *dp, const struct sluice_neigh_key *k,
			  const struct sluice_neigh *v)
{
	dp_nexthops_neigh(dp->fib->nh, k, v);
}

void dp_fib_iface_changed(struct dp *dp, __u32 ifindex)
{
	dp_nexthops_iface(dp->fib->nh, ifindex);
}

struct dp_nexthops *dp_fib_nexthops(struct dp *dp)
{
	return dp->fib ? dp->fib->nh : NULL;
}

/* ---- open: adopt what an earlier run compiled, replay the sources --------- */

static int replay_nhg(const void *key, const void *value, void *arg)
{
	struct dp *dp = arg;
	int err = dp_nexthops_nhg_set(dp->fib->nh, *(const __u32 *)key, value);

	if (err)
		pr_warn("dp: pinned nhg %u: cannot compile it: %s",
			*(const __u32 *)key, strerror(-err));
	return 0;
}

struct replay {
	struct dp *dp;
	int family;
	unsigned int failed;
};

static int replay_route(const void *key, const void *value, void *arg)
{
	struct replay *r = arg;
	struct dp_fib *f = r->dp->fib;
	const __u32 *plen = key;
	const __u8 *addr = (const __u8 *)key + sizeof(*plen);
	__u32 target;
	__u8 a[16];

	masked(r->family, addr, *plen, a);
	if (dp_nexthops_target(f->nh, value, &target)) {
		r->failed++;
		return 0;
	}
	if (fib_add(fib_of(f, r->family), a, *plen, target)) {
		dp_nexthops_put(f->nh, target);
		r->failed++;
	}
	return 0;
}

static int replay_routes(struct dp *dp, int family, enum dp_map_id id)
{
	struct replay r = { .dp = dp, .family = family };
	int err = dp_map_foreach(dp, id, replay_route, &r);

	if (r.failed)
		pr_err("dp: %u pinned %s routes could not be compiled into the "
		       "forwarding table",
		       r.failed, family == AF_INET ? "IPv4" : "IPv6");
	return err;
}

int dp_fib_open(struct dp *dp)
{
	struct dp_fib *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	dp->fib = f;
	for (int i = 0; i < FIB_MAPS; i++) {
		err = map_mmap(dp, fib_map_ids[i], &f->mem[i], &f->len[i]);
		if (err)
			goto err;
	}
	f->t4 = (struct fib_tables){
		.root = f->mem[FIB4_ROOT],
		.groups = f->mem[FIB4_GROUPS],
		.n_groups = bpf_map__max_entries(dp->maps[DP_MAP_FIB4_GROUPS]),
	};
	f->t6 = (struct fib_tables){
		.root = f->mem[FIB6_ROOT],
		.groups = f->mem[FIB6_GROUPS],
		.n_groups = bpf_map__max_entries(dp->maps[DP_MAP_FIB6_GROUPS]),
		/* the size this load's programs read (dp.c) */
		.p48 = dp->fib6_p48_bits ? f->mem[FIB6_P48] : NULL,
		.p48_bits = dp->fib6_p48_bits,
	};
	/* Adopt whatever is there (nothing, for new maps) and replay the
	 * sources over it: a replay writes the values the entries already
	 * hold, so the packet path sees no change, and a table that is new
	 * (first start, or an upgrade that added it) gets built. */
	err = fib_new(&f->v4, 4, &f->t4, true) ?:
		      fib_new(&f->v6, 16, &f->t6, true);
	if (err) {
		pr_err("dp: the pinned forwarding table is damaged (%s): "
		       "remove the pin dir to start afresh",
		       strerror(-err));
		goto err;
	}
	err = dp_nexthops_new(&f->nh, dp, f->mem[FIB_NHGS], f->mem[FIB_NHS]);
	if (err)
		goto err;
	err = dp_map_foreach(dp, DP_MAP_NHGS, replay_nhg, dp)	   ?:
		      replay_routes(dp, AF_INET, DP_MAP_ROUTES_V4) ?:
		      replay_routes(dp, AF_INET6, DP_MAP_ROUTES_V6);
	if (err)
		goto err;
	err = dp_backend_hops_open(dp);
	if (err)
		goto err;
	dp_nexthops_settle(f->nh);
	if (dp->maps_reused && (fib_verify(f->v4) || fib_verify(f->v6))) {
		/* they keep forwarding until the kernel's routes are read
		 * again, then go (dp_fib_prune): a route deleted while we
		 * were away must not stay in the packet path */
		f->stale = true;
		pr_info("dp: the pinned forwarding table holds prefixes the "
			"pinned routes do not (the routes map was rebuilt, or "
			"a change was cut short): they are taken out once the "
			"kernel's routes have been read");
	}
	return 0;
err:
	dp_fib_close(dp);
	return err;
}

static int prune_family(struct fib *t, const char *family, size_t *removed)
{
	int err = fib_prune(t, removed);

	if (err)
		pr_err("dp: cannot take stale %s prefixes out of the forwarding "
		       "table (%s): remove the pin dir to start afresh",
		       family, strerror(-err));
	return err;
}

int dp_fib_prune(struct dp *dp)
{
	struct dp_fib *f = dp ? dp->fib : NULL;
	size_t n4 = 0, n6 = 0;
	int err;

	if (!f || !f->stale)
		return 0;
	f->stale = false;
	err = prune_family(f->v4, "IPv4", &n4) ?:
						 prune_family(f->v6, "IPv6", &n6);
	if (n4 || n6)
		pr_info("dp: took %zu IPv4 and %zu IPv6 prefixes no route has "
			"out of the forwarding table",
			n4, n6);
	return err;
}

void dp_fib_close(struct dp *dp)
{
	struct dp_fib *f = dp->fib;

	if (!f)
		return;
	dp_backend_hops_close(dp);
	dp_nexthops_free(f->nh);
	fib_free(f->v4);
	fib_free(f->v6);
	for (int i = 0; i < FIB_MAPS; i++)
		if (f->mem[i])
			munmap(f->mem[i], f->len[i]);
	free(f);
	dp->fib = NULL;
}

int dp_fib_stats(struct dp *dp, struct dp_fib_usage *u)
{
	struct dp_fib *f = dp ? dp->fib : NULL;

	if (!f)
		return -EOPNOTSUPP;
	*u = (struct dp_fib_usage){
		.v4_routes = fib_rules(f->v4),
		.v6_routes = fib_rules(f->v6),
		.v4_groups = fib_groups_used(f->v4),
		.v4_groups_max = f->t4.n_groups,
		.v6_groups = fib_groups_used(f->v6),
		.v6_groups_max = f->t6.n_groups,
		.v6_index_slots = (__u32)fib_p48_used(f->v6),
		.v6_index_slots_max = (__u32)fib_p48_slots(f->v6),
		.nhgs = dp_nexthops_groups_used(f->nh),
		.nhs = dp_nexthops_hops_used(f->nh),
	};
	return 0;
}

__u32 dp_fib_lookup(struct dp *dp, int family, const void *addr)
{
	struct dp_fib *f = dp->fib;

	if (!f)
		return 0;
	return family == AF_INET ? fib_lookup(&f->t4, 4, addr) :
				   fib_lookup(&f->t6, 16, addr);
}
