/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Connection tracking at packet level (ct_runner.c): scenarios of packets
 * between a client behind P0 (198.19.5.10, 2001:db8:105::10) and a server
 * behind P1 (198.19.0.5, 2001:db8:100::5), each packet a full fixture
 * (verdict, reason, exact output bytes), and after each the flow's entry
 * (its state, or none) and the one event the packet must count.
 */
#ifndef SLUICE_TESTS_CT_FIXTURES_H
#define SLUICE_TESTS_CT_FIXTURES_H

#include "fixtures.h"

#define CT_MAX_STEPS 12
#define CT_NO_EVENT (-1)
#define CT_NO_ENTRY 0xff /* ct_step.state: the flow has no entry */

struct ct_step {
	struct fixture fx;
	__u8 state;   /* SLUICE_CT_* the entry is in after, or CT_NO_ENTRY */
	__u8 flags;   /* SLUICE_CTF_* the entry must have (besides others) */
	bool created; /* this packet made the entry */
	int event;    /* SLUICE_CTE_* that moves by one, or CT_NO_EVENT */
};

struct ct_scenario {
	const char *name;
	const char *client; /* the flow's opener, for the entry lookup */
	__u8 proto;
	struct ct_step steps[CT_MAX_STEPS];
	__u8 n;
};

extern const struct ct_scenario ct_scenarios[];
extern const size_t ct_n_scenarios;

/* A table of CT_FULL_CAPACITY entries (the runner's capacity). */
#define CT_FULL_CAPACITY 16

#endif
