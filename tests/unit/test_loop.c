// SPDX-License-Identifier: BSD-2-Clause
/*
 * The daemon's event loop (daemon/loop.c): fd callbacks, timers in the
 * order of their deadlines, sources removed from inside callbacks (their
 * own and others' of the same round), and the due hook the API uses.
 * Every run has a safety timer that stops the loop, so a bug fails the
 * test instead of hanging it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "loop.h"

#define SAFETY_MS 2000

struct rec {
	struct loop *l;
	int order[16];
	int n;
	bool timed_out;
	int stop_at; /* stop the loop after this many calls */
};

struct probe {
	struct rec *rec;
	int id;
	int fd; /* drained when set */
	struct loop_src *src;
	struct loop_src *victim; /* removed by this probe's callback */
	int budget;		 /* calls left before it removes itself */
	int due_calls;		 /* loop_due_fn: times it answers 0 */
};

static void note(struct rec *r, int id)
{
	if (r->n < 16)
		r->order[r->n] = id;
	r->n++;
	if (r->stop_at && r->n >= r->stop_at)
		loop_stop(r->l);
}

static void on_event(void *arg)
{
	struct probe *p = arg;
	char buf[16];

	if (p->fd >= 0 && read(p->fd, buf, sizeof(buf)) < 0)
		fail_msg("read: %s", strerror(errno));
	if (p->victim)
		loop_remove(p->rec->l, p->victim);
	if (p->budget && !--p->budget)
		loop_remove(p->rec->l, p->src);
	note(p->rec, p->id);
}

static void on_safety(void *arg)
{
	struct rec *r = arg;

	r->timed_out = true;
	loop_stop(r->l);
}

static void setup(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(loop_new(&r->l), 0);
	assert_non_null(loop_add_timer(r->l, SAFETY_MS, 0, on_safety, r));
}

static void pipe_probe(struct rec *r, struct probe *p, int id, int fds[2])
{
	assert_int_equal(pipe(fds), 0);
	*p = (struct probe){ .rec = r, .id = id, .fd = fds[0] };
	p->src = loop_add_fd(r->l, fds[0], on_event, p);
	assert_non_null(p->src);
}

static void test_fd_callback(void **state)
{
	struct probe p;
	struct rec r;
	int fds[2];

	(void)state;
	setup(&r);
	pipe_probe(&r, &p, 1, fds);
	r.stop_at = 2;
	assert_int_equal(write(fds[1], "x", 1), 1);
	/* called again for the next write, not for the one it drained */
	assert_int_equal(loop_add_timer(r.l, 20, 0, on_event,
					&(struct probe){ .rec = &r,
							 .id = 9,
							 .fd = -1 }) != NULL,
			 1);
	assert_int_equal(loop_run(r.l), 0);
	assert_false(r.timed_out);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.order[0], 1);
	assert_int_equal(r.order[1], 9);
	loop_free(r.l);
	close(fds[0]);
	close(fds[1]);
}

static void test_timers_in_order(void **state)
{
	struct probe p[4];
	struct rec r;

	(void)state;
	setup(&r);
	r.stop_at = 4;
	/* added out of order; 3 and 4 share a deadline: order of adding */
	p[0] = (struct probe){ .rec = &r, .id = 3, .fd = -1 };
	p[1] = (struct probe){ .rec = &r, .id = 1, .fd = -1 };
	p[2] = (struct probe){ .rec = &r, .id = 2, .fd = -1 };
	p[3] = (struct probe){ .rec = &r, .id = 4, .fd = -1 };
	assert_non_null(loop_add_timer(r.l, 60, 0, on_event, &p[0]));
	assert_non_null(loop_add_timer(r.l, 10, 0, on_event, &p[1]));
	assert_non_null(loop_add_timer(r.l, 30, 0, on_event, &p[2]));
	assert_non_null(loop_add_timer(r.l, 90, 0, on_event, &p[3]));
	assert_int_equal(loop_run(r.l), 0);
	assert_false(r.timed_out);
	for (int i = 0; i < 4; i++)
		assert_int_equal(r.order[i], i + 1);
	loop_free(r.l);
}

/* A callback that blocks makes several timers due in one round: they
 * still fire by deadline, not in the order epoll reports them. */
static void on_slow(void *arg)
{
	struct probe *p = arg;
	struct timespec ts = { .tv_nsec = 80 * 1000000L };

	nanosleep(&ts, NULL);
	note(p->rec, p->id);
}

static void test_due_together_by_deadline(void **state)
{
	struct probe slow, p[3];
	struct rec r;

	(void)state;
	setup(&r);
	r.stop_at = 4;
	slow = (struct probe){ .rec = &r, .id = 0, .fd = -1 };
	for (int i = 0; i < 3; i++)
		p[i] = (struct probe){ .rec = &r, .id = 3 - i, .fd = -1 };
	assert_non_null(loop_add_timer(r.l, 0, 0, on_slow, &slow));
	/* all three expire while on_slow sleeps; added latest first */
	assert_non_null(loop_add_timer(r.l, 30, 0, on_event, &p[0]));
	assert_non_null(loop_add_timer(r.l, 20, 0, on_event, &p[1]));
	assert_non_null(loop_add_timer(r.l, 10, 0, on_event, &p[2]));
	assert_int_equal(loop_run(r.l), 0);
	assert_false(r.timed_out);
	for (int i = 0; i < 4; i++)
		assert_int_equal(r.order[i], i);
	loop_free(r.l);
}

