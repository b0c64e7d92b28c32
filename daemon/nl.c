// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include "nl.h"

#ifndef RTA_NH_ID
#define RTA_NH_ID 30
#endif

static int addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;
}

struct attr_tab {
	const struct nlattr *tb[64];
	uint16_t max;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attr_tab *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= t->max && type < 64)
		t->tb[type] = a;
	return MNL_CB_OK;
}

static int copy_addr(const struct nlattr *a, uint8_t family, uint8_t *dst)
{
	int len = addr_len(family);

	if (len < 0 || mnl_attr_get_payload_len(a) != (uint16_t)len)
		return -EINVAL;
	memcpy(dst, mnl_attr_get_payload(a), (size_t)len);
	return 0;
}

static int parse_multipath(const struct nlattr *mp, struct nl_route *r)
{
	const uint8_t *p = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp);

	while (left >= sizeof(struct rtnexthop)) {
		const struct rtnexthop *rtnh = (const void *)p;
		struct attr_tab t = { .max = RTA_MAX };
		struct nl_nh *nh;

		if (rtnh->rtnh_len < sizeof(*rtnh) || rtnh->rtnh_len > left)
			return -EINVAL;
		if (r->n_nh >= NL_MAX_NH) {
			r->unsupported = true;
			r->unsupported_why = "too many nexthops";
			return 0;
		}
		if (rtnh->rtnh_flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN)) {
			/* the kernel keeps it but will not use it */
			size_t skip = (size_t)RTNH_ALIGN(rtnh->rtnh_len);

			p += skip;
			left = left > skip ? left - skip : 0;
			continue;
		}
		nh = &r->nh[r->n_nh++];
		memset(nh, 0, sizeof(*nh));
		nh->ifindex = (uint32_t)rtnh->rtnh_ifindex;
		nh->weight = (uint8_t)(rtnh->rtnh_hops + 1);
		if (rtnh->rtnh_len > sizeof(*rtnh) &&
		    mnl_attr_parse_payload(RTNH_DATA(rtnh),
					   rtnh->rtnh_len - sizeof(*rtnh),
					   attr_cb, &t) < 0)
			return -EINVAL;
		if (t.tb[RTA_GATEWAY]) {
			if (copy_addr(t.tb[RTA_GATEWAY], r->family, nh->gw))
				return -EINVAL;
			nh->gw_family = r->family;
		}
		if (t.tb[RTA_VIA]) {
			r->unsupported = true;
			r->unsupported_why = "RTA_VIA nexthop";
		}
		size_t step = (size_t)RTNH_ALIGN(rtnh->rtnh_len);

		p += step;
		left = left > step ? left - step : 0;
	}
	return 0;
}

int nl_parse_route(const struct nlmsghdr *nlh, struct nl_route *r)
{
	struct attr_tab t = { .max = RTA_MAX };
	const struct rtmsg *rtm;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return -EINVAL;
	rtm = mnl_nlmsg_get_payload(nlh);
	memset(r, 0, sizeof(*r));
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -ENOENT;
	if (rtm->rtm_flags & RTM_F_CLONED)
		return -ENOENT;
	if (rtm->rtm_dst_len > (rtm->rtm_family == AF_INET ? 32 : 128))
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &t) < 0)
		return -EINVAL;

	r->family = rtm->rtm_family;
	r->dst_len = rtm->rtm_dst_len;
	r->tos = rtm->rtm_tos;
	r->type = rtm->rtm_type;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->flags = rtm->rtm_flags;
	r->table = t.tb[RTA_TABLE] ? mnl_attr_get_u32(t.tb[RTA_TABLE]) :
				     rtm->rtm_table;
	if (t.tb[RTA_PRIORITY])
		r->priority = mnl_attr_get_u32(t.tb[RTA_PRIORITY]);
	if (t.tb[RTA_DST] && copy_addr(t.tb[RTA_DST], r->family, r->dst))
		return -EINVAL;
	if (t.tb[RTA_SRC] && rtm->rtm_src_len) {
		/* source-specific (v6 subtree) routes: not in our LPM */
		r->unsupported = true;
		r->unsupported_why = "source-specific route";
	}
	/* With nexthop objects the kernel (nexthop_compat_mode, the
	 * default) also spells the nexthops out below; without, the daemon
	 * resolves the id from its copy of the objects. */
	if (t.tb[RTA_NH_ID])
		r->nh_id = mnl_attr_get_u32(t.tb[RTA_NH_ID]);
	if (t.tb[RTA_VIA]) {
		r->unsupported = true;
		r->unsupported_why = "RTA_VIA nexthop";
	}
	if (t.tb[RTA_MULTIPATH])
		return parse_multipath(t.tb[RTA_MULTIPATH], r);
	if (rtm->rtm_flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN))
		return 0; /* no usable nexthop: the kernel's business */
	if (t.tb[RTA_OIF] || t.tb[RTA_GATEWAY]) {
		struct nl_nh *nh = &r->nh[r->n_nh++];

		nh->weight = 1;
		if (t.tb[RTA_OIF])
			nh->ifindex = mnl_attr_get_u32(t.tb[RTA_OIF]);
		if (t.tb[RTA_GATEWAY]) {
			if (copy_addr(t.tb[RTA_GATEWAY], r->family, nh->gw))
				return -EINVAL;
			nh->gw_family = r->family;
		}
	}
	return 0;
}

