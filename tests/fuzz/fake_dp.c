// SPDX-License-Identifier: BSD-2-Clause
/* A data path without maps, and ops that accept everything (fake_dp.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dp_ct.h"
#include "dp_internal.h"
#include "fake_dp.h"

struct dp *fuzz_dp_new(void)
{
	struct dp *dp = calloc(1, sizeof(*dp));

	if (!dp)
		return NULL;
	dp->role = DP_ROLE_ROUTER;
	dp->ncpus = 1;
	/* the LB flow table is memory, not a map: a small one, empty */
	dp->flows.bits = SLUICE_LB_FLOW_BITS_MIN;
	dp->flows.slot =
		calloc((size_t)1 << dp->flows.bits, sizeof(*dp->flows.slot));
	if (!dp->flows.slot) {
		free(dp);
		return NULL;
	}
	return dp;
}

void fuzz_dp_free(struct dp *dp)
{
	if (dp)
		free(dp->flows.slot);
	free(dp);
}

/* ---- state ---- */
static enum dp_role st_role(const struct dp *dp)
{
	(void)dp;
	return DP_ROLE_ROUTER;
}

static int st_attach(struct dp *dp, int ifindex, const char *ifname,
		     enum dp_xdp_mode mode, enum dp_xdp_mode *mode_out,
		     bool *adopted)
{
	(void)dp;
	(void)ifindex;
	(void)ifname;
	*mode_out = mode == DP_XDP_AUTO ? DP_XDP_NATIVE : mode;
	*adopted = false;
	return 0;
}

static int st_detach(struct dp *dp, const char *ifname, bool keep)
{
	(void)dp;
	(void)ifname;
	(void)keep;
	return 0;
}

static int st_attach_tc(struct dp *dp, int ifindex, const char *ifname,
			bool *adopted)
{
	(void)dp;
	(void)ifindex;
	(void)ifname;
	*adopted = false;
	return 0;
}

static int st_dp(struct dp *dp)
{
	(void)dp;
	return 0;
}

static int st_iface_set(struct dp *dp, __u32 ifindex,
			const struct sluice_iface *v)
{
	(void)dp;
	(void)ifindex;
	(void)v;
	return 0;
}

static int st_u32(struct dp *dp, __u32 x)
{
	(void)dp;
	(void)x;
	return 0;
}

static int st_vlan_set(struct dp *dp, __u32 parent, __u16 vid, __u32 ifindex)
{
	(void)dp;
	(void)parent;
	(void)vid;
	(void)ifindex;
	return 0;
}

static int st_vlan_del(struct dp *dp, __u32 parent, __u16 vid)
{
	(void)dp;
	(void)parent;
	(void)vid;
	return 0;
}

static int st_route_set(struct dp *dp, int family, const void *addr,
			unsigned int plen, const struct sluice_route *rt)
{
	(void)dp;
	(void)family;
	(void)addr;
	(void)plen;
	(void)rt;
	return 0;
}

static int st_route_del(struct dp *dp, int family, const void *addr,
			unsigned int plen)
{
	(void)dp;
	(void)family;
	(void)addr;
	(void)plen;
	return 0;
}

static int st_nhg_set(struct dp *dp, __u32 id, const struct sluice_nhg *g)
{
	(void)dp;
	(void)id;
	(void)g;
	return 0;
}

static int st_neigh_set(struct dp *dp, const struct sluice_neigh_key *k,
			const struct sluice_neigh *v)
{
	(void)dp;
	(void)k;
	(void)v;
	return 0;
}

static int st_neigh_del(struct dp *dp, const struct sluice_neigh_key *k)
{
	(void)dp;
	(void)k;
	return 0;
}

static int st_addr(struct dp *dp, int family, const void *addr)
{
	(void)dp;
	(void)family;
	(void)addr;
	return 0;
}

static int st_addr_foreach(struct dp *dp, dp_key_cb cb, void *arg)
{
	(void)dp;
	(void)cb;
	(void)arg;
	return 0;
}

static int map_foreach(struct dp *dp, enum dp_map_id id, dp_key_cb cb,
		       void *arg)
{
	(void)dp;
	(void)id;
	(void)cb;
	(void)arg;
	return 0;
}

static int st_map_delete(struct dp *dp, enum dp_map_id id, const void *key)
{
	(void)dp;
	(void)id;
	(void)key;
	return 0;
}

static int st_detach_keep(struct dp *dp, const char *ifname, bool keep)
{
	return st_detach(dp, ifname, keep);
}

const struct state_dp_ops fuzz_state_ops = {
	.role = st_role,
	.attach = st_attach,
	.detach = st_detach,
	.attach_tc = st_attach_tc,
	.detach_tc = st_detach_keep,
	.unpin_maps = st_dp,
	.iface_set = st_iface_set,
	.iface_del = st_u32,
	.vlan_set = st_vlan_set,
	.vlan_del = st_vlan_del,
	.port_set = st_u32,
	.port_del = st_u32,
	.route_set = st_route_set,
	.route_del = st_route_del,
	.nhg_set = st_nhg_set,
	.nhg_del = st_u32,
	.neigh_set = st_neigh_set,
	.neigh_del = st_neigh_del,
	.local_addr_set = st_addr,
	.local_addr_del = st_addr,
	.local_addr_foreach = st_addr_foreach,
	.map_foreach = map_foreach,
	.map_delete = st_map_delete,
};

