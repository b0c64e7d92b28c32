// SPDX-License-Identifier: BSD-2-Clause
/*
 * The router state without BPF: netlink events (links, routes, nexthop
 * objects, neighbours) fed as the structs daemon/nl.c makes of them, and
 * what lands in a fake data path: maps as small tables that count every
 * write and fail the next ones to a map on demand.  After each step the
 * next-hop groups in the maps are checked against the routes that name
 * them, so a leaked or dangling group fails the test where it appears.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <linux/if.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "resync.h"
#include "state.h"

/* ---- a fake data path ----------------------------------------------------- */

#define FAKE_ENTRIES 64
/* the backend role's local address map, which has no enum dp_map_id */
#define FAKE_LOCAL DP_MAP_COUNT
#define FAKE_MAPS (DP_MAP_COUNT + 1)

struct fmap {
	size_t ksz, vsz;
	struct {
		bool used;
		/* aligned: state.c reads keys as the structs they are */
		uint8_t k[24] __attribute__((aligned(8)));
		uint8_t v[sizeof(struct sluice_nhg)]
			__attribute__((aligned(8)));
	} e[FAKE_ENTRIES];
};

struct dp {
	enum dp_role role;
	struct fmap m[FAKE_MAPS];
	int sets[FAKE_MAPS];	 /* successful updates */
	int dels[FAKE_MAPS];	 /* successful deletes */
	int raw_dels[FAKE_MAPS]; /* map_delete calls (no typed op) */
	int walks[FAKE_MAPS];	 /* map_foreach calls */
	int fail[FAKE_MAPS];	 /* the next N writes to the map fail, -EIO */
	int attached;		 /* dp_attach calls that succeeded */
	int detached;
	int tc_attached; /* dp_tc_attach calls that succeeded */
	int tc_detached;
	int tc_kept; /* dp_tc_detach calls with keep */
	int tc_fail; /* the next N dp_tc_attach calls fail, -EBUSY */
	bool unpinned;
};

static struct dp fake;

static const size_t key_size[FAKE_MAPS] = {
	[DP_MAP_ROUTES_V4] = sizeof(struct sluice_lpm4_key),
	[DP_MAP_ROUTES_V6] = sizeof(struct sluice_lpm6_key),
	[DP_MAP_NHGS] = sizeof(__u32),
	[DP_MAP_NEIGHBORS] = sizeof(struct sluice_neigh_key),
	[DP_MAP_IFACES] = sizeof(__u32),
	[DP_MAP_VLANS] = sizeof(struct sluice_vlan_key),
	[DP_MAP_TX_PORTS] = sizeof(__u32),
	[FAKE_LOCAL] = sizeof(struct sluice_addr_key),
};

static const size_t value_size[FAKE_MAPS] = {
	[DP_MAP_ROUTES_V4] = sizeof(struct sluice_route),
	[DP_MAP_ROUTES_V6] = sizeof(struct sluice_route),
	[DP_MAP_NHGS] = sizeof(struct sluice_nhg),
	[DP_MAP_NEIGHBORS] = sizeof(struct sluice_neigh),
	[DP_MAP_IFACES] = sizeof(struct sluice_iface),
	[DP_MAP_VLANS] = sizeof(__u32),
	[DP_MAP_TX_PORTS] = sizeof(__u32),
	[FAKE_LOCAL] = sizeof(__u32),
};

static void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	for (int i = 0; i < FAKE_MAPS; i++) {
		fake.m[i].ksz = key_size[i];
		fake.m[i].vsz = value_size[i];
	}
}

static void fake_counts_reset(void)
{
	memset(fake.sets, 0, sizeof(fake.sets));
	memset(fake.dels, 0, sizeof(fake.dels));
	memset(fake.raw_dels, 0, sizeof(fake.raw_dels));
	memset(fake.walks, 0, sizeof(fake.walks));
}

static int fmap_find(const struct fmap *m, const void *k)
{
	for (int i = 0; i < FAKE_ENTRIES; i++)
		if (m->e[i].used && !memcmp(m->e[i].k, k, m->ksz))
			return i;
	return -1;
}

static const void *fmap_get(int map, const void *k)
{
	int i = fmap_find(&fake.m[map], k);

	return i < 0 ? NULL : fake.m[map].e[i].v;
}

static int fmap_count(int map)
{
	int n = 0;

	for (int i = 0; i < FAKE_ENTRIES; i++)
		n += fake.m[map].e[i].used;
	return n;
}

/* An entry as a previous run left it pinned: no write is counted. */
static void fmap_put(int map, const void *k, const void *v)
{
	struct fmap *m = &fake.m[map];
	int i = fmap_find(m, k);

	for (int j = 0; i < 0 && j < FAKE_ENTRIES; j++)
		if (!m->e[j].used)
			i = j;
	assert_true(i >= 0);
	m->e[i].used = true;
	memcpy(m->e[i].k, k, m->ksz);
	memcpy(m->e[i].v, v, m->vsz);
}

static int fmap_set(int map, const void *k, const void *v)
{
	struct fmap *m = &fake.m[map];
	int i = fmap_find(m, k);

	if (fake.fail[map]) {
		fake.fail[map]--;
		return -EIO;
	}
	for (int j = 0; i < 0 && j < FAKE_ENTRIES; j++)
		if (!m->e[j].used)
			i = j;
	if (i < 0)
		return -E2BIG;
	m->e[i].used = true;
	memcpy(m->e[i].k, k, m->ksz);
	memcpy(m->e[i].v, v, m->vsz);
	fake.sets[map]++;
	return 0;
}

static int fmap_del(int map, const void *k)
{
	struct fmap *m = &fake.m[map];
	int i = fmap_find(m, k);

	if (fake.fail[map]) {
		fake.fail[map]--;
		return -EIO;
	}
	if (i < 0)
		return -ENOENT;
	memset(&m->e[i], 0, sizeof(m->e[i]));
	fake.dels[map]++;
	return 0;
}

static void addr_key(int family, const void *addr, struct sluice_addr_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)family;
	memcpy(k->addr, addr, family == AF_INET ? 4 : 16);
}

static enum dp_role fake_role(const struct dp *dp)
{
	return dp->role;
}

static int fake_attach(struct dp *dp, int ifindex, const char *ifname,
		       enum dp_xdp_mode mode, enum dp_xdp_mode *mode_out,
		       bool *adopted)
{
	(void)ifindex;
	(void)ifname;
	*mode_out = mode == DP_XDP_AUTO ? DP_XDP_NATIVE : mode;
	*adopted = false;
	dp->attached++;
	return 0;
}

static int fake_detach(struct dp *dp, const char *ifname, bool keep)
{
	(void)ifname;
	(void)keep;
	dp->detached++;
	return 0;
}

static int fake_attach_tc(struct dp *dp, int ifindex, const char *ifname,
			  bool *adopted)
{
	(void)ifindex;
	(void)ifname;
	*adopted = false;
	if (dp->tc_fail) {
		dp->tc_fail--;
		return -EBUSY;
	}
	dp->tc_attached++;
	return 0;
}

static int fake_detach_tc(struct dp *dp, const char *ifname, bool keep)
{
	(void)ifname;
	dp->tc_detached++;
	dp->tc_kept += keep;
	return 0;
}

static int fake_unpin_maps(struct dp *dp)
{
	dp->unpinned = true;
	return 0;
}

static int fake_iface_set(struct dp *dp, __u32 ifindex,
			  const struct sluice_iface *v)
{
	(void)dp;
	return fmap_set(DP_MAP_IFACES, &ifindex, v);
}

static int fake_iface_del(struct dp *dp, __u32 ifindex)
{
	(void)dp;
	return fmap_del(DP_MAP_IFACES, &ifindex);
}

static int fake_vlan_set(struct dp *dp, __u32 parent, __u16 vid, __u32 ifindex)
{
	struct sluice_vlan_key k = { .parent_ifindex = parent, .vlan_id = vid };

	(void)dp;
	return fmap_set(DP_MAP_VLANS, &k, &ifindex);
}

static int fake_vlan_del(struct dp *dp, __u32 parent, __u16 vid)
{
	struct sluice_vlan_key k = { .parent_ifindex = parent, .vlan_id = vid };

	(void)dp;
	return fmap_del(DP_MAP_VLANS, &k);
}

static int fake_port_set(struct dp *dp, __u32 ifindex)
{
	(void)dp;
	return fmap_set(DP_MAP_TX_PORTS, &ifindex, &ifindex);
}

