// SPDX-License-Identifier: BSD-2-Clause
/*
 * Carrying the LB flow table over to a new layout or size (layout.c), so
 * that an upgrade keeps every connection on its backend.
 *
 * The old table is an LRU hash (layouts 1 and 2, read in batches) or a
 * table of slots of another size (layout 3, read through a mapping); each
 * flow is entered into the new table as the data path would enter it
 * (lb_flow_table.c).  The new program is not attached yet, so nothing
 * else writes the new table meanwhile.  Flows the old program makes
 * between the copy and the attach of the new one are not copied: their
 * next packet picks by Maglev again, which gives the same backend unless
 * the VIP's table changed meanwhile.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "dp_internal.h"
#include "layout.h"

#define COPY_BATCH 4096

struct flow_batch {
	struct sluice_flow_key keys[COPY_BATCH];
	struct sluice_flow vals[COPY_BATCH];
};

struct copy {
	struct lb_flow_table *to;
	int copied;
};

static int copy_one(const struct sluice_flow_key *k,
		    const struct sluice_flow *v, void *arg)
{
	struct copy *c = arg;
	int rc = lb_flow_table_put(c->to, k, v);

	if (rc < 0)
		return rc;
	c->copied++;
	return 0;
}

/* An LRU hash of layout 1 or 2: batches of (key, struct sluice_flow). */
static int copy_lru(int old_fd, struct copy *c)
{
	struct flow_batch *b = calloc(1, sizeof(*b));
	bool first = true, done = false;
	__u32 token, count;
	int err = 0;

	if (!b)
		return -ENOMEM;
	while (!done && !err) {
		count = COPY_BATCH;
		err = bpf_map_lookup_batch(old_fd, first ? NULL : &token,
					   &token, b->keys, b->vals, &count,
					   NULL);
		first = false;
		if (err == -ENOENT) { /* the last batch */
			done = true;
			err = 0;
		}
		for (__u32 i = 0; i < count && !err; i++)
			err = copy_one(&b->keys[i], &b->vals[i], c);
	}
	free(b);
	return err;
}

int dp_layout_copy_flows(const char *old_path, int new_fd)
{
	struct lb_flow_table to = {}, from = {};
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct copy c = { &to, 0 };
	int old_fd, err;

	old_fd = bpf_obj_get(old_path);
	if (old_fd < 0)
		return -errno;
	err = dp_lb_flow_table_map(new_fd, &to);
	if (!err && bpf_obj_get_info_by_fd(old_fd, &info, &len))
		err = -errno;
	if (err)
		goto out;
	if (info.type == BPF_MAP_TYPE_LRU_HASH) {
		err = copy_lru(old_fd, &c);
	} else {
		err = dp_lb_flow_table_map(old_fd, &from);
		if (!err)
			err = lb_flow_table_foreach(&from, copy_one, &c);
	}
out:
	dp_lb_flow_table_unmap(&from);
	dp_lb_flow_table_unmap(&to);
	close(old_fd);
	return err ? err : c.copied;
}
