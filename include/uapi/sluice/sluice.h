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
/* load balancer */
#ifndef SLUICE_LB_MAX_VIPS
#define SLUICE_LB_MAX_VIPS 256		/* VIP ids 1..MAX-1 */
#endif
#ifndef SLUICE_LB_MAX_BACKENDS
#define SLUICE_LB_MAX_BACKENDS 4096	/* backend ids 1..MAX-1, all VIPs */
#endif
#ifndef SLUICE_LB_MAX_RING
#define SLUICE_LB_MAX_RING 655373	/* largest Maglev table size M */
#endif
#ifndef SLUICE_LB_DEFAULT_RING
#define SLUICE_LB_DEFAULT_RING 65537
#endif
#ifndef SLUICE_LB_MAX_FLOWS
#define SLUICE_LB_MAX_FLOWS 131072	/* LRU flow table entries (load-time) */
#endif
#ifndef SLUICE_MAX_LOCAL_ADDRS
#define SLUICE_MAX_LOCAL_ADDRS 1024	/* decap: addresses of this host */
#endif

/*
 * Every verdict the XDP program takes is counted under one reason.  The list
 * is an X-macro so that the enum, the metric labels and the CLI names come
 * from one place.  Order matters: forwards, then passes, then drops.
 */
#define SLUICE_REASONS(X)                                                      \
	X(FWD_REDIRECT, "fwd_redirect")     /* forwarded to another port */    \
	X(FWD_TX, "fwd_tx")                 /* forwarded out of ingress port */ \
	X(FWD_LB, "fwd_lb")                 /* VIP: encapsulated to a backend */ \
	X(FWD_LB_TX, "fwd_lb_tx")           /* ... out of the ingress port */  \
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
	X(DROP_ADJUST, "drop_adjust")       /* could not push/pop a VLAN tag */ \
	X(DROP_LB_NO_BACKEND, "drop_lb_no_backend") /* empty Maglev slot */    \
	X(DROP_LB_NO_SOURCE, "drop_lb_no_source") /* no outer source set */    \
	X(DROP_LB_NO_ROUTE, "drop_lb_no_route") /* backend unreachable */      \
	X(DROP_LB_TOO_BIG, "drop_lb_too_big") /* answered with ICMP too big */

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

/* ---- load balancer ----------------------------------------------------------
 * A VIP is address + protocol + port (port 0: all ports).  Its Maglev table
 * is an inner ARRAY map of ring_size __u32 backend ids in lb_rings (an
 * ARRAY_OF_MAPS indexed by vip_id); id 0 means "unset" and is dropped.
 * Backends live in lb_backends (ARRAY indexed by backend id), shared by all
 * VIPs.  lb_flows (LRU_HASH) remembers flow -> backend.
 */
#define SLUICE_VIP_GRE 0x1		/* GRE instead of IPIP encapsulation */
#define SLUICE_VIP_HASH_SRC 0x2		/* hash the source address only */

struct sluice_vip_key {
	__u8 addr[16];			/* v4 in the first 4 bytes */
	__be16 port;			/* 0 = every port */
	__u8 proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;			/* AF_INET or AF_INET6 */
};

struct sluice_vip {
	__u32 vip_id;			/* 1..SLUICE_LB_MAX_VIPS-1 */
	__u32 ring_size;		/* M: prime, <= SLUICE_LB_MAX_RING */
	__u16 flags;			/* SLUICE_VIP_* */
	__u16 pad;
	__u32 pad2;
};

#define SLUICE_BE_DOWN 0x1		/* health check failed: flows rehash */

struct sluice_backend {
	__u8 addr[16];
	__u8 family;			/* AF_INET or AF_INET6; 0 = unset */
	__u8 flags;			/* SLUICE_BE_* */
	__u16 pad;
	__u32 pad2;
};

struct sluice_flow_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
};

struct sluice_flow {
	__u32 backend_id;
	__u32 vip_id;
	__u64 last_seen_ns;		/* bpf_ktime_get_ns() */
};

/* lb_vip_count: ARRAY with one __u32, never below the number of entries in
 * lb_vips (lib/dp raises it before an insert and sets it exactly after
 * every change): at 0 the data path skips the VIP lookup altogether. */

/* lb_config: ARRAY with one entry, written by the control plane */
struct sluice_lb_config {
	__u8 src4[4];			/* outer source base, a /24: the last
					 * byte varies per flow (1..254) */
	__u8 src6[16];			/* outer source base, a /96: the last
					 * 32 bits vary per flow */
	__u32 flow_idle_timeout_s;	/* 0 = LRU eviction only */
	__u8 have_src4;
	__u8 have_src6;
	__u16 pad;
};

/* lb_vip_stats: PERCPU_ARRAY by vip_id; lb_backend_stats: by backend id */
struct sluice_lb_counter {
	__u64 packets;
	__u64 bytes;
	__u64 new_flows;		/* Maglev picked (miss, SYN, rehash) */
	__u64 flow_hits;		/* the flow table answered */
	__u64 drops;			/* no backend, too big, no route */
	__u64 too_big;			/* ICMP too big sent back */
};

/* decap (backend side): local_addrs HASH, key = this host's address */
struct sluice_addr_key {
	__u8 addr[16];
	__u8 family;
	__u8 pad[3];
};

#define SLUICE_DECAP_REASONS(X)                                                \
	X(DECAP_IPIP, "decap_ipip")         /* IPIP/IP6IP6/4in6/6in4 removed */ \
	X(DECAP_GRE, "decap_gre")           /* GRE removed */                   \
	X(PASS_NOT_ENCAP, "pass_not_encap") /* plain traffic: the stack's */   \
	X(PASS_NOT_LOCAL, "pass_not_local") /* tunnel not addressed to us */   \
	X(PASS_GRE_OPTIONS, "pass_gre_options") /* key/seq/csum: kernel's */   \
	X(DROP_TRUNC, "drop_trunc")         /* truncated outer or inner */     \
	X(DROP_BAD_INNER, "drop_bad_inner") /* inner version/proto mismatch */

#define SLUICE_DECAP_ENUM_(id, name) SLUICE_##id,
enum sluice_decap_reason {
	SLUICE_DECAP_REASONS(SLUICE_DECAP_ENUM_)
	SLUICE_DECAP_REASON_MAX
};
#undef SLUICE_DECAP_ENUM_
/* decap_stats: PERCPU_ARRAY by decap reason, struct sluice_counter */

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
_Static_assert(sizeof(struct sluice_vip_key) == 20, "vip key");
_Static_assert(sizeof(struct sluice_vip) == 16, "vip");
_Static_assert(sizeof(struct sluice_backend) == 24, "backend");
_Static_assert(sizeof(struct sluice_flow_key) == 40, "flow key");
_Static_assert(sizeof(struct sluice_flow) == 16, "flow");
_Static_assert(sizeof(struct sluice_lb_config) == 28, "lb config");
_Static_assert(sizeof(struct sluice_lb_counter) == 48, "lb counter");
_Static_assert(sizeof(struct sluice_addr_key) == 20, "addr key");

#endif /* SLUICE_UAPI_SLUICE_H */
