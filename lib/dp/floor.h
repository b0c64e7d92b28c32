/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The baselines measured next to sluice (bench/xdp_floor.bpf.c): the
 * cheapest XDP program and a MAC swap sent back out.  Tests and benchmarks
 * load them here, so that only lib/dp includes a skeleton.
 */
#ifndef SLUICE_DP_FLOOR_H
#define SLUICE_DP_FLOOR_H

struct dp_floor;

/* NULL with errno set when the object does not load. */
struct dp_floor *dp_floor_open(void);
void dp_floor_close(struct dp_floor *f);
/* XDP_PASS and nothing else. */
int dp_floor_pass_fd(const struct dp_floor *f);
/* Swaps the MACs and answers XDP_TX. */
int dp_floor_macswap_fd(const struct dp_floor *f);

#endif
