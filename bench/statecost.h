/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The stateful layer's figures (sluice-bench --only stateful): what
 * statecost.c (per-packet cost of conntrack and NAT with test_run) and
 * ctmem.c (memory and ageing of a million conntrack entries) share.
 */
#ifndef SLUICE_BENCH_STATECOST_H
#define SLUICE_BENCH_STATECOST_H

#include "bench.h"

#define SC_GROUP "stateful"

/* A million entries (20,000 in --smoke): memory, fill time, ageing.
 * Runs in the caller's namespace; 0 or -errno when it cannot start. */
int ctmem_run(const struct bench_opts *o);

/* The DDoS guard's figures (ddoscost.c), measured in this run next to
 * its XDP_PASS floor and route_v4: a lib/dp copy of its own on @ifin. */
struct ddoscost;
struct ddoscost *ddoscost_open(__u32 ifin); /* NULL: noted */
/* One repetition; @pass_batch < 0: no floor this repetition. */
void ddoscost_measure(struct ddoscost *d, int fd_pass, double pass_batch,
		      unsigned long long runs);
void ddoscost_tap(void);
void ddoscost_close(struct ddoscost *d);

/* statecost_fw.c: the firewall's rule sets for the conntrack + firewall
 * figures (SCFW_NONE: none) */
enum {
	SCFW_NONE,
	SCFW_LAST_10,
	SCFW_LAST_10K,
	SCFW_EARLY_10,
	SCFW_EARLY_10K,
	SCFW_N
};
#define SCFW_HIT 30000 /* the id of the rule the measured packets meet */
struct dp;
int scfw_setup(void);
/* Rule set @which on (@slot, in), or none: 0 or -errno. */
int scfw_install(struct dp *dp, __u32 slot, int which);
void scfw_free(void);

#endif
