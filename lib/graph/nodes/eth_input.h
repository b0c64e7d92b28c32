/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * eth-input: classifies frames by ethertype, through one 802.1Q tag, as
 * bpf/lib/parse.h does.  Sets graph_meta's l3_off, l3_proto and vlan_tci.
 * A short frame or tag is dropped (drop_trunc_eth, drop_trunc_vlan);
 * broadcast and multicast (pass_multicast) and anything not IP, ARP
 * among it (pass_not_ip), go to the kernel.
 */
#ifndef SLUICE_GRAPH_ETH_INPUT_H
#define SLUICE_GRAPH_ETH_INPUT_H

enum eth_input_edge {
	ETH_INPUT_IP4,
	ETH_INPUT_IP6,
	ETH_INPUT_PUNT,
	ETH_INPUT_DROP,
	ETH_INPUT_N_EDGES
};

#endif
