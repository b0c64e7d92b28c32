// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-packet cost of the stateful layer (connection tracking and NAT)
 * with BPF_PROG_TEST_RUN, next to the XDP_PASS floor and the plain router
 * measured in the same run, every figure path-checked.
 *
 * Three copies of the real XDP object through lib/dp, LB off at load time
 * (as pktcost's route_v4), with the same tables (65536 IPv4 /32 routes
 * 198.19.x.y via 198.18.1.2 out of b1; the clients' 198.18.0.0/24 and
 * 198.18.128.0/17 via 198.18.0.254 out of b0):
 *  - dpr: tracking off: route_v4, the baseline;
 *  - dpc: tracking on, no NAT rule: ct_est_v4 (TCP ACKs of established
 *    flows), ct_new_v4 (a new UDP flow each packet);
 *  - dpn: tracking on, an SNAT rule (198.18.0.0/24 leaving by b1 to the
 *    pool 198.18.1.100) and a DNAT rule (198.18.1.1:8080/tcp in by b0 to
 *    198.19.0.5:80): snat_est_v4, snat_new_v4, dnat_est_v4, and
 *    snat_busy_v4 (a new flow whose own port another flow holds: the
 *    port search's second try);
 *  - dpc again with a firewall rule set on b0 "in" (statecost_fw.c):
 *    ct_fw10_est_v4 and ct_fw10k_est_v4 (10 and 10,000 rules, the last
 *    accepts), ct_fw10_early_est_v4 and ct_fw10k_early_est_v4 (the first,
 *    "state established,related", accepts); the accepting rule's counter
 *    grows by the runs.
 * Timeouts are an hour for every state, so the sweep expires nothing
 * while a figure runs (it still runs, as it does in production).
 *
 * The method is pktcost's "single": repeat 1 per call on a fresh frame,
 * the flow changing every call, each call followed by an XDP_PASS call on
 * the same frame; ns = mean(path) - mean(XDP_PASS at repeat 1) + this
 * repetition's XDP_PASS batch figure.  A pair of calls in which either
 * took more than 50 us is left out and counted.  repeat > 1 cannot be
 * used: the second run would see the rewritten frame and, for a new flow,
 * the entry the first run made.
 *
 * Established flows are made before the figure by real packets through
 * the program (TCP: SYN, SYN+ACK from the server, ACK; UDP: a packet and
 * its answer), every one checked.  New flows: the 65536 flows of a cycle
 * are each new once; the table is flushed (lib/dp's admin program, which
 * releases NAT's bindings too) between cycles, outside the timing.
 *
 * Path checks.  Every call: verdict XDP_REDIRECT, output bytes equal to a
 * frame built here (frame.c: the translated addresses and ports, TTL - 1,
 * new MACs, every checksum from scratch).  Every figure: the fwd_redirect
 * counter of the ingress slot grew by exactly the runs, no other counter
 * moved; conntrack's events: none for established flows, "created" +runs
 * (and "flushed" what the flushes said) for new ones; NAT's events:
 * xlate_orig +runs for established NATed flows, snat_bound +runs for new
 * ones, nothing else (no port collision: each flow's own port is free,
 * but for snat_busy_v4: one collision each, and the occupants' own
 * bindings and packets, made untimed after each flush, counted too).
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "dp_ct.h"
#include "dp_fw.h"
#include "dp_nat.h"
#include "floor.h"
#include "statecost.h"

#define BATCH 254
#define PREEMPTED_NS 50000u /* as pktcost.c */
#define MAX_FLOWS 65536
#define SLOT_IN 1
#define SLOT_OUT 2
#define N_SLOTS 3
#define HOUR 3600
#define NH_OUT 1  /* via 198.18.1.2 out of b1 */
#define NH_BACK 2 /* via 198.18.0.254 out of b0 */

static const __u8 mac_in[6] = { 0x02, 0, 0, 0, 0xc0, 0x01 };
static const __u8 mac_out[6] = { 0x02, 0, 0, 0, 0xc1, 0x01 };
static const __u8 mac_gw_in[6] = { 0x02, 0, 0, 0, 0xc0, 0x02 };
static const __u8 mac_gw_out[6] = { 0x02, 0, 0, 0, 0xc1, 0x02 };
static const __u8 pool[4] = { 198, 18, 1, 100 };
static const __u8 pub[4] = { 198, 18, 1, 1 };
static const __u8 srv[4] = { 198, 19, 0, 5 };

enum sc_kind {
	SC_ROUTE,
	SC_CT_EST,
	SC_CT_NEW,
	SC_SNAT_EST,
	SC_SNAT_NEW,
	SC_SNAT_BUSY,
	SC_DNAT_EST
};

/* New flows, each packet: the table is flushed between cycles. */
static bool is_new(enum sc_kind k)
{
	return k == SC_CT_NEW || k == SC_SNAT_NEW || k == SC_SNAT_BUSY;
}

struct sc_path {
	const char *name;
	const char *label;
	enum sc_kind kind;
	bool many_only; /* new flows: only the many-flow figure */
	int fw;		/* SCFW_*: the firewall's rule set on b0 "in" */
};

static const struct sc_path paths[] = {
	{ "route_v4", "route IPv4, tracking off (the baseline)", SC_ROUTE,
	  false, SCFW_NONE },
	{ "ct_est_v4", "conntrack on: established TCP flow (ACK)", SC_CT_EST,
	  false, SCFW_NONE },
	{ "ct_new_v4", "conntrack on: a new UDP flow each packet", SC_CT_NEW,
	  true, SCFW_NONE },
	{ "snat_est_v4", "SNAT: established UDP flow, source rewritten",
	  SC_SNAT_EST, false, SCFW_NONE },
	{ "snat_new_v4", "SNAT: a new UDP flow each packet (port, binding)",
	  SC_SNAT_NEW, true, SCFW_NONE },
	{ "snat_busy_v4",
	  "SNAT: a new UDP flow each packet, its own port taken (2 tries)",
	  SC_SNAT_BUSY, true, SCFW_NONE },
	{ "dnat_est_v4",
	  "DNAT: established TCP flow (ACK), destination "
	  "rewritten",
	  SC_DNAT_EST, false, SCFW_NONE },
	{ "ct_fw10_est_v4",
	  "conntrack + firewall, 10 rules: established TCP flow, the "
	  "10th (last) rule accepts",
	  SC_CT_EST, false, SCFW_LAST_10 },
	{ "ct_fw10k_est_v4",
	  "conntrack + firewall, 10,000 rules: established TCP flow, the "
	  "10,000th (last) rule accepts",
	  SC_CT_EST, false, SCFW_LAST_10K },
	{ "ct_fw10_early_est_v4",
	  "conntrack + firewall, 10 rules: established TCP flow, the 1st "
	  "(state established) accepts",
	  SC_CT_EST, false, SCFW_EARLY_10 },
	{ "ct_fw10k_early_est_v4",
	  "conntrack + firewall, 10,000 rules: established TCP flow, the "
	  "1st (state established) accepts",
	  SC_CT_EST, false, SCFW_EARLY_10K },
};
#define N_PATHS (sizeof(paths) / sizeof(paths[0]))

typedef struct sluice_counter counters_t[N_SLOTS][SLUICE_REASON_SLOTS];

struct sc_env {
	const struct bench_opts *o;
	unsigned int many; /* the many-flow count: 65536 (1024 smoke) */
	unsigned long long runs;
	struct dp *dpr, *dpc, *dpn;
	struct dp_floor *floor;
	int fd_pass;
	__u32 ifin, ifout;
	double pass_batch;
	bool have_pass_batch;
	__u8 (*in)[FRAME_MAX];
	__u32 *inlen;
	__u8 (*exp)[FRAME_MAX];
	__u32 *explen;
	counters_t before, after;
	unsigned long long occupants; /* snat_busy: flows taking the ports */
	struct dp_ct_counts ct_before, ct_after;
	__u64 nat_before[SLUICE_NAT_NEVENTS], nat_after[SLUICE_NAT_NEVENTS];
	__u32 flushed; /* entries the figure's flushes removed */
};

/* ---- setup ------------------------------------------------------------------ */

static int sh(const char *cmd)
{
	if (system(cmd)) {
		note("stateful: '%s' failed", cmd);
		return -EIO;
	}
	return 0;
}

static void v4(__u8 *a, __u8 b0, __u8 b1, __u8 b2, __u8 b3)
{
	memset(a, 0, 16);
	a[0] = b0;
	a[1] = b1;
	a[2] = b2;
	a[3] = b3;
}

/* As pktcost.c: a namespace of our own whose devices stay down, so only
 * test_run ever runs the programs; s0..s3 keep them in the dispatcher. */
static int make_netns(struct sc_env *e)
{
	int err;

	if (unshare(CLONE_NEWNET))
		return -errno;
	err = sh("ip link add b0 type veth peer name b0p")	   ?:
		      sh("ip link add b1 type veth peer name b1p") ?:
		      sh("for i in 0 1 2 3; do ip link add s$i type veth peer "
			 "name s${i}p; done");
	if (err)
		return err;
	e->ifin = if_nametoindex("b0");
	e->ifout = if_nametoindex("b1");
	return e->ifin && e->ifout ? 0 : -ENODEV;
}

static int setup_routes(struct sc_env *e, struct dp *dp)
{
	struct sluice_iface in = { .mtu = 1500, .slot = SLOT_IN };
	struct sluice_iface out = { .mtu = 1500, .slot = SLOT_OUT };
	struct sluice_nhg g = { .count = 1 };
	struct sluice_route rt = { .type = SLUICE_RT_FORWARD };
	struct sluice_neigh_key nk = { .family = AF_INET };
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
	g.nh[0] = (struct sluice_nh){ .ifindex = e->ifout, .family = AF_INET };
	v4(g.nh[0].gw, 198, 18, 1, 2);
	err = dp_nhg_set(dp, NH_OUT, &g);
	g.nh[0] = (struct sluice_nh){ .ifindex = e->ifin, .family = AF_INET };
	v4(g.nh[0].gw, 198, 18, 0, 254);
	err = err ?: dp_nhg_set(dp, NH_BACK, &g);
	rt.nhg_id = NH_OUT;
	for (unsigned int i = 0; i < MAX_FLOWS && !err; i++) {
		v4(a, 198, 19, (__u8)(i >> 8), (__u8)i);
		err = dp_route_set(dp, AF_INET, a, 32, &rt);
	}
	rt.nhg_id = NH_BACK;
	v4(a, 198, 18, 0, 0);
	err = err ?: dp_route_set(dp, AF_INET, a, 24, &rt);
	v4(a, 198, 18, 128, 0);
	err = err ?: dp_route_set(dp, AF_INET, a, 17, &rt);
	nk.ifindex = e->ifout;
	v4(nk.addr, 198, 18, 1, 2);
	memcpy(nv.mac, mac_gw_out, 6);
	err = err ?: dp_neigh_set(dp, &nk, &nv);
	nk.ifindex = e->ifin;
	v4(nk.addr, 198, 18, 0, 254);
	memcpy(nv.mac, mac_gw_in, 6);
	return err ?: dp_neigh_set(dp, &nk, &nv);
}

/* Tracking on, every timeout an hour: nothing expires during a figure. */
static int ct_on(struct dp *dp)
{
	struct sluice_ct_config cfg;

	dp_ct_default_config(&cfg);
	cfg.enabled = 1;
	for (int s = 1; s < SLUICE_CT_NSTATES; s++)
		if (cfg.timeout[s] < HOUR)
			cfg.timeout[s] = HOUR;
	return dp_ct_config_set(dp, &cfg);
}

static int nat_rules(struct sc_env *e)
{
	struct dp_snat_rule s = {
		.id = 1, .ifindex = e->ifout, .family = AF_INET, .src_plen = 24
	};
	struct dp_dnat_rule d = { .id = 2,
				  .ifindex = e->ifin,
				  .family = AF_INET,
				  .proto = IPPROTO_TCP,
				  .dport = 8080,
				  .to_port = 80 };

	v4(s.src, 198, 18, 0, 0);
	v4(s.to_lo, 198, 18, 1, 100);
	v4(s.to_hi, 198, 18, 1, 100);
	v4(d.daddr, 198, 18, 1, 1);
	v4(d.to_addr, 198, 19, 0, 5);
	return dp_snat_set(e->dpn, &s)	       ?:
		       dp_dnat_set(e->dpn, &d) ?:
		       dp_nat_config_set(e->dpn, SLUICE_NAT_HAS_SNAT |
							 SLUICE_NAT_HAS_DNAT);
}

static int attach_idle(struct sc_env *e)
{
	struct dp *dps[3] = { e->dpr, e->dpc, e->dpn };
	enum dp_xdp_mode got;
	char name[8];
	bool adopted;
	int err;

	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		err = dp_attach(dps[i], (int)if_nametoindex(name), name,
				DP_XDP_NATIVE, &got, &adopted);
		if (err)
			return err;
	}
	if (bpf_xdp_attach((int)if_nametoindex("s3"), e->fd_pass,
			   XDP_FLAGS_DRV_MODE, NULL))
		return -errno;
	return 0;
}

static int setup(struct sc_env *e)
{
	struct dp_opts opts = { .lb_disabled = true,
				.ct_max_entries = 4 * MAX_FLOWS };
	int err = make_netns(e);

	if (err) {
		note("stateful: cannot make the namespace: %s", strerror(-err));
		return err;
	}
	err = dp_open(&e->dpr, &opts)	      ?:
		      dp_open(&e->dpc, &opts) ?:
						dp_open(&e->dpn, &opts);
	if (err) {
		note("stateful: dp_open: %s", strerror(-err));
		return err;
	}
	e->floor = dp_floor_open();
	if (!e->floor) {
		err = -errno;
		note("stateful: cannot load xdp_floor: %s", strerror(-err));
		return err;
	}
	e->fd_pass = dp_floor_pass_fd(e->floor);
	err = setup_routes(e, e->dpr)	      ?:
		      setup_routes(e, e->dpc) ?:
		      setup_routes(e, e->dpn) ?:
		      ct_on(e->dpc)	      ?:
		      ct_on(e->dpn)	      ?:
		      nat_rules(e)	      ?:
						scfw_setup();
	if (err) {
		note("stateful: programming the tables: %s", strerror(-err));
		return err;
	}
	err = attach_idle(e);
	if (err)
		note("stateful: attaching to idle veths: %s", strerror(-err));
	return err;
}

static void teardown(struct sc_env *e)
{
	scfw_free();
	dp_floor_close(e->floor);
	dp_close(e->dpn);
	dp_close(e->dpc);
	dp_close(e->dpr);
	free(e->in);
	free(e->inlen);
	free(e->exp);
	free(e->explen);
}

/* ---- frames ------------------------------------------------------------------- */

/* Flow @i's packet from its opener (the client, in by b0), @tcp_flags
 * for TCP.  UDP and ct_est: 198.18.0.2 to route i's 198.19.x.y, so the
 * route lookups are route_v4's (snat_busy: from 198.18.0.3, whose ports
 * snat_new's flows from 198.18.0.2 hold); DNAT: clients from
 * 198.18.128.0/17 (two ports each) to 198.18.1.1:8080. */
static void flow_orig(enum sc_kind k, unsigned int i, __u8 tcp_flags,
		      struct flow *f)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->dmac, mac_in, 6);
	memcpy(f->smac, mac_gw_in, 6);
	f->ttl = 64;
	f->family = AF_INET;
	f->proto = IPPROTO_UDP;
	f->payload = 18; /* 60-byte frames */
	v4(f->saddr, 198, 18, 0, 2);
	v4(f->daddr, 198, 19, (__u8)(i >> 8), (__u8)i);
	f->sport = (__u16)(1024 + i % 50000);
	f->dport = 53;
	if (k == SC_CT_EST || k == SC_DNAT_EST) {
		f->proto = IPPROTO_TCP;
		f->tcp_flags = tcp_flags;
		f->payload = 6;
		f->dport = 80;
	}
	if (k == SC_SNAT_BUSY)
		v4(f->saddr, 198, 18, 0, 3);
	if (k == SC_DNAT_EST) {
		v4(f->saddr, 198, 18, (__u8)(128 + (i >> 8 & 127)), (__u8)i);
		memcpy(f->daddr, pub, 4);
		f->sport = (__u16)(40000 + (i >> 15));
		f->dport = 8080;
	}
}

