// SPDX-License-Identifier: BSD-2-Clause
/* The LB flow table's probes in user space (lib/dp/lb_flow_table.c) on a
 * plain array: what is put is found, a delete leaves the flows beyond it
 * reachable, a full group evicts its oldest and never answers with
 * another flow's entry, and the table's size for a number of flows. */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "lb_flow_table.h"

#define BITS SLUICE_LB_FLOW_BITS_MIN /* 2,048 slots */

static struct lb_flow_table *table_new(void)
{
	struct lb_flow_table *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->bits = BITS;
	t->slot = calloc((size_t)1 << BITS, sizeof(*t->slot));
	assert_non_null(t->slot);
	return t;
}

static void table_free(struct lb_flow_table *t)
{
	free(t->slot);
	free(t);
}

/* Flow @i: a client of 198.18.0.0/16 and its port, to one VIP. */
static struct sluice_flow_key key_of(unsigned int i)
{
	struct sluice_flow_key k = { .family = 2, .proto = 6 };

	k.saddr[0] = 198;
	k.saddr[1] = 18;
	k.saddr[2] = (__u8)(i >> 16);
	k.saddr[3] = (__u8)(i >> 8);
	k.sport = htons((__u16)(1024 + (i & 0xff)));
	memcpy(k.daddr, (__u8[]){ 198, 19, 0, 1 }, 4);
	k.dport = htons(80);
	return k;
}

static struct sluice_flow val_of(unsigned int i)
{
	return (struct sluice_flow){ .vip_id = 1 + i % 5,
				     .backend_id = 1 + i % 11,
				     .last_seen_ns = 1000 + i };
}

static void assert_flow(const struct lb_flow_table *t, unsigned int i)
{
	struct sluice_flow_key k = key_of(i);
	struct sluice_flow got, want = val_of(i);

	assert_int_equal(lb_flow_table_get(t, &k, &got), 0);
	assert_memory_equal(&got, &want, sizeof(got));
}

static void test_put_get(void **state)
{
	struct lb_flow_table *t = table_new();
	struct sluice_flow_key k;
	struct sluice_flow v;

	(void)state;
	/* a quarter full: every flow fits within its probes */
	for (unsigned int i = 0; i < 512; i++) {
		k = key_of(i);
		v = val_of(i);
		assert_int_equal(lb_flow_table_put(t, &k, &v), 0);
	}
	for (unsigned int i = 0; i < 512; i++)
		assert_flow(t, i);
	assert_int_equal(lb_flow_table_count(t), 512);
	k = key_of(512);
	assert_int_equal(lb_flow_table_get(t, &k, &v), -ENOENT);
	/* a flow again: rewritten in place, not a second entry */
	k = key_of(7);
	v = val_of(7);
	v.backend_id = 99;
	assert_int_equal(lb_flow_table_put(t, &k, &v), 1);
	assert_int_equal(lb_flow_table_count(t), 512);
	assert_int_equal(lb_flow_table_get(t, &k, &v), 0);
	assert_int_equal(v.backend_id, 99);
	table_free(t);
}

/* Flows whose probes start at the same slot: the second lies past the
 * first; deleting the first must not hide the second. */