static void test_periodic(void **state)
{
	struct probe p;
	struct rec r;

	(void)state;
	setup(&r);
	r.stop_at = 3;
	p = (struct probe){ .rec = &r, .id = 7, .fd = -1 };
	p.src = loop_add_timer(r.l, 5, 5, on_event, &p);
	assert_non_null(p.src);
	assert_int_equal(loop_run(r.l), 0);
	assert_false(r.timed_out);
	assert_int_equal(r.n, 3);
	/* removed from its own callback: it fires no more */
	p.budget = 1;
	r.stop_at = 0;
	assert_non_null(loop_add_timer(r.l, 60, 0, on_safety, &r));
	assert_int_equal(loop_run(r.l), 0);
	assert_int_equal(r.n, 4);
	loop_free(r.l);
}

/* Two fds readable in the same round: whichever runs first removes the
 * other, which is then not called (and not touched once freed: ASan). */
static void test_remove_other_in_callback(void **state)
{
	int fa[2], fb[2];
	struct probe a, b;
	struct rec r;

	(void)state;
	setup(&r);
	pipe_probe(&r, &a, 1, fa);
	pipe_probe(&r, &b, 2, fb);
	a.victim = b.src;
	b.victim = a.src;
	assert_int_equal(write(fa[1], "x", 1), 1);
	assert_int_equal(write(fb[1], "x", 1), 1);
	assert_non_null(loop_add_timer(r.l, 50, 0, on_safety, &r));
	assert_int_equal(loop_run(r.l), 0);
	assert_int_equal(r.n, 1);
	/* the survivor still works, the removed one stays silent */
	assert_int_equal(write(fa[1], "y", 1), 1);
	assert_int_equal(write(fb[1], "y", 1), 1);
	assert_non_null(loop_add_timer(r.l, 50, 0, on_safety, &r));
	a.victim = b.victim = NULL;
	assert_int_equal(loop_run(r.l), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.order[1], r.order[0]);
	loop_free(r.l);
	close(fa[0]);
	close(fa[1]);
	close(fb[0]);
	close(fb[1]);
}

static void test_remove_self_in_callback(void **state)
{
	struct probe p;
	struct rec r;
	int fds[2];

	(void)state;
	setup(&r);
	pipe_probe(&r, &p, 1, fds);
	p.fd = -1; /* not drained: it would be called every round */
	p.budget = 1;
	assert_int_equal(write(fds[1], "x", 1), 1);
	assert_non_null(loop_add_timer(r.l, 50, 0, on_safety, &r));
	assert_int_equal(loop_run(r.l), 0);
	assert_int_equal(r.n, 1);
	loop_free(r.l);
	close(fds[0]);
	close(fds[1]);
}

/* loop_stop(): the rest of the round is not called. */
static void test_stop_ends_round(void **state)
{
	int fa[2], fb[2];
	struct probe a, b;
	struct rec r;

	(void)state;
	setup(&r);
	r.stop_at = 1;
	pipe_probe(&r, &a, 1, fa);
	pipe_probe(&r, &b, 2, fb);
	assert_int_equal(write(fa[1], "x", 1), 1);
	assert_int_equal(write(fb[1], "x", 1), 1);
	assert_int_equal(loop_run(r.l), 0);
	assert_int_equal(r.n, 1);
	loop_free(r.l);
	close(fa[0]);
	close(fa[1]);
	close(fb[0]);
	close(fb[1]);
}

/* The due hook: a source with work left is called without an event, and
 * the wait is no longer than it asks. */
static int due(void *arg, int max)
{
	struct probe *p = arg;

	if (p->due_calls) {
		if (max == 1)
			p->due_calls--;
		return 0;
	}
	return max < 30 ? max : 30;
}

static void test_due_hook(void **state)
{
	struct timespec t0, t1;
	struct probe p;
	struct rec r;
	int fds[2];
	long ms;

	(void)state;
	setup(&r);
	pipe_probe(&r, &p, 1, fds);
	p.fd = -1; /* nothing is written: called by the hook only */
	p.due_calls = 2;
	loop_set_due(p.src, due);
	r.stop_at = 2;
	assert_int_equal(loop_run(r.l), 0);
	assert_false(r.timed_out);
	assert_int_equal(r.n, 2);
	/* nothing due: the wait is the hook's 30 ms, not LOOP_MAX_WAIT_MS */
	r.stop_at = 0;
	assert_non_null(loop_add_timer(r.l, 200, 0, on_safety, &r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(loop_run(r.l), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 190 && ms < 1000);
	assert_int_equal(r.n, 2);
	loop_free(r.l);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_callback),
		cmocka_unit_test(test_timers_in_order),
		cmocka_unit_test(test_due_together_by_deadline),
		cmocka_unit_test(test_periodic),
		cmocka_unit_test(test_remove_other_in_callback),
		cmocka_unit_test(test_remove_self_in_callback),
		cmocka_unit_test(test_stop_ends_round),
		cmocka_unit_test(test_due_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
