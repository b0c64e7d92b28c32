/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The contract between the sluice data path (BPF) and its control plane.
 *
 * Every map key and value that both sides touch is declared here and only
 * here.  Fixed-width types, byte order in the name (addresses are kept as
 * network-order byte arrays), explicit padding, and a size assert on every
 * struct so that both the BPF (clang -target bpf) and the user-space (gcc)
 * builds check the same layout.  No bool, int or enum inside map values.
 */
#ifndef SLUICE_UAPI_SLUICE_H
#define SLUICE_UAPI_SLUICE_H

#include <linux/types.h>

/* ---- compile-time limits (override with -D at build time) ---------------- */
#ifndef SLUICE_MAX_ECMP
#define SLUICE_MAX_ECMP 8		/* members of one next-hop group */
#endif
#ifndef SLUICE_MAX_IFACES
#define SLUICE_MAX_IFACES 64		/* counter slots; slot 0 = unknown */
#endif
#ifndef SLUICE_MAX_ROUTES_V4
#define SLUICE_MAX_ROUTES_V4 2097152	/* LPM tries are not preallocated */
#endif
#ifndef SLUICE_MAX_ROUTES_V6
#define SLUICE_MAX_ROUTES_V6 1048576
#endif
#ifndef SLUICE_MAX_NHGS
#define SLUICE_MAX_NHGS 65536
#endif
#ifndef SLUICE_MAX_NEIGHS
#define SLUICE_MAX_NEIGHS 65536
#endif
#ifndef SLUICE_MAX_VLANS
#define SLUICE_MAX_VLANS 4096
#endif

/*
 * Every verdict the XDP program takes is counted under one reason.  The list
 * is an X-macro so that the enum, the metric labels and the CLI names come
 * from one place.  Order matters: forwards, then passes, then drops.
 */
#define SLUICE_REASONS(X)                                                      \
	X(FWD_REDIRECT, "fwd_redirect")     /* forwarded to another port */    \
	X(FWD_TX, "fwd_tx")                 /* forwarded out of ingress port */ \
	X(PASS_NOT_IP, "pass_not_ip")       /* ARP, LLDP, other ethertypes */  \
	X(PASS_ND, "pass_nd")               /* ICMPv6 RS/RA/NS/NA/redirect */  \
	X(PASS_UNMANAGED_IF, "pass_unmanaged_if") /* ingress not configured */ \
	X(PASS_VLAN_UNKNOWN, "pass_vlan_unknown") /* no subinterface for VID */ \
	X(PASS_OTHER_HOST, "pass_other_host") /* dst MAC is not ours */        \
	X(PASS_MULTICAST, "pass_multicast") /* L2/L3 multicast, broadcast */   \
	X(PASS_LINK_LOCAL, "pass_link_local") /* 169.254/16, fe80::/10 */      \
	X(PASS_IP_OPTIONS, "pass_ip_options") /* IPv4 options, v6 hop-by-hop */ \
	X(PASS_FRAGMENT, "pass_fragment")   /* kernel reassembles / forwards */ \
	X(PASS_LOCAL, "pass_local")         /* to one of our own addresses */  \
	X(PASS_NO_ROUTE, "pass_no_route")   /* kernel sends unreachable */     \
	X(PASS_KERNEL_ROUTE, "pass_kernel_route") /* blackhole, prohibit.. */  \
	X(PASS_TTL, "pass_ttl")             /* kernel sends time exceeded */   \
	X(PASS_NO_NEIGH, "pass_no_neigh")   /* kernel resolves the neighbour */ \
	X(PASS_EGRESS_UNMANAGED, "pass_egress_unmanaged") /* not our port */   \
	X(PASS_MTU, "pass_mtu")             /* kernel fragments / sends PTB */ \
	X(DROP_TRUNC_ETH, "drop_trunc_eth")                                    \
	X(DROP_TRUNC_VLAN, "drop_trunc_vlan")                                  \
	X(DROP_TRUNC_IP4, "drop_trunc_ip4")                                    \
	X(DROP_TRUNC_IP6, "drop_trunc_ip6")                                    \
	X(DROP_TRUNC_L4, "drop_trunc_l4")                                      \
	X(DROP_BAD_VERSION, "drop_bad_version")                                \
	X(DROP_BAD_IHL, "drop_bad_ihl")                                        \
	X(DROP_BAD_LEN, "drop_bad_len")                                        \
	X(DROP_BAD_CSUM, "drop_bad_csum")                                      \
	X(DROP_REDIRECT, "drop_redirect")   /* devmap lost the port (race) */  \
	X(DROP_ADJUST, "drop_adjust")       /* could not push/pop a VLAN tag */

