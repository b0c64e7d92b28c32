/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What bench/mapcost.bpf.c and its loader (mapcost.c) agree on: how many
 * accesses a call makes, the flow table's key, value and slot, the
 * load-time constants, and the mixer that makes flow n's key from n.
 */
#ifndef SLUICE_BENCH_MAPCOST_H
#define SLUICE_BENCH_MAPCOST_H

#include <linux/types.h>
#include "../../lib/common/mix64.h"

#define MAPCOST_READS 64   /* dependent reads or lookups per call */
#define MAPCOST_INSERTS 16 /* dependent inserts per call */
#define MAPCOST_PROBES 16  /* slots a lookup tries, in line */
#define MAPCOST_LINE 64
/* An inner array of 480 lines with its header is at most 32 KiB:
 * kmalloc()ed, in the kernel's direct map. */
#define MAPCOST_INNER_SLOTS 480

/* lb_flows' key and value sizes (uapi/sluice/lb.h) */
struct mapcost_key {
	__u32 word[10];
};

struct mapcost_value {
	__u64 a, b;
};

/* A slot of the array flow table: a tag (0: free; else the hash | 1),
 * the key and the value; one cache line. */
struct mapcost_slot {
	__u64 tag;
	struct mapcost_key key;
	struct mapcost_value value;
};

/* The program's .rodata, set before load: the large array's slots (the
 * table's, for the inserts and lookups), the inner arrays' count and
 * slots each, and for the lookups the flows 0..flows-1 put in. */
struct mapcost_cfg {
	__u32 slots;
	__u32 inner;
	__u32 inner_slots;
	__u32 flows;
};

/* Flow @h's key (h: a mix64() of the flow's number). */
static inline void mapcost_key_of(__u64 h, struct mapcost_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->word[0] = (__u32)h;
	k->word[1] = (__u32)(h >> 32);
}

#endif
