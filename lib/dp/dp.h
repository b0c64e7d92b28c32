/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/dp: the one door to the data path.  Opens, loads, pins and attaches the
 * XDP program and offers typed map operations.  The daemon, the tests and the
 * benchmarks all call these, so tests exercise what production runs.
 * Functions return 0 or -errno.
 */
#ifndef SLUICE_DP_H
#define SLUICE_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <uapi/sluice/fib_p48.h>
#include <uapi/sluice/sluice.h>
#include "lb_flow_table.h"

struct dp;

enum dp_xdp_mode {
	DP_XDP_AUTO,	/* native; generic with a warning if refused */
	DP_XDP_NATIVE,	/* native or fail */
	DP_XDP_GENERIC, /* generic (skb) mode, as asked */
};

enum dp_role {
	DP_ROLE_ROUTER,	 /* the XDP router and load balancer */
	DP_ROLE_BACKEND, /* a load-balanced server: decapsulation
				 * alone (sluice_decap; the router's and
				 * the LB's map operations say -EOPNOTSUPP) */
};

struct dp_opts {
	/* Pin maps (and links) here and reuse what is already pinned; NULL
	 * means no pinning at all (tests, benchmarks). */
	const char *pin_dir;
	/* Load-time settings (0 = the compiled default). */
	__u32 lb_max_flows; /* LRU flow table size */
	bool lb_disabled;   /* skip the VIP lookup entirely */
	enum dp_role role;  /* which object is loaded and attached */
	bool load_tc;	    /* also load the TC (clsact) router (the
				 * router role only: -EINVAL otherwise) */
	/* groups of 256 entries in the forwarding table's pools (0: the
	 * compiled SLUICE_FIB4_GROUPS / SLUICE_FIB6_GROUPS); a prefix longer
	 * than /24 needs one for each 8 bits past 24 that no other prefix
	 * shares */
	__u32 fib4_groups;
	__u32 fib6_groups;
	/* the IPv6 /48 index's slots (uapi/sluice/fib_p48.h): 0 for the
	 * default (SLUICE_FIB6_P48_WAYS << SLUICE_FIB6_P48_BITS), else a power
	 * of two of SLUICE_FIB6_P48_SLOTS_MIN..MAX; @fib6_index_off: none (IPv6
	 * lookups walk the table) */
	__u32 fib6_index_slots;
	bool fib6_index_off;
	/* connection tracking's capacity (0: SLUICE_CT_MAX_ENTRIES); a
	 * pinned table keeps the capacity it was made with */
	__u32 ct_max_entries;
};

/* Routes libbpf's own messages through lib/common's logger. */
void dp_log_route_libbpf(void);

int dp_open(struct dp **out, const struct dp_opts *opts);
/* Closes everything this process holds.  Pinned maps and links stay. */
void dp_close(struct dp *dp);
/* Removes the pinned maps (after links are detached): full teardown. */
int dp_unpin_maps(struct dp *dp);

/* The program dp_attach() attaches: sluice_xdp, or sluice_decap for the
 * backend role (the only object that role loads). */
int dp_xdp_prog_fd(const struct dp *dp);
enum dp_role dp_role(const struct dp *dp);
/* The TC router over the same maps (dp_opts.load_tc), or -ENOENT. */
int dp_tc_prog_fd(const struct dp *dp);
/* The TC egress program (connection tracking of what the host sends,
 * bpf/sluice_egress.bpf.c) that dp_attach() and dp_tc_attach() put on
 * each router port, or -EOPNOTSUPP (backend role). */
int dp_egress_prog_fd(const struct dp *dp);
bool dp_maps_reused(const struct dp *dp);

/* Attach to @ifindex.  A link pinned for @ifname on the same ifindex is
 * adopted and switched to our program atomically (no gap).  *mode_out says
 * what the kernel actually gave. */
int dp_attach(struct dp *dp, int ifindex, const char *ifname,
	      enum dp_xdp_mode mode, enum dp_xdp_mode *mode_out, bool *adopted);
/* Detaches and removes the pinned link.  With @keep, only forgets it:
 * the program stays attached through the pin. */
int dp_detach(struct dp *dp, const char *ifname, bool keep);
/* @ifindex was a port of an earlier run (kept with --keep-on-exit) and
 * is none of this one's: sluice's TC router and egress filters are taken
 * off it, if it still exists (tc.c).  Its XDP link: dp_links_prune(). */