#define SLUICE_REASON_ENUM_(id, name) SLUICE_##id,
enum sluice_reason {
	SLUICE_REASONS(SLUICE_REASON_ENUM_)
	SLUICE_REASON_MAX
};
#undef SLUICE_REASON_ENUM_

#define SLUICE_REASON_FIRST_PASS SLUICE_PASS_NOT_IP
#define SLUICE_REASON_FIRST_DROP SLUICE_DROP_TRUNC_ETH

/* ---- maps ------------------------------------------------------------------ */

/* routes_v4 / routes_v6: BPF_MAP_TYPE_LPM_TRIE */
struct sluice_lpm4_key {
	__u32 prefixlen;
	__u8 addr[4];			/* network order */
};

struct sluice_lpm6_key {
	__u32 prefixlen;
	__u8 addr[16];			/* network order */
};

/* sluice_route.type */
#define SLUICE_RT_FORWARD 1	/* forward through nhg_id */
#define SLUICE_RT_LOCAL 2	/* one of our addresses: hand to the stack */
#define SLUICE_RT_KERNEL 3	/* blackhole/unreachable/...: kernel answers */

struct sluice_route {
	__u32 nhg_id;			/* key into nhgs when type == FORWARD */
	__u8 type;			/* SLUICE_RT_* */
	__u8 pad[3];
};

/* One next hop.  family 0 means "on-link": the neighbour is the packet's
 * own destination (a connected route). */
struct sluice_nh {
	__u32 ifindex;			/* egress (may be a VLAN subinterface) */
	__u8 family;			/* 0, AF_INET or AF_INET6 */
	__u8 pad[3];
	__u8 gw[16];			/* v4 in the first 4 bytes */
};

/* nhgs: BPF_MAP_TYPE_HASH, key __u32 group id (0 is never used) */
struct sluice_nhg {
	__u32 count;			/* 1..SLUICE_MAX_ECMP */
	__u32 pad;
	struct sluice_nh nh[SLUICE_MAX_ECMP];
};

/* neighbors: BPF_MAP_TYPE_HASH */
struct sluice_neigh_key {
	__u32 ifindex;
	__u8 family;			/* AF_INET or AF_INET6 */
	__u8 pad[3];
	__u8 addr[16];
};

struct sluice_neigh {
	__u8 mac[6];
	__u8 pad[2];
};

/* ifaces: BPF_MAP_TYPE_HASH, key __u32 ifindex (physical or VLAN) */
#define SLUICE_IF_VLAN 0x1		/* a VLAN subinterface of parent */

struct sluice_iface {
	__u8 mac[6];
	__u16 mtu;			/* L3 MTU */
	__u32 slot;			/* counter slot, 1..SLUICE_MAX_IFACES-1 */
	__u16 vlan_id;			/* when SLUICE_IF_VLAN */
	__u16 flags;			/* SLUICE_IF_* */
	__u32 parent_ifindex;		/* when SLUICE_IF_VLAN */
	__u32 pad;
};

/* vlans: BPF_MAP_TYPE_HASH, value __u32 ifindex of the subinterface */
struct sluice_vlan_key {
	__u32 parent_ifindex;
	__u16 vlan_id;
	__u16 pad;
};

/* stats: BPF_MAP_TYPE_PERCPU_ARRAY, index slot * SLUICE_REASON_MAX + reason */
struct sluice_counter {
	__u64 packets;
	__u64 bytes;
};

#define SLUICE_STATS_ENTRIES (SLUICE_MAX_IFACES * SLUICE_REASON_MAX)

/* tx_ports: BPF_MAP_TYPE_DEVMAP_HASH, key __u32 ifindex, value __u32 ifindex */

_Static_assert(sizeof(struct sluice_lpm4_key) == 8, "lpm4 key");
_Static_assert(sizeof(struct sluice_lpm6_key) == 20, "lpm6 key");
_Static_assert(sizeof(struct sluice_route) == 8, "route");
_Static_assert(sizeof(struct sluice_nh) == 24, "nh");
_Static_assert(sizeof(struct sluice_nhg) == 8 + 24 * SLUICE_MAX_ECMP, "nhg");
_Static_assert(sizeof(struct sluice_neigh_key) == 24, "neigh key");
_Static_assert(sizeof(struct sluice_neigh) == 8, "neigh");
_Static_assert(sizeof(struct sluice_iface) == 24, "iface");
_Static_assert(sizeof(struct sluice_vlan_key) == 8, "vlan key");
_Static_assert(sizeof(struct sluice_counter) == 16, "counter");

#endif /* SLUICE_UAPI_SLUICE_H */
