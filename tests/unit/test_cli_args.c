// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl's argument handling: noun/verb matching, global options,
 * prefix and interface-name validation, and argv -> request path.
 * Fixtures are tables: a command line and what it must become. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "cli.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 32

/* Splits @line at spaces into @argv (in @buf); returns argc. */
static int split(const char *line, char *buf, size_t len, char **argv)
{
	int argc = 0;
	char *save = NULL, *tok;

	snprintf(buf, len, "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < MAX_ARGS - 1;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return argc;
}

/* ---- name matching ---- */

enum { N_STATUS, N_STATS, N_ROUTE, N_NEIGH, N_IFACE };

static const struct cli_name nouns[] = {
	{ "status", N_STATUS },
	{ "stats", N_STATS },
	{ "iface", N_IFACE },
	{ "interface", N_IFACE },
	{ "route", N_ROUTE },
	{ "neigh", N_NEIGH },
	{ "neighbor", N_NEIGH },
	{ "neighbour", N_NEIGH },
	{ NULL, 0 },
};

static const struct {
	const char *arg;
	int want;
} match_cases[] = {
	{ "route", N_ROUTE },
	{ "r", N_ROUTE },
	{ "ro", N_ROUTE },
	{ "ne", N_NEIGH }, /* neigh, neighbor, neighbour: one id */
	{ "neigh", N_NEIGH },
	{ "neighbo", N_NEIGH },
	{ "neighbour", N_NEIGH },
	{ "i", N_IFACE },
	{ "inter", N_IFACE },
	{ "status", N_STATUS },
	{ "statu", N_STATUS },
	{ "stats", N_STATS },
	{ "s", -ENOTUNIQ },
	{ "st", -ENOTUNIQ },
	{ "stat", -ENOTUNIQ },
	{ "routes", -ENOENT }, /* longer than any name */
	{ "x", -ENOENT },
	{ "", -ENOENT },
	{ "R", -ENOENT }, /* case matters, as in ip(8) */
};

static void test_match(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(match_cases); i++) {
		int got = cli_match(match_cases[i].arg, nouns);

		if (got != match_cases[i].want)
			fail_msg("cli_match('%s') = %d, want %d",
				 match_cases[i].arg, got, match_cases[i].want);
	}
}

/* ---- prefixes, names, encoding ---- */

static const struct {
	const char *s;
	int family; /* 0: invalid */
} prefix_cases[] = {
	{ "198.18.0.0/24", 4 },
	{ "198.18.0.0/0", 4 },
	{ "198.18.0.0/32", 4 },
	{ "198.18.2.1", 4 }, /* a bare address is a host */
	{ "0.0.0.0/0", 4 },
	{ "2001:db8::/32", 6 },
	{ "::/0", 6 },
	{ "::1/128", 6 },
	{ "fe80::1", 6 },
	{ "::ffff:198.18.0.1/128", 6 },
	{ "198.18.0.0/33", 0 },
	{ "2001:db8::/129", 0 },
	{ "198.18.0.0/", 0 },
	{ "198.18.0.0/-1", 0 },
	{ "198.18.0.0/+8", 0 },
	{ "198.18.0.0/ 8", 0 },
	{ "198.18.0.0/0x8", 0 },
	{ "198.18.0.0/0024", 0 }, /* at most three digits */
	{ "198.18.0.0/24/8", 0 },
	{ "198.18.0/24", 0 }, /* inet_pton, not inet_aton */
	{ "198.18.0.256/24", 0 },
	{ "/24", 0 },
	{ "", 0 },
	{ "default", 0 },
	{ "fe80::1%eth0", 0 },
	{ "2001:db8::/32 ", 0 },
	{ "1234567890123456789012345678901234567890123456789/8", 0 },
};

static void test_prefix(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(prefix_cases); i++) {
		int fam = -1, r = cli_prefix_parse(prefix_cases[i].s, &fam);

		if (prefix_cases[i].family &&
		    (r || fam != prefix_cases[i].family))
			fail_msg("'%s': r=%d family=%d, want family %d",
				 prefix_cases[i].s, r, fam,
				 prefix_cases[i].family);
		if (!prefix_cases[i].family && r != -EINVAL)
			fail_msg("'%s' accepted (family %d)", prefix_cases[i].s,
				 fam);
	}
}

/* A network has no bit set past its length; a bare address is a /32 or
 * /128 and always one. */
static const struct {
	const char *s;
	bool network;
} network_cases[] = {
	{ "198.18.0.0/24", true },
	{ "198.18.0.1/24", false },
	{ "198.18.0.128/25", true },
	{ "198.18.0.128/24", false },
	{ "0.0.0.0/0", true },
	{ "198.18.0.0/0", false },
	{ "198.18.2.1", true },
	{ "198.18.2.1/32", true },
	{ "2001:db8::/32", true },
	{ "2001:db8::1/64", false },
	{ "2001:db8::8000/113", true },
	{ "2001:db8::8000/112", false },
	{ "::/0", true },
	{ "fe80::1", true },
	{ "198.18.0.0/33", false },
	{ "not-a-prefix", false },
};

static void test_prefix_is_network(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(network_cases); i++)
		if (cli_prefix_is_network(network_cases[i].s) !=
		    network_cases[i].network)
			fail_msg("'%s': want %s", network_cases[i].s,
				 network_cases[i].network ? "a network" :
							    "refused");
}

static void test_ifname(void **state)
{
	(void)state;
	assert_true(cli_ifname_valid("r-eth0"));
	assert_true(cli_ifname_valid("r-eth1.10"));
	assert_true(cli_ifname_valid("a"));
	assert_true(cli_ifname_valid("fifteen-chars15"));
	assert_false(cli_ifname_valid("sixteen-chars-16"));
	assert_false(cli_ifname_valid(""));
	assert_false(cli_ifname_valid("a/b"));
	assert_false(cli_ifname_valid("eth0:1"));
	assert_false(cli_ifname_valid("a b"));
	assert_false(cli_ifname_valid("a\tb"));
	assert_false(cli_ifname_valid("."));
	assert_false(cli_ifname_valid(".."));
}

