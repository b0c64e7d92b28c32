// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluiced's capability rules (daemon/caps.c): which capability starting
 * finds missing, in which order, with CAP_SYS_ADMIN standing in for
 * CAP_BPF and CAP_PERFMON as the kernel lets it; which it keeps once
 * running; and how a mask is named in the log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <linux/capability.h>
#include "caps.h"

#define NET_ADMIN CAPS_BIT(CAP_NET_ADMIN)
#define SYS_ADMIN CAPS_BIT(CAP_SYS_ADMIN)
#define PERFMON CAPS_BIT(38)
#define BPF CAPS_BIT(39)
#define SETPCAP CAPS_BIT(CAP_SETPCAP)

static void assert_missing(uint64_t eff, const char *want)
{
	const char *why = "unset";
	const char *got = caps_start_missing(eff, &why);

	if (!want) {
		assert_null(got);
		assert_null(why);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_non_null(why);
	assert_true(strlen(why) > 0);
}

static void start_needs_three(void **state)
{
	(void)state;
	assert_missing(BPF | PERFMON | NET_ADMIN, NULL);
	assert_missing(~0ULL, NULL);
	assert_missing(0, "CAP_BPF");
	assert_missing(PERFMON | NET_ADMIN, "CAP_BPF");
	assert_missing(BPF | NET_ADMIN, "CAP_PERFMON");
	assert_missing(BPF | PERFMON, "CAP_NET_ADMIN");
	/* what else is held does not make up for one of them */
	assert_missing(~0ULL & ~NET_ADMIN, "CAP_NET_ADMIN");
}

static void sys_admin_stands_in(void **state)
{
	(void)state;
	assert_missing(SYS_ADMIN | NET_ADMIN, NULL);
	assert_missing(SYS_ADMIN | BPF | NET_ADMIN, NULL);
	/* but not for CAP_NET_ADMIN */
	assert_missing(SYS_ADMIN, "CAP_NET_ADMIN");
}

static void runtime_set(void **state)
{
	(void)state;
	assert_int_equal(caps_runtime_set(~0ULL), BPF | NET_ADMIN);
	assert_int_equal(caps_runtime_set(BPF | PERFMON | NET_ADMIN),
			 BPF | NET_ADMIN);
	assert_int_equal(caps_runtime_set(BPF | PERFMON | NET_ADMIN | SETPCAP),
			 BPF | NET_ADMIN);
	/* never more than it had */
	assert_int_equal(caps_runtime_set(NET_ADMIN), NET_ADMIN);
	assert_int_equal(caps_runtime_set(0), 0);
	/* CAP_SYS_ADMIN kept only where it did CAP_BPF's work */
	assert_int_equal(caps_runtime_set(SYS_ADMIN | NET_ADMIN),
			 SYS_ADMIN | NET_ADMIN);
	assert_int_equal(caps_runtime_set(SYS_ADMIN | BPF | NET_ADMIN),
			 BPF | NET_ADMIN);
}

static void format(void **state)
{
	char buf[128];

	(void)state;
	caps_format(BPF | NET_ADMIN, buf, sizeof(buf));
	assert_string_equal(buf, "CAP_NET_ADMIN,CAP_BPF");
	caps_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	caps_format(CAPS_BIT(1) | PERFMON, buf, sizeof(buf));
	assert_string_equal(buf, "cap_1,CAP_PERFMON");
	/* a short buffer is cut, never overrun */
	caps_format(~0ULL, buf, 8);
	assert_int_equal(strlen(buf), 7);
}

static void effective_readable(void **state)
{
	uint64_t eff = 0xdead;

	(void)state;
	assert_int_equal(caps_get_effective(&eff), 0);
	/* whatever this process holds, the running set is part of it */
	assert_int_equal(caps_runtime_set(eff) & ~eff, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(start_needs_three),
		cmocka_unit_test(sys_admin_stands_in),
		cmocka_unit_test(runtime_set),
		cmocka_unit_test(format),
		cmocka_unit_test(effective_readable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