static int fake_port_del(struct dp *dp, __u32 ifindex)
{
	(void)dp;
	return fmap_del(DP_MAP_TX_PORTS, &ifindex);
}

static int fake_route_set(struct dp *dp, int family, const void *addr,
			  unsigned int plen, const struct sluice_route *rt)
{
	union dp_lpm_key k;
	enum dp_map_id map;
	int err = dp_lpm_key(family, addr, plen, &k, &map);

	(void)dp;
	return err ? err : fmap_set(map, &k, rt);
}

static int fake_route_del(struct dp *dp, int family, const void *addr,
			  unsigned int plen)
{
	union dp_lpm_key k;
	enum dp_map_id map;
	int err = dp_lpm_key(family, addr, plen, &k, &map);

	(void)dp;
	return err ? err : fmap_del(map, &k);
}

static int fake_nhg_set(struct dp *dp, __u32 id, const struct sluice_nhg *g)
{
	(void)dp;
	/* lib/dp refuses these before the kernel sees them */
	if (!id || !g->count || g->count > SLUICE_MAX_ECMP)
		return -EINVAL;
	return fmap_set(DP_MAP_NHGS, &id, g);
}

static int fake_nhg_del(struct dp *dp, __u32 id)
{
	(void)dp;
	return fmap_del(DP_MAP_NHGS, &id);
}

static int fake_neigh_set(struct dp *dp, const struct sluice_neigh_key *k,
			  const struct sluice_neigh *v)
{
	(void)dp;
	return fmap_set(DP_MAP_NEIGHBORS, k, v);
}

static int fake_neigh_del(struct dp *dp, const struct sluice_neigh_key *k)
{
	(void)dp;
	return fmap_del(DP_MAP_NEIGHBORS, k);
}

static int fake_local_addr_set(struct dp *dp, int family, const void *addr)
{
	struct sluice_addr_key k;
	__u32 one = 1;

	if (dp->role != DP_ROLE_BACKEND)
		return -EOPNOTSUPP;
	addr_key(family, addr, &k);
	return fmap_set(FAKE_LOCAL, &k, &one);
}

static int fake_local_addr_del(struct dp *dp, int family, const void *addr)
{
	struct sluice_addr_key k;

	if (dp->role != DP_ROLE_BACKEND)
		return -EOPNOTSUPP;
	addr_key(family, addr, &k);
	return fmap_del(FAKE_LOCAL, &k);
}

static int foreach(int map, dp_key_cb cb, void *arg)
{
	for (int i = 0; i < FAKE_ENTRIES; i++) {
		int err;

		if (!fake.m[map].e[i].used)
			continue;
		err = cb(fake.m[map].e[i].k, fake.m[map].e[i].v, arg);
		if (err)
			return err;
	}
	return 0;
}

static int fake_local_addr_foreach(struct dp *dp, dp_key_cb cb, void *arg)
{
	(void)dp;
	return foreach(FAKE_LOCAL, cb, arg);
}

static int fake_map_foreach(struct dp *dp, enum dp_map_id id, dp_key_cb cb,
			    void *arg)
{
	(void)dp;
	assert_true(id < DP_MAP_COUNT && key_size[id]);
	fake.walks[id]++;
	return foreach(id, cb, arg);
}

static int fake_map_delete(struct dp *dp, enum dp_map_id id, const void *key)
{
	(void)dp;
	assert_true(id < DP_MAP_COUNT && key_size[id]);
	fake.raw_dels[id]++;
	return fmap_del(id, key);
}

static const struct state_dp_ops fake_ops = {
	.role = fake_role,
	.attach = fake_attach,
	.detach = fake_detach,
	.attach_tc = fake_attach_tc,
	.detach_tc = fake_detach_tc,
	.unpin_maps = fake_unpin_maps,
	.iface_set = fake_iface_set,
	.iface_del = fake_iface_del,
	.vlan_set = fake_vlan_set,
	.vlan_del = fake_vlan_del,
	.port_set = fake_port_set,
	.port_del = fake_port_del,
	.route_set = fake_route_set,
	.route_del = fake_route_del,
	.nhg_set = fake_nhg_set,
	.nhg_del = fake_nhg_del,
	.neigh_set = fake_neigh_set,
	.neigh_del = fake_neigh_del,
	.local_addr_set = fake_local_addr_set,
	.local_addr_del = fake_local_addr_del,
	.local_addr_foreach = fake_local_addr_foreach,
	.map_foreach = fake_map_foreach,
	.map_delete = fake_map_delete,
};

/* ---- events as nl.c makes them -------------------------------------------- */

#define ETH0 2
#define ETH1 3

static struct state st;
static struct sluiced_config cfg;
static char eth0_name[] = "eth0", eth1_name[] = "eth1";

static int family_of(const char *a)
{
	return strchr(a, ':') ? AF_INET6 : AF_INET;
}

static void pton(const char *a, uint8_t *out)
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(family_of(a), a, out), 1);
}

/* "198.18.2.0/24" in table @table with metric @metric, no next hop yet. */
static void route(struct nl_route *r, const char *prefix, uint32_t table,
		  uint32_t metric)
{
	char a[INET6_ADDRSTRLEN];
	const char *slash = strchr(prefix, '/');

	assert_non_null(slash);
	snprintf(a, sizeof(a), "%.*s", (int)(slash - prefix), prefix);
	memset(r, 0, sizeof(*r));
	r->family = (uint8_t)family_of(a);
	r->dst_len = (uint8_t)atoi(slash + 1);
	pton(a, r->dst);
	r->table = table;
	r->priority = metric;
	r->type = RTN_UNICAST;
	r->protocol = RTPROT_STATIC;
}

/* A next hop: @gw NULL is on-link. */
static void via(struct nl_route *r, uint32_t ifindex, const char *gw,
		uint8_t weight)
{
	struct nl_nh *nh = &r->nh[r->n_nh++];

	memset(nh, 0, sizeof(*nh));
	nh->ifindex = ifindex;
	nh->weight = weight;
	if (gw) {
		nh->gw_family = (uint8_t)family_of(gw);
		pton(gw, nh->gw);
	}
}

static void route_add(const struct nl_route *r)
{
	state_route_event(&st, r, false, NLM_F_CREATE);
}

static void route_del(const struct nl_route *r)
{
	state_route_event(&st, r, true, 0);
}

/* "ip route add PREFIX [table local] metric M via GW dev IF" in one call. */
static void add_via(const char *prefix, uint32_t metric, uint32_t ifindex,
		    const char *gw)
{
	struct nl_route r;

	route(&r, prefix, RT_TABLE_MAIN, metric);
	via(&r, ifindex, gw, 1);
	route_add(&r);
}

static void del_via(const char *prefix, uint32_t metric, uint32_t ifindex,
		    const char *gw)
{
	struct nl_route r;

	route(&r, prefix, RT_TABLE_MAIN, metric);
	via(&r, ifindex, gw, 1);
	route_del(&r);
}

/* An address of ours: the kernel's local-table route for it. */
static void local_addr(const char *addr, uint32_t ifindex, bool del)
{
	char prefix[64];
	struct nl_route r;

	snprintf(prefix, sizeof(prefix), "%s/%d", addr,
		 family_of(addr) == AF_INET ? 32 : 128);
	route(&r, prefix, RT_TABLE_LOCAL, 0);
	r.type = RTN_LOCAL;
	r.protocol = RTPROT_KERNEL;
	r.scope = RT_SCOPE_HOST;
	via(&r, ifindex, NULL, 1);
	state_route_event(&st, &r, del, 0);
}

static void link_up(uint32_t ifindex, const char *name)
{
	struct nl_link l = {
		.ifindex = ifindex,
		.has_mac = true,
		.mac = { 0x02, 0, 0, 0, 0, (uint8_t)ifindex },
		.mtu = 1500,
		.flags = IFF_UP | IFF_LOWER_UP,
	};

	snprintf(l.name, sizeof(l.name), "%s", name);
	state_link_event(&st, &l, false);
}

/* The kernel says link @ifindex (@name) is gone. */
static void link_gone(uint32_t ifindex, const char *name)
{
	struct nl_link l = { .ifindex = ifindex };

	snprintf(l.name, sizeof(l.name), "%s", name);
	state_link_event(&st, &l, true);
}

static void neigh(uint32_t ifindex, const char *addr, uint8_t mac_last,
		  uint16_t nud, bool del)
{
	struct nl_neigh n = {
		.ifindex = ifindex,
		.family = (uint8_t)family_of(addr),
		.has_mac = mac_last != 0,
		.mac = { 0x02, 0xaa, 0, 0, 0, mac_last },
		.state = nud,
	};

	pton(addr, n.addr);
	state_neigh_event(&st, &n, del);
}

