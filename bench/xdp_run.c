// SPDX-License-Identifier: BSD-2-Clause
/* One BPF_PROG_TEST_RUN of an XDP program, for pktcost's and fibcost's
 * per-call methods: lib/dp's wrapper, with the output kept for the path
 * check. */
#include "bench.h"
#include "testrun.h"

void test_res_run(int fd, __u32 ifindex, const __u8 *in, __u32 len,
		  __u32 repeat, struct test_res *r)
{
	struct dp_test_run t = { .ifindex = ifindex,
				 .repeat = repeat,
				 .out = r->out,
				 .out_size = sizeof(r->out) };

	r->err = dp_test_run_xdp(fd, in, len, &t);
	r->out_len = t.out_len;
	r->retval = t.retval;
	r->duration = t.duration;
}
