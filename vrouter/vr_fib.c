// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <fibread.h>
#include <neigh_note.h>
#include "vr_fib.h"

int vr_fib_open_wait(const char *pin_dir, unsigned int wait_s,
		     volatile sig_atomic_t *stop, struct fibread **out,
		     char *err, size_t errlen)
{
	const struct timespec step = { 0, 100 * 1000 * 1000 };
	unsigned int tries = wait_s * 10 + 1;
	int rc = -ENOENT;

	/* absent pins are sluiced still starting (or not started): wait;
	 * anything else (a layout of another build, no permission) is not
	 * going to change */
	for (unsigned int i = 0; i < tries && !*stop; i++) {
		rc = fibread_open(out, pin_dir, err, errlen);
		if (rc != -ENOENT)
			return rc;
		if (i + 1 < tries)
			nanosleep(&step, NULL);
	}
	return rc;
}

static bool workers_passed(const struct vr_fib *f)
{
	for (unsigned int i = 0; i < f->n_workers; i++) {
		struct pktio_worker_stats s;

		if (!pktio_worker_running(f->workers[i]))
			continue;
		pktio_worker_stats(f->workers[i], &s);
		if (s.loops < f->retired_loops[i] + 2)
			return false;
	}
	return true;
}

int vr_fib_open_notes(struct vr_fib *f, char *err, size_t errlen)
{
	struct neigh_note *n;
	int rc = neigh_note_open(&n, f->pin_dir, err, errlen);

	if (!rc)
		__atomic_store_n(&f->fib->notes, n, __ATOMIC_RELEASE);
	return rc;
}

/* A notes map to swap in: none was open, or the pin names another map. */
static struct neigh_note *notes_next(const struct vr_fib *f)
{
	const struct neigh_note *cur =
		__atomic_load_n(&f->fib->notes, __ATOMIC_RELAXED);
	struct neigh_note *next;

	if (cur && neigh_note_stale(cur) != 1)
		return NULL;
	/* absent: sluiced not (yet) running; it is tried again next tick */
	if (neigh_note_open(&next, f->pin_dir, NULL, 0))
		return NULL;
	return next;
}

int vr_fib_tick(struct vr_fib *f, char *err, size_t errlen)
{
	struct fibread *cur, *next = NULL;
	struct neigh_note *notes, *old_notes;
	int rc;

	if (f->retired || f->retired_notes) {
		if (!workers_passed(f))
			return 0; /* one swap at a time */
		fibread_close(f->retired);
		f->retired = NULL;
		neigh_note_close(f->retired_notes);
		f->retired_notes = NULL;
	}
	cur = __atomic_load_n(&f->fib->reader, __ATOMIC_RELAXED);
	rc = fibread_stale(cur);
	if (rc < 0) {
		f->stale_errors++;
		snprintf(err, errlen, "fibread_stale: %s", strerror(-rc));
		return rc;
	}
	if (rc) {
		rc = fibread_open(&next, f->pin_dir, err, errlen);
		if (rc) {
			/* sluiced is rebuilding or gone: keep routing with
			 * the maps held open (the last table), try again
			 * next tick */
			f->stale_errors++;
			return rc;
		}
	}
	notes = notes_next(f);
	if (!next && !notes)
		return 0;
	old_notes = __atomic_load_n(&f->fib->notes, __ATOMIC_RELAXED);
	if (next)
		__atomic_store_n(&f->fib->reader, next, __ATOMIC_RELEASE);
	if (notes)
		__atomic_store_n(&f->fib->notes, notes, __ATOMIC_RELEASE);
	/* counted after the stores: a pass that began before them is the
	 * one in progress now, finished by the next count; +2 for margin */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < f->n_workers; i++) {
		struct pktio_worker_stats s;

		pktio_worker_stats(f->workers[i], &s);
		f->retired_loops[i] = s.loops;
	}
	if (notes) {
		f->retired_notes = old_notes;
		f->note_opens++;
	}
	if (!next)
		return 0;
	f->retired = cur;
	f->swaps++;
	return 1;
}

void vr_fib_drop_retired(struct vr_fib *f)
{
	if (f->retired)
		fibread_close(f->retired);
	f->retired = NULL;
	neigh_note_close(f->retired_notes);
	f->retired_notes = NULL;
}

void vr_fib_close(struct vr_fib *f)
{
	vr_fib_drop_retired(f);
	if (f->fib->reader)
		fibread_close(f->fib->reader);
	f->fib->reader = NULL;
	neigh_note_close(f->fib->notes);
	f->fib->notes = NULL;
}
