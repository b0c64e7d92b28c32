// SPDX-License-Identifier: BSD-2-Clause
/*
 * The firewall's part of the BPF tier (fw_fixtures.c), on the router's
 * lib/dp and topology.  For each row it compiles the rules with lib/fw,
 * installs them with dp_fw_install() (the production path), runs the
 * frame through the XDP program and then the TC program, and checks the
 * verdict, that exactly one reason counter moved, that the rule's (or the
 * policy's) counter moved by the frame and nothing else of the rules',
 * and the exact output bytes.  A rejection's expected frame is built by
 * pktbuild.c from the row (addresses and ports swapped, the RST's numbers
 * or the ICMP error quoting the input), never from the program's output.
 *
 * Then: a rule-set swap (the same interface's set replaced many times,
 * each verdict the new set's), and a 100,000-prefix named set with a hit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include "dp.h"
#include "dp_ct.h"
#include "dp_fw.h"
#include "fw.h"
#include "fw_fixtures.h"
#include "names.h"
#include "pktbuild.h"
#include "runner.h"
#include "testrun.h"

#define NSET_BLK 1
#define NSET_BIG 2

static int resolve(const char *name, void *arg)
{
	(void)arg;
	if (!strcmp(name, "blk"))
		return NSET_BLK;
	return strcmp(name, "big") ? -ENOENT : NSET_BIG;
}

/* Every rule id a row may use has its counter checked. */
#define MAX_ID 8

struct fw_counts {
	struct sluice_counter rule[MAX_ID + 1];
	struct sluice_counter pol[IFX_COUNT][2];
};

static int counts_read(struct env *e, struct fw_counts *c)
{
	int err = 0;

	for (__u32 id = 1; id <= MAX_ID && !err; id++)
		err = dp_fw_counter_read(e->dp, id, &c->rule[id]);
	for (int x = IFX_P0; x <= IFX_P2 && !err; x++)
		for (__u8 d = 0; d < 2 && !err; d++)
			err = dp_fw_counter_read(
				e->dp, SLUICE_FW_POLICY_COUNTER(e->slot[x], d),
				&c->pol[x][d]);
	return err;
}

static bool counts_ok(const struct fw_fixture *fx, const struct fw_counts *b,
		      const struct fw_counts *a, __u32 bytes)
{
	bool ok = true;

	for (__u32 id = 1; id <= MAX_ID; id++) {
		bool mine = fx->hit > 0 && (__u32)fx->hit == id;
		__u64 dp = a->rule[id].packets - b->rule[id].packets;
		__u64 db = a->rule[id].bytes - b->rule[id].bytes;

		if (dp != (mine ? 1u : 0u) || db != (mine ? bytes : 0)) {
			diag("rule %u counter: +%llu packets +%llu bytes, want "
			     "+%u\n",
			     id, (unsigned long long)dp, (unsigned long long)db,
			     mine);
			ok = false;
		}
	}
	for (int x = IFX_P0; x <= IFX_P2; x++) {
		for (__u8 d = 0; d < 2; d++) {
			bool mine = fx->hit == 0 && fx->hit_ifx == x &&
				    fx->hit_dir == d;
			__u64 dp = a->pol[x][d].packets - b->pol[x][d].packets;

			if (dp != (mine ? 1u : 0u)) {
				diag("policy counter ifx %d dir %u: +%llu\n", x,
				     d, (unsigned long long)dp);
				ok = false;
			}
		}
	}
	return ok;
}

