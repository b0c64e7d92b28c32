/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * On-link destinations the data path found no neighbour for
 * (bpf/lib/neigh_wanted.h): sluiced takes the notes every
 * NEIGH_ONLINK_POLL_MS and asks the kernel to resolve each, as the
 * kernel would itself had it forwarded the packet (with its forwarding
 * off it never does, and a host on a connected subnet that nobody
 * resolved stayed pass_no_neigh for good).  What it asks for, per
 * destination on a sluice port (neigh_probe_nl.c):
 *  - no entry: an ordinary one with NTF_USE (`ip neigh add ADDR dev IF`
 *    then `use`, in one request), the kernel's from then on: it resolves,
 *    ages and collects it as one it learned itself;
 *  - the kernel's own unresolved entry: NTF_USE, nothing else changes;
 *  - a permanent, managed or externally learned entry: nothing (its owner
 *    keeps it; NTF_USE would clear those flags).
 * A destination is asked at most once per NEIGH_ONLINK_AGAIN_MS (a host
 * that does not answer is noted again by every packet to it); this file
 * is that throttle, pure so that tests/unit/test_neigh_onlink.c can run
 * it with a clock of its own.
 */
#ifndef SLUICED_NEIGH_ONLINK_H
#define SLUICED_NEIGH_ONLINK_H

#include <stdbool.h>
#include <stdint.h>
#include <uapi/sluice/route.h>

#define NEIGH_ONLINK_POLL_MS 100
#define NEIGH_ONLINK_BATCH 64 /* notes taken per poll, at most */
#define NEIGH_ONLINK_AGAIN_MS 1000
/* destinations remembered for the throttle; one that lands on the slot of
 * another pushes it out, and that one may be asked again early */
#define NEIGH_ONLINK_SLOTS 1024

struct neigh_onlink_slot {
	struct sluice_neigh_key k;
	uint64_t at_ms; /* 0: empty */
};

struct neigh_onlink {
	struct neigh_onlink_slot slot[NEIGH_ONLINK_SLOTS];
};

/* True when @k may be asked at @now_ms (which is then remembered), false
 * when it was asked less than NEIGH_ONLINK_AGAIN_MS before. */
bool neigh_onlink_due(struct neigh_onlink *no, const struct sluice_neigh_key *k,
		      uint64_t now_ms);

#endif
