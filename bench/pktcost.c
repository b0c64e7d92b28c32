// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-packet cost of each path with BPF_PROG_TEST_RUN, every figure path-
 * checked.
 *
 * The real XDP object is loaded twice through lib/dp (no pinning): once
 * with the load balancer switched off at load time (the pure router: the
 * route_v4/route_v6 figures) and once with it on and eight VIPs configured
 * (nonvip_v4: router traffic through the whole pipeline; lb_syn_v4 and
 * lb_est_v4: a VIP's new and established flows; a SYN of a flow the table
 * knows is a hit, so lb_syn_v4 deletes its flows' entries at the start of
 * each pass over them, outside the timing: forget_flows()).  Both get the same router
 * tables: 65536 IPv4 /32 and 65536 IPv6 /64 routes, so a figure with 64k
 * flows sends every packet to another route.  The floors are bench/
 * xdp_floor.bpf.c's XDP_PASS and MAC-swap XDP_TX.
 *
 * Two methods, because test_run with repeat > 1 reruns the program on the
 * buffer the previous run rewrote (docs/performance.md):
 *  - batch (group pktcost_batch): the floors and the router paths, one
 *    flow, repeat 254 per call on a frame sent with TTL 255.  Each forward
 *    decrements the TTL, and the gateway's MAC is our ingress port's, so
 *    the routed frame is again one for us: all 254 runs forward, and the
 *    output must be the frame with TTL 1.  Warm caches; test_run's own
 *    timing overhead is amortised.
 *  - single (group pktcost): every path and flow count, repeat 1 per call
 *    on a fresh frame, the flow changing every call.  The only way for
 *    what encapsulates (a second run would see the IPIP packet), and with
 *    1k/64k flows every packet is another flow, so cache effects show.  A
 *    call at repeat 1 carries test_run's per-call overhead (a clock read,
 *    bh disable/enable: ~40 ns here), so each call is followed by an
 *    XDP_PASS call on the same frame and the figure is mean(path) -
 *    mean(XDP_PASS at repeat 1) + XDP_PASS's batch figure of the same
 *    repetition.  The overhead itself is reported.  A pair of calls in
 *    which either took more than 50 us (preempted or interrupted) is left
 *    out of the means and counted (dropped_calls in the JSON).  It comes out higher
 *    than batch for the same work (tens of ns here): each run starts
 *    right after a syscall, with colder caches and branch predictors.
 *
 * Path checks, every call: test_run succeeded, the verdict, and the output
 * bytes against a frame built independently (frame.c, Maglev model from
 * lib/maglev and the shared flow hash).  Every figure: the stats counter of
 * the intended reason grew by exactly the number of runs and no other
 * counter moved; for the LB, the VIP's new_flows / flow_hits / packets
 * grew by exactly the runs as well.  A failed check makes the figure
 * INVALID.
 *
 * All programs under test are attached (native XDP) to idle veths of the
 * namespace: that keeps them in the kernel's XDP dispatcher, so a test_run
 * call with repeat > 1 does not have to add and remove the program from it
 * (two RCU grace periods, ~20 ms per call here) and every call, whatever
 * its repeat, reaches the program by the same direct call.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <uapi/sluice/flow_hash.h>
#include "bench.h"
#include "dp.h"
#include "maglev.h"
#include "testrun.h"
#include "floor.h"

#define BATCH 254 /* TTL 255 allows 254 forwards of one buffer */
/* A single run that took this long was preempted or interrupted between
 * test_run's clock reads: left out of the mean (and counted).  Batches
 * need no such rule: test_run stops its clock when it reschedules. */
#define PREEMPTED_NS 50000u
#define N_FLOWS 3
#define MAX_FLOWS 65536
#define N_BACKENDS 16
#define N_VIPS 8
#define RING_M 65537u
#define SLOT_IN 1
#define SLOT_OUT 2
#define N_SLOTS 3

static const unsigned int flow_counts[N_FLOWS] = { 1, 1024, 65536 };

static const __u8 mac_client[6] = { 0x02, 0, 0, 0, 0xb0, 0x02 };
static const __u8 mac_in[6] = { 0x02, 0, 0, 0, 0xb0, 0x01 };
static const __u8 mac_out[6] = { 0x02, 0, 0, 0, 0xb1, 0x01 };
/* The routes' gateway has the MAC of our own ingress port: a routed frame
 * is then addressed to us again, which is what lets one buffer be routed
 * 254 times in a batch (the data path never compares the two). */
