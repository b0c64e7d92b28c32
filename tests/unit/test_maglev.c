// SPDX-License-Identifier: BSD-2-Clause
/* Maglev table generation: balance, minimal disruption, order independence
 * and slot diffs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "maglev.h"

#define M_SMALL 65537u

static void make_backends(struct maglev_backend *b, size_t n, uint32_t weight)
{
	for (size_t i = 0; i < n; i++) {
		/* identity: an address in 198.18.2.0/23 */
		unsigned char addr[5] = { 4, 198, 18,
					  (unsigned char)(2 + i / 256),
					  (unsigned char)(i % 256) };

		b[i].key = maglev_key(addr, sizeof(addr));
		b[i].weight = weight;
		b[i].value = (uint32_t)i + 1;
	}
}

static void count(const uint32_t *t, uint32_t m, uint32_t *per, size_t n)
{
	memset(per, 0, sizeof(*per) * (n + 1));
	for (uint32_t i = 0; i < m; i++)
		per[t[i]]++;
}

static void test_primes(void **state)
{
	/* sluicectl checks --ring-size with it too */
	static const uint32_t primes[] = { 2, 3, 5, 7, 251, 65537, 655373 };
	static const uint32_t others[] = { 0,	   1,		4,
					   9,	   65535,	65536,
					   655371, 4294967295u, 4294836225u };

	(void)state;
	assert_true(maglev_is_prime(65537));
	assert_true(maglev_is_prime(655373));
	assert_false(maglev_is_prime(65536));
	assert_false(maglev_is_prime(1));
	assert_false(maglev_is_prime(0));
	assert_false(maglev_is_prime(65535));
	for (size_t i = 0; i < sizeof(primes) / sizeof(primes[0]); i++)
		if (!maglev_is_prime(primes[i]))
			fail_msg("%u is prime", primes[i]);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (maglev_is_prime(others[i]))
			fail_msg("%u is not prime", others[i]);
}

static void test_rejects_bad_input(void **state)
{
	struct maglev_backend b[2];
	uint32_t t[7];

	(void)state;
	make_backends(b, 2, 1);
	assert_int_equal(maglev_build(b, 2, 8, t), -EINVAL); /* not prime */
	b[1].key = b[0].key;
	assert_int_equal(maglev_build(b, 2, 7, t), -EINVAL); /* duplicate */
	make_backends(b, 2, 1);
	b[0].value = 0;
	assert_int_equal(maglev_build(b, 2, 7, t), -EINVAL); /* 0 = unset */
	make_backends(b, 2, MAGLEV_MAX_WEIGHT + 1);
	assert_int_equal(maglev_build(b, 2, 7, t), -EINVAL);
}

static void test_empty_and_zero_weight(void **state)
{
	struct maglev_backend b[3];
	uint32_t *t = malloc(sizeof(*t) * M_SMALL), per[4];

	(void)state;
	assert_int_equal(maglev_build(NULL, 0, M_SMALL, t), 0);
	count(t, M_SMALL, per, 0);
	assert_int_equal(per[0], M_SMALL); /* all unset: visible */

	make_backends(b, 3, 1);
	b[1].weight = 0; /* down */
	assert_int_equal(maglev_build(b, 3, M_SMALL, t), 0);
	count(t, M_SMALL, per, 3);
	assert_int_equal(per[0], 0);
	assert_int_equal(per[2], 0);
	assert_int_equal(per[1] + per[3], M_SMALL);
	free(t);
}

/* Every backend within 1% of its weight share when M > 100 N. */
static void check_balance(const uint32_t *weights, size_t n, uint32_t m)
{
	struct maglev_backend *b = calloc(n, sizeof(*b));
	uint32_t *t = malloc(sizeof(*t) * m),
		 *per = calloc(n + 1, sizeof(*per));
	double wsum = 0, worst = 0;

	make_backends(b, n, 1);
	for (size_t i = 0; i < n; i++) {
		b[i].weight = weights[i];
		wsum += weights[i];
	}
	assert_int_equal(maglev_build(b, n, m, t), 0);
	count(t, m, per, n);
	assert_int_equal(per[0], 0);
	for (size_t i = 0; i < n; i++) {
		double want = m * weights[i] / wsum;
		double dev = (per[i + 1] - want) / want;

		if (dev < 0)
			dev = -dev;
		if (dev > worst)
			worst = dev;
	}
	print_message("# balance n=%zu m=%u: worst deviation %.3f%%\n", n, m,
		      worst * 100);
	assert_true(worst < 0.01);
	free(b);
	free(t);
	free(per);
}

