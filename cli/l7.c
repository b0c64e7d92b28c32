// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl l7: the L7 local hop through sockmap/sk_msg (/v1/l7,
 * docs/l7.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] l7 [show] [-j]\n"
	"       sluicectl [OPTIONS] l7 add --port N [-j]\n"
	"       sluicectl [OPTIONS] l7 del --port N [-j]\n"
	"       sluicectl [OPTIONS] l7 on [--cgroup PATH] [-j]\n"
	"       sluicectl [OPTIONS] l7 off [-j]\n"
	"\n"
	"The L7 local hop (docs/l7.md): both ends of a TCP connection on this\n"
	"host to a selected port go into a sockhash, and what one end sends\n"
	"goes straight to the other's receive queue, past the TCP/IP stack.\n"
	"add, del: select a local service port, or no longer (connections\n"
	"  already open keep their path until they close).\n"
	"on: attach to the cgroup (v2) PATH (default: the one given before,\n"
	"  else the cgroup v2 root): sockets made there from now on are\n"
	"  candidates.  off: detach; open connections go on, their later\n"
	"  bytes on the normal path.\n"
	"show: on or off, the cgroup, the sockets in the sockhash and per\n"
	"  port the sockets inserted, what was redirected and every\n"
	"  fallback to the normal path by reason.\n"
	"  -j          print the daemon's JSON answer\n";

enum l7_verb { L7_SHOW, L7_ADD, L7_DEL, L7_ON, L7_OFF, L7_HELP };

static const struct cli_name l7_verbs[] = {
	{ "show", L7_SHOW }, { "list", L7_SHOW },  { "add", L7_ADD },
	{ "del", L7_DEL },   { "delete", L7_DEL }, { "on", L7_ON },
	{ "off", L7_OFF },   { "help", L7_HELP },  { NULL, 0 },
};

enum cli_l7_out { CLI_L7_SHOW, CLI_L7_ADDED, CLI_L7_DELETED };

/* --port N (and -j) from argv[*i] on. */
static int port_args(int argc, char **argv, int i, struct cli_query *q,
		     uint32_t *port, char *err, size_t errlen)
{
	bool have = false;

	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		if (strcmp(argv[i], "--port") || have)
			return cli_bad_arg("l7", argv[i], false, err, errlen);
		if (i + 1 >= argc)
			return cli_fail(err, errlen,
					"l7: --port needs a value");
		if (cli_parse_u32(argv[i + 1], 1, 65535, port))
			return cli_fail(err, errlen,
					"l7: --port '%s' is not a port "
					"1..65535",
					argv[i + 1]);
		have = true;
		i++;
	}
	if (!have)
		return cli_fail(err, errlen, "l7: needs --port N");
	return 0;
}

static int onoff_args(int argc, char **argv, int i, bool on,
		      struct cli_query *q, char *err, size_t errlen)
{
	json_object *b = json_object_new_object();

	if (!b)
		return fmt_nomem(err, errlen);
	q->method = "PUT";
	q->body = b;
	json_object_object_add(b, "enabled", json_object_new_boolean(on));
	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		if (!on || strcmp(argv[i], "--cgroup"))
			return cli_bad_arg("l7", argv[i], false, err, errlen);
		if (i + 1 >= argc)
			return cli_fail(err, errlen,
					"l7: --cgroup needs a path");
		json_object_object_add(b, "cgroup",
				       json_object_new_string(argv[++i]));
	}
	return 0;
}

static int cli_l7_args(int argc, char **argv, struct cli_query *q,
		       enum cli_l7_out *out, char *err, size_t errlen)
{
	int verb = L7_SHOW, i = 0;
	uint32_t port;
	char path[64];
	int r;

