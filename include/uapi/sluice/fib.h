/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The compiled forwarding table: what the packet path reads instead of the
 * LPM tries and the nhgs/neighbors/ifaces hashes.  The control plane
 * (lib/dp) compiles routes_v4/routes_v6, nhgs, neighbors and ifaces (still
 * the source of truth for the API and for restarts) into these arrays.
 *
 * Route lookup: a multibit trie in two array maps per family, a root of
 * 1 << 24 entries indexed by the address's first 24 bits and groups of
 * 256 entries, each indexed by the next 8 bits.  IPv4 is DIR-24-8 (at most
 * two reads); IPv6 takes at most 1 + 13 reads, 4 for a /48.  Prefixes are
 * expanded into every entry they cover (leaf pushing), so the walk stops
 * at the first entry that is not a link to a group.
 *
 * Next hops: a route's target names a dense fib_nhgs entry whose members
 * index fib_nhs, where each next hop is resolved into everything the
 * packet needs (egress, MACs, MTU).  A neighbour change rewrites one
 * fib_nhs entry; a port change, the entries of that port.
 *
 * User space reads the same tables through sluiced's pins: lib/fibread
 * (docs/forwarding-table.md, "Reading the table from user space").  The
 * writer's order makes that safe without a lock: each entry, count and
 * member is one aligned 32-bit store, a neighbour's MAC and state one
 * 64-bit store, and whatever a store links to is complete before it.
 */
#ifndef SLUICE_UAPI_FIB_H
#define SLUICE_UAPI_FIB_H

#include <linux/types.h>
#include "limits.h"

#ifndef SLUICE_FIB4_GROUPS
#define SLUICE_FIB4_GROUPS 16384 /* fib4_groups: 256-entry groups (load-time) */
#endif
#ifndef SLUICE_FIB6_GROUPS
#define SLUICE_FIB6_GROUPS 65536 /* fib6_groups (load-time) */
#endif
#ifndef SLUICE_FIB_MAX_NHS
#define SLUICE_FIB_MAX_NHS 65536 /* fib_nhs: distinct resolved next hops */
#endif

#define SLUICE_FIB_ROOT_BITS 24
#define SLUICE_FIB_ROOT_SIZE (1u << SLUICE_FIB_ROOT_BITS)
#define SLUICE_FIB_GROUP_BITS 8
#define SLUICE_FIB_GROUP_SIZE (1u << SLUICE_FIB_GROUP_BITS)

/*
 * fib4_root, fib6_root: BPF_MAP_TYPE_ARRAY (BPF_F_MMAPABLE) of
 * SLUICE_FIB_ROOT_SIZE / 256 blocks; fib4_groups, fib6_groups: one block
 * per group.  A block, not a __u32, is the map's value because an array
 * map strides its values by 8 bytes: 256 entries a value keep the mmapped
 * memory one flat __u32 array (root entry i is word i; group g's entry j
 * is word g * 256 + j) at 4 bytes an entry, and each level of the walk
 * indexes one block by one byte of the address.
 */
struct sluice_fib_block {
	__u32 e[SLUICE_FIB_GROUP_SIZE];
};

/*
 * An entry of fib4_root, fib4_groups, fib6_root, fib6_groups: one __u32.
 *   SLUICE_FIB_EXT set:  the low 31 bits index a group (its entries are
 *                        groups[index * 256 + next 8 bits of the address])
 *   otherwise:           bits 20-27 the length of the prefix that wrote
 *                        the entry (the control plane's bookkeeping; the
 *                        packet path ignores it), bits 0-19 the target.
 * An entry of 0 is "no route".
 */
#define SLUICE_FIB_EXT 0x80000000u
#define SLUICE_FIB_DEPTH_SHIFT 20
#define SLUICE_FIB_DEPTH_MASK 0xffu
#define SLUICE_FIB_TARGET_MASK 0xfffffu

/* Targets */
#define SLUICE_FIB_NONE 0   /* no route */
#define SLUICE_FIB_LOCAL 1  /* SLUICE_RT_LOCAL: hand to the stack */
#define SLUICE_FIB_KERNEL 2 /* SLUICE_RT_KERNEL: the kernel answers */
#define SLUICE_FIB_NO_NHG 3 /* SLUICE_RT_FORWARD without a group: no route */
#define SLUICE_FIB_NHG0 16  /* SLUICE_FIB_NHG0 + i: fib_nhgs[i] */

#define sluice_fib_entry(target, depth)                                        \
	((__u32)(target) | ((__u32)(depth) << SLUICE_FIB_DEPTH_SHIFT))
#define sluice_fib_target(e) ((e)&SLUICE_FIB_TARGET_MASK)
#define sluice_fib_depth(e)                                                    \
	(((e) >> SLUICE_FIB_DEPTH_SHIFT) & SLUICE_FIB_DEPTH_MASK)

/* fib_nhgs: BPF_MAP_TYPE_ARRAY, SLUICE_MAX_NHGS entries */
struct sluice_fib_nhg {
	__u32 count; /* members; 0: no usable group (PASS_NO_ROUTE) */
	__u32 id;    /* the nhgs key it was compiled from; 0: unused */
	__u32 nh[SLUICE_MAX_ECMP]; /* indices into fib_nhs */
};

/* sluice_fib_nh.flags */
/* the entry holds a next hop; a freed entry keeps it (and this flag)
 * until its index is reused, so a packet that read the index just before
 * still gets a valid answer */
#define SLUICE_NH_USED 0x1
#define SLUICE_NH_MANAGED 0x2 /* the egress is one of our ports */
/* no gateway: the neighbour is the packet's own destination, looked up in
 * neighbors (the one hash lookup left on the path: connected hosts) */
#define SLUICE_NH_ONLINK 0x4

/* sluice_fib_nh.neigh: the neighbour's MAC in bytes 0-5 (memory order)
 * and SLUICE_NH_RESOLVED in the top 16 bits; one aligned 64-bit word, so
 * a neighbour change is a single store the packet path reads whole. */
#define SLUICE_NH_RESOLVED 0x1
#define SLUICE_NH_STATE_SHIFT 48

/* fib_nhs: BPF_MAP_TYPE_ARRAY, SLUICE_FIB_MAX_NHS entries; one per
 * distinct (ifindex, family, gw), shared by every group using it.
 * Entry 0 is never allocated: a member of 0 is "unresolved". */
struct sluice_fib_nh {
	__u64 neigh;	  /* MAC | SLUICE_NH_RESOLVED << 48 */
	__u16 flags;	  /* SLUICE_NH_* */
	__u16 port_flags; /* the egress port's SLUICE_IF_* */
	__u16 mtu;	  /* the egress port's L3 MTU */
	__u16 vlan_id;	  /* when port_flags has SLUICE_IF_VLAN */
	__u32 ifindex;	  /* logical egress (maybe a VLAN) */
	__u32 tx_ifindex; /* the port the frame leaves by */
	__u32 slot;	  /* the egress port's counter slot */
	__u8 smac[6];	  /* the egress port's */
	__u8 family;	  /* of gw: AF_INET, AF_INET6; 0 when ONLINK */
	__u8 pad;
	__u8 gw[16]; /* v4 in the first 4 bytes */
};

_Static_assert(sizeof(struct sluice_fib_nhg) == 8 + 4 * SLUICE_MAX_ECMP,
	       "fib nhg");
_Static_assert(sizeof(struct sluice_fib_nh) == 56, "fib nh");

#endif /* SLUICE_UAPI_FIB_H */
