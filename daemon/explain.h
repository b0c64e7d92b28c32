/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * POST /v1/explain (api_explain.c, docs/explain.md): one synthesized
 * packet through a copy of the live XDP program (lib/dp/explain.c), and
 * every decision it took in words.  explain_decode.c puts a frame in
 * words.
 */
#ifndef SLUICED_EXPLAIN_H
#define SLUICED_EXPLAIN_H

#include <stddef.h>
#include <linux/types.h>

struct json_object;
struct dp;

/* Loads the copy POST /v1/explain runs (sluiced --explain, config
 * "explain": true): at start, while sluiced still holds CAP_PERFMON,
 * which the verifier wants and the running daemon drops (caps.c).  A
 * failure is logged, and the API answers why. */
void explain_prepare(struct dp *dp);

/* What the decoder read out of the outermost headers. */
struct explain_decoded {
	__u8 dst_mac[6];
	__u8 src_mac[6];
	__u16 vlan;
	int family; /* of the outer IP header; 0: none */
	char src[46];
	char dst[46];
	__u8 ttl;
	const char *encap;  /* "ipip", "ip6", "gre" or NULL */
	__u16 sport, dport; /* of an unencapsulated TCP/UDP packet */
};

/* A JSON array of lines, one a header ("eth A > B type 0x0800", "ipv4 S
 * > D ttl 63 proto ipip", "inner ipv4 ...", "tcp 1234 > 80 flags S"). */
struct json_object *explain_decode(const __u8 *f, size_t len,
				   struct explain_decoded *d);
void explain_mac_str(const __u8 *m, char *buf, size_t len);

#endif