/* Installs the row's rules and policies; 0 or -errno. */
static int install(struct env *e, const struct fw_fixture *fx)
{
	static struct fw_rule rules[FWX_MAX_RULES];
	char err[FW_ERR_MAX];

	for (int x = IFX_P0; x <= IFX_P2; x++) {
		for (__u8 d = 0; d < 2; d++) {
			struct fw_compiled c;
			__u8 policy = fx->policy_ifx == x &&
						      fx->policy_dir == d ?
					      fx->policy :
					      SLUICE_FW_ACT_ACCEPT;
			size_t n = 0;
			int rc;

			for (int i = 0; i < FWX_MAX_RULES && fx->rules[i].ifx;
			     i++) {
				const struct fwx_rule *r = &fx->rules[i];
				struct fw_rule *fr;

				if (r->ifx != x || r->dir != d)
					continue;
				fr = &rules[n++];
				fw_rule_init(fr);
				fr->id = (__u32)i + 1;
				strcpy(fr->iface, "sl");
				for (int k = 0; r->kv[k]; k += 2)
					if (fw_rule_set(fr, r->kv[k],
							r->kv[k + 1], err,
							sizeof(err))) {
						diag("%s\n", err);
						return -EINVAL;
					}
				if (fw_rule_validate(fr, err, sizeof(err))) {
					diag("%s\n", err);
					return -EINVAL;
				}
			}
			if (!n && policy == SLUICE_FW_ACT_ACCEPT) {
				rc = dp_fw_remove(e->dp, e->slot[x], d);
				if (rc)
					return rc;
				continue;
			}
			rc = fw_compile(rules, n, policy, resolve, NULL, &c,
					err, sizeof(err));
			if (!rc)
				rc = dp_fw_install(e->dp, e->slot[x], d, &c);
			fw_compiled_free(&c);
			if (rc) {
				diag("install: %s (%s)\n", strerror(-rc), err);
				return rc;
			}
		}
	}
	return 0;
}

static void uninstall(struct env *e)
{
	for (int x = IFX_P0; x <= IFX_P2; x++)
		for (__u8 d = 0; d < 2; d++)
			dp_fw_remove(e->dp, e->slot[x], d);
}

/* The TCP checksum of @f afresh (after the numbers were set). */
static void tcp_csum(struct frame *f)
{
	__u8 *l3 = f->buf + f->l3_off, *th = f->buf + f->l4_off;
	__u32 seg = f->len - f->l4_off;
	__u8 ph[40];
	__u64 sum;

	th[16] = th[17] = 0;
	if (f->l3 == PKT_L3_IP4) {
		memcpy(ph, l3 + 12, 8);
		ph[8] = 0;
		ph[9] = IPPROTO_TCP;
		ph[10] = (__u8)(seg >> 8);
		ph[11] = (__u8)seg;
		sum = csum_add(0, ph, 12);
	} else {
		memcpy(ph, l3 + 8, 32);
		memset(ph + 32, 0, 8);
		ph[34] = (__u8)(seg >> 8);
		ph[35] = (__u8)seg;
		ph[39] = IPPROTO_TCP;
		sum = csum_add(0, ph, 40);
	}
	sum = csum_add(sum, th, seg);
	sum = csum_fold(sum);
	th[16] = (__u8)(sum >> 8);
	th[17] = (__u8)sum;
}

static void put32(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 24);
	p[1] = (__u8)(v >> 16);
	p[2] = (__u8)(v >> 8);
	p[3] = (__u8)v;
}

/* The expected output of @fx. */
static int expected(const struct fw_fixture *fx, const struct frame *in,
		    struct frame *out)
{
	struct pkt_spec s = fx->in;

	switch (fx->out) {
	case FWX_SAME: *out = *in; return 0;
	case FWX_ROUTED: {
		static const struct pkt_mut none[PKT_MAX_MUT];

		return build_routed(&fx->in, none, &fx->l2, 1, out);
	}
	default: break;
	}
	memcpy(s.dst, fx->in.src, 6);
	memcpy(s.src, fx->in.dst, 6);
	s.saddr = fx->in.daddr;
	s.daddr = fx->in.saddr;
	s.ttl = 64;
	s.id = ID_ZERO;
	s.tos = 0;
	s.flow = 0;
	if (fx->out == FWX_RST) {
		int err;

		s.sport = fx->in.dport;
		s.dport = fx->in.sport;
		s.payload = 0;
		s.tcp_flags = fx->rst_flags;
		s.frag = s.l3 == PKT_L3_IP4 ? 0x4000 : 0; /* DF */
		err = pkt_build(&s, out);
		if (err)
			return err;
		put32(out->buf + out->l4_off + 4, fx->rst_seq);
		put32(out->buf + out->l4_off + 8, fx->rst_ack);
		out->buf[out->l4_off + 14] = out->buf[out->l4_off + 15] = 0;
		tcp_csum(out);
		return 0;
	}
	s.l4 = s.l3 == PKT_L3_IP4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	s.icmp_type = fx->icmp_type;
	s.icmp_code = fx->icmp_code;
	s.sport = s.dport = 0;
	s.quote = &fx->in;
	s.quote_len = 0;
	s.payload = 0;
	s.tcp_flags = 0;
	return pkt_build(&s, out);
}

