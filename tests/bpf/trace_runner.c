// SPDX-License-Identifier: BSD-2-Clause
/*
 * The per-packet trace (bpf/lib/trace.h) through BPF_PROG_TEST_RUN: with
 * the trace on, a packet gives exactly one event in trace_events whose
 * decision fields are the packet's and whose bytes are the frame the run
 * put out; the filter, sampling, the count bound, and "off" give none
 * where they should.  The decision the stages noted (route, hop, VIP
 * and backend, firewall rule or policy, conntrack state) is checked
 * field by field against the fixtures' tables.  The trace is left off.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include "dp.h"
#include "dp_ct.h"
#include "dp_fw.h"
#include "dp_nat.h"
#include "dp_trace.h"
#include "fw.h"
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
	/* the pipelines note the addresses as received (F_RX) */
	CHECK(ev->flags == (SLUICE_TRACE_F_PARSED | SLUICE_TRACE_F_PORTS |
			    SLUICE_TRACE_F_RX));
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

/* The decision @d against what is wanted: exactly the flags @flags, and
 * each field those flags cover. */
struct want_dec {
	__u16 flags;
	__u8 plen;
	__u32 nhg_id;
	int oif_ifx;	/* IFX_*: the hop's device */
	const char *gw; /* NULL: on-link */
	__u32 vip_id, backend_id;
	__u32 fw_id;
	__u8 fw_action;
	__u8 ct_state;
	const char *rdst; /* the address the route was looked up for */
};

static bool dec_ok(struct env *e, const struct sluice_trace_decision *d,
		   const struct want_dec *w)
{
	__u8 gw[16] = {};
	bool ok = true;
	int gfam = w->gw && strchr(w->gw, ':') ? AF_INET6 : AF_INET;

	CHECK(d->flags == w->flags);
	if (w->flags & SLUICE_TRACE_D_ROUTE) {
		__u8 rdst[16] = {};
		int rfam = strchr(w->rdst, ':') ? AF_INET6 : AF_INET;

		pkt_addr(rfam, w->rdst, rdst);
		CHECK(d->plen == w->plen);
		CHECK(d->nhg_id == w->nhg_id);
		CHECK(d->route_family == rfam);
		CHECK(!memcmp(d->route_dst, rdst, 16));
	}
	if (w->flags & SLUICE_TRACE_D_HOP) {
		CHECK(d->oif == e->ifindex[w->oif_ifx]);
		if (w->gw)
			pkt_addr(gfam, w->gw, gw);
		CHECK(d->gw_family == (w->gw ? gfam : 0));
		CHECK(!memcmp(d->gw, gw, 16));
	}
	if (w->flags & SLUICE_TRACE_D_VIP) {
		CHECK(d->vip_id == w->vip_id);
		CHECK(d->backend_id == w->backend_id);
	}
	if (w->flags & (SLUICE_TRACE_D_FW | SLUICE_TRACE_D_FW_POLICY)) {
		CHECK(d->fw_id == w->fw_id);
		CHECK(d->fw_action == w->fw_action);
	}
	if (w->flags & SLUICE_TRACE_D_CT)
		CHECK(d->ct_state == w->ct_state);
	if (!ok)
		diag("decision: flags %#x plen %u nhg %u oif %u gw_family %u "
		     "vip %u backend %u fw %u/%u ct %#x\n",
		     d->flags, d->plen, d->nhg_id, d->oif, d->gw_family,
		     d->vip_id, d->backend_id, d->fw_id, d->fw_action,
		     d->ct_state);
	return ok;
}

#define D_ROUTED (SLUICE_TRACE_D_ROUTE | SLUICE_TRACE_D_HOP)

/* Routed packets: the prefix length and group of the entry that
 * matched, and the member's gateway and device (fixtures.c's tables). */
