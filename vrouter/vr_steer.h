/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The transit steering selectors sluice-vrouter needs (docs/steering.md):
 * sluiced's XDP program hands what it would forward on a port to the
 * AF_XDP socket registered for (port, rx queue), when a selector
 * {"transit": true, "iface": PORT} says so.  At start, for each port that
 * no transit selector covers yet (one of that iface, or one without an
 * iface), one is added through sluiced's REST API (POST /v1/steer, the
 * HTTP client sluicectl uses); at a clean exit the ones added are
 * deleted, those found are left alone.
 */
#ifndef SLUICE_VROUTER_STEER_H
#define SLUICE_VROUTER_STEER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "vr_config.h"

struct vr_steer_state {
	char api[PATH_MAX];
	uint32_t added[VR_PORTS_MAX]; /* selector ids */
	unsigned int n_added;
	unsigned int n_found; /* ports already covered */
};

/* 0, or -errno with @err saying which request failed and why (sluiced's
 * own message when it answered).  @st starts zeroed; a second call (after
 * sluiced rebuilt its maps) adds what is missing to the ids kept. */
int vr_steer_add(struct vr_steer_state *st, const char *api,
		 const char *const ifaces[], unsigned int n, char *err,
		 size_t errlen);
/*
 * Waits (bounded by @timeout_ms, and by *@stop) until sluiced answers on
 * @api: it serves its API only once its data path and steering are up.
 * 0, or -ETIMEDOUT / -ECANCELED with the last failure in @err.
 */
int vr_steer_wait_api(const char *api, unsigned int timeout_ms,
		      volatile sig_atomic_t *stop, char *err, size_t errlen);
/* Deletes the selectors added; the first failure in @err. */
int vr_steer_del(struct vr_steer_state *st, char *err, size_t errlen);
/*
 * Whether sluiced (its pins in @pin_dir) manages each of @ifaces: its
 * pinned `ifaces` map has the interface's ifindex.  A data port it does
 * not manage gets no transit steering, and libpktio would put a program
 * of its own there taking all of that port's traffic, ARP included.
 * 0, or -ENOENT with @err naming the first such port (ports[N]).
 */
int vr_ports_managed(const char *pin_dir, const char *const ifaces[],
		     unsigned int n, char *err, size_t errlen);

#endif
