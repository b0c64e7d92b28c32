// SPDX-License-Identifier: BSD-2-Clause
/* The UAPI header is the contract with the BPF side: pin its layout, so a
 * change that would make pinned maps incompatible is a visible decision. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <uapi/sluice/flow_hash.h>
#include <uapi/sluice/sluice.h>
#include "dp.h"

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct sluice_lpm4_key, addr), 4);
	assert_int_equal(offsetof(struct sluice_lpm6_key, addr), 4);
	assert_int_equal(offsetof(struct sluice_route, type), 4);
	assert_int_equal(offsetof(struct sluice_nh, family), 4);
	assert_int_equal(offsetof(struct sluice_nh, gw), 8);
	assert_int_equal(offsetof(struct sluice_nhg, nh), 8);
	assert_int_equal(offsetof(struct sluice_neigh_key, addr), 8);
	assert_int_equal(offsetof(struct sluice_iface, mtu), 6);
	assert_int_equal(offsetof(struct sluice_iface, slot), 8);
	assert_int_equal(offsetof(struct sluice_iface, vlan_id), 12);
	assert_int_equal(offsetof(struct sluice_iface, parent_ifindex), 16);
	assert_int_equal(offsetof(struct sluice_vlan_key, vlan_id), 4);
	assert_int_equal(sizeof(struct sluice_nhg), 8 + 24 * SLUICE_MAX_ECMP);
	assert_int_equal(offsetof(struct sluice_vip_key, port), 16);
	assert_int_equal(offsetof(struct sluice_vip_key, family), 19);
	assert_int_equal(offsetof(struct sluice_vip, flags), 8);
	assert_int_equal(offsetof(struct sluice_backend, family), 16);
	assert_int_equal(offsetof(struct sluice_flow_key, sport), 32);
	assert_int_equal(offsetof(struct sluice_flow_key, family), 37);
	assert_int_equal(offsetof(struct sluice_flow, last_seen_ns), 8);
	assert_int_equal(offsetof(struct sluice_lb_config, src6), 4);
	assert_int_equal(offsetof(struct sluice_lb_config, flow_idle_timeout_s), 20);
}

static void test_reason_classes(void **state)
{
	(void)state;
	/* forwards first, then passes, then drops: the verdict is derived
	 * from the position */
	assert_true(SLUICE_FWD_REDIRECT < SLUICE_REASON_FIRST_PASS);
	assert_true(SLUICE_FWD_TX < SLUICE_REASON_FIRST_PASS);
	assert_true(SLUICE_PASS_MTU < SLUICE_REASON_FIRST_DROP);
	assert_true(SLUICE_DROP_ADJUST > SLUICE_REASON_FIRST_DROP);
	assert_true(SLUICE_FWD_LB < SLUICE_REASON_FIRST_PASS);
	assert_true(SLUICE_FWD_LB_TX < SLUICE_REASON_FIRST_PASS);
	assert_int_equal(SLUICE_DROP_LB_TOO_BIG, SLUICE_REASON_MAX - 1);
}

static void test_reason_names(void **state)
{
	(void)state;
	for (int r = 0; r < SLUICE_REASON_MAX; r++) {
		const char *n = dp_reason_name((unsigned)r);

		assert_int_equal(dp_reason_by_name(n), r);
		if (r < SLUICE_REASON_FIRST_PASS)
			assert_memory_equal(n, "fwd_", 4);
		else if (r < SLUICE_REASON_FIRST_DROP)
			assert_memory_equal(n, "pass_", 5);
		else
			assert_memory_equal(n, "drop_", 5);
	}
	assert_string_equal(dp_reason_name(SLUICE_REASON_MAX), "unknown");
	assert_int_equal(dp_reason_by_name("nope"), -ENOENT);
}

static void test_flow_hash(void **state)
{
	__u32 s = 0x0101a8c6, d = 0x0201a8c6; /* 198.18.1.1 -> 198.18.1.2 */
	__u32 h1, h2, h3;

	(void)state;
	h1 = sluice_flow_hash(&s, &d, 1, 0x50001234, 6);
	h2 = sluice_flow_hash(&s, &d, 1, 0x50001234, 6);
	h3 = sluice_flow_hash(&s, &d, 1, 0x50001235, 6);
	assert_int_equal(h1, h2);		/* stable */
	assert_int_not_equal(h1, h3);		/* port-sensitive */
	/* spreads: 1024 flows over 2 members land within 45-55% */
	int hits = 0;

	for (__u32 p = 0; p < 1024; p++)
		hits += sluice_flow_hash(&s, &d, 1, 0x50000000 | p, 17) % 2;
	assert_in_range(hits, 460, 564);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_reason_classes),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_flow_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
