// SPDX-License-Identifier: BSD-2-Clause
/*
 * The VIPs by id (lb_vip_ids, uapi/sluice/lb.h): the data path's way from
 * a flow-table entry to its VIP without a hash lookup.  An id is written
 * before its VIP is inserted into lb_vips and forgotten after it leaves,
 * so a packet never finds an id whose VIP lb_vips does not also have;
 * at open it is rebuilt from lb_vips, whatever an earlier run left.
 */
#include <errno.h>
#include <string.h>
#include "dp.h"
#include "dp_internal.h"

int dp_lb_vip_id_set(struct dp *dp, const struct sluice_vip_key *k,
		     const struct sluice_vip *v)
{
	struct sluice_vip_by_id e = { .key = *k, .vip = *v };
	__u32 id = v->vip_id;

	if (!id || id >= SLUICE_LB_MAX_VIPS)
		return -ERANGE;
	return dp_update(dp, DP_MAP_LB_VIP_IDS, &id, &e);
}

int dp_lb_vip_id_clear(struct dp *dp, __u32 vip_id)
{
	struct sluice_vip_by_id none = {};

	if (!vip_id || vip_id >= SLUICE_LB_MAX_VIPS)
		return -ERANGE;
	return dp_update(dp, DP_MAP_LB_VIP_IDS, &vip_id, &none);
}

struct ids {
	struct sluice_vip_by_id e[SLUICE_LB_MAX_VIPS];
};

static int collect(const void *k, const void *v, void *arg)
{
	const struct sluice_vip *vip = v;
	struct ids *ids = arg;

	if (vip->vip_id && vip->vip_id < SLUICE_LB_MAX_VIPS) {
		memcpy(&ids->e[vip->vip_id].key, k,
		       sizeof(struct sluice_vip_key));
		ids->e[vip->vip_id].vip = *vip;
	}
	return 0;
}

int dp_lb_vip_ids_sync(struct dp *dp)
{
	static struct ids ids; /* 9 KiB: not on the stack */
	int err;

	memset(&ids, 0, sizeof(ids));
	err = dp_map_foreach(dp, DP_MAP_LB_VIPS, collect, &ids);
	for (__u32 id = 1; !err && id < SLUICE_LB_MAX_VIPS; id++)
		err = dp_update(dp, DP_MAP_LB_VIP_IDS, &id, &ids.e[id]);
	return err;
}
