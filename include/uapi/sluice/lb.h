/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The load balancer's maps.  A VIP is address + protocol + port (port 0: all ports).  Its Maglev table
 * is an inner ARRAY map of ring_size __u32 backend ids in lb_rings (an
 * ARRAY_OF_MAPS indexed by vip_id); id 0 means "unset" and is dropped.
 * Backends live in lb_backends (ARRAY indexed by backend id), shared by all
 * VIPs.  lb_flows (LRU_HASH, BPF_F_NO_COMMON_LRU) remembers flow -> backend.
 */
#ifndef SLUICE_UAPI_LB_H
#define SLUICE_UAPI_LB_H

#include <linux/types.h>
#include "flow_hash.h"
#include "limits.h"
#include "lb_second.h" /* the previous tables (second chance) */

#define SLUICE_VIP_GRE 0x1	/* GRE instead of IPIP encapsulation */
#define SLUICE_VIP_HASH_SRC 0x2 /* hash the source address only */
/* Full NAT instead of encapsulation (bpf/lib/nat.h): the client's packets
 * go to the backend with the egress port's address as their source, the
 * answers come back through sluice and are translated back.  Needs
 * connection tracking; the backend is of the VIP's family. */
#define SLUICE_VIP_FULLNAT 0x4

struct sluice_vip_key {
	__u8 addr[16]; /* v4 in the first 4 bytes */
	__be16 port;   /* 0 = every port */
	__u8 proto;    /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;   /* AF_INET or AF_INET6 */
};

struct sluice_vip {
	__u32 vip_id;	     /* 1..SLUICE_LB_MAX_VIPS-1 */
	__u32 ring_size;     /* M: prime, <= SLUICE_LB_MAX_RING */
	__u16 flags;	     /* SLUICE_VIP_* */
	__be16 backend_port; /* full NAT: the backends' port (0: the VIP's) */
	__u32 pad2;
};

#define SLUICE_BE_DOWN 0x1 /* health check failed: flows rehash */
/* draining: out of the Maglev table, its flows stay; a TCP SYN does not
 * follow a flow entry to it (a client reusing its port opens a new
 * connection, which a draining backend does not take) */
#define SLUICE_BE_DRAINING 0x2

struct sluice_backend {
	__u8 addr[16];
	__u8 family; /* AF_INET or AF_INET6; 0 = unset */
	__u8 flags;  /* SLUICE_BE_* */
	__u16 pad;
	/* the outer packets' next hop, a fib_nhs index lib/dp resolves and
	 * keeps current (uapi/sluice/fib.h); 0: routed per packet (no route
	 * yet, or an ECMP route, whose member the flow hash picks) */
	__u32 hop;
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
	__u64 last_seen_ns; /* bpf_ktime_get_ns() */
};

/* lb_vip_count: ARRAY with one __u32, never below the number of entries in
 * lb_vips (lib/dp raises it before an insert and sets it exactly after
 * every change): at 0 the data path skips the VIP lookup altogether. */

/*
 * lb_vip_bits: ARRAY with one struct sluice_lb_vip_bits, a bitmap of the
 * destination addresses that may be VIPs.  A VIP (family, address; every
 * protocol and port, since a lookup also tries port 0) sets bit
 * sluice_vip_bit(); the data path looks a packet up in lb_vips only when
 * its destination's bit is set, so other traffic pays one array read and a
 * hash of its address.  lib/dp keeps it exact: a bit is set before its
 * VIP is inserted, and cleared after a delete only when no remaining VIP
 * has it; it is rebuilt from lb_vips when the maps are opened.
 */
#define SLUICE_LB_VIP_BITS_LOG2 12
#define SLUICE_LB_VIP_BITS (1u << SLUICE_LB_VIP_BITS_LOG2)

struct sluice_lb_vip_bits {
	__u64 word[SLUICE_LB_VIP_BITS / 64];
};

/*
 * lb_vip_ids: ARRAY of SLUICE_LB_MAX_VIPS, vip_id -> the VIP's key and
 * value as lb_vips holds them (key.family 0: no VIP has the id).  A
 * packet whose flow the table knows gets its VIP here, by the id its
 * entry names, instead of by a hash lookup of its address (about 25 ns
 * on the machines we measure, docs/performance.md); the data path uses
 * it only for a VIP of the flow's own port, which no other VIP can take
 * precedence over.  lib/dp writes it with every lb_vips change (before
 * an insert, after a delete) and rebuilds it from lb_vips at open.
 */
struct sluice_vip_by_id {
	struct sluice_vip_key key;
	struct sluice_vip vip;
};

/* @addr: 1 word (v4) or 4 words (v6), network order as loaded. */
static inline __u32 sluice_vip_bit(__u8 family, const __u32 *addr)
{
	__u32 x = addr[0];

	if (family != 2) /* AF_INET6: all four words */
		x ^= addr[1] ^ addr[2] ^ addr[3];
	return sluice_hash_final(x + family) >> (32 - SLUICE_LB_VIP_BITS_LOG2);
}

/* lb_config: ARRAY with one entry, written by the control plane */
struct sluice_lb_config {
	__u8 src4[4];		   /* outer source base, a /24: the last
					 * byte varies per flow (1..254) */
	__u8 src6[16];		   /* outer source base, a /96: the last
					 * 32 bits vary per flow */
	__u32 flow_idle_timeout_s; /* 0 = LRU eviction only */
	__u8 have_src4;
	__u8 have_src6;
	__u16 pad;
};

/* lb_vip_stats: PERCPU_ARRAY by vip_id; lb_backend_stats: by backend id */
struct sluice_lb_counter {
	__u64 packets;
	__u64 bytes;
	__u64 new_flows; /* Maglev picked (miss, SYN, rehash) */
	__u64 flow_hits; /* the flow table answered */
	__u64 drops;	 /* no backend, too big, no route */
	__u64 too_big;	 /* ICMP too big sent back */
};

_Static_assert(sizeof(struct sluice_vip_key) == 20, "vip key");
_Static_assert(sizeof(struct sluice_vip) == 16, "vip");
_Static_assert(sizeof(struct sluice_backend) == 24, "backend");
_Static_assert(sizeof(struct sluice_flow_key) == 40, "flow key");
_Static_assert(sizeof(struct sluice_flow) == 16, "flow");
_Static_assert(sizeof(struct sluice_lb_config) == 28, "lb config");
_Static_assert(sizeof(struct sluice_lb_vip_bits) == SLUICE_LB_VIP_BITS / 8,
	       "lb vip bits");
_Static_assert(sizeof(struct sluice_lb_counter) == 48, "lb counter");
_Static_assert(sizeof(struct sluice_vip_by_id) == 36, "vip by id");

#endif /* SLUICE_UAPI_LB_H */