/* A single nexthop object, or (gw NULL, ifindex 0) a blackhole. */
static void nhobj(uint32_t id, uint32_t oif, const char *gw)
{
	struct nl_nexthop nh = { .id = id, .oif = oif };

	if (gw) {
		nh.family = (uint8_t)family_of(gw);
		nh.has_gw = true;
		pton(gw, nh.gw);
	} else if (!oif) {
		nh.blackhole = true;
	}
	state_nexthop_event(&st, &nh, false);
}

static void nhobj_group(uint32_t id, int n, const uint32_t *ids,
			const uint8_t *weights)
{
	struct nl_nexthop nh = { .id = id, .family = AF_UNSPEC, .n_grp = n };

	for (int i = 0; i < n; i++) {
		nh.grp[i].id = ids[i];
		nh.grp[i].weight = weights[i];
	}
	state_nexthop_event(&st, &nh, false);
}

static void nhobj_del(uint32_t id)
{
	struct nl_nexthop nh = { .id = id };

	state_nexthop_event(&st, &nh, true);
}

/* ---- what the maps hold, as text ------------------------------------------ */

static const struct sluice_route *map_route(const char *prefix)
{
	struct nl_route r;
	union dp_lpm_key k;
	enum dp_map_id map = 0;

	route(&r, prefix, RT_TABLE_MAIN, 0);
	assert_int_equal(dp_lpm_key(r.family, r.dst, r.dst_len, &k, &map), 0);
	return fmap_get(map, &k);
}

static const struct sluice_nhg *map_nhg(uint32_t id)
{
	return fmap_get(DP_MAP_NHGS, &id);
}

/* "2/10.0.0.1,3/10.0.1.1": a group's members, ifindex/gateway */
static const char *group_text(const struct sluice_nhg *g, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (__u32 i = 0; i < g->count && off < len; i++) {
		char a[INET6_ADDRSTRLEN] = "onlink";

		if (g->nh[i].family)
			inet_ntop(g->nh[i].family, g->nh[i].gw, a, sizeof(a));
		off += (size_t)snprintf(buf + off, len - off, "%s%u/%s",
					i ? "," : "", g->nh[i].ifindex, a);
	}
	return buf;
}

/* What the data path does for @prefix: "none", "kernel", "local", or
 * "forward " and its group's members. */
static const char *map_text(const char *prefix)
{
	static char buf[512];
	const struct sluice_route *rt = map_route(prefix);
	const struct sluice_nhg *g;
	char members[480];

	if (!rt)
		return "none";
	switch (rt->type) {
	case SLUICE_RT_KERNEL: return "kernel";
	case SLUICE_RT_LOCAL: return "local";
	case SLUICE_RT_FORWARD:
		g = map_nhg(rt->nhg_id);
		if (!g)
			return "forward to a missing group";
		snprintf(buf, sizeof(buf), "forward %s",
			 group_text(g, members, sizeof(members)));
		return buf;
	}
	return "bad type";
}

static struct st_prefix *find_prefix(const char *prefix)
{
	struct prefix_key key = {};
	struct st_prefix *p;
	struct nl_route r;

	route(&r, prefix, RT_TABLE_MAIN, 0);
	key.family = r.family;
	key.len = r.dst_len;
	memcpy(key.addr, r.dst, 16);
	HASH_FIND(hh, st.prefixes, &key, sizeof(key), p);
	return p;
}

/* What /v1/routes shows for @prefix: its best route's next hops as
 * state_route_of() gives them, "none" when nothing is shown. */
static const char *shown_text(const char *prefix)
{
	static char buf[512];
	struct st_prefix *p = find_prefix(prefix);
	struct nl_route r;
	size_t off;

	if (!p || !p->is_programmed || !p->best)
		return "none";
	state_route_of(&st, p, &r);
	off = (size_t)snprintf(buf, sizeof(buf), "metric %u", r.priority);
	for (int i = 0; i < r.n_nh && off < sizeof(buf); i++) {
		char a[INET6_ADDRSTRLEN] = "onlink";

		if (r.nh[i].gw_family)
			inet_ntop(r.nh[i].gw_family, r.nh[i].gw, a, sizeof(a));
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, " %u/%s",
					r.nh[i].ifindex, a);
	}
	return buf;
}

/*
 * The groups in the map are exactly the interned ones, each with the
 * content the state believes, each referenced by as many programmed
 * prefixes as its count says; every forwarding route names a group that
 * is there.  No orphan group, no dangling route.
 */
static void assert_groups_consistent(void)
{
	struct st_nhg *n, *ntmp;
	struct st_prefix *p, *ptmp;

	assert_int_equal(fmap_count(DP_MAP_NHGS), HASH_CNT(hh, st.nhgs));
	HASH_ITER(hh, st.nhgs, n, ntmp) {
		const struct sluice_nhg *g = map_nhg(n->id);
		uint32_t users = 0;

		assert_non_null(g);
		assert_memory_equal(g, &n->g, sizeof(*g));
		HASH_ITER(hh, st.prefixes, p, ptmp)
			users += p->is_programmed &&
				 p->programmed.type == SLUICE_RT_FORWARD &&
				 p->programmed.nhg_id == n->id;
		assert_int_equal(n->refs, users);
		assert_true(n->refs > 0);
	}
	for (int map = DP_MAP_ROUTES_V4; map <= DP_MAP_ROUTES_V6; map++) {
		for (int i = 0; i < FAKE_ENTRIES; i++) {
			const struct sluice_route *rt =
				(const void *)fake.m[map].e[i].v;

			if (fake.m[map].e[i].used &&
			    rt->type == SLUICE_RT_FORWARD)
				assert_non_null(map_nhg(rt->nhg_id));
		}
	}
}

static int setup(void **state)
{
	(void)state;
	fake_reset();
	memset(&cfg, 0, sizeof(cfg));
	cfg.ifaces[0] = eth0_name;
	cfg.ifaces[1] = eth1_name;
	cfg.n_ifaces = 2;
	cfg.xdp_mode = DP_XDP_AUTO;
	assert_int_equal(state_init(&st, &fake, &fake_ops, &cfg), 0);
	return 0;
}

/* Two attached ports, eth0 (ifindex 2) and eth1 (3). */
static int setup_links(void **state)
{
	setup(state);
	link_up(ETH0, "eth0");
	link_up(ETH1, "eth1");
	assert_int_equal(fake.attached, 2);
	assert_int_equal(fmap_count(DP_MAP_IFACES), 2);
	assert_int_equal(fmap_count(DP_MAP_TX_PORTS), 2);
	fake_counts_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	state_free(&st);
	return 0;
}

/* ---- best route ------------------------------------------------------------ */

static void test_lowest_metric_wins(void **state)
{
	(void)state;
	add_via("198.18.2.0/24", 100, ETH0, "10.0.0.1");
	assert_string_equal(map_text("198.18.2.0/24"), "forward 2/10.0.0.1");
	add_via("198.18.2.0/24", 50, ETH1, "10.0.1.1");
	assert_string_equal(map_text("198.18.2.0/24"), "forward 3/10.0.1.1");
	assert_string_equal(shown_text("198.18.2.0/24"),
			    "metric 50 3/10.0.1.1");
	/* a worse one changes nothing in the maps */
	fake_counts_reset();
	add_via("198.18.2.0/24", 200, ETH0, "10.0.0.2");
	assert_int_equal(fake.sets[DP_MAP_ROUTES_V4], 0);
	assert_int_equal(fake.sets[DP_MAP_NHGS], 0);
	assert_groups_consistent();

	/* the best one goes: the next lowest metric takes over */
	del_via("198.18.2.0/24", 50, ETH1, "10.0.1.1");
	assert_string_equal(map_text("198.18.2.0/24"), "forward 2/10.0.0.1");
	assert_string_equal(shown_text("198.18.2.0/24"),
			    "metric 100 2/10.0.0.1");
	assert_groups_consistent();
	del_via("198.18.2.0/24", 100, ETH0, "10.0.0.1");
	assert_string_equal(map_text("198.18.2.0/24"), "forward 2/10.0.0.2");
	del_via("198.18.2.0/24", 200, ETH0, "10.0.0.2");
	assert_string_equal(map_text("198.18.2.0/24"), "none");
	assert_null(find_prefix("198.18.2.0/24"));
	assert_int_equal(st.routes_programmed[0], 0);
	assert_int_equal(fmap_count(DP_MAP_ROUTES_V4), 0);
	assert_groups_consistent();
}

