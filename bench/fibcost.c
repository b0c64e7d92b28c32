// SPDX-License-Identifier: BSD-2-Clause
/*
 * The route-lookup figures (issue P8's goal table): how the per-packet
 * cost of routing depends on the size of the table, and how the compiled
 * table (uapi/sluice/fib.h) compares with the kernel's LPM trie.
 *
 *  - fibroute.c: the real sluice XDP program through lib/dp (LB off at
 *    load time), IPv4, 65536 flows, with a table of 1 route (0.0.0.0/0)
 *    and with 1,000,000 internet-like routes; same frames, so the ratio
 *    is the cost of the table's size alone.
 *  - fiblookup.c: one destination looked up per packet in an LPM trie or
 *    in the compiled table (bench/fib_lookup.bpf.c), IPv4 and IPv6, at
 *    1k, 100k and 1M routes.
 *
 * Both use pktcost.c's single method (every call a fresh frame of another
 * flow, test_run's per-call overhead removed with interleaved XDP_PASS
 * calls) and check every call's verdict and output bytes.  This file: the
 * namespace, the floor and that method.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fibcost.h"
#include "floor.h"
#include "testrun.h"

#define BATCH 254
#define PREEMPTED_NS 50000u /* as pktcost.c: a call preempted, left out */
#define IDLE_VETHS 8

const char *fc_size_name(unsigned long n, char *buf, size_t len)
{
	if (n >= 1000000 && n % 1000000 == 0)
		snprintf(buf, len, "%luM", n / 1000000);
	else if (n >= 1000 && n % 1000 == 0)
		snprintf(buf, len, "%luk", n / 1000);
	else
		snprintf(buf, len, "%lu", n);
	return buf;
}

int fc_frames_alloc(struct fc_frames *fr, unsigned int n)
{
	fr->n = n;
	fr->in = calloc(n, sizeof(*fr->in));
	fr->exp = calloc(n, sizeof(*fr->exp));
	fr->inlen = calloc(n, sizeof(*fr->inlen));
	fr->explen = calloc(n, sizeof(*fr->explen));
	if (fr->in && fr->exp && fr->inlen && fr->explen)
		return 0;
	fc_frames_free(fr);
	return -ENOMEM;
}

void fc_frames_free(struct fc_frames *fr)
{
	free(fr->in);
	free(fr->exp);
	free(fr->inlen);
	free(fr->explen);
	memset(fr, 0, sizeof(*fr));
}

/* ---- namespace ------------------------------------------------------------ */

static int sh(const char *cmd)
{
	if (system(cmd)) {
		note("fibcost: '%s' failed", cmd);
		return -EIO;
	}
	return 0;
}

/* As pktcost.c: a namespace of our own whose devices stay down, so only
 * test_run ever runs the programs. */
static int make_netns(struct fc_env *e)
{
	char cmd[128];
	int err;

	if (unshare(CLONE_NEWNET))
		return -errno;
	err = sh("ip link add b0 type veth peer name b0p") ?:
		      sh("ip link add b1 type veth peer name b1p");
	for (int i = 0; i < IDLE_VETHS && !err; i++) {
		snprintf(cmd, sizeof(cmd),
			 "ip link add fc%d type veth peer name fc%dp", i, i);
		err = sh(cmd);
	}
	if (err)
		return err;
	e->ifin = if_nametoindex("b0");
	e->ifout = if_nametoindex("b1");
	return e->ifin && e->ifout ? 0 : -ENODEV;
}

int fc_attach_idle(struct fc_env *e, int prog_fd)
{
	char name[16];
	int ifindex;

	if (e->idle == IDLE_VETHS)
		return -ENOSPC;
	snprintf(name, sizeof(name), "fc%u", e->idle++);
	ifindex = (int)if_nametoindex(name);
	if (!ifindex)
		return -ENODEV;
	if (bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL))
		return -errno;
	return ifindex;
}

int fc_reattach_idle(int ifindex, int prog_fd)
{
	if (bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL))
		return -errno;
	return 0;
}

void fc_detach_idle(int ifindex)
{
	if (ifindex > 0)
		bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
}

/* ---- the method --------------------------------------------------------------- */