static void test_urlencode(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(cli_urlencode("198.18.0.0/24", out, sizeof(out)), 0);
	assert_string_equal(out, "198.18.0.0/24");
	assert_int_equal(cli_urlencode("2001:db8::/32", out, sizeof(out)), 0);
	assert_string_equal(out, "2001:db8::/32");
	assert_int_equal(cli_urlencode("a&b=c+d e%#", out, sizeof(out)), 0);
	assert_string_equal(out, "a%26b%3Dc%2Bd%20e%25%23");
	assert_int_equal(cli_urlencode("", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* exactly fits: 3 chars + NUL */
	assert_int_equal(cli_urlencode("abc", out, 4), 0);
	assert_int_equal(cli_urlencode("abcd", out, 4), -ENOSPC);
	assert_int_equal(cli_urlencode("a&", out, 4), -ENOSPC);
	assert_int_equal(cli_urlencode("&", out, 4), 0);
	assert_string_equal(out, "%26");
}

/* ---- global options ---- */

static const struct {
	const char *line;
	const char *env_api, *env_token;
	int noun;	   /* index of the noun, or -1: error */
	const char *err;   /* expected error, if noun < 0 */
	int json, kind;	   /* kind: EP_UNIX / EP_TCP */
	const char *where; /* ep.path, or ep.host */
	const char *token;
} opt_cases[] = {
#define OPT_BAD(l, ea, et, e)                                                  \
	{                                                                      \
		.line = l, .env_api = ea, .env_token = et, .noun = -1,         \
		.err = e                                                       \
	}
	{ "sluicectl status", NULL, NULL, 1, NULL, 0, EP_UNIX,
	  "/run/sluice/sluiced.sock", NULL },
	{ "sluicectl", NULL, NULL, 1, NULL, 0, EP_UNIX,
	  "/run/sluice/sluiced.sock", NULL },
	{ "sluicectl -j route", NULL, NULL, 2, NULL, 1, EP_UNIX,
	  "/run/sluice/sluiced.sock", NULL },
	{ "sluicectl --json route", NULL, NULL, 2, NULL, 1, EP_UNIX,
	  "/run/sluice/sluiced.sock", NULL },
	{ "sluicectl --api unix:/tmp/s.sock r", NULL, NULL, 3, NULL, 0, EP_UNIX,
	  "/tmp/s.sock", NULL },
	{ "sluicectl --api=tcp:127.0.0.1:8080 -j r", NULL, NULL, 3, NULL, 1,
	  EP_TCP, "127.0.0.1", NULL },
	{ "sluicectl --api tcp:[::1]:8080 r", NULL, NULL, 3, NULL, 0, EP_TCP,
	  "::1", NULL },
	/* the environment, and options over it */
	{ "sluicectl r", "tcp:10.0.0.1:80", "t0k", 1, NULL, 0, EP_TCP,
	  "10.0.0.1", "t0k" },
	{ "sluicectl --api unix:/a --token x r", "tcp:10.0.0.1:80", "t0k", 5,
	  NULL, 0, EP_UNIX, "/a", "x" },
	{ "sluicectl --token=x r", NULL, NULL, 2, NULL, 0, EP_UNIX,
	  "/run/sluice/sluiced.sock", "x" },
	{ "sluicectl r", "", "", 1, NULL, 0, EP_UNIX,
	  "/run/sluice/sluiced.sock", NULL },
	{ "sluicectl -- -j", NULL, NULL, 2, NULL, 0, EP_UNIX,
	  "/run/sluice/sluiced.sock", NULL },
	/* errors name the option and the value */
	OPT_BAD("sluicectl --api", NULL, NULL, "option '--api' needs a value"),
	OPT_BAD("sluicectl --token", NULL, NULL,
		"option '--token' needs a value"),
	OPT_BAD("sluicectl --token= r", NULL, NULL, "token: empty value"),
	OPT_BAD("sluicectl --bogus r", NULL, NULL,
		"unknown option '--bogus', try 'sluicectl --help'"),
	OPT_BAD("sluicectl -4 r", NULL, NULL,
		"unknown option '-4', try 'sluicectl --help'"),
	OPT_BAD("sluicectl --apix r", NULL, NULL,
		"unknown option '--apix', try 'sluicectl --help'"),
	OPT_BAD("sluicectl --api foo r", NULL, NULL,
		"api: 'foo': expected unix:PATH or tcp:HOST:PORT"),
	OPT_BAD("sluicectl --api tcp:host:80 r", NULL, NULL,
		"api: 'tcp:host:80': host 'host' is not an IPv4 or IPv6 address"),
	/* HTTPS is for tcp: endpoints only */
	OPT_BAD("sluicectl --cacert /etc/ca.pem r", NULL, NULL,
		"cacert: HTTPS is for tcp: endpoints, not "
		"'unix:/run/sluice/sluiced.sock'"),
	OPT_BAD("sluicectl --cacert", NULL, NULL,
		"option '--cacert' needs a value"),
	{ "sluicectl --api tcp:198.18.0.1:80 --cacert /etc/ca.pem status", NULL,
	  NULL, 5, NULL, 0, EP_TCP, "198.18.0.1", NULL },
	OPT_BAD("sluicectl r", "unix:rel", NULL,
		"api: 'unix:rel': unix socket path must be absolute and shorter "
		"than 108 bytes (from SLUICE_API)"),
};

static void test_opts(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(opt_cases); i++) {
		char buf[256], err[256] = "", *argv[MAX_ARGS];
		int argc = split(opt_cases[i].line, buf, sizeof(buf), argv);
		struct cli_opts o;
		int r;

		cli_opts_init(&o, opt_cases[i].env_api, opt_cases[i].env_token);
		r = cli_opts_parse(&o, argc, argv, err, sizeof(err));
		if (opt_cases[i].noun < 0) {
			if (r != -EINVAL || strcmp(err, opt_cases[i].err))
				fail_msg("'%s': r=%d err='%s', want '%s'",
					 opt_cases[i].line, r, err,
					 opt_cases[i].err);
			continue;
		}
		if (r != opt_cases[i].noun)
			fail_msg("'%s': r=%d (%s), want %d", opt_cases[i].line,
				 r, err, opt_cases[i].noun);
		assert_int_equal(o.json, opt_cases[i].json);
		assert_int_equal(o.ep.kind, opt_cases[i].kind);
		assert_string_equal(o.ep.kind == EP_UNIX ? o.ep.path :
							   o.ep.host,
				    opt_cases[i].where);
		if (opt_cases[i].token)
			assert_string_equal(o.token, opt_cases[i].token);
		else
			assert_null(o.token);
	}
}

static void test_opts_help_version(void **state)
{
	char *argv[] = { "sluicectl", "-V", NULL };
	char *argv2[] = { "sluicectl", "--help", "route", NULL };
	struct cli_opts o;
	char err[256];

	(void)state;
	/* A broken SLUICE_API does not stand in the way of -V or --help. */
	cli_opts_init(&o, "garbage", NULL);
	assert_int_equal(cli_opts_parse(&o, 2, argv, err, sizeof(err)), 2);
	assert_true(o.version);
	cli_opts_init(&o, "garbage", NULL);
	assert_int_equal(cli_opts_parse(&o, 3, argv2, err, sizeof(err)), 2);
	assert_true(o.help);
}

static void test_opts_token_ctl(void **state)
{
	char tok[] = "abc\r\nX-Evil: 1";
	char *argv[] = { "sluicectl", "--token", tok, "status", NULL };
	struct cli_opts o;
	char err[256];

	(void)state;
	cli_opts_init(&o, NULL, NULL);
	assert_int_equal(cli_opts_parse(&o, 4, argv, err, sizeof(err)),
			 -EINVAL);
	/* names the problem, never the secret */
	assert_string_equal(err, "token: contains control characters");
}

static void test_is_global_opt(void **state)
{
	(void)state;
	assert_true(cli_is_global_opt("-j"));
	assert_true(cli_is_global_opt("--json"));
	assert_true(cli_is_global_opt("--api"));
	assert_true(cli_is_global_opt("--api=unix:/x"));
	assert_true(cli_is_global_opt("--token=x"));
	assert_false(cli_is_global_opt("-jx"));
	assert_false(cli_is_global_opt("-j=1"));
	assert_false(cli_is_global_opt("-a"));
	assert_false(cli_is_global_opt("-4"));
	assert_false(cli_is_global_opt("--apix"));
	/* the one global option every noun also takes after itself */
	assert_true(cli_is_json_opt("-j"));
	assert_true(cli_is_json_opt("--json"));
	assert_false(cli_is_json_opt("-jx"));
	assert_false(cli_is_json_opt("--json=1"));
	assert_false(cli_is_json_opt("--api"));
	assert_false(cli_is_json_opt("-J"));
}

/* ---- noun arguments -> request ---- */

typedef int (*args_fn)(int, char **, struct cli_query *, char *, size_t);

static const struct {
	args_fn fn;
	const char *line; /* after the noun */
	const char *path; /* NULL: must fail with err */
	const char *err;
	const char *name; /* iface filter */
	int all, help, json;
	const char *pages;     /* --all: the answer's array */
	unsigned int per_page; /* --all: items a request (0: 10,000) */
} req_cases[] = {
#define REQ(f, l, p, ...)                                                      \
	{                                                                      \
		.fn = f, .line = l, .path = p, __VA_ARGS__                     \
	}
#define BAD(f, l, e)                                                           \
	{                                                                      \
		.fn = f, .line = l, .err = e                                   \
	}
	REQ(cli_status_args, "", "/v1/status"),
	REQ(cli_status_args, "show", "/v1/status"),
	REQ(cli_status_args, "help", "/v1/status", .help = 1),
	BAD(cli_status_args, "x",
	    "status: unknown command 'x', try 'sluicectl status help'"),
	BAD(cli_status_args, "show x",
	    "status: unknown argument 'x', try 'sluicectl status help'"),
	REQ(cli_status_args, "-j", "/v1/status", .json = 1),
	REQ(cli_status_args, "show --json", "/v1/status", .json = 1),
	BAD(cli_status_args, "show -V",
	    "status: '-V' is a global option, put it before the noun"),

	REQ(cli_iface_args, "", "/v1/interfaces"),
	REQ(cli_iface_args, "show", "/v1/interfaces"),
	REQ(cli_iface_args, "sh r-eth0", "/v1/interfaces", .name = "r-eth0"),
	REQ(cli_iface_args, "r-eth0", "/v1/interfaces", .name = "r-eth0"),
	REQ(cli_iface_args, "show dev r-eth1.10", "/v1/interfaces",
	    .name = "r-eth1.10"),
	BAD(cli_iface_args, "list dev", "iface: 'dev' needs an interface name"),
	BAD(cli_iface_args, "show a/b", "iface: invalid interface name 'a/b'"),
	BAD(cli_iface_args, "show a b",
	    "iface: unknown argument 'b', try 'sluicectl iface help'"),
	BAD(cli_iface_args, "show -x",
	    "iface: unknown option '-x', try 'sluicectl iface help'"),
	REQ(cli_iface_args, "-h", "/v1/interfaces", .help = 1),
	REQ(cli_iface_args, "-j", "/v1/interfaces", .json = 1),
	REQ(cli_iface_args, "r-eth0 -j", "/v1/interfaces", .name = "r-eth0",
	    .json = 1),
	REQ(cli_iface_args, "show --json dev r-eth0", "/v1/interfaces",
	    .name = "r-eth0", .json = 1),

	REQ(cli_route_args, "", "/v1/routes"),
	REQ(cli_route_args, "show", "/v1/routes"),
	REQ(cli_route_args, "ls", "/v1/routes"),
	REQ(cli_route_args, "l", "/v1/routes"), /* list and ls: one verb */
	REQ(cli_route_args, "-4", "/v1/routes?family=4"),
	REQ(cli_route_args, "show -6", "/v1/routes?family=6"),
	REQ(cli_route_args, "-6 -6", "/v1/routes?family=6"),
	REQ(cli_route_args, "show 198.18.0.0/24",
	    "/v1/routes?prefix=198.18.0.0/24"),
	REQ(cli_route_args, "198.18.0.0/24", "/v1/routes?prefix=198.18.0.0/24"),
	REQ(cli_route_args, "198.18.0.0/24 -4",
	    "/v1/routes?family=4&prefix=198.18.0.0/24"),
	BAD(cli_route_args, "-6 show", "route: invalid prefix 'show'"),
	REQ(cli_route_args, "list -6 2001:db8::/32",
	    "/v1/routes?family=6&prefix=2001:db8::/32"),
	REQ(cli_route_args, "198.18.2.1", "/v1/routes?prefix=198.18.2.1"),
	BAD(cli_route_args, "show 198.18.0.0/33",
	    "route: invalid prefix '198.18.0.0/33'"),
	BAD(cli_route_args, "198.18.0.0/33",
	    "route: invalid prefix '198.18.0.0/33'"),
	BAD(cli_route_args, "1.2.3.4/99", "route: invalid prefix '1.2.3.4/99'"),
	BAD(cli_route_args, "2001:db8::/129",
	    "route: invalid prefix '2001:db8::/129'"),
	BAD(cli_route_args, "show nonsense",
	    "route: invalid prefix 'nonsense'"),
	BAD(cli_route_args, "add 198.18.0.0/24",
	    "route: unknown command 'add', try 'sluicectl route help'"),
	BAD(cli_route_args, "198.18.0.0/24 -6",
	    "route: prefix '198.18.0.0/24' is not IPv6 (-6)"),
	BAD(cli_route_args, "-4 ::/0", "route: prefix '::/0' is not IPv4 (-4)"),
	BAD(cli_route_args, "-4 -6", "route: -4 and -6 exclude each other"),
	REQ(cli_route_args, "--limit 10", "/v1/routes?limit=10"),
	REQ(cli_route_args, "-6 --limit 2 --cursor 2001:db8::/48",
	    "/v1/routes?family=6&limit=2&cursor=2001:db8::/48"),
	REQ(cli_route_args, "198.18.0.0/15 --cursor 198.18.4.0/24",
	    "/v1/routes?prefix=198.18.0.0/15&cursor=198.18.4.0/24"),
	BAD(cli_route_args, "--limit 0",
	    "route: --limit '0' is not a number 1..10000"),
	BAD(cli_route_args, "--limit 10001",
	    "route: --limit '10001' is not a number 1..10000"),
	BAD(cli_route_args, "--limit", "route: --limit needs a value"),
	BAD(cli_route_args, "--limit 5 --limit 6",
	    "route: --limit given twice ('5', '6')"),
	BAD(cli_route_args, "--cursor 198.18.0.1",
	    "route: --cursor '198.18.0.1' is not a cursor (the 'next' of the "
	    "previous page: a prefix)"),
	BAD(cli_route_args, "--cursor 198.18.0.1/24",
	    "route: --cursor '198.18.0.1/24' has host bits set past its length "
	    "(a page's 'next' has none)"),
	BAD(cli_route_args, "--cursor 2001:db8::8000/112",
	    "route: --cursor '2001:db8::8000/112' has host bits set past its "
	    "length (a page's 'next' has none)"),
	REQ(cli_route_args, "--all", "/v1/routes", .pages = "routes"),
	REQ(cli_route_args, "-6 2001:db8::/32 --all",
	    "/v1/routes?family=6&prefix=2001:db8::/32", .pages = "routes"),
	REQ(cli_route_args, "--all --limit 5", "/v1/routes", .pages = "routes",
	    .per_page = 5),
	BAD(cli_route_args, "--cursor 198.18.0.0/24 --all",
	    "route: --all lists every page from the first; not with --cursor"),
	BAD(cli_route_args, "198.18.0.1 --all",
	    "route: --all is for a listing; '198.18.0.1' (no /LEN) asks for "
	    "the one route it takes"),
	BAD(cli_route_args, "198.18.0.1 --limit 5",
	    "route: --limit is for a listing; '198.18.0.1' (no /LEN) asks for "
	    "the one route it takes"),
	BAD(cli_route_args, "1.0.0.0/8 2.0.0.0/8",
	    "route: unexpected argument '2.0.0.0/8' after prefix '1.0.0.0/8'"),
	REQ(cli_route_args, "show -j", "/v1/routes", .json = 1),
	REQ(cli_route_args, "--json -4", "/v1/routes?family=4", .json = 1),
	BAD(cli_route_args, "show --token t",
	    "route: '--token' is a global option, put it before the noun"),
	BAD(cli_route_args, "show --api=unix:/x",
	    "route: '--api=unix:/x' is a global option, put it before the noun"),
	BAD(cli_route_args, "show -5",
	    "route: unknown option '-5', try 'sluicectl route help'"),
	REQ(cli_route_args, "help", "/v1/routes", .help = 1),
	REQ(cli_route_args, "show 1.2.3.4/99 --help", "/v1/routes", .help = 1),

	REQ(cli_neigh_args, "", "/v1/neighbors"),
	REQ(cli_neigh_args, "show", "/v1/neighbors"),
	REQ(cli_neigh_args, "show dev r-eth1", "/v1/neighbors?dev=r-eth1"),
	REQ(cli_neigh_args, "dev r-eth1", "/v1/neighbors?dev=r-eth1"),
	REQ(cli_neigh_args, "dev a+b", "/v1/neighbors?dev=a%2Bb"),
	REQ(cli_neigh_args, "--limit 100", "/v1/neighbors?limit=100"),
	REQ(cli_neigh_args, "dev r1 --all", "/v1/neighbors?dev=r1",
	    .pages = "neighbors"),
	BAD(cli_neigh_args, "--all --cursor 198.18.2.9,3",
	    "neigh: --all lists every page from the first; not with --cursor"),
	REQ(cli_neigh_args, "dev r1 --limit 2 --cursor 198.18.2.9,3",
	    "/v1/neighbors?dev=r1&limit=2&cursor=198.18.2.9%2C3"),
	REQ(cli_neigh_args, "show --cursor fe80::1,12 dev r1",
	    "/v1/neighbors?dev=r1&cursor=fe80::1%2C12"),
	BAD(cli_neigh_args, "--limit 0",
	    "neigh: --limit '0' is not a number 1..10000"),
	BAD(cli_neigh_args, "--limit", "neigh: --limit needs a value"),
	BAD(cli_neigh_args, "--cursor 198.18.2.1,1 --cursor 198.18.2.2,2",
	    "neigh: --cursor given twice ('198.18.2.1,1', '198.18.2.2,2')"),
	BAD(cli_neigh_args, "--cursor 198.18.2.9",
	    "neigh: --cursor '198.18.2.9' is not a cursor (the 'next' of the "
	    "previous page: ADDRESS,IFINDEX)"),
	BAD(cli_neigh_args, "--cursor 198.18.2.9,0",
	    "neigh: --cursor '198.18.2.9,0' is not a cursor (the 'next' of "
	    "the previous page: ADDRESS,IFINDEX)"),
	BAD(cli_neigh_args, "--cursor 198.18.2.0/24,3",
	    "neigh: --cursor '198.18.2.0/24,3' is not a cursor (the 'next' of "
	    "the previous page: ADDRESS,IFINDEX)"),
	BAD(cli_neigh_args, "--cursor ,3",
	    "neigh: --cursor ',3' is not a cursor (the 'next' of the previous "
	    "page: ADDRESS,IFINDEX)"),
	BAD(cli_neigh_args, "--cursor 198.18.2.9,3x",
	    "neigh: --cursor '198.18.2.9,3x' is not a cursor (the 'next' of "
	    "the previous page: ADDRESS,IFINDEX)"),
	BAD(cli_neigh_args, "dev", "neigh: 'dev' needs an interface name"),
	BAD(cli_neigh_args, "dev eth0:1",
	    "neigh: invalid interface name 'eth0:1'"),
	BAD(cli_neigh_args, "dev a dev b",
	    "neigh: 'dev' given twice ('a', 'b')"),
	BAD(cli_neigh_args, "r-eth1",
	    "neigh: unknown command 'r-eth1', try 'sluicectl neigh help'"),
	BAD(cli_neigh_args, "show r-eth1",
	    "neigh: unknown argument 'r-eth1', try 'sluicectl neigh help'"),
	BAD(cli_neigh_args, "flush",
	    "neigh: unknown command 'flush', try 'sluicectl neigh help'"),
	REQ(cli_neigh_args, "dev r1 -j", "/v1/neighbors?dev=r1", .json = 1),

	REQ(cli_stats_args, "", "/v1/stats"),
	REQ(cli_stats_args, "-a", "/v1/stats", .all = 1),
	REQ(cli_stats_args, "show --all", "/v1/stats", .all = 1),
	REQ(cli_stats_args, "show dev r-eth0", "/v1/stats?dev=r-eth0"),
	REQ(cli_stats_args, "dev r-eth0 -a", "/v1/stats?dev=r-eth0", .all = 1),
	REQ(cli_stats_args, "-a dev r-eth0", "/v1/stats?dev=r-eth0", .all = 1),
	/* docs/cli.md: "stats -a -j" for every counter */
	REQ(cli_stats_args, "-a -j", "/v1/stats", .all = 1, .json = 1),
	REQ(cli_stats_args, "show --json dev r-eth0", "/v1/stats?dev=r-eth0",
	    .json = 1),
	BAD(cli_stats_args, "-a --api=unix:/x",
	    "stats: '--api=unix:/x' is a global option, put it before the "
	    "noun"),
	BAD(cli_stats_args, "show -x",
	    "stats: unknown option '-x', try 'sluicectl stats help'"),
	BAD(cli_stats_args, "clear",
	    "stats: unknown command 'clear', try 'sluicectl stats help'"),
	BAD(cli_stats_args, "dev sixteen-chars-16",
	    "stats: invalid interface name 'sixteen-chars-16'"),
};

static void test_requests(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(req_cases); i++) {
		char buf[256], err[256] = "", *argv[MAX_ARGS];
		int argc = split(req_cases[i].line, buf, sizeof(buf), argv);
		struct cli_query q;
		int r = req_cases[i].fn(argc, argv, &q, err, sizeof(err));

		if (!req_cases[i].path) {
			if (r != -EINVAL || strcmp(err, req_cases[i].err))
				fail_msg(
					"case %zu '%s': r=%d err='%s', want '%s'",
					i, req_cases[i].line, r, err,
					req_cases[i].err);
			continue;
		}
		if (r)
			fail_msg("case %zu '%s': r=%d err='%s'", i,
				 req_cases[i].line, r, err);
		if (strcmp(q.path, req_cases[i].path))
			fail_msg("case %zu '%s': path '%s', want '%s'", i,
				 req_cases[i].line, q.path, req_cases[i].path);
		assert_string_equal(q.name,
				    req_cases[i].name ? req_cases[i].name : "");
		assert_int_equal(q.all, req_cases[i].all);
		assert_int_equal(q.help, req_cases[i].help);
		if (q.json != req_cases[i].json)
			fail_msg("case %zu '%s': json %d, want %d", i,
				 req_cases[i].line, q.json, req_cases[i].json);
		assert_string_equal(q.pages_key ? q.pages_key : "",
				    req_cases[i].pages ? req_cases[i].pages :
							 "");
		if (q.pages_key)
			assert_int_equal(q.pages_limit,
					 req_cases[i].per_page ?: 10000);
	}
}

