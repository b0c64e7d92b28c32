// SPDX-License-Identifier: BSD-2-Clause
/*
 * lib/dp's core, and with the files of an object of their own (l7.c,
 * floor.c, fiblookup.c, xmit_link.c, explain.c) the only user-space code
 * that includes the skeletons: open, load and pin the objects, attach and
 * adopt links, and the generic map walks.  Each feature's typed map operations live in
 * their own file (route.c lb.c decap.c stats.c) and reach the maps by id
 * through dp_internal.h.
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
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "dp_internal.h"
#include "log.h"
#include "layout.h"
#include "fib_compile.h"
#include "dp_ct.h"
#include "sluice_ct.skel.h"
#include "sluice_decap.skel.h"
#include "sluice_egress.skel.h"
#include "sluice_xmit.skel.h"
#include "sluice_tc.skel.h"
#include "sluice_xdp.skel.h"

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

/* The maps of each object by id: what the feature files see. */
static void router_maps(struct dp *dp)
{
	struct bpf_map **m = dp->maps;

	m[DP_MAP_ROUTES_V4] = dp->skel->maps.routes_v4;
	m[DP_MAP_ROUTES_V6] = dp->skel->maps.routes_v6;
	m[DP_MAP_NHGS] = dp->skel->maps.nhgs;
	m[DP_MAP_NEIGHBORS] = dp->skel->maps.neighbors;
	m[DP_MAP_IFACES] = dp->skel->maps.ifaces;
	m[DP_MAP_VLANS] = dp->skel->maps.vlans;
	m[DP_MAP_TX_PORTS] = dp->skel->maps.tx_ports;
	m[DP_MAP_STATS] = dp->skel->maps.stats;
	m[DP_MAP_LB_VIPS] = dp->skel->maps.lb_vips;
	m[DP_MAP_LB_BACKENDS] = dp->skel->maps.lb_backends;
	m[DP_MAP_LB_FLOWS] = dp->skel->maps.lb_flows;
	m[DP_MAP_LB_CONFIG] = dp->skel->maps.lb_config;
	m[DP_MAP_LB_VIP_COUNT] = dp->skel->maps.lb_vip_count;
	m[DP_MAP_LB_RINGS] = dp->skel->maps.lb_rings;
	m[DP_MAP_LB_VIP_STATS] = dp->skel->maps.lb_vip_stats;
	m[DP_MAP_LB_BACKEND_STATS] = dp->skel->maps.lb_backend_stats;
	m[DP_MAP_PORT_CACHE] = dp->skel->maps.port_cache;
	m[DP_MAP_FIB4_ROOT] = dp->skel->maps.fib4_root;
	m[DP_MAP_FIB4_GROUPS] = dp->skel->maps.fib4_groups;
	m[DP_MAP_FIB6_ROOT] = dp->skel->maps.fib6_root;
	m[DP_MAP_FIB6_GROUPS] = dp->skel->maps.fib6_groups;
	m[DP_MAP_FIB6_P48] = dp->skel->maps.fib6_p48;
	m[DP_MAP_FIB_NHGS] = dp->skel->maps.fib_nhgs;
	m[DP_MAP_FIB_NHS] = dp->skel->maps.fib_nhs;
	m[DP_MAP_LB_VIP_BITS] = dp->skel->maps.lb_vip_bits;
	m[DP_MAP_LB_VIP_IDS] = dp->skel->maps.lb_vip_ids;
	m[DP_MAP_LB_FLOW_EVENTS] = dp->skel->maps.lb_flow_events;
	m[DP_MAP_CT] = dp->skel->maps.ct;
	m[DP_MAP_CT_CONFIG] = dp->skel->maps.ct_config;
	m[DP_MAP_CT_EVENTS] = dp->skel->maps.ct_events;
	m[DP_MAP_CT_GAUGES] = dp->skel->maps.ct_gauges;
	m[DP_MAP_CT_SWEEP] = dp->skel->maps.ct_sweep;
	m[DP_MAP_NAT_SNAT] = dp->skel->maps.nat_snat;
	m[DP_MAP_NAT_DNAT] = dp->skel->maps.nat_dnat;
	m[DP_MAP_NAT_FLOWS] = dp->skel->maps.nat_flows;
	m[DP_MAP_NAT_CONFIG] = dp->skel->maps.nat_config;
	m[DP_MAP_NAT_EVENTS] = dp->skel->maps.nat_events;
	m[DP_MAP_DDOS_CONFIG] = dp->skel->maps.ddos_config;
	m[DP_MAP_DDOS_BLOCK_V4] = dp->skel->maps.ddos_block_v4;
	m[DP_MAP_DDOS_BLOCK_V6] = dp->skel->maps.ddos_block_v6;
	m[DP_MAP_DDOS_BUCKETS] = dp->skel->maps.ddos_buckets;
	m[DP_MAP_DDOS_SERVICES] = dp->skel->maps.ddos_services;
	m[DP_MAP_DDOS_SVC_STATE] = dp->skel->maps.ddos_svc_state;
	m[DP_MAP_DDOS_SVC_SYNS] = dp->skel->maps.ddos_svc_syns;
	m[DP_MAP_DDOS_FLOWS] = dp->skel->maps.ddos_flows;
	m[DP_MAP_FW_PORTS] = dp->skel->maps.fw_ports;
	m[DP_MAP_FW_SETS] = dp->skel->maps.fw_sets;
	m[DP_MAP_FW_RULES] = dp->skel->maps.fw_rules;
	m[DP_MAP_FW_PS] = dp->skel->maps.fw_ps;
	m[DP_MAP_FW_PSX] = dp->skel->maps.fw_psx;
	m[DP_MAP_FW_LPM4] = dp->skel->maps.fw_lpm4;
	m[DP_MAP_FW_LPM6] = dp->skel->maps.fw_lpm6;
	m[DP_MAP_FW_LPM_PORT] = dp->skel->maps.fw_lpm_port;
	m[DP_MAP_FW_NSET4] = dp->skel->maps.fw_nset4;
	m[DP_MAP_FW_NSET6] = dp->skel->maps.fw_nset6;
	m[DP_MAP_FW_COUNTERS] = dp->skel->maps.fw_counters;
	m[DP_MAP_STEER_CONFIG] = dp->skel->maps.steer_config;
	m[DP_MAP_STEER_XSKS] = dp->skel->maps.steer_xsks;
	m[DP_MAP_STEER_PORTS] = dp->skel->maps.steer_ports;
	m[DP_MAP_STEER_DST] = dp->skel->maps.steer_dst;
	m[DP_MAP_STEER_COUNTERS] = dp->skel->maps.steer_counters;
	m[DP_MAP_LB_PREV_RINGS] = dp->skel->maps.lb_prev_rings;
	m[DP_MAP_LB_SECOND] = dp->skel->maps.lb_second;
	m[DP_MAP_TRACE_CFG] = dp->skel->maps.trace_cfg;
	m[DP_MAP_TRACE_STATS] = dp->skel->maps.trace_stats;
	m[DP_MAP_TRACE_EVENTS] = dp->skel->maps.trace_events;
	m[DP_MAP_NEIGH_WANTED] = dp->skel->maps.neigh_wanted;
}