bool fc_pass_batch(struct fc_env *e)
{
	struct fig *f = fig_new("fibcost", "xdp_pass", 1, "ns/packet");
	static const __u8 frame[60] = { 0x02, 0, 0, 0, 0xb0, 0x01 };
	unsigned long long calls = (e->runs + BATCH - 1) / BATCH, sum = 0;
	static struct test_res r;

	snprintf(f->label, sizeof(f->label), "floor: XDP_PASS");
	snprintf(f->method, sizeof(f->method),
		 "batch: repeat %d per call on one buffer, duration of "
		 "test_run",
		 BATCH);
	snprintf(f->check, sizeof(f->check),
		 "every call: XDP_PASS, output = input");
	e->have_pass_batch = false;
	if (f->invalid)
		return false;
	for (unsigned long long c = 0; c < calls; c++) {
		test_res_run(e->fd_pass, e->ifin, frame, sizeof(frame), BATCH,
			     &r);
		if (!test_res_check(f, &r, XDP_PASS, frame, sizeof(frame), c))
			return false;
		sum += (unsigned long long)r.duration * BATCH;
	}
	f->runs = calls * BATCH;
	e->pass_batch = (double)sum / (double)f->runs;
	e->have_pass_batch = true;
	fig_add(f, e->pass_batch);
	return true;
}

void fc_describe_single(struct fig *f)
{
	snprintf(f->method, sizeof(f->method),
		 "single: repeat 1 per call, a fresh frame, flows cycled; "
		 "minus XDP_PASS at repeat 1 (interleaved), plus XDP_PASS "
		 "batch");
}

void fc_measured(struct fig *f)
{
	if (!f->nrep && !f->invalid)
		fig_invalid(f, "not measured: no XDP_PASS floor");
}

bool fc_single(struct fc_env *e, struct fig *f, int fd, __u32 verdict,
	       const struct fc_frames *fr, double *ns)
{
	unsigned long long sum = 0, sum_pass = 0, kept = 0;
	static struct test_res r, rp;

	if (!e->have_pass_batch) {
		fig_invalid(f, "no XDP_PASS floor in this repetition");
		return false;
	}
	for (unsigned long long c = 0; c < e->runs; c++) {
		unsigned int i = (unsigned int)(c % fr->n);

		test_res_run(fd, e->ifin, fr->in[i], fr->inlen[i], 1, &r);
		if (!test_res_check(f, &r, verdict, fr->exp[i], fr->explen[i],
				    c))
			return false;
		test_res_run(e->fd_pass, e->ifin, fr->in[i], fr->inlen[i], 1,
			     &rp);
		if (!test_res_check(f, &rp, XDP_PASS, fr->in[i], fr->inlen[i],
				    c))
			return false;
		if (r.duration > PREEMPTED_NS || rp.duration > PREEMPTED_NS) {
			f->dropped++;
			continue;
		}
		sum += r.duration;
		sum_pass += rp.duration;
		kept++;
	}
	f->runs = e->runs;
	if (!kept) {
		fig_invalid(f, "every call was interrupted");
		return false;
	}
	*ns = ((double)sum - (double)sum_pass) / (double)kept + e->pass_batch;
	return true;
}

/* ---- entry ------------------------------------------------------------------- */

int fibcost_run(const struct bench_opts *o)
{
	static struct fc_env e;
	int err, idle_pass;

	e = (struct fc_env){ .o = o };
	e.flows = o->smoke ? 1024 : 65536;
	e.runs = o->runs < 4ull * e.flows ? o->runs : 4ull * e.flows;
	err = make_netns(&e);
	if (err) {
		note("fibcost: cannot make the namespace: %s", strerror(-err));
		return err;
	}
	e.floor = dp_floor_open();
	if (!e.floor) {
		err = -errno;
		note("fibcost: cannot load xdp_floor: %s", strerror(-err));
		return err;
	}
	e.fd_pass = dp_floor_pass_fd(e.floor);
	idle_pass = fc_attach_idle(&e, e.fd_pass);
	if (idle_pass < 0) {
		err = idle_pass;
		note("fibcost: attaching XDP_PASS: %s", strerror(-err));
		goto out;
	}
	note("fibcost: %u repetition(s), %llu calls per figure over %u "
	     "flows",
	     o->reps, e.runs, e.flows);
	err = fibroute_run(&e);
	err = fiblookup_run(&e) ?: err;
	err = fwcost_run(&e) ?: err;
	if (fig_find("fibcost", "xdp_pass", 1))
		fig_tap(fig_find("fibcost", "xdp_pass", 1),
			"floor (path checked)");
out:
	fc_detach_idle(idle_pass);
	dp_floor_close(e.floor);
	return err;
}
