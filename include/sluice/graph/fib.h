/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the forwarding nodes share (issue #10): the forwarding table they
 * read (lib/fibread, the XDP path's own pinned maps, so the two paths
 * cannot disagree) and the ports packets leave by.
 *
 *   ip4-lookup, ip6-lookup   fibread_lookup() with the packet's flow hash;
 *                            a next hop -> meta.nh, edge "rewrite"; an
 *                            on-link miss is noted in @notes
 *   ip-rewrite               meta.nh -> egress port, MACs, VLAN, TTL/hop
 *                            limit (incremental checksum), MTU;
 *                            slot -> meta.out, edge "output"
 *   if-output                sends each buffer to ports[meta.out] on the
 *                            node's queue (a sink)
 *
 * One struct graph_fib serves every node and every thread's graph (the
 * node spec's arg).  Its owner (sluice-vrouter, a test) fills the port
 * table before building the graphs and never changes it while they run;
 * it may swap @reader (fibread_stale() said sluiced rebuilt its maps):
 * the nodes load it once per burst with acquire, and the owner closes
 * the old reader only after every worker has finished the burst it was
 * in (a quiescent point of its own, e.g. the workers' loop counters).
 */
#ifndef SLUICE_GRAPH_FIB_H
#define SLUICE_GRAPH_FIB_H

#include <stdint.h>
#include <sluice/pktio/pktio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fibread;
struct neigh_note;

#define GRAPH_FIB_PORTS_MAX 64

struct graph_fib_port {
	int ifindex; /* the kernel interface the FIB's next hops name */
	struct pktio_port *port; /* where if-output sends (its node's queue) */
};

struct graph_fib {
	struct fibread *reader; /* atomic: see above */
	/* sluiced's neigh_wanted map (lib/fibread/neigh_note.h), where the
	 * lookups note on-link misses; atomic and swapped as @reader; NULL:
	 * not pinned, each miss is counted as onlink_note_errors */
	struct neigh_note *notes;
	unsigned int n_ports;
	struct graph_fib_port ports[GRAPH_FIB_PORTS_MAX];
};

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_GRAPH_FIB_H */
