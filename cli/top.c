// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl top: live rates per interface, reason, VIP and backend.
 *
 * No new counter: a rate is the difference between two successive reads
 * of the counters `stats` and `vip` print (GET /v1/stats, GET /v1/vips)
 * over the time between the reads.  The XDP counters are kept by ingress
 * interface and reason, so an interface shows what it received and what
 * became of it (forwarded, passed, dropped); what leaves an interface is
 * not counted per interface anywhere, and is not made up here. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] top [--interval S] [--count N] [-j]\n"
	"\n"
	"Live rates, redrawn every S seconds from two successive reads of\n"
	"the counters: per interface the packets and bits per second it\n"
	"received and how many of them were forwarded, passed to the kernel\n"
	"or dropped; the busiest reasons; each VIP and each of its backends.\n"
	"On a terminal the screen is cleared and redrawn, otherwise each\n"
	"refresh is a block of its own (-j: one JSON document a line).\n"
	"  --interval S   seconds between refreshes, 1..3600 (default 1)\n"
	"  --count N      stop after N refreshes, 1..1000000 (default: until\n"
	"                 Ctrl-C)\n";

#define TOP_REASONS_SHOWN 10 /* the text shows the busiest; -j all */

int cli_top_args(int argc, char **argv, struct cli_top_opts *o, char *err,
		 size_t errlen)
{
	struct cli_query q;
	int i, verb;

	memset(o, 0, sizeof(*o));
	o->interval_s = 1;
	cli_query_init(&q, "/v1/stats");
	verb = i = cli_parse_verb(argc, argv, &q);
	o->help = q.help;
	if (o->help)
		return 0;
	for (; i < argc; i += 2) { /* a flag and its value */
		const char *a = argv[i];
		uint32_t *v, max;

		if (cli_is_json_opt(a)) {
			o->json = true;
			i--; /* no value */
			continue;
		}
		if (!strcmp(a, "--interval")) {
			v = &o->interval_s;
			max = 3600;
		} else if (!strcmp(a, "--count")) {
			v = &o->count;
			max = 1000000;
		} else {
			return cli_bad_arg("top", a, !verb && i == 0, err,
					   errlen);
		}
		if (i + 1 >= argc)
			return cli_fail(err, errlen, "top: %s needs a value",
					a);
		if (cli_parse_u32(argv[i + 1], 1, max, v))
			return cli_fail(err, errlen,
					"top: invalid %s '%s' (1..%u%s)", a,
					argv[i + 1], max,
					v == &o->interval_s ? " seconds" : "");
	}
	return 0;
}

/* ---- rates ---- */

/* The member @key of @o whatever its type (jobj() is for objects only). */
static json_object *jget(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* A counter's rate; a counter that went down was reset (a restarted
 * sluiced, a VIP deleted and added again): it counted from zero. */
static double rate(uint64_t before, uint64_t now, double secs)
{
	return (double)(now >= before ? now - before : now) / secs;
}

