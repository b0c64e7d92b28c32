// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl nat: arguments into requests (checked before asking, the bad
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

static char err[256];

static int run_args(struct cli_query *q, enum cli_nat_out *out, va_list ap)
{
	char *argv[16];
	int argc = 0;

	for (char *a; (a = va_arg(ap, char *)) && argc < 16;)
		argv[argc++] = a;
	err[0] = '\0';
	return cli_nat_args(argc, argv, q, out, err, sizeof(err));
}

static void expect_request(const char *method, const char *path,
			   const char *body, enum cli_nat_out want_out, ...)
{
	struct cli_query q;
	enum cli_nat_out out;
	va_list ap;
	int rc;

	va_start(ap, want_out);
	rc = run_args(&q, &out, ap);
	va_end(ap);
	if (rc)
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
	struct cli_query q;
	enum cli_nat_out out;
	va_list ap;
	int rc;

	va_start(ap, needle);
	rc = run_args(&q, &out, ap);
	va_end(ap);
	cli_query_free(&q);
	assert_int_equal(rc, -EINVAL);
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
}

static void test_requests(void **state)
{
	(void)state;
	expect_request("GET", "/v1/nat", NULL, CLI_NAT_SHOW, (char *)NULL);
	expect_request("GET", "/v1/nat", NULL, CLI_NAT_SHOW, "show", "-j",
		       (char *)NULL);
	expect_request("POST", "/v1/nat",
		       "{\"type\":\"snat\",\"src\":\"198.18.0.0/24\",\"out\":"
		       "\"eth1\",\"to\":\"198.19.0.10-198.19.0.12\",\"ports\":"
		       "\"1024-2047\"}",
		       CLI_NAT_ADDED, "add", "snat", "--src", "198.18.0.0/24",
		       "--out", "eth1", "--to", "198.19.0.10-198.19.0.12",
		       "--ports", "1024-2047", (char *)NULL);
	expect_request("POST", "/v1/nat",
		       "{\"type\":\"dnat\",\"in\":\"eth0\",\"dst\":"
		       "\"198.19.0.1:8080/tcp\",\"to\":\"198.18.1.5:80\"}",
		       CLI_NAT_ADDED, "add", "dnat", "--in", "eth0", "--dst",
		       "198.19.0.1:8080/tcp", "--to", "198.18.1.5:80",
		       (char *)NULL);
	expect_request("DELETE", "/v1/nat/7", NULL, CLI_NAT_DELETED, "del", "7",
		       (char *)NULL);
}

static void test_refused(void **state)
{
	(void)state;
	expect_refused("nat: add needs snat or dnat", "add", (char *)NULL);
	expect_refused("the kind is snat or dnat", "add", "masq", (char *)NULL);
	expect_refused("nat: add snat needs --out", "add", "snat", "--src",
		       "198.18.0.0/24", (char *)NULL);
	expect_refused("nat: add dnat needs --to", "add", "dnat", "--in",
		       "eth0", "--dst", "198.19.0.1:80/tcp", (char *)NULL);
	expect_refused("--src '198.18.0.0/33' is not a prefix", "add", "snat",
		       "--src", "198.18.0.0/33", "--out", "eth1", (char *)NULL);
	expect_refused("--ports '0-10' is not a range", "add", "snat", "--src",
		       "198.18.0.0/24", "--out", "eth1", "--ports", "0-10",
		       (char *)NULL);
	expect_refused("--ports '9-1'", "add", "snat", "--src", "198.18.0.0/24",
		       "--out", "eth1", "--ports", "9-1", (char *)NULL);
	expect_refused("--in is not an option of snat", "add", "snat", "--in",
		       "eth0", (char *)NULL);
	expect_refused("--to given twice", "add", "dnat", "--to", "198.18.1.5",
		       "--to", "198.18.1.6", (char *)NULL);
	expect_refused("--dst needs a value", "add", "dnat", "--dst",
		       (char *)NULL);
	expect_refused("nat: del needs a rule ID", "del", (char *)NULL);
	expect_refused("del 'x': a rule ID is a number", "del", "x",
		       (char *)NULL);
}

static void test_print(void **state)
{
	json_object *doc = json_tokener_parse(
		"{\"rules\":[{\"id\":1,\"type\":\"snat\",\"src\":"
		"\"198.18.0.0/24\",\"out\":\"eth1\",\"ports\":\"1024-65535\","
		"\"ifindex\":3},{\"id\":2,\"type\":\"dnat\",\"in\":\"eth0\","
		"\"dst\":\"198.19.0.1:8080/tcp\",\"to\":\"198.18.1.5:80\","
		"\"ifindex\":0}],\"counts\":{\"snat\":1,\"dnat\":1},"
		"\"events\":{\"snat_bound\":3,\"dnat_bound\":0},"
		"\"nat_flows\":3}");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(doc);
	assert_int_equal(cli_nat_print(doc, f, err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(buf, "masquerade"));
	assert_non_null(strstr(buf, "in eth0 (absent)"));
	assert_non_null(strstr(buf, "198.19.0.1:8080/tcp"));
	assert_non_null(strstr(buf, "rules: snat 1  dnat 1  nat_flows 3\n"));
	assert_non_null(strstr(buf, "events: snat_bound 3\n"));
	free(buf);
	json_object_put(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
