// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl fw: the stateful firewall (/v1/fw/..., docs/firewall.md).
 * The daemon validates every field and names the one it refuses; this
 * file only turns the command line into requests and prints answers. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] fw [show] [IFACE] [-j]\n"
	"       sluicectl [OPTIONS] fw add IFACE in|out [--src P] [--dst P]\n"
	"                 [--proto tcp|udp|icmp|icmpv6] [--sport N[-M]]\n"
	"                 [--dport N[-M]] [--icmp-type N] [--state LIST]\n"
	"                 --action accept|drop|reject [--position N] [-j]\n"
	"       sluicectl [OPTIONS] fw del IFACE ID [-j]\n"
	"       sluicectl [OPTIONS] fw load IFACE in|out FILE [-j]\n"
	"       sluicectl [OPTIONS] fw policy [IFACE in|out accept|drop] [-j]\n"
	"       sluicectl [OPTIONS] fw set [show] | add NAME | del NAME |\n"
	"                 load NAME FILE\n"
	"       sluicectl [OPTIONS] fw check [-j]\n"
	"\n"
	"Rules are ordered per interface and direction (in: arriving on\n"
	"IFACE; out: forwarded out of it); the first that matches decides,\n"
	"else the policy (accept unless set).  P is a prefix or @SET, a named\n"
	"prefix set; LIST is new,established,related,invalid,untracked.\n"
	"Ports without --proto match TCP and UDP.\n"
	"reject answers TCP with a RST, anything else with ICMP unreachable.\n"
	"fw load replaces all rules of IFACE and direction with FILE's, a\n"
	"JSON list of rules ({\"proto\": \"tcp\", \"dport\": 22, ...}), in\n"
	"one step.  fw set del refuses a set a rule still names.\n"
	"fw set load reads FILE (one prefix a line) on the daemon's host.\n"
	"fw check lists rules no packet reaches (shadowed) and rules with an\n"
	"earlier rule's match and another action (contradicts).\n"
	"  -j             print the daemon's JSON answer\n";

/* --option -> the API's field */
static const struct {
	const char *opt, *field;
} fields[] = {
	{ "--src", "src" },	{ "--dst", "dst" },
	{ "--proto", "proto" }, { "--sport", "sport" },
	{ "--dport", "dport" }, { "--icmp-type", "icmp_type" },
	{ "--state", "state" }, { "--action", "action" },
};

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static int need(int argc, int i, int n, const char *what, char *err,
		size_t errlen)
{
	if (argc - i < n)
		return cli_fail(err, errlen, "fw: %s", what);
	return 0;
}

static int add_args(int argc, char **argv, struct cli_query *q, char *err,
		    size_t errlen)
{
	json_object *b;
	bool action = false;
	int r;

	r = need(argc, 1, 2, "add needs IFACE and in|out", err, errlen);
	if (r)
		return r;
	if (strcmp(argv[2], "in") && strcmp(argv[2], "out"))
		return cli_fail(err, errlen, "fw: direction '%s': in or out",
				argv[2]);
	b = json_object_new_object();
	if (!b)
		return -ENOMEM;
	q->body = b;
	add_str(b, "iface", argv[1]);
	add_str(b, "dir", argv[2]);
	for (int i = 3; i < argc; i++) {
		size_t k;

		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		if (!strcmp(argv[i], "--position")) {
			uint32_t pos;

			if (i + 1 >= argc ||
			    cli_parse_u32(argv[i + 1], 1, 65535, &pos))
				return cli_fail(err, errlen,
						"fw: --position '%s': expected "
						"1..65535",
						i + 1 < argc ? argv[i + 1] :
							       "");
			json_object_object_add(b, "position",
					       json_object_new_int((int)pos));
			i++;
			continue;
		}
		for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			if (!strcmp(argv[i], fields[k].opt))
				break;
		if (k == sizeof(fields) / sizeof(fields[0]))
			return cli_bad_arg("fw add", argv[i], false, err,
					   errlen);
		if (i + 1 >= argc)
			return cli_fail(err, errlen, "fw: %s needs a value",
					argv[i]);
		if (json_object_object_get_ex(b, fields[k].field, NULL))
			return cli_fail(err, errlen, "fw: %s given twice",
					argv[i]);
		add_str(b, fields[k].field, argv[++i]);
		action |= !strcmp(fields[k].field, "action");
	}
	if (!action)
		return cli_fail(err, errlen,
				"fw: add needs --action accept|drop|reject");
	q->method = "POST";
	return 0;
}

