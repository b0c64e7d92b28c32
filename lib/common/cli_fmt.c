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
#include "maglev.h"
#include "vip_id.h"

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

/* Percent-encodes all but RFC 3986 unreserved characters and @keep. */
static int pct_encode(const char *s, const char *keep, char *out,
		      size_t outlen)
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
	q->method = "GET";
}

void cli_query_free(struct cli_query *q)
{
	json_object_put(q->body);
	q->body = NULL;
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

/* ---- load balancer arguments ---- */

/* Decimal digits only (no sign, space or "0x"), at most 10 of them, and
 * within @min..@max.  0 or -EINVAL. */
static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
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

int cli_vip_parse(const char *s, bool numeric, struct cli_vip *v, char *err,
		  size_t errlen)
{
	char why[128];
	uint32_t n;

	memset(v, 0, sizeof(*v));
	if (numeric && *s && strspn(s, "0123456789") == strlen(s)) {
		if (parse_u32(s, 1, 255, &n))
			return fail(err, errlen,
				    "invalid VIP '%s': a vip_id is 1..255", s);
		v->vip_id = n;
		return 0;
	}
	if (vip_id_parse(s, &v->key, why, sizeof(why)))
		return fail(err, errlen, "invalid VIP '%s': %s%s", s, why,
			    numeric && !strcmp(why, VIP_ID_EXPECTED) ?
				    " or a vip_id" : "");
	v->family = v->key.family == AF_INET6 ? 6 : 4;
	inet_ntop(v->key.family, v->key.addr, v->addr, sizeof(v->addr));
	v->port = ntohs(v->key.port);
	snprintf(v->proto, sizeof(v->proto), "%s",
		 v->key.proto == IPPROTO_UDP ? "udp" : "tcp");
	return 0;
}

/* The canonical text id ("198.18.100.1:80/tcp", "[2001:db8::1]:443/udp",
 * "7"): what the daemon prints, whatever spelling was typed. */
static void vip_id_text(const struct cli_vip *v, char *buf, size_t len)
{
	if (!v->family)
		snprintf(buf, len, "%u", v->vip_id);
	else
		vip_id_str(&v->key, buf, len);
}

/* Not an address the contract lets a VIP have: multicast, link-local,
 * unspecified.  The reason, or NULL. */
static const char *vip_addr_unfit(const struct cli_vip *v)
{
	unsigned char b[16];

	if (v->family == 4) {
		inet_pton(AF_INET, v->addr, b);
		if (!b[0] && !b[1] && !b[2] && !b[3])
			return "unspecified";
		if ((b[0] & 0xf0) == 0xe0)
			return "multicast";
		if (b[0] == 169 && b[1] == 254)
			return "link-local";
	} else {
		static const unsigned char zero[16];

		inet_pton(AF_INET6, v->addr, b);
		if (!memcmp(b, zero, 16))
			return "unspecified";
		if (b[0] == 0xff)
			return "multicast";
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
			return "link-local";
	}
	return NULL;
}

enum lb_verb { LB_SHOW, LB_ADD, LB_DEL, LB_SET, LB_DRAIN, LB_HELP };

static const struct cli_name vip_verbs[] = {
	{ "show", LB_SHOW }, { "list", LB_SHOW }, { "ls", LB_SHOW },
	{ "add", LB_ADD },   { "del", LB_DEL },	  { "delete", LB_DEL },
	{ "help", LB_HELP }, { NULL, 0 },
};

static const struct cli_name backend_verbs[] = {
	{ "show", LB_SHOW },   { "list", LB_SHOW }, { "ls", LB_SHOW },
	{ "add", LB_ADD },     { "set", LB_SET },   { "drain", LB_DRAIN },
	{ "del", LB_DEL },     { "delete", LB_DEL }, { "help", LB_HELP },
	{ NULL, 0 },
};

static const char *const verb_names[] = {
	[LB_SHOW] = "show", [LB_ADD] = "add",	  [LB_DEL] = "del",
	[LB_SET] = "set",   [LB_DRAIN] = "drain", [LB_HELP] = "help",
};

/* The options of vip and backend, by what they set. */
enum lb_opt {
	O_ENCAP, O_HASH, O_RING, O_HEALTH, O_HPATH, O_HPORT, O_INTERVAL,
	O_TIMEOUT, O_RISE, O_FALL, O_WEIGHT, O_STATE, O_MAX
};

static const struct lb_option {
	const char *name;
	unsigned int verbs;	/* bit per enum lb_verb it goes with */
} vip_options[O_MAX] = {
	[O_ENCAP] = { "--encap", 1u << LB_ADD },
	[O_HASH] = { "--hash", 1u << LB_ADD },
	[O_RING] = { "--ring-size", 1u << LB_ADD },
	[O_HEALTH] = { "--health", 1u << LB_ADD },
	[O_HPATH] = { "--health-path", 1u << LB_ADD },
	[O_HPORT] = { "--health-port", 1u << LB_ADD },
	[O_INTERVAL] = { "--interval", 1u << LB_ADD },
	[O_TIMEOUT] = { "--timeout", 1u << LB_ADD },
	[O_RISE] = { "--rise", 1u << LB_ADD },
	[O_FALL] = { "--fall", 1u << LB_ADD },
}, backend_options[O_MAX] = {
	[O_WEIGHT] = { "--weight", 1u << LB_ADD | 1u << LB_SET },
	[O_STATE] = { "--state", 1u << LB_ADD | 1u << LB_SET },
};

#define LB_MAX_POS 2

struct lb_args {
	const char *noun;
	enum lb_verb verb;
	const char *opt[O_MAX];		/* value as given, or NULL */
	const char *pos[LB_MAX_POS];
	int npos;
};

/* The verb (explicit, or show when the first argument is an id), then
 * the options and positional arguments, checked only for their shape. */
static int lb_parse(const char *noun, const struct cli_name *verbs,
		    const struct lb_option *opts, int max_pos, int argc,
		    char **argv, struct lb_args *la, struct cli_query *q,
		    char *err, size_t errlen)
{
	int i = 0, v;

	memset(la, 0, sizeof(*la));
	la->noun = noun;
	la->verb = LB_SHOW;
	for (int k = 0; k < argc; k++)
		if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help"))
			q->help = true;
	if (argc > 0 && argv[0][0] != '-') {
		v = cli_match(argv[0], verbs);
		if (v >= 0) {
			la->verb = (enum lb_verb)v;
			i = 1;
		} else if (v == -ENOTUNIQ) {
			char list[64] = "";
			size_t n = 0, len = strlen(argv[0]);
			unsigned int seen = 0;

			if (q->help)
				return 0;
			/* one name per verb: "del, drain" */
			for (const struct cli_name *c = verbs; c->name; c++) {
				if (strncmp(argv[0], c->name, len) ||
				    seen & 1u << c->id || n >= sizeof(list))
					continue;
				seen |= 1u << c->id;
				n += (size_t)snprintf(list + n, sizeof(list) - n,
						      "%s%s", n ? ", " : "",
						      c->name);
			}
			return fail(err, errlen, "%s: ambiguous command '%s' (%s)",
				    noun, argv[0], list);
		} else if (looks_like_word(argv[0])) {
			if (q->help)
				return 0;
			return bad_arg(noun, argv[0], true, err, errlen);
		}
	}
	if (la->verb == LB_HELP)
		q->help = true;
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		int o, r = 0;

		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			q->json = true;
			continue;
		}
		for (o = 0; o < O_MAX; o++)
			if (opts[o].name &&
			    (r = opt_value(opts[o].name, argc, argv, &i, &val)))
				break;
		if (r < 0)
			return fail(err, errlen, "%s: option '%s' needs a value",
				    noun, a);
		if (o < O_MAX) {
			if (!(opts[o].verbs & 1u << la->verb))
				return fail(err, errlen,
					    "%s: option '%s' does not go with '%s'",
					    noun, opts[o].name,
					    verb_names[la->verb]);
			if (la->opt[o])
				return fail(err, errlen,
					    "%s: %s given twice ('%s', '%s')",
					    noun, opts[o].name, la->opt[o], val);
			la->opt[o] = val;
			continue;
		}
		if (a[0] == '-' && a[1])
			return bad_arg(noun, a, false, err, errlen);
		if (la->npos >= max_pos)
			return fail(err, errlen, "%s: unexpected argument '%s'",
				    noun, a);
		la->pos[la->npos++] = a;
	}
	return 0;
}

