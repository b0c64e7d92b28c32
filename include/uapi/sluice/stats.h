/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The verdict counters every program shares: one per ingress interface
 * slot and reason (reasons.h).
 */
#ifndef SLUICE_UAPI_STATS_H
#define SLUICE_UAPI_STATS_H

#include <linux/types.h>
#include "limits.h"
#include "reasons.h"

/* stats: BPF_MAP_TYPE_PERCPU_ARRAY, index slot * SLUICE_REASON_SLOTS +
 * reason.  Slot 0 counts packets of interfaces sluice has no slot for. */
struct sluice_counter {
	__u64 packets;
	__u64 bytes;
};

#define SLUICE_STATS_ENTRIES (SLUICE_MAX_IFACES * SLUICE_REASON_SLOTS)

_Static_assert(sizeof(struct sluice_counter) == 16, "counter");

#endif /* SLUICE_UAPI_STATS_H */
