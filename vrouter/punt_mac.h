/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * punt-mac: the node in front of sluice-vrouter's punt TAP.  A frame the
 * graph punts still carries the destination MAC of the port it came in
 * by; the kernel would see it arrive on the TAP addressed to another host
 * (PACKET_OTHERHOST) and drop it in ip_rcv/ipv6_rcv, promiscuous or not.
 * So every frame gets the TAP's own MAC as its destination (the source is
 * kept), then goes on edge "punt" to the punt node.  The spec's port is
 * the TAP (its MAC is read at init).
 */
#ifndef SLUICE_VROUTER_PUNT_MAC_H
#define SLUICE_VROUTER_PUNT_MAC_H

#include <sluice/graph/graph.h>

enum punt_mac_edge { PUNT_MAC_PUNT, PUNT_MAC_N_EDGES };

extern const struct graph_node_type vr_node_punt_mac;

#endif
