/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-packet state shared by the stages of one pipeline run. */
#ifndef SLUICE_BPF_PKT_H
#define SLUICE_BPF_PKT_H

#include <linux/bpf.h>
#include <uapi/sluice/sluice.h>

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

/* A stage returns DP_CONTINUE or the reason that decides the packet. */
#define DP_CONTINUE (-1)

struct pkt {
	void *data;
	void *data_end;
	__u32 len;	       /* frame length, for byte counters */
	__u32 slot;	       /* counter slot of the ingress interface
					 * (the VLAN subinterface if tagged) */
	__u32 ingress_ifindex; /* physical port the frame came in on */
	__u32 in_ifindex;      /* logical: the VLAN subinterface if tagged */
	const struct sluice_iface *in_if;
	__u16 l3_proto; /* ethertype of the L3 header, host order */
	__u16 vlan_tci; /* host order, when tagged */
	__u8 tagged;
	__u8 icmp_sent;	      /* the LB turned it into an ICMP reply */
	__u16 port_flags;     /* SLUICE_IF_* of the physical port */
	__u32 l3_off;	      /* 14 or 18 */
	int redirect;	      /* ctx_redirect()'s answer, 0 if none */
	__u8 fw_out;	      /* some port has firewall "out" rules (fw.h) */
	__u8 tracing;	      /* the trace is on (trace_note.h) */
	__u32 egress_ifindex; /* where emit.h sent it, 0 if nowhere (trace) */
	void *ctx;	      /* the program's context, for the trace */
};

/* The packet as an entry point first sees it. */
#define pkt_init(p, ctx)                                                       \
	do {                                                                   \
		(p)->ctx = (ctx);                                              \
		(p)->data = ctx_data(ctx);                                     \
		(p)->data_end = ctx_data_end(ctx);                             \
		(p)->len = ctx_len(ctx);                                       \
		(p)->ingress_ifindex = ctx_ingress_ifindex(ctx);               \
		(p)->in_ifindex = (p)->ingress_ifindex;                        \
	} while (0)

/* Re-read the frame bounds after a helper that moves them. */
#define pkt_reload(p, ctx)                                                     \
	do {                                                                   \
		(p)->data = ctx_data(ctx);                                     \
		(p)->data_end = ctx_data_end(ctx);                             \
	} while (0)

#endif
