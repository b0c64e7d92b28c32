// SPDX-License-Identifier: BSD-2-Clause
/*
 * route_v4 against the size of the table: the real sluice XDP program,
 * loaded twice through lib/dp (no pinning, LB off at load time, as
 * pktcost.c's router), the same 65536 IPv4 frames through both.
 *  - "1 route": 0.0.0.0/0 via the gateway;
 *  - "1M routes": 1,000,000 internet-like prefixes (routegen_v4) via the
 *    same gateway, loaded through dp_route_set (timed: routes/s), the
 *    group pool sized for the prefixes longer than /24.
 * Both are loaded afresh for every repetition (tables_open()).
 * Each frame's destination is drawn inside one of the 1M routes, so it
 * hits a loaded route in both tables (the big one has no default: a miss
 * would be pass_no_route).  Every call: XDP_REDIRECT and the routed frame
 * (gateway MAC, our MAC, TTL - 1, checksum) built here; every figure:
 * fwd_redirect grew by the runs, no other counter moved.  The ratio is
 * taken per repetition from the two figures measured back to back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include "dp.h"
#include "fibcost.h"
#include "routegen.h"

#define FR_ROUTES 1000000u
#define FR_SMOKE_ROUTES 1000u
#define FR_SEED 0x5eed0004ull
#define SLOT_IN 1
#define SLOT_OUT 2
#define N_SLOTS 3

static const __u8 mac_client[6] = { 0x02, 0, 0, 0, 0xb0, 0x02 };
static const __u8 mac_in[6] = { 0x02, 0, 0, 0, 0xb0, 0x01 };
static const __u8 mac_out[6] = { 0x02, 0, 0, 0, 0xb1, 0x01 };
static const __u8 mac_gw[6] = { 0x02, 0, 0, 0, 0xb1, 0x02 };
static const __u8 gw[4] = { 198, 18, 1, 2 };

typedef struct sluice_counter counters_t[N_SLOTS][SLUICE_REASON_SLOTS];

struct fr_table {
	struct dp *dp;
	struct fig *fig;
	int idle; /* the idle veth it is attached to (fc_attach_idle) */
	counters_t before, after;
};

/* Ports, next-hop group 1 via 198.18.1.2 (resolved), nothing routed. */
static int fr_open(struct fc_env *e, __u32 groups, struct dp **out)
{
	struct sluice_iface in = { .mtu = 1500, .slot = SLOT_IN };
	struct sluice_iface o = { .mtu = 1500, .slot = SLOT_OUT };
	struct sluice_nhg g = { .count = 1 };
	struct sluice_neigh_key nk = { .ifindex = e->ifout, .family = AF_INET };
	struct sluice_neigh nv = { 0 };
	struct dp *dp = NULL;
	int err;

	/* IPv6 is not routed here: a token pool */
	err = dp_open(&dp, &(struct dp_opts){ .lb_disabled = true,
					      .fib4_groups = groups,
					      .fib6_groups = 16 });
	if (err)
		return err;
	memcpy(in.mac, mac_in, 6);
	memcpy(o.mac, mac_out, 6);
	g.nh[0] = (struct sluice_nh){ .ifindex = e->ifout, .family = AF_INET };
	memcpy(g.nh[0].gw, gw, 4);
	memcpy(nk.addr, gw, 4);
	memcpy(nv.mac, mac_gw, 6);
	err = dp_iface_set(dp, e->ifin, &in)	     ?:
		      dp_iface_set(dp, e->ifout, &o) ?:
		      dp_port_set(dp, e->ifin)	     ?:
		      dp_port_set(dp, e->ifout)	     ?:
		      dp_nhg_set(dp, 1, &g)	     ?:
						       dp_neigh_set(dp, &nk, &nv);
	if (err) {
		dp_close(dp);
		return err;
	}
	*out = dp;
	return 0;
}

