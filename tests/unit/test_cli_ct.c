// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl ct: arguments into requests (checked before asking, the bad
 * one named), and the daemon's answers into text. */
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

static char err[256];

static int args(struct cli_query *q, enum cli_ct_out *out, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	va_start(ap, out);
	for (char *a; (a = va_arg(ap, char *)) && argc < 16;)
		argv[argc++] = a;
	va_end(ap);
	err[0] = '\0';
	return cli_ct_args(argc, argv, q, out, err, sizeof(err));
}

#define ARGS(q, out, ...) args(q, out, __VA_ARGS__, (char *)NULL)

static void expect_request(const char *method, const char *path,
			   const char *body, enum cli_ct_out want_out, ...)
{
	char *argv[16];
	int argc = 0;
	struct cli_query q;
	enum cli_ct_out out;
	va_list ap;

	va_start(ap, want_out);
	for (char *a; (a = va_arg(ap, char *)) && argc < 16;)
		argv[argc++] = a;
	va_end(ap);
	if (cli_ct_args(argc, argv, &q, &out, err, sizeof(err)))
		fail_msg("refused: %s", err);
	assert_string_equal(q.method ? q.method : "GET", method);
	assert_string_equal(q.path, path);
	if (body)
		assert_string_equal(cli_body_string(&q), body);
	else
		assert_null(q.body);
	assert_int_equal(out, want_out);
	cli_query_free(&q);
}

static void expect_refused(const char *needle, ...)
{
	char *argv[16];
	int argc = 0;
	struct cli_query q;
	enum cli_ct_out out;
	va_list ap;

	va_start(ap, needle);
	for (char *a; (a = va_arg(ap, char *)) && argc < 16;)
		argv[argc++] = a;
	va_end(ap);
	assert_int_equal(cli_ct_args(argc, argv, &q, &out, err, sizeof(err)),
			 -EINVAL);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
	cli_query_free(&q);
}

static void test_requests(void **state)
{
	(void)state;
	expect_request("GET", "/v1/conntrack", NULL, CLI_CT_SHOW, NULL);
	expect_request("GET", "/v1/conntrack", NULL, CLI_CT_SHOW, "show", NULL);
	expect_request("GET",
		       "/v1/conntrack?src=198.18.0.0/24&proto=tcp&state="
		       "established&limit=5",
		       NULL, CLI_CT_SHOW, "sh", "--src", "198.18.0.0/24",
		       "--proto", "tcp", "--state", "established", "--limit",
		       "5", NULL);
	expect_request("GET", "/v1/conntrack?dst=2001:db8::1", NULL,
		       CLI_CT_SHOW, "--dst", "2001:db8::1", NULL);
	expect_request("GET", "/v1/conntrack/count", NULL, CLI_CT_COUNT,
		       "count", NULL);
	expect_request("DELETE", "/v1/conntrack?proto=icmp", NULL, CLI_CT_FLUSH,
		       "flush", "--proto", "icmp", NULL);
	expect_request("DELETE", "/v1/conntrack", NULL, CLI_CT_FLUSH, "flush",
		       NULL);
	expect_request("PUT", "/v1/conntrack/config", "{\"enabled\":true}",
		       CLI_CT_CONFIG, "enable", NULL);
	expect_request("PUT", "/v1/conntrack/config", "{\"enabled\":false}",
		       CLI_CT_CONFIG, "disable", "-j", NULL);
	expect_request("PUT", "/v1/conntrack/config",
		       "{\"timeouts\":{\"unreplied\":5}}", CLI_CT_CONFIG,
		       "timeout", "unreplied", "5", NULL);
	expect_request("GET", "/v1/conntrack/config", NULL, CLI_CT_CONFIG,
		       "config", NULL);
}

