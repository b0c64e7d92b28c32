/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ip-rewrite: what sluice_xdp does to a packet it forwards
 * (bpf/lib/forward.h, emit.h), in its order and with its reasons, for the
 * next hop ip4-lookup/ip6-lookup chose (graph_meta's nh), re-read from the
 * forwarding table with fibread_nh() (the node spec's arg is the
 * struct graph_fib; its reader is loaded once per burst):
 *
 *   1. TTL / hop limit 0 or 1: punt pass_ttl (ip4-input and ip6-input
 *      punt those before; kept so the node is safe alone)
 *   2. the next hop gone since the lookup (unused entry, neighbour no
 *      longer resolved): punt pass_no_neigh; its egress no longer
 *      managed, or without a port in the graph_fib: punt
 *      pass_egress_unmanaged
 *   3. the IP packet (IPv4 total length, IPv6 40 + payload length) larger
 *      than the egress's MTU: punt pass_mtu, unchanged, so that the kernel
 *      sends the ICMP fragmentation needed / packet too big
 *   4. TTL - 1 with the kernel's incremental checksum update (IPv4:
 *      ip_decrease_ttl(), byte for byte as XDP's), hop limit - 1 (IPv6)
 *   5. L2 for the egress: destination MAC the neighbour's, source MAC the
 *      egress's; an untagged frame leaves untagged, a tagged one to an
 *      untagged egress loses its tag; to a VLAN subinterface
 *      (SLUICE_IF_VLAN) the tag is pushed (priority 0) or its VLAN id
 *      replaced (priority and DEI kept); no room for a tag: drop
 *      drop_adjust
 *   6. graph_meta's out = the egress port's slot in the graph_fib (the
 *      port of the next hop's tx_ifindex); edge "output"
 *
 * Edges: output, punt, drop.  A frame that is neither IPv4 nor IPv6
 * (l3_proto) is dropped as drop_bad_version.  Counters of its own: each
 * reason it gave ("pass_mtu"), "no_fib" (no reader: punted pass_no_neigh,
 * the lookup's answer cannot be checked), "fib_error" (fibread_nh failed:
 * punted pass_no_neigh) and "no_port" (punted pass_egress_unmanaged).
 */
#ifndef SLUICE_GRAPH_IP_REWRITE_H
#define SLUICE_GRAPH_IP_REWRITE_H

enum ip_rewrite_edge {
	IP_REWRITE_OUTPUT,
	IP_REWRITE_PUNT,
	IP_REWRITE_DROP,
	IP_REWRITE_N_EDGES
};

#endif
