// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl lb flows: arguments into requests (checked before asking, the
 * bad one named with its value), and the daemon's answers into text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cli.h"
#include "cli_test_util.h"

#define MAX_ARGS 16
/* the arguments' end: a char pointer, as a variadic list must get it */
#define ARGS_END ((const char *)NULL)

/* @first and the arguments after it, up to ARGS_END, into @argv. */
static int collect(char **argv, const char *first, va_list ap)
{
	int argc = 0;

	for (const char *a = first; a && argc < MAX_ARGS;
	     a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	return argc;
}

/* The request "sluicectl lb flows ARGS..." makes: exact method and path
 * (the query in the order given), no body. */
static void expect_request(const char *method, const char *path,
			   enum cli_lb_flows_out want_out, bool want_json,
			   const char *first, ...)
{
	char *argv[MAX_ARGS], err[256] = "";
	struct cli_query q;
	enum cli_lb_flows_out out;
	va_list ap;
	int argc;

	va_start(ap, first);
	argc = collect(argv, first, ap);
	va_end(ap);
	if (cli_lb_flows_args(argc, argv, &q, &out, err, sizeof(err)))
		fail_msg("refused: %s", err);
	assert_false(q.help);
	assert_string_equal(q.method, method);
	assert_string_equal(q.path, path);
	assert_null(q.body);
	assert_int_equal(out, want_out);
	assert_int_equal(q.json, want_json);
	cli_query_free(&q);
}

/* The arguments are refused with exactly @want, and nothing is left to
 * send. */
static void expect_refused(const char *want, const char *first, ...)
{
	char *argv[MAX_ARGS], err[256] = "";
	struct cli_query q;
	enum cli_lb_flows_out out;
	va_list ap;
	int argc;

	va_start(ap, first);
	argc = collect(argv, first, ap);
	va_end(ap);
	assert_int_equal(cli_lb_flows_args(argc, argv, &q, &out, err,
					   sizeof(err)),
			 -EINVAL);
	if (strcmp(err, want))
		fail_msg("error '%s', want '%s'", err, want);
	assert_null(q.body);
	cli_query_free(&q);
}

static void test_requests(void **state)
{
	(void)state;
	expect_request("GET", "/v1/lb/flows", CLI_LB_FLOWS_SHOW, false,
		       ARGS_END);
	expect_request("GET", "/v1/lb/flows", CLI_LB_FLOWS_SHOW, false, "show",
		       ARGS_END);
	expect_request("GET", "/v1/lb/flows", CLI_LB_FLOWS_SHOW, true, "list",
		       "-j", ARGS_END);
	expect_request("GET", "/v1/lb/flows", CLI_LB_FLOWS_SHOW, true, "ls",
		       "--json", ARGS_END);
	/* a unique prefix, as for every verb */
	expect_request("GET", "/v1/lb/flows?limit=5", CLI_LB_FLOWS_SHOW, false,
		       "sh", "--limit", "5", ARGS_END);
	/* the query in the order given; '/' and ':' stay readable, '[' ']'
	 * are percent-encoded */
	expect_request("GET",
		       "/v1/lb/flows?vip=198.18.1.10:80/tcp&backend=198.18.2.2"
		       "&src=198.18.0.0/24&limit=10000&cursor=262144",
		       CLI_LB_FLOWS_SHOW, false, "--vip", "198.18.1.10:80/tcp",
		       "--backend", "198.18.2.2", "--src", "198.18.0.0/24",
		       "--limit", "10000", "--cursor", "262144", ARGS_END);
	expect_request("GET",
		       "/v1/lb/flows?vip=%5B2001:db8::10%5D:443/udp"
		       "&backend=2001:db8:2::2&src=2001:db8::/32",
		       CLI_LB_FLOWS_SHOW, true, "show", "--vip",
		       "[2001:db8::10]:443/udp", "-j", "--backend",
		       "2001:db8:2::2", "--src", "2001:db8::/32", ARGS_END);
	expect_request("GET", "/v1/lb/flows?vip=7&src=198.18.0.5&cursor=0",
		       CLI_LB_FLOWS_SHOW, false, "--vip", "7", "--src",
		       "198.18.0.5", "--cursor", "0", ARGS_END);
	expect_request("GET", "/v1/lb/flows?limit=1&cursor=4294967295",
		       CLI_LB_FLOWS_SHOW, false, "--limit", "1", "--cursor",
		       "4294967295", ARGS_END);
	/* flush: a DELETE with the filter, all flows without one */
	expect_request("DELETE", "/v1/lb/flows", CLI_LB_FLOWS_FLUSH, false,
		       "flush", ARGS_END);
	expect_request("DELETE",
		       "/v1/lb/flows?backend=198.18.2.2&vip=198.18.1.10:80/tcp"
		       "&src=2001:db8::5",
		       CLI_LB_FLOWS_FLUSH, true, "flush", "--backend",
		       "198.18.2.2", "--vip", "198.18.1.10:80/tcp", "--src",
		       "2001:db8::5", "-j", ARGS_END);
	expect_request("DELETE", "/v1/lb/flows?vip=3", CLI_LB_FLOWS_FLUSH,
		       false, "f", "--vip", "3", ARGS_END);
}

static void test_refused(void **state)
{
	(void)state;
	expect_refused("lb flows: --backend 'x' is not an IPv4 or IPv6 address",
		       "--backend", "x", ARGS_END);
	/* an address, not a prefix */
	expect_refused("lb flows: --backend '198.18.2.0/24' is not an IPv4 or "
		       "IPv6 address",
		       "show", "--backend", "198.18.2.0/24", ARGS_END);
	expect_refused("lb flows: --backend '[2001:db8::1]' is not an IPv4 or "
		       "IPv6 address",
		       "flush", "--backend", "[2001:db8::1]", ARGS_END);
	expect_refused("lb flows: --src '198.18.0.0/33' is not an address or a "
		       "prefix",
		       "--src", "198.18.0.0/33", ARGS_END);
	expect_refused("lb flows: --src 'client' is not an address or a prefix",
		       "flush", "--src", "client", ARGS_END);
	expect_refused("lb flows: --vip '' is not a VIP (ADDR:PORT/PROTO or a "
		       "vip_id)",
		       "--vip", "", ARGS_END);
	expect_refused("lb flows: --limit '0' is not a number 1..10000",
		       "--limit", "0", ARGS_END);
	expect_refused("lb flows: --limit '10001' is not a number 1..10000",
		       "--limit", "10001", ARGS_END);
	expect_refused("lb flows: --limit '-5' is not a number 1..10000",
		       "--limit", "-5", ARGS_END);
	expect_refused("lb flows: --cursor 'x' is not a cursor (the 'next' of "
		       "the previous page)",
		       "--cursor", "x", ARGS_END);
	expect_refused("lb flows: --cursor '' is not a cursor (the 'next' of "
		       "the previous page)",
		       "--cursor", "", ARGS_END);
	expect_refused("lb flows: --cursor '-1' is not a cursor (the 'next' of "
		       "the previous page)",
		       "--cursor", "-1", ARGS_END);
	expect_refused("lb flows: --cursor '12345678901' is not a cursor (the "
		       "'next' of the previous page)",
		       "--cursor", "12345678901", ARGS_END);
	expect_refused("lb flows: --cursor '4294967296' is not a cursor (the "
		       "'next' of the previous page)",
		       "--cursor", "4294967296", ARGS_END);
	expect_refused("lb flows: --cursor '00ff' is not a cursor (the 'next' "
		       "of the previous page)",
		       "--cursor", "00ff", ARGS_END);
	expect_refused("lb flows: --limit is for show (flush takes a filter "
		       "only)",
		       "flush", "--limit", "5", ARGS_END);
	expect_refused("lb flows: --cursor is for show (flush takes a filter "
		       "only)",
		       "flush", "--vip", "1", "--cursor", "262144", ARGS_END);
	expect_refused("lb flows: --vip needs a value", "--vip", ARGS_END);
	expect_refused("lb flows: --backend needs a value", "flush",
		       "--backend", ARGS_END);
	expect_refused("lb flows: --src given twice ('198.18.0.5', "
		       "'198.18.0.6')",
		       "--src", "198.18.0.5", "--src", "198.18.0.6", ARGS_END);
	expect_refused("lb flows: unknown command 'frob', try 'sluicectl lb "
		       "flows help'",
		       "frob", ARGS_END);
	/* flush alone flushes: no second verb, no bare filter values */
	expect_refused("lb flows: unknown argument 'flush', try 'sluicectl lb "
		       "flows help'",
		       "show", "flush", ARGS_END);
	expect_refused("lb flows: unknown argument '198.18.0.5', try "
		       "'sluicectl lb flows help'",
		       "--src", "198.18.0.5", "198.18.0.5", ARGS_END);
	expect_refused("lb flows: unknown option '--dst', try 'sluicectl lb "
		       "flows help'",
		       "--dst", "198.18.1.10", ARGS_END);
	expect_refused("lb flows: '--api' is a global option, put it before "
		       "the noun",
		       "--api", "unix:/x", ARGS_END);
}

static void test_help(void **state)
{
	static const char *const lines[][3] = {
		{ "help", NULL, NULL },
		{ "-h", NULL, NULL },
		{ "flush", "--help", NULL },
		/* help wins over what is wrong with the rest */
		{ "show", "--limit", "0" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char *argv[4], err[256] = "";
		struct cli_query q;
		enum cli_lb_flows_out out;
		int argc = 0;

		while (argc < 3 && lines[i][argc]) {
			argv[argc] = (char *)lines[i][argc];
			argc++;
		}
		if (i == 3)
			argv[argc++] = (char *)"-h";
		assert_int_equal(cli_lb_flows_args(argc, argv, &q, &out, err,
						   sizeof(err)),
				 0);
		assert_true(q.help);
		cli_query_free(&q);
	}
}

/* "lb flows ..." goes to cli_lb_flows_args, the rest to cli_lb_args as
 * before: "lb flush" is no command of lb's. */
static void test_dispatch(void **state)
{
	static const struct {
		const char *arg;
		bool flows;
	} cases[] = {
		{ "flows", true },  { "fl", true },	 { "f", true },
		{ "flush", false }, { "show", false },	 { "help", false },
		{ "-j", false },    { "flowsx", false }, { "", false },
	};

	(void)state;
	assert_false(cli_lb_flows_named(0, NULL));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = { (char *)cases[i].arg, (char *)"show" };

		if (cli_lb_flows_named(2, argv) != cases[i].flows)
			fail_msg("lb %s: flows %d, want %d", cases[i].arg,
				 !cases[i].flows, cases[i].flows);
	}
}

static void test_show_text(void **state)
{
	(void)state;
	cli_expect_text(
		cli_lb_flows_print,
		"{\"flows\": ["
		"{\"vip\": \"198.18.1.10:80/tcp\", \"vip_id\": 1, \"family\": "
		"\"ipv4\", \"proto\": \"tcp\", \"src\": \"198.18.0.5\", "
		"\"sport\": 41000, \"dst\": \"198.18.1.10\", \"dport\": 80, "
		"\"backend\": \"198.18.2.2\", \"backend_id\": 3, \"idle_s\": 2},"
		/* the VIP deleted: the flow's destination */
		"{\"vip\": null, \"vip_id\": 2, \"family\": \"ipv4\", "
		"\"proto\": \"udp\", \"src\": \"198.18.0.6\", \"sport\": 53000, "
		"\"dst\": \"198.18.1.11\", \"dport\": 53, \"backend\": "
		"\"198.18.2.3\", \"backend_id\": 4, \"idle_s\": 65},"
		/* the backend gone from the VIP: its id */
		"{\"vip\": \"198.18.1.10:80/tcp\", \"vip_id\": 1, \"family\": "
		"\"ipv4\", \"proto\": \"tcp\", \"src\": \"198.18.0.7\", "
		"\"sport\": 41001, \"dst\": \"198.18.1.10\", \"dport\": 80, "
		"\"backend\": null, \"backend_id\": 9, \"idle_s\": 0},"
		/* IPv6, both null, a protocol by number */
		"{\"vip\": null, \"vip_id\": 5, \"family\": \"ipv6\", "
		"\"proto\": \"132\", \"src\": \"2001:db8::5\", \"sport\": 443, "
		"\"dst\": \"2001:db8:1::10\", \"dport\": 8443, \"backend\": "
		"null, \"backend_id\": 7, \"idle_s\": 3700},"
		"{\"vip\": \"[2001:db8:1::10]:443/tcp\", \"vip_id\": 6, "
		"\"family\": \"ipv6\", \"proto\": \"tcp\", \"src\": "
		"\"2001:db8::6\", \"sport\": 50000, \"dst\": \"2001:db8:1::10\", "
		"\"dport\": 443, \"backend\": \"2001:db8:2::2\", "
		"\"backend_id\": 1, \"idle_s\": 1}"
		"], \"next\": \"262144\", \"scanned\": 4096, \"slots\": 524288}",
		"PROTO  CLIENT               VIP                       "
		"BACKEND        IDLE\n"
		"tcp    198.18.0.5:41000     198.18.1.10:80/tcp        "
		"198.18.2.2     2s\n"
		"udp    198.18.0.6:53000     198.18.1.11:53            "
		"198.18.2.3     1m 5s\n"
		"tcp    198.18.0.7:41001     198.18.1.10:80/tcp        "
		"id 9           0s\n"
		"132    [2001:db8::5]:443    [2001:db8:1::10]:8443     "
		"id 7           1h 1m 40s\n"
		"tcp    [2001:db8::6]:50000  [2001:db8:1::10]:443/tcp  "
		"2001:db8:2::2  1s\n"
		"more: --cursor 262144\n");
	/* the last page: no "more" */
	cli_expect_text(
		cli_lb_flows_print,
		"{\"flows\": [{\"vip\": \"198.18.1.12:0/udp\", "
		"\"proto\": \"udp\", "
		"\"src\": \"198.18.0.9\", \"sport\": 1, \"backend\": "
		"\"198.18.2.9\", \"idle_s\": 59}], \"next\": null, "
		"\"scanned\": 10, \"slots\": 10}",
		"PROTO  CLIENT        VIP                BACKEND     IDLE\n"
		"udp    198.18.0.9:1  198.18.1.12:0/udp  198.18.2.9  59s\n");
	/* a VIP of every port: the flow's own destination port beside it */
	cli_expect_text(
		cli_lb_flows_print,
		"{\"flows\": [{\"vip\": \"198.18.1.12:0/tcp\", "
		"\"proto\": \"tcp\", \"src\": \"198.18.0.9\", \"sport\": 40000, "
		"\"dst\": \"198.18.1.12\", \"dport\": 8443, \"backend\": "
		"\"198.18.2.9\", \"idle_s\": 1},"
		"{\"vip\": \"[2001:db8:1::12]:0/udp\", \"proto\": \"udp\", "
		"\"src\": \"2001:db8::9\", \"sport\": 5353, \"dst\": "
		"\"2001:db8:1::12\", \"dport\": 53, \"backend\": "
		"\"2001:db8:2::9\", \"idle_s\": 2}], \"next\": null}",
		"PROTO  CLIENT              VIP                              "
		"BACKEND        IDLE\n"
		"tcp    198.18.0.9:40000    198.18.1.12:0/tcp dport 8443     "
		"198.18.2.9     1s\n"
		"udp    [2001:db8::9]:5353  [2001:db8:1::12]:0/udp dport 53  "
		"2001:db8:2::9  2s\n");
	/* fields a flow lacks print as "-" */
	cli_expect_text(cli_lb_flows_print,
			"{\"flows\": [{\"vip\": null, \"backend\": null}], "
			"\"next\": null}",
			"PROTO  CLIENT  VIP  BACKEND  IDLE\n"
			"-      -       -    -        0s\n");
	/* an empty page prints nothing, as ct (and ip) do ... */
	cli_expect_text(cli_lb_flows_print,
			"{\"flows\": [], \"next\": null, \"scanned\": 262144, "
			"\"slots\": 262144}",
			"");
	/* ... but for the way on, when the scan stopped before the end */
	cli_expect_text(
		cli_lb_flows_print,
		"{\"flows\": [], \"next\": \"4096\", \"scanned\": 4096, "
		"\"slots\": 262144}",
		"more: --cursor 4096\n");
}

static void test_bad_answers(void **state)
{
	static const char *const docs[] = {
		"{\"entries\": []}",
		"{\"flows\": {}}",
		"[]",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char e[256] = "", *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		json_object *doc = json_tokener_parse(docs[i]);

		assert_non_null(f);
		assert_non_null(doc);
		assert_int_equal(cli_lb_flows_print(doc, f, e, sizeof(e)),
				 -EPROTO);
		fclose(f);
		json_object_put(doc);
		assert_string_equal(
			e,
			"unexpected response from sluiced: no 'flows' array");
		assert_string_equal(text, "");
		free(text);
	}
}

static void test_flush_text(void **state)
{
	char e[256] = "";
	json_object *doc = json_tokener_parse("[1]");

	(void)state;
	cli_expect_text(cli_lb_flows_flush_print, "{\"flushed\": 12}",
			"flushed 12 flows\n");
	cli_expect_text(cli_lb_flows_flush_print, "{\"flushed\": 0}",
			"flushed 0 flows\n");
	assert_non_null(doc);
	assert_int_equal(cli_lb_flows_flush_print(doc, stdout, e, sizeof(e)),
			 -EPROTO);
	assert_string_equal(
		e, "unexpected response from sluiced: the answer is not an "
		   "object");
	json_object_put(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_show_text),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_flush_text),
	};

	return cmocka_run_group_tests_name("cli_lb_flows", tests, NULL, NULL);
}