static void run_routes(struct env *e, struct dp_trace *t)
{
	static const struct {
		const char *name, *daddr;
		struct want_dec w;
	} rows[] = {
		{ "trace: route 198.19.0.0/24 nhg 1 via 198.18.1.254 dev P1",
		  "198.19.0.5",
		  { .flags = D_ROUTED,
		    .plen = 24,
		    .nhg_id = 1,
		    .oif_ifx = IFX_P1,
		    .gw = "198.18.1.254" } },
		{ "trace: route 198.19.6.0 by 198.19.0.0/16 nhg 3 via "
		  "198.18.2.254 dev P2",
		  "198.19.6.5",
		  { .flags = D_ROUTED,
		    .plen = 16,
		    .nhg_id = 3,
		    .oif_ifx = IFX_P2,
		    .gw = "198.18.2.254" } },
		{ "trace: connected 198.18.1.0/24 nhg 4: on-link, dev P1",
		  "198.18.1.7",
		  { .flags = D_ROUTED,
		    .plen = 24,
		    .nhg_id = 4,
		    .oif_ifx = IFX_P1,
		    .gw = NULL } },
		{ "trace: v6 route 2001:db8:100:1::/64 nhg 26 via "
		  "2001:db8:2::fe dev P2",
		  "2001:db8:100:1::5",
		  { .flags = D_ROUTED,
		    .plen = 64,
		    .nhg_id = 26,
		    .oif_ifx = IFX_P2,
		    .gw = "2001:db8:2::fe" } },
		{ "trace: no route: no route, no hop noted",
		  "198.18.99.1",
		  { .flags = 0 } },
	};
	struct sluice_trace_cfg cfg = {};
	static struct got g;
	struct frame f;
	struct run r;
	bool ok;

	struct want_dec w;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		w = rows[i].w;
		w.rdst = rows[i].daddr;
		ok = !frame_to(rows[i].daddr, IPPROTO_TCP, 443, &f) &&
		     !dp_trace_start(t, &cfg) &&
		     !run_n(e, t, &f, false, 1, &r, &g) && want_n(&g, 1) &&
		     dec_ok(e, &g.ev[0].d, &w);
		tap(e, ok, rows[i].name);
	}
	/* the same at TC */
	w = rows[0].w;
	w.rdst = rows[0].daddr;
	ok = !frame_to("198.19.0.5", IPPROTO_TCP, 443, &f) &&
	     !run_n(e, t, &f, true, 1, &r, &g) && want_n(&g, 1) &&
	     g.ev[0].hook == SLUICE_TRACE_HOOK_TC && dec_ok(e, &g.ev[0].d, &w);
	tap(e, ok, "trace: TC: the route and hop noted the same");
	dp_trace_stop(t);
}

/* One firewall set on P0 "in": @rule (its id @id, NULL: none) and
 * @policy. */
static int fw_set_p0(struct env *e, const char *const *kv, __u32 id,
		     __u8 action, __u8 policy)
{
	static struct fw_compiled c;
	char err[FW_ERR_MAX] = "";
	struct fw_rule rule;
	int rc = 0;

	fw_rule_init(&rule);
	rule.id = id;
	rule.action = action;
	strcpy(rule.iface, "sl0");
	for (int k = 0; kv && kv[k] && !rc; k += 2)
		rc = fw_rule_set(&rule, kv[k], kv[k + 1], err, sizeof(err));
	rc = rc	   ?:
		     fw_compile(&rule, kv ? 1 : 0, policy, NULL, NULL, &c, err,
				sizeof(err));
	rc = rc ?: dp_fw_install(e->dp, e->slot[IFX_P0], SLUICE_FW_IN, &c);
	fw_compiled_free(&c);
	if (rc)
		diag("fw: %s (%s)\n", strerror(-rc), err);
	return rc;
}

/* The firewall: the rule that decided, by id and action (accept goes on
 * to the route), or the set's policy by its counter. */
