// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl: the one request/print path every noun goes through, and its
 * messages. */
#include <ctype.h>
#include <errno.h>
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
	case -EPERM: return " (the socket needs root or its group)";
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

int cli_show(const char *noun, const struct cli_query *q, cli_filter_fn filter,
	     cli_print_fn print)
{
	struct http_resp resp;
	const char *why = NULL;
	json_object *doc;
	char err[512];
	int r, ret = CLI_EXIT_ERR;
	bool json;

	r = http_request_ca(&cli.ep, cli.token, cli.cacert,
			    q->method ? q->method : "GET", q->path,
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
	doc = parse_body(&resp, &why);
	if (resp.status < 200 || resp.status > 299) {
		report_http_error(&resp, doc);
		goto out_doc;
	}
	if (!doc) {
		cli_error(
			"%s: unexpected response from sluiced (HTTP %ld): not JSON: %s",
			noun, resp.status, why);
		goto out_resp;
	}
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
	if (fflush(stdout) || ferror(stdout)) {
		cli_error("write error: %s", strerror(errno));
		goto out_doc;
	}
	ret = CLI_EXIT_OK;
out_doc:
	json_object_put(doc);
out_resp:
	http_resp_free(&resp);
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
