// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl: the argument parsing every noun shares (see args.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- name matching ---- */

int cli_match(const char *arg, const struct cli_name *tbl)
{
	size_t len = strlen(arg);
	int found = -ENOENT;

	if (!len)
		return -ENOENT;
	for (const struct cli_name *n = tbl; n->name; n++)
		if (!strcmp(arg, n->name))
			return n->id;
	for (const struct cli_name *n = tbl; n->name; n++) {
		if (strncmp(arg, n->name, len))
			continue;
		if (found >= 0 && found != n->id)
			return -ENOTUNIQ;
		found = n->id;
	}
	return found;
}

/* ---- global options ---- */

void cli_opts_init(struct cli_opts *o, const char *env_api,
		   const char *env_token)
{
	memset(o, 0, sizeof(*o));
	o->api = SLUICE_DEFAULT_API;
	if (env_api && *env_api) {
		o->api = env_api;
		o->api_from = "SLUICE_API";
	}
	if (env_token && *env_token)
		o->token = env_token;
}

enum { GOPT_JSON, GOPT_API, GOPT_TOKEN, GOPT_CACERT, GOPT_HELP, GOPT_VERSION };

const struct opt_def cli_global_opts[] = {
	[GOPT_JSON] = { "json", 'j', OPT_ARG_NONE, NULL,
			"print the daemon's JSON, pretty-printed" },
	[GOPT_API] = { "api", 0, OPT_ARG_REQUIRED, "ENDPOINT",
		       "unix:PATH or tcp:HOST:PORT (env SLUICE_API,\n"
		       "default " SLUICE_DEFAULT_API ")" },
	[GOPT_TOKEN] = { "token", 0, OPT_ARG_REQUIRED, "TOKEN",
			 "bearer token for tcp: endpoints\n"
			 "(env SLUICE_API_TOKEN, which keeps it out of ps)" },
	[GOPT_CACERT] = { "cacert", 0, OPT_ARG_REQUIRED, "FILE",
			  "HTTPS to a tcp: endpoint, trusting the CA\n"
			  "certificate in FILE (sluiced's api_tls_cert)" },
	[GOPT_HELP] = { "help", 'h', OPT_ARG_NONE, NULL, "this text" },
	[GOPT_VERSION] = { "version", 'V', OPT_ARG_NONE, NULL,
			   "print the version" },
};
const size_t cli_nglobal_opts = ARRAY_SIZE(cli_global_opts);

bool cli_is_global_opt(const char *arg)
{
	return opts_spelled(cli_global_opts, cli_nglobal_opts, arg);
}

bool cli_is_json_opt(const char *arg)
{
	return !strcmp(arg, "-j") || !strcmp(arg, "--json");
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if (iscntrl((unsigned char)*s))
			return true;
	return false;
}

int cli_cacert_check(const char *path, char *err, size_t errlen)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----";
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "cacert: '%s': %s", path, strerror(-rc));
		return rc;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	if (ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "cacert: '%s': cannot read it", path);
	}
	fclose(f);
	if (rc)
		return rc;
	buf[n] = '\0';
	if (!strstr(buf, pem)) {
		snprintf(err, errlen,
			 "cacert: '%s' holds no PEM certificate (no '%s' line "
			 "in its first 64 KiB)",
			 path, pem);
		return -EINVAL;
	}
	return 0;
}

int cli_opts_parse(struct cli_opts *o, int argc, char **argv, char *err,
		   size_t errlen)
{
	char msg[256];
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;

		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		switch (opts_find(cli_global_opts, cli_nglobal_opts, argc, argv,
				  &i, &val)) {
		case GOPT_JSON: o->json = true; break;
		case GOPT_HELP: o->help = true; break;
		case GOPT_VERSION: o->version = true; break;
		case GOPT_API:
			o->api = val;
			o->api_from = "--api";
			break;
		case GOPT_TOKEN:
			if (!*val) {
				snprintf(err, errlen, "token: empty value");
				return -EINVAL;
			}
			o->token = val;
			break;
		case GOPT_CACERT:
			if (!*val) {
				snprintf(err, errlen, "cacert: empty value");
				return -EINVAL;
			}
			o->cacert = val;
			break;
		case -EINVAL: goto missing;
		default:
			snprintf(err, errlen,
				 "unknown option '%s', try 'sluicectl --help'",
				 a);
			return -EINVAL;
		}
	}
	/* Neither the token nor a bad SLUICE_API gets in the way of -h/-V. */
	if (o->help || o->version)
		return i;
	if (o->token && has_ctl(o->token)) {
		/* Never echo a secret; the value may be half-pasted. */
		snprintf(err, errlen, "token: contains control characters");
		return -EINVAL;
	}
	if (endpoint_parse(o->api, &o->ep, msg, sizeof(msg))) {
		if (o->api_from && !strcmp(o->api_from, "SLUICE_API"))
			snprintf(err, errlen, "%s (from SLUICE_API)", msg);
		else
			snprintf(err, errlen, "%s", msg);
		return -EINVAL;
	}
	/* a unix socket is never HTTPS: a mistake, not a fall-back */
	if (o->cacert && o->ep.kind != EP_TCP) {
		snprintf(err, errlen,
			 "cacert: HTTPS is for tcp: endpoints, not '%s'",
			 o->api);
		return -EINVAL;
	}
	return i;
