// SPDX-License-Identifier: BSD-2-Clause
/*
 * Second chance (uapi/sluice/lb_second.h): a VIP's previous Maglev table
 * in lb_prev_rings and until when the data path uses it, in lb_second.
 *
 * A previous table is written once, when the table changes, into a new
 * inner map (mapped and filled with memcpy when the kernel lets it be
 * mapped), then swapped in; lb_second is turned off around the swap so
 * that the data path never indexes one table with the other's size.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"

/* An ARRAY keeps its values 8 bytes apart (lb_ring.c says why). */
#define PREV_STRIDE 8

static int prev_fill(int fd, __u32 m, const __u32 *table, bool mapped)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = ((size_t)m * PREV_STRIDE + page - 1) / page * page;
	__u8 *mem;

	if (mapped) {
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   0);
		if (mem == MAP_FAILED)
			return -errno;
		for (__u32 i = 0; i < m; i++)
			memcpy(mem + (size_t)i * PREV_STRIDE, &table[i],
			       sizeof(*table));
		munmap(mem, len);
		return 0;
	}
	for (__u32 i = 0; i < m; i++)
		if (table[i] && bpf_map_update_elem(fd, &i, &table[i], BPF_ANY))
			return -errno;
	return 0;
}

/* A filled inner map of @m slots, made with the flags the outer map's
 * template has (the kernel refuses others): mmapable first. */
static int prev_create(struct dp *dp, __u32 vip_id, __u32 m, const __u32 *table)
{
	static const __u32 flags[] = { BPF_F_INNER_MAP | BPF_F_MMAPABLE,
				       BPF_F_INNER_MAP };
	int err = -EINVAL;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags[i]);
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lb_prev_ring",
					sizeof(__u32), sizeof(__u32), m, &o);

		if (fd < 0)
			return -errno;
		err = prev_fill(fd, m, table, flags[i] & BPF_F_MMAPABLE) ?:
			      dp_update(dp, DP_MAP_LB_PREV_RINGS, &vip_id, &fd);
		close(fd); /* the outer map holds it now */
		if (err != -EINVAL)
			return err;
	}
	return err;
}

int dp_lb_second_set(struct dp *dp, __u32 vip_id, __u32 m, const __u32 *table,
		     __u64 until_ns)
{
	struct sluice_lb_second off = { 0 },
				on = { .until_ns = until_ns, .ring_size = m };
	int err;

	if (!vip_id || vip_id >= SLUICE_LB_MAX_VIPS || !m ||
	    m > SLUICE_LB_MAX_RING)
		return -ERANGE;
	err = dp_update(dp, DP_MAP_LB_SECOND, &vip_id, &off) ?:
		      prev_create(dp, vip_id, m, table);
	return err ?: dp_update(dp, DP_MAP_LB_SECOND, &vip_id, &on);
}

int dp_lb_second_get(struct dp *dp, __u32 vip_id, struct sluice_lb_second *out)
{
	if (!vip_id || vip_id >= SLUICE_LB_MAX_VIPS)
		return -ERANGE;
	return dp_lookup(dp, DP_MAP_LB_SECOND, &vip_id, out);
}

int dp_lb_second_del(struct dp *dp, __u32 vip_id)
{
	struct sluice_lb_second off = { 0 };
	int err;

	if (!vip_id || vip_id >= SLUICE_LB_MAX_VIPS)
		return -ERANGE;
	err = dp_update(dp, DP_MAP_LB_SECOND, &vip_id, &off);
	if (err)
		return err;
	err = dp_delete(dp, DP_MAP_LB_PREV_RINGS, &vip_id);
	return err == -ENOENT ? 0 : err;
}