/* What leaves by b1 for the opener's packet @f: translated, routed. */
static int exp_orig(enum sc_kind k, const struct flow *f, __u8 *out)
{
	struct flow t = *f;

	if (k == SC_SNAT_EST || k == SC_SNAT_NEW || k == SC_SNAT_BUSY)
		memcpy(t.saddr, pool, 4);
	if (k == SC_SNAT_BUSY) /* its own port is taken: the next one */
		t.sport++;
	if (k == SC_DNAT_EST) {
		memcpy(t.daddr, srv, 4);
		t.dport = 80;
	}
	return frame_routed(&t, 1, mac_gw_out, mac_out, out, FRAME_MAX);
}

/* The server's answer to @f as it arrives on b1 (to the translated
 * addresses), and what leaves by b0 for it (back to the client's). */
static int frames_reply(enum sc_kind k, const struct flow *f, __u8 *in,
			__u32 *inlen, __u8 *out, __u32 *outlen)
{
	struct flow r = *f, back;
	int n;

	memcpy(r.dmac, mac_out, 6);
	memcpy(r.smac, mac_gw_out, 6);
	memcpy(r.saddr, f->daddr, 16);
	memcpy(r.daddr, f->saddr, 16);
	r.sport = f->dport;
	r.dport = f->sport;
	r.tcp_flags = 0x12; /* TCP: SYN+ACK */
	back = r;
	if (k == SC_SNAT_EST)
		memcpy(r.daddr, pool, 4);
	if (k == SC_DNAT_EST) {
		memcpy(r.saddr, srv, 4);
		r.sport = 80;
	}
	n = frame_build(&r, in, FRAME_MAX);
	if (n < 0)
		return n;
	*inlen = (__u32)n;
	n = frame_routed(&back, 1, mac_gw_in, mac_in, out, FRAME_MAX);
	if (n < 0)
		return n;
	*outlen = (__u32)n;
	return 0;
}