static int snapshot(struct dp *dp, counters_t c)
{
	for (__u32 s = 0; s < N_SLOTS; s++) {
		int err = dp_stats_read(dp, s, c[s]);

		if (err)
			return err;
	}
	return 0;
}

/* Exactly @runs packets of @len bytes under (SLOT_IN, fwd_redirect). */
static bool counters_ok(struct fr_table *t, unsigned long long runs, __u32 len)
{
	for (__u32 s = 0; s < N_SLOTS; s++) {
		for (int r = 0; r < SLUICE_REASON_SLOTS; r++) {
			bool mine = s == SLOT_IN && r == SLUICE_FWD_REDIRECT;
			__u64 dp = t->after[s][r].packets -
				   t->before[s][r].packets;
			__u64 db = t->after[s][r].bytes - t->before[s][r].bytes;

			if (dp == (mine ? runs : 0) &&
			    db == (mine ? runs * len : 0))
				continue;
			fig_invalid(t->fig,
				    "counter slot %u %s: +%llu packets, want "
				    "+%llu",
				    s, dp_reason_name((unsigned)r),
				    (unsigned long long)dp, mine ? runs : 0ull);
			return false;
		}
	}
	return true;
}

static bool measure(struct fc_env *e, struct fr_table *t,
		    const struct fc_frames *fr, double *ns)
{
	if (t->fig->invalid)
		return false;
	if (snapshot(t->dp, t->before)) {
		fig_invalid(t->fig, "cannot read the counters");
		return false;
	}
	if (!fc_single(e, t->fig, dp_xdp_prog_fd(t->dp), XDP_REDIRECT, fr, ns))
		return false;
	if (snapshot(t->dp, t->after)) {
		fig_invalid(t->fig, "cannot read the counters");
		return false;
	}
	/* every frame has the same length */
	if (!counters_ok(t, t->fig->runs, fr->inlen[0]))
		return false;
	fig_add(t->fig, *ns);
	return true;
}

static int frames(struct fc_env *e, const struct rg_route *rt, size_t n,
		  struct fc_frames *fr)
{
	__u64 rng = FR_SEED ^ 0xf10a5ull;
	struct flow f = { .family = AF_INET,
			  .proto = IPPROTO_UDP,
			  .ttl = 64,
			  .payload = 18,
			  .dport = 53,
			  .saddr = { 198, 18, 0, 2 } };
	int len;

	memcpy(f.dmac, mac_in, 6);
	memcpy(f.smac, mac_client, 6);
	for (unsigned int i = 0; i < e->flows; i++) {
		routegen_dest(&rt[rg_next(&rng) % n], 4, &rng, f.daddr);
		f.sport = (__u16)(1024 + i % 50000);
		len = frame_build(&f, fr->in[i], FRAME_MAX);
		if (len < 0)
			return len;
		fr->inlen[i] = (__u32)len;
		len = frame_routed(&f, 1, mac_gw, mac_out, fr->exp[i],
				   FRAME_MAX);
		if (len < 0)
			return len;
		fr->explen[i] = (__u32)len;
	}
	return 0;
}

/* The load figure: dp_route_set of every route, once per repetition. */
static struct fig *load_fig(size_t n, const char *size)
{
	char name[48];
	struct fig *f;

	snprintf(name, sizeof(name), "route_v4_load_%s", size);
	f = fig_new("fibcost", name, 0, "routes/s");
	snprintf(f->label, sizeof(f->label),
		 "%zu IPv4 routes into the compiled table via dp_route_set", n);
	snprintf(f->method, sizeof(f->method),
		 "wall time of dp_route_set() for each route (LPM trie + "
		 "table) into a freshly loaded object, once per repetition");
	snprintf(f->check, sizeof(f->check),
		 "dp_fib_stats(): every route in the table");
	f->runs = n;
	return f;
}

/* dp_route_set of every route, timed into @f; the table's usage in the
 * detail (the last repetition's). */
