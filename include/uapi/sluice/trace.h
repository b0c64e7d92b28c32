/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Per-packet tracing (bpf/lib/trace.h, lib/dp/trace.c, docs/trace.md).
 * Every program ends a packet in stats.h's finish(); with tracing on, a
 * packet that passes the filter below is copied, with its decision, into
 * the trace_events ring buffer.  Off, the cost is one array lookup and a
 * branch per packet (at its start, bpf/lib/trace_note.h), and a test of
 * a byte on the stack where a stage notes a decision.
 *
 * The filter applies to the frame as it leaves (a routed frame keeps its
 * addresses; an IPIP/IP6IP6-encapsulated frame is matched on its inner
 * header, so a VIP's traffic matches its VIP; a reply the program built
 * in place of the packet, such as a firewall reject, matches as the
 * reply).
 */
#ifndef SLUICE_UAPI_TRACE_H
#define SLUICE_UAPI_TRACE_H

#include <linux/types.h>
#include "reasons.h"

/* Pin names (sluiced's pin directory) */
#define SLUICE_TRACE_CFG_PIN "trace_cfg"
#define SLUICE_TRACE_EVENTS_PIN "trace_events"
#define SLUICE_TRACE_STATS_PIN "trace_stats"

/* Bytes of the frame an event carries, and the ring's size: 2 MiB holds
 * about 6,700 events (304 bytes and the ring's 8-byte header), so a
 * reader that wakes every few milliseconds keeps up with a sampled
 * line-rate stream. */
#ifndef SLUICE_TRACE_CAP
#define SLUICE_TRACE_CAP 128
#endif
#ifndef SLUICE_TRACE_RING_BYTES
#define SLUICE_TRACE_RING_BYTES (2u << 20)
#endif

/* Where the event was taken (sluice_trace_event.hook) */
#define SLUICE_TRACE_HOOK_XDP 1
#define SLUICE_TRACE_HOOK_TC 2

/* sluice_trace_event.flags */
#define SLUICE_TRACE_F_PARSED 0x01 /* family, addresses, proto valid */
#define SLUICE_TRACE_F_PORTS 0x02  /* sport, dport valid (TCP, UDP) */
#define SLUICE_TRACE_F_ENCAP 0x04  /* IPIP/IP6IP6: tun_* is the outer */
#define SLUICE_TRACE_F_RX 0x08	   /* family..dst: as received, before NAT/LB */

/* sluice_trace_decision.flags: which of its fields the stages set */
#define SLUICE_TRACE_D_ROUTE 0x01 /* route_*, plen, nhg_id: a route lookup */
#define SLUICE_TRACE_D_HOP 0x02	  /* oif, gw: the resolved next hop */
#define SLUICE_TRACE_D_VIP 0x04	  /* vip_id (backend_id: 0 if none) */
#define SLUICE_TRACE_D_FW 0x08	  /* fw_id, fw_action: a rule decided */
#define SLUICE_TRACE_D_FW_POLICY 0x10 /* fw_id, fw_action: the policy did */
#define SLUICE_TRACE_D_CT 0x20	      /* ct_state */
#define SLUICE_TRACE_D_NAT_SRC 0x40   /* NAT rewrote the source */
#define SLUICE_TRACE_D_NAT_DST 0x80   /* NAT rewrote the destination */

/*
 * What the stages decided, written by them only while a trace is on
 * (bpf/lib/trace_note.h).  The route is the compiled table's: the
 * address looked up (the destination, or a load-balanced packet's
 * backend), the prefix length of the entry that matched and the
 * next-hop group's id; the hop is the member taken.  The firewall's is
 * the last set that decided (an "out" set's after an "in" one's).
 */
