// SPDX-License-Identifier: BSD-2-Clause
/*
 * Hop-by-hop to a VIP (bpf/lib/lb_hbh.h): the XDP entry hands it to the
 * load balancer only where no stage that reads a packet before the LB is
 * configured.  One frame (hop-by-hop, TCP to VIP 2), run bare, with an
 * "in" firewall on its port, with conntrack on, and bare again: balanced,
 * the kernel's (pass_ip_options), the kernel's, balanced.  The lb_fixtures
 * rows check the balanced frame's bytes; these check the gate.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include "dp.h"
#include "dp_ct.h"
#include "dp_fw.h"
#include "fw.h"
#include "names.h"
#include "pktbuild.h"
#include "runner.h"
#include "testrun.h"

/* The verdict of the XDP program for @in. */
static bool hbh_run(struct env *e, const struct frame *in, __u32 want,
		    const char *name)
{
	static __u8 out[OUT_MAX];
	struct dp_test_run t = { .ifindex = e->ifindex[IFX_P0],
				 .repeat = 1,
				 .out = out,
				 .out_size = sizeof(out) };
	int err = dp_test_run_xdp(e->prog_fd, in->buf, in->len, &t);

	if (err)
		diag("test_run: %s\n", strerror(-err));
	else if (t.retval != want)
		diag("verdict %s, want %s\n", xdp_name(t.retval),
		     xdp_name(want));
	tap(e, !err && t.retval == want, name);
	return !err && t.retval == want;
}

/* An "in" rule set on P0 that lets everything through. */
static int fw_in_accept(struct env *e)
{
	struct fw_compiled c;
	char err[FW_ERR_MAX];
	struct fw_rule r;
	int rc;

	fw_rule_init(&r);
	r.id = 1;
	strcpy(r.iface, "sl0");
	fw_rule_set(&r, "proto", "udp", err, sizeof(err));
	fw_rule_set(&r, "dport", "9", err, sizeof(err));
	r.action = SLUICE_FW_ACT_DROP;
	rc = fw_compile(&r, 1, SLUICE_FW_ACT_ACCEPT, NULL, NULL, &c, err,
			sizeof(err));
	if (!rc)
		rc = dp_fw_install(e->dp, e->slot[IFX_P0], SLUICE_FW_IN, &c);
	fw_compiled_free(&c);
	return rc;
}

static int ct_set(struct env *e, int on)
{
	struct sluice_ct_config cfg;

	dp_ct_default_config(&cfg);
	cfg.enabled = on;
	return dp_ct_config_set(e->dp, &cfg);
}

void lb_hbh_run_all(struct env *e)
{
	static struct frame in;
	struct pkt_spec s = { .dst = MAC_P0,
			      .src = MAC_H0,
			      .l3 = PKT_L3_IP6,
			      .saddr = H0_6,
			      .daddr = "2001:db8:100::100",
			      .l4 = IPPROTO_TCP,
			      .sport = 48030,
			      .dport = 80,
			      .payload = 8,
			      .ext = PKT_EXT_HBH };

	if (pkt_build(&s, &in)) {
		tap(e, false, "lb hbh: build the frame");
		return;
	}
	hbh_run(e, &in, XDP_REDIRECT,
		"lb hbh: hop-by-hop to a VIP, nothing else configured: "
		"balanced");
	if (fw_in_accept(e)) {
		tap(e, false, "lb hbh: install an \"in\" firewall on P0");
	} else {
		hbh_run(e, &in, XDP_PASS,
			"lb hbh: with an \"in\" firewall on the port: "
			"pass_ip_options, as before");
		dp_fw_remove(e->dp, e->slot[IFX_P0], SLUICE_FW_IN);
	}
	if (ct_set(e, 1)) {
		tap(e, false, "lb hbh: turn conntrack on");
	} else {
		hbh_run(e, &in, XDP_PASS,
			"lb hbh: with conntrack on: pass_ip_options, as "
			"before");
		ct_set(e, 0);
	}
	hbh_run(e, &in, XDP_REDIRECT,
		"lb hbh: firewall and conntrack off again: balanced");
}
