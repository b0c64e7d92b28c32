/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The backend side of the load balancer: which tunnel endpoints are ours.
 * Its verdicts are counted in the shared stats map (reasons.h).
 */
#ifndef SLUICE_UAPI_DECAP_H
#define SLUICE_UAPI_DECAP_H

#include <linux/types.h>

/* local_addrs: HASH, key = this host's address, value __u32 (unused) */
struct sluice_addr_key {
	__u8 addr[16];
	__u8 family;
	__u8 pad[3];
};

_Static_assert(sizeof(struct sluice_addr_key) == 20, "addr key");

#endif /* SLUICE_UAPI_DECAP_H */
