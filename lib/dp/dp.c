// SPDX-License-Identifier: BSD-2-Clause
/*
 * The only user-space file that includes the skeleton.  Everything that
 * touches the XDP object goes through here.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "log.h"
#include "layout.h"
#include "sluice_decap.skel.h"
#include "sluice_tc.skel.h"
#include "sluice_xdp.skel.h"

struct dp_link {
	char ifname[32];
	int ifindex;
	int fd;
};

struct dp {
	struct sluice_xdp *skel;
	struct sluice_decap *decap;	/* backend role only */
	struct sluice_tc *tc;		/* when dp_opts.load_tc */
	enum dp_role role;
	char *pin_dir;
	bool maps_reused;
	int ncpus;
	struct dp_link links[SLUICE_MAX_IFACES];
};

static const char *const map_names[DP_MAP_COUNT] = {
	[DP_MAP_ROUTES_V4] = "routes_v4", [DP_MAP_ROUTES_V6] = "routes_v6",
	[DP_MAP_NHGS] = "nhgs",		  [DP_MAP_NEIGHBORS] = "neighbors",
	[DP_MAP_IFACES] = "ifaces",	  [DP_MAP_VLANS] = "vlans",
	[DP_MAP_TX_PORTS] = "tx_ports",	  [DP_MAP_STATS] = "stats",
	[DP_MAP_LB_VIPS] = "lb_vips",	  [DP_MAP_LB_BACKENDS] = "lb_backends",
	[DP_MAP_LB_FLOWS] = "lb_flows",
};

const char *dp_map_name(enum dp_map_id id)
{
	return id < DP_MAP_COUNT ? map_names[id] : "unknown";
}

static struct bpf_map *dp_map(const struct dp *dp, enum dp_map_id id)
{
	switch (id) {
	case DP_MAP_ROUTES_V4: return dp->skel->maps.routes_v4;
	case DP_MAP_ROUTES_V6: return dp->skel->maps.routes_v6;
	case DP_MAP_NHGS: return dp->skel->maps.nhgs;
	case DP_MAP_NEIGHBORS: return dp->skel->maps.neighbors;
	case DP_MAP_IFACES: return dp->skel->maps.ifaces;
	case DP_MAP_VLANS: return dp->skel->maps.vlans;
	case DP_MAP_TX_PORTS: return dp->skel->maps.tx_ports;
	case DP_MAP_STATS: return dp->skel->maps.stats;
	case DP_MAP_LB_VIPS: return dp->skel->maps.lb_vips;
	case DP_MAP_LB_BACKENDS: return dp->skel->maps.lb_backends;
	case DP_MAP_LB_FLOWS: return dp->skel->maps.lb_flows;
	default: return NULL;
	}
}

int dp_map_fd(const struct dp *dp, enum dp_map_id id)
{
	struct bpf_map *m = dp_map(dp, id);

	return m ? bpf_map__fd(m) : -EINVAL;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Adopt, rebuild or refuse what is pinned (layout.c), load, then record. */
static int load_pinned(struct bpf_object *obj, const char *dir, bool *reused,
		       int (*load)(void *skel), void *skel)
{
	struct dp_layout_plan *plan = NULL;
	int err;

	if (dir) {
		err = dp_layout_prepare(obj, dir, &plan, reused);
		if (err)
			return err;
	}
	err = load(skel);
	if (plan) {
		if (err)
			dp_layout_abort(plan);
		else
			err = dp_layout_commit(plan, obj);
		dp_layout_free(plan);
	}
	return err;
}

static int load_xdp(void *skel)
{
	return sluice_xdp__load(skel);
}

static int load_decap(void *skel)
{
	return sluice_decap__load(skel);
}

/* Every map of @obj that the XDP object also has is the XDP object's
 * (stats, ports, routes): the programs share them, pinned or not. */
static int share_maps(struct dp *dp, struct bpf_object *obj)
{
	struct bpf_map *map, *same;
	int err;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue;
		same = bpf_object__find_map_by_name(dp->skel->obj,
						    bpf_map__name(map));
		if (!same)
			continue;
		err = bpf_map__reuse_fd(map, bpf_map__fd(same));
		if (err)
			return err;
	}
	return 0;
}

