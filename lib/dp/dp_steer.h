/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Steering to AF_XDP sockets through lib/dp (lib/dp/steer.c,
 * uapi/sluice/steer.h): the selector entries, the switch the data path
 * reads, the per-selector counters, and the sockets' XSKMAP (which an
 * application writes itself through the pins; these calls are sluice's
 * own, for its tests and tools).  Router role; 0 or -errno.
 */
#ifndef SLUICE_DP_STEER_H
#define SLUICE_DP_STEER_H

#include <linux/types.h>
#include <uapi/sluice/steer.h>

struct dp;

/* One entry of a selector.  A port range is one entry per port. */
struct dp_steer_entry {
	__u32 ifindex; /* 0: packets from every port */
	__u8 kind;     /* DP_STEER_PORT, DP_STEER_DST, DP_STEER_TRANSIT */
	__u8 proto;    /* PORT: IPPROTO_TCP, IPPROTO_UDP */
	__u16 dport;   /* PORT: host order */
	int family;    /* DST: AF_INET, AF_INET6 */
	__u8 addr[16]; /* DST: network order, host bits zero */
	__u8 plen;
};

#define DP_STEER_PORT 1
#define DP_STEER_DST 2
/* every packet the router forwards from ifindex (one entry a port) */
#define DP_STEER_TRANSIT 3

/* SLUICE_STEER_F_* as the data path reads them (0: steering off). */
int dp_steer_flags_set(struct dp *dp, __u32 flags);
int dp_steer_flags_get(struct dp *dp, __u32 *flags);
/* -EINVAL for a bad kind, protocol, family or prefix. */
int dp_steer_entry_set(struct dp *dp, const struct dp_steer_entry *e,
		       const struct sluice_steer_sel *sel);
int dp_steer_entry_del(struct dp *dp, const struct dp_steer_entry *e);
/* Every selector entry out and the switch off (a start replaces what an
 * earlier run left pinned); the sockets' map is left alone. */
int dp_steer_flush(struct dp *dp);

/* Selector @id's counters summed over the CPUs, and set to zero (an id
 * given again starts from nothing). */
int dp_steer_counters(struct dp *dp, __u32 id, struct sluice_steer_counter *c);
int dp_steer_counters_clear(struct dp *dp, __u32 id);

/* The XSKMAP key of (@ifindex, @queue) from the ifaces map (the
 * contract's formula): -ENOENT when sluice does not manage @ifindex,
 * -ERANGE for a queue past SLUICE_STEER_MAX_QUEUES. */
int dp_steer_xsk_key(struct dp *dp, __u32 ifindex, __u32 queue, __u32 *key);
/* Registers the AF_XDP socket @fd for (@ifindex, @queue); del removes
 * the entry (-ENOENT when there was none). */
int dp_steer_xsk_set(struct dp *dp, __u32 ifindex, __u32 queue, int fd);
int dp_steer_xsk_del(struct dp *dp, __u32 ifindex, __u32 queue);
/* Bit q of *@bits set when queue q of @ifindex has a socket (read by a
 * program: an XSKMAP cannot be read from user space). */
int dp_steer_xsk_queues(struct dp *dp, __u32 ifindex, __u64 *bits);

#endif