static int load(struct fr_table *t, const struct rg_route *rt, size_t n,
		struct fig *f)
{
	struct sluice_route r = { .type = SLUICE_RT_FORWARD, .nhg_id = 1 };
	struct dp_fib_usage u;
	long long trie;
	double t0, dt;
	int err = 0;

	t0 = now_ns();
	for (size_t i = 0; i < n && !err; i++)
		err = dp_route_set(t->dp, AF_INET, rt[i].addr, rt[i].plen, &r);
	dt = now_ns() - t0;
	if (err) {
		fig_invalid(f, "dp_route_set: %s", strerror(-err));
		return err;
	}
	err = dp_fib_stats(t->dp, &u);
	if (err || u.v4_routes != n) {
		fig_invalid(f, "dp_fib_stats: %s, %llu routes", strerror(-err),
			    (unsigned long long)u.v4_routes);
		return err ?: -EBADMSG;
	}
	trie = map_memlock(dp_map_fd(t->dp, DP_MAP_ROUTES_V4));
	snprintf(f->extra, sizeof(f->extra),
		 "{\"routes\": %zu, \"seconds\": %.3f, \"groups_used\": %u, "
		 "\"groups_max\": %u, \"root_bytes\": %u, "
		 "\"groups_used_bytes\": %llu, \"groups_pool_bytes\": %llu, "
		 "\"lpm_trie_memlock_bytes\": %lld, \"len_8_15\": %zu, "
		 "\"len_16_23\": %zu, \"len_24\": %zu, \"len_25_32\": %zu}",
		 n, dt / 1e9, u.v4_groups, u.v4_groups_max,
		 SLUICE_FIB_ROOT_SIZE * 4,
		 (unsigned long long)u.v4_groups * SLUICE_FIB_GROUP_SIZE * 4,
		 (unsigned long long)u.v4_groups_max * SLUICE_FIB_GROUP_SIZE *
			 4,
		 trie, routegen_count_len(rt, n, 0, 15),
		 routegen_count_len(rt, n, 16, 23),
		 routegen_count_len(rt, n, 24, 24),
		 routegen_count_len(rt, n, 25, 32));
	fig_add(f, (double)n / (dt / 1e9));
	note("fibcost: %zu IPv4 routes loaded in %.2f s; table: %u of %u "
	     "groups, %.1f MiB (root %u MiB), LPM trie %.1f MiB",
	     n, dt / 1e9, u.v4_groups, u.v4_groups_max,
	     (double)u.v4_groups * 1024 / 1048576 + 64, 64u,
	     (double)trie / 1048576);
	return 0;
}

static void describe(struct fr_table *t, const char *what)
{
	snprintf(t->fig->label, sizeof(t->fig->label),
		 "route IPv4 (LB off at load time), %s", what);
	fc_describe_single(t->fig);
	snprintf(t->fig->check, sizeof(t->fig->check),
		 "every call: XDP_REDIRECT, output = routed frame built here "
		 "(MACs, TTL-1, checksum); per figure: fwd_redirect +runs "
		 "exactly, nothing else");
}

/* Both objects loaded afresh and attached to idle veths: each
 * repetition draws its own placement of the tables in memory (which moves
 * a 64k-flow figure more than the table's size does on this VM). */
static int tables_open(struct fc_env *e, struct fr_table *one,
		       struct fr_table *full, const struct rg_route *rt,
		       size_t n, struct fig *loadf)
{
	struct sluice_route r = { .type = SLUICE_RT_FORWARD, .nhg_id = 1 };
	static const __u8 any[4];
	int err;

	/* one group per prefix longer than /24, at most */
	err = fr_open(e, 1024, &one->dp) ?:
					   fr_open(e,
						   (__u32)routegen_count_len(rt, n, 25, 32) + 1024,
						   &full->dp);
	if (err) {
		note("fibcost: dp_open: %s", strerror(-err));
		return err;
	}
	err = dp_route_set(one->dp, AF_INET, any, 0, &r) ?:
		      load(full, rt, n, loadf);
	if (err) {
		note("fibcost: loading the routes: %s", strerror(-err));
		return err;
	}
	/* the first repetition takes two idle veths, the others reuse them */
	for (int i = 0; i < 2 && !err; i++) {
		struct fr_table *t = i ? full : one;
		int fd = dp_xdp_prog_fd(t->dp);

		if (t->idle > 0) {
			err = fc_reattach_idle(t->idle, fd);
		} else {
			t->idle = fc_attach_idle(e, fd);
			err = t->idle < 0 ? t->idle : 0;
		}
	}
	if (err)
		note("fibcost: attaching to idle veths: %s", strerror(-err));
	return err;
}

