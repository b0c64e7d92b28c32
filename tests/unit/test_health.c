// SPDX-License-Identifier: BSD-2-Clause
/*
 * Health checks against real sockets on 127.0.0.1: listeners and tiny HTTP
 * responders run in threads of this process, the checker is driven from an
 * epoll loop the way sluiced drives it.  Nothing leaves the host: timeouts
 * come from a listener whose accept queue is full (SYNs dropped) or from a
 * server that accepts and never answers.  Every loop has a deadline.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "health.h"
#include "log.h"

#define LOOPBACK htonl(INADDR_LOOPBACK)

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- callbacks ---- */

#define MAX_REC 64

struct rec {
	struct health *h;
	int n; /* callbacks so far */
	uint64_t id[MAX_REC];
	enum health_state st[MAX_REC];
	uint64_t at[MAX_REC]; /* now_ms() */
	bool del_all;	      /* first callback deletes 1 and 2, adds 3 */
};

static void record(void *arg, uint64_t id, enum health_state st)
{
	struct rec *r = arg;

	if (r->n < MAX_REC) {
		r->id[r->n] = id;
		r->st[r->n] = st;
		r->at[r->n] = now_ms();
	}
	r->n++;
	if (r->del_all && r->n == 1) {
		struct health_params none = { .kind = HEALTH_NONE };
		uint32_t a = LOOPBACK;

		/* Re-entrancy: delete the target being reported and another
		 * one with a probe maybe in flight, reuse a slot. */
		assert_int_equal(health_del(r->h, 1), 0);
		assert_int_equal(health_del(r->h, 2), 0);
		assert_int_equal(health_set(r->h, 3, AF_INET, &a, &none), 0);
	}
}

/* ---- test servers ---- */

enum srv_mode {
	SRV_LISTEN, /* listen only: the kernel completes handshakes */
	SRV_ACCEPT, /* accept and close */
	SRV_SILENT, /* accept, never answer */
	SRV_HTTP,   /* read the request, write @reply, close */
};

#define MAX_HELD 64

struct srv {
	int lfd, stopfd;
	uint16_t port;
	enum srv_mode mode;
	const char *reply;
	pthread_t thr;
	bool thread;
	atomic_int accepts;
	uint64_t accept_at[MAX_HELD]; /* read after srv_stop() only */
	char req[512];		      /* first request, likewise */
	int held[MAX_HELD];
	int n_held;
};

/* Reads a request head for at most 500 ms. */
static void srv_read_request(struct srv *s, int fd, bool first)
{
	char buf[512];
	size_t len = 0;
	uint64_t end = now_ms() + 500;

	while (len < sizeof(buf) - 1 && now_ms() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	buf[len] = '\0';
	if (first)
		memcpy(s->req, buf, len + 1);
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	/* Bounded even if a failed assertion skips srv_stop() */
	uint64_t end = now_ms() + 10000;

	while (now_ms() < end) {
		struct pollfd pfd[2] = {
			{ .fd = s->lfd, .events = POLLIN },
			{ .fd = s->stopfd, .events = POLLIN },
		};
		int fd, n;

		if (poll(pfd, 2, 100) < 0 || pfd[1].revents)
			break;
		if (!pfd[0].revents)
			continue;
		fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		n = atomic_fetch_add(&s->accepts, 1);
		if (n < MAX_HELD)
			s->accept_at[n] = now_ms();
		switch (s->mode) {
		case SRV_HTTP:
			srv_read_request(s, fd, n == 0);
			if (*s->reply)
				send(fd, s->reply, strlen(s->reply),
				     MSG_NOSIGNAL);
			break;
		case SRV_SILENT:
			if (s->n_held < MAX_HELD) {
				s->held[s->n_held++] = fd;
				continue;
			}
			break;
		default: break;
		}
		close(fd);
	}
	return NULL;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	return ntohs(sin.sin_port);
}

static int listen_loopback(int backlog)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = LOOPBACK };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, backlog), 0);
	return fd;
}

static void srv_start(struct srv *s, enum srv_mode mode, const char *reply)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->reply = reply ? reply : "";
	s->lfd = listen_loopback(128);
	s->port = bound_port(s->lfd);
	s->stopfd = eventfd(0, EFD_CLOEXEC);
	assert_true(s->stopfd >= 0);
	if (mode == SRV_LISTEN)
		return;
	assert_int_equal(pthread_create(&s->thr, NULL, srv_main, s), 0);
	s->thread = true;
}

