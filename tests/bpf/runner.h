/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What runner.c shares with the other parts of the BPF tier's runner
 * (lb_runner.c, decap_runner.c): the environment, TAP output, one
 * test_run, the counters.
 */
#ifndef SLUICE_TESTS_RUNNER_H
#define SLUICE_TESTS_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <uapi/sluice/sluice.h>
#include "fixtures.h"
#include "pktbuild.h"

#define OUT_MAX (PKT_MAX + 512)

typedef struct sluice_counter stats_t[SLUICE_MAX_IFACES][SLUICE_REASON_SLOTS];

struct lb_env;

struct env {
	struct dp *dp;
	int prog_fd;
	int tc_fd;  /* the TC router over the same maps */
	bool at_tc; /* run fixtures through tc_fd */
	__u32 ifindex[IFX_COUNT];
	__u32 slot[IFX_COUNT];
	__u32 nslots;
	unsigned int n; /* TAP cases so far */
	unsigned int failed;
	stats_t before, after;
	/* set while LB sweeps run: every case also checks that no LB
	 * counter and no flow entry moved (lb_runner.c) */
	struct lb_env *lb_quiet;
	/* at TC: the skb is GSO with these (0: not GSO) */
	__u32 tc_gso_segs, tc_gso_size;
};

struct run {
	__u8 out[OUT_MAX];
	__u32 out_len;
	__u32 retval;
	__u32 duration;
	int err;
};

__attribute__((format(printf, 1, 2))) void diag(const char *fmt, ...);
/* One TAP line, then the diagnostics gathered for it. */
void tap(struct env *e, bool ok, const char *name);
const char *xdp_name(__u32 v);
/* The lines that differ: expected | got. */
void hexdiff(const __u8 *exp, __u32 elen, const __u8 *got, __u32 glen);
int family_of(const char *txt);

int xdp_run(int fd, __u32 ifindex, const __u8 *in, __u32 len, __u32 meta,
	    __u32 repeat, struct run *r);
int tc_run(int fd, __u32 ifindex, const __u8 *in, __u32 len, struct run *r);
/* The TC action that carries out what XDP decided. */
__u32 tc_action_of(int xdp_verdict);
int snapshot(struct env *e, stats_t s);
/* lib/dp/layout.c against pins of the previous release (layout_runner.c) */
void layout_run_all(struct env *e);
/* lib/dp/explain.c over the router's topology (explain_runner.c) */
void explain_run_all(struct env *e);

/* The slot a frame is counted in: its VLAN subinterface's when it is
 * tagged with a VID that the port has, else the port's. */
__u32 count_slot(struct env *e, int ingress, const struct pkt_spec *in,
		 __u32 frame_len);
/* Exactly @times packets (and @bytes each) under (@slot, @reason) between
 * e->before and e->after, nothing anywhere else.  @reason < 0: nothing. */
bool counters_ok(struct env *e, __u32 slot, int reason, __u64 bytes,
		 __u64 times);
/* The routed frame: new L2, TTL - @hops, every checksum afresh. */
int build_routed(const struct pkt_spec *in, const struct pkt_mut *mut,
		 const struct l2_out *o, int hops, struct frame *f);
void run_sweep(struct env *e, const struct sweep_fixture *sw);
/* One row: false with diagnostics when anything differs. */
bool run_fixture(struct env *e, const struct fixture *fx);
/* The member of a group of @n that sluice_flow_hash() names for @s. */
__u32 ecmp_member(const struct pkt_spec *s, __u32 n);
/* Every flow to the member sluice_flow_hash() names. */
bool run_ecmp(struct env *e, const struct ecmp_fixture *ef);
/* fib_runner.c: the compiled forwarding table, in lib/dps of its own */
void fib_run_all(struct env *e);
/* verifier_runner.c: each program under the verifier's budget */
void verifier_run_all(struct env *e);
/* fibshare_runner.c: lib/fibread decides as the XDP program does */
void fibshare_run_all(struct env *e);
/* ct_runner.c: connection tracking */
void ct_run_all(struct env *e);
/* nat_runner.c: NAT over connection tracking */
void nat_run_all(struct env *e);

/* ddos_runner.c: the DDoS guard, left unconfigured at the end */
void ddos_run_all(struct env *e);
/* fw_runner.c: the firewall's rows, rule-set swaps, a large named set */
void fw_run_all(struct env *e);
/* steer_runner.c: steering to an AF_XDP socket, left off at the end */
void steer_run_all(struct env *e);
/* the L7 local hop (l7_runner.c): sockets in a child cgroup */
void l7_run_all(struct env *e);
/* trace_runner.c: the per-packet trace, left off at the end */
void trace_run_all(struct env *e);
void neigh_wanted_run_all(struct env *e);
/* the loss counters after a redirect (xmit_runner.c) */
void xmit_run_all(struct env *e);
/* the same over a load-balanced packet; last, its flow stays */
void trace_run_lb(struct env *e);
/* fw_big.c: a 10,000-rule set: the first rule, the last, the policy */
void fw_run_big(struct env *e);

/* lb_runner.c */
/* Programs the LB tables; 0 or -errno with @why filled. */
int lb_setup(struct env *e, char *why, size_t len);
void lb_run_all(struct env *e);
void lb_hbh_run_all(struct env *e);
void lb_perf(struct env *e, bool full);
void lb_teardown(void);
/* For e->lb_quiet: remember the LB state, then check nothing moved. */
int lb_quiet_before(struct env *e);
bool lb_quiet_ok(struct env *e);

/* decap_runner.c: the backend role's program, in a second lib/dp of its
 * own; after everything above (its pairing replays LB rows on e->dp). */
void decap_run_all(struct env *e);
/* second_runner.c: second chance, the backend's program and the LB's;
 * last: it adds a veth and addresses to the namespace (and removes them) */
void second_run_all(struct env *e, bool lb_ok);

#endif
