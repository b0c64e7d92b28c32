// SPDX-License-Identifier: BSD-2-Clause
/*
 * The neighbour probe's kernel side: its requests as rtnetlink messages
 * (what `ip neigh add ADDR dev IF managed proto 83`, `ip neigh replace
 * ADDR dev IF use` and `ip neigh change ADDR dev IF nud stale` send), on a socket of its own so that their answers
 * never mix with netlink.c's dumps and events.  rtnetlink handles a
 * request inside sendmsg(), so the answer is already queued when the send
 * returns: it is read at once, without waiting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include "log.h"
#include "loop.h"
#include "dp.h"
#include "neigh_onlink.h"
#include "neigh_probe.h"
#include "state.h"

struct neigh_probe_nl {
	struct neigh_probe *np;
	struct state *st;
	struct mnl_socket *sock;
	unsigned int seq;
	struct neigh_onlink onlink; /* on-link destinations: the throttle */
	char buf[8192];		    /* acks and errors: small */
};

static uint64_t nl_now_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool nl_is_port(void *ctx, uint32_t ifindex)
{
	struct neigh_probe_nl *pn = ctx;
	const struct st_iface *ifc = state_iface_by_ifindex(pn->st, ifindex);

	return ifc && ifc->state == IF_ATTACHED;
}

/* The answer to request @seq: 0, or the kernel's -errno.  No answer yet
 * (it cannot happen with rtnetlink, but never block the loop) counts as
 * success; answers to earlier requests are skipped. */
static int read_ack(struct neigh_probe_nl *pn, unsigned int seq)
{
	unsigned int portid = mnl_socket_get_portid(pn->sock);

	for (int i = 0; i < 16; i++) {
		ssize_t n =
			mnl_socket_recvfrom(pn->sock, pn->buf, sizeof(pn->buf));

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 :
									 -errno;
		if (mnl_cb_run(pn->buf, (size_t)n, seq, portid, NULL, NULL) >=
		    0)
			return 0;
		if (errno != EPROTO) /* EPROTO: another request's answer */
			return -errno;
	}
	return 0;
}

static int nl_send(void *ctx, enum neigh_probe_req req,
		   const struct sluice_neigh_key *k)
{
	struct neigh_probe_nl *pn = ctx;
	char msg[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg);
	struct ndmsg *ndm;

	nlh->nlmsg_type = req == NP_REQ_DELETE ? RTM_DELNEIGH : RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++pn->seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = k->family;
	ndm->ndm_ifindex = (int)k->ifindex;
	ndm->ndm_state = NUD_NONE;
	mnl_attr_put(nlh, NDA_DST, k->family == AF_INET ? 4 : 16, k->addr);
	switch (req) {
	case NP_REQ_CREATE:
	case NP_REQ_REFRESH:
		/* EXCL: never turn an entry that appeared meanwhile into
		 * ours; REPLACE keeps ours managed (an update without the
		 * flag would clear it) */
		nlh->nlmsg_flags |=
			NLM_F_CREATE |
			(req == NP_REQ_CREATE ? NLM_F_EXCL : NLM_F_REPLACE);
		/* NTF_USE for kernels without managed entries (< 5.16),
		 * which ignore NDA_FLAGS_EXT: a plain resolution */
		ndm->ndm_flags = NTF_USE;
		mnl_attr_put_u8(nlh, NDA_PROTOCOL, NEIGH_PROBE_PROTO);
		mnl_attr_put_u32(nlh, NDA_FLAGS_EXT, NTF_EXT_MANAGED);
		break;
	case NP_REQ_USE:
		/* no CREATE, no REPLACE, no protocol: the entry stays the
		 * kernel's, only its resolution starts */
		ndm->ndm_flags = NTF_USE;
		break;
	case NP_REQ_RELEASE:
		/* an update without the managed flag clears it; STALE with
		 * the address it has (none given: the kernel keeps its
		 * own, or refuses when it has none) */
		nlh->nlmsg_flags |= NLM_F_REPLACE;
		ndm->ndm_state = NUD_STALE;
		break;
	case NP_REQ_DELETE:
	case NP_REQ_COUNT: break;
	}
	if (mnl_socket_sendto(pn->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return read_ack(pn, nlh->nlmsg_seq);
}

/* ---- on-link destinations (neigh_onlink.h) -------------------------------- */

enum onlink_entry {
	ONLINK_NONE,	/* the kernel has no entry */
	ONLINK_KERNEL,	/* the kernel's own, in whatever state */
	ONLINK_FOREIGN, /* permanent, managed, externally learned: not ours */
};

struct onlink_get {
	enum onlink_entry entry;
};

static int onlink_attr(const struct nlattr *a, void *data)
{
	struct onlink_get *g = data;

	if (mnl_attr_get_type(a) == NDA_FLAGS_EXT &&
	    mnl_attr_validate(a, MNL_TYPE_U32) >= 0 &&
	    (mnl_attr_get_u32(a) & NTF_EXT_MANAGED))
		g->entry = ONLINK_FOREIGN;
	return MNL_CB_OK;
}

static int onlink_msg(const struct nlmsghdr *nlh, void *data)
{
	struct onlink_get *g = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWNEIGH ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ndm))
		return MNL_CB_OK;
	g->entry = ONLINK_KERNEL;
	if (ndm->ndm_state & (NUD_PERMANENT | NUD_NOARP) ||
	    ndm->ndm_flags & NTF_EXT_LEARNED)
		g->entry = ONLINK_FOREIGN;
	mnl_attr_parse(nlh, sizeof(*ndm), onlink_attr, g);
	return MNL_CB_OK;
}