static json_object *find_by(json_object *arr, const char *key, const char *val)
{
	if (!val || !json_object_is_type(arr, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *s = jstr(e, key);

		if (s && !strcmp(s, val))
			return e;
	}
	return NULL;
}

/* A rate, printed by -j with three decimals at most ("456.909", "2.5",
 * "0") rather than all seventeen digits of the double. */
static void add_rate(json_object *o, const char *key, double v)
{
	char s[32];
	size_t n = (size_t)snprintf(s, sizeof(s), "%.3f", v);

	while (n > 1 && s[n - 1] == '0')
		s[--n] = '\0';
	if (s[n - 1] == '.')
		s[--n] = '\0';
	json_object_object_add(o, key, json_object_new_double_s(v, s));
}

static int by_pps_desc(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a,
		    *y = *(json_object *const *)b;
	double dx = json_object_get_double(jget(x, "pps"));
	double dy = json_object_get_double(jget(y, "pps"));

	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

/* The TC egress program's reasons (uapi reasons.h, 57-58): packets the
 * host sent, counted on the port they leave by; not received traffic. */
static bool reason_is_host_tx(const char *reason)
{
	return reason && (!strcmp(reason, "pass_egress_tracked") ||
			  !strcmp(reason, "pass_egress_untracked"));
}

/* One interface of /v1/stats: its totals, and its reasons that moved
 * appended to @reasons. */
static json_object *iface_rates(json_object *now, json_object *before,
				double secs, json_object *reasons)
{
	json_object *o = json_object_new_object(), *r0, *r1;
	double pps = 0, bps = 0, fwd = 0, pass = 0, drop = 0;
	const char *name = jstr(now, "name");

	json_object_object_add(o, "name",
			       json_object_new_string(name ? name : "-"));
	if (!json_object_object_get_ex(now, "reasons", &r1))
		r1 = NULL;
	if (!before || !json_object_object_get_ex(before, "reasons", &r0))
		r0 = NULL;
	for (size_t i = 0; r1 && i < json_object_array_length(r1); i++) {
		json_object *e = json_object_array_get_idx(r1, i);
		json_object *p = find_by(r0, "reason", jstr(e, "reason"));
		const char *verdict = jstr(e, "verdict");
		double rp, rb;

		if (!p) /* new since the last read: no rate yet */
			continue;
		rp = rate(ju64(p, "packets"), ju64(e, "packets"), secs);
		rb = 8 * rate(ju64(p, "bytes"), ju64(e, "bytes"), secs);
		if (reason_is_host_tx(jstr(e, "reason"))) {
			/* listed below, but what the host sent is no rx */
		} else if (verdict && !strcmp(verdict, "forward")) {
			fwd += rp;
		} else if (verdict && !strcmp(verdict, "drop")) {
			drop += rp;
		} else {
			pass += rp;
		}
		if (!reason_is_host_tx(jstr(e, "reason"))) {
			pps += rp;
			bps += rb;
		}
		if (rp > 0) {
			json_object *x = json_object_new_object();

			json_object_object_add(
				x, "interface",
				json_object_new_string(name ? name : "-"));
			json_object_object_add(
				x, "reason",
				json_object_get(jget(e, "reason")));
			json_object_object_add(
				x, "verdict",
				json_object_get(jget(e, "verdict")));
			add_rate(x, "pps", rp);
			add_rate(x, "bps", rb);
			json_object_array_add(reasons, x);
		}
	}
	add_rate(o, "rx_pps", pps);
	add_rate(o, "rx_bps", bps);
	add_rate(o, "forward_pps", fwd);
	add_rate(o, "pass_pps", pass);
	add_rate(o, "drop_pps", drop);
	return o;
}

static json_object *backend_rates(json_object *now, json_object *before,
				  double secs)
{
	json_object *o = json_object_new_object();
	json_object *c1 = jobj(now, "counters"), *c0 = jobj(before, "counters");

	json_object_object_add(o, "address",
			       json_object_get(jget(now, "address")));
	json_object_object_add(o, "state", json_object_get(jget(now, "state")));
	json_object_object_add(o, "health",
			       json_object_get(jget(now, "health")));
	add_rate(o, "pps",
		 c0 ? rate(ju64(c0, "packets"), ju64(c1, "packets"), secs) : 0);
	add_rate(o, "bps",
		 c0 ? 8 * rate(ju64(c0, "bytes"), ju64(c1, "bytes"), secs) : 0);
	add_rate(o, "new_flows_ps",
		 c0 ? rate(ju64(c0, "new_flows"), ju64(c1, "new_flows"), secs) :
		      0);
	return o;
}

static json_object *vip_rates(json_object *now, json_object *before,
			      double secs)
{
	json_object *o = json_object_new_object(),
		    *bes = json_object_new_array();
	json_object *c1 = jobj(now, "counters"), *c0 = jobj(before, "counters");
	json_object *b1 = jget(now, "backends"), *b0 = jget(before, "backends");
	static const char *const keys[][2] = {
		{ "packets", "pps" },
		{ "bytes", "bps" },
		{ "new_flows", "new_flows_ps" },
		{ "drops", "drops_ps" },
	};

	json_object_object_add(o, "id", json_object_get(jget(now, "id")));
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		add_rate(o, keys[k][1],
			 !c0 ? 0 :
			       (k == 1 ? 8 : 1) * rate(ju64(c0, keys[k][0]),
						       ju64(c1, keys[k][0]),
						       secs));
	for (size_t i = 0; json_object_is_type(b1, json_type_array) &&
			   i < json_object_array_length(b1);
	     i++) {
		json_object *e = json_object_array_get_idx(b1, i);

		json_object_array_add(bes,
				      backend_rates(e,
						    find_by(b0, "address",
							    jstr(e, "address")),
						    secs));
	}
	json_object_object_add(o, "backends", bes);
	return o;
}

json_object *cli_top_rates(json_object *stats0, json_object *stats1,
			   json_object *vips0, json_object *vips1, double secs)
{
	json_object *o = json_object_new_object();
	json_object *ifs = json_object_new_array();
	json_object *reasons = json_object_new_array();
	json_object *a1 = jget(stats1, "interfaces"),
		    *a0 = jget(stats0, "interfaces");
	size_t n;

	if (secs <= 0)
		secs = 1e-3;
	add_rate(o, "interval_s", secs);
	for (size_t i = 0; json_object_is_type(a1, json_type_array) &&
			   i < json_object_array_length(a1);
	     i++) {
		json_object *e = json_object_array_get_idx(a1, i);

		json_object_array_add(
			ifs,
			iface_rates(e, find_by(a0, "name", jstr(e, "name")),
				    secs, reasons));
	}
	n = json_object_array_length(reasons);
	if (n > 1)
		json_object_array_sort(reasons, by_pps_desc);
	json_object_object_add(o, "interfaces", ifs);
	json_object_object_add(o, "reasons", reasons);
	if (vips1) {
		json_object *v1 = jget(vips1, "vips"),
			    *v0 = jget(vips0, "vips");
		json_object *vs = json_object_new_array();

		for (size_t i = 0; json_object_is_type(v1, json_type_array) &&
				   i < json_object_array_length(v1);
		     i++) {
			json_object *e = json_object_array_get_idx(v1, i);

			json_object_array_add(
				vs,
				vip_rates(e, find_by(v0, "id", jstr(e, "id")),
					  secs));
		}
		json_object_object_add(o, "vips", vs);
	}
	return o;
}

/* ---- text ---- */

/* 1234567 -> "1.23M": a rate in a column of six characters. */
static void si(double v, char *buf, size_t len)
{
	static const char units[] = " kMGTP";
	size_t u = 0;

	while (v >= 999.5 && u + 1 < sizeof(units) - 1) {
		v /= 1000;
		u++;
	}
	if (!u && v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f", v);
	else if (!u) /* below 1/s is not nothing */
		snprintf(buf, len, "%.*f",
			 v < 9.995 ? 2 :
			 v < 99.95 ? 1 :
				     0,
			 v);
	else
		snprintf(buf, len, "%.*f%c",
			 v < 9.995 ? 2 :
			 v < 99.95 ? 1 :
				     0,
			 v, units[u]);
}

static const char *si_of(json_object *o, const char *key, char *buf, size_t len)
{
	si(json_object_get_double(jget(o, key)), buf, len);
	return buf;
}

#define R(o, k, b) si_of(o, k, b, sizeof(b))

static int print_ifaces(json_object *a, FILE *out)
{
	static const char *const head[] = {
		"INTERFACE", "RX_PPS",	 "RX_BPS",
		"FWD_PPS",   "PASS_PPS", "DROP_PPS"
	};
	struct table t = { .ncols = 6, .head = head, .right = 0x3e };
	int r = 0;

	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		char p[16], b[16], f[16], s[16], d[16];

		r = table_add(&t, jstr(e, "name"), R(e, "rx_pps", p),
			      R(e, "rx_bps", b), R(e, "forward_pps", f),
			      R(e, "pass_pps", s), R(e, "drop_pps", d));
	}
	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r;
}

static int print_reasons(json_object *a, FILE *out)
{
	static const char *const head[] = { "REASON", "INTERFACE", "VERDICT",
					    "PPS", "BPS" };
	struct table t = { .ncols = 5, .head = head, .right = 0x18 };
	int r = 0;

	for (size_t i = 0;
	     i < json_object_array_length(a) && i < TOP_REASONS_SHOWN && !r;
	     i++) {
		json_object *e = json_object_array_get_idx(a, i);
		char p[16], b[16];

		r = table_add(&t, jstr(e, "reason"), jstr(e, "interface"),
			      jstr(e, "verdict"), R(e, "pps", p),
			      R(e, "bps", b));
	}
	if (!r && t.nrows)
		table_print(&t, out);
	else if (!r)
		fputs("no packets counted in the interval\n", out);
	table_free(&t);
	return r;
}

static int print_vips(json_object *a, FILE *out)
{
	static const char *const head[] = {
		"VIP / BACKEND", "PPS",	    "BPS",
		"NEW_FLOWS/S",	 "DROPS/S", "HEALTH"
	};
	struct table t = { .ncols = 6, .head = head, .right = 0x1e };
	int r = 0;

	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *v = json_object_array_get_idx(a, i);
		json_object *bes = jget(v, "backends");
		char p[16], b[16], n[16], d[16], name[80];

		r = table_add(&t, jstr(v, "id"), R(v, "pps", p), R(v, "bps", b),
			      R(v, "new_flows_ps", n), R(v, "drops_ps", d), "");
		for (size_t j = 0;
		     !r && json_object_is_type(bes, json_type_array) &&
		     j < json_object_array_length(bes);
		     j++) {
			json_object *e = json_object_array_get_idx(bes, j);
			const char *st = jstr(e, "state");

			const char *addr = jstr(e, "address");

			snprintf(name, sizeof(name), "  %s%s%s",
				 addr ? addr : "-",
				 st && strcmp(st, "active") ? " " : "",
				 st && strcmp(st, "active") ? st : "");
			r = table_add(&t, name, R(e, "pps", p), R(e, "bps", b),
				      R(e, "new_flows_ps", n), "",
				      jstr(e, "health"));
		}
	}
	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r;
}

int cli_top_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *a;
	int r;

	if (fmt_not_object(doc, "top", err, errlen))
		return -EPROTO;
	fprintf(out,
		"rates over the last %.1f s (rx: what sluice's XDP "
		"program received on the interface)\n\n",
		json_object_get_double(jget(doc, "interval_s")));
	a = fmt_top_array(doc, "interfaces", err, errlen);
	if (!a)
		return -EPROTO;
	r = print_ifaces(a, out);
	if (!r) {
		fputc('\n', out);
		a = jget(doc, "reasons");
		r = print_reasons(a, out);
	}
	a = jget(doc, "vips");
	if (!r && json_object_is_type(a, json_type_array) &&
	    json_object_array_length(a)) {
		fputc('\n', out);
		r = print_vips(a, out);
	}
	return r ? fmt_nomem(err, errlen) : 0;
}

