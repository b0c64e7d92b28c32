// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl nat: NAT rules (/v1/nat, docs/nat.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char usage[] =
	"Usage: sluicectl [OPTIONS] nat [show] [-j]\n"
	"       sluicectl [OPTIONS] nat add snat --src PREFIX --out IFACE\n"
	"                               [--to ADDR[-ADDR]] [--ports N-M] [-j]\n"
	"       sluicectl [OPTIONS] nat add dnat --in IFACE --dst ADDR:PORT/PROTO\n"
	"                               --to ADDR[:PORT] [-j]\n"
	"       sluicectl [OPTIONS] nat del ID [-j]\n"
	"\n"
	"snat: flows from PREFIX leaving by IFACE get a source from the pool\n"
	"  --to (one address or a range), or without --to the address of IFACE\n"
	"  (masquerade); the port is kept when free, else one of --ports\n"
	"  (1024-65535).  IPv6 addresses are written bare: 2001:db8::1.\n"
	"dnat: flows coming in by IFACE to ADDR:PORT/PROTO (tcp or udp;\n"
	"  [ADDR]:PORT/PROTO for IPv6) go to --to ADDR, ADDR:PORT or\n"
	"  [ADDR]:PORT (the port is kept without one).\n"
	"A rule turns connection tracking on (NAT rides on it).\n"
	"show: the rules with their ids, the NATed flows and NAT's events.\n"
	"  -j          print the daemon's JSON answer\n";

enum nat_verb { NAT_SHOW, NAT_ADD, NAT_DEL, NAT_HELP };

static const struct cli_name nat_verbs[] = {
	{ "show", NAT_SHOW },  { "list", NAT_SHOW }, { "ls", NAT_SHOW },
	{ "add", NAT_ADD },    { "del", NAT_DEL },   { "delete", NAT_DEL },
	{ "remove", NAT_DEL }, { "help", NAT_HELP }, { NULL, 0 },
};

/* The options of `nat add KIND`: which kind takes each, and the body's
 * field it fills. */
static const struct {
	const char *opt, *field;
	bool snat, dnat;
} add_opts[] = {
	{ "--src", "src", true, false }, { "--out", "out", true, false },
	{ "--to", "to", true, true },	 { "--ports", "ports", true, false },
	{ "--in", "in", false, true },	 { "--dst", "dst", false, true },
};

/* The value's syntax, as far as the CLI can tell it (sluiced checks the
 * rest and names the field). */
static int check_value(const char *opt, const char *v, char *err, size_t errlen)
{
	int fam;
	uint32_t a, b;

	if (!strcmp(opt, "--src") && cli_prefix_parse(v, &fam))
		return cli_fail(err, errlen,
				"nat: --src '%s' is not a prefix (ADDR/LEN)",
				v);
	if ((!strcmp(opt, "--out") || !strcmp(opt, "--in")) &&
	    !cli_ifname_valid(v))
		return cli_fail(err, errlen,
				"nat: %s '%s' is not an interface name", opt,
				v);
	if (!strcmp(opt, "--ports")) {
		char buf[16], *dash;

		if (strlen(v) >= sizeof(buf))
			goto ports;
		strcpy(buf, v);
		dash = strchr(buf, '-');
		if (dash)
			*dash++ = '\0';
		if (cli_parse_u32(buf, 1, 65535, &a) ||
		    cli_parse_u32(dash ? dash : buf, 1, 65535, &b) || a > b)
			goto ports;
	}
	return 0;
ports:
	return cli_fail(err, errlen,
			"nat: --ports '%s' is not a range N-M within 1..65535 "
			"(N <= M)",
			v);
}

static int add_args(int argc, char **argv, int *i, struct cli_query *q,
		    char *err, size_t errlen)
{
	json_object *b;
	bool snat;
	unsigned int seen = 0;

	if (*i >= argc)
		return cli_fail(err, errlen, "nat: add needs snat or dnat");
	if (!strcmp(argv[*i], "snat"))
		snat = true;
	else if (!strcmp(argv[*i], "dnat"))
		snat = false;
	else
		return cli_fail(err, errlen,
				"nat: add '%s': the kind is snat or dnat",
				argv[*i]);
	b = json_object_new_object();
	if (!b)
		return fmt_nomem(err, errlen);
	json_object_object_add(b, "type",
			       json_object_new_string(snat ? "snat" : "dnat"));
	q->method = "POST";
	q->body = b;
	for ((*i)++; *i < argc; (*i)++) {
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
			return cli_bad_arg("nat", a, false, err, errlen);
		if (!(snat ? add_opts[k].snat : add_opts[k].dnat))
			return cli_fail(err, errlen,
					"nat: %s is not an option of %s", a,
					snat ? "snat (--src, --out, --to, "
					       "--ports)" :
					       "dnat (--in, --dst, --to)");
		if (seen & (1u << k))
			return cli_fail(err, errlen, "nat: %s given twice", a);
		if (*i + 1 >= argc)
			return cli_fail(err, errlen, "nat: %s needs a value",
					a);
		r = check_value(a, argv[*i + 1], err, errlen);
		if (r)
			return r;
		seen |= 1u << k;
		json_object_object_add(b, add_opts[k].field,
				       json_object_new_string(argv[++*i]));
	}
	for (size_t k = 0; k < ARRAY_SIZE(add_opts); k++) {
		bool need = snat ? (!strcmp(add_opts[k].opt, "--src") ||
				    !strcmp(add_opts[k].opt, "--out")) :
				   add_opts[k].dnat;

		if (need && !(seen & (1u << k)))
			return cli_fail(err, errlen, "nat: add %s needs %s",
					snat ? "snat" : "dnat",
					add_opts[k].opt);
	}
	return 0;
}