/* Stops the thread and closes the listener: connects are refused after. */
static void srv_stop(struct srv *s)
{
	uint64_t one = 1;

	if (s->thread) {
		assert_int_equal(write(s->stopfd, &one, sizeof(one)),
				 sizeof(one));
		pthread_join(s->thr, NULL);
		s->thread = false;
	}
	for (int i = 0; i < s->n_held; i++)
		close(s->held[i]);
	s->n_held = 0;
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->stopfd >= 0)
		close(s->stopfd);
	s->lfd = s->stopfd = -1;
}

/* A port nothing listens on: connecting to it is refused. */
static uint16_t refused_port(void)
{
	int fd = listen_loopback(1);
	uint16_t port = bound_port(fd);

	close(fd);
	return port;
}

/*
 * A listener whose accept queue is full: with backlog 0 the queue holds one
 * connection, and further SYNs are dropped, so a connect never completes
 * (SYN retransmits come after a second, far beyond our timeouts).
 */
struct full_listener {
	int lfd;
	int fill[3];
	uint16_t port;
};

static void full_listener_start(struct full_listener *f)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = LOOPBACK };
	struct pollfd pfd;

	f->lfd = listen_loopback(0);
	f->port = bound_port(f->lfd);
	sin.sin_port = htons(f->port);
	for (int i = 0; i < 3; i++) {
		f->fill[i] = socket(
			AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		assert_true(f->fill[i] >= 0);
		/* non-blocking, only to fill the backlog: its result is moot */
		(void)connect(f->fill[i], (struct sockaddr *)&sin, sizeof(sin));
	}
	/* Proof that it is full: one more connect does not complete */
	pfd.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	pfd.events = POLLOUT;
	assert_true(pfd.fd >= 0);
	assert_int_equal(connect(pfd.fd, (struct sockaddr *)&sin, sizeof(sin)),
			 -1);
	assert_int_equal(errno, EINPROGRESS);
	assert_int_equal(poll(&pfd, 1, 100), 0);
	close(pfd.fd);
}

static void full_listener_stop(struct full_listener *f)
{
	for (int i = 0; i < 3; i++)
		close(f->fill[i]);
	close(f->lfd);
}

/* ---- driving the checker ---- */

struct drive_stats {
	int runs;
	uint64_t max_run_us;
	uint64_t elapsed_ms;
};

typedef bool (*until_fn)(const void *arg);

/*
 * The daemon's loop: health_fd() in an epoll set, health_run() when it is
 * readable.  Returns after @ms, or as soon as @until(@arg) holds.
 */
static struct drive_stats drive(struct health *h, uint64_t ms, until_fn until,
				const void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct drive_stats ds = {};
	uint64_t start = now_ms(), end = start + ms;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	assert_true(ep >= 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, health_fd(h), &ev), 0);
	for (uint64_t now = start; now < end && !(until && until(arg));
	     now = now_ms()) {
		struct timespec a, b;
		uint64_t us;
		/* Short naps when there is a condition to watch: it may be
		 * met by another thread, not by an event of ours */
		int wait = (int)(end - now), n;

		if (until && wait > 5)
			wait = 5;
		n = epoll_wait(ep, &ev, 1, wait);

		if (n <= 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &a);
		health_run(h);
		clock_gettime(CLOCK_MONOTONIC, &b);
		us = (uint64_t)((b.tv_sec - a.tv_sec) * 1000000 +
				(b.tv_nsec - a.tv_nsec) / 1000);
		if (us > ds.max_run_us)
			ds.max_run_us = us;
		ds.runs++;
	}
	close(ep);
	ds.elapsed_ms = now_ms() - start;
	return ds;
}

struct want_n {
	const struct rec *r;
	int n;
};

static bool rec_reached(const void *arg)
{
	const struct want_n *w = arg;

	return w->r->n >= w->n;
}

/* Drives until @n callbacks in all, or @ms. */
static struct drive_stats drive_until_n(struct health *h, struct rec *r, int n,
					uint64_t ms)
{
	struct want_n w = { r, n };

	return drive(h, ms, rec_reached, &w);
}