/* ---- the loop ---- */

struct top_read {
	json_object *stats, *vips; /* vips NULL: no load balancer */
	double t;		   /* CLOCK_MONOTONIC, seconds */
};

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* In an outage (sluiced restarting): its failures are said once. */
static bool outage;

/* GET @path into *@doc.  404 leaves *@doc NULL when @missing_ok (no load
 * balancer in this role).  Returns an exit code. */
static int get_doc(const char *path, bool missing_ok, json_object **doc)
{
	struct http_resp resp;
	char err[512];
	const char *msg;
	int r;

	*doc = NULL;
	r = http_request_ca(&cli.ep, cli.token, cli.cacert, "GET", path, NULL,
			    &resp, err, sizeof(err));
	if (r) {
		if (!outage)
			cli_error("cannot reach sluiced at %s: %s", cli.api,
				  err);
		return CLI_EXIT_UNREACHABLE;
	}
	if (resp.body)
		*doc = json_tokener_parse(resp.body);
	if (resp.status == 404 && missing_ok) {
		json_object_put(*doc);
		*doc = NULL;
		http_resp_free(&resp);
		return CLI_EXIT_OK;
	}
	if (resp.status < 200 || resp.status > 299 || !*doc) {
		msg = *doc ? cli_error_message(*doc) : NULL;
		cli_error("top: GET %s: %s (HTTP %ld)", path,
			  msg ? msg : "not a JSON answer", resp.status);
		json_object_put(*doc);
		*doc = NULL;
		http_resp_free(&resp);
		return CLI_EXIT_ERR;
	}
	http_resp_free(&resp);
	return CLI_EXIT_OK;
}

