/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A read-only view of the compiled forwarding table (uapi/sluice/fib.h)
 * that sluiced keeps for the XDP path: the same pinned maps, opened by
 * path, the route arrays and next hops mmapped read-only, the same walk
 * and the same ECMP choice as bpf/lib/fib.h and bpf/lib/route.h.  A
 * user-space data path routes with it instead of mirroring netlink a
 * second time, so it cannot disagree with XDP about where a packet goes.
 *
 * Safe while sluiced writes the maps: the writer stores every table entry,
 * group count and member as one aligned 32-bit release store, fills a
 * group (of the trie or of next hops) before the store that links it, and
 * writes a neighbour's MAC and resolved bit as one 64-bit store; the
 * reader loads each of those words once, with acquire.  A lookup therefore
 * follows either the link before a change or the one after, each pointing
 * at complete contents: it returns the old answer or the new one, never a
 * mix of entries (docs/forwarding-table.md, "Reading the table from user
 * space").  A port's MTU and MAC are separate stores, as for XDP.
 *
 * Any number of readers, in any process; a struct fibread is read-only
 * once open, so threads may share it.
 */
#ifndef SLUICE_FIBREAD_H
#define SLUICE_FIBREAD_H

#include <stddef.h>
#include <linux/types.h>

struct fibread;

/*
 * Opens the fib4_root, fib4_groups, fib6_root, fib6_groups, fib_nhgs,
 * fib_nhs and neighbors maps pinned in @pin_dir (sluiced's pin_dir) with
 * bpf_obj_get, read-only.  0, or -errno: -ENOENT (a map is not pinned),
 * -EPROTO (a map's type or sizes are not this build's layout), -EACCES,
 * -ENOMEM.  @err (may be NULL) names the map and the cause.
 */
int fibread_open(struct fibread **out, const char *pin_dir, char *err,
		 size_t errlen);
void fibread_close(struct fibread *r);

/*
 * Whether the pins still name the maps @r reads: 0 yes; 1 when a pin is
 * gone or names another map (sluiced rebuilt the table into new maps: a
 * pool size or layout change at its start, or a full teardown), and @r
 * must be closed and opened again; -errno when a pin cannot be read.
 * Cheap (a bpf_obj_get per map): call it now and then, not per packet.
 */
int fibread_stale(const struct fibread *r);

/* A packet's flow as the XDP parser sees it (bpf/lib/l3.h l3_info). */
struct fibread_flow {
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 proto;  /* L4 protocol (v6: the first next header) */
	__u16 pad;
	/* the L4 header's first 4 bytes loaded as one word, as XDP does
	 * (on a little-endian host: htons(sport) | htons(dport) << 16); 0
	 * for protocols other than TCP and UDP */
	__u32 ports;
	__u8 saddr[16]; /* v4 in the first 4 bytes, the rest 0 */
	__u8 daddr[16];
};

/* The flow hash XDP picks an ECMP member with (uapi/sluice/flow_hash.h). */
__u32 fibread_flow_hash(const struct fibread_flow *f);

/* fibread_hop.flags */
/* XDP hands the packet to the kernel (XDP_PASS); set with one of: */
#define FIBREAD_PUNT 0x1
#define FIBREAD_NO_ROUTE 0x2	/* no route, or a group with no member */
#define FIBREAD_LOCAL 0x4	/* a local route: the host's own address */
#define FIBREAD_KERNEL 0x8	/* a route only the kernel handles */
#define FIBREAD_UNRESOLVED 0x10 /* the next hop has no neighbour (yet) */
#define FIBREAD_UNMANAGED 0x20	/* the egress is not one of sluice's ports */
/* with or without FIBREAD_PUNT: the neighbour is the destination itself */
#define FIBREAD_ONLINK 0x40

/* What the XDP path decides about a destination's route. */
struct fibread_hop {
	/* SLUICE_FWD_REDIRECT when the packet is forwarded, else the
	 * SLUICE_PASS_* reason XDP counts it under (NO_ROUTE, LOCAL,
	 * KERNEL_ROUTE, NO_NEIGH, EGRESS_UNMANAGED); packet checks (TTL, MTU,
	 * the firewall) are the caller's */
	int reason;
	__u32 flags;  /* FIBREAD_* */
	__u32 target; /* the table's SLUICE_FIB_* target */
	/* when the target is a group (target >= SLUICE_FIB_NHG0) */
	__u32 nhg;    /* fib_nhgs index */
	__u32 nhg_id; /* the next-hop group id it was compiled from */
	__u32 count;  /* its members when read */
	__u32 member; /* the one the flow hash chose */
	__u32 nh;     /* its fib_nhs index */
	/* when a next hop was read (nh != 0) */
	__u32 ifindex;	  /* logical egress (maybe a VLAN) */
	__u32 tx_ifindex; /* the port the frame leaves by */
	__u16 vlan_id;	  /* when port_flags has SLUICE_IF_VLAN */
	__u16 port_flags; /* SLUICE_IF_* */
	__u16 mtu;	  /* the egress's L3 MTU */
	__u8 dmac[6];	  /* the neighbour's (when forwarded) */
	__u8 smac[6];	  /* the egress port's */
};

/*
 * The route for @dst (4 or 16 bytes, network order) and, for a group, the
 * member @hash picks (fibread_flow_hash(), or any spread for tools).
 * Fills @h and returns 0 whatever the decision (h->reason); -errno only
 * when reading the neighbour of an on-link next hop fails.
 */
int fibread_lookup4(const struct fibread *r, const __u8 *dst, __u32 hash,
		    struct fibread_hop *h);
int fibread_lookup6(const struct fibread *r, const __u8 *dst, __u32 hash,
		    struct fibread_hop *h);
/* Either, for @f's family, with @f's flow hash. */
int fibread_lookup(const struct fibread *r, const struct fibread_flow *f,
		   struct fibread_hop *h);

/*
 * Next hop fib_nhs[@nh] alone, as a lookup that chose it reads it (one
 * code path): for a packet to @dst (@family's 4 or 16 bytes, which an
 * on-link next hop's neighbour is looked up by).  Fills @h's nh and next-
 * hop fields (target, group and member stay 0) and returns 0 whatever the
 * decision: h->reason SLUICE_FWD_REDIRECT, or PASS_NO_NEIGH (the entry is
 * unused or out of range, or its neighbour is gone) or
 * PASS_EGRESS_UNMANAGED.  -errno as fibread_lookup4; -EAFNOSUPPORT for a
 * family other than AF_INET and AF_INET6.  ip-rewrite re-reads the next
 * hop ip4-lookup/ip6-lookup chose with it.
 */
int fibread_nh(const struct fibread *r, __u32 nh, __u8 family, const __u8 *dst,
	       struct fibread_hop *h);

#endif
