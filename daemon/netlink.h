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
/* Apply one message (shared by dumps, events and tests). */
void nl_dispatch(const struct nlmsghdr *nlh, struct state *st);

#endif