missing:
	snprintf(err, errlen, "option '%s' needs a value", argv[i]);
	return -EINVAL;
}

/* ---- validation and encoding ---- */

/* cli_prefix_parse(), with the address in @a and the length (the
 * family's width without "/LEN") in @plen. */
static int prefix_split(const char *s, int *family, unsigned char a[16],
			unsigned int *plen)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int len = 0, max;
	int fam;

	if (!alen || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, a) == 1) {
		fam = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, a) == 1) {
		fam = 6;
		max = 128;
	} else {
		return -EINVAL;
	}
	if (slash) {
		const char *p = slash + 1;
		size_t n;

		/* Digits only: no sign, no space, no "0x", at most "128". */
		for (n = 0; p[n]; n++) {
			if (!isdigit((unsigned char)p[n]) || n >= 3)
				return -EINVAL;
			len = len * 10 + (unsigned int)(p[n] - '0');
		}
		if (!n || len > max)
			return -EINVAL;
	} else {
		len = max;
	}
	*family = fam;
	*plen = len;
	return 0;
}

int cli_prefix_parse(const char *s, int *family)
{
	unsigned char a[16];
	unsigned int plen;

	return prefix_split(s, family, a, &plen);
}

bool cli_prefix_is_network(const char *s)
{
	unsigned char a[16];
	unsigned int plen, bits;
	int fam;

	if (prefix_split(s, &fam, a, &plen))
		return false;
	bits = fam == 4 ? 32 : 128;
	for (unsigned int b = plen; b < bits; b++)
		if (a[b / 8] & (0x80 >> (b % 8)))
			return false;
	return true;
}

bool cli_ifname_valid(const char *s)
{
	size_t len = strlen(s);

	if (!len || len >= CLI_IFNAME_MAX || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) ||
		    iscntrl((unsigned char)*s))
			return false;
	return true;
}

/* Percent-encodes all but RFC 3986 unreserved characters and @keep. */
static int pct_encode(const char *s, const char *keep, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~", c) || strchr(keep, c)) {
			if (o + 1 >= outlen)
				return -ENOSPC;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= outlen)
				return -ENOSPC;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= outlen)
		return -ENOSPC;
	out[o] = '\0';
	return 0;
}

int cli_urlencode(const char *s, char *out, size_t outlen)
{
	/* ':' '/' '@' may stand in a query as they are (addresses and
	 * prefixes stay readable). */
	return pct_encode(s, ":/@", out, outlen);
}

int cli_path_encode(const char *s, char *out, size_t outlen)
{
	/* one segment: '/' must not end it, '[' ']' are not pchars */
	return pct_encode(s, ":@", out, outlen);
}

/* Decimal digits only (no sign, space or "0x"), at most 10 of them, and
 * within @min..@max.  0 or -EINVAL. */
int cli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (!isdigit((unsigned char)s[i]) || i >= 10)
			return -EINVAL;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (!i || n < min || n > max)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

/* Not an address at all, rather a word meant as a command ("add"). */
bool cli_looks_like_word(const char *s)
{
	return !isdigit((unsigned char)s[0]) && !strpbrk(s, ".:/");
}

/* ---- the request ---- */

void cli_query_init(struct cli_query *q, const char *path)
{
	memset(q, 0, sizeof(*q));
	snprintf(q->path, sizeof(q->path), "%s", path);
	q->method = "GET";
}

void cli_query_free(struct cli_query *q)
{
	json_object_put(q->body);
	q->body = NULL;
}

int cli_query_add(struct cli_query *q, const char *key, const char *val)
{
	char enc[CLI_PATH_MAX];
	size_t used = strlen(q->path);
	int n;

	if (cli_urlencode(val, enc, sizeof(enc)))
		return -ENOSPC;
	n = snprintf(q->path + used, sizeof(q->path) - used, "%c%s=%s",
		     strchr(q->path, '?') ? '&' : '?', key, enc);
	if (n < 0 || (size_t)n >= sizeof(q->path) - used)
		return -ENOSPC;
	return 0;
}

