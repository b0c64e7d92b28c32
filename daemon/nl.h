/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Netlink messages → plain structs.  Pure functions, no sockets, so the
 * translation is unit-tested from raw message bytes.
 */
#ifndef SLUICED_NL_H
#define SLUICED_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <uapi/sluice/sluice.h>

#define NL_MAX_NH 32 /* nexthops parsed per route */

struct nl_nh {
	uint32_t ifindex;
	uint8_t gw_family; /* 0 = on-link */
	uint8_t weight;	   /* rtnh_hops + 1 */
	uint8_t gw[16];
};

struct nl_route {
	uint8_t family;
	uint8_t dst_len;
	uint8_t tos;
	uint8_t type;	  /* RTN_* */
	uint8_t protocol; /* RTPROT_* */
	uint8_t scope;
	uint32_t table;
	uint32_t priority; /* metric */
	uint32_t flags;	   /* rtm_flags */
	uint8_t dst[16];
	uint32_t nh_id; /* RTA_NH_ID: a kernel nexthop object */
	int n_nh;
	struct nl_nh nh[NL_MAX_NH];
	bool unsupported; /* RTA_VIA, source routes, ... */
	const char *unsupported_why;
};

struct nl_link {
	uint32_t ifindex;
	char name[16];
	uint8_t mac[6];
	bool has_mac;
	uint32_t mtu;
	uint32_t flags;	 /* IFF_* */
	uint32_t parent; /* IFLA_LINK */
	bool is_vlan;
	uint16_t vlan_id;
	bool vlan_8021q; /* not 802.1ad */
	bool is_veth;	 /* IFLA_INFO_KIND "veth" */
};

struct nl_neigh {
	uint32_t ifindex;
	uint8_t family;
	uint8_t addr[16];
	uint8_t mac[6];
	bool has_mac;
	uint16_t state;	    /* NUD_* */
	uint8_t flags;	    /* NTF_* */
	uint8_t protocol;   /* NDA_PROTOCOL: who made it (0: the kernel) */
	uint32_t flags_ext; /* NDA_FLAGS_EXT: NTF_EXT_MANAGED... */
};

/* A kernel nexthop object (RTM_NEWNEXTHOP): one gateway/interface, or a
 * group of other objects with weights, or a blackhole. */
struct nl_nexthop {
	uint32_t id;
	uint8_t family; /* of the gateway; AF_UNSPEC for groups */
	bool blackhole;
	bool dead; /* RTNH_F_DEAD or RTNH_F_LINKDOWN */
	bool has_gw;
	uint32_t oif;
	uint8_t gw[16];
	int n_grp;
	struct {
		uint32_t id;
		uint8_t weight; /* 1..256 is stored as 0..255 + 1 */
	} grp[NL_MAX_NH];
};

/* 0 on success, -EINVAL on a malformed message, -ENOENT when the message is
 * not one we mirror (another family, a cloned route...). */
int nl_parse_route(const struct nlmsghdr *nlh, struct nl_route *r);
int nl_parse_link(const struct nlmsghdr *nlh, struct nl_link *l);
int nl_parse_neigh(const struct nlmsghdr *nlh, struct nl_neigh *n);
int nl_parse_nexthop(const struct nlmsghdr *nlh, struct nl_nexthop *nh);

/* A neighbour the data path may use: has a MAC, not failed/incomplete,
 * and a unicast address.  A multicast one (ff02::16 on every IPv6 link,
 * 224.0.0.22: the kernel's NOARP entries for the groups it joined) is never
 * a next hop, since the data path passes multicast to the kernel
 * (pass_multicast): mirrored, it would only take room in the map. */
bool nl_neigh_usable(const struct nl_neigh *n);
const char *nl_neigh_state_name(uint16_t state);

/* Route → data-path translation: the route type, and when it forwards, the
 * next-hop group (weights expanded into repeated members while they fit).
 * Returns SLUICE_RT_*; *why says why a route is left to the kernel. */
int nl_route_translate(const struct nl_route *r, struct sluice_nhg *g,
		       const char **why);

#endif