static void decap_maps(struct dp *dp)
{
	struct bpf_map **m = dp->maps;

	m[DP_MAP_IFACES] = dp->decap->maps.ifaces;
	m[DP_MAP_VLANS] = dp->decap->maps.vlans;
	m[DP_MAP_TX_PORTS] = dp->decap->maps.tx_ports;
	m[DP_MAP_STATS] = dp->decap->maps.stats;
	m[DP_MAP_LOCAL_ADDRS] = dp->decap->maps.local_addrs;
	m[DP_MAP_PORT_CACHE] = dp->decap->maps.port_cache;
	m[DP_MAP_TRACE_CFG] = dp->decap->maps.trace_cfg;
	m[DP_MAP_TRACE_STATS] = dp->decap->maps.trace_stats;
	m[DP_MAP_TRACE_EVENTS] = dp->decap->maps.trace_events;
}

int dp_fd(const struct dp *dp, int id)
{
	if (id < 0 || id >= DP_MAP_ALL)
		return -EINVAL;
	return dp->maps[id] ? bpf_map__fd(dp->maps[id]) : -EOPNOTSUPP;
}

int dp_map_fd(const struct dp *dp, enum dp_map_id id)
{
	return id < DP_MAP_COUNT ? dp_fd(dp, (int)id) : -EINVAL;
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
	/* it reads the XDP object's /48 index: the same size */
	dp->tc->rodata->cfg_fib6_p48_bits = dp->skel->rodata->cfg_fib6_p48_bits;
	err = share_maps(dp, dp->tc->obj);
	if (err)
		return err;
	err = sluice_tc__load(dp->tc);
	if (err)
		pr_err("dp: cannot load the TC object: %s", strerror(-err));
	return err;
}