/* The TC object runs the router's stages over the XDP object's maps. */
static int open_tc(struct dp *dp)
{
	int err;

	dp->tc = sluice_tc__open();
	if (!dp->tc)
		return -errno;
	err = share_maps(dp, dp->tc->obj);
	if (err)
		return err;
	err = sluice_tc__load(dp->tc);
	if (err)
		pr_err("dp: cannot load the TC object: %s", strerror(-err));
	return err;
}

static int open_decap(struct dp *dp)
{
	bool reused = false;
	int err;

	dp->decap = sluice_decap__open();
	if (!dp->decap)
		return -errno;
	err = share_maps(dp, dp->decap->obj);
	if (err)
		return err;
	err = load_pinned(dp->decap->obj, dp->pin_dir, &reused, load_decap,
			  dp->decap);
	if (err)
		pr_err("dp: cannot load the decapsulation object: %s",
		       strerror(-err));
	return err;
}

static int vip_count_sync(struct dp *dp);

int dp_open(struct dp **out, const struct dp_opts *opts)
{
	char path[PATH_MAX];
	struct dp *dp;
	int err;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	for (int i = 0; i < SLUICE_MAX_IFACES; i++)
		dp->links[i].fd = -1;
	dp->ncpus = libbpf_num_possible_cpus();
	if (dp->ncpus <= 0) {
		err = dp->ncpus ? dp->ncpus : -EINVAL;
		goto err_free;
	}

	dp->skel = sluice_xdp__open();
	if (!dp->skel) {
		err = -errno;
		pr_err("dp: cannot open the XDP object: %s", strerror(-err));
		goto err_free;
	}

	if (opts && opts->pin_dir) {
		dp->pin_dir = strdup(opts->pin_dir);
		if (!dp->pin_dir) {
			err = -ENOMEM;
			goto err_skel;
		}
		err = mkdir_p(dp->pin_dir);
		if (err) {
			pr_err("dp: cannot create pin dir %s: %s", dp->pin_dir,
			       strerror(-err));
			goto err_skel;
		}
	}
	dp->role = opts ? opts->role : DP_ROLE_ROUTER;
	if (dp->role == DP_ROLE_BACKEND && !(opts && opts->lb_max_flows)) {
		/* a backend's router maps are idle: keep the LRU small */
		err = bpf_map__set_max_entries(dp->skel->maps.lb_flows, 1024);
		if (err)
			goto err_skel;
	}

	if (opts && opts->lb_max_flows) {
		err = bpf_map__set_max_entries(dp->skel->maps.lb_flows,
					       opts->lb_max_flows);
		if (err)
			goto err_skel;
	}
	if (opts && opts->lb_disabled)
		dp->skel->rodata->cfg_lb_enabled = 0;
	err = load_pinned(dp->skel->obj, dp->pin_dir, &dp->maps_reused,
			  load_xdp, dp->skel);
	if (err == -EPROTO)	/* layout.c said which map and why */
		goto err_skel;
	if (!err && dp->pin_dir) {
		/* the devmap is pinned by hand, see reuse_devmap() */
		snprintf(path, sizeof(path), "%s/%s", dp->pin_dir,
			 bpf_map__name(dp->skel->maps.tx_ports));
		if (access(path, F_OK))
			err = bpf_map__pin(dp->skel->maps.tx_ports, path);
	}
	if (err) {
		pr_err("dp: cannot load the XDP object: %s%s", strerror(-err),
		       dp->maps_reused ? " (pinned maps from an incompatible "
					 "version? remove the pin dir)" :
					 "");
		goto err_skel;
	}
	/* pinned VIPs from an earlier run: count them (the count map is new
	 * to older pin dirs, or may be high after a crash) */
	err = vip_count_sync(dp);
	if (err)
		goto err_skel;
	if (dp->role == DP_ROLE_BACKEND) {
		err = open_decap(dp);
		if (err)
			goto err_skel;
	}
	if (opts && opts->load_tc) {
		err = open_tc(dp);
		if (err)
			goto err_skel;
	}
	*out = dp;
	return 0;

err_skel:
	sluice_tc__destroy(dp->tc);
	sluice_decap__destroy(dp->decap);
	sluice_xdp__destroy(dp->skel);
err_free:
	free(dp->pin_dir);
	free(dp);
	return err;
}

