/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The route-lookup figures (sluice-bench --only fib): what fibcost.c
 * (namespace, floor, the single-call method), fibroute.c (route_v4 with 1
 * route and with 1M routes, through lib/dp) and fiblookup.c (LPM trie vs
 * compiled table, bench/fib_lookup.bpf.c) share.
 */
#ifndef SLUICE_BENCH_FIBCOST_H
#define SLUICE_BENCH_FIBCOST_H

#include <stdbool.h>
#include <linux/types.h>
#include "bench.h"

struct dp_floor;

/* Frames of one figure, flows cycled: input and expected output. */
struct fc_frames {
	unsigned int n;
	__u8 (*in)[FRAME_MAX];
	__u32 *inlen;
	__u8 (*exp)[FRAME_MAX];
	__u32 *explen;
};

struct fc_env {
	const struct bench_opts *o;
	unsigned int flows;	 /* distinct frames per figure */
	unsigned long long runs; /* calls per figure and repetition */
	struct dp_floor *floor;
	int fd_pass;
	__u32 ifin, ifout; /* the router's ports (down, never used) */
	unsigned int idle; /* idle veths used so far */
	double pass_batch; /* this repetition's XDP_PASS batch figure */
	bool have_pass_batch;
};

/* The sizes figures are named by: 1, 1k, 100k, 1M. */
const char *fc_size_name(unsigned long n, char *buf, size_t len);

int fc_frames_alloc(struct fc_frames *fr, unsigned int n);
void fc_frames_free(struct fc_frames *fr);

/* Attaches @prog_fd (native XDP) to the next idle veth: a program the
 * kernel's XDP dispatcher knows is called directly by test_run.  Returns
 * the veth's ifindex, for fc_detach_idle(), or -errno. */
int fc_attach_idle(struct fc_env *e, int prog_fd);
/* Attaches @prog_fd to @ifindex, a veth fc_attach_idle() gave before
 * (and fc_detach_idle() freed): 0 or -errno. */
int fc_reattach_idle(int ifindex, int prog_fd);
/* Detaches what fc_attach_idle() attached to @ifindex; <= 0: nothing. */
void fc_detach_idle(int ifindex);

/* XDP_PASS, repeat 254 on one buffer: this repetition's floor, into
 * group "fibcost" xdp_pass and e->pass_batch. */
bool fc_pass_batch(struct fc_env *e);

/*
 * The single method (pktcost.c): repeat 1 per call on a fresh frame, the
 * flow changing every call, each call followed by XDP_PASS on the same
 * frame; *ns = mean(prog) - mean(XDP_PASS) + this repetition's XDP_PASS
 * batch.  Every call: test_run succeeded, @verdict, output = @fr's
 * expected frame.  false (with @f INVALID) when a check failed.
 */
bool fc_single(struct fc_env *e, struct fig *f, int fd, __u32 verdict,
	       const struct fc_frames *fr, double *ns);
void fc_describe_single(struct fig *f);
/* A figure left without a value (its floor failed) is INVALID. */
void fc_measured(struct fig *f);

int fibroute_run(struct fc_env *e);
int fiblookup_run(struct fc_env *e);
/* The firewall stage with 10 and 1,000 rules (fwcost.c). */
int fwcost_run(struct fc_env *e);

#endif