void dp_port_forget(struct dp *dp, __u32 ifindex);
/* Removes the pinned XDP links an earlier run left on interfaces @wanted
 * says no (link_prune.c): their programs detach.  Returns how many went,
 * or -errno when the pin dir cannot be read. */
int dp_links_prune(struct dp *dp, bool (*wanted)(const char *ifname, void *),
		   void *arg);
/*
 * The TC router (dp_opts.load_tc) at @ifindex's clsact ingress, for ports
 * whose traffic starts in containers (docs/veth.md): a TC redirect keeps
 * the skb's checksum state where an XDP one loses it.  The clsact qdisc is
 * created when missing.  The filter is no link: it stays attached when
 * the process exits, so a filter an earlier run left (--keep-on-exit) is
 * switched to our program in place, atomically (*adopted is set; may be
 * NULL).  A filter of another program in our place: -EBUSY.  An XDP link
 * an earlier run pinned for @ifname is removed once the filter is in.
 * Without the TC object: -ENOENT.
 */
int dp_tc_attach(struct dp *dp, int ifindex, const char *ifname, bool *adopted);
/* Removes our filter; with @keep, only forgets it (it stays attached).
 * The clsact qdisc is left alone either way: other filters may use it,
 * and an empty one costs nothing.  Not attached by us: -ENOENT. */
int dp_tc_detach(struct dp *dp, const char *ifname, bool keep);
const char *dp_xdp_mode_name(enum dp_xdp_mode m);
int dp_xdp_mode_parse(const char *s, enum dp_xdp_mode *out);

/* ---- typed map operations ------------------------------------------------ */
int dp_iface_set(struct dp *dp, __u32 ifindex, const struct sluice_iface *v);
int dp_iface_del(struct dp *dp, __u32 ifindex);
int dp_vlan_set(struct dp *dp, __u32 parent, __u16 vid, __u32 ifindex);
int dp_vlan_del(struct dp *dp, __u32 parent, __u16 vid);
/* tx_ports: physical ports frames may be redirected to */
int dp_port_set(struct dp *dp, __u32 ifindex);
int dp_port_del(struct dp *dp, __u32 ifindex);

/* @family AF_INET or AF_INET6, @addr network order (4 or 16 bytes) */
int dp_route_set(struct dp *dp, int family, const void *addr, unsigned int plen,
		 const struct sluice_route *rt);
int dp_route_del(struct dp *dp, int family, const void *addr,
		 unsigned int plen);
int dp_route_get(struct dp *dp, int family, const void *addr, unsigned int plen,
		 struct sluice_route *rt);

int dp_nhg_set(struct dp *dp, __u32 id, const struct sluice_nhg *g);
int dp_nhg_del(struct dp *dp, __u32 id);
int dp_nhg_get(struct dp *dp, __u32 id, struct sluice_nhg *g);

int dp_neigh_set(struct dp *dp, const struct sluice_neigh_key *k,
		 const struct sluice_neigh *v);
int dp_neigh_del(struct dp *dp, const struct sluice_neigh_key *k);
int dp_neigh_get(struct dp *dp, const struct sluice_neigh_key *k,
		 struct sluice_neigh *v);
/* Takes up to @max of the on-link destinations the data path found no
 * neighbour for (bpf/lib/neigh_wanted.h) into @keys, deleting each: how
 * many, or -errno (-EOPNOTSUPP: an object without them, the backend
 * role). */
int dp_neigh_wanted_take(struct dp *dp, struct sluice_neigh_key *keys, int max);

/* The compiled forwarding table (uapi/sluice/fib.h), router role. */
struct dp_fib_usage {
	__u64 v4_routes, v6_routes;
	__u32 v4_groups, v4_groups_max;
	__u32 v6_groups, v6_groups_max;
	/* the IPv6 /48 index (uapi/sluice/fib_p48.h): slots in use, of */
	__u32 v6_index_slots, v6_index_slots_max;
	__u32 nhgs, nhs; /* fib_nhgs and fib_nhs entries in use */
};
int dp_fib_stats(struct dp *dp, struct dp_fib_usage *u);
/* Once the routes are the kernel's again after an adoption: takes out of
 * the compiled table the prefixes no route has (left when the pinned
 * routes were rebuilt rather than adopted); logged.  0 or -errno. */
