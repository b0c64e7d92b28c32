// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl stats: packet counters per interface and reason (GET /v1/stats). */
#include <stdio.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] stats [show] [dev IFNAME] [-a]\n"
	"\n"
	"Packets and bytes per interface and reason, with the verdict class\n"
	"of each reason (forward, pass to the kernel, drop), and a total\n"
	"over all interfaces when there are several.\n"
	"  dev IFNAME   one interface\n"
	"  -a, --all    every reason, also those that counted nothing\n";

/* Zero counters go before printing, so -j shows the same rows. */
static int filter(json_object *doc, const struct cli_query *q, char *err,
		  size_t errlen)
{
	return cli_stats_filter(doc, q->all, err, errlen);
}

int do_stats(int argc, char **argv)
{
	struct cli_query q;
	char err[256];

	if (cli_stats_args(argc, argv, &q, err, sizeof(err))) {
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	return cli_show("stats", &q, filter, cli_stats_print);
}
