// SPDX-License-Identifier: BSD-2-Clause
/*
 * The compiled forwarding table at packet level (fib_fixtures.c): a lib/dp
 * of its own (router role, no pinning) with P0, P1 and P2 at the main
 * topology's slots, so run_fixture() checks verdict, counter and exact
 * output bytes as for the main rows.  Every table change goes through
 * lib/dp's typed operations, as the daemon makes them.
 *
 *  1-3. steps: route, group, neighbour and port changes, then frames;
 *       dp_fib_stats() where a step says (groups folded back, next-hop
 *       entries rewritten in place rather than reallocated);
 *  4.   a writer thread flips a /24 between two groups and adds and
 *       removes a covering /16 while this thread runs frames: each output
 *       is one of those the possible states give, and both groups show;
 *  5.   restart adoption: dp_close and dp_open on the same pins keep the
 *       table (same usage, same bytes) and later changes apply;
 *  6.   a group pool of FIB_SMALL_POOL: the next /32 needing a group is
 *       refused with ENOSPC and reaches neither the table nor the trie;
 *  7.   the /48 index: its slot as routes change, and a slot planted by
 *       hand moves a frame, so the program does read it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <uapi/sluice/fib_p48.h>
#include "dp.h"
#include "dp_internal.h"
#include "fib_fixtures.h"
#include "names.h"
#include "pktbuild.h"
#include "runner.h"

/* The race's bounds: frames while the writer runs, and wall time. */
#define RACE_MAX_RUNS 2000000u
#define RACE_MAX_NS (10ull * 1000 * 1000 * 1000)

/* ---- lib/dp ----------------------------------------------------------------- */

static const struct topo_iface *topo_iface_of(int ifx)
{
	for (size_t i = 0; i < fib_n_topo_ifaces; i++)
		if (fib_topo_ifaces[i].ifx == ifx)
			return &fib_topo_ifaces[i];
	return NULL;
}

static int iface_set(struct env *e, struct dp *dp, int ifx, __u16 mtu)
{
	const struct topo_iface *t = topo_iface_of(ifx);
	struct sluice_iface v = { 0 };

	if (!t)
		return -EINVAL;
	v.mtu = mtu ? mtu : t->mtu;
	v.slot = t->slot;
	memcpy(v.mac, t->mac, 6);
	return dp_iface_set(dp, e->ifindex[ifx], &v);
}

static int nhg_set(struct env *e, struct dp *dp, __u32 id,
		   const struct topo_nh *nhs)
{
	struct sluice_nhg g = { 0 };

	for (int i = 0; i < SLUICE_MAX_ECMP && nhs[i].ifx; i++) {
		struct sluice_nh *nh = &g.nh[i];

		nh->ifindex = e->ifindex[nhs[i].ifx];
		if (nhs[i].gw) {
			nh->family = (__u8)family_of(nhs[i].gw);
			if (pkt_addr(nh->family, nhs[i].gw, nh->gw))
				return -EINVAL;
		}
		g.count++;
	}
	return dp_nhg_set(dp, id, &g);
}

static int neigh_key(struct env *e, int ifx, const char *addr,
		     struct sluice_neigh_key *k)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = e->ifindex[ifx];
	k->family = (__u8)family_of(addr);
	return pkt_addr(k->family, addr, k->addr);
}

/* "addr/plen" into its parts. */
static int prefix_parse(const char *txt, int *family, __u8 *addr,
			unsigned int *plen)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", txt);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	*family = family_of(buf);
	*plen = (unsigned int)atoi(slash + 1);
	return pkt_addr(*family, buf, addr);
}

static int apply(struct env *e, struct dp *dp, const struct fib_change *c)
{
	struct sluice_route rt = { .type = c->type, .nhg_id = c->id };
	struct sluice_neigh_key k;
	struct sluice_neigh v = { 0 };
	unsigned int plen;
	__u8 addr[16];
	int family;

	switch (c->op) {
	case FOP_ROUTE:
	case FOP_ROUTE_DEL:
		if (prefix_parse(c->arg, &family, addr, &plen))
			return -EINVAL;
		return c->op == FOP_ROUTE ?
			       dp_route_set(dp, family, addr, plen, &rt) :
			       dp_route_del(dp, family, addr, plen);
	case FOP_NHG: return nhg_set(e, dp, c->id, c->nh);
	case FOP_NHG_DEL: return dp_nhg_del(dp, c->id);
	case FOP_NEIGH:
	case FOP_NEIGH_DEL:
		if (neigh_key(e, c->ifx, c->arg, &k))
			return -EINVAL;
		memcpy(v.mac, c->mac, 6);
		return c->op == FOP_NEIGH ? dp_neigh_set(dp, &k, &v) :
					    dp_neigh_del(dp, &k);
	case FOP_PORT: return iface_set(e, dp, c->ifx, 0);
	case FOP_PORT_MTU: return iface_set(e, dp, c->ifx, c->mtu);
	case FOP_PORT_DEL: return dp_iface_del(dp, e->ifindex[c->ifx]);
	default: return -EINVAL;
	}
}

