// SPDX-License-Identifier: BSD-2-Clause
/* The DDoS guard's maps (uapi/sluice/ddos.h): configuration, blocklist
 * (single and bulk), protected services and their cookie state. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"

/* Updates per BPF_MAP_UPDATE_BATCH call. */
#define DDOS_BATCH 4096
/* The kernel's ENOTSUPP (524): what a map without batch ops answers. */
#define DDOS_ENOTSUPP 524

__u64 dp_ddos_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

int dp_ddos_config_get(struct dp *dp, struct sluice_ddos_config *c)
{
	__u32 zero = 0;

	return dp_lookup(dp, DP_MAP_DDOS_CONFIG, &zero, c);
}

/* Sets or clears @bits in the map's flags. */
static int flags_update(struct dp *dp, __u32 bits, bool on)
{
	struct sluice_ddos_config c;
	__u32 zero = 0;
	int err = dp_ddos_config_get(dp, &c);

	if (err)
		return err;
	if (on)
		c.flags |= bits;
	else
		c.flags &= ~bits;
	return dp_update(dp, DP_MAP_DDOS_CONFIG, &zero, &c);
}

int dp_ddos_config_set(struct dp *dp, const struct sluice_ddos_config *c)
{
	struct sluice_ddos_config cur, v = *c;
	__u32 zero = 0;
	int err = dp_ddos_config_get(dp, &cur);

	if (err)
		return err;
	v.flags = cur.flags & ~SLUICE_DDOS_F_LIMITS;
	for (int i = 0; i < SLUICE_DDOS_NLIMITS; i++)
		if (v.limit[i].pps)
			v.flags |= SLUICE_DDOS_F_LIMITS;
	return dp_update(dp, DP_MAP_DDOS_CONFIG, &zero, &v);
}

static bool map_empty(struct dp *dp, int id, void *key)
{
	int fd = dp_fd(dp, id);

	return fd >= 0 && bpf_map_get_next_key(fd, NULL, key) &&
	       errno == ENOENT;
}

static bool host_bits_zero(const __u8 *addr, unsigned int plen,
			   unsigned int bits)
{
	for (unsigned int b = plen; b < bits; b++)
		if (addr[b / 8] & (0x80 >> (b % 8)))
			return false;
	return true;
}

/* The trie key of @pf, its map and its flag bit. */
static int block_key(int family, const void *addr, unsigned int plen,
		     union dp_lpm_key *k, int *id, __u32 *bit)
{
	unsigned int bits = family == AF_INET ? 32 : 128;

	if ((family != AF_INET && family != AF_INET6) || plen > bits ||
	    !host_bits_zero(addr, plen, bits))
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	if (family == AF_INET) {
		k->v4.prefixlen = plen;
		memcpy(k->v4.addr, addr, 4);
		*id = DP_MAP_DDOS_BLOCK_V4;
		*bit = SLUICE_DDOS_F_BLOCK_V4;
	} else {
		k->v6.prefixlen = plen;
		memcpy(k->v6.addr, addr, 16);
		*id = DP_MAP_DDOS_BLOCK_V6;
		*bit = SLUICE_DDOS_F_BLOCK_V6;
	}
	return 0;
}

int dp_ddos_block_add(struct dp *dp, const struct dp_ddos_prefix *pf)
{
	struct sluice_ddos_block v = { .expires_ns = pf->expires_ns };
	union dp_lpm_key k;
	__u32 bit;
	int id, err;

	err = block_key(pf->family, pf->addr, pf->plen, &k, &id, &bit);
	if (err)
		return err;
	/* the entry first: a flag without entries costs a lookup, entries
	 * without the flag would not be looked at */
	return dp_update(dp, id, &k, &v) ?: flags_update(dp, bit, true);
}

int dp_ddos_block_get(struct dp *dp, const struct dp_ddos_prefix *pf,
		      __u64 *expires_ns)
{
	struct sluice_ddos_block v;
	union dp_lpm_key k;
	__u32 bit;
	int id, err;

	err = block_key(pf->family, pf->addr, pf->plen, &k, &id, &bit);
	if (err)
		return err;
	err = dp_lookup(dp, id, &k, &v);
	if (!err && expires_ns)
		*expires_ns = v.expires_ns;
	return err;
}