/* Conntrack's administration program runs over the XDP object's maps
 * (lib/dp/ct.c); its timers age the entries it fills. */
static int open_ct_admin(struct dp *dp)
{
	struct sluice_ct_config c;
	__u32 zero = 0;
	int err;

	dp->ct_admin = sluice_ct__open();
	if (!dp->ct_admin)
		return -errno;
	err = share_maps(dp, dp->ct_admin->obj);
	if (!err)
		err = sluice_ct__load(dp->ct_admin);
	if (err) {
		pr_err("dp: cannot load the conntrack administration program: "
		       "%s",
		       strerror(-err));
		return err;
	}
	/* a new table gets the compiled timeouts (all zero would expire
	 * every entry at once); the daemon writes its own over them */
	if (!dp_lookup(dp, DP_MAP_CT_CONFIG, &zero, &c) &&
	    !c.timeout[SLUICE_CT_ESTABLISHED]) {
		__u32 enabled = c.enabled;

		dp_ct_default_config(&c);
		c.enabled = enabled;
		err = dp_update(dp, DP_MAP_CT_CONFIG, &zero, &c);
		if (err)
			return err;
	}
	err = dp_ct_sweep_arm(dp);
	if (err)
		pr_err("dp: cannot arm the conntrack sweep: %s",
		       strerror(-err));
	return err;
}

/* The TC egress program over the XDP object's maps (tc_egress.c). */
static int open_egress(struct dp *dp)
{
	int err;

	dp->egress = sluice_egress__open();
	if (!dp->egress)
		return -errno;
	err = share_maps(dp, dp->egress->obj);
	if (!err)
		err = sluice_egress__load(dp->egress);
	if (err)
		pr_err("dp: cannot load the TC egress program: %s",
		       strerror(-err));
	return err;
}

int dp_netns_cookie(__u64 *out)
{
	socklen_t len = sizeof(*out);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, out, &len))
		err = -errno;
	close(fd);
	return err;
}

/* Whether this kernel refuses a redirect to a port that cannot take XDP
 * frames at enqueue, where xdp_redirect_err reports it: the ports'
 * xdp_features, since Linux 6.3.  Before, a veth dropped such frames at
 * transmission, reported only by xdp_devmap_xmit, a tracepoint every bulk
 * of every port passes. */
static bool refused_at_enqueue(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	bool yes;

	if (!vmlinux)
		return true; /* no BTF: nothing of sluice_xmit loads anyway */
	yes = btf__find_by_name_kind(vmlinux, "netdev_xdp_act",
				     BTF_KIND_ENUM) >= 0;
	btf__free(vmlinux);
	return yes;
}

static int load_xmit(void *skel)
{
	return sluice_xmit__load(skel);
}

/* The loss counters after the data path (bpf/sluice_xmit.bpf.c): over the
 * XDP object's ports, their own map pinned beside the others.  Loaded with
 * the router; attached only by dp_xmit_attach() (sluiced), since the
 * tracepoints are the whole machine's.  Optional: a kernel that cannot load
 * it forwards as well, without these counts. */
