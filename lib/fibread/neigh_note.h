/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * On-link misses noted from user space, as the XDP path notes them
 * (bpf/lib/neigh_wanted.h): a packet to a host on a connected subnet
 * whose neighbour is not resolved goes to the kernel, and with its
 * forwarding off the kernel never resolves a host it does not send to
 * itself.  So the destination is noted in sluiced's pinned neigh_wanted
 * LRU map, which sluiced takes every 100 ms and asks the kernel to resolve
 * (daemon/neigh_onlink.h).  The key is byte for byte the one
 * bpf/lib/route.h's resolve_nh() builds: the next hop's logical egress
 * (fibread_hop.ifindex, maybe a VLAN), the family, the 16 address bytes
 * (v4 in the first 4, the rest and the pad 0).
 *
 * A bpf syscall per packet would cost more than routing it, so a lookup
 * node gathers a burst's misses in a struct neigh_note_set (each
 * destination once, at most NEIGH_NOTE_BURST) and writes them once the
 * burst is routed; a flood to one host costs one lookup syscall per burst.
 * The write is the BPF side's: a lookup first, an insert (BPF_NOEXIST)
 * only when absent, so a note sluiced has not taken yet is not churned.
 */
#ifndef SLUICE_NEIGH_NOTE_H
#define SLUICE_NEIGH_NOTE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <uapi/sluice/route.h>
#include "fibread.h"

struct neigh_note;

/* destinations one burst notes at most; more wait for a later packet */
#define NEIGH_NOTE_BURST 16

struct neigh_note_set {
	unsigned int n;
	uint64_t full; /* misses not kept: the set was full */
	struct sluice_neigh_key k[NEIGH_NOTE_BURST];
};

/* What the writes of one flush did, added to by neigh_note_flush(). */
struct neigh_note_counts {
	uint64_t written; /* new notes inserted */
	uint64_t present; /* already noted, sluiced has not taken it yet */
	uint64_t errors;  /* no map (@n NULL) or a syscall failed */
};

/*
 * Opens the neigh_wanted map pinned in @pin_dir (sluiced's pin_dir) for
 * writing and checks its shape: 0, or -errno: -ENOENT (not pinned:
 * sluiced not running, or a build without it), -EPROTO (not this build's
 * layout), -EACCES, -ENOMEM.  @err (may be NULL) names the map and cause.
 */
int neigh_note_open(struct neigh_note **out, const char *pin_dir, char *err,
		    size_t errlen);
void neigh_note_close(struct neigh_note *n);

/* As fibread_stale(): 0, 1 when the pin is gone or names another map (open
 * again), -errno.  A bpf_obj_get: now and then, not per packet. */
int neigh_note_stale(const struct neigh_note *n);

/* The key resolve_nh() builds for a packet to @dst (@family's 4 or 16
 * bytes) through logical egress @ifindex. */
void neigh_note_key(struct sluice_neigh_key *k, __u32 ifindex, __u8 family,
		    const __u8 *dst);

/* Adds @f's destination to @s when @h is an on-link miss (FIBREAD_ONLINK
 * and pass_no_neigh: what resolve_nh() notes; a gateway's miss is not one,
 * sluiced resolves gateways from the routes): 1 when it is one (kept, or
 * already kept, or counted in s->full), 0 when not. */
int neigh_note_hop(struct neigh_note_set *s, const struct fibread_flow *f,
		   const struct fibread_hop *h);

/* Adds @k to @s unless it is there: 1 added, 0 already there, -ENOSPC
 * full (counted in s->full). */
int neigh_note_add(struct neigh_note_set *s, const struct sluice_neigh_key *k);

/* Writes each note of @s to @n's map (lookup, then BPF_NOEXIST insert),
 * counts into @c and empties @s.  @n NULL: each note counts as an error. */
void neigh_note_flush(const struct neigh_note *n, struct neigh_note_set *s,
		      struct neigh_note_counts *c);

#endif
