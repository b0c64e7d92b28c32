/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The flow hash that picks an ECMP member.  It is shared by the data path and
 * user space (tests, tools) so that the choice for a flow can be predicted
 * exactly.  Inputs are the raw network-order words of the 5-tuple; the mixer
 * is the murmur3 finaliser, cheap and good enough to spread 5-tuples.
 */
#ifndef SLUICE_UAPI_FLOW_HASH_H
#define SLUICE_UAPI_FLOW_HASH_H

#include <linux/types.h>

static inline __u32 sluice_hash_mix(__u32 h, __u32 w)
{
	w *= 0xcc9e2d51u;
	w = (w << 15) | (w >> 17);
	w *= 0x1b873593u;
	h ^= w;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64u;
}

static inline __u32 sluice_hash_final(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* saddr/daddr: 1 word (v4) or 4 words (v6) each, network order as loaded.
 * ports: (sport | dport << 16) as loaded from the L4 header, 0 if none. */
static inline __u32 sluice_flow_hash(const __u32 *saddr, const __u32 *daddr,
				     int addr_words, __u32 ports, __u8 proto)
{
	__u32 h = 0x5175cee1u; /* arbitrary seed: "sluice" */
	int i;

	for (i = 0; i < 4; i++) {
		if (i >= addr_words)
			break;
		h = sluice_hash_mix(h, saddr[i]);
		h = sluice_hash_mix(h, daddr[i]);
	}
	h = sluice_hash_mix(h, ports);
	h = sluice_hash_mix(h, proto);
	return sluice_hash_final(h);
}

#endif /* SLUICE_UAPI_FLOW_HASH_H */
