// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "page.h"

static int item_cmp(const struct page *pg, const void *a, const void *b)
{
	return pg->cmp((const char *)a + pg->key_off,
		       (const char *)b + pg->key_off);
}

int page_init(struct page *pg, const struct page_order *o, const void *after,
	      uint32_t limit)
{
	memset(pg, 0, sizeof(*pg));
	if (!limit || limit > o->limit_max)
		return -EINVAL;
	pg->items = calloc(limit, sizeof(*pg->items));
	if (!pg->items)
		return -ENOMEM;
	pg->cmp = o->cmp;
	pg->key_off = o->key_off;
	pg->after = after;
	pg->limit = limit;
	return 0;
}

/* items[0..n) is a max-heap while items are offered: items[0] is the
 * page's last so far, the one a smaller item pushes out. */
static void sift_down(const struct page *pg, uint32_t n, uint32_t i)
{
	const void **h = pg->items;

	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, big = i;
		const void *t;

		if (l < n && item_cmp(pg, h[l], h[big]) > 0)
			big = l;
		if (r < n && item_cmp(pg, h[r], h[big]) > 0)
			big = r;
		if (big == i)
			return;
		t = h[i];
		h[i] = h[big];
		h[big] = t;
		i = big;
	}
}

static void sift_up(const struct page *pg, uint32_t i)
{
	const void **h = pg->items;

	while (i > 0) {
		uint32_t up = (i - 1) / 2;
		const void *t;

		if (item_cmp(pg, h[i], h[up]) <= 0)
			return;
		t = h[i];
		h[i] = h[up];
		h[up] = t;
		i = up;
	}
}

void page_offer(struct page *pg, const void *item)
{
	pg->total++;
	if (pg->after &&
	    pg->cmp((const char *)item + pg->key_off, pg->after) <= 0)
		return;
	if (pg->n < pg->limit) {
		pg->items[pg->n] = item;
		sift_up(pg, pg->n++);
		return;
	}
	pg->more = true; /* one of the two will not be on this page */
	if (item_cmp(pg, item, pg->items[0]) >= 0)
		return;
	pg->items[0] = item;
	sift_down(pg, pg->n, 0);
}

void page_finish(struct page *pg)
{
	/* heap sort: the largest goes to the end, the heap shrinks */
	for (uint32_t n = pg->n; n > 1; n--) {
		const void *t = pg->items[0];

		pg->items[0] = pg->items[n - 1];
		pg->items[n - 1] = t;
		sift_down(pg, n - 1, 0);
	}
}

void page_free(struct page *pg)
{
	free(pg->items);
	pg->items = NULL;
	pg->n = 0;
}
