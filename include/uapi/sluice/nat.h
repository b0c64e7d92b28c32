/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * NAT on top of connection tracking (bpf/lib/nat.h): the rules the
 * daemon writes, and the bindings the data path makes for each NATed
 * flow.  A NATed flow's conntrack entry carries SLUICE_CTF_NAT; its
 * binding (key: the conntrack key, zone 0) says how the opener's packets
 * are rewritten, and an alias (key: the flow's tuple as the answers carry
 * it, zone SLUICE_NAT_ZONE_ALIAS) finds the entry from an answer.  Each
 * names the other, so the conntrack entry's expiry removes both: that is
 * how a port is given back.
 */
#ifndef SLUICE_UAPI_NAT_H
#define SLUICE_UAPI_NAT_H

#include <linux/types.h>
#include "ct.h"

#define SLUICE_NAT_ZONE_ALIAS 1

/* DNAT (port forwarding): in on @ifindex to daddr:dport/proto. */
struct sluice_dnat_key {
	__u32 ifindex;
	__u8 family;
	__u8 proto; /* TCP or UDP */
	__be16 dport;
	__u8 daddr[16];
};

struct sluice_dnat {
	__u8 to_addr[16];
	__be16 to_port; /* 0: the port is kept */
	__u16 pad;
	__u32 rule_id;
};

/* SNAT rules: an LPM trie on (egress port, family, source prefix).  The
 * first 64 bits (ifindex, family, pad) are always matched whole:
 * prefixlen = 64 + the source prefix length. */
struct sluice_snat_key {
	__u32 prefixlen;
	__u32 ifindex; /* network order: LPM compares bytes */
	__u8 family;
	__u8 pad[3];
	__u8 src[16];
};

#define SLUICE_SNAT_MASQUERADE 0x1 /* to the egress port's address */

struct sluice_snat {
	__u8 to_lo[16]; /* the pool, both ends included */
	__u8 to_hi[16];
	__u16 port_lo; /* host order, both ends included */
	__u16 port_hi;
	__u32 flags; /* SLUICE_SNAT_* */
	__u32 rule_id;
	__u32 pad;
};

/* sluice_nat_flow.flags */
#define SLUICE_NATF_SNAT 0x1  /* the opener's source is rewritten */
#define SLUICE_NATF_DNAT 0x2  /* the opener's destination is rewritten */
#define SLUICE_NATF_ALIAS 0x4 /* this is an alias: @other is the flow */

/* nat_flows: a binding (zone 0, the conntrack key) or an alias. */
struct sluice_nat_flow {
	struct sluice_ct_key other; /* binding: its alias; alias: the flow */
	__u8 new_src[16];	    /* the opener's packets, rewritten */
	__u8 new_dst[16];
	__be16 new_sport;
	__be16 new_dport;
	__u32 flags; /* SLUICE_NATF_* */
};

/* nat_config (array, key 0): what the data path looks for. */
#define SLUICE_NAT_HAS_SNAT 0x1
#define SLUICE_NAT_HAS_DNAT 0x2
#define SLUICE_NAT_HAS_FULLNAT 0x4 /* a full-NAT VIP (uapi/sluice/lb.h) */
/* no rule left, but flows bound under the deleted ones: still translated
 * until they end (the daemon clears it when nat_flows is empty) */
#define SLUICE_NAT_HAS_BOUND 0x8

struct sluice_nat_config {
	__u32 flags; /* SLUICE_NAT_HAS_*: 0 = no NAT lookups at all */
	__u32 pad;
};

/* Named events, in the nat_events per-CPU array. */
#define SLUICE_NAT_EVENTS(X)                                                   \
	X(SNAT_BOUND, 0, "snat_bound")                                         \
	X(DNAT_BOUND, 1, "dnat_bound")                                         \
	X(PORT_EXHAUSTED, 2, "port_exhausted")                                 \
	X(PORT_COLLISION, 3, "port_collision") /* a try that was taken */      \
	X(NO_ADDRESS, 4, "no_address") /* masquerade: the port has none */     \
	X(XLATE_ORIG, 5, "xlate_orig")                                         \
	X(XLATE_REPLY, 6, "xlate_reply")                                       \
	X(RELEASED, 7, "released")                                             \
	X(ALIAS_TAKEN, 8, "alias_taken") /* DNAT's answer tuple in use */      \
	X(XLATE_ICMP_ERROR, 9, "xlate_icmp_error")                             \
	X(UNRESOLVED, 10, "unresolved") /* SNAT's next hop unknown: later */

#define SLUICE_NAT_EVENT_ENUM_(id, num, name) SLUICE_NATE_##id = num,
enum sluice_nat_event { SLUICE_NAT_EVENTS(SLUICE_NAT_EVENT_ENUM_) };
#undef SLUICE_NAT_EVENT_ENUM_
#define SLUICE_NAT_NEVENTS 16

_Static_assert(sizeof(struct sluice_dnat_key) == 24, "dnat key");
_Static_assert(sizeof(struct sluice_dnat) == 24, "dnat");
_Static_assert(sizeof(struct sluice_snat_key) == 28, "snat key");
_Static_assert(sizeof(struct sluice_snat) == 48, "snat");
_Static_assert(sizeof(struct sluice_nat_flow) == 80, "nat flow");
_Static_assert(sizeof(struct sluice_nat_config) == 8, "nat config");

#endif /* SLUICE_UAPI_NAT_H */
