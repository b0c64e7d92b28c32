// SPDX-License-Identifier: BSD-2-Clause
/* The router's resources: status, interfaces, stats (routes:
 * api_routes.c; neighbours: api_neighbors.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "config.h"
#include "json_out.h"
#include "version.h"
#include "xmit_json.h"

static uint64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* The compiled forwarding table's use of its pools (docs/forwarding-
 * table.md): what tells a user to raise fib.v4_groups / fib.v6_groups. */
static void fib_json(struct json_object *o, struct state *st)
{
	struct dp_fib_usage u;
	struct json_object *f;

	if (dp_fib_stats(st->dp, &u))
		return; /* the backend role has no table */
	f = json_object_new_object();
	json_add_int(f, "v4_prefixes", (int64_t)u.v4_routes);
	json_add_int(f, "v6_prefixes", (int64_t)u.v6_routes);
	json_add_int(f, "v4_groups", u.v4_groups);
	json_add_int(f, "v4_groups_max", u.v4_groups_max);
	json_add_int(f, "v6_groups", u.v6_groups);
	json_add_int(f, "v6_groups_max", u.v6_groups_max);
	json_add_int(f, "v6_index_slots", u.v6_index_slots);
	json_add_int(f, "v6_index_slots_max", u.v6_index_slots_max);
	json_add_int(f, "next_hop_groups", u.nhgs);
	json_add_int(f, "next_hops", u.nhs);
	json_object_object_add(o, "fib", f);
}

char *api_get_status(struct api_ctx *c, const struct api_req *r,
		     unsigned int *status)
{
	struct json_object *o = json_object_new_object();
	struct state *st = c->st;
	int n_if = 0;

	(void)r;
	(void)status;
	for (int i = 0; i < st->n_ifaces; i++)
		n_if += st->ifaces[i].state == IF_ATTACHED;
	json_add_str(o, "version", SLUICE_VERSION);
	json_add_int(o, "uptime_s", (int64_t)(now_s() - c->started_at));
	json_add_str(o, "pin_dir", c->cfg->pin_dir);
	json_add_bool(o, "maps_reused", dp_maps_reused(st->dp));
	json_add_str(o, "xdp_mode", dp_xdp_mode_name(c->cfg->xdp_mode));
	json_add_int(o, "interfaces", n_if);
	json_add_int(o, "routes_v4", (int64_t)st->routes_programmed[0]);
	json_add_int(o, "routes_v6", (int64_t)st->routes_programmed[1]);
	json_add_int(o, "nexthop_groups", HASH_CNT(hh, st->nhgs));
	json_add_int(o, "neighbors", HASH_CNT(hh, st->neighs));
	json_add_int(o, "netlink_events", (int64_t)st->nl_events);
	json_add_int(o, "netlink_resyncs", (int64_t)st->nl_resyncs);
	json_add_int(o, "netlink_overruns", (int64_t)st->nl_overruns);
	json_add_int(o, "netlink_resyncs_coalesced",
		     (int64_t)st->nl_resyncs_coalesced);
	json_add_int(o, "route_errors", (int64_t)st->route_errors);
	json_add_int(o, "neigh_errors", (int64_t)st->neigh_errors);
	json_add_int(o, "onlink_resolutions", (int64_t)st->onlink_asks);
	json_add_int(o, "onlink_left_to_owner", (int64_t)st->onlink_foreign);
	json_add_int(o, "onlink_errors", (int64_t)st->onlink_errors);
	json_add_int(o, "routes_left_to_kernel",
		     (int64_t)st->unsupported_routes);
	fib_json(o, st);
	return json_take(o);
}

