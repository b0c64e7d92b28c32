// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ceiling of a router on this path (bench/throughput.sh, case e): the
 * work every forwarded frame needs and nothing else.  It parses Ethernet
 * and IPv4 or IPv6, decrements the TTL (hop limit) with the incremental
 * checksum update sluice uses, writes the MACs sluice would write for the
 * one next hop, counts the frame in a per-CPU counter as sluice counts a
 * reason, and redirects it through a devmap to one fixed port: no route,
 * next-hop, neighbour or flow lookup.  What sluice carries as a fraction of
 * what this carries, in the same round, is the cost of sluice's own
 * lookups; the veth, the NAPI thread and the sink are the same for both.
 *
 * Set up from user space (bpftool, by map name):
 *   ceiling_port  DEVMAP, key 0: the egress ifindex (in R's namespace)
 *   ceiling_macs  ARRAY, key 0: 12 bytes, destination MAC then source MAC
 *   ceiling_stats PERCPU_ARRAY, read by the path check
 * Frames it cannot handle (not IPv4/IPv6, truncated, TTL <= 1, no MACs
 * set, no port set) go to the kernel with XDP_PASS.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lib/csum.h"

struct ceiling_macs {
	__u8 dst[ETH_ALEN];
	__u8 src[ETH_ALEN];
};
_Static_assert(sizeof(struct ceiling_macs) == 12, "ceiling_macs is 12 bytes");

enum ceiling_stat {
	CEILING_REDIRECT = 0, /* bpf_redirect_map() said XDP_REDIRECT */
	CEILING_PASS = 1,     /* handed to the kernel */
	CEILING_NSTATS,
};

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ceiling_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ceiling_macs);
} ceiling_macs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CEILING_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} ceiling_stats SEC(".maps");

static __always_inline int count(__u32 stat, int verdict)
{
	__u64 *n = bpf_map_lookup_elem(&ceiling_stats, &stat);

	if (n)
		*n += 1;
	return verdict;
}

SEC("xdp")
int xdp_ceiling(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = NULL;
	struct ipv6hdr *ip6 = NULL;
	struct ceiling_macs *macs;
	__u32 zero = 0;

	if ((void *)(eth + 1) > end)
		return count(CEILING_PASS, XDP_PASS);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > end || iph->ttl <= 1)
			return count(CEILING_PASS, XDP_PASS);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end || ip6->hop_limit <= 1)
			return count(CEILING_PASS, XDP_PASS);
	} else {
		return count(CEILING_PASS, XDP_PASS);
	}
	macs = bpf_map_lookup_elem(&ceiling_macs, &zero);
	/* an unset entry (all zero) is no next hop */
	if (!macs || !(macs->dst[0] | macs->dst[1] | macs->dst[2] |
		       macs->dst[3] | macs->dst[4] | macs->dst[5]))
		return count(CEILING_PASS, XDP_PASS);
	/* An empty slot answers XDP_PASS (the flags' low bits).  The frame
	 * leaves only after we return, so it is rewritten after this and a
	 * frame handed to the kernel is handed over untouched. */
	if (bpf_redirect_map(&ceiling_port, 0, XDP_PASS) != XDP_REDIRECT)
		return count(CEILING_PASS, XDP_PASS);
	if (iph)
		ip4_decrease_ttl(iph);
	else if (ip6) /* the verifier cannot tell that one is set */
		ip6->hop_limit--;
	__builtin_memcpy(eth->h_dest, macs->dst, ETH_ALEN);
	__builtin_memcpy(eth->h_source, macs->src, ETH_ALEN);
	return count(CEILING_REDIRECT, XDP_REDIRECT);
}

char LICENSE[] SEC("license") = "GPL";