	cli_query_init(q, "/v1/l7");
	*out = CLI_L7_SHOW;
	for (int k = 0; k < argc; k++)
		if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help"))
			q->help = true;
	if (argc > 0 && argv[0][0] != '-') {
		verb = cli_match(argv[0], l7_verbs);
		if (verb < 0)
			return verb == -ENOTUNIQ ?
				       cli_fail(err, errlen,
						"l7: ambiguous command '%s'",
						argv[0]) :
				       cli_bad_arg("l7", argv[0], true, err,
						   errlen);
		i = 1;
	}
	if (verb == L7_HELP)
		q->help = true;
	if (q->help)
		return 0;
	switch (verb) {
	case L7_ADD:
	case L7_DEL:
		r = port_args(argc, argv, i, q, &port, err, errlen);
		if (r)
			return r;
		if (verb == L7_DEL) {
			snprintf(path, sizeof(path), "/v1/l7/ports/%" PRIu32,
				 port);
			cli_query_init(q, path);
			q->method = "DELETE";
			*out = CLI_L7_DELETED;
			return 0;
		}
		cli_query_init(q, "/v1/l7/ports");
		q->method = "POST";
		q->body = json_object_new_object();
		if (!q->body)
			return fmt_nomem(err, errlen);
		json_object_object_add(q->body, "port",
				       json_object_new_int((int)port));
		*out = CLI_L7_ADDED;
		return 0;
	case L7_ON:
	case L7_OFF:
		return onoff_args(argc, argv, i, verb == L7_ON, q, err, errlen);
	default: break;
	}
	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		return cli_bad_arg("l7", argv[i], false, err, errlen);
	}
	return 0;
}

static int cli_l7_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "PORT",	   "SOCKETS",
					    "REDIRECTED",  "BYTES",
					    "NO_PEER",	   "STICKY",
					    "INSERT_FAIL", "DISABLED" };
	struct table t = { .ncols = 8, .head = head, .right = 0xff };
	json_object *a = fmt_top_array(doc, "ports", err, errlen);
	int r = 0;

	if (!a)
		return -EPROTO;
	fprintf(out,
		"l7 %s%s, cgroup %s, %" PRIu64 " sockets in the sockhash\n",
		jbool(doc, "enabled") ? "on" : "off",
		jbool(doc, "enabled") && !jbool(doc, "attached") ?
			" (not attached)" :
			"",
		jstr(doc, "cgroup") ?: "-", ju64(doc, "sockets"));
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		json_object *c = jobj(e, "counters"),
			    *fb = jobj(c, "fallbacks");
		char n[7][24];

		snprintf(n[0], sizeof(n[0]), "%" PRIu64, ju64(c, "sockets"));
		snprintf(n[1], sizeof(n[1]), "%" PRIu64,
			 ju64(c, "redirected_msgs"));
		snprintf(n[2], sizeof(n[2]), "%" PRIu64,
			 ju64(c, "redirected_bytes"));
		snprintf(n[3], sizeof(n[3]), "%" PRIu64, ju64(fb, "no_peer"));
		snprintf(n[4], sizeof(n[4]), "%" PRIu64, ju64(fb, "sticky"));
		snprintf(n[5], sizeof(n[5]), "%" PRIu64,
			 ju64(fb, "insert_failed"));
		snprintf(n[6], sizeof(n[6]), "%" PRIu64, ju64(fb, "disabled"));
		r = table_add(&t, jstr(e, "port"), n[0], n[1], n[2], n[3], n[4],
			      n[5], n[6]);
	}
	if (r) {
		table_free(&t);
		return fmt_nomem(err, errlen);
	}
	if (json_object_array_length(a))
		table_print(&t, out);
	else
		fputs("no ports selected\n", out);
	table_free(&t);
	return 0;
}

static int cli_l7_added_print(json_object *doc, FILE *out, char *err,
			      size_t errlen)
{
	int r = fmt_not_object(doc, "the answer", err, errlen);

	if (r)
		return r;
	fprintf(out, "selected (selector %s)\n", jstr(doc, "id") ?: "-");
	return 0;
}

int do_l7(int argc, char **argv)
{
	static const cli_print_fn printers[] = {
		[CLI_L7_SHOW] = cli_l7_print,
		[CLI_L7_ADDED] = cli_l7_added_print,
		[CLI_L7_DELETED] = cli_deleted_print,
	};
	enum cli_l7_out what;
	struct cli_query q;
	char err[256];
	int r;

	if (cli_l7_args(argc, argv, &q, &what, err, sizeof(err))) {
		cli_error("%s", err);
		cli_query_free(&q);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		cli_query_free(&q);
		return CLI_EXIT_OK;
	}
	r = cli_show("l7", &q, NULL, printers[what]);
	cli_query_free(&q);
	return r;
}
