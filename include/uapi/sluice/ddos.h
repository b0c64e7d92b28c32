/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The DDoS guard (bpf/lib/ddos.h): the first stage after parsing.  Three
 * defences, each off until configured, so an unconfigured guard costs one
 * array read:
 *
 *  - a blocklist of source prefixes (LPM tries ddos_block_v4/_v6), each
 *    entry with an optional expiry: an expired entry stops matching at
 *    once, the daemon removes it later;
 *  - token buckets per source prefix (ddos_buckets, an LRU hash keyed by
 *    the masked source): one for packets, one for new connections (TCP
 *    SYN without ACK), rate and burst per family in ddos_config;
 *  - SYN cookies for protected services (ddos_services): SYNs are
 *    answered from XDP with a cookie SYN-ACK, an ACK carrying a valid
 *    cookie goes on, a forged one is dropped (docs/ddos.md says how the
 *    connection then reaches the service).
 */
#ifndef SLUICE_UAPI_DDOS_H
#define SLUICE_UAPI_DDOS_H

#include <linux/types.h>
#include "limits.h"
#include "route.h" /* sluice_lpm4_key, sluice_lpm6_key */

#ifndef SLUICE_DDOS_MAX_BLOCK_V4
#define SLUICE_DDOS_MAX_BLOCK_V4 262144
#endif
#ifndef SLUICE_DDOS_MAX_BLOCK_V6
#define SLUICE_DDOS_MAX_BLOCK_V6 131072
#endif
#ifndef SLUICE_DDOS_MAX_BUCKETS
#define SLUICE_DDOS_MAX_BUCKETS 262144 /* LRU: source prefixes tracked */
#endif
#ifndef SLUICE_DDOS_MAX_SERVICES
#define SLUICE_DDOS_MAX_SERVICES 64 /* service ids 1..MAX-1 */
#endif
#ifndef SLUICE_DDOS_MAX_FLOWS
#define SLUICE_DDOS_MAX_FLOWS 65536 /* LRU: connections a cookie opened */
#endif

/* ddos_block_v4 / ddos_block_v6 values.  @expires_ns is a deadline on
 * bpf_ktime_get_ns()'s clock (CLOCK_MONOTONIC); 0 never expires. */
struct sluice_ddos_block {
	__u64 expires_ns;
};

/* Token bucket limits: ddos_config.limit[] indexes. */
#define SLUICE_DDOS_L_PKT_V4 0
#define SLUICE_DDOS_L_PKT_V6 1
#define SLUICE_DDOS_L_CONN_V4 2 /* TCP SYN without ACK */
#define SLUICE_DDOS_L_CONN_V6 3
#define SLUICE_DDOS_NLIMITS 4

/* Rates are bounded so that the bucket arithmetic (tokens scaled by 1e9,
 * refilled by elapsed ns * pps) never overflows 64 bits. */
#define SLUICE_DDOS_MAX_PPS 100000000u
#define SLUICE_DDOS_MAX_BURST 1000000000u

struct sluice_ddos_limit {
	__u32 pps;   /* 0: this limit is off */
	__u32 burst; /* bucket size in packets (>= 1 when pps is set) */
	__u8 plen;   /* the bucket covers the source's /plen */
	__u8 pad[7];
};

/* Cookie modes (ddos_config.cookie_mode). */
#define SLUICE_DDOS_COOKIES_OFF 0
#define SLUICE_DDOS_COOKIES_ON 1
#define SLUICE_DDOS_COOKIES_AUTO 2 /* on while a service's SYN rate is high */

/* ddos_config.flags: what is configured, so the packet path skips what
 * is not with one array read. */
#define SLUICE_DDOS_F_BLOCK_V4 0x01 /* ddos_block_v4 has entries */
#define SLUICE_DDOS_F_BLOCK_V6 0x02
#define SLUICE_DDOS_F_LIMITS 0x04   /* some limit[].pps != 0 */
#define SLUICE_DDOS_F_SERVICES 0x08 /* ddos_services has entries */

