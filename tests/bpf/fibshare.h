/* SPDX-License-Identifier: BSD-2-Clause */
/* What fibshare_runner.c shares with fibshare_race.c. */
#ifndef SLUICE_TESTS_FIBSHARE_H
#define SLUICE_TESTS_FIBSHARE_H

#include "fibread.h"
#include "runner.h"

/* A reader against lib/dp changing a route and a group under it (TAP
 * lines of its own); @dp has fibshare_runner.c's ports P1, P2. */
void fibshare_race(struct env *e, struct dp *dp, const struct fibread *rd);

/* The forwarding graph on the same table (fibshare_graph.c). */
struct fsgraph;

#define FSG_PUNTED (-1)	 /* to the kernel: punt or the lookups' local */
#define FSG_DROPPED (-2) /* nothing came out */

struct fsgraph_out {
	int port;     /* index of the egress in the ifindexes, or FSG_* */
	__u16 reason; /* punted: graph_meta's */
	__u32 len;
	__u8 bytes[OUT_MAX];
};

/* The graph with a ring port for each of @ifindex[0..n), reading @rd. */
int fsgraph_open(struct fsgraph **out, struct fibread *rd, const __u32 *ifindex,
		 unsigned int n, char *why, size_t len);
/* One frame through it: 0, or -errno (a buffer lost or duplicated). */
int fsgraph_run(struct fsgraph *g, const __u8 *in, __u32 len,
		struct fsgraph_out *o);
void fsgraph_close(struct fsgraph *g);
/* Where its lookups note on-link misses (lib/fibread/neigh_note.h). */
struct neigh_note;
void fsgraph_set_notes(struct fsgraph *g, struct neigh_note *n);

#endif
