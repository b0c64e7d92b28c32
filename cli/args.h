/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sluicectl's argument parsing that every noun shares: name matching, the
 * global options, the request a noun's arguments become, and the checks
 * and messages for the arguments nouns have in common.  Each noun's own
 * arguments are parsed in cli/<noun>.c.  No I/O, no exit(), no globals,
 * so the unit tests link it.
 *
 * Errors follow the library convention: 0 or -errno, and where the caller
 * needs a message it is written to @err ("route: invalid prefix 'x'"),
 * without the "sluicectl: " prefix, which main adds.
 */
#ifndef SLUICECTL_ARGS_H
#define SLUICECTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "endpoint.h"
#include "opts.h"

#define CLI_PATH_MAX 256
#define CLI_IFNAME_MAX 16 /* IFNAMSIZ, including the NUL */

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
	const char *api;      /* as given; parsed into ep */
	const char *api_from; /* "--api", "SLUICE_API" or NULL (default) */
	const char *token;    /* NULL: none */
	const char *cacert;   /* HTTPS to a tcp: endpoint; NULL: HTTP */
	struct endpoint ep;
};

/* -j, --api, --token, --cacert, -h, -V: the table main's --help prints. */
extern const struct opt_def cli_global_opts[];
extern const size_t cli_nglobal_opts;

/* Defaults, then the environment (either may be NULL). */
void cli_opts_init(struct cli_opts *o, const char *env_api,
		   const char *env_token);

/* Parses the options before the noun.  Returns the index of the noun in
 * argv (== argc if there is none), or -EINVAL with a message in @err.
 * Also parses o->api into o->ep. */
/* --cacert names a readable file with a PEM certificate in it: 0, else
 * -errno (-EINVAL: none in it) and @err names the file and why.  Checked
 * before any request, so that a bad file is bad input (exit 1), not an
 * unreachable sluiced (exit 2, which a script may retry). */
int cli_cacert_check(const char *path, char *err, size_t errlen);
int cli_opts_parse(struct cli_opts *o, int argc, char **argv, char *err,
		   size_t errlen);

/* True if @arg is one of the global options (for a hint when it is given
 * after the noun). */
bool cli_is_global_opt(const char *arg);

/* True if @arg is -j or --json: every noun takes it after the noun too,
 * as the same global option (none has a -j of its own). */
bool cli_is_json_opt(const char *arg);

/* ---- per-noun arguments -> request ---- */

/* What a successful answer holds, so the noun picks its printer. */
enum cli_out {
	CLI_OUT_DEFAULT,  /* the noun's only document */
	CLI_OUT_VIPS,	  /* {"vips": [VIP...], "flows": N, ...} */
	CLI_OUT_VIP,	  /* one VIP */
	CLI_OUT_BACKENDS, /* {"backends": [BACKEND...]} */
	CLI_OUT_BACKEND,  /* one BACKEND */
	CLI_OUT_DELETED,  /* {"deleted": "ID"} */
	CLI_OUT_LB,	  /* GET /v1/lb */
};

struct cli_query {
	char path[CLI_PATH_MAX];   /* "/v1/routes?family=4&prefix=..." */
	char name[CLI_IFNAME_MAX]; /* iface: client-side name filter */
	bool all;		   /* stats -a: keep zero counters */
	bool help;		   /* "NOUN help": print usage, no request */
	bool json;		   /* -j after the noun (cli_is_json_opt) */
	/* --all of a paged listing: every page, following "next"; the
	 * answer's array ("routes"), and whether its text is printed once
	 * for all pages (a table) rather than page by page (lines) */
	const char *pages_key;
	bool pages_merge;
	uint32_t pages_limit; /* items a request (--limit; 10,000) */
	const char *method;   /* "GET", "POST", "PATCH", "DELETE" */
	json_object *body;    /* request body or NULL; owned */
	enum cli_out out;
};

/* A GET of @path, nothing else set. */
void cli_query_init(struct cli_query *q, const char *path);

/* Frees what a parser put in @q (the body); safe on a failed parse. */
void cli_query_free(struct cli_query *q);

