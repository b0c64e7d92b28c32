// SPDX-License-Identifier: BSD-2-Clause
/*
 * Connection tracking at packet level, over the main topology's lib/dp
 * (opened with a table of CT_FULL_CAPACITY entries):
 *
 *  1. the scenarios of ct_fixtures.c, through XDP then TC: each packet a
 *     full fixture (verdict, reason, exact bytes), then the flow's entry
 *     (state, flags) found by a walk with the opener's address, the
 *     events that moved (exactly the expected ones) and the gauges
 *     (their total is the table's size);
 *  2. ageing in the kernel (the sweep): an idle entry expires at its
 *     timeout, a packet moves the deadline later, a RST moves it earlier;
 *  3. a full table: new flows are refused (DROP_CT_FULL) while it is full
 *     of established entries, and evict the oldest unreplied one when
 *     there is one.
 *
 * The embryonic ring is per CPU: the runner stays on CPU 0 meanwhile.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include "ct_fixtures.h"
#include "dp.h"
#include "dp_ct.h"
#include "names.h"
#include "runner.h"

/* ageing: polled every 50 ms, bounded */
#define CT_POLL_NS (50 * 1000 * 1000)
#define CT_AGE_BOUND_S 6

struct ct_find {
	struct sluice_ct_filter f;
	struct sluice_ct_entry e;
	unsigned int n;	    /* matching */
	unsigned int total; /* all entries */
};

static int find_cb(const struct sluice_ct_key *k,
		   const struct sluice_ct_entry *e, void *arg)
{
	struct ct_find *c = arg;

	c->total++;
	if (dp_ct_match(&c->f, k, e)) {
		c->n++;
		c->e = *e;
	}
	return 0;
}

/* The entries of flows opened by @client over @proto (0: any). */
static int ct_find(struct env *e, const char *client, __u8 proto, __u16 sport,
		   struct ct_find *c)
{
	int family = strchr(client, ':') ? AF_INET6 : AF_INET;

	memset(c, 0, sizeof(*c));
	if (pkt_addr(family, client, c->f.src))
		return -EINVAL;
	c->f.src_plen = family == AF_INET ? 32 : 128;
	c->f.family = family;
	c->f.proto = proto;
	(void)sport;
	return dp_ct_walk(e->dp, NULL, find_cb, c);
}

static bool events_ok(const struct dp_ct_counts *b,
		      const struct dp_ct_counts *a, bool created, int event)
{
	bool ok = true;

	for (int i = 0; i < SLUICE_CT_NEVENTS; i++) {
		__u64 want =
			(i == SLUICE_CTE_CREATED && created) + (i == event);
		__u64 got = a->events[i] - b->events[i];

		if (got != want) {
			diag("event %s moved by %llu, want %llu\n",
			     dp_ct_event_name(i) ?: "?",
			     (unsigned long long)got, (unsigned long long)want);
			ok = false;
		}
	}
	return ok;
}

static bool step_ok(struct env *e, const struct ct_scenario *sc,
		    const struct ct_step *st)
{
	struct dp_ct_counts b, a;
	struct ct_find c;
	bool ok;

	if (dp_ct_counts(e->dp, &b))
		return false;
	ok = run_fixture(e, &st->fx);
	if (dp_ct_counts(e->dp, &a) || ct_find(e, sc->client, sc->proto, 0, &c))
		return false;
	if (!events_ok(&b, &a, st->created, st->event))
		ok = false;
	if (st->state == CT_NO_ENTRY) {
		if (c.n) {
			diag("an entry in state %s, want none\n",
			     dp_ct_state_name(c.e.state));
			ok = false;
		}
	} else if (c.n != 1) {
		diag("%u entries for the flow, want 1\n", c.n);
		ok = false;
	} else if (c.e.state != st->state ||
		   (c.e.flags & st->flags) != st->flags) {
		diag("entry %s flags 0x%x, want %s with 0x%x\n",
		     dp_ct_state_name(c.e.state), c.e.flags,
		     dp_ct_state_name(st->state), st->flags);
		ok = false;
	}
	if (a.total != c.total) {
		diag("gauges say %llu entries, the table holds %u\n",
		     (unsigned long long)a.total, c.total);
		ok = false;
	}
	return ok;
}

static int ct_enable(struct env *e, int unreplied_s, int close_s)
{
	struct sluice_ct_config cfg;

	dp_ct_default_config(&cfg);
	cfg.enabled = 1;
	if (unreplied_s)
		cfg.timeout[SLUICE_CT_UNREPLIED] = unreplied_s;
	if (close_s)
		cfg.timeout[SLUICE_CT_CLOSE] = close_s;
	return dp_ct_config_set(e->dp, &cfg);
}

