// SPDX-License-Identifier: BSD-2-Clause
/*
 * The REST API: every route's handler, reached through api_render() (the
 * dispatcher on a parsed request) as libmicrohttpd would call it, with a
 * context whose subsystems run over a data path without maps
 * (fake_dp.h).  One input is up to 8 requests, separated by NUL bytes,
 * each
 *
 *	METHOD SP PATH [? QUERY] LF BODY
 *
 * so that a request can act on what an earlier one created (a VIP, then
 * its backends).  The path and the query are percent-decoded and split as
 * libmicrohttpd does (first value of a key wins, every key counted).  An
 * input that starts with 'H' is a raw request header instead, for
 * api_screen_header() (the byte after it: 1 = a TCP listener).
 * FUZZ_API_VERBOSE=1 prints each request's status and answer (to see what
 * a corpus file reaches).
 */
#include <ftw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "api.h"
#include "config.h"
#include "ddos.h"
#include "fake_dp.h"
#include "fuzz.h"
#include "fwd.h"
#include "l7.h"
#include "lb_announce.h"
#include "node.h"
#include "steer.h"

#define MAX_REQS 8

/* on tmpfs: the subsystems fsync their state files on every change */
static char state_dir[] = "/dev/shm/sluice-fuzz-api.XXXXXX";
/* FUZZ_API_VERBOSE=1: each request's status and answer on stderr */
static bool verbose;

struct world {
	struct sluiced_config cfg;
	struct state st;
	struct dp *dp;
	struct announce *an;
	struct api_ctx ctx;
};

static int remove_one(const char *path, const struct stat *sb, int type,
		      struct FTW *ftw)
{
	(void)sb;
	(void)type;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

/* FUZZ_API_STATE_OUT=DIR: the state files the requests left, kept as
 * DIR/NAME-N (tests/fuzz/fuzz_state_files' seeds come from there) */
static int keep_one(const char *path, const struct stat *sb, int type,
		    struct FTW *ftw)
{
	static unsigned int n;
	const char *out = getenv("FUZZ_API_STATE_OUT");
	char to[512], buf[4096];
	FILE *in, *o;
	size_t got;