static __u32 tc_of(int xdp)
{
	switch (xdp) {
	case XDP_PASS: return TC_ACT_OK;
	case XDP_TX:
	case XDP_REDIRECT: return TC_ACT_REDIRECT;
	default: return TC_ACT_SHOT;
	}
}

static bool run_row(struct env *e, const struct fw_fixture *fx, bool tc)
{
	static struct frame in, exp;
	static __u8 out[OUT_MAX];
	struct fw_counts cb, ca;
	struct dp_test_run t = { .ifindex = e->ifindex[fx->ingress],
				 .repeat = 1,
				 .out = out,
				 .out_size = sizeof(out) };
	__u32 want;
	bool ok = true;
	int err;

	if (pkt_build(&fx->in, &in) || expected(fx, &in, &exp)) {
		diag("cannot build the frames\n");
		return false;
	}
	if (install(e, fx))
		return false;
	if (snapshot(e, e->before) || counts_read(e, &cb)) {
		diag("cannot read the counters\n");
		return false;
	}
	err = tc ? dp_test_run_skb(e->tc_fd, in.buf, in.len, &t) :
		   dp_test_run_xdp(e->prog_fd, in.buf, in.len, &t);
	if (snapshot(e, e->after) || counts_read(e, &ca)) {
		diag("cannot read the counters\n");
		return false;
	}
	uninstall(e);
	if (err) {
		diag("test_run: %s\n", strerror(-err));
		return false;
	}
	want = tc ? tc_of(fx->verdict) : (__u32)fx->verdict;
	if (t.retval != want) {
		diag("verdict %u, want %u\n", t.retval, want);
		ok = false;
	}
	if (!counters_ok(e, e->slot[fx->ingress], fx->reason, in.len, 1))
		ok = false;
	if (!counts_ok(fx, &cb, &ca, in.len))
		ok = false;
	if (t.out_len != exp.len || memcmp(out, exp.buf, exp.len)) {
		hexdiff(exp.buf, exp.len, out, t.out_len);
		ok = false;
	}
	return ok;
}

/* One interface's set replaced again and again: every verdict is the
 * newest set's, and set ids are reused once they come round. */
static void run_swap(struct env *e)
{
	static struct frame in;
	static __u8 out[OUT_MAX];
	struct pkt_spec s = { .dst = MAC_P0,
			      .src = MAC_H0,
			      .l3 = PKT_L3_IP4,
			      .saddr = H0_4,
			      .daddr = "198.19.0.5",
			      .l4 = IPPROTO_TCP,
			      .sport = 40000,
			      .dport = 443 };
	struct fw_rule r;
	char err[FW_ERR_MAX];
	bool ok = !pkt_build(&s, &in);
	__u16 first = 0;
	int i;

	for (i = 0; ok && i < 2 * SLUICE_FW_MAX_SETS + 3; i++) {
		struct dp_test_run t = { .ifindex = e->ifindex[IFX_P0],
					 .repeat = 1,
					 .out = out,
					 .out_size = sizeof(out) };
		struct sluice_fw_port port;
		struct fw_compiled c;
		bool drop = i % 2 == 0;

		fw_rule_init(&r);
		r.id = 1;
		strcpy(r.iface, "sl0");
		fw_rule_set(&r, "proto", "tcp", err, sizeof(err));
		fw_rule_set(&r, "dport", drop ? "443" : "444", err,
			    sizeof(err));
		r.action = SLUICE_FW_ACT_DROP;
		ok = !fw_compile(&r, 1, SLUICE_FW_ACT_ACCEPT, NULL, NULL, &c,
				 err, sizeof(err)) &&
		     !dp_fw_install(e->dp, e->slot[IFX_P0], SLUICE_FW_IN, &c) &&
		     !dp_fw_port_get(e->dp, e->slot[IFX_P0], &port) &&
		     !dp_test_run_xdp(e->prog_fd, in.buf, in.len, &t);
		fw_compiled_free(&c);
		if (!ok) {
			diag("swap %d failed\n", i);
			break;
		}
		if (i == 0)
			first = port.set[SLUICE_FW_IN];
		else if (port.set[SLUICE_FW_IN] == first &&
			 i < SLUICE_FW_MAX_SETS - 1) {
			diag("set id %u reused after %d swaps\n", first, i);
			ok = false;
		}
		if (t.retval != (drop ? XDP_DROP : XDP_REDIRECT)) {
			diag("swap %d: verdict %u\n", i, t.retval);
			ok = false;
		}
	}
	uninstall(e);
	tap(e, ok,
	    "fw: rule set swapped 131 times, each verdict the new set's");
}

