// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl iface: managed interfaces (GET /v1/interfaces). */
#include <stdio.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] iface [show] [[dev] NAME]\n"
	"\n"
	"Interfaces sluiced manages: XDP state (attached, absent, error) and\n"
	"mode (native, generic), counter slot, MTU, MAC, VLAN parent.\n"
	"NAME shows one interface and fails if sluiced does not manage it.\n";

/* The API lists every interface; NAME picks one here. */
static int filter(json_object *doc, const struct cli_query *q, char *err,
		  size_t errlen)
{
	return cli_iface_filter(doc, q->name, err, errlen);
}

int do_iface(int argc, char **argv)
{
	struct cli_query q;
	char err[256];

	if (cli_iface_args(argc, argv, &q, err, sizeof(err))) {
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	return cli_show("iface", &q, filter, cli_iface_print);
}