static void test_refused(void **state)
{
	(void)state;
	expect_refused("ct: --src '198.18.0.0/33' is not an address", "show",
		       "--src", "198.18.0.0/33", NULL);
	expect_refused("ct: --proto 'sctp' is not one of", "--proto", "sctp",
		       NULL);
	expect_refused("ct: --proto '0'", "--proto", "0", NULL);
	expect_refused("ct: --state 'open' is not one of", "--state", "open",
		       NULL);
	expect_refused("ct: --limit '0' is not a number 1..10000", "--limit",
		       "0", NULL);
	expect_refused("ct: --limit '10001'", "--limit", "10001", NULL);
	expect_refused("ct: --cursor 'x'", "--cursor", "x", NULL);
	expect_refused("ct: --src needs a value", "--src", NULL);
	expect_refused("ct: --limit is for show", "flush", "--limit", "5",
		       NULL);
	expect_refused("ct: timeout needs STATE SECONDS", "timeout",
		       "unreplied", NULL);
	expect_refused("ct: timeout: state 'udp' is not one of", "timeout",
		       "udp", "5", NULL);
	expect_refused("ct: timeout: '0' is not a number of seconds", "timeout",
		       "close", "0", NULL);
	expect_refused("ct: timeout: '2147483648'", "timeout", "close",
		       "2147483648", NULL);
	expect_refused("ct: unknown command 'frob'", "frob", NULL);
	expect_refused("ct: unknown option '--src'", "count", "--src",
		       "198.18.0.1", NULL);
	expect_refused("ct: unknown argument 'x'", "enable", "x", NULL);
}

static void test_help(void **state)
{
	struct cli_query q;
	enum cli_ct_out out;

	(void)state;
	assert_int_equal(ARGS(&q, &out, "help"), 0);
	assert_true(q.help);
	cli_query_free(&q);
	assert_int_equal(ARGS(&q, &out, "flush", "-h"), 0);
	assert_true(q.help);
	cli_query_free(&q);
}

static void test_show_text(void **state)
{
	(void)state;
	cli_expect_text(
		cli_ct_print,
		"{\"entries\": [{\"family\": \"ipv4\", \"proto\": \"tcp\", "
		"\"src\": \"198.18.1.2\", \"sport\": 40000, \"dst\": "
		"\"198.18.2.2\", \"dport\": 80, \"state\": \"established\", "
		"\"flags\": [\"replied\"], \"age_s\": 70, \"idle_s\": 65, "
		"\"packets_orig\": 5, \"bytes_orig\": 500, \"packets_reply\": "
		"4, \"bytes_reply\": 40000, \"in_ifindex\": 3}, "
		"{\"family\": \"ipv6\", \"proto\": \"icmpv6\", \"src\": "
		"\"2001:db8:1::2\", \"dst\": \"2001:db8:2::2\", \"id\": 77, "
		"\"state\": \"replied\", \"flags\": [\"replied\"], \"idle_s\": "
		"0, \"packets_orig\": 1, \"bytes_orig\": 104, "
		"\"packets_reply\": 1, \"bytes_reply\": 104}], "
		"\"next\": \"00ff\", \"scanned\": 2}",
		"PROTO   STATE        FLOW                                  "
		"PACKETS      BYTES  IDLE   FLAGS\n"
		"tcp     established  198.18.1.2:40000 -> 198.18.2.2:80     "
		"    5/4  500/40000  1m 5s  replied\n"
		"icmpv6  replied      2001:db8:1::2 -> 2001:db8:2::2 id 77  "
		"    1/1    104/104  0s     replied\n"
		"more: --cursor 00ff\n");
	/* an empty page prints nothing, as ip does */
	cli_expect_text(cli_ct_print, "{\"entries\": [], \"next\": null}", "");
}

static void test_count_text(void **state)
{
	(void)state;
	cli_expect_text(cli_ct_count_print,
			"{\"enabled\": true, \"total\": 3, \"capacity\": 1024, "
			"\"fill_ratio\": 0.5, \"by_class\": {\"tcp\": "
			"{\"established\": 1, \"time_wait\": 0, \"total\": 1}, "
			"\"udp\": {\"replied\": 2, \"total\": 2}}, \"events\": "
			"{\"created\": 3, \"expired\": 0, \"flushed\": 1}}",
			"total 3  capacity 1024  fill 50.0%  enabled\n"
			"PROTO  STATE        ENTRIES\n"
			"tcp    established        1\n"
			"udp    replied            2\n"
			"events: created 3  flushed 1\n");
	cli_expect_text(cli_ct_flush_print, "{\"flushed\": 7}",
			"flushed 7 entries\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_show_text),
		cmocka_unit_test(test_count_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