static void read_free(struct top_read *rd)
{
	json_object_put(rd->stats);
	json_object_put(rd->vips);
	rd->stats = rd->vips = NULL;
}

static int read_all(struct top_read *rd)
{
	int r;

	rd->t = mono_now();
	r = get_doc("/v1/stats", false, &rd->stats);
	if (!r)
		r = get_doc("/v1/vips", true, &rd->vips);
	if (r)
		read_free(rd);
	return r;
}

/* Sleeps until @t (CLOCK_MONOTONIC seconds), so that drawing does not
 * stretch the interval. */
static void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t,
			       .tv_nsec =
				       (long)((t - (double)(time_t)t) * 1e9) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

static int draw(json_object *rates, bool json, bool tty, bool first)
{
	char err[256];
	int r;

	if (json) {
		fprintf(stdout, "%s\n",
			json_object_to_json_string_ext(
				rates, JSON_C_TO_STRING_PLAIN |
					       JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		/* a terminal is redrawn in place; a pipe or a file gets
		 * blocks, without escape codes */
		if (tty)
			fputs("\033[H\033[2J", stdout);
		else if (!first)
			fputc('\n', stdout);
		r = cli_top_print(rates, stdout, err, sizeof(err));
		if (r) {
			cli_error("top: %s", err);
			return CLI_EXIT_ERR;
		}
	}
	if (fflush(stdout) || ferror(stdout)) {
		cli_error("write error: %s", strerror(errno));
		return CLI_EXIT_ERR;
	}
	return CLI_EXIT_OK;
}

int do_top(int argc, char **argv)
{
	struct top_read prev = { 0 }, cur = { 0 };
	struct cli_top_opts o;
	bool tty = isatty(STDOUT_FILENO);
	char err[256];
	int r;

	if (cli_top_args(argc, argv, &o, err, sizeof(err))) {
		cli_error("%s", err);
		return CLI_EXIT_ERR;
	}
	if (o.help) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	r = read_all(&prev);
	for (uint32_t n = 0; !r && (!o.count || n < o.count); n++) {
		json_object *rates;

		sleep_until((outage ? mono_now() : prev.t) + o.interval_s);
		r = read_all(&cur);
		/* sluiced restarting: keep asking, each try one of --count;
		 * the next block spans the gap (a counter that went down
		 * counts from zero) */
		if (r == CLI_EXIT_UNREACHABLE) {
			if (!outage)
				fprintf(stderr,
					"top: retrying every %u s until "
					"sluiced answers\n",
					o.interval_s);
			outage = true;
			r = CLI_EXIT_OK;
			if (o.count && n + 1 >= o.count)
				r = CLI_EXIT_UNREACHABLE;
			continue;
		}
		if (r)
			break;
		if (outage) {
			fprintf(stderr, "top: sluiced answers again\n");
			outage = false;
		}
		rates = cli_top_rates(prev.stats, cur.stats, prev.vips,
				      cur.vips, cur.t - prev.t);
		r = draw(rates, cli.json || o.json, tty, n == 0);
		json_object_put(rates);
		read_free(&prev);
		prev = cur;
		cur = (struct top_read){ 0 };
	}
	read_free(&prev);
	return r;
}
