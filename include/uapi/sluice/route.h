/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The router's maps: routes (LPM), next-hop groups, neighbours, the ports
 * sluice manages and their VLAN subinterfaces.
 */
#ifndef SLUICE_UAPI_ROUTE_H
#define SLUICE_UAPI_ROUTE_H

#include <linux/types.h>
#include "limits.h"

/* routes_v4 / routes_v6: BPF_MAP_TYPE_LPM_TRIE */
struct sluice_lpm4_key {
	__u32 prefixlen;
	__u8 addr[4]; /* network order */
};

struct sluice_lpm6_key {
	__u32 prefixlen;
	__u8 addr[16]; /* network order */
};

/* sluice_route.type */
#define SLUICE_RT_FORWARD 1 /* forward through nhg_id */
#define SLUICE_RT_LOCAL 2   /* one of our addresses: hand to the stack */
#define SLUICE_RT_KERNEL 3  /* blackhole/unreachable/...: kernel answers */

struct sluice_route {
	__u32 nhg_id; /* key into nhgs when type == FORWARD */
	__u8 type;    /* SLUICE_RT_* */
	__u8 pad[3];
};

/* One next hop.  family 0 means "on-link": the neighbour is the packet's
 * own destination (a connected route). */
struct sluice_nh {
	__u32 ifindex; /* egress (may be a VLAN subinterface) */
	__u8 family;   /* 0, AF_INET or AF_INET6 */
	__u8 pad[3];
	__u8 gw[16]; /* v4 in the first 4 bytes */
};

/* nhgs: BPF_MAP_TYPE_HASH, key __u32 group id (0 is never used) */
struct sluice_nhg {
	__u32 count; /* 1..SLUICE_MAX_ECMP */
	__u32 pad;
	struct sluice_nh nh[SLUICE_MAX_ECMP];
};

/* neighbors: BPF_MAP_TYPE_HASH */
struct sluice_neigh_key {
	__u32 ifindex;
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 pad[3];
	__u8 addr[16];
};

struct sluice_neigh {
	__u8 mac[6];
	__u8 pad[2];
};

/* ifaces: BPF_MAP_TYPE_HASH, key __u32 ifindex (physical or VLAN) */
#define SLUICE_IF_VLAN 0x1 /* a VLAN subinterface of parent */
#define SLUICE_IF_VETH                                                         \
	0x2 /* a veth: "back out the same port" is a
					 * devmap redirect, see bpf/lib/emit.h */

/* sluiced is starting with nothing pinned: the port's packets go to the
 * kernel (pass_not_ready) until its firewall, VIPs and NAT are loaded, as
 * they went before sluiced ran; a restart that adopts its maps has them
 * loaded already and never sets it */
#define SLUICE_IF_HOLD 0x4

struct sluice_iface {
	__u8 mac[6];
	__u16 mtu;	      /* L3 MTU */
	__u32 slot;	      /* counter slot, 1..SLUICE_MAX_IFACES-1 */
	__u16 vlan_id;	      /* when SLUICE_IF_VLAN */
	__u16 flags;	      /* SLUICE_IF_* */
	__u32 parent_ifindex; /* when SLUICE_IF_VLAN */
	__u8 addr4[4];	      /* primary IPv4 address, 0 if none */
	__u8 addr6[16];	      /* a global IPv6 address, 0 if none */
};

/* port_cache: BPF_MAP_TYPE_ARRAY (BPF_F_MMAPABLE) of SLUICE_PORT_CACHE
 * entries, index ifindex % SLUICE_PORT_CACHE.  A copy of one port's ifaces
 * entry per index, so the packet path finds its ingress port with an array
 * read; a port whose index another port holds is looked up in ifaces.
 * lib/dp writes it (ifindex 0 first, the copy, then the ifindex). */
#ifndef SLUICE_PORT_CACHE
#define SLUICE_PORT_CACHE 256
#endif
struct sluice_port_cache {
	__u32 ifindex; /* 0: empty */
	__u32 pad;
	struct sluice_iface iface;
};

/* vlans: BPF_MAP_TYPE_HASH, value __u32 ifindex of the subinterface */
struct sluice_vlan_key {
	__u32 parent_ifindex;
	__u16 vlan_id;
	__u16 pad;
};

/* tx_ports: BPF_MAP_TYPE_DEVMAP_HASH, key __u32 ifindex, value __u32 ifindex */

_Static_assert(sizeof(struct sluice_lpm4_key) == 8, "lpm4 key");
_Static_assert(sizeof(struct sluice_lpm6_key) == 20, "lpm6 key");
_Static_assert(sizeof(struct sluice_route) == 8, "route");
_Static_assert(sizeof(struct sluice_nh) == 24, "nh");
_Static_assert(sizeof(struct sluice_nhg) == 8 + 24 * SLUICE_MAX_ECMP, "nhg");
_Static_assert(sizeof(struct sluice_neigh_key) == 24, "neigh key");
_Static_assert(sizeof(struct sluice_neigh) == 8, "neigh");
_Static_assert(sizeof(struct sluice_iface) == 40, "iface");
_Static_assert(sizeof(struct sluice_vlan_key) == 8, "vlan key");
_Static_assert(sizeof(struct sluice_port_cache) == 48, "port cache");

#endif /* SLUICE_UAPI_ROUTE_H */
