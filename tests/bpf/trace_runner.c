// SPDX-License-Identifier: BSD-2-Clause
/*
 * The per-packet trace (bpf/lib/trace.h) through BPF_PROG_TEST_RUN: with
 * the trace on, a packet gives exactly one event in trace_events whose
 * decision fields are the packet's and whose bytes are the frame the run
 * put out; the filter, sampling, the count bound, and "off" give none
 * where they should.  The trace is left off.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include "dp.h"
#include "dp_trace.h"
#include "names.h"
#include "runner.h"

#define MAX_EVENTS 16

struct got {
	struct sluice_trace_event ev[MAX_EVENTS];
	unsigned int n;
};

static int collect(void *arg, const struct sluice_trace_event *ev)
{
	struct got *g = arg;

	if (g->n < MAX_EVENTS)
		g->ev[g->n] = *ev;
	g->n++;
	return 0;
}

/* A TCP (or UDP) frame from H0 on P0 to @daddr. */
static int frame_to(const char *daddr, __u8 l4, __u16 dport, struct frame *f)
{
	struct pkt_spec s = {
		.dst = MAC_P0,
		.src = MAC_H0,
		.l3 = strchr(daddr, ':') ? PKT_L3_IP6 : PKT_L3_IP4,
		.l4 = l4,
		.saddr = strchr(daddr, ':') ? H0_6 : H0_4,
		.daddr = daddr,
		.sport = 40000,
		.dport = dport,
		.payload = 200, /* longer than what an event carries */
	};

	return pkt_build(&s, f);
}

/* @n runs of @f through XDP (or TC), then every event in the ring. */
static int run_n(struct env *e, struct dp_trace *t, const struct frame *f,
		 bool tc, unsigned int n, struct run *r, struct got *g)
{
	int err;

	memset(g, 0, sizeof(*g));
	for (unsigned int i = 0; i < n; i++) {
		err = tc ? tc_run(e->tc_fd, e->ifindex[IFX_P0], f->buf, f->len,
				  r) :
			   xdp_run(e->prog_fd, e->ifindex[IFX_P0], f->buf,
				   f->len, 0, 1, r);
		if (err) {
			diag("test_run: %s\n", strerror(-err));
			return err;
		}
	}
	err = dp_trace_poll(t, 0, collect, g);
	return err < 0 ? err : 0;
}

static bool want_n(const struct got *g, unsigned int n)
{
	if (g->n == n)
		return true;
	diag("%u events, want %u\n", g->n, n);
	return false;
}

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			diag("%s\n", #cond);                                   \
			ok = false;                                            \
		}                                                              \
	} while (0)

/* The one event of a run against what the run did. */
static bool event_ok(struct env *e, const struct sluice_trace_event *ev,
		     const struct run *r, int reason, int verdict, int hook,
		     int egress_ifx, const char *daddr, __u8 proto)
{
	__u32 cap = r->out_len < SLUICE_TRACE_CAP ? r->out_len :
						    SLUICE_TRACE_CAP;
	int fam = strchr(daddr, ':') ? AF_INET6 : AF_INET;
	__u8 src[16] = {}, dst[16] = {};
	bool ok = true;

	pkt_addr(fam, fam == AF_INET ? H0_4 : H0_6, src);
	pkt_addr(fam, daddr, dst);
	CHECK(ev->reason == reason);
	CHECK(ev->verdict == verdict);
	CHECK(ev->hook == hook);
	CHECK(ev->ifindex == e->ifindex[IFX_P0]);
	CHECK(ev->in_ifindex == e->ifindex[IFX_P0]);
	CHECK(ev->slot == e->slot[IFX_P0]);
	CHECK(ev->egress_ifindex ==
	      (egress_ifx == IFX_NONE ? 0 : e->ifindex[egress_ifx]));
	CHECK(ev->len == r->out_len);
	CHECK(ev->cap_len == cap);
	CHECK(!memcmp(ev->data, r->out, cap));
	CHECK(ev->ts_ns != 0);
	CHECK(ev->flags == (SLUICE_TRACE_F_PARSED | SLUICE_TRACE_F_PORTS));
	CHECK(ev->family == fam);
	CHECK(ev->proto == proto);
	CHECK(!memcmp(ev->src, src, 16));
	CHECK(!memcmp(ev->dst, dst, 16));
	CHECK(ev->sport == 40000);
	CHECK(ev->dport == (proto == IPPROTO_TCP ? 443 : 53));
	if (!ok)
		diag("event: reason %u verdict %u hook %u in %u egress %u "
		     "len %u cap %u flags %#x family %u proto %u ports "
		     "%u>%u\n",
		     ev->reason, ev->verdict, ev->hook, ev->ifindex,
		     ev->egress_ifindex, ev->len, ev->cap_len, ev->flags,
		     ev->family, ev->proto, ev->sport, ev->dport);
	return ok;
}