static bool srv_accepted(const void *arg)
{
	struct srv *s = (struct srv *)arg;

	return atomic_load(&s->accepts) > 0;
}

static struct health_params tcp_params(uint16_t port, uint32_t rise,
				       uint32_t fall)
{
	return (struct health_params){
		.kind = HEALTH_TCP,
		.interval_ms = 100,
		.timeout_ms = 60,
		.rise = rise,
		.fall = fall,
		.port = port,
	};
}

static struct health_params http_params(uint16_t port, const char *path)
{
	struct health_params p = tcp_params(port, 1, 1);

	p.kind = HEALTH_HTTP;
	snprintf(p.http_path, sizeof(p.http_path), "%s", path);
	return p;
}

static struct health *new_health(struct rec *r)
{
	struct health *h = NULL;

	memset(r, 0, sizeof(*r));
	assert_int_equal(health_new(&h, record, r), 0);
	r->h = h;
	return h;
}

/* ---- tests ---- */

static void test_names(void **state)
{
	enum health_kind k;

	(void)state;
	assert_string_equal(health_state_name(HEALTH_UNKNOWN), "unknown");
	assert_string_equal(health_state_name(HEALTH_UP), "up");
	assert_string_equal(health_state_name(HEALTH_DOWN), "down");
	assert_string_equal(health_kind_name(HEALTH_NONE), "none");
	assert_string_equal(health_kind_name(HEALTH_TCP), "tcp");
	assert_string_equal(health_kind_name(HEALTH_HTTP), "http");
	assert_int_equal(health_kind_parse("http", &k), 0);
	assert_int_equal(k, HEALTH_HTTP);
	assert_int_equal(health_kind_parse("tcp", &k), 0);
	assert_int_equal(k, HEALTH_TCP);
	assert_int_equal(health_kind_parse("none", &k), 0);
	assert_int_equal(k, HEALTH_NONE);
	assert_int_equal(health_kind_parse("HTTP", &k), -EINVAL);
	assert_int_equal(health_kind_parse("", &k), -EINVAL);
}

