/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sluiced's event loop: one epoll set where each feature registers its
 * file descriptors and its timers (each a timerfd) with a callback, so
 * that a new feature adds sources, not cases to a switch in main.c.  One
 * thread: callbacks run one at a time and must not block.
 */
#ifndef SLUICED_LOOP_H
#define SLUICED_LOOP_H

#include <stdint.h>

/* The longest the loop sleeps, even when no source asks for less. */
#define LOOP_MAX_WAIT_MS 1000

struct loop;
struct loop_src;

typedef void loop_cb(void *arg);
/* How long the source's callback may wait for its fd, in ms: @max when it
 * has no reason to run before its fd is readable, 0 when it has work now
 * (it is then called after the events of this round). */
typedef int loop_due_fn(void *arg, int max);

/* 0 or -errno. */
int loop_new(struct loop **out);
/* Removes what is still registered (closing timer fds, never the fds of
 * loop_add_fd()). */
void loop_free(struct loop *l);

/* @cb(@arg) whenever @fd is readable.  NULL with errno set on failure. */
struct loop_src *loop_add_fd(struct loop *l, int fd, loop_cb *cb, void *arg);
/* Also asks @due, before each wait, how long @src may sleep. */
void loop_set_due(struct loop_src *src, loop_due_fn *due);
/*
 * @cb(@arg) after @first_ms, then every @period_ms (0: once, and the
 * source is removed after its call).  Timers that are due together fire
 * in the order of their deadlines.  NULL with errno set on failure.
 */
struct loop_src *loop_add_timer(struct loop *l, uint64_t first_ms,
				uint64_t period_ms, loop_cb *cb, void *arg);
/* Stops watching @src: its callback is not called again, even for an
 * event of the current round.  Safe inside any callback, its own too. */
void loop_remove(struct loop *l, struct loop_src *src);

/* Runs callbacks until loop_stop(): 0, or -errno when waiting fails. */
int loop_run(struct loop *l);
/* From a callback: loop_run() returns once it is done, without calling
 * the other callbacks of this round. */
void loop_stop(struct loop *l);

#endif
