/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L2 parsing: Ethernet with at most one 802.1Q tag.  parse_eth() reads the
 * header (every program uses it); parse_l2() is the router's view: the
 * ingress port and VLAN subinterface sluice manages, and whether the frame
 * is for us at all.
 */
#ifndef SLUICE_BPF_PARSE_H
#define SLUICE_BPF_PARSE_H

#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include "pkt.h"
#include "port_maps.h"

struct vlan_tag {
	__be16 tci;
	__be16 proto; /* the encapsulated ethertype */
};

static __always_inline int mac_equal(const __u8 *a, const __u8 *b)
{
	return *(const __u32 *)a == *(const __u32 *)b &&
	       *(const __u16 *)(a + 4) == *(const __u16 *)(b + 4);
}

/* Fill @p->l3_off, l3_proto, tagged and vlan_tci from the frame. */
static __always_inline int parse_eth(struct pkt *p)
{
	struct ethhdr *eth = p->data;
	__u16 proto;

	if ((void *)(eth + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_ETH;
	proto = bpf_ntohs(eth->h_proto);
	p->l3_off = sizeof(*eth);
	if (proto == ETH_P_8021Q) {
		struct vlan_tag *tag = (void *)(eth + 1);

		if ((void *)(tag + 1) > p->data_end)
			return SLUICE_DROP_TRUNC_VLAN;
		p->tagged = 1;
		p->vlan_tci = bpf_ntohs(tag->tci);
		proto = bpf_ntohs(tag->proto);
		p->l3_off += sizeof(*tag);
	}
	p->l3_proto = proto;
	return DP_CONTINUE;
}

/* A port's ifaces entry: an array read from its copy in port_cache, the
 * ifaces hash only for a port whose cache index another port holds. */
static __always_inline const struct sluice_iface *port_lookup(__u32 ifindex)
{
	__u32 k = ifindex % SLUICE_PORT_CACHE;
	struct sluice_port_cache *c = bpf_map_lookup_elem(&port_cache, &k);

	if (c && c->ifindex == ifindex)
		return &c->iface;
	return bpf_map_lookup_elem(&ifaces, &ifindex);
}

/* The ingress port: sluice's counters slot, and its flags. */
static __always_inline int parse_port(struct pkt *p)
{
	p->in_if = port_lookup(p->ingress_ifindex);
	if (!p->in_if)
		return SLUICE_PASS_UNMANAGED_IF;
	p->slot = p->in_if->slot;
	p->port_flags = p->in_if->flags;
	if (p->port_flags & SLUICE_IF_HOLD)
		return SLUICE_PASS_NOT_READY;
	return DP_CONTINUE;
}

/* The router's L2 checks on top of parse_eth(): a tagged frame belongs to
 * its VLAN subinterface (and is counted there), a priority-tagged one (VID
 * 0: 802.1p priority only, what some hosts send) to the port itself, as
 * the kernel takes it; then the frame must be unicast to our MAC and
 * carry IP. */
static __always_inline int parse_l2(struct pkt *p)
{
	struct ethhdr *eth = p->data;
	int r;

	r = parse_eth(p);
	if (r != DP_CONTINUE)
		return r;
	if ((void *)(eth + 1) > p->data_end)
		return SLUICE_DROP_TRUNC_ETH;
	if (p->tagged && (p->vlan_tci & 0x0fff)) {
		struct sluice_vlan_key vk = {};
		__u32 *sub;

		vk.parent_ifindex = p->ingress_ifindex;
		vk.vlan_id = p->vlan_tci & 0x0fff;
		sub = bpf_map_lookup_elem(&vlans, &vk);
		if (!sub)
			return SLUICE_PASS_VLAN_UNKNOWN;
		p->in_ifindex = *sub;
		p->in_if = port_lookup(*sub);
		if (!p->in_if)
			return SLUICE_PASS_VLAN_UNKNOWN;
		p->slot = p->in_if->slot;
	}

	/* Group bit: broadcast and multicast belong to the stack. */
	if (eth->h_dest[0] & 1)
		return SLUICE_PASS_MULTICAST;
	if (!mac_equal(eth->h_dest, p->in_if->mac))
		return SLUICE_PASS_OTHER_HOST;
	if (p->l3_proto != ETH_P_IP && p->l3_proto != ETH_P_IPV6)
		return SLUICE_PASS_NOT_IP;
	return DP_CONTINUE;
}

#endif