static void test_validate(void **state)
{
	static const struct {
		const char *field;
		uint32_t val;
		const char *path;
		const char *msg;
	} cases[] = {
		{ "kind", 7, NULL, "health.kind: 7 is not none, tcp or http" },
		{ "interval_ms", 50, NULL,
		  "health.interval_ms: 50 is below 100" },
		{ "timeout_ms", 0, NULL, "health.timeout_ms: 0 is below 1" },
		{ "timeout_ms", 1000, NULL,
		  "health.timeout_ms: 1000 is not below interval_ms 1000" },
		{ "rise", 0, NULL, "health.rise: 0 is outside 1..100" },
		{ "rise", 101, NULL, "health.rise: 101 is outside 1..100" },
		{ "fall", 0, NULL, "health.fall: 0 is outside 1..100" },
		{ "fall", 101, NULL, "health.fall: 101 is outside 1..100" },
		{ "port", 0, NULL, "health.port: 0 is not a port" },
		{ "http_path", 0, "",
		  "health.http_path: \"\" does not start with '/'" },
		{ "http_path", 0, "healthz",
		  "health.http_path: \"healthz\" does not start with '/'" },
		{ "http_path", 0, "/a b",
		  "health.http_path: \"/a b\" has a space or control character at 2" },
		{ "http_path", 0, "/\r\nX: y",
		  "health.http_path: \"/\r\nX: y\" has a space or control character at 1" },
	};
	struct health_params good = {
		.kind = HEALTH_HTTP,
		.interval_ms = 1000,
		.timeout_ms = 500,
		.rise = 2,
		.fall = 3,
		.port = 80,
		.http_path = "/healthz",
	};
	struct health_params p;
	char err[256];

	(void)state;
	assert_int_equal(health_params_validate(&good, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *f = cases[i].field;

		p = good;
		if (!strcmp(f, "kind"))
			p.kind = (enum health_kind)cases[i].val;
		else if (!strcmp(f, "interval_ms"))
			p.interval_ms = cases[i].val;
		else if (!strcmp(f, "timeout_ms"))
			p.timeout_ms = cases[i].val;
		else if (!strcmp(f, "rise"))
			p.rise = cases[i].val;
		else if (!strcmp(f, "fall"))
			p.fall = cases[i].val;
		else if (!strcmp(f, "port"))
			p.port = (uint16_t)cases[i].val;
		else
			snprintf(p.http_path, sizeof(p.http_path), "%s",
				 cases[i].path);
		err[0] = '\0';
		assert_int_equal(health_params_validate(&p, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, cases[i].msg);
		/* No buffer for the message is fine too */
		assert_int_equal(health_params_validate(&p, NULL, 0), -EINVAL);
	}

	/* A path without its NUL within the field */
	p = good;
	memset(p.http_path, 'a', sizeof(p.http_path));
	p.http_path[0] = '/';
	assert_int_equal(health_params_validate(&p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    "health.http_path: longer than 127 characters");

	/* The path only matters for HTTP, the rest not at all for NONE */
	p = good;
	p.kind = HEALTH_TCP;
	p.http_path[0] = '\0';
	assert_int_equal(health_params_validate(&p, err, sizeof(err)), 0);
	p = (struct health_params){ .kind = HEALTH_NONE };
	assert_int_equal(health_params_validate(&p, err, sizeof(err)), 0);
	p = good;
	p.interval_ms = 100;
	p.timeout_ms = 99;
	p.rise = 100;
	p.fall = 1;
	assert_int_equal(health_params_validate(&p, err, sizeof(err)), 0);
}

static void test_set_refuses_bad_input(void **state)
{
	struct health_params p = tcp_params(80, 1, 1);
	uint32_t a = LOOPBACK;
	struct health *h;
	struct rec r;

	(void)state;
	h = new_health(&r);
	assert_int_equal(health_set(h, 1, AF_UNIX, &a, &p), -EAFNOSUPPORT);
	assert_int_equal(health_set(h, 1, AF_INET, NULL, &p), -EINVAL);
	assert_int_equal(health_set(h, 1, AF_INET, &a, NULL), -EINVAL);
	p.interval_ms = 50;
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), -EINVAL);
	assert_int_equal(health_del(h, 1), -ENOENT);
	assert_int_equal(health_get(h, 1), HEALTH_UNKNOWN);
	errno = 0;
	assert_null(health_last_error(h, 1));
	assert_int_equal(errno, ENOENT);
	health_free(h);
	health_free(NULL);
}

static void test_none_up_immediately(void **state)
{
	struct health_params p = { .kind = HEALTH_NONE };
	uint8_t a6[16] = { [15] = 1 }; /* ::1, never contacted */
	uint32_t a = LOOPBACK;
	struct drive_stats ds;
	struct health *h;
	struct rec r;

	(void)state;
	h = new_health(&r);
	assert_int_equal(health_set(h, 10, AF_INET, &a, &p), 0);
	assert_int_equal(health_set(h, 11, AF_INET6, a6, &p), 0);
	/* Never from health_set */
	assert_int_equal(r.n, 0);
	assert_int_equal(health_get(h, 10), HEALTH_UNKNOWN);
	ds = drive_until_n(h, &r, 2, 500);
	assert_int_equal(r.n, 2);
	assert_true(ds.elapsed_ms < 100);
	assert_int_equal(r.st[0], HEALTH_UP);
	assert_int_equal(r.st[1], HEALTH_UP);
	assert_int_equal(r.id[0] + r.id[1], 21);
	assert_int_equal(health_get(h, 10), HEALTH_UP);
	assert_int_equal(health_get(h, 11), HEALTH_UP);
	assert_string_equal(health_last_error(h, 10), "");
	/* Once, and never probed after */
	assert_int_equal(health_set(h, 10, AF_INET, &a, &p), 0);
	ds = drive(h, 250, NULL, NULL);
	assert_int_equal(r.n, 2);
	assert_true(ds.runs <= 1);
	health_free(h);
}

static void test_tcp_up_after_rise(void **state)
{
	struct health_params p;
	uint32_t a = LOOPBACK;
	struct drive_stats ds;
	struct health *h;
	struct srv s;
	struct rec r;

	(void)state;
	srv_start(&s, SRV_ACCEPT, NULL);
	h = new_health(&r);
	p = tcp_params(s.port, 3, 2);
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	ds = drive_until_n(h, &r, 1, 1500);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.id[0], 1);
	assert_int_equal(r.st[0], HEALTH_UP);
	/* Three checks, 100 ms apart: not before the third */
	assert_true(ds.elapsed_ms >= 190);
	assert_true(ds.elapsed_ms < 600);
	assert_int_equal(health_get(h, 1), HEALTH_UP);
	assert_string_equal(health_last_error(h, 1), "");
	/* Further successes change nothing */
	drive(h, 250, NULL, NULL);
	assert_int_equal(r.n, 1);
	health_free(h);
	srv_stop(&s);
	assert_true(atomic_load(&s.accepts) >= 3);
}