/* 100,000 prefixes in one named set (2001:db8:100:N::/64 and
 * 2001:db8:200:N::/64): an address in one drops, one outside forwards. */
static void run_big_set(struct env *e)
{
	static struct frame in;
	static __u8 out[OUT_MAX];
	static const char *const dsts[2] = { "2001:db8:100:5::1",
					     "2001:db8:106::5" };
	struct fw_prefix p = { .family = AF_INET6, .plen = 64 };
	struct fw_compiled c;
	struct fw_rule r;
	char err[FW_ERR_MAX];
	bool ok = true;

	p.addr[0] = 0x20;
	p.addr[1] = 0x01;
	p.addr[2] = 0x0d;
	p.addr[3] = 0xb8;
	for (__u32 i = 0; i < 100000 && ok; i++) {
		p.addr[4] = i < 65536 ? 0x01 : 0x02;
		p.addr[5] = 0x00;
		p.addr[6] = (__u8)(i >> 8);
		p.addr[7] = (__u8)i;
		ok = !dp_fw_nset_add(e->dp, NSET_BIG, &p);
	}
	if (!ok)
		diag("loading the set failed\n");
	fw_rule_init(&r);
	r.id = 1;
	strcpy(r.iface, "sl0");
	ok = ok && !fw_rule_set(&r, "dst", "@big", err, sizeof(err));
	r.action = SLUICE_FW_ACT_DROP;
	ok = ok && !fw_compile(&r, 1, SLUICE_FW_ACT_ACCEPT, resolve, NULL, &c,
			       err, sizeof(err));
	ok = ok && !dp_fw_install(e->dp, e->slot[IFX_P0], SLUICE_FW_IN, &c);
	fw_compiled_free(&c);
	for (int k = 0; ok && k < 2; k++) {
		struct pkt_spec s = { .dst = MAC_P0,
				      .src = MAC_H0,
				      .l3 = PKT_L3_IP6,
				      .saddr = H0_6,
				      .daddr = dsts[k],
				      .l4 = IPPROTO_UDP,
				      .sport = 1,
				      .dport = 2 };
		struct dp_test_run t = { .ifindex = e->ifindex[IFX_P0],
					 .repeat = 1,
					 .out = out,
					 .out_size = sizeof(out) };

		ok = !pkt_build(&s, &in) &&
		     !dp_test_run_xdp(e->prog_fd, in.buf, in.len, &t);
		if (ok && t.retval != (k ? XDP_REDIRECT : XDP_DROP)) {
			diag("%s: verdict %u\n", dsts[k], t.retval);
			ok = false;
		}
	}
	uninstall(e);
	ok = !dp_fw_nset_flush(e->dp, NSET_BIG) && ok;
	tap(e, ok,
	    "fw: a 100,000-prefix named set: a hit drops, a miss forwards");
}

/* Rules by conntrack state, with tracking on: an outbound UDP flow is
 * NEW and let out by "state new"; its reply, arriving on P1 where only
 * "state established" is accepted, passes; a flow P1's side opens is
 * NEW there and meets the drop policy; an echo reply nobody asked for
 * is INVALID. */
struct state_step {
	const char *name;
	int ingress;
	struct pkt_spec in;
	int reason;
	__u32 verdict;
};

