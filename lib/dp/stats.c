// SPDX-License-Identifier: BSD-2-Clause
/* The verdict counters (uapi/sluice/stats.h): read and clear. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"

int dp_stats_read(struct dp *dp, __u32 slot, struct sluice_counter *out)
{
	struct sluice_counter *percpu;
	int fd = dp_map_fd(dp, DP_MAP_STATS);

	if (slot >= SLUICE_MAX_IFACES)
		return -ERANGE;
	percpu = calloc(dp->ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	memset(out, 0, SLUICE_REASON_SLOTS * sizeof(*out));
	for (size_t i = 0; i < DP_REASON_COUNT; i++) {
		__u32 r = dp_reason_at(i);
		__u32 idx = slot * SLUICE_REASON_SLOTS + r;

		if (bpf_map_lookup_elem(fd, &idx, percpu))
			continue;
		for (int c = 0; c < dp->ncpus; c++) {
			out[r].packets += percpu[c].packets;
			out[r].bytes += percpu[c].bytes;
		}
	}
	free(percpu);
	return 0;
}

int dp_stats_clear(struct dp *dp)
{
	struct sluice_counter *zero;
	int fd = dp_map_fd(dp, DP_MAP_STATS), err = 0;

	zero = calloc(dp->ncpus, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	for (__u32 i = 0; i < SLUICE_STATS_ENTRIES && !err; i++)
		if (bpf_map_update_elem(fd, &i, zero, BPF_ANY))
			err = -errno;
	free(zero);
	return err;
}
