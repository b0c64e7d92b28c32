/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Second chance (docs/lb-api.md): for a while after a VIP's Maglev table
 * changes, the load balancer keeps the table of before.  A TCP packet that
 * is not a SYN, of a flow lb_flows does not know, whose backend in the
 * previous table is another one, is encapsulated twice: an outer header to
 * the backend of now around a complete encapsulated packet to the backend
 * of before.  The backend of now delivers it when it has the connection's
 * socket, else strips the outer header and sends the rest on to the
 * backend of before, which decapsulates it as any other packet.
 *
 * lb_prev_rings: ARRAY_OF_MAPS by vip_id, inner maps like lb_rings' (the
 * previous table, ring_size slots of backend ids).
 * lb_second: ARRAY by vip_id of struct sluice_lb_second.
 */
#ifndef SLUICE_UAPI_LB_SECOND_H
#define SLUICE_UAPI_LB_SECOND_H

#include <linux/types.h>

struct sluice_lb_second {
	__u64 until_ns;	 /* bpf_ktime_get_ns() clock; at or past it: off */
	__u32 ring_size; /* the previous table's M; 0: none */
	__u32 pad;
};

_Static_assert(sizeof(struct sluice_lb_second) == 16, "lb second");

#endif /* SLUICE_UAPI_LB_SECOND_H */
