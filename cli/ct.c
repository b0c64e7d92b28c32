// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl ct: connection tracking (/v1/conntrack, docs/conntrack.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <uapi/sluice/ct.h>
#include "cli.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char usage[] =
	"Usage: sluicectl [OPTIONS] ct [show] [FILTER] [--limit N] [--cursor C] [-j]\n"
	"       sluicectl [OPTIONS] ct count [-j]\n"
	"       sluicectl [OPTIONS] ct flush [FILTER] [-j]\n"
	"       sluicectl [OPTIONS] ct enable|disable [-j]\n"
	"       sluicectl [OPTIONS] ct timeout STATE SECONDS [-j]\n"
	"       sluicectl [OPTIONS] ct config [-j]\n"
	"\n"
	"The connection tracking table, as conntrack -L prints it: protocol,\n"
	"state, opener -> answerer, packets and bytes each way, idle time.\n"
	"FILTER (show, flush):\n"
	"  --src P     the opener's address or prefix (IPv4 or IPv6)\n"
	"  --dst P     the answerer's address or prefix\n"
	"  --proto X   tcp, udp, icmp, icmpv6 or a number 1..255\n"
	"  --state S   syn_sent, syn_recv, established, fin_wait, close_wait,\n"
	"              last_ack, time_wait, close, unreplied, replied\n"
	"  --limit N   entries a page, 1..10000 (100); --cursor C goes on\n"
	"              from the 'next' the previous page printed\n"
	"count: entries by protocol and state, the capacity, the events.\n"
	"flush: removes the entries the filter matches (all without one).\n"
	"enable, disable: switch tracking (kept across restarts, ct.json).\n"
	"timeout: a state's timeout, 1..2147483647 seconds (kept likewise).\n"
	"  -j          print the daemon's JSON answer\n";

enum ct_verb {
	CT_SHOW,
	CT_COUNT,
	CT_FLUSH,
	CT_ENABLE,
	CT_DISABLE,
	CT_TIMEOUT,
	CT_CONFIG,
	CT_HELP
};

static const struct cli_name ct_verbs[] = {
	{ "show", CT_SHOW },
	{ "list", CT_SHOW },
	{ "ls", CT_SHOW },
	{ "count", CT_COUNT },
	{ "flush", CT_FLUSH },
	{ "enable", CT_ENABLE },
	{ "disable", CT_DISABLE },
	{ "timeout", CT_TIMEOUT },
	{ "config", CT_CONFIG },
	{ "help", CT_HELP },
	{ NULL, 0 },
};

#define CT_STATE_NAME_(id, num, name) [num] = name,
static const char *const state_names[SLUICE_CT_NSTATES] = { SLUICE_CT_STATES(
	CT_STATE_NAME_) };
#undef CT_STATE_NAME_

static bool state_known(const char *s)
{
	for (unsigned int i = 1; i < SLUICE_CT_NSTATES; i++)
		if (!strcmp(s, state_names[i]))
			return true;
	return false;
}

static bool proto_ok(const char *s)
{
	static const char *const names[] = { "tcp", "udp", "icmp", "icmpv6" };
	uint32_t n;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return true;
	return !cli_parse_u32(s, 1, 255, &n);
}

/* --src, --dst, --proto, --state, --limit, --cursor: the value checked
 * and added to the query.  1 if argv[*i] was one, 0 if not. */
static int filter_opt(int argc, char **argv, int *i, bool page,
		      struct cli_query *q, char *err, size_t errlen)
{
	static const char *const opts[] = { "--src",   "--dst",	  "--proto",
					    "--state", "--limit", "--cursor" };
	const char *a = argv[*i], *v;
	size_t k;
	int fam;
	uint32_t n;

	for (k = 0; k < ARRAY_SIZE(opts); k++)
		if (!strcmp(a, opts[k]))
			break;
	if (k == ARRAY_SIZE(opts))
		return 0;
	if (k >= 4 && !page)
		return cli_fail(
			err, errlen,
			"ct: %s is for show (flush takes a filter only)", a);
	if (*i + 1 >= argc)
		return cli_fail(err, errlen, "ct: %s needs a value", a);
	v = argv[++*i];
	if (k <= 1 && cli_prefix_parse(v, &fam))
		return cli_fail(err, errlen,
				"ct: %s '%s' is not an address or a prefix", a,
				v);
	if (k == 2 && !proto_ok(v))
		return cli_fail(
			err, errlen,
			"ct: --proto '%s' is not one of tcp, udp, icmp, "
			"icmpv6 or a number 1..255",
			v);
	if (k == 3 && !state_known(v))
		return cli_fail(
			err, errlen,
			"ct: --state '%s' is not one of syn_sent, "
			"syn_recv, established, fin_wait, close_wait, "
			"last_ack, time_wait, close, unreplied, replied",
			v);
	if (k == 4 && cli_parse_u32(v, 1, 10000, &n))
		return cli_fail(err, errlen,
				"ct: --limit '%s' is not a number 1..10000", v);
	if (k == 5 && (strlen(v) != 2 * sizeof(struct sluice_ct_key) ||
		       strspn(v, "0123456789abcdef") != strlen(v)))
		return cli_fail(err, errlen,
				"ct: --cursor '%s' is not a cursor (the 'next' "
				"of the previous page)",
				v);
	if (cli_query_add(q, opts[k] + 2, v))
		return cli_too_long("ct", err, errlen);
	return 1;
}