static const __u8 mac_gw[6] = { 0x02, 0, 0, 0, 0xb0, 0x01 };
static const __u8 mac_backend[6] = { 0x02, 0, 0, 0, 0x50, 0x00 };

enum kind {
	K_PASS,
	K_SWAP,
	K_ROUTE4,
	K_ROUTE6,
	K_NONVIP4,
	K_LB_SYN4,
	K_LB_EST4
};

struct path {
	const char *name;
	const char *label;
	enum kind kind;
	bool batch; /* restorable: batch of 254 with 1 flow */
};

static const struct path paths[] = {
	{ "xdp_pass", "floor: XDP_PASS", K_PASS, true },
	{ "xdp_macswap_tx", "floor: MAC swap, XDP_TX", K_SWAP, true },
	{ "route_v4", "route IPv4 (LB off at load time)", K_ROUTE4, true },
	{ "route_v6", "route IPv6 (LB off at load time)", K_ROUTE6, true },
	{ "nonvip_v4", "route IPv4, full pipeline, 8 VIPs", K_NONVIP4, true },
	{ "lb_syn_v4", "LB new flow (SYN), IPIP", K_LB_SYN4, false },
	{ "lb_est_v4", "LB established flow (ACK), IPIP", K_LB_EST4, false },
};
#define N_PATHS (sizeof(paths) / sizeof(paths[0]))

typedef struct sluice_counter counters_t[N_SLOTS][SLUICE_REASON_SLOTS];

struct env {
	const struct bench_opts *o;
	struct dp *dpr; /* router, LB off at load time */
	struct dp *dpl; /* router + LB, VIPs configured */
	struct dp_floor *floor;
	__u32 ifin, ifout;
	int fd_pass, fd_swap;
	__u32 *ring; /* VIP 1's Maglev table as installed */
	__u8 backend_addr[N_BACKENDS + 1][4];
	double pass_batch; /* this repetition's XDP_PASS batch figure */
	bool have_pass_batch;
	/* the frames of one figure */
	__u8 (*in)[FRAME_MAX];
	__u32 *inlen;
	__u8 (*exp)[FRAME_MAX];
	__u32 *explen;
	struct sluice_flow_key *keys; /* lb_syn_v4: the entry to forget */
	counters_t before, after;
};

/* ---- setup ------------------------------------------------------------------ */

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc) {
		fprintf(stderr, "sluice-bench: '%s' failed\n", cmd);
		return -EIO;
	}
	return 0;
}

static int write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(s, f) < 0)
		err = -EIO;
	if (fclose(f))
		err = -errno;
	return err;
}

/* A namespace of our own: the devices stay down, IPv6 is off, so no frame
 * ever reaches the attached programs and only test_run moves counters. */
static int make_netns(struct env *e)
{
	static const char *const cmds[] = {
		"ip link add b0 type veth peer name b0p",
		"ip link add b1 type veth peer name b1p",
		"for i in 0 1 2 3; do ip link add h$i type veth peer name h${i}p; done",
	};
	int err;

	if (unshare(CLONE_NEWNET))
		return -errno;
	write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		err = sh(cmds[i]);
		if (err)
			return err;
	}
	e->ifin = if_nametoindex("b0");
	e->ifout = if_nametoindex("b1");
	return e->ifin && e->ifout ? 0 : -ENODEV;
}

static void v4(__u8 *a, __u8 b0, __u8 b1, __u8 b2, __u8 b3)
{
	memset(a, 0, 16);
	a[0] = b0;
	a[1] = b1;
	a[2] = b2;
	a[3] = b3;
}

/* 2001:db8:100:i::, the /64 of IPv6 route i */
static void v6_route(__u8 *a, unsigned int i)
{
	static const __u8 base[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00 };

	memcpy(a, base, 16);
	a[6] = (__u8)(i >> 8);
	a[7] = (__u8)i;
}

