/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ip4-lookup and ip6-lookup: the route of each packet in the XDP path's
 * own forwarding table (lib/fibread on sluiced's pins), as sluice_xdp
 * decides it: the flow (protocol, the L4 ports word, addresses) as
 * bpf/lib/l3.h reads it, its flow hash picking the ECMP member.  The node
 * spec's arg is the struct graph_fib (include/sluice/graph/fib.h) whose
 * reader is loaded once per burst (acquire).
 *
 *   rewrite  forwarded: graph_meta's nh = the fib_nhs index chosen
 *   local    a local route (the host's own address): reason pass_local
 *   punt     pass_no_route (no route, an empty group; also: no reader),
 *            pass_kernel_route, pass_no_neigh (the next hop's neighbour
 *            is not resolved; also: fibread failed reading an on-link
 *            neighbour), pass_egress_unmanaged (sluice does not manage the
 *            egress, or the graph_fib has no port for it: the graph cannot
 *            send there, so it never mis-forwards)
 *   drop     the header or the L4 ports cut by the frame (ip4-input and
 *            ip6-input drop those before): drop_trunc_ip4, drop_trunc_ip6,
 *            drop_trunc_l4
 *
 * The TTL is ip4-input's (ip6-input's) check, not this node's.  Counters
 * of its own: each reason it gave a packet it did not forward (by name:
 * "pass_no_neigh"), "no_fib" (no reader: punted pass_no_route),
 * "fib_error" (fibread_lookup() failed: punted pass_no_neigh) and
 * "no_port" (a forward to an egress without a port in the graph_fib:
 * punted pass_egress_unmanaged, counted there too).
 *
 * An on-link miss (a connected destination without a neighbour, punted
 * pass_no_neigh) is noted in the graph_fib's notes, the neigh_wanted map
 * the XDP path notes in (lib/fibread/neigh_note.h): each destination once
 * per burst, written after the burst is routed.  Counters: "onlink_notes"
 * (notes inserted), "onlink_note_present" (already noted, not yet taken
 * by sluiced), "onlink_note_errors" (no map pinned, or the write failed),
 * "onlink_note_full" (a burst's misses beyond NEIGH_NOTE_BURST hosts,
 * left to a later packet).
 */
#ifndef SLUICE_GRAPH_IP_LOOKUP_H
#define SLUICE_GRAPH_IP_LOOKUP_H

#include <sluice/graph/fib.h>

enum ip_lookup_edge {
	IP_LOOKUP_REWRITE,
	IP_LOOKUP_LOCAL,
	IP_LOOKUP_PUNT,
	IP_LOOKUP_DROP,
	IP_LOOKUP_N_EDGES
};

/* The slot in @fib's port table of interface @ifindex, -1 if none. */
static inline int graph_fib_port_slot(const struct graph_fib *fib,
				      uint32_t ifindex)
{
	for (unsigned int i = 0; i < fib->n_ports; i++)
		if ((uint32_t)fib->ports[i].ifindex == ifindex)
			return (int)i;
	return -1;
}

#endif