/* fw load IFACE in|out FILE: FILE's JSON list, read here, as one PUT. */
static int load_args(int last, char **argv, struct cli_query *q, char *err,
		     size_t errlen)
{
	char seg[2][64];
	json_object *a, *b;

	if (last != 4)
		return cli_fail(err, errlen,
				"fw: load needs IFACE in|out FILE");
	if (cli_path_encode(argv[1], seg[0], sizeof(seg[0])) ||
	    cli_path_encode(argv[2], seg[1], sizeof(seg[1])) ||
	    (size_t)snprintf(q->path, sizeof(q->path), "/v1/fw/%s/%s", seg[0],
			     seg[1]) >= sizeof(q->path))
		return cli_too_long("fw", err, errlen);
	a = json_object_from_file(argv[3]);
	if (!a || !json_object_is_type(a, json_type_array)) {
		json_object_put(a);
		return cli_fail(err, errlen,
				"fw: load: file '%s' is not a JSON list of "
				"rules",
				argv[3]);
	}
	b = json_object_new_object();
	if (!b) {
		json_object_put(a);
		return -ENOMEM;
	}
	json_object_object_add(b, "rules", a);
	q->body = b;
	q->method = "PUT";
	return 0;
}

/* Moves every -j/--json in @argv to its end, the others keeping their
 * order, so each verb reads its words as argv[0..last) wherever the user
 * typed -j.  Returns last: the number of words that are not -j. */
static int json_opts_last(int argc, char **argv)
{
	int last = 0;

	for (int i = 0; i < argc; i++) {
		char *a = argv[i];

		if (cli_is_json_opt(a))
			continue;
		memmove(&argv[last + 1], &argv[last],
			(size_t)(i - last) * sizeof(argv[0]));
		argv[last++] = a;
	}
	return last;
}