static void test_delete_keeps_the_chain(void **state)
{
	struct lb_flow_table *t = table_new();
	unsigned int same[3], n = 0;
	__u32 base0;
	struct sluice_flow_key k;
	struct sluice_flow v;

	(void)state;
	k = key_of(0);
	base0 = sluice_lb_flow_base(sluice_lb_flow_hash(&k), BITS);
	for (unsigned int i = 0; i < 1u << 20 && n < 3; i++) {
		k = key_of(i);
		if (sluice_lb_flow_base(sluice_lb_flow_hash(&k), BITS) == base0)
			same[n++] = i;
	}
	assert_int_equal(n, 3);
	for (unsigned int j = 0; j < 3; j++) {
		k = key_of(same[j]);
		v = val_of(same[j]);
		assert_int_equal(lb_flow_table_put(t, &k, &v), 0);
	}
	k = key_of(same[0]);
	assert_int_equal(lb_flow_table_del(t, &k), 0);
	assert_int_equal(lb_flow_table_del(t, &k), -ENOENT);
	assert_int_equal(lb_flow_table_get(t, &k, &v), -ENOENT);
	assert_int_equal(t->slot[base0].tag, SLUICE_LB_FLOW_GONE);
	assert_flow(t, same[1]);
	assert_flow(t, same[2]);
	assert_int_equal(lb_flow_table_count(t), 2);
	/* the deleted slot is taken again by the next flow there */
	k = key_of(same[0]);
	v = val_of(same[0]);
	assert_int_equal(lb_flow_table_put(t, &k, &v), 0);
	assert_int_equal(t->slot[base0].tag & 1, 1);
	assert_flow(t, same[0]);
	assert_int_equal(lb_flow_table_count(t), 3);
	table_free(t);
}

/* Twice as many flows as slots: each put finds room (evicting the
 * oldest of its probes when they are all taken), the newest flow is
 * always found, and no lookup answers with another flow's entry. */
static void test_full_table_evicts_oldest(void **state)
{
	struct lb_flow_table *t = table_new();
	unsigned int n = 2u << BITS, found = 0;
	struct sluice_flow_key k;
	struct sluice_flow v, want;

	(void)state;
	for (unsigned int i = 0; i < n; i++) {
		k = key_of(i);
		v = val_of(i);
		assert_true(lb_flow_table_put(t, &k, &v) >= 0);
		assert_flow(t, i);
	}
	assert_int_equal(lb_flow_table_count(t), 1 << BITS);
	for (unsigned int i = 0; i < n; i++) {
		k = key_of(i);
		want = val_of(i);
		if (lb_flow_table_get(t, &k, &v))
			continue;
		assert_memory_equal(&v, &want, sizeof(v));
		found++;
	}
	assert_int_equal(found, 1 << BITS);
	/* what was evicted is old: the newest quarter is all there */
	for (unsigned int i = n - n / 4; i < n; i++)
		assert_flow(t, i);
	table_free(t);
}

static int count_cb(const struct sluice_flow_key *k,
		    const struct sluice_flow *v, void *arg)
{
	(void)k;
	(void)v;
	(*(int *)arg)++;
	return 0;
}

/* The walk gives flows only: not free, deleted or busy slots. */
static void test_foreach_skips_other_slots(void **state)
{
	struct lb_flow_table *t = table_new();
	struct sluice_flow_key k;
	struct sluice_flow v;
	int n = 0;

	(void)state;
	for (unsigned int i = 0; i < 10; i++) {
		k = key_of(i);
		v = val_of(i);
		assert_int_equal(lb_flow_table_put(t, &k, &v), 0);
	}
	k = key_of(3);
	assert_int_equal(lb_flow_table_del(t, &k), 0);
	t->slot[(sluice_lb_flow_base(sluice_lb_flow_hash(&k), BITS) + 100) &
		((1u << BITS) - 1)]
		.tag = SLUICE_LB_FLOW_BUSY;
	assert_int_equal(lb_flow_table_foreach(t, count_cb, &n), 0);
	assert_int_equal(n, 9);
	assert_int_equal(lb_flow_table_count(t), 9);
	table_free(t);
}

static const struct lb_flow_table *walk_table;

static bool t_slot_holds(__u32 slot, const struct sluice_flow_key *k)
{
	return !memcmp(&walk_table->slot[slot].key, k, sizeof(*k));
}

struct pages {
	__u32 limit, n, last;
	bool started;
	unsigned int seen[64]; /* flow number -> times given */
};

