// SPDX-License-Identifier: BSD-2-Clause
/*
 * The DDoS guard's rows (bpf/lib/ddos.h), over the router's topology and
 * program, programmed through lib/dp/ddos.c: blocklist hits (v4, v6),
 * expiry, bulk loading, the token buckets admitting exactly their budget,
 * SYN cookies (the exact SYN-ACK, its cookie proven by the ACK that
 * carries it back) and the auto mode's switch.  Every case checks the
 * verdict, the one counter that moved and the output bytes; the guard is
 * left unconfigured at the end, for the rows that follow.  Its cost
 * figures are sluice-bench's (bench/ddoscost.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include "dp.h"
#include "names.h"
#include "pktbuild.h"
#include "dp_ct.h"
#include "ddos_runner.h"
#include "runner.h"
#include "testrun.h"

#define BULK_N 100000

static struct run r;

static void put32be(__u8 *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void tcp_csum(struct frame *f, bool v6)
{
	__u8 *ip = f->buf + f->l3_off, *t = f->buf + f->l4_off, ph[40] = { 0 };
	__u32 len = f->len - f->l4_off;
	__u64 sum;
	__u16 c;

	if (v6) {
		memcpy(ph, ip + 8, 32);
		put32be(ph + 32, len);
		ph[39] = IPPROTO_TCP;
		sum = csum_add(0, ph, 40);
	} else {
		memcpy(ph, ip + 12, 8);
		ph[9] = IPPROTO_TCP;
		ph[10] = len >> 8;
		ph[11] = len & 0xff;
		sum = csum_add(0, ph, 12);
	}
	t[16] = t[17] = 0;
	c = csum_fold(csum_add(sum, t, len));
	t[16] = c >> 8;
	t[17] = c & 0xff;
}

int tcp_build(const struct tcp_frame *tf, struct frame *f)
{
	const char *h0 = tf->v6 ? H0_6 : H0_4, *svc = tf->v6 ? SVC6 : SVC4;
	bool to_h0 = tf->reverse || tf->reply;
	struct pkt_spec s = {
		.l3 = tf->v6 ? PKT_L3_IP6 : PKT_L3_IP4,
		.l4 = IPPROTO_TCP,
		.saddr = to_h0 ? svc : h0,
		.daddr = to_h0 ? h0 : svc,
		.sport = to_h0 ? SVC_PORT : tf->client_port,
		.dport = to_h0 ? tf->client_port : SVC_PORT,
		.tcp_flags = tf->flags,
		.payload = tf->ts  ? 20 :
			   tf->mss ? 4 :
				     0,
	};
	__u8 mac_p0[6] = MAC_P0, mac_h0[6] = MAC_H0, mac_p1[6] = MAC_P1,
	     mac_gw1[6] = MAC_GW1;
	__u8 *t;
	int err;

	if (tf->reply) { /* as ddos_synack() writes it */
		memcpy(s.dst, mac_h0, 6);
		memcpy(s.src, mac_p0, 6);
		s.ttl = 64;
		s.id = ID_ZERO;
		s.frag = tf->v6 ? 0 : 0x4000;
	} else if (tf->reverse) {
		memcpy(s.dst, mac_p1, 6);
		memcpy(s.src, mac_gw1, 6);
	} else {
		memcpy(s.dst, mac_p0, 6);
		memcpy(s.src, mac_h0, 6);
	}
	err = pkt_build(&s, f);
	if (err)
		return err;
	t = f->buf + f->l4_off;
	put32be(t + 4, tf->seq);
	put32be(t + 8, tf->ack);
	t[14] = tf->window >> 8;
	t[15] = tf->window & 0xff;
	if (tf->mss) {
		t[12] = 6 << 4;
		t[20] = 2;
		t[21] = 4;
		t[22] = tf->mss >> 8;
		t[23] = tf->mss & 0xff;
	}
	if (tf->ts) { /* SACK_PERM, TS, NOP, WS: as both sides write them */
		static const __u8 head[4] = { 4, 2, 8, 10 };

		t[12] = 10 << 4;
		memcpy(t + 24, head, 4);
		put32be(t + 28, tf->tsval);
		put32be(t + 32, tf->tsecr);
		t[36] = 1;
		t[37] = 3;
		t[38] = 3;
		t[39] = tf->wscale;
	}
	tcp_csum(f, tf->v6);
	return 0;
}