static void run_fw(struct env *e, struct dp_trace *t)
{
	static const char *const udp[] = { "proto", "udp", NULL };
	struct sluice_trace_cfg cfg = {};
	__u32 pol = SLUICE_FW_POLICY_COUNTER(e->slot[IFX_P0], SLUICE_FW_IN);
	static struct got g;
	struct frame tcp4, udp4;
	struct run r;
	bool ok;

	ok = !frame_to("198.19.0.5", IPPROTO_TCP, 443, &tcp4) &&
	     !frame_to("198.19.0.5", IPPROTO_UDP, 53, &udp4) &&
	     !fw_set_p0(e, udp, 7, SLUICE_FW_ACT_DROP, SLUICE_FW_ACT_ACCEPT) &&
	     !dp_trace_start(t, &cfg) &&
	     !run_n(e, t, &udp4, false, 1, &r, &g) && want_n(&g, 1) &&
	     g.ev[0].reason == SLUICE_DROP_FW_RULE &&
	     dec_ok(e, &g.ev[0].d,
		    &(struct want_dec){ .flags = SLUICE_TRACE_D_FW,
					.fw_id = 7,
					.fw_action = SLUICE_FW_ACT_DROP });
	tap(e, ok, "trace: fw rule 7 (drop): the rule's id and action");

	ok = !run_n(e, t, &tcp4, false, 1, &r, &g) && want_n(&g, 1) &&
	     g.ev[0].reason == SLUICE_FWD_REDIRECT &&
	     dec_ok(e, &g.ev[0].d,
		    &(struct want_dec){ .flags = SLUICE_TRACE_D_FW_POLICY |
						 D_ROUTED,
					.plen = 24,
					.nhg_id = 1,
					.oif_ifx = IFX_P1,
					.gw = "198.18.1.254",
					.rdst = "198.19.0.5",
					.fw_id = pol,
					.fw_action = SLUICE_FW_ACT_ACCEPT });
	tap(e, ok, "trace: fw policy accept, then the route");

	ok = !fw_set_p0(e, udp, 3, SLUICE_FW_ACT_ACCEPT, SLUICE_FW_ACT_DROP) &&
	     !run_n(e, t, &tcp4, false, 1, &r, &g) && want_n(&g, 1) &&
	     g.ev[0].reason == SLUICE_DROP_FW_POLICY &&
	     dec_ok(e, &g.ev[0].d,
		    &(struct want_dec){ .flags = SLUICE_TRACE_D_FW_POLICY,
					.fw_id = pol,
					.fw_action = SLUICE_FW_ACT_DROP }) &&
	     !run_n(e, t, &udp4, false, 1, &r, &g) && want_n(&g, 1) &&
	     g.ev[0].reason == SLUICE_FWD_REDIRECT &&
	     dec_ok(e, &g.ev[0].d,
		    &(struct want_dec){ .flags = SLUICE_TRACE_D_FW | D_ROUTED,
					.plen = 24,
					.nhg_id = 1,
					.oif_ifx = IFX_P1,
					.gw = "198.18.1.254",
					.rdst = "198.19.0.5",
					.fw_id = 3,
					.fw_action = SLUICE_FW_ACT_ACCEPT });
	tap(e, ok,
	    "trace: fw policy drop: its counter; fw rule 3 (accept), then "
	    "the route");
	dp_trace_stop(t);
	dp_fw_remove(e->dp, e->slot[IFX_P0], SLUICE_FW_IN);
}

/* Conntrack on: a flow's first packet is new, its second established,
 * both routed (through the chain of programs). */
