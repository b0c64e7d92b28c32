/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Frames the data path handed to the kernel to send that the kernel then
 * lost.  The XDP program counts a redirect as forwarded (fwd_redirect) when
 * it returns; whether the egress driver takes the frame is decided after,
 * in the kernel, and a refusal is seen only by the kernel's xdp
 * tracepoints.  bpf/sluice_xmit.bpf.c listens there and counts, per port
 * of this network namespace, in xmit_drops.
 *
 * The common case it makes visible: a veth whose peer has neither an XDP
 * program nor GRO refuses redirected frames (EOPNOTSUPP; docs/veth.md).
 */
#ifndef SLUICE_UAPI_XMIT_H
#define SLUICE_UAPI_XMIT_H

#include <linux/types.h>
#include "limits.h"

/* Where a frame was lost; the port is the one named with each. */
#define SLUICE_XMIT_EVENTS(X)                                                  \
	/* the egress port refused a redirected frame at enqueue (tracepoint \
	 * xdp_redirect_err): it cannot take XDP frames (a veth whose peer \
	 * has no XDP and no GRO: EOPNOTSUPP), is down (ENETDOWN), or the   \
	 * frame is too big for it (EMSGSIZE); port: the egress */ \
	X(REDIRECT_FAILED, 0, "redirect_failed")                               \
	/* the egress driver dropped frames it was given (xdp_devmap_xmit): \
	 * a veth whose peer could not take them, before Linux 6.3 (ENXIO);  \
	 * counted only on such kernels (lib/dp/dp.c open_xmit()); port:    \
	 * the egress */  \
	X(XMIT_DROPPED, 1, "xmit_dropped")                                     \
	/* an XDP_TX frame the port could not send back out (xdp_exception \
	 * with XDP_TX); port: the ingress, which is the egress */   \
	X(TX_FAILED, 2, "tx_failed")                                           \
	/* a frame steered to an AF_XDP socket that did not take it (its   \
	 * fill ring empty: ENOMEM; its RX ring full: ENOBUFS); port: the  \
	 * ingress */   \
	X(STEER_FAILED, 3, "steer_failed")

#define SLUICE_XMIT_EVENT_ENUM_(id, num, name) SLUICE_XMIT_##id = num,
enum sluice_xmit_event { SLUICE_XMIT_EVENTS(SLUICE_XMIT_EVENT_ENUM_) };
#undef SLUICE_XMIT_EVENT_ENUM_
#define SLUICE_XMIT_NEVENTS 4 /* the events above */
#define SLUICE_XMIT_SLOTS 8   /* per port: events are appended, never moved */

/* xmit_drops: BPF_MAP_TYPE_PERCPU_ARRAY, index port slot (struct
 * sluice_iface.slot) * SLUICE_XMIT_SLOTS + event.  Written only when a
 * frame is lost, never on the packet path. */
struct sluice_xmit_drop {
	__u64 frames;	/* frames lost */
	__u64 last_ns;	/* CLOCK_MONOTONIC of the last loss on this CPU */
	__s32 last_err; /* its -errno as the kernel gave it; 0: none given */
	__u32 pad;
};

/* sluice_xmit_test, the count without a tracepoint (BPF_PROG_TEST_RUN
 * of a syscall program, for the bpf tier): its context. */
struct sluice_xmit_test_ctx {
	__u64 netns_cookie;
	__u32 ifindex;
	__u32 event;
	__s32 frames;
	__s32 err;
};

#define SLUICE_XMIT_ENTRIES (SLUICE_MAX_IFACES * SLUICE_XMIT_SLOTS)

_Static_assert(sizeof(struct sluice_xmit_drop) == 24, "xmit drop");

#endif /* SLUICE_UAPI_XMIT_H */