void dp_close(struct dp *dp)
{
	if (!dp)
		return;
	for (int i = 0; i < SLUICE_MAX_IFACES; i++)
		if (dp->links[i].fd >= 0)
			close(dp->links[i].fd);
	sluice_tc__destroy(dp->tc);
	sluice_decap__destroy(dp->decap);
	sluice_xdp__destroy(dp->skel);
	free(dp->pin_dir);
	free(dp);
}

int dp_unpin_maps(struct dp *dp)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int err = 0;

	if (!dp->pin_dir)
		return 0;
	bpf_object__for_each_map(map, dp->skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dp->pin_dir,
			 bpf_map__name(map));
		if (unlink(path) && errno != ENOENT && !err)
			err = -errno;
	}
	if (dp->decap) {
		bpf_object__for_each_map(map, dp->decap->obj) {
			if (bpf_map__is_internal(map))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dp->pin_dir,
				 bpf_map__name(map));
			if (unlink(path) && errno != ENOENT && !err)
				err = -errno;
		}
	}
	snprintf(path, sizeof(path), "%s/%s", dp->pin_dir,
		 SLUICE_LAYOUT_MAP_NAME);
	if (unlink(path) && errno != ENOENT && !err)
		err = -errno;
	rmdir(dp->pin_dir); /* only if nothing else lives there */
	return err;
}

int dp_xdp_prog_fd(const struct dp *dp)
{
	if (dp->decap)
		return bpf_program__fd(dp->decap->progs.sluice_decap);
	return bpf_program__fd(dp->skel->progs.sluice_xdp);
}

int dp_tc_prog_fd(const struct dp *dp)
{
	return dp->tc ? bpf_program__fd(dp->tc->progs.sluice_tc) : -ENOENT;
}

enum dp_role dp_role(const struct dp *dp)
{
	return dp->role;
}

bool dp_maps_reused(const struct dp *dp)
{
	return dp->maps_reused;
}

const char *dp_xdp_mode_name(enum dp_xdp_mode m)
{
	switch (m) {
	case DP_XDP_AUTO: return "auto";
	case DP_XDP_NATIVE: return "native";
	case DP_XDP_GENERIC: return "generic";
	}
	return "unknown";
}

int dp_xdp_mode_parse(const char *s, enum dp_xdp_mode *out)
{
	for (int m = DP_XDP_AUTO; m <= DP_XDP_GENERIC; m++) {
		if (!strcmp(s, dp_xdp_mode_name((enum dp_xdp_mode)m))) {
			*out = (enum dp_xdp_mode)m;
			return 0;
		}
	}
	return -EINVAL;
}

static struct dp_link *link_slot(struct dp *dp, const char *ifname, bool alloc)
{
	struct dp_link *free_slot = NULL;

	for (int i = 0; i < SLUICE_MAX_IFACES; i++) {
		struct dp_link *l = &dp->links[i];

		if (l->fd >= 0 && !strcmp(l->ifname, ifname))
			return l;
		if (l->fd < 0 && !free_slot)
			free_slot = l;
	}
	return alloc ? free_slot : NULL;
}

static void link_pin_path(const struct dp *dp, const char *ifname, char *buf,
			  size_t len)
{
	snprintf(buf, len, "%s/link_%s", dp->pin_dir, ifname);
}

static enum dp_xdp_mode query_mode(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return DP_XDP_AUTO;
	if (q.attach_mode == XDP_ATTACHED_SKB)
		return DP_XDP_GENERIC;
	if (q.attach_mode == XDP_ATTACHED_DRV)
		return DP_XDP_NATIVE;
	return DP_XDP_AUTO;
}