	(void)sb;
	if (type != FTW_F || ftw->level != 1 || !out)
		return 0;
	snprintf(to, sizeof(to), "%s/%s-%d-%u", out, path + ftw->base,
		 (int)getpid(), n++);
	in = fopen(path, "r");
	o = fopen(to, "w");
	while (in && o && (got = fread(buf, 1, sizeof(buf), in)))
		fwrite(buf, 1, got, o);
	if (in)
		fclose(in);
	if (o)
		fclose(o);
	return 0;
}

/* what the subsystems wrote under it (files, l7's directory) */
static void wipe_state_dir(void)
{
	if (getenv("FUZZ_API_STATE_OUT"))
		nftw(state_dir, keep_one, 8, FTW_PHYS);
	nftw(state_dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static int world_init(struct world *w)
{
	struct ct_config ctc = { .enabled = true, .debug_fill = true };
	char err[640];

	memset(w, 0, sizeof(*w));
	config_init(&w->cfg);
	config_add_iface(&w->cfg, "veth0", err, sizeof(err));
	config_add_iface(&w->cfg, "veth1", err, sizeof(err));
	/* main() sets these when neither the file nor a flag did */
	config_set_pin_dir(&w->cfg, state_dir, err, sizeof(err));
	config_set_state_dir(&w->cfg, state_dir, err, sizeof(err));
	w->dp = fuzz_dp_new();
	if (!w->dp)
		return -1;
	if (state_init(&w->st, w->dp, &fuzz_state_ops, &w->cfg))
		return -1;
	w->ctx.st = &w->st;
	w->ctx.cfg = &w->cfg;
	/* every subsystem saves its changes, as in sluiced */
	if (!lb_new(&w->ctx.lb, w->dp, &fuzz_lb_ops, NULL, &w->cfg.lb) &&
	    !lb_set_state_dir(w->ctx.lb, state_dir))
		lb_load(w->ctx.lb, NULL, 0, err, sizeof(err));
	ct_new(&w->ctx.ct, w->dp, &fuzz_ct_ops, &ctc, state_dir);
	if (!nat_new(&w->ctx.nat, w->dp, &fuzz_nat_ops, nat_resolve_state,
		     &w->st, w->ctx.ct, state_dir))
		nat_load(w->ctx.nat, NULL, 0, 1, err, sizeof(err));
	ddos_new(&w->ctx.ddos, w->dp, state_dir, NULL, err, sizeof(err));
	fwd_new(&w->ctx.fw, w->dp, fwd_slot_state, &w->st, state_dir, NULL, err,
		sizeof(err));
	steer_new(&w->ctx.steer, w->dp, nat_resolve_state, &w->st, state_dir,
		  NULL, 0, err, sizeof(err));
	l7_new(&w->ctx.l7, state_dir, state_dir, NULL, err, sizeof(err));
	if (!announce_new(&w->an, &w->cfg.announce, w->ctx.lb))
		node_new(&w->ctx.node, w->an, 0);
	/* a subsystem that no longer starts here would answer 404 to all
	 * of its routes, and the fuzzing of their bodies would stop
	 * unnoticed: that is the harness's failure, said once */
	if (!w->ctx.lb || !w->ctx.ct || !w->ctx.nat || !w->ctx.ddos ||
	    !w->ctx.fw || !w->ctx.steer || !w->ctx.l7 || !w->ctx.node) {
		fprintf(stderr,
			"fuzz_api: a subsystem did not start (lb %p ct %p nat "
			"%p ddos %p fw %p steer %p l7 %p node %p): %s\n",
			(void *)w->ctx.lb, (void *)w->ctx.ct,
			(void *)w->ctx.nat, (void *)w->ctx.ddos,
			(void *)w->ctx.fw, (void *)w->ctx.steer,
			(void *)w->ctx.l7, (void *)w->ctx.node, err);
		return -1;
	}
	return 0;
}

static void world_free(struct world *w)
{
	if (w->ctx.node)
		node_free(w->ctx.node);
	if (w->an)
		announce_free(w->an, false);
	if (w->ctx.l7)
		l7_free(w->ctx.l7, false);
	if (w->ctx.steer)
		steer_free(w->ctx.steer);
	if (w->ctx.fw)
		fwd_free(w->ctx.fw);
	if (w->ctx.ddos)
		ddos_free(w->ctx.ddos);
	if (w->ctx.nat)
		nat_free(w->ctx.nat);
	if (w->ctx.ct)
		ct_free(w->ctx.ct);
	if (w->ctx.lb)
		lb_free(w->ctx.lb);
	state_free(&w->st);
	fuzz_dp_free(w->dp);
	config_free(&w->cfg);
	wipe_state_dir();
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* In place, as MHD_http_unescape(): %XX (an invalid one stays), and '+'
 * as a space where @plus (query arguments). */
static void unescape(char *s, bool plus)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		int hi, lo;

		if (*r == '%' && (hi = hexval(r[1])) >= 0 &&
		    (lo = hexval(r[2])) >= 0) {
			*w++ = (char)(hi << 4 | lo);
			r += 2;
		} else {
			*w++ = plus && *r == '+' ? ' ' : *r;
		}
	}
	*w = '\0';
}

static void query_set(struct api_query *q, const char *key, const char *val)
{
	static const struct {
		const char *name;
		size_t off;
	} named[] = {
		{ "prefix", offsetof(struct api_query, prefix) },
		{ "family", offsetof(struct api_query, family) },
		{ "dev", offsetof(struct api_query, dev) },
		{ "src", offsetof(struct api_query, src) },
		{ "dst", offsetof(struct api_query, dst) },
		{ "proto", offsetof(struct api_query, proto) },
		{ "state", offsetof(struct api_query, state) },
		{ "limit", offsetof(struct api_query, limit) },
		{ "cursor", offsetof(struct api_query, cursor) },
		{ "vip", offsetof(struct api_query, vip) },
		{ "backend", offsetof(struct api_query, backend) },
	};

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		const char **f = (const char **)((char *)q + named[i].off);

		if (!strcmp(key, named[i].name) && !*f)
			*f = val;
	}
	if (q->n_keys < API_QUERY_KEYS)
		q->keys[q->n_keys] = key;
	q->n_keys++;
}

/* "a=1&b&c=%41": keys and values decoded in place (a key without '='
 * has the value NULL, as MHD gives it). */
static void query_parse(struct api_query *q, char *s)
{
	while (s && *s) {
		char *amp = strchr(s, '&'), *eq;

		if (amp)
			*amp++ = '\0';
		eq = strchr(s, '=');
		if (eq)
			*eq++ = '\0';
		unescape(s, true);
		if (eq)
			unescape(eq, true);
		if (*s)
			query_set(q, s, eq);
		s = amp;
	}
}

/* What every answer is: a status a client knows, and for JSON a
 * document that parses (a handler that writes a broken one is a bug the
 * sanitizers would not see). */
static void check_answer(const char *method, const char *url,
			 unsigned int status, const char *ctype,
			 const char *answer)
{
	struct json_object *doc;

	if (!answer || status < 200 || status > 599) {
		fprintf(stderr, "fuzz_api: %s %s: status %u, answer %s\n",
			method, url, status, answer ? answer : "NULL");
		abort();
	}
	if (strcmp(ctype, "application/json"))
		return;
	doc = json_tokener_parse(answer);
	if (!doc) {
		fprintf(stderr, "fuzz_api: %s %s: %u with invalid JSON: %s\n",
			method, url, status, answer);
		abort();
	}
	json_object_put(doc);
}

static void one_request(struct world *w, const uint8_t *data, size_t size)
{
	const char *ctype;
	struct api_query q = {};
	unsigned int status;
	char *line = fuzz_take(&data, &size, '\n');
	char *body = fuzz_strdup(data, size);
	char *target, *query, *answer;

	if (!line || !body)
		goto out;
	target = strchr(line, ' ');
	if (!target)
		goto out;
	*target++ = '\0';
	query = strchr(target, '?');
	if (query)
		*query++ = '\0';
	/* %00 is refused before any handler runs (api_screen_header) */
	if (strstr(target, "%00") || (query && strstr(query, "%00")))
		goto out;
	unescape(target, false);
	query_parse(&q, query);
	if (size) {
		q.body = body;
		q.body_len = size;
	}
	answer = api_render(&w->ctx, line, target, &q, &status, &ctype);
	if (verbose)
		fprintf(stderr, "%s %s: %u %s\n", line, target, status,
			answer ? answer : "(null)");
	check_answer(line, target, status, ctype, answer);
	free(answer);
out:
	free(line);
	free(body);
}

static void screen(const uint8_t *data, size_t size)
{
	unsigned int code;
	size_t hdr_len;
	char msg[256];
	/* an exact-size copy: a read past the end is ASan's */
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return;
	memcpy(buf, data, size);
	api_screen_header(size && (data[0] & 1), buf + (size ? 1 : 0),
			  size ? size - 1 : 0, &hdr_len, &code, msg,
			  sizeof(msg));
	free(buf);
}

static void remove_state_dir(void)
{
	wipe_state_dir();
	rmdir(state_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(state_dir))
		abort();
	atexit(remove_state_dir);
	verbose = getenv("FUZZ_API_VERBOSE");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world w;

	if (size && data[0] == 'H') {
		screen(data + 1, size - 1);
		return 0;
	}
	if (world_init(&w))
		abort();
	for (int i = 0; i < MAX_REQS && size; i++) {
		const uint8_t *end = memchr(data, '\0', size);
		size_t n = end ? (size_t)(end - data) : size;

		one_request(&w, data, n);
		data += n + (end ? 1 : 0);
		size -= n + (end ? 1 : 0);
	}
	world_free(&w);
	return 0;
}