int nl_parse_nexthop(const struct nlmsghdr *nlh, struct nl_nexthop *nh)
{
	struct attr_tab t = { .max = NHA_MAX };
	const struct nhmsg *nhm;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*nhm)))
		return -EINVAL;
	nhm = mnl_nlmsg_get_payload(nlh);
	memset(nh, 0, sizeof(*nh));
	if (mnl_attr_parse(nlh, sizeof(*nhm), attr_cb, &t) < 0)
		return -EINVAL;
	if (!t.tb[NHA_ID])
		return -EINVAL;
	nh->id = mnl_attr_get_u32(t.tb[NHA_ID]);
	nh->family = nhm->nh_family;
	nh->dead = nhm->nh_flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN);
	nh->blackhole = t.tb[NHA_BLACKHOLE] != NULL;
	if (t.tb[NHA_OIF])
		nh->oif = mnl_attr_get_u32(t.tb[NHA_OIF]);
	if (t.tb[NHA_GATEWAY]) {
		if (copy_addr(t.tb[NHA_GATEWAY], nh->family, nh->gw))
			return -EINVAL;
		nh->has_gw = true;
	}
	if (t.tb[NHA_GROUP]) {
		const struct nexthop_grp *g =
			mnl_attr_get_payload(t.tb[NHA_GROUP]);
		size_t n =
			mnl_attr_get_payload_len(t.tb[NHA_GROUP]) / sizeof(*g);

		if (!n ||
		    n * sizeof(*g) != mnl_attr_get_payload_len(t.tb[NHA_GROUP]))
			return -EINVAL;
		for (size_t i = 0; i < n && nh->n_grp < NL_MAX_NH; i++) {
			nh->grp[nh->n_grp].id = g[i].id;
			nh->grp[nh->n_grp].weight =
				(uint8_t)(g[i].weight + 1 > 255 ?
						  255 :
						  g[i].weight + 1);
			nh->n_grp++;
		}
	}
	return 0;
}

int nl_parse_link(const struct nlmsghdr *nlh, struct nl_link *l)
{
	struct attr_tab t = { .max = IFLA_MAX };
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EINVAL;
	ifi = mnl_nlmsg_get_payload(nlh);
	memset(l, 0, sizeof(*l));
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, &t) < 0)
		return -EINVAL;
	l->ifindex = (uint32_t)ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	if (t.tb[IFLA_IFNAME]) {
		const char *name = mnl_attr_get_str(t.tb[IFLA_IFNAME]);
		size_t len = strnlen(
			name, mnl_attr_get_payload_len(t.tb[IFLA_IFNAME]));

		if (len >= sizeof(l->name))
			return -EINVAL;
		memcpy(l->name, name, len);
	}
	if (t.tb[IFLA_ADDRESS] &&
	    mnl_attr_get_payload_len(t.tb[IFLA_ADDRESS]) == 6) {
		memcpy(l->mac, mnl_attr_get_payload(t.tb[IFLA_ADDRESS]), 6);
		l->has_mac = true;
	}
	if (t.tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(t.tb[IFLA_MTU]);
	if (t.tb[IFLA_LINK])
		l->parent = mnl_attr_get_u32(t.tb[IFLA_LINK]);
	if (t.tb[IFLA_LINKINFO]) {
		struct attr_tab li = { .max = IFLA_INFO_MAX };

		if (mnl_attr_parse_nested(t.tb[IFLA_LINKINFO], attr_cb, &li) <
		    0)
			return -EINVAL;
		if (li.tb[IFLA_INFO_KIND] &&
		    !strcmp(mnl_attr_get_str(li.tb[IFLA_INFO_KIND]), "veth"))
			l->is_veth = true;
		if (li.tb[IFLA_INFO_KIND] &&
		    !strcmp(mnl_attr_get_str(li.tb[IFLA_INFO_KIND]), "vlan") &&
		    li.tb[IFLA_INFO_DATA]) {
			struct attr_tab vd = { .max = IFLA_VLAN_MAX };

			if (mnl_attr_parse_nested(li.tb[IFLA_INFO_DATA],
						  attr_cb, &vd) < 0)
				return -EINVAL;
			if (vd.tb[IFLA_VLAN_ID]) {
				l->is_vlan = true;
				l->vlan_id =
					mnl_attr_get_u16(vd.tb[IFLA_VLAN_ID]);
				l->vlan_8021q =
					!vd.tb[IFLA_VLAN_PROTOCOL] ||
					mnl_attr_get_u16(
						vd.tb[IFLA_VLAN_PROTOCOL]) ==
						htons(0x8100);
			}
		}
	}
	return 0;
}

