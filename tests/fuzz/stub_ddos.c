// SPDX-License-Identifier: BSD-2-Clause
/*
 * lib/dp/ddos.c for the fuzz targets: linked instead of it (an object
 * before the archive), so that the DDoS guard's handlers get past their
 * map writes.  Writes succeed, the configuration reads back what was
 * written, the tries and the service map read back empty.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "dp.h"

static struct sluice_ddos_config config;

int dp_ddos_config_get(struct dp *dp, struct sluice_ddos_config *c)
{
	(void)dp;
	*c = config;
	return 0;
}

int dp_ddos_config_set(struct dp *dp, const struct sluice_ddos_config *c)
{
	(void)dp;
	config = *c;
	return 0;
}

__u64 dp_ddos_now_ns(void)
{
	return 1000000000ull;
}

int dp_ddos_block_add(struct dp *dp, const struct dp_ddos_prefix *pf)
{
	(void)dp;
	/* lib/dp's key check: a family and a length that fits it */
	if ((pf->family != AF_INET && pf->family != AF_INET6) ||
	    pf->plen > (pf->family == AF_INET ? 32 : 128))
		return -EINVAL;
	return 0;
}

int dp_ddos_block_del(struct dp *dp, int family, const void *addr,
		      unsigned int plen)
{
	(void)dp;
	(void)family;
	(void)addr;
	(void)plen;
	return -ENOENT;
}

int dp_ddos_block_get(struct dp *dp, const struct dp_ddos_prefix *pf,
		      __u64 *expires_ns)
{
	(void)dp;
	(void)pf;
	(void)expires_ns; /* left alone on -ENOENT, as in lib/dp */
	return -ENOENT;
}

int dp_ddos_block_load(struct dp *dp, const struct dp_ddos_prefix *v, size_t n,
		       size_t *done)
{
	for (*done = 0; *done < n; (*done)++) {
		int rc = dp_ddos_block_add(dp, &v[*done]);

		if (rc)
			return rc;
	}
	return 0;
}

int dp_ddos_block_foreach(struct dp *dp, dp_ddos_prefix_cb cb, void *arg)
{
	(void)dp;
	(void)cb;
	(void)arg;
	return 0;
}

int dp_ddos_block_flush(struct dp *dp)
{
	(void)dp;
	return 0;
}

int dp_ddos_service_set(struct dp *dp, const struct sluice_ddos_service_key *k,
			__u32 id)
{
	(void)dp;
	(void)k;
	(void)id;
	return 0;
}

int dp_ddos_service_del(struct dp *dp, const struct sluice_ddos_service_key *k)
{
	(void)dp;
	(void)k;
	return 0;
}

int dp_ddos_service_first(struct dp *dp, struct sluice_ddos_service_key *k)
{
	(void)dp;
	(void)k;
	return -ENOENT;
}

int dp_ddos_service_state(struct dp *dp, __u32 id,
			  struct sluice_ddos_svc_state *st, __u64 *syns_now)
{
	(void)dp;
	(void)id;
	memset(st, 0, sizeof(*st));
	if (syns_now) /* optional, as in lib/dp */
		*syns_now = 0;
	return 0;
}

int dp_ddos_buckets_count(struct dp *dp)
{
	(void)dp;
	return 0;
}

int dp_ddos_flows_count(struct dp *dp)
{
	(void)dp;
	return 0;
}
