// SPDX-License-Identifier: GPL-2.0-only
/*
 * The route-lookup benchmark's programs (bench/fiblookup.c): the same
 * destination looked up either in the kernel's LPM trie or in the compiled
 * table of uapi/sluice/fib.h (bpf/lib/fib.h's walk, over this object's own
 * fib4/fib6 maps, which user space fills with lib/fib).  Nothing else
 * differs between a trie program and its table program: each parses the
 * destination the same way and writes the target it found into bytes 2-5
 * of the source MAC, so that every call's output says which route matched,
 * and answers XDP_PASS (XDP_DROP when nothing matched).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
/* bpf/lib/fib.h uses AF_INET without defining it: pkt.h does */
#include "lib/pkt.h"
#include "lib/fib.h"

#ifndef FIBBENCH_TRIE_ENTRIES
#define FIBBENCH_TRIE_ENTRIES (1u << 21) /* not preallocated */
#endif

/* The kernel's LPM key layout (struct bpf_lpm_trie_key_u8 with its data);
 * bench/fiblookup.c builds the same. */
struct trie4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct trie6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FIBBENCH_TRIE_ENTRIES);
	__type(key, struct trie4_key);
	__type(value, __u32);
} trie4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FIBBENCH_TRIE_ENTRIES);
	__type(key, struct trie6_key);
	__type(value, __u32);
} trie6 SEC(".maps");

/* The target into the frame, for the caller's check. */
static __always_inline int answer(struct ethhdr *eth, __u32 target)
{
	if (target == SLUICE_FIB_NONE)
		return XDP_DROP;
	__builtin_memcpy(eth->h_source + 2, &target, sizeof(target));
	return XDP_PASS;
}

/* The frame's Ethernet header, when an IPv4 (@proto ETH_P_IP, @hlen 20)
 * or IPv6 header follows in full; NULL otherwise. */
static __always_inline struct ethhdr *eth_of(struct xdp_md *ctx, __u16 proto,
					     __u32 hlen)
{
	struct ethhdr *eth = (void *)(long)ctx->data;

	if ((void *)(eth + 1) + hlen > (void *)(long)ctx->data_end ||
	    eth->h_proto != bpf_htons(proto))
		return NULL;
	return eth;
}

SEC("xdp")
int lookup_trie4(struct xdp_md *ctx)
{
	struct ethhdr *eth = eth_of(ctx, ETH_P_IP, sizeof(struct iphdr));
	struct trie4_key k = { .prefixlen = 32 };
	__u32 *v;

	if (!eth)
		return XDP_ABORTED;
	__builtin_memcpy(k.addr, &((struct iphdr *)(eth + 1))->daddr, 4);
	v = bpf_map_lookup_elem(&trie4, &k);
	return answer(eth, v ? *v : SLUICE_FIB_NONE);
}

SEC("xdp")
int lookup_table4(struct xdp_md *ctx)
{
	struct ethhdr *eth = eth_of(ctx, ETH_P_IP, sizeof(struct iphdr));
	__u8 dst[4];

	if (!eth)
		return XDP_ABORTED;
	__builtin_memcpy(dst, &((struct iphdr *)(eth + 1))->daddr, 4);
	return answer(eth, fib4_lookup(dst));
}

SEC("xdp")
int lookup_trie6(struct xdp_md *ctx)
{
	struct ethhdr *eth = eth_of(ctx, ETH_P_IPV6, sizeof(struct ipv6hdr));
	struct trie6_key k = { .prefixlen = 128 };
	__u32 *v;

	if (!eth)
		return XDP_ABORTED;
	__builtin_memcpy(k.addr, &((struct ipv6hdr *)(eth + 1))->daddr, 16);
	v = bpf_map_lookup_elem(&trie6, &k);
	return answer(eth, v ? *v : SLUICE_FIB_NONE);
}

SEC("xdp")
int lookup_table6(struct xdp_md *ctx)
{
	struct ethhdr *eth = eth_of(ctx, ETH_P_IPV6, sizeof(struct ipv6hdr));
	__u8 dst[16];

	if (!eth)
		return XDP_ABORTED;
	__builtin_memcpy(dst, &((struct ipv6hdr *)(eth + 1))->daddr, 16);
	return answer(eth, fib6_lookup(dst));
}

char LICENSE[] SEC("license") = "GPL";
