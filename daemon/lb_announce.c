// SPDX-License-Identifier: BSD-2-Clause
/*
 * VIP announcement as kernel routes (lb_announce.h).  The set of
 * addresses with a route is kept here and diffed against what the VIP set
 * wants after every change, so a health event costs at most one netlink
 * request, and a change that moves nothing costs none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include "json_out.h"
#include "lb.h"
#include "lb_announce.h"
#include "log.h"

/* A route of ours: an address in conf.table, or (drained with the
 * graceful_shutdown drain) in conf.gshut_table. */
struct aroute {
	struct lb_addr a;
	uint32_t table;
};

struct announce {
	struct announce_conf conf;
	struct lb *lb;
	struct mnl_socket *sock;
	unsigned int seq;
	bool drained;
	bool exiting; /* announce_free(withdraw): every route goes */
	uint64_t errors;
	uint32_t n; /* routes installed: during a move, one address may
		     * have two (make before break) */
	struct aroute r[2 * ANNOUNCE_MAX_ADDRS];
	char buf[32768]; /* a dump answer: a page of routes or more */
};

void announce_conf_init(struct announce_conf *c)
{
	*c = (struct announce_conf){ .table = ANNOUNCE_TABLE_DEFAULT,
				     .gshut_table =
					     ANNOUNCE_GSHUT_TABLE_DEFAULT,
				     .protocol = ANNOUNCE_PROTO_DEFAULT };
}

int announce_conf_parse(struct announce_conf *c, struct json_object *o,
			char *err, size_t errlen)
{
	struct announce_conf n = *c;

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "announce: expected an object");
		return -EINVAL;
	}
	json_object_object_foreach(o, key, v) {
		int64_t x;

		if (!strcmp(key, "enabled")) {
			if (!json_object_is_type(v, json_type_boolean)) {
				snprintf(err, errlen,
					 "announce.enabled: expected true or "
					 "false");
				return -EINVAL;
			}
			n.enabled = json_object_get_boolean(v);
			continue;
		}
		if (!strcmp(key, "drain")) {
			const char *d =
				json_object_is_type(v, json_type_string) ?
					json_object_get_string(v) :
					"";

			if (strcmp(d, "withdraw") &&
			    strcmp(d, "graceful_shutdown")) {
				snprintf(err, errlen,
					 "announce.drain: '%s' is not withdraw "
					 "or graceful_shutdown",
					 json_object_get_string(v));
				return -EINVAL;
			}
			n.gshut = !strcmp(d, "graceful_shutdown");
			continue;
		}
		if (strcmp(key, "table") && strcmp(key, "protocol") &&
		    strcmp(key, "gshut_table")) {
			snprintf(
				err, errlen,
				"unknown field 'announce.%s' (known: "
				"enabled, table, protocol, drain, gshut_table)",
				key);
			return -EINVAL;
		}
		if (!json_object_is_type(v, json_type_int)) {
			snprintf(err, errlen,
				 "announce.%s: expected an integer", key);
			return -EINVAL;
		}
		x = json_object_get_int64(v);
		if (strcmp(key, "protocol")) {
			if (x < 1 || x > UINT32_MAX) {
				snprintf(err, errlen,
					 "announce.%s: %lld is out of "
					 "range 1..4294967295",
					 key, (long long)x);
				return -EINVAL;
			}
			/* the host would route by it */
			if (x >= RT_TABLE_DEFAULT && x <= RT_TABLE_LOCAL) {
				snprintf(err, errlen,
					 "announce.%s: %lld is the kernel's "
					 "%s table: use a table of its own",
					 key, (long long)x,
					 x == RT_TABLE_MAIN  ? "main" :
					 x == RT_TABLE_LOCAL ? "local" :
							       "default");
				return -EINVAL;
			}
			if (!strcmp(key, "table"))
				n.table = (uint32_t)x;
			else
				n.gshut_table = (uint32_t)x;
		} else {
			/* 0..4: unspec, redirect, kernel, boot, static */
			if (x <= RTPROT_STATIC || x > 255) {
				snprintf(err, errlen,
					 "announce.protocol: %lld is out of "
					 "range 5..255",
					 (long long)x);
				return -EINVAL;
			}
			n.protocol = (uint8_t)x;
		}
	}
	if (n.table == n.gshut_table) {
		snprintf(err, errlen,
			 "announce.gshut_table: %u is announce.table too: the "
			 "drained routes need a table of their own",
			 n.gshut_table);
		return -EINVAL;
	}
	*c = n;
	return 0;
}

