// SPDX-License-Identifier: BSD-2-Clause
/*
 * The firewall's per-packet cost (docs/firewall.md): the real sluice XDP
 * program through lib/dp (LB off at load time), IPv4 UDP from 198.18.0.2
 * to 65536 destinations in 198.19.0.0/16, routed out of the second port,
 * with on the ingress port:
 *  - no rule set (the stage is one array lookup);
 *  - 10 rules: 9 that differ by source address and port and do not match,
 *    then "udp dport 53 accept" (the last bit of the bitmap);
 *  - 10,000 rules (the cap is 16,384): 9,999 such, then the same accept;
 *  - a 100,000-prefix named set: "src @big drop" (the client is not in
 *    it), then the accept.
 * The policy is drop, so a packet no rule accepts is dropped and fails
 * the path check.  Every call: XDP_REDIRECT and the routed frame built
 * here; every figure: fwd_redirect grew by the runs and nothing else did,
 * and the accepting rule's counter grew by the runs (the firewall ran and
 * picked that rule).  The rule sets are swapped in (dp_fw_install) before
 * each figure.  Measured by fibcost.c's single method, next to its
 * XDP_PASS floor.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include "dp.h"
#include "dp_fw.h"
#include "fibcost.h"
#include "fw.h"

#define SLOT_IN 1
#define SLOT_OUT 2
#define N_SLOTS 3
#define ACCEPT_ID 4000 /* the accepting rule's id, whatever the set */
#define NSET_BIG 1

static const __u8 mac_client[6] = { 0x02, 0, 0, 0, 0xb0, 0x02 };
static const __u8 mac_in[6] = { 0x02, 0, 0, 0, 0xb0, 0x01 };
static const __u8 mac_out[6] = { 0x02, 0, 0, 0, 0xb1, 0x01 };
static const __u8 mac_gw[6] = { 0x02, 0, 0, 0, 0xb1, 0x02 };
static const __u8 gw[4] = { 198, 18, 1, 2 };

typedef struct sluice_counter counters_t[N_SLOTS][SLUICE_REASON_SLOTS];

enum { FWC_NONE, FWC_10, FWC_10000, FWC_SET, FWC_N };

static const char *const fwc_names[FWC_N] = { "fw_none_v4", "fw_10_v4",
					      "fw_10000_v4", "fw_set100k_v4" };
static const char *const fwc_labels[FWC_N] = {
	"route IPv4 through the firewall stage, no rule set",
	"firewall: 10 rules (address, port), the 10th accepts",
	"firewall: 10,000 rules (address, port), the 10,000th accepts",
	"firewall: src @set of 100,000 prefixes (no hit), then accept",
};

struct fwc {
	struct dp *dp;
	struct fw_compiled c[FWC_N];
	struct fig *fig[FWC_N];
	counters_t before, after;
	struct sluice_counter rb, ra;
};

static int open_dp(struct fc_env *e, struct dp **out)
{
	struct sluice_iface in = { .mtu = 1500, .slot = SLOT_IN };
	struct sluice_iface o = { .mtu = 1500, .slot = SLOT_OUT };
	struct sluice_nhg g = { .count = 1 };
	struct sluice_neigh_key nk = { .ifindex = e->ifout, .family = AF_INET };
	struct sluice_neigh nv = { 0 };
	struct sluice_route r = { .type = SLUICE_RT_FORWARD, .nhg_id = 1 };
	static const __u8 net[4] = { 198, 19, 0, 0 };
	struct dp *dp = NULL;
	int err;

	err = dp_open(&dp, &(struct dp_opts){ .lb_disabled = true,
					      .fib4_groups = 64,
					      .fib6_groups = 16 });
	if (err)
		return err;
	memcpy(in.mac, mac_in, 6);
	memcpy(o.mac, mac_out, 6);
	g.nh[0] = (struct sluice_nh){ .ifindex = e->ifout, .family = AF_INET };
	memcpy(g.nh[0].gw, gw, 4);
	memcpy(nk.addr, gw, 4);
	memcpy(nv.mac, mac_gw, 6);
	err = dp_iface_set(dp, e->ifin, &in)	     ?:
		      dp_iface_set(dp, e->ifout, &o) ?:
		      dp_port_set(dp, e->ifin)	     ?:
		      dp_port_set(dp, e->ifout)	     ?:
		      dp_nhg_set(dp, 1, &g)	     ?:
		      dp_neigh_set(dp, &nk, &nv)     ?:
		      dp_route_set(dp, AF_INET, net, 16, &r);
	if (err) {
		dp_close(dp);
		return err;
	}
	*out = dp;
	return 0;
}