int dp_ddos_block_del(struct dp *dp, int family, const void *addr,
		      unsigned int plen)
{
	union dp_lpm_key k, any;
	__u32 bit;
	int id, err;

	err = block_key(family, addr, plen, &k, &id, &bit);
	if (err)
		return err;
	err = dp_delete(dp, id, &k);
	if (err)
		return err;
	return map_empty(dp, id, &any) ? flags_update(dp, bit, false) : 0;
}

/* One family's prefixes from @v (those of @family only). */
static int load_family(struct dp *dp, int family,
		       const struct dp_ddos_prefix *v, size_t n, size_t *done)
{
	size_t ksz = family == AF_INET ? sizeof(struct sluice_lpm4_key) :
					 sizeof(struct sluice_lpm6_key);
	struct sluice_ddos_block *vals;
	union dp_lpm_key k;
	bool batch = true;
	int fd, id = 0, err = 0;
	size_t i = 0, m;
	__u32 bit = 0;
	__u8 *keys;

	keys = calloc(DDOS_BATCH, ksz);
	vals = calloc(DDOS_BATCH, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (i < n && !err) {
		for (m = 0; i < n && m < DDOS_BATCH; i++) {
			if (v[i].family != family)
				continue;
			err = block_key(family, v[i].addr, v[i].plen, &k, &id,
					&bit);
			if (err)
				goto out;
			memcpy(keys + m * ksz, &k, ksz);
			vals[m++].expires_ns = v[i].expires_ns;
		}
		if (!m)
			break;
		fd = dp_fd(dp, id);
		if (fd < 0) {
			err = fd;
			break;
		}
		if (batch) {
			__u32 count = (__u32)m;

			if (!bpf_map_update_batch(fd, keys, vals, &count,
						  NULL)) {
				*done += m;
				continue;
			}
			/* no batch for this map type: one by one */
			if (errno != EOPNOTSUPP && errno != DDOS_ENOTSUPP) {
				err = -errno;
				break;
			}
			batch = false;
		}
		for (size_t j = 0; j < m && !err; j++) {
			err = bpf_map_update_elem(fd, keys + j * ksz, &vals[j],
						  BPF_ANY) ?
				      -errno :
				      0;
			if (!err)
				(*done)++;
		}
	}
	if (!err && bit)
		err = flags_update(dp, bit, true);
out:
	free(keys);
	free(vals);
	return err;
}

int dp_ddos_block_load(struct dp *dp, const struct dp_ddos_prefix *v, size_t n,
		       size_t *done)
{
	*done = 0;
	return load_family(dp, AF_INET, v, n, done) ?:
		       load_family(dp, AF_INET6, v, n, done);
}

static int walk_family(struct dp *dp, int family, dp_ddos_prefix_cb cb,
		       void *arg)
{
	int id = family == AF_INET ? DP_MAP_DDOS_BLOCK_V4 :
				     DP_MAP_DDOS_BLOCK_V6;
	int fd = dp_fd(dp, id), err = 0;
	union dp_lpm_key key, next;
	struct sluice_ddos_block v;
	bool first = true;

	if (fd < 0)
		return fd;
	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		struct dp_ddos_prefix pf = { .family = (__u8)family };

		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		if (family == AF_INET) {
			pf.plen = (__u8)key.v4.prefixlen;
			memcpy(pf.addr, key.v4.addr, 4);
		} else {
			pf.plen = (__u8)key.v6.prefixlen;
			memcpy(pf.addr, key.v6.addr, 16);
		}
		pf.expires_ns = v.expires_ns;
		err = cb(&pf, arg);
		if (err)
			break;
	}
	return err;
}

int dp_ddos_block_foreach(struct dp *dp, dp_ddos_prefix_cb cb, void *arg)
{
	return walk_family(dp, AF_INET, cb, arg) ?:
		       walk_family(dp, AF_INET6, cb, arg);
}

