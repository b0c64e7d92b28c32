// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl's pure half: see cli_fmt.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli_fmt.h"

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

static const char *const global_flags[] = {
	"-j", "--json", "-h", "--help", "-V", "--version", "--api", "--token",
};

bool cli_is_global_opt(const char *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(global_flags); i++) {
		size_t n = strlen(global_flags[i]);

		if (!strncmp(arg, global_flags[i], n) &&
		    (!arg[n] || (arg[n] == '=' && n > 2)))
			return true;
	}
	return false;
}

/* "--name VALUE" or "--name=VALUE": 1 and the value in @val if argv[*i] is
 * @name, 0 if it is not, -EINVAL if the value is missing. */
static int opt_value(const char *name, int argc, char **argv, int *i,
		     const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n))
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n])
		return 0;
	if (*i + 1 >= argc)
		return -EINVAL;
	*val = argv[++*i];
	return 1;
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if (iscntrl((unsigned char)*s))
			return true;
	return false;
}

int cli_opts_parse(struct cli_opts *o, int argc, char **argv, char *err,
		   size_t errlen)
{
	char msg[256];
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;

		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = true;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			o->version = true;
		} else if ((r = opt_value("--api", argc, argv, &i, &val))) {
			if (r < 0)
				goto missing;
			o->api = val;
			o->api_from = "--api";
		} else if ((r = opt_value("--token", argc, argv, &i, &val))) {
			if (r < 0)
				goto missing;
			if (!*val) {
				snprintf(err, errlen, "token: empty value");
				return -EINVAL;
			}
			o->token = val;
		} else {
			snprintf(err, errlen, "unknown option '%s', try 'sluicectl --help'",
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
	return i;
missing:
	snprintf(err, errlen, "option '%s' needs a value", argv[i]);
	return -EINVAL;
}

/* ---- validation and encoding ---- */

int cli_prefix_parse(const char *s, int *family)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned char buf[16];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int len = 0, max;
	int fam;

	if (!alen || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, buf) == 1) {
		fam = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, buf) == 1) {
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
	}
	*family = fam;
	return 0;
}

bool cli_ifname_valid(const char *s)
{
	size_t len = strlen(s);

	if (!len || len >= CLI_IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) ||
		    iscntrl((unsigned char)*s))
			return false;
	return true;
}

int cli_urlencode(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		/* RFC 3986 unreserved, plus ':' '/' '@' which a query may
		 * carry as they are (addresses and prefixes stay readable). */
		if (isalnum(c) || strchr("-._~:/@", c)) {
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

/* ---- per-noun arguments ---- */

enum { VERB_SHOW, VERB_HELP };

static const struct cli_name verbs[] = {
	{ "show", VERB_SHOW },
	{ "list", VERB_SHOW },
	{ "ls", VERB_SHOW },
	{ "help", VERB_HELP },
	{ NULL, 0 },
};

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void query_init(struct cli_query *q, const char *path)
{
	memset(q, 0, sizeof(*q));
	snprintf(q->path, sizeof(q->path), "%s", path);
}

static int query_add(struct cli_query *q, const char *key, const char *val)
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

/* A leading verb, if any: how many arguments it took.  "-h" anywhere
 * means help, as does the verb. */
static int parse_verb(int argc, char **argv, struct cli_query *q)
{
	int taken = 0;

	if (argc > 0) {
		switch (cli_match(argv[0], verbs)) {
		case VERB_HELP:
			q->help = true;
			/* fall through */
		case VERB_SHOW:
			taken = 1;
			break;
		default:
			break;
		}
	}
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			q->help = true;
	return taken;
}

/* The error for an argument the noun does not know.  @first: nothing has
 * been accepted yet, so it was meant as a verb. */
static int bad_arg(const char *noun, const char *a, bool first, char *err,
		   size_t errlen)
{
	if (a[0] == '-' && cli_is_global_opt(a))
		return fail(err, errlen,
			    "%s: '%s' is a global option, put it before the noun",
			    noun, a);
	if (a[0] == '-' && a[1])
		return fail(err, errlen, "%s: unknown option '%s', try 'sluicectl %s help'",
			    noun, a, noun);
	return fail(err, errlen, "%s: unknown %s '%s', try 'sluicectl %s help'",
		    noun, first ? "command" : "argument", a, noun);
}

/* "dev IFNAME" at argv[*i]: 1 if it was, 0 if not, -EINVAL. */
static int parse_dev(const char *noun, int argc, char **argv, int *i,
		     const char **dev, char *err, size_t errlen)
{
	const char *v;

	if (strcmp(argv[*i], "dev"))
		return 0;
	if (*i + 1 >= argc)
		return fail(err, errlen, "%s: 'dev' needs an interface name", noun);
	v = argv[++*i];
	if (*dev)
		return fail(err, errlen, "%s: 'dev' given twice ('%s', '%s')",
			    noun, *dev, v);
	if (!cli_ifname_valid(v))
		return fail(err, errlen, "%s: invalid interface name '%s'", noun, v);
	*dev = v;
	return 1;
}

static int too_long(const char *noun, char *err, size_t errlen)
{
	return fail(err, errlen, "%s: arguments too long for a request", noun);
}

int cli_status_args(int argc, char **argv, struct cli_query *q, char *err,
		    size_t errlen)
{
	int i;

	query_init(q, "/v1/status");
	i = parse_verb(argc, argv, q);
	if (q->help)
		return 0;
	if (i < argc)
		return bad_arg("status", argv[i], i == 0, err, errlen);
	return 0;
}

int cli_iface_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen)
{
	const char *name = NULL;
	int i;

	query_init(q, "/v1/interfaces");
	i = parse_verb(argc, argv, q);
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		const char *a = argv[i];

		/* "iface show dev NAME" as well as "iface show NAME" */
		if (!strcmp(a, "dev") && !name) {
			if (i + 1 >= argc)
				return fail(err, errlen,
					    "iface: 'dev' needs an interface name");
			a = argv[++i];
		} else if (a[0] == '-' || name) {
			return bad_arg("iface", a, false, err, errlen);
		}
		if (!cli_ifname_valid(a))
			return fail(err, errlen, "iface: invalid interface name '%s'",
				    a);
		name = a;
	}
	if (name)
		snprintf(q->name, sizeof(q->name), "%s", name);
	return 0;
}

