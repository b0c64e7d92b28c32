// SPDX-License-Identifier: BSD-2-Clause
/*
 * Sources are freed only between rounds: an event of the current round may
 * still point to one that a callback removed, and so may a walk of the
 * list.  A removed source is marked dead and taken out of epoll at once,
 * and leaves the list (and memory) when the round ends.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include "loop.h"

#define LOOP_BATCH 16

struct loop_src {
	struct loop_src *next;
	int fd;
	bool timer; /* fd is our timerfd */
	bool dead;
	loop_cb *cb;
	loop_due_fn *due;
	void *arg;
	uint64_t deadline_ns; /* timers: next expiry, CLOCK_MONOTONIC */
	uint64_t period_ns;   /* timers: 0 for one shot */
};

struct loop {
	int ep;
	bool stop;
	struct loop_src *srcs; /* newest first, the dead ones too */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int loop_new(struct loop **out)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0) {
		int err = -errno;

		free(l);
		return err;
	}
	*out = l;
	return 0;
}

static void src_free(struct loop_src *s)
{
	if (s->timer)
		close(s->fd);
	free(s);
}

static void free_dead(struct loop *l)
{
	struct loop_src **p = &l->srcs;

	while (*p) {
		struct loop_src *s = *p;

		if (s->dead) {
			*p = s->next;
			src_free(s);
		} else {
			p = &s->next;
		}
	}
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	while (l->srcs) {
		struct loop_src *s = l->srcs;

		l->srcs = s->next;
		src_free(s);
	}
	close(l->ep);
	free(l);
}

static struct loop_src *src_add(struct loop *l, int fd, bool timer, loop_cb *cb,
				void *arg)
{
	struct loop_src *s = calloc(1, sizeof(*s));
	struct epoll_event ev = { .events = EPOLLIN };

	if (!s)
		return NULL;
	s->fd = fd;
	s->timer = timer;
	s->cb = cb;
	s->arg = arg;
	ev.data.ptr = s;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev)) {
		int err = errno;

		free(s);
		errno = err;
		return NULL;
	}
	s->next = l->srcs;
	l->srcs = s;
	return s;
}

struct loop_src *loop_add_fd(struct loop *l, int fd, loop_cb *cb, void *arg)
{
	return src_add(l, fd, false, cb, arg);
}

void loop_set_due(struct loop_src *src, loop_due_fn *due)
{
	src->due = due;
}

static struct timespec ts_of(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000ull),
				  .tv_nsec = (long)(ns % 1000000000ull) };
}

struct loop_src *loop_add_timer(struct loop *l, uint64_t first_ms,
				uint64_t period_ms, loop_cb *cb, void *arg)
{
	struct itimerspec its = {};
	struct loop_src *s;
	int fd, err;

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	/* absolute: an expiry time of "now" is not 0, which would disarm */
	its.it_value = ts_of(now_ns() + first_ms * 1000000ull);
	its.it_interval = ts_of(period_ms * 1000000ull);
	if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL))
		goto err_fd;
	s = src_add(l, fd, true, cb, arg);
	if (!s)
		goto err_fd;
	s->deadline_ns = (uint64_t)its.it_value.tv_sec * 1000000000ull +
			 (uint64_t)its.it_value.tv_nsec;
	s->period_ns = period_ms * 1000000ull;
	return s;
err_fd:
	err = errno;
	close(fd);
	errno = err;
	return NULL;
}

void loop_remove(struct loop *l, struct loop_src *src)
{
	if (!src || src->dead)
		return;
	epoll_ctl(l->ep, EPOLL_CTL_DEL, src->fd, NULL);
	src->dead = true;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

/* Fds in the order epoll gave them, then timers by deadline. */
static void order_round(struct epoll_event *evs, int n)
{
	for (int i = 1; i < n; i++) {
		struct epoll_event e = evs[i];
		const struct loop_src *s = e.data.ptr;
		int j = i;

		while (j > 0) {
			const struct loop_src *p = evs[j - 1].data.ptr;

			if (!s->timer ||
			    (p->timer && p->deadline_ns <= s->deadline_ns))
				break;
			evs[j] = evs[j - 1];
			j--;
		}
		evs[j] = e;
	}
}

static void dispatch(struct loop *l, struct loop_src *s)
{
	if (s->timer) {
		uint64_t n;

		/* a timer that was re-armed meanwhile has nothing to read */
		if (read(s->fd, &n, sizeof(n)) != sizeof(n))
			return;
		if (!s->period_ns)
			loop_remove(l, s);
		else
			s->deadline_ns += n * s->period_ns;
	}
	s->cb(s->arg);
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_BATCH];
	int err = 0;

	l->stop = false;
	while (!l->stop) {
		int timeout = LOOP_MAX_WAIT_MS, n;
		struct loop_src *s;

		for (s = l->srcs; s; s = s->next)
			if (s->due && !s->dead)
				timeout = s->due(s->arg, timeout);
		n = epoll_wait(l->ep, evs, LOOP_BATCH, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		order_round(evs, n);
		for (int i = 0; i < n && !l->stop; i++) {
			s = evs[i].data.ptr;
			if (!s->dead)
				dispatch(l, s);
		}
		/* what a source left for later (see loop_due_fn) */
		for (s = l->srcs; s && !l->stop; s = s->next)
			if (s->due && !s->dead && !s->due(s->arg, 1))
				s->cb(s->arg);
		free_dead(l);
	}
	free_dead(l);
	return err;
}