static void test_local_table_wins(void **state)
{
	struct nl_route r;

	(void)state;
	add_via("10.0.0.5/32", 10, ETH1, "10.0.1.1");
	assert_string_equal(map_text("10.0.0.5/32"), "forward 3/10.0.1.1");
	/* the local table is looked up first, whatever the metric */
	route(&r, "10.0.0.5/32", RT_TABLE_LOCAL, 1000);
	r.type = RTN_LOCAL;
	via(&r, ETH0, NULL, 1);
	route_add(&r);
	assert_string_equal(map_text("10.0.0.5/32"), "local");
	/* ... and a better metric in main does not beat it */
	add_via("10.0.0.5/32", 0, ETH0, "10.0.0.9");
	assert_string_equal(map_text("10.0.0.5/32"), "local");
	assert_groups_consistent();
	route_del(&r);
	assert_string_equal(map_text("10.0.0.5/32"), "forward 2/10.0.0.9");
	assert_groups_consistent();
}

static void test_left_to_the_kernel(void **state)
{
	struct nl_route r;

	(void)state;
	route(&r, "198.18.3.0/24", RT_TABLE_MAIN, 0);
	r.type = RTN_BLACKHOLE;
	route_add(&r);
	assert_string_equal(map_text("198.18.3.0/24"), "kernel");

	route(&r, "2001:db8:3::/48", RT_TABLE_MAIN, 0);
	r.type = RTN_UNREACHABLE;
	route_add(&r);
	assert_string_equal(map_text("2001:db8:3::/48"), "kernel");
	assert_int_equal(st.routes_programmed[1], 1);

	/* something nl.c could not express (RTA_VIA, a source route...) */
	route(&r, "198.18.4.0/24", RT_TABLE_MAIN, 0);
	via(&r, ETH0, "10.0.0.1", 1);
	r.unsupported = true;
	r.unsupported_why = "RTA_VIA";
	route_add(&r);
	assert_string_equal(map_text("198.18.4.0/24"), "kernel");
	assert_int_equal(st.unsupported_routes, 1);

	/* more next hops than a group holds */
	route(&r, "198.18.5.0/24", RT_TABLE_MAIN, 0);
	for (int i = 0; i <= SLUICE_MAX_ECMP; i++) {
		char gw[32];

		snprintf(gw, sizeof(gw), "10.0.0.%d", i + 1);
		via(&r, ETH0, gw, 1);
	}
	route_add(&r);
	assert_string_equal(map_text("198.18.5.0/24"), "kernel");

	/* the blackhole (metric 0) goes: a forwarding route behind it
	 * replaces its kernel entry */
	add_via("198.18.3.0/24", 10, ETH1, "10.0.1.1");
	assert_string_equal(map_text("198.18.3.0/24"), "kernel");
	route(&r, "198.18.3.0/24", RT_TABLE_MAIN, 0);
	r.type = RTN_BLACKHOLE;
	route_del(&r);
	assert_string_equal(map_text("198.18.3.0/24"), "forward 3/10.0.1.1");

	/* tables other than main and local are not mirrored */
	route(&r, "198.18.6.0/24", 100, 0);
	via(&r, ETH0, "10.0.0.1", 1);
	route_add(&r);
	assert_string_equal(map_text("198.18.6.0/24"), "none");
	assert_null(find_prefix("198.18.6.0/24"));
	assert_groups_consistent();
}

static void test_ipv6_multipath_in_pieces(void **state)
{
	struct nl_route r;

	(void)state;
	/* `ip -6 route append` and the dump send one message per nexthop */
	route(&r, "2001:db8:1::/64", RT_TABLE_MAIN, 1024);
	via(&r, ETH0, "fe80::1", 1);
	route_add(&r);
	route(&r, "2001:db8:1::/64", RT_TABLE_MAIN, 1024);
	via(&r, ETH1, "fe80::2", 1);
	route_add(&r);
	assert_string_equal(map_text("2001:db8:1::/64"),
			    "forward 2/fe80::1,3/fe80::2");
	assert_groups_consistent();
	/* one nexthop deleted: the other stays */
	route_del(&r);
	assert_string_equal(map_text("2001:db8:1::/64"), "forward 2/fe80::1");
	assert_groups_consistent();
	/* NLM_F_REPLACE: the whole route */
	route(&r, "2001:db8:1::/64", RT_TABLE_MAIN, 1024);
	via(&r, ETH1, "fe80::3", 1);
	state_route_event(&st, &r, false, NLM_F_REPLACE);
	assert_string_equal(map_text("2001:db8:1::/64"), "forward 3/fe80::3");
	assert_groups_consistent();
}

/* ---- nexthop objects --------------------------------------------------------- */

static void add_by_nhid(const char *prefix, uint32_t id)
{
	struct nl_route r;

	route(&r, prefix, RT_TABLE_MAIN, 0);
	r.nh_id = id;
	route_add(&r);
}

static void test_nexthop_objects(void **state)
{
	static const uint32_t members[] = { 1, 2 };
	static const uint8_t weights[] = { 1, 3 };

	(void)state;
	nhobj(1, ETH0, "10.0.0.1");
	nhobj(2, ETH1, "10.0.1.1");
	nhobj_group(10, 2, members, weights);
	add_by_nhid("198.18.5.0/24", 1);
	assert_string_equal(map_text("198.18.5.0/24"), "forward 2/10.0.0.1");
	/* weights: each member repeated while the group fits */
	add_by_nhid("198.18.6.0/24", 10);
	assert_string_equal(
		map_text("198.18.6.0/24"),
		"forward 2/10.0.0.1,3/10.0.1.1,3/10.0.1.1,3/10.0.1.1");
	assert_string_equal(shown_text("198.18.6.0/24"),
			    "metric 0 2/10.0.0.1 3/10.0.1.1");
	assert_groups_consistent();

	/* the object changes; with nexthop_compat_mode off no route message
	 * follows: both routes are rewritten from the object */
	nhobj(1, ETH0, "10.0.0.2");
	assert_string_equal(map_text("198.18.5.0/24"), "forward 2/10.0.0.2");
	assert_string_equal(
		map_text("198.18.6.0/24"),
		"forward 2/10.0.0.2,3/10.0.1.1,3/10.0.1.1,3/10.0.1.1");
	assert_groups_consistent();

	/* a member goes dead: the group forwards through the others */
	{
		struct nl_nexthop nh = { .id = 2,
					 .family = AF_INET,
					 .oif = ETH1,
					 .has_gw = true,
					 .dead = true };

		pton("10.0.1.1", nh.gw);
		state_nexthop_event(&st, &nh, false);
	}
	assert_string_equal(map_text("198.18.6.0/24"), "forward 2/10.0.0.2");
	/* both routes now use the same group */
	assert_int_equal(map_route("198.18.5.0/24")->nhg_id,
			 map_route("198.18.6.0/24")->nhg_id);
	assert_groups_consistent();

	/* the group object is deleted: the kernel drops its routes without
	 * a word, and so do we */
	nhobj_del(10);
	assert_string_equal(map_text("198.18.6.0/24"), "none");
	assert_null(find_prefix("198.18.6.0/24"));
	assert_string_equal(map_text("198.18.5.0/24"), "forward 2/10.0.0.2");
	assert_groups_consistent();
	nhobj_del(1);
	assert_string_equal(map_text("198.18.5.0/24"), "none");
	assert_int_equal(fmap_count(DP_MAP_NHGS), 0);
	assert_groups_consistent();
}

static void test_nexthop_object_unknown_or_blackhole(void **state)
{
	(void)state;
	/* a route naming an object not seen yet: the kernel forwards */
	add_by_nhid("198.18.7.0/24", 5);
	assert_string_equal(map_text("198.18.7.0/24"), "kernel");
	/* the object arrives: we take over */
	nhobj(5, ETH1, "10.0.1.5");
	assert_string_equal(map_text("198.18.7.0/24"), "forward 3/10.0.1.5");
	/* it becomes a blackhole: back to the kernel, the group freed */
	nhobj(5, 0, NULL);
	assert_string_equal(map_text("198.18.7.0/24"), "kernel");
	assert_int_equal(fmap_count(DP_MAP_NHGS), 0);
	assert_groups_consistent();
}

/* ---- next-hop group reference counts -------------------------------------- */