static void run_scenarios(struct env *e, const char *hook)
{
	char name[256];

	for (size_t i = 0; i < ct_n_scenarios; i++) {
		const struct ct_scenario *sc = &ct_scenarios[i];
		__u32 n;

		if (dp_ct_flush(e->dp, NULL, &n)) {
			tap(e, false, "ct: flush between scenarios");
			return;
		}
		for (int s = 0; s < sc->n; s++) {
			snprintf(name, sizeof(name), "%sct: %s: %s", hook,
				 sc->name, sc->steps[s].fx.name);
			tap(e, step_ok(e, sc, &sc->steps[s]), name);
		}
	}
}

/* ---- ageing -------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void nap(void)
{
	struct timespec t = { 0, CT_POLL_NS };

	nanosleep(&t, NULL);
}

/* Seconds until the flows of @client are gone, or -1 after the bound. */
static double gone_after(struct env *e, const char *client, double t0)
{
	struct ct_find c;

	while (now_s() - t0 < CT_AGE_BOUND_S) {
		if (ct_find(e, client, 0, 0, &c))
			return -1;
		if (!c.n)
			return now_s() - t0;
		nap();
	}
	return -1;
}

static const struct fixture udp_open = {
	.name = "udp",
	.ingress = IFX_P0,
	.in = { .dst = MAC_P0,
		.src = MAC_GW0,
		.l3 = PKT_L3_IP4,
		.saddr = "198.19.5.20",
		.daddr = "198.19.0.5",
		.l4 = IPPROTO_UDP,
		.sport = 5000,
		.dport = 53,
		.payload = 8 },
	.verdict = XDP_REDIRECT,
	.reason = SLUICE_FWD_REDIRECT,
	.routed = true,
	.out = { .dst = MAC_GW1, .src = MAC_P1 },
};

#define TCP_FROM(nm, fl)                                                       \
	{                                                                      \
		.name = nm, .ingress = IFX_P0,                                 \
		.in = { .dst = MAC_P0,                                         \
			.src = MAC_GW0,                                        \
			.l3 = PKT_L3_IP4,                                      \
			.saddr = "198.19.5.21",                                \
			.daddr = "198.19.0.5",                                 \
			.l4 = IPPROTO_TCP,                                     \
			.sport = 5001,                                         \
			.dport = 80,                                           \
			.tcp_flags = fl },                                     \
		.verdict = XDP_REDIRECT, .reason = SLUICE_FWD_REDIRECT,        \
		.routed = true,                                                \
		.out = {.dst = MAC_GW1,                                        \
			.src = MAC_P1 }                                        \
	}
static const struct fixture tcp_ack = TCP_FROM("tcp ack", 0x10);
static const struct fixture tcp_rst = TCP_FROM("tcp rst", 0x04);

static void run_ageing(struct env *e)
{
	struct dp_ct_counts b, a;
	double t0, t;
	bool ok;

	/* unreplied 2 s, close 1 s; established stays at hours */
	if (ct_enable(e, 2, 1) || dp_ct_flush(e->dp, NULL, NULL)) {
		tap(e, false, "ct ageing: setup");
		return;
	}
	dp_ct_counts(e->dp, &b);
	t0 = now_s();
	ok = run_fixture(e, &udp_open);
	t = gone_after(e, "198.19.5.20", t0);
	dp_ct_counts(e->dp, &a);
	diag("an idle unreplied entry (timeout 2 s) went after %.2f s\n", t);
	tap(e,
	    ok && t >= 1.9 && t < 3.5 &&
		    a.events[SLUICE_CTE_EXPIRED] -
				    b.events[SLUICE_CTE_EXPIRED] ==
			    1 &&
		    a.total == 0,
	    "ct ageing: an idle entry expires at its timeout, counted, "
	    "gauges back to 0");

	/* a packet at 1 s moves the deadline to 3 s */
	t0 = now_s();
	ok = run_fixture(e, &udp_open);
	while (now_s() - t0 < 1.0)
		nap();
	ok = run_fixture(e, &udp_open) && ok;
	t = gone_after(e, "198.19.5.20", t0);
	diag("with a packet at 1 s, it went after %.2f s\n", t);
	tap(e, ok && t >= 2.9 && t < 4.5,
	    "ct ageing: a packet moves the deadline later");

	/* established (6 h), then a RST: close's 1 s */
	t0 = now_s();
	ok = run_fixture(e, &tcp_ack) && run_fixture(e, &tcp_rst);
	t = gone_after(e, "198.19.5.21", t0);
	diag("established then RST went after %.2f s\n", t);
	tap(e, ok && t >= 0.9 && t < 2.5,
	    "ct ageing: a RST moves the deadline earlier (close's "
	    "timeout)");
}