/* ---- load balancer: argv -> method, path, exact body ---- */

/* --cacert: a file with a PEM certificate, else bad input naming it. */
static void test_cacert_check(void **state)
{
	char dir[] = "/tmp/test_cli_cacert.XXXXXX", pem[64], txt[64], err[256];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(pem, sizeof(pem), "%s/ca.pem", dir);
	snprintf(txt, sizeof(txt), "%s/hostname", dir);
	f = fopen(pem, "w");
	assert_non_null(f);
	fputs("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
	      f);
	fclose(f);
	f = fopen(txt, "w");
	assert_non_null(f);
	fputs("r1\n", f);
	fclose(f);
	assert_int_equal(cli_cacert_check(pem, err, sizeof(err)), 0);
	assert_int_equal(cli_cacert_check(txt, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "holds no PEM certificate"));
	assert_non_null(strstr(err, txt));
	unlink(pem);
	assert_int_equal(cli_cacert_check(pem, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "No such file or directory"));
	unlink(txt);
	rmdir(dir);
}

static void test_path_encode(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(
		cli_path_encode("198.18.100.1:80/tcp", out, sizeof(out)), 0);
	assert_string_equal(out, "198.18.100.1:80%2Ftcp");
	assert_int_equal(
		cli_path_encode("[2001:db8::1]:443/udp", out, sizeof(out)), 0);
	assert_string_equal(out, "%5B2001:db8::1%5D:443%2Fudp");
	assert_int_equal(cli_path_encode("a b?#%", out, sizeof(out)), 0);
	assert_string_equal(out, "a%20b%3F%23%25");
	assert_int_equal(cli_path_encode("/", out, 4), 0);
	assert_string_equal(out, "%2F");
	assert_int_equal(cli_path_encode("a/", out, 4), -ENOSPC);
}

