// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl lb: load balancer settings and flow table use (GET /v1/lb),
 * and the argument shape vip and backend share (lb.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lb.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char usage[] =
	"Usage: sluicectl [OPTIONS] lb [show] [-j]\n"
	"       sluicectl [OPTIONS] lb flows [show] [FILTER] [--limit N] [--cursor C] [-j]\n"
	"       sluicectl [OPTIONS] lb flows flush [FILTER] [-j]\n"
	"\n"
	"The load balancer's outer source prefixes (without one, a family's\n"
	"outer source is the egress port's own address), the idle timeout of\n"
	"a flow, and the flow table's\n"
	"entries and capacity.  sluicectl vip shows the VIPs.\n"
	"lb flows lists the flows a page at a time, lb flows flush removes\n"
	"them; --vip, --backend and --src pick which (sluicectl lb flows help).\n";

/* ---- what vip and backend share ---- */

const char *const lb_verb_names[] = {
	[LB_SHOW] = "show", [LB_ADD] = "add",	  [LB_DEL] = "del",
	[LB_SET] = "set",   [LB_DRAIN] = "drain", [LB_HELP] = "help",
};

/* The verb (explicit, or show when the first argument is an id), then
 * the options and positional arguments, checked only for their shape. */
int lb_parse(const char *noun, const struct cli_name *verbs,
	     const struct lb_option *opts, int max_pos, int argc, char **argv,
	     struct lb_args *la, struct cli_query *q, char *err, size_t errlen)
{
	int i = 0, v;

	memset(la, 0, sizeof(*la));
	la->noun = noun;
	la->verb = LB_SHOW;
	for (int k = 0; k < argc; k++)
		if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help"))
			q->help = true;
	if (argc > 0 && argv[0][0] != '-') {
		v = cli_match(argv[0], verbs);
		if (v >= 0) {
			la->verb = (enum lb_verb)v;
			i = 1;
		} else if (v == -ENOTUNIQ) {
			char list[64] = "";
			size_t n = 0, len = strlen(argv[0]);
			unsigned int seen = 0;

			if (q->help)
				return 0;
			/* one name per verb: "del, drain" */
			for (const struct cli_name *c = verbs; c->name; c++) {
				if (strncmp(argv[0], c->name, len) ||
				    seen & 1u << c->id || n >= sizeof(list))
					continue;
				seen |= 1u << c->id;
				n += (size_t)snprintf(list + n,
						      sizeof(list) - n, "%s%s",
						      n ? ", " : "", c->name);
			}
			return cli_fail(err, errlen,
					"%s: ambiguous command '%s' (%s)", noun,
					argv[0], list);
		} else if (cli_looks_like_word(argv[0])) {
			if (q->help)
				return 0;
			return cli_bad_arg(noun, argv[0], true, err, errlen);
		}
	}
	if (la->verb == LB_HELP)
		q->help = true;
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		int o, r = 0;

		if (cli_is_json_opt(a)) {
			q->json = true;
			continue;
		}
		for (o = 0; o < O_MAX; o++)
			if (opts[o].def.long_name &&
			    (r = opts_match(&opts[o].def, argc, argv, &i,
					    &val)))
				break;
		if (r < 0)
			return cli_fail(err, errlen,
					"%s: option '%s' needs a value", noun,
					a);
		if (o < O_MAX) {
			if (!(opts[o].verbs & 1u << la->verb))
				return cli_fail(
					err, errlen,
					"%s: option '--%s' does not go with '%s'",
					noun, opts[o].def.long_name,
					lb_verb_names[la->verb]);
			if (la->opt[o])
				return cli_fail(
					err, errlen,
					"%s: --%s given twice ('%s', '%s')",
					noun, opts[o].def.long_name, la->opt[o],
					val);
			la->opt[o] = val;
			continue;
		}
		if (a[0] == '-' && a[1])
			return cli_bad_arg(noun, a, false, err, errlen);
		if (la->npos >= max_pos)
			return cli_fail(err, errlen,
					"%s: unexpected argument '%s'", noun,
					a);
		la->pos[la->npos++] = a;
	}
	return 0;
}

