// SPDX-License-Identifier: BSD-2-Clause
/*
 * lib/dp/fw.c for the fuzz targets: linked instead of it (an object
 * before the archive), so that the firewall's handlers get past the
 * install of a compiled rule set and keep the rules they were given.
 * Writes succeed, counters read zero, no port has a rule set.
 */
#include <errno.h>
#include <string.h>
#include "dp_fw.h"

int dp_fw_install(struct dp *dp, __u32 slot, __u8 dir,
		  const struct fw_compiled *c)
{
	(void)dp;
	(void)slot;
	(void)dir;
	(void)c;
	return 0;
}

int dp_fw_remove(struct dp *dp, __u32 slot, __u8 dir)
{
	(void)dp;
	(void)slot;
	(void)dir;
	return 0;
}

int dp_fw_port_get(struct dp *dp, __u32 slot, struct sluice_fw_port *e)
{
	(void)dp;
	(void)slot;
	memset(e, 0, sizeof(*e));
	return -ENOENT;
}

int dp_fw_nset_add(struct dp *dp, __u16 nset, const struct fw_prefix *p)
{
	(void)dp;
	(void)nset;
	(void)p;
	return 0;
}

int dp_fw_nset_del(struct dp *dp, __u16 nset, const struct fw_prefix *p)
{
	(void)dp;
	(void)nset;
	(void)p;
	return 0;
}

int dp_fw_nset_flush(struct dp *dp, __u16 nset)
{
	(void)dp;
	(void)nset;
	return 0;
}

int dp_fw_counter_read(struct dp *dp, __u32 idx, struct sluice_counter *out)
{
	(void)dp;
	(void)idx;
	memset(out, 0, sizeof(*out));
	return 0;
}

int dp_fw_counter_clear(struct dp *dp, __u32 idx)
{
	(void)dp;
	(void)idx;
	return 0;
}
