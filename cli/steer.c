// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl steer: steering to AF_XDP sockets (/v1/steer,
 * docs/steering.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char usage[] =
	"Usage: sluicectl [OPTIONS] steer [show] [-j]\n"
	"       sluicectl [OPTIONS] steer add [--iface IF]\n"
	"                 (--proto udp|tcp --dport N[-M] | --dst PREFIX |\n"
	"                  --vip ADDR | --transit) [--queue N] [-j]\n"
	"       sluicectl [OPTIONS] steer del ID [-j]\n"
	"\n"
	"add: TCP or UDP packets that match go to the AF_XDP socket an\n"
	"  application registered for their port and rx queue (docs/\n"
	"  steering.md); with no socket there they keep their normal path,\n"
	"  counted as no_socket.  ARP, ND, ICMP and OSPF are never steered;\n"
	"  a --dst or --vip selector never takes BGP (TCP port 179).\n"
	"  --iface IF   only packets that come in by IF (else every port)\n"
	"  --proto, --dport   a protocol and destination port or range\n"
	"  --dst PREFIX       a destination prefix (ADDR/LEN)\n"
	"  --vip ADDR         a VIP's address served in user space\n"
	"  --transit          every packet the router would forward, any\n"
	"                     protocol (a user-space router's traffic), in\n"
	"                     the route stage; one per interface\n"
	"  --queue N          only packets of rx queue N (else every queue)\n"
	"show: the selectors with their counters (matched, redirected,\n"
	"  no_socket) and, per port, the rx queues that have a socket.\n"
	"  -j          print the daemon's JSON answer\n";

enum steer_verb { STEER_SHOW, STEER_ADD, STEER_DEL, STEER_HELP };

static const struct cli_name steer_verbs[] = {
	{ "show", STEER_SHOW },
	{ "list", STEER_SHOW },
	{ "ls", STEER_SHOW },
	{ "add", STEER_ADD },
	{ "del", STEER_DEL },
	{ "delete", STEER_DEL },
	{ "remove", STEER_DEL },
	{ "help", STEER_HELP },
	{ NULL, 0 },
};

/* The options of `steer add` and the body's field each fills; a flag
 * takes no value and sets its field to true. */
static const struct {
	const char *opt, *field;
	bool flag;
} add_opts[] = {
	{ "--iface", "iface", false },	  { "--proto", "proto", false },
	{ "--dport", "dport", false },	  { "--dst", "dst", false },
	{ "--vip", "vip", false },	  { "--queue", "queue", false },
	{ "--transit", "transit", true },
};

/* add_opts' rows that name what a selector matches */
#define ADD_KINDS (0x1eu | 1u << 6)

/* The value's syntax, as far as the CLI can tell it (sluiced checks the
 * rest and names the field). */
static int check_value(const char *opt, const char *v, char *err, size_t errlen)
{
	uint32_t n;
	int fam;

	if (!strcmp(opt, "--iface") && !cli_ifname_valid(v))
		return cli_fail(err, errlen,
				"steer: --iface '%s' is not an interface name",
				v);
	if (!strcmp(opt, "--proto") && strcmp(v, "udp") && strcmp(v, "tcp"))
		return cli_fail(err, errlen,
				"steer: --proto '%s' is not udp or tcp", v);
	if (!strcmp(opt, "--dst") && cli_prefix_parse(v, &fam))
		return cli_fail(err, errlen,
				"steer: --dst '%s' is not a prefix (ADDR/LEN)",
				v);
	if (!strcmp(opt, "--queue") && cli_parse_u32(v, 0, 63, &n))
		return cli_fail(err, errlen,
				"steer: --queue '%s' is not an rx queue 0..63",
				v);
	return 0;
}

static int add_args(int argc, char **argv, int *i, struct cli_query *q,
		    char *err, size_t errlen)
{
	unsigned int seen = 0;
	json_object *b;

	b = json_object_new_object();
	if (!b)
		return fmt_nomem(err, errlen);
	q->method = "POST";
	q->body = b;
	for (; *i < argc; (*i)++) {
		const char *a = argv[*i];
		size_t k;
		int r;

		if (cli_is_json_opt(a)) {
			q->json = true;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(add_opts); k++)
			if (!strcmp(a, add_opts[k].opt))
				break;
		if (k == ARRAY_SIZE(add_opts))
			return cli_bad_arg("steer", a, false, err, errlen);
		if (seen & (1u << k))
			return cli_fail(err, errlen, "steer: %s given twice",
					a);
		if (add_opts[k].flag) {
			seen |= 1u << k;
			json_object_object_add(b, add_opts[k].field,
					       json_object_new_boolean(1));
			continue;
		}
		if (*i + 1 >= argc)
			return cli_fail(err, errlen, "steer: %s needs a value",
					a);
		r = check_value(a, argv[*i + 1], err, errlen);
		if (r)
			return r;
		seen |= 1u << k;
		(*i)++;
		/* the queue is a number in the body */
		json_object_object_add(
			b, add_opts[k].field,
			!strcmp(a, "--queue") ?
				json_object_new_int(atoi(argv[*i])) :
				json_object_new_string(argv[*i]));
	}
	if (!(seen & ADD_KINDS))
		return cli_fail(err, errlen,
				"steer: add needs --proto and --dport, --dst, "
				"--vip or --transit");
	return 0;
}

