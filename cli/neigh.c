// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl neigh: neighbours in the data path (GET /v1/neighbors). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] neigh [show] [dev IFNAME] [--limit N] [--cursor C | --all] [-j]\n"
	"\n"
	"Neighbours (ARP/ND entries) the data path rewrites packets with,\n"
	"IPv4 first, by address, a page at a time.\n"
	"  dev IFNAME   only those on this interface\n"
	"  --limit N    neighbours a page, 1..10000 (1000); --cursor C goes\n"
	"               on from the 'next' the previous page printed\n"
	"  --all        every page, in one table (--limit N a request)\n";

/* a page's 'next' is ADDRESS,IFINDEX */
static const char *cursor_bad(const char *c)
{
	const char *comma = strrchr(c, ',');
	char addr[64];
	uint32_t ifindex;
	int fam;

	if (!comma || (size_t)(comma - c) >= sizeof(addr))
		goto bad;
	memcpy(addr, c, (size_t)(comma - c));
	addr[comma - c] = '\0';
	if (strchr(addr, '/') || cli_prefix_parse(addr, &fam) ||
	    cli_parse_u32(comma + 1, 1, 2147483647u, &ifindex))
		goto bad;
	return NULL;
bad:
	return "is not a cursor (the 'next' of the previous page: "
	       "ADDRESS,IFINDEX)";
}

int cli_neigh_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen)
{
	struct cli_page_opts pg = { .max = 10000,
				    .cursor_bad = cursor_bad,
				    .key = "neighbors",
				    .merge = true };
	const char *dev = NULL;
	int i, verb, r;

	cli_query_init(q, "/v1/neighbors");
	verb = i = cli_parse_verb(argc, argv, q);
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		r = cli_parse_dev("neigh", argc, argv, &i, &dev, err, errlen);
		if (!r)
			r = cli_parse_page("neigh", argc, argv, &i, &pg, err,
					   errlen);
		if (r < 0)
			return r;
		if (!r)
			return cli_bad_arg("neigh", argv[i], !verb && i == 0,
					   err, errlen);
	}
	if (dev && cli_query_add(q, "dev", dev))
		return cli_too_long("neigh", err, errlen);
	return cli_page_query("neigh", &pg, q, err, errlen);
}

int cli_neigh_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "ADDRESS", "DEV", "MAC", "STATE" };
	struct table t = { .ncols = 4, .head = head };
	json_object *a = fmt_top_array(doc, "neighbors", err, errlen);
	const char *next;
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i), *prog;
		const char *mac = jstr(e, "mac"), *state = jstr(e, "state");
		char buf[64];

		/* one the full map refused: its traffic goes to the kernel */
		if (json_object_object_get_ex(e, "programmed", &prog) &&
		    !json_object_get_boolean(prog)) {
			snprintf(buf, sizeof(buf), "%s [not in map]",
				 str_empty(state) ? "-" : state);
			state = buf;
		}
		r = table_add(&t, jstr(e, "address"), jstr(e, "dev"),
			      str_empty(mac) ? NULL : mac, state);
	}
	if (!r)
		table_print(&t, out);
	table_free(&t);
	next = jstr(doc, "next");
	if (!r && !str_empty(next))
		fprintf(out, "more: --cursor %s\n", next);
	return r ? fmt_nomem(err, errlen) : 0;
}

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