static void test_balance_equal(void **state)
{
	uint32_t w[100];

	(void)state;
	for (int i = 0; i < 100; i++)
		w[i] = 1;
	check_balance(w, 3, M_SMALL);
	check_balance(w, 10, M_SMALL);
	check_balance(w, 100, 655373);
}

static void test_balance_weighted(void **state)
{
	uint32_t w[] = { 1, 2, 3, 4, 10, 5, 1, 1 };

	(void)state;
	check_balance(w, 3, M_SMALL);
	check_balance(w, 8, M_SMALL);
}

/* Removing 1 of N moves about 1/N of the slots (its own), few others. */
static void test_disruption(void **state)
{
	const size_t n = 10;
	struct maglev_backend b[10];
	uint32_t *t1 = malloc(sizeof(*t1) * M_SMALL);
	uint32_t *t2 = malloc(sizeof(*t2) * M_SMALL);
	uint32_t *chg = malloc(sizeof(*chg) * M_SMALL);
	size_t moved, own = 0;

	(void)state;
	make_backends(b, n, 1);
	assert_int_equal(maglev_build(b, n, M_SMALL, t1), 0);
	b[4].weight = 0;
	assert_int_equal(maglev_build(b, n, M_SMALL, t2), 0);
	moved = maglev_diff(t1, t2, M_SMALL, chg);
	for (size_t i = 0; i < moved; i++)
		own += t1[chg[i]] == b[4].value;
	print_message("# disruption: removing 1 of %zu moved %.2f%% of slots "
		      "(minimum %.2f%%), %zu slots of other backends\n",
		      n, 100.0 * moved / M_SMALL, 100.0 / n, moved - own);
	assert_true(moved >= own);
	/* its own slots must all move; the others should mostly stay */
	assert_true((double)moved / M_SMALL < 1.5 / n);
	free(t1);
	free(t2);
	free(chg);
}

static void test_order_independent(void **state)
{
	struct maglev_backend b[20], r[20];
	uint32_t *t1 = malloc(sizeof(*t1) * M_SMALL);
	uint32_t *t2 = malloc(sizeof(*t2) * M_SMALL);

	(void)state;
	make_backends(b, 20, 1);
	b[3].weight = 3;
	for (int i = 0; i < 20; i++)
		r[i] = b[19 - i];
	assert_int_equal(maglev_build(b, 20, M_SMALL, t1), 0);
	assert_int_equal(maglev_build(r, 20, M_SMALL, t2), 0);
	assert_memory_equal(t1, t2, sizeof(*t1) * M_SMALL);
	free(t1);
	free(t2);
}

static void test_diff_only_changed(void **state)
{
	uint32_t a[7] = { 1, 2, 3, 1, 2, 3, 1 }, b[7] = { 1, 2, 2, 1, 2, 3, 3 };
	uint32_t chg[7];

	(void)state;
	assert_int_equal(maglev_diff(a, b, 7, chg), 2);
	assert_int_equal(chg[0], 2);
	assert_int_equal(chg[1], 6);
	assert_int_equal(maglev_diff(a, a, 7, chg), 0);
}

/*
 * The table of an earlier sluiced, computed as the paper writes it (slot j
 * of a permutation is (offset + j * skip) % m, one modulo per probe): the
 * tables that older versions pinned, and that other nodes compute, must be
 * what maglev_build() computes now, slot for slot.
 */
