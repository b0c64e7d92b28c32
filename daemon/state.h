/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The daemon's view of the kernel (links, routes, neighbours) and what it
 * has programmed into the data path.  Netlink events come in, map writes go
 * out through struct state_dp_ops: lib/dp in production, an in-memory fake
 * in tests/unit/test_state.c.  Single-threaded: the event loop owns it.
 */
#ifndef SLUICED_STATE_H
#define SLUICED_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>
#include "config.h"
#include "dp.h"
#include "neigh_probe.h"
#include "nl.h"

enum iface_state { IF_ABSENT, IF_ATTACHED, IF_ERROR };

#define ST_IFACE_ADDRS 8

/* An interface we manage: configured, or a VLAN subinterface of one. */
struct st_iface {
	char name[16];
	uint32_t ifindex; /* 0 while absent */
	uint32_t slot;
	enum iface_state state;
	enum dp_xdp_mode mode; /* what the kernel gave */
	bool configured;       /* false: VLAN subinterface, no XDP of its own */
	bool tc;	       /* configured for the TC program, not XDP */
	bool adopted;
	bool lost;	 /* disappeared after being attached */
	uint32_t parent; /* VLAN: parent ifindex */
	uint16_t vlan_id;
	uint8_t mac[6];
	uint32_t mtu;
	bool is_veth; /* back out of the port: devmap, not XDP_TX */
	/* its addresses in the order the kernel reported them (the local
	 * table): the first IPv4 and the first global IPv6 one are the LB's
	 * outer source when no range is configured */
	uint8_t addr4[ST_IFACE_ADDRS][4];
	uint8_t addr6[ST_IFACE_ADDRS][16];
	int n_addr4, n_addr6;
	char error[160];
};

struct st_link {
	UT_hash_handle hh;
	uint32_t ifindex;
	struct nl_link l;
};

struct st_nhg {
	UT_hash_handle hh;    /* by content */
	UT_hash_handle hh_id; /* by id */
	struct sluice_nhg g;
	uint32_t id;
	uint32_t refs;
};

/* One kernel route for a prefix: (table, metric, tos) tell them apart. */
struct st_variant {
	struct st_variant *next;
	uint32_t table;
	uint32_t priority;
	uint8_t tos;
	uint8_t protocol;
	uint8_t type; /* RTN_* */
	bool unsupported;
	const char *unsupported_why;
	uint32_t nh_id; /* nexthop object, when nh is not spelled out */
	int n_nh;
	struct nl_nh *nh;
};

/* A kernel nexthop object (ip nexthop), for routes that name one. */
struct st_nhobj {
	UT_hash_handle hh;
	uint32_t id;
	struct nl_nexthop nh;
};

struct prefix_key {
	uint8_t family;
	uint8_t len;
	uint8_t addr[16];
};

struct st_prefix {
	UT_hash_handle hh;
	struct prefix_key key;
	struct st_variant *variants;
	const struct st_variant *best; /* the one programmed */
	struct sluice_route programmed;
	bool is_programmed;
	/* the map refused the best variant (a full table): the kernel has
	 * it, the data path does not; tried again when room is made */
	bool refused;
};

struct st_neigh {
	UT_hash_handle hh;
	struct sluice_neigh_key key;
	uint8_t mac[6];
	uint16_t state;
	bool programmed;
};

/*
 * Every data-path operation the state makes.  state_dp_bpf is lib/dp; the
 * unit tests bring their own struct dp and functions (maps as small tables
 * that can fail a write on demand).
 */
struct state_dp_ops {
	enum dp_role (*role)(const struct dp *dp);
	int (*attach)(struct dp *dp, int ifindex, const char *ifname,
		      enum dp_xdp_mode mode, enum dp_xdp_mode *mode_out,
		      bool *adopted);
	int (*detach)(struct dp *dp, const char *ifname, bool keep);
	int (*attach_tc)(struct dp *dp, int ifindex, const char *ifname,
			 bool *adopted);
	int (*detach_tc)(struct dp *dp, const char *ifname, bool keep);
	int (*unpin_maps)(struct dp *dp);
	int (*iface_set)(struct dp *dp, __u32 ifindex,
			 const struct sluice_iface *v);
	int (*iface_del)(struct dp *dp, __u32 ifindex);
	/* a port an earlier run had and this one does not: its filters go
	 * (NULL: nothing to do, as in the tests' fakes) */
	void (*port_forget)(struct dp *dp, __u32 ifindex);
	/* after the start-up reconcile: the compiled table's prefixes no
	 * route has go (NULL: nothing to do) */
	int (*fib_prune)(struct dp *dp);
	int (*vlan_set)(struct dp *dp, __u32 parent, __u16 vid, __u32 ifindex);
	int (*vlan_del)(struct dp *dp, __u32 parent, __u16 vid);
	int (*port_set)(struct dp *dp, __u32 ifindex);
	int (*port_del)(struct dp *dp, __u32 ifindex);
	int (*route_set)(struct dp *dp, int family, const void *addr,
			 unsigned int plen, const struct sluice_route *rt);
	int (*route_del)(struct dp *dp, int family, const void *addr,
			 unsigned int plen);
	int (*nhg_set)(struct dp *dp, __u32 id, const struct sluice_nhg *g);
	int (*nhg_del)(struct dp *dp, __u32 id);
	int (*neigh_set)(struct dp *dp, const struct sluice_neigh_key *k,
			 const struct sluice_neigh *v);
	int (*neigh_del)(struct dp *dp, const struct sluice_neigh_key *k);
	int (*local_addr_set)(struct dp *dp, int family, const void *addr);
	int (*local_addr_del)(struct dp *dp, int family, const void *addr);
	int (*local_addr_foreach)(struct dp *dp, dp_key_cb cb, void *arg);
	int (*map_foreach)(struct dp *dp, enum dp_map_id id, dp_key_cb cb,
			   void *arg);
	int (*map_delete)(struct dp *dp, enum dp_map_id id, const void *key);
};

