/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The stateful firewall's compiled rule sets (bpf/lib/fw.h, lib/fw).
 *
 * Rules are ordered per interface and direction ("in": arriving on the
 * interface; "out": forwarded out of it).  User space compiles each
 * (interface, direction) rule set into bit-vector lookups, as bpf-iptables
 * does: per match dimension one lookup answers the bitmap of the rules
 * that match in that dimension, the packet's bitmaps are ANDed, and the
 * lowest set bit is the first matching rule.
 *
 * A bitmap has two levels: bit i of its summary says whether its word i
 * has any rule.  The data path ANDs the summaries first (a few words),
 * then visits only the words every dimension has rules in, lowest
 * first, and stops at the first non-zero AND.  So a packet costs a fixed
 * number of lookups plus a short AND whatever the number of rules when
 * the words the dimensions share are few: an early rule matches, no
 * rule's prefixes or ports match, or the one rule that matches is the
 * last.  The worst case is a visit of every word (SLUICE_FW_WORDS):
 * dimensions that each match many rules in the same words but no rule
 * in all of them.
 *
 *   dimension            map        key                          value
 *   protocol x ct state  fw_ps      set * 25 + class * 5 + state  bitmap
 *     less named sets    fw_psx     (that) * 16 + missed refs    bitmap
 *   src/dst prefix       fw_lpm4/6  (set, src|dst, address)     bitmap
 *   sport/dport          fw_lpm_port (set, sport|dport, port)   bitmap
 *   named prefix sets    fw_nset4/6 (named set id, address)     1
 *
 * The dport dimension carries the ICMP type for ICMP and ICMPv6 packets
 * (rules with --icmp-type are ICMP-only, port rules TCP/UDP-only, so the
 * protocol dimension keeps them apart).
 *
 * A rule set lives in a set id (1..SLUICE_FW_MAX_SETS-1; 0 = none); an
 * interface's fw_ports entry names the set id of each direction.  A new
 * rule set is written into an unused set id, then the one fw_ports entry
 * is rewritten: a packet sees the old set or the new one, never a mix.
 */
#ifndef SLUICE_UAPI_FW_H
#define SLUICE_UAPI_FW_H

#include <linux/types.h>
#include "limits.h"

#ifndef SLUICE_FW_MAX_RULES
#define SLUICE_FW_MAX_RULES 16384 /* rules per (interface, direction) */
#endif
#define SLUICE_FW_WORDS (SLUICE_FW_MAX_RULES / 64)
#define SLUICE_FW_SUMMARY ((SLUICE_FW_WORDS + 63) / 64) /* summary words */
#ifndef SLUICE_FW_MAX_SETS
#define SLUICE_FW_MAX_SETS 64 /* compiled sets; ids 1..MAX-1, 0 = none */
#endif
#ifndef SLUICE_FW_MAX_COUNTERS
#define SLUICE_FW_MAX_COUNTERS 65536 /* rule ids 1..MAX-1 */
#endif
#ifndef SLUICE_FW_MAX_LPM
#define SLUICE_FW_MAX_LPM 262144 /* prefix entries, all sets (no prealloc) */
#endif
#ifndef SLUICE_FW_MAX_PORT_LPM
#define SLUICE_FW_MAX_PORT_LPM 262144
#endif
#ifndef SLUICE_FW_MAX_NSETS
#define SLUICE_FW_MAX_NSETS 64 /* named prefix sets; ids 1..MAX-1 */
#endif
#ifndef SLUICE_FW_MAX_NSET_PREFIXES
#define SLUICE_FW_MAX_NSET_PREFIXES 1048576 /* all named sets, per family */
#endif
#define SLUICE_FW_MAX_REFS 4 /* named sets one rule set may reference */
/* fw_psx keys: (set * 25 + class * 5 + state) * SLUICE_FW_MISS + miss,
 * miss (not 0) the refs whose named set the packet is not in */
#define SLUICE_FW_MISS (1 << SLUICE_FW_MAX_REFS)
#define SLUICE_FW_MAX_PSX                                                      \
	(SLUICE_FW_MAX_SETS * SLUICE_FW_NCLASS * SLUICE_FW_NSTATE *            \
	 SLUICE_FW_MISS)

/* Directions (sluice_fw_port.set[]) */
#define SLUICE_FW_IN 0
#define SLUICE_FW_OUT 1

/* Actions (sluice_fw_rule.action, sluice_fw_set.policy) */
#define SLUICE_FW_ACT_ACCEPT 0
#define SLUICE_FW_ACT_DROP 1
#define SLUICE_FW_ACT_REJECT 2 /* TCP RST, else ICMP unreachable */

/* Protocol classes (fw_ps key): the protocols a rule can name. */
#define SLUICE_FW_P_OTHER 0
#define SLUICE_FW_P_TCP 1
#define SLUICE_FW_P_UDP 2
#define SLUICE_FW_P_ICMP 3
#define SLUICE_FW_P_ICMPV6 4
#define SLUICE_FW_NCLASS 5
/* ct state index (fw_ps key): the bit number of SLUICE_CTM_*; a packet
 * with ct_state 0 (tracking not run) counts as UNTRACKED (4). */