static int setup_router(struct env *e, struct dp *dp)
{
	struct sluice_iface in = { .mtu = 1500, .slot = SLOT_IN };
	struct sluice_iface out = { .mtu = 1500, .slot = SLOT_OUT };
	struct sluice_nhg g = { .count = 1 };
	struct sluice_route rt = { .type = SLUICE_RT_FORWARD };
	struct sluice_neigh_key nk = { .ifindex = e->ifout };
	struct sluice_neigh nv = { 0 };
	__u8 a[16];
	int err;

	memcpy(in.mac, mac_in, 6);
	memcpy(out.mac, mac_out, 6);
	err = dp_iface_set(dp, e->ifin, &in)	       ?:
		      dp_iface_set(dp, e->ifout, &out) ?:
		      dp_port_set(dp, e->ifin)	       ?:
		      dp_port_set(dp, e->ifout);
	if (err)
		return err;

	/* 1: via 198.18.1.2, 2: via 2001:db8:1::2, 3: on-link (backends) */
	g.nh[0] = (struct sluice_nh){ .ifindex = e->ifout, .family = AF_INET };
	v4(g.nh[0].gw, 198, 18, 1, 2);
	err = dp_nhg_set(dp, 1, &g);
	g.nh[0] = (struct sluice_nh){ .ifindex = e->ifout, .family = AF_INET6 };
	parse_addr("2001:db8:1::2", &(int){ 0 }, g.nh[0].gw);
	err = err ?: dp_nhg_set(dp, 2, &g);
	g.nh[0] = (struct sluice_nh){ .ifindex = e->ifout };
	err = err ?: dp_nhg_set(dp, 3, &g);
	if (err)
		return err;

	for (unsigned int i = 0; i < MAX_FLOWS && !err; i++) {
		rt.nhg_id = 1;
		v4(a, 198, 19, (__u8)(i >> 8), (__u8)i);
		err = dp_route_set(dp, AF_INET, a, 32, &rt);
		rt.nhg_id = 2;
		v6_route(a, i);
		err = err ?: dp_route_set(dp, AF_INET6, a, 64, &rt);
	}
	rt.nhg_id = 3;
	v4(a, 198, 18, 50, 0);
	err = err ?: dp_route_set(dp, AF_INET, a, 24, &rt);
	if (err)
		return err;

	memcpy(nv.mac, mac_gw, 6);
	nk.family = AF_INET;
	v4(nk.addr, 198, 18, 1, 2);
	err = dp_neigh_set(dp, &nk, &nv);
	nk.family = AF_INET6;
	parse_addr("2001:db8:1::2", &(int){ 0 }, nk.addr);
	err = err ?: dp_neigh_set(dp, &nk, &nv);
	for (unsigned int b = 1; b <= N_BACKENDS && !err; b++) {
		nk.family = AF_INET;
		v4(nk.addr, 198, 18, 50, (__u8)b);
		memcpy(nv.mac, mac_backend, 6);
		nv.mac[5] = (__u8)b;
		err = dp_neigh_set(dp, &nk, &nv);
	}
	return err;
}

static int setup_lb(struct env *e)
{
	struct sluice_lb_config cfg = { .have_src4 = 1 };
	struct maglev_backend mb[N_BACKENDS];
	int err = 0;

	v4(cfg.src4, 198, 18, 200, 0);
	err = dp_lb_config_set(e->dpl, &cfg);
	for (unsigned int b = 1; b <= N_BACKENDS && !err; b++) {
		struct sluice_backend be = { .family = AF_INET };
		__u8 id[5] = { 4 };

		v4(be.addr, 198, 18, 50, (__u8)b);
		memcpy(e->backend_addr[b], be.addr, 4);
		memcpy(id + 1, be.addr, 4);
		mb[b - 1] = (struct maglev_backend){
			.key = maglev_key(id, sizeof(id)),
			.weight = 1,
			.value = b,
		};
		err = dp_backend_set(e->dpl, b, &be);
	}
	e->ring = calloc(RING_M, sizeof(*e->ring));
	if (!e->ring)
		return -ENOMEM;
	err = err ?: maglev_build(mb, N_BACKENDS, RING_M, e->ring);
	for (__u32 v = 1; v <= N_VIPS && !err; v++) {
		struct sluice_vip_key k = { .port = htons(80),
					    .proto = IPPROTO_TCP,
					    .family = AF_INET };
		struct sluice_vip vip = { .vip_id = v, .ring_size = RING_M };

		v4(k.addr, 198, 18, 100, (__u8)v);
		err = dp_ring_install(e->dpl, v, RING_M, e->ring) ?:
			      dp_vip_set(e->dpl, &k, &vip);
	}
	return err;
}

static int attach_idle(struct env *e)
{
	enum dp_xdp_mode got;
	bool adopted;
	int err;

	err = dp_attach(e->dpr, (int)if_nametoindex("h0"), "h0", DP_XDP_NATIVE, &got, &adopted) ?:
		      dp_attach(e->dpl, (int)if_nametoindex("h1"), "h1",
				DP_XDP_NATIVE, &got, &adopted);
	if (err)
		return err;
	if (bpf_xdp_attach((int)if_nametoindex("h2"), e->fd_pass,
			   XDP_FLAGS_DRV_MODE, NULL) ||
	    bpf_xdp_attach((int)if_nametoindex("h3"), e->fd_swap,
			   XDP_FLAGS_DRV_MODE, NULL))
		return -errno;
	return 0;
}

