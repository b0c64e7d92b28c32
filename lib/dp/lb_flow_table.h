/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The LB flow table in user space: the probes of uapi/sluice/lb_flows.h
 * over the table's memory (mapped, or any array of slots), the same walk
 * the data path makes (bpf/lib/lb_flows.h).  Pure: no syscall, so the
 * unit tests run it on a plain array.
 */
#ifndef SLUICE_DP_LB_FLOW_TABLE_H
#define SLUICE_DP_LB_FLOW_TABLE_H

#include <uapi/sluice/lb.h>
#include <uapi/sluice/lb_flows.h>

struct lb_flow_table {
	struct sluice_lb_flow_slot *slot; /* 2^bits of them */
	unsigned int bits;
};

/* @k's entry into *@out: 0, or -ENOENT. */
int lb_flow_table_get(const struct lb_flow_table *t,
		      const struct sluice_flow_key *k, struct sluice_flow *out);
/* @k -> @v, as the data path enters a flow: 0 entered, 1 rewritten in
 * place, -EBUSY when every probe is being written. */
int lb_flow_table_put(const struct lb_flow_table *t,
		      const struct sluice_flow_key *k,
		      const struct sluice_flow *v);
/* @k out of the table (its slot tagged deleted): 0, or -ENOENT. */
int lb_flow_table_del(const struct lb_flow_table *t,
		      const struct sluice_flow_key *k);

typedef int (*lb_flow_cb)(const struct sluice_flow_key *k,
			  const struct sluice_flow *v, void *arg);
/* Every flow, each read whole (a slot rewritten during its read is
 * skipped); a nonzero return of @cb stops the walk and is returned. */
int lb_flow_table_foreach(const struct lb_flow_table *t, lb_flow_cb cb,
			  void *arg);
typedef int (*lb_flow_at_cb)(__u32 slot, const struct sluice_flow_key *k,
			     const struct sluice_flow *v, void *arg);
/* The flows from slot @from on, in slot order, each with its slot (a
 * walk a page at a time: the next page starts after the last slot given);
 * a nonzero return of @cb stops the walk and is returned. */
int lb_flow_table_walk(const struct lb_flow_table *t, __u32 from,
		       lb_flow_at_cb cb, void *arg);
/* Slots holding a flow. */
long lb_flow_table_count(const struct lb_flow_table *t);

#endif
