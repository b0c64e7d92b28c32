// SPDX-License-Identifier: BSD-2-Clause
/* Layout versions of pinned maps: see layout.h and uapi/sluice/layout.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <uapi/sluice/sluice.h>
#include "layout.h"
#include "log.h"

enum map_kind {
	MAP_STATE,   /* holds what only the data path knows: refuse */
	MAP_MIRROR,  /* rebuilt from the kernel's state at every start */
	MAP_STATS,   /* counters: carried over from a known older layout */
	MAP_DERIVED, /* compiled from the mirrors at every start (fib.c) */
	MAP_FLOWS, /* the LB flow table: entries carried over (layout_flows.c) */
};

static const struct {
	const char *name;
	unsigned int version;
	enum map_kind kind;
} map_layouts[] = {
	{ "routes_v4", SLUICE_LAYOUT_ROUTES, MAP_MIRROR },
	{ "routes_v6", SLUICE_LAYOUT_ROUTES, MAP_MIRROR },
	{ "nhgs", SLUICE_LAYOUT_NHGS, MAP_MIRROR },
	{ "neighbors", SLUICE_LAYOUT_NEIGHBORS, MAP_MIRROR },
	/* notes of on-link misses, taken by sluiced: a new load's start empty */
	{ "neigh_wanted", SLUICE_LAYOUT_NEIGHBORS, MAP_DERIVED },
	{ "ifaces", SLUICE_LAYOUT_IFACES, MAP_MIRROR },
	{ "vlans", SLUICE_LAYOUT_VLANS, MAP_MIRROR },
	{ "tx_ports", SLUICE_LAYOUT_TX_PORTS, MAP_MIRROR },
	{ "local_addrs", SLUICE_LAYOUT_LOCAL_ADDRS, MAP_MIRROR },
	{ "port_cache", SLUICE_LAYOUT_PORT_CACHE, MAP_DERIVED },
	{ "fib4_root", SLUICE_LAYOUT_FIB, MAP_DERIVED },
	{ "fib4_groups", SLUICE_LAYOUT_FIB, MAP_DERIVED },
	{ "fib6_root", SLUICE_LAYOUT_FIB, MAP_DERIVED },
	{ "fib6_groups", SLUICE_LAYOUT_FIB, MAP_DERIVED },
	{ "fib6_p48", SLUICE_LAYOUT_FIB, MAP_DERIVED }, /* refilled at start */
	{ "fib_nhgs", SLUICE_LAYOUT_FIB, MAP_DERIVED },
	{ "fib_nhs", SLUICE_LAYOUT_FIB, MAP_DERIVED },
	{ "stats", SLUICE_LAYOUT_STATS, MAP_STATS },
	{ "lb_vips", SLUICE_LAYOUT_LB, MAP_STATE },
	{ "lb_rings", SLUICE_LAYOUT_LB, MAP_STATE },
	{ "lb_backends", SLUICE_LAYOUT_LB, MAP_STATE },
	{ "lb_flows", SLUICE_LAYOUT_LB_FLOWS, MAP_FLOWS },
	{ "lb_flow_events", SLUICE_LAYOUT_LB_FLOWS, MAP_STATS },
	{ "lb_config", SLUICE_LAYOUT_LB, MAP_STATE },
	{ "lb_vip_count", SLUICE_LAYOUT_LB, MAP_STATE },
	{ "lb_vip_stats", SLUICE_LAYOUT_LB, MAP_STATE },
	{ "lb_backend_stats", SLUICE_LAYOUT_LB, MAP_STATE },
	{ "lb_vip_bits", SLUICE_LAYOUT_LB, MAP_MIRROR }, /* from lb_vips */
	{ "lb_vip_ids", SLUICE_LAYOUT_LB, MAP_MIRROR },	 /* from lb_vips */
	/* second chance: the previous tables and their grace periods */
	{ "lb_prev_rings", SLUICE_LAYOUT_LB, MAP_STATE },
	{ "lb_second", SLUICE_LAYOUT_LB, MAP_STATE },
	/* the conntrack table and its gauges are adopted together */
	{ "ct", SLUICE_LAYOUT_CT, MAP_STATE },
	{ "ct_gauges", SLUICE_LAYOUT_CT, MAP_STATE },
	{ "ct_embryonic", SLUICE_LAYOUT_CT, MAP_STATE },
	{ "ct_sweep", SLUICE_LAYOUT_CT, MAP_STATE },	/* its timer runs on */
	{ "ct_new", SLUICE_LAYOUT_CT, MAP_DERIVED },	/* scratch */
	{ "pkt_state", SLUICE_LAYOUT_CT, MAP_DERIVED }, /* scratch */
	{ "nat_scratch", SLUICE_LAYOUT_NAT, MAP_DERIVED },
	{ "xdp_tails", SLUICE_LAYOUT_CT, MAP_DERIVED }, /* this load's */
	{ "tc_tails", SLUICE_LAYOUT_CT, MAP_DERIVED },
	{ "nat_flows", SLUICE_LAYOUT_NAT, MAP_STATE }, /* with ct */
	{ "nat_events", SLUICE_LAYOUT_NAT, MAP_STATS },
	{ "nat_config", SLUICE_LAYOUT_NAT, MAP_MIRROR },
	{ "nat_dnat", SLUICE_LAYOUT_NAT, MAP_MIRROR }, /* from the rules */
	{ "nat_snat", SLUICE_LAYOUT_NAT, MAP_MIRROR },
	{ "ct_events", SLUICE_LAYOUT_CT, MAP_STATS },
	{ "ct_config", SLUICE_LAYOUT_CT, MAP_MIRROR }, /* from the config */
	/* the DDoS guard: the daemon rewrites config, blocklist and services
	 * from its state file at every start (ddos.json) */
	{ "ddos_config", SLUICE_LAYOUT_DDOS, MAP_MIRROR },
	{ "ddos_block_v4", SLUICE_LAYOUT_DDOS, MAP_MIRROR },
	{ "ddos_block_v6", SLUICE_LAYOUT_DDOS, MAP_MIRROR },
	{ "ddos_buckets", SLUICE_LAYOUT_DDOS, MAP_STATE },
	{ "ddos_services", SLUICE_LAYOUT_DDOS, MAP_MIRROR },
	{ "ddos_svc_state", SLUICE_LAYOUT_DDOS, MAP_STATE },
	{ "ddos_svc_syns", SLUICE_LAYOUT_DDOS, MAP_STATE },
	{ "ddos_flows", SLUICE_LAYOUT_DDOS, MAP_STATE },
	/* the firewall: compiled from fw.json at every start and swapped
	 * in (dp_fw_install), so the old sets keep filtering meanwhile */
	{ "fw_ports", SLUICE_LAYOUT_FW, MAP_DERIVED },
	{ "fw_sets", SLUICE_LAYOUT_FW, MAP_DERIVED },
	{ "fw_rules", SLUICE_LAYOUT_FW, MAP_DERIVED },
	{ "fw_ps", SLUICE_LAYOUT_FW, MAP_DERIVED },
	{ "fw_psx", SLUICE_LAYOUT_FW, MAP_DERIVED },
	{ "fw_lpm4", SLUICE_LAYOUT_FW, MAP_DERIVED },
	{ "fw_lpm6", SLUICE_LAYOUT_FW, MAP_DERIVED },
	{ "fw_lpm_port", SLUICE_LAYOUT_FW, MAP_DERIVED },
	{ "fw_nset4", SLUICE_LAYOUT_FW, MAP_DERIVED },
	{ "fw_nset6", SLUICE_LAYOUT_FW, MAP_DERIVED },
	{ "fw_counters", SLUICE_LAYOUT_FW, MAP_DERIVED },
	/* steering: selectors rewritten from steer.json at every start;
	 * the applications' sockets stay registered across a restart */
	{ "steer_config", SLUICE_LAYOUT_STEER, MAP_MIRROR },
	{ "steer_ports", SLUICE_LAYOUT_STEER, MAP_MIRROR },
	{ "steer_dst", SLUICE_LAYOUT_STEER, MAP_MIRROR },
	{ "steer_xsks", SLUICE_LAYOUT_STEER, MAP_STATE },
	{ "steer_counters", SLUICE_LAYOUT_STEER, MAP_STATS },
	{ "xmit_drops", SLUICE_LAYOUT_XMIT, MAP_STATS },
	/* the per-packet trace: the filter is rewritten by each trace, the
	 * ring and the scratch are this load's; a pin set from before the
	 * trace has none of them, and they are made at the load */
	/* the per-CPU time of the current tick (bpf/lib/clock.h) */
	{ "clock_tick", SLUICE_LAYOUT_CLOCK, MAP_DERIVED },
	{ "trace_cfg", SLUICE_LAYOUT_TRACE, MAP_DERIVED },
	{ "trace_stats", SLUICE_LAYOUT_TRACE, MAP_DERIVED },
	{ "trace_scratch", SLUICE_LAYOUT_TRACE, MAP_DERIVED },
	{ "trace_events", SLUICE_LAYOUT_TRACE, MAP_DERIVED },
};