static void test_groups_shared_and_freed(void **state)
{
	(void)state;
	add_via("198.18.10.0/24", 0, ETH0, "10.0.0.1");
	add_via("198.18.11.0/24", 0, ETH0, "10.0.0.1");
	assert_int_equal(map_route("198.18.10.0/24")->nhg_id,
			 map_route("198.18.11.0/24")->nhg_id);
	assert_int_equal(fmap_count(DP_MAP_NHGS), 1);
	assert_int_equal(fake.sets[DP_MAP_NHGS], 1);
	assert_groups_consistent();

	/* one moves elsewhere: a second group, the first one kept */
	add_via("198.18.11.0/24", 0, ETH1, "10.0.1.1");
	assert_int_equal(fmap_count(DP_MAP_NHGS), 2);
	assert_groups_consistent();
	add_via("198.18.11.0/24", 0, ETH0, "10.0.0.1");
	assert_int_equal(fmap_count(DP_MAP_NHGS), 1);
	assert_groups_consistent();

	del_via("198.18.10.0/24", 0, ETH0, "10.0.0.1");
	assert_int_equal(fmap_count(DP_MAP_NHGS), 1);
	assert_string_equal(map_text("198.18.11.0/24"), "forward 2/10.0.0.1");
	assert_groups_consistent();
	del_via("198.18.11.0/24", 0, ETH0, "10.0.0.1");
	assert_int_equal(fmap_count(DP_MAP_NHGS), 0);
	assert_int_equal(HASH_CNT(hh, st.nhgs), 0);
	assert_groups_consistent();
}

/* ---- reconcile after a restart ------------------------------------------------ */

static void seed_route(const char *prefix, uint8_t type, uint32_t nhg_id)
{
	struct sluice_route rt = { .type = type, .nhg_id = nhg_id };
	struct nl_route r;
	union dp_lpm_key k;
	enum dp_map_id map = 0;

	route(&r, prefix, RT_TABLE_MAIN, 0);
	assert_int_equal(dp_lpm_key(r.family, r.dst, r.dst_len, &k, &map), 0);
	fmap_put(map, &k, &rt);
}

static void seed_nhg(uint32_t id, uint32_t ifindex, const char *gw)
{
	struct sluice_nhg g = { .count = 1 };

	g.nh[0].ifindex = ifindex;
	g.nh[0].family = AF_INET;
	pton(gw, g.nh[0].gw);
	fmap_put(DP_MAP_NHGS, &id, &g);
}

static void seed_neigh(uint32_t ifindex, const char *addr, uint8_t mac_last)
{
	struct sluice_neigh_key k = { .ifindex = ifindex, .family = AF_INET };
	struct sluice_neigh v = { .mac = { 0x02, 0xaa, 0, 0, 0, mac_last } };

	pton(addr, k.addr);
	fmap_put(DP_MAP_NEIGHBORS, &k, &v);
}

static bool map_has_neigh(uint32_t ifindex, const char *addr)
{
	struct sluice_neigh_key k = { .ifindex = ifindex, .family = AF_INET };

	pton(addr, k.addr);
	return fmap_get(DP_MAP_NEIGHBORS, &k) != NULL;
}

/* The kernel as the dump reports it after the restart. */
static void replay_dump(void)
{
	link_up(ETH0, "eth0");
	link_up(ETH1, "eth1");
	neigh(ETH0, "10.0.0.1", 0x01, NUD_REACHABLE, false);
	add_via("198.18.2.0/24", 0, ETH0, "10.0.0.1");
	add_via("198.18.3.0/24", 0, ETH1, "10.0.1.1");
}

static void test_reconcile_after_restart(void **state)
{
	uint32_t kept_group, new_group, stale_port = 9, one = 9;
	struct sluice_iface stale_if = { .slot = 5 };

	(void)state;
	/* what the previous run left pinned */
	seed_nhg(7, ETH0, "10.0.0.1");
	seed_nhg(8, ETH1, "10.0.1.9");	/* its route is gone */
	seed_nhg(11, ETH0, "10.0.0.1"); /* a duplicate of 7 */
	seed_route("198.18.2.0/24", SLUICE_RT_FORWARD, 7);
	seed_route("198.18.9.0/24", SLUICE_RT_FORWARD, 8);
	seed_route("198.18.8.0/24", SLUICE_RT_KERNEL, 0);
	seed_neigh(ETH0, "10.0.0.1", 0x01);
	seed_neigh(ETH0, "10.0.0.99", 0x63);
	fmap_put(DP_MAP_IFACES, &stale_port, &stale_if);
	fmap_put(DP_MAP_TX_PORTS, &stale_port, &one);

	assert_int_equal(state_seed_from_maps(&st), 0);
	assert_int_equal(HASH_CNT(hh, st.nhgs), 2);
	replay_dump();
	assert_int_equal(state_reconcile(&st), 0);

	/* the group the kernel's route still matches is reused, not
	 * rewritten; the new route got an id no pinned group holds */
	kept_group = map_route("198.18.2.0/24")->nhg_id;
	assert_int_equal(kept_group, 7);
	assert_int_equal(fake.sets[DP_MAP_NHGS], 1);
	new_group = map_route("198.18.3.0/24")->nhg_id;
	assert_true(new_group != 7 && new_group != 8 && new_group != 11);
	/* the route entries are written once, with the value they already
	 * had: a restart does not learn routes from the maps, only groups */
	assert_int_equal(fake.sets[DP_MAP_ROUTES_V4], 2);
	assert_string_equal(map_text("198.18.2.0/24"), "forward 2/10.0.0.1");
	assert_string_equal(map_text("198.18.3.0/24"), "forward 3/10.0.1.1");
	assert_true(map_has_neigh(ETH0, "10.0.0.1"));

	/* what the kernel no longer has is gone */
	assert_string_equal(map_text("198.18.9.0/24"), "none");
	assert_string_equal(map_text("198.18.8.0/24"), "none");
	assert_null(map_nhg(8));
	assert_null(map_nhg(11));
	assert_false(map_has_neigh(ETH0, "10.0.0.99"));
	assert_null(fmap_get(DP_MAP_IFACES, &stale_port));
	assert_null(fmap_get(DP_MAP_TX_PORTS, &stale_port));
	assert_int_equal(fmap_count(DP_MAP_ROUTES_V4), 2);
	assert_int_equal(fmap_count(DP_MAP_NHGS), 2);
	assert_int_equal(fmap_count(DP_MAP_NEIGHBORS), 1);
	assert_int_equal(fmap_count(DP_MAP_IFACES), 2);
	assert_groups_consistent();

	/* events were lost: everything is re-read; what did not change is
	 * not written again (routes and groups), nothing is removed */
	fake_counts_reset();
	state_forget_kernel(&st);
	replay_dump();
	assert_int_equal(state_reconcile(&st), 0);
	assert_int_equal(fake.sets[DP_MAP_ROUTES_V4], 0);
	assert_int_equal(fake.sets[DP_MAP_NHGS], 0);
	for (int i = 0; i < FAKE_MAPS; i++)
		assert_int_equal(fake.dels[i], 0);
	assert_groups_consistent();

	/* a link flapped: routes re-read; one the kernel dropped goes */
	fake_counts_reset();
	state_forget_routes(&st);
	add_via("198.18.2.0/24", 0, ETH0, "10.0.0.1");
	assert_int_equal(state_reconcile(&st), 0);
	assert_int_equal(fake.sets[DP_MAP_ROUTES_V4], 0);
	assert_string_equal(map_text("198.18.2.0/24"), "forward 2/10.0.0.1");
	assert_string_equal(map_text("198.18.3.0/24"), "none");
	assert_int_equal(fmap_count(DP_MAP_NHGS), 1);
	assert_groups_consistent();
}

/* ---- resync after lost events -------------------------------------------------- */

static void test_resync_coalesced(void **state)
{
	struct resync r = {};

	(void)state;
	assert_false(resync_pending(&r));
	assert_int_equal(resync_take(&r), RESYNC_NONE);
	/* overruns while one is pending (or running: the event loop reads
	 * the socket only between two) make one, not many */
	resync_request(&r, RESYNC_FULL);
	resync_request(&r, RESYNC_FULL);
	resync_request(&r, RESYNC_ROUTES);
	resync_request(&r, RESYNC_NONE);
	assert_true(resync_pending(&r));
	assert_int_equal(resync_take(&r), RESYNC_FULL);
	assert_false(resync_pending(&r));
	assert_int_equal(resync_take(&r), RESYNC_NONE);
	assert_int_equal(r.requests, 3);
	assert_int_equal(r.coalesced, 2);
	/* a full one absorbs a routes-only one asked for first */
	resync_request(&r, RESYNC_ROUTES);
	resync_request(&r, RESYNC_FULL);
	assert_int_equal(resync_take(&r), RESYNC_FULL);
	resync_request(&r, RESYNC_ROUTES);
	assert_int_equal(resync_take(&r), RESYNC_ROUTES);
	assert_int_equal(r.coalesced, 3);
}

