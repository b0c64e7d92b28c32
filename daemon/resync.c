// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <string.h>
#include "log.h"
#include "resync.h"

void resync_request(struct resync *r, enum resync_kind kind)
{
	if (kind == RESYNC_NONE)
		return;
	r->requests++;
	if (r->pending != RESYNC_NONE)
		r->coalesced++;
	if (kind > r->pending)
		r->pending = kind;
}

bool resync_pending(const struct resync *r)
{
	return r->pending != RESYNC_NONE;
}

enum resync_kind resync_take(struct resync *r)
{
	enum resync_kind kind = r->pending;

	r->pending = RESYNC_NONE;
	return kind;
}

int resync_run(struct resync *r, struct nlsock *ns, struct state *st)
{
	enum resync_kind kind = resync_take(r);
	int err;

	if (kind == RESYNC_NONE)
		return 0;
	if (kind == RESYNC_FULL) {
		st->nl_resyncs++;
		pr_warn("netlink: events were lost, re-reading the kernel's "
			"state");
		err = nlsock_drain_events(ns);
		if (err == -EBUSY)
			resync_request(r, RESYNC_FULL);
		else if (err)
			return err;
		state_forget_kernel(st);
		err = nlsock_dump_all(ns, st);
		/* links come before routes in it: their routes are read */
		st->routes_dirty = false;
	} else {
		pr_debug("netlink: a link changed, re-reading routes");
		st->routes_dirty = false;
		state_forget_routes(st);
		err = nlsock_dump_routes(ns, st);
	}
	if (nlsock_dump_interrupted(ns))
		resync_request(r, kind);
	/* a failed dump read only part of the kernel: finishing would
	 * remove routes it still has (the next overrun or link change
	 * dumps again) */
	if (err)
		return err;
	return state_resync_done(st);
}
