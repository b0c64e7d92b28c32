// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl backend: a VIP's backends (/v1/vips/ID/backends,
 * docs/lb-api.md). */
#include <stdio.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] backend [show] ID [-j]\n"
	"       sluicectl [OPTIONS] backend add ID ADDR [--weight N] [--state S] [-j]\n"
	"       sluicectl [OPTIONS] backend set ID ADDR [--weight N] [--state S] [-j]\n"
	"       sluicectl [OPTIONS] backend drain ID ADDR [-j]\n"
	"       sluicectl [OPTIONS] backend del ID ADDR [-j]\n"
	"\n"
	"ID is the VIP (198.18.100.1:80/tcp, [2001:db8:100::1]:443/tcp, or its\n"
	"vip_id); ADDR the backend's IPv4 or IPv6 address.\n"
	"  --weight N   1..1000, share of the Maglev table (add: 1)\n"
	"  --state S    active (add: the default), draining (no new flows,\n"
	"               existing flows stay) or down (its flows rehash)\n"
	"  drain        the same as set --state draining\n"
	"  -j           print the daemon's JSON answer\n";

int do_backend(int argc, char **argv)
{
	struct cli_query q;
	char err[512];
	int ret;

	if (cli_backend_args(argc, argv, &q, err, sizeof(err))) {
		cli_query_free(&q);
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	ret = cli_show("backend", &q, NULL, cli_lb_printer(q.out));
	cli_query_free(&q);
	return ret;
}
