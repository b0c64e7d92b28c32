/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * udp-input: delivers UDP datagrams to the application channels bound on
 * the graph (include/sluice/graph/udp.h; the node spec's arg is the
 * struct graph_udp).  Its input: IP packets for a local address, checked
 * by ip4-input/ip6-input (the lookups' "local" edge; a test may feed it
 * from ip4-input straight).
 *   to a channel: UDP to a bound (address, port), its length and checksum
 *            right (a zero IPv4 checksum is none; the rx offload's
 *            verdict is taken when the driver gives one); a full rx queue
 *            frees it, counted as rx_full (the node's and the channel's);
 *   dropped: drop_trunc_l4 (no room for the UDP header in the IP
 *            payload), drop_bad_len (the UDP length below 8 or beyond the
 *            IP payload; or an IP length beyond the frame), drop_bad_csum
 *            (a wrong checksum, a zero one in IPv6), drop_bad_version;
 *   punted:  pass_local, for the kernel to answer (ICMP port unreachable
 *            and the like): not UDP (an IPv6 extension header first
 *            included), or no binding (its checksum is then the
 *            kernel's to check); pass_fragment: an IPv4 fragment.
 * Counters of its own: delivered, rx_full, unbound.
 */
#ifndef SLUICE_GRAPH_UDP_INPUT_H
#define SLUICE_GRAPH_UDP_INPUT_H

enum udp_input_edge { UDP_INPUT_PUNT, UDP_INPUT_DROP, UDP_INPUT_N_EDGES };

#endif