static void test_tcp_down_after_fall(void **state)
{
	struct health_params p;
	uint32_t a = LOOPBACK;
	struct health *h;
	struct srv s;
	struct rec r;

	(void)state;
	srv_start(&s, SRV_ACCEPT, NULL);
	h = new_health(&r);
	p = tcp_params(s.port, 1, 2);
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	drive_until_n(h, &r, 1, 1000);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.st[0], HEALTH_UP);

	/* Listener gone: refused, twice, then down */
	srv_stop(&s);
	drive_until_n(h, &r, 2, 1000);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st[1], HEALTH_DOWN);
	assert_true(r.at[1] - r.at[0] >= 150);
	assert_int_equal(health_get(h, 1), HEALTH_DOWN);
	assert_string_equal(health_last_error(h, 1), "connection refused");
	drive(h, 250, NULL, NULL);
	assert_int_equal(r.n, 2);
	health_free(h);
}

/* From UNKNOWN straight to DOWN: no UP on the way. */
static void test_tcp_unknown_to_down(void **state)
{
	struct health_params p = tcp_params(refused_port(), 1, 3);
	uint32_t a = LOOPBACK;
	struct drive_stats ds;
	struct health *h;
	struct rec r;

	(void)state;
	h = new_health(&r);
	assert_int_equal(health_set(h, 5, AF_INET, &a, &p), 0);
	ds = drive_until_n(h, &r, 1, 1500);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.st[0], HEALTH_DOWN);
	assert_true(ds.elapsed_ms >= 190);
	assert_string_equal(health_last_error(h, 5), "connection refused");
	health_free(h);
}

static void test_tcp_timeout(void **state)
{
	struct full_listener f;
	struct health_params p;
	uint32_t a = LOOPBACK;
	struct drive_stats ds;
	struct health *h;
	struct rec r;

	(void)state;
	full_listener_start(&f);
	h = new_health(&r);
	p = tcp_params(f.port, 1, 2);
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	ds = drive_until_n(h, &r, 1, 1500);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.st[0], HEALTH_DOWN);
	assert_string_equal(health_last_error(h, 1),
			    "timeout after 60 ms (connect)");
	/* Two timeouts, the second starting 100 ms after the first */
	assert_true(ds.elapsed_ms >= 150);
	assert_true(ds.max_run_us < 20000);
	health_free(h);
	full_listener_stop(&f);
}

/* One HTTP check against a responder sending @reply; returns the state. */
static enum health_state http_case(const char *reply, const char *want_err,
				   char *req, size_t reqlen)
{
	struct health_params p;
	uint32_t a = LOOPBACK;
	enum health_state st;
	struct health *h;
	struct srv s;
	struct rec r;

	srv_start(&s, SRV_HTTP, reply);
	h = new_health(&r);
	p = http_params(s.port, "/healthz");
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	drive_until_n(h, &r, 1, 1000);
	assert_int_equal(r.n, 1);
	st = health_get(h, 1);
	assert_int_equal(r.st[0], st);
	assert_string_equal(health_last_error(h, 1), want_err);
	health_free(h);
	srv_stop(&s);
	if (req)
		snprintf(req, reqlen, "%s", s.req);
	return st;
}

static void test_http_200_up(void **state)
{
	char req[512];

	(void)state;
	assert_int_equal(http_case("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
				   "\r\nok",
				   "", req, sizeof(req)),
			 HEALTH_UP);
	assert_string_equal(req, "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n"
				 "User-Agent: sluice-health\r\n\r\n");
}

