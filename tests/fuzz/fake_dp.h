/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fuzz targets' data path: a struct dp with no maps, so that every
 * lib/dp call a handler makes directly fails cleanly with -EOPNOTSUPP
 * (dp_fd() finds no map), and ops tables for the subsystems that take
 * one (state, LB, NAT, conntrack) that accept every write and read back
 * nothing, so that the handlers' accepted paths run too, and an empty
 * LB flow table of 2,048 slots in plain memory (dp->flows), which
 * /v1/lb/flows walks as it walks the mapped one.  No BPF, no syscalls.
 * tests/unit/test_lb_flows_api.c uses it too.
 */
#ifndef SLUICE_FUZZ_FAKE_DP_H
#define SLUICE_FUZZ_FAKE_DP_H

#include "ct.h"
#include "lb.h"
#include "nat.h"
#include "state.h"

struct dp *fuzz_dp_new(void);
void fuzz_dp_free(struct dp *dp);

extern const struct state_dp_ops fuzz_state_ops;
extern const struct lb_dp_ops fuzz_lb_ops;
extern const struct nat_dp_ops fuzz_nat_ops;
extern const struct ct_dp_ops fuzz_ct_ops;

#endif
