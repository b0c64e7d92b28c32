// SPDX-License-Identifier: GPL-2.0-only
/*
 * sluice-gen's transmitter: run by BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES, once per frame.  The page pool recycles pages
 * the receivers rewrote (TTL, MACs, NAT), so every frame gets its headers
 * written whole from the template, then the flow's source port and address
 * and the checksums (partial sums precomputed by user space, see
 * bench/gen/gen_args.h: gen_frame_flow is the reference for this code).
 * XDP_TX: the kernel sends it out of ctx->ingress_ifindex.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define HDR_MAX 74

/* Load-time settings, written by sluice-gen before load.  The template is
 * not const: clang would fold a copy from a const array to its (zero)
 * initializer once the memcpy casts the volatile away. */
__u8 tmpl[HDR_MAX];
const volatile __u32 hdr_len = 42;
const volatile __u32 saddr_off = 26;
const volatile __u32 sport_off = 34;
const volatile __u32 ip_csum_off = 24; /* 0 for IPv6 */
const volatile __u32 l4_csum_off = 40;
const volatile __u32 saddr0; /* host order */
const volatile __u32 sport0 = 1024;
const volatile __u32 ip_sum;
const volatile __u32 l4_sum;
const volatile __u32 flows = 1;
const volatile __u32 nports = 1;
const volatile __u32 udp = 1;

/* Per-run state (one generator thread per object: no atomics). */
__u64 frames;
__u32 flow;	/* k */
__u32 port_idx; /* k % nports */
__u32 addr_idx; /* k / nports */

static __always_inline __u16 fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* The four header layouts have constant sizes, so the copy unrolls. */
static __always_inline int copy_hdr(void *data, void *end)
{
	if (hdr_len == 42) {
		if (data + 42 > end)
			return -1;
		__builtin_memcpy(data, tmpl, 42);
	} else if (hdr_len == 54) {
		if (data + 54 > end)
			return -1;
		__builtin_memcpy(data, tmpl, 54);
	} else if (hdr_len == 62) {
		if (data + 62 > end)
			return -1;
		__builtin_memcpy(data, tmpl, 62);
	} else {
		if (data + 74 > end)
			return -1;
		__builtin_memcpy(data, tmpl, 74);
	}
	return 0;
}

SEC("xdp")
int sluice_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 saddr, sum;
	__u16 sport, csum;

	if (copy_hdr(data, end))
		return XDP_ABORTED;
	saddr = bpf_htonl(saddr0 + addr_idx);
	sport = bpf_htons((__u16)(sport0 + port_idx));
	sum = (saddr & 0xffff) + (saddr >> 16);

	/* constants known to the verifier: the offsets lie inside the
	 * header whose bounds copy_hdr checked */
	if (saddr_off + 4 > hdr_len || sport_off + 2 > hdr_len ||
	    l4_csum_off + 2 > hdr_len || ip_csum_off + 2 > hdr_len)
		return XDP_ABORTED;
	*(__u32 *)(data + saddr_off) = saddr;
	*(__u16 *)(data + sport_off) = sport;
	if (ip_csum_off)
		*(__u16 *)(data + ip_csum_off) = fold(ip_sum + sum);
	csum = fold(l4_sum + sum + sport);
	if (udp && !csum)
		csum = 0xffff;
	*(__u16 *)(data + l4_csum_off) = csum;

	frames++;
	if (++flow >= flows) {
		flow = 0;
		port_idx = 0;
		addr_idx = 0;
	} else if (++port_idx >= nports) {
		port_idx = 0;
		addr_idx++;
	}
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
