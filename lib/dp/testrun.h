/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One frame through a loaded program with BPF_PROG_TEST_RUN: the one
 * wrapper the BPF tests and the benchmarks share.  The XDP context names
 * the ingress device and the metadata in front of the frame; the skb
 * context (a TC program) names the device.
 */
#ifndef SLUICE_DP_TESTRUN_H
#define SLUICE_DP_TESTRUN_H

#include <linux/types.h>

struct dp_test_run {
	/* what to run */
	__u32 ifindex;	/* XDP: the ingress device; skb: the device */
	__u32 meta;	/* XDP: metadata bytes at the start of @in */
	__u32 repeat;	/* runs in the kernel, one clock */
	__u32 gso_segs; /* skb: a GSO packet of this many segments */
	__u32 gso_size; /* skb: of this much payload each (0: none) */
	__u32 skb_iif;	/* skb: the device it came in by (0: the host's own) */
	void *out;	/* the frame as the program left it */
	__u32 out_size;
	/* what came of it, set whether or not the run succeeded */
	__u32 out_len;
	__u32 retval;	/* the verdict */
	__u32 duration; /* ns per run, as test_run measured it */
};

/* 0 or -errno, what bpf_prog_test_run_opts() said. */
int dp_test_run_xdp(int prog_fd, const void *in, __u32 len,
		    struct dp_test_run *t);
int dp_test_run_skb(int prog_fd, const void *in, __u32 len,
		    struct dp_test_run *t);

#endif