/* ---- a full table ------------------------------------------------------- */

static struct fixture flow_from(__u8 l4, __u8 flags, __u16 sport)
{
	struct fixture fx = {
		.name = "flow",
		.ingress = IFX_P0,
		.in = { .dst = MAC_P0,
			.src = MAC_GW0,
			.l3 = PKT_L3_IP4,
			.saddr = "198.19.5.30",
			.daddr = "198.19.0.5",
			.l4 = l4,
			.sport = sport,
			.dport = 80,
			.tcp_flags = flags,
			.payload = 8 },
		.verdict = XDP_REDIRECT,
		.reason = SLUICE_FWD_REDIRECT,
		.routed = true,
		.out = { .dst = MAC_GW1, .src = MAC_P1 },
	};
	return fx;
}

static bool fill_with(struct env *e, __u8 l4, __u8 flags, __u16 base)
{
	for (__u16 i = 0; i < CT_FULL_CAPACITY; i++) {
		struct fixture fx = flow_from(l4, flags, base + i);

		if (!run_fixture(e, &fx))
			return false;
	}
	return true;
}

static void run_full(struct env *e)
{
	struct dp_ct_counts b, a;
	struct fixture fx;
	struct ct_find c;
	bool ok;

	if (ct_enable(e, 0, 0) || dp_ct_flush(e->dp, NULL, NULL)) {
		tap(e, false, "ct full: setup");
		return;
	}
	/* established entries (picked up): never evicted */
	ok = fill_with(e, IPPROTO_TCP, 0x10, 41000);
	dp_ct_counts(e->dp, &b);
	fx = flow_from(IPPROTO_TCP, 0x02, 42000);
	fx.verdict = XDP_DROP;
	fx.reason = SLUICE_DROP_CT_FULL;
	fx.routed = false;
	ok = run_fixture(e, &fx) && ok;
	dp_ct_counts(e->dp, &a);
	tap(e,
	    ok && events_ok(&b, &a, false, SLUICE_CTE_INSERT_FAIL_FULL) &&
		    a.total == CT_FULL_CAPACITY,
	    "ct full: a new flow is refused (drop_ct_full, insert_fail_full) "
	    "while every entry is established");
	fx = flow_from(IPPROTO_TCP, 0x18, 41003);
	tap(e, run_fixture(e, &fx),
	    "ct full: an established flow goes on meanwhile");

	/* unreplied entries: the oldest one makes room */
	ok = !dp_ct_flush(e->dp, NULL, NULL) &&
	     fill_with(e, IPPROTO_UDP, 0, 43000);
	dp_ct_counts(e->dp, &b);
	fx = flow_from(IPPROTO_UDP, 0, 44000);
	ok = run_fixture(e, &fx) && ok;
	dp_ct_counts(e->dp, &a);
	ok = events_ok(&b, &a, true, SLUICE_CTE_EVICTED_EMBRYONIC) && ok;
	c.n = 0;
	if (!ct_find(e, "198.19.5.30", IPPROTO_UDP, 0, &c))
		diag("%u unreplied entries after the eviction\n", c.n);
	tap(e, ok && c.n == CT_FULL_CAPACITY && a.total == CT_FULL_CAPACITY,
	    "ct full: a new flow evicts the oldest unreplied entry "
	    "(evicted_embryonic) and goes through");
}

/* ---- the host's own flows (TC egress) ------------------------------------ */

#define HOST4 "198.18.0.1" /* a local address of the router */
#define PEER4 "198.19.0.5"

#define HOST_OUT(nm, fl)                                                       \
	{                                                                      \
		.name = nm, .ingress = IFX_P1,                                 \
		.in = { .dst = MAC_GW1,                                        \
			.src = MAC_P1,                                         \
			.l3 = PKT_L3_IP4,                                      \
			.saddr = HOST4,                                        \
			.daddr = PEER4,                                        \
			.l4 = IPPROTO_TCP,                                     \
			.sport = 33000,                                        \
			.dport = 179,                                          \
			.tcp_flags = fl },                                     \
		.verdict = XDP_PASS, .reason = SLUICE_PASS_EGRESS_TRACKED      \
	}
