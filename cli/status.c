// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl status: the daemon summary (GET /v1/status). */
#include <stdio.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] status [show]\n"
	"\n"
	"What sluiced runs with and how much it has programmed: version,\n"
	"uptime, pin directory, XDP mode, and the number of interfaces,\n"
	"routes, next-hop groups and neighbours in the data path.\n";

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
