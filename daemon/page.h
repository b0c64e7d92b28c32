/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A page of a listing too big to answer at once (a million routes, tens
 * of thousands of neighbours): the @limit smallest items after a cursor,
 * in the order @cmp gives their keys, picked in one pass over a hash with
 * a heap of @limit entries.  A request builds at most @limit items' JSON,
 * and the daemon's loop, which answers the API, is held for one pass.  The
 * cursor is a key, not a position, so a page goes on correctly when items
 * came or went since the last one, the cursor's own included.
 */
#ifndef SLUICE_PAGE_H
#define SLUICE_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* <0, 0, >0 as key @a comes before, is, or comes after key @b. */
typedef int (*page_cmp_fn)(const void *a, const void *b);

/* A listing's order: its keys' comparison, where an item's key is in it,
 * and the largest page it answers (route_page.h, neigh_page.h). */
struct page_order {
	page_cmp_fn cmp;
	size_t key_off;
	uint32_t limit_max;
};

struct page {
	page_cmp_fn cmp;
	size_t key_off;	   /* where an item's key is in it */
	const void *after; /* the cursor, a key; NULL: the first page */
	uint32_t limit;
	/* the page, in order once page_finish() ran */
	const void **items;
	uint32_t n;
	uint64_t total; /* what page_offer() was given: every page's */
	bool more;	/* an item after the page's last exists */
};

/* A page of @limit items in order @o after key @after (NULL: the first
 * page); 0, -EINVAL (@limit not 1..o->limit_max) or -ENOMEM. */
int page_init(struct page *pg, const struct page_order *o, const void *after,
	      uint32_t limit);
/* An item that matches the request's filter (whatever the cursor). */
void page_offer(struct page *pg, const void *item);
/* Sorts the page; its last item's key is the next page's cursor when
 * more. */
void page_finish(struct page *pg);
void page_free(struct page *pg);

/* The order both listings start with: IPv4 first (@fa, @fb: AF_INET or
 * AF_INET6), then by address. */
static inline int page_addr_cmp(uint8_t fa, const uint8_t *a, uint8_t fb,
				const uint8_t *b)
{
	if (fa != fb)
		return fa == AF_INET ? -1 : 1;
	return memcmp(a, b, fa == AF_INET ? 4 : 16);
}

/* The key of the page's item @i. */
static inline const void *page_key(const struct page *pg, uint32_t i)
{
	return (const char *)pg->items[i] + pg->key_off;
}

#endif
