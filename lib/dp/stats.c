// SPDX-License-Identifier: BSD-2-Clause
/* The verdict counters (uapi/sluice/stats.h): read and clear. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"

/* Both per-CPU value types (struct sluice_counter, sluice_lb_counter) are
 * nothing but __u64 counters, so one word-by-word sum serves them all. */
int dp_percpu_sum(const struct dp *dp, int id, const void *key, void *out,
		  size_t size)
{
	size_t words = size / sizeof(__u64);
	__u64 *percpu, *sum = out;
	int err;

	if (size % sizeof(__u64))
		return -EINVAL;
	percpu = calloc(dp->ncpus, size);
	if (!percpu)
		return -ENOMEM;
	memset(out, 0, size);
	err = dp_lookup(dp, id, key, percpu);
	for (int c = 0; !err && c < dp->ncpus; c++)
		for (size_t w = 0; w < words; w++)
			sum[w] += percpu[c * words + w];
	free(percpu);
	return err;
}

int dp_percpu_sum_events(const struct dp *dp, int id, __u32 n, __u64 *out)
{
	for (__u32 i = 0; i < n; i++) {
		int err = dp_percpu_sum(dp, id, &i, &out[i], sizeof(out[i]));

		if (err)
			return err;
	}
	return 0;
}

int dp_percpu_zero(const struct dp *dp, int id, const void *key, size_t size)
{
	void *zero = calloc(dp->ncpus, size);
	int err;

	if (!zero)
		return -ENOMEM;
	err = dp_update(dp, id, key, zero);
	free(zero);
	return err;
}

int dp_stats_read(struct dp *dp, __u32 slot, struct sluice_counter *out)
{
	if (slot >= SLUICE_MAX_IFACES)
		return -ERANGE;
	memset(out, 0, SLUICE_REASON_SLOTS * sizeof(*out));
	for (size_t i = 0; i < DP_REASON_COUNT; i++) {
		__u32 r = dp_reason_at(i);
		__u32 idx = slot * SLUICE_REASON_SLOTS + r;
		/* a counter that cannot be read stays 0 */
		int err = dp_percpu_sum(dp, DP_MAP_STATS, &idx, &out[r],
					sizeof(out[r]));

		if (err == -ENOMEM)
			return err;
	}
	return 0;
}

int dp_stats_clear(struct dp *dp)
{
	int err = 0;

	for (__u32 i = 0; i < SLUICE_STATS_ENTRIES && !err; i++)
		err = dp_percpu_zero(dp, DP_MAP_STATS, &i,
				     sizeof(struct sluice_counter));
	return err;
}
