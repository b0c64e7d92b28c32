// SPDX-License-Identifier: BSD-2-Clause
/* The LB flow table's probes in user space (lb_flow_table.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "lb_flow_table.h"

static __u32 slot_of(const struct lb_flow_table *t, __u32 hash, __u32 probe)
{
	return (sluice_lb_flow_base(hash, t->bits) + probe) &
	       ((1u << t->bits) - 1);
}

static __u64 tag_load(const struct sluice_lb_flow_slot *s)
{
	return __atomic_load_n(&s->tag, __ATOMIC_ACQUIRE);
}

/* The index of @k's slot, or -ENOENT. */
static long find(const struct lb_flow_table *t, const struct sluice_flow_key *k,
		 __u32 hash)
{
	__u64 tag = sluice_lb_flow_tag(hash);

	for (__u32 p = 0; p < SLUICE_LB_FLOW_PROBES; p++) {
		__u32 i = slot_of(t, hash, p);
		__u64 seen = tag_load(&t->slot[i]);

		if (!seen)
			break;
		if (seen == tag && !memcmp(&t->slot[i].key, k, sizeof(*k)))
			return i;
	}
	return -ENOENT;
}

/* The flow in slot @s when it holds one: 1 and *@k, *@v; 0 otherwise. */
static int read_slot(const struct sluice_lb_flow_slot *s,
		     struct sluice_flow_key *k, struct sluice_flow *v)
{
	__u64 tag = tag_load(s);

	if (!(tag & 1))
		return 0;
	*k = s->key;
	v->vip_id = s->vip_id;
	v->backend_id = s->backend_id;
	v->last_seen_ns = s->last_seen_ns;
	return tag_load(s) == tag;
}

int lb_flow_table_get(const struct lb_flow_table *t,
		      const struct sluice_flow_key *k, struct sluice_flow *out)
{
	struct sluice_flow_key rk;
	long i = find(t, k, sluice_lb_flow_hash(k));

	if (i < 0 || !read_slot(&t->slot[i], &rk, out) ||
	    memcmp(&rk, k, sizeof(rk)))
		return -ENOENT;
	return 0;
}

/* Claims slot @s seen as @seen: true when this thread now writes it. */
static bool claim(struct sluice_lb_flow_slot *s, __u64 seen)
{
	return __atomic_compare_exchange_n(&s->tag, &seen, SLUICE_LB_FLOW_BUSY,
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

int lb_flow_table_put(const struct lb_flow_table *t,
		      const struct sluice_flow_key *k,
		      const struct sluice_flow *v)
{
	__u32 hash = sluice_lb_flow_hash(k);
	__u64 tag = sluice_lb_flow_tag(hash), seen = 0;
	__u64 oldest = ~0ull;
	long pick = -1, gone = -1, old = -1;
	int found = 0;
	struct sluice_lb_flow_slot *s;

	/* the data path's order (bpf/lib/lb_flows.h lb_flows_put()) */
	for (__u32 p = 0; p < SLUICE_LB_FLOW_PROBES; p++) {
		__u32 i = slot_of(t, hash, p);
		__u64 tg = tag_load(&t->slot[i]);

		if (!tg) {
			pick = i;
			break;
		}
		if (tg == tag && !memcmp(&t->slot[i].key, k, sizeof(*k))) {
			pick = i;
			seen = tg;
			found = 1;
			break;
		}
		if (tg == SLUICE_LB_FLOW_GONE) {
			if (gone < 0)
				gone = i;
			continue;
		}
		if (tg == SLUICE_LB_FLOW_BUSY)
			continue;
		if (t->slot[i].last_seen_ns < oldest) {
			oldest = t->slot[i].last_seen_ns;
			old = i;
		}
	}
	if (!found && gone >= 0) {
		pick = gone;
		seen = SLUICE_LB_FLOW_GONE;
	} else if (!found && pick < 0) {
		if (old < 0)
			return -EBUSY;
		pick = old;
		seen = tag_load(&t->slot[old]);
	}
	s = &t->slot[pick];
	if (!claim(s, seen))
		return -EBUSY;
	s->key = *k;
	s->vip_id = v->vip_id;
	s->backend_id = v->backend_id;
	s->last_seen_ns = v->last_seen_ns;
	__atomic_store_n(&s->tag, tag, __ATOMIC_RELEASE);
	return found;
}

int lb_flow_table_del(const struct lb_flow_table *t,
		      const struct sluice_flow_key *k)
{
	__u32 hash = sluice_lb_flow_hash(k);
	long i = find(t, k, hash);

	if (i < 0)
		return -ENOENT;
	/* GONE, not free: flows probed past this slot stay found */
	if (!claim(&t->slot[i], sluice_lb_flow_tag(hash)))
		return -ENOENT;
	__atomic_store_n(&t->slot[i].tag, SLUICE_LB_FLOW_GONE,
			 __ATOMIC_RELEASE);
	return 0;
}

int lb_flow_table_foreach(const struct lb_flow_table *t, lb_flow_cb cb,
			  void *arg)
{
	struct sluice_flow_key k;
	struct sluice_flow v;
	int err;

	for (size_t i = 0; i < (size_t)1 << t->bits; i++) {
		if (!read_slot(&t->slot[i], &k, &v))
			continue;
		err = cb(&k, &v, arg);
		if (err)
			return err;
	}
	return 0;
}

int lb_flow_table_walk(const struct lb_flow_table *t, __u32 from,
		       lb_flow_at_cb cb, void *arg)
{
	struct sluice_flow_key k;
	struct sluice_flow v;
	int err;

	for (size_t i = from; i < (size_t)1 << t->bits; i++) {
		if (!read_slot(&t->slot[i], &k, &v))
			continue;
		err = cb((__u32)i, &k, &v, arg);
		if (err)
			return err;
	}
	return 0;
}

long lb_flow_table_count(const struct lb_flow_table *t)
{
	long n = 0;

	for (size_t i = 0; i < (size_t)1 << t->bits; i++)
		n += (long)(tag_load(&t->slot[i]) & 1);
	return n;
}
