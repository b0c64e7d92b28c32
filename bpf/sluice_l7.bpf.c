// SPDX-License-Identifier: GPL-2.0-only
/*
 * The L7 local hop (uapi/sluice/l7.h, docs/l7.md).  sluice_l7_sockops runs
 * on a cgroup and puts each end of an established TCP connection to or
 * from a selected service port into l7_socks; sluice_l7_msg runs on every
 * sendmsg of a socket in l7_socks and hands the message to the peer's
 * receive queue when the peer is there too.  Whatever cannot be
 * redirected goes the normal way: the program never drops.
 */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "lib/l7.h"

/* The selector of a connection: the service port is the local one on the
 * accepting end, the remote one on the connecting end. */
static __always_inline __u32 l7_selector(__u32 port)
{
	struct sluice_l7_port *p = bpf_map_lookup_elem(&l7_ports, &port);

	return p ? p->id : 0;
}

SEC("sockops")
int sluice_l7_sockops(struct bpf_sock_ops *skops)
{
	struct sluice_l7_key key = {};
	struct l7_end local, remote;
	struct sluice_l7_counter *c;
	struct sluice_l7_sk *st;
	__u32 op = skops->op, family = skops->family, id;
	__u16 rport;

	if (op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB &&
	    op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;
	if (family != L7_AF_INET && family != L7_AF_INET6)
		return 1;
	rport = l7_remote_port(skops->remote_port);
	id = l7_selector(op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB ?
				 skops->local_port :
				 rport);
	if (!id)
		return 1;
	if (!skops->sk)
		return 1;
	/* what sk_msg needs to count and to keep the ordering rule */
	st = bpf_sk_storage_get(&l7_sk, skops->sk, 0,
				BPF_SK_STORAGE_GET_F_CREATE);
	if (!st) {
		l7_count_fallback(id, SLUICE_L7_FB_INSERT, 0);
		return 1;
	}
	st->id = id;
	st->flags = 0;
	L7_END_READ(&local, skops, local);
	L7_END_READ(&remote, skops, remote);
	l7_addr(key.local_ip, family, &local);
	l7_addr(key.remote_ip, family, &remote);
	key.local_port = bpf_htons((__u16)skops->local_port);
	key.remote_port = bpf_htons(rport);
	/* NOEXIST: replacing a live entry would drop that socket's queued
	 * redirected bytes */
	if (bpf_sock_hash_update(skops, &l7_socks, &key, BPF_NOEXIST)) {
		st->flags = SLUICE_L7_SK_NORMAL;
		l7_count_fallback(id, SLUICE_L7_FB_INSERT, 0);
		return 1;
	}
	c = l7_counter(id);
	if (c)
		c->socks++;
	return 1;
}

SEC("sk_msg")
int sluice_l7_msg(struct sk_msg_md *msg)
{
	struct sluice_l7_key peer = {};
	struct l7_end local, remote;
	struct sluice_l7_counter *c;
	struct sluice_l7_sk *st = 0;
	struct sluice_l7_config *cfg;
	__u32 zero = 0;
	struct bpf_sock *sk = msg->sk;
	__u32 size = msg->size, family = msg->family;

	if (sk)
		st = bpf_sk_storage_get(&l7_sk, sk, 0, 0);
	if (!st) {
		l7_count_fallback(0, SLUICE_L7_FB_NO_STATE, size);
		return SK_PASS;
	}
	cfg = bpf_map_lookup_elem(&l7_config, &zero);
	if (!cfg || !(cfg->flags & SLUICE_L7_F_ENABLED)) {
		st->flags |= SLUICE_L7_SK_NORMAL;
		l7_count_fallback(st->id, SLUICE_L7_FB_DISABLED, size);
		return SK_PASS;
	}
	if (st->flags & SLUICE_L7_SK_NORMAL) {
		l7_count_fallback(st->id, SLUICE_L7_FB_STICKY, size);
		return SK_PASS;
	}
	/* the peer's key: its local end is our remote one */
	L7_END_READ(&local, msg, local);
	L7_END_READ(&remote, msg, remote);
	l7_addr(peer.local_ip, family, &remote);
	l7_addr(peer.remote_ip, family, &local);
	peer.local_port = bpf_htons(l7_remote_port(msg->remote_port));
	peer.remote_port = bpf_htons((__u16)msg->local_port);
	/* a miss leaves the message unredirected: SK_PASS is then the
	 * normal path */
	if (bpf_msg_redirect_hash(msg, &l7_socks, &peer, BPF_F_INGRESS) !=
	    SK_PASS) {
		st->flags |= SLUICE_L7_SK_NORMAL;
		l7_count_fallback(st->id, SLUICE_L7_FB_NO_PEER, size);
		return SK_PASS;
	}
	c = l7_counter(st->id);
	if (c) {
		c->redirect_msgs++;
		c->redirect_bytes += size;
	}
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