int cli_fw_args(int argc, char **argv, struct cli_query *q, int *kind,
		char *err, size_t errlen)
{
	char seg[2][64];
	const char *verb;
	int last = json_opts_last(argc, argv);

	cli_query_init(q, "/v1/fw/rules");
	*kind = FW_RULES;
	q->json = last < argc;
	verb = last > 0 ? argv[0] : "show";
	if (!strcmp(verb, "help") || !strcmp(verb, "-h")) {
		q->help = true;
		return 0;
	}
	if (!strcmp(verb, "add")) {
		*kind = FW_RULE;
		return add_args(argc, argv, q, err, errlen);
	}
	if (!strcmp(verb, "load"))
		return load_args(last, argv, q, err, errlen);
	if (!strcmp(verb, "del") || !strcmp(verb, "delete")) {
		if (last != 3)
			return cli_fail(err, errlen, "fw: del needs IFACE ID");
		if (cli_path_encode(argv[1], seg[0], sizeof(seg[0])) ||
		    cli_path_encode(argv[2], seg[1], sizeof(seg[1])))
			return cli_too_long("fw", err, errlen);
		if ((size_t)snprintf(q->path, sizeof(q->path),
				     "/v1/fw/rules/%s/%s", seg[0],
				     seg[1]) >= sizeof(q->path))
			return cli_too_long("fw", err, errlen);
		q->method = "DELETE";
		*kind = FW_DONE;
		return 0;
	}
	if (!strcmp(verb, "policy")) {
		json_object *b;

		cli_query_init(q, "/v1/fw/policy");
		q->json = last < argc;
		*kind = FW_POLICY;
		if (last == 1)
			return 0;
		if (last != 4)
			return cli_fail(err, errlen,
					"fw: policy needs IFACE in|out "
					"accept|drop");
		b = json_object_new_object();
		if (!b)
			return -ENOMEM;
		q->body = b;
		add_str(b, "iface", argv[1]);
		add_str(b, "dir", argv[2]);
		add_str(b, "policy", argv[3]);
		q->method = "POST";
		return 0;
	}
	if (!strcmp(verb, "set")) {
		const char *sv = last > 1 ? argv[1] : "show";
		json_object *b;
		char path[PATH_MAX];

		cli_query_init(q, "/v1/fw/sets");
		q->json = last < argc;
		*kind = FW_SETS;
		if (!strcmp(sv, "show") || !strcmp(sv, "list")) {
			if (last > 2)
				return cli_bad_arg("fw set", argv[2], false,
						   err, errlen);
			return 0;
		}
		if ((!strcmp(sv, "del") || !strcmp(sv, "delete")) &&
		    last == 3) {
			if (cli_path_encode(argv[2], seg[0], sizeof(seg[0])))
				return cli_too_long("fw", err, errlen);
			snprintf(q->path, sizeof(q->path), "/v1/fw/sets/%s",
				 seg[0]);
			q->method = "DELETE";
			return 0;
		}
		b = json_object_new_object();
		if (!b)
			return -ENOMEM;
		q->body = b;
		q->method = "POST";
		if (!strcmp(sv, "add") && last == 3) {
			add_str(b, "name", argv[2]);
			return 0;
		}
		if (!strcmp(sv, "load") && last == 4) {
			/* the daemon opens it: give it an absolute path */
			if (!realpath(argv[3], path))
				return cli_fail(err, errlen,
						"fw: set load: file '%s': %s",
						argv[3], strerror(errno));
			if (cli_path_encode(argv[2], seg[0], sizeof(seg[0])))
				return cli_too_long("fw", err, errlen);
			snprintf(q->path, sizeof(q->path),
				 "/v1/fw/sets/%s/load", seg[0]);
			add_str(b, "file", path);
			return 0;
		}
		return cli_fail(err, errlen,
				"fw: set add NAME | set del NAME | set load "
				"NAME FILE");
	}
	if (!strcmp(verb, "check")) {
		if (last != 1)
			return cli_bad_arg("fw check", argv[1], false, err,
					   errlen);
		cli_query_init(q, "/v1/fw/check");
		q->json = last < argc;
		*kind = FW_CHECK;
		return 0;
	}
	/* [show] [IFACE] */
	{
		int i = !strcmp(verb, "show") || !strcmp(verb, "list") ? 1 : 0;

		if (last - i > 1)
			return cli_bad_arg("fw", argv[i + 1], false, err,
					   errlen);
		if (last - i == 1 && cli_query_add(q, "dev", argv[i]))
			return cli_too_long("fw", err, errlen);
		q->json = last < argc;
	}
	return 0;
}

/* A rule's match in the CLI's words. */
static void match_text(json_object *e, char *buf, size_t len)
{
	static const char *const keys[] = { "src",   "dst",   "proto",
					    "sport", "dport", "icmp_type",
					    "state" };
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = jstr(e, keys[i]);

		if (str_empty(v) || n >= len)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s %s", n ? " " : "",
				      keys[i], v);
	}
	if (!n)
		snprintf(buf, len, "all");
}