static void test_resync_done_one_pass(void **state)
{
	(void)state;
	add_via("198.18.2.0/24", 0, ETH0, "10.0.0.1");
	add_via("198.18.3.0/24", 0, ETH1, "10.0.1.1");
	add_via("198.18.4.0/24", 0, ETH1, "10.0.1.1");
	add_via("198.18.5.0/24", 0, ETH0, "10.0.0.1");
	assert_int_equal(fmap_count(DP_MAP_ROUTES_V4), 4);

	/* events were lost (a flush): the dump reports two of the four */
	fake_counts_reset();
	state_forget_kernel(&st);
	link_up(ETH0, "eth0");
	link_up(ETH1, "eth1");
	add_via("198.18.2.0/24", 0, ETH0, "10.0.0.1");
	add_via("198.18.4.0/24", 0, ETH1, "10.0.1.1");
	assert_int_equal(state_resync_done(&st), 0);

	/* the gone ones removed by the daemon's own record, through the
	 * typed delete; the route maps are not walked; the kept ones are
	 * not rewritten */
	assert_int_equal(fake.walks[DP_MAP_ROUTES_V4], 0);
	assert_int_equal(fake.walks[DP_MAP_ROUTES_V6], 0);
	assert_int_equal(fake.raw_dels[DP_MAP_ROUTES_V4], 0);
	assert_int_equal(fake.dels[DP_MAP_ROUTES_V4], 2);
	assert_int_equal(fake.sets[DP_MAP_ROUTES_V4], 0);
	assert_string_equal(map_text("198.18.2.0/24"), "forward 2/10.0.0.1");
	assert_string_equal(map_text("198.18.4.0/24"), "forward 3/10.0.1.1");
	assert_string_equal(map_text("198.18.3.0/24"), "none");
	assert_string_equal(map_text("198.18.5.0/24"), "none");
	assert_int_equal(st.routes_programmed[0], 2);
	assert_int_equal(HASH_CNT(hh, st.prefixes), 2);
	assert_groups_consistent();

	/* everything gone (the flush finished during the dump) */
	fake_counts_reset();
	state_forget_routes(&st);
	assert_int_equal(state_resync_done(&st), 0);
	assert_int_equal(fmap_count(DP_MAP_ROUTES_V4), 0);
	assert_int_equal(fmap_count(DP_MAP_NHGS), 0);
	assert_int_equal(st.routes_programmed[0], 0);
	assert_int_equal(HASH_CNT(hh, st.prefixes), 0);
	assert_groups_consistent();

	/* the events queued during the dump still apply after it */
	add_via("198.18.6.0/24", 0, ETH0, "10.0.0.1");
	assert_string_equal(map_text("198.18.6.0/24"), "forward 2/10.0.0.1");
	del_via("198.18.6.0/24", 0, ETH0, "10.0.0.1");
	assert_string_equal(map_text("198.18.6.0/24"), "none");
	assert_groups_consistent();
}

/* Start-up: stale entries go through the typed deletes, so lib/dp also
 * drops them from the compiled forwarding table it replayed them into. */
static void test_reconcile_stale_typed(void **state)
{
	(void)state;
	seed_nhg(8, ETH1, "10.0.1.9");
	seed_route("198.18.9.0/24", SLUICE_RT_FORWARD, 8);
	seed_neigh(ETH0, "10.0.0.99", 0x63);
	assert_int_equal(state_seed_from_maps(&st), 0);
	replay_dump();
	fake_counts_reset();
	assert_int_equal(state_reconcile(&st), 0);
	assert_int_equal(fake.walks[DP_MAP_ROUTES_V4], 1);
	assert_string_equal(map_text("198.18.9.0/24"), "none");
	assert_null(map_nhg(8));
	assert_false(map_has_neigh(ETH0, "10.0.0.99"));
	for (int i = 0; i < FAKE_MAPS; i++)
		assert_int_equal(fake.raw_dels[i], 0);
	assert_groups_consistent();
}

static void test_reconcile_local_addrs(void **state)
{
	struct sluice_addr_key k;
	uint8_t a[16];
	__u32 one = 1;

	(void)state;
	fake.role = DP_ROLE_BACKEND;
	pton("10.0.0.77", a);
	addr_key(AF_INET, a, &k);
	fmap_put(FAKE_LOCAL, &k, &one); /* left by the last run */

	local_addr("10.0.0.1", ETH0, false);
	pton("10.0.0.1", a);
	addr_key(AF_INET, a, &k);
	assert_non_null(fmap_get(FAKE_LOCAL, &k));
	assert_int_equal(state_reconcile(&st), 0);
	assert_non_null(fmap_get(FAKE_LOCAL, &k));
	assert_int_equal(fmap_count(FAKE_LOCAL), 1);
	local_addr("10.0.0.1", ETH0, true);
	assert_int_equal(fmap_count(FAKE_LOCAL), 0);
}

/* ---- neighbours ---------------------------------------------------------------- */

static void test_neighbours(void **state)
{
	(void)state;
	neigh(ETH0, "10.0.0.1", 0x01, NUD_REACHABLE, false);
	assert_true(map_has_neigh(ETH0, "10.0.0.1"));
	/* still usable, same MAC: not rewritten */
	neigh(ETH0, "10.0.0.1", 0x01, NUD_STALE, false);
	neigh(ETH0, "10.0.0.1", 0x01, NUD_DELAY, false);
	neigh(ETH0, "10.0.0.1", 0x01, NUD_PROBE, false);
	assert_int_equal(fake.sets[DP_MAP_NEIGHBORS], 1);
	/* a new MAC is */
	neigh(ETH0, "10.0.0.1", 0x11, NUD_REACHABLE, false);
	assert_int_equal(fake.sets[DP_MAP_NEIGHBORS], 2);
	/* failed: gone from the map */
	neigh(ETH0, "10.0.0.1", 0x11, NUD_FAILED, false);
	assert_false(map_has_neigh(ETH0, "10.0.0.1"));
	/* incomplete (no MAC yet): not written */
	neigh(ETH0, "10.0.0.2", 0, NUD_INCOMPLETE, false);
	assert_false(map_has_neigh(ETH0, "10.0.0.2"));
	neigh(ETH0, "10.0.0.2", 0x02, NUD_PERMANENT, false);
	neigh(ETH0, "10.0.0.3", 0x03, NUD_NOARP, false);
	neigh(ETH1, "10.0.1.1", 0x04, NUD_REACHABLE, false);
	assert_int_equal(fmap_count(DP_MAP_NEIGHBORS), 3);
	neigh(ETH0, "10.0.0.3", 0x03, NUD_NOARP, true);
	assert_false(map_has_neigh(ETH0, "10.0.0.3"));
	/* a write that fails leaves it out */
	fake.fail[DP_MAP_NEIGHBORS] = 1;
	neigh(ETH1, "10.0.1.2", 0x05, NUD_REACHABLE, false);
	assert_false(map_has_neigh(ETH1, "10.0.1.2"));
	assert_int_equal(st.neigh_errors, 1);
	/* the link goes: its neighbours with it */
	link_gone(ETH0, "eth0");
	assert_true(map_has_neigh(ETH1, "10.0.1.1"));
	/* and the one the failed write left out gets the room they left */
	assert_true(map_has_neigh(ETH1, "10.0.1.2"));
	assert_int_equal(fmap_count(DP_MAP_NEIGHBORS), 2);
	assert_null(fmap_get(DP_MAP_IFACES, &(__u32){ ETH0 }));
	assert_null(fmap_get(DP_MAP_TX_PORTS, &(__u32){ ETH0 }));
	assert_int_equal(fake.detached, 1);
}

/* A neighbour the full map refused is programmed when one is deleted,
 * and when a link's go: a permanent one would never be retried else. */
