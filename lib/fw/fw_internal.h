/* SPDX-License-Identifier: BSD-2-Clause */
/* lib/fw internal: what the compiler, the evaluators and the checker
 * share. */
#ifndef SLUICE_FW_INTERNAL_H
#define SLUICE_FW_INTERNAL_H

#include "fw.h"

__u32 fw_class_of(__u8 proto);
/* The ct state's index in the protocol x state table, as the BPF stage
 * computes it (0 = untracked). */
__u32 fw_state_index(__u8 ct);
bool fw_prefix_covers(const struct fw_prefix *a, const struct fw_prefix *b);
struct fw_range fw_port_range(const struct fw_rule *r, __u8 dim);

#endif