/* One run of @in on @ingress: the verdict, exactly one packet under
 * @reason on the ingress port's slot, and the output (@exp, or the input
 * itself when NULL). */
bool run_check(struct env *e, int ingress, const struct frame *in,
	       __u32 verdict, int reason, const struct frame *exp)
{
	const struct frame *want = exp ? exp : in;
	bool ok = true;

	__u32 want_rv = e->at_tc ? tc_action_of((int)verdict) : verdict;

	if (snapshot(e, e->before))
		return false;
	if (e->at_tc ? tc_run(e->tc_fd, e->ifindex[ingress], in->buf, in->len,
			      &r) :
		       xdp_run(e->prog_fd, e->ifindex[ingress], in->buf,
			       in->len, 0, 1, &r)) {
		diag("test_run: %s\n", strerror(-r.err));
		return false;
	}
	if (snapshot(e, e->after))
		return false;
	if (r.retval != want_rv) {
		if (e->at_tc)
			diag("TC action %u, want %u (XDP: %s)\n", r.retval,
			     want_rv, xdp_name(verdict));
		else
			diag("verdict %s, want %s\n", xdp_name(r.retval),
			     xdp_name(verdict));
		ok = false;
	}
	if (!counters_ok(e, e->slot[ingress], reason, in->len, 1))
		ok = false;
	if (r.out_len != want->len || memcmp(r.out, want->buf, want->len)) {
		hexdiff(want->buf, want->len, r.out, r.out_len);
		ok = false;
	}
	return ok;
}

/* ---- blocklist -------------------------------------------------------------- */

static const struct fixture fwd4 = {
	.ingress = IFX_P0,
	.in = { .dst = MAC_P0,
		.src = MAC_H0,
		.l3 = PKT_L3_IP4,
		.saddr = H0_4,
		.daddr = "198.19.0.5",
		.l4 = IPPROTO_TCP,
		.sport = 40000,
		.dport = 443,
		.payload = 32 },
	.verdict = XDP_REDIRECT,
	.reason = SLUICE_FWD_REDIRECT,
	.routed = true,
	.out = { .dst = MAC_GW1, .src = MAC_P1 },
};

static const struct fixture fwd6 = {
	.ingress = IFX_P0,
	.in = { .dst = MAC_P0,
		.src = MAC_H0,
		.l3 = PKT_L3_IP6,
		.saddr = H0_6,
		.daddr = "2001:db8:100::5",
		.l4 = IPPROTO_UDP,
		.sport = 40001,
		.dport = 53,
		.payload = 24 },
	.verdict = XDP_REDIRECT,
	.reason = SLUICE_FWD_REDIRECT,
	.routed = true,
	.out = { .dst = MAC_GW1, .src = MAC_P1 },
};

/* @fx as it is when the guard drops it under @reason: byte for byte. */
bool run_dropped(struct env *e, const struct fixture *fx, int reason)
{
	struct fixture d = *fx;

	d.verdict = XDP_DROP;
	d.reason = reason;
	d.routed = false;
	return run_fixture(e, &d);
}

static int prefix(const char *addr, unsigned int plen, __u64 expires,
		  struct dp_ddos_prefix *pf)
{
	memset(pf, 0, sizeof(*pf));
	pf->family = (__u8)family_of(addr);
	pf->plen = (__u8)plen;
	pf->expires_ns = expires;
	return pkt_addr(pf->family, addr, pf->addr);
}

static bool block(struct env *e, const char *addr, unsigned int plen,
		  __u64 expires)
{
	struct dp_ddos_prefix pf;
	int err = prefix(addr, plen, expires, &pf) ?:
			  dp_ddos_block_add(e->dp, &pf);

	if (err)
		diag("block add %s/%u: %s\n", addr, plen, strerror(-err));
	return !err;
}

