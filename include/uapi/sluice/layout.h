/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Layout versions of the pinned maps.  A daemon adopts the maps an earlier
 * run left pinned (restart and upgrade without a gap); each map's layout
 * (its key and value structs and what they mean) has a version here, and
 * the daemon records the versions it pinned in the `layouts` map beside
 * them.  Bump a map's version whenever its key or value changes layout or
 * meaning; lib/dp/layout.c says what a newer daemon does with an older
 * layout (adopt, migrate, or rebuild from the kernel's state) and refuses,
 * naming the map, what it does not know.
 */
#ifndef SLUICE_UAPI_LAYOUT_H
#define SLUICE_UAPI_LAYOUT_H

#include <linux/types.h>

/* Maps pinned before versions were recorded count as version 1. */
#define SLUICE_LAYOUT_ROUTES 1 /* routes_v4, routes_v6 */
#define SLUICE_LAYOUT_NHGS 1
#define SLUICE_LAYOUT_NEIGHBORS 1
#define SLUICE_LAYOUT_IFACES 2 /* 2: + addr4, addr6 (40 bytes) */
#define SLUICE_LAYOUT_VLANS 1
#define SLUICE_LAYOUT_TX_PORTS 1
#define SLUICE_LAYOUT_STATS                                                    \
	2		   /* 2: SLUICE_REASON_SLOTS per slot,
					 * decapsulation reasons included */
#define SLUICE_LAYOUT_LB 1 /* every lb_* map but lb_flows */
/* lb_flows: 2, an LRU list per CPU; 3, a table of slots of our own
 * (uapi/sluice/lb_flows.h).  Entries carried over from 1 and 2. */
#define SLUICE_LAYOUT_LB_FLOWS 3
#define SLUICE_LAYOUT_LOCAL_ADDRS 1
#define SLUICE_LAYOUT_PORT_CACHE 1
#define SLUICE_LAYOUT_FIB 1  /* fib4_*, fib6_*, fib_nhgs, fib_nhs */
#define SLUICE_LAYOUT_CT 1   /* ct, ct_config, ct_events, ct_gauges, ... */
#define SLUICE_LAYOUT_NAT 1  /* nat_flows, nat_dnat, nat_snat, ... */
#define SLUICE_LAYOUT_DDOS 1 /* every ddos_* map */
#define SLUICE_LAYOUT_FW 1   /* fw_* */

/* steer_* (uapi/sluice/steer.h) */
#define SLUICE_LAYOUT_STEER 1

/* clock_tick (bpf/lib/clock.h): a per-CPU cache, made at every load */
#define SLUICE_LAYOUT_CLOCK 1

/* trace_* (uapi/sluice/trace.h) */
#define SLUICE_LAYOUT_TRACE 2 /* 2: events carry the decision (176 + CAP) */

/* xmit_drops (uapi/sluice/xmit.h) */
#define SLUICE_LAYOUT_XMIT 1

/* layouts: BPF_MAP_TYPE_HASH created and pinned by user space, key the
 * map's name (NUL-padded), value its layout version.  Its own layout
 * never changes; its capacity may grow: a daemon that finds one pinned
 * with fewer entries than SLUICE_LAYOUT_MAX_MAPS replaces it with a copy
 * of this size (lib/dp/layout.c).  Until second chance's two maps it was
 * 64, and full. */
#define SLUICE_LAYOUT_MAP_NAME "layouts"
#define SLUICE_LAYOUT_MAX_MAPS 128

struct sluice_layout_key {
	char name[16]; /* BPF_OBJ_NAME_LEN */
};

struct sluice_layout {
	__u32 version;
	__u32 pad;
};

_Static_assert(sizeof(struct sluice_layout_key) == 16, "layout key");
_Static_assert(sizeof(struct sluice_layout) == 8, "layout");

#endif /* SLUICE_UAPI_LAYOUT_H */