static int resolve(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "big") ? -ENOENT : NSET_BIG;
}

/* @n rules: n - 1 that do not match (a /32 of 198.18.100.0 and up, a
 * port of 1000 and up, drop), then udp dport 53 accept. */
static int rules_of(unsigned int n, bool set, struct fw_compiled *c)
{
	struct fw_rule *r = calloc(n, sizeof(*r));
	char err[FW_ERR_MAX], v[64];
	int rc = r ? 0 : -ENOMEM;

	for (unsigned int i = 0; !rc && i < n; i++) {
		fw_rule_init(&r[i]);
		r[i].id = i + 1;
		strcpy(r[i].iface, "b0");
		rc = fw_rule_set(&r[i], "proto", "udp", err, sizeof(err));
		if (rc)
			break;
		if (i == n - 1) {
			r[i].id = ACCEPT_ID;
			r[i].dport = (struct fw_range){ 53, 53 };
			break;
		}
		r[i].action = SLUICE_FW_ACT_DROP;
		if (set) {
			rc = fw_rule_set(&r[i], "src", "@big", err,
					 sizeof(err));
			continue;
		}
		snprintf(v, sizeof(v), "198.18.%u.%u/32", 100 + i / 256,
			 i % 256);
		rc = fw_rule_set(&r[i], "src", v, err, sizeof(err));
		r[i].dport = (struct fw_range){ (__u16)(1000 + i),
						(__u16)(1000 + i) };
	}
	if (!rc)
		rc = fw_compile(r, n, SLUICE_FW_ACT_DROP, resolve, NULL, c, err,
				sizeof(err));
	if (rc)
		note("fwcost: compiling %u rules: %s", n, err);
	free(r);
	return rc;
}

/* 100,000 prefixes, none holding 198.18.0.2: the /32s of 198.19.0.0/16
 * and of 198.18.128.0/17, then IPv6 /64s. */
static int load_set(struct dp *dp)
{
	struct fw_prefix p = { .family = AF_INET, .plen = 32 };
	int err = 0;

	for (unsigned int i = 0; i < 100000 && !err; i++) {
		if (i < 98304) {
			__u32 a = i < 65536 ? 0xc6130000u + i :
					      0xc6128000u + (i - 65536);

			p.addr[0] = (__u8)(a >> 24);
			p.addr[1] = (__u8)(a >> 16);
			p.addr[2] = (__u8)(a >> 8);
			p.addr[3] = (__u8)a;
		} else {
			p = (struct fw_prefix){
				.family = AF_INET6,
				.plen = 64,
				.addr = { 0x20, 0x01, 0x0d, 0xb8, 0x10, 0,
					  (__u8)(i >> 8), (__u8)i }
			};
		}
		err = dp_fw_nset_add(dp, NSET_BIG, &p);
	}
	return err;
}