extern const struct state_dp_ops state_dp_bpf;

struct state {
	struct dp *dp;
	const struct state_dp_ops *ops;
	const struct sluiced_config *cfg;
	struct st_iface ifaces[SLUICE_MAX_IFACES];
	int n_ifaces;
	struct st_link *links;
	struct st_prefix *prefixes;
	struct st_nhg *nhgs; /* by content */
	struct st_nhg *nhgs_by_id;
	uint32_t next_nhg_id;
	struct st_neigh *neighs;
	struct st_nhobj *nhobjs;
	/* resolves the gateways of used next-hop groups (NULL: none, as in
	 * the backend role and the unit tests) */
	struct neigh_probe *probe;
	uint64_t routes_programmed[2]; /* [0] v4, [1] v6 */
	uint64_t nl_events;
	uint64_t nl_resyncs;
	uint64_t nl_overruns;	       /* ENOBUFS on the event socket */
	uint64_t nl_resyncs_coalesced; /* requests folded into a pending one */
	uint64_t route_errors;
	/* neighbours the map refused (it is full: SLUICE_MAX_NEIGHS): their
	 * traffic goes to the kernel (pass_no_neigh) */
	uint64_t neigh_errors;
	/* on-link destinations the data path found no neighbour for
	 * (neigh_onlink.h): resolutions asked of the kernel, ones left to
	 * the owner of their entry, requests the kernel refused */
	uint64_t onlink_asks, onlink_foreign, onlink_errors;
	uint64_t unsupported_routes;
	/* The kernel removes or kills IPv4 routes through a link that goes
	 * down or away without telling anyone: re-dump routes after that. */
	bool routes_dirty;
	/* routes the map refused (counted when refused, recounted by
	 * state_retry_refused()), and whether a route deleted since may have
	 * made room for them */
	uint32_t n_refused;
	bool retry_refused;
	/* Between state_forget_*() and the end of the re-dump: every route
	 * is read again, so nothing needs re-resolving before that. */
	bool redumping;
	/* a start with nothing pinned: the ports are programmed with
	 * SLUICE_IF_HOLD until state_release_ports() */
	bool hold_ports;
};

int state_init(struct state *st, struct dp *dp, const struct state_dp_ops *ops,
	       const struct sluiced_config *cfg);
void state_free(struct state *st);

/* Learn the group ids already in pinned maps so a restart reuses them and
 * never points a live route at a group whose members changed. */
int state_seed_from_maps(struct state *st);
/* After a full dump: remove from the maps whatever the kernel no longer
 * has (left by an earlier run or missed during an overrun). */
int state_reconcile(struct state *st);
/* The start is done (rules, VIPs, NAT loaded): the held ports forward. */
void state_release_ports(struct state *st);
/* Forget all kernel-derived state before a full re-dump (maps untouched). */
void state_forget_kernel(struct state *st);
/* Forget only the routes, before a route re-dump (maps untouched). */
void state_forget_routes(struct state *st);
/* After a re-dump at run time: one pass over the prefixes removes the
 * routes the dump did not report (their map entries were written by this
 * run, so the route maps are not walked); the small maps are reconciled
 * as state_reconcile() does. */
int state_resync_done(struct state *st);

void state_link_event(struct state *st, const struct nl_link *l, bool del);
/* Programs again the routes a full table refused, once a route was
 * deleted since (which frees LPM entries and forwarding-table groups):
 * without it the data path would lack them until the kernel announced
 * them again.  Cheap when there is nothing to do; the netlink handler calls
 * it after each batch of events. */
void state_retry_refused(struct state *st);
void state_route_event(struct state *st, const struct nl_route *r, bool del,
		       uint16_t nlmsg_flags);
void state_neigh_event(struct state *st, const struct nl_neigh *n, bool del);
void state_nexthop_event(struct state *st, const struct nl_nexthop *nh,
			 bool del);

/* Detach everything; with @keep, programs stay attached and maps pinned. */
void state_shutdown(struct state *st, bool keep);

/* The route @p forwards by (its best kernel route, nexthop objects
 * resolved), as the data path was given it. */
void state_route_of(const struct state *st, const struct st_prefix *p,
		    struct nl_route *r);

struct st_iface *state_iface_by_ifindex(struct state *st, uint32_t ifindex);
const char *state_ifname(const struct state *st, uint32_t ifindex);
const char *iface_state_name(enum iface_state s);
/* How the data path sees @ifc: "vlan", "tc", the XDP mode, or "none". */
const char *iface_mode_name(const struct st_iface *ifc);

#endif
