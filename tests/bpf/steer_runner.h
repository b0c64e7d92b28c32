/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What steering's two runners share (steer_runner.c, the selectors of
 * the port stage; steer_transit_runner.c, the route stage's transit
 * selector): the AF_XDP socket and a row with its selector's counters.
 */
#ifndef SLUICE_TESTS_STEER_RUNNER_H
#define SLUICE_TESTS_STEER_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "runner.h"

struct steer_row {
	struct fixture fx;
	__u32 sel;	 /* whose counters move (0: none) */
	bool redirected; /* else no_socket, when sel */
};

/* An AF_XDP socket on sl0 queue 0, copy mode, no XDP program of its own
 * (sluice_xdp is the program: the contract in uapi/sluice/steer.h): 0
 * (also when it is open already), or -errno with @why filled.  Open it
 * once: right after a close the queue is busy until the kernel has
 * released the old socket. */
int steer_xsk_open(char *why, size_t len);
/* Its fd, or -EBADF when none is open. */
int steer_xsk_fd(void);
void steer_xsk_close(void);

/* The fixture, then the counters of selectors @first..@end-1: only
 * @row->sel's moved, by one packet, redirected or no_socket. */
bool steer_row_run(struct env *e, const struct steer_row *row, __u32 first,
		   __u32 end);

/* steer_transit_runner.c: transit selectors, left off at the end; the
 * socket is left open (the caller closes it) */
void steer_transit_run_all(struct env *e);

#endif
