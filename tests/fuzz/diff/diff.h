/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The differential packet fuzzer (docs/development.md, "Differential packet
 * fuzzing"): generated and mutated frames through the real BPF objects
 * (BPF_PROG_TEST_RUN, maps programmed through lib/dp) and through a
 * reference model in plain C, compared for verdict, reason and output
 * bytes.
 *
 * The configuration (struct dcfg) is the one source of truth: setup.c
 * programs it into a lib/dp, the model reads it as plain arrays.
 */
#ifndef SLUICE_TESTS_DIFF_H
#define SLUICE_TESTS_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define D_FRAME_MAX 1024 /* largest generated frame */
#define D_OUT_MAX (D_FRAME_MAX + 128)

#define D_IFACES 8
#define D_NHGS 16
#define D_ROUTES 32
#define D_NEIGHS 48
#define D_VIPS 8
#define D_BACKENDS 16
#define D_VIP_BE 4
#define D_RING 251 /* Maglev M: prime, small (a few KB per VIP) */

struct d_iface {
	__u32 ifindex;
	__u8 mac[6];
	__u16 mtu;
	__u32 slot;
	__u16 vid;   /* a VLAN subinterface: its VID, else 0 */
	__u16 flags; /* SLUICE_IF_* */
	__u32 parent;
	__u8 addr4[4];
	__u8 addr6[16];
	bool port; /* in tx_ports (a physical port) */
};

struct d_nh {
	__u32 ifindex;
	__u8 family; /* 0: on-link */
	__u8 gw[16];
};

struct d_nhg {
	__u32 id;
	__u32 count;
	struct d_nh nh[4];
};

struct d_route {
	__u8 family;
	__u8 plen;
	__u8 type; /* SLUICE_RT_* */
	__u8 addr[16];
	__u32 nhg;
};

struct d_neigh {
	__u32 ifindex;
	__u8 family;
	__u8 addr[16];
	__u8 mac[6];
};

struct d_backend {
	__u32 id;
	__u8 family;
	__u8 flags; /* SLUICE_BE_* */
	__u8 addr[16];
};

struct d_vip {
	__u32 id;
	__u8 family;
	__u8 proto;
	__u16 port; /* host order, 0: every port */
	__u16 flags;
	__u8 addr[16];
	__u32 be[D_VIP_BE]; /* backend ids, 0-terminated */
	__u32 ring[D_RING]; /* the Maglev table setup.c installs */
};

/* What the driver runs and the model mirrors. */
enum d_prog {
	D_PROG_XDP,   /* sluice_xdp */
	D_PROG_TC,    /* sluice_tc, over the same maps */
	D_PROG_DECAP, /* sluice_decap, the backend role's */
};

#define D_LOCALS 4

struct d_local {
	__u8 family;
	__u8 addr[16];
};

struct dcfg {
	const char *name;
	enum d_prog prog;
	bool lb; /* the XDP object loaded with the load balancer on */
	struct d_iface ifaces[D_IFACES];
	size_t n_ifaces;
	struct d_nhg nhgs[D_NHGS];
	size_t n_nhgs;
	struct d_route routes[D_ROUTES];
	size_t n_routes;
	struct d_neigh neighs[D_NEIGHS];
	size_t n_neighs;
	struct d_backend backends[D_BACKENDS];
	size_t n_backends;
	struct d_vip vips[D_VIPS];
	size_t n_vips;
	struct d_local locals[D_LOCALS]; /* the backend role's addresses */
	size_t n_locals;
	__u8 src4[4]; /* lb_config's outer source range (v4 only) */
	bool have_src4;
	/* the devices frames come in by: the ports, and one unmanaged */
	__u32 ingress[4];
	size_t n_ingress;
	/* a planted model error (the self-test): 1, TTL 2 counts as expired
	 * (action and bytes differ); 2, an IPv4 multicast destination is
	 * counted as link-local (only the reason counter differs) */
	int plant;
};

/* A frame's fate, as the program or the model decided it. */
struct d_result {
	__u32 retval; /* the hook's action (XDP_* or TC_ACT_*) */
	int reason;   /* SLUICE_* */
	__u32 slot;   /* the counter slot it is counted in */
	__u8 out[D_OUT_MAX];
	__u32 out_len;
};

struct d_frame {
	__u8 buf[D_FRAME_MAX];
	__u32 len;
	__u32 ifindex; /* ingress */
	/* TC: a GSO skb of this many segments of this much payload */
	__u32 gso_segs, gso_size;
};

/* topo.c: the configurations, with the namespace's device indexes. */
int topo_build(struct dcfg *c, const char *name, const __u32 dev[4]);

/* setup.c: @c into a fresh lib/dp; the program to run in *prog_fd. */
struct dp;
int setup_dp(struct dcfg *c, struct dp **dp, int *prog_fd, char *why,
	     size_t len);

/* model_*.c: the reference model. */
void model_run(const struct dcfg *c, const struct d_frame *f,
	       struct d_result *r);
/* model_lb.c, for model_l3.c: DP_CONTINUE (-1) when the load balancer
 * leaves the packet to the router. */
struct m_pkt;
int model_lb(const struct dcfg *c, struct m_pkt *p, struct d_result *r);

/* model_decap.c: the backend role's program. */
void model_decap(const struct dcfg *c, const struct d_frame *f,
		 struct d_result *r);

/* gen.c: frame @index of the run seeded @seed, for configuration @c. */
void gen_frame(const struct dcfg *c, __u64 seed, __u64 index,
	       struct d_frame *f);

#endif
