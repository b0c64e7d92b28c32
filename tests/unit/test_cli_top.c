// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl top: its flags (a bad one named with its value), the rates
 * two reads of /v1/stats and /v1/vips give, and their text. */
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

static int args(struct cli_top_opts *o, ...)
{
	char *argv[8];
	int argc = 0;
	va_list ap;

	va_start(ap, o);
	for (char *a; (a = va_arg(ap, char *)) && argc < 8;)
		argv[argc++] = a;
	va_end(ap);
	err[0] = '\0';
	return cli_top_args(argc, argv, o, err, sizeof(err));
}

static void test_args(void **state)
{
	struct cli_top_opts o;

	(void)state;
	assert_int_equal(args(&o, (char *)NULL), 0);
	assert_int_equal(o.interval_s, 1);
	assert_int_equal(o.count, 0);
	assert_int_equal(
		args(&o, "--interval", "5", "--count", "2", (char *)NULL), 0);
	assert_int_equal(o.interval_s, 5);
	assert_int_equal(o.count, 2);
	assert_int_equal(args(&o, "show", "--count", "1", (char *)NULL), 0);
	assert_int_equal(o.count, 1);
	assert_int_equal(args(&o, "help", (char *)NULL), 0);
	assert_true(o.help);
	/* -j after the noun, as every noun takes it */
	assert_int_equal(args(&o, (char *)NULL), 0);
	assert_false(o.json);
	assert_int_equal(args(&o, "--interval", "2", "-j", "--count", "3",
			      (char *)NULL),
			 0);
	assert_true(o.json);
	assert_int_equal(o.interval_s, 2);
	assert_int_equal(o.count, 3);
	assert_int_equal(args(&o, "show", "--json", (char *)NULL), 0);
	assert_true(o.json);
	assert_int_equal(args(&o, "--api", "x", (char *)NULL), -EINVAL);
	assert_string_equal(
		err, "top: '--api' is a global option, put it before the noun");

	assert_int_equal(args(&o, "--interval", "0", (char *)NULL), -EINVAL);
	assert_string_equal(err,
			    "top: invalid --interval '0' (1..3600 seconds)");
	assert_int_equal(args(&o, "--interval", "3601", (char *)NULL), -EINVAL);
	assert_int_equal(args(&o, "--interval", "0.5", (char *)NULL), -EINVAL);
	assert_int_equal(args(&o, "--count", "x", (char *)NULL), -EINVAL);
	assert_string_equal(err, "top: invalid --count 'x' (1..1000000)");
	assert_int_equal(args(&o, "--count", (char *)NULL), -EINVAL);
	assert_string_equal(err, "top: --count needs a value");
	assert_int_equal(args(&o, "--bogus", (char *)NULL), -EINVAL);
	assert_non_null(strstr(err, "unknown option '--bogus'"));
	assert_int_equal(args(&o, "eth0", (char *)NULL), -EINVAL);
	assert_non_null(strstr(err, "unknown command 'eth0'"));
}

static const char stats0[] =
	"{\"interfaces\": ["
	" {\"name\": \"eth0\", \"reasons\": ["
	"  {\"reason\": \"fwd_redirect\", \"verdict\": \"forward\","
	"   \"packets\": 100, \"bytes\": 10000},"
	"  {\"reason\": \"pass_local\", \"verdict\": \"pass\","
	"   \"packets\": 10, \"bytes\": 1000},"
	"  {\"reason\": \"drop_bad_csum\", \"verdict\": \"drop\","
	"   \"packets\": 0, \"bytes\": 0},"
	"  {\"reason\": \"pass_egress_untracked\", \"verdict\": \"pass\","
	"   \"packets\": 0, \"bytes\": 0}]},"
	" {\"name\": \"eth1\", \"reasons\": ["
	"  {\"reason\": \"fwd_redirect\", \"verdict\": \"forward\","
	"   \"packets\": 5000, \"bytes\": 500000}]}]}";
/* two seconds later; eth1's counter went down (sluiced restarted with
 * fresh maps): it counted from zero */
static const char stats1[] =
	"{\"interfaces\": ["
	" {\"name\": \"eth0\", \"reasons\": ["
	"  {\"reason\": \"fwd_redirect\", \"verdict\": \"forward\","
	"   \"packets\": 2100, \"bytes\": 1010000},"
	"  {\"reason\": \"pass_local\", \"verdict\": \"pass\","
	"   \"packets\": 30, \"bytes\": 3000},"
	"  {\"reason\": \"drop_bad_csum\", \"verdict\": \"drop\","
	"   \"packets\": 4, \"bytes\": 400},"
	"  {\"reason\": \"pass_egress_untracked\", \"verdict\": \"pass\","
	"   \"packets\": 2, \"bytes\": 200}]},"
	" {\"name\": \"eth1\", \"reasons\": ["
	"  {\"reason\": \"fwd_redirect\", \"verdict\": \"forward\","
	"   \"packets\": 20, \"bytes\": 2000}]}]}";
static const char vips0[] =
	"{\"vips\": [{\"id\": \"198.18.100.1:80/tcp\", \"counters\":"
	" {\"packets\": 10, \"bytes\": 1000, \"new_flows\": 1, \"drops\": 0},"
	" \"backends\": ["
	"  {\"address\": \"198.18.11.2\", \"state\": \"active\","
	"   \"health\": \"up\", \"counters\": {\"packets\": 4, \"bytes\": 400,"
	"   \"new_flows\": 1}}]}]}";
