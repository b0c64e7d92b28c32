/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ip6-input: validates the IPv6 header as bpf/lib/l3.h's ip6_parse does
 * (then route.h's hop limit check), in its order, with its reasons:
 *   dropped: drop_trunc_ip6 (no room for 40 bytes), drop_bad_version,
 *            drop_bad_len (payload length beyond the frame),
 *            drop_trunc_l4 (an ICMPv6, TCP or UDP header cut short);
 *   punted:  pass_ip_options (hop-by-hop, jumbograms among them),
 *            pass_multicast (ff00::/8), pass_link_local (fe80::/10 either
 *            way), pass_fragment (a fragment header first), pass_nd
 *            (ICMPv6 types 133..137), pass_ttl (hop limit 0 or 1);
 *   ok:      the rest, unchanged.
 */
#ifndef SLUICE_GRAPH_IP6_INPUT_H
#define SLUICE_GRAPH_IP6_INPUT_H

enum ip6_input_edge {
	IP6_INPUT_OK,
	IP6_INPUT_PUNT,
	IP6_INPUT_DROP,
	IP6_INPUT_N_EDGES
};

#endif