static bool state_rules(struct env *e)
{
	static const char *const kv[3][8] = {
		{ "proto", "udp", "dport", "53", "state", "new", NULL },
		{ "state", "established,related", NULL },
		{ "state", "invalid", "action", "drop", NULL },
	};
	struct fw_rule r[3];
	struct fw_compiled c;
	char err[FW_ERR_MAX];
	int rc = 0;

	for (int i = 0; i < 3 && !rc; i++) {
		fw_rule_init(&r[i]);
		r[i].id = (__u32)i + 1;
		strcpy(r[i].iface, "sl");
		for (int k = 0; kv[i][k] && !rc; k += 2)
			rc = fw_rule_set(&r[i], kv[i][k], kv[i][k + 1], err,
					 sizeof(err));
	}
	/* P0 in: new DNS out; P1 in: established, invalid dropped, policy
	 * drop */
	rc = rc	   ?:
		     fw_compile(r, 1, SLUICE_FW_ACT_ACCEPT, NULL, NULL, &c, err,
				sizeof(err));
	rc = rc ?: dp_fw_install(e->dp, e->slot[IFX_P0], SLUICE_FW_IN, &c);
	fw_compiled_free(&c);
	rc = rc	   ?:
		     fw_compile(r + 1, 2, SLUICE_FW_ACT_DROP, NULL, NULL, &c,
				err, sizeof(err));
	rc = rc ?: dp_fw_install(e->dp, e->slot[IFX_P1], SLUICE_FW_IN, &c);
	fw_compiled_free(&c);
	if (rc)
		diag("state rules: %s (%s)\n", strerror(-rc), err);
	return !rc;
}

static void run_states(struct env *e)
{
	static const struct state_step steps[] = {
		{ "fw state: an outbound DNS query is new, let out",
		  IFX_P0,
		  { .dst = MAC_P0,
		    .src = MAC_H0,
		    .l3 = PKT_L3_IP4,
		    .saddr = H0_4,
		    .daddr = "198.18.1.7",
		    .l4 = IPPROTO_UDP,
		    .sport = 40001,
		    .dport = 53,
		    .payload = 8 },
		  SLUICE_FWD_REDIRECT,
		  XDP_REDIRECT },
		{ "fw state: its reply is established, accepted on P1",
		  IFX_P1,
		  { .dst = MAC_P1,
		    .src = MAC_H17,
		    .l3 = PKT_L3_IP4,
		    .saddr = "198.18.1.7",
		    .daddr = H0_4,
		    .l4 = IPPROTO_UDP,
		    .sport = 53,
		    .dport = 40001,
		    .payload = 8 },
		  SLUICE_PASS_NO_ROUTE,
		  XDP_PASS },
		{ "fw state: a flow opened from P1's side is new: policy drop",
		  IFX_P1,
		  { .dst = MAC_P1,
		    .src = MAC_H17,
		    .l3 = PKT_L3_IP4,
		    .saddr = "198.18.1.7",
		    .daddr = H0_4,
		    .l4 = IPPROTO_UDP,
		    .sport = 5353,
		    .dport = 9999,
		    .payload = 8 },
		  SLUICE_DROP_FW_POLICY,
		  XDP_DROP },
		{ "fw state: an echo reply of no flow is invalid: dropped by "
		  "rule",
		  IFX_P1,
		  { .dst = MAC_P1,
		    .src = MAC_H17,
		    .l3 = PKT_L3_IP6,
		    .saddr = "2001:db8:1::7",
		    .daddr = H0_6,
		    .l4 = IPPROTO_ICMPV6,
		    .icmp_type = 129,
		    .sport = 7,
		    .dport = 1,
		    .payload = 8 },
		  SLUICE_DROP_FW_RULE,
		  XDP_DROP },
	};
	struct sluice_ct_config cfg;
	static struct frame in;
	static __u8 out[OUT_MAX];
	bool ok;

	dp_ct_default_config(&cfg);
	cfg.enabled = 1;
	ok = !dp_ct_config_set(e->dp, &cfg) && state_rules(e);
	tap(e, ok, "fw state: conntrack on, state rules installed");
	for (size_t i = 0; ok && i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct state_step *st = &steps[i];
		struct dp_test_run t = { .ifindex = e->ifindex[st->ingress],
					 .repeat = 1,
					 .out = out,
					 .out_size = sizeof(out) };
		bool good = !pkt_build(&st->in, &in) &&
			    !snapshot(e, e->before) &&
			    !dp_test_run_xdp(e->prog_fd, in.buf, in.len, &t) &&
			    !snapshot(e, e->after);

		if (good && t.retval != st->verdict) {
			diag("verdict %u, want %u\n", t.retval, st->verdict);
			good = false;
		}
		if (good && !counters_ok(e, e->slot[st->ingress], st->reason,
					 in.len, 1))
			good = false;
		tap(e, good, st->name);
	}
	uninstall(e);
	dp_ct_flush(e->dp, NULL, NULL);
	dp_ct_config_set(e->dp, &(struct sluice_ct_config){ 0 });
}

