// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl: the one request/print path every noun goes through, and its
 * messages. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

struct cli_opts cli;

void cli_error(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One line, whatever the daemon put in its message. */
	for (char *p = buf; *p; p++)
		if (iscntrl((unsigned char)*p))
			*p = ' ';
	fprintf(stderr, "sluicectl: %s\n", buf);
}

static const char *unreachable_hint(int err)
{
	switch (err) {
	case -ECONNREFUSED:
	case -ENOENT: return " (is sluiced running?)";
	case -EACCES:
	case -EPERM:
		return " (the socket is root's, mode 0600: run sluicectl as root)";
	default: return "";
	}
}

static json_object *parse_body(const struct http_resp *resp, const char **why)
{
	enum json_tokener_error jerr = json_tokener_success;
	json_object *doc;

	if (!resp->body || !resp->len) {
		*why = "empty body";
		return NULL;
	}
	doc = json_tokener_parse_verbose(resp->body, &jerr);
	if (!doc)
		*why = jerr != json_tokener_success ?
			       json_tokener_error_desc(jerr) :
			       "null document";
	return doc;
}

static void report_http_error(const struct http_resp *resp, json_object *doc)
{
	const char *msg = doc ? cli_error_message(doc) : NULL;

	if (resp->status == 401)
		cli_error(
			"sluiced: %s (HTTP 401); %s",
			msg ? msg : "unauthorized",
			cli.token ?
				"the token was refused, check --token or SLUICE_API_TOKEN" :
				"this endpoint needs a token: --token or SLUICE_API_TOKEN");
	else if (msg)
		cli_error("sluiced: %s (HTTP %ld)", msg, resp->status);
	else
		cli_error("sluiced: HTTP %ld without an error message",
			  resp->status);
}

/* One request of @q's method and body to @path: 0 and the answer in
 * *@doc, or the exit code with the error printed. */
static int fetch(const char *noun, const struct cli_query *q, const char *path,
		 json_object **doc)
{
	struct http_resp resp;
	const char *why = NULL;
	char err[512];
	int r;

	*doc = NULL;
	r = http_request_ca(&cli.ep, cli.token, cli.cacert,
			    q->method ? q->method : "GET", path,
			    cli_body_string(q), &resp, err, sizeof(err));
	if (r) {
		bool change = q->method && strcmp(q->method, "GET");

		/* Sent but unanswered: say that it may have happened. */
		cli_error(
			"cannot reach sluiced at %s: %s%s%s", cli.api, err,
			unreachable_hint(r),
			change && resp.sent ?
				"; the request was sent, check whether it took effect" :
				"");
		return CLI_EXIT_UNREACHABLE;
	}
	*doc = parse_body(&resp, &why);
	if (resp.status < 200 || resp.status > 299) {
		report_http_error(&resp, *doc);
		goto fail;
	}
	if (!*doc) {
		cli_error(
			"%s: unexpected response from sluiced (HTTP %ld): not JSON: %s",
			noun, resp.status, why);
		goto fail;
	}
	http_resp_free(&resp);
	return CLI_EXIT_OK;
fail:
	json_object_put(*doc);
	*doc = NULL;
	http_resp_free(&resp);
	return CLI_EXIT_ERR;
}

static int flush_stdout(void)
{
	if (fflush(stdout) || ferror(stdout)) {
		cli_error("write error: %s", strerror(errno));
		return CLI_EXIT_ERR;
	}
	return CLI_EXIT_OK;
}

/* A page's items as the JSON document's, streamed: a million routes are
 * never one json-c tree in this process. */
static void json_items(json_object *arr, bool *first, FILE *out)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		fprintf(out, "%s\n    %s", *first ? "" : ",",
			json_object_to_json_string_ext(
				json_object_array_get_idx(arr, i),
				JSON_C_TO_STRING_SPACED |
					JSON_C_TO_STRING_NOSLASHESCAPE));
		*first = false;
	}
}

/* --all: every page of a paged listing, q->pages_limit items a request,
 * each request's cursor the previous answer's "next".  Text is printed page by
 * page (or once, merged, for a table); JSON is one document, as a single
 * page would be with every item in it and "next": null. */
