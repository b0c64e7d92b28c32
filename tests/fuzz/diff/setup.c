// SPDX-License-Identifier: BSD-2-Clause
/*
 * A configuration into a fresh lib/dp (no pins), the way sluiced programs
 * it: ports, next-hop groups, routes, neighbours, then the load balancer's
 * config, backends, VIPs and their Maglev tables (built here with
 * lib/maglev and kept in the configuration, where the model reads them).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uapi/sluice/sluice.h>
#include "diff.h"
#include "dp.h"
#include "maglev.h"

/* Small tables: a few MB whatever the compiled defaults. */
#define SETUP_GROUPS 64
#define SETUP_FLOWS 4096
#define SETUP_CT 1024

static int set_ifaces(struct dp *dp, const struct dcfg *c)
{
	for (size_t i = 0; i < c->n_ifaces; i++) {
		const struct d_iface *d = &c->ifaces[i];
		struct sluice_iface v = { .mtu = d->mtu,
					  .slot = d->slot,
					  .vlan_id = d->vid,
					  .flags = d->flags,
					  .parent_ifindex = d->parent };
		int err;

		memcpy(v.mac, d->mac, 6);
		memcpy(v.addr4, d->addr4, 4);
		memcpy(v.addr6, d->addr6, 16);
		err = dp_iface_set(dp, d->ifindex, &v);
		if (!err && d->port)
			err = dp_port_set(dp, d->ifindex);
		if (!err && (d->flags & SLUICE_IF_VLAN))
			err = dp_vlan_set(dp, d->parent, d->vid, d->ifindex);
		if (err)
			return err;
	}
	return 0;
}

static int set_router(struct dp *dp, const struct dcfg *c)
{
	int err = set_ifaces(dp, c);

	for (size_t i = 0; !err && i < c->n_nhgs; i++) {
		const struct d_nhg *d = &c->nhgs[i];
		struct sluice_nhg g = { .count = d->count };

		for (__u32 m = 0; m < d->count; m++) {
			g.nh[m].ifindex = d->nh[m].ifindex;
			g.nh[m].family = d->nh[m].family;
			memcpy(g.nh[m].gw, d->nh[m].gw, 16);
		}
		err = dp_nhg_set(dp, d->id, &g);
	}
	for (size_t i = 0; !err && i < c->n_routes; i++) {
		const struct d_route *d = &c->routes[i];
		struct sluice_route rt = { .nhg_id = d->nhg, .type = d->type };

		err = dp_route_set(dp, d->family, d->addr, d->plen, &rt);
	}
	for (size_t i = 0; !err && i < c->n_neighs; i++) {
		const struct d_neigh *d = &c->neighs[i];
		struct sluice_neigh_key k = { .ifindex = d->ifindex,
					      .family = d->family };
		struct sluice_neigh v = { 0 };

		memcpy(k.addr, d->addr, 16);
		memcpy(v.mac, d->mac, 6);
		err = dp_neigh_set(dp, &k, &v);
	}
	return err;
}

static const struct d_backend *be_of(const struct dcfg *c, __u32 id)
{
	for (size_t i = 0; i < c->n_backends; i++)
		if (c->backends[i].id == id)
			return &c->backends[i];
	return NULL;
}

/* Weight 1 each, keyed by family and address (as sluiced keys them). */
static int build_ring(const struct dcfg *c, struct d_vip *v)
{
	struct maglev_backend mb[D_VIP_BE];
	size_t n = 0;

	for (; n < D_VIP_BE && v->be[n]; n++) {
		const struct d_backend *b = be_of(c, v->be[n]);
		__u8 key[17];

		if (!b)
			return -ENOENT;
		key[0] = b->family == AF_INET ? 4 : 6;
		memcpy(key + 1, b->addr, 16);
		mb[n] = (struct maglev_backend){
			.key = maglev_key(key, b->family == AF_INET ? 5 : 17),
			.weight = 1,
			.value = v->be[n],
		};
	}
	return maglev_build(mb, n, D_RING, v->ring);
}

static int set_lb(struct dp *dp, struct dcfg *c)
{
	struct sluice_lb_config cfg = { .have_src4 = c->have_src4 };
	int err;

	memcpy(cfg.src4, c->src4, 4);
	err = dp_lb_config_set(dp, &cfg);
	for (size_t i = 0; !err && i < c->n_backends; i++) {
		const struct d_backend *d = &c->backends[i];
		struct sluice_backend b = { .family = d->family,
					    .flags = d->flags };

		memcpy(b.addr, d->addr, 16);
		err = dp_backend_set(dp, d->id, &b);
	}
	for (size_t i = 0; !err && i < c->n_vips; i++) {
		struct d_vip *d = &c->vips[i];
		struct sluice_vip v = { .vip_id = d->id,
					.ring_size = D_RING,
					.flags = d->flags };
		struct sluice_vip_key k = { .port = htons(d->port),
					    .proto = d->proto,
					    .family = d->family };

		memcpy(k.addr, d->addr, 16);
		err = build_ring(c, d)		     ?:
			      dp_vip_set(dp, &k, &v) ?:
			      dp_ring_install(dp, d->id, D_RING, d->ring);
	}
	return err;
}

/* The backend role: its ports (for the counter slots) and addresses. */
static int set_backend(struct dp *dp, const struct dcfg *c)
{
	int err = 0;

	for (size_t i = 0; !err && i < c->n_ifaces; i++) {
		const struct d_iface *d = &c->ifaces[i];
		struct sluice_iface v = { .mtu = d->mtu,
					  .slot = d->slot,
					  .flags = d->flags };

		memcpy(v.mac, d->mac, 6);
		memcpy(v.addr4, d->addr4, 4);
		memcpy(v.addr6, d->addr6, 16);
		err = dp_iface_set(dp, d->ifindex, &v);
	}
	for (size_t i = 0; !err && i < c->n_locals; i++)
		err = dp_local_addr_set(dp, c->locals[i].family,
					c->locals[i].addr);
	return err;
}

int setup_dp(struct dcfg *c, struct dp **dp, int *prog_fd, char *why,
	     size_t len)
{
	struct dp_opts o = { .lb_disabled = !c->lb,
			     .lb_max_flows = SETUP_FLOWS,
			     .load_tc = c->prog == D_PROG_TC,
			     .fib4_groups = SETUP_GROUPS,
			     .fib6_groups = SETUP_GROUPS,
			     .ct_max_entries = SETUP_CT };
	const char *what = "dp_open";
	int err;

	if (c->prog == D_PROG_DECAP)
		o = (struct dp_opts){ .role = DP_ROLE_BACKEND };
	err = dp_open(dp, &o);
	if (err)
		goto fail;
	if (c->prog == D_PROG_DECAP) {
		what = "the backend's ports and addresses";
		err = set_backend(*dp, c);
		goto clear;
	}
	what = "the router's tables";
	err = set_router(*dp, c);
	if (!err && c->lb) {
		what = "the load balancer's tables";
		err = set_lb(*dp, c);
	}
clear:
	if (!err) {
		what = "dp_stats_clear";
		err = dp_stats_clear(*dp);
	}
	if (err)
		goto fail_close;
	*prog_fd = c->prog == D_PROG_TC ? dp_tc_prog_fd(*dp) :
					  dp_xdp_prog_fd(*dp);
	return 0;
fail_close:
	dp_close(*dp);
	*dp = NULL;
fail:
	snprintf(why, len, "%s: %s", what, strerror(-err));
	return err;
}