/* Appends "?KEY=VAL" or "&KEY=VAL", VAL percent-encoded.  0 or -ENOSPC. */
int cli_query_add(struct cli_query *q, const char *key, const char *val);

/* The request body as sent: compact, '/' unescaped.  NULL without one. */
const char *cli_body_string(const struct cli_query *q);

/* A leading verb ("show", "list", "ls", "help"), if any: how many
 * arguments it took.  "-h" anywhere means help, as does the verb. */
int cli_parse_verb(int argc, char **argv, struct cli_query *q);

/* A noun's leading verb from @verbs: "-h" or "--help" anywhere sets
 * q->help; argv[0], unless an option, is matched (a unique prefix will
 * do), its id put in *@verb (left alone otherwise).  How many arguments
 * it took (0 or 1), or -EINVAL naming it (ambiguous, unknown). */
int cli_noun_verb(const char *noun, int argc, char **argv,
		  const struct cli_name *verbs, struct cli_query *q, int *verb,
		  char *err, size_t errlen);

/* "dev IFNAME" at argv[*i]: 1 if it was (the name in @dev, *i on it), 0 if
 * not, -EINVAL with a message naming @noun. */
int cli_parse_dev(const char *noun, int argc, char **argv, int *i,
		  const char **dev, char *err, size_t errlen);

/* A listing's paging options, "--limit N" (1..@max), "--cursor C" or
 * "--all" (every page), at argv[*i]: 1 if it was one (in @pg, *i on its
 * value), 0 if not, -EINVAL with a message naming @noun.  @cursor_bad says
 * what is wrong with a cursor ("is not a cursor (...)"), NULL when it is
 * good; @key is the answer's array ("routes"), @merge as in cli_query. */
struct cli_page_opts {
	uint32_t max;
	const char *(*cursor_bad)(const char *cursor);
	const char *key;
	bool merge;
	const char *limit, *cursor;
	bool all;
};
int cli_parse_page(const char *noun, int argc, char **argv, int *i,
		   struct cli_page_opts *pg, char *err, size_t errlen);
/* The options into @q: limit= and cursor= in its query, or --all's
 * pages_key and pages_limit (--limit: the items a request).  0, or -EINVAL
 * with a message (--all with --cursor, arguments too long). */
int cli_page_query(const char *noun, const struct cli_page_opts *pg,
		   struct cli_query *q, char *err, size_t errlen);

/* Decimal digits only (no sign, space or "0x"), at most 10 of them, and
 * within @min..@max.  0 or -EINVAL. */
int cli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v);

/* Not an address at all, rather a word meant as a command ("add"). */
bool cli_looks_like_word(const char *s);

/* ---- messages: each writes @err and returns -EINVAL ---- */
__attribute__((format(printf, 3, 4))) int cli_fail(char *err, size_t errlen,
						   const char *fmt, ...);

/* An argument @noun does not know.  @first: nothing has been accepted
 * yet, so it was meant as a verb. */
int cli_bad_arg(const char *noun, const char *a, bool first, char *err,
		size_t errlen);

/* The arguments do not fit in a request path. */
int cli_too_long(const char *noun, char *err, size_t errlen);

/* ---- validation and encoding ---- */

/* Percent-encodes @s as one path segment: everything but RFC 3986
 * unreserved characters, ':' and '@' ("/" -> %2F, "[" -> %5B).
 * 0 or -ENOSPC. */
int cli_path_encode(const char *s, char *out, size_t outlen);

/* "ADDR" or "ADDR/LEN", IPv4 or IPv6, LEN within the family's range.
 * 0 and the family (4 or 6) in @family, or -EINVAL. */
int cli_prefix_parse(const char *s, int *family);

/* cli_prefix_parse()'s "ADDR" or "ADDR/LEN" with no bit set past LEN
 * (198.18.0.0/24, not 198.18.0.1/24): a network, as sluiced prints. */
bool cli_prefix_is_network(const char *s);

/* A kernel interface name: 1..15 bytes, no '/', ':' or white space. */
bool cli_ifname_valid(const char *s);

/* Percent-encodes @s for a query value.  0 or -ENOSPC. */
int cli_urlencode(const char *s, char *out, size_t outlen);

#endif