static const struct {
	const char *s;
	bool numeric;
	const char *err; /* NULL: valid */
	int family;
	const char *addr;
	unsigned int port, vip_id;
	const char *proto;
} vipid_cases[] = {
#define VIP_OK(s, f, a, p, pr)                                                 \
	{                                                                      \
		s, false, NULL, f, a, p, 0, pr                                 \
	}
#define VIP_BAD(s, n, e)                                                       \
	{                                                                      \
		s, n, e, 0, NULL, 0, 0, NULL                                   \
	}
	VIP_OK("198.18.100.1:80/tcp", 4, "198.18.100.1", 80, "tcp"),
	VIP_OK("198.18.100.1:0/udp", 4, "198.18.100.1", 0, "udp"),
	VIP_OK("198.18.100.1:65535/udp", 4, "198.18.100.1", 65535, "udp"),
	VIP_OK("198.18.100.1:080/tcp", 4, "198.18.100.1", 80, "tcp"),
	VIP_OK("[2001:db8:100::1]:443/tcp", 6, "2001:db8:100::1", 443, "tcp"),
	/* canonical spelling, whatever was typed */
	VIP_OK("[2001:DB8:100:0::1]:443/tcp", 6, "2001:db8:100::1", 443, "tcp"),
	VIP_OK("[::ffff:198.18.0.1]:53/udp", 6, "::ffff:198.18.0.1", 53, "udp"),
	{ "7", true, NULL, 0, "", 0, 7, "" },
	{ "255", true, NULL, 0, "", 0, 255, "" },
	VIP_BAD("7", false,
		"invalid VIP '7': expected ADDR:PORT/PROTO or [ADDR]:PORT/PROTO"),
	VIP_BAD("0", true, "invalid VIP '0': a vip_id is 1..255"),
	VIP_BAD("256", true, "invalid VIP '256': a vip_id is 1..255"),
	VIP_BAD("", true,
		"invalid VIP '': expected ADDR:PORT/PROTO or [ADDR]:PORT/PROTO or a vip_id"),
	VIP_BAD("198.18.100.1", false,
		"invalid VIP '198.18.100.1': expected ADDR:PORT/PROTO or [ADDR]:PORT/PROTO"),
	VIP_BAD("198.18.100.1/tcp", false,
		"invalid VIP '198.18.100.1/tcp': expected ADDR:PORT/PROTO or [ADDR]:PORT/PROTO"),
	VIP_BAD("198.18.100.1:80", false,
		"invalid VIP '198.18.100.1:80': no /PROTO (tcp or udp) after the port"),
	VIP_BAD("198.18.100.1:80/sctp", false,
		"invalid VIP '198.18.100.1:80/sctp': protocol 'sctp' is not tcp or udp"),
	VIP_BAD("198.18.100.1:80/TCP", false,
		"invalid VIP '198.18.100.1:80/TCP': protocol 'TCP' is not tcp or udp"),
	VIP_BAD("198.18.100.1:80/tcp/x", false,
		"invalid VIP '198.18.100.1:80/tcp/x': protocol 'tcp/x' is not tcp or udp"),
	VIP_BAD("198.18.100.1:80/", false,
		"invalid VIP '198.18.100.1:80/': protocol '' is not tcp or udp"),
	VIP_BAD("198.18.100.1:65536/tcp", false,
		"invalid VIP '198.18.100.1:65536/tcp': port '65536' is not 0..65535"),
	VIP_BAD("198.18.100.1:-1/tcp", false,
		"invalid VIP '198.18.100.1:-1/tcp': port '-1' is not 0..65535"),
	VIP_BAD("198.18.100.1:/tcp", false,
		"invalid VIP '198.18.100.1:/tcp': port '' is not 0..65535"),
	VIP_BAD("198.18.100.1:99999999999/tcp", false,
		"invalid VIP '198.18.100.1:99999999999/tcp': port '99999999999' is not 0..65535"),
	VIP_BAD("198.18.100:80/tcp", false,
		"invalid VIP '198.18.100:80/tcp': '198.18.100' is not an IPv4 address"),
	VIP_BAD(":80/tcp", false,
		"invalid VIP ':80/tcp': '' is not an IPv4 address"),
	VIP_BAD("2001:db8::1:80/tcp", false,
		"invalid VIP '2001:db8::1:80/tcp': an IPv6 address goes in brackets, [ADDR]:PORT/PROTO"),
	VIP_BAD("[198.18.100.1]:80/tcp", false,
		"invalid VIP '[198.18.100.1]:80/tcp': '198.18.100.1' is not an IPv6 address"),
	VIP_BAD("[2001:db8::1]80/tcp", false,
		"invalid VIP '[2001:db8::1]80/tcp': expected ADDR:PORT/PROTO or [ADDR]:PORT/PROTO"),
	VIP_BAD("[2001:db8::1:80/tcp", false,
		"invalid VIP '[2001:db8::1:80/tcp': expected ADDR:PORT/PROTO or [ADDR]:PORT/PROTO"),
	VIP_BAD("[fe80::1%eth0]:80/tcp", false,
		"invalid VIP '[fe80::1%eth0]:80/tcp': 'fe80::1%eth0' is not an IPv6 address"),
};

