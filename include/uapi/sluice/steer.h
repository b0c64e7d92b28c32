/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Steering from the XDP fast path to AF_XDP sockets (bpf/lib/steer.h,
 * docs/steering.md).  Right after parsing, sluice_xdp matches TCP and UDP
 * packets against the selectors sluiced wrote (a protocol and destination
 * port, a destination prefix, a VIP's address) and redirects a match to
 * the AF_XDP socket an application registered for the packet's ingress
 * port and rx queue.  Everything else keeps its path; ARP, ND, ICMP,
 * OSPF and (unless a port selector names it) BGP never match.  A match
 * without a socket goes on its normal path too, counted in the
 * selector's no_socket counter: never a silent drop.  A transit selector
 * (bpf/lib/steer_transit.h) instead takes, in the route stage, every
 * packet the router would forward, whatever its protocol.
 *
 * ---- How an application registers its socket (the XSKMAP contract) ----
 *
 * Using only libbpf and this header, with sluiced running and the socket
 * bound (XDP_COPY or XDP_ZEROCOPY) to queue Q of interface IF:
 *
 *   1. ifaces_fd = bpf_obj_get(PIN "/" SLUICE_STEER_IFACES_PIN);
 *      struct sluice_iface v; bpf_map_lookup_elem(ifaces_fd, &ifindex, &v)
 *      (ifindex of IF; ENOENT: sluiced does not manage IF);
 *   2. key = SLUICE_STEER_XSK_KEY(v.slot, Q)  (Q < SLUICE_STEER_MAX_QUEUES,
 *      v.slot < SLUICE_MAX_IFACES);
 *   3. xsks_fd = bpf_obj_get(PIN "/" SLUICE_STEER_XSKS_PIN);
 *      bpf_map_update_elem(xsks_fd, &key, &xsk_fd, BPF_ANY)
 *      (xsk_fd: xsk_socket__fd() of libxdp, or the AF_XDP socket's fd);
 *   4. on close: bpf_map_delete_elem(xsks_fd, &key) before closing the
 *      socket (the kernel also drops the entry when the socket is
 *      released, but a deleted key says at once that the queue has no
 *      reader, and the traffic falls back to the kernel).
 *
 * PIN is sluiced's pin directory (--pin-dir, default /sys/fs/bpf/sluice;
 * `ip netns exec` hides /sys/fs/bpf: use nsenter --net, see PLATFORM).
 * The socket must be bound to the port the key names and to queue Q: the
 * kernel refuses to deliver a frame to a socket of another device or
 * queue (it drops it), which is why the key holds both.  A VLAN-tagged
 * frame is keyed by its physical port and keeps its tag.  Do not load an
 * XDP program of your own on IF (libxdp: XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD):
 * sluice_xdp is the program there.
 */
#ifndef SLUICE_UAPI_STEER_H
#define SLUICE_UAPI_STEER_H

#include <linux/types.h>
#include "limits.h"

#ifndef SLUICE_STEER_MAX_QUEUES
#define SLUICE_STEER_MAX_QUEUES 64 /* rx queues per port */
#endif
#ifndef SLUICE_STEER_MAX_SELECTORS
#define SLUICE_STEER_MAX_SELECTORS 256 /* selector ids 1..MAX-1 */
#endif
#ifndef SLUICE_STEER_MAX_PORTS
#define SLUICE_STEER_MAX_PORTS 65536 /* steer_ports: one entry a port */
#endif
#ifndef SLUICE_STEER_MAX_PREFIXES
#define SLUICE_STEER_MAX_PREFIXES 2048 /* steer_dst, both families */
#endif

/* Pin file names in sluiced's pin directory. */
#define SLUICE_STEER_XSKS_PIN "steer_xsks"
#define SLUICE_STEER_IFACES_PIN "ifaces" /* uapi/sluice/route.h */

/* steer_xsks: BPF_MAP_TYPE_XSKMAP of SLUICE_STEER_XSKS entries, key
 * __u32 SLUICE_STEER_XSK_KEY(slot, queue), value the socket's fd. */
#define SLUICE_STEER_XSKS (SLUICE_MAX_IFACES * SLUICE_STEER_MAX_QUEUES)
#define SLUICE_STEER_XSK_KEY(slot, queue)                                      \
	((__u32)(slot)*SLUICE_STEER_MAX_QUEUES + (__u32)(queue))

/* steer_config: BPF_MAP_TYPE_ARRAY of one; flags 0 = steering off (the
 * stage is one array read then). */
#define SLUICE_STEER_F_PORTS 0x1 /* steer_ports has entries */
#define SLUICE_STEER_F_DST4 0x2	 /* steer_dst has IPv4 entries */
#define SLUICE_STEER_F_DST6 0x4	 /* steer_dst has IPv6 entries */
#define SLUICE_STEER_F_IFACE                                                   \
	0x8			    /* some port or prefix entry names an
				  * interface */
#define SLUICE_STEER_F_TRANSIT 0x10 /* steer_ports has a transit entry */

struct sluice_steer_config {
	__u32 flags;
	__u32 pad;
};

/* steer_ports: BPF_MAP_TYPE_HASH, a port range is one entry per port.
 * ifindex 0: every port; else only packets from that port (looked up
 * first when SLUICE_STEER_F_IFACE is set).
 *
 * A transit selector (bpf/lib/steer_transit.h) is an entry of the same
 * map with proto SLUICE_STEER_PROTO_TRANSIT and dport 0, at most one per
 * ifindex (0: every port): it takes every packet the router would
 * forward, of any protocol, in the route stage.  The port stage never
 * looks it up (it asks only for TCP and UDP), and it costs no map of its
 * own (the pinned `layouts` record is nearly full). */
#define SLUICE_STEER_PROTO_TRANSIT 0
struct sluice_steer_port_key {
	__u32 ifindex;
	__u8 proto; /* IPPROTO_TCP, IPPROTO_UDP */
	__u8 pad;
	__be16 dport;
};

/* steer_dst: BPF_MAP_TYPE_LPM_TRIE of both families (one map: the pinned
 * `layouts` record has room for few more); an IPv4 prefix is kept as its
 * IPv4-mapped IPv6 one (::ffff:a.b.c.d, 96 + length).  prefixlen counts
 * the 32 bits of ifindex too (32 + the IPv6 prefix length).  A prefix
 * never takes TCP to or from port 179 (BGP). */
#define SLUICE_STEER_V4MAPPED_PLEN 96
struct sluice_steer_dst_key {
	__u32 prefixlen;
	__u32 ifindex; /* 0: every port */
	__u8 addr[16]; /* network order */
};

/* The value of every selector map entry. */
#define SLUICE_STEER_ANY_QUEUE 0xffffffffu
struct sluice_steer_sel {
	__u32 id;    /* 1..SLUICE_STEER_MAX_SELECTORS-1: steer_counters */
	__u32 queue; /* only packets of this rx queue, or ANY_QUEUE */
};

/* steer_counters: BPF_MAP_TYPE_PERCPU_ARRAY indexed by selector id.
 * matched = redirected + no_socket. */
struct sluice_steer_counter {
	__u64 matched;
	__u64 redirected; /* to the socket (reason fwd_steer_xsk) */
	__u64 no_socket;  /* no socket on (port, queue): normal path */
	__u64 pad;
};

_Static_assert(sizeof(struct sluice_steer_config) == 8, "steer config");
_Static_assert(sizeof(struct sluice_steer_port_key) == 8, "steer port key");
_Static_assert(sizeof(struct sluice_steer_dst_key) == 24, "steer dst key");
_Static_assert(sizeof(struct sluice_steer_sel) == 8, "steer selector");
_Static_assert(sizeof(struct sluice_steer_counter) == 32, "steer counter");
_Static_assert(SLUICE_STEER_XSKS <= 65536, "steer_xsks size");

#endif /* SLUICE_UAPI_STEER_H */
