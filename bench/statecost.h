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

#endif
