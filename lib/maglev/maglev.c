// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "maglev.h"
#include "mix64.h"

uint64_t maglev_key(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = 0x736c75696365ull; /* "sluice" */

	for (size_t i = 0; i < len; i++)
		h = mix64(h ^ p[i]) + i;
	return mix64(h ^ len);
}

bool maglev_is_prime(uint32_t n)
{
	if (n < 2)
		return false;
	if (n % 2 == 0)
		return n == 2;
	for (uint32_t d = 3; (uint64_t)d * d <= n; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

struct perm {
	uint64_t key;
	uint32_t value;
	uint32_t weight;
	uint32_t skip;
	uint32_t pos;	 /* the next slot of this backend's permutation */
	uint32_t idx;	 /* in the caller's array */
	uint32_t slots;	 /* claimed */
	uint64_t credit; /* weighted round-robin credit */
};

static int cmp_key(const void *a, const void *b)
{
	const struct perm *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

int maglev_build(const struct maglev_backend *backends, size_t n, uint32_t m,
		 uint32_t *table)
{
	return maglev_build_slots(backends, n, m, table, NULL);
}

int maglev_build_slots(const struct maglev_backend *backends, size_t n,
		       uint32_t m, uint32_t *table, uint32_t *slots)
{
	struct perm *p = NULL;
	uint32_t max_w = 0, filled = 0;
	size_t np = 0;

	if (!maglev_is_prime(m) || m < 3 || !table)
		return -EINVAL;
	if (slots)
		memset(slots, 0, sizeof(*slots) * n);
	if (n) {
		p = calloc(n, sizeof(*p));
		if (!p)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct maglev_backend *b = &backends[i];

		if (!b->value || b->weight > MAGLEV_MAX_WEIGHT) {
			free(p);
			return -EINVAL;
		}
		if (!b->weight)
			continue;
		p[np].key = b->key;
		p[np].value = b->value;
		p[np].weight = b->weight;
		p[np].idx = (uint32_t)i;
		/* the paper's offset and skip; slot j of the permutation is
		 * (offset + j * skip) % m, walked below by adding skip */
		p[np].pos = (uint32_t)(mix64(b->key) % m);
		p[np].skip = (uint32_t)(mix64(b->key ^ 0x9e3779b97f4a7c15ull) %
					(m - 1)) +
			     1;
		if (b->weight > max_w)
			max_w = b->weight;
		np++;
	}
	if (np)
		qsort(p, np, sizeof(*p), cmp_key);
	for (size_t i = 1; i < np; i++) {
		if (p[i].key == p[i - 1].key) {
			free(p);
			return -EINVAL;
		}
	}
	/* empty slots are 0; alone, a backend gets every slot whatever its
	 * permutation (written once, not cleared first: a table of one
	 * backend is what a VIP's first backend and last but one make) */
	if (np != 1)
		memset(table, 0, sizeof(*table) * m);
	if (np == 1) {
		for (uint32_t i = 0; i < m; i++)
			table[i] = p[0].value;
		p[0].slots = m;
		filled = m;
	}
	/*
	 * Each round every backend earns its weight in credit and claims one
	 * slot per max_w of credit: slots end up proportional to weight, and
	 * with equal weights this is exactly the paper's round robin.
	 */
	while (np && filled < m) {
		for (size_t i = 0; i < np && filled < m; i++) {
			struct perm *b = &p[i];

			b->credit += b->weight;
			while (b->credit >= max_w && filled < m) {
				uint32_t c;

				b->credit -= max_w;
				do {
					c = b->pos;
					b->pos += b->skip;
					if (b->pos >= m)
						b->pos -= m;
				} while (table[c]);
				table[c] = b->value;
				b->slots++;
				filled++;
			}
		}
	}
	for (size_t i = 0; slots && i < np; i++)
		slots[p[i].idx] = p[i].slots;
	free(p);
	return 0;
}
size_t maglev_diff(const uint32_t *old_table, const uint32_t *new_table,
		   uint32_t m, uint32_t *changed)
{
	size_t n = 0;

	for (uint32_t i = 0; i < m; i++)
		if (old_table[i] != new_table[i])
			changed[n++] = i;
	return n;
}
