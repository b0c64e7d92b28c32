// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl lb flows: the load balancer's flow table (/v1/lb/flows,
 * docs/lb-api.md), listed a page at a time or flushed, as ct does it. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char noun[] = "lb flows";

static const char usage[] =
	"Usage: sluicectl [OPTIONS] lb flows [show] [FILTER] [--limit N] [--cursor C] [-j]\n"
	"       sluicectl [OPTIONS] lb flows flush [FILTER] [-j]\n"
	"\n"
	"The load balancer's flow table: protocol, client, VIP, the backend\n"
	"the flow sticks to, idle time.  A flow whose VIP was deleted shows\n"
	"the address and port it was sent to; one whose backend has left the\n"
	"VIP shows the backend's id; one of a VIP of every port (port 0), the\n"
	"port it was sent to (dport N).\n"
	"FILTER (show, flush):\n"
	"  --vip V       ADDR:PORT/PROTO, [ADDR6]:PORT/PROTO or a vip_id 1..255\n"
	"  --backend A   the backend's address (IPv4 or IPv6)\n"
	"  --src P       the client's address or prefix (IPv4 or IPv6)\n"
	"  --limit N     flows a page, 1..10000 (100); --cursor C goes on\n"
	"                from the 'next' the previous page printed\n"
	"flush: removes the flows the filter matches (all without one).\n"
	"  -j            print the daemon's JSON answer\n";

enum flows_verb { FLOWS_SHOW, FLOWS_FLUSH, FLOWS_HELP };

static const struct cli_name flows_verbs[] = {
	{ "show", FLOWS_SHOW },	  { "list", FLOWS_SHOW }, { "ls", FLOWS_SHOW },
	{ "flush", FLOWS_FLUSH }, { "help", FLOWS_HELP }, { NULL, 0 },
};

/* The options, by what the value is; the query key is the name without
 * its "--".  Those from OPT_LIMIT on page a listing: flush refuses them. */
enum flows_opt { OPT_VIP, OPT_BACKEND, OPT_SRC, OPT_LIMIT, OPT_CURSOR, OPT_N };

static const char *const opt_names[OPT_N] = {
	[OPT_VIP] = "--vip",	   [OPT_BACKEND] = "--backend",
	[OPT_SRC] = "--src",	   [OPT_LIMIT] = "--limit",
	[OPT_CURSOR] = "--cursor",
};

static bool is_address(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	       inet_pton(AF_INET6, s, buf) == 1;
}

/* 0 if @v is a value option @k takes, else -EINVAL naming both.  The VIP
 * is only checked for being there: the daemon knows which exist. */
static int check_value(enum flows_opt k, const char *v, char *err,
		       size_t errlen)
{
	uint32_t n;
	int fam;

	switch (k) {
	case OPT_VIP:
		if (!*v)
			return cli_fail(err, errlen,
					"%s: --vip '' is not a VIP "
					"(ADDR:PORT/PROTO or a vip_id)",
					noun);
		return 0;
	case OPT_BACKEND:
		if (!is_address(v))
			return cli_fail(err, errlen,
					"%s: --backend '%s' is not an IPv4 or "
					"IPv6 address",
					noun, v);
		return 0;
	case OPT_SRC:
		if (cli_prefix_parse(v, &fam))
			return cli_fail(err, errlen,
					"%s: --src '%s' is not an address or a "
					"prefix",
					noun, v);
		return 0;
	case OPT_LIMIT:
		if (cli_parse_u32(v, 1, 10000, &n))
			return cli_fail(err, errlen,
					"%s: --limit '%s' is not a number "
					"1..10000",
					noun, v);
		return 0;
	case OPT_CURSOR:
		/* a slot index: what the daemon takes, digits only, at
		 * most 10 of them, within 32 bits */
		if (cli_parse_u32(v, 0, UINT32_MAX, &n))
			return cli_fail(
				err, errlen,
				"%s: --cursor '%s' is not a cursor (the "
				"'next' of the previous page)",
				noun, v);
		return 0;
	default: return -EINVAL;
	}
}

/* One of the options at argv[*i]: its value checked and added to the
 * query, *i on the value.  1 if it was one, 0 if not, -EINVAL.  @seen
 * holds the values given so far, so a second one is named, not sent. */
