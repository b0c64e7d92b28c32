/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The neighbour probe: asks the kernel to resolve the gateways that
 * forwarding routes use and that have no usable neighbour entry, so that a
 * route whose gateway nobody pinged does not stay pass_no_neigh (with the
 * kernel's forwarding off, or every packet carried by XDP, nothing else
 * would ever resolve it).
 *
 * What it asks for, per gateway without a usable entry:
 *  - no entry at all: a "managed" entry (NTF_EXT_MANAGED, Linux >= 5.16),
 *    which the kernel itself keeps resolved and re-validates, tagged with
 *    NDA_PROTOCOL NEIGH_PROBE_PROTO so that sluiced knows it is its own
 *    (after a restart too).  The same request carries NTF_USE: an older
 *    kernel ignores the managed flag and starts a plain resolution;
 *  - the kernel's own entry, INCOMPLETE/FAILED/NONE: NTF_USE, which starts
 *    a resolution and changes nothing else;
 *  - someone else's managed or externally learned entry: nothing (its
 *    owner resolves it; NTF_USE would clear those flags).
 * It asks again with a backoff (1 s doubling to 30 s) while the gateway
 * stays unresolved and stops when no route uses it.  Its own entry is then
 * handed back to the kernel when resolved (no longer managed: an ordinary
 * STALE entry the kernel ages out, as one it learned itself; deleting it
 * would take the neighbour from traffic to that host as an on-link
 * destination, which nothing would resolve again with the kernel's
 * forwarding off), deleted when not.  A clean shutdown deletes them all.
 *
 * The scheduling is pure (a clock and a sender come in through struct
 * neigh_probe_ops: tests/unit/test_neigh_probe.c fakes both); the netlink
 * side is neigh_probe_nl.c.  state.c feeds it through the hooks below,
 * each a no-op on a NULL probe.
 */
#ifndef SLUICED_NEIGH_PROBE_H
#define SLUICED_NEIGH_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <uapi/sluice/sluice.h>
#include "nl.h"

/* NDA_PROTOCOL of the entries sluiced creates ("proto 83" in ip -d neigh):
 * not in iproute2's rt_protos list. */
#define NEIGH_PROBE_PROTO 83

#define NEIGH_PROBE_BACKOFF_MIN_MS 1000u
#define NEIGH_PROBE_BACKOFF_MAX_MS 30000u

enum neigh_probe_req {
	NP_REQ_CREATE,	/* no entry: create ours (managed + NTF_USE) */
	NP_REQ_REFRESH, /* ours, still unresolved: ask again */
	NP_REQ_USE,	/* the kernel's unresolved entry: NTF_USE only */
	NP_REQ_RELEASE, /* ours, resolved, no longer used: not managed now */
	NP_REQ_DELETE,	/* ours, unresolved and unused, or at shutdown */
	NP_REQ_COUNT,
};

struct neigh_probe_ops {
	uint64_t (*now_ms)(void *ctx);
	/* 0, or the kernel's -errno */
	int (*send)(void *ctx, enum neigh_probe_req req,
		    const struct sluice_neigh_key *k);
	/* a port sluice forwards through (a gateway elsewhere is not ours
	 * to resolve) */
	bool (*is_port)(void *ctx, uint32_t ifindex);
};

struct neigh_probe_stats {
	uint64_t sent[NP_REQ_COUNT];
	uint64_t errors;
	uint32_t unresolved; /* used gateways without a usable entry */
	uint32_t owned;	     /* entries in the kernel that are ours */
};

struct neigh_probe;

/* 0 or -errno; @ctx is passed to every op. */
int neigh_probe_new(struct neigh_probe **out, const struct neigh_probe_ops *ops,
		    void *ctx);
/* With @remove_ours, deletes the entries it created first (a clean
 * shutdown; keep-on-exit leaves them, and a restart adopts them). */
void neigh_probe_free(struct neigh_probe *np, bool remove_ours);

/* Hooks from state.c: a next-hop group came into use (its first route)
 * or went out of use; a kernel neighbour event; a full re-dump follows. */
void neigh_probe_nhg_used(struct neigh_probe *np, const struct sluice_nhg *g);
void neigh_probe_nhg_unused(struct neigh_probe *np, const struct sluice_nhg *g);
void neigh_probe_neigh_event(struct neigh_probe *np, const struct nl_neigh *n,
			     bool del);
void neigh_probe_forget_kernel(struct neigh_probe *np);

/* Sends what is due now. */
void neigh_probe_run(struct neigh_probe *np);
/* Milliseconds until something is due (0: now), at most @max. */
int neigh_probe_due_in(struct neigh_probe *np, int max);
void neigh_probe_get_stats(const struct neigh_probe *np,
			   struct neigh_probe_stats *s);

/* ---- neigh_probe_nl.c: the kernel side ---------------------------------- */

struct loop;
struct state;
struct neigh_probe_nl;

/* The probe of a running daemon: rtnetlink requests on a socket of its
 * own, CLOCK_MONOTONIC, the attached ports of @st.  0 or -errno. */
int neigh_probe_nl_new(struct neigh_probe_nl **out, struct state *st);
struct neigh_probe *neigh_probe_nl_probe(struct neigh_probe_nl *pn);
/* Runs it from @l: when something is due, and when its socket is
 * readable (drained). */
int neigh_probe_nl_loop_add(struct neigh_probe_nl *pn, struct loop *l);
/* Frees the probe (see neigh_probe_free) and the socket. */
void neigh_probe_nl_free(struct neigh_probe_nl *pn, bool remove_ours);

#endif
