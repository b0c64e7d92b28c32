// SPDX-License-Identifier: BSD-2-Clause
/*
 * Explain (lib/dp/explain.c) over the router's topology (fixtures.c): a
 * routed flow (IPv4 TCP, IPv6 UDP) gives fwd_redirect and exactly the
 * bytes the router would
 * send (built independently by pktbuild.c); a flow to nowhere gives
 * pass_no_route and its own frame back; the copy's own counters moved by
 * one packet a run; and no live counter, flow or conntrack entry moved.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "dp_ct.h"
#include "dp_explain.h"
#include "dp_internal.h"
#include "dp_trace.h"
#include "ddos_runner.h"
#include "fixtures.h"
#include "names.h"
#include "runner.h"

struct live_snapshot {
	stats_t stats;
	int lb_flows;
	struct dp_ct_counts ct;
};

static int live_take(struct env *e, struct live_snapshot *s)
{
	int err = snapshot(e, s->stats);

	if (err)
		return err;
	s->lb_flows = dp_lb_flow_count(e->dp);
	if (s->lb_flows < 0)
		return s->lb_flows;
	return dp_ct_counts(e->dp, &s->ct);
}

static bool live_same(const struct live_snapshot *a,
		      const struct live_snapshot *b)
{
	if (memcmp(a->stats, b->stats, sizeof(a->stats)))
		diag("live stats moved\n");
	if (a->lb_flows != b->lb_flows)
		diag("live lb_flows: %d, then %d\n", a->lb_flows, b->lb_flows);
	if (memcmp(&a->ct, &b->ct, sizeof(a->ct)))
		diag("live conntrack counts moved\n");
	return !memcmp(a->stats, b->stats, sizeof(a->stats)) &&
	       a->lb_flows == b->lb_flows &&
	       !memcmp(&a->ct, &b->ct, sizeof(a->ct));
}

/* The copy's own counters of @slot: @reason by one packet, nothing else. */
static bool own_moved(struct dp_explain *x, __u32 slot, int reason,
		      const __u64 *before, __u64 *now)
{
	int fd = dp_explain_stats_fd(x), ncpus = libbpf_num_possible_cpus();
	struct sluice_counter *pc = calloc(ncpus, sizeof(*pc));
	bool ok = true;

	if (!pc)
		return false;
	for (__u32 r = 0; r < SLUICE_REASON_SLOTS; r++) {
		__u32 idx = slot * SLUICE_REASON_SLOTS + r;

		now[r] = 0;
		if (!bpf_map_lookup_elem(fd, &idx, pc))
			for (int c = 0; c < ncpus; c++)
				now[r] += pc[c].packets;
		if (before && now[r] - before[r] != ((int)r == reason)) {
			diag("own counter %s moved by %llu\n",
			     dp_reason_name(r),
			     (unsigned long long)(now[r] - before[r]));
			ok = false;
		}
	}
	free(pc);
	return ok;
}

static void pkt_v4(struct dp_explain_pkt *p, const char *src, const char *dst,
		   __u32 ifindex)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->proto = IPPROTO_TCP;
	p->tcp_flags = 0x02; /* SYN */
	inet_pton(AF_INET, src, p->src);
	inet_pton(AF_INET, dst, p->dst);
	p->sport = htons(40000);
	p->dport = htons(443);
	p->ifindex = ifindex;
}

/* @p explained as a forward: the frame run is @in as built, counted at
 * @slot, fwd_redirect, and the output @in routed to @o (TTL - 1), byte for
 * byte. */
