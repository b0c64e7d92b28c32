/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the guard asks of the host's own state about a flow: conntrack's
 * table (read-only, but for the entry a valid cookie ACK makes) and the
 * kernel's TCP sockets.
 *
 *  - a flow conntrack follows is not asked for a cookie, and a UDP packet
 *    of a flow it does not follow is a new connection for the
 *    new-connection limit (ddos.h);
 *  - with conntrack on, a valid cookie ACK makes its flow's entry,
 *    established and flagged SLUICE_CTF_SYNPROXY: its later packets go
 *    through conntrack and the firewall like any other, then to the
 *    kernel, whose SYNPROXY translates their sequence numbers (chain.h);
 *  - with conntrack off, a packet of a connection the host has a socket
 *    for (opened before cookies were on) is not asked for a cookie
 *    either.
 */
#ifndef SLUICE_BPF_DDOS_CT_H
#define SLUICE_BPF_DDOS_CT_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include "ct.h"
#include "l3.h"
#include "pkt.h"

/* Conntrack is on and has an entry for @f's flow (TCP or UDP). */
static __always_inline int ddos_ct_known(const struct l3_info *f)
{
	struct sluice_ct_key k;

	if (!ct_on())
		return 0;
	ct_key_fill(&k, f->src, f->dst, (__be16)(f->ports & 0xffff),
		    (__be16)(f->ports >> 16), f->proto, f->family);
	return bpf_map_lookup_elem(&ct, &k) != NULL;
}

/*
 * The entry of the connection a valid cookie ACK @f opens: established
 * (the SYN-ACK was the answer: replied), from the client, flagged for
 * SYNPROXY.  Made through ct_create(), so conntrack's events count it
 * (created) or say why not (insert_fail_full, insert_fail_other; race when
 * another CPU made it first, which is as good).  A table full of
 * established entries refuses it, as it refuses any new flow: the ACK is
 * dropped and the client's next packet, which carries the same cookie,
 * tries again.
 */
static __always_inline int ddos_ct_open(struct pkt *p, const struct l3_info *f)
{
	struct ct_pkt c = {};
	int from_hi;

	from_hi = ct_key_fill(&c.key, f->src, f->dst,
			      (__be16)(f->ports & 0xffff),
			      (__be16)(f->ports >> 16), IPPROTO_TCP, f->family);
	c.state = SLUICE_CT_ESTABLISHED;
	c.flags = SLUICE_CTF_SYNPROXY | SLUICE_CTF_REPLIED |
		  (from_hi ? SLUICE_CTF_ORIG_HI : 0);
	c.pclass = SLUICE_CT_P_TCP;
	if (ct_create(p, &c, NULL))
		return SLUICE_DROP_DDOS_NO_CT_ENTRY;
	return SLUICE_PASS_DDOS_COOKIE_CT;
}

/*
 * The entry of a connection a cookie opened whose entry is gone (aged
 * out, flushed): made again from one of its packets (@rev: from the
 * service), as conntrack picks up a TCP flow mid-stream (flag pickup),
 * established and flagged SYNPROXY, opened by the client.  The packet is
 * counted in its own direction.  0, or the insert's error (counted as
 * conntrack counts any).
 */
static __always_inline int ddos_ct_reopen(struct pkt *p,
					  const struct l3_info *f, int rev)
{
	struct sluice_ct_entry *e;
	struct ct_pkt c = {};
	int from_hi, err;

	from_hi = ct_key_fill(&c.key, f->src, f->dst,
			      (__be16)(f->ports & 0xffff),
			      (__be16)(f->ports >> 16), IPPROTO_TCP, f->family);
	c.state = SLUICE_CT_ESTABLISHED;
	/* the opener is the client: the packet's source unless @rev */
	c.flags = SLUICE_CTF_SYNPROXY | SLUICE_CTF_REPLIED | SLUICE_CTF_PICKUP |
		  ((from_hi ^ !!rev) ? SLUICE_CTF_ORIG_HI : 0);
	c.pclass = SLUICE_CT_P_TCP;
	err = ct_create(p, &c, NULL);
	if (err || !rev)
		return err;
	/* ct_create() counts the packet as the opener's */
	e = bpf_map_lookup_elem(&ct, &c.key);
	if (e && e->packets[0] == 1 && !e->packets[1]) {
		e->packets[1] = 1;
		e->bytes[1] = e->bytes[0];
		e->packets[0] = 0;
		e->bytes[0] = 0;
	}
	return 0;
}

/*
 * The host has a full TCP socket for @f's connection that is not a
 * listener: a connection it accepted before cookies were on.  A request
 * socket (a handshake the kernel's own cookies or backlog hold) or a
 * time-wait one is not an open connection.
 */
static __always_inline int ddos_host_socket(struct __ctx_buff *ctx,
					    const struct l3_info *f)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	int open;

	if (f->family == AF_INET) {
		__builtin_memcpy(&t.ipv4.saddr, f->src, 4);
		__builtin_memcpy(&t.ipv4.daddr, f->dst, 4);
		t.ipv4.sport = (__be16)(f->ports & 0xffff);
		t.ipv4.dport = (__be16)(f->ports >> 16);
		sk = bpf_skc_lookup_tcp(ctx, &t, sizeof(t.ipv4),
					BPF_F_CURRENT_NETNS, 0);
	} else {
		__builtin_memcpy(t.ipv6.saddr, f->src, 16);
		__builtin_memcpy(t.ipv6.daddr, f->dst, 16);
		t.ipv6.sport = (__be16)(f->ports & 0xffff);
		t.ipv6.dport = (__be16)(f->ports >> 16);
		sk = bpf_skc_lookup_tcp(ctx, &t, sizeof(t.ipv6),
					BPF_F_CURRENT_NETNS, 0);
	}
	if (!sk)
		return 0;
	open = sk->state != BPF_TCP_LISTEN &&
	       sk->state != BPF_TCP_NEW_SYN_RECV &&
	       sk->state != BPF_TCP_TIME_WAIT;
	bpf_sk_release(sk);
	return open;
}

#endif