/* The measured frames: opener's packets (TCP: ACKs) and their outputs. */
static int frames(struct sc_env *e, enum sc_kind k, unsigned int flows)
{
	struct flow f;
	int n;

	for (unsigned int i = 0; i < flows; i++) {
		flow_orig(k, i, 0x10, &f);
		n = frame_build(&f, e->in[i], FRAME_MAX);
		if (n < 0)
			return n;
		e->inlen[i] = (__u32)n;
		n = exp_orig(k, &f, e->exp[i]);
		if (n < 0)
			return n;
		e->explen[i] = (__u32)n;
	}
	return 0;
}

/* ---- established flows ----------------------------------------------------------- */

static bool run_checked(struct fig *f, int fd, __u32 ifindex, const __u8 *in,
			__u32 len, const __u8 *exp, __u32 explen,
			unsigned long long call)
{
	static struct test_res r;

	test_res_run(fd, ifindex, in, len, 1, &r);
	return test_res_check(f, &r, XDP_REDIRECT, exp, explen, call);
}

/* Each flow made by its packets, every output checked: TCP SYN, the
 * server's SYN+ACK, ACK; UDP: a packet and the server's answer. */
static bool prime(struct sc_env *e, struct fig *fg, struct dp *dp,
		  enum sc_kind k, unsigned int flows)
{
	static __u8 in[FRAME_MAX], exp[FRAME_MAX];
	int fd = dp_xdp_prog_fd(dp);
	bool tcp = k == SC_CT_EST || k == SC_DNAT_EST;
	__u32 inlen, explen;
	struct flow f;
	int n, m;

