/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/dp internal: struct dp and the map accessor.  dp.c (the core, the
 * only file that includes the skeletons) fills dp->maps from the object it
 * loaded; the feature files (route.c lb.c decap.c stats.c) reach the maps
 * only by id, so they never depend on which object holds a map.
 */
#ifndef SLUICE_DP_INTERNAL_H
#define SLUICE_DP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/libbpf.h>
#include "dp.h"

/* Maps only lib/dp names, numbered on from the public enum dp_map_id. */
enum {
	DP_MAP_LB_CONFIG = DP_MAP_COUNT,
	DP_MAP_LB_VIP_COUNT,
	DP_MAP_LB_RINGS,
	DP_MAP_LB_VIP_STATS,
	DP_MAP_LB_BACKEND_STATS,
	DP_MAP_LB_VIP_BITS,
	DP_MAP_LB_VIP_IDS,
	DP_MAP_LB_FLOW_EVENTS,
	DP_MAP_LOCAL_ADDRS,
	DP_MAP_PORT_CACHE, /* port_cache.c */
	DP_MAP_FIB4_ROOT,  /* the compiled forwarding table (fib.c) */
	DP_MAP_FIB4_GROUPS,
	DP_MAP_FIB6_ROOT,
	DP_MAP_FIB6_GROUPS,
	DP_MAP_FIB6_P48,
	DP_MAP_FIB_NHGS,
	DP_MAP_FIB_NHS,
	DP_MAP_CT, /* connection tracking (ct.c) */
	DP_MAP_CT_CONFIG,
	DP_MAP_CT_EVENTS,
	DP_MAP_CT_GAUGES,
	DP_MAP_CT_SWEEP,
	DP_MAP_NAT_SNAT, /* nat.c */
	DP_MAP_NAT_DNAT,
	DP_MAP_NAT_FLOWS,
	DP_MAP_NAT_CONFIG,
	DP_MAP_NAT_EVENTS,
	DP_MAP_DDOS_CONFIG, /* the DDoS guard (ddos.c) */
	DP_MAP_DDOS_BLOCK_V4,
	DP_MAP_DDOS_BLOCK_V6,
	DP_MAP_DDOS_BUCKETS,
	DP_MAP_DDOS_SERVICES,
	DP_MAP_DDOS_SVC_STATE,
	DP_MAP_DDOS_SVC_SYNS,
	DP_MAP_DDOS_FLOWS,
	DP_MAP_FW_PORTS, /* the firewall (fw.c) */
	DP_MAP_FW_SETS,
	DP_MAP_FW_RULES,
	DP_MAP_FW_PS,
	DP_MAP_FW_PSX,
	DP_MAP_FW_LPM4,
	DP_MAP_FW_LPM6,
	DP_MAP_FW_LPM_PORT,
	DP_MAP_FW_NSET4,
	DP_MAP_FW_NSET6,
	DP_MAP_FW_COUNTERS,
	DP_MAP_STEER_CONFIG, /* steering (steer.c) */
	DP_MAP_STEER_XSKS,
	DP_MAP_STEER_PORTS,
	DP_MAP_STEER_DST,
	DP_MAP_STEER_COUNTERS,
	DP_MAP_LB_PREV_RINGS, /* second chance (lb_second.c) */
	DP_MAP_LB_SECOND,
	DP_MAP_TRACE_CFG, /* the per-packet trace (trace.c) */
	DP_MAP_TRACE_STATS,
	DP_MAP_TRACE_EVENTS,
	DP_MAP_NEIGH_WANTED, /* on-link misses (neigh_wanted.c) */
	DP_MAP_XMIT_DROPS,   /* losses after a redirect (xmit.c) */
	DP_MAP_ALL
};

struct dp_fib;
struct dp_backend_hops;

struct dp_link {
	char ifname[32];
	int ifindex;
	int fd;
};

/* A port with our TC filter (tc.c).  The filter is no link and has no fd:
 * it stays in the kernel until removed, so this only records which
 * ifindex to remove it from; ifindex 0 is a free entry. */
struct dp_tc_port {
	char ifname[32];
	int ifindex;
};

struct dp {
	struct sluice_xdp *skel;
	struct sluice_decap *decap;   /* backend role only */
	struct sluice_tc *tc;	      /* when dp_opts.load_tc */
	struct sluice_ct *ct_admin;   /* router role: ct.c's requests */
	struct sluice_egress *egress; /* router role: tc_egress.c */
	struct sluice_xmit *xmit;     /* router role, optional: xmit.c */
	/* by id, from the loaded object; NULL where that object has none */
	struct bpf_map *maps[DP_MAP_ALL];
	enum dp_role role;
	char *pin_dir;
	bool maps_reused;
	int ncpus;
	struct dp_link links[SLUICE_MAX_IFACES];
	struct dp_tc_port tc_ports[SLUICE_MAX_IFACES];
	struct dp_fib *fib;		      /* router role (fib.c) */
	struct dp_backend_hops *backend_hops; /* lb_backend_hop.c */
	/* log2 of the IPv6 /48 index's buckets this load's programs read,
	 * 0 for none (dp.c size_fib6_index()) */
	unsigned int fib6_p48_bits;
	struct sluice_port_cache *port_cache; /* mmapped (port_cache.c) */
	struct dp_rings *rings;	    /* lb_ring.c: the rings it mapped */
	struct lb_flow_table flows; /* lb_flows.c: mapped (slot NULL: none) */
	__u32 fw_next;		    /* fw.c: the set id given last */
};

