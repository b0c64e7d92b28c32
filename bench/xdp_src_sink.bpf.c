// SPDX-License-Identifier: GPL-2.0-only
/*
 * The receiving end of bench/throughput.sh's NAT rounds: drops every
 * frame, as sluice_sink does, and counts IPv4 frames by their source
 * address, so the path check can say that what B received was translated
 * (its source is R's address) and how much of it.
 *
 * Set up from user space (bpftool, by map name):
 *   src_sink_want  ARRAY, key 0: the IPv4 source to count (network order)
 *   src_sink_stats PERCPU_ARRAY: [0] frames from that source, [1] others
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} src_sink_want SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} src_sink_stats SEC(".maps");

SEC("xdp")
int xdp_src_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u32 zero = 0, idx = 1, *want;
	__u64 *n;

	want = bpf_map_lookup_elem(&src_sink_want, &zero);
	if (want && (void *)(iph + 1) <= end &&
	    eth->h_proto == bpf_htons(ETH_P_IP) && iph->saddr == *want)
		idx = 0;
	n = bpf_map_lookup_elem(&src_sink_stats, &idx);
	if (n)
		*n += 1;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
