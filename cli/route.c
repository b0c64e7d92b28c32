// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl route: routes in the data path (GET /v1/routes). */
#include <stdio.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] route [show] [PREFIX] [-4|-6]\n"
	"\n"
	"Routes in the data path, as ip route prints them, with the route\n"
	"type in brackets: [forward], [local] (to the stack) or [kernel]\n"
	"(blackhole, unreachable...: the kernel answers).\n"
	"  PREFIX   ADDR or ADDR/LEN, IPv4 or IPv6 (checked before asking)\n"
	"  -4, -6   one address family only\n";

int do_route(int argc, char **argv)
{
	struct cli_query q;
	char err[256];

	if (cli_route_args(argc, argv, &q, err, sizeof(err))) {
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	return cli_show("route", &q, NULL, cli_route_print);
}