int dp_fib_prune(struct dp *dp);
/* The packet path's lookup, in C: the target (SLUICE_FIB_*), 0 = none. */
__u32 dp_fib_lookup(struct dp *dp, int family, const void *addr);

/* Sums the per-CPU counters of one slot into out[SLUICE_REASON_SLOTS]
 * (indexed by reason number; numbers not in the list read 0). */
int dp_stats_read(struct dp *dp, __u32 slot, struct sluice_counter *out);
int dp_stats_clear(struct dp *dp);

/* Walks every key of a map; the callback returns 0 to go on.  Used to
 * reconcile pinned state with what the kernel says after a restart.
 * A map the role's object does not have: -EOPNOTSUPP (and from
 * dp_map_fd()). */
enum dp_map_id {
	DP_MAP_ROUTES_V4,
	DP_MAP_ROUTES_V6,
	DP_MAP_NHGS,
	DP_MAP_NEIGHBORS,
	DP_MAP_IFACES,
	DP_MAP_VLANS,
	DP_MAP_TX_PORTS,
	DP_MAP_STATS,
	DP_MAP_LB_VIPS,
	DP_MAP_LB_BACKENDS,
	DP_MAP_LB_FLOWS,
	DP_MAP_COUNT
};
/* The LPM key of a prefix and the map it goes in; -EINVAL for a bad
 * family or length.  Pure: fakes of the data path use it too. */
union dp_lpm_key {
	struct sluice_lpm4_key v4;
	struct sluice_lpm6_key v6;
};
int dp_lpm_key(int family, const void *addr, unsigned int plen,
	       union dp_lpm_key *k, enum dp_map_id *id);

typedef int (*dp_key_cb)(const void *key, const void *value, void *arg);
int dp_map_foreach(struct dp *dp, enum dp_map_id id, dp_key_cb cb, void *arg);
int dp_map_fd(const struct dp *dp, enum dp_map_id id);
int dp_map_delete(struct dp *dp, enum dp_map_id id, const void *key);
/* Entries in use (walks the map). */
int dp_map_count(struct dp *dp, enum dp_map_id id);
const char *dp_map_name(enum dp_map_id id);

/* ---- load balancer ---------------------------------------------------------- */
int dp_lb_config_set(struct dp *dp, const struct sluice_lb_config *c);
int dp_lb_config_get(struct dp *dp, struct sluice_lb_config *c);
int dp_vip_set(struct dp *dp, const struct sluice_vip_key *k,
	       const struct sluice_vip *v);
int dp_vip_del(struct dp *dp, const struct sluice_vip_key *k);
int dp_backend_set(struct dp *dp, __u32 id, const struct sluice_backend *b);
int dp_backend_get(struct dp *dp, __u32 id, struct sluice_backend *b);
int dp_backend_del(struct dp *dp, __u32 id);

/* The Maglev table of @vip_id.  dp_ring_install() builds a complete new
 * table of @ring_size slots and swaps it in atomically (first install, or
 * a change of M); dp_ring_write() changes slots of the installed table in
 * place (through a mapping of the ring when it has one, else in batches);
 * dp_ring_read() reads it back (restart adoption).  lib/dp/lb_ring.c. */
int dp_ring_install(struct dp *dp, __u32 vip_id, __u32 ring_size,
		    const __u32 *table);
int dp_ring_write(struct dp *dp, __u32 vip_id, const __u32 *slots,
		  const __u32 *values, __u32 n);
/* The installed table of @m slots was @old and becomes @nw: writes the
 * slots where they differ (what dp_ring_write() would be given, without
 * the lists), *@changed of them; 0 or -errno (a failure may have written
 * some: writing @old over @nw puts them back). */
int dp_ring_update(struct dp *dp, __u32 vip_id, __u32 m, const __u32 *old,
		   const __u32 *nw, __u32 *changed);
/* *ring_size is set to the installed table's size (0 if none). */
int dp_ring_read(struct dp *dp, __u32 vip_id, __u32 *table, __u32 max,
		 __u32 *ring_size);
int dp_ring_del(struct dp *dp, __u32 vip_id);

int dp_lb_vip_stats(struct dp *dp, __u32 vip_id, struct sluice_lb_counter *out);
int dp_lb_backend_stats(struct dp *dp, __u32 id, struct sluice_lb_counter *out);
int dp_lb_stats_clear(struct dp *dp, __u32 vip_id, __u32 backend_id);
/* The VIP pre-check bitmap as the data path sees it, and the bit of a
 * VIP's address in it (uapi/sluice/lb.h). */
