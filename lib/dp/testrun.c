// SPDX-License-Identifier: BSD-2-Clause
/* BPF_PROG_TEST_RUN for the tests and the benchmarks (testrun.h). */
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "testrun.h"

static int run(int prog_fd, const void *in, __u32 len, const void *ctx,
	       __u32 ctx_size, struct dp_test_run *t)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len,
		    .data_out = t->out, .data_size_out = t->out_size,
		    .ctx_in = ctx, .ctx_size_in = ctx_size,
		    .repeat = t->repeat);
	int err = bpf_prog_test_run_opts(prog_fd, &o);

	t->out_len = o.data_size_out;
	t->retval = o.retval;
	t->duration = o.duration;
	return err;
}

int dp_test_run_xdp(int prog_fd, const void *in, __u32 len,
		    struct dp_test_run *t)
{
	struct xdp_md ctx = {
		.data = t->meta,
		.data_end = len,
		.ingress_ifindex = t->ifindex,
	};

	return run(prog_fd, in, len, &ctx, sizeof(ctx), t);
}

int dp_test_run_skb(int prog_fd, const void *in, __u32 len,
		    struct dp_test_run *t)
{
	struct __sk_buff ctx = { .ifindex = t->ifindex,
				 .ingress_ifindex = t->skb_iif,
				 .gso_segs = t->gso_segs,
				 .gso_size = t->gso_size };

	return run(prog_fd, in, len, &ctx, sizeof(ctx), t);
}
