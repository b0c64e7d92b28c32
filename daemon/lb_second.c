// SPDX-License-Identifier: BSD-2-Clause
/*
 * Second chance, the control plane's part (docs/lb-api.md, "Second
 * chance"): when a VIP that asks for it (second_chance_s) gets a new
 * Maglev table, the table of before is handed to the data path first,
 * with the moment it stops being used.  The data path then gives a packet
 * of a flow it does not remember both backends, the one of now and the one
 * of before (bpf/lib/lb_second.h).
 *
 * Only the table just before is kept: after two changes within the grace
 * period, a flow that began before the first has the backend of the
 * second table as its alternative.  The map holds the rest across a
 * restart (pinned), and it expires by itself: nothing here runs later.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "lb_internal.h"
#include "log.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns()'s clock */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool same_table(const struct lb_vip *a, const struct lb_vip *b)
{
	return a->conf.ring_size == b->conf.ring_size &&
	       !memcmp(a->table, b->table,
		       a->conf.ring_size * sizeof(*a->table));
}

int lb_second_keep(struct lb *lb, const struct lb_vip *old,
		   const struct lb_vip *nw)
{
	int err;

	if (!lb->ops->second_set || !lb->ops->second_del)
		return 0;
	if (!nw || !nw->conf.second_chance_s) {
		/* gone, or no longer asked for: nothing carried from now */
		if (!old->conf.second_chance_s)
			return 0;
		return lb->ops->second_del(lb->dp, old->id);
	}
	if (!old->table || same_table(old, nw))
		return 0;
	err = lb->ops->second_set(
		lb->dp, nw->id, old->conf.ring_size, old->table,
		mono_ns() + (uint64_t)nw->conf.second_chance_s * 1000000000ull);
	if (err)
		pr_err("lb: vip %u: the previous table for second chance: %s",
		       nw->id, strerror(-err));
	return err;
}