static void test_http_302_up(void **state)
{
	(void)state;
	assert_int_equal(http_case("HTTP/1.0 302 Found\r\nLocation: /x\r\n\r\n",
				   "", NULL, 0),
			 HEALTH_UP);
}

static void test_http_500_down(void **state)
{
	(void)state;
	assert_int_equal(http_case("HTTP/1.1 500 Internal Server Error\r\n\r\n",
				   "HTTP 500", NULL, 0),
			 HEALTH_DOWN);
	assert_int_equal(http_case("HTTP/1.1 404 Not Found\r\n\r\n", "HTTP 404",
				   NULL, 0),
			 HEALTH_DOWN);
}

static void test_http_bad_answers_down(void **state)
{
	(void)state;
	assert_int_equal(http_case("SSH-2.0-OpenSSH_9.2\r\n",
				   "not an HTTP status line", NULL, 0),
			 HEALTH_DOWN);
	assert_int_equal(http_case("HTTP/1.1 20 OK\r\n",
				   "not an HTTP status line", NULL, 0),
			 HEALTH_DOWN);
	/* Closed without a word */
	assert_int_equal(http_case("",
				   "connection closed before the HTTP status",
				   NULL, 0),
			 HEALTH_DOWN);
	/* Closed after a status line without its CRLF still counts */
	assert_int_equal(http_case("HTTP/1.1 204", "", NULL, 0), HEALTH_UP);
}

static void test_http_timeout(void **state)
{
	struct health_params p;
	uint32_t a = LOOPBACK;
	struct drive_stats ds;
	struct health *h;
	struct srv s;
	struct rec r;

	(void)state;
	srv_start(&s, SRV_SILENT, NULL);
	h = new_health(&r);
	p = http_params(s.port, "/");
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	ds = drive_until_n(h, &r, 1, 1000);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.st[0], HEALTH_DOWN);
	assert_string_equal(health_last_error(h, 1),
			    "timeout after 60 ms (no HTTP status)");
	assert_true(ds.elapsed_ms >= 60);
	health_free(h);
	srv_stop(&s);
}

static void test_set_updates_params(void **state)
{
	struct health_params p, none = { .kind = HEALTH_NONE };
	uint8_t a6[16] = { [15] = 1 };
	uint32_t a = LOOPBACK;
	const char *err;
	struct health *h;
	struct srv s;
	struct rec r;

	(void)state;
	srv_start(&s, SRV_ACCEPT, NULL);
	h = new_health(&r);
	/* rise 100: would take ten seconds */
	p = tcp_params(s.port, 100, 1);
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	drive(h, 300, NULL, NULL);
	assert_int_equal(r.n, 0);
	assert_int_equal(health_get(h, 1), HEALTH_UNKNOWN);

	/* rise 1 takes effect at once */
	p.rise = 1;
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	assert_int_equal(r.n, 0);
	drive_until_n(h, &r, 1, 1000);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.st[0], HEALTH_UP);

	/* The same again changes nothing */
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	drive(h, 250, NULL, NULL);
	assert_int_equal(r.n, 1);

	/* Same address, new port: the state is kept until the checks say
	 * otherwise */
	p.port = refused_port();
	p.fall = 2;
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	assert_int_equal(health_get(h, 1), HEALTH_UP);
	drive_until_n(h, &r, 2, 1000);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st[1], HEALTH_DOWN);
	assert_string_equal(health_last_error(h, 1), "connection refused");

	/* TCP -> HTTP on the listener: the path is used, the state kept */
	p = http_params(s.port, "/ready");
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	assert_int_equal(health_get(h, 1), HEALTH_DOWN);
	drive(h, 300, NULL, NULL);
	assert_int_equal(r.n, 2); /* SRV_ACCEPT just closes: still down */
	/* FIN, or RST if our request was already there when it closed */
	err = health_last_error(h, 1);
	if (strcmp(err, "connection closed before the HTTP status") &&
	    strcmp(err, "connection reset by peer"))
		fail_msg("last error '%s'", err);

	/* A new address starts over from UNKNOWN, silently */
	assert_int_equal(health_set(h, 1, AF_INET6, a6, &none), 0);
	assert_int_equal(health_get(h, 1), HEALTH_UNKNOWN);
	assert_int_equal(r.n, 2);
	drive_until_n(h, &r, 3, 500);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.st[2], HEALTH_UP);
	health_free(h);
	srv_stop(&s);
}