/* A page of @limit flows, as sluiced's /v1/lb/flows takes one. */
static int page_cb(__u32 slot, const struct sluice_flow_key *k,
		   const struct sluice_flow *v, void *arg)
{
	struct pages *p = arg;
	unsigned int i = ntohs(k->sport) - 1024u;

	assert_true(i < 64);
	assert_int_equal(v->last_seen_ns, val_of(i).last_seen_ns);
	/* in slot order, each flow at its own slot */
	if (p->started)
		assert_true(slot > p->last);
	p->started = true;
	assert_true(t_slot_holds(slot, k));
	p->seen[i]++;
	p->last = slot;
	return ++p->n >= p->limit;
}

/* A walk a page at a time from the slot after the last one given gives
 * every flow once, and starting past the end gives none. */
static void test_walk_in_pages(void **state)
{
	struct lb_flow_table *t = table_new();
	struct pages p = { .limit = 7 };
	__u32 from = 0;
	int pages = 0, r;

	(void)state;
	walk_table = t;
	for (unsigned int i = 0; i < 50; i++) {
		struct sluice_flow_key k = key_of(i);
		struct sluice_flow v = val_of(i);

		assert_int_equal(lb_flow_table_put(t, &k, &v), 0);
	}
	do {
		p.n = 0;
		r = lb_flow_table_walk(t, from, page_cb, &p);
		from = p.last + 1;
		pages++;
	} while (r == 1);
	assert_int_equal(r, 0);
	assert_int_equal(pages, 8); /* 7 full pages and one of 1 */
	for (unsigned int i = 0; i < 64; i++)
		assert_int_equal(p.seen[i], i < 50 ? 1 : 0);
	p.n = 0;
	assert_int_equal(lb_flow_table_walk(t, 1u << BITS, page_cb, &p), 0);
	assert_int_equal(p.n, 0);
	walk_table = NULL;
	table_free(t);
}

/* A slot another writer holds (BUSY) is neither found nor taken. */
static void test_busy_slot(void **state)
{
	struct lb_flow_table *t = table_new();
	struct sluice_flow_key k = key_of(1);
	struct sluice_flow v = val_of(1);
	__u32 base = sluice_lb_flow_base(sluice_lb_flow_hash(&k), BITS);

	(void)state;
	assert_int_equal(lb_flow_table_put(t, &k, &v), 0);
	t->slot[base].tag = SLUICE_LB_FLOW_BUSY;
	assert_int_equal(lb_flow_table_get(t, &k, &v), -ENOENT);
	/* a put goes past it: the next slot */
	assert_int_equal(lb_flow_table_put(t, &k, &v), 0);
	assert_int_equal(t->slot[base].tag, SLUICE_LB_FLOW_BUSY);
	assert_int_equal(t->slot[(base + 1) & ((1u << BITS) - 1)].tag & 1, 1);
	assert_flow(t, 1);
	table_free(t);
}

static void test_bits(void **state)
{
	(void)state;
	assert_int_equal(sluice_lb_flow_bits(0), -1);
	assert_int_equal(sluice_lb_flow_bits(1), SLUICE_LB_FLOW_BITS_MIN);
	assert_int_equal(sluice_lb_flow_bits(1024), 11);
	assert_int_equal(sluice_lb_flow_bits(1025), 12);
	assert_int_equal(sluice_lb_flow_bits(5000), 14);
	assert_int_equal(sluice_lb_flow_bits(SLUICE_LB_MAX_FLOWS),
			 SLUICE_LB_FLOW_BITS);
	assert_int_equal(sluice_lb_flow_bits(1u << 24), 25);
	assert_int_equal(sluice_lb_flow_bits((1u << 24) + 1), -1);
	assert_int_equal(sluice_lb_flow_bits(0xffffffffu), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_delete_keeps_the_chain),
		cmocka_unit_test(test_full_table_evicts_oldest),
		cmocka_unit_test(test_foreach_skips_other_slots),
		cmocka_unit_test(test_walk_in_pages),
		cmocka_unit_test(test_busy_slot),
		cmocka_unit_test(test_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