__attribute__((format(printf, 2, 3)))
static int set_path(struct cli_query *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(q->path, sizeof(q->path), fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= sizeof(q->path) ? -ENOSPC : 0;
}

/* The VIP at la->pos[0], percent-encoded into @enc. */
static int lb_vip(const struct lb_args *la, bool numeric, struct cli_vip *v,
		  char *enc, size_t enclen, char *err, size_t errlen)
{
	char msg[256], id[80];

	if (cli_vip_parse(la->pos[0], numeric, v, msg, sizeof(msg)))
		return fail(err, errlen, "%s: %s", la->noun, msg);
	vip_id_text(v, id, sizeof(id));
	if (cli_path_encode(id, enc, enclen))
		return too_long(la->noun, err, errlen);
	return 0;
}

static int opt_choice(const struct lb_args *la, enum lb_opt o,
		      const struct lb_option *opts, const char *const *choices,
		      const char *expected, char *err, size_t errlen)
{
	const char *v = la->opt[o];

	for (; *choices; choices++)
		if (!strcmp(v, *choices))
			return 0;
	return fail(err, errlen, "%s: %s '%s': expected %s", la->noun,
		    opts[o].name, v, expected);
}

static int opt_num(const struct lb_args *la, enum lb_opt o,
		   const struct lb_option *opts, uint32_t min, uint32_t max,
		   const char *expected, uint32_t *val, char *err,
		   size_t errlen)
{
	if (parse_u32(la->opt[o], min, max, val))
		return fail(err, errlen, "%s: %s '%s': expected %s", la->noun,
			    opts[o].name, la->opt[o], expected);
	return 0;
}

static void add_string(json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

static void add_u32(json_object *o, const char *key, uint32_t val)
{
	json_object_object_add(o, key, json_object_new_int64(val));
}

#define RING_MIN 3
#define RING_MAX 655373
#define WEIGHT_MAX 1000
#define POSITIVE_MAX 2147483647u	/* a JSON int every parser keeps */

/* vip add: the VIP object of POST /v1/vips, with only what was given
 * (the daemon fills in its defaults).  Everything is checked first. */
static int vip_add_body(const struct lb_args *la, const struct cli_vip *v,
			json_object **bodyp, char *err, size_t errlen)
{
	static const char *const encaps[] = { "ipip", "gre", NULL };
	static const char *const hashes[] = { "5tuple", "src", NULL };
	static const char *const kinds[] = { "none", "tcp", "http", NULL };
	static const struct {
		enum lb_opt o;
		const char *key, *expected;
	} nums[] = {
		{ O_INTERVAL, "interval_ms", "a positive number of milliseconds" },
		{ O_TIMEOUT, "timeout_ms", "a positive number of milliseconds" },
		{ O_RISE, "rise", "a positive count" },
		{ O_FALL, "fall", "a positive count" },
	};
	const struct lb_option *opts = vip_options;
	const char *kind = la->opt[O_HEALTH], *path = la->opt[O_HPATH], *unfit;
	uint32_t ring = 0, hport = 0, num[ARRAY_SIZE(nums)] = { 0 };
	bool none = kind && !strcmp(kind, "none"), health_opts = false, checked;
	json_object *body, *health;
	int r;

	unfit = vip_addr_unfit(v);
	if (unfit)
		return fail(err, errlen, "vip: invalid VIP '%s': address %s is %s",
			    la->pos[0], v->addr, unfit);
	if (la->opt[O_ENCAP] &&
	    (r = opt_choice(la, O_ENCAP, opts, encaps, "ipip or gre", err,
			    errlen)))
		return r;
	if (la->opt[O_HASH] &&
	    (r = opt_choice(la, O_HASH, opts, hashes, "5tuple or src", err,
			    errlen)))
		return r;
	if (la->opt[O_RING]) {
		if ((r = opt_num(la, O_RING, opts, RING_MIN, RING_MAX,
				 "a prime 3..655373", &ring, err, errlen)))
			return r;
		if (!maglev_is_prime(ring))
			return fail(err, errlen,
				    "vip: --ring-size '%s': not a prime",
				    la->opt[O_RING]);
	}
	if (kind && (r = opt_choice(la, O_HEALTH, opts, kinds,
				     "none, tcp or http", err, errlen)))
		return r;
	for (int o = O_HPATH; o <= O_FALL; o++) {
		if (!la->opt[o])
			continue;
		if (none)
			return fail(err, errlen,
				    "vip: %s does not go with --health none",
				    opts[o].name);
		health_opts = true;
	}
	if (path && (!kind || strcmp(kind, "http")))
		return fail(err, errlen, "vip: --health-path needs --health http");
	if (path) {
		bool ok = path[0] == '/';

		for (const char *c = path; *c && ok; c++)
			ok = *c > ' ' && *c < 0x7f;
		if (!ok)
			return fail(err, errlen,
				    "vip: --health-path '%s': expected /PATH without spaces",
				    path);
	}
	if (la->opt[O_HPORT] &&
	    (r = opt_num(la, O_HPORT, opts, 0, 65535,
			 "0..65535 (0 = the VIP port)", &hport, err, errlen)))
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++)
		if (la->opt[nums[i].o] &&
		    (r = opt_num(la, nums[i].o, opts, 1, POSITIVE_MAX,
				 nums[i].expected, &num[i], err, errlen)))
			return r;
	/* The contract: a VIP on every port names the port it checks.  A UDP
	 * VIP is checked only when asked (its default is none); a health
	 * option alone asks for the tcp check, as for a TCP VIP. */
	checked = kind ? !none : health_opts || strcmp(v->proto, "udp");
	if (!v->port && !hport && checked)
		return fail(err, errlen,
			    "vip: VIP '%s' is on every port: give --health-port N or --health none",
			    la->pos[0]);

	body = json_object_new_object();
	if (!body)
		return -ENOMEM;
	add_string(body, "address", v->addr);
	add_u32(body, "port", v->port);
	add_string(body, "protocol", v->proto);
	if (la->opt[O_ENCAP])
		add_string(body, "encap", la->opt[O_ENCAP]);
	if (la->opt[O_HASH])
		add_string(body, "hash", la->opt[O_HASH]);
	if (la->opt[O_RING])
		add_u32(body, "ring_size", ring);
	if (kind || health_opts) {
		health = json_object_new_object();
		json_object_object_add(body, "health", health);
		/* spelled out: no daemon has to guess a kind-less object */
		add_string(health, "kind", kind ? kind : "tcp");
		if (la->opt[O_HPORT])
			add_u32(health, "port", hport);
		if (path)
			add_string(health, "path", path);
		for (size_t i = 0; i < ARRAY_SIZE(nums); i++)
			if (la->opt[nums[i].o])
				add_u32(health, nums[i].key, num[i]);
	}
	*bodyp = body;
	return 0;
}

int cli_vip_args(int argc, char **argv, struct cli_query *q, char *err,
		 size_t errlen)
{
	char enc[CLI_PATH_MAX];
	struct lb_args la;
	struct cli_vip v;
	int r;

	query_init(q, "/v1/vips");
	q->out = CLI_OUT_VIPS;
	r = lb_parse("vip", vip_verbs, vip_options, 1, argc, argv, &la, q,
		     err, errlen);
	if (r || q->help)
		return r;
	switch (la.verb) {
	case LB_SHOW:
		if (!la.npos)
			return 0;
		if ((r = lb_vip(&la, true, &v, enc, sizeof(enc), err, errlen)))
			return r;
		q->out = CLI_OUT_VIP;
		break;
	case LB_ADD:
		if (!la.npos)
			return fail(err, errlen,
				    "vip: 'add' needs a VIP (ADDR:PORT/PROTO)");
		if ((r = lb_vip(&la, false, &v, enc, sizeof(enc), err, errlen)))
			return r;
		r = vip_add_body(&la, &v, &q->body, err, errlen);
		if (r == -ENOMEM)
			return fail(err, errlen, "vip: out of memory");
		if (r)
			return r;
		q->method = "POST";
		q->out = CLI_OUT_VIP;
		return 0;
	case LB_DEL:
		if (!la.npos)
			return fail(err, errlen,
				    "vip: 'del' needs a VIP (ADDR:PORT/PROTO)");
		if ((r = lb_vip(&la, true, &v, enc, sizeof(enc), err, errlen)))
			return r;
		q->method = "DELETE";
		q->out = CLI_OUT_DELETED;
		break;
	default:
		return bad_arg("vip", argv[0], true, err, errlen);
	}
	if (set_path(q, "/v1/vips/%s", enc))
		return too_long("vip", err, errlen);
	return 0;
}

int cli_backend_args(int argc, char **argv, struct cli_query *q, char *err,
		     size_t errlen)
{
	static const char *const states[] = { "active", "draining", "down", NULL };
	const struct lb_option *opts = backend_options;
	char enc[CLI_PATH_MAX], aenc[CLI_PATH_MAX];
	char addr[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	uint32_t weight = 0;
	struct lb_args la;
	struct cli_vip v;
	const char *verb;
	int r;

	query_init(q, "/v1/vips");
	r = lb_parse("backend", backend_verbs, backend_options, 2, argc, argv,
		     &la, q, err, errlen);
	if (r || q->help)
		return r;
	verb = verb_names[la.verb];
	if (!la.npos)
		return fail(err, errlen, "backend: '%s' needs a VIP (ADDR:PORT/PROTO)%s",
			    verb, la.verb == LB_SHOW ? "" : " and a backend address");
	if ((r = lb_vip(&la, true, &v, enc, sizeof(enc), err, errlen)))
		return r;
	if (la.verb == LB_SHOW) {
		if (la.npos > 1)
			return fail(err, errlen, "backend: unexpected argument '%s'",
				    la.pos[1]);
		q->out = CLI_OUT_BACKENDS;
		if (set_path(q, "/v1/vips/%s/backends", enc))
			return too_long("backend", err, errlen);
		return 0;
	}
	if (la.npos < 2)
		return fail(err, errlen, "backend: '%s' needs a backend address after the VIP",
			    verb);
	if (inet_pton(AF_INET, la.pos[1], bin) == 1)
		inet_ntop(AF_INET, bin, addr, sizeof(addr));
	else if (inet_pton(AF_INET6, la.pos[1], bin) == 1)
		inet_ntop(AF_INET6, bin, addr, sizeof(addr));
	else
		return fail(err, errlen,
			    "backend: invalid backend address '%s': not an IPv4 or IPv6 address",
			    la.pos[1]);
	if (la.opt[O_WEIGHT] &&
	    (r = opt_num(&la, O_WEIGHT, opts, 1, WEIGHT_MAX, "1..1000", &weight,
			 err, errlen)))
		return r;
	if (la.opt[O_STATE] &&
	    (r = opt_choice(&la, O_STATE, opts, states,
			    "active, draining or down", err, errlen)))
		return r;
	if (la.verb == LB_SET && !la.opt[O_WEIGHT] && !la.opt[O_STATE])
		return fail(err, errlen, "backend: 'set' needs --weight or --state");
	if (cli_path_encode(addr, aenc, sizeof(aenc)))
		return too_long("backend", err, errlen);

	if (la.verb != LB_DEL) {
		q->body = json_object_new_object();
		if (!q->body)
			return fail(err, errlen, "backend: out of memory");
		if (la.verb == LB_ADD)
			add_string(q->body, "address", addr);
		if (la.opt[O_WEIGHT])
			add_u32(q->body, "weight", weight);
		if (la.opt[O_STATE])
			add_string(q->body, "state", la.opt[O_STATE]);
		if (la.verb == LB_DRAIN)
			add_string(q->body, "state", "draining");
	}
	switch (la.verb) {
	case LB_ADD:
		q->method = "POST";
		q->out = CLI_OUT_BACKEND;
		r = set_path(q, "/v1/vips/%s/backends", enc);
		break;
	case LB_SET:
	case LB_DRAIN:
		q->method = "PATCH";
		q->out = CLI_OUT_BACKEND;
		r = set_path(q, "/v1/vips/%s/backends/%s", enc, aenc);
		break;
	default:
		q->method = "DELETE";
		q->out = CLI_OUT_DELETED;
		r = set_path(q, "/v1/vips/%s/backends/%s", enc, aenc);
		break;
	}
	if (r) {
		cli_query_free(q);
		return too_long("backend", err, errlen);
	}
	return 0;
}

int cli_lb_args(int argc, char **argv, struct cli_query *q, char *err,
		size_t errlen)
{
	int i;

	query_init(q, "/v1/lb");
	q->out = CLI_OUT_LB;
	i = parse_verb(argc, argv, q);
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			q->json = true;
			continue;
		}
		return bad_arg("lb", argv[i], i == 0, err, errlen);
	}
	return 0;
}