static bool explains_routed(struct dp_explain *x,
			    const struct dp_explain_pkt *p,
			    const struct pkt_spec *in, const struct l2_out *o,
			    __u32 slot, struct dp_explain_result *r)
{
	const struct pkt_mut none[PKT_MAX_MUT] = { { .op = MUT_END } };
	struct frame *f = calloc(1, sizeof(*f));
	struct frame *fin = calloc(1, sizeof(*fin));
	bool ok;

	ok = f && fin && !build_routed(in, none, o, 1, f) &&
	     !pkt_build(in, fin) && !dp_explain_run(x, p, r);
	if (ok &&
	    (r->in_len != fin->len || memcmp(r->in, fin->buf, fin->len))) {
		diag("the input frame:\n");
		hexdiff(fin->buf, fin->len, r->in, r->in_len);
		ok = false;
	}
	ok = ok && r->reason == SLUICE_FWD_REDIRECT &&
	     r->action == XDP_REDIRECT && r->slot == slot;
	if (!ok)
		diag("reason %s, action %s, slot %u (want %u)\n",
		     r->reason < 0 ? "none" : dp_reason_name(r->reason),
		     xdp_name(r->action), r->slot, slot);
	if (ok && (r->out_len != f->len || memcmp(r->out, f->buf, f->len))) {
		hexdiff(f->buf, f->len, r->out, r->out_len);
		ok = false;
	}
	free(fin);
	free(f);
	return ok;
}

static void explain_routed(struct env *e, struct dp_explain *x,
			   struct dp_explain_result *r)
{
	const struct pkt_spec in = {
		.dst = MAC_P0,
		.src = { 0x02, 0, 0, 0, 0, 0x01 },
		.l3 = PKT_L3_IP4,
		.l4 = IPPROTO_TCP,
		.saddr = H0_4,
		.daddr = "198.19.0.7",
		.sport = 40000,
		.dport = 443,
		.tcp_flags = 0x02,
	};
	const struct l2_out o = { .dst = MAC_GW1, .src = MAC_P1 };
	struct dp_explain_pkt p;

	pkt_v4(&p, H0_4, "198.19.0.7", e->ifindex[IFX_P0]);
	tap(e, explains_routed(x, &p, &in, &o, e->slot[IFX_P0], r),
	    "explain: 198.18.0.2 -> 198.19.0.7:443/tcp at sl0: fwd_redirect, "
	    "the routed frame byte for byte");
}

/* IPv6 and UDP: the hop limit, the next hop's MAC, the ports kept. */
static void explain_routed6(struct env *e, struct dp_explain *x,
			    struct dp_explain_result *r)
{
	const struct pkt_spec in = {
		.dst = MAC_P0,
		.src = { 0x02, 0, 0, 0, 0, 0x01 },
		.l3 = PKT_L3_IP6,
		.l4 = IPPROTO_UDP,
		.saddr = H0_6,
		.daddr = "2001:db8:100::7",
		.sport = 40001,
		.dport = 53,
	};
	const struct l2_out o = { .dst = MAC_GW1, .src = MAC_P1 };
	struct dp_explain_pkt p = { .family = AF_INET6,
				    .proto = IPPROTO_UDP,
				    .sport = htons(40001),
				    .dport = htons(53),
				    .ifindex = e->ifindex[IFX_P0] };

	inet_pton(AF_INET6, H0_6, p.src);
	inet_pton(AF_INET6, "2001:db8:100::7", p.dst);
	tap(e, explains_routed(x, &p, &in, &o, e->slot[IFX_P0], r),
	    "explain: [2001:db8::2]:40001 -> [2001:db8:100::7]:53/udp at sl0: "
	    "fwd_redirect, the routed frame byte for byte");
}

static void explain_nowhere(struct env *e, struct dp_explain *x,
			    struct dp_explain_result *r)
{
	struct dp_explain_pkt p;
	bool ok;

	pkt_v4(&p, H0_4, "198.18.99.1", e->ifindex[IFX_P0]);
	ok = !dp_explain_run(x, &p, r) && r->reason == SLUICE_PASS_NO_ROUTE &&
	     r->action == XDP_PASS && r->out_len == r->in_len &&
	     !memcmp(r->out, r->in, r->in_len);
	if (!ok)
		diag("reason %s, action %s\n",
		     r->reason < 0 ? "none" : dp_reason_name(r->reason),
		     xdp_name(r->action));
	tap(e, ok,
	    "explain: 198.18.99.1 (no route): pass_no_route, frame unchanged");
}

/* An on-link host without a neighbour: pass_no_neigh, and the note the
 * live program would leave for sluiced (neigh_wanted) is the copy's own. */
static void explain_onlink_miss(struct env *e, struct dp_explain *x,
				struct dp_explain_result *r)
{
	struct sluice_neigh_key notes[4];
	struct dp_explain_pkt p;
	int n;
	bool ok;