__attribute__((format(printf, 2, 3))) int lb_set_path(struct cli_query *q,
						      const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(q->path, sizeof(q->path), fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= sizeof(q->path) ? -ENOSPC : 0;
}

/* The VIP at la->pos[0], percent-encoded into @enc. */
int lb_vip(const struct lb_args *la, bool numeric, struct cli_vip *v, char *enc,
	   size_t enclen, char *err, size_t errlen)
{
	char msg[256], id[80];

	if (cli_vip_parse(la->pos[0], numeric, v, msg, sizeof(msg)))
		return cli_fail(err, errlen, "%s: %s", la->noun, msg);
	cli_vip_text(v, id, sizeof(id));
	if (cli_path_encode(id, enc, enclen))
		return cli_too_long(la->noun, err, errlen);
	return 0;
}

int lb_opt_choice(const struct lb_args *la, enum lb_opt o,
		  const struct lb_option *opts, const char *const *choices,
		  const char *expected, char *err, size_t errlen)
{
	const char *v = la->opt[o];

	for (; *choices; choices++)
		if (!strcmp(v, *choices))
			return 0;
	return cli_fail(err, errlen, "%s: --%s '%s': expected %s", la->noun,
			opts[o].def.long_name, v, expected);
}

int lb_opt_num(const struct lb_args *la, enum lb_opt o,
	       const struct lb_option *opts, uint32_t min, uint32_t max,
	       const char *expected, uint32_t *val, char *err, size_t errlen)
{
	if (cli_parse_u32(la->opt[o], min, max, val))
		return cli_fail(err, errlen, "%s: --%s '%s': expected %s",
				la->noun, opts[o].def.long_name, la->opt[o],
				expected);
	return 0;
}

void lb_add_string(json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

void lb_add_u32(json_object *o, const char *key, uint32_t val)
{
	json_object_object_add(o, key, json_object_new_int64(val));
}

/* ---- lb ---- */

/* "flows" is a noun of its own below lb, with its own verbs (flush
 * among them: "lb flush" alone stays an unknown command), so it is
 * matched before lb's verbs, and a unique prefix will do as anywhere. */
bool cli_lb_flows_named(int argc, char **argv)
{
	static const struct cli_name sub[] = { { "flows", 1 }, { NULL, 0 } };

	return argc > 0 && cli_match(argv[0], sub) == 1;
}

int cli_lb_args(int argc, char **argv, struct cli_query *q, char *err,
		size_t errlen)
{
	int i;

	cli_query_init(q, "/v1/lb");
	q->out = CLI_OUT_LB;
	i = cli_parse_verb(argc, argv, q);
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		return cli_bad_arg("lb", argv[i], i == 0, err, errlen);
	}
	return 0;
}

int cli_lb_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const struct field lb_fields[] = {
		/* "": no range (said below) */
		{ "source_v4", "source v4", F_OPTIONAL },
		{ "source_v6", "source v6", F_OPTIONAL },
		{ "flow_idle_timeout_s", "flow idle timeout", F_DURATION },
		{ "flows", "flows", F_OPTIONAL },
		/* the count is a timer's (no walk per request) */
		{ "flows_age_ms", "flows counted, ms ago", F_OPTIONAL },
		{ "flow_capacity", "flow capacity", F_OPTIONAL },
		/* not in the contract, but sluiced sends them */
		{ "vips", "VIPs", F_OPTIONAL },
		{ "slots_written", "slots written", F_OPTIONAL },
		{ "state_file", "state file", F_OPTIONAL },
		{ "state_write_errors", "state write errors", F_OPTIONAL },
	};
	int r = fmt_not_object(doc, "the document", err, errlen);

	if (r)
		return r;
	/* no range: the egress port's own address, not "none" (the family
	 * is encapsulated all the same) */
	for (int fam = 0; fam < 2; fam++) {
		const char *key = fam ? "source_v6" : "source_v4";
		const char *v = jstr(doc, key);

		if (v && !*v)
			json_object_object_add(doc, key,
					       json_object_new_string(
						       "the egress port's "
						       "address (no range)"));
	}
	r = fields_print(doc, lb_fields, ARRAY_SIZE(lb_fields), out, err,
			 errlen);
	/* evictions and failed inserts: only those that happened */
	if (!r)
		fmt_nonzero(out, "flow events: ", jobj(doc, "flow_events"));
	return r;
}

int cli_deleted_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	const char *d;
	int r = fmt_not_object(doc, "the answer", err, errlen);

	if (r)
		return r;
	d = jstr(doc, "deleted");
	fprintf(out, "deleted %s\n", str_empty(d) ? "-" : d);
	return 0;
}

cli_printer cli_lb_printer(enum cli_out what)
{
	switch (what) {
	case CLI_OUT_VIP: return cli_vip_print;
	case CLI_OUT_BACKENDS: return cli_backends_print;
	case CLI_OUT_BACKEND: return cli_backend_print;
	case CLI_OUT_DELETED: return cli_deleted_print;
	case CLI_OUT_LB: return cli_lb_print;
	case CLI_OUT_VIPS:
	default: return cli_vips_print;
	}
}

int do_lb(int argc, char **argv)
{
	struct cli_query q;
	char err[256];

	if (cli_lb_flows_named(argc, argv))
		return do_lb_flows(argc - 1, argv + 1);
	if (cli_lb_args(argc, argv, &q, err, sizeof(err))) {
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	return cli_show("lb", &q, NULL, cli_lb_printer(q.out));
}