static void tables_close(struct fr_table *one, struct fr_table *full)
{
	struct fr_table *t[2] = { one, full };

	for (int i = 0; i < 2; i++) {
		fc_detach_idle(t[i]->idle); /* the veth stays ours */
		dp_close(t[i]->dp);
		t[i]->dp = NULL;
	}
}

static int measure_all(struct fc_env *e, struct fr_table *one,
		       struct fr_table *full, const struct rg_route *rt,
		       size_t n, const struct fc_frames *fr, const char *size)
{
	struct fig *ratio, *loadf = load_fig(n, size);
	char name[48];
	int err = 0;

	snprintf(name, sizeof(name), "route_v4_%s_vs_1", size);
	ratio = fig_new("fibcost", name, e->flows, "ratio");
	snprintf(ratio->label, sizeof(ratio->label),
		 "route_v4 with %s routes / route_v4 with 1 route", size);
	snprintf(ratio->method, sizeof(ratio->method),
		 "per repetition (both objects loaded afresh for each), the "
		 "two figures measured back to back (order alternating)");
	for (unsigned int rep = 0; rep < e->o->reps && !err; rep++) {
		struct fr_table *a = rep % 2 ? full : one;
		struct fr_table *b = rep % 2 ? one : full;
		double na, nb;

		err = tables_open(e, one, full, rt, n, loadf);
		if (err) {
			fig_invalid(ratio, "loading: %s", strerror(-err));
		} else if (!fc_pass_batch(e) || !measure(e, a, fr, &na) ||
			   !measure(e, b, fr, &nb)) {
			fig_invalid(ratio, "a figure is INVALID");
			err = -EBADMSG;
		} else {
			fig_add(ratio, rep % 2 ? na / nb : nb / na);
		}
		tables_close(one, full);
	}
	fig_tap(loadf, "figure (routes counted back)");
	fc_measured(one->fig);
	fc_measured(full->fig);
	fc_measured(ratio);
	fig_tap(one->fig, "path check");
	fig_tap(full->fig, "path check");
	fig_tap(ratio, "figure (both path-checked)");
	return err;
}

int fibroute_run(struct fc_env *e)
{
	size_t n = e->o->smoke ? FR_SMOKE_ROUTES : FR_ROUTES;
	struct fr_table one = { 0 }, full = { 0 };
	struct rg_route *rt = calloc(n, sizeof(*rt));
	struct fc_frames fr = { 0 };
	char size[16], name[48], what[40];
	int err;

	fc_size_name(n, size, sizeof(size));
	err = !rt ? -ENOMEM : routegen_v4(rt, n, FR_SEED);
	err = err ?: fc_frames_alloc(&fr, e->flows);
	err = err ?: frames(e, rt, n, &fr);
	if (err) {
		note("fibcost: route set and frames: %s", strerror(-err));
		goto out;
	}
	one.fig = fig_new("fibcost", "route_v4_1", e->flows, "ns/packet");
	describe(&one, "1 route (0.0.0.0/0)");
	snprintf(name, sizeof(name), "route_v4_%s", size);
	full.fig = fig_new("fibcost", name, e->flows, "ns/packet");
	snprintf(what, sizeof(what), "%s internet-like routes", size);
	describe(&full, what);
	err = measure_all(e, &one, &full, rt, n, &fr, size);
out:
	fc_frames_free(&fr);
	free(rt);
	return err;
}
