/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAT's rules through lib/dp (lib/dp/nat.c, uapi/sluice/nat.h): SNAT by
 * egress port and source prefix, DNAT by ingress port and destination
 * address:port/protocol, the switch the data path reads, and the event
 * counters.  NAT rides on connection tracking: with a rule in, the
 * tracking must be on.  Router role; 0 or -errno.
 */
#ifndef SLUICE_DP_NAT_H
#define SLUICE_DP_NAT_H

#include <stdbool.h>
#include <linux/types.h>
#include <uapi/sluice/nat.h>

struct dp;

struct dp_snat_rule {
	__u32 id;
	__u32 ifindex; /* the egress port */
	int family;    /* AF_INET, AF_INET6 */
	__u8 src[16];  /* the source prefix, network order */
	__u8 src_plen;
	bool masquerade; /* to the port's address; else to_lo..to_hi */
	__u8 to_lo[16];
	__u8 to_hi[16];
	__u16 port_lo; /* host order; 0 and 0: 1024..65535 */
	__u16 port_hi;
};

struct dp_dnat_rule {
	__u32 id;
	__u32 ifindex; /* the ingress port */
	int family;
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 daddr[16];
	__u16 dport; /* host order */
	__u8 to_addr[16];
	__u16 to_port; /* host order; 0 keeps the port */
};

int dp_snat_set(struct dp *dp, const struct dp_snat_rule *r);
int dp_snat_del(struct dp *dp, const struct dp_snat_rule *r);
int dp_dnat_set(struct dp *dp, const struct dp_dnat_rule *r);
int dp_dnat_del(struct dp *dp, const struct dp_dnat_rule *r);
/* SLUICE_NAT_HAS_*: the data path looks for NAT only when set. */
int dp_nat_config_set(struct dp *dp, __u32 flags);
/* Sets and clears bits of it, keeping the others (NAT's rules and the
 * load balancer's full-NAT VIPs each own theirs). */
int dp_nat_config_bits(struct dp *dp, __u32 set, __u32 clear);
int dp_nat_events(struct dp *dp, __u64 out[SLUICE_NAT_NEVENTS]);
const char *dp_nat_event_name(unsigned int ev); /* NULL: a free slot */
/* Entries in nat_flows: a NATed flow holds two (binding and alias). */
int dp_nat_flow_count(struct dp *dp, __u32 *n);
/* A restart's leftovers (nat_prune.c): every rule in the maps is shown to
 * @keep_snat / @keep_dnat as the daemon would write it; those they do not
 * keep are removed. */
int dp_nat_prune(struct dp *dp,
		 bool (*keep_snat)(const struct dp_snat_rule *r, void *arg),
		 bool (*keep_dnat)(const struct dp_dnat_rule *r, void *arg),
		 void *arg);
/* nat_flows' fd (benchmarks read its memory), or -errno. */
int dp_nat_flows_fd(const struct dp *dp);

#endif
