/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IPv6 with hop-by-hop options to a VIP.  The parser hands hop-by-hop to
 * the kernel (pass_ip_options) before any stage sees it; a VIP's flow with
 * one is still the VIP's (the LB is its destination, the backend reads the
 * options), so the XDP entry gives such a packet to the load balancer
 * first and to the kernel when it is not for a VIP after all.  Only where
 * no stage that reads the packet first is configured (firewall on the
 * port, conntrack, DDoS guard): with one, the kernel keeps it, as before.
 */
#ifndef SLUICE_BPF_LB_HBH_H
#define SLUICE_BPF_LB_HBH_H

#include "config.h"
#include "ct.h"
#include "ddos.h"
#include "fw.h"
#include "l3.h"
#include "pkt.h"

/* @r is parse_frame()'s answer: whether the LB should see the packet. */
static __always_inline int lb_hbh_wanted(const struct pkt *p,
					 const struct l3_info *f, int r)
{
	const struct sluice_fw_port *e;
	__u32 slot = p->slot;

	if (r != SLUICE_PASS_IP_OPTIONS || f->family != AF_INET6 ||
	    f->proto != NEXTHDR_HOP || !cfg_lb_enabled)
		return 0;
	/* a jumbogram (payload length 0) or a length the frame lacks */
	if (f->l3_len <= sizeof(struct ipv6hdr) ||
	    f->l3_len > p->len - p->l3_off)
		return 0;
	/* the port's firewall, "in" or "out" (fw_in() sets fw_out) */
	e = bpf_map_lookup_elem(&fw_ports, &slot);
	if (e && (e->set[SLUICE_FW_IN] || e->out_any))
		return 0;
	return !ct_on() && !ddos_on();
}

/* After the LB said "not a VIP's": a hop-by-hop packet is the kernel's. */
static __always_inline int lb_hbh_after(const struct l3_info *f)
{
	return f->family == AF_INET6 && f->proto == NEXTHDR_HOP;
}

#endif