static void test_vip_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(vipid_cases); i++) {
		char err[256] = "";
		struct cli_vip v;
		int r = cli_vip_parse(vipid_cases[i].s, vipid_cases[i].numeric,
				      &v, err, sizeof(err));

		if (vipid_cases[i].err) {
			if (r != -EINVAL || strcmp(err, vipid_cases[i].err))
				fail_msg("'%s': r=%d err='%s', want '%s'",
					 vipid_cases[i].s, r, err,
					 vipid_cases[i].err);
			continue;
		}
		if (r)
			fail_msg("'%s': r=%d err='%s'", vipid_cases[i].s, r,
				 err);
		assert_int_equal(v.family, vipid_cases[i].family);
		assert_string_equal(v.addr, vipid_cases[i].addr);
		assert_int_equal(v.port, vipid_cases[i].port);
		assert_string_equal(v.proto, vipid_cases[i].proto);
		assert_int_equal(v.vip_id, vipid_cases[i].vip_id);
	}
}

static const struct {
	args_fn fn;
	const char *line;   /* after the noun */
	const char *method; /* NULL: must fail with err */
	const char *path;
	const char *body; /* exact, or NULL: none */
	enum cli_out out;
	int json, help;
	const char *err;
} lb_cases[] = {
#define LB(f, l, m, p, b, o, ...)                                              \
	{                                                                      \
		.fn = f, .line = l, .method = m, .path = p, .body = b,         \
		.out = o, __VA_ARGS__                                          \
	}
#define LB_BAD(f, l, e)                                                        \
	{                                                                      \
		.fn = f, .line = l, .err = e                                   \
	}
#define V cli_vip_args
#define B cli_backend_args
	/* vip show */
	LB(V, "", "GET", "/v1/vips", NULL, CLI_OUT_VIPS),
	LB(V, "show", "GET", "/v1/vips", NULL, CLI_OUT_VIPS),
	LB(V, "ls -j", "GET", "/v1/vips", NULL, CLI_OUT_VIPS, .json = 1),
	LB(V, "show 198.18.100.1:80/tcp", "GET",
	   "/v1/vips/198.18.100.1:80%2Ftcp", NULL, CLI_OUT_VIP),
	LB(V, "198.18.100.1:80/tcp --json", "GET",
	   "/v1/vips/198.18.100.1:80%2Ftcp", NULL, CLI_OUT_VIP, .json = 1),
	LB(V, "show [2001:db8:100::1]:443/tcp", "GET",
	   "/v1/vips/%5B2001:db8:100::1%5D:443%2Ftcp", NULL, CLI_OUT_VIP),
	LB(V, "s [2001:DB8:100:0::1]:0443/udp", "GET",
	   "/v1/vips/%5B2001:db8:100::1%5D:443%2Fudp", NULL, CLI_OUT_VIP),
	LB(V, "show 12", "GET", "/v1/vips/12", NULL, CLI_OUT_VIP),
	LB(V, "help", "GET", "/v1/vips", NULL, CLI_OUT_VIPS, .help = 1),
	LB(V, "add 1.2.3.4 -h", "GET", "/v1/vips", NULL, CLI_OUT_VIPS,
	   .help = 1),
	LB(V, "frob -h", "GET", "/v1/vips", NULL, CLI_OUT_VIPS, .help = 1),
	/* vip add: only what was given; the daemon has the defaults */
	LB(V, "add 198.18.100.1:80/tcp", "POST", "/v1/vips",
	   "{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\"}",
	   CLI_OUT_VIP),
	LB(V, "add 198.18.100.1:80/tcp --encap gre --hash src --ring-size 251",
	   "POST", "/v1/vips",
	   "{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","
	   "\"encap\":\"gre\",\"hash\":\"src\",\"ring_size\":251}",
	   CLI_OUT_VIP),
	LB(V, "add 198.18.100.1:80/tcp --second-chance 300", "POST", "/v1/vips",
	   "{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","
	   "\"second_chance_s\":300}",
	   CLI_OUT_VIP),
	LB(V, "add --encap=ipip [2001:db8:100::1]:443/tcp --ring-size=655373",
	   "POST", "/v1/vips",
	   "{\"address\":\"2001:db8:100::1\",\"port\":443,\"protocol\":\"tcp\","
	   "\"encap\":\"ipip\",\"ring_size\":655373}",
	   CLI_OUT_VIP),
	LB(V,
	   "add 198.18.100.1:80/tcp --health http --health-path /healthz "
	   "--health-port 8080 --interval 2000 --timeout 300 --rise 1 --fall 5 -j",
	   "POST", "/v1/vips",
	   "{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","
	   "\"health\":{\"kind\":\"http\",\"port\":8080,\"path\":\"/healthz\","
	   "\"interval_ms\":2000,\"timeout_ms\":300,\"rise\":1,\"fall\":5}}",
	   CLI_OUT_VIP, .json = 1),
	/* a health option alone names the default kind */
	LB(V, "add 198.18.100.1:80/tcp --interval 250", "POST", "/v1/vips",
	   "{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","
	   "\"health\":{\"kind\":\"tcp\",\"interval_ms\":250}}",
	   CLI_OUT_VIP),
	LB(V, "add 198.18.100.1:0/udp --health-port 53", "POST", "/v1/vips",
	   "{\"address\":\"198.18.100.1\",\"port\":0,\"protocol\":\"udp\","
	   "\"health\":{\"kind\":\"tcp\",\"port\":53}}",
	   CLI_OUT_VIP),
	/* a udp VIP is not checked unless asked: no port needed */
	LB(V, "add 198.18.100.1:0/udp", "POST", "/v1/vips",
	   "{\"address\":\"198.18.100.1\",\"port\":0,\"protocol\":\"udp\"}",
	   CLI_OUT_VIP),
	LB(V, "add 198.18.100.1:0/udp --health none", "POST", "/v1/vips",
	   "{\"address\":\"198.18.100.1\",\"port\":0,\"protocol\":\"udp\","
	   "\"health\":{\"kind\":\"none\"}}",
	   CLI_OUT_VIP),
	LB(V, "add 198.18.100.1:80/tcp --health-port 0", "POST", "/v1/vips",
	   "{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","
	   "\"health\":{\"kind\":\"tcp\",\"port\":0}}",
	   CLI_OUT_VIP),
	/* vip del */
	LB(V, "del 198.18.100.1:80/tcp", "DELETE",
	   "/v1/vips/198.18.100.1:80%2Ftcp", NULL, CLI_OUT_DELETED),
	LB(V, "delete [2001:db8:100::1]:443/tcp", "DELETE",
	   "/v1/vips/%5B2001:db8:100::1%5D:443%2Ftcp", NULL, CLI_OUT_DELETED),
	LB(V, "d 3", "DELETE", "/v1/vips/3", NULL, CLI_OUT_DELETED),

	/* vip: bad input, named with its value */
	LB_BAD(V, "add", "vip: 'add' needs a VIP (ADDR:PORT/PROTO)"),
	LB_BAD(V, "del", "vip: 'del' needs a VIP (ADDR:PORT/PROTO)"),
	LB_BAD(V, "add 1",
	       "vip: invalid VIP '1': expected ADDR:PORT/PROTO or [ADDR]:PORT/PROTO"),
	LB_BAD(V, "add 198.18.100.1:80",
	       "vip: invalid VIP '198.18.100.1:80': no /PROTO (tcp or udp) after the port"),
	LB_BAD(V, "add 198.18.100.1:80/sctp",
	       "vip: invalid VIP '198.18.100.1:80/sctp': protocol 'sctp' is not tcp or udp"),
	LB_BAD(V, "add 198.18.100.1:65536/tcp",
	       "vip: invalid VIP '198.18.100.1:65536/tcp': port '65536' is not 0..65535"),
	LB_BAD(V, "add 224.0.0.1:80/tcp",
	       "vip: invalid VIP '224.0.0.1:80/tcp': address 224.0.0.1 is multicast"),
	LB_BAD(V, "add 169.254.1.1:80/tcp",
	       "vip: invalid VIP '169.254.1.1:80/tcp': address 169.254.1.1 is link-local"),
	LB_BAD(V, "add 0.0.0.0:80/tcp",
	       "vip: invalid VIP '0.0.0.0:80/tcp': address 0.0.0.0 is unspecified"),
	LB_BAD(V, "add [ff02::1]:80/tcp",
	       "vip: invalid VIP '[ff02::1]:80/tcp': address ff02::1 is multicast"),
	LB_BAD(V, "add [fe80::1]:80/tcp",
	       "vip: invalid VIP '[fe80::1]:80/tcp': address fe80::1 is link-local"),
	LB_BAD(V, "add [::]:80/tcp",
	       "vip: invalid VIP '[::]:80/tcp': address :: is unspecified"),
	LB_BAD(V, "show 256", "vip: invalid VIP '256': a vip_id is 1..255"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --encap vxlan",
	       "vip: --encap 'vxlan': expected ipip or gre"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --hash=",
	       "vip: --hash '': expected 5tuple or src"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --second-chance 86401",
	       "vip: --second-chance '86401': expected seconds 0..86400"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --second-chance soon",
	       "vip: --second-chance 'soon': expected seconds 0..86400"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --ring-size 65536",
	       "vip: --ring-size '65536': not a prime"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --ring-size 2",
	       "vip: --ring-size '2': expected a prime 3..655373"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --ring-size 655379",
	       "vip: --ring-size '655379': expected a prime 3..655373"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --ring-size 0x101",
	       "vip: --ring-size '0x101': expected a prime 3..655373"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --ring-size +65537",
	       "vip: --ring-size '+65537': expected a prime 3..655373"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --health icmp",
	       "vip: --health 'icmp': expected none, tcp or http"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --health-path /x",
	       "vip: --health-path needs --health http"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --health tcp --health-path /x",
	       "vip: --health-path needs --health http"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --health http --health-path x",
	       "vip: --health-path 'x': expected /PATH without spaces"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --health none --interval 100",
	       "vip: --interval does not go with --health none"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --health-port 65536",
	       "vip: --health-port '65536': expected 0..65535 (0 = the VIP port)"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --interval 0",
	       "vip: --interval '0': expected a positive number of milliseconds"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --timeout 1.5",
	       "vip: --timeout '1.5': expected a positive number of milliseconds"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --rise -1",
	       "vip: --rise '-1': expected a positive count"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --fall 2147483648",
	       "vip: --fall '2147483648': expected a positive count"),
	LB_BAD(V, "add 198.18.100.1:0/tcp",
	       "vip: VIP '198.18.100.1:0/tcp' is on every port: give --health-port N or --health none"),
	LB_BAD(V, "add 198.18.100.1:0/udp --health tcp",
	       "vip: VIP '198.18.100.1:0/udp' is on every port: give --health-port N or --health none"),
	LB_BAD(V, "add 198.18.100.1:0/udp --interval 500",
	       "vip: VIP '198.18.100.1:0/udp' is on every port: give --health-port N or --health none"),
	LB_BAD(V, "add 198.18.100.1:0/udp --health-port 0",
	       "vip: VIP '198.18.100.1:0/udp' is on every port: give --health-port N or --health none"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --encap gre --encap ipip",
	       "vip: --encap given twice ('gre', 'ipip')"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --encap",
	       "vip: option '--encap' needs a value"),
	LB_BAD(V, "add 198.18.100.1:80/tcp 198.18.100.2:80/tcp",
	       "vip: unexpected argument '198.18.100.2:80/tcp'"),
	LB_BAD(V, "add 198.18.100.1:80/tcp --weight 3",
	       "vip: unknown option '--weight', try 'sluicectl vip help'"),
	LB_BAD(V, "show --encap gre",
	       "vip: option '--encap' does not go with 'show'"),
	LB_BAD(V, "del 198.18.100.1:80/tcp --ring-size 3",
	       "vip: option '--ring-size' does not go with 'del'"),
	LB_BAD(V, "show --api=unix:/x",
	       "vip: '--api=unix:/x' is a global option, put it before the noun"),
	LB_BAD(V, "frob",
	       "vip: unknown command 'frob', try 'sluicectl vip help'"),
	LB_BAD(V, "198.18.100.1:80",
	       "vip: invalid VIP '198.18.100.1:80': no /PROTO (tcp or udp) after the port"),

	/* backend */
	LB(B, "show 198.18.100.1:80/tcp", "GET",
	   "/v1/vips/198.18.100.1:80%2Ftcp/backends", NULL, CLI_OUT_BACKENDS),
	LB(B, "198.18.100.1:80/tcp -j", "GET",
	   "/v1/vips/198.18.100.1:80%2Ftcp/backends", NULL, CLI_OUT_BACKENDS,
	   .json = 1),
	LB(B, "ls 4", "GET", "/v1/vips/4/backends", NULL, CLI_OUT_BACKENDS),
	LB(B, "add 198.18.100.1:80/tcp 198.18.2.11", "POST",
	   "/v1/vips/198.18.100.1:80%2Ftcp/backends",
	   "{\"address\":\"198.18.2.11\"}", CLI_OUT_BACKEND),
	LB(B, "add 198.18.100.1:80/tcp 198.18.2.11 --weight 2", "POST",
	   "/v1/vips/198.18.100.1:80%2Ftcp/backends",
	   "{\"address\":\"198.18.2.11\",\"weight\":2}", CLI_OUT_BACKEND),
	LB(B,
	   "a --weight=1000 [2001:db8:100::1]:443/tcp 2001:DB8:2:0::11 --state down",
	   "POST", "/v1/vips/%5B2001:db8:100::1%5D:443%2Ftcp/backends",
	   "{\"address\":\"2001:db8:2::11\",\"weight\":1000,\"state\":\"down\"}",
	   CLI_OUT_BACKEND),
	LB(B, "set 198.18.100.1:80/tcp 198.18.2.11 --weight 1", "PATCH",
	   "/v1/vips/198.18.100.1:80%2Ftcp/backends/198.18.2.11",
	   "{\"weight\":1}", CLI_OUT_BACKEND),
	LB(B, "set 198.18.100.1:80/tcp 198.18.2.11 --state active --weight 7",
	   "PATCH", "/v1/vips/198.18.100.1:80%2Ftcp/backends/198.18.2.11",
	   "{\"weight\":7,\"state\":\"active\"}", CLI_OUT_BACKEND),
	LB(B, "set [2001:db8:100::1]:443/tcp 2001:db8:2::11 --state down",
	   "PATCH",
	   "/v1/vips/%5B2001:db8:100::1%5D:443%2Ftcp/backends/2001:db8:2::11",
	   "{\"state\":\"down\"}", CLI_OUT_BACKEND),
	LB(B, "drain 198.18.100.1:80/tcp 198.18.2.11", "PATCH",
	   "/v1/vips/198.18.100.1:80%2Ftcp/backends/198.18.2.11",
	   "{\"state\":\"draining\"}", CLI_OUT_BACKEND),
	LB(B, "dr 9 198.18.2.11 -j", "PATCH", "/v1/vips/9/backends/198.18.2.11",
	   "{\"state\":\"draining\"}", CLI_OUT_BACKEND, .json = 1),
	LB(B, "del 198.18.100.1:80/tcp 198.18.2.11", "DELETE",
	   "/v1/vips/198.18.100.1:80%2Ftcp/backends/198.18.2.11", NULL,
	   CLI_OUT_DELETED),
	LB(B, "help", "GET", "/v1/vips", NULL, CLI_OUT_DEFAULT, .help = 1),

	LB_BAD(B, "", "backend: 'show' needs a VIP (ADDR:PORT/PROTO)"),
	LB_BAD(B, "add",
	       "backend: 'add' needs a VIP (ADDR:PORT/PROTO) and a backend address"),
	LB_BAD(B, "add 198.18.100.1:80/tcp",
	       "backend: 'add' needs a backend address after the VIP"),
	LB_BAD(B, "drain 198.18.100.1:80/tcp",
	       "backend: 'drain' needs a backend address after the VIP"),
	LB_BAD(B, "show 198.18.100.1:80/tcp 198.18.2.11",
	       "backend: unexpected argument '198.18.2.11'"),
	LB_BAD(B, "add 198.18.100.1:80/tcp 198.18.2.11 198.18.2.12",
	       "backend: unexpected argument '198.18.2.12'"),
	LB_BAD(B, "add 198.18.100.1:80 198.18.2.11",
	       "backend: invalid VIP '198.18.100.1:80': no /PROTO (tcp or udp) after the port"),
	LB_BAD(B, "add 198.18.100.1:80/tcp 198.18.2",
	       "backend: invalid backend address '198.18.2': not an IPv4 or IPv6 address"),
	LB_BAD(B, "add 198.18.100.1:80/tcp [2001:db8::1]",
	       "backend: invalid backend address '[2001:db8::1]': not an IPv4 or IPv6 address"),
	LB_BAD(B, "add 198.18.100.1:80/tcp 198.18.2.11 --weight 0",
	       "backend: --weight '0': expected 1..1000"),
	LB_BAD(B, "add 198.18.100.1:80/tcp 198.18.2.11 --weight 1001",
	       "backend: --weight '1001': expected 1..1000"),
	LB_BAD(B, "set 198.18.100.1:80/tcp 198.18.2.11 --weight two",
	       "backend: --weight 'two': expected 1..1000"),
	LB_BAD(B, "set 198.18.100.1:80/tcp 198.18.2.11 --state up",
	       "backend: --state 'up': expected active, draining or down"),
	LB_BAD(B, "set 198.18.100.1:80/tcp 198.18.2.11",
	       "backend: 'set' needs --weight or --state"),
	LB_BAD(B, "drain 198.18.100.1:80/tcp 198.18.2.11 --weight 3",
	       "backend: option '--weight' does not go with 'drain'"),
	LB_BAD(B, "del 198.18.100.1:80/tcp 198.18.2.11 --state down",
	       "backend: option '--state' does not go with 'del'"),
	LB_BAD(B, "show 198.18.100.1:80/tcp --weight 1",
	       "backend: option '--weight' does not go with 'show'"),
	LB_BAD(B, "set 198.18.100.1:80/tcp 198.18.2.11 --weight 1 --weight 2",
	       "backend: --weight given twice ('1', '2')"),
	LB_BAD(B, "d 198.18.100.1:80/tcp 198.18.2.11",
	       "backend: ambiguous command 'd' (drain, del)"),
	LB_BAD(B, "s 198.18.100.1:80/tcp",
	       "backend: ambiguous command 's' (show, set)"),
	LB_BAD(B, "enable 198.18.100.1:80/tcp 198.18.2.11",
	       "backend: unknown command 'enable', try 'sluicectl backend help'"),
	LB_BAD(B, "add 198.18.100.1:80/tcp 198.18.2.11 --encap gre",
	       "backend: unknown option '--encap', try 'sluicectl backend help'"),

	/* lb */
	LB(cli_lb_args, "", "GET", "/v1/lb", NULL, CLI_OUT_LB),
	LB(cli_lb_args, "show -j", "GET", "/v1/lb", NULL, CLI_OUT_LB,
	   .json = 1),
	LB(cli_lb_args, "help", "GET", "/v1/lb", NULL, CLI_OUT_LB, .help = 1),
	LB_BAD(cli_lb_args, "flush",
	       "lb: unknown command 'flush', try 'sluicectl lb help'"),
	LB_BAD(cli_lb_args, "show x",
	       "lb: unknown argument 'x', try 'sluicectl lb help'"),
#undef V
#undef B
};

