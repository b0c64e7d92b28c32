// SPDX-License-Identifier: BSD-2-Clause
/*
 * The netlink translation: raw rtnetlink messages (links, routes,
 * neighbours, nexthop objects) through nl_dispatch() into a router state
 * over a data path that accepts every write (fake_dp.h), as the event
 * socket's messages go.  The input is a buffer of messages as recv()
 * returns it, cut into messages as mnl_cb_run() does in sluiced, except
 * that a length of 2 GiB or more ends the walk: libmnl's mnl_nlmsg_ok()
 * compares (int)nlmsg_len and would step outside the buffer (the kernel
 * never sends one; this target is about sluiced's parsing, not libmnl's).  Whatever the state learnt is then read back the way the
 * API shows it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include "api.h"
#include "config.h"
#include "fake_dp.h"
#include "fuzz.h"
#include "netlink.h"
#include "nl.h"
#include "state.h"

/* The byte before the messages picks which interfaces are managed (as the
 * config file's "interfaces"), so that link events about them count. */
static const char *const names[] = { "veth0", "veth1", "eth0", "lo" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sluiced_config cfg;
	struct state st;
	struct api_query q = {};
	struct api_ctx ctx = { .st = &st, .cfg = &cfg };
	const struct nlmsghdr *nlh;
	const char *ctype;
	unsigned int status;
	char err[256];
	struct dp *dp;
	void *buf;
	int len;

	if (!size || size > 1 << 16)
		return 0;
	config_init(&cfg);
	for (unsigned int i = 0; i < 4; i++)
		if (data[0] & 1u << i)
			config_add_iface(&cfg, names[i], err, sizeof(err));
	data++;
	size--;
	/* aligned, as a receive buffer is, and exactly the size read */
	buf = malloc(size ? size : 1);
	dp = fuzz_dp_new();
	if (!buf || !dp || state_init(&st, dp, &fuzz_state_ops, &cfg))
		abort();
	memcpy(buf, data, size);
	len = (int)size;
	for (nlh = buf; mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= INT32_MAX;
	     nlh = mnl_nlmsg_next(nlh, &len))
		nl_dispatch(nlh, &st);
	state_resync_done(&st);
	for (unsigned int i = 0; i < 3; i++) {
		static const char *const views[] = { "/v1/routes",
						     "/v1/neighbors",
						     "/v1/interfaces" };
		char *answer =
			api_render(&ctx, "GET", views[i], &q, &status, &ctype);

		/* FUZZ_NETLINK_VERBOSE=1: what the state learnt */
		if (getenv("FUZZ_NETLINK_VERBOSE"))
			fprintf(stderr, "%s: %s\n", views[i], answer);
		free(answer);
	}
	state_free(&st);
	fuzz_dp_free(dp);
	free(buf);
	config_free(&cfg);
	return 0;
}