	while (dp_neigh_wanted_take(e->dp, notes, 4) > 0)
		;
	pkt_v4(&p, H0_4, "198.18.1.8", e->ifindex[IFX_P0]);
	ok = !dp_explain_run(x, &p, r) && r->reason == SLUICE_PASS_NO_NEIGH &&
	     r->action == XDP_PASS;
	if (!ok)
		diag("reason %s, action %s\n",
		     r->reason < 0 ? "none" : dp_reason_name(r->reason),
		     xdp_name(r->action));
	n = dp_neigh_wanted_take(e->dp, notes, 4);
	if (n)
		diag("%d notes in the live neigh_wanted\n", n);
	tap(e, ok && n == 0,
	    "explain: 198.18.1.8 (on-link, no neighbour): pass_no_neigh, no "
	    "note in the live neigh_wanted");
}

/* At a VLAN subinterface: the frame is tagged (VLAN 10 of P0, to the
 * VLAN's MAC), runs on the port and is counted at the VLAN; routed out by
 * VLAN 30 of P1, the tag swapped. */
static void explain_vlan(struct env *e, struct dp_explain *x,
			 struct dp_explain_result *r)
{
	const struct pkt_spec in = {
		.dst = MAC_V10,
		.src = { 0x02, 0, 0, 0, 0, 0x01 },
		.tagged = 1,
		.vid = 10,
		.l3 = PKT_L3_IP4,
		.l4 = IPPROTO_TCP,
		.saddr = H0_4,
		.daddr = "198.19.8.7",
		.sport = 40000,
		.dport = 443,
		.tcp_flags = 0x02,
	};
	const struct l2_out o = {
		.dst = MAC_GW30, .src = MAC_V30, .tagged = 1, .vid = 30
	};
	struct dp_explain_pkt p;
	bool ok;

	pkt_v4(&p, H0_4, "198.19.8.7", e->ifindex[IFX_V10]);
	ok = explains_routed(x, &p, &in, &o, e->slot[IFX_V10], r);
	if (ok && (r->port != e->ifindex[IFX_P0] || r->vlan_id != 10)) {
		diag("port %u (want %u), vlan %u (want 10)\n", r->port,
		     e->ifindex[IFX_P0], r->vlan_id);
		ok = false;
	}
	tap(e, ok,
	    "explain: at VLAN 10 of sl0: the frame tagged 10, counted at the "
	    "VLAN, routed out tagged 30, byte for byte");
}

/* The live bucket of 198.18.0.0/24 under a limit of 2 packets: as the
 * live program drains it, its packets go from forwarded to dropped in the
 * explains too; another /24 has a bucket of its own; the explains take
 * no token from the live bucket. */
static void explain_ddos_bucket(struct env *e, struct dp_explain *x,
				struct dp_explain_result *r)
{
	struct sluice_ddos_bucket_key k = { .family = AF_INET, .plen = 24 };
	struct sluice_ddos_bucket b0, b1;
	const struct fixture *live = NULL;
	struct dp_explain_pkt p;
	int fd = dp_fd(e->dp, DP_MAP_DDOS_BUCKETS);
	bool ok, fresh, drained, other, kept;

	for (size_t i = 0; i < n_fixtures && !live; i++)
		if (!strcmp(fixtures[i].name, "v4 tcp forward via gateway"))
			live = &fixtures[i];
	inet_pton(AF_INET, "198.18.0.0", k.addr);
	ok = live && fd >= 0 && set_limit(e, SLUICE_DDOS_L_PKT_V4, 24, 1, 2);
	pkt_v4(&p, H0_4, "198.19.0.7", e->ifindex[IFX_P0]);
	fresh = ok && !dp_explain_run(x, &p, r) &&
		r->reason == SLUICE_FWD_REDIRECT;
	ok = ok && run_fixture(e, live) && run_fixture(e, live);
	ok = ok && !bpf_map_lookup_elem(fd, &k, &b0);
	drained = ok && !dp_explain_run(x, &p, r) &&
		  r->reason == SLUICE_DROP_DDOS_RATE;
	if (!drained)
		diag("drained: reason %s\n",
		     r->reason < 0 ? "none" : dp_reason_name(r->reason));
	pkt_v4(&p, "198.18.9.2", "198.19.0.7", e->ifindex[IFX_P0]);
	other = ok && !dp_explain_run(x, &p, r) &&
		r->reason == SLUICE_FWD_REDIRECT;
	kept = ok && !bpf_map_lookup_elem(fd, &k, &b1) &&
	       !memcmp(&b0, &b1, sizeof(b0));
	ok = set_limit(e, -1, 0, 0, 0) && ok;
	tap(e, ok && fresh && drained && other && kept,
	    "explain: the DDoS guard's live bucket of the source: forwarded "
	    "while it has tokens, drop_ddos_rate once the live traffic drained "
	    "it, another /24 forwarded, the live bucket untouched");
}

