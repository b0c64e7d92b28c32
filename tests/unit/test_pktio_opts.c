// SPDX-License-Identifier: BSD-2-Clause
/* The drivers' option parser, pktio_drv_parse_opts(): each type, its
 * bounds, and every refusal with its exact message.  Drivers other than
 * ring (af_xdp's mode=, busy_poll=, memif's role=) rely on all of it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "pktio_driver.h"

static const char *const modes[] = { "auto", "copy", "zerocopy", NULL };

struct vals {
	const char *socket;
	unsigned long budget;
	bool busy;
	int mode;
};

static int parse(struct vals *v, const char *const *opts, unsigned int n)
{
	const struct pktio_opt tbl[] = {
		{ .key = "socket", .type = PKTIO_OPT_STR, .out = &v->socket },
		{ .key = "budget",
		  .type = PKTIO_OPT_UINT,
		  .out = &v->budget,
		  .min = 1,
		  .max = 4096 },
		{ .key = "busy_poll", .type = PKTIO_OPT_BOOL, .out = &v->busy },
		{ .key = "mode",
		  .type = PKTIO_OPT_ENUM,
		  .out = &v->mode,
		  .choices = modes },
	};
	struct pktio_port_cfg cfg = {
		.driver = "x",
		.dev = "eth9",
		.nqueues = 1,
		.options = opts,
		.n_options = n,
	};

	return pktio_drv_parse_opts("x", &cfg, tbl,
				    sizeof(tbl) / sizeof(tbl[0]));
}

static void test_values(void **state)
{
	const char *all[] = { "socket=/run/m.sock", "budget=64",
			      "busy_poll=yes", "mode=zerocopy" };
	const char *other[] = { "budget=0x40", "busy_poll=OFF", "mode=auto",
				"socket=a=b" };
	const char *dec[] = { "budget=010" };
	struct vals v = {
		.socket = "keep", .budget = 7, .busy = false, .mode = -1
	};

	(void)state;
	/* nothing given: every value stays as it was */
	assert_int_equal(parse(&v, NULL, 0), 0);
	assert_string_equal(v.socket, "keep");
	assert_int_equal(v.budget, 7);
	assert_int_equal(v.mode, -1);

	assert_int_equal(parse(&v, all, 4), 0);
	assert_string_equal(v.socket, "/run/m.sock");
	assert_int_equal(v.budget, 64);
	assert_true(v.busy);
	assert_int_equal(v.mode, 2);

	/* hex, case-insensitive booleans, a value holding '=' */
	assert_int_equal(parse(&v, other, 4), 0);
	assert_int_equal(v.budget, 64);
	assert_false(v.busy);
	assert_int_equal(v.mode, 0);
	assert_string_equal(v.socket, "a=b");

	/* a leading zero is decimal, not octal */
	assert_int_equal(parse(&v, dec, 1), 0);
	assert_int_equal(v.budget, 10);
}

struct bad {
	const char *opt[2];
	const char *error;
};

static const struct bad bad_cases[] = {
	{ { "colour=red" },
	  "port eth9: driver x: unknown option 'colour' (socket, budget, busy_poll, mode)" },
	{ { "budget" },
	  "port eth9: driver x: option \"budget\" is not key=value" },
	{ { "=5" }, "port eth9: driver x: option \"=5\" is not key=value" },
	{ { "socket=" }, "port eth9: driver x: option socket=: empty value" },
	{ { "budget=" },
	  "port eth9: driver x: option budget=: not a number within 1..4096" },
	{ { "budget=0" },
	  "port eth9: driver x: option budget=0: not a number within 1..4096" },
	{ { "budget=4097" },
	  "port eth9: driver x: option budget=4097: not a number within 1..4096" },
	{ { "budget=-1" },
	  "port eth9: driver x: option budget=-1: not a number within 1..4096" },
	{ { "budget= 5" },
	  "port eth9: driver x: option budget= 5: not a number within 1..4096" },
	{ { "budget=5k" },
	  "port eth9: driver x: option budget=5k: not a number within 1..4096" },
	{ { "budget=0x" },
	  "port eth9: driver x: option budget=0x: not a number within 1..4096" },
	{ { "budget=99999999999999999999999" },
	  "port eth9: driver x: option budget=99999999999999999999999: not a number within 1..4096" },
	{ { "busy_poll=2" },
	  "port eth9: driver x: option busy_poll=2: not a boolean (0, 1, yes, no, true, false, on, off)" },
	{ { "mode=zero-copy" },
	  "port eth9: driver x: option mode=zero-copy: not one of auto, copy, zerocopy" },
	{ { "budget=8", "budget=16" },
	  "port eth9: driver x: option budget is given twice" },
	{ { "mode=copy", "mode=copy" },
	  "port eth9: driver x: option mode is given twice" },
};

static void test_refusals(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad *b = &bad_cases[i];
		unsigned int n = b->opt[1] ? 2 : 1;
		struct vals v = { 0 };
		int err = parse(&v, b->opt, n);

		if (err != -EINVAL || strcmp(pktio_last_error(), b->error)) {
			print_error("case %zu: got %d \"%s\"\n  want \"%s\"\n",
				    i, err, pktio_last_error(), b->error);
			fail();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_refusals),
	};

	pktio_set_log(NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