static uint64_t ref_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct maglev_backend *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static void ref_build(const struct maglev_backend *in, size_t n, uint32_t m,
		      uint32_t *table)
{
	struct maglev_backend *b = calloc(n + 1, sizeof(*b));
	uint64_t *credit = calloc(n + 1, sizeof(*credit));
	uint32_t *next = calloc(n + 1, sizeof(*next));
	uint32_t max_w = 0, filled = 0;
	size_t np = 0;

	assert_non_null(b);
	assert_non_null(credit);
	assert_non_null(next);
	for (size_t i = 0; i < n; i++)
		if (in[i].weight)
			b[np++] = in[i];
	qsort(b, np, sizeof(*b), ref_cmp);
	for (size_t i = 0; i < np; i++)
		if (b[i].weight > max_w)
			max_w = b[i].weight;
	memset(table, 0, sizeof(*table) * m);
	while (np && filled < m) {
		for (size_t i = 0; i < np && filled < m; i++) {
			uint32_t off = (uint32_t)(ref_mix64(b[i].key) % m);
			uint32_t skip =
				(uint32_t)(ref_mix64(b[i].key ^
						     0x9e3779b97f4a7c15ull) %
					   (m - 1)) +
				1;

			credit[i] += b[i].weight;
			while (credit[i] >= max_w && filled < m) {
				uint32_t c;

				credit[i] -= max_w;
				do {
					c = (uint32_t)((off +
							(uint64_t)next[i] *
								skip) %
						       m);
					next[i]++;
				} while (table[c]);
				table[c] = b[i].value;
				filled++;
			}
		}
	}
	free(b);
	free(credit);
	free(next);
}

static void test_same_as_reference(void **state)
{
	static const uint32_t ms[] = { 7, 13, 251, 4099, M_SMALL };
	struct maglev_backend b[64];
	uint32_t *t = malloc(sizeof(*t) * M_SMALL);
	uint32_t *r = malloc(sizeof(*r) * M_SMALL);
	uint32_t slots[64], per[65], x = 0x51u;

	(void)state;
	assert_non_null(t);
	assert_non_null(r);
	for (int round = 0; round < 60; round++) {
		uint32_t m = ms[round % 5];
		size_t n = round % 3 == 0 ? (size_t)(round % 4) :
					    1 + (size_t)(round * 7 % 64);

		make_backends(b, n, 1);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			/* some weigh nothing, some a lot */
			b[i].weight =
				round % 2 ? 1 : (x >> 8) % 7 * (x % 3 ? 1 : 50);
		}
		ref_build(b, n, m, r);
		assert_int_equal(maglev_build_slots(b, n, m, t, slots), 0);
		if (memcmp(t, r, sizeof(*t) * m))
			fail_msg(
				"round %d: %zu backends, M=%u: the table differs "
				"from the reference",
				round, n, m);
		count(t, m, per, n);
		for (size_t i = 0; i < n; i++)
			if (slots[i] != per[i + 1])
				fail_msg("round %d: backend %zu has %u slots, "
					 "said %u",
					 round, i, per[i + 1], slots[i]);
	}
	free(t);
	free(r);
}

/* Informational: build time for 1000 backends (no assertion on speed). */
static void test_build_1000(void **state)
{
	struct maglev_backend *b = calloc(1000, sizeof(*b));
	uint32_t *t = malloc(sizeof(*t) * M_SMALL);
	struct timespec t0, t1;

	(void)state;
	make_backends(b, 1000, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(maglev_build(b, 1000, M_SMALL, t), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("# build: 1000 backends, M=%u: %.2f ms\n", M_SMALL,
		      (t1.tv_sec - t0.tv_sec) * 1e3 +
			      (t1.tv_nsec - t0.tv_nsec) / 1e6);
	free(b);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_primes),
		cmocka_unit_test(test_rejects_bad_input),
		cmocka_unit_test(test_empty_and_zero_weight),
		cmocka_unit_test(test_balance_equal),
		cmocka_unit_test(test_balance_weighted),
		cmocka_unit_test(test_disruption),
		cmocka_unit_test(test_order_independent),
		cmocka_unit_test(test_diff_only_changed),
		cmocka_unit_test(test_same_as_reference),
		cmocka_unit_test(test_build_1000),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