#define SLUICE_FW_NSTATE 5

/* Dimensions in the LPM keys' tag: set << 1 | dim */
#define SLUICE_FW_DIM_SRC 0
#define SLUICE_FW_DIM_DST 1

/* sluice_fw_set.dims: which lookups the set needs (others match all) */
#define SLUICE_FW_D_SRC 0x01
#define SLUICE_FW_D_DST 0x02
#define SLUICE_FW_D_SPORT 0x04
#define SLUICE_FW_D_DPORT 0x08

/* One bit per rule position: bit i of word i / 64 is rule i.  Bit j of
 * the summary is set when word j is not 0 (lib/fw keeps them in step). */
struct sluice_fw_bits {
	__u64 sum[SLUICE_FW_SUMMARY];
	__u64 w[SLUICE_FW_WORDS];
};

/* fw_ports, indexed by the interface's counter slot. */
struct sluice_fw_port {
	__u16 set[2]; /* [SLUICE_FW_IN], [SLUICE_FW_OUT]; 0 = no rules */
	/* set in every slot while any port has "out" rules: the "out"
	 * lookup costs nothing otherwise */
	__u16 out_any;
	__u16 pad;
};

/* A named prefix set one rule set's rules reference: a rule that names
 * it matches only when the address is in it. */
struct sluice_fw_ref {
	__u16 nset; /* named set id */
	__u8 dim;   /* SLUICE_FW_DIM_* */
	__u8 pad[5];
	struct sluice_fw_bits rules; /* the rules that require it */
};

/* fw_sets, indexed by set id. */
struct sluice_fw_set {
	__u16 nwords; /* words of the bitmaps in use (rules / 64, rounded up) */
	__u8 policy;  /* SLUICE_FW_ACT_ACCEPT or SLUICE_FW_ACT_DROP */
	__u8 dims;    /* SLUICE_FW_D_* */
	__u8 nrefs;
	__u8 pad[3];
	__u32 policy_counter; /* fw_counters index of the policy's hits */
	__u32 pad2;
	struct sluice_fw_ref refs[SLUICE_FW_MAX_REFS];
};

/* fw_rules, indexed by set id * SLUICE_FW_MAX_RULES + position. */
struct sluice_fw_rule {
	__u32 counter; /* fw_counters index: the rule's id */
	__u8 action;   /* SLUICE_FW_* */
	__u8 pad[3];
};

/* LPM keys.  The tag (set << 1 | dim, host order) is matched exactly:
 * prefixlen counts its 32 bits. */
struct sluice_fw_lpm4_key {
	__u32 prefixlen;
	__u32 tag;
	__u8 addr[4];
};

struct sluice_fw_lpm6_key {
	__u32 prefixlen;
	__u32 tag;
	__u8 addr[16];
};

struct sluice_fw_port_key {
	__u32 prefixlen;
	__u32 tag;
	__be16 port;
	__u16 pad;
};

/* Named sets: the set id (host order) is matched exactly. */
struct sluice_fw_nset4_key {
	__u32 prefixlen;
	__u32 nset;
	__u8 addr[4];
};

struct sluice_fw_nset6_key {
	__u32 prefixlen;
	__u32 nset;
	__u8 addr[16];
};

/* Counter slots past the rule ids: each (interface slot, direction)'s
 * default policy.  Rule counters are indexed by rule id and policies by
 * interface, so counters survive a rule set swap. */
#define SLUICE_FW_POLICY_COUNTER(slot, dir)                                    \
	(SLUICE_FW_MAX_COUNTERS + (slot)*2 + (dir))
#define SLUICE_FW_COUNTERS (SLUICE_FW_MAX_COUNTERS + 2 * SLUICE_MAX_IFACES)

_Static_assert(SLUICE_FW_MAX_RULES % 64 == 0, "fw rules: whole words");
_Static_assert(sizeof(struct sluice_fw_bits) ==
		       SLUICE_FW_SUMMARY * 8 + SLUICE_FW_MAX_RULES / 8,
	       "fw bits");
_Static_assert(sizeof(struct sluice_fw_port) == 8, "fw port");
_Static_assert(sizeof(struct sluice_fw_ref) ==
		       8 + sizeof(struct sluice_fw_bits),
	       "fw ref");
_Static_assert(sizeof(struct sluice_fw_set) ==
		       16 + SLUICE_FW_MAX_REFS * sizeof(struct sluice_fw_ref),
	       "fw set");
_Static_assert(sizeof(struct sluice_fw_rule) == 8, "fw rule");
_Static_assert(sizeof(struct sluice_fw_lpm4_key) == 12, "fw lpm4 key");
_Static_assert(sizeof(struct sluice_fw_lpm6_key) == 24, "fw lpm6 key");
_Static_assert(sizeof(struct sluice_fw_port_key) == 12, "fw port key");
_Static_assert(sizeof(struct sluice_fw_nset4_key) == 12, "fw nset4 key");
_Static_assert(sizeof(struct sluice_fw_nset6_key) == 24, "fw nset6 key");

#endif /* SLUICE_UAPI_FW_H */