static struct json_object *iface_json(struct state *st,
				      const struct st_iface *ifc)
{
	struct json_object *o = json_object_new_object();
	struct dp_xmit_drops xd;

	json_add_str(o, "name", ifc->name);
	json_add_int(o, "ifindex", ifc->ifindex);
	json_add_str(o, "state", iface_state_name(ifc->state));
	json_add_str(o, "mode", iface_mode_name(ifc));
	json_add_bool(o, "adopted", ifc->adopted);
	json_add_mac(o, "mac", ifc->mac);
	json_add_int(o, "mtu", ifc->mtu);
	json_add_int(o, "slot", ifc->slot);
	json_add_int(o, "vlan_id", ifc->vlan_id);
	json_add_str(o, "parent",
		     ifc->configured ? "" : state_ifname(st, ifc->parent));
	/* how a frame goes back out of the port it came in on (docs/veth.md;
	 * TC has only bpf_redirect) */
	json_add_str(o, "back_out",
		     !ifc->configured	     ? "" :
		     ifc->is_veth || ifc->tc ? "redirect" :
					       "xdp_tx");
	json_add_str(o, "error", ifc->error);
	/* frames the kernel lost after sluice redirected them (null where
	 * this data path does not count them: the backend role, a kernel
	 * that could not load the counters) */
	if (!dp_xmit_drops(st->dp, ifc->slot, &xd))
		json_object_object_add(o, "xmit_drops", xmit_drops_json(&xd));
	else
		json_object_object_add(o, "xmit_drops", NULL);
	return o;
}

char *api_get_interfaces(struct api_ctx *c, const struct api_req *r,
			 unsigned int *status)
{
	const struct api_query *q = r->q;
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	struct state *st = c->st;
	bool found = false;

	for (int i = 0; i < st->n_ifaces; i++) {
		if (q->dev && strcmp(q->dev, st->ifaces[i].name))
			continue;
		found = true;
		json_object_array_add(arr, iface_json(st, &st->ifaces[i]));
	}
	json_object_object_add(o, "interfaces", arr);
	if (q->dev && !found) {
		json_object_put(o);
		return error_body(status, 404, "dev: no managed interface '%s'",
				  q->dev);
	}
	return json_take(o);
}

static struct json_object *reasons_json(const struct sluice_counter *cnt)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < DP_REASON_COUNT; i++) {
		struct json_object *o = json_object_new_object();
		unsigned int r = dp_reason_at(i);

		json_add_str(o, "reason", dp_reason_name(r));
		json_add_str(o, "verdict", dp_reason_verdict_name(r));
		json_add_int(o, "packets", (int64_t)cnt[r].packets);
		json_add_int(o, "bytes", (int64_t)cnt[r].bytes);
		json_object_array_add(arr, o);
	}
	return arr;
}

char *api_get_stats(struct api_ctx *c, const struct api_req *r,
		    unsigned int *status)
{
	const struct api_query *q = r->q;
	struct sluice_counter cnt[SLUICE_REASON_SLOTS],
		tot[SLUICE_REASON_SLOTS];
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	struct state *st = c->st;
	bool found = false;

	memset(tot, 0, sizeof(tot));
	for (int i = 0; i < st->n_ifaces; i++) {
		const struct st_iface *ifc = &st->ifaces[i];
		struct json_object *io;

		if (q->dev && strcmp(q->dev, ifc->name))
			continue;
		found = true;
		if (dp_stats_read(st->dp, ifc->slot, cnt))
			continue;
		io = json_object_new_object();
		json_add_str(io, "name", ifc->name);
		json_add_int(io, "slot", ifc->slot);
		json_object_object_add(io, "reasons", reasons_json(cnt));
		json_object_array_add(arr, io);
		for (int r = 0; r < SLUICE_REASON_SLOTS; r++) {
			tot[r].packets += cnt[r].packets;
			tot[r].bytes += cnt[r].bytes;
		}
	}
	if (q->dev && !found) {
		json_object_put(arr);
		json_object_put(o);
		return error_body(status, 404, "dev: no managed interface '%s'",
				  q->dev);
	}
	json_object_object_add(o, "interfaces", arr);
	json_object_object_add(o, "totals", reasons_json(tot));
	return json_take(o);
}
