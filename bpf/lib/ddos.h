/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DDoS guard, the first stage after parsing (uapi/sluice/ddos.h):
 * the source blocklist, then the per-source-prefix token buckets, then
 * SYN cookies for protected services (ddos_cookie.h).  Everything is off
 * until the daemon configures it: an unconfigured guard is one array
 * read (ddos_config.flags == 0).
 *
 * Written against the ctx layer: it compiles for XDP and TC alike.
 */
#ifndef SLUICE_BPF_DDOS_H
#define SLUICE_BPF_DDOS_H

#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include "ddos_cookie.h"
#include "ddos_ct.h"
#include "ddos_maps.h"
#include "l3.h"
#include "pkt.h"

#define DDOS_NS_PER_TOKEN 1000000000ull
/* Idle time after which a bucket is full again whatever its size: keeps
 * elapsed * pps inside 64 bits (pps <= SLUICE_DDOS_MAX_PPS). */
#define DDOS_REFILL_MAX_NS 10000000000ull

/* The blocklist entry covering @f's source, if it has not expired.  An
 * expired entry hides a shorter live one until the daemon removes it
 * (the trie answers the longest prefix only). */
static __always_inline int ddos_blocked(const struct l3_info *f, __u32 flags,
					__u64 now)
{
	const struct sluice_ddos_block *b = NULL;

	if (f->family == AF_INET && (flags & SLUICE_DDOS_F_BLOCK_V4)) {
		struct sluice_lpm4_key k = { .prefixlen = 32 };

		__builtin_memcpy(k.addr, f->src, 4);
		b = bpf_map_lookup_elem(&ddos_block_v4, &k);
	} else if (f->family == AF_INET6 && (flags & SLUICE_DDOS_F_BLOCK_V6)) {
		struct sluice_lpm6_key k = { .prefixlen = 128 };

		__builtin_memcpy(k.addr, f->src, 16);
		b = bpf_map_lookup_elem(&ddos_block_v6, &k);
	}
	if (!b || (b->expires_ns && now >= b->expires_ns))
		return DP_CONTINUE;
	return SLUICE_DROP_DDOS_BLOCKED;
}

/* The network-order mask of the 32-bit word @i of a /@plen prefix. */
static __always_inline __u32 ddos_word_mask(__u32 plen, __u32 i)
{
	__u32 bits = plen > 32 * i ? plen - 32 * i : 0;

	if (bits >= 32)
		return 0xffffffff;
	return bits ? bpf_htonl(~0u << (32 - bits)) : 0;
}

/*
 * Take a token from the bucket of @f's source prefix under limit @l:
 * refilled by the time since its last packet, full when new.  0 when the
 * packet may go, 1 when the bucket is empty.  CPUs update a shared bucket
 * without a lock: a race loses a refill or a token, never admits a burst.
 */
static __always_inline int ddos_bucket_take(const struct sluice_ddos_limit *l,
					    const struct l3_info *f, __u8 kind,
					    __u64 now)
{
	struct sluice_ddos_bucket_key k = {};
	const __u32 *src = (const __u32 *)f->src;
	__u32 *dst = (__u32 *)k.addr;
	struct sluice_ddos_bucket *b;
	__u64 cap, credit, elapsed;

	k.family = f->family;
	k.plen = l->plen;
	k.kind = kind;
	dst[0] = src[0] & ddos_word_mask(l->plen, 0);
	if (f->family == AF_INET6) {
		dst[1] = src[1] & ddos_word_mask(l->plen, 1);
		dst[2] = src[2] & ddos_word_mask(l->plen, 2);
		dst[3] = src[3] & ddos_word_mask(l->plen, 3);
	}
	cap = (__u64)l->burst * DDOS_NS_PER_TOKEN;
	b = bpf_map_lookup_elem(&ddos_buckets, &k);
	if (!b) {
		struct sluice_ddos_bucket nb = {
			.credit = cap - DDOS_NS_PER_TOKEN,
			.last_ns = now,
		};

		if (!l->burst)
			return 1;
		bpf_map_update_elem(&ddos_buckets, &k, &nb, BPF_NOEXIST);
		return 0;
	}
	elapsed = now > b->last_ns ? now - b->last_ns : 0;
	if (elapsed > DDOS_REFILL_MAX_NS)
		elapsed = DDOS_REFILL_MAX_NS;
	credit = b->credit + elapsed * l->pps;
	if (credit > cap)
		credit = cap;
	b->last_ns = now;
	if (credit < DDOS_NS_PER_TOKEN) {
		b->credit = credit;
		return 1;
	}
	b->credit = credit - DDOS_NS_PER_TOKEN;
	return 0;
}

/* A new connection for the connection bucket: a TCP SYN without ACK; a
 * UDP packet of a flow conntrack has no entry for (with conntrack off
 * there is no telling a new UDP flow from an old one: none is). */
static __always_inline int ddos_new_conn(const struct l3_info *f)
{
	if (f->proto == IPPROTO_TCP)
		return (f->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) ==
		       TCP_FLAG_SYN;
	if (f->proto == IPPROTO_UDP)
		return ct_on() && !ddos_ct_known(f);
	return 0;
}

/* The packet bucket, then for a new connection the connection one (the
 * conntrack lookup only when that limit is set). */
static __always_inline int ddos_limits(const struct sluice_ddos_config *c,
				       const struct l3_info *f, __u64 now)
{
	__u32 v6 = f->family == AF_INET6;
	const struct sluice_ddos_limit *l;

	l = &c->limit[SLUICE_DDOS_L_PKT_V4 + v6];
	if (l->pps && ddos_bucket_take(l, f, 0, now))
		return SLUICE_DROP_DDOS_RATE;
	l = &c->limit[SLUICE_DDOS_L_CONN_V4 + v6];
	if (!l->pps || !ddos_new_conn(f))
		return DP_CONTINUE;
	if (ddos_bucket_take(l, f, 1, now))
		return SLUICE_DROP_DDOS_CONN_RATE;
	return DP_CONTINUE;
}

/* Anything configured at all (the entry points skip the guard's program
 * when not: one array read). */
static __always_inline int ddos_on(void)
{
	const struct sluice_ddos_config *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&ddos_config, &zero);
	return c && c->flags;
}

static __always_inline int ddos_stage(struct __ctx_buff *ctx, struct pkt *p,
				      struct l3_info *f)
{
	const struct sluice_ddos_config *c;
	__u32 zero = 0;
	__u64 now;
	int r;

	c = bpf_map_lookup_elem(&ddos_config, &zero);
	if (!c || !c->flags)
		return DP_CONTINUE;
	now = bpf_ktime_get_ns();
	r = ddos_blocked(f, c->flags, now);
	if (r != DP_CONTINUE)
		return r;
	if (c->flags & SLUICE_DDOS_F_LIMITS) {
		r = ddos_limits(c, f, now);
		if (r != DP_CONTINUE)
			return r;
	}
	if ((c->flags & SLUICE_DDOS_F_SERVICES) && f->proto == IPPROTO_TCP)
		return ddos_cookie_stage(ctx, p, f, c, now);
	return DP_CONTINUE;
}

#endif