/* Not an address at all, rather a word meant as a command ("add"). */
static bool looks_like_word(const char *s)
{
	return !isdigit((unsigned char)s[0]) && !strpbrk(s, ".:/");
}

int cli_route_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen)
{
	const char *prefix = NULL;
	int family = 0, pfam = 0, i, verb;

	query_init(q, "/v1/routes");
	verb = i = parse_verb(argc, argv, q);
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-4") || !strcmp(a, "-6")) {
			int f = a[1] - '0';

			if (family && family != f)
				return fail(err, errlen,
					    "route: -4 and -6 exclude each other");
			family = f;
		} else if (a[0] == '-' && a[1]) {
			return bad_arg("route", a, false, err, errlen);
		} else if (prefix) {
			return fail(err, errlen,
				    "route: unexpected argument '%s' after prefix '%s'",
				    a, prefix);
		} else if (cli_prefix_parse(a, &pfam)) {
			if (!verb && i == 0 && looks_like_word(a))
				return bad_arg("route", a, true, err, errlen);
			return fail(err, errlen, "route: invalid prefix '%s'", a);
		} else {
			prefix = a;
		}
	}
	if (prefix && family && family != pfam)
		return fail(err, errlen, "route: prefix '%s' is not IPv%d (-%d)",
			    prefix, family, family);
	if (family && query_add(q, "family", family == 4 ? "4" : "6"))
		return too_long("route", err, errlen);
	if (prefix && query_add(q, "prefix", prefix))
		return too_long("route", err, errlen);
	return 0;
}

int cli_neigh_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen)
{
	const char *dev = NULL;
	int i, verb, r;

	query_init(q, "/v1/neighbors");
	verb = i = parse_verb(argc, argv, q);
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		r = parse_dev("neigh", argc, argv, &i, &dev, err, errlen);
		if (r < 0)
			return r;
		if (!r)
			return bad_arg("neigh", argv[i], !verb && i == 0, err,
				       errlen);
	}
	if (dev && query_add(q, "dev", dev))
		return too_long("neigh", err, errlen);
	return 0;
}

int cli_stats_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen)
{
	const char *dev = NULL;
	int i, verb, r;

	query_init(q, "/v1/stats");
	verb = i = parse_verb(argc, argv, q);
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-a") || !strcmp(argv[i], "--all")) {
			q->all = true;
			continue;
		}
		r = parse_dev("stats", argc, argv, &i, &dev, err, errlen);
		if (r < 0)
			return r;
		if (!r)
			return bad_arg("stats", argv[i], !verb && i == 0, err,
				       errlen);
	}
	if (dev && query_add(q, "dev", dev))
		return too_long("stats", err, errlen);
	return 0;
}

/* ---- JSON access ---- */