/* The conntrack administration program (dp.c), or -EOPNOTSUPP. */
int dp_ct_admin_fd(const struct dp *dp);
/* Steering's probe of the sockets' map (dp.c), or -EOPNOTSUPP. */
int dp_steer_probe_fd(const struct dp *dp);
/* The TC egress filter goes on and off with the port (tc_egress.c). */
void dp_egress_attach(struct dp *dp, int ifindex, const char *ifname);
void dp_egress_detach(int ifindex);

/* The loss counters' pinned tracepoint links removed (xmit_link.c): their
 * programs stop when sluiced's own links go too. */
int dp_xmit_unpin_links(const struct dp *dp);

/* The fd of map @id, or -EOPNOTSUPP when this role's object has none. */
int dp_fd(const struct dp *dp, int id);
/* One element of map @id: 0 or -errno.  Updates are BPF_ANY. */
int dp_update(const struct dp *dp, int id, const void *key, const void *value);
int dp_delete(const struct dp *dp, int id, const void *key);
int dp_lookup(const struct dp *dp, int id, const void *key, void *value);

/* Per-CPU maps (stats.c).  A value is @size bytes of __u64 counters:
 * dp_percpu_sum() adds each counter up over the CPUs into @out (zeroed
 * first); dp_percpu_zero() sets @key to zero on every CPU. */
int dp_percpu_sum(const struct dp *dp, int id, const void *key, void *out,
		  size_t size);
/* An array of @n event counters (__u64, keys 0..@n-1; ct_events,
 * nat_events, lb_flow_events), each summed over the CPUs into @out[key]. */
int dp_percpu_sum_events(const struct dp *dp, int id, __u32 n, __u64 *out);
int dp_percpu_zero(const struct dp *dp, int id, const void *key, size_t size);

/* Where the XDP link of @ifname is pinned (dp.c); dp->pin_dir is set. */
void dp_link_pin_path(const struct dp *dp, const char *ifname, char *buf,
		      size_t len);
/* The link pinned at @path, its info in @info (obj_info.c): its fd, or
 * -errno. */
int dp_pinned_link(const char *path, struct bpf_link_info *info);
/* @fd's map info (obj_info.c): 0 or -errno. */
int dp_map_info(int fd, struct bpf_map_info *info);
/* Removes sluice's TC filter from @ifindex if there is one (tc.c): a port
 * that was TC in an earlier run kept with --keep-on-exit and is XDP now. */
void dp_tc_remove_stale(int ifindex, const char *ifname);

/* port_cache.c: the ingress ports' array copy of ifaces. */
int dp_port_cache_open(struct dp *dp);
void dp_port_cache_close(struct dp *dp);
void dp_port_cache_set(struct dp *dp, __u32 ifindex,
		       const struct sluice_iface *v);
void dp_port_cache_del(struct dp *dp, __u32 ifindex);
/* The flow table (lb_flows.c): mapped after the load, unmapped at close. */
int dp_lb_flows_open(struct dp *dp);
void dp_lb_flows_close(struct dp *dp);
/* Maglev rings (lb_ring.c).  dp_rings_template() gives @outer (lb_rings,
 * before the load) an inner template whose rings can be mapped: the fd to
 * close after the load, or -errno.  dp_rings_free() unmaps them (dp_close). */
struct dp_rings;
int dp_rings_template(struct bpf_map *outer);
void dp_rings_free(struct dp *dp);

/* The exact number of VIPs into lb_vip_count (lb.c; at open). */
int dp_lb_vip_count_sync(struct dp *dp);

/* The VIP pre-check bitmap (lb_vip_bits.c): the bits of every VIP in
 * lb_vips (at open); @k's bit set (before its insert); @k's bit cleared
 * unless a remaining VIP has it (after its delete). */
int dp_lb_vip_bits_sync(struct dp *dp);
int dp_lb_vip_bit_add(struct dp *dp, const struct sluice_vip_key *k);
int dp_lb_vip_bit_release(struct dp *dp, const struct sluice_vip_key *k);
/* The VIPs by id (lb_vip_ids.c, uapi lb.h): @v under its id, or the id
 * forgotten; and at open, every VIP of lb_vips and nothing else. */
int dp_lb_vip_id_set(struct dp *dp, const struct sluice_vip_key *k,
		     const struct sluice_vip *v);
int dp_lb_vip_id_clear(struct dp *dp, __u32 vip_id);
int dp_lb_vip_ids_sync(struct dp *dp);

#endif