/* Deletes the entry of the first key each time: deleting while walking
 * would lose the walk's place. */
static int flush_family(struct dp *dp, int id)
{
	int fd = dp_fd(dp, id);
	union dp_lpm_key key;

	if (fd < 0)
		return fd;
	while (!bpf_map_get_next_key(fd, NULL, &key))
		if (bpf_map_delete_elem(fd, &key))
			return -errno;
	return 0;
}

int dp_ddos_block_flush(struct dp *dp)
{
	return flush_family(dp, DP_MAP_DDOS_BLOCK_V4)	      ?:
		       flush_family(dp, DP_MAP_DDOS_BLOCK_V6) ?:
								flags_update(dp,
									     SLUICE_DDOS_F_BLOCK_V4 |
										     SLUICE_DDOS_F_BLOCK_V6,
									     false);
}

int dp_ddos_service_set(struct dp *dp, const struct sluice_ddos_service_key *k,
			__u32 id)
{
	struct sluice_ddos_service v = { .id = id };
	struct sluice_ddos_svc_state st = { 0 };
	int err;

	if (!id || id >= SLUICE_DDOS_MAX_SERVICES)
		return -ERANGE;
	/* a new service starts with cookies off and no SYNs counted */
	err = dp_update(dp, DP_MAP_DDOS_SVC_STATE, &id, &st) ?:
		      dp_percpu_zero(dp, DP_MAP_DDOS_SVC_SYNS, &id,
				     sizeof(struct sluice_ddos_svc_syns));
	if (!err)
		err = dp_update(dp, DP_MAP_DDOS_SERVICES, k, &v);
	return err ?: flags_update(dp, SLUICE_DDOS_F_SERVICES, true);
}

int dp_ddos_service_del(struct dp *dp, const struct sluice_ddos_service_key *k)
{
	struct sluice_ddos_service_key any;
	int err = dp_delete(dp, DP_MAP_DDOS_SERVICES, k);

	if (err)
		return err;
	return map_empty(dp, DP_MAP_DDOS_SERVICES, &any) ?
		       flags_update(dp, SLUICE_DDOS_F_SERVICES, false) :
		       0;
}

int dp_ddos_service_first(struct dp *dp, struct sluice_ddos_service_key *k)
{
	int fd = dp_fd(dp, DP_MAP_DDOS_SERVICES);

	if (fd < 0)
		return fd;
	return bpf_map_get_next_key(fd, NULL, k) ? -errno : 0;
}

int dp_ddos_service_state(struct dp *dp, __u32 id,
			  struct sluice_ddos_svc_state *st, __u64 *syns_now)
{
	struct sluice_ddos_svc_syns *v;
	__u64 w = dp_ddos_now_ns() / 1000000000ull;
	int err;

	if (!id || id >= SLUICE_DDOS_MAX_SERVICES)
		return -ERANGE;
	err = dp_lookup(dp, DP_MAP_DDOS_SVC_STATE, &id, st);
	if (err || !syns_now)
		return err;
	v = calloc(dp->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*syns_now = 0;
	err = dp_lookup(dp, DP_MAP_DDOS_SVC_SYNS, &id, v);
	for (int c = 0; !err && c < dp->ncpus; c++) {
		if (v[c].window == w)
			*syns_now += v[c].count;
	}
	free(v);
	return err;
}

static int count_keys(struct dp *dp, int id, size_t ksz)
{
	int fd = dp_fd(dp, id), n = 0;
	__u8 key[64], next[64];
	bool first = true;

	if (fd < 0)
		return fd;
	if (ksz > sizeof(key))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, ksz);
		n++;
	}
	return n;
}

int dp_ddos_buckets_count(struct dp *dp)
{
	return count_keys(dp, DP_MAP_DDOS_BUCKETS,
			  sizeof(struct sluice_ddos_bucket_key));
}

int dp_ddos_flows_count(struct dp *dp)
{
	return count_keys(dp, DP_MAP_DDOS_FLOWS,
			  sizeof(struct sluice_ddos_flow_key));
}
