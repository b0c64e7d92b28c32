// SPDX-License-Identifier: BSD-2-Clause
/*
 * The firewall at 10,000 rules (uapi/sluice/fw.h: two-level bitmaps).
 * One set on P0 "in", policy drop: rules 1..9,999 drop TCP to port 443
 * from one 198.19.x.y address each, rule 10,000 drops UDP to port 53
 * from anywhere.  Through the XDP and the TC program:
 *  - TCP from 198.19.0.0: the first rule,
 *  - UDP to 53 from H0: the last rule,
 *  - TCP to 443 from H0: no rule, the policy,
 * each with its verdict, exactly one reason counter, and exactly one of
 * the 10,000 rule counters and the policy's moved (by the frame).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include "dp.h"
#include "dp_fw.h"
#include "fw.h"
#include "names.h"
#include "pktbuild.h"
#include "runner.h"
#include "testrun.h"

#define BIG_N 10000
#define BIG_ID0 20000 /* rule i's id: BIG_ID0 + i + 1 */

static struct fw_rule big_rules[BIG_N];
static struct sluice_counter big_before[BIG_N + 1], big_after[BIG_N + 1];

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Compiles and installs the set; 0 or -errno. */
static int big_install(struct env *e)
{
	static struct fw_compiled c; /* 180 KiB: not on the stack */
	char err[FW_ERR_MAX], a[40];
	struct timespec t0;
	int rc = 0;

	for (size_t i = 0; i < BIG_N && !rc; i++) {
		struct fw_rule *r = &big_rules[i];

		fw_rule_init(r);
		r->id = BIG_ID0 + (__u32)i + 1;
		strcpy(r->iface, "sl0");
		r->action = SLUICE_FW_ACT_DROP;
		if (i + 1 < BIG_N) {
			snprintf(a, sizeof(a), "198.19.%zu.%zu/32", i / 256,
				 i % 256);
			rc = fw_rule_set(r, "src", a, err, sizeof(err)) ?:
				     fw_rule_set(r, "proto", "tcp", err, sizeof(err)) ?:
				     fw_rule_set(r, "dport", "443", err,
						 sizeof(err));
		} else {
			rc = fw_rule_set(r, "proto", "udp", err, sizeof(err)) ?:
				     fw_rule_set(r, "dport", "53", err,
						 sizeof(err));
		}
	}
	if (rc) {
		diag("%s\n", err);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = fw_compile(big_rules, BIG_N, SLUICE_FW_ACT_DROP, NULL, NULL, &c,
			err, sizeof(err));
	printf("# fw: 10,000 rules compiled in %.0f ms (%zu prefix, %zu "
	       "port entries)\n",
	       ms_since(&t0), c.n_lpm, c.n_ports);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!rc)
		rc = dp_fw_install(e->dp, e->slot[IFX_P0], SLUICE_FW_IN, &c);
	printf("# fw: 10,000 rules installed in %.0f ms\n", ms_since(&t0));
	fw_compiled_free(&c);
	if (rc)
		diag("install: %s (%s)\n", strerror(-rc), err);
	return rc;
}

/* Counter @k: rule k + 1 for k < BIG_N, the policy for k == BIG_N. */
static int big_counts(struct env *e, struct sluice_counter *c)
{
	int err = 0;

	for (__u32 k = 0; k < BIG_N && !err; k++)
		err = dp_fw_counter_read(e->dp, BIG_ID0 + k + 1, &c[k]);
	return err   ?:
		       dp_fw_counter_read(
			       e->dp,
			       SLUICE_FW_POLICY_COUNTER(e->slot[IFX_P0],
							SLUICE_FW_IN),
			       &c[BIG_N]);
}

struct big_row {
	const char *name;
	const char *saddr;
	__u8 l4;
	__u16 dport;
	int hit; /* counter index: rule position, or BIG_N for the policy */
	int reason;
};

static bool big_row(struct env *e, const struct big_row *row, bool tc)
{
	static struct frame in;
	static __u8 out[OUT_MAX];
	struct pkt_spec s = { .dst = MAC_P0,
			      .src = MAC_H0,
			      .l3 = PKT_L3_IP4,
			      .saddr = row->saddr,
			      .daddr = "198.19.200.5",
			      .l4 = row->l4,
			      .sport = 40000,
			      .dport = row->dport };
	struct dp_test_run t = { .ifindex = e->ifindex[IFX_P0],
				 .repeat = 1,
				 .out = out,
				 .out_size = sizeof(out) };
	bool ok = true;
	int err;

	if (pkt_build(&s, &in) || snapshot(e, e->before) ||
	    big_counts(e, big_before)) {
		diag("cannot build the frame or read the counters\n");
		return false;
	}
	err = tc ? dp_test_run_skb(e->tc_fd, in.buf, in.len, &t) :
		   dp_test_run_xdp(e->prog_fd, in.buf, in.len, &t);
	if (err || snapshot(e, e->after) || big_counts(e, big_after)) {
		diag("test_run or counters: %s\n", strerror(-err));
		return false;
	}
	if (t.retval != (tc ? (__u32)TC_ACT_SHOT : (__u32)XDP_DROP)) {
		diag("verdict %u, want a drop\n", t.retval);
		ok = false;
	}
	if (!counters_ok(e, e->slot[IFX_P0], row->reason, in.len, 1))
		ok = false;
	for (int k = 0; k <= BIG_N; k++) {
		__u64 dp = big_after[k].packets - big_before[k].packets;
		__u64 db = big_after[k].bytes - big_before[k].bytes;
		bool mine = k == row->hit;

		if (dp != (mine ? 1u : 0u) || db != (mine ? in.len : 0u)) {
			diag("counter %d: +%llu packets +%llu bytes, want "
			     "+%u\n",
			     k, (unsigned long long)dp, (unsigned long long)db,
			     mine);
			ok = false;
		}
	}
	/* a dropped frame leaves as it came */
	if (t.out_len != in.len || memcmp(out, in.buf, in.len)) {
		hexdiff(in.buf, in.len, out, t.out_len);
		ok = false;
	}
	return ok;
}

void fw_run_big(struct env *e)
{
	static const struct big_row rows[] = {
		{ "the first rule", "198.19.0.0", IPPROTO_TCP, 443, 0,
		  SLUICE_DROP_FW_RULE },
		{ "the last rule", H0_4, IPPROTO_UDP, 53, BIG_N - 1,
		  SLUICE_DROP_FW_RULE },
		{ "no rule (the policy)", H0_4, IPPROTO_TCP, 443, BIG_N,
		  SLUICE_DROP_FW_POLICY },
	};
	char name[160];
	bool installed = !big_install(e);

	for (int tc = 0; tc < 2; tc++) {
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			snprintf(name, sizeof(name),
				 "%sfw: 10,000 rules, %s: dropped, its counter "
				 "and no other",
				 tc ? "tc: " : "", rows[i].name);
			tap(e, installed && big_row(e, &rows[i], tc), name);
		}
	}
	dp_fw_remove(e->dp, e->slot[IFX_P0], SLUICE_FW_IN);
}