static bool unblock(struct env *e, const char *addr, unsigned int plen)
{
	struct dp_ddos_prefix pf;
	int err = prefix(addr, plen, 0, &pf) ?:
			  dp_ddos_block_del(e->dp, pf.family, pf.addr, plen);

	if (err)
		diag("block del %s/%u: %s\n", addr, plen, strerror(-err));
	return !err;
}

static bool flags_are(struct env *e, __u32 want)
{
	struct sluice_ddos_config c;

	if (dp_ddos_config_get(e->dp, &c))
		return false;
	if (c.flags != want)
		diag("ddos_config.flags 0x%x, want 0x%x\n", c.flags, want);
	return c.flags == want;
}

static void run_blocklist(struct env *e)
{
	__u64 now = dp_ddos_now_ns();
	bool ok;

	tap(e, flags_are(e, 0) && run_fixture(e, &fwd4),
	    "ddos: unconfigured, the guard lets a v4 forward through");
	ok = block(e, "198.18.0.0", 24, 0) &&
	     flags_are(e, SLUICE_DDOS_F_BLOCK_V4) &&
	     run_dropped(e, &fwd4, SLUICE_DROP_DDOS_BLOCKED);
	tap(e, ok, "ddos: v4 source in a blocked /24 is dropped");
	e->at_tc = true; /* the same stage in the TC program */
	ok = run_dropped(e, &fwd4, SLUICE_DROP_DDOS_BLOCKED);
	e->at_tc = false;
	tap(e, ok, "ddos: tc: v4 source in a blocked /24 is dropped");
	tap(e, run_fixture(e, &fwd6),
	    "ddos: v4 blocklist leaves a v6 source alone");
	ok = block(e, "2001:db8::", 64, 0) &&
	     run_dropped(e, &fwd6, SLUICE_DROP_DDOS_BLOCKED);
	tap(e, ok, "ddos: v6 source in a blocked /64 is dropped");
	ok = unblock(e, "198.18.0.0", 24) && unblock(e, "2001:db8::", 64) &&
	     flags_are(e, 0) && run_fixture(e, &fwd4) && run_fixture(e, &fwd6);
	tap(e, ok, "ddos: after block del, both forward again, flags 0");

	ok = block(e, "198.18.0.2", 32, now - 1) && run_fixture(e, &fwd4);
	tap(e, ok, "ddos: an expired entry does not match");
	ok = block(e, "198.18.0.2", 32, now + 60000000000ull) &&
	     run_dropped(e, &fwd4, SLUICE_DROP_DDOS_BLOCKED);
	tap(e, ok, "ddos: the same entry expiring in 60 s matches");
	ok = block(e, "198.18.0.2", 32, dp_ddos_now_ns() + 300000000ull) &&
	     run_dropped(e, &fwd4, SLUICE_DROP_DDOS_BLOCKED);
	if (ok) {
		usleep(400000);
		ok = run_fixture(e, &fwd4);
	}
	tap(e, ok,
	    "ddos: an entry expiring in 300 ms stops matching at once "
	    "after it");
	unblock(e, "198.18.0.2", 32);
}

static int count_cb(const struct dp_ddos_prefix *pf, void *arg)
{
	(void)pf;
	(*(size_t *)arg)++;
	return 0;
}

/* 50,000 v4 /32s (198.19.0.0 on), 49,999 v6 /64s, and H0's /32 last. */
static size_t bulk_fill(struct dp_ddos_prefix *v)
{
	size_t n = 0;

	memset(v, 0, BULK_N * sizeof(*v));
	for (__u32 i = 0; i < 50000; i++, n++) {
		__u32 a = (198u << 24 | 19u << 16) + i;

		v[n].family = AF_INET;
		v[n].plen = 32;
		put32be(v[n].addr, a);
	}
	for (__u32 i = 0; n < BULK_N - 1; i++, n++) {
		v[n].family = AF_INET6;
		v[n].plen = 64;
		pkt_addr(AF_INET6, "2001:db8:1000::", v[n].addr);
		v[n].addr[5] = (i >> 16) & 0xff;
		v[n].addr[6] = i >> 8;
		v[n].addr[7] = i & 0xff;
	}
	prefix(H0_4, 32, 0, &v[n++]);
	return n;
}

