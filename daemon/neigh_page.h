/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * GET /v1/neighbors' pages (page.h): neighbours IPv4 first, then by
 * address, then by interface index (fe80::1 is a neighbour on every link
 * it answers on).  The cursor is "ADDR,IFINDEX", the page's last entry.
 * A node may hold SLUICE_MAX_NEIGHS (65,536) of them: one answer with all
 * would be megabytes of JSON built while the daemon's loop waits.
 */
#ifndef SLUICE_NEIGH_PAGE_H
#define SLUICE_NEIGH_PAGE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <uapi/sluice/route.h>
#include "page.h"

#define NEIGHS_LIMIT_DEFAULT 1000 /* neighbours a page */
#define NEIGHS_LIMIT_MAX 10000

/* <0, 0, >0 as @a comes before, is, or comes after @b. */
int neigh_key_cmp(const struct sluice_neigh_key *a,
		  const struct sluice_neigh_key *b);

/* struct st_neigh by their keys (page_init()'s cursor: a
 * sluice_neigh_key) */
extern const struct page_order neigh_page_order;

/* "198.18.2.2,3" or "fe80::1,4" into @k: 0 or -EINVAL. */
int neigh_cursor_parse(const char *s, struct sluice_neigh_key *k);
/* @k as a cursor; @len at least NEIGH_CURSOR_LEN. */
#define NEIGH_CURSOR_LEN (46 + 1 + 10 + 1)
void neigh_cursor_str(const struct sluice_neigh_key *k, char *buf, size_t len);

#endif
