// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl fw: -j wherever it is typed after the noun, and what the
 * listings print when they have nothing to list. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cli.h"
#include "cli_test_util.h"

static char err[256];

/* The words after "fw" (NULL-terminated) -> @q, @kind; 0 or -errno. */
static int parse(struct cli_query *q, int *kind, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	va_start(ap, kind);
	for (char *a; (a = va_arg(ap, char *)) && argc < 16;)
		argv[argc++] = a;
	va_end(ap);
	err[0] = '\0';
	return cli_fw_args(argc, argv, q, kind, err, sizeof(err));
}

#define PARSE(q, kind, ...) parse(q, kind, __VA_ARGS__, (char *)NULL)

static void expect(int r, struct cli_query *q, int kind, const char *method,
		   const char *path, bool json, int want_kind)
{
	if (r)
		fail_msg("refused: %s", err);
	assert_string_equal(q->method ? q->method : "GET", method);
	assert_string_equal(q->path, path);
	assert_int_equal(q->json, json);
	assert_int_equal(kind, want_kind);
	cli_query_free(q);
}

static void test_json_anywhere(void **state)
{
	struct cli_query q;
	int kind, r;

	(void)state;
	r = PARSE(&q, &kind, "policy", "-j");
	expect(r, &q, kind, "GET", "/v1/fw/policy", true, FW_POLICY);
	r = PARSE(&q, &kind, "-j", "policy");
	expect(r, &q, kind, "GET", "/v1/fw/policy", true, FW_POLICY);
	r = PARSE(&q, &kind, "policy", "--json", "r0", "in", "drop");
	expect(r, &q, kind, "POST", "/v1/fw/policy", true, FW_POLICY);
	r = PARSE(&q, &kind, "show", "-j", "r0");
	expect(r, &q, kind, "GET", "/v1/fw/rules?dev=r0", true, FW_RULES);
	r = PARSE(&q, &kind, "-j");
	expect(r, &q, kind, "GET", "/v1/fw/rules", true, FW_RULES);
	r = PARSE(&q, &kind, "del", "-j", "r0", "3");
	expect(r, &q, kind, "DELETE", "/v1/fw/rules/r0/3", true, FW_DONE);
	r = PARSE(&q, &kind, "set", "-j");
	expect(r, &q, kind, "GET", "/v1/fw/sets", true, FW_SETS);
	r = PARSE(&q, &kind, "set", "-j", "add", "blocked");
	expect(r, &q, kind, "POST", "/v1/fw/sets", true, FW_SETS);
	r = PARSE(&q, &kind, "check", "--json");
	expect(r, &q, kind, "GET", "/v1/fw/check", true, FW_CHECK);
	r = PARSE(&q, &kind, "add", "r0", "-j", "in", "--action", "drop");
	expect(r, &q, kind, "POST", "/v1/fw/rules", true, FW_RULE);
	/* and without it, no JSON */
	r = PARSE(&q, &kind, "policy", "r0", "in", "drop");
	expect(r, &q, kind, "POST", "/v1/fw/policy", false, FW_POLICY);
	r = PARSE(&q, &kind, "show", "r0");
	expect(r, &q, kind, "GET", "/v1/fw/rules?dev=r0", false, FW_RULES);
}

static void test_refused(void **state)
{
	struct cli_query q;
	int kind;

	(void)state;
	/* -j is not counted as one of the policy's three words */
	assert_int_equal(PARSE(&q, &kind, "policy", "r0", "in", "-j"), -EINVAL);
	assert_non_null(
		strstr(err, "fw: policy needs IFACE in|out accept|drop"));
	cli_query_free(&q);
	assert_int_equal(PARSE(&q, &kind, "del", "r0", "-j"), -EINVAL);
	assert_non_null(strstr(err, "fw: del needs IFACE ID"));
	cli_query_free(&q);
}

static void test_empty_listings(void **state)
{
	(void)state;
	cli_expect_text(cli_fw_policy_print, "{\"policies\": []}",
			"no policy set: a packet no rule matches is "
			"accepted\n");
	cli_expect_text(cli_fw_rules_print, "{\"rules\": []}", "no rules\n");
	cli_expect_text(cli_fw_sets_print, "{\"sets\": []}", "no named sets\n");
	cli_expect_text(cli_fw_policy_print,
			"{\"policies\": [{\"iface\": \"r0\", \"dir\": \"in\", "
			"\"policy\": \"drop\", \"packets\": 7}]}",
			"IFACE  DIR  POLICY  PACKETS\n"
			"r0     in   drop          7\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_anywhere),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_empty_listings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