static void run_ct(struct env *e, struct dp_trace *t)
{
	struct sluice_trace_cfg cfg = {};
	struct sluice_ct_config cc;
	struct want_dec w = { .flags = SLUICE_TRACE_D_CT | D_ROUTED,
			      .plen = 24,
			      .nhg_id = 1,
			      .oif_ifx = IFX_P1,
			      .gw = "198.18.1.254",
			      .rdst = "198.19.0.5",
			      .ct_state = SLUICE_CTM_NEW };
	struct pkt_spec reply = { .dst = MAC_P1,
				  .src = MAC_GW1,
				  .l3 = PKT_L3_IP4,
				  .l4 = IPPROTO_UDP,
				  .saddr = "198.19.0.5",
				  .daddr = H0_4,
				  .sport = 53,
				  .dport = 40000,
				  .payload = 8 };
	static struct got g;
	static struct frame f, back;
	struct run r;
	bool ok, ok2;

	dp_ct_default_config(&cc);
	cc.enabled = 1;
	ok = !frame_to("198.19.0.5", IPPROTO_UDP, 53, &f) &&
	     !dp_ct_config_set(e->dp, &cc) && !dp_trace_start(t, &cfg) &&
	     !run_n(e, t, &f, false, 1, &r, &g) && want_n(&g, 1) &&
	     g.ev[0].reason == SLUICE_FWD_REDIRECT && dec_ok(e, &g.ev[0].d, &w);
	tap(e, ok, "trace: ct new: a flow's first packet, routed");
	/* the reply, in on P1 (to H0: no route here), then the next packet */
	ok2 = ok && !pkt_build(&reply, &back) &&
	      !xdp_run(e->prog_fd, e->ifindex[IFX_P1], back.buf, back.len, 0, 1,
		       &r) &&
	      dp_trace_poll(t, 0, collect, memset(&g, 0, sizeof(g))) == 1 &&
	      g.ev[0].reason == SLUICE_PASS_NO_ROUTE &&
	      dec_ok(e, &g.ev[0].d,
		     &(struct want_dec){ .flags = SLUICE_TRACE_D_CT,
					 .ct_state = SLUICE_CTM_ESTABLISHED });
	w.ct_state = SLUICE_CTM_ESTABLISHED;
	ok2 = ok2 && !run_n(e, t, &f, false, 1, &r, &g) && want_n(&g, 1) &&
	      g.ev[0].reason == SLUICE_FWD_REDIRECT &&
	      dec_ok(e, &g.ev[0].d, &w);
	tap(e, ok2,
	    "trace: ct established: its reply (no route), then its next "
	    "packet, routed");
	dp_trace_stop(t);
	dp_ct_flush(e->dp, NULL, NULL);
	dp_ct_config_set(e->dp, &(struct sluice_ct_config){ 0 });
}

/* NAT (conntrack on): a SNAT rule for 198.19.5.0/26 leaving by P1 to
 * the pool 198.18.1.100, a DNAT of 198.18.0.1:8080/tcp on P0 to
 * 198.19.0.5:80 (nat_runner.c's, alone): the side NAT rewrote, the
 * packet's addresses as it came (the event's, and what the filter
 * matches) and as it left (the frame's), and the route of the
 * destination it left with. */
static int nat_rules(struct env *e, bool add)
{
	struct dp_snat_rule sn = { .id = 1,
				   .ifindex = e->ifindex[IFX_P1],
				   .family = AF_INET,
				   .src_plen = 26 };
	struct dp_dnat_rule dn = { .id = 2,
				   .ifindex = e->ifindex[IFX_P0],
				   .family = AF_INET,
				   .proto = IPPROTO_TCP,
				   .dport = 8080,
				   .to_port = 80 };
	int err = pkt_addr(AF_INET, "198.19.5.0", sn.src)	      ?:
			  pkt_addr(AF_INET, "198.18.1.100", sn.to_lo) ?:
			  pkt_addr(AF_INET, "198.18.1.100", sn.to_hi) ?:
			  pkt_addr(AF_INET, "198.18.0.1", dn.daddr)   ?:
			  pkt_addr(AF_INET, "198.19.0.5", dn.to_addr);

	if (err)
		return err;
	if (!add)
		return dp_snat_del(e->dp, &sn)	       ?:
			       dp_dnat_del(e->dp, &dn) ?:
			       dp_nat_config_set(e->dp, 0);
	return dp_snat_set(e->dp, &sn)	       ?:
		       dp_dnat_set(e->dp, &dn) ?:
		       dp_nat_config_set(e->dp, SLUICE_NAT_HAS_SNAT |
							SLUICE_NAT_HAS_DNAT);
}