int nl_parse_neigh(const struct nlmsghdr *nlh, struct nl_neigh *n)
{
	struct attr_tab t = { .max = NDA_MAX };
	const struct ndmsg *ndm;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ndm)))
		return -EINVAL;
	ndm = mnl_nlmsg_get_payload(nlh);
	memset(n, 0, sizeof(*n));
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return -ENOENT;
	if (mnl_attr_parse(nlh, sizeof(*ndm), attr_cb, &t) < 0)
		return -EINVAL;
	n->family = ndm->ndm_family;
	n->ifindex = (uint32_t)ndm->ndm_ifindex;
	n->state = ndm->ndm_state;
	n->flags = ndm->ndm_flags;
	if (!t.tb[NDA_DST] || copy_addr(t.tb[NDA_DST], n->family, n->addr))
		return -EINVAL;
	if (t.tb[NDA_LLADDR] &&
	    mnl_attr_get_payload_len(t.tb[NDA_LLADDR]) == 6) {
		memcpy(n->mac, mnl_attr_get_payload(t.tb[NDA_LLADDR]), 6);
		n->has_mac = true;
	}
	if (t.tb[NDA_PROTOCOL] &&
	    mnl_attr_get_payload_len(t.tb[NDA_PROTOCOL]) == 1)
		n->protocol = mnl_attr_get_u8(t.tb[NDA_PROTOCOL]);
	if (t.tb[NDA_FLAGS_EXT] &&
	    mnl_attr_get_payload_len(t.tb[NDA_FLAGS_EXT]) == 4)
		n->flags_ext = mnl_attr_get_u32(t.tb[NDA_FLAGS_EXT]);
	return 0;
}

bool nl_neigh_usable(const struct nl_neigh *n)
{
	if (!n->has_mac)
		return false;
	if (n->family == AF_INET ? (n->addr[0] & 0xf0) == 0xe0 :
				   n->addr[0] == 0xff)
		return false;
	return n->state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
			   NUD_PERMANENT | NUD_NOARP);
}

const char *nl_neigh_state_name(uint16_t state)
{
	if (state & NUD_PERMANENT)
		return "permanent";
	if (state & NUD_NOARP)
		return "noarp";
	if (state & NUD_REACHABLE)
		return "reachable";
	if (state & NUD_STALE)
		return "stale";
	if (state & NUD_DELAY)
		return "delay";
	if (state & NUD_PROBE)
		return "probe";
	if (state & NUD_FAILED)
		return "failed";
	if (state & NUD_INCOMPLETE)
		return "incomplete";
	return "none";
}

static void fill_nh(struct sluice_nh *out, const struct nl_nh *in)
{
	memset(out, 0, sizeof(*out));
	out->ifindex = in->ifindex;
	out->family = in->gw_family;
	memcpy(out->gw, in->gw, sizeof(out->gw));
}

int nl_route_translate(const struct nl_route *r, struct sluice_nhg *g,
		       const char **why)
{
	unsigned int total = 0;

	memset(g, 0, sizeof(*g));
	*why = NULL;
	switch (r->type) {
	case RTN_UNICAST: break;
	case RTN_LOCAL: return SLUICE_RT_LOCAL;
	default:
		*why = "route type handled by the kernel";
		return SLUICE_RT_KERNEL;
	}
	if (r->unsupported) {
		*why = r->unsupported_why;
		return SLUICE_RT_KERNEL;
	}
	if (r->n_nh == 0) {
		*why = r->nh_id ? "nexthop object not resolved" : "no nexthop";
		return SLUICE_RT_KERNEL;
	}
	for (int i = 0; i < r->n_nh; i++) {
		if (!r->nh[i].ifindex) {
			*why = "nexthop without an interface";
			return SLUICE_RT_KERNEL;
		}
		total += r->nh[i].weight ? r->nh[i].weight : 1;
	}
	if (r->n_nh > SLUICE_MAX_ECMP) {
		*why = "more nexthops than SLUICE_MAX_ECMP";
		return SLUICE_RT_KERNEL;
	}
	/* Weighted ECMP: repeat each member weight times while the group
	 * fits; otherwise treat them as equal (documented). */
	if (total <= SLUICE_MAX_ECMP) {
		for (int i = 0; i < r->n_nh; i++)
			for (int w = 0;
			     w < (r->nh[i].weight ? r->nh[i].weight : 1); w++)
				fill_nh(&g->nh[g->count++], &r->nh[i]);
	} else {
		for (int i = 0; i < r->n_nh; i++)
			fill_nh(&g->nh[g->count++], &r->nh[i]);
	}
	return SLUICE_RT_FORWARD;
}
