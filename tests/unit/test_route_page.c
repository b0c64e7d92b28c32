// SPDX-License-Identifier: BSD-2-Clause
/* GET /v1/routes' pages (daemon/page.c, route_page.c): every route exactly once,
 * in prefix order, whatever the page size; a cursor that is a prefix, so a
 * page goes on correctly when the cursor's own route is gone; `more` only
 * when a route is left after the page. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "route_page.h"

#define N_ROUTES 5000

static struct st_prefix routes[N_ROUTES];

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* distinct prefixes, IPv4 and IPv6, with covering ones among them (each
 * 198.18.Z.0/24 before its /32s), offered in a shuffled order */
static void make_routes(void)
{
	memset(routes, 0, sizeof(routes));
	for (int i = 0; i < N_ROUTES; i++) {
		struct prefix_key *k = &routes[i].key;

		k->family = (i % 3) ? AF_INET : AF_INET6;
		if (k->family == AF_INET) {
			k->addr[0] = 198;
			k->addr[1] = 18;
			k->addr[2] = (uint8_t)(i >> 8);
			k->addr[3] = (uint8_t)i;
			k->len = (uint8_t)((i & 0xff) == 1 ? 24 : 32);
			if (k->len == 24)
				k->addr[3] = 0;
		} else {
			k->addr[0] = 0x20;
			k->addr[1] = 0x01;
			k->addr[2] = 0x0d;
			k->addr[3] = 0xb8;
			k->addr[4] = (uint8_t)(i >> 8);
			k->addr[5] = (uint8_t)i;
			k->len = 48;
		}
	}
	for (int i = N_ROUTES - 1; i > 0; i--) {
		int j = (int)(rnd() % (uint32_t)(i + 1));
		struct prefix_key t = routes[i].key;

		routes[i].key = routes[j].key;
		routes[j].key = t;
	}
}

static int ptr_cmp(const void *a, const void *b)
{
	const struct st_prefix *x = *(const struct st_prefix *const *)a;
	const struct st_prefix *y = *(const struct st_prefix *const *)b;

	return prefix_key_cmp(&x->key, &y->key);
}

static void test_order(void **state)
{
	struct prefix_key v4 = { .family = AF_INET,
				 .len = 15,
				 .addr = { 198, 18 } };
	struct prefix_key v4_24 = { .family = AF_INET,
				    .len = 24,
				    .addr = { 198, 18 } };
	struct prefix_key v4b = { .family = AF_INET,
				  .len = 24,
				  .addr = { 198, 18, 1 } };
	struct prefix_key v6 = { .family = AF_INET6, .len = 0 };

	(void)state;
	assert_true(prefix_key_cmp(&v4, &v4_24) < 0); /* covering first */
	assert_true(prefix_key_cmp(&v4_24, &v4b) < 0);
	assert_true(prefix_key_cmp(&v4b, &v6) < 0); /* IPv4 before IPv6 */
	assert_int_equal(prefix_key_cmp(&v4b, &v4b), 0);
}

/* pages of @limit over routes[] offered in array order (a hash's order
 * is as good as any): equal to the sorted list, each route once */
static void page_through(uint32_t limit)
{
	static const struct st_prefix *want[N_ROUTES];
	struct prefix_key cursor;
	uint32_t got = 0, pages = 0;
	bool have_cursor = false;

	for (int i = 0; i < N_ROUTES; i++)
		want[i] = &routes[i];
	qsort(want, N_ROUTES, sizeof(want[0]), ptr_cmp);
	for (;;) {
		struct page pg;

		assert_int_equal(route_page_init(&pg,
						 have_cursor ? &cursor : NULL,
						 limit),
				 0);
		for (int i = 0; i < N_ROUTES; i++)
			page_offer(&pg, &routes[i]);
		page_finish(&pg);
		assert_int_equal(pg.total, N_ROUTES);
		for (uint32_t i = 0; i < pg.n; i++) {
			if (got + i >= N_ROUTES || pg.items[i] != want[got + i])
				fail_msg("limit %u, page %u: route %u is not "
					 "the %u-th in order",
					 limit, pages, i, got + i);
		}
		got += pg.n;
		pages++;
		assert_int_equal(pg.more, got < N_ROUTES);
		if (!pg.more) {
			page_free(&pg);
			break;
		}
		cursor = *(const struct prefix_key *)page_key(&pg, pg.n - 1);
		have_cursor = true;
		page_free(&pg);
		assert_true(pages <= N_ROUTES);
	}
	assert_int_equal(got, N_ROUTES);
	assert_int_equal(pages, (N_ROUTES + limit - 1) / limit);
}

static void test_pages(void **state)
{
	static const uint32_t limits[] = { 1, 7, 1000, 4999, 5000, 10000 };

	(void)state;
	make_routes();
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		page_through(limits[i]);
}

/* The cursor's route deleted between two pages: the next page starts at
 * the route after it, none skipped, none twice. */
static void test_cursor_route_gone(void **state)
{
	struct st_prefix r[4] = {};
	struct page pg;
	struct prefix_key cursor;

	(void)state;
	for (int i = 0; i < 4; i++) {
		r[i].key.family = AF_INET;
		r[i].key.len = 24;
		r[i].key.addr[0] = 198;
		r[i].key.addr[1] = 18;
		r[i].key.addr[2] = (uint8_t)(3 - i); /* offered in reverse */
	}
	assert_int_equal(route_page_init(&pg, NULL, 2), 0);
	for (int i = 0; i < 4; i++)
		page_offer(&pg, &r[i]);
	page_finish(&pg);
	assert_int_equal(pg.n, 2);
	assert_true(pg.more);
	assert_ptr_equal(pg.items[0], &r[3]); /* 198.18.0.0/24 */
	assert_ptr_equal(pg.items[1], &r[2]); /* 198.18.1.0/24 */
	cursor = *(const struct prefix_key *)page_key(&pg, 1);
	page_free(&pg);
	/* 198.18.1.0/24 is deleted: r[2] is no longer offered */
	assert_int_equal(route_page_init(&pg, &cursor, 2), 0);
	page_offer(&pg, &r[0]);
	page_offer(&pg, &r[1]);
	page_offer(&pg, &r[3]);
	page_finish(&pg);
	assert_int_equal(pg.n, 2);
	assert_false(pg.more); /* exactly a page's worth was left */
	assert_ptr_equal(pg.items[0], &r[1]);
	assert_ptr_equal(pg.items[1], &r[0]);
	assert_int_equal(pg.total, 3);
	page_free(&pg);
}

static void test_limits(void **state)
{
	struct page pg;

	(void)state;
	assert_int_equal(route_page_init(&pg, NULL, 0), -EINVAL);
	assert_int_equal(route_page_init(&pg, NULL, ROUTES_LIMIT_MAX + 1),
			 -EINVAL);
	assert_int_equal(route_page_init(&pg, NULL, ROUTES_LIMIT_MAX), 0);
	page_finish(&pg); /* an empty page */
	assert_int_equal(pg.n, 0);
	assert_false(pg.more);
	page_free(&pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_cursor_route_gone),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
