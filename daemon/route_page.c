// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "route_page.h"

int prefix_key_cmp(const struct prefix_key *a, const struct prefix_key *b)
{
	int c;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	c = memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
	if (c)
		return c;
	return (int)a->len - (int)b->len;
}

static int item_cmp(const struct st_prefix *a, const struct st_prefix *b)
{
	return prefix_key_cmp(&a->key, &b->key);
}

int route_page_init(struct route_page *pg, const struct prefix_key *after,
		    uint32_t limit)
{
	memset(pg, 0, sizeof(*pg));
	if (!limit || limit > ROUTES_LIMIT_MAX)
		return -EINVAL;
	pg->items = calloc(limit, sizeof(*pg->items));
	if (!pg->items)
		return -ENOMEM;
	pg->after = after;
	pg->limit = limit;
	return 0;
}

/* items[0..n) is a max-heap while routes are offered: items[0] is the
 * page's last so far, the one a smaller route pushes out. */
static void sift_down(const struct st_prefix **h, uint32_t n, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, big = i;
		const struct st_prefix *t;

		if (l < n && item_cmp(h[l], h[big]) > 0)
			big = l;
		if (r < n && item_cmp(h[r], h[big]) > 0)
			big = r;
		if (big == i)
			return;
		t = h[i];
		h[i] = h[big];
		h[big] = t;
		i = big;
	}
}

static void sift_up(const struct st_prefix **h, uint32_t i)
{
	while (i > 0) {
		uint32_t up = (i - 1) / 2;
		const struct st_prefix *t;

		if (item_cmp(h[i], h[up]) <= 0)
			return;
		t = h[i];
		h[i] = h[up];
		h[up] = t;
		i = up;
	}
}

void route_page_offer(struct route_page *pg, const struct st_prefix *p)
{
	pg->total++;
	if (pg->after && prefix_key_cmp(&p->key, pg->after) <= 0)
		return;
	if (pg->n < pg->limit) {
		pg->items[pg->n] = p;
		sift_up(pg->items, pg->n++);
		return;
	}
	pg->more = true; /* one of the two will not be on this page */
	if (item_cmp(p, pg->items[0]) >= 0)
		return;
	pg->items[0] = p;
	sift_down(pg->items, pg->n, 0);
}

void route_page_finish(struct route_page *pg)
{
	/* heap sort: the largest goes to the end, the heap shrinks */
	for (uint32_t n = pg->n; n > 1; n--) {
		const struct st_prefix *t = pg->items[0];

		pg->items[0] = pg->items[n - 1];
		pg->items[n - 1] = t;
		sift_down(pg->items, n - 1, 0);
	}
}

void route_page_free(struct route_page *pg)
{
	free(pg->items);
	pg->items = NULL;
	pg->n = 0;
}