static int setup(struct env *e)
{
	int err = make_netns(e);

	if (err) {
		note("cannot make the namespace: %s", strerror(-err));
		return err;
	}
	err = dp_open(&e->dpr, &(struct dp_opts){ .lb_disabled = true });
	/* the flow table of a default sluiced (lb.max_flows unset:
	 * SLUICE_LB_MAX_FLOWS), which users run: 16 MiB of slots */
	err = err ?: dp_open(&e->dpl, &(struct dp_opts){ 0 });
	if (err) {
		note("dp_open: %s", strerror(-err));
		return err;
	}
	e->floor = dp_floor_open();
	if (!e->floor) {
		err = -errno;
		note("cannot load xdp_floor: %s", strerror(-err));
		return err;
	}
	e->fd_pass = dp_floor_pass_fd(e->floor);
	e->fd_swap = dp_floor_macswap_fd(e->floor);
	err = setup_router(e, e->dpr) ?: setup_router(e, e->dpl) ?: setup_lb(e);
	if (err) {
		note("programming the tables: %s", strerror(-err));
		return err;
	}
	err = attach_idle(e);
	if (err)
		note("attaching to idle veths: %s", strerror(-err));
	return err;
}

/* What setup() made; the frames stay. */
static void unload(struct env *e)
{
	dp_floor_close(e->floor);
	dp_close(e->dpl);
	dp_close(e->dpr);
	free(e->ring);
	e->floor = NULL;
	e->dpl = e->dpr = NULL;
	e->ring = NULL;
}

static void teardown(struct env *e)
{
	unload(e);
	free(e->in);
	free(e->inlen);
	free(e->exp);
	free(e->explen);
	free(e->keys);
}

/* ---- frames ------------------------------------------------------------------- */

static void flow_of(enum kind k, unsigned int i, bool batch, struct flow *f)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->dmac, mac_in, 6);
	memcpy(f->smac, mac_client, 6);
	f->ttl = batch ? 255 : 64;
	f->family = AF_INET;
	f->proto = IPPROTO_UDP;
	f->payload = 18; /* 60-byte IPv4 frames */
	f->sport = (__u16)(1024 + i % 50000);
	f->dport = 53;
	switch (k) {
	case K_ROUTE6:
		f->family = AF_INET6;
		parse_addr("2001:db8::2", &(int){ 0 }, f->saddr);
		v6_route(f->daddr, i);
		f->daddr[15] = 1;
		break;
	case K_LB_SYN4:
	case K_LB_EST4:
		f->proto = IPPROTO_TCP;
		f->tcp_flags = k == K_LB_SYN4 ? 0x02 : 0x10;
		f->payload = 6;
		v4(f->saddr, 198, 19, (__u8)(i >> 8), (__u8)i);
		v4(f->daddr, 198, 18, 100, 1);
		f->sport = (__u16)(32768 + i % 1000);
		f->dport = 80;
		break;
	default:
		v4(f->saddr, 198, 18, 0, 2);
		v4(f->daddr, 198, 19, (__u8)(i >> 8), (__u8)i);
		break;
	}
}

/* The flow hash as the data path computes it (uapi flow_hash.h). */
static __u32 lb_hash_of(const struct flow *f)
{
	__u32 s, d,
		ports = (__u32)htons(f->sport) | (__u32)htons(f->dport) << 16;

	memcpy(&s, f->saddr, 4);
	memcpy(&d, f->daddr, 4);
	return sluice_flow_hash(&s, &d, 1, ports, f->proto);
}

static int expected(struct env *e, enum kind k, const struct flow *f,
		    const __u8 *in, __u32 inlen, bool batch, __u8 *out)
{
	switch (k) {
	case K_PASS: memcpy(out, in, inlen); return (int)inlen;
	case K_SWAP:
		memcpy(out, in, inlen);
		if (!batch) { /* 254 swaps leave it as it was */
			memcpy(out, in + 6, 6);
			memcpy(out + 6, in, 6);
		}
		return (int)inlen;
	case K_ROUTE4:
	case K_ROUTE6:
	case K_NONVIP4:
		return frame_routed(f, batch ? BATCH : 1, mac_gw, mac_out, out,
				    FRAME_MAX);
	case K_LB_SYN4:
	case K_LB_EST4: {
		__u32 h = lb_hash_of(f), be = e->ring[h % RING_M];
		__u8 src[4] = { 198, 18, 200, (__u8)(1 + h % 254) };
		__u8 dmac[6];

		if (!be || be > N_BACKENDS)
			return -EINVAL;
		memcpy(dmac, mac_backend, 6);
		dmac[5] = (__u8)be;
		return frame_ipip4(in, inlen, dmac, mac_out, src,
				   e->backend_addr[be], out, FRAME_MAX);
	}
	}
	return -EINVAL;
}