static void open_xmit(struct dp *dp)
{
	bool reused = false;
	__u64 cookie = 0;
	int err;

	dp->xmit = sluice_xmit__open();
	err = dp->xmit ? dp_netns_cookie(&cookie) : -errno;
	if (!err) {
		dp->xmit->rodata->cfg_netns_cookie = cookie;
		/* no cost per bulk where the refusal is seen without it */
		bpf_program__set_autoload(dp->xmit->progs.sluice_xmit_devmap,
					  !refused_at_enqueue());
		err = share_maps(dp, dp->xmit->obj) ?:
			      load_pinned(dp->xmit->obj, dp->pin_dir, &reused,
					  load_xmit, dp->xmit);
	}
	if (err) {
		pr_warn("dp: frames the kernel drops after a redirect will not "
			"be counted: cannot load sluice_xmit: %s",
			strerror(-err));
		sluice_xmit__destroy(dp->xmit);
		dp->xmit = NULL;
		return;
	}
	dp->maps[DP_MAP_XMIT_DROPS] = dp->xmit->maps.xmit_drops;
}

int dp_xmit_test_fd(const struct dp *dp)
{
	return dp->xmit ? bpf_program__fd(dp->xmit->progs.sluice_xmit_test) :
			  -EOPNOTSUPP;
}

int dp_egress_prog_fd(const struct dp *dp)
{
	return dp->egress ? bpf_program__fd(dp->egress->progs.sluice_egress) :
			    -EOPNOTSUPP;
}

int dp_steer_probe_fd(const struct dp *dp)
{
	return dp->skel ? bpf_program__fd(dp->skel->progs.sluice_steer_probe) :
			  -EOPNOTSUPP;
}

int dp_ct_admin_fd(const struct dp *dp)
{
	return dp->ct_admin ?
		       bpf_program__fd(dp->ct_admin->progs.sluice_ct_admin) :
		       -EOPNOTSUPP;
}

/* A pinned table keeps its capacity: the new one would not match it. */
static int size_ct(const struct dp *dp, struct bpf_map *ct, __u32 want)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	if (dp->pin_dir) {
		snprintf(path, sizeof(path), "%s/ct", dp->pin_dir);
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
			    info.max_entries != want) {
				pr_warn("dp: the pinned conntrack table holds "
					"%u entries, not the %u asked for: "
					"kept (remove %s to resize)",
					info.max_entries, want, path);
				want = info.max_entries;
			}
			close(fd);
		}
	}
	return bpf_map__set_max_entries(ct, want);
}

/* NAT's bindings and aliases: two for each conntrack entry at most. */
static int size_nat(const struct dp *dp, struct bpf_map *flows, __u32 ct_max)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), want = 2 * ct_max;
	char path[PATH_MAX];
	int fd;

	if (dp->pin_dir) {
		snprintf(path, sizeof(path), "%s/nat_flows", dp->pin_dir);
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			if (!bpf_obj_get_info_by_fd(fd, &info, &len))
				want = info.max_entries;
			close(fd);
		}
	}
	return bpf_map__set_max_entries(flows, want);
}

/* The devmap is pinned by hand after the load (layout.c, reuse_pinned()). */
static int pin_devmap(struct dp *dp, struct bpf_map *tx_ports)
{
	char path[PATH_MAX];

	if (!dp->pin_dir)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dp->pin_dir,
		 bpf_map__name(tx_ports));
	return access(path, F_OK) ? bpf_map__pin(tx_ports, path) : 0;
}

/* The flow table's slots and the programs' constant, set together
 * (uapi/sluice/lb_flows.h): twice @max_flows, a power of two. */
static int size_flows(struct dp *dp, __u32 max_flows)
{
	int bits = sluice_lb_flow_bits(max_flows);

	if (bits < 0) {
		pr_err("dp: lb_flows: %u flows: not from 1 to %u", max_flows,
		       1u << (SLUICE_LB_FLOW_BITS_MAX - 1));
		return -EINVAL;
	}
	dp->skel->rodata->cfg_lb_flow_bits = (__u32)bits;
	pr_info("dp: lb_flows: %u slots for %u flows (%u MiB)", 1u << bits,
		max_flows,
		(unsigned int)(sizeof(struct sluice_lb_flow_slot) << bits >>
			       20));
	return bpf_map__set_max_entries(dp->skel->maps.lb_flows, 1u << bits);
}

