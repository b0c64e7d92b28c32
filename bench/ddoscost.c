// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-packet cost of the DDoS guard (bpf/lib/ddos.h) with
 * BPF_PROG_TEST_RUN, in the stateful run (statecost.c) next to its
 * XDP_PASS floor and route_v4, every figure path-checked.  One more copy
 * of the real XDP object through lib/dp, LB off as the others, its
 * ingress port the run's b0 (slot 1), the guard configured: 100,000
 * prefixes in the blocklist (50,000 IPv4 /32s in 198.19.0.0/16, 49,999
 * IPv6 /64s in 2001:db8:1000::/48 and 198.18.0.2/32, the blocked client),
 * SYN cookies on for 198.19.0.5:80.
 *
 *  - ddos_block_hit_v4: a UDP packet from 198.18.0.2, dropped by the
 *    blocklist.  A drop leaves the buffer as it was, so the method is the
 *    floor's own: batch, repeat BATCH per call on one buffer.  Checks:
 *    every call XDP_DROP, output = input; per figure drop_ddos_blocked
 *    +runs exactly, no other counter.
 *  - ddos_syncookie_v4: a SYN (MSS 1460) from 198.18.0.3 (not blocked:
 *    the trie is searched and misses first) to the service, answered with
 *    the cookie SYN-ACK.  The SYN becomes the SYN-ACK in the buffer, so
 *    the method is statecost's single: repeat 1 per call on a fresh SYN,
 *    the client's port cycling over 1024, each call followed by XDP_PASS
 *    at repeat 1 on the same frame; ns = mean(path) - mean(XDP_PASS at
 *    repeat 1) + the run's XDP_PASS batch figure.  Checks: every call
 *    XDP_TX and the SYN-ACK byte for byte as built here (MACs, addresses
 *    and ports swapped, ack = seq + 1, window 0, the MSS option, both
 *    checksums), but for the sequence number, the kernel's cookie, taken
 *    from the output (the BPF tier proves a cookie valid by its ACK); per
 *    figure fwd_ddos_syncookie +runs exactly, no other counter.
 *
 * These figures were the BPF tier's (SLUICE_BPF_PERF=1); they live here
 * now, measured the way the stateful layer's are.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include "dp.h"
#include "pktbuild.h"
#include "statecost.h"

#define DC_BATCH 254
#define DC_PREEMPTED_NS 50000u /* as pktcost.c */
#define DC_SLOT 1
#define DC_SLOTS 3
#define DC_BLOCK_N 100000
#define DC_PORTS 1024 /* client ports the SYNs cycle over */
#define DC_SVC_PORT 80
#define DC_MSS 1460 /* in the kernel's v4 cookie table */
#define DC_SYNACK_LEN (14 + 20 + 24)

struct ddoscost {
	struct dp *dp;
	__u32 ifin;
	struct sluice_counter before[DC_SLOTS][SLUICE_REASON_SLOTS];
	struct sluice_counter after[DC_SLOTS][SLUICE_REASON_SLOTS];
};

static const __u8 dc_mac_port[6] = { 0x02, 0, 0, 0, 0xc0, 0x01 };
static const __u8 dc_mac_client[6] = { 0x02, 0, 0, 0, 0xc0, 0x02 };
#define DC_BLOCKED "198.18.0.2"
#define DC_CLIENT "198.18.0.3"
#define DC_SVC "198.19.0.5"

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* The IPv4 header's and the TCP checksum of the frame in @b (@len). */
static void csum4(__u8 *b, __u32 len)
{
	__u8 *ip = b + 14, *t = b + 34, ph[12] = { 0 };
	__u32 tlen = len - 34;
	__u16 c;

	ip[10] = ip[11] = 0;
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	memcpy(ph, ip + 12, 8);
	ph[9] = IPPROTO_TCP;
	put16(ph + 10, (__u16)tlen);
	t[16] = t[17] = 0;
	c = csum_fold(csum_add(csum_add(0, ph, 12), t, tlen));
	put16(t + 16, c);
}

