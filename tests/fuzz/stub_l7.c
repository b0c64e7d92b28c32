// SPDX-License-Identifier: BSD-2-Clause
/*
 * lib/dp/l7.c for the fuzz targets: linked instead of it (an object
 * before the archive), so that the L7 local hop's handlers run without
 * its BPF programs.  It opens, attaches and takes ports; counters read
 * zero, no socket is in the sockhash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dp_l7.h"

struct dp_l7 {
	bool attached;
};

int dp_l7_open(struct dp_l7 **out, const char *pin_dir)
{
	(void)pin_dir;
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void dp_l7_close(struct dp_l7 *l)
{
	free(l);
}

int dp_l7_attach(struct dp_l7 *l, const char *cgroup)
{
	if (!cgroup || cgroup[0] != '/')
		return -EINVAL;
	l->attached = true;
	return 0;
}

int dp_l7_detach(struct dp_l7 *l)
{
	l->attached = false;
	return 0;
}

int dp_l7_unpin(struct dp_l7 *l)
{
	(void)l;
	return 0;
}

bool dp_l7_attached(const struct dp_l7 *l)
{
	return l->attached;
}

int dp_l7_port_set(struct dp_l7 *l, __u16 port, __u32 id)
{
	(void)l;
	(void)port;
	(void)id;
	return 0;
}

int dp_l7_port_del(struct dp_l7 *l, __u16 port)
{
	(void)l;
	(void)port;
	return 0;
}

int dp_l7_ports_flush(struct dp_l7 *l)
{
	(void)l;
	return 0;
}

int dp_l7_counters(struct dp_l7 *l, __u32 id, struct sluice_l7_counter *c)
{
	(void)l;
	(void)id;
	memset(c, 0, sizeof(*c));
	return 0;
}

int dp_l7_counters_clear(struct dp_l7 *l, __u32 id)
{
	(void)l;
	(void)id;
	return 0;
}

int dp_l7_socks_count(struct dp_l7 *l)
{
	(void)l;
	return 0;
}

int dp_l7_cgroup_root(char *buf, size_t len)
{
	snprintf(buf, len, "/sys/fs/cgroup");
	return 0;
}

const char *dp_l7_fallback_name(__u32 why)
{
	(void)why;
	return "none";
}