/* A link pinned by an earlier run: switch it to our program if it still
 * sits on @ifindex; otherwise the pin is stale and goes. */
static int adopt_link(struct dp *dp, int ifindex, const char *path)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int fd, err;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err || info.type != BPF_LINK_TYPE_XDP ||
	    info.xdp.ifindex != (__u32)ifindex) {
		pr_info("dp: removing stale pinned link %s", path);
		close(fd);
		unlink(path);
		return -ENOENT;
	}
	err = bpf_link_update(fd, dp_xdp_prog_fd(dp), NULL);
	if (err) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int dp_attach(struct dp *dp, int ifindex, const char *ifname,
	      enum dp_xdp_mode mode, enum dp_xdp_mode *mode_out,
	      bool *adopted)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	char path[PATH_MAX];
	struct dp_link *l;
	int fd = -1, err;

	if (strlen(ifname) >= sizeof(l->ifname))
		return -ENAMETOOLONG;
	l = link_slot(dp, ifname, false);
	if (l) {
		if (l->ifindex == ifindex)
			goto done;
		/* the name came back with a new index: the old link died */
		close(l->fd);
		l->fd = -1;
	}
	l = link_slot(dp, ifname, true);
	if (!l)
		return -ENOSPC;
	*adopted = false;

	if (dp->pin_dir) {
		link_pin_path(dp, ifname, path, sizeof(path));
		fd = adopt_link(dp, ifindex, path);
		if (fd >= 0)
			*adopted = true;
	}
	if (fd < 0) {
		lo.flags = mode == DP_XDP_GENERIC ? XDP_FLAGS_SKB_MODE :
						    XDP_FLAGS_DRV_MODE;
		fd = bpf_link_create(dp_xdp_prog_fd(dp), ifindex, BPF_XDP, &lo);
		if (fd < 0 && mode == DP_XDP_AUTO) {
			pr_warn("dp: %s refused native XDP (%s); using generic "
				"mode, which is much slower",
				ifname, strerror(errno));
			lo.flags = XDP_FLAGS_SKB_MODE;
			fd = bpf_link_create(dp_xdp_prog_fd(dp), ifindex,
					     BPF_XDP, &lo);
		}
		if (fd < 0) {
			err = -errno;
			pr_err("dp: cannot attach XDP to %s: %s%s", ifname,
			       strerror(-err),
			       err == -EBUSY ? " (another XDP program is "
					       "attached)" : "");
			return err;
		}
		if (dp->pin_dir && bpf_obj_pin(fd, path)) {
			err = -errno;
			pr_err("dp: cannot pin link %s: %s", path,
			       strerror(-err));
			close(fd);
			return err;
		}
	}
	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	l->ifindex = ifindex;
	l->fd = fd;
done:
	if (mode_out)
		*mode_out = query_mode(ifindex);
	return 0;
}

int dp_detach(struct dp *dp, const char *ifname, bool keep)
{
	struct dp_link *l = link_slot(dp, ifname, false);
	char path[PATH_MAX];

	if (!keep && dp->pin_dir) {
		link_pin_path(dp, ifname, path, sizeof(path));
		unlink(path);
	}
	if (!l)
		return -ENOENT;
	close(l->fd); /* with the pin gone this detaches the program */
	l->fd = -1;
	return 0;
}

/* ---- maps ---------------------------------------------------------------- */

static int upd(const struct dp *dp, enum dp_map_id id, const void *k,
	       const void *v)
{
	return bpf_map_update_elem(dp_map_fd(dp, id), k, v, BPF_ANY) ? -errno : 0;
}

static int del(const struct dp *dp, enum dp_map_id id, const void *k)
{
	return bpf_map_delete_elem(dp_map_fd(dp, id), k) ? -errno : 0;
}

static int get(const struct dp *dp, enum dp_map_id id, const void *k, void *v)
{
	return bpf_map_lookup_elem(dp_map_fd(dp, id), k, v) ? -errno : 0;
}

