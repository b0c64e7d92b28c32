// SPDX-License-Identifier: BSD-2-Clause
/*
 * Carrying the LB flow table over to a new layout or size (layout.c), so
 * that an upgrade keeps every connection on its backend.
 *
 * The new table has an LRU list per CPU (BPF_F_NO_COMMON_LRU) and an
 * insert from user space takes its node from the list of the CPU it runs
 * on, which holds max_entries / CPUs nodes: inserting a full table from
 * one CPU would evict most of it again.  So each batch read from the old
 * table is inserted in shares, this thread moved to each CPU it may run on
 * in turn.  Flows the old program makes between the copy and the attach
 * of the new one are not copied: their next packet picks by Maglev again,
 * which gives the same backend unless the VIP's table changed meanwhile.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <uapi/sluice/lb.h>
#include "layout.h"

#define COPY_BATCH 4096

struct flow_batch {
	struct sluice_flow_key keys[COPY_BATCH];
	struct sluice_flow vals[COPY_BATCH];
	struct sluice_flow_key share_keys[COPY_BATCH];
	struct sluice_flow share_vals[COPY_BATCH];
};

/* Inserts @n entries: share @k of @nshares from CPU @cpu. */
static int insert_share(int fd, struct flow_batch *b, __u32 n, int cpu, __u32 k,
			__u32 nshares)
{
	cpu_set_t one;
	__u32 m = 0, count;

	for (__u32 i = k; i < n; i += nshares) {
		b->share_keys[m] = b->keys[i];
		b->share_vals[m] = b->vals[i];
		m++;
	}
	if (!m)
		return 0;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return -errno;
	count = m;
	if (!bpf_map_update_batch(fd, b->share_keys, b->share_vals, &count,
				  NULL))
		return 0;
	for (__u32 i = 0; i < m; i++) /* no batch updates: one by one */
		if (bpf_map_update_elem(fd, &b->share_keys[i],
					&b->share_vals[i], BPF_ANY))
			return -errno;
	return 0;
}

static int insert_spread(int fd, struct flow_batch *b, __u32 n,
			 const cpu_set_t *allowed)
{
	__u32 nshares = (__u32)CPU_COUNT(allowed), k = 0;
	int err;

	for (int cpu = 0; cpu < CPU_SETSIZE && k < nshares; cpu++) {
		if (!CPU_ISSET(cpu, allowed))
			continue;
		err = insert_share(fd, b, n, cpu, k++, nshares);
		if (err)
			return err;
	}
	return 0;
}

int dp_layout_copy_flows(const char *old_path, int new_fd)
{
	struct flow_batch *b = NULL;
	cpu_set_t allowed;
	__u32 token, count;
	bool first = true, done = false;
	int old_fd, copied = 0, err = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -errno;
	old_fd = bpf_obj_get(old_path);
	if (old_fd < 0)
		return -errno;
	b = calloc(1, sizeof(*b));
	if (!b) {
		err = -ENOMEM;
		goto out;
	}
	while (!done) {
		count = COPY_BATCH;
		err = bpf_map_lookup_batch(old_fd, first ? NULL : &token,
					   &token, b->keys, b->vals, &count,
					   NULL);
		first = false;
		if (err == -ENOENT) { /* the last batch */
			done = true;
			err = 0;
		}
		if (err)
			break;
		err = insert_spread(new_fd, b, count, &allowed);
		if (err)
			break;
		copied += (int)count;
	}
	if (sched_setaffinity(0, sizeof(allowed), &allowed) && !err)
		err = -errno;
out:
	free(b);
	close(old_fd);
	return err ? err : copied;
}