int cli_fw_rules_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "ID",    "IFACE",  "DIR",
					    "MATCH", "ACTION", "PACKETS",
					    "BYTES" };
	struct table t = { .ncols = 7,
			   .head = head,
			   .right = 1u << 0 | 1u << 5 | 1u << 6 };
	json_object *a = fmt_top_array(doc, "rules", err, errlen);
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		char m[256], id[24], p[24], b[24];

		match_text(e, m, sizeof(m));
		snprintf(id, sizeof(id), "%" PRIu64, ju64(e, "id"));
		snprintf(p, sizeof(p), "%" PRIu64, ju64(e, "packets"));
		snprintf(b, sizeof(b), "%" PRIu64, ju64(e, "bytes"));
		r = table_add(&t, id, jstr(e, "iface"), jstr(e, "dir"), m,
			      jstr(e, "action"), p, b);
	}
	if (!r && !t.nrows)
		fputs("no rules\n", out);
	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r ? fmt_nomem(err, errlen) : 0;
}

static int print_rule(json_object *doc, FILE *out, char *err, size_t errlen)
{
	char m[256];

	if (fmt_not_object(doc, "the rule", err, errlen))
		return -EPROTO;
	match_text(doc, m, sizeof(m));
	fprintf(out, "rule %" PRIu64 " on %s %s: %s -> %s\n", ju64(doc, "id"),
		jstr(doc, "iface"), jstr(doc, "dir"), m, jstr(doc, "action"));
	return 0;
}

int cli_fw_policy_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "IFACE", "DIR", "POLICY",
					    "PACKETS" };
	struct table t = { .ncols = 4, .head = head, .right = 1u << 3 };
	json_object *a = fmt_top_array(doc, "policies", err, errlen);
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		char p[24];

		snprintf(p, sizeof(p), "%" PRIu64, ju64(e, "packets"));
		r = table_add(&t, jstr(e, "iface"), jstr(e, "dir"),
			      jstr(e, "policy"), p);
	}
	if (!r && !t.nrows)
		fputs("no policy set: a packet no rule matches is accepted\n",
		      out);
	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r ? fmt_nomem(err, errlen) : 0;
}

int cli_fw_sets_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "NAME", "PREFIXES" };
	struct table t = { .ncols = 2, .head = head, .right = 1u << 1 };
	json_object *a = fmt_top_array(doc, "sets", err, errlen);
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		char n[24];

		snprintf(n, sizeof(n), "%" PRIu64, ju64(e, "prefixes"));
		r = table_add(&t, jstr(e, "name"), n);
	}
	if (!r && !t.nrows)
		fputs("no named sets\n", out);
	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r ? fmt_nomem(err, errlen) : 0;
}

static int print_check(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *a = fmt_top_array(doc, "issues", err, errlen);
	size_t n;

	if (!a)
		return -EPROTO;
	n = json_object_array_length(a);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		bool contra = !strcmp(jstr(e, "issue"), "contradicts");

		fprintf(out, "%s %s: rule %" PRIu64 " %s rule %" PRIu64 "%s\n",
			jstr(e, "iface"), jstr(e, "dir"), ju64(e, "rule"),
			contra ? "contradicts" : "is shadowed by",
			ju64(e, "by"),
			contra ? " (same match, other action: never taken)" :
				 " (no packet reaches it)");
	}
	if (!n)
		fprintf(out, "no shadowed or contradictory rules\n");
	return 0;
}

static int print_done(json_object *doc, FILE *out, char *err, size_t errlen)
{
	(void)doc;
	(void)out;
	(void)err;
	(void)errlen;
	return 0;
}

int do_fw(int argc, char **argv)
{
	static const cli_print_fn printers[] = {
		[FW_RULES] = cli_fw_rules_print,
		[FW_RULE] = print_rule,
		[FW_POLICY] = cli_fw_policy_print,
		[FW_SETS] = cli_fw_sets_print,
		[FW_CHECK] = print_check,
		[FW_DONE] = print_done,
	};
	struct cli_query q;
	char err[256];
	int kind = FW_RULES;
	int r = cli_fw_args(argc, argv, &q, &kind, err, sizeof(err));

	return cli_run("fw", usage, &q, r, err, printers[kind]);
}