/* Each change must return what its row says. */
static bool apply_all(struct env *e, struct dp *dp, const struct fib_change *c,
		      size_t max)
{
	bool ok = true;

	for (size_t i = 0; i < max && c[i].op != FOP_END; i++) {
		int err = apply(e, dp, &c[i]);

		if (err != c[i].err) {
			diag("change %zu (op %u %s, id %u): %s, want %s\n", i,
			     c[i].op, c[i].arg ? c[i].arg : "", c[i].id,
			     strerror(-err), strerror(-c[i].err));
			ok = false;
		}
	}
	return ok;
}

/* The table's own lib/dp with its ports, groups and neighbours. */
static int fib_dp_open(struct env *e, const struct dp_opts *o, bool populate,
		       struct dp **out)
{
	struct sluice_neigh v = { 0 };
	struct sluice_neigh_key k;
	struct dp *dp;
	int err;

	err = dp_open(&dp, o);
	if (err) {
		diag("dp_open: %s\n", strerror(-err));
		return err;
	}
	for (size_t i = 0; populate && !err && i < fib_n_topo_ifaces; i++) {
		err = iface_set(e, dp, fib_topo_ifaces[i].ifx, 0);
		if (!err)
			err = dp_port_set(dp,
					  e->ifindex[fib_topo_ifaces[i].ifx]);
	}
	for (size_t i = 0; populate && !err && i < fib_n_topo_nhgs; i++)
		err = nhg_set(e, dp, fib_topo_nhgs[i].id, fib_topo_nhgs[i].nh);
	for (size_t i = 0; populate && !err && i < fib_n_topo_neighs; i++) {
		const struct topo_neigh *t = &fib_topo_neighs[i];

		err = neigh_key(e, t->ifx, t->addr, &k);
		memcpy(v.mac, t->mac, 6);
		if (!err)
			err = dp_neigh_set(dp, &k, &v);
	}
	if (err) {
		diag("programming the topology: %s\n", strerror(-err));
		dp_close(dp);
		return err;
	}
	*out = dp;
	return 0;
}

/* ---- frames ------------------------------------------------------------------- */

/* The probe's TCP frame from the sender on P0. */
static struct pkt_spec probe_spec(const struct fib_probe *p)
{
	bool v6 = family_of(p->daddr) == AF_INET6;

	return (struct pkt_spec){ .dst = MAC_P0,
				  .src = MAC_H0,
				  .l3 = v6 ? PKT_L3_IP6 : PKT_L3_IP4,
				  .l4 = IPPROTO_TCP,
				  .saddr = v6 ? H0_6 : H0_4,
				  .daddr = p->daddr,
				  .sport = 40000,
				  .dport = 443,
				  .payload = p->payload ? p->payload : 32 };
}

static void probe_one(struct env *e, const struct fib_probe *p,
		      const char *what)
{
	struct fixture fx = { .ingress = IFX_P0,
			      .in = probe_spec(p),
			      .verdict = p->verdict,
			      .reason = p->reason,
			      .routed = p->routed,
			      .out = p->out };
	char name[256];

	if (p->routed)
		snprintf(name, sizeof(name),
			 "%s: %s (%u bytes) to %02x:%02x:%02x:%02x:%02x:%02x "
			 "from %02x:%02x",
			 what, p->daddr, fx.in.payload, p->out.dst[0],
			 p->out.dst[1], p->out.dst[2], p->out.dst[3],
			 p->out.dst[4], p->out.dst[5], p->out.src[4],
			 p->out.src[5]);
	else
		snprintf(name, sizeof(name), "%s: %s (%u bytes) %s", what,
			 p->daddr, fx.in.payload,
			 dp_reason_name((unsigned int)p->reason));
	fx.name = name;
	tap(e, run_fixture(e, &fx), name);
}