static void test_lb_requests(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(lb_cases); i++) {
		char buf[512], err[256] = "", *argv[MAX_ARGS];
		int argc = split(lb_cases[i].line, buf, sizeof(buf), argv);
		struct cli_query q;
		const char *body;
		int r = lb_cases[i].fn(argc, argv, &q, err, sizeof(err));

		if (!lb_cases[i].method) {
			if (r != -EINVAL || strcmp(err, lb_cases[i].err))
				fail_msg(
					"case %zu '%s': r=%d err='%s', want '%s'",
					i, lb_cases[i].line, r, err,
					lb_cases[i].err);
			/* nothing is left to free or to send */
			assert_null(q.body);
			continue;
		}
		if (r)
			fail_msg("case %zu '%s': r=%d err='%s'", i,
				 lb_cases[i].line, r, err);
		if (strcmp(q.method, lb_cases[i].method) ||
		    strcmp(q.path, lb_cases[i].path))
			fail_msg("case %zu '%s': %s %s, want %s %s", i,
				 lb_cases[i].line, q.method, q.path,
				 lb_cases[i].method, lb_cases[i].path);
		body = cli_body_string(&q);
		if (lb_cases[i].body ? !body || strcmp(body, lb_cases[i].body) :
				       body != NULL)
			fail_msg("case %zu '%s': body %s, want %s", i,
				 lb_cases[i].line, body ? body : "(none)",
				 lb_cases[i].body ? lb_cases[i].body :
						    "(none)");
		if (!lb_cases[i].help && q.out != lb_cases[i].out)
			fail_msg("case %zu '%s': out %d, want %d", i,
				 lb_cases[i].line, q.out, lb_cases[i].out);
		assert_int_equal(q.json, lb_cases[i].json);
		assert_int_equal(q.help, lb_cases[i].help);
		cli_query_free(&q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_prefix_is_network),
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_urlencode),
		cmocka_unit_test(test_opts),
		cmocka_unit_test(test_opts_help_version),
		cmocka_unit_test(test_opts_token_ctl),
		cmocka_unit_test(test_is_global_opt),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_path_encode),
		cmocka_unit_test(test_cacert_check),
		cmocka_unit_test(test_vip_parse),
		cmocka_unit_test(test_lb_requests),
	};

	return cmocka_run_group_tests_name("cli_args", tests, NULL, NULL);
}
