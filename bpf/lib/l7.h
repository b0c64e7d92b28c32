/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The L7 local hop's helpers (uapi/sluice/l7.h): the sockhash key of a
 * socket as the kernel describes it to sockops and sk_msg programs, and
 * the per-selector counters.
 */
#ifndef SLUICE_BPF_L7_H
#define SLUICE_BPF_L7_H

#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/l7.h>
#include "l7_maps.h"

#define L7_AF_INET 2
#define L7_AF_INET6 10

/* An end's address as the context gives it: every field is read whatever
 * the family (the verifier wants each context read at a fixed offset;
 * the compiler would otherwise pick the offset in a register). */
struct l7_end {
	__u32 ip4;
	__u32 ip6[4];
};

/* A volatile read is emitted where it is written, at its fixed offset. */
#define L7_CTX(ctx, f) (*(volatile __u32 *)&(ctx)->f)

#define L7_END_READ(e, ctx, which)                                             \
	do {                                                                   \
		(e)->ip4 = L7_CTX(ctx, which##_ip4);                           \
		(e)->ip6[0] = L7_CTX(ctx, which##_ip6[0]);                     \
		(e)->ip6[1] = L7_CTX(ctx, which##_ip6[1]);                     \
		(e)->ip6[2] = L7_CTX(ctx, which##_ip6[2]);                     \
		(e)->ip6[3] = L7_CTX(ctx, which##_ip6[3]);                     \
	} while (0)

/* The 16-byte address of @e; AF_INET written v4-mapped, so that both ends
 * of a dual-stack connection build the same key. */
static __always_inline void l7_addr(__u8 *out, __u32 family,
				    const struct l7_end *e)
{
	__u32 *o = (__u32 *)out;

	if (family == L7_AF_INET) {
		o[0] = 0;
		o[1] = 0;
		o[2] = bpf_htonl(0x0000ffff);
		o[3] = e->ip4;
		return;
	}
	o[0] = e->ip6[0];
	o[1] = e->ip6[1];
	o[2] = e->ip6[2];
	o[3] = e->ip6[3];
}

/*
 * Both program types give the local port in host order and the remote
 * port in network order in the upper half of the word (the kernel shifts
 * the 16-bit field left by 16 on little-endian, as bpf_ntohl() undoes).
 */
static __always_inline __u16 l7_remote_port(__u32 v)
{
	return (__u16)bpf_ntohl(v);
}

static __always_inline struct sluice_l7_counter *l7_counter(__u32 id)
{
	if (id >= SLUICE_L7_MAX_SELECTORS)
		id = 0;
	return bpf_map_lookup_elem(&l7_counters, &id);
}

static __always_inline void l7_count_fallback(__u32 id, __u32 why, __u32 bytes)
{
	struct sluice_l7_counter *c = l7_counter(id);

	if (!c || why >= SLUICE_L7_FB_COUNT)
		return;
	c->fb_msgs[why]++;
	c->fb_bytes[why] += bytes;
}

#endif