static void test_neighbours_refused_then_room(void **state)
{
	char a[32];

	(void)state;
	for (int i = 0; i < FAKE_ENTRIES; i++) {
		snprintf(a, sizeof(a), "10.0.0.%d", i + 1);
		neigh(ETH0, a, (uint8_t)(i + 1), NUD_PERMANENT, false);
	}
	assert_int_equal(fmap_count(DP_MAP_NEIGHBORS), FAKE_ENTRIES);
	neigh(ETH1, "10.0.1.1", 0x41, NUD_PERMANENT, false);
	neigh(ETH1, "10.0.1.2", 0x42, NUD_PERMANENT, false);
	assert_false(map_has_neigh(ETH1, "10.0.1.1"));
	assert_false(map_has_neigh(ETH1, "10.0.1.2"));
	assert_int_equal(st.neigh_errors, 2);
	/* one deleted: one of the two refused takes its place */
	neigh(ETH0, "10.0.0.1", 1, NUD_PERMANENT, true);
	assert_int_equal(fmap_count(DP_MAP_NEIGHBORS), FAKE_ENTRIES);
	assert_true(map_has_neigh(ETH1, "10.0.1.1") ^
		    map_has_neigh(ETH1, "10.0.1.2"));
	/* eth0's link goes: the other one too, with room to spare */
	link_gone(ETH0, "eth0");
	assert_true(map_has_neigh(ETH1, "10.0.1.1"));
	assert_true(map_has_neigh(ETH1, "10.0.1.2"));
	assert_int_equal(fmap_count(DP_MAP_NEIGHBORS), 2);
}

/* ---- interface addresses ---------------------------------------------------- */

static const struct sluice_iface *map_iface(uint32_t ifindex)
{
	const struct sluice_iface *v = fmap_get(DP_MAP_IFACES, &ifindex);

	assert_non_null(v);
	return v;
}

static void assert_iface_addrs(uint32_t ifindex, const char *a4, const char *a6)
{
	const struct sluice_iface *v = map_iface(ifindex);
	uint8_t want4[16] = {}, want6[16] = {};

	if (a4)
		pton(a4, want4);
	if (a6)
		pton(a6, want6);
	assert_memory_equal(v->addr4, want4, 4);
	assert_memory_equal(v->addr6, want6, 16);
}

static void test_iface_addrs(void **state)
{
	(void)state;
	assert_iface_addrs(ETH0, NULL, NULL);
	local_addr("10.0.0.1", ETH0, false);
	local_addr("10.0.0.2", ETH0, false);
	assert_iface_addrs(ETH0, "10.0.0.1", NULL);
	/* link-local is no tunnel source */
	local_addr("fe80::1", ETH0, false);
	assert_iface_addrs(ETH0, "10.0.0.1", NULL);
	local_addr("2001:db8::1", ETH0, false);
	local_addr("2001:db8::2", ETH0, false);
	assert_iface_addrs(ETH0, "10.0.0.1", "2001:db8::1");
	/* the other port has its own */
	local_addr("10.0.1.1", ETH1, false);
	assert_iface_addrs(ETH1, "10.0.1.1", NULL);
	assert_iface_addrs(ETH0, "10.0.0.1", "2001:db8::1");

	/* removal promotes the next, in the kernel's order */
	local_addr("10.0.0.1", ETH0, true);
	local_addr("2001:db8::1", ETH0, true);
	assert_iface_addrs(ETH0, "10.0.0.2", "2001:db8::2");
	local_addr("10.0.0.2", ETH0, true);
	local_addr("2001:db8::2", ETH0, true);
	assert_iface_addrs(ETH0, NULL, NULL);
	/* the address routes themselves are "local" in the LPM map */
	assert_string_equal(map_text("10.0.1.1/32"), "local");
	assert_string_equal(map_text("10.0.0.1/32"), "none");
}

/* ---- map writes that fail ----------------------------------------------------- */

static void test_group_write_fails(void **state)
{
	(void)state;
	/* a group that cannot be written: the kernel carries the route */
	fake.fail[DP_MAP_NHGS] = 1;
	add_via("198.18.2.0/24", 0, ETH0, "10.0.0.1");
	assert_string_equal(map_text("198.18.2.0/24"), "kernel");
	assert_int_equal(st.route_errors, 1);
	assert_groups_consistent();
	/* the next event for it takes it over */
	add_via("198.18.2.0/24", 0, ETH0, "10.0.0.1");
	assert_string_equal(map_text("198.18.2.0/24"), "forward 2/10.0.0.1");
	assert_groups_consistent();
}

static void test_route_write_fails_keeps_shown_route(void **state)
{
	(void)state;
	add_via("198.18.2.0/24", 100, ETH0, "10.0.0.1");
	assert_string_equal(shown_text("198.18.2.0/24"),
			    "metric 100 2/10.0.0.1");

	/* a better route whose LPM write fails: the map keeps the old next
	 * hops, and so must what the API shows */
	fake.fail[DP_MAP_ROUTES_V4] = 1;
	add_via("198.18.2.0/24", 50, ETH1, "10.0.1.1");
	assert_int_equal(st.route_errors, 1);
	assert_string_equal(map_text("198.18.2.0/24"), "forward 2/10.0.0.1");
	assert_string_equal(shown_text("198.18.2.0/24"),
			    "metric 100 2/10.0.0.1");
	/* the group written for it was let go */
	assert_groups_consistent();
	assert_int_equal(fmap_count(DP_MAP_NHGS), 1);

	/* the next event for the prefix programs it */
	add_via("198.18.2.0/24", 50, ETH1, "10.0.1.1");
	assert_string_equal(map_text("198.18.2.0/24"), "forward 3/10.0.1.1");
	assert_string_equal(shown_text("198.18.2.0/24"),
			    "metric 50 3/10.0.1.1");
	assert_groups_consistent();

	/* the same when the best one goes and the write of the next fails:
	 * nothing is shown that the map does not hold */
	fake.fail[DP_MAP_ROUTES_V4] = 1;
	del_via("198.18.2.0/24", 50, ETH1, "10.0.1.1");
	assert_string_equal(map_text("198.18.2.0/24"), "forward 3/10.0.1.1");
	assert_string_equal(shown_text("198.18.2.0/24"), "none");
	assert_groups_consistent();

	/* a first write that fails: nothing programmed, nothing shown */
	fake.fail[DP_MAP_ROUTES_V4] = 1;
	add_via("198.18.3.0/24", 0, ETH0, "10.0.0.3");
	assert_string_equal(map_text("198.18.3.0/24"), "none");
	assert_string_equal(shown_text("198.18.3.0/24"), "none");
	assert_groups_consistent();
}

/* ---- shutdown ------------------------------------------------------------------ */

/* A route a full table refused is programmed once a deleted route made
 * room, without the kernel announcing it again. */
static void test_refused_route_retried(void **state)
{
	(void)state;
	fake.fail[DP_MAP_ROUTES_V4] = 1;
	add_via("198.18.3.0/24", 0, ETH0, "10.0.0.3");
	assert_string_equal(map_text("198.18.3.0/24"), "none");
	assert_int_equal(st.route_errors, 1);
	assert_int_equal(st.n_refused, 1);
	/* nothing deleted: nothing to retry */
	state_retry_refused(&st);
	assert_string_equal(map_text("198.18.3.0/24"), "none");

	/* a deletion, and the retry fails again: no new error */
	add_via("198.18.4.0/24", 0, ETH0, "10.0.0.4");
	del_via("198.18.4.0/24", 0, ETH0, "10.0.0.4");
	fake.fail[DP_MAP_ROUTES_V4] = 1;
	state_retry_refused(&st);
	assert_string_equal(map_text("198.18.3.0/24"), "none");
	assert_int_equal(st.route_errors, 1);
	assert_int_equal(st.n_refused, 1);
	assert_groups_consistent();

	/* the next deletion makes room: programmed and shown */
	add_via("198.18.4.0/24", 0, ETH0, "10.0.0.4");
	del_via("198.18.4.0/24", 0, ETH0, "10.0.0.4");
	state_retry_refused(&st);
	assert_string_equal(map_text("198.18.3.0/24"), "forward 2/10.0.0.3");
	assert_string_equal(shown_text("198.18.3.0/24"), "metric 0 2/10.0.0.3");
	assert_int_equal(st.n_refused, 0);
	assert_int_equal(st.route_errors, 1);
	assert_groups_consistent();
}

static void test_shutdown(void **state)
{
	(void)state;
	state_shutdown(&st, true);
	assert_int_equal(fake.detached, 2);
	assert_false(fake.unpinned);
	state_shutdown(&st, false);
	assert_int_equal(fake.detached, 4);
	assert_true(fake.unpinned);
}

/* ---- TC ports -------------------------------------------------------------------- */

#define VETH1 4