const char *cli_body_string(const struct cli_query *q)
{
	if (!q->body)
		return NULL;
	return json_object_to_json_string_ext(
		q->body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
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
		if (!empty(jstr(e, "back_out")) && n < sizeof(info))
			n += (size_t)snprintf(info + n, sizeof(info) - n,
					      "%sback out: %s", n ? ", " : "",
					      jstr(e, "back_out"));
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

/* ---- load balancer ---- */

/* "key value", with "-" for a missing value. */
static void kv(char *buf, size_t len, const char *key, const char *val)
{
	snprintf(buf, len, "%s %s", key, val ? val : "-");
}

static json_object *jobj(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

/* One row per backend: ADDR  weight N  STATE  HEALTH  slots N  packets N
 * new_flows N  [error: ...].  @indent starts the address cell. */
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
	if (!empty(herr))
		snprintf(e, sizeof(e), "error: %s", herr);
	return table_add(t, addr, w, jstr(b, "state"), jstr(b, "health"), slots,
			 pk, nf, e);
}

static int backends_table(json_object *arr, const char *indent, FILE *out)
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

/* "tcp/1000ms", "http:8080/1000ms" (a port other than the VIP's), "none" */
static void health_text(json_object *vip, char *buf, size_t len)
{
	json_object *h = jobj(vip, "health");
	const char *kind = h ? jstr(h, "kind") : NULL;
	const char *iv = h ? jstr(h, "interval_ms") : NULL;
	uint64_t hp = h ? ju64(h, "port") : 0;
	size_t n;

	if (empty(kind)) {
		snprintf(buf, len, "-");
		return;
	}
	n = (size_t)snprintf(buf, len, "%s", kind);
	if (!strcmp(kind, "none"))
		return;
	if (hp && hp != ju64(vip, "port") && n < len)
		n += (size_t)snprintf(buf + n, len - n, ":%" PRIu64, hp);
	if (iv && n < len)
		snprintf(buf + n, len - n, "/%sms", iv);
}

static int vip_block(json_object *vip, FILE *out)
{
	static const char *const vip_counters[] = {
		"packets", "bytes", "new_flows", "flow_hits", "drops", "too_big",
	};
	json_object *bs, *c = jobj(vip, "counters");
	const char *id = jstr(vip, "id"), *ring = jstr(vip, "ring_size");
	char health[128];
	int r = 0;

	health_text(vip, health, sizeof(health));
	fprintf(out, "%s  encap %s  hash %s  M %s  health %s\n",
		empty(id) ? "-" : id,
		jstr(vip, "encap") ? jstr(vip, "encap") : "-",
		jstr(vip, "hash") ? jstr(vip, "hash") : "-", ring ? ring : "-",
		health);
	if (json_object_object_get_ex(vip, "backends", &bs) &&
	    json_object_is_type(bs, json_type_array) &&
	    json_object_array_length(bs))
		r = backends_table(bs, "  ", out);
	else
		fputs("  no backends\n", out);
	fputs("  counters", out);
	for (size_t i = 0; i < ARRAY_SIZE(vip_counters); i++) {
		const char *v = c ? jstr(c, vip_counters[i]) : NULL;

		fprintf(out, "  %s %s", vip_counters[i], v ? v : "-");
	}
	fputc('\n', out);
	return r;
}

static int not_object(json_object *doc, const char *what, char *err,
		      size_t errlen)
{
	if (json_object_is_type(doc, json_type_object))
		return 0;
	snprintf(err, errlen, "unexpected response from sluiced: %s is not an object",
		 what);
	return -EPROTO;
}

int cli_vips_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *a = top_array(doc, "vips", err, errlen);
	int r = 0;

	if (!a)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(a) && !r; i++) {
		if (i)
			fputc('\n', out);
		r = vip_block(json_object_array_get_idx(a, i), out);
	}
	return r ? nomem(err, errlen) : 0;
}