/* A field as text: strings as they are, numbers and booleans in their
 * JSON spelling (so "table": 254 and "table": "main" both print), NULL
 * when missing or null. */
static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	if (json_object_is_type(v, json_type_object) ||
	    json_object_is_type(v, json_type_array))
		return NULL;
	return json_object_get_string(v);
}

static uint64_t ju64(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	return json_object_get_uint64(v);
}

static bool jbool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && v &&
	       json_object_get_boolean(v);
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* The top-level array @key of @doc, or NULL with the error set. */
static json_object *top_array(json_object *doc, const char *key, char *err,
			      size_t errlen)
{
	json_object *a;

	if (!json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, key, &a) ||
	    !json_object_is_type(a, json_type_array)) {
		snprintf(err, errlen,
			 "unexpected response from sluiced: no '%s' array", key);
		return NULL;
	}
	return a;
}

const char *cli_error_message(json_object *doc)
{
	const char *m;

	if (!json_object_is_type(doc, json_type_object))
		return NULL;
	m = jstr(doc, "error");
	return empty(m) ? NULL : m;
}

int cli_json_print(json_object *doc, FILE *out)
{
	const char *s = json_object_to_json_string_ext(
		doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		     JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s)
		return -ENOMEM;
	fprintf(out, "%s\n", s);
	return 0;
}

/* ---- aligned tables ---- */

#define TABLE_MAX_COLS 8

struct table {
	size_t ncols;
	const char *const *head;	/* NULL: no header line */
	unsigned int right;		/* bit c: column c is right-aligned */
	size_t nrows, cap;
	char **cells;			/* nrows * ncols */
};

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
}

/* @ncols cells; NULL prints as "-", "" as nothing. */
static int table_add(struct table *t, ...)
{
	va_list ap;
	int r = 0;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));

		if (!c)
			return -ENOMEM;
		t->cells = c;
		t->cap = cap;
	}
	va_start(ap, t);
	for (size_t i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);
		char *d = strdup(s ? s : "-");

		if (!d)
			r = -ENOMEM;
		t->cells[t->nrows * t->ncols + i] = d;
	}
	va_end(ap);
	t->nrows++;
	return r;
}

static void table_row(const struct table *t, const size_t *w,
		      const char *const *cells, FILE *out)
{
	size_t last = 0;

	/* Stop at the last non-empty cell: no trailing blanks. */
	for (size_t c = 0; c < t->ncols; c++)
		if (*cells[c])
			last = c;
	for (size_t c = 0; c <= last; c++) {
		int width = (int)w[c];

		if (c)
			fputs("  ", out);
		if (t->right & (1u << c))
			fprintf(out, "%*s", width, cells[c]);
		else if (c == last)
			fputs(cells[c], out);
		else
			fprintf(out, "%-*s", width, cells[c]);
	}
	fputc('\n', out);
}