/* Pins of maps that no longer exist: removed when found. */
static const char *const retired_maps[] = {
	"decap_stats", /* until layout 2 of stats: decap reasons are there */
	"fw_scratch",  /* until the firewall's two-level bitmaps */
};

/* stats layout 1: the reasons 0..34 of then, one slot after another */
#define STATS_V1_REASONS 35

#define MAX_MOVED 32

#define PIN_PATH_MAX (PATH_MAX + 32)

struct moved {
	char path[PIN_PATH_MAX];  /* the pin */
	char aside[PIN_PATH_MAX]; /* where it waits for the load */
	char name[BPF_OBJ_NAME_LEN];
	bool migrate_stats;
	bool copy_flows;
	__u32 old_entries;
};

struct dp_layout_plan {
	char dir[PATH_MAX];
	struct moved moved[MAX_MOVED];
	int n_moved;
};

static int rule_of(const char *name)
{
	for (size_t i = 0; i < sizeof(map_layouts) / sizeof(map_layouts[0]);
	     i++)
		if (!strcmp(map_layouts[i].name, name))
			return (int)i;
	return -1;
}

unsigned int dp_layout_version(const char *name)
{
	int i = rule_of(name);

	return i < 0 ? 1 : map_layouts[i].version;
}

static enum map_kind kind_of(const char *name)
{
	int i = rule_of(name);

