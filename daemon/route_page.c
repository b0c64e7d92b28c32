// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stddef.h>
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

static int key_cmp(const void *a, const void *b)
{
	return prefix_key_cmp(a, b);
}

int route_page_init(struct page *pg, const struct prefix_key *after,
		    uint32_t limit)
{
	if (limit > ROUTES_LIMIT_MAX) {
		memset(pg, 0, sizeof(*pg));
		return -EINVAL;
	}
	return page_init(pg, key_cmp, offsetof(struct st_prefix, key), after,
			 limit);
}
