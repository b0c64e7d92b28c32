/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sluice-vrouter's route source: sluiced's own pinned FIB, read through
 * lib/fibread (the XDP path's maps, so both paths pick the same next hop).
 * The control loop calls vr_fib_tick() every second: when fibread_stale()
 * says sluiced rebuilt its maps, a new reader is opened and stored in
 * graph_fib.reader (release: the nodes load it with acquire once a burst);
 * the old one is closed at a later tick, once every worker finished two
 * passes over its queues since the swap (pktio_worker_stats().loops, which
 * a worker bumps after each pass): none can still be in a burst that
 * loaded it. *
 * The lookups' on-link notes (graph_fib.notes, sluiced's neigh_wanted map,
 * lib/fibread/neigh_note.h) follow the same way: opened at the start, and
 * at a tick opened again when the pin names another map, or when none was
 * pinned before (sluiced started later, or restarted); the old handle is
 * retired and closed as a reader is.
 */
#ifndef SLUICE_VROUTER_FIB_H
#define SLUICE_VROUTER_FIB_H

#include <signal.h>
#include <stdint.h>
#include <sluice/graph/fib.h>
#include <sluice/pktio/worker.h>
#include "vr_config.h"

struct vr_fib {
	struct graph_fib *fib;
	char pin_dir[PATH_MAX];
	struct pktio_worker *workers[VR_THREADS_MAX];
	unsigned int n_workers;
	/* a reader swapped out, closed once the workers passed it */
	struct fibread *retired;
	uint64_t retired_loops[VR_THREADS_MAX];
	uint64_t swaps;
	uint64_t stale_errors; /* fibread_stale() or a reopen failed */
	struct neigh_note *retired_notes;
	uint64_t note_opens; /* the notes map opened (again) at a tick */
};

/*
 * Opens sluiced's FIB in @pin_dir, retrying every 100 ms for @wait_s
 * seconds while the pins are absent (sluiced starting) and *@stop is 0:
 * 0, or -errno with @err naming the map and the cause.
 */
int vr_fib_open_wait(const char *pin_dir, unsigned int wait_s,
		     volatile sig_atomic_t *stop, struct fibread **out,
		     char *err, size_t errlen);
/* Opens the notes map into graph_fib.notes: 0, or -errno with @err (the
 * router runs on without: its on-link misses are counted as errors, and
 * each tick tries again). */
int vr_fib_open_notes(struct vr_fib *f, char *err, size_t errlen);
/* One control step: 0, 1 when the reader was swapped, -errno (logged by
 * the caller with @err) when the pins could not be read. */
int vr_fib_tick(struct vr_fib *f, char *err, size_t errlen);
/* With every worker stopped: closes the retired reader now. */
void vr_fib_drop_retired(struct vr_fib *f);
/* After the workers stopped: closes the retired and the current reader. */
void vr_fib_close(struct vr_fib *f);

#endif