/* The SYN from DC_CLIENT:@port with an MSS option. */
static int syn_build(__u16 port, struct frame *f)
{
	struct pkt_spec s = { .l3 = PKT_L3_IP4,
			      .l4 = IPPROTO_TCP,
			      .saddr = DC_CLIENT,
			      .daddr = DC_SVC,
			      .sport = port,
			      .dport = DC_SVC_PORT,
			      .tcp_flags = 0x02,
			      .payload = 4 };
	__u8 *t;
	int err;

	memcpy(s.dst, dc_mac_port, 6);
	memcpy(s.src, dc_mac_client, 6);
	err = pkt_build(&s, f);
	if (err)
		return err;
	t = f->buf + 34;
	t[12] = 6 << 4;
	t[20] = 2;
	t[21] = 4;
	put16(t + 22, DC_MSS);
	csum4(f->buf, f->len);
	return 0;
}

/* What ddos_synack() makes of @syn, with the sequence number @cookie. */
static void synack_expect(const struct frame *syn, __u32 cookie, __u8 *out)
{
	const __u8 *si = syn->buf + 14, *st = syn->buf + 34;
	__u8 *ip = out + 14, *t = out + 34;

	memset(out, 0, DC_SYNACK_LEN);
	memcpy(out, syn->buf + 6, 6);
	memcpy(out + 6, syn->buf, 6);
	out[12] = 0x08;
	ip[0] = 0x45;
	put16(ip + 2, 20 + 24);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, si + 16, 4);
	memcpy(ip + 16, si + 12, 4);
	memcpy(t, st + 2, 2);
	memcpy(t + 2, st, 2);
	put32(t + 4, cookie);
	put32(t + 8, get32(st + 4) + 1);
	t[12] = 6 << 4;
	t[13] = 0x12;
	t[20] = 2;
	t[21] = 4;
	put16(t + 22, DC_MSS);
	csum4(out, DC_SYNACK_LEN);
}

/* ---- setup --------------------------------------------------------------- */

static int prefix4(struct dp_ddos_prefix *p, __u32 a)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->plen = 32;
	put32(p->addr, a);
	return 0;
}

/* The BPF tier's mix: 50,000 v4 /32s, 49,999 v6 /64s, the client last. */
static int block_load(struct dp *dp)
{
	struct dp_ddos_prefix *v = calloc(DC_BLOCK_N, sizeof(*v));
	size_t n = 0, done = 0;
	__u8 blocked[4];
	int err;

	if (!v)
		return -ENOMEM;
	for (__u32 i = 0; i < 50000; i++)
		prefix4(&v[n++], (198u << 24 | 19u << 16) + i);
	for (__u32 i = 0; n < DC_BLOCK_N - 1; i++, n++) {
		v[n].family = AF_INET6;
		v[n].plen = 64;
		pkt_addr(AF_INET6, "2001:db8:1000::", v[n].addr);
		v[n].addr[5] = (i >> 16) & 0xff;
		v[n].addr[6] = (i >> 8) & 0xff;
		v[n].addr[7] = i & 0xff;
	}
	inet_pton(AF_INET, DC_BLOCKED, blocked);
	prefix4(&v[n++], get32(blocked));
	err = dp_ddos_block_load(dp, v, n, &done);
	free(v);
	if (!err && done != DC_BLOCK_N)
		err = -EIO;
	return err;
}

static int guard_on(struct ddoscost *d)
{
	struct sluice_iface in = { .mtu = 1500, .slot = DC_SLOT };
	struct sluice_ddos_config c = { .cookie_mode = SLUICE_DDOS_COOKIES_ON,
					.wscale = 7 };
	struct sluice_ddos_service_key k = { .family = AF_INET,
					     .port = htons(DC_SVC_PORT) };
	int err;

	memcpy(in.mac, dc_mac_port, 6);
	inet_pton(AF_INET, DC_SVC, k.addr);
	err = dp_iface_set(d->dp, d->ifin, &in)	    ?:
		      dp_port_set(d->dp, d->ifin)   ?:
		      dp_ddos_config_set(d->dp, &c) ?:
		      block_load(d->dp)		    ?:
		      dp_ddos_service_set(d->dp, &k, 1);
	return err;
}