static int filter_opt(int argc, char **argv, int *i, bool page,
		      const char **seen, struct cli_query *q, char *err,
		      size_t errlen)
{
	const char *a = argv[*i], *v;
	int k, r;

	for (k = 0; k < OPT_N; k++)
		if (!strcmp(a, opt_names[k]))
			break;
	if (k == OPT_N)
		return 0;
	if (k >= OPT_LIMIT && !page)
		return cli_fail(
			err, errlen,
			"%s: %s is for show (flush takes a filter only)", noun,
			a);
	if (*i + 1 >= argc)
		return cli_fail(err, errlen, "%s: %s needs a value", noun, a);
	v = argv[++*i];
	if (seen[k])
		return cli_fail(err, errlen, "%s: %s given twice ('%s', '%s')",
				noun, a, seen[k], v);
	r = check_value((enum flows_opt)k, v, err, errlen);
	if (r)
		return r;
	seen[k] = v;
	if (cli_query_add(q, a + 2, v))
		return cli_too_long(noun, err, errlen);
	return 1;
}

int cli_lb_flows_args(int argc, char **argv, struct cli_query *q,
		      enum cli_lb_flows_out *out, char *err, size_t errlen)
{
	const char *seen[OPT_N] = { NULL };
	int verb = FLOWS_SHOW, i, r;

	cli_query_init(q, "/v1/lb/flows");
	*out = CLI_LB_FLOWS_SHOW;
	i = cli_noun_verb(noun, argc, argv, flows_verbs, q, &verb, err, errlen);
	if (i < 0)
		return i;
	if (verb == FLOWS_HELP)
		q->help = true;
	if (q->help)
		return 0;
	if (verb == FLOWS_FLUSH) {
		q->method = "DELETE";
		*out = CLI_LB_FLOWS_FLUSH;
	}
	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		r = filter_opt(argc, argv, &i, verb == FLOWS_SHOW, seen, q, err,
			       errlen);
		if (r < 0)
			return r;
		if (!r)
			return cli_bad_arg(noun, argv[i], false, err, errlen);
	}
	return 0;
}

/* ---- printing ---- */

int cli_lb_flows_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "PROTO", "CLIENT", "VIP", "BACKEND",
					    "IDLE" };
	struct table t = { .ncols = ARRAY_SIZE(head), .head = head };
	json_object *a = fmt_top_array(doc, "flows", err, errlen);
	const char *next;
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *f = json_object_array_get_idx(a, i);
		const char *vip = jstr(f, "vip"), *be = jstr(f, "backend");
		char client[64], dst[64], be_id[32], idle[32], anyport[96];

		fmt_endpoint(f, "src", "sport", client, sizeof(client));
		/* null: the VIP was deleted, the flow still names where
		 * it went */
		if (!vip) {
			fmt_endpoint(f, "dst", "dport", dst, sizeof(dst));
			vip = dst;
		} else if (strstr(vip, ":0/") && jstr(f, "dport")) {
			/* a VIP of every port: the one this flow went to */
			snprintf(anyport, sizeof(anyport), "%s dport %s", vip,
				 jstr(f, "dport"));
			vip = anyport;
		}
		/* null: the backend left the VIP, only its id is left */
		if (!be && jstr(f, "backend_id")) {
			snprintf(be_id, sizeof(be_id), "id %s",
				 jstr(f, "backend_id"));
			be = be_id;
		}
		cli_fmt_duration(ju64(f, "idle_s"), idle, sizeof(idle));
		r = table_add(&t, jstr(f, "proto"), client, vip, be, idle);
	}
	if (r) {
		table_free(&t);
		return fmt_nomem(err, errlen);
	}
	table_print(&t, out);
	table_free(&t);
	next = jstr(doc, "next");
	if (!str_empty(next))
		fprintf(out, "more: --cursor %s\n", next);
	return 0;
}

int cli_lb_flows_flush_print(json_object *doc, FILE *out, char *err,
			     size_t errlen)
{
	int r = fmt_not_object(doc, "the answer", err, errlen);

	if (r)
		return r;
	fprintf(out, "flushed %" PRIu64 " flows\n", ju64(doc, "flushed"));
	return 0;
}

int do_lb_flows(int argc, char **argv)
{
	static const cli_print_fn printers[] = {
		[CLI_LB_FLOWS_SHOW] = cli_lb_flows_print,
		[CLI_LB_FLOWS_FLUSH] = cli_lb_flows_flush_print,
	};
	enum cli_lb_flows_out what = CLI_LB_FLOWS_SHOW;
	struct cli_query q;
	char err[256];
	int r = cli_lb_flows_args(argc, argv, &q, &what, err, sizeof(err));

	return cli_run(noun, usage, &q, r, err, printers[what]);
}
