// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's typed map operations: its config, VIPs and their
 * count, backends, Maglev rings, counters and the flow table's size.
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
	if (!err)
		err = dp_update(dp, DP_MAP_LB_VIPS, k, v);
	dp_lb_vip_count_sync(dp);
	if (err) /* a VIP that was not inserted keeps no bit */
		dp_lb_vip_bit_release(dp, k);
	return err;
}

int dp_vip_del(struct dp *dp, const struct sluice_vip_key *k)
{
	int err = dp_delete(dp, DP_MAP_LB_VIPS, k);

	dp_lb_vip_count_sync(dp);
	dp_lb_vip_bit_release(dp, k);
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

/* The inner map of @vip_id as an fd (the outer map stores ids). */
static int ring_fd(struct dp *dp, __u32 vip_id)
{
	__u32 inner_id;
	int fd, err = dp_lookup(dp, DP_MAP_LB_RINGS, &vip_id, &inner_id);

	if (err)
		return err;
	fd = bpf_map_get_fd_by_id(inner_id);
	return fd < 0 ? -errno : fd;
}

int dp_ring_install(struct dp *dp, __u32 vip_id, __u32 ring_size,
		    const __u32 *table)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_INNER_MAP);
	__u32 *keys = NULL;
	__u32 count;
	int fd, err = 0;

	if (!vip_id || vip_id >= SLUICE_LB_MAX_VIPS || !ring_size ||
	    ring_size > SLUICE_LB_MAX_RING)
		return -ERANGE;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lb_ring", sizeof(__u32),
			    sizeof(__u32), ring_size, &o);
	if (fd < 0)
		return -errno;
	/* fill it completely before anyone can see it */
	keys = malloc(sizeof(*keys) * ring_size);
	if (!keys) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 i = 0; i < ring_size; i++)
		keys[i] = i;
	count = ring_size;
	if (bpf_map_update_batch(fd, keys, table, &count, NULL)) {
		/* no batch support for this map type: one by one */
		for (__u32 i = 0; i < ring_size && !err; i++)
			if (bpf_map_update_elem(fd, &i, &table[i], BPF_ANY))
				err = -errno;
		if (err)
			goto out;
	}
	err = dp_update(dp, DP_MAP_LB_RINGS, &vip_id, &fd);
out:
	free(keys);
	close(fd); /* the outer map holds the reference now */
	return err;
}

int dp_ring_write(struct dp *dp, __u32 vip_id, const __u32 *slots,
		  const __u32 *values, __u32 n)
{
	__u32 count = n;
	int fd, err = 0;

	if (!n)
		return 0;
	fd = ring_fd(dp, vip_id);
	if (fd < 0)
		return fd;
	if (bpf_map_update_batch(fd, slots, values, &count, NULL)) {
		for (__u32 i = 0; i < n && !err; i++)
			if (bpf_map_update_elem(fd, &slots[i], &values[i],
						BPF_ANY))
				err = -errno;
	}
	close(fd);
	return err;
}

int dp_ring_read(struct dp *dp, __u32 vip_id, __u32 *table, __u32 max,
		 __u32 *ring_size)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd, err = 0;

	*ring_size = 0;
	fd = ring_fd(dp, vip_id);
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	*ring_size = info.max_entries;
	if (info.max_entries > max) {
		err = -ENOSPC;
		goto out;
	}
	for (__u32 i = 0; i < info.max_entries && !err; i++)
		if (bpf_map_lookup_elem(fd, &i, &table[i]))
			err = -errno;
out:
	close(fd);
	return err;
}

int dp_ring_del(struct dp *dp, __u32 vip_id)
{
	int err = dp_delete(dp, DP_MAP_LB_RINGS, &vip_id);

	return err == -ENOENT ? 0 : err;
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

int dp_lb_flow_count(struct dp *dp)
{
	return dp_map_count(dp, DP_MAP_LB_FLOWS);
}