/* With the live trace on (everything, no filter), an explain puts no
 * event into the live ring and moves none of the live trace's counters:
 * the copy's trace switch is its own, and off. */
static int count_event(void *arg, const struct sluice_trace_event *ev)
{
	(void)ev;
	(*(int *)arg)++;
	return 0;
}

static void explain_during_trace(struct env *e, struct dp_explain *x,
				 struct dp_explain_result *r)
{
	struct sluice_trace_cfg cfg = { .sample = 1 };
	struct sluice_trace_stats s0, s1;
	struct dp_explain_pkt p;
	struct dp_trace *t = NULL;
	int events = 0;
	bool ok;

	pkt_v4(&p, H0_4, "198.19.0.7", e->ifindex[IFX_P0]);
	ok = !dp_trace_open(&t, e->dp) && !dp_trace_start(t, &cfg) &&
	     !dp_trace_stats(t, &s0) && !dp_explain_run(x, &p, r) &&
	     r->reason == SLUICE_FWD_REDIRECT && !dp_trace_stats(t, &s1) &&
	     dp_trace_poll(t, 0, count_event, &events) >= 0;
	if (t)
		dp_trace_stop(t);
	ok = ok && !memcmp(&s0, &s1, sizeof(s0)) && events == 0;
	if (!ok)
		diag("live trace: matched %llu -> %llu, %d events\n",
		     (unsigned long long)s0.matched,
		     (unsigned long long)s1.matched, events);
	dp_trace_close(t);
	tap(e, ok,
	    "explain during a live trace: no event in the live ring, the "
	    "live trace's counters unmoved");
}

void explain_run_all(struct env *e)
{
	struct live_snapshot *before = calloc(1, sizeof(*before));
	struct live_snapshot *after = calloc(1, sizeof(*after));
	struct dp_explain_result *r = calloc(1, sizeof(*r));
	__u64 own0[SLUICE_REASON_SLOTS], own1[SLUICE_REASON_SLOTS];
	struct dp_explain *x = NULL;
	__u32 slot = e->slot[IFX_P0];
	int err;
	bool ok;

	if (!before || !after || !r) {
		tap(e, false, "explain: out of memory");
		goto out;
	}
	err = dp_explain_open(e->dp, &x);
	if (err)
		diag("dp_explain_open: %s\n", strerror(-err));
	tap(e, !err, "explain: a copy of the XDP object over the live maps");
	if (err)
		goto out;
	err = live_take(e, before);
	own_moved(x, slot, -1, NULL, own0);
	explain_routed(e, x, r);
	ok = own_moved(x, slot, SLUICE_FWD_REDIRECT, own0, own1);
	explain_routed6(e, x, r);
	ok = own_moved(x, slot, SLUICE_FWD_REDIRECT, own1, own0) && ok;
	explain_nowhere(e, x, r);
	ok = own_moved(x, slot, SLUICE_PASS_NO_ROUTE, own0, own1) && ok;
	explain_onlink_miss(e, x, r);
	ok = own_moved(x, slot, SLUICE_PASS_NO_NEIGH, own1, own0) && ok;
	tap(e, ok, "explain: the copy's own counters moved, one packet a run");
	explain_vlan(e, x, r);
	ok = !err && !live_take(e, after) && live_same(before, after);
	tap(e, ok,
	    "explain: live counters, flow table and conntrack unchanged");
	explain_during_trace(e, x, r);
	/* last: it runs live packets */
	explain_ddos_bucket(e, x, r);
out:
	dp_explain_close(x);
	free(before);
	free(after);
	free(r);
}