int cli_steer_args(int argc, char **argv, struct cli_query *q,
		   enum cli_steer_out *out, char *err, size_t errlen)
{
	int verb = STEER_SHOW, i = 0;
	uint32_t id;

	cli_query_init(q, "/v1/steer");
	*out = CLI_STEER_SHOW;
	for (int k = 0; k < argc; k++)
		if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help"))
			q->help = true;
	if (argc > 0 && argv[0][0] != '-') {
		verb = cli_match(argv[0], steer_verbs);
		if (verb < 0)
			return verb == -ENOTUNIQ ?
				       cli_fail(err, errlen,
						"steer: ambiguous command '%s'",
						argv[0]) :
				       cli_bad_arg("steer", argv[0], true, err,
						   errlen);
		i = 1;
	}
	if (verb == STEER_HELP)
		q->help = true;
	if (q->help)
		return 0;
	if (verb == STEER_ADD) {
		*out = CLI_STEER_ADDED;
		return add_args(argc, argv, &i, q, err, errlen);
	}
	if (verb == STEER_DEL) {
		char path[64];

		if (i >= argc)
			return cli_fail(err, errlen,
					"steer: del needs a selector ID");
		if (cli_parse_u32(argv[i], 1, 255, &id))
			return cli_fail(err, errlen,
					"steer: del '%s': a selector ID is a "
					"number 1..255 (see steer show)",
					argv[i]);
		snprintf(path, sizeof(path), "/v1/steer/%" PRIu32, id);
		cli_query_init(q, path);
		q->method = "DELETE";
		*out = CLI_STEER_DELETED;
		i++;
	}
	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		return cli_bad_arg("steer", argv[i], false, err, errlen);
	}
	return 0;
}

/* ---- printing ---- */

static void match_text(json_object *e, char *buf, size_t len)
{
	if (jbool(e, "transit"))
		snprintf(buf, len, "transit");
	else if (jstr(e, "proto"))
		snprintf(buf, len, "%s %s", jstr(e, "proto"),
			 jstr(e, "dport") ?: "-");
	else if (jstr(e, "dst"))
		snprintf(buf, len, "dst %s", jstr(e, "dst"));
	else
		snprintf(buf, len, "vip %s", jstr(e, "vip") ?: "-");
}

static int print_sockets(json_object *doc, FILE *out)
{
	json_object *a;

	if (!json_object_object_get_ex(doc, "sockets", &a) ||
	    !json_object_is_type(a, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *p = json_object_array_get_idx(a, i);
		json_object *q;
		size_t n = json_object_object_get_ex(p, "queues", &q) &&
					   json_object_is_type(
						   q, json_type_array) ?
				   json_object_array_length(q) :
				   0;

		fprintf(out, "sockets %s:", jstr(p, "iface") ?: "-");
		if (!n)
			fputs(" none", out);
		for (size_t k = 0; k < n; k++)
			fprintf(out, "%s%d", k ? "," : " queue ",
				json_object_get_int(
					json_object_array_get_idx(q, k)));
		fputc('\n', out);
	}
	return 0;
}

int cli_steer_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "ID",	"IFACE",   "MATCH",
					    "QUEUE",	"MATCHED", "REDIRECTED",
					    "NO_SOCKET" };
	struct table t = { .ncols = 7, .head = head, .right = 0x71 };
	json_object *a = fmt_top_array(doc, "selectors", err, errlen);
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		json_object *c = jobj(e, "counters");
		char m[80], iface[40], n[3][24];

		match_text(e, m, sizeof(m));
		snprintf(iface, sizeof(iface), "%s%s",
			 jstr(e, "iface") ?: "any",
			 jbool(e, "active") ? "" : " (inactive)");
		snprintf(n[0], sizeof(n[0]), "%" PRIu64, ju64(c, "matched"));
		snprintf(n[1], sizeof(n[1]), "%" PRIu64, ju64(c, "redirected"));
		snprintf(n[2], sizeof(n[2]), "%" PRIu64, ju64(c, "no_socket"));
		r = table_add(&t, jstr(e, "id"), iface, m,
			      jstr(e, "queue") ?: "any", n[0], n[1], n[2]);
	}
	if (r) {
		table_free(&t);
		return fmt_nomem(err, errlen);
	}
	table_print(&t, out);
	table_free(&t);
	if (!json_object_array_length(a))
		fputs("no selectors: steering is off\n", out);
	return print_sockets(doc, out);
}

int cli_steer_added_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	int r = fmt_not_object(doc, "the answer", err, errlen);

	if (r)
		return r;
	fprintf(out, "added selector %s\n", jstr(doc, "id") ?: "-");
	return 0;
}

int do_steer(int argc, char **argv)
{
	static const cli_print_fn printers[] = {
		[CLI_STEER_SHOW] = cli_steer_print,
		[CLI_STEER_ADDED] = cli_steer_added_print,
		[CLI_STEER_DELETED] = cli_deleted_print,
	};
	enum cli_steer_out what;
	struct cli_query q;
	char err[256];
	int r;

	if (cli_steer_args(argc, argv, &q, &what, err, sizeof(err))) {
		cli_error("%s", err);
		cli_query_free(&q);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		cli_query_free(&q);
		return CLI_EXIT_OK;
	}
	r = cli_show("steer", &q, NULL, printers[what]);
	cli_query_free(&q);
	return r;
}
