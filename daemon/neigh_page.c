// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "decimal.h"
#include "neigh_page.h"
#include "state.h"

int neigh_key_cmp(const struct sluice_neigh_key *a,
		  const struct sluice_neigh_key *b)
{
	int c = page_addr_cmp(a->family, a->addr, b->family, b->addr);

	if (c)
		return c;
	return a->ifindex < b->ifindex ? -1 : a->ifindex > b->ifindex;
}

static int key_cmp(const void *a, const void *b)
{
	return neigh_key_cmp(a, b);
}

const struct page_order neigh_page_order = {
	.cmp = key_cmp,
	.key_off = offsetof(struct st_neigh, key),
	.limit_max = NEIGHS_LIMIT_MAX,
};

int neigh_cursor_parse(const char *s, struct sluice_neigh_key *k)
{
	char addr[INET6_ADDRSTRLEN];
	const char *comma = strrchr(s, ',');
	unsigned long ifindex;

	memset(k, 0, sizeof(*k));
	if (!comma || comma == s || (size_t)(comma - s) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, (size_t)(comma - s));
	addr[comma - s] = '\0';
	if (inet_pton(AF_INET, addr, k->addr) == 1)
		k->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, k->addr) == 1)
		k->family = AF_INET6;
	else
		return -EINVAL;
	/* the kernel's interface indexes are positive ints */
	if (decimal_parse(comma + 1, 1, 2147483647ul, &ifindex))
		return -EINVAL;
	k->ifindex = (uint32_t)ifindex;
	return 0;
}

void neigh_cursor_str(const struct sluice_neigh_key *k, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(k->family, k->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s,%u", addr, k->ifindex);
}
