// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl backend: a VIP's backends (/v1/vips/ID/backends,
 * docs/lb-api.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "lb.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] backend [show] ID [-j]\n"
	"       sluicectl [OPTIONS] backend add ID ADDR [--weight N] [--state S] [-j]\n"
	"       sluicectl [OPTIONS] backend set ID ADDR [--weight N] [--state S] [-j]\n"
	"       sluicectl [OPTIONS] backend drain ID ADDR [-j]\n"
	"       sluicectl [OPTIONS] backend del ID ADDR [-j]\n"
	"\n"
	"ID is the VIP (198.18.100.1:80/tcp, [2001:db8:100::1]:443/tcp, or its\n"
	"vip_id); ADDR the backend's IPv4 or IPv6 address.\n"
	"  --weight N   1..1000, share of the Maglev table (add: 1)\n"
	"  --state S    active (add: the default), draining (no new flows,\n"
	"               existing flows stay) or down (its flows rehash)\n"
	"  drain        the same as set --state draining\n"
	"  -j           print the daemon's JSON answer\n";

/* ---- arguments ---- */

static const struct cli_name backend_verbs[] = {
	{ "show", LB_SHOW }, { "list", LB_SHOW },  { "ls", LB_SHOW },
	{ "add", LB_ADD },   { "set", LB_SET },	   { "drain", LB_DRAIN },
	{ "del", LB_DEL },   { "delete", LB_DEL }, { "help", LB_HELP },
	{ NULL, 0 },
};

static const struct lb_option backend_options[O_MAX] = {
	[O_WEIGHT] = { { "weight", 0, OPT_ARG_REQUIRED, "N", NULL },
		       1u << LB_ADD | 1u << LB_SET },
	[O_STATE] = { { "state", 0, OPT_ARG_REQUIRED, "S", NULL },
		      1u << LB_ADD | 1u << LB_SET },
};

#define WEIGHT_MAX 1000