struct ddoscost *ddoscost_open(__u32 ifin)
{
	struct dp_opts opts = { .lb_disabled = true };
	struct ddoscost *d = calloc(1, sizeof(*d));
	enum dp_xdp_mode got;
	bool adopted;
	int err;

	if (!d)
		return NULL;
	d->ifin = ifin;
	err = dp_open(&d->dp, &opts);
	if (err) {
		note("ddos: dp_open: %s", strerror(-err));
		goto fail;
	}
	err = guard_on(d);
	if (err) {
		note("ddos: configuring the guard: %s", strerror(-err));
		goto fail;
	}
	/* on an idle veth of its own, as statecost's copies: in the
	 * dispatcher like them */
	if (system("ip link add s4 type veth peer name s4p")) {
		note("ddos: cannot make the idle veth s4");
		goto fail;
	}
	err = dp_attach(d->dp, (int)if_nametoindex("s4"), "s4", DP_XDP_NATIVE,
			&got, &adopted);
	if (err) {
		note("ddos: attaching to s4: %s", strerror(-err));
		goto fail;
	}
	return d;
fail:
	ddoscost_close(d);
	return NULL;
}

void ddoscost_close(struct ddoscost *d)
{
	if (!d)
		return;
	dp_close(d->dp);
	free(d);
}

/* ---- checks ------------------------------------------------------------- */

static int dc_snapshot(struct ddoscost *d,
		       struct sluice_counter c[DC_SLOTS][SLUICE_REASON_SLOTS])
{
	int err = 0;

	for (__u32 s = 0; s < DC_SLOTS && !err; s++)
		err = dp_stats_read(d->dp, s, c[s]);
	return err;
}