static void test_del_stops_callbacks(void **state)
{
	struct health_params p;
	uint32_t a = LOOPBACK;
	struct health *h;
	struct srv s, silent;
	struct rec r;

	(void)state;
	srv_start(&s, SRV_ACCEPT, NULL);
	srv_start(&silent, SRV_SILENT, NULL);
	h = new_health(&r);

	/* Deleted before its first check */
	p = tcp_params(s.port, 1, 1);
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	assert_int_equal(health_del(h, 1), 0);
	assert_int_equal(health_del(h, 1), -ENOENT);

	/* Deleted with a probe in flight */
	p = http_params(silent.port, "/");
	p.timeout_ms = 90;
	assert_int_equal(health_set(h, 2, AF_INET, &a, &p), 0);
	drive(h, 500, srv_accepted, &silent);
	assert_int_equal(atomic_load(&silent.accepts), 1);
	assert_int_equal(health_del(h, 2), 0);

	drive(h, 350, NULL, NULL);
	assert_int_equal(r.n, 0);
	assert_int_equal(health_get(h, 1), HEALTH_UNKNOWN);
	assert_int_equal(health_get(h, 2), HEALTH_UNKNOWN);
	health_free(h);
	srv_stop(&s);
	srv_stop(&silent);
	assert_int_equal(atomic_load(&s.accepts), 0);
}

/* The callback deletes the target it is told about and another one, and
 * adds a third in a freed slot: nothing stale is touched afterwards. */
static void test_callback_reentrancy(void **state)
{
	struct health_params p;
	uint32_t a = LOOPBACK;
	struct health *h;
	struct srv s;
	struct rec r;

	(void)state;
	srv_start(&s, SRV_ACCEPT, NULL);
	h = new_health(&r);
	r.del_all = true;
	p = tcp_params(s.port, 1, 1);
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	assert_int_equal(health_set(h, 2, AF_INET, &a, &p), 0);
	drive(h, 400, NULL, NULL);
	/* Whichever of 1 and 2 came first, then 3 */
	assert_int_equal(r.n, 2);
	assert_true(r.id[0] == 1 || r.id[0] == 2);
	assert_int_equal(r.id[1], 3);
	assert_int_equal(health_get(h, 3), HEALTH_UP);
	health_free(h);
	srv_stop(&s);
}

/*
 * The loop never blocks: with a responsive target, a refused one, one whose
 * connects hang and one whose HTTP answer never comes, a second of loop is a
 * second of wall time, each health_run() is short, the fd is not readable
 * when nothing is due (no busy loop), and the checks keep their cadence.
 */
static void test_loop_never_blocks(void **state)
{
	struct health_params p;
	struct full_listener f;
	uint32_t a = LOOPBACK;
	struct drive_stats ds;
	struct srv good, silent;
	struct health *h;
	struct rec r;
	int checks;

	(void)state;
	srv_start(&good, SRV_ACCEPT, NULL);
	srv_start(&silent, SRV_SILENT, NULL);
	full_listener_start(&f);
	h = new_health(&r);
	p = tcp_params(good.port, 1, 1);
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	p = tcp_params(refused_port(), 1, 1);
	assert_int_equal(health_set(h, 2, AF_INET, &a, &p), 0);
	p = tcp_params(f.port, 1, 1);
	p.timeout_ms = 90;
	assert_int_equal(health_set(h, 3, AF_INET, &a, &p), 0);
	p = http_params(silent.port, "/");
	p.timeout_ms = 90;
	assert_int_equal(health_set(h, 4, AF_INET, &a, &p), 0);

	ds = drive(h, 1000, NULL, NULL);
	assert_true(ds.elapsed_ms >= 1000);
	assert_true(ds.elapsed_ms < 1100);
	if (ds.max_run_us >= 20000)
		fail_msg("health_run took %llu us",
			 (unsigned long long)ds.max_run_us);
	/* ~10 checks x 4 targets x 1-3 wakeups each; a busy fd is thousands */
	if (ds.runs < 20 || ds.runs > 300)
		fail_msg("%d runs in a second", ds.runs);
	assert_int_equal(r.n, 4);
	assert_int_equal(health_get(h, 1), HEALTH_UP);
	assert_int_equal(health_get(h, 2), HEALTH_DOWN);
	assert_int_equal(health_get(h, 3), HEALTH_DOWN);
	assert_int_equal(health_get(h, 4), HEALTH_DOWN);
	/* Freed with probes in flight */
	health_free(h);
	srv_stop(&good);
	srv_stop(&silent);
	full_listener_stop(&f);
	checks = atomic_load(&good.accepts);
	if (checks < 8 || checks > 11)
		fail_msg("%d checks in a second at 100 ms", checks);
	/* Each silent probe was accepted and timed out: ~10 of them too */
	checks = atomic_load(&silent.accepts);
	if (checks < 8 || checks > 11)
		fail_msg("%d HTTP timeouts in a second at 100 ms", checks);
}

