/* SPDX-License-Identifier: BSD-2-Clause */
/* sluicectl: what main, the HTTP client and the nouns share.  The pure
 * parsing and formatting lives in lib/common/cli_fmt.h. */
#ifndef SLUICECTL_CLI_H
#define SLUICECTL_CLI_H

#include <stdbool.h>
#include "cli_fmt.h"

#define SLUICECTL_VERSION "0.1.0"

/* Exit codes (docs/cli.md) */
#define CLI_EXIT_OK 0
#define CLI_EXIT_ERR 1		/* bad input, or the daemon said no */
#define CLI_EXIT_UNREACHABLE 2	/* no answer from sluiced at all */

/* The global options, parsed once in main (as iproute2's `json`). */
extern struct cli_opts cli;

/* ---- http.c ---- */
struct http_resp {
	long status;		/* HTTP status */
	char *body;		/* NUL-terminated; free() it */
	size_t len;
	bool sent;		/* some of the request went out */
};

/* @method ("GET", "POST", "PATCH", "DELETE") @path ("/v1/routes?family=4")
 * on @ep, with @body as the JSON request body when set, and
 * "Authorization: Bearer" when @token is set.  0 once any HTTP status came
 * back; -ECONNREFUSED, -ENOENT, ... (the connect errno) or -EIO when none
 * did, with the reason in @err and resp->sent telling whether the daemon
 * may have seen the request.  Logs nothing: the caller decides what to
 * say. */
int http_request(const struct endpoint *ep, const char *token,
		 const char *method, const char *path, const char *body,
		 struct http_resp *resp, char *err, size_t errlen);
void http_resp_free(struct http_resp *resp);

/* ---- main.c ---- */
/* One line on stderr, "sluicectl: " first. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef int (*cli_filter_fn)(json_object *doc, const struct cli_query *q,
			     char *err, size_t errlen);
typedef int (*cli_print_fn)(json_object *doc, FILE *out, char *err,
			    size_t errlen);

/* Sends q->method to q->path (with q->body), applies @filter (may be
 * NULL) to the answer, prints -j JSON (global, or q->json) or the text of
 * @print.  Any 2xx is success (201 for a POST).  Returns the exit code. */
int cli_show(const char *noun, const struct cli_query *q,
	     cli_filter_fn filter, cli_print_fn print);

/* ---- one file per noun: argc/argv start after the noun ---- */
int do_status(int argc, char **argv);
int do_iface(int argc, char **argv);
int do_route(int argc, char **argv);
int do_neigh(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_vip(int argc, char **argv);
int do_backend(int argc, char **argv);
int do_lb(int argc, char **argv);

#endif
