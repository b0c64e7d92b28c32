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
#include <cmocka.h>
#include "cli_fmt.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 16

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
	{ "status", N_STATUS }, { "stats", N_STATS },
	{ "iface", N_IFACE },	{ "interface", N_IFACE },
	{ "route", N_ROUTE },	{ "neigh", N_NEIGH },
	{ "neighbor", N_NEIGH }, { "neighbour", N_NEIGH },
	{ NULL, 0 },
};

static const struct {
	const char *arg;
	int want;
} match_cases[] = {
	{ "route", N_ROUTE },
	{ "r", N_ROUTE },
	{ "ro", N_ROUTE },
	{ "ne", N_NEIGH },	/* neigh, neighbor, neighbour: one id */
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
	{ "routes", -ENOENT },	/* longer than any name */
	{ "x", -ENOENT },
	{ "", -ENOENT },
	{ "R", -ENOENT },	/* case matters, as in ip(8) */
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
	int family;	/* 0: invalid */
} prefix_cases[] = {
	{ "198.18.0.0/24", 4 },
	{ "198.18.0.0/0", 4 },
	{ "198.18.0.0/32", 4 },
	{ "198.18.2.1", 4 },		/* a bare address is a host */
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
	{ "198.18.0.0/0024", 0 },	/* at most three digits */
	{ "198.18.0.0/24/8", 0 },
	{ "198.18.0/24", 0 },		/* inet_pton, not inet_aton */
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

		if (prefix_cases[i].family && (r || fam != prefix_cases[i].family))
			fail_msg("'%s': r=%d family=%d, want family %d",
				 prefix_cases[i].s, r, fam,
				 prefix_cases[i].family);
		if (!prefix_cases[i].family && r != -EINVAL)
			fail_msg("'%s' accepted (family %d)", prefix_cases[i].s,
				 fam);
	}
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
	int noun;		/* index of the noun, or -1: error */
	const char *err;	/* expected error, if noun < 0 */
	int json, kind;		/* kind: EP_UNIX / EP_TCP */
	const char *where;	/* ep.path, or ep.host */
	const char *token;
} opt_cases[] = {
#define OPT_BAD(l, ea, et, e) \
	{ .line = l, .env_api = ea, .env_token = et, .noun = -1, .err = e }
	{ "sluicectl status", NULL, NULL, 1, NULL, 0, EP_UNIX,
	  "/run/sluice/sluiced.sock", NULL },
	{ "sluicectl", NULL, NULL, 1, NULL, 0, EP_UNIX,
	  "/run/sluice/sluiced.sock", NULL },
	{ "sluicectl -j route", NULL, NULL, 2, NULL, 1, EP_UNIX,
	  "/run/sluice/sluiced.sock", NULL },
	{ "sluicectl --json route", NULL, NULL, 2, NULL, 1, EP_UNIX,
	  "/run/sluice/sluiced.sock", NULL },
	{ "sluicectl --api unix:/tmp/s.sock r", NULL, NULL, 3, NULL, 0,
	  EP_UNIX, "/tmp/s.sock", NULL },
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
	OPT_BAD("sluicectl --token", NULL, NULL, "option '--token' needs a value"),
	OPT_BAD("sluicectl --token= r", NULL, NULL, "token: empty value"),
	OPT_BAD("sluicectl --bogus r", NULL, NULL,
	    "unknown option '--bogus', try 'sluicectl --help'"),
	OPT_BAD("sluicectl -4 r", NULL, NULL, "unknown option '-4', try 'sluicectl --help'"),
	OPT_BAD("sluicectl --apix r", NULL, NULL,
	    "unknown option '--apix', try 'sluicectl --help'"),
	OPT_BAD("sluicectl --api foo r", NULL, NULL,
	    "api: 'foo': expected unix:PATH or tcp:HOST:PORT"),
	OPT_BAD("sluicectl --api tcp:host:80 r", NULL, NULL,
	    "api: 'tcp:host:80': host 'host' is not an IPv4 or IPv6 address"),
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
		assert_string_equal(o.ep.kind == EP_UNIX ? o.ep.path : o.ep.host,
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
	assert_int_equal(cli_opts_parse(&o, 4, argv, err, sizeof(err)), -EINVAL);
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
}

/* ---- noun arguments -> request ---- */

typedef int (*args_fn)(int, char **, struct cli_query *, char *, size_t);

static const struct {
	args_fn fn;
	const char *line;	/* after the noun */
	const char *path;	/* NULL: must fail with err */
	const char *err;
	const char *name;	/* iface filter */
	int all, help;
} req_cases[] = {
#define REQ(f, l, p, ...) { .fn = f, .line = l, .path = p, __VA_ARGS__ }
#define BAD(f, l, e) { .fn = f, .line = l, .err = e }
	REQ(cli_status_args, "", "/v1/status"),
	REQ(cli_status_args, "show", "/v1/status"),
	REQ(cli_status_args, "help", "/v1/status", .help = 1),
	BAD(cli_status_args, "x", "status: unknown command 'x', try 'sluicectl status help'"),
	BAD(cli_status_args, "show x",
	    "status: unknown argument 'x', try 'sluicectl status help'"),

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
	BAD(cli_iface_args, "show -x", "iface: unknown option '-x', try 'sluicectl iface help'"),
	REQ(cli_iface_args, "-h", "/v1/interfaces", .help = 1),

	REQ(cli_route_args, "", "/v1/routes"),
	REQ(cli_route_args, "show", "/v1/routes"),
	REQ(cli_route_args, "ls", "/v1/routes"),
	REQ(cli_route_args, "l", "/v1/routes"),	/* list and ls: one verb */
	REQ(cli_route_args, "-4", "/v1/routes?family=4"),
	REQ(cli_route_args, "show -6", "/v1/routes?family=6"),
	REQ(cli_route_args, "-6 -6", "/v1/routes?family=6"),
	REQ(cli_route_args, "show 198.18.0.0/24", "/v1/routes?prefix=198.18.0.0/24"),
	REQ(cli_route_args, "198.18.0.0/24", "/v1/routes?prefix=198.18.0.0/24"),
	REQ(cli_route_args, "198.18.0.0/24 -4", "/v1/routes?family=4&prefix=198.18.0.0/24"),
	BAD(cli_route_args, "-6 show", "route: invalid prefix 'show'"),
	REQ(cli_route_args, "list -6 2001:db8::/32", "/v1/routes?family=6&prefix=2001:db8::/32"),
	REQ(cli_route_args, "198.18.2.1", "/v1/routes?prefix=198.18.2.1"),
	BAD(cli_route_args, "show 198.18.0.0/33", "route: invalid prefix '198.18.0.0/33'"),
	BAD(cli_route_args, "198.18.0.0/33", "route: invalid prefix '198.18.0.0/33'"),
	BAD(cli_route_args, "1.2.3.4/99", "route: invalid prefix '1.2.3.4/99'"),
	BAD(cli_route_args, "2001:db8::/129", "route: invalid prefix '2001:db8::/129'"),
	BAD(cli_route_args, "show nonsense", "route: invalid prefix 'nonsense'"),
	BAD(cli_route_args, "add 198.18.0.0/24",
	    "route: unknown command 'add', try 'sluicectl route help'"),
	BAD(cli_route_args, "198.18.0.0/24 -6",
	    "route: prefix '198.18.0.0/24' is not IPv6 (-6)"),
	BAD(cli_route_args, "-4 ::/0", "route: prefix '::/0' is not IPv4 (-4)"),
	BAD(cli_route_args, "-4 -6", "route: -4 and -6 exclude each other"),
	BAD(cli_route_args, "1.0.0.0/8 2.0.0.0/8",
	    "route: unexpected argument '2.0.0.0/8' after prefix '1.0.0.0/8'"),
	BAD(cli_route_args, "show -j", "route: '-j' is a global option, put it before the noun"),
	BAD(cli_route_args, "show --api=unix:/x",
	    "route: '--api=unix:/x' is a global option, put it before the noun"),
	BAD(cli_route_args, "show -5", "route: unknown option '-5', try 'sluicectl route help'"),
	REQ(cli_route_args, "help", "/v1/routes", .help = 1),
	REQ(cli_route_args, "show 1.2.3.4/99 --help", "/v1/routes", .help = 1),

	REQ(cli_neigh_args, "", "/v1/neighbors"),
	REQ(cli_neigh_args, "show", "/v1/neighbors"),
	REQ(cli_neigh_args, "show dev r-eth1", "/v1/neighbors?dev=r-eth1"),
	REQ(cli_neigh_args, "dev r-eth1", "/v1/neighbors?dev=r-eth1"),
	REQ(cli_neigh_args, "dev a+b", "/v1/neighbors?dev=a%2Bb"),
	BAD(cli_neigh_args, "dev", "neigh: 'dev' needs an interface name"),
	BAD(cli_neigh_args, "dev eth0:1", "neigh: invalid interface name 'eth0:1'"),
	BAD(cli_neigh_args, "dev a dev b", "neigh: 'dev' given twice ('a', 'b')"),
	BAD(cli_neigh_args, "r-eth1",
	    "neigh: unknown command 'r-eth1', try 'sluicectl neigh help'"),
	BAD(cli_neigh_args, "show r-eth1",
	    "neigh: unknown argument 'r-eth1', try 'sluicectl neigh help'"),
	BAD(cli_neigh_args, "flush",
	    "neigh: unknown command 'flush', try 'sluicectl neigh help'"),

	REQ(cli_stats_args, "", "/v1/stats"),
	REQ(cli_stats_args, "-a", "/v1/stats", .all = 1),
	REQ(cli_stats_args, "show --all", "/v1/stats", .all = 1),
	REQ(cli_stats_args, "show dev r-eth0", "/v1/stats?dev=r-eth0"),
	REQ(cli_stats_args, "dev r-eth0 -a", "/v1/stats?dev=r-eth0", .all = 1),
	REQ(cli_stats_args, "-a dev r-eth0", "/v1/stats?dev=r-eth0", .all = 1),
	BAD(cli_stats_args, "show -x", "stats: unknown option '-x', try 'sluicectl stats help'"),
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
				fail_msg("case %zu '%s': r=%d err='%s', want '%s'",
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
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_urlencode),
		cmocka_unit_test(test_opts),
		cmocka_unit_test(test_opts_help_version),
		cmocka_unit_test(test_opts_token_ctl),
		cmocka_unit_test(test_is_global_opt),
		cmocka_unit_test(test_requests),
	};

	return cmocka_run_group_tests_name("cli_args", tests, NULL, NULL);
}
