/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Explain (lib/dp/explain.c): one synthesized packet through a second
 * instance of the live XDP object, without side effects.  The copy reads
 * the live tables (routes, ports, neighbours, VIPs, backends, rings,
 * firewall and NAT rules, configuration) and writes only maps of its own
 * (counters, flow table, conntrack, NAT bindings, DDoS state), into which
 * the live entries the packet would find are copied first.
 */
#ifndef SLUICE_DP_EXPLAIN_H
#define SLUICE_DP_EXPLAIN_H

#include <stdbool.h>
#include <linux/types.h>
#include <uapi/sluice/sluice.h>
#include <uapi/sluice/nat.h>

struct dp;
struct dp_explain;

/* The packet: Ethernet to the ingress port's MAC, then IPv4 or IPv6 and
 * TCP (with @tcp_flags), UDP or an ICMP echo request (id @sport, seq
 * @dport).  Addresses and ports in network order. */
struct dp_explain_pkt {
	__u8 family; /* AF_INET, AF_INET6 */
	__u8 proto;  /* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 */
	__u8 tcp_flags;
	__u8 ttl; /* 0: 64 */
	__u8 src[16];
	__u8 dst[16];
	__be16 sport;
	__be16 dport;
	/* the ingress interface: a port, or a VLAN subinterface of one (the
	 * frame then carries its tag and runs on the port) */
	__u32 ifindex;
};

#define DP_EXPLAIN_FRAME_MAX 512

struct dp_explain_result {
	__u8 in[DP_EXPLAIN_FRAME_MAX]; /* the frame that was run */
	__u32 in_len;
	__u8 out[DP_EXPLAIN_FRAME_MAX]; /* as the program left it */
	__u32 out_len;
	__u32 action;  /* XDP_* the program returned */
	__u32 slot;    /* the ingress interface's counter slot (0: unmanaged) */
	__u32 port;    /* the port the frame ran on: ifindex, or its parent */
	__u16 vlan_id; /* the frame's 802.1Q tag, 0: untagged */
	int reason;    /* the reason whose counter moved; -1: none */
	/* the load balancer's flow table, before (live) and after the run */
	bool lb_flow_live;
	bool lb_flow_after;
	struct sluice_flow lb_flow; /* after (or the live one) */
	/* conntrack's entry of the packet's flow, live and after */
	bool ct_live;
	bool ct_after;
	struct sluice_ct_entry ct;
	/* a NAT binding of the flow after the run */
	bool nat_after;
	struct sluice_nat_flow nat;
	/* a firewall reason: the fw_counters slot that moved (a rule id
	 * below SLUICE_FW_MAX_COUNTERS, else a policy's) */
	bool fw_hit;
	__u32 fw_counter;
};

/* Opens and loads the copy over @live's maps (the router role only:
 * -EOPNOTSUPP otherwise).  Load-time settings are @live's. */
int dp_explain_open(struct dp *live, struct dp_explain **out);
void dp_explain_close(struct dp_explain *x);
/* One run: 0 or -errno (-EINVAL for a packet it cannot build). */
int dp_explain_run(struct dp_explain *x, const struct dp_explain_pkt *p,
		   struct dp_explain_result *r);
/* The counters @x's runs moved in its own stats map: the live one's is
 * never written.  For tests. */
int dp_explain_stats_fd(const struct dp_explain *x);

#endif