/* eth0 is XDP, veth1 TC: the TC port is managed like an XDP one (slot
 * after the XDP ones, ifaces and tx_ports entries, VLANs) with the TC
 * program attached and detached instead. */
static void test_tc_port(void **state)
{
	static char veth1_name[] = "veth1";
	const struct sluice_iface *v;
	struct st_iface *ifc;

	(void)state;
	cfg.tc_ifaces[0] = veth1_name;
	cfg.n_tc_ifaces = 1;
	state_free(&st);
	assert_int_equal(state_init(&st, &fake, &fake_ops, &cfg), 0);
	assert_int_equal(st.n_ifaces, 3);
	assert_string_equal(st.ifaces[2].name, "veth1");
	assert_int_equal(st.ifaces[2].slot, 3);
	assert_true(st.ifaces[2].tc && st.ifaces[2].configured);
	assert_false(st.ifaces[0].tc);

	link_up(ETH0, "eth0");
	link_up(VETH1, "veth1");
	assert_int_equal(fake.attached, 1);
	assert_int_equal(fake.tc_attached, 1);
	ifc = state_iface_by_ifindex(&st, VETH1);
	assert_non_null(ifc);
	assert_int_equal(ifc->state, IF_ATTACHED);
	assert_string_equal(iface_mode_name(ifc), "tc");
	assert_string_equal(iface_mode_name(&st.ifaces[0]), "native");
	assert_string_equal(iface_mode_name(&st.ifaces[1]), "none");
	v = fmap_get(DP_MAP_IFACES, &(__u32){ VETH1 });
	assert_non_null(v);
	assert_int_equal(v->slot, 3);
	/* XDP ports redirect to it through the devmap */
	assert_non_null(fmap_get(DP_MAP_TX_PORTS, &(__u32){ VETH1 }));
	/* an update of the link does not attach again */
	link_up(VETH1, "veth1");
	assert_int_equal(fake.tc_attached, 1);

	/* VLANs on it are handled as on any configured port */
	{
		struct nl_link l = {
			.ifindex = 10,
			.has_mac = true,
			.mtu = 1500,
			.flags = IFF_UP | IFF_LOWER_UP,
			.is_vlan = true,
			.vlan_8021q = true,
			.parent = VETH1,
			.vlan_id = 7,
		};

		snprintf(l.name, sizeof(l.name), "veth1.7");
		state_link_event(&st, &l, false);
	}
	assert_non_null(fmap_get(DP_MAP_VLANS, &(struct sluice_vlan_key){
						       .parent_ifindex = VETH1,
						       .vlan_id = 7 }));

	/* it disappears: TC detached, entries gone; it returns: attached */
	link_gone(VETH1, "veth1");
	assert_int_equal(fake.tc_detached, 1);
	assert_int_equal(fake.detached, 0);
	assert_null(fmap_get(DP_MAP_IFACES, &(__u32){ VETH1 }));
	assert_null(fmap_get(DP_MAP_TX_PORTS, &(__u32){ VETH1 }));
	link_up(VETH1 + 10, "veth1");
	assert_int_equal(fake.tc_attached, 2);
	assert_non_null(fmap_get(DP_MAP_TX_PORTS, &(__u32){ VETH1 + 10 }));

	/* kept on exit, then a normal stop: the TC op each time */
	state_shutdown(&st, true);
	assert_int_equal(fake.tc_detached, 2);
	assert_int_equal(fake.tc_kept, 1);
	assert_int_equal(fake.detached, 1);
	state_shutdown(&st, false);
	assert_int_equal(fake.tc_detached, 3);
	assert_int_equal(fake.tc_kept, 1);
	assert_true(fake.unpinned);
	cfg.n_tc_ifaces = 0;
}

/* The TC program cannot be attached: the port is in error, and nothing
 * in the maps points at it. */
static void test_tc_attach_fails(void **state)
{
	static char veth1_name[] = "veth1";
	struct st_iface *ifc;

	(void)state;
	cfg.tc_ifaces[0] = veth1_name;
	cfg.n_tc_ifaces = 1;
	state_free(&st);
	assert_int_equal(state_init(&st, &fake, &fake_ops, &cfg), 0);
	fake.tc_fail = 1;
	link_up(VETH1, "veth1");
	ifc = &st.ifaces[2];
	assert_int_equal(ifc->state, IF_ERROR);
	assert_non_null(strstr(ifc->error, "attach:"));
	assert_string_equal(iface_mode_name(ifc), "none");
	assert_null(fmap_get(DP_MAP_TX_PORTS, &(__u32){ VETH1 }));
	assert_null(fmap_get(DP_MAP_IFACES, &(__u32){ VETH1 }));
	cfg.n_tc_ifaces = 0;
}

/* ---- the neighbour probe's hooks ------------------------------------------ */

static int probe_sent[NP_REQ_COUNT];

static uint64_t probe_now(void *ctx)
{
	(void)ctx;
	return 1;
}

static int probe_send(void *ctx, enum neigh_probe_req req,
		      const struct sluice_neigh_key *k)
{
	(void)ctx;
	(void)k;
	probe_sent[req]++;
	return 0;
}

static bool probe_is_port(void *ctx, uint32_t ifindex)
{
	return state_iface_by_ifindex(ctx, ifindex) != NULL;
}

/* A gateway is probed while a programmed route uses it, once however many
 * routes share it; on-link routes and resolved gateways are not. */
static void test_probe_hooks(void **state)
{
	static const struct neigh_probe_ops ops = {
		.now_ms = probe_now,
		.send = probe_send,
		.is_port = probe_is_port,
	};

	(void)state;
	memset(probe_sent, 0, sizeof(probe_sent));
	assert_int_equal(neigh_probe_new(&st.probe, &ops, &st), 0);
	neigh(ETH0, "198.18.2.3", 3, NUD_REACHABLE, false);
	add_via("198.18.10.0/24", 0, ETH0, "198.18.2.2");
	add_via("198.18.11.0/24", 0, ETH0, "198.18.2.2");
	add_via("198.18.12.0/24", 0, ETH0, "198.18.2.3");
	add_via("198.18.2.0/24", 0, ETH0, NULL);
	neigh_probe_run(st.probe);
	assert_int_equal(probe_sent[NP_REQ_CREATE], 1);
	del_via("198.18.10.0/24", 0, ETH0, "198.18.2.2");
	neigh_probe_run(st.probe);
	assert_int_equal(probe_sent[NP_REQ_DELETE], 0); /* .11 uses it */
	del_via("198.18.11.0/24", 0, ETH0, "198.18.2.2");
	neigh_probe_run(st.probe);
	assert_int_equal(probe_sent[NP_REQ_DELETE], 1);
	neigh_probe_free(st.probe, true);
	st.probe = NULL;
	assert_int_equal(probe_sent[NP_REQ_DELETE], 1);
	assert_int_equal(probe_sent[NP_REQ_CREATE], 1);
	assert_int_equal(probe_sent[NP_REQ_USE], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe_hooks, setup_links,
						teardown),
		cmocka_unit_test_setup_teardown(test_lowest_metric_wins,
						setup_links, teardown),
		cmocka_unit_test_setup_teardown(test_local_table_wins,
						setup_links, teardown),
		cmocka_unit_test_setup_teardown(test_left_to_the_kernel,
						setup_links, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_multipath_in_pieces,
						setup_links, teardown),
		cmocka_unit_test_setup_teardown(test_nexthop_objects,
						setup_links, teardown),
		cmocka_unit_test_setup_teardown(
			test_nexthop_object_unknown_or_blackhole, setup_links,
			teardown),
		cmocka_unit_test_setup_teardown(test_groups_shared_and_freed,
						setup_links, teardown),
		cmocka_unit_test_setup_teardown(test_reconcile_after_restart,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_resync_coalesced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resync_done_one_pass,
						setup_links, teardown),
		cmocka_unit_test_setup_teardown(test_reconcile_stale_typed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconcile_local_addrs,
						setup_links, teardown),
		cmocka_unit_test_setup_teardown(test_neighbours, setup_links,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_neighbours_refused_then_room, setup_links,
			teardown),
		cmocka_unit_test_setup_teardown(test_iface_addrs, setup_links,
						teardown),
		cmocka_unit_test_setup_teardown(test_group_write_fails,
						setup_links, teardown),
		cmocka_unit_test_setup_teardown(
			test_route_write_fails_keeps_shown_route, setup_links,
			teardown),
		cmocka_unit_test_setup_teardown(test_tc_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tc_attach_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refused_route_retried,
						setup_links, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown, setup_links,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