	return i < 0 ? MAP_STATE : map_layouts[i].kind;
}

static int layouts_create(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, SLUICE_LAYOUT_MAP_NAME,
				sizeof(struct sluice_layout_key),
				sizeof(struct sluice_layout),
				SLUICE_LAYOUT_MAX_MAPS, NULL);

	return fd < 0 ? -errno : fd;
}

/*
 * @fd, pinned at @path, has room for fewer maps than this build pins: a
 * copy of it with room for SLUICE_LAYOUT_MAX_MAPS takes its place (pinned
 * beside it, then renamed over it, so that the versions are never
 * missing).  The new map's fd, or @fd and -errno logged.
 */
static int layouts_grow(const char *path, int fd)
{
	char tmp[PATH_MAX + 32];
	struct sluice_layout_key k, *prev = NULL;
	struct sluice_layout v;
	int nfd = layouts_create(), err = 0;

	if (nfd < 0) {
		err = nfd;
		goto fail;
	}
	while (!bpf_map_get_next_key(fd, prev, &k)) {
		if (!bpf_map_lookup_elem(fd, &k, &v) &&
		    bpf_map_update_elem(nfd, &k, &v, BPF_ANY)) {
			err = -errno;
			goto fail;
		}
		prev = &k;
	}
	snprintf(tmp, sizeof(tmp), "%s.grow", path);
	unlink(tmp);
	if (bpf_obj_pin(nfd, tmp) || rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		goto fail;
	}
	close(fd);
	return nfd;
fail:
	if (nfd >= 0)
		close(nfd);
	pr_warn("dp: %s: cannot make room for %d maps: %s", path,
		SLUICE_LAYOUT_MAX_MAPS, strerror(-err));
	return fd;
}

