// SPDX-License-Identifier: BSD-2-Clause
/* On-link misses noted by the data path (bpf/lib/neigh_wanted.h). */
#include <errno.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"

int dp_neigh_wanted_take(struct dp *dp, struct sluice_neigh_key *keys, int max)
{
	int fd = dp_fd(dp, DP_MAP_NEIGH_WANTED), n = 0;
	struct sluice_neigh_key k;

	if (fd < 0)
		return fd;
	/* Delete as we go: the walk restarts from the first key each time,
	 * so a note the packet path adds meanwhile is never skipped past,
	 * and one deleted under us costs nothing but a restart. */
	while (n < max && !bpf_map_get_next_key(fd, NULL, &k)) {
		if (bpf_map_delete_elem(fd, &k) && errno != ENOENT)
			return n ? n : -errno;
		keys[n++] = k;
	}
	return n;
}
