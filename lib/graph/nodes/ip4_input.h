/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ip4-input: validates the IPv4 header as strictly as the XDP parser
 * (bpf/lib/l3.h ip4_parse, then route.h's TTL check), in its order, with
 * its reasons:
 *   dropped: drop_trunc_ip4 (no room for 20 bytes), drop_bad_version,
 *            drop_bad_ihl (< 5), drop_bad_len (total length below the
 *            header or beyond the frame), drop_bad_csum, drop_trunc_l4
 *            (a TCP or UDP header cut by the frame or the total length);
 *   punted:  pass_ip_options (IHL > 5), pass_multicast (224/4 and
 *            255.255.255.255), pass_link_local (169.254/16 either way),
 *            pass_fragment (MF or an offset), pass_ttl (TTL 0 or 1);
 *   ok:      the rest, unchanged, to the lookup (the next node is the
 *            graph's: ip4-lookup when it lands, tx in the tests).
 * Reads graph_meta's l3_off (eth-input's).
 */
#ifndef SLUICE_GRAPH_IP4_INPUT_H
#define SLUICE_GRAPH_IP4_INPUT_H

enum ip4_input_edge {
	IP4_INPUT_OK,
	IP4_INPUT_PUNT,
	IP4_INPUT_DROP,
	IP4_INPUT_N_EDGES
};

#endif