static int layouts_open(const char *dir, bool create)
{
	char path[PATH_MAX + 16];
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, SLUICE_LAYOUT_MAP_NAME);
	fd = bpf_obj_get(path);
	if (fd < 0 && !create)
		return -errno;
	if (fd >= 0) {
		memset(&info, 0, sizeof(info));
		if (create && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.max_entries < SLUICE_LAYOUT_MAX_MAPS)
			fd = layouts_grow(path, fd);
		return fd;
	}
	fd = layouts_create();
	if (fd < 0)
		return fd;
	if (bpf_obj_pin(fd, path)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* The version a pinned map was recorded with; 1 when none was (pins of
 * the releases before versions were recorded). */
static unsigned int pinned_version(int layouts_fd, const char *name)
{
	struct sluice_layout_key k = {};
	struct sluice_layout v = {};

	if (layouts_fd < 0)
		return 1;
	memcpy(k.name, name, strnlen(name, sizeof(k.name) - 1));
	if (bpf_map_lookup_elem(layouts_fd, &k, &v))
		return 1;
	return v.version;
}

static bool same_shape(const struct bpf_map_info *info,
		       const struct bpf_map *map)
{
	return info->type == bpf_map__type(map) &&
	       info->key_size == bpf_map__key_size(map) &&
	       info->value_size == bpf_map__value_size(map) &&
	       info->max_entries == bpf_map__max_entries(map);
}

/*
 * The kernel sets BPF_F_RDONLY_PROG on every devmap it creates but refuses
 * it at creation, so libbpf's flag comparison never accepts a pinned
 * devmap: we checked the shape, hand libbpf the fd.
 */
static int reuse_pinned(struct bpf_map *map, const char *path, int fd)
{
	if (bpf_map__type(map) == BPF_MAP_TYPE_DEVMAP_HASH)
		return bpf_map__reuse_fd(map, fd);
	return bpf_map__set_pin_path(map, path);
}

static int move_aside(struct dp_layout_plan *plan, const char *name,
		      const char *path, bool migrate, __u32 old_entries,
		      bool copy_flows)
{
	char aside[PIN_PATH_MAX];
	struct moved *m;

	if (plan->n_moved >= MAX_MOVED)
		return -E2BIG;
	m = &plan->moved[plan->n_moved];
	snprintf(m->path, sizeof(m->path), "%s", path);
	snprintf(aside, sizeof(aside), "%s/old_%s", plan->dir, name);
	memcpy(m->aside, aside, sizeof(aside));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->migrate_stats = migrate;
	m->copy_flows = copy_flows;
	m->old_entries = old_entries;
	unlink(m->aside); /* left by a crash in the middle of this */
	if (rename(m->path, m->aside))
		return -errno;
	plan->n_moved++;
	return 0;
}

static int check_map(struct dp_layout_plan *plan, struct bpf_map *map,
		     int layouts_fd, bool *reused)
{
	unsigned int want = dp_layout_version(bpf_map__name(map)), have;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PIN_PATH_MAX], name[BPF_OBJ_NAME_LEN * 2];
	int fd, err;

	/* a copy: reusing a pinned map (bpf_map__reuse_fd()) frees the
	 * map's name for the kernel's, which out: below still compares */
	snprintf(name, sizeof(name), "%s", bpf_map__name(map));

	snprintf(path, sizeof(path), "%s/%s", plan->dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno != ENOENT)
			return -errno;
		/* new: libbpf creates and pins it at load (devmap: by hand) */
		if (bpf_map__type(map) == BPF_MAP_TYPE_DEVMAP_HASH)
			return 0;
		return bpf_map__set_pin_path(map, path);
	}
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	if (err)
		goto out;
	have = pinned_version(layouts_fd, name);
	if (have == want && same_shape(&info, map)) {
		*reused = true;
		err = reuse_pinned(map, path, fd);
		goto out;
	}
	if (have > want) {
		pr_err("dp: cannot adopt %s: its layout version %u is newer than "
		       "this sluiced knows (%u); run the sluiced that pinned "
		       "it, or remove %s to start afresh",
		       path, have, want, plan->dir);
		err = -EPROTO;
		goto out;
	}
	switch (kind_of(name)) {
	case MAP_MIRROR:
		pr_info("dp: %s: pinned layout %u, this build has %u: rebuilt "
			"from the kernel's state",
			name, have, want);
		err = move_aside(plan, name, path, false, 0, false);
		break;
	case MAP_DERIVED:
		/* another layout, or another size (fib groups changed) */
		pr_info("dp: %s: pinned layout %u with %u entries, this build "
			"has %u with %u: compiled anew",
			name, have, info.max_entries, want,
			bpf_map__max_entries(map));
		err = move_aside(plan, name, path, false, 0, false);
		break;
	case MAP_FLOWS:
		/* an older layout (an LRU) or another lb.max_flows: the
		 * flows move into the new table, connections stay */
		if ((info.type == BPF_MAP_TYPE_LRU_HASH &&
		     info.key_size == sizeof(struct sluice_flow_key) &&
		     info.value_size == sizeof(struct sluice_flow)) ||
		    (info.type == BPF_MAP_TYPE_ARRAY &&
		     (info.map_flags & BPF_F_MMAPABLE) &&
		     info.value_size == sizeof(struct sluice_lb_flow_slot))) {
			pr_info("dp: %s: pinned layout %u, %u entries; this "
				"build has %u, %u entries: flows carried over",
				name, have, info.max_entries, want,
				bpf_map__max_entries(map));
			*reused = true;
			err = move_aside(plan, name, path, false,
					 info.max_entries, true);
			break;
		}
		goto refuse;
	case MAP_STATS:
		if (have == 1 && info.type == BPF_MAP_TYPE_PERCPU_ARRAY &&
		    info.value_size == sizeof(struct sluice_counter) &&
		    info.max_entries == SLUICE_MAX_IFACES * STATS_V1_REASONS) {
			pr_info("dp: stats: pinned layout 1, this build has %u: "
				"counters carried over",
				want);
			*reused = true;
			err = move_aside(plan, name, path, true,
					 info.max_entries, false);
			break;
		}
		goto refuse;
	default:
refuse:
		/* a layout we do not know how to read */
		pr_err("dp: cannot adopt %s: pinned layout %u (type %u, key %u, "
		       "value %u bytes, %u entries), this sluiced needs layout "
		       "%u (type %u, key %u, value %u bytes, %u entries); "
		       "remove %s to start afresh (flows and counters are lost)",
		       path, have, info.type, info.key_size, info.value_size,
		       info.max_entries, want, bpf_map__type(map),
		       bpf_map__key_size(map), bpf_map__value_size(map),
		       bpf_map__max_entries(map), plan->dir);
		err = -EPROTO;
	}
