/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Counting a lost frame against its port (uapi/sluice/xmit.h).  The
 * tracepoints fire for every XDP program of the machine, so a loss counts
 * only when its device is in sluiced's network namespace (the cookie the
 * loader sets) and is one of the ports sluiced manages (ifaces, the XDP
 * object's map): an ifindex means nothing outside its namespace.
 */
#ifndef SLUICE_BPF_XMIT_H
#define SLUICE_BPF_XMIT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <uapi/sluice/route.h>
#include <uapi/sluice/xmit.h>
#include "port_maps.h"
#include "xmit_maps.h"

/* The network namespace sluiced runs in (SO_NETNS_COOKIE), set at load. */
const volatile __u64 cfg_netns_cookie;

static __always_inline void xmit_count(__u64 netns_cookie, __u32 ifindex,
				       __u32 event, int frames, int err)
{
	struct sluice_xmit_drop *d;
	struct sluice_iface *ifc;
	__u32 k;

	if (frames <= 0 || event >= SLUICE_XMIT_NEVENTS ||
	    netns_cookie != cfg_netns_cookie)
		return;
	ifc = bpf_map_lookup_elem(&ifaces, &ifindex);
	if (!ifc || !ifc->slot || ifc->slot >= SLUICE_MAX_IFACES)
		return;
	k = ifc->slot * SLUICE_XMIT_SLOTS + event;
	d = bpf_map_lookup_elem(&xmit_drops, &k);
	if (!d)
		return;
	/* per-CPU: this CPU is the only writer */
	d->frames += (__u64)frames;
	d->last_ns = bpf_ktime_get_ns();
	d->last_err = err;
}

#endif
