/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The compiled forwarding table (uapi/sluice/fib.h): arrays the control
 * plane writes through mmap, so every read here is an array lookup the
 * verifier inlines.  The group pools are sized at load time.
 */
#ifndef SLUICE_BPF_FIB_MAPS_H
#define SLUICE_BPF_FIB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/fib.h>
#include <uapi/sluice/fib_p48.h>

#define FIB_ARRAY(name, entries, value_type)                                   \
	struct {                                                               \
		__uint(type, BPF_MAP_TYPE_ARRAY);                              \
		__uint(map_flags, BPF_F_MMAPABLE);                             \
		__uint(max_entries, entries);                                  \
		__type(key, __u32);                                            \
		__type(value, value_type);                                     \
	} name SEC(".maps")

#define FIB_ROOT_BLOCKS (SLUICE_FIB_ROOT_SIZE / SLUICE_FIB_GROUP_SIZE)

FIB_ARRAY(fib4_root, FIB_ROOT_BLOCKS, struct sluice_fib_block);
FIB_ARRAY(fib4_groups, SLUICE_FIB4_GROUPS, struct sluice_fib_block);
FIB_ARRAY(fib6_root, FIB_ROOT_BLOCKS, struct sluice_fib_block);
FIB_ARRAY(fib6_groups, SLUICE_FIB6_GROUPS, struct sluice_fib_block);
FIB_ARRAY(fib6_p48, SLUICE_FIB6_P48_BUCKETS, struct sluice_fib6_p48_bucket);

/* log2 of fib6_p48's buckets, 0 for no index: lib/dp sets both at load
 * (sluiced's fib.v6_index_slots) */
const volatile __u32 cfg_fib6_p48_bits = SLUICE_FIB6_P48_BITS;
FIB_ARRAY(fib_nhgs, SLUICE_MAX_NHGS, struct sluice_fib_nhg);
FIB_ARRAY(fib_nhs, SLUICE_FIB_MAX_NHS, struct sluice_fib_nh);

#endif
