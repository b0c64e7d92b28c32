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
	assert_int_equal(offsetof(struct sluice_iface, addr4), 20);
	assert_int_equal(offsetof(struct sluice_iface, addr6), 24);
	assert_int_equal(sizeof(struct sluice_iface), 40);
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
	assert_int_equal(offsetof(struct sluice_lb_config, flow_idle_timeout_s),
			 20);
}

/* Reasons are an ABI: their numbers are pinned here so that renumbering
 * one (which would shift every pinned counter) fails this test. */
static void test_reason_numbers(void **state)
{
	static const struct {
		const char *name;
		int num;
	} abi[] = {
		{ "fwd_redirect", 0 },
		{ "fwd_tx", 1 },
		{ "fwd_lb", 2 },
		{ "fwd_lb_tx", 3 },
		{ "pass_not_ip", 4 },
		{ "pass_nd", 5 },
		{ "pass_unmanaged_if", 6 },
		{ "pass_vlan_unknown", 7 },
		{ "pass_other_host", 8 },
		{ "pass_multicast", 9 },
		{ "pass_link_local", 10 },
		{ "pass_ip_options", 11 },
		{ "pass_fragment", 12 },
		{ "pass_local", 13 },
		{ "pass_no_route", 14 },
		{ "pass_kernel_route", 15 },
		{ "pass_ttl", 16 },
		{ "pass_no_neigh", 17 },
		{ "pass_egress_unmanaged", 18 },
		{ "pass_mtu", 19 },
		{ "drop_trunc_eth", 20 },
		{ "drop_trunc_vlan", 21 },
		{ "drop_trunc_ip4", 22 },
		{ "drop_trunc_ip6", 23 },
		{ "drop_trunc_l4", 24 },
		{ "drop_bad_version", 25 },
		{ "drop_bad_ihl", 26 },
		{ "drop_bad_len", 27 },
		{ "drop_bad_csum", 28 },
		{ "drop_redirect", 29 },
		{ "drop_adjust", 30 },
		{ "drop_lb_no_backend", 31 },
		{ "drop_lb_no_source", 32 },
		{ "drop_lb_no_route", 33 },
		{ "drop_lb_too_big", 34 },
		{ "pass_vlan_offloaded", 35 },
		{ "drop_lb_fullnat", 36 },
		{ "fwd_lb_too_big", 37 },
		{ "pass_not_ready", 38 },
		{ "decap_ipip", 48 },
		{ "decap_gre", 49 },
		{ "pass_not_encap", 50 },
		{ "pass_not_local", 51 },
		{ "pass_gre_options", 52 },
		{ "drop_trunc", 53 },
		{ "drop_bad_inner", 54 },
		{ "drop_ct_full", 56 },
		{ "pass_egress_tracked", 57 },
		{ "pass_egress_untracked", 58 },
		{ "drop_ddos_blocked", 96 },
		{ "drop_ddos_rate", 97 },
		{ "drop_ddos_conn_rate", 98 },
		{ "fwd_ddos_syncookie", 99 },
		{ "drop_ddos_bad_cookie", 100 },
		{ "pass_ddos_cookie_ok", 101 },
		{ "pass_ddos_synproxy", 102 },
		{ "drop_ddos_bad_syn", 103 },
		{ "pass_ddos_cookie_ct", 104 },
		{ "drop_ddos_no_ct_entry", 105 },
		{ "drop_nat_no_port", 120 },
		{ "drop_nat_no_address", 121 },
		{ "drop_nat_taken", 122 },
		{ "drop_tail_missing", 123 },
		{ "drop_fw_rule", 80 },
		{ "drop_fw_policy", 81 },
		{ "fwd_fw_reject", 82 },
		{ "drop_fw_reject", 83 },
		{ "fwd_steer_xsk", 128 },
		{ "fwd_lb_second", 144 },
		{ "fwd_lb_second_tx", 145 },
		{ "fwd_decap_second", 146 },
		{ "decap_second_local", 147 },
		{ "decap_second_ttl", 148 },
		{ "drop_second_bad", 149 },
	};

	(void)state;
	assert_int_equal(DP_REASON_COUNT, sizeof(abi) / sizeof(abi[0]));
	for (size_t i = 0; i < sizeof(abi) / sizeof(abi[0]); i++) {
		assert_int_equal(dp_reason_by_name(abi[i].name), abi[i].num);
		assert_string_equal(dp_reason_name((unsigned)abi[i].num),
				    abi[i].name);
	}
	/* the stats map never grows when a reason is added */
	assert_int_equal(SLUICE_REASON_SLOTS, 256);
	assert_int_equal(SLUICE_STATS_ENTRIES, SLUICE_MAX_IFACES * 256);
}

/* The verdict is a column of the list: the name's class agrees with it,
 * the list is ascending, and holes are "unknown". */
static void test_reason_verdicts(void **state)
{
	unsigned int prev = 0;

	(void)state;
	for (size_t i = 0; i < DP_REASON_COUNT; i++) {
		unsigned int r = dp_reason_at(i);
		const char *n = dp_reason_name(r);
		int v = dp_reason_verdict(r);

		if (i)
			assert_true(r > prev);
		prev = r;
		assert_int_equal(dp_reason_by_name(n), (int)r);
		if (!strncmp(n, "fwd_", 4))
			assert_true(v == SLUICE_V_REDIRECT || v == SLUICE_V_TX);
		else if (!strncmp(n, "drop_", 5))
			assert_int_equal(v, SLUICE_V_DROP);
		else /* pass_ and decap_: the stack gets the packet */
			assert_int_equal(v, SLUICE_V_PASS);
	}
	assert_int_equal(dp_reason_verdict(SLUICE_FWD_TX), SLUICE_V_TX);
	assert_string_equal(dp_reason_verdict_name(SLUICE_FWD_LB), "forward");
	assert_string_equal(dp_reason_verdict_name(SLUICE_DECAP_GRE), "pass");
	assert_string_equal(dp_reason_name(40), "unknown"); /* a hole */
	assert_int_equal(dp_reason_verdict(40), -ENOENT);
	assert_string_equal(dp_reason_name(SLUICE_REASON_SLOTS), "unknown");
	assert_int_equal(dp_reason_by_name("nope"), -ENOENT);
	assert_int_equal(dp_reason_at(DP_REASON_COUNT), SLUICE_REASON_SLOTS);
}

static void test_flow_hash(void **state)
{
	__u32 s = 0x0101a8c6, d = 0x0201a8c6; /* 198.18.1.1 -> 198.18.1.2 */
	__u32 h1, h2, h3;

	(void)state;
	h1 = sluice_flow_hash(&s, &d, 1, 0x50001234, 6);
	h2 = sluice_flow_hash(&s, &d, 1, 0x50001234, 6);
	h3 = sluice_flow_hash(&s, &d, 1, 0x50001235, 6);
	assert_int_equal(h1, h2);     /* stable */
	assert_int_not_equal(h1, h3); /* port-sensitive */
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
		cmocka_unit_test(test_reason_numbers),
		cmocka_unit_test(test_reason_verdicts),
		cmocka_unit_test(test_flow_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
