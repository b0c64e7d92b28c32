/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The firewall's rows for the BPF tier: rules (as the CLI and the API
 * spell their fields) on the router topology of fixtures.c, a frame, and
 * what must come of it: the verdict, the one reason counter, the rule (or
 * policy) counter that moved, and the exact output: the input untouched
 * (dropped), the routed frame, or the rejection built by pktbuild.c from
 * the row's numbers (a RST's sequence and acknowledgement, an ICMP error
 * quoting the input).
 */
#ifndef SLUICE_TESTS_FW_FIXTURES_H
#define SLUICE_TESTS_FW_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "fixtures.h"
#include "pktbuild.h"

#define FWX_MAX_RULES 4
#define FWX_MAX_KV 16

struct fwx_rule {
	int ifx; /* IFX_*, IFX_NONE ends the list */
	__u8 dir;
	const char *kv[FWX_MAX_KV]; /* field, value, ..., NULL */
};

enum fwx_out {
	FWX_SAME,   /* the input, byte for byte (dropped or passed) */
	FWX_ROUTED, /* forwarded with .l2 and TTL - 1 */
	FWX_RST,    /* a TCP RST back to the sender */
	FWX_ICMP,   /* an ICMP(v6) error back to the sender */
};

struct fw_fixture {
	const char *name;
	struct fwx_rule rules[FWX_MAX_RULES];
	int policy_ifx; /* a default policy other than accept */
	__u8 policy_dir;
	__u8 policy;
	int ingress;
	struct pkt_spec in;
	int verdict; /* XDP_* */
	int reason;
	enum fwx_out out;
	struct l2_out l2;
	__u32 rst_seq, rst_ack; /* FWX_RST */
	__u8 rst_flags;
	__u8 icmp_type, icmp_code; /* FWX_ICMP */
	/* the counter that moves by one packet: a rule id, or 0 for the
	 * policy of (hit_ifx, hit_dir); -1: none */
	int hit;
	int hit_ifx;
	__u8 hit_dir;
};

extern const struct fw_fixture fw_fixtures[];
extern const size_t fw_n_fixtures;

#endif
