// SPDX-License-Identifier: GPL-2.0-only
/*
 * sluice's loss counters after the data path (uapi/sluice/xmit.h): the
 * kernel's xdp tracepoints, read as BTF-typed arguments, each loss counted
 * against the port it happened on (lib/xmit.h).  xdp_redirect_err and
 * xdp_exception fire only when a frame is lost, so the packet path pays
 * nothing for them; xdp_devmap_xmit fires per bulk sent (see there).
 *
 * Only the two fields of struct net_device used here are declared; the
 * loader relocates them to the running kernel's layout (CO-RE).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "lib/xmit.h"

struct net {
	__u64 net_cookie;
} __attribute__((preserve_access_index));

typedef struct {
	struct net *net;
} possible_net_t;

struct net_device {
	int ifindex;
	possible_net_t nd_net;
} __attribute__((preserve_access_index));

struct bpf_prog;

static __always_inline __u64 dev_netns(const struct net_device *dev)
{
	struct net *net = dev->nd_net.net;

	return net ? net->net_cookie : 0;
}

/* A redirect the kernel refused before any driver saw it: to a devmap
 * port (index is tx_ports' key, the egress ifindex) or to an AF_XDP
 * socket (index is the queue; the loss is the ingress port's). */
SEC("tp_btf/xdp_redirect_err")
int BPF_PROG(sluice_xmit_redirect_err, const struct net_device *dev,
	     const struct bpf_prog *xdp, const void *tgt, int err,
	     enum bpf_map_type map_type, __u32 map_id, __u32 index)
{
	__u64 netns = dev_netns(dev);

	if (map_type == BPF_MAP_TYPE_DEVMAP_HASH ||
	    map_type == BPF_MAP_TYPE_UNSPEC)
		xmit_count(netns, index, SLUICE_XMIT_REDIRECT_FAILED, 1, err);
	else if (map_type == BPF_MAP_TYPE_XSKMAP)
		xmit_count(netns, (__u32)dev->ifindex, SLUICE_XMIT_STEER_FAILED,
			   1, err);
	return 0;
}

/* A devmap's bulk handed to the egress driver: @drops of it lost.  This
 * tracepoint fires for every bulk sent, lost or not, so lib/dp loads this
 * program only on kernels that report a veth's refusal here (before 6.3;
 * later ones refuse at enqueue: xdp_redirect_err). */
SEC("tp_btf/xdp_devmap_xmit")
int BPF_PROG(sluice_xmit_devmap, const struct net_device *from,
	     const struct net_device *to, int sent, int drops, int err)
{
	if (drops > 0)
		xmit_count(dev_netns(to), (__u32)to->ifindex,
			   SLUICE_XMIT_XMIT_DROPPED, drops, err);
	return 0;
}

/* A driver that could not send an XDP_TX frame.  A failed redirect is
 * also reported here by some drivers: it was counted at xdp_redirect_err
 * already, so only XDP_TX counts. */
SEC("tp_btf/xdp_exception")
int BPF_PROG(sluice_xmit_exception, const struct net_device *dev,
	     const struct bpf_prog *xdp, __u32 act)
{
	if (act == XDP_TX)
		xmit_count(dev_netns(dev), (__u32)dev->ifindex,
			   SLUICE_XMIT_TX_FAILED, 1, 0);
	return 0;
}

/* The count itself, run by BPF_PROG_TEST_RUN: the bpf tier's fixtures
 * (tests/bpf/xmit_runner.c) give it what a tracepoint would, since no
 * tracepoint can be driven by test_run.  Not attached to anything. */
SEC("syscall")
int sluice_xmit_test(struct sluice_xmit_test_ctx *c)
{
	xmit_count(c->netns_cookie, c->ifindex, c->event, c->frames, c->err);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