static const char vips1[] =
	"{\"vips\": [{\"id\": \"198.18.100.1:80/tcp\", \"counters\":"
	" {\"packets\": 210, \"bytes\": 21000, \"new_flows\": 11, \"drops\": 2},"
	" \"backends\": ["
	"  {\"address\": \"198.18.11.2\", \"state\": \"active\","
	"   \"health\": \"up\", \"counters\": {\"packets\": 104, \"bytes\": 10400,"
	"   \"new_flows\": 6}},"
	"  {\"address\": \"198.18.12.2\", \"state\": \"draining\","
	"   \"health\": \"unknown\", \"counters\": {\"packets\": 100,"
	"   \"bytes\": 10000, \"new_flows\": 5}}]}]}";

static double num(json_object *o, const char *key)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_double(v);
}

static json_object *idx(json_object *o, const char *key, size_t i)
{
	json_object *a;

	assert_true(json_object_object_get_ex(o, key, &a));
	assert_true(i < json_object_array_length(a));
	return json_object_array_get_idx(a, i);
}

static json_object *rates(bool lb)
{
	json_object *s0 = json_tokener_parse(stats0),
		    *s1 = json_tokener_parse(stats1);
	json_object *v0 = json_tokener_parse(vips0),
		    *v1 = json_tokener_parse(vips1), *r;

	assert_non_null(s0);
	assert_non_null(s1);
	assert_non_null(v0);
	assert_non_null(v1);
	r = cli_top_rates(s0, s1, lb ? v0 : NULL, lb ? v1 : NULL, 2.0);
	json_object_put(s0);
	json_object_put(s1);
	json_object_put(v0);
	json_object_put(v1);
	return r;
}

static void test_rates(void **state)
{
	json_object *r = rates(true), *e, *a;

	(void)state;
	assert_non_null(r);
	e = idx(r, "interfaces", 0);
	assert_string_equal(
		json_object_get_string(json_object_object_get(e, "name")),
		"eth0");
	/* (2000 + 20 + 4) packets, (1000000 + 2000 + 400) * 8 bits, in 2 s;
	 * not the 2 packets the host sent (pass_egress_untracked) */
	assert_true(num(e, "rx_pps") == 1012);
	assert_true(num(e, "rx_bps") == 4009600);
	assert_true(num(e, "forward_pps") == 1000);
	assert_true(num(e, "pass_pps") == 10);
	assert_true(num(e, "drop_pps") == 2);
	/* a counter that went down counted from zero */
	assert_true(num(idx(r, "interfaces", 1), "rx_pps") == 10);
	/* the reasons that moved, busiest first */
	assert_true(json_object_object_get_ex(r, "reasons", &a));
	assert_int_equal(json_object_array_length(a), 5);
	e = idx(r, "reasons", 0);
	assert_string_equal(
		json_object_get_string(json_object_object_get(e, "reason")),
		"fwd_redirect");
	assert_string_equal(
		json_object_get_string(json_object_object_get(e, "interface")),
		"eth0");
	assert_true(num(e, "pps") == 1000);
	assert_true(num(idx(r, "reasons", 3), "pps") == 2);
	/* the host's packets are listed, last (1 pps), but are no rx */
	assert_string_equal(json_object_get_string(json_object_object_get(
				    idx(r, "reasons", 4), "reason")),
			    "pass_egress_untracked");
	/* the VIP, and a backend that was not there before has no rate yet */
	e = idx(r, "vips", 0);
	assert_true(num(e, "pps") == 100);
	assert_true(num(e, "bps") == 80000);
	assert_true(num(e, "new_flows_ps") == 5);
	assert_true(num(e, "drops_ps") == 1);
	assert_true(num(idx(e, "backends", 0), "pps") == 50);
	assert_true(num(idx(e, "backends", 0), "new_flows_ps") == 2.5);
	assert_true(num(idx(e, "backends", 1), "pps") == 0);

	/* -j: three decimals at most, no trailing zeros */
	assert_string_equal(
		json_object_to_json_string_ext(
			json_object_object_get(idx(e, "backends", 0),
					       "new_flows_ps"),
			JSON_C_TO_STRING_PLAIN),
		"2.5");
	assert_string_equal(
		json_object_to_json_string_ext(json_object_object_get(e, "pps"),
					       JSON_C_TO_STRING_PLAIN),
		"100");
	json_object_put(r);
	r = cli_top_rates(NULL, NULL, NULL, NULL, 3.0);
	assert_string_equal(
		json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN),
		"{\"interval_s\":3,\"interfaces\":[],\"reasons\":[]}");
	json_object_put(r);

	/* no load balancer: no "vips" */
	r = rates(false);
	assert_false(json_object_object_get_ex(r, "vips", NULL));
	json_object_put(r);
}

static void test_print(void **state)
{
	json_object *r = rates(true);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(cli_top_print(r, f, err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(buf, "rates over the last 2.0 s"));
	assert_non_null(strstr(buf, "INTERFACE"));
	/* eth0: 1012 pps, 4.01 Mbit/s, 1000 forwarded, 10 passed, 2 dropped */
	assert_non_null(strstr(
		buf,
		"eth0        1.01k   4.01M    1.00k        10         2\n"));
	assert_non_null(strstr(buf, "fwd_redirect"));
	assert_non_null(strstr(buf, "198.18.100.1:80/tcp"));
	/* 2.5 new flows/s is not rounded to 2 */
	assert_non_null(
		strstr(buf, "  198.18.11.2            50  40.0k         2.50"));
	assert_non_null(strstr(buf, "  198.18.12.2 draining"));
	assert_null(strchr(buf, '\033'));
	free(buf);
	json_object_put(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