	for (unsigned int i = 0; i < flows; i++) {
		flow_orig(k, i, 0x02, &f);
		n = frame_build(&f, in, sizeof(in));
		m = n < 0 ? n : exp_orig(k, &f, exp);
		if (m < 0 || !run_checked(fg, fd, e->ifin, in, (__u32)n, exp,
					  (__u32)m, i))
			goto bad;
		if (frames_reply(k, &f, in, &inlen, exp, &explen) ||
		    !run_checked(fg, fd, e->ifout, in, inlen, exp, explen, i))
			goto bad;
		if (!tcp)
			continue;
		flow_orig(k, i, 0x10, &f);
		n = frame_build(&f, in, sizeof(in));
		m = n < 0 ? n : exp_orig(k, &f, exp);
		if (m < 0 || !run_checked(fg, fd, e->ifin, in, (__u32)n, exp,
					  (__u32)m, i))
			goto bad;
	}
	return true;
bad:
	if (!fg->invalid)
		fig_invalid(fg, "cannot build the frames making the flows");
	note("stateful %s: making flow's entries failed: %s", fg->name,
	     fg->why);
	return false;
}

/* ---- the checks ------------------------------------------------------------------ */

static int snapshot(struct sc_env *e, struct dp *dp, counters_t c,
		    struct dp_ct_counts *ct, __u64 *nat)
{
	int err = 0;