int cli_backend_args(int argc, char **argv, struct cli_query *q, char *err,
		     size_t errlen)
{
	static const char *const states[] = { "active", "draining", "down",
					      NULL };
	const struct lb_option *opts = backend_options;
	char enc[CLI_PATH_MAX], aenc[CLI_PATH_MAX];
	char addr[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	uint32_t weight = 0;
	struct lb_args la;
	struct cli_vip v;
	const char *verb;
	int r;

	cli_query_init(q, "/v1/vips");
	r = lb_parse("backend", backend_verbs, backend_options, 2, argc, argv,
		     &la, q, err, errlen);
	if (r || q->help)
		return r;
	verb = lb_verb_names[la.verb];
	if (!la.npos)
		return cli_fail(
			err, errlen,
			"backend: '%s' needs a VIP (ADDR:PORT/PROTO)%s", verb,
			la.verb == LB_SHOW ? "" : " and a backend address");
	if ((r = lb_vip(&la, true, &v, enc, sizeof(enc), err, errlen)))
		return r;
	if (la.verb == LB_SHOW) {
		if (la.npos > 1)
			return cli_fail(err, errlen,
					"backend: unexpected argument '%s'",
					la.pos[1]);
		q->out = CLI_OUT_BACKENDS;
		if (lb_set_path(q, "/v1/vips/%s/backends", enc))
			return cli_too_long("backend", err, errlen);
		return 0;
	}
	if (la.npos < 2)
		return cli_fail(
			err, errlen,
			"backend: '%s' needs a backend address after the VIP",
			verb);
	if (inet_pton(AF_INET, la.pos[1], bin) == 1)
		inet_ntop(AF_INET, bin, addr, sizeof(addr));
	else if (inet_pton(AF_INET6, la.pos[1], bin) == 1)
		inet_ntop(AF_INET6, bin, addr, sizeof(addr));
	else
		return cli_fail(
			err, errlen,
			"backend: invalid backend address '%s': not an IPv4 or IPv6 address",
			la.pos[1]);
	if (la.opt[O_WEIGHT] &&
	    (r = lb_opt_num(&la, O_WEIGHT, opts, 1, WEIGHT_MAX, "1..1000",
			    &weight, err, errlen)))
		return r;
	if (la.opt[O_STATE] &&
	    (r = lb_opt_choice(&la, O_STATE, opts, states,
			       "active, draining or down", err, errlen)))
		return r;
	if (la.verb == LB_SET && !la.opt[O_WEIGHT] && !la.opt[O_STATE])
		return cli_fail(err, errlen,
				"backend: 'set' needs --weight or --state");
	if (cli_path_encode(addr, aenc, sizeof(aenc)))
		return cli_too_long("backend", err, errlen);

	if (la.verb != LB_DEL) {
		q->body = json_object_new_object();
		if (!q->body)
			return cli_fail(err, errlen, "backend: out of memory");
		if (la.verb == LB_ADD)
			lb_add_string(q->body, "address", addr);
		if (la.opt[O_WEIGHT])
			lb_add_u32(q->body, "weight", weight);
		if (la.opt[O_STATE])
			lb_add_string(q->body, "state", la.opt[O_STATE]);
		if (la.verb == LB_DRAIN)
			lb_add_string(q->body, "state", "draining");
	}
	switch (la.verb) {
	case LB_ADD:
		q->method = "POST";
		q->out = CLI_OUT_BACKEND;
		r = lb_set_path(q, "/v1/vips/%s/backends", enc);
		break;
	case LB_SET:
	case LB_DRAIN:
		q->method = "PATCH";
		q->out = CLI_OUT_BACKEND;
		r = lb_set_path(q, "/v1/vips/%s/backends/%s", enc, aenc);
		break;
	default:
		q->method = "DELETE";
		q->out = CLI_OUT_DELETED;
		r = lb_set_path(q, "/v1/vips/%s/backends/%s", enc, aenc);
		break;
	}
	if (r) {
		cli_query_free(q);
		return cli_too_long("backend", err, errlen);
	}
	return 0;
}

/* ---- printing ---- */

/* "key value", with "-" for a missing value. */
static void kv(char *buf, size_t len, const char *key, const char *val)
{
	snprintf(buf, len, "%s %s", key, val ? val : "-");
}

/* One row per backend: ADDR  weight N  STATE  HEALTH  slots N  packets N
 * new_flows N  [error: ...].  The error stays after the backend is up
 * again (it explains the last flap): then it is the "last error".
 * @indent starts the address cell. */
static int backend_row(struct table *t, json_object *b, const char *indent)
{
	json_object *c = jobj(b, "counters");
	const char *herr = jstr(b, "health_error");
	char addr[64], w[32], slots[32], pk[40], nf[40], e[256] = "";

	snprintf(addr, sizeof(addr), "%s%s", indent,
		 jstr(b, "address") ? jstr(b, "address") : "-");
	kv(w, sizeof(w), "weight", jstr(b, "weight"));
	kv(slots, sizeof(slots), "slots", jstr(b, "slots"));
	kv(pk, sizeof(pk), "packets", c ? jstr(c, "packets") : NULL);
	kv(nf, sizeof(nf), "new_flows", c ? jstr(c, "new_flows") : NULL);
	if (!str_empty(herr))
		snprintf(e, sizeof(e), "%s: %s",
			 str_empty(jstr(b, "health")) ||
					 strcmp(jstr(b, "health"), "up") ?
				 "error" :
				 "last error",
			 herr);
	return table_add(t, addr, w, jstr(b, "state"), jstr(b, "health"), slots,
			 pk, nf, e);
}

int cli_backends_table(json_object *arr, const char *indent, FILE *out)
{
	struct table t = { .ncols = 8 };
	int r = 0;

	for (size_t i = 0; i < json_object_array_length(arr) && !r; i++)
		r = backend_row(&t, json_object_array_get_idx(arr, i), indent);
	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r;
}

int cli_backends_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *a = fmt_top_array(doc, "backends", err, errlen);

	if (!a)
		return -EPROTO;
	return cli_backends_table(a, "", out) ? fmt_nomem(err, errlen) : 0;
}

int cli_backend_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *a;
	int r = fmt_not_object(doc, "the backend", err, errlen);

	if (r)
		return r;
	a = json_object_new_array();
	if (!a)
		return fmt_nomem(err, errlen);
	json_object_array_add(a, json_object_get(doc));
	r = cli_backends_table(a, "", out);
	json_object_put(a);
	return r ? fmt_nomem(err, errlen) : 0;
}

int do_backend(int argc, char **argv)
{
	struct cli_query q;
	char err[512];
	int ret;

	if (cli_backend_args(argc, argv, &q, err, sizeof(err))) {
		cli_query_free(&q);
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (q.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	ret = cli_show("backend", &q, NULL, cli_lb_printer(q.out));
	cli_query_free(&q);
	return ret;
}