static int frames(struct fc_env *e, struct fc_frames *fr)
{
	struct flow f = { .family = AF_INET,
			  .proto = IPPROTO_UDP,
			  .ttl = 64,
			  .payload = 18,
			  .dport = 53,
			  .saddr = { 198, 18, 0, 2 },
			  .daddr = { 198, 19, 0, 0 } };
	int len;

	memcpy(f.dmac, mac_in, 6);
	memcpy(f.smac, mac_client, 6);
	for (unsigned int i = 0; i < e->flows; i++) {
		f.daddr[2] = (__u8)(i >> 8);
		f.daddr[3] = (__u8)i;
		f.sport = (__u16)(1024 + i % 50000);
		len = frame_build(&f, fr->in[i], FRAME_MAX);
		if (len < 0)
			return len;
		fr->inlen[i] = (__u32)len;
		len = frame_routed(&f, 1, mac_gw, mac_out, fr->exp[i],
				   FRAME_MAX);
		if (len < 0)
			return len;
		fr->explen[i] = (__u32)len;
	}
	return 0;
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

static bool counters_ok(struct fwc *w, struct fig *f, int k,
			unsigned long long runs, __u32 len)
{
	__u64 hits = w->ra.packets - w->rb.packets;

	for (__u32 s = 0; s < N_SLOTS; s++) {
		for (int r = 0; r < SLUICE_REASON_SLOTS; r++) {
			bool mine = s == SLOT_IN && r == SLUICE_FWD_REDIRECT;
			__u64 dp = w->after[s][r].packets -
				   w->before[s][r].packets;
			__u64 db = w->after[s][r].bytes - w->before[s][r].bytes;

			if (dp == (mine ? runs : 0) &&
			    db == (mine ? runs * len : 0))
				continue;
			fig_invalid(f, "counter slot %u %s: +%llu, want +%llu",
				    s, dp_reason_name((unsigned)r),
				    (unsigned long long)dp, mine ? runs : 0ull);
			return false;
		}
	}
	if (hits != (k == FWC_NONE ? 0 : runs)) {
		fig_invalid(f, "the accepting rule counted %llu, want %llu",
			    (unsigned long long)hits,
			    k == FWC_NONE ? 0ull : runs);
		return false;
	}
	return true;
}

static bool measure(struct fc_env *e, struct fwc *w, int k,
		    const struct fc_frames *fr)
{
	struct fig *f = w->fig[k];
	double ns;
	int err;

	if (f->invalid)
		return false;
	err = k == FWC_NONE ?
		      dp_fw_remove(w->dp, SLOT_IN, SLUICE_FW_IN) :
		      dp_fw_install(w->dp, SLOT_IN, SLUICE_FW_IN, &w->c[k]);
	if (err || snapshot(w->dp, w->before) ||
	    dp_fw_counter_read(w->dp, ACCEPT_ID, &w->rb)) {
		fig_invalid(f, "install or counters: %s", strerror(-err));
		return false;
	}
	if (!fc_single(e, f, dp_xdp_prog_fd(w->dp), XDP_REDIRECT, fr, &ns))
		return false;
	if (snapshot(w->dp, w->after) ||
	    dp_fw_counter_read(w->dp, ACCEPT_ID, &w->ra)) {
		fig_invalid(f, "cannot read the counters");
		return false;
	}
	if (!counters_ok(w, f, k, f->runs, fr->inlen[0]))
		return false;
	fig_add(f, ns);
	return true;
}

int fwcost_run(struct fc_env *e)
{
	static struct fwc w;
	struct fc_frames fr = { 0 };
	struct fig *ratio;
	int idle = 0, err;

	memset(&w, 0, sizeof(w));
	err = fc_frames_alloc(&fr, e->flows) ?: frames(e, &fr);
	err = err ?: open_dp(e, &w.dp);
	err = err ?: rules_of(10, false, &w.c[FWC_10]);
	err = err ?: rules_of(10000, false, &w.c[FWC_10000]);
	err = err ?: rules_of(2, true, &w.c[FWC_SET]);
	err = err ?: load_set(w.dp);
	if (err) {
		note("fwcost: setup: %s", strerror(-err));
		goto out;
	}
	idle = fc_attach_idle(e, dp_xdp_prog_fd(w.dp));
	if (idle < 0) {
		err = idle;
		note("fwcost: attaching to an idle veth: %s", strerror(-err));
		goto out;
	}
	for (int k = 0; k < FWC_N; k++) {
		w.fig[k] =
			fig_new("fwcost", fwc_names[k], e->flows, "ns/packet");
		snprintf(w.fig[k]->label, sizeof(w.fig[k]->label), "%s",
			 fwc_labels[k]);
		fc_describe_single(w.fig[k]);
		snprintf(w.fig[k]->check, sizeof(w.fig[k]->check),
			 "every call: XDP_REDIRECT, routed frame built here; "
			 "per figure: fwd_redirect +runs, nothing else; the "
			 "accepting rule's counter +runs");
	}
	ratio = fig_new("fwcost", "fw_10000_vs_10", e->flows, "ratio");
	snprintf(ratio->label, sizeof(ratio->label),
		 "fw_10000_v4 / fw_10_v4, per repetition");
	snprintf(ratio->method, sizeof(ratio->method),
		 "the two figures of one repetition, measured back to back");
	for (unsigned int rep = 0; rep < e->o->reps; rep++) {
		bool ok = fc_pass_batch(e);
		double a, b;

		for (int k = 0; k < FWC_N && ok; k++)
			ok = measure(e, &w, k, &fr);
		if (!ok) {
			fig_invalid(ratio, "a figure is INVALID");
			break;
		}
		a = w.fig[FWC_10000]->rep[w.fig[FWC_10000]->nrep - 1];
		b = w.fig[FWC_10]->rep[w.fig[FWC_10]->nrep - 1];
		fig_add(ratio, a / b);
	}
	for (int k = 0; k < FWC_N; k++) {
		fc_measured(w.fig[k]);
		fig_tap(w.fig[k], "path check");
	}
	fc_measured(ratio);
	fig_tap(ratio, "figure (both path-checked)");
out:
	fc_detach_idle(idle);
	for (int k = 0; k < FWC_N; k++)
		fw_compiled_free(&w.c[k]);
	dp_close(w.dp);
	fc_frames_free(&fr);
	return err;
}
