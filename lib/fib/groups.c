// SPDX-License-Identifier: BSD-2-Clause
/* The pool of 256-entry groups: a FIFO of free ones (why FIFO: see
 * struct group_pool) and a bitmap of the ones in use. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fib_internal.h"

int pool_init(struct group_pool *p, __u32 n)
{
	memset(p, 0, sizeof(*p));
	p->n = n;
	p->fifo = calloc(n ? n : 1, sizeof(*p->fifo));
	p->used = calloc(n / 64 + 1, sizeof(*p->used));
	if (!p->fifo || !p->used) {
		pool_fini(p);
		return -ENOMEM;
	}
	return 0;
}

void pool_fini(struct group_pool *p)
{
	free(p->fifo);
	free(p->used);
	memset(p, 0, sizeof(*p));
}

bool pool_is_used(const struct group_pool *p, __u32 g)
{
	return g < p->n && (p->used[g / 64] & (1ull << (g % 64)));
}

__u32 pool_alloc(struct group_pool *p)
{
	__u32 g = p->fifo[p->head];

	p->head = p->head + 1 == p->n ? 0 : p->head + 1;
	p->n_free--;
	p->used[g / 64] |= 1ull << (g % 64);
	return g;
}

void pool_free(struct group_pool *p, __u32 g)
{
	__u32 tail = p->head + p->n_free;

	if (tail >= p->n)
		tail -= p->n;
	p->fifo[tail] = g;
	p->n_free++;
	p->used[g / 64] &= ~(1ull << (g % 64));
}

int pool_claim(struct group_pool *p, __u32 g)
{
	if (g >= p->n || pool_is_used(p, g))
		return -EBADMSG;
	p->used[g / 64] |= 1ull << (g % 64);
	return 0;
}

void pool_build_fifo(struct group_pool *p)
{
	p->head = 0;
	p->n_free = 0;
	for (__u32 g = 0; g < p->n; g++)
		if (!pool_is_used(p, g))
			p->fifo[p->n_free++] = g;
}