static void probe_all(struct env *e, const struct fib_probe *p, size_t max,
		      const char *what)
{
	for (size_t i = 0; i < max && p[i].daddr; i++)
		probe_one(e, &p[i], what);
}

/* ---- 1-3: steps ---------------------------------------------------------------- */

static bool usage_ok(struct env *e, const struct fib_usage_want *w)
{
	struct dp_fib_usage u;

	if (dp_fib_stats(e->dp, &u)) {
		diag("dp_fib_stats failed\n");
		return false;
	}
	if (u.v4_routes == w->v4_routes && u.v6_routes == w->v6_routes &&
	    u.v4_groups == w->v4_groups && u.v6_groups == w->v6_groups)
		return true;
	diag("usage: routes %llu/%llu groups %u/%u (v4/v6), want "
	     "%llu/%llu %u/%u\n",
	     (unsigned long long)u.v4_routes, (unsigned long long)u.v6_routes,
	     u.v4_groups, u.v6_groups, (unsigned long long)w->v4_routes,
	     (unsigned long long)w->v6_routes, w->v4_groups, w->v6_groups);
	return false;
}

static void run_step(struct env *e, const struct fib_step *s)
{
	struct dp_fib_usage before, after;
	char name[200];
	bool ok;

	ok = !dp_fib_stats(e->dp, &before) &&
	     apply_all(e, e->dp, s->change, FIB_MAX_CHANGES) &&
	     !dp_fib_stats(e->dp, &after);
	if (ok && s->same_nhs && after.nhs != before.nhs) {
		diag("fib_nhs entries in use: %u, were %u\n", after.nhs,
		     before.nhs);
		ok = false;
	}
	if (ok && s->usage.check)
		ok = usage_ok(e, &s->usage);
	snprintf(name, sizeof(name), "%s: changes applied%s%s", s->name,
		 s->same_nhs ? ", same fib_nhs count" : "",
		 s->usage.check ? ", usage as expected" : "");
	tap(e, ok, name);
	probe_all(e, s->probe, FIB_MAX_PROBES, s->name);
	if (s->ecmp.n)
		tap(e, run_ecmp(e, &s->ecmp), s->ecmp.name);
}

/* ---- 4: a change while lookups run ------------------------------------------- */

struct race {
	struct env *e;
	struct dp *dp;
	const struct fib_race *r;
	__u8 flip[16], cover[16], inner[16];
	unsigned int flip_plen, cover_plen, inner_plen;
	int err;	     /* the writer's first error */
	unsigned int flips;  /* writer iterations done */
	int seen_both, done; /* atomics */
};

/* Adds (@on) or deletes @addr/@plen, to the /16's group. */
static int race_toggle(struct race *x, const __u8 *addr, unsigned int plen,
		       bool on)
{
	struct sluice_route c = { .type = SLUICE_RT_FORWARD,
				  .nhg_id = x->r->nhg_c };

	return on ? dp_route_set(x->dp, AF_INET, addr, plen, &c) :
		    dp_route_del(x->dp, AF_INET, addr, plen);
}

/* The ECMP group with its first @members members. */
static int race_resize(struct race *x, __u8 members)
{
	struct topo_nh nh[SLUICE_MAX_ECMP] = { 0 };

	memcpy(nh, x->r->ecmp, members * sizeof(nh[0]));
	return nhg_set(x->e, x->dp, x->r->nhg_ecmp, nh);
}