/* ---- the load balancer ---- */
static int lb_config_set(struct dp *dp, const struct sluice_lb_config *c)
{
	(void)dp;
	(void)c;
	return 0;
}

static int lb_vip_set(struct dp *dp, const struct sluice_vip_key *k,
		      const struct sluice_vip *v)
{
	(void)dp;
	(void)k;
	(void)v;
	return 0;
}

static int fk_vip_del(struct dp *dp, const struct sluice_vip_key *k)
{
	(void)dp;
	(void)k;
	return 0;
}

static int lb_backend_set(struct dp *dp, __u32 id,
			  const struct sluice_backend *b)
{
	(void)dp;
	(void)id;
	(void)b;
	return 0;
}

static int lb_ring_install(struct dp *dp, __u32 vip_id, __u32 m,
			   const __u32 *table)
{
	(void)dp;
	(void)vip_id;
	(void)m;
	(void)table;
	return 0;
}

static int lb_ring_update(struct dp *dp, __u32 vip_id, __u32 m,
			  const __u32 *old, const __u32 *nw, __u32 *changed)
{
	(void)dp;
	(void)vip_id;
	*changed = 0;
	for (__u32 i = 0; i < m; i++)
		*changed += old[i] != nw[i];
	return 0;
}

/* nothing was left installed by an earlier run */
static int lb_ring_read(struct dp *dp, __u32 vip_id, __u32 *table, __u32 max,
			__u32 *m)
{
	(void)dp;
	(void)vip_id;
	(void)table;
	(void)max;
	*m = 0;
	return -ENOENT;
}

static int lb_stats_clear(struct dp *dp, __u32 vip_id, __u32 backend_id)
{
	(void)dp;
	(void)vip_id;
	(void)backend_id;
	return 0;
}

static int lb_stats(struct dp *dp, __u32 id, struct sluice_lb_counter *out)
{
	(void)dp;
	(void)id;
	memset(out, 0, sizeof(*out));
	return 0;
}

static int fk_flow_count(struct dp *dp)
{
	(void)dp;
	return 0;
}

const struct lb_dp_ops fuzz_lb_ops = {
	.config_set = lb_config_set,
	.vip_set = lb_vip_set,
	.vip_del = fk_vip_del,
	.backend_set = lb_backend_set,
	.backend_del = st_u32,
	.ring_install = lb_ring_install,
	.ring_update = lb_ring_update,
	.ring_read = lb_ring_read,
	.ring_del = st_u32,
	.stats_clear = lb_stats_clear,
	.vip_stats = lb_stats,
	.backend_stats = lb_stats,
	.flow_count = fk_flow_count,
	.map_foreach = map_foreach,
	/* lib/dp's own: the table fuzz_dp_new() gave dp->flows */
	.flow_table = dp_lb_flow_table,
};

/* ---- NAT ---- */
static int nat_snat(struct dp *dp, const struct dp_snat_rule *r)
{
	(void)dp;
	(void)r;
	return 0;
}

static int nat_dnat(struct dp *dp, const struct dp_dnat_rule *r)
{
	(void)dp;
	(void)r;
	return 0;
}

static int nat_config_set(struct dp *dp, uint32_t flags)
{
	(void)dp;
	(void)flags;
	return 0;
}

static int nat_events(struct dp *dp, uint64_t out[SLUICE_NAT_NEVENTS])
{
	(void)dp;
	memset(out, 0, SLUICE_NAT_NEVENTS * sizeof(out[0]));
	return 0;
}

static int nat_flow_count(struct dp *dp, uint32_t *n)
{
	(void)dp;
	*n = 0;
	return 0;
}

const struct nat_dp_ops fuzz_nat_ops = {
	.snat_set = nat_snat,
	.snat_del = nat_snat,
	.dnat_set = nat_dnat,
	.dnat_del = nat_dnat,
	.config_set = nat_config_set,
	.events = nat_events,
	.flow_count = nat_flow_count,
};

/* ---- conntrack ---- */
static int ct_config_set(struct dp *dp, const struct sluice_ct_config *c)
{
	(void)dp;
	(void)c;
	return 0;
}

static int ct_counts(struct dp *dp, struct dp_ct_counts *out)
{
	(void)dp;
	memset(out, 0, sizeof(*out));
	return 0;
}

static uint32_t ct_capacity(const struct dp *dp)
{
	(void)dp;
	return 4096;
}

static int ct_walk(struct dp *dp, const struct sluice_ct_key *cursor,
		   int (*cb)(const struct sluice_ct_key *k,
			     const struct sluice_ct_entry *e, void *arg),
		   void *arg)
{
	(void)dp;
	(void)cursor;
	(void)cb;
	(void)arg;
	return 0;
}

const struct ct_dp_ops fuzz_ct_ops = {
	.config_set = ct_config_set,
	.counts = ct_counts,
	.capacity = ct_capacity,
	.walk = ct_walk,
};