int dp_lb_vip_bits_read(struct dp *dp, struct sluice_lb_vip_bits *b);
__u32 dp_lb_vip_bit(const struct sluice_vip_key *k);
/* The flow table (uapi/sluice/lb_flows.h; lib/dp/lb_flows.c), through
 * its mapping.  _count: the flows in it (a read of memory, no syscall);
 * _get: @k's entry, -ENOENT without one; _put: entered as the data path
 * would (0 new, 1 rewritten); _del: forgotten (0, -ENOENT); _foreach:
 * every flow, as dp_map_foreach() gives DP_MAP_LB_FLOWS's (key, struct
 * sluice_flow).  -EOPNOTSUPP where this role has no table. */
int dp_lb_flow_count(struct dp *dp);
int dp_lb_flow_get(struct dp *dp, const struct sluice_flow_key *k,
		   struct sluice_flow *out);
int dp_lb_flow_put(struct dp *dp, const struct sluice_flow_key *k,
		   const struct sluice_flow *v);
int dp_lb_flow_del(struct dp *dp, const struct sluice_flow_key *k);
int dp_lb_flow_foreach(struct dp *dp, dp_key_cb cb, void *arg);
/* The table's slots (2^bits), 0 where this role has none. */
__u32 dp_lb_flow_slots(const struct dp *dp);
/* Frames the kernel lost after the data path let go of them, on the port
 * of counter slot @slot (uapi/sluice/xmit.h; lib/dp/xmit.c): per event,
 * frames summed over CPUs and the -errno of the latest loss (0: none
 * given).  -EOPNOTSUPP when this data path has no such counters (the
 * backend role, or a kernel that could not load them). */
struct dp_xmit_drops {
	__u64 frames[SLUICE_XMIT_NEVENTS];
	int last_err[SLUICE_XMIT_NEVENTS];
};
int dp_xmit_drops(const struct dp *dp, __u32 slot, struct dp_xmit_drops *out);
/* The event's name in the API and /metrics ("redirect_failed" ...). */
const char *dp_xmit_event_name(unsigned int ev);
/* Starts counting: attaches to the kernel's xdp tracepoints, which are the
 * whole machine's (sluiced does; tests and benchmarks need not), and pins
 * the links in the pin dir (xmit_link_*), replacing an earlier run's, so
 * the counting goes on while sluiced is stopped with --keep-on-exit.  0,
 * -EOPNOTSUPP without the counters, or -errno (logged). */
int dp_xmit_attach(struct dp *dp);
/* The network namespace this process is in, as the kernel names it
 * (SO_NETNS_COOKIE: struct net's net_cookie), what sluice_xmit compares a
 * device's with: 0 or -errno. */
int dp_netns_cookie(__u64 *out);
/* The count without a tracepoint, for BPF_PROG_TEST_RUN (struct
 * sluice_xmit_test_ctx), or -EOPNOTSUPP. */
int dp_xmit_test_fd(const struct dp *dp);

/* What the data path's inserts could not do cleanly, by event (uapi
 * lb_flows.h SLUICE_LB_FLOW_EVENTS; lib/dp/lb_flow_events.c), summed over
 * CPUs: 0, -EOPNOTSUPP where this role has no table.  _name: NULL for a
 * free slot. */
int dp_lb_flow_events(struct dp *dp, __u64 out[SLUICE_LB_FLOW_NEVENTS]);
const char *dp_lb_flow_event_name(unsigned int ev);
/* The mapped table itself, for lb_flow_table.h's walk (sluiced's
 * /v1/lb/flows): -EOPNOTSUPP where this role has none. */
int dp_lb_flow_table(struct dp *dp, struct lb_flow_table *out);
/* Maps the flow table @fd (a pinned one, explain's copy; -EPROTO for a
 * map that is not one) for lb_flow_table.h's calls; 0 or -errno. */
int dp_lb_flow_table_map(int fd, struct lb_flow_table *t);
void dp_lb_flow_table_unmap(struct lb_flow_table *t);
/* Second chance (uapi/sluice/lb_second.h; lib/dp/lb_second.c): @vip_id's
 * previous table of @m slots, used until @until_ns (CLOCK_MONOTONIC, the
 * data path's clock); _del forgets it; _get reads lb_second. */
