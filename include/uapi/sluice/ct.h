/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Connection tracking: one table for TCP, UDP, ICMP echo and other IP
 * protocols, shared by the XDP and TC programs.  Both directions of a flow
 * find the same entry: the key is the flow's tuple in canonical order (the
 * lower address:port first), and the entry says which side opened it.
 * Entries age out inside the kernel: one BPF timer sweeps the table in
 * slices (bpf/sluice_ct.bpf.c); the daemon only arms it, reads, counts
 * and flushes.
 */
#ifndef SLUICE_UAPI_CT_H
#define SLUICE_UAPI_CT_H

#include <linux/bpf.h>
#include <linux/types.h>

#ifndef SLUICE_CT_MAX_ENTRIES
#define SLUICE_CT_MAX_ENTRIES 1048576 /* default capacity (load-time) */
#endif

/* An entry's state (sluice_ct_entry.state).  TCP follows the window-free
 * state machine of docs/stateful.md; UDP, ICMP echo and other protocols
 * are unreplied until the first packet of the other direction. */
#define SLUICE_CT_STATES(X)                                                    \
	X(NONE, 0, "none")                                                     \
	X(SYN_SENT, 1, "syn_sent")                                             \
	X(SYN_RECV, 2, "syn_recv")                                             \
	X(ESTABLISHED, 3, "established")                                       \
	X(FIN_WAIT, 4, "fin_wait")                                             \
	X(CLOSE_WAIT, 5, "close_wait")                                         \
	X(LAST_ACK, 6, "last_ack")                                             \
	X(TIME_WAIT, 7, "time_wait")                                           \
	X(CLOSE, 8, "close")                                                   \
	X(UNREPLIED, 9, "unreplied") /* UDP, ICMP, other */                    \
	X(REPLIED, 10, "replied")    /* UDP: assured */

#define SLUICE_CT_STATE_ENUM_(id, num, name) SLUICE_CT_##id = num,
enum sluice_ct_state { SLUICE_CT_STATES(SLUICE_CT_STATE_ENUM_) };
#undef SLUICE_CT_STATE_ENUM_
#define SLUICE_CT_NSTATES 11

/* Protocol classes of the gauges: [class][state]. */
#define SLUICE_CT_P_TCP 0
#define SLUICE_CT_P_UDP 1
#define SLUICE_CT_P_ICMP 2 /* ICMP and ICMPv6 echo */
#define SLUICE_CT_P_OTHER 3
#define SLUICE_CT_NPROTO 4

/* What the conntrack lookup says of a packet (l3_info.ct_state), as match
 * bits so a firewall rule can name several: --state new,established. */
#define SLUICE_CTM_NEW 0x01	    /* no entry yet: this packet opens one */
#define SLUICE_CTM_ESTABLISHED 0x02 /* an entry exists */
#define SLUICE_CTM_RELATED 0x04	    /* an ICMP error about a tracked flow */
#define SLUICE_CTM_INVALID 0x08	    /* does not fit its entry's state */
#define SLUICE_CTM_UNTRACKED 0x10   /* tracking is off, or not trackable */

/* The key: the tuple with the lower (address, port) first.  IPv4
 * addresses fill the first 4 bytes.  ICMP echo: the identifier is both
 * ports. */
struct sluice_ct_key {
	__u8 lo_addr[16];
	__u8 hi_addr[16];
	__be16 lo_port;
	__be16 hi_port;
	__u8 proto;
	__u8 family; /* AF_INET, AF_INET6 */
	__u16 zone;  /* 0; room for NAT's reply tuple */
};

/* sluice_ct_entry.flags */
#define SLUICE_CTF_ORIG_HI 0x01	 /* the opener is the "hi" side */
#define SLUICE_CTF_REPLIED 0x02	 /* a packet came back */
#define SLUICE_CTF_FIN_ORIG 0x04 /* the opener sent FIN */
#define SLUICE_CTF_FIN_REPL 0x08 /* the other side sent FIN */
#define SLUICE_CTF_PICKUP 0x10	 /* TCP picked up mid-stream */
#define SLUICE_CTF_NAT 0x20	 /* NATed: see uapi/sluice/nat.h */
/* opened by a SYN cookie (uapi/sluice/ddos.h): the kernel's SYNPROXY
 * translates its sequence numbers, so its packets go to the kernel */
#define SLUICE_CTF_SYNPROXY 0x40

struct sluice_ct_entry {
	__u64 created_ns; /* bpf_ktime_get_ns() */
	__u64 last_seen_ns;
	__u64 packets[2]; /* [0] from the opener, [1] replies */
	__u64 bytes[2];
	__u32 in_ifindex; /* where the opener's first packet came in */
	__u8 state;	  /* SLUICE_CT_* */
	__u8 flags;	  /* SLUICE_CTF_* */
	__u8 pclass;	  /* SLUICE_CT_P_* */
	__u8 pad;
};

