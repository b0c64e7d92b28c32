// SPDX-License-Identifier: GPL-2.0-only
/*
 * The receiving end of a throughput measurement: drops every frame at the
 * earliest point.  Attached to a veth it also makes the veth accept frames
 * redirected to it (XDP_TX/XDP_REDIRECT from the peer), and the veth counts
 * them in its rx statistics.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int sluice_sink(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