/* Prints nothing when there are no rows, as `ip` does. */
static void table_print(const struct table *t, FILE *out)
{
	size_t w[TABLE_MAX_COLS] = { 0 };

	if (!t->nrows)
		return;
	for (size_t c = 0; c < t->ncols; c++) {
		if (t->head)
			w[c] = strlen(t->head[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t l = strlen(t->cells[r * t->ncols + c]);

			if (l > w[c])
				w[c] = l;
		}
	}
	if (t->head)
		table_row(t, w, t->head, out);
	for (size_t r = 0; r < t->nrows; r++)
		table_row(t, w, (const char *const *)&t->cells[r * t->ncols],
			  out);
}

static int nomem(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

/* ---- filters ---- */

int cli_iface_filter(json_object *doc, const char *name, char *err,
		     size_t errlen)
{
	json_object *a = top_array(doc, "interfaces", err, errlen);
	size_t n;

	if (!a)
		return -EPROTO;
	if (empty(name))
		return 0;
	for (n = json_object_array_length(a); n-- > 0;) {
		const char *nm = jstr(json_object_array_get_idx(a, n), "name");

		if (!nm || strcmp(nm, name))
			json_object_array_del_idx(a, n, 1);
	}
	if (!json_object_array_length(a)) {
		snprintf(err, errlen, "iface: interface '%s' not found", name);
		return -ENOENT;
	}
	return 0;
}

static void drop_zero_reasons(json_object *reasons)
{
	if (!json_object_is_type(reasons, json_type_array))
		return;
	for (size_t n = json_object_array_length(reasons); n-- > 0;)
		if (!ju64(json_object_array_get_idx(reasons, n), "packets"))
			json_object_array_del_idx(reasons, n, 1);
}

int cli_stats_filter(json_object *doc, bool all, char *err, size_t errlen)
{
	json_object *a = top_array(doc, "interfaces", err, errlen), *t;

	if (!a)
		return -EPROTO;
	if (all)
		return 0;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *r;

		if (json_object_object_get_ex(json_object_array_get_idx(a, i),
					      "reasons", &r))
			drop_zero_reasons(r);
	}
	if (json_object_object_get_ex(doc, "totals", &t))
		drop_zero_reasons(t);
	return 0;
}

/* ---- printers ---- */

void cli_fmt_duration(uint64_t s, char *buf, size_t len)
{
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	s %= 60;
	if (d)
		snprintf(buf, len, "%" PRIu64 "d %" PRIu64 "h %" PRIu64
			 "m %" PRIu64 "s", d, h, m, s);
	else if (h)
		snprintf(buf, len, "%" PRIu64 "h %" PRIu64 "m %" PRIu64 "s",
			 h, m, s);
	else if (m)
		snprintf(buf, len, "%" PRIu64 "m %" PRIu64 "s", m, s);
	else
		snprintf(buf, len, "%" PRIu64 "s", s);
}

enum field_kind { F_TEXT, F_DURATION, F_BOOL };

static const struct status_field {
	const char *key, *label;
	enum field_kind kind;
} status_fields[] = {
	{ "version", "version", F_TEXT },
	{ "uptime_s", "uptime", F_DURATION },
	{ "pin_dir", "pin dir", F_TEXT },
	{ "maps_reused", "maps reused", F_BOOL },
	{ "xdp_mode", "xdp mode", F_TEXT },
	{ "interfaces", "interfaces", F_TEXT },
	{ "routes_v4", "IPv4 routes", F_TEXT },
	{ "routes_v6", "IPv6 routes", F_TEXT },
	{ "nexthop_groups", "nexthop groups", F_TEXT },
	{ "neighbors", "neighbors", F_TEXT },
	{ "netlink_events", "netlink events", F_TEXT },
	{ "netlink_resyncs", "netlink resyncs", F_TEXT },
	{ "route_errors", "route errors", F_TEXT },
};

static const struct status_field *status_field(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(status_fields); i++)
		if (!strcmp(status_fields[i].key, key))
			return &status_fields[i];
	return NULL;
}

int cli_status_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	struct table t = { .ncols = 2 };
	char buf[64];
	int r = 0;

	if (!json_object_is_type(doc, json_type_object)) {
		snprintf(err, errlen, "unexpected response from sluiced: not an object");
		return -EPROTO;
	}
	for (size_t i = 0; i < ARRAY_SIZE(status_fields) && !r; i++) {
		const struct status_field *f = &status_fields[i];
		const char *v = jstr(doc, f->key);

		if (!v)
			continue;
		if (f->kind == F_DURATION) {
			cli_fmt_duration(ju64(doc, f->key), buf, sizeof(buf));
			v = buf;
		} else if (f->kind == F_BOOL) {
			v = jbool(doc, f->key) ? "yes" : "no";
		}
		r = table_add(&t, f->label, v);
	}
	/* Whatever a newer daemon adds, under its own key. */
	json_object_object_foreach(doc, key, val) {
		const char *v;

		(void)val;
		if (r || status_field(key) || !(v = jstr(doc, key)))
			continue;
		r = table_add(&t, key, v);
	}
	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r ? nomem(err, errlen) : 0;
}

int cli_iface_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "NAME", "IFINDEX", "STATE", "MODE",
					    "SLOT", "MTU", "MAC", "INFO" };
	struct table t = { .ncols = 8, .head = head,
			   .right = 1u << 1 | 1u << 4 | 1u << 5 };
	json_object *a = top_array(doc, "interfaces", err, errlen);
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		const char *parent = jstr(e, "parent"), *error = jstr(e, "error");
		char ifindex[24] = "-", slot[24] = "-", mtu[24] = "-";
		char info[256] = "";
		uint64_t vid = ju64(e, "vlan_id");
		size_t n = 0;

		if (ju64(e, "ifindex"))
			snprintf(ifindex, sizeof(ifindex), "%" PRIu64,
				 ju64(e, "ifindex"));
		if (ju64(e, "slot"))
			snprintf(slot, sizeof(slot), "%" PRIu64, ju64(e, "slot"));
		if (ju64(e, "mtu"))
			snprintf(mtu, sizeof(mtu), "%" PRIu64, ju64(e, "mtu"));
		if (vid || !empty(parent))
			n += (size_t)snprintf(info + n, sizeof(info) - n,
					      "vlan %" PRIu64 " on %s", vid,
					      empty(parent) ? "-" : parent);
		if (jbool(e, "adopted") && n < sizeof(info))
			n += (size_t)snprintf(info + n, sizeof(info) - n,
					      "%sadopted", n ? ", " : "");
		if (!empty(error) && n < sizeof(info))
			snprintf(info + n, sizeof(info) - n, "%serror: %s",
				 n ? ", " : "", error);
		r = table_add(&t, jstr(e, "name"), ifindex, jstr(e, "state"),
			      jstr(e, "mode"), slot, mtu,
			      empty(jstr(e, "mac")) ? NULL : jstr(e, "mac"),
			      info);
	}
	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r ? nomem(err, errlen) : 0;
}