int dp_map_delete(struct dp *dp, enum dp_map_id id, const void *key)
{
	return del(dp, id, key);
}

int dp_iface_set(struct dp *dp, __u32 ifindex, const struct sluice_iface *v)
{
	if (v->slot >= SLUICE_MAX_IFACES)
		return -ERANGE;
	return upd(dp, DP_MAP_IFACES, &ifindex, v);
}

int dp_iface_del(struct dp *dp, __u32 ifindex)
{
	return del(dp, DP_MAP_IFACES, &ifindex);
}

int dp_vlan_set(struct dp *dp, __u32 parent, __u16 vid, __u32 ifindex)
{
	struct sluice_vlan_key k = { .parent_ifindex = parent, .vlan_id = vid };

	return upd(dp, DP_MAP_VLANS, &k, &ifindex);
}

int dp_vlan_del(struct dp *dp, __u32 parent, __u16 vid)
{
	struct sluice_vlan_key k = { .parent_ifindex = parent, .vlan_id = vid };

	return del(dp, DP_MAP_VLANS, &k);
}

int dp_port_set(struct dp *dp, __u32 ifindex)
{
	return upd(dp, DP_MAP_TX_PORTS, &ifindex, &ifindex);
}

int dp_port_del(struct dp *dp, __u32 ifindex)
{
	return del(dp, DP_MAP_TX_PORTS, &ifindex);
}

typedef union {
	struct sluice_lpm4_key v4;
	struct sluice_lpm6_key v6;
} lpm_key_t;

static int lpm_key(int family, const void *addr, unsigned int plen,
		   lpm_key_t *k, enum dp_map_id *id)
{
	memset(k, 0, sizeof(*k));
	if (family == AF_INET && plen <= 32) {
		k->v4.prefixlen = plen;
		memcpy(k->v4.addr, addr, 4);
		*id = DP_MAP_ROUTES_V4;
		return 0;
	}
	if (family == AF_INET6 && plen <= 128) {
		k->v6.prefixlen = plen;
		memcpy(k->v6.addr, addr, 16);
		*id = DP_MAP_ROUTES_V6;
		return 0;
	}
	return -EINVAL;
}

int dp_route_set(struct dp *dp, int family, const void *addr,
		 unsigned int plen, const struct sluice_route *rt)
{
	enum dp_map_id id;
	lpm_key_t k;
	int err = lpm_key(family, addr, plen, &k, &id);

	return err ? err : upd(dp, id, &k, rt);
}

int dp_route_del(struct dp *dp, int family, const void *addr,
		 unsigned int plen)
{
	enum dp_map_id id;
	lpm_key_t k;
	int err = lpm_key(family, addr, plen, &k, &id);

	return err ? err : del(dp, id, &k);
}

int dp_route_get(struct dp *dp, int family, const void *addr,
		 unsigned int plen, struct sluice_route *rt)
{
	enum dp_map_id id;
	lpm_key_t k;
	int err = lpm_key(family, addr, plen, &k, &id);

	return err ? err : get(dp, id, &k, rt);
}

int dp_nhg_set(struct dp *dp, __u32 id, const struct sluice_nhg *g)
{
	if (!id || !g->count || g->count > SLUICE_MAX_ECMP)
		return -EINVAL;
	return upd(dp, DP_MAP_NHGS, &id, g);
}

int dp_nhg_del(struct dp *dp, __u32 id)
{
	return del(dp, DP_MAP_NHGS, &id);
}

int dp_nhg_get(struct dp *dp, __u32 id, struct sluice_nhg *g)
{
	return get(dp, DP_MAP_NHGS, &id, g);
}

int dp_neigh_set(struct dp *dp, const struct sluice_neigh_key *k,
		 const struct sluice_neigh *v)
{
	return upd(dp, DP_MAP_NEIGHBORS, k, v);
}

int dp_neigh_del(struct dp *dp, const struct sluice_neigh_key *k)
{
	return del(dp, DP_MAP_NEIGHBORS, k);
}

