/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A page of the routes GET /v1/routes lists: the @limit smallest prefixes
 * after a cursor, in prefix order (IPv4 first, then by address, a shorter
 * prefix before the longer ones it covers), picked in one pass over the
 * state's hash with a heap of @limit entries.  So a full table (a million
 * routes) is listed a page at a time: a request builds at most @limit
 * routes' JSON, not hundreds of megabytes, and the daemon's loop, which
 * answers the API, is held for one pass, not for seconds.  The cursor is
 * a prefix, not a position, so a page goes on correctly when routes came
 * or went since the last one, the cursor's own included.
 */
#ifndef SLUICE_ROUTE_PAGE_H
#define SLUICE_ROUTE_PAGE_H

#include <stdbool.h>
#include <stdint.h>
#include "state.h"

#define ROUTES_LIMIT_DEFAULT 1000 /* routes a page */
#define ROUTES_LIMIT_MAX 10000

/* <0, 0, >0 as @a comes before, is, or comes after @b in prefix order. */
int prefix_key_cmp(const struct prefix_key *a, const struct prefix_key *b);

struct route_page {
	const struct prefix_key *after; /* the cursor; NULL: the first page */
	uint32_t limit;
	/* the page, in prefix order once route_page_finish() ran */
	const struct st_prefix **items;
	uint32_t n;
	uint64_t total; /* what route_page_offer() was given: every page's */
	bool more;	/* a route after the page's last exists */
};

/* 0, or -ENOMEM; @limit 1..ROUTES_LIMIT_MAX. */
int route_page_init(struct route_page *pg, const struct prefix_key *after,
		    uint32_t limit);
/* A route that matches the request's filter (whatever the cursor). */
void route_page_offer(struct route_page *pg, const struct st_prefix *p);
/* Sorts the page; its last entry is the next page's cursor when more. */
void route_page_finish(struct route_page *pg);
void route_page_free(struct route_page *pg);

#endif