#define HOST_IN(nm, fl)                                                        \
	{                                                                      \
		.name = nm, .ingress = IFX_P1,                                 \
		.in = { .dst = MAC_P1,                                         \
			.src = MAC_GW1,                                        \
			.l3 = PKT_L3_IP4,                                      \
			.saddr = PEER4,                                        \
			.daddr = HOST4,                                        \
			.l4 = IPPROTO_TCP,                                     \
			.sport = 179,                                          \
			.dport = 33000,                                        \
			.tcp_flags = fl },                                     \
		.verdict = XDP_PASS, .reason = SLUICE_PASS_LOCAL               \
	}

static const struct ct_step host_steps[] = {
	{ HOST_OUT("the host's SYN, at egress: syn_sent", 0x02),
	  SLUICE_CT_SYN_SENT, 0, true, CT_NO_EVENT },
	{ HOST_IN("the SYN+ACK to the host, at XDP: syn_recv", 0x12),
	  SLUICE_CT_SYN_RECV, SLUICE_CTF_REPLIED, false, CT_NO_EVENT },
	{ HOST_OUT("the host's ACK, at egress: established", 0x10),
	  SLUICE_CT_ESTABLISHED, 0, false, CT_NO_EVENT },
	{ HOST_IN("data to the host: established", 0x18), SLUICE_CT_ESTABLISHED,
	  0, false, CT_NO_EVENT },
};

/* The egress program runs as the TC router does in run_fixture(): its
 * fd stands in for the router's meanwhile. */
static void run_host_flows(struct env *e)
{
	const struct ct_scenario sc = { .client = HOST4, .proto = IPPROTO_TCP };
	int tc_fd = e->tc_fd, egress_fd = dp_egress_prog_fd(e->dp);
	char name[200];

	if (ct_enable(e, 0, 0) || dp_ct_flush(e->dp, NULL, NULL) ||
	    egress_fd < 0) {
		tap(e, false, "ct host flows: setup");
		return;
	}
	for (size_t i = 0; i < sizeof(host_steps) / sizeof(host_steps[0]);
	     i++) {
		const struct ct_step *st = &host_steps[i];
		bool egress = st->fx.reason == SLUICE_PASS_EGRESS_TRACKED;
		bool ok;

		e->at_tc = egress;
		e->tc_fd = egress_fd;
		ok = step_ok(e, &sc, st);
		e->at_tc = false;
		e->tc_fd = tc_fd;
		snprintf(name, sizeof(name), "ct host flows: %s", st->fx.name);
		tap(e, ok, name);
	}
}

/* ---- the administration program ---------------------------------------- */

static void run_admin(struct env *e)
{
	struct sluice_ct_filter f = { .proto = IPPROTO_UDP };
	struct dp_ct_counts a;
	__u32 n = 0, flushed = 0;
	struct ct_find c;
	bool ok;

	ok = !ct_enable(e, 0, 0) && !dp_ct_flush(e->dp, NULL, NULL) &&
	     !dp_ct_fill(e->dp, 10, 0, &n);
	tap(e, ok && n == 10, "ct admin: fill makes 10 entries");
	for (__u16 i = 0; i < 3; i++) {
		struct fixture fx = flow_from(IPPROTO_TCP, 0x10, 45000 + i);

		ok = run_fixture(e, &fx) && ok;
	}
	ok = ok && !dp_ct_flush(e->dp, &f, &flushed) &&
	     !dp_ct_counts(e->dp, &a) && !ct_find(e, "198.19.5.30", 0, 0, &c);
	diag("flushed %u udp, %llu left\n", flushed,
	     (unsigned long long)a.total);
	tap(e,
	    ok && flushed == 10 && a.total == c.total && c.n == c.total &&
		    c.n > 0,
	    "ct admin: a flush by protocol takes only that protocol, gauges "
	    "follow");
}

void ct_run_all(struct env *e)
{
	cpu_set_t one, saved;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_getaffinity(0, sizeof(saved), &saved) ||
	    sched_setaffinity(0, sizeof(one), &one)) {
		tap(e, false, "ct: pin to CPU 0");
		return;
	}
	if (ct_enable(e, 0, 0)) {
		tap(e, false, "ct: enable");
		goto out;
	}
	run_scenarios(e, "");
	e->at_tc = true;
	run_scenarios(e, "tc: ");
	e->at_tc = false;
	run_host_flows(e);
	run_ageing(e);
	run_full(e);
	run_admin(e);
out:
	dp_ct_flush(e->dp, NULL, NULL);
	dp_ct_config_set(e->dp, &(struct sluice_ct_config){ 0 });
	sched_setaffinity(0, sizeof(saved), &saved);
}