int dp_neigh_get(struct dp *dp, const struct sluice_neigh_key *k,
		 struct sluice_neigh *v)
{
	return get(dp, DP_MAP_NEIGHBORS, k, v);
}

int dp_stats_read(struct dp *dp, __u32 slot, struct sluice_counter *out)
{
	struct sluice_counter *percpu;
	int fd = dp_map_fd(dp, DP_MAP_STATS);

	if (slot >= SLUICE_MAX_IFACES)
		return -ERANGE;
	percpu = calloc(dp->ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	memset(out, 0, SLUICE_REASON_SLOTS * sizeof(*out));
	for (size_t i = 0; i < DP_REASON_COUNT; i++) {
		__u32 r = dp_reason_at(i);
		__u32 idx = slot * SLUICE_REASON_SLOTS + r;

		if (bpf_map_lookup_elem(fd, &idx, percpu))
			continue;
		for (int c = 0; c < dp->ncpus; c++) {
			out[r].packets += percpu[c].packets;
			out[r].bytes += percpu[c].bytes;
		}
	}
	free(percpu);
	return 0;
}

int dp_stats_clear(struct dp *dp)
{
	struct sluice_counter *zero;
	int fd = dp_map_fd(dp, DP_MAP_STATS), err = 0;

	zero = calloc(dp->ncpus, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	for (__u32 i = 0; i < SLUICE_STATS_ENTRIES && !err; i++)
		if (bpf_map_update_elem(fd, &i, zero, BPF_ANY))
			err = -errno;
	free(zero);
	return err;
}

int dp_map_foreach(struct dp *dp, enum dp_map_id id, dp_key_cb cb, void *arg)
{
	struct bpf_map *m = dp_map(dp, id);
	void *key, *next, *val;
	int fd, err = 0;
	bool first = true;

	if (!m || id == DP_MAP_STATS)
		return -EINVAL;
	fd = bpf_map__fd(m);
	key = calloc(1, bpf_map__key_size(m));
	next = calloc(1, bpf_map__key_size(m));
	val = calloc(1, bpf_map__value_size(m));
	if (!key || !next || !val) {
		err = -ENOMEM;
		goto out;
	}
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, bpf_map__key_size(m));
		if (bpf_map_lookup_elem(fd, key, val))
			continue; /* deleted meanwhile */
		err = cb(key, val, arg);
		if (err)
			break;
	}
out:
	free(key);
	free(next);
	free(val);
	return err;
}

static int count_cb(const void *k, const void *v, void *arg)
{
	(void)k;
	(void)v;
	(*(int *)arg)++;
	return 0;
}

int dp_map_count(struct dp *dp, enum dp_map_id id)
{
	int n = 0, err = dp_map_foreach(dp, id, count_cb, &n);

	return err ? err : n;
}

/* ---- load balancer ---------------------------------------------------------- */

int dp_lb_config_set(struct dp *dp, const struct sluice_lb_config *c)
{
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_map__fd(dp->skel->maps.lb_config), &zero,
				   c, BPF_ANY) ? -errno : 0;
}

int dp_lb_config_get(struct dp *dp, struct sluice_lb_config *c)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.lb_config), &zero,
				   c) ? -errno : 0;
}

static int vip_count_set(struct dp *dp, __u32 n)
{
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_map__fd(dp->skel->maps.lb_vip_count),
				   &zero, &n, BPF_ANY) ? -errno : 0;
}

/* The exact number of VIPs into lb_vip_count. */
static int vip_count_sync(struct dp *dp)
{
	int n = dp_map_count(dp, DP_MAP_LB_VIPS);

	return n < 0 ? n : vip_count_set(dp, (__u32)n);
}

int dp_vip_set(struct dp *dp, const struct sluice_vip_key *k,
	       const struct sluice_vip *v)
{
	int n, err;

	if (!v->vip_id || v->vip_id >= SLUICE_LB_MAX_VIPS)
		return -ERANGE;
	/* raise the count first, so the data path never skips a VIP */
	n = dp_map_count(dp, DP_MAP_LB_VIPS);
	if (n < 0)
		return n;
	err = vip_count_set(dp, (__u32)n + 1);
	if (!err)
		err = upd(dp, DP_MAP_LB_VIPS, k, v);
	vip_count_sync(dp);
	return err;
}

