// SPDX-License-Identifier: BSD-2-Clause
/* GET /v1/neighbors' pages (daemon/neigh_page.c on page.c): IPv4 first,
 * by address, then by interface; every neighbour exactly once whatever
 * the page size; the cursor "ADDR,IFINDEX" read back as written, and a
 * malformed one refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "neigh_page.h"
#include "state.h"

#define N_NEIGHS 3000

static struct st_neigh neighs[N_NEIGHS];

static uint32_t rnd_state = 4242;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* distinct keys: IPv4 and IPv6, some addresses on two interfaces (as
 * fe80::1 is), offered shuffled */
static void make_neighs(void)
{
	memset(neighs, 0, sizeof(neighs));
	for (int i = 0; i < N_NEIGHS; i++) {
		struct sluice_neigh_key *k = &neighs[i].key;
		int a = i / 2; /* two interfaces an address */

		k->ifindex = (uint32_t)(2 + i % 2 * 7);
		k->family = (a % 3) ? AF_INET : AF_INET6;
		if (k->family == AF_INET) {
			k->addr[0] = 198;
			k->addr[1] = 18;
			k->addr[2] = (uint8_t)(a >> 8);
			k->addr[3] = (uint8_t)a;
		} else {
			k->addr[0] = 0xfe;
			k->addr[1] = 0x80;
			k->addr[14] = (uint8_t)(a >> 8);
			k->addr[15] = (uint8_t)a;
		}
	}
	for (int i = N_NEIGHS - 1; i > 0; i--) {
		int j = (int)(rnd() % (uint32_t)(i + 1));
		struct sluice_neigh_key t = neighs[i].key;

		neighs[i].key = neighs[j].key;
		neighs[j].key = t;
	}
}

static int ptr_cmp(const void *a, const void *b)
{
	const struct st_neigh *x = *(const struct st_neigh *const *)a;
	const struct st_neigh *y = *(const struct st_neigh *const *)b;

	return neigh_key_cmp(&x->key, &y->key);
}

static void page_through(uint32_t limit)
{
	static const struct st_neigh *want[N_NEIGHS];
	struct sluice_neigh_key cursor;
	uint32_t got = 0, pages = 0;
	bool have_cursor = false;

	for (int i = 0; i < N_NEIGHS; i++)
		want[i] = &neighs[i];
	qsort(want, N_NEIGHS, sizeof(want[0]), ptr_cmp);
	for (;;) {
		char text[NEIGH_CURSOR_LEN];
		struct page pg;

		assert_int_equal(neigh_page_init(&pg,
						 have_cursor ? &cursor : NULL,
						 limit),
				 0);
		for (int i = 0; i < N_NEIGHS; i++)
			page_offer(&pg, &neighs[i]);
		page_finish(&pg);
		assert_int_equal(pg.total, N_NEIGHS);
		for (uint32_t i = 0; i < pg.n; i++)
			if (got + i >= N_NEIGHS || pg.items[i] != want[got + i])
				fail_msg("limit %u, page %u: entry %u is not "
					 "the %u-th in order",
					 limit, pages, i, got + i);
		got += pg.n;
		pages++;
		assert_int_equal(pg.more, got < N_NEIGHS);
		if (!pg.more) {
			page_free(&pg);
			break;
		}
		/* through the cursor's text, as a client sends it back */
		neigh_cursor_str(page_key(&pg, pg.n - 1), text, sizeof(text));
		assert_int_equal(neigh_cursor_parse(text, &cursor), 0);
		assert_int_equal(
			neigh_key_cmp(&cursor, page_key(&pg, pg.n - 1)), 0);
		have_cursor = true;
		page_free(&pg);
		assert_true(pages <= N_NEIGHS);
	}
	assert_int_equal(got, N_NEIGHS);
	assert_int_equal(pages, (N_NEIGHS + limit - 1) / limit);
}

static void test_pages(void **state)
{
	static const uint32_t limits[] = { 1, 7, 1000, 2999, 3000, 10000 };

	(void)state;
	make_neighs();
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		page_through(limits[i]);
}

static void key(struct sluice_neigh_key *k, const char *addr, uint32_t ifindex)
{
	memset(k, 0, sizeof(*k));
	k->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(k->family, addr, k->addr), 1);
	k->ifindex = ifindex;
}

static void test_order(void **state)
{
	struct sluice_neigh_key a, b;

	(void)state;
	key(&a, "198.18.2.2", 9);
	key(&b, "198.18.2.10", 2);
	assert_true(neigh_key_cmp(&a, &b) < 0); /* by address first */
	key(&b, "198.18.2.2", 10);
	assert_true(neigh_key_cmp(&a, &b) < 0); /* then by interface */
	assert_true(neigh_key_cmp(&b, &a) > 0);
	key(&b, "::1", 1);
	assert_true(neigh_key_cmp(&a, &b) < 0); /* IPv4 first */
	key(&b, "198.18.2.2", 9);
	assert_int_equal(neigh_key_cmp(&a, &b), 0);
}

static void test_cursor_text(void **state)
{
	static const char *const good[] = { "198.18.2.2,3", "fe80::1,12",
					    "2001:db8::5,2147483647" };
	static const char *const bad[] = {
		"198.18.2.2",
		"198.18.2.2,",
		",3",
		"198.18.2.2,0",
		"198.18.2.2,-1",
		"198.18.2.2,+3",
		"198.18.2.2,3x",
		"198.18.2.2, 3",
		"198.18.2.0/24,3",
		"198.18.2.256,3",
		"fe80::1%eth0,3",
		"198.18.2.2,2147483648",
		"host.example,3",
		"",
	};
	struct sluice_neigh_key k;
	char text[NEIGH_CURSOR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (neigh_cursor_parse(good[i], &k))
			fail_msg("'%s' refused", good[i]);
		neigh_cursor_str(&k, text, sizeof(text));
		assert_string_equal(text, good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (neigh_cursor_parse(bad[i], &k) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
}

static void test_limits(void **state)
{
	struct page pg;

	(void)state;
	assert_int_equal(neigh_page_init(&pg, NULL, 0), -EINVAL);
	assert_int_equal(neigh_page_init(&pg, NULL, NEIGHS_LIMIT_MAX + 1),
			 -EINVAL);
	assert_int_equal(neigh_page_init(&pg, NULL, NEIGHS_LIMIT_MAX), 0);
	page_finish(&pg); /* an empty page */
	assert_int_equal(pg.n, 0);
	assert_false(pg.more);
	page_free(&pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_cursor_text),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