/* The IPv6 /48 index's size: the map's buckets and the programs'
 * constant, set together (uapi/sluice/fib_p48.h). */
static int size_fib6_index(struct dp *dp, const struct dp_opts *opts)
{
	int bits = SLUICE_FIB6_P48_BITS;
	__u32 slots = opts ? opts->fib6_index_slots : 0;

	if (opts && opts->fib6_index_off) {
		bits = 0;
	} else if (slots) {
		bits = sluice_fib6_p48_slots_bits(slots);
		if (bits < 0) {
			pr_err("dp: IPv6 index slots %u: not a power of two "
			       "from %u to %u",
			       slots, SLUICE_FIB6_P48_SLOTS_MIN,
			       SLUICE_FIB6_P48_SLOTS_MAX);
			return -EINVAL;
		}
	}
	dp->skel->rodata->cfg_fib6_p48_bits = (unsigned int)bits;
	dp->fib6_p48_bits = (unsigned int)bits;
	return bpf_map__set_max_entries(dp->skel->maps.fib6_p48,
					bits ? 1u << bits : 1);
}

static int open_router(struct dp *dp, const struct dp_opts *opts)
{
	int err, template_fd, prev_fd;

	dp->skel = sluice_xdp__open();
	if (!dp->skel) {
		err = -errno;
		pr_err("dp: cannot open the XDP object: %s", strerror(-err));
		return err;
	}
	err = size_flows(dp, opts && opts->lb_max_flows ? opts->lb_max_flows :
							  SLUICE_LB_MAX_FLOWS);
	if (!err && opts && opts->fib4_groups)
		err = bpf_map__set_max_entries(dp->skel->maps.fib4_groups,
					       opts->fib4_groups);
	if (!err && opts && opts->fib6_groups)
		err = bpf_map__set_max_entries(dp->skel->maps.fib6_groups,
					       opts->fib6_groups);
	if (!err)
		err = size_fib6_index(dp, opts);
	if (!err)
		err = size_ct(dp, dp->skel->maps.ct,
			      opts && opts->ct_max_entries ?
				      opts->ct_max_entries :
				      SLUICE_CT_MAX_ENTRIES);
	if (!err)
		err = size_nat(dp, dp->skel->maps.nat_flows,
			       bpf_map__max_entries(dp->skel->maps.ct));
	if (err)
		return err;
	if (opts && opts->lb_disabled)
		dp->skel->rodata->cfg_lb_enabled = 0;
	/* rings the daemon writes through a mapping (lb_ring.c); a pinned
	 * lb_rings keeps the template it was made with */
	template_fd = dp_rings_template(dp->skel->maps.lb_rings);
	if (template_fd < 0)
		pr_warn("dp: Maglev rings cannot be mapped (%s): slots are "
			"written through syscalls",
			strerror(-template_fd));
	/* second chance's previous tables: rings of the same kind */
	prev_fd = dp_rings_template(dp->skel->maps.lb_prev_rings);
	err = load_pinned(dp->skel->obj, dp->pin_dir, &dp->maps_reused,
			  load_xdp, dp->skel);
	if (template_fd >= 0)
		close(template_fd); /* the outer map has its own copy */
	if (prev_fd >= 0)
		close(prev_fd);
	if (err == -EPROTO) /* layout.c said which map and why */
		return err;
	if (!err)
		err = pin_devmap(dp, dp->skel->maps.tx_ports);
	if (err) {
		pr_err("dp: cannot load the XDP object: %s%s", strerror(-err),
		       dp->maps_reused ? " (pinned maps from an incompatible "
					 "version? remove the pin dir)" :
					 "");
		return err;
	}
	router_maps(dp);
	err = dp_port_cache_open(dp)	   ?:
		      dp_lb_flows_open(dp) ?:
		      dp_fib_open(dp)	   ?:
		      open_ct_admin(dp)	   ?:
					     open_egress(dp);
	if (err)
		return err;
	open_xmit(dp);
	/* pinned VIPs from an earlier run: count them, set their bits and
	 * their ids (these maps are new to older pin dirs, and may be a
	 * superset after a crash) */
	return dp_lb_vip_count_sync(dp)	       ?:
		       dp_lb_vip_bits_sync(dp) ?:
						 dp_lb_vip_ids_sync(dp);
}