struct sluice_trace_decision {
	__u32 nhg_id;	  /* the nhgs id (0: none, e.g. a backend's own hop) */
	__u32 oif;	  /* the next hop's egress (maybe a VLAN) */
	__u32 vip_id;	  /* the VIP's id */
	__u32 backend_id; /* the backend's id, 0 if none was picked */
	__u32 fw_id;	  /* the rule's id, or the policy's fw_counters index */
	__u16 flags;	  /* SLUICE_TRACE_D_* */
	__u8 plen;	  /* the route's prefix length */
	__u8 ct_state;	  /* SLUICE_CTM_* of the conntrack lookup */
	__u8 fw_action;	  /* SLUICE_FW_ACT_* */
	__u8 gw_family;	  /* the gateway's; 0: on-link (the destination) */
	__u8 route_family; /* of route_dst */
	__u8 pad;
	__u8 gw[16];	    /* network order, v4 in the first 4 bytes */
	__u8 route_dst[16]; /* the address the route was looked up for */
	__u32 pad2;
};

/* An address filter: family 0 matches everything. */
struct sluice_trace_prefix {
	__u8 addr[16]; /* network order, host bits zero */
	__u8 family;   /* AF_INET, AF_INET6, 0 */
	__u8 plen;
	__u8 pad[2];
};

/* trace_cfg: BPF_MAP_TYPE_ARRAY, one entry (key 0).  User space writes
 * the filter with enabled 0, then the same bytes with enabled 1, so the
 * programs never see a half-written filter switched on. */
struct sluice_trace_cfg {
	__u32 enabled;
	__u32 sample; /* one in @sample matching packets (0, 1: all) */
	__u64 count;  /* at most this many events per CPU (0: no bound) */
	struct sluice_trace_prefix src;
	struct sluice_trace_prefix dst;
	__u16 port;	 /* host order; source or destination (0: any) */
	__u8 proto;	 /* L4 protocol (0: any) */
	__u8 reasons_on; /* nonzero: only the reasons set in @reasons */
	__u32 owner;	 /* the tracing process (user space only; 0: none) */
	__u8 reasons[SLUICE_REASON_SLOTS / 8]; /* bit r: reason r */
};

/* trace_stats: BPF_MAP_TYPE_PERCPU_ARRAY, one entry. */
struct sluice_trace_stats {
	__u64 matched; /* passed the filter (sampling counts these) */
	__u64 emitted; /* written into the ring */
	__u64 lost;    /* sampled but the ring was full */
};

/* One record of trace_events (BPF_MAP_TYPE_RINGBUF). */
struct sluice_trace_event {
	__u64 ts_ns;	      /* bpf_ktime_get_ns() */
	__u32 ifindex;	      /* the physical port it came in on */
	__u32 in_ifindex;     /* the logical one (VLAN subinterface) */
	__u32 egress_ifindex; /* the port it was sent to, 0 if none */
	__u32 slot;	      /* counter slot of the ingress interface */
	__u32 len;	      /* frame length as it leaves */
	__u16 cap_len;	      /* bytes of @data */
	__u16 reason;	      /* SLUICE_REASONS */
	__u8 verdict;	      /* SLUICE_V_* */
	__u8 hook;	      /* SLUICE_TRACE_HOOK_* */
	__u8 flags;	      /* SLUICE_TRACE_F_* */
	__u8 family;	      /* AF_INET, AF_INET6 (inner when encapsulated) */
	__u8 proto;
	__u8 tun_family;
	__u16 sport; /* host order */
	__u16 dport;
	__u16 pad[3];
	__u8 src[16];
	__u8 dst[16];
	__u8 tun_src[16]; /* the outer header (the LB: to the backend) */
	__u8 tun_dst[16];
	struct sluice_trace_decision d;
	__u8 data[SLUICE_TRACE_CAP]; /* the frame as it leaves (F_RX: the
				      * addresses above are as it came) */
};

_Static_assert(sizeof(struct sluice_trace_prefix) == 20, "trace prefix");
_Static_assert(sizeof(struct sluice_trace_cfg) == 96, "trace cfg");
_Static_assert(sizeof(struct sluice_trace_stats) == 24, "trace stats");
_Static_assert(sizeof(struct sluice_trace_decision) == 64, "trace decision");
_Static_assert(sizeof(struct sluice_trace_event) == 176 + SLUICE_TRACE_CAP,
	       "trace event");

#endif /* SLUICE_UAPI_TRACE_H */