static struct dp_ddos_prefix bulk[BULK_N];

static void run_bulk(struct env *e)
{
	size_t n = bulk_fill(bulk), done = 0, seen = 0;
	struct timespec t0, t1;
	int err;

	tap(e, run_fixture(e, &fwd4), "ddos bulk: H0 forwards before the load");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = dp_ddos_block_load(e->dp, bulk, n, &done);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err)
		diag("load: %s after %zu\n", strerror(-err), done);
	printf("# ddos bulk: %zu prefixes loaded in %.0f ms\n", done,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	tap(e, !err && done == BULK_N, "ddos bulk: 100,000 prefixes loaded");
	dp_ddos_block_foreach(e->dp, count_cb, &seen);
	if (seen != BULK_N)
		diag("walk saw %zu entries\n", seen);
	tap(e, seen == BULK_N, "ddos bulk: the walk sees 100,000 entries");
	tap(e, run_dropped(e, &fwd4, SLUICE_DROP_DDOS_BLOCKED),
	    "ddos bulk: H0 (the last of 100,000) is dropped");
	err = dp_ddos_block_flush(e->dp);
	tap(e, !err && flags_are(e, 0) && run_fixture(e, &fwd4),
	    "ddos bulk: flushed, flags 0, H0 forwards again");
}

/* ---- token buckets ---------------------------------------------------------- */

bool set_limit(struct env *e, int which, __u8 plen, __u32 pps, __u32 burst)
{
	struct sluice_ddos_config c = { 0 };
	int err;

	if (which >= 0) {
		c.limit[which].plen = plen;
		c.limit[which].pps = pps;
		c.limit[which].burst = burst;
	}
	err = dp_ddos_config_set(e->dp, &c);
	if (err)
		diag("config: %s\n", strerror(-err));
	return !err;
}

/* @n runs of @fx admitted, then one dropped under @reason. */
static bool admits_then_drops(struct env *e, const struct fixture *fx, int n,
			      int reason)
{
	for (int i = 0; i < n; i++) {
		if (!run_fixture(e, fx)) {
			diag("packet %d of %d not admitted\n", i + 1, n);
			return false;
		}
	}
	return run_dropped(e, fx, reason);
}

static void run_limits(struct env *e)
{
	struct fixture other = fwd4, syn6 = fwd6, ack6;
	bool ok;

	/* 1 pps: refills 1e-6 of a token in a microsecond, so the budget
	 * of a run of test_runs is the burst, exactly */
	ok = set_limit(e, SLUICE_DDOS_L_PKT_V4, 24, 1, 5) &&
	     flags_are(e, SLUICE_DDOS_F_LIMITS) &&
	     admits_then_drops(e, &fwd4, 5, SLUICE_DROP_DDOS_RATE);
	tap(e, ok,
	    "ddos rate: a /24 bucket of 5 admits 5 packets, drops the "
	    "6th");
	other.in.saddr = "198.18.1.9"; /* another /24 */
	tap(e, run_fixture(e, &other),
	    "ddos rate: another /24 has its own bucket");
	tap(e, run_fixture(e, &fwd6), "ddos rate: a v4 limit leaves v6 alone");

	syn6.in.l4 = IPPROTO_TCP;
	syn6.in.sport = 40002;
	syn6.in.dport = 443;
	syn6.in.tcp_flags = 0x02;
	syn6.in.payload = 0;
	ack6 = syn6;
	ack6.in.tcp_flags = 0x10;
	ok = set_limit(e, SLUICE_DDOS_L_CONN_V6, 64, 1, 3) &&
	     run_fixture(e, &fwd4) &&
	     admits_then_drops(e, &syn6, 3, SLUICE_DROP_DDOS_CONN_RATE);
	tap(e, ok,
	    "ddos conn rate: a /64 bucket of 3 admits 3 SYNs, drops "
	    "the 4th");
	tap(e, run_fixture(e, &ack6),
	    "ddos conn rate: an ACK from the same /64 is not a connection");
	ok = set_limit(e, -1, 0, 0, 0) && flags_are(e, 0) &&
	     run_fixture(e, &syn6);
	tap(e, ok, "ddos rate: limits off, flags 0, the SYN forwards");
}

