/* SPDX-License-Identifier: BSD-2-Clause */
/* The netlink side of sluiced: a subscribed event socket and full dumps,
 * both fed into state.c.  On overrun (ENOBUFS) the caller re-dumps. */
#ifndef SLUICED_NETLINK_H
#define SLUICED_NETLINK_H

#include "state.h"

struct nlsock;

int nlsock_open(struct nlsock **out);
void nlsock_close(struct nlsock *ns);
int nlsock_fd(const struct nlsock *ns);

/* Dump links, neighbours, routes (in that order) into @st. */
int nlsock_dump_all(struct nlsock *ns, struct state *st);
/* Dump only the routes (after a link went down or away). */
int nlsock_dump_routes(struct nlsock *ns, struct state *st);
/* Read and apply pending events.  -ENOBUFS: events were lost, resync. */
int nlsock_read_events(struct nlsock *ns, struct state *st);
/*
 * Before a re-dump: discard the queued events (the dump reports what they
 * say).  The kernel reports an overrun once, then not again until the
 * queue has been read empty: left full, events lost during the dump would
 * go unreported.  0 once empty; -EBUSY if events kept coming faster than
 * they were discarded (the queue may not have emptied: dump once more).
 */
int nlsock_drain_events(struct nlsock *ns);
/* Whether a dump since the last call was flagged NLM_F_DUMP_INTR (the
 * table changed during it, entries may be missing): dump again. */
bool nlsock_dump_interrupted(struct nlsock *ns);
/* Apply one message (shared by dumps, events and tests). */
void nl_dispatch(const struct nlmsghdr *nlh, struct state *st);

#endif
