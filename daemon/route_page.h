/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * GET /v1/routes' pages (page.h): routes in prefix order, IPv4 first,
 * then by address, a shorter prefix before the longer ones it covers; the
 * cursor is a prefix.
 */
#ifndef SLUICE_ROUTE_PAGE_H
#define SLUICE_ROUTE_PAGE_H

#include <stdint.h>
#include "page.h"
#include "state.h"

#define ROUTES_LIMIT_DEFAULT 1000 /* routes a page */
#define ROUTES_LIMIT_MAX 10000

/* <0, 0, >0 as @a comes before, is, or comes after @b in prefix order. */
int prefix_key_cmp(const struct prefix_key *a, const struct prefix_key *b);

/* struct st_prefix by their keys (page_init()'s cursor: a prefix_key) */
extern const struct page_order route_page_order;

#endif
