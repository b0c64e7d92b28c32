// SPDX-License-Identifier: BSD-2-Clause
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include "route_page.h"

int prefix_key_cmp(const struct prefix_key *a, const struct prefix_key *b)
{
	int c = page_addr_cmp(a->family, a->addr, b->family, b->addr);

	return c ? c : (int)a->len - (int)b->len;
}

static int key_cmp(const void *a, const void *b)
{
	return prefix_key_cmp(a, b);
}

const struct page_order route_page_order = {
	.cmp = key_cmp,
	.key_off = offsetof(struct st_prefix, key),
	.limit_max = ROUTES_LIMIT_MAX,
};
