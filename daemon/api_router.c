// SPDX-License-Identifier: BSD-2-Clause
/* The router's resources: status, interfaces, routes, neighbors, stats. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include <linux/rtnetlink.h>
#include "api_internal.h"
#include "config.h"
#include "json_out.h"
#include "version.h"
#include "xmit_json.h"

static void fmt_mac(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

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
	char mac[18];

	json_add_str(o, "name", ifc->name);
	json_add_int(o, "ifindex", ifc->ifindex);
	json_add_str(o, "state", iface_state_name(ifc->state));
	json_add_str(o, "mode", iface_mode_name(ifc));
	json_add_bool(o, "adopted", ifc->adopted);
	fmt_mac(ifc->mac, mac, sizeof(mac));
	json_add_str(o, "mac", mac);
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

static const char *table_name(uint32_t t, char *buf, size_t len)
{
	if (t == RT_TABLE_MAIN)
		return "main";
	if (t == RT_TABLE_LOCAL)
		return "local";
	snprintf(buf, len, "%u", t);
	return buf;
}

static const char *proto_name(uint8_t p, char *buf, size_t len)
{
	switch (p) {
	case RTPROT_KERNEL: return "kernel";
	case RTPROT_BOOT: return "boot";
	case RTPROT_STATIC: return "static";
	case RTPROT_BIRD: return "bird";
	case 186: return "bgp";
	case 188: return "ospf";
	case RTPROT_ZEBRA: return "zebra";
	default: snprintf(buf, len, "%u", p); return buf;
	}
}

static const char *rt_type_name(uint8_t t)
{
	switch (t) {
	case SLUICE_RT_FORWARD: return "forward";
	case SLUICE_RT_LOCAL: return "local";
	default: return "kernel";
	}
}

static struct json_object *route_json(struct state *st,
				      const struct st_prefix *p)
{
	struct json_object *o = json_object_new_object();
	struct json_object *nhs = json_object_new_array();
	const struct st_variant *v = p->best;
	char addr[INET6_ADDRSTRLEN], buf[64], num[16];
	struct nl_route *r = malloc(sizeof(*r));

	inet_ntop(p->key.family, p->key.addr, addr, sizeof(addr));
	snprintf(buf, sizeof(buf), "%s/%u", addr, p->key.len);
	json_add_str(o, "prefix", buf);
	json_add_int(o, "family", p->key.family == AF_INET ? 4 : 6);
	json_add_str(o, "table", table_name(v->table, num, sizeof(num)));
	json_add_int(o, "metric", v->priority);
	json_add_str(o, "protocol", proto_name(v->protocol, num, sizeof(num)));
	json_add_str(o, "type", rt_type_name(p->programmed.type));
	if (v->nh_id)
		json_add_int(o, "nhid", v->nh_id);
	/* the nexthops as forwarded: a nexthop object's are resolved */
	if (r)
		state_route_of(st, p, r);
	for (int i = 0; r && i < r->n_nh; i++) {
		struct json_object *nh = json_object_new_object();

		if (r->nh[i].gw_family)
			inet_ntop(r->nh[i].gw_family, r->nh[i].gw, addr,
				  sizeof(addr));
		else
			addr[0] = '\0';
		json_add_str(nh, "via", addr);
		json_add_str(nh, "dev", state_ifname(st, r->nh[i].ifindex));
		json_add_int(nh, "ifindex", r->nh[i].ifindex);
		json_add_int(nh, "weight", r->nh[i].weight);
		json_object_array_add(nhs, nh);
	}
	free(r);
	json_object_object_add(o, "nexthops", nhs);
	return o;
}

static bool prefix_contains(const struct prefix_key *outer,
			    const struct prefix_key *inner)
{
	if (outer->family != inner->family || inner->len < outer->len)
		return false;
	for (unsigned int b = 0; b < outer->len; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));

		if ((outer->addr[b / 8] & m) != (inner->addr[b / 8] & m))
			return false;
	}
	return true;
}