int dp_lb_second_set(struct dp *dp, __u32 vip_id, __u32 m, const __u32 *table,
		     __u64 until_ns);
int dp_lb_second_get(struct dp *dp, __u32 vip_id, struct sluice_lb_second *out);
int dp_lb_second_del(struct dp *dp, __u32 vip_id);

/* ---- backend role: decapsulation ------------------------------------------- */
/* Addresses of this host; tunnels to them are decapsulated. */
int dp_local_addr_set(struct dp *dp, int family, const void *addr);
int dp_local_addr_del(struct dp *dp, int family, const void *addr);
int dp_local_addr_foreach(struct dp *dp, dp_key_cb cb, void *arg);

/* ---- DDoS guard (uapi/sluice/ddos.h; lib/dp/ddos.c) ------------------------ */
/* The configuration; set keeps the F_BLOCK_* and F_SERVICES bits the map
 * has (the entries decide them) and sets F_LIMITS from @c->limit. */
int dp_ddos_config_get(struct dp *dp, struct sluice_ddos_config *c);
int dp_ddos_config_set(struct dp *dp, const struct sluice_ddos_config *c);
/* bpf_ktime_get_ns()'s clock, for sluice_ddos_block.expires_ns. */
__u64 dp_ddos_now_ns(void);

struct dp_ddos_prefix {
	__u8 family; /* AF_INET, AF_INET6 */
	__u8 plen;
	__u8 addr[16];	  /* network order, masked */
	__u64 expires_ns; /* 0: never */
};
/* One prefix; the host bits of @pf->addr must be zero (-EINVAL). */
int dp_ddos_block_add(struct dp *dp, const struct dp_ddos_prefix *pf);
int dp_ddos_block_del(struct dp *dp, int family, const void *addr,
		      unsigned int plen);
/* The entry of exactly @pf (-ENOENT), its expiry in *@expires_ns. */
int dp_ddos_block_get(struct dp *dp, const struct dp_ddos_prefix *pf,
		      __u64 *expires_ns);
/* @n prefixes in batches of map updates (one update each where the
 * kernel has no batch for LPM tries); *@done says how many went in. */
int dp_ddos_block_load(struct dp *dp, const struct dp_ddos_prefix *v, size_t n,
		       size_t *done);
typedef int (*dp_ddos_prefix_cb)(const struct dp_ddos_prefix *pf, void *arg);
int dp_ddos_block_foreach(struct dp *dp, dp_ddos_prefix_cb cb, void *arg);
/* Every entry of both tries out; the F_BLOCK_* bits cleared. */
int dp_ddos_block_flush(struct dp *dp);

/* A protected service and the id of its state (1..MAX-1). */
int dp_ddos_service_set(struct dp *dp, const struct sluice_ddos_service_key *k,
			__u32 id);
int dp_ddos_service_del(struct dp *dp, const struct sluice_ddos_service_key *k);
/* Any service in the map (restart: clearing what was pinned), -ENOENT. */
int dp_ddos_service_first(struct dp *dp, struct sluice_ddos_service_key *k);
/* Its cookie state and the SYNs of the current second summed over CPUs. */
int dp_ddos_service_state(struct dp *dp, __u32 id,
			  struct sluice_ddos_svc_state *st, __u64 *syns_now);
/* Buckets and cookie-opened connections in use (walks the LRUs). */
int dp_ddos_buckets_count(struct dp *dp);
int dp_ddos_flows_count(struct dp *dp);

/* ---- reasons (uapi/sluice/reasons.h; lib/dp/reasons.c) --------------------- */
#define DP_REASON_COUNT_(id, num, name, verdict) +1
/* How many reasons the list has (numbers may have holes). */
#define DP_REASON_COUNT (0 SLUICE_REASONS(DP_REASON_COUNT_))
/* The i-th reason number in the list, ascending; SLUICE_REASON_SLOTS past
 * the end. */
unsigned int dp_reason_at(size_t i);
/* "unknown" for a number that is not in the list. */
const char *dp_reason_name(unsigned int reason);
/* Number of a reason by its name, or -ENOENT. */
int dp_reason_by_name(const char *name);
/* SLUICE_V_* of a reason, or -ENOENT. */
int dp_reason_verdict(unsigned int reason);
/* "forward", "pass" or "drop": the label metrics and the API use. */
const char *dp_reason_verdict_name(unsigned int reason);

#endif