#define FWD4 "198.19.0.5"      /* routed out of P1 (fixtures.c) */
#define NOROUTE4 "198.18.99.1" /* pass_no_route */
#define NOROUTE6 "2001:db8:999::1"

static void run_cases(struct env *e, struct dp_trace *t)
{
	struct sluice_trace_cfg cfg = {};
	struct sluice_trace_stats st;
	struct frame fwd, noroute, noroute6, udp;
	static struct got g;
	struct run r;
	bool ok;

	if (frame_to(FWD4, IPPROTO_TCP, 443, &fwd) ||
	    frame_to(NOROUTE4, IPPROTO_TCP, 443, &noroute) ||
	    frame_to(NOROUTE6, IPPROTO_TCP, 443, &noroute6) ||
	    frame_to(FWD4, IPPROTO_UDP, 53, &udp)) {
		tap(e, false, "trace: frames built");
		return;
	}

	ok = !dp_trace_stop(t) && !run_n(e, t, &fwd, false, 3, &r, &g) &&
	     want_n(&g, 0);
	tap(e, ok, "trace: off, a forwarded packet gives no event");

	ok = !dp_trace_start(t, &cfg) && !run_n(e, t, &fwd, false, 1, &r, &g) &&
	     want_n(&g, 1) && r.retval == XDP_REDIRECT &&
	     event_ok(e, &g.ev[0], &r, SLUICE_FWD_REDIRECT, SLUICE_V_REDIRECT,
		      SLUICE_TRACE_HOOK_XDP, IFX_P1, FWD4, IPPROTO_TCP);
	tap(e, ok,
	    "trace: on, a v4 forward: one event, its decision and "
	    "the frame as it left");

	ok = !run_n(e, t, &noroute, false, 1, &r, &g) && want_n(&g, 1) &&
	     r.retval == XDP_PASS &&
	     event_ok(e, &g.ev[0], &r, SLUICE_PASS_NO_ROUTE, SLUICE_V_PASS,
		      SLUICE_TRACE_HOOK_XDP, IFX_NONE, NOROUTE4, IPPROTO_TCP);
	tap(e, ok, "trace: pass_no_route: one event, no egress");

	ok = !run_n(e, t, &noroute6, false, 1, &r, &g) && want_n(&g, 1) &&
	     event_ok(e, &g.ev[0], &r, SLUICE_PASS_NO_ROUTE, SLUICE_V_PASS,
		      SLUICE_TRACE_HOOK_XDP, IFX_NONE, NOROUTE6, IPPROTO_TCP);
	tap(e, ok, "trace: v6 pass_no_route: one event, v6 addresses");

	ok = !run_n(e, t, &fwd, true, 1, &r, &g) && want_n(&g, 1) &&
	     r.retval == TC_ACT_REDIRECT &&
	     event_ok(e, &g.ev[0], &r, SLUICE_FWD_REDIRECT, SLUICE_V_REDIRECT,
		      SLUICE_TRACE_HOOK_TC, IFX_P1, FWD4, IPPROTO_TCP);
	tap(e, ok, "trace: TC hook: one event, hook tc");

	/* the filter: destination prefix */
	memset(&cfg, 0, sizeof(cfg));
	ok = !dp_trace_prefix_parse("198.18.99.0/24", &cfg.dst) &&
	     !dp_trace_start(t, &cfg) && !run_n(e, t, &fwd, false, 2, &r, &g) &&
	     want_n(&g, 0) && !run_n(e, t, &noroute, false, 2, &r, &g) &&
	     want_n(&g, 2) && !run_n(e, t, &noroute6, false, 1, &r, &g) &&
	     want_n(&g, 0);
	tap(e, ok, "trace: --dst 198.18.99.0/24 keeps only its packets");

	memset(&cfg, 0, sizeof(cfg));
	ok = !dp_trace_prefix_parse("2001:db8:999::/48", &cfg.dst) &&
	     !dp_trace_prefix_parse(H0_6, &cfg.src) &&
	     !dp_trace_start(t, &cfg) &&
	     !run_n(e, t, &noroute6, false, 1, &r, &g) && want_n(&g, 1) &&
	     !run_n(e, t, &noroute, false, 1, &r, &g) && want_n(&g, 0);
	tap(e, ok, "trace: v6 --src and --dst prefixes");

	memset(&cfg, 0, sizeof(cfg));
	cfg.proto = IPPROTO_UDP;
	ok = !dp_trace_start(t, &cfg) && !run_n(e, t, &fwd, false, 1, &r, &g) &&
	     want_n(&g, 0) && !run_n(e, t, &udp, false, 1, &r, &g) &&
	     want_n(&g, 1) &&
	     event_ok(e, &g.ev[0], &r, SLUICE_FWD_REDIRECT, SLUICE_V_REDIRECT,
		      SLUICE_TRACE_HOOK_XDP, IFX_P1, FWD4, IPPROTO_UDP);
	tap(e, ok, "trace: --proto udp");

	memset(&cfg, 0, sizeof(cfg));
	cfg.port = 443;
	ok = !dp_trace_start(t, &cfg) && !run_n(e, t, &udp, false, 1, &r, &g) &&
	     want_n(&g, 0) && !run_n(e, t, &fwd, false, 1, &r, &g) &&
	     want_n(&g, 1);
	cfg.port = 40000; /* the source port matches too */
	ok = ok && !dp_trace_start(t, &cfg) &&
	     !run_n(e, t, &udp, false, 1, &r, &g) && want_n(&g, 1);
	tap(e, ok, "trace: --port, source or destination");

	memset(&cfg, 0, sizeof(cfg));
	dp_trace_cfg_reason(&cfg, SLUICE_PASS_NO_ROUTE);
	ok = !dp_trace_start(t, &cfg) && !run_n(e, t, &fwd, false, 2, &r, &g) &&
	     want_n(&g, 0) && !run_n(e, t, &noroute, false, 1, &r, &g) &&
	     want_n(&g, 1) && g.ev[0].reason == SLUICE_PASS_NO_ROUTE;
	tap(e, ok, "trace: --reason pass_no_route");

	memset(&cfg, 0, sizeof(cfg));
	cfg.sample = 3;
	ok = !dp_trace_start(t, &cfg) && !run_n(e, t, &fwd, false, 9, &r, &g) &&
	     want_n(&g, 3) && !dp_trace_stats(t, &st) && st.matched == 9 &&
	     st.emitted == 3 && st.lost == 0;
	tap(e, ok, "trace: --sample 1/3: 3 events of 9, counted");

	memset(&cfg, 0, sizeof(cfg));
	cfg.count = 2;
	ok = !dp_trace_start(t, &cfg) && !run_n(e, t, &fwd, false, 5, &r, &g) &&
	     want_n(&g, 2) && !dp_trace_stats(t, &st) && st.emitted == 2;
	tap(e, ok, "trace: --count 2 bounds the events in the kernel");

	ok = !dp_trace_stop(t) && !run_n(e, t, &noroute, false, 2, &r, &g) &&
	     want_n(&g, 0);
	tap(e, ok, "trace: off again, no event");
}