/* With the DDoS guard on and conntrack off the pipeline takes another
 * program (the guard's tail, then routing): the "in" rules apply there
 * too. */
static void run_ddos_path(struct env *e)
{
	static struct frame in;
	static __u8 out[OUT_MAX];
	struct pkt_spec s = { .dst = MAC_P0,
			      .src = MAC_H0,
			      .l3 = PKT_L3_IP4,
			      .saddr = H0_4,
			      .daddr = "198.19.0.5",
			      .l4 = IPPROTO_UDP,
			      .sport = 40001,
			      .dport = 53,
			      .payload = 8 };
	struct dp_test_run t = { .ifindex = e->ifindex[IFX_P0],
				 .repeat = 1,
				 .out = out,
				 .out_size = sizeof(out) };
	struct dp_ddos_prefix pf = { .family = AF_INET6,
				     .plen = 48,
				     .addr = { 0x20, 0x01, 0x0d, 0xb8, 0xff,
					       0xff } };
	struct sluice_ddos_config c0, c1;
	static struct fw_compiled c; /* freed whether or not compiled */
	struct fw_rule r;
	char err[FW_ERR_MAX];
	bool ok;

	fw_rule_init(&r);
	r.id = 1;
	strcpy(r.iface, "sl0");
	r.action = SLUICE_FW_ACT_DROP;
	/* the guard on: a blocklist entry nobody here sends from */
	ok = !fw_rule_set(&r, "proto", "udp", err, sizeof(err)) &&
	     !dp_ddos_block_add(e->dp, &pf) &&
	     !dp_ddos_config_get(e->dp, &c1) && c1.flags &&
	     !fw_compile(&r, 1, SLUICE_FW_ACT_ACCEPT, NULL, NULL, &c, err,
			 sizeof(err)) &&
	     !dp_fw_install(e->dp, e->slot[IFX_P0], SLUICE_FW_IN, &c);
	fw_compiled_free(&c);
	ok = ok && !pkt_build(&s, &in) && !snapshot(e, e->before) &&
	     !dp_test_run_xdp(e->prog_fd, in.buf, in.len, &t) &&
	     !snapshot(e, e->after);
	if (ok && t.retval != XDP_DROP) {
		diag("verdict %u, want XDP_DROP\n", t.retval);
		ok = false;
	}
	if (ok &&
	    !counters_ok(e, e->slot[IFX_P0], SLUICE_DROP_FW_RULE, in.len, 1))
		ok = false;
	uninstall(e);
	dp_ddos_block_del(e->dp, AF_INET6, pf.addr, pf.plen);
	ok = ok && !dp_ddos_config_get(e->dp, &c0) && !c0.flags;
	tap(e, ok, "fw: the DDoS guard on, conntrack off: an in rule drops");
}

void fw_run_all(struct env *e)
{
	char name[200];

	if (dp_fw_nset_add(e->dp, NSET_BLK,
			   &(struct fw_prefix){ .family = AF_INET,
						.plen = 24,
						.addr = { 198, 18, 0, 0 } })) {
		tap(e, false, "fw: named set blk");
		return;
	}
	for (size_t i = 0; i < fw_n_fixtures; i++)
		tap(e, run_row(e, &fw_fixtures[i], false), fw_fixtures[i].name);
	for (size_t i = 0; i < fw_n_fixtures; i++) {
		snprintf(name, sizeof(name), "tc: %s", fw_fixtures[i].name);
		tap(e, run_row(e, &fw_fixtures[i], true), name);
	}
	run_swap(e);
	run_big_set(e);
	run_states(e);
	run_ddos_path(e);
	fw_run_big(e);
	dp_fw_nset_flush(e->dp, NSET_BLK);
}