/* The flow as the LB keys it (uapi lb.h): client -> VIP. */
static void flow_key(const struct flow *f, struct sluice_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = f->family;
	k->proto = f->proto;
	memcpy(k->saddr, f->saddr, 16);
	memcpy(k->daddr, f->daddr, 16);
	k->sport = htons(f->sport);
	k->dport = htons(f->dport);
}

static int frames(struct env *e, enum kind k, unsigned int flows, bool batch)
{
	struct flow f;
	int n;

	for (unsigned int i = 0; i < flows; i++) {
		flow_of(k, i, batch, &f);
		n = frame_build(&f, e->in[i], FRAME_MAX);
		if (n < 0)
			return n;
		e->inlen[i] = (__u32)n;
		n = expected(e, k, &f, e->in[i], e->inlen[i], batch, e->exp[i]);
		if (n < 0)
			return n;
		e->explen[i] = (__u32)n;
		flow_key(&f, &e->keys[i]);
	}
	return 0;
}

/* A SYN of a flow the table knows is a hit (lb.h): a new flow's SYN has no
 * entry, so lb_syn_v4 deletes the entries of all @flows at the start of
 * each pass over them (call @i == 0), outside the timing.  Not each one
 * just before its SYN: that write would bring the slot's line into the
 * cache and the SYN would find it warm, which a real new flow does not
 * (with 64k flows, a pass touches 64k other lines before a flow's SYN
 * comes round again). */
static bool forget_flows(struct env *e, struct fig *f, enum kind k,
			 unsigned int i, unsigned int flows)
{
	if (k != K_LB_SYN4 || i != 0)
		return true;
	for (unsigned int j = 0; j < flows; j++) {
		int err = dp_lb_flow_del(e->dpl, &e->keys[j]);

		if (err && err != -ENOENT) {
			fig_invalid(f, "cannot delete the flow entry: %s",
				    strerror(-err));
			return false;
		}
	}
	return true;
}

/* ---- one test_run ---------------------------------------------------------------- */

/* ---- the checks --------------------------------------------------------------------- */

struct target {
	int fd;
	struct dp *dp; /* whose counters; NULL for the floors */
	__u32 verdict;
	int reason; /* on SLOT_IN */
};