	for (__u32 s = 0; s < N_SLOTS && !err; s++)
		err = dp_stats_read(dp, s, c[s]);
	if (dp != e->dpr)
		err = err ?: dp_ct_counts(dp, ct) ?: dp_nat_events(dp, nat);
	return err;
}

/* Exactly @runs packets of @len bytes under (SLOT_IN, fwd_redirect). */
static bool counters_ok(struct sc_env *e, struct fig *f,
			unsigned long long runs, __u32 len)
{
	for (__u32 s = 0; s < N_SLOTS; s++) {
		for (int r = 0; r < SLUICE_REASON_SLOTS; r++) {
			bool mine = s == SLOT_IN && r == SLUICE_FWD_REDIRECT;
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

/* conntrack's events: created +runs for new flows (flushed: what the
 * flushes removed), none at all for established ones. */
static bool ct_events_ok(struct sc_env *e, struct fig *f, enum sc_kind k,
			 unsigned long long runs)
{
	bool new_flows = is_new(k);

	for (int i = 0; i < SLUICE_CT_NEVENTS; i++) {
		__u64 d = e->ct_after.events[i] - e->ct_before.events[i];
		__u64 want = 0;

		if (new_flows && i == SLUICE_CTE_CREATED)
			want = runs + e->occupants;
		if (new_flows && i == SLUICE_CTE_FLUSHED)
			want = e->flushed;
		if (d == want)
			continue;
		fig_invalid(f, "conntrack event %s: +%llu, want +%llu",
			    dp_ct_event_name((unsigned)i) ?: "?",
			    (unsigned long long)d, (unsigned long long)want);
		return false;
	}
	return true;
}

/* NAT's events: xlate_orig +runs (established), snat_bound +runs (new;
 * released: the bindings the flushes gave back; snat_busy: a collision
 * each, and the occupants' bindings), nothing else. */
static bool nat_events_ok(struct sc_env *e, struct fig *f, enum sc_kind k,
			  unsigned long long runs)
{
	for (int i = 0; i < SLUICE_NAT_NEVENTS; i++) {
		__u64 d = e->nat_after[i] - e->nat_before[i], want = 0;

		if ((k == SC_SNAT_EST || k == SC_DNAT_EST) &&
		    i == SLUICE_NATE_XLATE_ORIG)
			want = runs;
		if ((k == SC_SNAT_NEW || k == SC_SNAT_BUSY) &&
		    i == SLUICE_NATE_SNAT_BOUND)
			want = runs + e->occupants;
		if ((k == SC_SNAT_NEW || k == SC_SNAT_BUSY) &&
		    i == SLUICE_NATE_RELEASED)
			want = e->flushed;
		if (k == SC_SNAT_BUSY && i == SLUICE_NATE_PORT_COLLISION)
			want = runs;
		if (d == want)
			continue;
		fig_invalid(f, "NAT event %s: +%llu, want +%llu",
			    dp_nat_event_name((unsigned)i) ?: "?",
			    (unsigned long long)d, (unsigned long long)want);
		return false;
	}
	return true;
}

/* ---- measuring ------------------------------------------------------------------- */

static bool pass_batch(struct sc_env *e)
{
	struct fig *f = fig_new(SC_GROUP, "xdp_pass", 1, "ns/packet");
	unsigned long long calls = (e->runs + BATCH - 1) / BATCH, sum = 0;
	static struct test_res r;

	snprintf(f->label, sizeof(f->label), "floor: XDP_PASS (batch)");
	snprintf(f->method, sizeof(f->method),
		 "batch: repeat %d per call on one buffer, duration of "
		 "test_run",
		 BATCH);
	snprintf(f->check, sizeof(f->check),
		 "every call: XDP_PASS, output = input");
	e->have_pass_batch = false;
	if (f->invalid || frames(e, SC_ROUTE, 1))
		return false;
	for (unsigned long long c = 0; c < calls; c++) {
		test_res_run(e->fd_pass, e->ifin, e->in[0], e->inlen[0], BATCH,
			     &r);
		if (!test_res_check(f, &r, XDP_PASS, e->in[0], e->inlen[0], c))
			return false;
		sum += (unsigned long long)r.duration * BATCH;
	}
	f->runs = calls * BATCH;
	e->pass_batch = (double)sum / (double)f->runs;
	e->have_pass_batch = true;
	fig_add(f, e->pass_batch);
	return true;
}

/* The flush between two cycles of new flows, outside the timing. */
static bool flush(struct sc_env *e, struct fig *f, struct dp *dp)
{
	__u32 n = 0;
	int err = dp_ct_flush(dp, NULL, &n);

	if (err) {
		fig_invalid(f, "flushing the table: %s", strerror(-err));
		return false;
	}
	e->flushed += n;
	return true;
}

/* snat_busy: snat_new's flows from 198.18.0.2 take the ports the
 * measured flows from 198.18.0.3 ask for, by real packets (checked),
 * untimed; counted, for the events and counters. */
static bool occupy(struct sc_env *e, struct fig *f, struct dp *dp,
		   unsigned int flows)
{
	static struct test_res r;
	static __u8 in[FRAME_MAX], exp[FRAME_MAX];
	struct flow fl;
	int n, m;

	for (unsigned int i = 0; i < flows; i++) {
		flow_orig(SC_SNAT_NEW, i, 0, &fl);
		n = frame_build(&fl, in, sizeof(in));
		m = n < 0 ? n : exp_orig(SC_SNAT_NEW, &fl, exp);
		if (m < 0) {
			fig_invalid(f, "cannot build the occupying frames");
			return false;
		}
		test_res_run(dp_xdp_prog_fd(dp), e->ifin, in, (__u32)n, 1, &r);
		if (!test_res_check(f, &r, XDP_REDIRECT, exp, (__u32)m, i))
			return false;
		e->occupants++;
	}
	return true;
}

static bool measure_single(struct sc_env *e, struct fig *f, struct dp *dp,
			   enum sc_kind k, unsigned int flows, double *ns)
{
	static struct test_res r, rp;
	unsigned long long sum = 0, sum_pass = 0, kept = 0;
	int fd = dp_xdp_prog_fd(dp);

	for (unsigned long long c = 0; c < e->runs; c++) {
		unsigned int i = (unsigned int)(c % flows);

		if (is_new(k) && c && !i && !flush(e, f, dp))
			return false;
		if (k == SC_SNAT_BUSY && !i && !occupy(e, f, dp, flows))
			return false;
		test_res_run(fd, e->ifin, e->in[i], e->inlen[i], 1, &r);
		if (!test_res_check(f, &r, XDP_REDIRECT, e->exp[i],
				    e->explen[i], c))
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
	f->runs = e->runs;
	if (!kept) {
		fig_invalid(f, "every call was interrupted");
		return false;
	}
	*ns = ((double)sum - (double)sum_pass) / (double)kept + e->pass_batch;
	return true;
}

static struct dp *dp_of(struct sc_env *e, enum sc_kind k)
{
	switch (k) {
	case SC_ROUTE: return e->dpr;
	case SC_CT_EST:
	case SC_CT_NEW: return e->dpc;
	default: return e->dpn;
	}
}

static void describe(struct fig *f, const struct sc_path *p)
{
	static const char *const what[] = {
		[SC_ROUTE] = "the routed frame",
		[SC_CT_EST] = "the routed frame",
		[SC_CT_NEW] = "the routed frame",
		[SC_SNAT_EST] = "the routed frame from the pool's address",
		[SC_SNAT_NEW] = "the routed frame from the pool's address, "
				"the port kept",
		[SC_SNAT_BUSY] = "the routed frame from the pool's address, "
				 "the next port",
		[SC_DNAT_EST] = "the routed frame to the server's address "
				"and port",
	};
	static const char *const events[] = {
		[SC_ROUTE] = "",
		[SC_CT_EST] = "; no conntrack event",
		[SC_CT_NEW] = "; conntrack created +runs",
		[SC_SNAT_EST] = "; no conntrack event, NAT xlate_orig +runs",
		[SC_SNAT_NEW] = "; conntrack created +runs, NAT snat_bound "
				"+runs",
		[SC_SNAT_BUSY] = "; NAT port_collision +runs, snat_bound "
				 "+runs (+ the occupants')",
		[SC_DNAT_EST] = "; no conntrack event, NAT xlate_orig +runs",
	};

	snprintf(f->label, sizeof(f->label), "%s", p->label);
	snprintf(f->method, sizeof(f->method),
		 "single: repeat 1 per call, a fresh frame, flows cycled%s; "
		 "minus XDP_PASS at repeat 1 (interleaved), plus XDP_PASS "
		 "batch",
		 is_new(p->kind) ? " (table flushed between cycles, untimed)" :
				   "");
	snprintf(f->check, sizeof(f->check),
		 "every call: XDP_REDIRECT, output = %s, built here; per "
		 "figure: fwd_redirect +runs exactly, no other counter%s%s",
		 what[p->kind], events[p->kind],
		 p->fw ? "; the accepting fw rule's counter +runs" : "");
}

static void measure(struct sc_env *e, const struct sc_path *p,
		    unsigned int flows)
{
	struct fig *f = fig_new(SC_GROUP, p->name, flows, "ns/packet");
	bool new_flows = is_new(p->kind);
	struct dp *dp = dp_of(e, p->kind);
	struct sluice_counter hb = { 0 }, ha = { 0 };
	double ns = 0;

	describe(f, p);
	if (f->invalid)
		return; /* an earlier repetition failed its check */
	if (!e->have_pass_batch) {
		fig_invalid(f, "no XDP_PASS floor in this repetition");
		return;
	}
	if (frames(e, p->kind, flows)) {
		fig_invalid(f, "cannot build the frames");
		return;
	}
	/* the rule set first: it lets the flows' opening packets in too */
	if (p->fw && scfw_install(dp, SLOT_IN, p->fw)) {
		fig_invalid(f, "cannot install the firewall's rules");
		return;
	}
	/* each figure starts from an empty table (then its own flows) */
	if (dp != e->dpr && !flush(e, f, dp))
		goto out;
	if (p->kind != SC_ROUTE && !new_flows &&
	    !prime(e, f, dp, p->kind, flows))
		goto out;
	e->flushed = 0;
	e->occupants = 0;
	if (snapshot(e, dp, e->before, &e->ct_before, e->nat_before) ||
	    (p->fw && dp_fw_counter_read(dp, SCFW_HIT, &hb))) {
		fig_invalid(f, "cannot read the counters");
		goto out;
	}
	if (!measure_single(e, f, dp, p->kind, flows, &ns))
		goto out;
	if (snapshot(e, dp, e->after, &e->ct_after, e->nat_after) ||
	    (p->fw && dp_fw_counter_read(dp, SCFW_HIT, &ha))) {
		fig_invalid(f, "cannot read the counters");
		goto out;
	}
	if (!counters_ok(e, f, f->runs + e->occupants, e->inlen[0]))
		goto out;
	if (dp != e->dpr && (!ct_events_ok(e, f, p->kind, f->runs) ||
			     !nat_events_ok(e, f, p->kind, f->runs)))
		goto out;
	if (p->fw && ha.packets - hb.packets != f->runs) {
		fig_invalid(f, "the accepting fw rule counted %llu, want %llu",
			    (unsigned long long)(ha.packets - hb.packets),
			    (unsigned long long)f->runs);
		goto out;
	}
	fig_add(f, ns);
out:
	if (p->fw && scfw_install(dp, SLOT_IN, SCFW_NONE))
		fig_invalid(f, "cannot remove the firewall's rules");
}

static int alloc_frames(struct sc_env *e)
{
	e->in = calloc(MAX_FLOWS, sizeof(*e->in));
	e->exp = calloc(MAX_FLOWS, sizeof(*e->exp));
	e->inlen = calloc(MAX_FLOWS, sizeof(*e->inlen));
	e->explen = calloc(MAX_FLOWS, sizeof(*e->explen));
	return e->in && e->exp && e->inlen && e->explen ? 0 : -ENOMEM;
}

int statecost_run(const struct bench_opts *o)
{
	static struct sc_env e;
	struct ddoscost *ddos;
	unsigned int counts[2];
	int err;

	e = (struct sc_env){ .o = o };
	e.many = o->smoke ? 1024 : MAX_FLOWS;
	e.runs = o->runs < 4ull * e.many ? o->runs : 4ull * e.many;
	counts[0] = 1;
	counts[1] = e.many;
	err = alloc_frames(&e) ?: setup(&e);
	if (err) {
		teardown(&e);
		return err;
	}
	ddos = ddoscost_open(e.ifin);
	note("stateful: %u repetition(s) of %llu calls per figure; %d IPv4 "
	     "routes; conntrack on with every timeout %d s",
	     o->reps, e.runs, MAX_FLOWS, HOUR);
	for (unsigned int rep = 0; rep < o->reps; rep++) {
		pass_batch(&e);
		for (size_t p = 0; p < N_PATHS; p++)
			for (int c = paths[p].many_only ? 1 : 0; c < 2; c++)
				measure(&e, &paths[p], counts[c]);
		ddoscost_measure(ddos, e.fd_pass,
				 e.have_pass_batch ? e.pass_batch : -1, e.runs);
	}
	fig_tap(fig_find(SC_GROUP, "xdp_pass", 1), "floor (path checked)");
	for (size_t p = 0; p < N_PATHS; p++)
		for (int c = paths[p].many_only ? 1 : 0; c < 2; c++)
			fig_tap(fig_find(SC_GROUP, paths[p].name, counts[c]),
				"path check");
	ddoscost_tap();
	ddoscost_close(ddos);
	teardown(&e);
	return ctmem_run(o);
}