/* "via GW dev DEV" or "dev DEV" (on-link); "if6" when the name is gone. */
static void print_nexthop(json_object *nh, FILE *out)
{
	const char *via = jstr(nh, "via"), *dev = jstr(nh, "dev");

	if (!empty(via))
		fprintf(out, "via %s ", via);
	if (!empty(dev))
		fprintf(out, "dev %s", dev);
	else
		fprintf(out, "dev if%" PRIu64, ju64(nh, "ifindex"));
}

int cli_route_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *a = top_array(doc, "routes", err, errlen);

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i), *nhs;
		const char *table = jstr(e, "table"), *proto = jstr(e, "protocol");
		const char *type = jstr(e, "type"), *prefix = jstr(e, "prefix");
		size_t nnh = 0;

		if (json_object_object_get_ex(e, "nexthops", &nhs) &&
		    json_object_is_type(nhs, json_type_array))
			nnh = json_object_array_length(nhs);
		fputs(empty(prefix) ? "-" : prefix, out);
		if (nnh == 1) {
			fputc(' ', out);
			print_nexthop(json_object_array_get_idx(nhs, 0), out);
		}
		/* As `ip route`: the main table goes without saying. */
		if (!empty(table) && strcmp(table, "main"))
			fprintf(out, " table %s", table);
		if (!empty(proto))
			fprintf(out, " proto %s", proto);
		fprintf(out, " metric %" PRIu64, ju64(e, "metric"));
		if (!empty(type))
			fprintf(out, " [%s]", type);
		fputc('\n', out);
		for (size_t k = 0; nnh > 1 && k < nnh; k++) {
			fputs("\tnexthop ", out);
			print_nexthop(json_object_array_get_idx(nhs, k), out);
			fputc('\n', out);
		}
	}
	return 0;
}

int cli_neigh_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "ADDRESS", "DEV", "MAC", "STATE" };
	struct table t = { .ncols = 4, .head = head };
	json_object *a = top_array(doc, "neighbors", err, errlen);
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		const char *mac = jstr(e, "mac");

		r = table_add(&t, jstr(e, "address"), jstr(e, "dev"),
			      empty(mac) ? NULL : mac, jstr(e, "state"));
	}
	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r ? nomem(err, errlen) : 0;
}

static int stats_rows(struct table *t, const char *iface, json_object *reasons)
{
	int r = 0;

	if (!json_object_is_type(reasons, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(reasons) && !r; i++) {
		json_object *e = json_object_array_get_idx(reasons, i);
		char pk[24], by[24];

		snprintf(pk, sizeof(pk), "%" PRIu64, ju64(e, "packets"));
		snprintf(by, sizeof(by), "%" PRIu64, ju64(e, "bytes"));
		r = table_add(t, iface, jstr(e, "reason"), jstr(e, "verdict"),
			      pk, by);
	}
	return r;
}

int cli_stats_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const char *const head[] = { "IFACE", "REASON", "VERDICT",
					    "PACKETS", "BYTES" };
	struct table t = { .ncols = 5, .head = head,
			   .right = 1u << 3 | 1u << 4 };
	json_object *a = top_array(doc, "interfaces", err, errlen), *r, *tot;
	size_t n;
	int ret = 0;

	if (!a)
		return -EPROTO;
	n = json_object_array_length(a);
	for (size_t i = 0; i < n && !ret; i++) {
		json_object *e = json_object_array_get_idx(a, i);

		if (json_object_object_get_ex(e, "reasons", &r))
			ret = stats_rows(&t, jstr(e, "name"), r);
	}
	/* A sum over one interface would only repeat it. */
	if (!ret && n > 1 && json_object_object_get_ex(doc, "totals", &tot))
		ret = stats_rows(&t, "total", tot);
	if (!ret)
		table_print(&t, out);
	table_free(&t);
	return ret ? nomem(err, errlen) : 0;
}