/* Exactly @runs packets of @len bytes under (DC_SLOT, @reason). */
static bool dc_counters_ok(struct ddoscost *d, struct fig *f, int reason,
			   unsigned long long runs, __u32 len)
{
	for (__u32 s = 0; s < DC_SLOTS; s++) {
		for (int r = 0; r < SLUICE_REASON_SLOTS; r++) {
			bool mine = s == DC_SLOT && r == reason;
			__u64 dp = d->after[s][r].packets -
				   d->before[s][r].packets;
			__u64 db = d->after[s][r].bytes - d->before[s][r].bytes;

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

/* ---- figures ------------------------------------------------------------ */

static void block_hit(struct ddoscost *d, unsigned long long runs)
{
	struct fig *f = fig_new(SC_GROUP, "ddos_block_hit_v4", 1, "ns/packet");
	struct pkt_spec s = { .l3 = PKT_L3_IP4,
			      .l4 = IPPROTO_UDP,
			      .saddr = DC_BLOCKED,
			      .daddr = "198.19.0.9",
			      .sport = 40000,
			      .dport = 53,
			      .payload = 18 };
	unsigned long long calls = (runs + DC_BATCH - 1) / DC_BATCH, sum = 0;
	int fd = dp_xdp_prog_fd(d->dp);
	static struct test_res r;
	static struct frame in;

	snprintf(f->label, sizeof(f->label),
		 "DDoS guard: blocklist hit among 100,000 prefixes (drop)");
	snprintf(f->method, sizeof(f->method),
		 "batch: repeat %d per call on one buffer, duration of "
		 "test_run (as the XDP_PASS floor)",
		 DC_BATCH);
	snprintf(f->check, sizeof(f->check),
		 "every call: XDP_DROP, output = input; per figure: "
		 "drop_ddos_blocked +runs exactly, no other counter");
	if (f->invalid)
		return;
	memcpy(s.dst, dc_mac_port, 6);
	memcpy(s.src, dc_mac_client, 6);
	if (pkt_build(&s, &in) || dc_snapshot(d, d->before)) {
		fig_invalid(f, "cannot build the frame or read the counters");
		return;
	}
	for (unsigned long long c = 0; c < calls; c++) {
		test_res_run(fd, d->ifin, in.buf, in.len, DC_BATCH, &r);
		if (!test_res_check(f, &r, XDP_DROP, in.buf, in.len, c))
			return;
		sum += (unsigned long long)r.duration * DC_BATCH;
	}
	f->runs = calls * DC_BATCH;
	if (dc_snapshot(d, d->after)) {
		fig_invalid(f, "cannot read the counters");
		return;
	}
	if (dc_counters_ok(d, f, SLUICE_DROP_DDOS_BLOCKED, f->runs, in.len))
		fig_add(f, (double)sum / (double)f->runs);
}

static void syncookie(struct ddoscost *d, int fd_pass, double pass_batch,
		      unsigned long long runs)
{
	struct fig *f =
		fig_new(SC_GROUP, "ddos_syncookie_v4", DC_PORTS, "ns/packet");
	unsigned long long sum = 0, sum_pass = 0, kept = 0;
	int fd = dp_xdp_prog_fd(d->dp);
	static struct test_res r, rp;
	static struct frame syn[DC_PORTS];
	static __u8 exp[DC_SYNACK_LEN];

	snprintf(f->label, sizeof(f->label),
		 "DDoS guard: SYN answered with a cookie SYN-ACK (100,000 "
		 "prefixes blocked, missed)");
	snprintf(f->method, sizeof(f->method),
		 "single: repeat 1 per call, a fresh SYN, %d client ports "
		 "cycled; minus XDP_PASS at repeat 1 (interleaved), plus "
		 "XDP_PASS batch",
		 DC_PORTS);
	snprintf(f->check, sizeof(f->check),
		 "every call: XDP_TX, output = the SYN-ACK built here (seq: "
		 "the cookie, from the output); per figure: "
		 "fwd_ddos_syncookie +runs exactly, no other counter");
	if (f->invalid)
		return;
	if (pass_batch < 0) {
		fig_invalid(f, "no XDP_PASS floor in this repetition");
		return;
	}
	for (int i = 0; i < DC_PORTS; i++) {
		if (syn_build((__u16)(42000 + i), &syn[i])) {
			fig_invalid(f, "cannot build the SYNs");
			return;
		}
	}
	if (dc_snapshot(d, d->before)) {
		fig_invalid(f, "cannot read the counters");
		return;
	}
	for (unsigned long long c = 0; c < runs; c++) {
		const struct frame *in = &syn[c % DC_PORTS];

		test_res_run(fd, d->ifin, in->buf, in->len, 1, &r);
		synack_expect(in, r.out_len >= 38 ? get32(r.out + 38) : 0, exp);
		if (!test_res_check(f, &r, XDP_TX, exp, DC_SYNACK_LEN, c))
			return;
		test_res_run(fd_pass, d->ifin, in->buf, in->len, 1, &rp);
		if (!test_res_check(f, &rp, XDP_PASS, in->buf, in->len, c))
			return;
		if (r.duration > DC_PREEMPTED_NS ||
		    rp.duration > DC_PREEMPTED_NS) {
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
		return;
	}
	if (dc_snapshot(d, d->after)) {
		fig_invalid(f, "cannot read the counters");
		return;
	}
	if (dc_counters_ok(d, f, SLUICE_FWD_DDOS_SYNCOOKIE, runs, syn[0].len))
		fig_add(f, ((double)sum - (double)sum_pass) / (double)kept +
				   pass_batch);
}

void ddoscost_measure(struct ddoscost *d, int fd_pass, double pass_batch,
		      unsigned long long runs)
{
	struct fig *f;

	if (d) {
		block_hit(d, runs);
		syncookie(d, fd_pass, pass_batch, runs);
		return;
	}
	f = fig_new(SC_GROUP, "ddos_block_hit_v4", 1, "ns/packet");
	if (!f->invalid)
		fig_invalid(f, "the guard's copy could not be set up");
	f = fig_new(SC_GROUP, "ddos_syncookie_v4", DC_PORTS, "ns/packet");
	if (!f->invalid)
		fig_invalid(f, "the guard's copy could not be set up");
}

void ddoscost_tap(void)
{
	fig_tap(fig_find(SC_GROUP, "ddos_block_hit_v4", 1), "path check");
	fig_tap(fig_find(SC_GROUP, "ddos_syncookie_v4", DC_PORTS),
		"path check");
}