/* ddos_config: BPF_MAP_TYPE_ARRAY, one entry, written by the daemon. */
struct sluice_ddos_config {
	struct sluice_ddos_limit limit[SLUICE_DDOS_NLIMITS];
	__u32 flags;	     /* SLUICE_DDOS_F_* */
	__u32 cookie_mode;   /* SLUICE_DDOS_COOKIES_* */
	__u32 syn_threshold; /* auto: SYN/s to one service that turns on */
	__u32 hold_s;	     /* auto: seconds under threshold / 2 to turn off */
	__u16 mss4;	     /* MSS the SYN-ACK offers at most (0: the */
	__u16 mss6;	     /*   one the cookie encodes) */
	__u8 wscale;	     /* the window scale a SYN-ACK with timestamps
			      * offers: the SYNPROXY rule's `wscale` */
	__u8 pad[3];
};

/* ddos_buckets key: the masked source and what is limited. */
struct sluice_ddos_bucket_key {
	__u8 addr[16]; /* network order, masked to plen */
	__u8 family;   /* AF_INET, AF_INET6 */
	__u8 plen;
	__u8 kind; /* 0 packets, 1 connections */
	__u8 pad;
};

struct sluice_ddos_bucket {
	__u64 credit;  /* tokens * 1e9 */
	__u64 last_ns; /* when credit was last refilled */
};

/* ddos_services key: a protected TCP service. */
struct sluice_ddos_service_key {
	__u8 addr[16]; /* IPv4 in the first 4 bytes */
	__be16 port;
	__u8 family;
	__u8 pad;
};

struct sluice_ddos_service {
	__u32 id; /* 1..SLUICE_DDOS_MAX_SERVICES-1: index of its state */
	__u32 pad;
};

/* ddos_svc_state: BPF_MAP_TYPE_ARRAY by service id, written by BPF. */
struct sluice_ddos_svc_state {
	__u32 cookies_on; /* cookies are sent now */
	__u32 pad;
	__u64 window;	   /* the last second (ktime / 1e9) evaluated */
	__u64 last_rate;   /* SYN/s of that second, all CPUs */
	__u64 last_hot_ns; /* when the rate was last >= threshold / 2 */
	__u64 changed_ns;  /* when cookies_on last changed */
	__u64 switches;	   /* times it changed */
};

/* ddos_svc_syns: BPF_MAP_TYPE_PERCPU_ARRAY by service id: each CPU counts
 * the SYNs of its current second and keeps the previous one. */
struct sluice_ddos_svc_syns {
	__u64 window; /* ktime / 1e9 of @count */
	__u64 count;
	__u64 prev_window;
	__u64 prev_count;
};

/* ddos_flows key: a connection whose cookie ACK was valid while conntrack
 * was off (with it on, the conntrack entry records it, flag
 * SLUICE_CTF_SYNPROXY), as the client sent it.  Its later packets go to
 * the kernel without a cookie check. */
struct sluice_ddos_flow_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;
	__u8 family;
	__u8 pad[3];
};

_Static_assert(sizeof(struct sluice_ddos_block) == 8, "ddos block");
_Static_assert(sizeof(struct sluice_ddos_limit) == 16, "ddos limit");
_Static_assert(sizeof(struct sluice_ddos_config) == 88, "ddos config");
_Static_assert(sizeof(struct sluice_ddos_bucket_key) == 20, "bucket key");
_Static_assert(sizeof(struct sluice_ddos_bucket) == 16, "bucket");
_Static_assert(sizeof(struct sluice_ddos_service_key) == 20, "svc key");
_Static_assert(sizeof(struct sluice_ddos_service) == 8, "svc");
_Static_assert(sizeof(struct sluice_ddos_svc_state) == 48, "svc state");
_Static_assert(sizeof(struct sluice_ddos_svc_syns) == 32, "svc syns");
_Static_assert(sizeof(struct sluice_ddos_flow_key) == 40, "ddos flow key");

#endif /* SLUICE_UAPI_DDOS_H */
