// SPDX-License-Identifier: BSD-2-Clause
/* The API's pages (daemon/page.c): GET /v1/routes' (route_page.c) and GET
 * /v1/neighbors' (neigh_page.c).  Every item exactly once, in order,
 * whatever the page size; a cursor that is a key, so a page goes on
 * correctly when the cursor's own item is gone; `more` only when an item
 * is left after the page; a neighbour's cursor read back as written. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "neigh_page.h"
#include "route_page.h"

#define N_ROUTES 5000
#define N_NEIGHS 3000

static struct st_prefix routes[N_ROUTES];
static struct st_neigh neighs[N_NEIGHS];

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

/* qsort() has no context: the order of the items being sorted */
static const struct page_order *sort_order;

static int ptr_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	return sort_order->cmp(x + sort_order->key_off,
			       y + sort_order->key_off);
}

/* A neighbour's cursor as a client sends it back: through its text. */
static void neigh_via_text(void *key)
{
	char text[NEIGH_CURSOR_LEN];
	struct sluice_neigh_key k;

	neigh_cursor_str(key, text, sizeof(text));
	assert_int_equal(neigh_cursor_parse(text, &k), 0);
	assert_int_equal(neigh_key_cmp(&k, key), 0);
	memcpy(key, &k, sizeof(k));
}

/* Pages of @limit, in order @o, over the @n items of @size bytes at
 * @items offered in array order (a hash's order is as good as any): equal
 * to the sorted list, each item once.  @via_text, when given, passes each
 * cursor through its text form. */
static void page_through(const struct page_order *o, const void *items,
			 size_t n, size_t size, size_t key_size, uint32_t limit,
			 void (*via_text)(void *key))
{
	const char **want = calloc(n, sizeof(*want));
	unsigned char cursor[64];
	uint32_t got = 0, pages = 0;
	bool have_cursor = false;

	assert_non_null(want);
	assert_true(key_size <= sizeof(cursor));
	for (size_t i = 0; i < n; i++)
		want[i] = (const char *)items + i * size;
	sort_order = o;
	qsort(want, n, sizeof(want[0]), ptr_cmp);
	for (;;) {
		struct page pg;

		assert_int_equal(page_init(&pg, o, have_cursor ? cursor : NULL,
					   limit),
				 0);
		for (size_t i = 0; i < n; i++)
			page_offer(&pg, (const char *)items + i * size);
		page_finish(&pg);
		assert_int_equal(pg.total, n);
		for (uint32_t i = 0; i < pg.n; i++)
			if (got + i >= n || pg.items[i] != want[got + i])
				fail_msg("limit %u, page %u: item %u is not "
					 "the %u-th in order",
					 limit, pages, i, got + i);
		got += pg.n;
		pages++;
		assert_int_equal(pg.more, got < n);
		if (!pg.more) {
			page_free(&pg);
			break;
		}
		memcpy(cursor, page_key(&pg, pg.n - 1), key_size);
		if (via_text)
			via_text(cursor);
		have_cursor = true;
		page_free(&pg);
		assert_true(pages <= n);
	}
	assert_int_equal(got, n);
	assert_int_equal(pages, (n + limit - 1) / limit);
	free(want);
}

static void test_route_pages(void **state)
{
	static const uint32_t limits[] = { 1, 7, 1000, 4999, 5000, 10000 };

	(void)state;
	make_routes();
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		page_through(&route_page_order, routes, N_ROUTES,
			     sizeof(routes[0]), sizeof(struct prefix_key),
			     limits[i], NULL);
}

static void test_neigh_pages(void **state)
{
	static const uint32_t limits[] = { 1, 7, 1000, 2999, 3000, 10000 };

	(void)state;
	make_neighs();
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		page_through(&neigh_page_order, neighs, N_NEIGHS,
			     sizeof(neighs[0]), sizeof(struct sluice_neigh_key),
			     limits[i], neigh_via_text);
}

static void test_route_order(void **state)
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
	assert_int_equal(page_init(&pg, &route_page_order, NULL, 2), 0);
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
	assert_int_equal(page_init(&pg, &route_page_order, &cursor, 2), 0);
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

static void key(struct sluice_neigh_key *k, const char *addr, uint32_t ifindex)
{
	memset(k, 0, sizeof(*k));
	k->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(k->family, addr, k->addr), 1);
	k->ifindex = ifindex;
}

static void test_neigh_order(void **state)
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
	const struct page_order *orders[] = { &route_page_order,
					      &neigh_page_order };
	struct page pg;

	(void)state;
	assert_int_equal(ROUTES_LIMIT_MAX, 10000);
	assert_int_equal(NEIGHS_LIMIT_MAX, 10000);
	for (size_t i = 0; i < 2; i++) {
		const struct page_order *o = orders[i];

		assert_int_equal(page_init(&pg, o, NULL, 0), -EINVAL);
		assert_int_equal(page_init(&pg, o, NULL, o->limit_max + 1),
				 -EINVAL);
		assert_int_equal(page_init(&pg, o, NULL, o->limit_max), 0);
		page_finish(&pg); /* an empty page */
		assert_int_equal(pg.n, 0);
		assert_false(pg.more);
		page_free(&pg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_order),
		cmocka_unit_test(test_route_pages),
		cmocka_unit_test(test_cursor_route_gone),
		cmocka_unit_test(test_neigh_order),
		cmocka_unit_test(test_neigh_pages),
		cmocka_unit_test(test_cursor_text),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