static struct target target_of(struct env *e, enum kind k)
{
	switch (k) {
	case K_PASS: return (struct target){ e->fd_pass, NULL, XDP_PASS, -1 };
	case K_SWAP: return (struct target){ e->fd_swap, NULL, XDP_TX, -1 };
	case K_ROUTE4:
	case K_ROUTE6:
		return (struct target){ dp_xdp_prog_fd(e->dpr), e->dpr,
					XDP_REDIRECT, SLUICE_FWD_REDIRECT };
	case K_NONVIP4:
		return (struct target){ dp_xdp_prog_fd(e->dpl), e->dpl,
					XDP_REDIRECT, SLUICE_FWD_REDIRECT };
	case K_LB_SYN4:
	case K_LB_EST4:
		return (struct target){ dp_xdp_prog_fd(e->dpl), e->dpl,
					XDP_REDIRECT, SLUICE_FWD_LB };
	}
	return (struct target){ -1, NULL, 0, -1 };
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

/* Exactly @runs packets under (SLOT_IN, @reason), nothing elsewhere. */
static bool counters_ok(struct env *e, struct fig *f, int reason,
			unsigned long long runs, __u32 len)
{
	for (__u32 s = 0; s < N_SLOTS; s++) {
		for (int r = 0; r < SLUICE_REASON_SLOTS; r++) {
			bool mine = s == SLOT_IN && r == reason;
			__u64 dp = e->after[s][r].packets -
				   e->before[s][r].packets;
			__u64 db = e->after[s][r].bytes - e->before[s][r].bytes;

			if (dp == (mine ? runs : 0) &&
			    db == (mine ? runs * len : 0))
				continue;
			fig_invalid(f,
				    "counter slot %u %s: +%llu packets, want "
				    "+%llu",
				    s, dp_reason_name((unsigned)r),
				    (unsigned long long)dp, mine ? runs : 0ull);
			return false;
		}
	}
	return true;
}

/* The VIP's counters: every run a new flow (SYN) or a flow-table hit. */
static bool lb_counters_ok(struct fig *f, enum kind k,
			   const struct sluice_lb_counter *b,
			   const struct sluice_lb_counter *a,
			   unsigned long long runs)
{
	unsigned long long pk = a->packets - b->packets,
			   nf = a->new_flows - b->new_flows,
			   fh = a->flow_hits - b->flow_hits,
			   dr = a->drops - b->drops;
	unsigned long long want_nf = k == K_LB_SYN4 ? runs : 0;

	if (pk == runs && nf == want_nf && fh == runs - want_nf && !dr)
		return true;
	fig_invalid(f,
		    "VIP counters: +%llu packets, +%llu new flows, +%llu "
		    "flow hits, +%llu drops; want +%llu, +%llu, +%llu, +0",
		    pk, nf, fh, dr, runs, want_nf, runs - want_nf);
	return false;
}

/* ---- measuring ------------------------------------------------------------------- */

static void describe(struct fig *f, const struct path *p, bool batch,
		     const struct target *t)
{
	const char *what =
		p->kind == K_PASS    ? "output = input" :
		p->kind == K_SWAP    ? (batch ? "output = input (254 swaps)" :
						"output = MACs swapped") :
		p->kind >= K_LB_SYN4 ? "output = IPIP to the Maglev "
				       "backend, built here" :
				       "output = routed frame built here";

	snprintf(f->label, sizeof(f->label), "%s", p->label);
	if (batch)
		snprintf(f->method, sizeof(f->method),
			 "batch: repeat %d per call on one buffer (TTL 255), "
			 "duration of test_run",
			 BATCH);
	else
		snprintf(f->method, sizeof(f->method),
			 "single: repeat 1 per call, a fresh frame, flows "
			 "cycled; minus XDP_PASS at repeat 1 (interleaved), "
			 "plus XDP_PASS batch");
	snprintf(f->check, sizeof(f->check), "every call: %s, %s%s",
		 xdp_verdict_name(t->verdict), what,
		 t->dp ? (p->kind >= K_LB_SYN4 ?
				  "; per figure: reason counter and VIP "
				  "counters +runs exactly, nothing else" :
				  "; per figure: reason counter +runs exactly, "
				  "nothing else") :
			 "");
}

/* Established flows need their entries: one SYN per flow, checked. */
static bool prime_flows(struct env *e, struct fig *f, unsigned int flows)
{
	static struct test_res r;
	struct flow fl;
	__u8 in[FRAME_MAX], exp[FRAME_MAX];
	int n, m;

	for (unsigned int i = 0; i < flows; i++) {
		flow_of(K_LB_SYN4, i, false, &fl);
		n = frame_build(&fl, in, sizeof(in));
		m = n < 0 ? n :
			    expected(e, K_LB_SYN4, &fl, in, (__u32)n, false,
				     exp);
		if (m < 0) {
			fig_invalid(f, "cannot build the priming frames");
			return false;
		}
		test_res_run(dp_xdp_prog_fd(e->dpl), e->ifin, in, (__u32)n, 1,
			     &r);
		if (!test_res_check(f, &r, XDP_REDIRECT, exp, (__u32)m, i))
			return false;
	}
	return true;
}

static bool measure_batch(struct env *e, struct fig *f, const struct target *t,
			  double *ns)
{
	static struct test_res r;
	unsigned long long calls = (e->o->runs + BATCH - 1) / BATCH, sum = 0;

	for (unsigned long long c = 0; c < calls; c++) {
		test_res_run(t->fd, e->ifin, e->in[0], e->inlen[0], BATCH, &r);
		if (!test_res_check(f, &r, t->verdict, e->exp[0], e->explen[0],
				    c))
			return false;
		sum += (unsigned long long)r.duration * BATCH;
	}
	f->runs = calls * BATCH;
	*ns = (double)sum / (double)f->runs;
	return true;
}

static bool measure_single(struct env *e, struct fig *f, const struct target *t,
			   enum kind k, unsigned int flows, double *ns)
{
	static struct test_res r, rp;
	unsigned long long runs = e->o->runs, sum = 0, sum_pass = 0;

	unsigned long long kept = 0;

