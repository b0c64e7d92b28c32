// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's typed map operations: its config, VIPs and their
 * count, backends, counters and the flow table's size (the Maglev rings
 * are lb_ring.c's).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"
#include "lb_backend_hop.h"

int dp_lb_config_set(struct dp *dp, const struct sluice_lb_config *c)
{
	__u32 zero = 0;

	return dp_update(dp, DP_MAP_LB_CONFIG, &zero, c);
}

int dp_lb_config_get(struct dp *dp, struct sluice_lb_config *c)
{
	__u32 zero = 0;

	return dp_lookup(dp, DP_MAP_LB_CONFIG, &zero, c);
}

static int vip_count_set(struct dp *dp, __u32 n)
{
	__u32 zero = 0;

	return dp_update(dp, DP_MAP_LB_VIP_COUNT, &zero, &n);
}

int dp_lb_vip_count_sync(struct dp *dp)
{
	int n = dp_map_count(dp, DP_MAP_LB_VIPS);

	return n < 0 ? n : vip_count_set(dp, (__u32)n);
}

int dp_vip_set(struct dp *dp, const struct sluice_vip_key *k,
	       const struct sluice_vip *v)
{
	int n, err;

	if (!v->vip_id || v->vip_id >= SLUICE_LB_MAX_VIPS)
		return -ERANGE;
	/* raise the count and set the address's bit first, so the data
	 * path never skips a VIP */
	n = dp_map_count(dp, DP_MAP_LB_VIPS);
	if (n < 0)
		return n;
	err = vip_count_set(dp, (__u32)n + 1) ?: dp_lb_vip_bit_add(dp, k);
	/* its id before the VIP: an entry naming it finds it (an update of
	 * the VIP rewrites both, the id first) */
	if (!err)
		err = dp_lb_vip_id_set(dp, k, v);
	if (!err)
		err = dp_update(dp, DP_MAP_LB_VIPS, k, v);
	dp_lb_vip_count_sync(dp);
	if (err) { /* a VIP that was not inserted keeps no bit, no id */
		struct sluice_vip cur;

		dp_lb_vip_bit_release(dp, k);
		if (!dp_lookup(dp, DP_MAP_LB_VIPS, k, &cur) &&
		    cur.vip_id == v->vip_id)
			dp_lb_vip_id_set(dp, k, &cur); /* as it was */
		else
			dp_lb_vip_id_clear(dp, v->vip_id);
	}
	return err;
}

int dp_vip_del(struct dp *dp, const struct sluice_vip_key *k)
{
	struct sluice_vip old;
	bool had = !dp_lookup(dp, DP_MAP_LB_VIPS, k, &old);
	int err = dp_delete(dp, DP_MAP_LB_VIPS, k);

	dp_lb_vip_count_sync(dp);
	dp_lb_vip_bit_release(dp, k);
	if (!err && had)
		dp_lb_vip_id_clear(dp, old.vip_id);
	return err;
}

/* The backend's outer next hop is resolved here (lb_backend_hop.c): the
 * caller's .hop is ignored. */
int dp_backend_set(struct dp *dp, __u32 id, const struct sluice_backend *b)
{
	struct sluice_backend v = *b, old = {};
	int err;

	if (!id || id >= SLUICE_LB_MAX_BACKENDS)
		return -ERANGE;
	dp_lookup(dp, DP_MAP_LB_BACKENDS, &id, &old);
	v.hop = 0;
	dp_backend_hop_set(dp, id, &v);
	err = dp_update(dp, DP_MAP_LB_BACKENDS, &id, &v);
	if (err) /* back to what the map still holds */
		dp_backend_hop_set(dp, id, &old);
	return err;
}

int dp_backend_get(struct dp *dp, __u32 id, struct sluice_backend *b)
{
	if (id >= SLUICE_LB_MAX_BACKENDS)
		return -ERANGE;
	return dp_lookup(dp, DP_MAP_LB_BACKENDS, &id, b);
}

int dp_backend_del(struct dp *dp, __u32 id)
{
	struct sluice_backend zero = {};

	/* an ARRAY slot cannot be deleted: family 0 means unset */
	int err;

	if (!id || id >= SLUICE_LB_MAX_BACKENDS)
		return -ERANGE;
	err = dp_update(dp, DP_MAP_LB_BACKENDS, &id, &zero);
	if (!err)
		dp_backend_hop_set(dp, id, &zero);
	return err;
}

int dp_lb_vip_stats(struct dp *dp, __u32 vip_id, struct sluice_lb_counter *out)
{
	return dp_percpu_sum(dp, DP_MAP_LB_VIP_STATS, &vip_id, out,
			     sizeof(*out));
}

int dp_lb_backend_stats(struct dp *dp, __u32 id, struct sluice_lb_counter *out)
{
	return dp_percpu_sum(dp, DP_MAP_LB_BACKEND_STATS, &id, out,
			     sizeof(*out));
}

/* Zero one VIP's (and/or one backend's) counters, so a reused id starts
 * from nothing. */
int dp_lb_stats_clear(struct dp *dp, __u32 vip_id, __u32 backend_id)
{
	int err = 0;

	if (vip_id)
		err = dp_percpu_zero(dp, DP_MAP_LB_VIP_STATS, &vip_id,
				     sizeof(struct sluice_lb_counter));
	if (backend_id)
		err = dp_percpu_zero(dp, DP_MAP_LB_BACKEND_STATS, &backend_id, sizeof(struct sluice_lb_counter)) ?:
			      err;
	return err;
}
