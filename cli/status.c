// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl status: the daemon summary (GET /v1/status). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include "cli.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char usage[] =
	"Usage: sluicectl [OPTIONS] status [show] [-j]\n"
	"\n"
	"What sluiced runs with and how much it has programmed: version,\n"
	"uptime, pin directory, XDP mode, and the number of interfaces,\n"
	"routes, next-hop groups and neighbours in the data path.\n";

int cli_status_args(int argc, char **argv, struct cli_query *q, char *err,
		    size_t errlen)
{
	int i;

	cli_query_init(q, "/v1/status");
	i = cli_parse_verb(argc, argv, q);
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		return cli_bad_arg("status", argv[i], i == 0, err, errlen);
	}
	return 0;
}

static const struct field status_fields[] = {
	{ "version", "version", F_TEXT },
	{ "uptime_s", "uptime", F_DURATION },
	{ "pin_dir", "pin dir", F_TEXT },
	{ "maps_reused", "maps reused", F_BOOL },
	{ "xdp_mode", "xdp mode", F_TEXT },
	{ "interfaces", "interfaces", F_TEXT },
	{ "routes_v4", "IPv4 routes", F_TEXT },
	{ "routes_v6", "IPv6 routes", F_TEXT },
	{ "nexthop_groups", "nexthop groups", F_TEXT },
	{ "neighbors", "neighbors", F_TEXT },
	{ "netlink_events", "netlink events", F_TEXT },
	{ "netlink_resyncs", "netlink resyncs", F_TEXT },
	{ "route_errors", "route errors", F_TEXT },
	{ "netlink_overruns", "netlink overruns", F_TEXT },
	{ "netlink_resyncs_coalesced", "resyncs coalesced", F_TEXT },
	{ "neigh_errors", "neighbour errors", F_TEXT },
	{ "onlink_resolutions", "on-link resolutions", F_TEXT },
	{ "onlink_left_to_owner", "on-link left to owner", F_TEXT },
	{ "onlink_errors", "on-link errors", F_TEXT },
	{ "routes_left_to_kernel", "routes left to kernel", F_TEXT },
	/* from the fib object (fib_lines()) */
	{ "fib_v4_groups", "IPv4 table groups", F_TEXT },
	{ "fib_v6_groups", "IPv6 table groups", F_TEXT },
	{ "fib_v6_index", "IPv6 /48 index slots", F_TEXT },
};

/* The compiled table's group use against its maximum, as lines of their
 * own ("N of MAX"): the fib object holds them as numbers. */
static void fib_lines(json_object *doc)
{
	json_object *fib;
	char buf[64];

	if (!json_object_object_get_ex(doc, "fib", &fib) ||
	    !json_object_is_type(fib, json_type_object))
		return;
	snprintf(buf, sizeof(buf), "%" PRIu64 " of %" PRIu64,
		 ju64(fib, "v4_groups"), ju64(fib, "v4_groups_max"));
	json_object_object_add(doc, "fib_v4_groups",
			       json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "%" PRIu64 " of %" PRIu64,
		 ju64(fib, "v6_groups"), ju64(fib, "v6_groups_max"));
	json_object_object_add(doc, "fib_v6_groups",
			       json_object_new_string(buf));
	if (!json_object_object_get_ex(fib, "v6_index_slots_max", NULL))
		return; /* a sluiced from before the index */
	if (!ju64(fib, "v6_index_slots_max"))
		snprintf(buf, sizeof(buf), "off (fib.v6_index_slots 0)");
	else
		snprintf(buf, sizeof(buf), "%" PRIu64 " of %" PRIu64,
			 ju64(fib, "v6_index_slots"),
			 ju64(fib, "v6_index_slots_max"));
	json_object_object_add(doc, "fib_v6_index",
			       json_object_new_string(buf));
}

int cli_status_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	if (!json_object_is_type(doc, json_type_object)) {
		snprintf(err, errlen,
			 "unexpected response from sluiced: not an object");
		return -EPROTO;
	}
	fib_lines(doc);
	return fields_print(doc, status_fields, ARRAY_SIZE(status_fields), out,
			    err, errlen);
}

int do_status(int argc, char **argv)
{
	struct cli_query q;
	char err[256];

	if (cli_status_args(argc, argv, &q, err, sizeof(err))) {
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	return cli_show("status", &q, NULL, cli_status_print);
}