static int put_body(struct cli_query *q, json_object *body)
{
	if (!body)
		return -ENOMEM;
	q->method = "PUT";
	q->body = body;
	q->out = CLI_OUT_DEFAULT;
	return 0;
}

int cli_ct_args(int argc, char **argv, struct cli_query *q,
		enum cli_ct_out *out, char *err, size_t errlen)
{
	int verb = CT_SHOW, i = 0, r;
	uint32_t secs;

	cli_query_init(q, "/v1/conntrack");
	*out = CLI_CT_SHOW;
	i = cli_noun_verb("ct", argc, argv, ct_verbs, q, &verb, err, errlen);
	if (i < 0)
		return i;
	if (verb == CT_HELP)
		q->help = true;
	if (q->help)
		return 0;
	switch (verb) {
	case CT_COUNT:
	case CT_CONFIG:
		cli_query_init(q, verb == CT_COUNT ? "/v1/conntrack/count" :
						     "/v1/conntrack/config");
		*out = verb == CT_COUNT ? CLI_CT_COUNT : CLI_CT_CONFIG;
		break;
	case CT_FLUSH:
		q->method = "DELETE";
		*out = CLI_CT_FLUSH;
		break;
	case CT_ENABLE:
	case CT_DISABLE: {
		json_object *b = json_object_new_object();

		cli_query_init(q, "/v1/conntrack/config");
		if (b)
			json_object_object_add(
				b, "enabled",
				json_object_new_boolean(verb == CT_ENABLE));
		if (put_body(q, b))
			return fmt_nomem(err, errlen);
		*out = CLI_CT_CONFIG;
		break;
	}
	case CT_TIMEOUT: {
		json_object *b, *t;

		if (argc - i < 2)
			return cli_fail(err, errlen,
					"ct: timeout needs STATE SECONDS");
		if (!state_known(argv[i]))
			return cli_fail(err, errlen,
					"ct: timeout: state '%s' is not one of "
					"syn_sent, syn_recv, established, "
					"fin_wait, close_wait, last_ack, "
					"time_wait, close, unreplied, replied",
					argv[i]);
		if (cli_parse_u32(argv[i + 1], 1, 2147483647u, &secs))
			return cli_fail(err, errlen,
					"ct: timeout: '%s' is not a number of "
					"seconds 1..2147483647",
					argv[i + 1]);
		cli_query_init(q, "/v1/conntrack/config");
		b = json_object_new_object();
		t = json_object_new_object();
		if (b && t) {
			json_object_object_add(t, argv[i],
					       json_object_new_int64(secs));
			json_object_object_add(b, "timeouts", t);
			t = NULL;
		}
		json_object_put(t);
		if (put_body(q, b))
			return fmt_nomem(err, errlen);
		*out = CLI_CT_CONFIG;
		i += 2;
		break;
	}
	default: break;
	}
	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		if (verb == CT_SHOW || verb == CT_FLUSH) {
			r = filter_opt(argc, argv, &i, verb == CT_SHOW, q, err,
				       errlen);
			if (r < 0)
				return r;
			if (r)
				continue;
		}
		return cli_bad_arg("ct", argv[i], false, err, errlen);
	}
	return 0;
}

/* ---- printing ---- */

