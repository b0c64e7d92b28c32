/* SPDX-License-Identifier: BSD-2-Clause */
/* lib/dp internal: the LB backends' outer next hops (lb_backend_hop.c). */
#ifndef SLUICE_DP_LB_BACKEND_HOP_H
#define SLUICE_DP_LB_BACKEND_HOP_H

#include <linux/types.h>
#include <uapi/sluice/sluice.h>

struct dp;

/* Before @v is written as backend @id: its hop set (0 for no backend). */
int dp_backend_hop_set(struct dp *dp, __u32 id, struct sluice_backend *v);
/* Routes under @prefix changed (NULL: any route or group): re-resolve the
 * backends they cover and rewrite those whose hop changed. */
void dp_backend_hops_refresh(struct dp *dp, int family, const void *prefix,
			     unsigned int plen);
/* fib.c's open, after the replay and before the next hops settle. */
int dp_backend_hops_open(struct dp *dp);
void dp_backend_hops_close(struct dp *dp);

#endif