/* The backend role loads this object alone: its ports, counters and local
 * addresses are all it has, pinned like the router's. */
static int open_decap(struct dp *dp)
{
	int err;

	dp->decap = sluice_decap__open();
	if (!dp->decap) {
		err = -errno;
		pr_err("dp: cannot open the decapsulation object: %s",
		       strerror(-err));
		return err;
	}
	err = load_pinned(dp->decap->obj, dp->pin_dir, &dp->maps_reused,
			  load_decap, dp->decap);
	if (err == -EPROTO)
		return err;
	if (!err)
		err = pin_devmap(dp, dp->decap->maps.tx_ports);
	if (err) {
		pr_err("dp: cannot load the decapsulation object: %s",
		       strerror(-err));
		return err;
	}
	decap_maps(dp);
	return dp_port_cache_open(dp);
}

int dp_open(struct dp **out, const struct dp_opts *opts)
{
	struct dp *dp;
	int err;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	for (int i = 0; i < SLUICE_MAX_IFACES; i++)
		dp->links[i].fd = -1;
	dp->role = opts ? opts->role : DP_ROLE_ROUTER;
	/* the TC router runs over the router's maps */
	if (dp->role == DP_ROLE_BACKEND && opts && opts->load_tc) {
		err = -EINVAL;
		goto err_free;
	}
	dp->ncpus = libbpf_num_possible_cpus();
	if (dp->ncpus <= 0) {
		err = dp->ncpus ? dp->ncpus : -EINVAL;
		goto err_free;
	}

	if (opts && opts->pin_dir) {
		dp->pin_dir = strdup(opts->pin_dir);
		if (!dp->pin_dir) {
			err = -ENOMEM;
			goto err_free;
		}
		err = mkdir_p(dp->pin_dir);
		if (err) {
			pr_err("dp: cannot create pin dir %s: %s", dp->pin_dir,
			       strerror(-err));
			goto err_free;
		}
	}
	err = dp->role == DP_ROLE_BACKEND ? open_decap(dp) :
					    open_router(dp, opts);
	if (err)
		goto err_skel;
	if (opts && opts->load_tc) {
		err = open_tc(dp);
		if (err)
			goto err_skel;
	}
	*out = dp;
	return 0;

err_skel:
	dp_fib_close(dp);
	dp_lb_flows_close(dp);
	dp_port_cache_close(dp);
	sluice_tc__destroy(dp->tc);
	sluice_ct__destroy(dp->ct_admin);
	sluice_xmit__destroy(dp->xmit);
	sluice_egress__destroy(dp->egress);
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
	dp_fib_close(dp);
	dp_lb_flows_close(dp);
	dp_port_cache_close(dp);
	sluice_tc__destroy(dp->tc);
	sluice_ct__destroy(dp->ct_admin);
	sluice_xmit__destroy(dp->xmit);
	sluice_egress__destroy(dp->egress);
	sluice_decap__destroy(dp->decap);
	sluice_xdp__destroy(dp->skel);
	dp_rings_free(dp);
	free(dp->pin_dir);
	free(dp);
}

static int unpin_obj(const struct dp *dp, const struct bpf_object *obj)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int err = 0;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dp->pin_dir,
			 bpf_map__name(map));
		if (unlink(path) && errno != ENOENT && !err)
			err = -errno;
	}
	return err;
}

/* Until the backend role loaded sluice_decap alone, it also pinned the
 * router's maps: a pin dir from then still holds them.  Opening the object
 * (no load) is enough to know their names. */
static int unpin_old_router_maps(const struct dp *dp)
{
	struct sluice_xdp *skel = sluice_xdp__open();
	int err;

	if (!skel)
		return -errno;
	err = unpin_obj(dp, skel->obj);
	sluice_xdp__destroy(skel);
	return err;
}