/* "ADDR/LEN" or "ADDR" → key; -EINVAL otherwise. */
static int parse_prefix(const char *s, struct prefix_key *k)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long len;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, k->addr) == 1)
		k->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, k->addr) == 1)
		k->family = AF_INET6;
	else
		return -EINVAL;
	len = k->family == AF_INET ? 32 : 128;
	if (slash) {
		long max = len;

		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || len < 0 || len > max)
			return -EINVAL;
	}
	k->len = (uint8_t)len;
	return 0;
}

/* "ADDR/LEN": the routes inside that prefix.  A bare "ADDR": the one route
 * that address would take (longest match), as `ip route get` answers. */
char *api_get_routes(struct api_ctx *c, const struct api_req *r,
		     unsigned int *status)
{
	const struct api_query *q = r->q;
	struct st_prefix *p, *tmp, *longest = NULL;
	struct json_object *o, *arr;
	struct state *st = c->st;
	struct prefix_key filter;
	bool lookup = false;
	int family = 0;

	if (q->family) {
		if (!strcmp(q->family, "4"))
			family = AF_INET;
		else if (!strcmp(q->family, "6"))
			family = AF_INET6;
		else
			return error_body(status, 400,
					  "family: '%s' is not 4 or 6",
					  q->family);
	}
	if (q->prefix) {
		if (parse_prefix(q->prefix, &filter))
			return error_body(
				status, 400,
				"prefix: '%s' is not an IPv4/IPv6 prefix",
				q->prefix);
		lookup = !strchr(q->prefix, '/');
	}
	o = json_object_new_object();
	arr = json_object_new_array();
	HASH_ITER(hh, st->prefixes, p, tmp) {
		if (!p->is_programmed || !p->best)
			continue;
		if (family && p->key.family != family)
			continue;
		if (lookup) {
			if (prefix_contains(&p->key, &filter) &&
			    (!longest || p->key.len > longest->key.len))
				longest = p;
			continue;
		}
		if (q->prefix && !prefix_contains(&filter, &p->key))
			continue;
		json_object_array_add(arr, route_json(st, p));
	}
	if (longest)
		json_object_array_add(arr, route_json(st, longest));
	json_object_object_add(o, "routes", arr);
	return json_take(o);
}

static bool dev_known(struct state *st, const char *dev)
{
	struct st_link *lk, *tmp;

	HASH_ITER(hh, st->links, lk, tmp)
		if (!strcmp(lk->l.name, dev))
			return true;
	return false;
}

char *api_get_neighbors(struct api_ctx *c, const struct api_req *r,
			unsigned int *status)
{
	const struct api_query *q = r->q;
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	struct st_neigh *e, *tmp;
	char addr[INET6_ADDRSTRLEN], mac[18];

	if (q->dev && !dev_known(c->st, q->dev)) {
		json_object_put(arr);
		json_object_put(o);
		return error_body(status, 404, "dev: no interface '%s'",
				  q->dev);
	}
	HASH_ITER(hh, c->st->neighs, e, tmp) {
		const char *dev = state_ifname(c->st, e->key.ifindex);
		struct json_object *n;

		if (q->dev && strcmp(q->dev, dev))
			continue;
		n = json_object_new_object();
		json_add_str(n, "dev", dev);
		json_add_int(n, "ifindex", e->key.ifindex);
		inet_ntop(e->key.family, e->key.addr, addr, sizeof(addr));
		json_add_str(n, "address", addr);
		fmt_mac(e->mac, mac, sizeof(mac));
		json_add_str(n, "mac", mac);
		json_add_str(n, "state", nl_neigh_state_name(e->state));
		json_add_bool(n, "programmed", e->programmed);
		json_object_array_add(arr, n);
	}
	json_object_object_add(o, "neighbors", arr);
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
