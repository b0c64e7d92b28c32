// SPDX-License-Identifier: BSD-2-Clause
/*
 * NAT's rule maps after a restart: what a previous run left pinned and the
 * daemon's rules no longer name is removed (dp_nat.h).  The keys are read
 * first and removed after, as removing during get_next_key would restart
 * the walk.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "dp_internal.h"
#include "dp_nat.h"

/* Every key of map @id (malloc'd array of @ksize each, in *@out). */
static int keys_of(struct dp *dp, int id, size_t ksize, void **out, size_t *n)
{
	int fd = dp_fd(dp, id);
	size_t cap = 0;
	char prev[64], next[64];
	void *keys = NULL;
	bool first = true;

	*out = NULL;
	*n = 0;
	if (fd < 0)
		return fd;
	while (!bpf_map_get_next_key(fd, first ? NULL : prev, next)) {
		if (*n == cap) {
			void *k = realloc(keys, (cap ? cap * 2 : 16) * ksize);

			if (!k) {
				free(keys);
				return -ENOMEM;
			}
			keys = k;
			cap = cap ? cap * 2 : 16;
		}
		memcpy((char *)keys + *n * ksize, next, ksize);
		(*n)++;
		memcpy(prev, next, ksize);
		first = false;
	}
	if (errno != ENOENT) {
		free(keys);
		return -errno;
	}
	*out = keys;
	return 0;
}

static void snat_rule_of(const struct sluice_snat_key *k,
			 const struct sluice_snat *v, struct dp_snat_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->id = v->rule_id;
	r->ifindex = k->ifindex;
	r->family = k->family;
	memcpy(r->src, k->src, 16);
	r->src_plen = (__u8)(k->prefixlen - 64);
	r->masquerade = v->flags & SLUICE_SNAT_MASQUERADE;
	memcpy(r->to_lo, v->to_lo, 16);
	memcpy(r->to_hi, v->to_hi, 16);
	r->port_lo = v->port_lo;
	r->port_hi = v->port_hi;
}

static void dnat_rule_of(const struct sluice_dnat_key *k,
			 const struct sluice_dnat *v, struct dp_dnat_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->id = v->rule_id;
	r->ifindex = k->ifindex;
	r->family = k->family;
	r->proto = k->proto;
	memcpy(r->daddr, k->daddr, 16);
	r->dport = ntohs(k->dport);
	memcpy(r->to_addr, v->to_addr, 16);
	r->to_port = ntohs(v->to_port);
}

int dp_nat_prune(struct dp *dp,
		 bool (*keep_snat)(const struct dp_snat_rule *r, void *arg),
		 bool (*keep_dnat)(const struct dp_dnat_rule *r, void *arg),
		 void *arg)
{
	struct sluice_snat_key *sk;
	struct sluice_dnat_key *dk;
	size_t n;
	int err, first = 0;

	_Static_assert(sizeof(*sk) <= 64 && sizeof(*dk) <= 64, "key buffers");
	err = keys_of(dp, DP_MAP_NAT_SNAT, sizeof(*sk), (void **)&sk, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		struct sluice_snat v;
		struct dp_snat_rule r;

		if (dp_lookup(dp, DP_MAP_NAT_SNAT, &sk[i], &v))
			continue;
		snat_rule_of(&sk[i], &v, &r);
		if (!keep_snat(&r, arg)) {
			err = dp_delete(dp, DP_MAP_NAT_SNAT, &sk[i]);
			if (err && err != -ENOENT && !first)
				first = err;
		}
	}
	free(sk);
	err = keys_of(dp, DP_MAP_NAT_DNAT, sizeof(*dk), (void **)&dk, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		struct sluice_dnat v;
		struct dp_dnat_rule r;

		if (dp_lookup(dp, DP_MAP_NAT_DNAT, &dk[i], &v))
			continue;
		dnat_rule_of(&dk[i], &v, &r);
		if (!keep_dnat(&r, arg)) {
			err = dp_delete(dp, DP_MAP_NAT_DNAT, &dk[i]);
			if (err && err != -ENOENT && !first)
				first = err;
		}
	}
	free(dk);
	return first;
}
