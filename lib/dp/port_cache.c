// SPDX-License-Identifier: BSD-2-Clause
/*
 * port_cache (uapi/sluice/route.h): every packet starts by finding its
 * ingress port, and a hash lookup of the ifindex cost as much as the rest
 * of the router's own work; the cache makes it one array read.  ifaces
 * stays the truth: a port whose index another port holds is looked up
 * there, so a collision costs speed, never correctness.
 *
 * An entry is written with its ifindex cleared first and set last, so a
 * packet reading it meanwhile falls back to ifaces; one that read the
 * ifindex just before may see the port's new fields with its old ones,
 * once, during a change of that port.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "dp_internal.h"
#include "log.h"

static size_t cache_len(void)
{
	size_t len = sizeof(struct sluice_port_cache) * SLUICE_PORT_CACHE;

	return (len + 4095) / 4096 * 4096;
}

static void entry_write(struct sluice_port_cache *c, __u32 ifindex,
			const struct sluice_iface *v)
{
	__atomic_store_n(&c->ifindex, 0, __ATOMIC_RELEASE);
	if (!ifindex)
		return;
	c->iface = *v;
	__atomic_store_n(&c->ifindex, ifindex, __ATOMIC_RELEASE);
}

void dp_port_cache_set(struct dp *dp, __u32 ifindex,
		       const struct sluice_iface *v)
{
	struct sluice_port_cache *c;

	if (!dp->port_cache || !ifindex)
		return;
	c = &dp->port_cache[ifindex % SLUICE_PORT_CACHE];
	if (!c->ifindex || c->ifindex == ifindex)
		entry_write(c, ifindex, v);
}

struct refill {
	struct sluice_port_cache *c;
	__u32 index;
};

static int refill_one(const void *key, const void *value, void *arg)
{
	struct refill *r = arg;
	__u32 ifindex = *(const __u32 *)key;

	if (ifindex % SLUICE_PORT_CACHE != r->index)
		return 0;
	entry_write(r->c, ifindex, value);
	return 1; /* one is enough */
}

void dp_port_cache_del(struct dp *dp, __u32 ifindex)
{
	struct refill r;

	if (!dp->port_cache || !ifindex)
		return;
	r.index = ifindex % SLUICE_PORT_CACHE;
	r.c = &dp->port_cache[r.index];
	if (r.c->ifindex != ifindex)
		return;
	entry_write(r.c, 0, NULL);
	/* a port that shares the index gets it */
	dp_map_foreach(dp, DP_MAP_IFACES, refill_one, &r);
}

static int fill_one(const void *key, const void *value, void *arg)
{
	struct dp *dp = arg;

	dp_port_cache_set(dp, *(const __u32 *)key, value);
	return 0;
}

/* Mapped, emptied of what ifaces does not hold as it is, and filled. */
int dp_port_cache_open(struct dp *dp)
{
	int fd = dp_fd(dp, DP_MAP_PORT_CACHE);
	struct sluice_iface v;
	void *p;

	if (fd < 0)
		return fd;
	p = mmap(NULL, cache_len(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		pr_err("dp: cannot mmap port_cache: %s", strerror(-err));
		return err;
	}
	dp->port_cache = p;
	for (__u32 i = 0; i < SLUICE_PORT_CACHE; i++) {
		struct sluice_port_cache *c = &dp->port_cache[i];
		__u32 ifindex = c->ifindex;

		if (!ifindex)
			continue;
		if (dp_lookup(dp, DP_MAP_IFACES, &ifindex, &v) ||
		    ifindex % SLUICE_PORT_CACHE != i)
			entry_write(c, 0, NULL);
		else if (memcmp(&c->iface, &v, sizeof(v)))
			entry_write(c, ifindex, &v);
	}
	return dp_map_foreach(dp, DP_MAP_IFACES, fill_one, dp);
}

void dp_port_cache_close(struct dp *dp)
{
	if (dp->port_cache)
		munmap(dp->port_cache, cache_len());
	dp->port_cache = NULL;
}