/* Per-state timeouts and switches, in the ct_config array (key 0),
 * written by the daemon; seconds. */
struct sluice_ct_config {
	__u32 enabled;	   /* 0: every packet is UNTRACKED */
	__u32 timeout[16]; /* by state; 16 so a masked index stays inside */
	__u32 sweep_ms;	   /* between two slices of the sweep (0: 50) */
	__u32 sweep_slice; /* entries a slice looks at (0: 32768) */
	__u32 pad;
};

/* The sweep's timer and where it is, in the ct_sweep array (key 0). */
struct sluice_ct_sweep {
	struct bpf_timer timer; /* kernel-only */
	__u32 skip;		/* entries of this pass already looked at */
	__u32 pad;
	__u64 passes;  /* whole passes over the table */
	__u64 slices;  /* slices run */
	__u64 last_ns; /* when the last pass ended */
};

/* Named events, in the ct_events per-CPU array (index = event). */
#define SLUICE_CT_EVENTS(X)                                                    \
	X(CREATED, 0, "created")                                               \
	X(EXPIRED, 1, "expired")                                               \
	X(EVICTED_EMBRYONIC, 2, "evicted_embryonic")                           \
	X(INSERT_FAIL_FULL, 3, "insert_fail_full")                             \
	X(INSERT_FAIL_OTHER, 4, "insert_fail_other")                           \
	X(SWEEP_FAIL, 5, "sweep_fail") /* the sweep's timer would not arm */   \
	X(INVALID_RST, 6, "invalid_rst")                                       \
	X(INVALID_FIN, 7, "invalid_fin")                                       \
	X(INVALID_SYN, 8, "invalid_syn")                                       \
	X(INVALID_ACK, 9, "invalid_ack")                                       \
	X(INVALID_NO_ENTRY, 10, "invalid_no_entry")                            \
	X(RELATED, 11, "related")                                              \
	X(REOPENED, 12, "reopened")                                            \
	X(RACE, 13, "race") /* two CPUs opened the same flow */                \
	X(FLUSHED, 14, "flushed")

#define SLUICE_CT_EVENT_ENUM_(id, num, name) SLUICE_CTE_##id = num,
enum sluice_ct_event { SLUICE_CT_EVENTS(SLUICE_CT_EVENT_ENUM_) };
#undef SLUICE_CT_EVENT_ENUM_
#define SLUICE_CT_NEVENTS 32 /* slots: events are appended, never moved */

/* Live entries by class and state, in the ct_gauges per-CPU array
 * (index class * SLUICE_CT_NSTATES + state): each CPU adds and subtracts
 * what it changed, the sum is the table's content, read without a walk. */
#define SLUICE_CT_GAUGES (SLUICE_CT_NPROTO * SLUICE_CT_NSTATES)

/*
 * The table's administration program (bpf/sluice_ct.bpf.c), run by
 * lib/dp through BPF_PROG_TEST_RUN with this request as the packet: the
 * answer is written back into it.  Flushing in BPF keeps the gauges
 * exact; filling makes synthetic entries for tests and benchmarks.
 */
#define SLUICE_CT_OP_FLUSH 1 /* entries matching the filter */
#define SLUICE_CT_OP_FILL 2  /* @count UDP entries from 198.18.0.0/15 */
#define SLUICE_CT_OP_SWEEP 3 /* arm (or re-arm) the sweep's timer */

struct sluice_ct_filter {
	__u8 src[16]; /* the opener's address */
	__u8 dst[16];
	__u8 src_plen; /* 0: any */
	__u8 dst_plen;
	__u8 family; /* 0: any */
	__u8 proto;  /* 0: any */
	__u8 state;  /* SLUICE_CT_*; 0: any */
	__u8 pad[3];
};

struct sluice_ct_admin {
	__u32 op;
	__u32 count;  /* FILL: entries to make */
	__u32 seed;   /* FILL: where the synthetic addresses start */
	__u32 result; /* out: entries flushed or made */
	struct sluice_ct_filter filter;
};

_Static_assert(sizeof(struct sluice_ct_filter) == 40, "ct filter");
_Static_assert(sizeof(struct sluice_ct_admin) == 56, "ct admin");
_Static_assert(sizeof(struct sluice_ct_key) == 40, "ct key");
_Static_assert(sizeof(struct sluice_ct_entry) == 56, "ct entry");
_Static_assert(sizeof(struct sluice_ct_config) == 80, "ct config");
_Static_assert(sizeof(struct sluice_ct_sweep) == 48, "ct sweep");

#endif /* SLUICE_UAPI_CT_H */
