// SPDX-License-Identifier: BSD-2-Clause
/* sluice_api_responses_total: counted by method and code, a method
 * outside the list counted as "other", nothing for a status that is not
 * one, and the family's HELP and TYPE before the first answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "api_stats.h"

static void test_empty(void **state)
{
	char *t;

	(void)state;
	api_stats_reset();
	t = api_stats_metrics();
	assert_non_null(t);
	assert_string_equal(
		t, "# HELP sluice_api_responses_total Requests the REST API "
		   "answered (all listeners, refusals included), by method "
		   "and HTTP status code.\n"
		   "# TYPE sluice_api_responses_total counter\n");
	free(t);
}

static void test_counts(void **state)
{
	char *t;

	(void)state;
	api_stats_reset();
	api_stats_count("GET", 200);
	api_stats_count("GET", 200);
	api_stats_count("POST", 201);
	api_stats_count("DELETE", 404);
	api_stats_count("BREW", 405); /* a client's own method */
	api_stats_count(NULL, 401);   /* none known */
	api_stats_count("GET", 42);   /* no such status: not counted */
	api_stats_count("PATCH", 1000);
	t = api_stats_metrics();
	assert_non_null(t);
	assert_non_null(strstr(t, "sluice_api_responses_total{method=\"GET\","
				  "code=\"200\"} 2\n"));
	assert_non_null(strstr(t, "{method=\"POST\",code=\"201\"} 1\n"));
	assert_non_null(strstr(t, "{method=\"DELETE\",code=\"404\"} 1\n"));
	assert_non_null(strstr(t, "{method=\"other\",code=\"405\"} 1\n"));
	assert_non_null(strstr(t, "{method=\"other\",code=\"401\"} 1\n"));
	assert_null(strstr(t, "BREW"));
	assert_null(strstr(t, "code=\"42\""));
	assert_null(strstr(t, "PATCH"));
	free(t);
	api_stats_reset();
	t = api_stats_metrics();
	assert_null(strstr(t, "{method"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