/* ---- SYN cookies ------------------------------------------------------------ */

bool set_cookies(struct env *e, __u32 mode, __u32 threshold, __u32 hold_s)
{
	struct sluice_ddos_config c = { .cookie_mode = mode,
					.syn_threshold = threshold,
					.hold_s = hold_s,
					.wscale = 7 };

	return !dp_ddos_config_set(e->dp, &c);
}

int service_key(bool v6, struct sluice_ddos_service_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = v6 ? AF_INET6 : AF_INET;
	k->port = htons(SVC_PORT);
	return pkt_addr(k->family, v6 ? SVC6 : SVC4, k->addr);
}

static __u32 be32_at(const __u8 *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/*
 * The SYN gets the SYN-ACK: every byte as built here from the SYN, with
 * the sequence number (the cookie, from the kernel's secret) taken from
 * the output and the checksum computed over it.  *@cookie for the ACK.
 */
static bool synack_run(struct env *e, bool tc, bool v6, __u16 port,
		       __u32 *cookie);

bool synack_ok(struct env *e, bool v6, __u16 port, __u32 *cookie)
{
	return synack_run(e, e->at_tc, v6, port, cookie);
}

/* @tc: the same through the TC program (an skb; bpf_redirect() back out
 * of the port, TC_ACT_REDIRECT). */
static bool synack_run(struct env *e, bool tc, bool v6, __u16 port,
		       __u32 *cookie)
{
	static struct frame syn, exp;
	struct tcp_frame s = { .v6 = v6,
			       .client_port = port,
			       .flags = 0x02,
			       .seq = CLIENT_SEQ,
			       .mss = v6 ? MSS6 : MSS4,
			       .window = 0xffff };
	struct tcp_frame a = { .v6 = v6,
			       .reply = true,
			       .client_port = port,
			       .flags = 0x12,
			       .ack = CLIENT_SEQ + 1,
			       .mss = v6 ? MSS6 : MSS4 };

	struct dp_test_run t = { .ifindex = e->ifindex[IFX_P0],
				 .repeat = 1,
				 .out = r.out,
				 .out_size = sizeof(r.out) };
	__u32 want = tc ? TC_ACT_REDIRECT : XDP_TX;

	if (tcp_build(&s, &syn) || snapshot(e, e->before))
		return false;
	if (tc) {
		r.err = dp_test_run_skb(e->tc_fd, syn.buf, syn.len, &t);
		r.out_len = t.out_len;
		r.retval = t.retval;
	} else {
		xdp_run(e->prog_fd, e->ifindex[IFX_P0], syn.buf, syn.len, 0, 1,
			&r);
	}
	if (r.err || snapshot(e, e->after))
		return false;
	if (r.out_len < 14 + (v6 ? 40 : 20) + 8) {
		diag("output of %u bytes\n", r.out_len);
		return false;
	}
	*cookie = be32_at(r.out + 14 + (v6 ? 40 : 20) + 4);
	a.seq = *cookie;
	if (tcp_build(&a, &exp))
		return false;
	if (r.retval != want || r.out_len != exp.len ||
	    memcmp(r.out, exp.buf, exp.len)) {
		diag("verdict %u, want %u\n", r.retval, want);
		hexdiff(exp.buf, exp.len, r.out, r.out_len);
		return false;
	}
	return counters_ok(e, e->slot[IFX_P0], SLUICE_FWD_DDOS_SYNCOOKIE,
			   syn.len, 1);
}

/*
 * A SYN with SACK permitted, a timestamp and window scale 7 (as Linux
 * sends): the SYN-ACK carries the timestamp cookie, every byte as built
 * here but tsval (from the kernel's clock: its low bits are checked) and
 * seq (the cookie, proven by the ACK after).  *@cookie for the ACK.
 */
static bool synack_ts_ok(struct env *e, bool v6, __u16 port, __u32 *cookie)
{
	static struct frame syn, exp;
	struct tcp_frame s = { .v6 = v6,
			       .client_port = port,
			       .flags = 0x02,
			       .seq = CLIENT_SEQ,
			       .mss = v6 ? MSS6 : MSS4,
			       .window = 0xffff,
			       .ts = true,
			       .tsval = 0x11223344,
			       .wscale = 7 };
	struct tcp_frame a = { .v6 = v6,
			       .reply = true,
			       .client_port = port,
			       .flags = 0x12,
			       .ack = CLIENT_SEQ + 1,
			       .mss = v6 ? MSS6 : MSS4,
			       .ts = true,
			       .tsecr = 0x11223344,
			       .wscale = 7 };
	__u32 l4 = 14 + (v6 ? 40 : 20);

	if (tcp_build(&s, &syn) || snapshot(e, e->before) ||
	    xdp_run(e->prog_fd, e->ifindex[IFX_P0], syn.buf, syn.len, 0, 1,
		    &r) ||
	    snapshot(e, e->after))
		return false;
	if (r.out_len < l4 + 40) {
		diag("output of %u bytes, want %u\n", r.out_len, l4 + 40);
		return false;
	}
	*cookie = be32_at(r.out + l4 + 4);
	a.seq = *cookie;
	a.tsval = be32_at(r.out + l4 + 28);
	if ((a.tsval & 0x3f) != (7 | 1 << 4)) {
		diag("tsval 0x%08x: low bits 0x%x, want wscale 7 | SACK 0x10\n",
		     a.tsval, a.tsval & 0x3f);
		return false;
	}
	if (tcp_build(&a, &exp))
		return false;
	if (r.retval != XDP_TX || r.out_len != exp.len ||
	    memcmp(r.out, exp.buf, exp.len)) {
		diag("verdict %s, want XDP_TX\n", xdp_name(r.retval));
		hexdiff(exp.buf, exp.len, r.out, r.out_len);
		return false;
	}
	return counters_ok(e, e->slot[IFX_P0], SLUICE_FWD_DDOS_SYNCOOKIE,
			   syn.len, 1);
}

bool ack_run(struct env *e, bool v6, __u16 port, __u32 seq, __u32 ack,
	     __u32 verdict, int reason)
{
	static struct frame f;
	struct tcp_frame t = { .v6 = v6,
			       .client_port = port,
			       .flags = 0x10,
			       .seq = seq,
			       .ack = ack,
			       .window = 0x1000 };

	return !tcp_build(&t, &f) &&
	       run_check(e, IFX_P0, &f, verdict, reason, NULL);
}

static void run_cookie_family(struct env *e, bool v6)
{
	const char *fam = v6 ? "v6" : "v4";
	struct sluice_ddos_service_key k;
	static struct frame f;
	struct tcp_frame back = { .v6 = v6,
				  .reverse = true,
				  .client_port = 41000,
				  .flags = 0x18,
				  .seq = 77,
				  .ack = CLIENT_SEQ + 1,
				  .window = 0x1000 };
	char name[160];
	__u32 cookie = 0;
	bool ok;

	ok = !service_key(v6, &k) &&
	     !dp_ddos_service_set(e->dp, &k, v6 ? 2 : 1);
	snprintf(name, sizeof(name), "ddos cookies %s: service added", fam);
	tap(e, ok, name);

	ok = synack_ok(e, v6, 41000, &cookie);
	snprintf(name, sizeof(name),
		 "ddos cookies %s: SYN answered with the exact cookie SYN-ACK "
		 "(XDP_TX)",
		 fam);
	tap(e, ok, name);
	/* bits of the hash flipped (cookie + 1 would only change the MSS
	 * index the cookie encodes: still valid where the index is < 3) */
	ok = ack_run(e, v6, 41000, CLIENT_SEQ + 1, (cookie ^ 0x00ff0000) + 1,
		     XDP_DROP, SLUICE_DROP_DDOS_BAD_COOKIE);
	snprintf(name, sizeof(name),
		 "ddos cookies %s: an ACK with a forged cookie is dropped",
		 fam);
	tap(e, ok, name);
	ok = ack_run(e, v6, 41001, CLIENT_SEQ + 1, cookie + 1, XDP_DROP,
		     SLUICE_DROP_DDOS_BAD_COOKIE);
	snprintf(name, sizeof(name),
		 "ddos cookies %s: the cookie from another port is dropped",
		 fam);
	tap(e, ok, name);
	ok = ack_run(e, v6, 41000, CLIENT_SEQ + 1, cookie + 1, XDP_PASS,
		     SLUICE_PASS_DDOS_COOKIE_OK);
	snprintf(name, sizeof(name),
		 "ddos cookies %s: the ACK carrying the cookie goes to the "
		 "kernel (synproxy)",
		 fam);
	tap(e, ok, name);
	ok = ack_run(e, v6, 41000, CLIENT_SEQ + 1, cookie + 1, XDP_PASS,
		     SLUICE_PASS_DDOS_SYNPROXY);
	snprintf(name, sizeof(name),
		 "ddos cookies %s: later packets of that connection too", fam);
	tap(e, ok, name);
	ok = !tcp_build(&back, &f) &&
	     run_check(e, IFX_P1, &f, XDP_PASS, SLUICE_PASS_DDOS_SYNPROXY,
		       NULL);
	snprintf(name, sizeof(name),
		 "ddos cookies %s: and the service's answers (from P1)", fam);
	tap(e, ok, name);
}

/* With conntrack on: a connection opened while cookies were off goes on
 * once they are on (its ACK carries no cookie); one conntrack does not
 * know is still asked for one. */
static void run_cookie_known(struct env *e)
{
	struct sluice_ct_config cc;
	struct fixture syn = fwd4, ack;
	bool ok;

	dp_ct_default_config(&cc);
	cc.enabled = 1;
	syn.in.daddr = SVC4;
	syn.in.dport = SVC_PORT;
	syn.in.sport = 45000;
	syn.in.tcp_flags = 0x02;
	syn.in.payload = 0;
	ack = syn;
	ack.in.tcp_flags = 0x10;
	ok = !dp_ct_config_set(e->dp, &cc) &&
	     set_cookies(e, SLUICE_DDOS_COOKIES_OFF, 0, 0) &&
	     run_fixture(e, &syn) &&
	     set_cookies(e, SLUICE_DDOS_COOKIES_ON, 0, 0) &&
	     run_fixture(e, &ack);
	tap(e, ok,
	    "ddos cookies with conntrack: a connection opened while cookies "
	    "were off goes on when they are on (no cookie asked)");
	ack.in.sport = 45001;
	ok = run_dropped(e, &ack, SLUICE_DROP_DDOS_BAD_COOKIE);
	tap(e, ok,
	    "ddos cookies with conntrack: an ACK of a connection conntrack "
	    "does not know still needs its cookie");
	dp_ct_flush(e->dp, NULL, NULL);
	dp_ct_config_set(e->dp, &(struct sluice_ct_config){ 0 });
}

static void run_cookies(struct env *e)
{
	struct fixture syn4 = fwd4, synoff = fwd4;
	struct sluice_ddos_service_key k;
	struct sluice_ddos_svc_state st;
	bool ok;

	syn4.in.dport = SVC_PORT;
	syn4.in.sport = 42000;
	syn4.in.tcp_flags = 0x02;
	syn4.in.payload = 0;
	synoff = syn4;

	tap(e, set_cookies(e, SLUICE_DDOS_COOKIES_ON, 0, 0),
	    "ddos cookies: mode on");
	run_cookie_family(e, false);
	run_cookie_family(e, true);
	run_cookie_known(e);
	set_cookies(e, SLUICE_DDOS_COOKIES_ON, 0, 0);
	{
		__u32 cookie = 0;
		bool ok = synack_run(e, true, false, 44000, &cookie) &&
			  ack_run(e, false, 44000, CLIENT_SEQ + 1, cookie + 1,
				  XDP_PASS, SLUICE_PASS_DDOS_COOKIE_OK);

		tap(e, ok,
		    "ddos cookies: tc: the SYN-ACK from the TC program "
		    "(redirect back out), its cookie valid at XDP");
		ok = synack_ts_ok(e, false, 45000, &cookie) &&
		     ack_run(e, false, 45000, CLIENT_SEQ + 1, cookie + 1,
			     XDP_PASS, SLUICE_PASS_DDOS_COOKIE_OK);
		tap(e, ok,
		    "ddos cookies v4: a SYN with timestamps gets the "
		    "timestamp cookie (wscale, SACK), its ACK goes on");
		ok = synack_ts_ok(e, true, 45000, &cookie) &&
		     ack_run(e, true, 45000, CLIENT_SEQ + 1, cookie + 1,
			     XDP_PASS, SLUICE_PASS_DDOS_COOKIE_OK);
		tap(e, ok,
		    "ddos cookies v6: a SYN with timestamps gets the "
		    "timestamp cookie (wscale, SACK), its ACK goes on");
	}

	/* off: SYNs of the service take the router's path again */
	ok = set_cookies(e, SLUICE_DDOS_COOKIES_OFF, 0, 0) &&
	     run_fixture(e, &synoff);
	tap(e, ok, "ddos cookies: mode off, a SYN to the service forwards");

	/* auto: 3 SYN/s switch on; 1 s under 1.5 switches off */
	ok = set_cookies(e, SLUICE_DDOS_COOKIES_AUTO, 3, 1);
	/* the 3 SYNs alone in a second of their own, after a second with
	 * none: the SYNs above, to the same service, are counted too (in
	 * every mode) and would switch cookies on at once */
	if (ok)
		usleep((useconds_t)((1000000000ull -
				     dp_ddos_now_ns() % 1000000000ull) /
				    1000) +
		       1010000);
	for (int i = 0; ok && i < 3; i++)
		ok = run_fixture(e, &synoff);
	tap(e, ok, "ddos auto: 3 SYNs in one second forward (cookies off)");
	usleep(1000000);
	ok = !dp_ddos_service_state(e->dp, 1, &st, NULL) && !st.cookies_on;
	if (ok) {
		__u32 cookie;

		ok = synack_ok(e, false, 42001, &cookie) &&
		     !dp_ddos_service_state(e->dp, 1, &st, NULL) &&
		     st.cookies_on == 1 && st.last_rate == 3;
		if (!ok)
			diag("state: on %u, rate %llu\n", st.cookies_on,
			     (unsigned long long)st.last_rate);
	}
	tap(e, ok,
	    "ddos auto: the next second's SYN sees 3/s, switches on "
	    "and gets a cookie");
	usleep(2100000);
	ok = run_fixture(e, &synoff) &&
	     !dp_ddos_service_state(e->dp, 1, &st, NULL) &&
	     st.cookies_on == 0 && st.switches == 2;
	if (!ok)
		diag("state: on %u, switches %llu\n", st.cookies_on,
		     (unsigned long long)st.switches);
	tap(e, ok,
	    "ddos auto: quiet for the hold time, switches off: the SYN "
	    "forwards");

	/* clean up: no services, mode off, flags 0 */
	ok = !service_key(false, &k) && !dp_ddos_service_del(e->dp, &k) &&
	     !service_key(true, &k) && !dp_ddos_service_del(e->dp, &k) &&
	     set_cookies(e, SLUICE_DDOS_COOKIES_OFF, 0, 0) && flags_are(e, 0);
	tap(e, ok, "ddos cookies: services removed, flags 0");
}

void ddos_run_all(struct env *e)
{
	run_blocklist(e);
	run_bulk(e);
	run_limits(e);
	run_cookies(e);
	ddos_ct_run_all(e);
	tap(e, flags_are(e, 0), "ddos: the guard unconfigured at the end");
}
