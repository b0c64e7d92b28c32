// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl neigh: neighbours in the data path (GET /v1/neighbors). */
#include <stdio.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] neigh [show] [dev IFNAME]\n"
	"\n"
	"Neighbours (ARP/ND entries) the data path rewrites packets with.\n"
	"  dev IFNAME   only those on this interface\n";

int do_neigh(int argc, char **argv)
{
	struct cli_query q;
	char err[256];

	if (cli_neigh_args(argc, argv, &q, err, sizeof(err))) {
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	return cli_show("neigh", &q, NULL, cli_neigh_print);
}
