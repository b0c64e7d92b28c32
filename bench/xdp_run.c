// SPDX-License-Identifier: BSD-2-Clause
/* One BPF_PROG_TEST_RUN of an XDP program, for pktcost's and fibcost's
 * per-call methods: lib/dp's wrapper, with the output kept for the path
 * check. */
#include <stdio.h>
#include <string.h>
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

const char *xdp_verdict_name(__u32 v)
{
	static const char *const n[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS",
					 "XDP_TX", "XDP_REDIRECT" };

	return v < 5 ? n[v] : "XDP_?";
}

/* The first differing bytes, for the log. */
static void show_diff(const __u8 *exp, __u32 elen, const __u8 *got, __u32 glen)
{
	__u32 n = elen < glen ? elen : glen, at = 0;
	char line[200];
	size_t pos = 0;

	while (at < n && exp[at] == got[at])
		at++;
	note("output: %u bytes, expected %u; first difference at byte %u", glen,
	     elen, at);
	at &= ~15u;
	for (__u32 i = at; i < at + 16 && i < elen; i++)
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "%02x ",
					exp[i]);
	note("  expected @%u: %s", at, line);
	pos = 0;
	line[0] = '\0';
	for (__u32 i = at; i < at + 16 && i < glen; i++)
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "%02x ",
					got[i]);
	note("  got      @%u: %s", at, line);
}

/* The path check of one call: it ran, gave @verdict and exactly @exp. */
bool test_res_check(struct fig *f, const struct test_res *r, __u32 verdict,
		    const __u8 *exp, __u32 explen, unsigned long long call)
{
	if (r->err) {
		fig_invalid(f, "call %llu: test_run failed: %s", call,
			    strerror(-r->err));
		return false;
	}
	if (r->retval != verdict) {
		fig_invalid(f, "call %llu: verdict %s, want %s", call,
			    xdp_verdict_name(r->retval),
			    xdp_verdict_name(verdict));
		return false;
	}
	if (r->out_len != explen || memcmp(r->out, exp, explen)) {
		fig_invalid(f,
			    "call %llu: output bytes differ from the "
			    "expected frame",
			    call);
		show_diff(exp, explen, r->out,
			  r->out_len < sizeof(r->out) ? r->out_len :
							(__u32)sizeof(r->out));
		return false;
	}
	return true;
}
