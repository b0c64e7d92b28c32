// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl vip: load-balanced services (/v1/vips, docs/lb-api.md). */
#include <stdio.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] vip [show] [ID] [-j]\n"
	"       sluicectl [OPTIONS] vip add ADDR:PORT/PROTO [--encap ipip|gre]\n"
	"                 [--hash 5tuple|src] [--ring-size M] [--health none|tcp|http]\n"
	"                 [--health-path P] [--health-port N] [--interval MS]\n"
	"                 [--timeout MS] [--rise N] [--fall N] [-j]\n"
	"       sluicectl [OPTIONS] vip del ID [-j]\n"
	"\n"
	"A VIP is an address, a port and a protocol: 198.18.100.1:80/tcp,\n"
	"[2001:db8:100::1]:443/tcp; port 0 means every port.  ID is that, or\n"
	"the numeric vip_id (1..255) the daemon gave it.\n"
	"  --encap        ipip (default) or gre\n"
	"  --hash         5tuple (default) or src (source-address affinity)\n"
	"  --ring-size    Maglev table size M, a prime 3..655373 (65537)\n"
	"  --health       none, tcp or http backend checks (default: tcp for\n"
	"                 a tcp VIP, none for a udp VIP; a udp service seldom\n"
	"                 answers TCP on its own port: give --health-port)\n"
	"  --health-path  the http check's path (/)\n"
	"  --health-port  the port checked (0 = the VIP port; required for a\n"
	"                 port-0 VIP that is checked)\n"
	"  --interval, --timeout   check period and timeout in ms (1000, 500)\n"
	"  --rise, --fall checks in a row that mark a backend up / down (2, 3)\n"
	"Options the command leaves out take the daemon's defaults; a health\n"
	"option without --health means --health tcp.\n"
	"  -j             print the daemon's JSON answer\n";

int do_vip(int argc, char **argv)
{
	struct cli_query q;
	char err[512];
	int ret;

	if (cli_vip_args(argc, argv, &q, err, sizeof(err))) {
		cli_query_free(&q);
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	ret = cli_show("vip", &q, NULL, cli_lb_printer(q.out));
	cli_query_free(&q);
	return ret;
}