int cli_ct_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "PROTO", "STATE", "FLOW", "PACKETS",
					    "BYTES", "IDLE",  "FLAGS" };
	struct table t = { .ncols = 7, .head = head, .right = 0x18 };
	json_object *a = fmt_top_array(doc, "entries", err, errlen);
	const char *next;
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i), *fl;
		char src[64], dst[64], flow[140], pk[48], by[48], idle[32],
			flags[64] = "";

		fmt_endpoint(e, "src", "sport", src, sizeof(src));
		fmt_endpoint(e, "dst", "dport", dst, sizeof(dst));
		if (jstr(e, "id"))
			snprintf(flow, sizeof(flow), "%s -> %s id %s", src, dst,
				 jstr(e, "id"));
		else
			snprintf(flow, sizeof(flow), "%s -> %s", src, dst);
		snprintf(pk, sizeof(pk), "%" PRIu64 "/%" PRIu64,
			 ju64(e, "packets_orig"), ju64(e, "packets_reply"));
		snprintf(by, sizeof(by), "%" PRIu64 "/%" PRIu64,
			 ju64(e, "bytes_orig"), ju64(e, "bytes_reply"));
		cli_fmt_duration(ju64(e, "idle_s"), idle, sizeof(idle));
		if (json_object_object_get_ex(e, "flags", &fl) &&
		    json_object_is_type(fl, json_type_array))
			for (size_t k = 0; k < json_object_array_length(fl);
			     k++) {
				size_t n = strlen(flags);

				snprintf(flags + n, sizeof(flags) - n, "%s%s",
					 n ? "," : "",
					 json_object_get_string(
						 json_object_array_get_idx(fl,
									   k)));
			}
		r = table_add(&t, jstr(e, "proto"), jstr(e, "state"), flow, pk,
			      by, idle, flags);
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

int cli_ct_count_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "PROTO", "STATE", "ENTRIES" };
	struct table t = { .ncols = 3, .head = head, .right = 0x4 };
	json_object *cls = jobj(doc, "by_class"), *ev = jobj(doc, "events");
	int r = fmt_not_object(doc, "the document", err, errlen);
	json_object *fill = NULL;

	if (r)
		return r;
	json_object_object_get_ex(doc, "fill_ratio", &fill);
	fprintf(out,
		"total %" PRIu64 "  capacity %" PRIu64 "  fill %.1f%%  %s\n",
		ju64(doc, "total"), ju64(doc, "capacity"),
		fill ? 100 * json_object_get_double(fill) : 0.0,
		jbool(doc, "enabled") ? "enabled" : "disabled");
	if (cls && json_object_is_type(cls, json_type_object)) {
		json_object_object_foreach(cls, proto, states) {
			json_object_object_foreach(states, st, v) {
				char n[24];

				if (!strcmp(st, "total") ||
				    !json_object_get_int64(v))
					continue;
				snprintf(n, sizeof(n), "%" PRId64,
					 json_object_get_int64(v));
				r = table_add(&t, proto, st, n);
				if (r)
					goto nomem;
			}
		}
	}
	table_print(&t, out);
	table_free(&t);
	fmt_nonzero(out, "events: ", ev);
	return 0;
nomem:
	table_free(&t);
	return fmt_nomem(err, errlen);
}

int cli_ct_config_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const struct field fields[] = {
		{ "enabled", "enabled", F_BOOL },
		{ "max_entries", "max entries", F_TEXT },
		{ "debug_fill", "debug fill", F_BOOL },
		{ "state_file", "state file", F_OPTIONAL },
		{ "state_write_errors", "state write errors", F_TEXT },
	};
	json_object *t = jobj(doc, "timeouts");
	int r = fmt_not_object(doc, "the document", err, errlen);

	if (r)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const char *v = jstr(doc, fields[i].key);

		if (!v)
			continue;
		if (fields[i].kind == F_BOOL)
			v = jbool(doc, fields[i].key) ? "yes" : "no";
		else if (fields[i].kind == F_OPTIONAL && !*v)
			v = "none";
		fprintf(out, "%-20s %s\n", fields[i].label, v);
	}
	if (t && json_object_is_type(t, json_type_object)) {
		json_object_object_foreach(t, st, v) {
			char d[32];

			cli_fmt_duration((uint64_t)json_object_get_int64(v), d,
					 sizeof(d));
			fprintf(out, "timeout %-12s %s\n", st, d);
		}
	}
	return 0;
}

int cli_ct_flush_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	int r = fmt_not_object(doc, "the answer", err, errlen);

	if (r)
		return r;
	fprintf(out, "flushed %" PRIu64 " entries\n", ju64(doc, "flushed"));
	return 0;
}

int do_ct(int argc, char **argv)
{
	static const cli_print_fn printers[] = {
		[CLI_CT_SHOW] = cli_ct_print,
		[CLI_CT_COUNT] = cli_ct_count_print,
		[CLI_CT_FLUSH] = cli_ct_flush_print,
		[CLI_CT_CONFIG] = cli_ct_config_print,
	};
	enum cli_ct_out what = CLI_CT_SHOW;
	struct cli_query q;
	char err[256];
	int r = cli_ct_args(argc, argv, &q, &what, err, sizeof(err));

	return cli_run("ct", usage, &q, r, err, printers[what]);
}