static void run_parse(struct env *e)
{
	static const char *const bad[] = { "198.18.0.1/24",  "198.18.0.0/33",
					   "2001:db8::/129", "x",
					   "198.18.0.0/",    "" };
	struct sluice_trace_prefix p;
	bool ok = !dp_trace_prefix_parse("198.18.0.0/15", &p) &&
		  p.family == AF_INET && p.plen == 15 &&
		  !dp_trace_prefix_parse("2001:db8::1", &p) &&
		  p.family == AF_INET6 && p.plen == 128;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (dp_trace_prefix_parse(bad[i], &p) != -EINVAL) {
			diag("'%s' accepted\n", bad[i]);
			ok = false;
		}
	tap(e, ok, "trace: prefixes parsed, host bits refused");
}

/* A load-balanced packet: the event shows the client's flow (the inner
 * header) and the backend (the outer destination), and --vip finds it.
 * Runs last: its flow stays in the LB's table. */
void trace_run_lb(struct env *e)
{
	static const char vip[] = "198.19.0.100"; /* lb_fixtures.c: VIP1 */
	struct sluice_trace_cfg cfg = {};
	struct dp_trace *t = NULL;
	static struct got g;
	struct frame f;
	struct run r;
	bool ok;

	if (dp_trace_open(&t, e->dp) || frame_to(vip, IPPROTO_TCP, 80, &f)) {
		tap(e, false, "trace: lb: maps open, frame built");
		dp_trace_close(t);
		return;
	}
	cfg.port = 80;
	ok = !dp_trace_prefix_parse(vip, &cfg.dst) &&
	     !dp_trace_start(t, &cfg) && !run_n(e, t, &f, false, 1, &r, &g) &&
	     want_n(&g, 1);
	if (ok) {
		const struct sluice_trace_event *ev = &g.ev[0];
		__u8 src[16] = {}, dst[16] = {};

		pkt_addr(AF_INET, H0_4, src);
		pkt_addr(AF_INET, vip, dst);
		CHECK(r.retval == XDP_REDIRECT || r.retval == XDP_TX);
		CHECK(ev->reason == SLUICE_FWD_LB ||
		      ev->reason == SLUICE_FWD_LB_TX);
		CHECK(ev->flags ==
		      (SLUICE_TRACE_F_PARSED | SLUICE_TRACE_F_PORTS |
		       SLUICE_TRACE_F_ENCAP));
		CHECK(ev->family == AF_INET && ev->proto == IPPROTO_TCP);
		CHECK(!memcmp(ev->src, src, 16) && !memcmp(ev->dst, dst, 16));
		CHECK(ev->sport == 40000 && ev->dport == 80);
		/* the outer header: IPIP to the backend the run chose */
		CHECK(ev->tun_family == AF_INET && r.out_len > 34 &&
		      r.out[23] == IPPROTO_IPIP &&
		      !memcmp(ev->tun_dst, r.out + 30, 4));
		CHECK(ev->len == r.out_len &&
		      !memcmp(ev->data, r.out, ev->cap_len));
	}
	tap(e, ok,
	    "trace: lb: --vip finds a VIP's packet; inner flow, the "
	    "backend as the tunnel's destination");
	dp_trace_close(t);
}

void trace_run_all(struct env *e)
{
	struct dp_trace *t = NULL;
	int err = dp_trace_open(&t, e->dp);

	if (err)
		diag("dp_trace_open: %s\n", strerror(-err));
	tap(e, !err, "trace: the maps open");
	if (err)
		return;
	run_parse(e);
	run_cases(e, t);
	dp_trace_close(t);
}