int cli_nat_args(int argc, char **argv, struct cli_query *q,
		 enum cli_nat_out *out, char *err, size_t errlen)
{
	int verb = NAT_SHOW, i = 0;
	uint32_t id;

	cli_query_init(q, "/v1/nat");
	*out = CLI_NAT_SHOW;
	i = cli_noun_verb("nat", argc, argv, nat_verbs, q, &verb, err, errlen);
	if (i < 0)
		return i;
	if (verb == NAT_HELP)
		q->help = true;
	if (q->help)
		return 0;
	if (verb == NAT_ADD) {
		*out = CLI_NAT_ADDED;
		return add_args(argc, argv, &i, q, err, errlen);
	}
	if (verb == NAT_DEL) {
		char path[64];

		if (i >= argc)
			return cli_fail(err, errlen,
					"nat: del needs a rule ID");
		if (cli_parse_u32(argv[i], 1, UINT32_MAX, &id))
			return cli_fail(err, errlen,
					"nat: del '%s': a rule ID is a number "
					"1..4294967295 (see nat show)",
					argv[i]);
		snprintf(path, sizeof(path), "/v1/nat/%" PRIu32, id);
		cli_query_init(q, path);
		q->method = "DELETE";
		*out = CLI_NAT_DELETED;
		i++;
	}
	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		return cli_bad_arg("nat", argv[i], false, err, errlen);
	}
	return 0;
}

/* ---- printing ---- */

int cli_nat_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "ID",    "TYPE", "IFACE",
					    "MATCH", "TO",   "PORTS" };
	struct table t = { .ncols = 6, .head = head, .right = 0x1 };
	json_object *a = fmt_top_array(doc, "rules", err, errlen);
	json_object *cnt = jobj(doc, "counts"), *ev = jobj(doc, "events");
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		const char *type = jstr(e, "type");
		bool snat = type && !strcmp(type, "snat");
		const char *to = jstr(e, "to");
		char iface[40];

		snprintf(iface, sizeof(iface), "%s%s%s", snat ? "out " : "in ",
			 jstr(e, snat ? "out" : "in") ?: "-",
			 ju64(e, "ifindex") ? "" : " (absent)");
		r = table_add(&t, jstr(e, "id"), type, iface,
			      jstr(e, snat ? "src" : "dst"),
			      to ? to : (snat ? "masquerade" : "-"),
			      snat ? jstr(e, "ports") : "-");
	}
	if (r) {
		table_free(&t);
		return fmt_nomem(err, errlen);
	}
	table_print(&t, out);
	table_free(&t);
	fprintf(out,
		"rules: snat %" PRIu64 "  dnat %" PRIu64 "  nat_flows %s\n",
		ju64(cnt, "snat"), ju64(cnt, "dnat"),
		jstr(doc, "nat_flows") ?: "-");
	fmt_nonzero(out, "events: ", ev);
	return 0;
}

int cli_nat_added_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	int r = fmt_not_object(doc, "the answer", err, errlen);

	if (r)
		return r;
	fprintf(out, "added rule %s\n", jstr(doc, "id") ?: "-");
	return 0;
}

int do_nat(int argc, char **argv)
{
	static const cli_print_fn printers[] = {
		[CLI_NAT_SHOW] = cli_nat_print,
		[CLI_NAT_ADDED] = cli_nat_added_print,
		[CLI_NAT_DELETED] = cli_deleted_print,
	};
	enum cli_nat_out what = CLI_NAT_SHOW;
	struct cli_query q;
	char err[256];
	int r = cli_nat_args(argc, argv, &q, &what, err, sizeof(err));

	return cli_run("nat", usage, &q, r, err, printers[what]);
}