const char *cli_body_string(const struct cli_query *q)
{
	if (!q->body)
		return NULL;
	return json_object_to_json_string_ext(
		q->body,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* ---- what nouns share ---- */

enum { VERB_SHOW, VERB_HELP };

static const struct cli_name verbs[] = {
	{ "show", VERB_SHOW }, { "list", VERB_SHOW }, { "ls", VERB_SHOW },
	{ "help", VERB_HELP }, { NULL, 0 },
};

__attribute__((format(printf, 3, 4))) int cli_fail(char *err, size_t errlen,
						   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A leading verb, if any: how many arguments it took.  "-h" anywhere
 * means help, as does the verb. */
int cli_parse_verb(int argc, char **argv, struct cli_query *q)
{
	int taken = 0;

	if (argc > 0) {
		switch (cli_match(argv[0], verbs)) {
		case VERB_HELP:
			q->help = true;
			/* fall through */
		case VERB_SHOW: taken = 1; break;
		default: break;
		}
	}
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			q->help = true;
	return taken;
}

int cli_noun_verb(const char *noun, int argc, char **argv,
		  const struct cli_name *verbs, struct cli_query *q, int *verb,
		  char *err, size_t errlen)
{
	int v;

	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			q->help = true;
	if (argc <= 0 || argv[0][0] == '-')
		return 0;
	v = cli_match(argv[0], verbs);
	if (v == -ENOTUNIQ)
		return cli_fail(err, errlen, "%s: ambiguous command '%s'", noun,
				argv[0]);
	if (v < 0)
		return cli_bad_arg(noun, argv[0], true, err, errlen);
	*verb = v;
	return 1;
}

/* The error for an argument the noun does not know.  @first: nothing has
 * been accepted yet, so it was meant as a verb. */
int cli_bad_arg(const char *noun, const char *a, bool first, char *err,
		size_t errlen)
{
	if (a[0] == '-' && cli_is_global_opt(a))
		return cli_fail(
			err, errlen,
			"%s: '%s' is a global option, put it before the noun",
			noun, a);
	if (a[0] == '-' && a[1])
		return cli_fail(
			err, errlen,
			"%s: unknown option '%s', try 'sluicectl %s help'",
			noun, a, noun);
	return cli_fail(err, errlen,
			"%s: unknown %s '%s', try 'sluicectl %s help'", noun,
			first ? "command" : "argument", a, noun);
}

/* "dev IFNAME" at argv[*i]: 1 if it was, 0 if not, -EINVAL. */
int cli_parse_dev(const char *noun, int argc, char **argv, int *i,
		  const char **dev, char *err, size_t errlen)
{
	const char *v;

	if (strcmp(argv[*i], "dev"))
		return 0;
	if (*i + 1 >= argc)
		return cli_fail(err, errlen,
				"%s: 'dev' needs an interface name", noun);
	v = argv[++*i];
	if (*dev)
		return cli_fail(err, errlen,
				"%s: 'dev' given twice ('%s', '%s')", noun,
				*dev, v);
	if (!cli_ifname_valid(v))
		return cli_fail(err, errlen, "%s: invalid interface name '%s'",
				noun, v);
	*dev = v;
	return 1;
}

int cli_parse_page(const char *noun, int argc, char **argv, int *i,
		   struct cli_page_opts *pg, char *err, size_t errlen)
{
	const char *a = argv[*i], *why;
	bool lim = !strcmp(a, "--limit");
	const char **seen = lim ? &pg->limit : &pg->cursor;
	uint32_t n;

	if (!strcmp(a, "--all")) {
		pg->all = true;
		return 1;
	}
	if (!lim && strcmp(a, "--cursor"))
		return 0;
	if (*i + 1 >= argc)
		return cli_fail(err, errlen, "%s: %s needs a value", noun, a);
	if (*seen)
		return cli_fail(err, errlen, "%s: %s given twice ('%s', '%s')",
				noun, a, *seen, argv[*i + 1]);
	*seen = argv[++*i];
	if (lim && cli_parse_u32(*seen, 1, pg->max, &n))
		return cli_fail(err, errlen,
				"%s: --limit '%s' is not a number 1..%u", noun,
				*seen, pg->max);
	if (!lim && (why = pg->cursor_bad(*seen)))
		return cli_fail(err, errlen, "%s: --cursor '%s' %s", noun,
				*seen, why);
	return 1;
}

int cli_page_query(const char *noun, const struct cli_page_opts *pg,
		   struct cli_query *q, char *err, size_t errlen)
{
	if (pg->all && pg->cursor)
		return cli_fail(err, errlen,
				"%s: --all lists every page from the first; "
				"not with --cursor",
				noun);
	if (pg->all) {
		/* show_pages() adds limit= and cursor= to each request */
		q->pages_key = pg->key;
		q->pages_merge = pg->merge;
		q->pages_limit = pg->limit ? (uint32_t)atoi(pg->limit) : 10000;
		return 0;
	}
	if ((pg->limit && cli_query_add(q, "limit", pg->limit)) ||
	    (pg->cursor && cli_query_add(q, "cursor", pg->cursor)))
		return cli_too_long(noun, err, errlen);
	return 0;
}

int cli_too_long(const char *noun, char *err, size_t errlen)
{
	return cli_fail(err, errlen, "%s: arguments too long for a request",
			noun);
}