out:
	close(fd);
	/* rebuilt or migrated: the new map is pinned where the old one was
	 * (a devmap is pinned by hand after the load) */
	if (!err && plan->n_moved &&
	    !strcmp(plan->moved[plan->n_moved - 1].name, name) &&
	    bpf_map__type(map) != BPF_MAP_TYPE_DEVMAP_HASH)
		err = bpf_map__set_pin_path(map, path);
	return err;
}

static void remove_retired(const char *dir)
{
	char path[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(retired_maps) / sizeof(retired_maps[0]);
	     i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, retired_maps[i]);
		if (!unlink(path))
			pr_info("dp: removed the retired map %s", path);
	}
}

int dp_layout_prepare(struct bpf_object *obj, const char *dir,
		      struct dp_layout_plan **out, bool *reused)
{
	struct dp_layout_plan *plan;
	struct bpf_map *map;
	int layouts_fd, err = 0;

	plan = calloc(1, sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	snprintf(plan->dir, sizeof(plan->dir), "%s", dir);
	layouts_fd = layouts_open(dir, false);
	bpf_object__for_each_map(map, obj) {
		/* .rodata holds load-time settings: never shared; a map
		 * already given an fd is another object's, checked there */
		if (bpf_map__is_internal(map) || bpf_map__fd(map) >= 0)
			continue;
		err = check_map(plan, map, layouts_fd, reused);
		if (err) {
			if (err != -EPROTO)
				pr_err("dp: cannot check the pinned %s: %s",
				       bpf_map__name(map), strerror(-err));
			break;
		}
	}
	if (layouts_fd >= 0)
		close(layouts_fd);
	if (err) {
		dp_layout_abort(plan);
		dp_layout_free(plan);
		return err;
	}
	*out = plan;
	return 0;
}

/* stats layout 1 -> 2: the same reason numbers, a wider stride. */
static int migrate_stats(const struct moved *m, int new_fd)
{
	int ncpus = libbpf_num_possible_cpus(), old_fd, err = 0;
	struct sluice_counter *v;
	__u32 slots = m->old_entries / STATS_V1_REASONS;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	old_fd = bpf_obj_get(m->aside);
	if (old_fd < 0)
		return -errno;
	v = calloc((size_t)ncpus, sizeof(*v));
	if (!v) {
		close(old_fd);
		return -ENOMEM;
	}
	for (__u32 s = 0; s < slots && s < SLUICE_MAX_IFACES && !err; s++) {
		for (__u32 r = 0; r < STATS_V1_REASONS && !err; r++) {
			__u32 from = s * STATS_V1_REASONS + r;
			__u32 to = s * SLUICE_REASON_SLOTS + r;

			if (bpf_map_lookup_elem(old_fd, &from, v))
				continue;
			if (bpf_map_update_elem(new_fd, &to, v, BPF_ANY))
				err = -errno;
		}
	}
	free(v);
	close(old_fd);
	return err;
}

static int record_versions(const char *dir, struct bpf_object *obj)
{
	struct bpf_map *map;
	int fd, err = 0;

	fd = layouts_open(dir, true);
	if (fd < 0)
		return fd;
	bpf_object__for_each_map(map, obj) {
		struct sluice_layout_key k = {};
		struct sluice_layout v = {};

		if (bpf_map__is_internal(map))
			continue;
		strncpy(k.name, bpf_map__name(map), sizeof(k.name) - 1);
		v.version = dp_layout_version(bpf_map__name(map));
		if (bpf_map_update_elem(fd, &k, &v, BPF_ANY)) {
			err = -errno;
			break;
		}
	}
	close(fd);
	return err;
}

int dp_layout_commit(struct dp_layout_plan *plan, struct bpf_object *obj)
{
	int err = 0;

	for (int i = 0; i < plan->n_moved; i++) {
		struct moved *m = &plan->moved[i];

		if (m->migrate_stats) {
			struct bpf_map *map =
				bpf_object__find_map_by_name(obj, m->name);
			int rc = map ? migrate_stats(m, bpf_map__fd(map)) :
				       -ENOENT;

			if (rc)
				pr_warn("dp: stats: counters not carried over: "
					"%s",
					strerror(-rc));
		}
		if (m->copy_flows) {
			struct bpf_map *map =
				bpf_object__find_map_by_name(obj, m->name);
			int rc = map ? dp_layout_copy_flows(m->aside,
							    bpf_map__fd(map)) :
				       -ENOENT;

			if (rc < 0)
				pr_warn("dp: %s: flows not carried over (new "
					"flows are picked again): %s",
					m->name, strerror(-rc));
			else
				pr_info("dp: %s: %d flows carried over",
					m->name, rc);
		}
		unlink(m->aside);
	}
	plan->n_moved = 0;
	remove_retired(plan->dir);
	err = record_versions(plan->dir, obj);
	if (err)
		pr_err("dp: cannot record map layouts in %s/%s: %s", plan->dir,
		       SLUICE_LAYOUT_MAP_NAME, strerror(-err));
	return err;
}

void dp_layout_abort(struct dp_layout_plan *plan)
{
	for (int i = plan->n_moved - 1; i >= 0; i--) {
		struct moved *m = &plan->moved[i];

		if (rename(m->aside, m->path))
			pr_warn("dp: could not put %s back at %s: %s", m->aside,
				m->path, strerror(errno));
	}
	plan->n_moved = 0;
}

void dp_layout_free(struct dp_layout_plan *plan)
{
	free(plan);
}
