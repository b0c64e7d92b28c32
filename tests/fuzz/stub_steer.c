// SPDX-License-Identifier: BSD-2-Clause
/*
 * lib/dp/steer.c for the fuzz targets: linked instead of it (an object
 * before the archive), so that steering's handlers get past their map
 * writes.  Writes succeed, counters read zero, no socket is registered.
 */
#include <errno.h>
#include <string.h>
#include "dp_steer.h"

static __u32 steer_flags;

int dp_steer_flags_set(struct dp *dp, __u32 flags)
{
	(void)dp;
	steer_flags = flags;
	return 0;
}

int dp_steer_flags_get(struct dp *dp, __u32 *flags)
{
	(void)dp;
	*flags = steer_flags;
	return 0;
}

int dp_steer_entry_set(struct dp *dp, const struct dp_steer_entry *e,
		       const struct sluice_steer_sel *sel)
{
	(void)dp;
	(void)e;
	(void)sel;
	return 0;
}

int dp_steer_entry_del(struct dp *dp, const struct dp_steer_entry *e)
{
	(void)dp;
	(void)e;
	return 0;
}

int dp_steer_flush(struct dp *dp)
{
	(void)dp;
	steer_flags = 0;
	return 0;
}

int dp_steer_counters(struct dp *dp, __u32 id, struct sluice_steer_counter *c)
{
	(void)dp;
	(void)id;
	memset(c, 0, sizeof(*c));
	return 0;
}

int dp_steer_counters_clear(struct dp *dp, __u32 id)
{
	(void)dp;
	(void)id;
	return 0;
}

int dp_steer_xsk_key(struct dp *dp, __u32 ifindex, __u32 queue, __u32 *key)
{
	(void)dp;
	*key = ifindex * 64 + queue;
	return 0;
}

int dp_steer_xsk_set(struct dp *dp, __u32 ifindex, __u32 queue, int fd)
{
	(void)dp;
	(void)ifindex;
	(void)queue;
	(void)fd;
	return 0;
}

int dp_steer_xsk_del(struct dp *dp, __u32 ifindex, __u32 queue)
{
	(void)dp;
	(void)ifindex;
	(void)queue;
	return 0;
}

int dp_steer_xsk_queues(struct dp *dp, __u32 ifindex, __u64 *bits)
{
	(void)dp;
	(void)ifindex;
	*bits = 0;
	return 0;
}
