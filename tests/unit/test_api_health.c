// SPDX-License-Identifier: BSD-2-Clause
/* GET /healthz answers without the token (a kubelet's probes hold none);
 * nothing else does: every other path, and /healthz with another method,
 * stays behind the bearer token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "api_internal.h"

static struct state st;
static struct sluiced_config cfg;
static struct api_ctx ctx = { .st = &st, .cfg = &cfg };

static void test_healthz_is_public(void **state)
{
	(void)state;
	assert_true(api_path_public("GET", "/healthz"));
	assert_true(api_path_public("HEAD", "/healthz"));
}

static void test_everything_else_needs_the_token(void **state)
{
	static const char *const paths[] = {
		"/metrics",   "/v1/status", "/v1/vips",	 "/healthz/",
		"/healthz/x", "/Healthz",   "/healthzz", "/v1/healthz",
		"",	      "/",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (api_path_public("GET", paths[i]))
			fail_msg("'%s' answers without the token", paths[i]);
	assert_false(api_path_public("POST", "/healthz"));
	assert_false(api_path_public("DELETE", "/healthz"));
	assert_false(api_path_public("get", "/healthz"));
	assert_false(api_path_public(NULL, "/healthz"));
	assert_false(api_path_public("GET", NULL));
}

static void test_healthz_body(void **state)
{
	struct api_query q = {};
	const char *ctype = NULL;
	unsigned int status = 0;
	char *body;

	(void)state;
	body = api_render(&ctx, "GET", "/healthz", &q, &status, &ctype);
	assert_non_null(body);
	assert_int_equal(status, 200);
	assert_string_equal(body, "{\"status\":\"ok\"}");
	free(body);
	/* the row takes GET (and HEAD) only */
	body = api_render(&ctx, "POST", "/healthz", &q, &status, &ctype);
	assert_non_null(body);
	assert_int_equal(status, 405);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthz_is_public),
		cmocka_unit_test(test_everything_else_needs_the_token),
		cmocka_unit_test(test_healthz_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