static void run_nat(struct env *e, struct dp_trace *t)
{
	struct pkt_spec snat = { .dst = MAC_P0,
				 .src = MAC_GW0,
				 .l3 = PKT_L3_IP4,
				 .l4 = IPPROTO_UDP,
				 .saddr = "198.19.5.10",
				 .daddr = "198.19.0.5",
				 .sport = 40000,
				 .dport = 53,
				 .payload = 16 };
	struct pkt_spec dnat = { .dst = MAC_P0,
				 .src = MAC_GW0,
				 .l3 = PKT_L3_IP4,
				 .l4 = IPPROTO_TCP,
				 .tcp_flags = 0x02,
				 .saddr = "198.19.5.200",
				 .daddr = "198.18.0.1",
				 .sport = 42000,
				 .dport = 8080 };
	struct want_dec w = { .flags = SLUICE_TRACE_D_CT |
				       SLUICE_TRACE_D_NAT_SRC | D_ROUTED,
			      .plen = 24,
			      .nhg_id = 1,
			      .oif_ifx = IFX_P1,
			      .gw = "198.18.1.254",
			      .rdst = "198.19.0.5",
			      .ct_state = SLUICE_CTM_NEW };
	struct sluice_trace_cfg cfg = {};
	struct sluice_ct_config cc;
	__u8 pool[16] = {}, srv[16] = {}, cli[16] = {}, vip[16] = {};
	static struct frame f;
	static struct got g;
	struct run r;
	bool ok, setup;

	dp_ct_default_config(&cc);
	cc.enabled = 1;
	setup = !pkt_addr(AF_INET, "198.18.1.100", pool) &&
		!pkt_addr(AF_INET, "198.19.0.5", srv) &&
		!dp_ct_config_set(e->dp, &cc) && !nat_rules(e, true) &&
		!dp_trace_start(t, &cfg);
	ok = setup && !pkt_build(&snat, &f) &&
	     !pkt_addr(AF_INET, "198.19.5.10", cli) &&
	     !run_n(e, t, &f, false, 1, &r, &g) && want_n(&g, 1) &&
	     g.ev[0].reason == SLUICE_FWD_REDIRECT &&
	     (g.ev[0].flags & SLUICE_TRACE_F_RX) &&
	     !memcmp(g.ev[0].src, cli, 16) && g.ev[0].sport == 40000 &&
	     !memcmp(g.ev[0].data + 14 + 12, pool, 4) &&
	     g.ev[0].data[34] == 40000 >> 8 &&
	     g.ev[0].data[35] == (40000 & 0xff) && dec_ok(e, &g.ev[0].d, &w);
	tap(e, ok,
	    "trace: SNAT: the event's source is the client's as received, "
	    "the frame's 198.18.1.100:40000 (nat src), ct new, its route");
	/* the filter sees the packet as received: the client's address
	 * matches, the pool's (the frame's) does not */
	snat.sport = 40001;
	dp_trace_stop(t);
	cfg.src = (struct sluice_trace_prefix){ .family = AF_INET, .plen = 32 };
	memcpy(cfg.src.addr, cli, 4);
	ok = setup && !dp_trace_start(t, &cfg) && !pkt_build(&snat, &f) &&
	     !run_n(e, t, &f, false, 1, &r, &g) && want_n(&g, 1) &&
	     !memcmp(g.ev[0].src, cli, 16);
	dp_trace_stop(t);
	memcpy(cfg.src.addr, pool, 4);
	snat.sport = 40002;
	ok = ok && !dp_trace_start(t, &cfg) && !pkt_build(&snat, &f) &&
	     !run_n(e, t, &f, false, 1, &r, &g) && want_n(&g, 0);
	dp_trace_stop(t);
	tap(e, ok,
	    "trace: SNAT: --src 198.19.5.10 (the client) matches, --src "
	    "198.18.1.100 (the new source) does not");
	memset(&cfg.src, 0, sizeof(cfg.src));
	setup = setup && !dp_trace_start(t, &cfg);
	w.flags = SLUICE_TRACE_D_CT | SLUICE_TRACE_D_NAT_DST | D_ROUTED;
	ok = setup && !pkt_build(&dnat, &f) &&
	     !pkt_addr(AF_INET, "198.18.0.1", vip) &&
	     !run_n(e, t, &f, false, 1, &r, &g) && want_n(&g, 1) &&
	     g.ev[0].reason == SLUICE_FWD_REDIRECT &&
	     !memcmp(g.ev[0].dst, vip, 16) && g.ev[0].dport == 8080 &&
	     !memcmp(g.ev[0].data + 14 + 16, srv, 4) && g.ev[0].data[36] == 0 &&
	     g.ev[0].data[37] == 80 && dec_ok(e, &g.ev[0].d, &w);
	tap(e, ok,
	    "trace: DNAT: the event's destination is 198.18.0.1:8080 as "
	    "received, the frame's 198.19.0.5:80 (nat dst), ct new, the "
	    "route of the address it left with");
	dp_trace_stop(t);
	cfg.dst = (struct sluice_trace_prefix){ .family = AF_INET, .plen = 32 };
	memcpy(cfg.dst.addr, vip, 4);
	dnat.sport = 42001;
	ok = setup && !dp_trace_start(t, &cfg) && !pkt_build(&dnat, &f) &&
	     !run_n(e, t, &f, false, 1, &r, &g) && want_n(&g, 1);
	dp_trace_stop(t);
	memcpy(cfg.dst.addr, srv, 4);
	dnat.sport = 42002;
	ok = ok && !dp_trace_start(t, &cfg) && !pkt_build(&dnat, &f) &&
	     !run_n(e, t, &f, false, 1, &r, &g) && want_n(&g, 0);
	tap(e, ok,
	    "trace: DNAT: --dst 198.18.0.1 (as received) matches, --dst "
	    "198.19.0.5 (the new destination) does not");
	dp_trace_stop(t);
	tap(e, !nat_rules(e, false), "trace: nat rules out again");
	dp_ct_flush(e->dp, NULL, NULL);
	dp_ct_config_set(e->dp, &(struct sluice_ct_config){ 0 });
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
		       SLUICE_TRACE_F_ENCAP | SLUICE_TRACE_F_RX));
		CHECK(ev->family == AF_INET && ev->proto == IPPROTO_TCP);
		CHECK(!memcmp(ev->src, src, 16) && !memcmp(ev->dst, dst, 16));
		CHECK(ev->sport == 40000 && ev->dport == 80);
		/* the outer header: IPIP to the backend the run chose */
		CHECK(ev->tun_family == AF_INET && r.out_len > 34 &&
		      r.out[23] == IPPROTO_IPIP &&
		      !memcmp(ev->tun_dst, r.out + 30, 4));
		CHECK(ev->len == r.out_len &&
		      !memcmp(ev->data, r.out, ev->cap_len));
		/* VIP 1 and the backend the run chose (lb_fixtures.c:
		 * 198.19.0.1N is backend N), reached via GW1 on P1 */
		/* the backend's next hop is resolved by the control plane
		 * (lb_backend_hop.c): a hop, no route lookup per packet */
		CHECK(ev->d.flags == (SLUICE_TRACE_D_VIP | SLUICE_TRACE_D_HOP));
		CHECK(ev->d.vip_id == 1);
		CHECK(ev->d.backend_id == (__u32)r.out[33] - 10u &&
		      ev->d.backend_id >= 1 && ev->d.backend_id <= 3);
		CHECK(ev->d.oif == e->ifindex[IFX_P1]);
		CHECK(ev->d.gw_family == AF_INET && ev->d.gw[0] == 198 &&
		      ev->d.gw[1] == 18 && ev->d.gw[2] == 1 &&
		      ev->d.gw[3] == 254);
		if (!ok)
			diag("decision flags %#x vip %u backend %u plen %u "
			     "nhg %u\n",
			     ev->d.flags, ev->d.vip_id, ev->d.backend_id,
			     ev->d.plen, ev->d.nhg_id);
	}
	tap(e, ok,
	    "trace: lb: --vip finds a VIP's packet; inner flow, the "
	    "backend as the tunnel's destination; vip 1, its backend's id "
	    "and hop");
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
	run_routes(e, t);
	run_fw(e, t);
	run_ct(e, t);
	run_nat(e, t);
	dp_trace_close(t);
}
