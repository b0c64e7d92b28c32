// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include "log.h"
#include "netlink.h"

struct nlsock {
	struct mnl_socket *ev;
	struct mnl_socket *dump;
	unsigned int seq;
	bool dump_intr; /* a dump since the last nlsock_dump_interrupted() */
	char *buf;
};

#define NL_BUF_SIZE (1 << 16)
/* More than a full receive buffer holds (one message per skb, each at
 * least a few hundred bytes of truesize), plus what arrives meanwhile. */
#define NL_DRAIN_MAX (1 << 20)

int nlsock_open(struct nlsock **out)
{
	unsigned int groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_ROUTE |
			      RTMGRP_IPV6_ROUTE;
	int rcvbuf = 32 << 20, nh_group = RTNLGRP_NEXTHOP;
	struct nlsock *ns;
	int err;

	ns = calloc(1, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	ns->buf = malloc(NL_BUF_SIZE);
	ns->ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ns->dump = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!ns->buf || !ns->ev || !ns->dump) {
		err = -errno ? -errno : -ENOMEM;
		goto err;
	}
	/* A route burst (a BGP session coming up) must not overrun us;
	 * FORCE works as root, the plain one is the fallback. */
	if (setsockopt(mnl_socket_get_fd(ns->ev), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)))
		setsockopt(mnl_socket_get_fd(ns->ev), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(ns->ev, groups, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_bind(ns->dump, 0, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		goto err;
	}
	/* nexthop objects (Linux >= 5.3); older kernels have none to send */
	setsockopt(mnl_socket_get_fd(ns->ev), SOL_NETLINK,
		   NETLINK_ADD_MEMBERSHIP, &nh_group, sizeof(nh_group));
	ns->seq = (unsigned int)time(NULL);
	*out = ns;
	return 0;
err:
	nlsock_close(ns);
	return err;
}

void nlsock_close(struct nlsock *ns)
{
	if (!ns)
		return;
	if (ns->ev)
		mnl_socket_close(ns->ev);
	if (ns->dump)
		mnl_socket_close(ns->dump);
	free(ns->buf);
	free(ns);
}

int nlsock_fd(const struct nlsock *ns)
{
	return mnl_socket_get_fd(ns->ev);
}

void nl_dispatch(const struct nlmsghdr *nlh, struct state *st)
{
	bool del = nlh->nlmsg_type == RTM_DELLINK ||
		   nlh->nlmsg_type == RTM_DELROUTE ||
		   nlh->nlmsg_type == RTM_DELNEIGH ||
		   nlh->nlmsg_type == RTM_DELNEXTHOP;
	int err = 0;

	st->nl_events++;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK: {
		struct nl_link l;

		err = nl_parse_link(nlh, &l);
		if (!err)
			state_link_event(st, &l, del);
		break;
	}
	case RTM_NEWROUTE:
	case RTM_DELROUTE: {
		struct nl_route *r = malloc(sizeof(*r));

		if (!r)
			return;
		err = nl_parse_route(nlh, r);
		if (!err)
			state_route_event(st, r, del, nlh->nlmsg_flags);
		free(r);
		break;
	}
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH: {
		struct nl_neigh n;

		err = nl_parse_neigh(nlh, &n);
		if (!err)
			state_neigh_event(st, &n, del);
		break;
	}
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP: {
		struct nl_nexthop *nh = malloc(sizeof(*nh));

		if (!nh)
			return;
		err = nl_parse_nexthop(nlh, nh);
		if (!err)
			state_nexthop_event(st, nh, del);
		free(nh);
		break;
	}
	default: return;
	}
	if (err == -EINVAL)
		pr_warn("netlink: ignoring a malformed message of type %u",
			nlh->nlmsg_type);
}

static int dispatch_cb(const struct nlmsghdr *nlh, void *data)
{
	nl_dispatch(nlh, data);
	return MNL_CB_OK;
}

struct dump_ctx {
	struct nlsock *ns;
	struct state *st;
};

/* The kernel flags a dump that ran while the table changed under it: it
 * may have missed entries, so the caller dumps again. */
static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		c->ns->dump_intr = true;
	nl_dispatch(nlh, c->st);
	return MNL_CB_OK;
}

static int dump_one(struct nlsock *ns, struct state *st, uint16_t type,
		    uint8_t family)
{
	/* the family is the first byte of every rtnetlink header; nexthop
	 * dumps want exactly their own (strict) header */
	size_t hdr = type == RTM_GETNEXTHOP ? sizeof(struct nhmsg) :
					      sizeof(struct rtmsg);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ns->buf);
	unsigned int portid = mnl_socket_get_portid(ns->dump);
	struct dump_ctx c = { .ns = ns, .st = st };
	unsigned int seq = ++ns->seq;
	struct rtgenmsg *g;
	ssize_t n;
	int rc;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, hdr);
	g->rtgen_family = family;
	if (mnl_socket_sendto(ns->dump, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(ns->dump, ns->buf, NL_BUF_SIZE);
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(ns->buf, (size_t)n, seq, portid, dump_cb, &c);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0)
			return -errno;
	}
}

int nlsock_dump_all(struct nlsock *ns, struct state *st)
{
	int err;

	err = dump_one(ns, st, RTM_GETLINK, AF_UNSPEC);
	if (!err)
		err = dump_one(ns, st, RTM_GETNEIGH, AF_INET);
	if (!err)
		err = dump_one(ns, st, RTM_GETNEIGH, AF_INET6);
	/* objects before the routes that name them; a kernel without
	 * nexthop objects refuses the dump, which is fine */
	if (!err && dump_one(ns, st, RTM_GETNEXTHOP, AF_UNSPEC))
		pr_debug("netlink: no nexthop objects on this kernel");
	if (!err)
		err = dump_one(ns, st, RTM_GETROUTE, AF_INET);
	if (!err)
		err = dump_one(ns, st, RTM_GETROUTE, AF_INET6);
	if (err)
		pr_err("netlink: dump failed: %s", strerror(-err));
	return err;
}

int nlsock_dump_routes(struct nlsock *ns, struct state *st)
{
	int err = dump_one(ns, st, RTM_GETROUTE, AF_INET);

	if (!err)
		err = dump_one(ns, st, RTM_GETROUTE, AF_INET6);
	if (err)
		pr_err("netlink: route dump failed: %s", strerror(-err));
	return err;
}

bool nlsock_dump_interrupted(struct nlsock *ns)
{
	bool intr = ns->dump_intr;

	ns->dump_intr = false;
	return intr;
}

int nlsock_drain_events(struct nlsock *ns)
{
	int fd = mnl_socket_get_fd(ns->ev);

	for (long i = 0; i < NL_DRAIN_MAX; i++) {
		/* one message per recv: truncating it costs no copy */
		if (recv(fd, ns->buf, 1, MSG_DONTWAIT | MSG_TRUNC) >= 0)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		/* a loss before the dump that follows: it covers it */
		if (errno != ENOBUFS && errno != EINTR)
			return -errno;
	}
	return -EBUSY;
}

int nlsock_read_events(struct nlsock *ns, struct state *st)
{
	for (int i = 0; i < 256; i++) {
		ssize_t n = mnl_socket_recvfrom(ns->ev, ns->buf, NL_BUF_SIZE);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		mnl_cb_run(ns->buf, (size_t)n, 0, 0, dispatch_cb, st);
	}
	return 0; /* more may be pending: epoll says so again */
}
