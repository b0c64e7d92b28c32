// SPDX-License-Identifier: BSD-2-Clause
/* NAT's rules through lib/dp: see dp_nat.h and bpf/lib/nat.h. */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "dp_internal.h"
#include "dp_nat.h"

#define NAT_EVENT_NAME_(id, num, name) [num] = name,
static const char *const event_names[SLUICE_NAT_NEVENTS] = { SLUICE_NAT_EVENTS(
	NAT_EVENT_NAME_) };
#undef NAT_EVENT_NAME_

const char *dp_nat_event_name(unsigned int ev)
{
	return ev < SLUICE_NAT_NEVENTS ? event_names[ev] : NULL;
}

static int family_ok(int family, unsigned int plen)
{
	if (family == AF_INET)
		return plen <= 32;
	return family == AF_INET6 && plen <= 128;
}

/* The prefix's bits past its length are zero in the key: the trie
 * compares only prefixlen bits, but a rule is found again by its key. */
static void snat_key(const struct dp_snat_rule *r, struct sluice_snat_key *k)
{
	unsigned int bytes = r->src_plen / 8, bits = r->src_plen % 8;

	memset(k, 0, sizeof(*k));
	k->prefixlen = 64 + r->src_plen;
	k->ifindex = r->ifindex;
	k->family = (__u8)r->family;
	memcpy(k->src, r->src, bytes);
	if (bits)
		k->src[bytes] = r->src[bytes] & (__u8)(0xff << (8 - bits));
}

int dp_snat_set(struct dp *dp, const struct dp_snat_rule *r)
{
	struct sluice_snat_key k;
	struct sluice_snat v = {};

	if (!family_ok(r->family, r->src_plen) || !r->ifindex)
		return -EINVAL;
	snat_key(r, &k);
	v.flags = r->masquerade ? SLUICE_SNAT_MASQUERADE : 0;
	memcpy(v.to_lo, r->to_lo, 16);
	memcpy(v.to_hi, r->to_hi, 16);
	v.port_lo = r->port_lo ? r->port_lo : 1024;
	v.port_hi = r->port_hi ? r->port_hi : 65535;
	if (v.port_hi < v.port_lo)
		return -EINVAL;
	v.rule_id = r->id;
	return dp_update(dp, DP_MAP_NAT_SNAT, &k, &v);
}

int dp_snat_del(struct dp *dp, const struct dp_snat_rule *r)
{
	struct sluice_snat_key k;

	if (!family_ok(r->family, r->src_plen))
		return -EINVAL;
	snat_key(r, &k);
	return dp_delete(dp, DP_MAP_NAT_SNAT, &k);
}

static int dnat_key(const struct dp_dnat_rule *r, struct sluice_dnat_key *k)
{
	if (!family_ok(r->family, 0) ||
	    (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP) || !r->dport)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	k->ifindex = r->ifindex;
	k->family = (__u8)r->family;
	k->proto = r->proto;
	k->dport = htons(r->dport);
	memcpy(k->daddr, r->daddr, r->family == AF_INET ? 4 : 16);
	return 0;
}

int dp_dnat_set(struct dp *dp, const struct dp_dnat_rule *r)
{
	struct sluice_dnat_key k;
	struct sluice_dnat v = {};
	int err = dnat_key(r, &k);

	if (err)
		return err;
	memcpy(v.to_addr, r->to_addr, r->family == AF_INET ? 4 : 16);
	v.to_port = htons(r->to_port);
	v.rule_id = r->id;
	return dp_update(dp, DP_MAP_NAT_DNAT, &k, &v);
}

int dp_dnat_del(struct dp *dp, const struct dp_dnat_rule *r)
{
	struct sluice_dnat_key k;
	int err = dnat_key(r, &k);

	return err ?: dp_delete(dp, DP_MAP_NAT_DNAT, &k);
}

int dp_nat_config_set(struct dp *dp, __u32 flags)
{
	struct sluice_nat_config c = { .flags = flags };
	__u32 zero = 0;

	return dp_update(dp, DP_MAP_NAT_CONFIG, &zero, &c);
}

int dp_nat_config_bits(struct dp *dp, __u32 set, __u32 clear)
{
	struct sluice_nat_config c = {};
	__u32 zero = 0;
	int err = dp_lookup(dp, DP_MAP_NAT_CONFIG, &zero, &c);

	if (err)
		return err;
	c.flags = (c.flags & ~clear) | set;
	return dp_update(dp, DP_MAP_NAT_CONFIG, &zero, &c);
}

int dp_nat_events(struct dp *dp, __u64 out[SLUICE_NAT_NEVENTS])
{
	return dp_percpu_sum_events(dp, DP_MAP_NAT_EVENTS, SLUICE_NAT_NEVENTS,
				    out);
}

int dp_nat_flow_count(struct dp *dp, __u32 *n)
{
	struct sluice_ct_key k, next;
	int fd = dp_fd(dp, DP_MAP_NAT_FLOWS);
	const void *prev = NULL;

	if (fd < 0)
		return fd;
	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		(*n)++;
	}
	return errno == ENOENT ? 0 : -errno;
}

int dp_nat_flows_fd(const struct dp *dp)
{
	return dp_fd(dp, DP_MAP_NAT_FLOWS);
}
