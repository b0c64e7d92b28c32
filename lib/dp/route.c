// SPDX-License-Identifier: BSD-2-Clause
/*
 * The router's typed map operations: interfaces, VLANs, ports, routes,
 * nexthop groups and neighbours.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"
#include "fib_compile.h"

int dp_iface_set(struct dp *dp, __u32 ifindex, const struct sluice_iface *v)
{
	int err;

	if (v->slot >= SLUICE_MAX_IFACES)
		return -ERANGE;
	err = dp_update(dp, DP_MAP_IFACES, &ifindex, v);
	if (err)
		return err;
	dp_port_cache_set(dp, ifindex, v);
	if (dp->fib)
		dp_fib_iface_changed(dp, ifindex);
	return 0;
}

int dp_iface_del(struct dp *dp, __u32 ifindex)
{
	int err = dp_delete(dp, DP_MAP_IFACES, &ifindex);

	if (err)
		return err;
	dp_port_cache_del(dp, ifindex);
	if (dp->fib)
		dp_fib_iface_changed(dp, ifindex);
	return 0;
}

int dp_vlan_set(struct dp *dp, __u32 parent, __u16 vid, __u32 ifindex)
{
	struct sluice_vlan_key k = { .parent_ifindex = parent, .vlan_id = vid };

	return dp_update(dp, DP_MAP_VLANS, &k, &ifindex);
}

int dp_vlan_del(struct dp *dp, __u32 parent, __u16 vid)
{
	struct sluice_vlan_key k = { .parent_ifindex = parent, .vlan_id = vid };

	return dp_delete(dp, DP_MAP_VLANS, &k);
}

int dp_port_set(struct dp *dp, __u32 ifindex)
{
	return dp_update(dp, DP_MAP_TX_PORTS, &ifindex, &ifindex);
}

int dp_port_del(struct dp *dp, __u32 ifindex)
{
	return dp_delete(dp, DP_MAP_TX_PORTS, &ifindex);
}

int dp_lpm_key(int family, const void *addr, unsigned int plen,
	       union dp_lpm_key *k, enum dp_map_id *id)
{
	memset(k, 0, sizeof(*k));
	if (family == AF_INET && plen <= 32) {
		k->v4.prefixlen = plen;
		memcpy(k->v4.addr, addr, 4);
		*id = DP_MAP_ROUTES_V4;
		return 0;
	}
	if (family == AF_INET6 && plen <= 128) {
		k->v6.prefixlen = plen;
		memcpy(k->v6.addr, addr, 16);
		*id = DP_MAP_ROUTES_V6;
		return 0;
	}
	return -EINVAL;
}

int dp_route_set(struct dp *dp, int family, const void *addr, unsigned int plen,
		 const struct sluice_route *rt)
{
	enum dp_map_id id;
	union dp_lpm_key k;
	int err = dp_lpm_key(family, addr, plen, &k, &id);

	if (err)
		return err;
	if (dp->fib)
		return dp_fib_route_set(dp, family, addr, plen, rt);
	return dp_update(dp, id, &k, rt);
}

int dp_route_del(struct dp *dp, int family, const void *addr, unsigned int plen)
{
	enum dp_map_id id;
	union dp_lpm_key k;
	int err = dp_lpm_key(family, addr, plen, &k, &id);

	if (err)
		return err;
	if (dp->fib)
		return dp_fib_route_del(dp, family, addr, plen);
	return dp_delete(dp, id, &k);
}

int dp_route_get(struct dp *dp, int family, const void *addr, unsigned int plen,
		 struct sluice_route *rt)
{
	enum dp_map_id id;
	union dp_lpm_key k;
	int err = dp_lpm_key(family, addr, plen, &k, &id);

	return err ? err : dp_lookup(dp, id, &k, rt);
}

int dp_nhg_set(struct dp *dp, __u32 id, const struct sluice_nhg *g)
{
	if (!id || !g->count || g->count > SLUICE_MAX_ECMP)
		return -EINVAL;
	if (dp->fib)
		return dp_fib_nhg_set(dp, id, g);
	return dp_update(dp, DP_MAP_NHGS, &id, g);
}

int dp_nhg_del(struct dp *dp, __u32 id)
{
	if (dp->fib)
		return dp_fib_nhg_del(dp, id);
	return dp_delete(dp, DP_MAP_NHGS, &id);
}

int dp_nhg_get(struct dp *dp, __u32 id, struct sluice_nhg *g)
{
	return dp_lookup(dp, DP_MAP_NHGS, &id, g);
}

int dp_neigh_set(struct dp *dp, const struct sluice_neigh_key *k,
		 const struct sluice_neigh *v)
{
	int err = dp_update(dp, DP_MAP_NEIGHBORS, k, v);

	if (!err && dp->fib)
		dp_fib_neigh_changed(dp, k, v);
	return err;
}

int dp_neigh_del(struct dp *dp, const struct sluice_neigh_key *k)
{
	int err = dp_delete(dp, DP_MAP_NEIGHBORS, k);

	if (!err && dp->fib)
		dp_fib_neigh_changed(dp, k, NULL);
	return err;
}

int dp_neigh_get(struct dp *dp, const struct sluice_neigh_key *k,
		 struct sluice_neigh *v)
{
	return dp_lookup(dp, DP_MAP_NEIGHBORS, k, v);
}
