// SPDX-License-Identifier: BSD-2-Clause
/*
 * The LB flow table (uapi/sluice/lb_flows.h) as lib/dp's callers see it:
 * mapped once after the load, so counting its flows reads memory (a
 * timer of sluiced's and /metrics) and a walk costs no syscall per flow.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"
#include "log.h"

int dp_lb_flow_table_map(int fd, struct lb_flow_table *t)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	unsigned int bits = 0;
	void *mem;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_ARRAY ||
	    !(info.map_flags & BPF_F_MMAPABLE) ||
	    info.value_size != sizeof(struct sluice_lb_flow_slot))
		return -EPROTO;
	while (bits < SLUICE_LB_FLOW_BITS_MAX &&
	       (1u << bits) < info.max_entries)
		bits++;
	if ((1u << bits) != info.max_entries)
		return -EPROTO;
	mem = mmap(NULL, (size_t)info.max_entries * info.value_size,
		   PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED)
		return -errno;
	t->slot = mem;
	t->bits = bits;
	return 0;
}

void dp_lb_flow_table_unmap(struct lb_flow_table *t)
{
	if (t->slot)
		munmap(t->slot, sizeof(*t->slot) << t->bits);
	t->slot = NULL;
}

int dp_lb_flows_open(struct dp *dp)
{
	struct bpf_map *m = dp->maps[DP_MAP_LB_FLOWS];
	int err;

	if (!m)
		return 0;
	err = dp_lb_flow_table_map(bpf_map__fd(m), &dp->flows);
	if (err)
		pr_err("dp: cannot map lb_flows: %s", strerror(-err));
	return err;
}

void dp_lb_flows_close(struct dp *dp)
{
	dp_lb_flow_table_unmap(&dp->flows);
}

int dp_lb_flow_count(struct dp *dp)
{
	return dp->flows.slot ? (int)lb_flow_table_count(&dp->flows) :
				-EOPNOTSUPP;
}

__u32 dp_lb_flow_slots(const struct dp *dp)
{
	return dp->flows.slot ? 1u << dp->flows.bits : 0;
}

int dp_lb_flow_table(struct dp *dp, struct lb_flow_table *out)
{
	if (!dp->flows.slot)
		return -EOPNOTSUPP;
	*out = dp->flows;
	return 0;
}

int dp_lb_flow_get(struct dp *dp, const struct sluice_flow_key *k,
		   struct sluice_flow *out)
{
	return dp->flows.slot ? lb_flow_table_get(&dp->flows, k, out) :
				-EOPNOTSUPP;
}

int dp_lb_flow_put(struct dp *dp, const struct sluice_flow_key *k,
		   const struct sluice_flow *v)
{
	return dp->flows.slot ? lb_flow_table_put(&dp->flows, k, v) :
				-EOPNOTSUPP;
}

int dp_lb_flow_del(struct dp *dp, const struct sluice_flow_key *k)
{
	return dp->flows.slot ? lb_flow_table_del(&dp->flows, k) : -EOPNOTSUPP;
}

struct foreach_arg {
	dp_key_cb cb;
	void *arg;
};

static int foreach_one(const struct sluice_flow_key *k,
		       const struct sluice_flow *v, void *arg)
{
	struct foreach_arg *a = arg;

	return a->cb(k, v, a->arg);
}

int dp_lb_flow_foreach(struct dp *dp, dp_key_cb cb, void *arg)
{
	struct foreach_arg a = { cb, arg };

	if (!dp->flows.slot)
		return -EOPNOTSUPP;
	return lb_flow_table_foreach(&dp->flows, foreach_one, &a);
}
