/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Re-reading the kernel's state after events were lost (a netlink overrun)
 * or after a link change the kernel does not report route by route.
 * Requests are coalesced: however many overruns happen while one resync
 * runs, at most one more follows it, and a full one absorbs a routes-only
 * one.  The event loop runs one resync per turn (resync_pending() makes it
 * come back at once), so the API is served between two of them.
 */
#ifndef SLUICED_RESYNC_H
#define SLUICED_RESYNC_H

#include <stdbool.h>
#include <stdint.h>
#include "netlink.h"
#include "state.h"

enum resync_kind {
	RESYNC_NONE = 0,
	RESYNC_ROUTES, /* routes only: a link went down or away */
	RESYNC_FULL,   /* everything: events were lost */
};

struct resync {
	enum resync_kind pending;
	uint64_t requests;  /* every request */
	uint64_t coalesced; /* requests folded into one already pending */
};

void resync_request(struct resync *r, enum resync_kind kind);
bool resync_pending(const struct resync *r);
/* The pending kind, now no longer pending (RESYNC_NONE: nothing to do). */
enum resync_kind resync_take(struct resync *r);

/*
 * Runs the pending resync, if any: drain the event queue (full), forget,
 * dump, then one pass over the prefixes removes what the kernel no longer
 * has.  A dump the kernel flags as interrupted, or a queue that would not
 * drain, asks for one more.  0 or -errno.
 */
int resync_run(struct resync *r, struct nlsock *ns, struct state *st);

#endif