int dp_vip_del(struct dp *dp, const struct sluice_vip_key *k)
{
	int err = del(dp, DP_MAP_LB_VIPS, k);

	vip_count_sync(dp);
	return err;
}

int dp_backend_set(struct dp *dp, __u32 id, const struct sluice_backend *b)
{
	if (!id || id >= SLUICE_LB_MAX_BACKENDS)
		return -ERANGE;
	return upd(dp, DP_MAP_LB_BACKENDS, &id, b);
}

int dp_backend_get(struct dp *dp, __u32 id, struct sluice_backend *b)
{
	if (id >= SLUICE_LB_MAX_BACKENDS)
		return -ERANGE;
	return get(dp, DP_MAP_LB_BACKENDS, &id, b);
}

int dp_backend_del(struct dp *dp, __u32 id)
{
	struct sluice_backend zero = {};

	/* an ARRAY slot cannot be deleted: family 0 means unset */
	if (!id || id >= SLUICE_LB_MAX_BACKENDS)
		return -ERANGE;
	return upd(dp, DP_MAP_LB_BACKENDS, &id, &zero);
}

/* The inner map of @vip_id as an fd (the outer map stores ids). */
static int ring_fd(struct dp *dp, __u32 vip_id)
{
	__u32 inner_id;
	int fd;

	if (bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.lb_rings), &vip_id,
				&inner_id))
		return -errno;
	fd = bpf_map_get_fd_by_id(inner_id);
	return fd < 0 ? -errno : fd;
}

int dp_ring_install(struct dp *dp, __u32 vip_id, __u32 ring_size,
		    const __u32 *table)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_INNER_MAP);
	__u32 *keys = NULL;
	__u32 count;
	int fd, err = 0;

	if (!vip_id || vip_id >= SLUICE_LB_MAX_VIPS || !ring_size ||
	    ring_size > SLUICE_LB_MAX_RING)
		return -ERANGE;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lb_ring", sizeof(__u32),
			    sizeof(__u32), ring_size, &o);
	if (fd < 0)
		return -errno;
	/* fill it completely before anyone can see it */
	keys = malloc(sizeof(*keys) * ring_size);
	if (!keys) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 i = 0; i < ring_size; i++)
		keys[i] = i;
	count = ring_size;
	if (bpf_map_update_batch(fd, keys, table, &count, NULL)) {
		/* no batch support for this map type: one by one */
		for (__u32 i = 0; i < ring_size && !err; i++)
			if (bpf_map_update_elem(fd, &i, &table[i], BPF_ANY))
				err = -errno;
		if (err)
			goto out;
	}
	if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.lb_rings), &vip_id,
				&fd, BPF_ANY))
		err = -errno;
out:
	free(keys);
	close(fd); /* the outer map holds the reference now */
	return err;
}

int dp_ring_write(struct dp *dp, __u32 vip_id, const __u32 *slots,
		  const __u32 *values, __u32 n)
{
	__u32 count = n;
	int fd, err = 0;

	if (!n)
		return 0;
	fd = ring_fd(dp, vip_id);
	if (fd < 0)
		return fd;
	if (bpf_map_update_batch(fd, slots, values, &count, NULL)) {
		for (__u32 i = 0; i < n && !err; i++)
			if (bpf_map_update_elem(fd, &slots[i], &values[i], BPF_ANY))
				err = -errno;
	}
	close(fd);
	return err;
}

int dp_ring_read(struct dp *dp, __u32 vip_id, __u32 *table, __u32 max,
		 __u32 *ring_size)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd, err = 0;

	*ring_size = 0;
	fd = ring_fd(dp, vip_id);
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	*ring_size = info.max_entries;
	if (info.max_entries > max) {
		err = -ENOSPC;
		goto out;
	}
	for (__u32 i = 0; i < info.max_entries && !err; i++)
		if (bpf_map_lookup_elem(fd, &i, &table[i]))
			err = -errno;
