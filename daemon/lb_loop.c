// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's work in the event loop: each change appended to the
 * journal before its answer (lb_journal.c), synced within
 * LB_SAVE_INTERVAL_MS, lb.json rewritten when the journal is full; and
 * the flow table counted on a timer, so that a request reads a number
 * instead of walking a map of up to millions of entries.
 *
 * Without a loop (lb_loop_add() not called: the unit tests, a daemon
 * before its loop runs) every change rewrites lb.json at once and every
 * request counts the flows itself, as before.
 */
#include <errno.h>
#include <malloc.h>
#include <string.h>
#include <time.h>
#include "lb_internal.h"
#include "log.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* lb.json rewritten whole, the journal emptied. */
static void save_now(struct lb *lb)
{
	lb->state_dirty = false;
	lb_state_save(lb);
}

/* LB_SAVE_INTERVAL_MS after an append: the lines since the last sync
 * reach the disk, or, once the journal is full, lb.json is rewritten. */
static void on_save_timer(void *arg)
{
	struct lb *lb = arg;
	int rc;

	lb->save_timer = NULL; /* a one-shot timer is gone once it fires */
	if (lb->journal_bytes >= LB_JOURNAL_MAX) {
		save_now(lb);
		return;
	}
	rc = lb_journal_sync(lb);
	if (rc) {
		pr_warn("lb: %s/%s: fdatasync: %s: rewriting %s", lb->state_dir,
			LB_JOURNAL_FILE, strerror(-rc), LB_STATE_FILE);
		save_now(lb);
	}
}

void lb_state_changed(struct lb *lb, const struct sluice_vip_key *k)
{
	int rc;

	if (!lb->state_dir)
		return;
	if (!lb->loop) {
		lb_state_save(lb);
		return;
	}
	lb->state_dirty = true;
	/* the first change of a run (no journal yet) writes lb.json, which
	 * opens the journal: a journal is always relative to an lb.json
	 * this run wrote */
	if (lb->journal_fd < 0) {
		save_now(lb);
		return;
	}
	rc = lb_journal_append(lb, k);
	if (rc) {
		pr_warn("lb: %s/%s: cannot append (%s): rewriting %s",
			lb->state_dir, LB_JOURNAL_FILE, strerror(-rc),
			LB_STATE_FILE);
		save_now(lb);
		return;
	}
	if (lb->save_timer)
		return; /* its sync covers this line too */
	lb->save_timer = loop_add_timer(lb->loop, LB_SAVE_INTERVAL_MS, 0,
					on_save_timer, lb);
	if (!lb->save_timer) {
		pr_warn("lb: cannot defer the journal's sync (%s): syncing now",
			strerror(errno));
		on_save_timer(lb);
	}
}

int lb_state_flush(struct lb *lb)
{
	if (lb->save_timer) {
		loop_remove(lb->loop, lb->save_timer);
		lb->save_timer = NULL;
	}
	if (!lb->state_dirty)
		return 0;
	lb->state_dirty = false;
	return lb_state_save(lb);
}

/* Counts, and comes back in LB_FLOW_COUNT_MS, or 20 times the walk's own
 * time when that is longer: the loop spends at most 5% counting. */
static void on_count_timer(void *arg)
{
	struct lb *lb = arg;
	uint64_t t0 = now_ms(), took, next;
	int n;

	lb->count_timer = NULL;
	n = lb->ops->flow_count(lb->dp);
	lb->flows = n < 0 ? 0 : n;
	lb->flows_counted_at_ms = now_ms();
	took = lb->flows_counted_at_ms - t0;
	next = took * 20 > LB_FLOW_COUNT_MS ? took * 20 : LB_FLOW_COUNT_MS;
	if (!lb->loop)
		return;
	lb->count_timer = loop_add_timer(lb->loop, next, 0, on_count_timer, lb);
	if (!lb->count_timer) {
		/* requests count for themselves again */
		pr_warn("lb: cannot schedule the flow count (%s): counting "
			"per request",
			strerror(errno));
		lb->flows_counted_at_ms = 0;
	}
}

int lb_loop_add(struct lb *lb, struct loop *l)
{
	/* A change builds a new table and its diff (a 65537-slot table is
	 * 256 KiB, the diff and its undo as much again): from the heap and
	 * kept there, not mmap()ed and given back to the kernel each time,
	 * which made page faults a third of a change's cost. */
	mallopt(M_MMAP_THRESHOLD, 8 << 20);
	mallopt(M_TRIM_THRESHOLD, 32 << 20);
	lb->loop = l;
	on_count_timer(lb);
	return lb->count_timer ? 0 : -errno;
}

void lb_loop_del(struct lb *lb)
{
	if (!lb->loop)
		return;
	if (lb->count_timer)
		loop_remove(lb->loop, lb->count_timer);
	lb->count_timer = NULL;
	lb_state_flush(lb);
	lb_journal_close(lb);
	lb->loop = NULL;
	lb->flows_counted_at_ms = 0;
}

int lb_flow_count(const struct lb *lb)
{
	int n;

	if (lb->flows_counted_at_ms)
		return lb->flows;
	n = lb->ops->flow_count(lb->dp);
	return n < 0 ? 0 : n;
}

int64_t lb_flows_age_ms(const struct lb *lb)
{
	if (!lb->flows_counted_at_ms)
		return 0; /* counted just now, for this request */
	return (int64_t)(now_ms() - lb->flows_counted_at_ms);
}
