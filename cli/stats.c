// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl stats: packet counters per interface and reason (GET /v1/stats). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] stats [show] [dev IFNAME] [-a] [-j]\n"
	"\n"
	"Packets and bytes per interface and reason, with the verdict class\n"
	"of each reason (forward, pass to the kernel, drop), and a total\n"
	"over all interfaces when there are several.\n"
	"  dev IFNAME   one interface\n"
	"  -a, --all    every reason, also those that counted nothing\n"
	"  -j, --json   the daemon's JSON (after -a's filter), as the global -j\n";

int cli_stats_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen)
{
	const char *dev = NULL;
	int i, verb, r;

	cli_query_init(q, "/v1/stats");
	verb = i = cli_parse_verb(argc, argv, q);
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-a") || !strcmp(argv[i], "--all")) {
			q->all = true;
			continue;
		}
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		r = cli_parse_dev("stats", argc, argv, &i, &dev, err, errlen);
		if (r < 0)
			return r;
		if (!r)
			return cli_bad_arg("stats", argv[i], !verb && i == 0,
					   err, errlen);
	}
	if (dev && cli_query_add(q, "dev", dev))
		return cli_too_long("stats", err, errlen);
	return 0;
}

static void drop_zero_reasons(json_object *reasons)
{
	if (!json_object_is_type(reasons, json_type_array))
		return;
	for (size_t n = json_object_array_length(reasons); n-- > 0;)
		if (!ju64(json_object_array_get_idx(reasons, n), "packets"))
			json_object_array_del_idx(reasons, n, 1);
}

int cli_stats_filter(json_object *doc, bool all, char *err, size_t errlen)
{
	json_object *a = fmt_top_array(doc, "interfaces", err, errlen), *t;

	if (!a)
		return -EPROTO;
	if (all)
		return 0;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *r;

		if (json_object_object_get_ex(json_object_array_get_idx(a, i),
					      "reasons", &r))
			drop_zero_reasons(r);
	}
	if (json_object_object_get_ex(doc, "totals", &t))
		drop_zero_reasons(t);
	return 0;
}

static int stats_rows(struct table *t, const char *iface, json_object *reasons)
{
	int r = 0;

	if (!json_object_is_type(reasons, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(reasons) && !r; i++) {
		json_object *e = json_object_array_get_idx(reasons, i);
		char pk[24], by[24];

		snprintf(pk, sizeof(pk), "%" PRIu64, ju64(e, "packets"));
		snprintf(by, sizeof(by), "%" PRIu64, ju64(e, "bytes"));
		r = table_add(t, iface, jstr(e, "reason"), jstr(e, "verdict"),
			      pk, by);
	}
	return r;
}

int cli_stats_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "IFACE", "REASON", "VERDICT",
					    "PACKETS", "BYTES" };
	struct table t = { .ncols = 5,
			   .head = head,
			   .right = 1u << 3 | 1u << 4 };
	json_object *a = fmt_top_array(doc, "interfaces", err, errlen), *r,
		    *tot;
	size_t n;
	int ret = 0;

	if (!a)
		return -EPROTO;
	n = json_object_array_length(a);
	for (size_t i = 0; i < n && !ret; i++) {
		json_object *e = json_object_array_get_idx(a, i);

		if (json_object_object_get_ex(e, "reasons", &r))
			ret = stats_rows(&t, jstr(e, "name"), r);
	}
	/* A sum over one interface would only repeat it. */
	if (!ret && n > 1 && json_object_object_get_ex(doc, "totals", &tot))
		ret = stats_rows(&t, "total", tot);
	if (!ret)
		table_print(&t, out);
	table_free(&t);
	return ret ? fmt_nomem(err, errlen) : 0;
}

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
