// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl lb: load balancer settings and flow table use (GET /v1/lb). */
#include <stdio.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] lb [show] [-j]\n"
	"\n"
	"The load balancer's outer source prefixes (none: that family is not\n"
	"encapsulated), the idle timeout of a flow, and the flow table's\n"
	"entries and capacity.  sluicectl vip shows the VIPs.\n";

int do_lb(int argc, char **argv)
{
	struct cli_query q;
	char err[256];

	if (cli_lb_args(argc, argv, &q, err, sizeof(err))) {
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	return cli_show("lb", &q, NULL, cli_lb_printer(q.out));
}
