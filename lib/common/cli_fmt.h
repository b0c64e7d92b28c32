/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The pure half of sluicectl: argument parsing into request paths, name
 * matching, and text formatting of the daemon's JSON documents.  No I/O
 * beyond writing to a caller's FILE, no exit(), no globals, so the unit
 * tests link it without the CLI.  cli/ holds main, the command table and
 * the HTTP client.
 *
 * Errors follow the library convention: 0 or -errno, and where the caller
 * needs a message it is written to @err ("route: invalid prefix 'x'"),
 * without the "sluicectl: " prefix, which main adds.
 */
#ifndef SLUICE_CLI_FMT_H
#define SLUICE_CLI_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "endpoint.h"
#include "vip_id.h"

#define CLI_PATH_MAX 256
#define CLI_IFNAME_MAX 16	/* IFNAMSIZ, including the NUL */

/* ---- name matching ----
 * iproute2 lets "r" stand for "route".  We take an exact name first, else
 * the one name that @arg is a prefix of.  Entries with the same @id are
 * aliases ("neigh", "neighbor"), so matching several of them is fine.
 */
struct cli_name {
	const char *name;
	int id;
};

/* The id, -ENOENT if nothing matches, -ENOTUNIQ if names with different
 * ids do.  @tbl ends with a NULL name. */
int cli_match(const char *arg, const struct cli_name *tbl);

/* ---- global options ---- */
struct cli_opts {
	bool json;
	bool help;
	bool version;
	const char *api;	/* as given; parsed into ep */
	const char *api_from;	/* "--api", "SLUICE_API" or NULL (default) */
	const char *token;	/* NULL: none */
	struct endpoint ep;
};

/* Defaults, then the environment (either may be NULL). */
void cli_opts_init(struct cli_opts *o, const char *env_api,
		   const char *env_token);

/* Parses the options before the noun.  Returns the index of the noun in
 * argv (== argc if there is none), or -EINVAL with a message in @err.
 * Also parses o->api into o->ep. */
int cli_opts_parse(struct cli_opts *o, int argc, char **argv, char *err,
		   size_t errlen);

/* True if @arg is one of the global options (for a hint when it is given
 * after the noun). */
bool cli_is_global_opt(const char *arg);

/* ---- per-noun arguments -> request ---- */

/* What a successful answer holds, so the noun picks its printer. */
enum cli_out {
	CLI_OUT_DEFAULT,	/* the noun's only document */
	CLI_OUT_VIPS,		/* {"vips": [VIP...], "flows": N, ...} */
	CLI_OUT_VIP,		/* one VIP */
	CLI_OUT_BACKENDS,	/* {"backends": [BACKEND...]} */
	CLI_OUT_BACKEND,	/* one BACKEND */
	CLI_OUT_DELETED,	/* {"deleted": "ID"} */
	CLI_OUT_LB,		/* GET /v1/lb */
};

struct cli_query {
	char path[CLI_PATH_MAX];	/* "/v1/routes?family=4&prefix=..." */
	char name[CLI_IFNAME_MAX];	/* iface: client-side name filter */
	bool all;			/* stats -a: keep zero counters */
	bool help;			/* "NOUN help": print usage, no request */
	bool json;			/* -j after the noun (vip, backend, lb) */
	const char *method;		/* "GET", "POST", "PATCH", "DELETE" */
	json_object *body;		/* request body or NULL; owned */
	enum cli_out out;
};

/* Frees what a parser put in @q (the body); safe on a failed parse. */
void cli_query_free(struct cli_query *q);

/* Each takes the arguments after the noun (argv[0] is the first of them,
 * possibly a verb).  0 or -EINVAL with a message naming the argument. */
int cli_status_args(int argc, char **argv, struct cli_query *q, char *err,
		    size_t errlen);
int cli_iface_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen);
int cli_route_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen);
int cli_neigh_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen);
int cli_stats_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen);

/* The load balancer (docs/lb-api.md):
 *   vip add ID [--encap ..] [--hash ..] [--ring-size M] [--health ..] ...
 *   vip del ID | vip [show] [ID] [-j]
 *   backend add|set|drain|del ID ADDR [--weight N] [--state S]
 *   backend [show] ID [-j]
 *   lb [show] [-j]
 * Everything is checked here before a request is made; the path carries
 * the VIP id and backend address percent-encoded (cli_path_encode). */