/* What the kernel has for @k (`ip neigh get`): an ONLINK_* or -errno. */
static int onlink_get(struct neigh_probe_nl *pn,
		      const struct sluice_neigh_key *k)
{
	unsigned int portid = mnl_socket_get_portid(pn->sock);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(pn->buf);
	struct onlink_get g = { .entry = ONLINK_NONE };
	struct ndmsg *ndm;
	unsigned int seq;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq = ++pn->seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = k->family;
	ndm->ndm_ifindex = (int)k->ifindex;
	mnl_attr_put(nlh, NDA_DST, k->family == AF_INET ? 4 : 16, k->addr);
	if (mnl_socket_sendto(pn->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (int i = 0; i < 16; i++) {
		ssize_t n =
			mnl_socket_recvfrom(pn->sock, pn->buf, sizeof(pn->buf));

		if (n < 0)
			return -errno;
		if (mnl_cb_run(pn->buf, (size_t)n, seq, portid, onlink_msg,
			       &g) >= 0)
			return (int)g.entry;
		if (errno == ENOENT)
			return ONLINK_NONE;
		if (errno != EPROTO) /* EPROTO: another request's answer */
			return -errno;
	}
	return -ETIMEDOUT;
}

/* An ordinary entry for @k with NTF_USE: created and resolving, the
 * kernel's from then on.  EXCL: one that appeared since onlink_get()
 * is left as it is. */
static int onlink_create(struct neigh_probe_nl *pn,
			 const struct sluice_neigh_key *k)
{
	char msg[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg);
	struct ndmsg *ndm;
	int err;

	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			   NLM_F_EXCL;
	nlh->nlmsg_seq = ++pn->seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = k->family;
	ndm->ndm_ifindex = (int)k->ifindex;
	ndm->ndm_state = NUD_NONE;
	ndm->ndm_flags = NTF_USE;
	mnl_attr_put(nlh, NDA_DST, k->family == AF_INET ? 4 : 16, k->addr);
	if (mnl_socket_sendto(pn->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	err = read_ack(pn, nlh->nlmsg_seq);
	return err == -EEXIST ? 0 : err;
}

static void onlink_ask(struct neigh_probe_nl *pn,
		       const struct sluice_neigh_key *k, uint64_t now)
{
	struct state *st = pn->st;
	int e;

	if (!nl_is_port(pn, k->ifindex) ||
	    (k->family != AF_INET && k->family != AF_INET6))
		return;
	if (!neigh_onlink_due(&pn->onlink, k, now))
		return;
	e = onlink_get(pn, k);
	if (e == ONLINK_NONE)
		e = onlink_create(pn, k);
	else if (e == ONLINK_KERNEL)
		e = nl_send(pn, NP_REQ_USE, k);
	else if (e == ONLINK_FOREIGN) {
		st->onlink_foreign++;
		return;
	}
	if (e) {
		if (st->onlink_errors++ < 10)
			pr_warn("neigh probe: on-link destination on ifindex "
				"%u: %s",
				k->ifindex, strerror(-e));
		return;
	}
	st->onlink_asks++;
}

/* Every NEIGH_ONLINK_POLL_MS: the data path's notes, each asked for. */
static void on_onlink(void *arg)
{
	struct neigh_probe_nl *pn = arg;
	struct sluice_neigh_key keys[NEIGH_ONLINK_BATCH];
	uint64_t now = nl_now_ms(pn);
	int n = dp_neigh_wanted_take(pn->st->dp, keys, NEIGH_ONLINK_BATCH);

	for (int i = 0; i < n; i++)
		onlink_ask(pn, &keys[i], now);
}

static const struct neigh_probe_ops nl_ops = {
	.now_ms = nl_now_ms,
	.send = nl_send,
	.is_port = nl_is_port,
};

int neigh_probe_nl_new(struct neigh_probe_nl **out, struct state *st)
{
	struct neigh_probe_nl *pn = calloc(1, sizeof(*pn));
	int err;

	if (!pn)
		return -ENOMEM;
	pn->st = st;
	pn->seq = (unsigned int)time(NULL);
	pn->sock =
		mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!pn->sock) {
		err = -errno;
		goto err_free;
	}
	if (mnl_socket_bind(pn->sock, 0, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		goto err_sock;
	}
	err = neigh_probe_new(&pn->np, &nl_ops, pn);
	if (err)
		goto err_sock;
	*out = pn;
	return 0;
err_sock:
	mnl_socket_close(pn->sock);
err_free:
	free(pn);
	return err;
}

struct neigh_probe *neigh_probe_nl_probe(struct neigh_probe_nl *pn)
{
	return pn->np;
}

static void on_probe(void *arg)
{
	struct neigh_probe_nl *pn = arg;

	/* answers nobody waited for: drop them */
	while (mnl_socket_recvfrom(pn->sock, pn->buf, sizeof(pn->buf)) > 0)
		;
	neigh_probe_run(pn->np);
}

static int probe_due(void *arg, int max)
{
	struct neigh_probe_nl *pn = arg;

	return neigh_probe_due_in(pn->np, max);
}

int neigh_probe_nl_loop_add(struct neigh_probe_nl *pn, struct loop *l)
{
	struct loop_src *src;

	src = loop_add_fd(l, mnl_socket_get_fd(pn->sock), on_probe, pn);
	if (!src)
		return -errno;
	loop_set_due(src, probe_due);
	if (!loop_add_timer(l, NEIGH_ONLINK_POLL_MS, NEIGH_ONLINK_POLL_MS,
			    on_onlink, pn))
		return -errno;
	return 0;
}

void neigh_probe_nl_free(struct neigh_probe_nl *pn, bool remove_ours)
{
	if (!pn)
		return;
	neigh_probe_free(pn->np, remove_ours);
	mnl_socket_close(pn->sock);
	free(pn);
}