/* Targets added together probe at different points of the interval. */
static void test_checks_staggered(void **state)
{
	struct health_params p;
	uint32_t a = LOOPBACK;
	uint64_t lo = UINT64_MAX, hi = 0;
	struct health *h;
	struct srv s;
	struct rec r;
	int n;

	(void)state;
	srv_start(&s, SRV_ACCEPT, NULL);
	h = new_health(&r);
	p = tcp_params(s.port, 5, 1);
	p.interval_ms = 600;
	for (uint64_t id = 1; id <= 8; id++)
		assert_int_equal(health_set(h, id, AF_INET, &a, &p), 0);
	drive(h, 580, NULL, NULL);
	health_free(h);
	srv_stop(&s);
	n = atomic_load(&s.accepts);
	assert_int_equal(n, 8);
	for (int i = 0; i < n; i++) {
		lo = s.accept_at[i] < lo ? s.accept_at[i] : lo;
		hi = s.accept_at[i] > hi ? s.accept_at[i] : hi;
	}
	/* All at once would be a few ms apart */
	if (hi - lo < 300)
		fail_msg("8 first checks within %llu ms",
			 (unsigned long long)(hi - lo));
}

static void test_capacity(void **state)
{
	struct health_params p = { .kind = HEALTH_NONE };
	uint32_t a = LOOPBACK;
	struct health *h;
	struct rec r;

	(void)state;
	/* 4096 "unknown -> up" lines say nothing here */
	log_set_level(LOG_LVL_WARN);
	h = new_health(&r);
	for (uint64_t id = 0; id < HEALTH_MAX_TARGETS; id++)
		assert_int_equal(health_set(h, id * 7919, AF_INET, &a, &p), 0);
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), -ENOSPC);
	/* Updating one that is there still works when full */
	a = htonl(INADDR_LOOPBACK + 1);
	assert_int_equal(health_set(h, 7919, AF_INET, &a, &p), 0);
	drive_until_n(h, &r, HEALTH_MAX_TARGETS, 2000);
	assert_int_equal(r.n, HEALTH_MAX_TARGETS);
	assert_int_equal(health_get(h, 7919 * 4095), HEALTH_UP);
	assert_int_equal(health_del(h, 0), 0);
	assert_int_equal(health_set(h, 1, AF_INET, &a, &p), 0);
	assert_int_equal(health_get(h, 1), HEALTH_UNKNOWN);
	assert_int_equal(health_get(h, 0), HEALTH_UNKNOWN);
	health_free(h);
	log_set_level(LOG_LVL_INFO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_set_refuses_bad_input),
		cmocka_unit_test(test_none_up_immediately),
		cmocka_unit_test(test_tcp_up_after_rise),
		cmocka_unit_test(test_tcp_down_after_fall),
		cmocka_unit_test(test_tcp_unknown_to_down),
		cmocka_unit_test(test_tcp_timeout),
		cmocka_unit_test(test_http_200_up),
		cmocka_unit_test(test_http_302_up),
		cmocka_unit_test(test_http_500_down),
		cmocka_unit_test(test_http_bad_answers_down),
		cmocka_unit_test(test_http_timeout),
		cmocka_unit_test(test_set_updates_params),
		cmocka_unit_test(test_del_stops_callbacks),
		cmocka_unit_test(test_callback_reentrancy),
		cmocka_unit_test(test_loop_never_blocks),
		cmocka_unit_test(test_checks_staggered),
		cmocka_unit_test(test_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