static size_t alen(const struct lb_addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

static bool same(const struct lb_addr *x, const struct lb_addr *y)
{
	return x->family == y->family && !memcmp(x->a, y->a, alen(x));
}

static ssize_t find(const struct lb_addr *set, uint32_t n,
		    const struct lb_addr *a)
{
	for (uint32_t i = 0; i < n; i++)
		if (same(&set[i], a))
			return i;
	return -1;
}

/* The installed route of @ad in @table (0: in any table), or -1. */
static ssize_t find_route(const struct announce *an, const struct lb_addr *ad,
			  uint32_t table)
{
	for (uint32_t i = 0; i < an->n; i++)
		if (same(&an->r[i].a, ad) &&
		    (!table || an->r[i].table == table))
			return i;
	return -1;
}

/* The kernel's answer to request @seq: 0 or -errno. */
static int read_ack(struct announce *a, unsigned int seq)
{
	unsigned int portid = mnl_socket_get_portid(a->sock);
	ssize_t n = mnl_socket_recvfrom(a->sock, a->buf, sizeof(a->buf));

	if (n < 0)
		return -errno;
	return mnl_cb_run(a->buf, (size_t)n, seq, portid, NULL, NULL) < 0 ?
		       -errno :
		       0;
}

/* `ip route {add|del} blackhole ADDR/32 table T proto P` */
static int route_req(struct announce *a, const struct lb_addr *ad,
		     uint32_t table, bool add)
{
	char msg[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg);
	struct rtmsg *rtm;

	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	nlh->nlmsg_seq = ++a->seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = ad->family;
	rtm->rtm_dst_len = (unsigned char)(alen(ad) * 8);
	rtm->rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = a->conf.protocol;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_BLACKHOLE;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	mnl_attr_put(nlh, RTA_DST, alen(ad), ad->a);
	if (mnl_socket_sendto(a->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return read_ack(a, nlh->nlmsg_seq);
}

struct dump_ctx {
	struct announce *a;
	int family;
};

static int dump_attr(const struct nlattr *at, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(at);

	if (type == RTA_TABLE || type == RTA_DST)
		tb[type] = at;
	return MNL_CB_OK;
}

/* A route of ours from a previous run: adopted as installed. */
static int dump_route(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct announce *a = d->a;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = {};
	struct lb_addr ad = { .family = (uint8_t)d->family };
	uint32_t table = rtm->rtm_table;

	mnl_attr_parse(nlh, sizeof(*rtm), dump_attr, tb);
	if (tb[RTA_TABLE])
		table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (rtm->rtm_family != d->family ||
	    (table != a->conf.table &&
	     (!a->conf.gshut || table != a->conf.gshut_table)) ||
	    rtm->rtm_protocol != a->conf.protocol ||
	    rtm->rtm_type != RTN_BLACKHOLE || !tb[RTA_DST] ||
	    rtm->rtm_dst_len != alen(&ad) * 8 ||
	    mnl_attr_get_payload_len(tb[RTA_DST]) != alen(&ad))
		return MNL_CB_OK;
	memcpy(ad.a, mnl_attr_get_payload(tb[RTA_DST]), alen(&ad));
	if (a->n < 2 * ANNOUNCE_MAX_ADDRS && find_route(a, &ad, table) < 0)
		a->r[a->n++] = (struct aroute){ .a = ad, .table = table };
	return MNL_CB_OK;
}

static int adopt(struct announce *a, int family)
{
	char msg[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg);
	unsigned int portid = mnl_socket_get_portid(a->sock);
	struct dump_ctx d = { .a = a, .family = family };
	struct rtmsg *rtm;
	int rc;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++a->seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	if (mnl_socket_sendto(a->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ssize_t n =
			mnl_socket_recvfrom(a->sock, a->buf, sizeof(a->buf));

		if (n < 0)
			return -errno;
		rc = mnl_cb_run(a->buf, (size_t)n, nlh->nlmsg_seq, portid,
				dump_route, &d);
	} while (rc > MNL_CB_STOP);
	return rc < 0 ? -errno : 0;
}

int announce_new(struct announce **out, const struct announce_conf *c,
		 struct lb *lb)
{
	struct announce *a = calloc(1, sizeof(*a));
	int rc = 0;

	if (!a)
		return -ENOMEM;
	a->conf = *c;
	a->lb = lb;
	if (c->enabled) {
		a->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
		if (!a->sock ||
		    mnl_socket_bind(a->sock, 0, MNL_SOCKET_AUTOPID) < 0)
			rc = -errno;
		if (!rc)
			rc = adopt(a, AF_INET);
		if (!rc)
			rc = adopt(a, AF_INET6);
		if (rc) {
			pr_err("announce: netlink: %s", strerror(-rc));
			announce_free(a, false);
			return rc;
		}
		pr_info("announce: VIP routes in table %u proto %u, %u "
			"adopted from the kernel",
			c->table, c->protocol, a->n);
	}
	*out = a;
	return 0;
}

void announce_free(struct announce *a, bool withdraw)
{
	if (!a)
		return;
	if (a->sock && withdraw) {
		a->exiting = true;
		announce_sync(a);
	}
	if (a->sock)
		mnl_socket_close(a->sock);
	free(a);
}

static void log_route(const struct lb_addr *ad, uint32_t table, bool add,
		      int rc)
{
	char s[INET6_ADDRSTRLEN];

	lb_addr_str(ad, s, sizeof(s));
	if (rc)
		pr_err("announce: %s %s (table %u): %s",
		       add ? "announcing" : "withdrawing", s, table,
		       strerror(-rc));
	else
		pr_info("announce: %s %s (table %u)",
			add ? "announced" : "withdrawn", s, table);
}

void announce_sync(void *arg)
{
	struct announce *a = arg;
	/* static: 4 KiB each, and the loop is single-threaded */
	static struct lb_addr want[ANNOUNCE_MAX_ADDRS],
		keep[ANNOUNCE_MAX_ADDRS];
	uint32_t nw = 0, nk = 0, i, table;
	bool any;
	int rc;

	if (!a || !a->sock)
		return;
	/* drained: nothing (withdraw), or the same routes in the other
	 * table, which the routing daemon announces with GRACEFUL_SHUTDOWN */
	any = !a->exiting && (!a->drained || a->conf.gshut);
	table = a->drained ? a->conf.gshut_table : a->conf.table;
	for (uint32_t id = 1; id < SLUICE_LB_MAX_VIPS && any; id++) {
		const struct lb_vip *v = lb_vip_get(a->lb, id);
		struct lb_addr ad = {};

		if (!v)
			continue;
		ad.family = v->conf.key.family;
		memcpy(ad.a, v->conf.key.addr, alen(&ad));
		if (lb_vip_healthy(v) && find(want, nw, &ad) < 0)
			want[nw++] = ad;
		else if (lb_vip_undecided(v) && find(keep, nk, &ad) < 0)
			keep[nk++] = ad;
	}
	/* make before break: a route moving to the other table is added
	 * there before it goes from this one */
	for (i = 0; i < nw; i++) {
		if (find_route(a, &want[i], table) >= 0)
			continue;
		rc = route_req(a, &want[i], table, true);
		log_route(&want[i], table, true, rc);
		if (rc)
			a->errors++;
		else
			a->r[a->n++] =
				(struct aroute){ .a = want[i], .table = table };
	}
	for (i = 0; i < a->n;) {
		struct aroute r = a->r[i];

		if ((r.table == table && find(want, nw, &r.a) >= 0) ||
		    find(keep, nk, &r.a) >= 0) {
			i++;
			continue;
		}
		rc = route_req(a, &r.a, r.table, false);
		/* gone already (someone's `ip route del`): withdrawn too */
		if (rc == -ESRCH || rc == -ENOENT)
			rc = 0;
		log_route(&r.a, r.table, false, rc);
		if (rc) {
			a->errors++;
			i++;
			continue;
		}
		a->r[i] = a->r[--a->n];
	}
}

int announce_vip(void *arg, const struct lb_vip *v)
{
	const struct announce *a = arg;
	struct lb_addr ad = { .family = v->conf.key.family };

	if (!a || !a->sock)
		return -1;
	memcpy(ad.a, v->conf.key.addr, alen(&ad));
	return find_route(a, &ad, 0) >= 0;
}

void announce_set_drained(struct announce *a, bool drained)
{
	if (!a)
		return;
	a->drained = drained;
	announce_sync(a);
}

void announce_metrics(const struct announce *a, FILE *f)
{
	char id[LB_VIP_ID_LEN];

	if (!announce_enabled(a))
		return;
	fprintf(f, "# HELP sluice_lb_vip_announced 1 while the VIP's address "
		   "has its route for the routing daemon (docs/deploy.md).\n"
		   "# TYPE sluice_lb_vip_announced gauge\n");
	for (uint32_t vid = 1; vid < SLUICE_LB_MAX_VIPS; vid++) {
		const struct lb_vip *v = lb_vip_get(a->lb, vid);

		if (v)
			fprintf(f, "sluice_lb_vip_announced{vip=\"%s\"} %d\n",
				lb_vip_id_str(&v->conf.key, id, sizeof(id)),
				announce_vip((void *)a, v) == 1);
	}
}

bool announce_enabled(const struct announce *a)
{
	return a && a->sock;
}

uint32_t announce_count(const struct announce *a)
{
	return a ? a->n : 0;
}

uint64_t announce_errors(const struct announce *a)
{
	return a ? a->errors : 0;
}

struct json_object *announce_json(const struct announce *a)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "enabled",
			       json_object_new_boolean(announce_enabled(a)));
	if (a) {
		json_add_int(o, "table", a->conf.table);
		json_add_str(o, "drain",
			     a->conf.gshut ? "graceful_shutdown" : "withdraw");
		if (a->conf.gshut)
			json_add_int(o, "gshut_table", a->conf.gshut_table);
		json_add_int(o, "protocol", a->conf.protocol);
	}
	json_add_int(o, "routes", announce_count(a));
	json_add_int(o, "errors", (int64_t)announce_errors(a));
	return o;
}
