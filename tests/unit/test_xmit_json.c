// SPDX-License-Identifier: BSD-2-Clause
/* Frames lost after a redirect, as /v1/interfaces shows them
 * (daemon/xmit_json.c): every event counted, 0 included, and the error of
 * the latest loss named only for the events that lost frames. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "xmit_json.h"

static void expect_json(const struct dp_xmit_drops *d, const char *want)
{
	struct json_object *o = xmit_drops_json(d);

	assert_string_equal(
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		want);
	json_object_put(o);
}

static void test_none(void **state)
{
	struct dp_xmit_drops d = { 0 };

	(void)state;
	expect_json(&d,
		    "{\"redirect_failed\":0,\"xmit_dropped\":0,"
		    "\"tx_failed\":0,\"steer_failed\":0,\"last_errors\":{}}");
}

static void test_losses(void **state)
{
	struct dp_xmit_drops d = { 0 };

	(void)state;
	d.frames[SLUICE_XMIT_REDIRECT_FAILED] = 3;
	d.last_err[SLUICE_XMIT_REDIRECT_FAILED] = -EOPNOTSUPP;
	d.frames[SLUICE_XMIT_XMIT_DROPPED] = 16;
	d.last_err[SLUICE_XMIT_XMIT_DROPPED] = -ENXIO;
	d.frames[SLUICE_XMIT_TX_FAILED] = 1; /* xdp_exception: no error */
	d.last_err[SLUICE_XMIT_STEER_FAILED] = -ENOSPC; /* no frames: unsaid */
	expect_json(&d, "{\"redirect_failed\":3,\"xmit_dropped\":16,"
			"\"tx_failed\":1,\"steer_failed\":0,\"last_errors\":{"
			"\"redirect_failed\":\"EOPNOTSUPP\","
			"\"xmit_dropped\":\"ENXIO\",\"tx_failed\":\"\"}}");
}

static void test_err_name(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(xmit_err_name(0, buf, sizeof(buf)), "");
	assert_string_equal(xmit_err_name(-ENETDOWN, buf, sizeof(buf)),
			    "ENETDOWN");
	assert_string_equal(xmit_err_name(EMSGSIZE, buf, sizeof(buf)),
			    "EMSGSIZE");
	assert_string_equal(xmit_err_name(-4000, buf, sizeof(buf)), "4000");
}

static void test_event_names(void **state)
{
	(void)state;
	assert_string_equal(dp_xmit_event_name(SLUICE_XMIT_STEER_FAILED),
			    "steer_failed");
	assert_null(dp_xmit_event_name(SLUICE_XMIT_NEVENTS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_losses),
		cmocka_unit_test(test_err_name),
		cmocka_unit_test(test_event_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