int cli_vip_args(int argc, char **argv, struct cli_query *q, char *err,
		 size_t errlen);
int cli_backend_args(int argc, char **argv, struct cli_query *q, char *err,
		     size_t errlen);
int cli_lb_args(int argc, char **argv, struct cli_query *q, char *err,
		size_t errlen);

/* A VIP id: "ADDR:PORT/PROTO" (IPv4), "[ADDR]:PORT/PROTO" (IPv6), or,
 * where @numeric allows, a vip_id 1..255. */
struct cli_vip {
	int family;			/* 4, 6, or 0 for a bare vip_id */
	char addr[48];			/* as written, without brackets */
	unsigned int port;		/* 0..65535, 0 = every port */
	char proto[4];			/* "tcp" or "udp" */
	unsigned int vip_id;		/* family 0 only */
	struct sluice_vip_key key;	/* family 4 and 6 */
};

/* 0, or -EINVAL with "invalid VIP 'S': why" in @err (no noun prefix). */
int cli_vip_parse(const char *s, bool numeric, struct cli_vip *v, char *err,
		  size_t errlen);

/* Percent-encodes @s as one path segment: everything but RFC 3986
 * unreserved characters, ':' and '@' ("/" -> %2F, "[" -> %5B).
 * 0 or -ENOSPC. */
int cli_path_encode(const char *s, char *out, size_t outlen);

/* "ADDR" or "ADDR/LEN", IPv4 or IPv6, LEN within the family's range.
 * 0 and the family (4 or 6) in @family, or -EINVAL. */
int cli_prefix_parse(const char *s, int *family);

/* A kernel interface name: 1..15 bytes, no '/', ':' or white space. */
bool cli_ifname_valid(const char *s);

/* Percent-encodes @s for a query value.  0 or -ENOSPC. */
int cli_urlencode(const char *s, char *out, size_t outlen);

/* ---- output ----
 * Filters shape the document that both the text and the -j output print,
 * so the two always show the same rows.  Printers write text to @out.
 * All return 0, or -EPROTO with a message in @err when the document lacks
 * what the API promises (the top-level array); missing fields inside an
 * entry print as "-" so a newer daemon does not break an older CLI.
 */
int cli_iface_filter(json_object *doc, const char *name, char *err,
		     size_t errlen);
int cli_stats_filter(json_object *doc, bool all, char *err, size_t errlen);

int cli_status_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_iface_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_route_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_neigh_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_stats_print(json_object *doc, FILE *out, char *err, size_t errlen);

/* The load balancer, one block per VIP:
 *   198.18.100.1:80/tcp  encap ipip  hash 5tuple  M 65537  health tcp/1000ms
 *     198.18.2.11  weight 2  active  up  slots 43691  packets 123  new_flows 4
 *     vip  packets 123  bytes 9840  new_flows 4  ...
 * and a blank line between blocks.  Backends print as the lines above
 * (unindented for `backend show`). */
int cli_vips_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_vip_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_backends_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_backend_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_deleted_print(json_object *doc, FILE *out, char *err, size_t errlen);
int cli_lb_print(json_object *doc, FILE *out, char *err, size_t errlen);

/* The printer for what a load-balancer request answers with (q->out). */
typedef int (*cli_printer)(json_object *doc, FILE *out, char *err,
			   size_t errlen);
cli_printer cli_lb_printer(enum cli_out what);

/* The request body as sent: compact, '/' unescaped.  NULL without one. */
const char *cli_body_string(const struct cli_query *q);

/* The -j output: pretty, with '/' left unescaped, and a final newline. */
int cli_json_print(json_object *doc, FILE *out);

/* 93784 -> "1d 2h 3m 4s"; 0 -> "0s". */
void cli_fmt_duration(uint64_t secs, char *buf, size_t len);

/* The daemon's {"error": "..."} message from an error body, or NULL. */
const char *cli_error_message(json_object *doc);

#endif