int cli_vip_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	int r = not_object(doc, "the VIP", err, errlen);

	if (r)
		return r;
	return vip_block(doc, out) ? nomem(err, errlen) : 0;
}

int cli_backends_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *a = top_array(doc, "backends", err, errlen);

	if (!a)
		return -EPROTO;
	return backends_table(a, "", out) ? nomem(err, errlen) : 0;
}

int cli_backend_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *a;
	int r = not_object(doc, "the backend", err, errlen);

	if (r)
		return r;
	a = json_object_new_array();
	if (!a)
		return nomem(err, errlen);
	json_object_array_add(a, json_object_get(doc));
	r = backends_table(a, "", out);
	json_object_put(a);
	return r ? nomem(err, errlen) : 0;
}

int cli_deleted_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	const char *d;
	int r = not_object(doc, "the answer", err, errlen);

	if (r)
		return r;
	d = jstr(doc, "deleted");
	fprintf(out, "deleted %s\n", empty(d) ? "-" : d);
	return 0;
}

int cli_lb_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	static const struct status_field lb_fields[] = {
		{ "source_v4", "source v4", F_TEXT },
		{ "source_v6", "source v6", F_TEXT },
		{ "flow_idle_timeout_s", "flow idle timeout", F_DURATION },
		{ "flows", "flows", F_TEXT },
		{ "flow_capacity", "flow capacity", F_TEXT },
		/* not in the contract, but sluiced sends them */
		{ "vips", "VIPs", F_TEXT },
		{ "slots_written", "slots written", F_TEXT },
		{ "state_file", "state file", F_TEXT },
		{ "state_write_errors", "state write errors", F_TEXT },
	};
	struct table t = { .ncols = 2 };
	char buf[64];
	int r = not_object(doc, "the document", err, errlen);

	if (r)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(lb_fields) && !r; i++) {
		const char *v = jstr(doc, lb_fields[i].key);

		if (!v)
			continue;
		if (lb_fields[i].kind == F_DURATION) {
			cli_fmt_duration(ju64(doc, lb_fields[i].key), buf,
					 sizeof(buf));
			v = buf;
		} else if (!*v) {
			v = "none";	/* no source: that family is off */
		}
		r = table_add(&t, lb_fields[i].label, v);
	}
	json_object_object_foreach(doc, key, val) {
		const char *v;
		bool known = false;

		(void)val;
		for (size_t i = 0; i < ARRAY_SIZE(lb_fields); i++)
			known = known || !strcmp(key, lb_fields[i].key);
		if (r || known || !(v = jstr(doc, key)))
			continue;
		r = table_add(&t, key, v);
	}
	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r ? nomem(err, errlen) : 0;
}

cli_printer cli_lb_printer(enum cli_out what)
{
	switch (what) {
	case CLI_OUT_VIP:
		return cli_vip_print;
	case CLI_OUT_BACKENDS:
		return cli_backends_print;
	case CLI_OUT_BACKEND:
		return cli_backend_print;
	case CLI_OUT_DELETED:
		return cli_deleted_print;
	case CLI_OUT_LB:
		return cli_lb_print;
	case CLI_OUT_VIPS:
	default:
		return cli_vips_print;
	}
}