int dp_unpin_maps(struct dp *dp)
{
	char path[PATH_MAX];
	int err;

	if (!dp->pin_dir)
		return 0;
	err = dp->skel ? unpin_obj(dp, dp->skel->obj) :
			 unpin_obj(dp, dp->decap->obj);
	if (dp->xmit) { /* its own map, and the XDP object's again */
		int x = unpin_obj(dp, dp->xmit->obj);

		if (!err)
			err = x;
	}
	if (dp->role == DP_ROLE_ROUTER) { /* its links go with the pins */
		int x = dp_xmit_unpin_links(dp);

		if (!err)
			err = x;
	}
	if (!dp->skel) {
		int old = unpin_old_router_maps(dp);

		if (!err)
			err = old;
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

void dp_link_pin_path(const struct dp *dp, const char *ifname, char *buf,
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
	int fd, err;

	fd = dp_pinned_link(path, &info);
	if (fd < 0)
		return fd;
	if (info.type != BPF_LINK_TYPE_XDP ||
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
	      enum dp_xdp_mode mode, enum dp_xdp_mode *mode_out, bool *adopted)
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
		dp_link_pin_path(dp, ifname, path, sizeof(path));
		fd = adopt_link(dp, ifindex, path);
		if (fd >= 0)
			*adopted = true;
	}
	if (fd < 0) {
		lo.flags = mode == DP_XDP_GENERIC ? XDP_FLAGS_SKB_MODE :
						    XDP_FLAGS_DRV_MODE;
		fd = bpf_link_create(dp_xdp_prog_fd(dp), ifindex, BPF_XDP, &lo);
		/* EBUSY, EEXIST: the port has a program already (another
		 * sluiced's, say), which generic mode would not change */
		if (fd < 0 && mode == DP_XDP_AUTO && errno != EBUSY &&
		    errno != EEXIST) {
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
			       err == -EBUSY || err == -EEXIST ?
				       " (another XDP program is attached: "
				       "ip -d link show; another sluiced?)" :
				       "");
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
	/* XDP runs first, so the TC filter goes only now: no gap */
	dp_tc_remove_stale(ifindex, ifname);
	dp_egress_attach(dp, ifindex, ifname);
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
		dp_link_pin_path(dp, ifname, path, sizeof(path));
		unlink(path);
	}
	if (!l)
		return -ENOENT;
	if (!keep)
		dp_egress_detach(l->ifindex);
	close(l->fd); /* with the pin gone this detaches the program */
	l->fd = -1;
	return 0;
}

/* ---- maps ---------------------------------------------------------------- */

int dp_update(const struct dp *dp, int id, const void *key, const void *value)
{
	int fd = dp_fd(dp, id);

	if (fd < 0)
		return fd;
	return bpf_map_update_elem(fd, key, value, BPF_ANY) ? -errno : 0;
}

int dp_delete(const struct dp *dp, int id, const void *key)
{
	int fd = dp_fd(dp, id);

	if (fd < 0)
		return fd;
	return bpf_map_delete_elem(fd, key) ? -errno : 0;
}

int dp_lookup(const struct dp *dp, int id, const void *key, void *value)
{
	int fd = dp_fd(dp, id);

	if (fd < 0)
		return fd;
	return bpf_map_lookup_elem(fd, key, value) ? -errno : 0;
}

int dp_map_delete(struct dp *dp, enum dp_map_id id, const void *key)
{
	if (id >= DP_MAP_COUNT)
		return -EINVAL;
	return dp_delete(dp, (int)id, key);
}

int dp_map_foreach(struct dp *dp, enum dp_map_id id, dp_key_cb cb, void *arg)
{
	struct bpf_map *m;
	void *key, *next, *val;
	int fd, err = 0;
	bool first = true;

	if (id >= DP_MAP_COUNT || id == DP_MAP_STATS)
		return -EINVAL;
	if (id == DP_MAP_LB_FLOWS) /* an array of slots: its own walk */
		return dp_lb_flow_foreach(dp, cb, arg);
	m = dp->maps[id];
	if (!m)
		return -EOPNOTSUPP;
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
	int n = 0, err;

	if (id == DP_MAP_LB_FLOWS)
		return dp_lb_flow_count(dp);
	err = dp_map_foreach(dp, id, count_cb, &n);

	return err ? err : n;
}