	for (unsigned long long c = 0; c < runs; c++) {
		unsigned int i = (unsigned int)(c % flows);

		if (!forget_flows(e, f, k, i, flows))
			return false;
		test_res_run(t->fd, e->ifin, e->in[i], e->inlen[i], 1, &r);
		if (!test_res_check(f, &r, t->verdict, e->exp[i], e->explen[i],
				    c))
			return false;
		test_res_run(e->fd_pass, e->ifin, e->in[i], e->inlen[i], 1,
			     &rp);
		if (!test_res_check(f, &rp, XDP_PASS, e->in[i], e->inlen[i], c))
			return false;
		if (r.duration > PREEMPTED_NS || rp.duration > PREEMPTED_NS) {
			f->dropped++;
			continue;
		}
		sum += r.duration;
		sum_pass += rp.duration;
		kept++;
	}
	f->runs = runs;
	if (!kept) {
		fig_invalid(f, "every call was interrupted");
		return false;
	}
	*ns = ((double)sum - (double)sum_pass) / (double)kept + e->pass_batch;
	return true;
}

static void measure(struct env *e, const struct path *p, unsigned int flows,
		    bool batch)
{
	struct fig *f = fig_new(batch ? "pktcost_batch" : "pktcost", p->name,
				flows, "ns/packet");
	struct target t = target_of(e, p->kind);
	bool lb = p->kind >= K_LB_SYN4, ok;
	struct sluice_lb_counter lb_before = { 0 }, lb_after = { 0 };
	double ns = 0;

	describe(f, p, batch, &t);
	if (f->invalid)
		return; /* an earlier repetition failed its check */
	if (!batch && !e->have_pass_batch) {
		fig_invalid(f, "no XDP_PASS floor in this repetition");
		return;
	}
	if (frames(e, p->kind, flows, batch)) {
		fig_invalid(f, "cannot build the frames");
		return;
	}
	if (p->kind == K_LB_EST4 && !prime_flows(e, f, flows))
		return;
	if (t.dp && (snapshot(t.dp, e->before) ||
		     (lb && dp_lb_vip_stats(t.dp, 1, &lb_before)))) {
		fig_invalid(f, "cannot read the counters");
		return;
	}
	ok = batch ? measure_batch(e, f, &t, &ns) :
		     measure_single(e, f, &t, p->kind, flows, &ns);
	if (!ok)
		return;
	if (t.dp) {
		if (snapshot(t.dp, e->after) ||
		    (lb && dp_lb_vip_stats(t.dp, 1, &lb_after))) {
			fig_invalid(f, "cannot read the counters");
			return;
		}
		/* every frame of a figure has the same length */
		if (!counters_ok(e, f, t.reason, f->runs, e->inlen[0]))
			return;
		if (lb &&
		    !lb_counters_ok(f, p->kind, &lb_before, &lb_after, f->runs))
			return;
	}
	fig_add(f, ns);
	if (p->kind == K_PASS && batch) {
		e->pass_batch = ns;
		e->have_pass_batch = true;
	}
}

/* test_run's own cost per call at repeat 1: XDP_PASS at repeat 1 minus
 * XDP_PASS in a batch, same frame. */
static void measure_overhead(struct env *e)
{
	struct fig *f =
		fig_new("pktcost", "testrun_call_overhead", 0, "ns/call");
	static struct test_res r;
	unsigned long long sum = 0, kept = 0;

	snprintf(f->label, sizeof(f->label),
		 "test_run overhead per call at repeat 1");
	snprintf(f->method, sizeof(f->method),
		 "mean duration of XDP_PASS at repeat 1 minus XDP_PASS at "
		 "repeat %d, same frame; subtracted from every single figure",
		 BATCH);
	if (f->invalid || !e->have_pass_batch || frames(e, K_PASS, 1, false)) {
		fig_invalid(f, "no XDP_PASS floor or frames");
		return;
	}
	for (unsigned long long c = 0; c < e->o->runs; c++) {
		test_res_run(e->fd_pass, e->ifin, e->in[0], e->inlen[0], 1, &r);
		if (!test_res_check(f, &r, XDP_PASS, e->in[0], e->inlen[0], c))
			return;
		if (r.duration > PREEMPTED_NS) {
			f->dropped++;
			continue;
		}
		sum += r.duration;
		kept++;
	}
	f->runs = e->o->runs;
	if (kept)
		fig_add(f, (double)sum / (double)kept - e->pass_batch);
	else
		fig_invalid(f, "every call was interrupted");
}

/* --spin: one path, single method, every call checked, for a profiler. */
static int spin(struct env *e)
{
	const struct path *p = NULL;
	struct target t;
	struct fig *f;
	static struct test_res r;
	unsigned long long calls = 0, sum = 0;
	double t0;

	for (size_t i = 0; i < N_PATHS; i++)
		if (!strcmp(paths[i].name, e->o->spin))
			p = &paths[i];
	if (!p || !e->o->spin_flows || e->o->spin_flows > MAX_FLOWS) {
		fprintf(stderr,
			"sluice-bench: --spin PATH[:1..%d], PATH one of "
			"the pktcost paths\n",
			MAX_FLOWS);
		return -EINVAL;
	}
	f = fig_new("spin", p->name, e->o->spin_flows, "ns/packet");
	t = target_of(e, p->kind);
	if (frames(e, p->kind, e->o->spin_flows, false) ||
	    (p->kind == K_LB_EST4 && !prime_flows(e, f, e->o->spin_flows)))
		return -EINVAL;
	t0 = now_ns();
	while (now_ns() - t0 < e->o->spin_s * 1e9) {
		unsigned int i = (unsigned int)(calls % e->o->spin_flows);

		if (!forget_flows(e, f, p->kind, i, e->o->spin_flows))
			return -EINVAL;
		test_res_run(t.fd, e->ifin, e->in[i], e->inlen[i], 1, &r);
		if (!test_res_check(f, &r, t.verdict, e->exp[i], e->explen[i],
				    calls)) {
			note("INVALID: %s", f->why);
			return -EINVAL;
		}
		sum += r.duration;
		calls++;
	}
	note("spin %s, %u flows: %llu calls in %.1f s, mean duration %.1f ns "
	     "(test_run overhead included)",
	     p->name, e->o->spin_flows, calls, e->o->spin_s,
	     calls ? (double)sum / (double)calls : 0.0);
	return 0;
}

static int alloc_frames(struct env *e)
{
	e->in = calloc(MAX_FLOWS, sizeof(*e->in));
	e->exp = calloc(MAX_FLOWS, sizeof(*e->exp));
	e->inlen = calloc(MAX_FLOWS, sizeof(*e->inlen));
	e->explen = calloc(MAX_FLOWS, sizeof(*e->explen));
	e->keys = calloc(MAX_FLOWS, sizeof(*e->keys));
	return e->in && e->exp && e->inlen && e->explen && e->keys ? 0 :
								     -ENOMEM;
}

int pktcost_run(const struct bench_opts *o)
{
	static struct env e;
	int err;

	e.o = o;
	err = alloc_frames(&e) ?: setup(&e);
	if (err) {
		teardown(&e);
		return err;
	}
	if (o->spin) {
		err = spin(&e);
		teardown(&e);
		return err;
	}
	note("pktcost: %u repetition(s) of %llu runs per figure; tables: "
	     "%d IPv4 + %d IPv6 routes, %d VIPs x %d backends, M=%u",
	     o->reps, o->runs, MAX_FLOWS, MAX_FLOWS, N_VIPS, N_BACKENDS,
	     RING_M);
	for (unsigned int rep = 0; rep < o->reps; rep++) {
		/* Each repetition loads its own objects, maps and tables, in a
		 * namespace of its own.  Where the kernel places the big maps
		 * (the flow table's pool, the routes) moves a 64k-flow figure
		 * by up to half between loads on this VM while the repetitions
		 * of one load agree; one load for all repetitions reported
		 * that placement's figure as the median. */
		if (rep > 0) {
			unload(&e);
			err = setup(&e);
			if (err) {
				teardown(&e);
				return err;
			}
		}
		e.have_pass_batch = false;
		for (size_t p = 0; p < N_PATHS; p++) {
			if (paths[p].batch)
				measure(&e, &paths[p], 1, true);
			if (p == 0)
				measure_overhead(&e);
			for (int i = 0; i < N_FLOWS; i++)
				measure(&e, &paths[p], flow_counts[i], false);
		}
	}
	for (size_t p = 0; p < N_PATHS; p++) {
		if (paths[p].batch)
			fig_tap(fig_find("pktcost_batch", paths[p].name, 1),
				"batch path check");
		for (int i = 0; i < N_FLOWS; i++)
			fig_tap(fig_find("pktcost", paths[p].name,
					 flow_counts[i]),
				"path check");
	}
	fig_tap(fig_find("pktcost", "testrun_call_overhead", 0),
		"figure (XDP_PASS path checked)");
	teardown(&e);
	return 0;
}
