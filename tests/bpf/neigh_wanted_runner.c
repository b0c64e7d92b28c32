// SPDX-License-Identifier: BSD-2-Clause
/*
 * The notes of on-link misses (bpf/lib/neigh_wanted.h): a packet to a
 * host on a connected subnet without a neighbour is passed to the kernel
 * as before (the fixture's verdict, reason and bytes, checked by
 * run_fixture) and leaves exactly one note, its egress port, family and
 * address, however many packets follow; a gateway's miss leaves none
 * (sluiced resolves gateways from the routes); XDP and TC note into the
 * same map; taking the notes empties it.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "dp.h"
#include "fixtures.h"
#include "runner.h"

#define MAX_NOTES 8

static const struct fixture *by_name(const char *name)
{
	for (size_t i = 0; i < n_fixtures; i++)
		if (!strcmp(fixtures[i].name, name))
			return &fixtures[i];
	return NULL;
}

/* Runs fixture @name @times times; the notes it left (taken: the map is
 * empty after), or -1 when a run or the take failed. */
static int run_and_take(struct env *e, const char *name, int times,
			struct sluice_neigh_key *notes)
{
	const struct fixture *fx = by_name(name);

	if (!fx) {
		diag("no fixture '%s'", name);
		return -1;
	}
	for (int i = 0; i < times; i++)
		if (!run_fixture(e, fx))
			return -1;
	return dp_neigh_wanted_take(e->dp, notes, MAX_NOTES);
}

static bool note_is(const struct sluice_neigh_key *k, __u32 ifindex,
		    const char *addr)
{
	struct sluice_neigh_key want = { .ifindex = ifindex,
					 .family = (__u8)family_of(addr) };
	char got[INET6_ADDRSTRLEN] = "?";

	inet_pton(want.family, addr, want.addr);
	if (!memcmp(k, &want, sizeof(want)))
		return true;
	inet_ntop(k->family, k->addr, got, sizeof(got));
	diag("note: ifindex %u family %u %s; want ifindex %u %s", k->ifindex,
	     k->family, got, ifindex, addr);
	return false;
}

static void one_case(struct env *e, const char *fixture, int times,
		     const char *host)
{
	struct sluice_neigh_key notes[MAX_NOTES];
	char name[200];
	int n;

	snprintf(name, sizeof(name), "%sneigh_wanted: %s, %d packets: %s",
		 e->at_tc ? "tc: " : "", fixture, times,
		 host ? "one note" : "no note");
	n = run_and_take(e, fixture, times, notes);
	if (n < 0) {
		tap(e, false, name);
		return;
	}
	if (!host) {
		if (n)
			diag("%d notes, want none", n);
		tap(e, n == 0, name);
		return;
	}
	if (n != 1)
		diag("%d notes, want 1", n);
	tap(e, n == 1 && note_is(&notes[0], e->ifindex[IFX_P1], host), name);
}

void neigh_wanted_run_all(struct env *e)
{
	struct sluice_neigh_key notes[MAX_NOTES];

	/* whatever earlier tables left */
	while (dp_neigh_wanted_take(e->dp, notes, MAX_NOTES) > 0)
		;
	for (int tc = 0; tc < 2; tc++) {
		e->at_tc = tc;
		one_case(e, "pass_no_neigh: v4 on-link host unresolved", 1,
			 "198.18.1.8");
		one_case(e, "pass_no_neigh: v4 on-link host unresolved", 5,
			 "198.18.1.8");
		one_case(e, "pass_no_neigh: v6 on-link host unresolved", 3,
			 "2001:db8:1::8");
		one_case(e, "pass_no_neigh: v4 gateway unresolved", 3, NULL);
		one_case(e, "pass_no_neigh: v6 gateway unresolved", 3, NULL);
		/* resolved on-link hosts leave nothing */
		one_case(e, "v4 on-link forward: neighbour is the destination",
			 3, NULL);
		one_case(e, "v6 on-link forward: neighbour is the destination",
			 3, NULL);
	}
	e->at_tc = false;
}
