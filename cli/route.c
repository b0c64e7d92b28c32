// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl route: routes in the data path (GET /v1/routes). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] route [show] [PREFIX] [-4|-6] [--limit N] [--cursor C | --all] [-j]\n"
	"\n"
	"Routes in the data path, as ip route prints them, with the route\n"
	"type in brackets: [forward], [local] (to the stack) or [kernel]\n"
	"(blackhole, unreachable...: the kernel answers).  In prefix order, a\n"
	"page at a time: a full table is a million routes.\n"
	"  PREFIX       ADDR/LEN: the routes inside it; ADDR: the one route\n"
	"               ADDR takes (IPv4 or IPv6, checked before asking)\n"
	"  -4, -6       one address family only\n"
	"  --limit N    routes a page, 1..10000 (1000); --cursor C goes on\n"
	"               from the 'next' the previous page printed\n"
	"  --all        every page, as ip route prints the whole table\n"
	"               (--limit N routes a request)\n";

/* a page's 'next' is a prefix as sluiced prints it */
static const char *cursor_bad(const char *c)
{
	int fam;

	if (!strchr(c, '/') || cli_prefix_parse(c, &fam))
		return "is not a cursor (the 'next' of the previous page: a "
		       "prefix)";
	/* 198.18.0.1/24 would sort after 198.18.0.0/25 and skip it */
	if (!cli_prefix_is_network(c))
		return "has host bits set past its length (a page's 'next' "
		       "has none)";
	return NULL;
}

int cli_route_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen)
{
	struct cli_page_opts pg = { .max = 10000,
				    .cursor_bad = cursor_bad,
				    .key = "routes" };
	const char *prefix = NULL;
	int family = 0, pfam = 0, i, verb;

	cli_query_init(q, "/v1/routes");
	verb = i = cli_parse_verb(argc, argv, q);
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		const char *a = argv[i];
		int r = cli_parse_page("route", argc, argv, &i, &pg, err,
				       errlen);

		if (r < 0)
			return r;
		if (r)
			continue;
		if (cli_is_json_opt(a)) {
			q->json = true;
		} else if (!strcmp(a, "-4") || !strcmp(a, "-6")) {
			int f = a[1] - '0';

			if (family && family != f)
				return cli_fail(
					err, errlen,
					"route: -4 and -6 exclude each other");
			family = f;
		} else if (a[0] == '-' && a[1]) {
			return cli_bad_arg("route", a, false, err, errlen);
		} else if (prefix) {
			return cli_fail(
				err, errlen,
				"route: unexpected argument '%s' after prefix '%s'",
				a, prefix);
		} else if (cli_prefix_parse(a, &pfam)) {
			if (!verb && i == 0 && cli_looks_like_word(a))
				return cli_bad_arg("route", a, true, err,
						   errlen);
			return cli_fail(err, errlen,
					"route: invalid prefix '%s'", a);
		} else {
			prefix = a;
		}
	}
	if (prefix && family && family != pfam)
		return cli_fail(err, errlen,
				"route: prefix '%s' is not IPv%d (-%d)", prefix,
				family, family);
	if (prefix && !strchr(prefix, '/') && (pg.limit || pg.cursor || pg.all))
		return cli_fail(err, errlen,
				"route: %s is for a listing; '%s' (no /LEN) "
				"asks for the one route it takes",
				pg.limit  ? "--limit" :
				pg.cursor ? "--cursor" :
					    "--all",
				prefix);
	if (family && cli_query_add(q, "family", family == 4 ? "4" : "6"))
		return cli_too_long("route", err, errlen);
	if (prefix && cli_query_add(q, "prefix", prefix))
		return cli_too_long("route", err, errlen);
	return cli_page_query("route", &pg, q, err, errlen);
}

/* "via GW dev DEV" or "dev DEV" (on-link); "if6" when the name is gone. */
static void print_nexthop(json_object *nh, FILE *out)
{
	const char *via = jstr(nh, "via"), *dev = jstr(nh, "dev");

	if (!str_empty(via))
		fprintf(out, "via %s ", via);
	if (!str_empty(dev))
		fprintf(out, "dev %s", dev);
	else
		fprintf(out, "dev if%" PRIu64, ju64(nh, "ifindex"));
}

int cli_route_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *a = fmt_top_array(doc, "routes", err, errlen);
	const char *next;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i), *nhs;
		const char *table = jstr(e, "table"),
			   *proto = jstr(e, "protocol");
		const char *type = jstr(e, "type"), *prefix = jstr(e, "prefix");
		size_t nnh = 0;

		if (json_object_object_get_ex(e, "nexthops", &nhs) &&
		    json_object_is_type(nhs, json_type_array))
			nnh = json_object_array_length(nhs);
		fputs(str_empty(prefix) ? "-" : prefix, out);
		if (nnh == 1) {
			fputc(' ', out);
			print_nexthop(json_object_array_get_idx(nhs, 0), out);
		}
		/* As `ip route`: the main table goes without saying. */
		if (!str_empty(table) && strcmp(table, "main"))
			fprintf(out, " table %s", table);
		if (!str_empty(proto))
			fprintf(out, " proto %s", proto);
		fprintf(out, " metric %" PRIu64, ju64(e, "metric"));
		if (!str_empty(type))
			fprintf(out, " [%s]", type);
		fputc('\n', out);
		for (size_t k = 0; nnh > 1 && k < nnh; k++) {
			fputs("\tnexthop ", out);
			print_nexthop(json_object_array_get_idx(nhs, k), out);
			fputc('\n', out);
		}
	}
	next = jstr(doc, "next");
	if (!str_empty(next))
		fprintf(out, "more: --cursor %s\n", next);
	return 0;
}

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