out:
	close(fd);
	return err;
}

int dp_ring_del(struct dp *dp, __u32 vip_id)
{
	if (bpf_map_delete_elem(bpf_map__fd(dp->skel->maps.lb_rings), &vip_id))
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

static int lb_stats(struct dp *dp, struct bpf_map *map, __u32 id,
		    struct sluice_lb_counter *out)
{
	struct sluice_lb_counter *percpu;
	int err = 0;

	percpu = calloc(dp->ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(bpf_map__fd(map), &id, percpu)) {
		err = -errno;
		goto out;
	}
	for (int c = 0; c < dp->ncpus; c++) {
		out->packets += percpu[c].packets;
		out->bytes += percpu[c].bytes;
		out->new_flows += percpu[c].new_flows;
		out->flow_hits += percpu[c].flow_hits;
		out->drops += percpu[c].drops;
		out->too_big += percpu[c].too_big;
	}
out:
	free(percpu);
	return err;
}

int dp_lb_vip_stats(struct dp *dp, __u32 vip_id, struct sluice_lb_counter *out)
{
	return lb_stats(dp, dp->skel->maps.lb_vip_stats, vip_id, out);
}

int dp_lb_backend_stats(struct dp *dp, __u32 id, struct sluice_lb_counter *out)
{
	return lb_stats(dp, dp->skel->maps.lb_backend_stats, id, out);
}

/* Zero one VIP's (and/or one backend's) counters, so a reused id starts
 * from nothing. */
int dp_lb_stats_clear(struct dp *dp, __u32 vip_id, __u32 backend_id)
{
	struct sluice_lb_counter *zero = calloc(dp->ncpus, sizeof(*zero));
	int err = 0;

	if (!zero)
		return -ENOMEM;
	if (vip_id && bpf_map_update_elem(bpf_map__fd(dp->skel->maps.lb_vip_stats),
					  &vip_id, zero, BPF_ANY))
		err = -errno;
	if (backend_id &&
	    bpf_map_update_elem(bpf_map__fd(dp->skel->maps.lb_backend_stats),
				&backend_id, zero, BPF_ANY))
		err = -errno;
	free(zero);
	return err;
}

int dp_lb_flow_count(struct dp *dp)
{
	return dp_map_count(dp, DP_MAP_LB_FLOWS);
}

/* ---- backend role ----------------------------------------------------------- */

static int addr_key(int family, const void *addr, struct sluice_addr_key *k)
{
	memset(k, 0, sizeof(*k));
	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	k->family = (__u8)family;
	memcpy(k->addr, addr, family == AF_INET ? 4 : 16);
	return 0;
}

int dp_local_addr_set(struct dp *dp, int family, const void *addr)
{
	struct sluice_addr_key k;
	__u32 one = 1;
	int err;

	if (!dp->decap)
		return -EOPNOTSUPP;
	err = addr_key(family, addr, &k);
	if (err)
		return err;
	return bpf_map_update_elem(bpf_map__fd(dp->decap->maps.local_addrs), &k,
				   &one, BPF_ANY) ? -errno : 0;
}

int dp_local_addr_del(struct dp *dp, int family, const void *addr)
{
	struct sluice_addr_key k;
	int err;

	if (!dp->decap)
		return -EOPNOTSUPP;
	err = addr_key(family, addr, &k);
	if (err)
		return err;
	return bpf_map_delete_elem(bpf_map__fd(dp->decap->maps.local_addrs),
				   &k) ? -errno : 0;
}

int dp_local_addr_foreach(struct dp *dp, dp_key_cb cb, void *arg)
{
	struct sluice_addr_key key, next;
	int fd, err = 0;
	bool first = true;
	__u32 v;

	if (!dp->decap)
		return -EOPNOTSUPP;
	fd = bpf_map__fd(dp->decap->maps.local_addrs);
	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		err = cb(&key, &v, arg);
		if (err)
			break;
	}
	return err;
}