static void *race_writer(void *arg)
{
	struct race *x = arg;
	const struct fib_race *r = x->r;
	struct sluice_route rt = { .type = SLUICE_RT_FORWARD };
	bool covered = false, inner = false;
	unsigned int i, half = r->cover_every / 2;

	/* at least r->flips; more (up to ten times) until all were seen */
	for (i = 0;
	     !x->err && (i < r->flips ||
			 (!__atomic_load_n(&x->seen_both, __ATOMIC_ACQUIRE) &&
			  i < 10 * r->flips));
	     i++) {
		rt.nhg_id = i & 1 ? r->nhg_a : r->nhg_b;
		x->err =
			dp_route_set(x->dp, AF_INET, x->flip, x->flip_plen, &rt) ?:
				race_resize(x, i & 1 ? r->big : r->small);
		if (!x->err && i % r->cover_every == 0) {
			covered = !covered;
			x->err = race_toggle(x, x->cover, x->cover_plen,
					     covered);
		}
		if (!x->err && i % r->cover_every == half) {
			inner = !inner;
			x->err = race_toggle(x, x->inner, x->inner_plen, inner);
		}
	}
	x->flips = i;
	__atomic_store_n(&x->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

enum race_out { R_A, R_B, R_C, R_NONE, R_BIG, R_SMALL, R_OTHER, R_OUTS };

/* A frame and the two outputs it may legitimately have. */
struct race_frame {
	const char *what;
	struct frame in;
	struct frame out[2];
	__u32 verdict[2];
	enum race_out kind[2];
};

struct race_frames {
	struct race_frame flip, cover, ecmp;
	struct run r;
};

static bool same(const struct run *r, __u32 verdict, const struct frame *f)
{
	return !r->err && r->retval == verdict && r->out_len == f->len &&
	       !memcmp(r->out, f->buf, f->len);
}

/* @rf's input to @daddr, and its outputs routed by @x and @y. */
static int race_frame(struct race_frame *rf, const char *daddr,
		      const struct pkt_spec *spec, const struct l2_out *x,
		      const struct l2_out *y, enum race_out kx,
		      enum race_out ky)
{
	static const struct pkt_mut none[PKT_MAX_MUT];
	int err;

	rf->what = daddr;
	rf->kind[0] = kx;
	rf->kind[1] = ky;
	rf->verdict[0] = rf->verdict[1] = XDP_REDIRECT;
	err = pkt_build(spec, &rf->in) ?:
		      build_routed(spec, none, x, 1, &rf->out[0]);
	if (err || !y) { /* no route: the input, untouched */
		rf->out[1] = rf->in;
		rf->verdict[1] = XDP_PASS;
		return err;
	}
	return build_routed(spec, none, y, 1, &rf->out[1]);
}

static int race_frames(const struct fib_race *r, struct race_frames *f)
{
	struct fib_probe pf = { .daddr = r->in_flip },
			 pc = { .daddr = r->in_cover },
			 pe = { .daddr = r->in_ecmp };
	struct pkt_spec sf = probe_spec(&pf), sc = probe_spec(&pc),
			se = probe_spec(&pe);

	/* a flow of the big group's last member, which the small lacks */
	while (ecmp_member(&se, r->big) != r->big - 1u && se.sport < 41000)
		se.sport++;
	if (ecmp_member(&se, r->big) != r->big - 1u)
		return -ENOENT;
	return race_frame(&f->flip, r->in_flip, &sf, &r->out_a, &r->out_b, R_A, R_B) ?:
		       race_frame(&f->cover, r->in_cover, &sc, &r->out_c, NULL, R_C, R_NONE) ?:
		       race_frame(&f->ecmp, r->in_ecmp, &se,
				  &r->ecmp_out[r->big - 1],
				  &r->ecmp_out[ecmp_member(&se, r->small)],
				  R_BIG, R_SMALL);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static void race_run(struct env *e, const struct race_frame *rf, struct run *r,
		     unsigned int *n)
{
	enum race_out o = R_OTHER;

	xdp_run(e->prog_fd, e->ifindex[IFX_P0], rf->in.buf, rf->in.len, 0, 1,
		r);
	for (int i = 0; i < 2; i++)
		if (same(r, rf->verdict[i], &rf->out[i]))
			o = rf->kind[i];
	if (o == R_OTHER && !n[R_OTHER]) {
		diag("a frame to %s: err %d, %s; neither legitimate output:\n",
		     rf->what, r->err, xdp_name(r->retval));
		hexdiff(rf->out[0].buf, rf->out[0].len, r->out, r->out_len);
	}
	n[o]++;
}

/* Runs the frames until the writer is done; counts what came out. */
static void race_read(struct env *e, struct race *x, struct race_frames *f,
		      unsigned int *n)
{
	__u64 end = now_ns() + RACE_MAX_NS;
	unsigned int runs = 0;

	while (!__atomic_load_n(&x->done, __ATOMIC_ACQUIRE) &&
	       runs < RACE_MAX_RUNS && now_ns() < end) {
		race_run(e, &f->flip, &f->r, n);
		race_run(e, &f->cover, &f->r, n);
		race_run(e, &f->ecmp, &f->r, n);
		if (n[R_A] && n[R_B] && n[R_BIG] && n[R_SMALL])
			__atomic_store_n(&x->seen_both, 1, __ATOMIC_RELEASE);
		runs++;
	}
}

/* Exactly the runs seen, under the reasons their outputs say. */
static bool race_counters_ok(struct env *e, const unsigned int *n, __u32 len)
{
	__u32 slot = e->slot[IFX_P0];
	bool ok = true;

	for (__u32 s = 0; s < e->nslots; s++) {
		for (int r = 0; r < SLUICE_REASON_SLOTS; r++) {
			__u64 want = 0, dp, db;

			if (s == slot && r == SLUICE_FWD_REDIRECT)
				want = n[R_A] + n[R_B] + n[R_C] + n[R_BIG] +
				       n[R_SMALL];
			else if (s == slot && r == SLUICE_PASS_NO_ROUTE)
				want = n[R_NONE];
			dp = e->after[s][r].packets - e->before[s][r].packets;
			db = e->after[s][r].bytes - e->before[s][r].bytes;
			if (dp == want && db == want * len)
				continue;
			diag("counter slot %u %s: +%llu packets +%llu bytes, "
			     "want +%llu +%llu\n",
			     s, dp_reason_name(r), (unsigned long long)dp,
			     (unsigned long long)db, (unsigned long long)want,
			     (unsigned long long)want * len);
			ok = false;
		}
	}
	return ok;
}

static void run_race(struct env *e)
{
	static struct race_frames f;
	const struct fib_race *r = &fib_race;
	struct race x = { .e = e, .dp = e->dp, .r = r };
	unsigned int n[R_OUTS] = { 0 };
	struct fib_change first[] = {
		{ .op = FOP_ROUTE,
		  .arg = r->flip,
		  .type = SLUICE_RT_FORWARD,
		  .id = r->nhg_a },
		{ .op = FOP_ROUTE,
		  .arg = r->ecmp_route,
		  .type = SLUICE_RT_FORWARD,
		  .id = r->nhg_ecmp },
	};
	pthread_t th;
	int fam, err;
	bool ok;

	err = race_frames(r, &f)					   ?:
		      prefix_parse(r->flip, &fam, x.flip, &x.flip_plen)	   ?:
		      prefix_parse(r->cover, &fam, x.cover, &x.cover_plen) ?:
		      prefix_parse(r->inner, &fam, x.inner, &x.inner_plen) ?:
		      race_resize(&x, r->big);
	ok = !err && apply_all(e, e->dp, first, 2) &&
	     f.flip.in.len == f.cover.in.len &&
	     f.flip.in.len == f.ecmp.in.len && !snapshot(e, e->before);
	if (ok && (err = pthread_create(&th, NULL, race_writer, &x))) {
		diag("pthread_create: %s\n", strerror(err));
		ok = false;
	}
	if (ok) {
		race_read(e, &x, &f, n);
		pthread_join(th, NULL);
		ok = !snapshot(e, e->after);
	}
	tap(e, ok && !x.err, "fib race: the writer's changes all succeeded");
	if (x.err)
		diag("writer: %s after %u flips\n", strerror(-x.err), x.flips);
	diag("%u flips; /24: %u via A, %u via B; /16: %u via C, %u no route; "
	     "ECMP: %u via the big group, %u via the small; %u other\n",
	     x.flips, n[R_A], n[R_B], n[R_C], n[R_NONE], n[R_BIG], n[R_SMALL],
	     n[R_OTHER]);
	tap(e, ok && !n[R_OTHER],
	    "fib race: every output is one a possible state gives (A or B; "
	    "C or no route; the big or the small group's member)");
	tap(e, ok && n[R_A] && n[R_B] && n[R_BIG] && n[R_SMALL],
	    "fib race: both of the /24's groups and both ECMP sizes were seen");
	tap(e, ok && race_counters_ok(e, n, f.flip.in.len),
	    "fib race: the counters hold exactly the outputs seen");
}

/* ---- 5: restart adoption -------------------------------------------------------- */

static bool usage_same(const struct dp_fib_usage *a,
		       const struct dp_fib_usage *b)
{
	if (a->v4_routes == b->v4_routes && a->v6_routes == b->v6_routes &&
	    a->v4_groups == b->v4_groups && a->v6_groups == b->v6_groups &&
	    a->v4_groups_max == b->v4_groups_max &&
	    a->v6_groups_max == b->v6_groups_max && a->nhgs == b->nhgs &&
	    a->nhs == b->nhs)
		return true;
	diag("before: routes %llu/%llu groups %u/%u of %u/%u nhgs %u nhs %u\n",
	     (unsigned long long)a->v4_routes, (unsigned long long)a->v6_routes,
	     a->v4_groups, a->v6_groups, a->v4_groups_max, a->v6_groups_max,
	     a->nhgs, a->nhs);
	diag("after:  routes %llu/%llu groups %u/%u of %u/%u nhgs %u nhs %u\n",
	     (unsigned long long)b->v4_routes, (unsigned long long)b->v6_routes,
	     b->v4_groups, b->v6_groups, b->v4_groups_max, b->v6_groups_max,
	     b->nhgs, b->nhs);
	return false;
}

/* Runs on e->dp and e->prog_fd set to the pinned dp's. */
static void restart_probe(struct env *e, struct dp *dp, const char *what,
			  const struct fib_probe *p)
{
	e->dp = dp;
	e->prog_fd = dp_xdp_prog_fd(dp);
	probe_all(e, p, (size_t)-1, what);
}

static void run_restart(struct env *e)
{
	struct dp_fib_usage u1 = { 0 }, u2 = { 0 };
	struct dp_opts o = { 0 };
	struct dp *dp = NULL;
	char pin[128];
	bool ok;

	snprintf(pin, sizeof(pin), "/sys/fs/bpf/sluice-fib-test-%d",
		 (int)getpid());
	mkdir(pin, 0700);
	o.pin_dir = pin;
	ok = !fib_dp_open(e, &o, true, &dp) &&
	     apply_all(e, dp, fib_restart_setup, (size_t)-1) &&
	     !dp_fib_stats(dp, &u1);
	tap(e, ok, "fib restart: a table built on pinned maps");
	if (!ok)
		goto out;
	restart_probe(e, dp, "fib restart: before", fib_restart_probes);

	dp_close(dp);
	dp = NULL;
	ok = !fib_dp_open(e, &o, false, &dp) && dp_maps_reused(dp) &&
	     !dp_fib_stats(dp, &u2) && usage_same(&u1, &u2);
	tap(e, ok,
	    "fib restart: dp_open on the same pins adopts the table "
	    "(dp_fib_stats identical)");
	if (!dp)
		goto out;
	restart_probe(e, dp, "fib restart: adopted", fib_restart_probes);
	tap(e, apply_all(e, dp, fib_restart_change, (size_t)-1),
	    "fib restart: changes after the restart succeed");
	restart_probe(e, dp, "fib restart: changed", fib_restart_after);
out:
	if (!dp) /* teardown needs a dp on the pins */
		fib_dp_open(e, &o, false, &dp);
	if (dp) {
		dp_unpin_maps(dp);
		dp_close(dp);
	}
	rmdir(pin);
	tap(e, access(pin, F_OK) != 0, "fib restart: no pin dir left");
}

/* ---- 6: group pool exhaustion ------------------------------------------------------ */

static int small_route(struct dp *dp, unsigned int i, bool add, char *txt,
		       size_t len)
{
	struct sluice_route rt = { .type = SLUICE_RT_FORWARD, .nhg_id = 132 };
	__u8 a[4] = { 198, 19, (__u8)i, 1 };

	snprintf(txt, len, "198.19.%u.1", i);
	return add ? dp_route_set(dp, AF_INET, a, 32, &rt) :
		     dp_route_del(dp, AF_INET, a, 32);
}

static void run_small_pool(struct env *e)
{
	struct dp_opts o = { .fib4_groups = FIB_SMALL_POOL };
	struct fib_probe p = { .verdict = XDP_REDIRECT,
			       .reason = SLUICE_FWD_REDIRECT,
			       .routed = true,
			       .out = { .dst = MAC(0x40, 0x32),
					.src = MAC_P1 } };
	struct fib_probe none = { .verdict = XDP_PASS,
				  .reason = SLUICE_PASS_NO_ROUTE };
	char first[32], last[32], extra[32];
	struct sluice_route rt;
	struct dp_fib_usage u;
	struct dp *dp;
	unsigned int i;
	int err = 0;
	bool ok;

	if (fib_dp_open(e, &o, true, &dp)) {
		tap(e, false, "fib pool: a lib/dp with a small group pool");
		return;
	}
	e->dp = dp;
	e->prog_fd = dp_xdp_prog_fd(dp);
	for (i = 0; !err && i < FIB_SMALL_POOL; i++)
		err = small_route(dp, i, true, i ? last : first,
				  i ? sizeof(last) : sizeof(first));
	tap(e, !err, "fib pool: a /32 under each of 16 /24s: 16 groups");
	if (err)
		diag("route %u: %s\n", i - 1, strerror(-err));
	err = small_route(dp, FIB_SMALL_POOL, true, extra, sizeof(extra));
	if (err != -ENOSPC)
		diag("the 17th: %s, want ENOSPC\n", strerror(-err));
	ok = err == -ENOSPC &&
	     dp_route_get(dp, AF_INET, (__u8[4]){ 198, 19, FIB_SMALL_POOL, 1 },
			  32, &rt) == -ENOENT &&
	     !dp_fib_stats(dp, &u) && u.v4_routes == FIB_SMALL_POOL &&
	     u.v4_groups == FIB_SMALL_POOL && u.v4_groups_max == FIB_SMALL_POOL;
	tap(e, ok,
	    "fib pool: the 17th is refused (ENOSPC), not in the LPM trie, "
	    "usage unchanged");
	p.daddr = first;
	probe_one(e, &p, "fib pool: the first still forwards");
	p.daddr = last;
	probe_one(e, &p, "fib pool: the 16th still forwards");
	none.daddr = extra;
	probe_one(e, &none, "fib pool: the refused one has no route");
	/* a group freed: the refused route fits now */
	err = small_route(dp, 0, false, first, sizeof(first)) ?:
		      small_route(dp, FIB_SMALL_POOL, true, extra,
				  sizeof(extra));
	tap(e, !err, "fib pool: one /32 deleted, the 17th fits");
	p.daddr = extra;
	probe_one(e, &p, "fib pool: it forwards");
	none.daddr = first;
	probe_one(e, &none, "fib pool: the deleted one has no route");
	dp_close(dp);
}

/* ---- 7: the /48 index ---------------------------------------------------------------- */

/* @addr's /48 in the index: its bucket (read into *@bk), and the way that
 * holds it (-1: none) with its tag in *@tag. */
static int p48_find(int fd, unsigned int bits, const char *addr, __u32 *b,
		    struct sluice_fib6_p48_bucket *bk, __u32 *tag)
{
	__u8 a[16];
	__u64 m;

	if (inet_pton(AF_INET6, addr, a) != 1)
		return -1;
	m = sluice_fib6_p48_mix(sluice_fib6_p48_key(a));
	if (!bits) /* no index: the map's one bucket is never written */
		return -1;
	*b = sluice_fib6_p48_bucket(m, bits);
	*tag = sluice_fib6_p48_tag(m, bits);
	if (bpf_map_lookup_elem(fd, b, bk))
		return -1;
	for (int i = 0; i < SLUICE_FIB6_P48_WAYS; i++)
		if (bk->slot[i] && (__u32)(bk->slot[i] >> 32) == *tag)
			return i;
	return -1;
}

/* What the slot of @addr's /48 holds: 0 none, 1 a link, 2 an entry. */
static int p48_kind(int fd, unsigned int bits, const char *addr)
{
	struct sluice_fib6_p48_bucket bk;
	__u32 b, tag;
	int way = p48_find(fd, bits, addr, &b, &bk, &tag);

	if (way < 0)
		return 0;
	return (__u32)bk.slot[way] & SLUICE_FIB_EXT ? 1 : 2;
}

/* A slot for fib_p48_other holding fib_p48_routed's entry, written
 * behind lib/fib's back; the frame must follow it.  Then the bucket as
 * it was, and the frame back on the walk's answer. */
static void p48_plant(struct env *e, int fd, unsigned int bits,
		      const struct fib_probe *back)
{
	struct sluice_fib6_p48_bucket src = { 0 }, bk = { 0 }, saved;
	__u32 b = 0, sb, tag = 0, stag;
	int way, free_way = -1;
	bool ok;

	way = p48_find(fd, bits, fib_p48_routed, &sb, &src, &stag);
	ok = way >= 0 && p48_find(fd, bits, fib_p48_other, &b, &bk, &tag) < 0;
	saved = bk;
	for (int i = 0; ok && i < SLUICE_FIB6_P48_WAYS && free_way < 0; i++)
		if (!bk.slot[i])
			free_way = i;
	ok = ok && free_way >= 0;
	if (ok) {
		bk.slot[free_way] = (__u64)tag << 32 | (__u32)src.slot[way];
		ok = !bpf_map_update_elem(fd, &b, &bk, BPF_ANY);
	}
	tap(e, ok,
	    "fib p48: a slot planted for 2001:db8:8::/48 (a copy of "
	    "2001:db8:7::/48's)");
	if (!ok)
		return;
	probe_one(e, &fib_p48_planted,
		  "fib p48: the planted slot is read by the program");
	tap(e, !bpf_map_update_elem(fd, &b, &saved, BPF_ANY),
	    "fib p48: the bucket restored");
	probe_one(e, back, "fib p48: back on the walk");
}

/* The cases with an index of 2^@bits buckets (0: none, set by
 * @o->fib6_index_off): the same frames, the slots where there are any. */
static void run_p48(struct env *e, const struct dp_opts *o, unsigned int bits)
{
	static const char *const kind[] = { "none", "a link",
					    "a route's entry" };
	struct dp_fib_usage u = { 0 };
	__u32 slots = bits ? SLUICE_FIB6_P48_WAYS << bits : 0;
	char name[240], size[40];
	struct dp *dp;
	int fd, k;
	bool ok;

	snprintf(size, sizeof(size), " [%u index slots]", slots);
	if (fib_dp_open(e, o, true, &dp)) {
		snprintf(name, sizeof(name),
			 "fib p48: a lib/dp of its own with the topology%s",
			 size);
		tap(e, false, name);
		return;
	}
	e->dp = dp;
	e->prog_fd = dp_xdp_prog_fd(dp);
	fd = dp_fd(dp, DP_MAP_FIB6_P48);
	ok = !dp_fib_stats(dp, &u) && u.v6_index_slots_max == slots;
	snprintf(name, sizeof(name),
		 "fib p48: the status reports %u slots of the index (has "
		 "%u)%s",
		 slots, u.v6_index_slots_max, size);
	tap(e, ok, name);
	for (size_t i = 0; i < fib_n_p48_cases; i++) {
		const struct fib_p48_case *c = &fib_p48_cases[i];
		int want = bits ? c->slot : 0;

		snprintf(name, sizeof(name), "%s%s", c->name, size);
		tap(e, apply_all(e, dp, c->change, FIB_MAX_CHANGES), name);
		k = p48_kind(fd, bits, fib_p48_routed);
		snprintf(name, sizeof(name),
			 "%s: the slot of 2001:db8:7::/48 holds %s (has %s)%s",
			 c->name, kind[want], kind[k], size);
		tap(e, k == want, name);
		snprintf(name, sizeof(name), "%s%s", c->name, size);
		probe_all(e, c->probe, FIB_MAX_PROBES, name);
		if (i == 0 && bits) /* B32 is the first case's last probe */
			p48_plant(e, fd, bits, &c->probe[2]);
	}
	dp_close(dp);
}

/* ---- all ---------------------------------------------------------------------------- */

void fib_run_all(struct env *e)
{
	struct dp *main_dp = e->dp, *dp;
	int main_fd = e->prog_fd;
	struct lb_env *quiet = e->lb_quiet;

	e->lb_quiet = NULL;
	if (fib_dp_open(e, &(struct dp_opts){ 0 }, true, &dp)) {
		tap(e, false, "fib: a lib/dp of its own with the topology");
	} else {
		e->dp = dp;
		e->prog_fd = dp_xdp_prog_fd(dp);
		for (size_t i = 0; i < fib_n_steps; i++)
			run_step(e, &fib_steps[i]);
		run_race(e);
		dp_close(dp);
	}
	run_restart(e);
	run_small_pool(e);
	run_p48(e, &(struct dp_opts){ 0 }, SLUICE_FIB6_P48_BITS);
	/* sluiced's fib.v6_index_slots: the smallest index, and none */
	run_p48(e,
		&(struct dp_opts){ .fib6_index_slots =
					   SLUICE_FIB6_P48_SLOTS_MIN },
		SLUICE_FIB6_P48_BITS_MIN);
	run_p48(e, &(struct dp_opts){ .fib6_index_off = true }, 0);
	e->dp = main_dp;
	e->prog_fd = main_fd;
	e->lb_quiet = quiet;
}