static int show_pages(const char *noun, const struct cli_query *q,
		      cli_print_fn print)
{
	const char *key = q->pages_key;
	bool json = cli.json || q->json, first = true;
	json_object *merged = NULL, *all = NULL, *doc = NULL, *arr;
	char path[CLI_PATH_MAX + 16], cursor[CLI_PATH_MAX] = "";
	char enc[CLI_PATH_MAX], err[512];
	int64_t total = 0;
	int r = CLI_EXIT_ERR;

	if (json) {
		printf("{ \"%s\": [", key);
	} else if (q->pages_merge) {
		/* printed even when empty: a table's header says so */
		merged = json_object_new_object();
		all = json_object_new_array();
		json_object_object_add(merged, key, all);
	}
	for (;;) {
		const char *next;

		if (cli_urlencode(cursor, enc, sizeof(enc)) ||
		    snprintf(path, sizeof(path), "%s%climit=%u%s%s", q->path,
			     strchr(q->path, '?') ? '&' : '?', q->pages_limit,
			     *cursor ? "&cursor=" : "",
			     enc) >= (int)sizeof(path)) {
			cli_error("%s: cursor '%s' too long for a request",
				  noun, cursor);
			goto out;
		}
		r = fetch(noun, q, path, &doc);
		if (r)
			goto out;
		r = CLI_EXIT_ERR;
		arr = fmt_top_array(doc, key, err, sizeof(err));
		if (!arr) {
			cli_error("%s: %s", noun, err);
			goto out;
		}
		total = json_object_get_int64(
			json_object_object_get(doc, "total"));
		next = jstr(doc, "next");
		/* a cursor that does not move would ask for the same page
		 * for ever */
		if (!str_empty(next) && !strcmp(next, cursor)) {
			cli_error("%s: sluiced gave the same cursor '%s' twice",
				  noun, next);
			goto out;
		}
		snprintf(cursor, sizeof(cursor), "%s", next ? next : "");
		if (json) {
			json_items(arr, &first, stdout);
		} else if (merged) {
			for (size_t i = 0; i < json_object_array_length(arr);
			     i++)
				json_object_array_add(
					all, json_object_get(
						     json_object_array_get_idx(
							     arr, i)));
		} else {
			json_object_object_del(doc, "next");
			if (print(doc, stdout, err, sizeof(err))) {
				cli_error("%s: %s", noun, err);
				goto out;
			}
		}
		json_object_put(doc);
		doc = NULL;
		if (!*cursor)
			break;
	}
	if (json)
		printf("%s], \"total\": %" PRId64 ", \"next\": null }\n",
		       first ? "" : "\n  ", total);
	if (merged && print(merged, stdout, err, sizeof(err))) {
		cli_error("%s: %s", noun, err);
		goto out;
	}
	r = flush_stdout();
out:
	json_object_put(doc);
	json_object_put(merged);
	return r;
}

int cli_show(const char *noun, const struct cli_query *q, cli_filter_fn filter,
	     cli_print_fn print)
{
	json_object *doc;
	char err[512];
	int r, ret;
	bool json;

	if (q->pages_key)
		return show_pages(noun, q, print);
	ret = fetch(noun, q, q->path, &doc);
	if (ret)
		return ret;
	ret = CLI_EXIT_ERR;
	if (filter && filter(doc, q, err, sizeof(err))) {
		cli_error("%s", err);
		goto out_doc;
	}
	json = cli.json || q->json;
	r = json ? cli_json_print(doc, stdout) :
		   print(doc, stdout, err, sizeof(err));
	if (r) {
		cli_error("%s: %s", noun, json ? strerror(-r) : err);
		goto out_doc;
	}
	ret = flush_stdout();
out_doc:
	json_object_put(doc);
	return ret;
}

int cli_run(const char *noun, const char *usage, struct cli_query *q,
	    int parse_err, const char *err, cli_print_fn print)
{
	int r;

	if (parse_err) {
		cli_error("%s", err);
		r = CLI_EXIT_ERR;
	} else if (q->help) {
		fputs(usage, stdout);
		r = CLI_EXIT_OK;
	} else {
		r = cli_show(noun, q, NULL, print);
	}
	cli_query_free(q);
	return r;
}
