// SPDX-License-Identifier: BSD-2-Clause
/* REST API input validation: bad queries are answered 4xx with a message
 * naming the parameter and value, before any state is touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "api.h"

static struct state st;
static struct sluiced_config cfg;
static struct api_ctx ctx = { .st = &st, .cfg = &cfg };

static void expect(const char *method, const char *url,
		   const struct api_query *q, unsigned int want_status,
		   const char *needle)
{
	const char *ctype;
	unsigned int status;
	char *body = api_render(&ctx, method, url, q, &status, &ctype);

	assert_non_null(body);
	assert_int_equal(status, want_status);
	if (!strstr(body, needle))
		fail_msg("body '%s' lacks '%s'", body, needle);
	free(body);
}

static void test_unknown_resource(void **state)
{
	struct api_query q = {};

	(void)state;
	expect("GET", "/v1/nope", &q, 404, "no such resource '/v1/nope'");
	expect("GET", "/", &q, 404, "no such resource");
}

static void test_method_not_allowed(void **state)
{
	struct api_query q = {};

	(void)state;
	expect("DELETE", "/v1/routes", &q, 405, "method DELETE");
	expect("POST", "/v1/status", &q, 405, "/v1/status");
}

static void test_bad_route_queries(void **state)
{
	struct api_query q = {};

	(void)state;
	q.family = "5";
	expect("GET", "/v1/routes", &q, 400, "family: '5'");
	q.family = NULL;
	q.prefix = "198.18.0.0/33";
	expect("GET", "/v1/routes", &q, 400, "prefix: '198.18.0.0/33'");
	q.prefix = "2001:db8::/129";
	expect("GET", "/v1/routes", &q, 400, "prefix: '2001:db8::/129'");
	q.prefix = "not-an-address";
	expect("GET", "/v1/routes", &q, 400, "prefix: 'not-an-address'");
	q.prefix = "198.18.0.0/";
	expect("GET", "/v1/routes", &q, 400, "prefix");
}

static void test_good_route_query_empty_state(void **state)
{
	struct api_query q = { .prefix = "198.18.0.0/15", .family = "4" };

	(void)state;
	expect("GET", "/v1/routes", &q, 200, "\"routes\":[]");
}

static void test_unknown_dev(void **state)
{
	struct api_query q = { .dev = "eth9" };

	(void)state;
	expect("GET", "/v1/interfaces", &q, 404, "dev: no managed interface 'eth9'");
	expect("GET", "/v1/stats", &q, 404, "'eth9'");
	expect("GET", "/v1/neighbors", &q, 404, "dev: no interface 'eth9'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_resource),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_bad_route_queries),
		cmocka_unit_test(test_good_route_query_empty_state),
		cmocka_unit_test(test_unknown_dev),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
