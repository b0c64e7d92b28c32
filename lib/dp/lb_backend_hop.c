// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's outer next hops, resolved here rather than per
 * packet: each backend in lb_backends carries the fib_nhs index of the
 * next hop towards its address (sluice_backend.hop), so an encapsulated
 * packet goes out without a route lookup, and a connected backend without
 * a neighbour lookup (nexthop.c gives it a next hop with its address as
 * the gateway, which its neighbour entry resolves like any gateway's).
 *
 * A route change re-resolves the backends it covers, a group change all
 * of them; a neighbour or port change needs nothing here, the next hop
 * itself is rewritten.  A backend whose route is ECMP keeps hop 0: the
 * packet path routes it per packet, so the flow hash picks the member.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "dp.h"
#include "dp_internal.h"
#include "fib_compile.h"
#include "lb_backend_hop.h"
#include "nexthop.h"

struct dp_backend_hops {
	struct {
		__u8 family; /* 0: no backend */
		__u8 addr[16];
		__u32 hop;
	} be[SLUICE_LB_MAX_BACKENDS];
	__u32 n; /* backends with a family */
};

static bool covers(int family, const __u8 *prefix, unsigned int plen,
		   const __u8 *addr)
{
	unsigned int full = plen / 8, rest = plen % 8;

	if (plen > (family == AF_INET ? 32u : 128u))
		return false;
	if (memcmp(prefix, addr, full))
		return false;
	return !rest || !((prefix[full] ^ addr[full]) & (0xff << (8 - rest)));
}

/* Resolve backend @id anew; 1 when its hop changed. */
static int resolve(struct dp *dp, struct dp_nexthops *nh, __u32 id, __u32 *hop)
{
	struct dp_backend_hops *b = dp->backend_hops;
	__u32 target, old = b->be[id].hop;

	target = dp_fib_lookup(dp, b->be[id].family, b->be[id].addr);
	if (dp_nexthops_hop_of(nh, target, b->be[id].family, b->be[id].addr,
			       hop))
		*hop = 0; /* no room: the packet path routes it */
	b->be[id].hop = *hop;
	dp_nexthops_hop_put(nh, old);
	return *hop != old;
}

/* Writes the backend's entry again with its new hop. */
static void rewrite(struct dp *dp, __u32 id, __u32 hop)
{
	struct sluice_backend v;

	if (dp_lookup(dp, DP_MAP_LB_BACKENDS, &id, &v) || !v.family)
		return;
	v.hop = hop;
	dp_update(dp, DP_MAP_LB_BACKENDS, &id, &v);
}

int dp_backend_hop_set(struct dp *dp, __u32 id, struct sluice_backend *v)
{
	struct dp_backend_hops *b = dp->backend_hops;
	struct dp_nexthops *nh = dp_fib_nexthops(dp);
	__u32 hop;

	if (!b || !nh || id >= SLUICE_LB_MAX_BACKENDS)
		return 0;
	if (!b->be[id].family && v->family)
		b->n++;
	else if (b->be[id].family && !v->family)
		b->n--;
	b->be[id].family = v->family;
	memcpy(b->be[id].addr, v->addr, 16);
	if (!v->family) {
		dp_nexthops_hop_put(nh, b->be[id].hop);
		b->be[id].hop = v->hop = 0;
		return 0;
	}
	resolve(dp, nh, id, &hop);
	v->hop = hop;
	return 0;
}

void dp_backend_hops_refresh(struct dp *dp, int family, const void *prefix,
			     unsigned int plen)
{
	struct dp_backend_hops *b = dp->backend_hops;
	struct dp_nexthops *nh = dp_fib_nexthops(dp);
	__u32 hop;

	if (!b || !nh || !b->n)
		return;
	for (__u32 id = 1; id < SLUICE_LB_MAX_BACKENDS; id++) {
		if (!b->be[id].family)
			continue;
		if (prefix && (b->be[id].family != family ||
			       !covers(family, prefix, plen, b->be[id].addr)))
			continue;
		if (resolve(dp, nh, id, &hop))
			rewrite(dp, id, hop);
	}
}

/* At open, after the table is replayed: the pinned backends' hops are
 * adopted (the packet path uses them), then resolved anew. */
int dp_backend_hops_open(struct dp *dp)
{
	struct dp_nexthops *nh = dp_fib_nexthops(dp);
	struct dp_backend_hops *b;
	struct sluice_backend v;

	if (!nh)
		return 0;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	dp->backend_hops = b;
	for (__u32 id = 1; id < SLUICE_LB_MAX_BACKENDS; id++) {
		if (dp_lookup(dp, DP_MAP_LB_BACKENDS, &id, &v) || !v.family)
			continue;
		b->be[id].family = v.family;
		memcpy(b->be[id].addr, v.addr, 16);
		b->be[id].hop = v.hop;
		dp_nexthops_hop_adopt(nh, v.hop);
		b->n++;
	}
	dp_backend_hops_refresh(dp, 0, NULL, 0);
	return 0;
}

void dp_backend_hops_close(struct dp *dp)
{
	free(dp->backend_hops);
	dp->backend_hops = NULL;
}
