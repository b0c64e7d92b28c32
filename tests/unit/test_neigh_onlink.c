// SPDX-License-Identifier: BSD-2-Clause
/*
 * The throttle of on-link resolutions (daemon/neigh_onlink.c): a
 * destination is asked at once, then not again for NEIGH_ONLINK_AGAIN_MS
 * however often the data path notes it; other destinations, ports and
 * families are not held back by it; a whole connected /24 is remembered
 * at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "neigh_onlink.h"

static struct sluice_neigh_key key4(uint32_t ifindex, const char *a)
{
	struct sluice_neigh_key k = { .ifindex = ifindex, .family = AF_INET };

	assert_int_equal(inet_pton(AF_INET, a, k.addr), 1);
	return k;
}

static void once_a_second(void **state)
{
	static struct neigh_onlink no;
	struct sluice_neigh_key k = key4(5, "198.18.2.2");
	int asked = 0;

	(void)state;
	/* a note every 10 ms for 3.5 s, from t = 1000 */
	for (uint64_t t = 1000; t < 4500; t += 10)
		asked += neigh_onlink_due(&no, &k, t);
	assert_int_equal(asked, 4); /* at 1000, 2000, 3000, 4000 */
}

static void others_not_held_back(void **state)
{
	static struct neigh_onlink no;
	struct sluice_neigh_key a = key4(5, "198.18.2.2");
	struct sluice_neigh_key b = key4(5, "198.18.2.3");
	struct sluice_neigh_key c = key4(6, "198.18.2.2");
	struct sluice_neigh_key d = { .ifindex = 5, .family = AF_INET6 };

	(void)state;
	memcpy(d.addr, a.addr, 4);
	assert_true(neigh_onlink_due(&no, &a, 100));
	assert_true(neigh_onlink_due(&no, &b, 100));
	assert_true(neigh_onlink_due(&no, &c, 100));
	assert_true(neigh_onlink_due(&no, &d, 100));
	assert_false(
		neigh_onlink_due(&no, &a, 100 + NEIGH_ONLINK_AGAIN_MS - 1));
	assert_true(neigh_onlink_due(&no, &a, 100 + NEIGH_ONLINK_AGAIN_MS));
}

/* t = 0 is a time like any other (the slot marks "empty" otherwise) */
static void at_time_zero(void **state)
{
	static struct neigh_onlink no;
	struct sluice_neigh_key k = key4(5, "198.18.2.9");

	(void)state;
	assert_true(neigh_onlink_due(&no, &k, 0));
	assert_false(neigh_onlink_due(&no, &k, 500));
}

/* a scan of a /24: every host asked once, none again within the second
 * (256 keys over 1024 slots: a collision would let one through early) */
static void a_subnet(void **state)
{
	static struct neigh_onlink no;
	int first = 0, again = 0;
	char a[32];

	(void)state;
	for (int i = 0; i < 256; i++) {
		struct sluice_neigh_key k;

		snprintf(a, sizeof(a), "198.18.2.%d", i);
		k = key4(5, a);
		first += neigh_onlink_due(&no, &k, 10);
	}
	for (int i = 0; i < 256; i++) {
		struct sluice_neigh_key k;

		snprintf(a, sizeof(a), "198.18.2.%d", i);
		k = key4(5, a);
		again += neigh_onlink_due(&no, &k, 20);
	}
	assert_int_equal(first, 256);
	assert_true(again <= 256 / 8); /* collisions only, and few */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(once_a_second),
		cmocka_unit_test(others_not_held_back),
		cmocka_unit_test(at_time_zero),
		cmocka_unit_test(a_subnet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
