// SPDX-License-Identifier: BSD-2-Clause
/*
 * Health checks.  Each target owns at most one probe socket at a time and
 * sits in a min-heap keyed by the next thing it is waiting for: the start
 * of its next check, or the deadline of the probe in flight.  One timerfd
 * is armed for the heap's top; it and the probe sockets live in a private
 * epoll set whose fd the daemon polls.  health_run() handles the socket
 * events that are ready, then every heap entry that is due, and re-arms
 * the timer; it never waits.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include "health.h"
#include "log.h"
#include "loop.h"
#include "errbuf.h"

#define NSEC_PER_MSEC 1000000ull
#define EV_BATCH 64
/* epoll tags: probe sockets carry (probe seq << 32 | slot), the timer this */
#define TAG_TIMER UINT64_MAX

enum phase { PH_IDLE, PH_CONNECTING, PH_SENDING, PH_READING };

struct target {
	uint64_t id;
	uint32_t slot; /* index in h->slot[], part of the epoll tag */
	int family;
	uint8_t addr[16];
	struct health_params p;
	enum health_state state;
	enum phase phase;
	int fd;		   /* probe socket, -1 when idle */
	uint32_t seq;	   /* tags this probe's epoll events */
	uint32_t ok, fail; /* consecutive, saturating at the rise/fall cap */
	uint64_t next_ns;  /* start of the next check */
	uint64_t start_ns; /* start of the probe in flight */
	uint64_t due_ns;   /* heap key */
	int heap_idx;	   /* -1: not in the heap */
	uint16_t sent;	   /* HTTP request bytes sent */
	uint16_t rlen;	   /* status line bytes received */
	char rbuf[64];
	char name[64]; /* "198.18.2.11:80", "[2001:db8::1]:80" */
	char host[48]; /* Host: header value */
	char err[96];
};

struct health {
	int epfd;
	int tfd;
	health_cb cb;
	void *arg;
	uint32_t seq;
	uint64_t armed_ns; /* what tfd is set to, 0 = disarmed */
	uint32_t n;
	uint32_t n_heap;
	struct target *slot[HEALTH_MAX_TARGETS];
	struct target *by_id[HEALTH_MAX_TARGETS]; /* sorted by id */
	struct target *heap[HEALTH_MAX_TARGETS];
};

static const char *const state_names[] = { "unknown", "up", "down" };
static const char *const kind_names[] = { "none", "tcp", "http" };

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *health_state_name(enum health_state s)
{
	return (unsigned)s < 3 ? state_names[s] : "invalid";
}

const char *health_kind_name(enum health_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "invalid";
}

int health_kind_parse(const char *s, enum health_kind *out)
{
	for (unsigned i = 0; i < 3; i++) {
		if (!strcmp(s, kind_names[i])) {
			*out = (enum health_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

int health_params_validate(const struct health_params *p, char *err,
			   size_t errlen)
{
	size_t len;

	if ((unsigned)p->kind > HEALTH_HTTP)
		return errbuf_einval(err, errlen,
				     "health.kind: %u is not none, tcp or http",
				     (unsigned)p->kind);
	if (p->kind == HEALTH_NONE)
		return 0;
	if (p->interval_ms < HEALTH_MIN_INTERVAL_MS)
		return errbuf_einval(err, errlen,
				     "health.interval_ms: %u is below %u",
				     p->interval_ms, HEALTH_MIN_INTERVAL_MS);
	if (!p->timeout_ms)
		return errbuf_einval(err, errlen,
				     "health.timeout_ms: 0 is below 1");
	if (p->timeout_ms >= p->interval_ms)
		return errbuf_einval(
			err, errlen,
			"health.timeout_ms: %u is not below interval_ms %u",
			p->timeout_ms, p->interval_ms);
	if (p->rise < 1 || p->rise > HEALTH_MAX_RISE_FALL)
		return errbuf_einval(err, errlen,
				     "health.rise: %u is outside 1..%u",
				     p->rise, HEALTH_MAX_RISE_FALL);
	if (p->fall < 1 || p->fall > HEALTH_MAX_RISE_FALL)
		return errbuf_einval(err, errlen,
				     "health.fall: %u is outside 1..%u",
				     p->fall, HEALTH_MAX_RISE_FALL);
	if (!p->port)
		return errbuf_einval(err, errlen,
				     "health.port: 0 is not a port");
	if (p->kind != HEALTH_HTTP)
		return 0;
	len = strnlen(p->http_path, sizeof(p->http_path));
	if (len == sizeof(p->http_path))
		return errbuf_einval(
			err, errlen,
			"health.http_path: longer than %zu characters",
			sizeof(p->http_path) - 1);
	if (p->http_path[0] != '/')
		return errbuf_einval(err, errlen,
				     "health.http_path: \"%s\" does not start "
				     "with '/'",
				     p->http_path);
	/* It goes into the request line verbatim: no way to smuggle headers */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p->http_path[i];

		if (c <= ' ' || c >= 0x7f)
			return errbuf_einval(
				err, errlen,
				"health.http_path: \"%s\" has a "
				"space or control character at %zu",
				p->http_path, i);
	}
	return 0;
}

/* ---- heap of targets by due_ns ---- */

static void heap_swap(struct health *h, uint32_t a, uint32_t b)
{
	struct target *t = h->heap[a];

	h->heap[a] = h->heap[b];
	h->heap[b] = t;
	h->heap[a]->heap_idx = (int)a;
	h->heap[b]->heap_idx = (int)b;
}

static void heap_up(struct health *h, uint32_t i)
{
	while (i) {
		uint32_t parent = (i - 1) / 2;

		if (h->heap[parent]->due_ns <= h->heap[i]->due_ns)
			break;
		heap_swap(h, i, parent);
		i = parent;
	}
}

static void heap_down(struct health *h, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->n_heap && h->heap[l]->due_ns < h->heap[m]->due_ns)
			m = l;
		if (r < h->n_heap && h->heap[r]->due_ns < h->heap[m]->due_ns)
			m = r;
		if (m == i)
			break;
		heap_swap(h, i, m);
		i = m;
	}
}

static void heap_remove(struct health *h, struct target *t)
{
	uint32_t i;

	if (t->heap_idx < 0)
		return;
	i = (uint32_t)t->heap_idx;
	t->heap_idx = -1;
	if (i == --h->n_heap)
		return;
	h->heap[i] = h->heap[h->n_heap];
	h->heap[i]->heap_idx = (int)i;
	heap_up(h, i);
	heap_down(h, (uint32_t)h->heap[i]->heap_idx);
}

/* Insert or move @t so that it comes due at @due. */
static void heap_set(struct health *h, struct target *t, uint64_t due)
{
	t->due_ns = due;
	if (t->heap_idx < 0) {
		t->heap_idx = (int)h->n_heap;
		h->heap[h->n_heap++] = t;
	}
	heap_up(h, (uint32_t)t->heap_idx);
	heap_down(h, (uint32_t)t->heap_idx);
}

/* Point the timerfd at the heap's top.  A time already past fires at once,
 * which is what a target added "now" needs. */
static void rearm(struct health *h)
{
	struct itimerspec its = {};
	uint64_t want = h->n_heap ? h->heap[0]->due_ns : 0;

	if (want == h->armed_ns)
		return;
	its.it_value.tv_sec = (time_t)(want / 1000000000ull);
	its.it_value.tv_nsec = (long)(want % 1000000000ull);
	/* Failure is only possible with a bad fd or value: nothing to undo,
	 * and armed_ns stays stale so the next call tries again. */
	if (timerfd_settime(h->tfd, TFD_TIMER_ABSTIME, &its, NULL)) {
		pr_warn("health: timerfd_settime: %s", strerror(errno));
		return;
	}
	h->armed_ns = want;
}

/* ---- lookup ---- */

/* Index of the first by_id entry with id >= @id. */
static uint32_t lower_bound(const struct health *h, uint64_t id)
{
	uint32_t lo = 0, hi = h->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (h->by_id[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct target *find(const struct health *h, uint64_t id)
{
	uint32_t i = lower_bound(h, id);

	return i < h->n && h->by_id[i]->id == id ? h->by_id[i] : NULL;
}

/* ---- probes ---- */

static void set_errno_msg(struct target *t, const char *what, int e)
{
	snprintf(t->err, sizeof(t->err), "%s%s%s", what ? what : "",
		 what ? ": " : "", strerror(e));
	/* "Connection refused" reads oddly in the middle of a log line */
	if (!what)
		t->err[0] = (char)tolower((unsigned char)t->err[0]);
}

static void probe_close(struct health *h, struct target *t)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (t->fd < 0)
		return;
	/* Reset rather than FIN: a checker that closes first would otherwise
	 * collect a TIME_WAIT socket (and an ephemeral port) per check. */
	setsockopt(t->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, t->fd, NULL);
	close(t->fd);
	t->fd = -1;
	t->phase = PH_IDLE;
	t->sent = 0;
	t->rlen = 0;
}

/* Move next_ns past @now on the target's own grid, so a late loop skips
 * checks instead of firing them back to back, and targets keep their
 * stagger. */
static void advance_next(struct target *t, uint64_t now)
{
	uint64_t iv = t->p.interval_ms * NSEC_PER_MSEC;

	if (t->next_ns <= now)
		t->next_ns += ((now - t->next_ns) / iv + 1) * iv;
}

/* Spread the first checks over one interval by hashing the id (Fibonacci
 * hashing: consecutive ids land far apart), so a thousand targets added
 * together do not probe together, and a restart keeps the same spread. */
static uint64_t stagger_ns(uint64_t id, uint32_t interval_ms)
{
	uint64_t frac = (id * 0x9e3779b97f4a7c15ull) >> 32;

	return ((frac * interval_ms) >> 32) * NSEC_PER_MSEC;
}

static void report(struct health *h, struct target *t, enum health_state st,
		   const char *why)
{
	uint64_t id = t->id;

	pr_info("health: %s %s -> %s (%s)", t->name, state_names[t->state],
		state_names[st], why);
	t->state = st;
	/* Last: the callback may delete or replace @t */
	if (h->cb)
		h->cb(h->arg, id, st);
}

/* A check finished: @err NULL for success.  Counts it, schedules the next
 * check and reports a state change. */
static void probe_done(struct health *h, struct target *t, const char *err)
{
	char why[160];
	uint64_t now = mono_ns();

	probe_close(h, t);
	advance_next(t, now);
	heap_set(h, t, t->next_ns);
	if (!err) {
		t->fail = 0;
		if (t->ok < HEALTH_MAX_RISE_FALL)
			t->ok++;
		pr_debug("health: %s check ok (%u/%u)", t->name, t->ok,
			 t->p.rise);
		if (t->state != HEALTH_UP && t->ok >= t->p.rise) {
			snprintf(why, sizeof(why), "%u success%s", t->ok,
				 t->ok == 1 ? "" : "es");
			report(h, t, HEALTH_UP, why);
		}
		return;
	}
	if (err != t->err)
		snprintf(t->err, sizeof(t->err), "%s", err);
	t->ok = 0;
	if (t->fail < HEALTH_MAX_RISE_FALL)
		t->fail++;
	pr_debug("health: %s check failed (%u/%u): %s", t->name, t->fail,
		 t->p.fall, t->err);
	if (t->state != HEALTH_DOWN && t->fail >= t->p.fall) {
		snprintf(why, sizeof(why), "%u failure%s: %s", t->fail,
			 t->fail == 1 ? "" : "s", t->err);
		report(h, t, HEALTH_DOWN, why);
	}
}

/* Our own trouble (no fds, no ports, no memory) says nothing about the
 * backend: the check is skipped, not counted, and logged when the reason
 * changes so a persistent problem does not flood the log. */
static void probe_local_error(struct health *h, struct target *t,
			      const char *what, int e)
{
	char old[sizeof(t->err)];

	memcpy(old, t->err, sizeof(old));
	probe_close(h, t);
	set_errno_msg(t, what, e);
	if (strcmp(old, t->err))
		pr_warn("health: %s check skipped: %s", t->name, t->err);
	advance_next(t, mono_ns());
	heap_set(h, t, t->next_ns);
}

static socklen_t target_sockaddr(const struct target *t,
				 struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (t->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(t->p.port);
		memcpy(&sin->sin_addr, t->addr, 4);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(t->p.port);
		memcpy(&sin6->sin6_addr, t->addr, 16);
		return sizeof(*sin6);
	}
}

static int probe_watch(struct health *h, struct target *t, int op,
		       uint32_t events)
{
	struct epoll_event ev = {
		.events = events,
		.data.u64 = (uint64_t)t->seq << 32 | t->slot,
	};

	return epoll_ctl(h->epfd, op, t->fd, &ev) ? -errno : 0;
}

static void probe_start(struct health *h, struct target *t, uint64_t now)
{
	struct sockaddr_storage ss;
	socklen_t sl = target_sockaddr(t, &ss);
	int err;

	t->fd = socket(t->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (t->fd < 0) {
		probe_local_error(h, t, "local: socket", errno);
		return;
	}
	t->seq = ++h->seq;
	t->start_ns = now;
	t->phase = PH_CONNECTING;
	heap_set(h, t, now + t->p.timeout_ms * NSEC_PER_MSEC);
	if (connect(t->fd, (struct sockaddr *)&ss, sl) &&
	    errno != EINPROGRESS) {
		err = errno;
		switch (err) {
		case EADDRNOTAVAIL: /* out of ephemeral ports */
		case EAGAIN:
		case ENOBUFS:
		case ENOMEM:
			probe_local_error(h, t, "local: connect", err);
			return;
		}
		set_errno_msg(t, NULL, err);
		probe_done(h, t, t->err);
		return;
	}
	/* A connect that completed at once is reported writable right away:
	 * one path for both. */
	err = probe_watch(h, t, EPOLL_CTL_ADD, EPOLLOUT);
	if (err)
		probe_local_error(h, t, "local: epoll_ctl", -err);
}

static void http_send(struct health *h, struct target *t)
{
	char req[sizeof(t->p.http_path) + sizeof(t->host) + 64];
	int len, err;
	ssize_t n;

	len = snprintf(req, sizeof(req),
		       "GET %s HTTP/1.0\r\nHost: %s\r\n"
		       "User-Agent: sluice-health\r\n\r\n",
		       t->p.http_path, t->host);
	while (t->sent < len) {
		n = send(t->fd, req + t->sent, (size_t)(len - t->sent),
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return; /* the EPOLLOUT watch stays */
		if (n < 0) {
			set_errno_msg(t, "send", errno);
			probe_done(h, t, t->err);
			return;
		}
		t->sent = (uint16_t)(t->sent + n);
	}
	t->phase = PH_READING;
	err = probe_watch(h, t, EPOLL_CTL_MOD, EPOLLIN);
	if (err)
		probe_local_error(h, t, "local: epoll_ctl", -err);
}

/* The status code of "HTTP/1.1 200 OK", or -1 if @buf does not start with
 * a status line. */
static int http_status(const char *buf, size_t len)
{
	size_t i = 5;
	int code = 0;

	if (len < 5 || memcmp(buf, "HTTP/", 5))
		return -1;
	while (i < len && buf[i] != ' ' && buf[i] != '\r' && buf[i] != '\n')
		i++;
	if (i == 5 || i >= len || buf[i] != ' ')
		return -1;
	while (i < len && buf[i] == ' ')
		i++;
	for (int d = 0; d < 3; d++, i++) {
		if (i >= len || !isdigit((unsigned char)buf[i]))
			return -1;
		code = code * 10 + (buf[i] - '0');
	}
	if (i < len && isdigit((unsigned char)buf[i]))
		return -1;
	return code;
}

static void http_read(struct health *h, struct target *t)
{
	size_t room = sizeof(t->rbuf) - 1 - t->rlen;
	bool eof = false;
	ssize_t n;
	int code;

	n = recv(t->fd, t->rbuf + t->rlen, room, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		set_errno_msg(t, NULL, errno);
		probe_done(h, t, t->err);
		return;
	}
	if (n == 0)
		eof = true;
	t->rlen = (uint16_t)(t->rlen + n);
	t->rbuf[t->rlen] = '\0';
	/* Decide on a whole line, a full buffer (the code is in the first
	 * dozen bytes anyway) or whatever came before the server closed. */
	if (!eof && !memchr(t->rbuf, '\n', t->rlen) &&
	    t->rlen < sizeof(t->rbuf) - 1)
		return;
	if (!t->rlen) {
		probe_done(h, t, "connection closed before the HTTP status");
		return;
	}
	code = http_status(t->rbuf, t->rlen);
	if (code < 0) {
		probe_done(h, t, "not an HTTP status line");
		return;
	}
	if (code >= 200 && code < 400) {
		probe_done(h, t, NULL);
		return;
	}
	snprintf(t->err, sizeof(t->err), "HTTP %d", code);
	probe_done(h, t, t->err);
}

static void probe_event(struct health *h, struct target *t, uint32_t events)
{
	socklen_t sl = sizeof(int);
	int soerr = 0;

	switch (t->phase) {
	case PH_CONNECTING:
		if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl))
			soerr = errno;
		if (soerr) {
			set_errno_msg(t, NULL, soerr);
			probe_done(h, t, t->err);
			return;
		}
		if (t->p.kind == HEALTH_TCP) {
			probe_done(h, t, NULL);
			return;
		}
		t->phase = PH_SENDING;
		http_send(h, t);
		return;
	case PH_SENDING: http_send(h, t); return;
	case PH_READING:
		/* EPOLLERR/EPOLLHUP: recv() says what happened */
		(void)events;
		http_read(h, t);
		return;
	case PH_IDLE: return;
	}
}

static void probe_timeout(struct health *h, struct target *t)
{
	snprintf(t->err, sizeof(t->err), "timeout after %u ms (%s)",
		 t->p.timeout_ms,
		 t->phase == PH_CONNECTING ? "connect" : "no HTTP status");
	probe_done(h, t, t->err);
}

/* Something is due for the heap's top: a check to start, a probe that ran
 * out of time, or a HEALTH_NONE target to declare up. */
static void target_due(struct health *h, struct target *t, uint64_t now)
{
	if (t->phase != PH_IDLE) {
		probe_timeout(h, t);
		return;
	}
	if (t->p.kind == HEALTH_NONE) {
		heap_remove(h, t);
		if (t->state != HEALTH_UP)
			report(h, t, HEALTH_UP, "no check");
		return;
	}
	advance_next(t, now);
	probe_start(h, t, now);
}

void health_run(struct health *h)
{
	struct epoll_event evs[EV_BATCH];
	uint64_t buf, now;
	int n;

	n = epoll_wait(h->epfd, evs, EV_BATCH, 0);
	for (int i = 0; i < n; i++) {
		uint64_t tag = evs[i].data.u64;
		uint32_t slot = (uint32_t)tag;
		struct target *t;

		if (tag == TAG_TIMER) {
			/* Only clears readiness; the heap says what is due */
			if (read(h->tfd, &buf, sizeof(buf)) < 0 &&
			    errno != EAGAIN)
				pr_warn("health: timerfd: %s", strerror(errno));
			continue;
		}
		/* An earlier event's callback may have deleted or replaced
		 * the target, or ended this probe: the seq tells. */
		t = slot < HEALTH_MAX_TARGETS ? h->slot[slot] : NULL;
		if (!t || t->phase == PH_IDLE ||
		    t->seq != (uint32_t)(tag >> 32))
			continue;
		probe_event(h, t, evs[i].events);
	}
	/* Every step below pushes its target's due time past @now, so this
	 * ends after at most one step per target. */
	now = mono_ns();
	while (h->n_heap && h->heap[0]->due_ns <= now)
		target_due(h, h->heap[0], now);
	rearm(h);
}

/* ---- targets ---- */

static void target_name(struct target *t)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(t->family, t->addr, a, sizeof(a));
	if (t->family == AF_INET6)
		snprintf(t->host, sizeof(t->host), "[%s]", a);
	else
		snprintf(t->host, sizeof(t->host), "%s", a);
	if (t->p.kind == HEALTH_NONE)
		snprintf(t->name, sizeof(t->name), "%s", t->host);
	else
		snprintf(t->name, sizeof(t->name), "%s:%u", t->host, t->p.port);
}

static bool params_equal(const struct health_params *a,
			 const struct health_params *b)
{
	return a->kind == b->kind && a->interval_ms == b->interval_ms &&
	       a->timeout_ms == b->timeout_ms && a->rise == b->rise &&
	       a->fall == b->fall && a->port == b->port &&
	       !strcmp(a->http_path, b->http_path);
}

/* Start over with the target's current params: HEALTH_NONE is declared up
 * at the next run, the others probe from a staggered point in the first
 * interval. */
static void target_schedule(struct health *h, struct target *t)
{
	uint64_t now = mono_ns();

	probe_close(h, t);
	t->ok = t->fail = 0;
	if (t->p.kind == HEALTH_NONE) {
		if (t->state == HEALTH_UP)
			heap_remove(h, t);
		else
			heap_set(h, t, now);
		return;
	}
	t->next_ns = now + stagger_ns(t->id, t->p.interval_ms);
	heap_set(h, t, t->next_ns);
}

int health_set(struct health *h, uint64_t target_id, int family,
	       const void *addr, const struct health_params *p)
{
	size_t alen = family == AF_INET ? 4 : 16;
	struct target *t;
	uint32_t i, s;

	if (!addr || !p || health_params_validate(p, NULL, 0))
		return -EINVAL;
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	t = find(h, target_id);
	if (t) {
		bool same_addr = t->family == family &&
				 !memcmp(t->addr, addr, alen);

		if (same_addr && params_equal(&t->p, p))
			return 0;
		if (!same_addr)
			t->state = HEALTH_UNKNOWN;
		goto fill;
	}
	if (h->n >= HEALTH_MAX_TARGETS)
		return -ENOSPC;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (s = 0; h->slot[s]; s++)
		; /* n < HEALTH_MAX_TARGETS: a free slot exists */
	t->id = target_id;
	t->slot = s;
	t->fd = -1;
	t->heap_idx = -1;
	h->slot[s] = t;
	i = lower_bound(h, target_id);
	memmove(&h->by_id[i + 1], &h->by_id[i],
		(h->n - i) * sizeof(h->by_id[0]));
	h->by_id[i] = t;
	h->n++;
fill:
	t->family = family;
	memset(t->addr, 0, sizeof(t->addr));
	memcpy(t->addr, addr, alen);
	/* Field by field: the path is copied up to its NUL, so what follows
	 * it in the caller's buffer never matters. */
	memset(&t->p, 0, sizeof(t->p));
	t->p.kind = p->kind;
	t->p.interval_ms = p->interval_ms;
	t->p.timeout_ms = p->timeout_ms;
	t->p.rise = p->rise;
	t->p.fall = p->fall;
	t->p.port = p->port;
	if (p->kind == HEALTH_HTTP)
		snprintf(t->p.http_path, sizeof(t->p.http_path), "%s",
			 p->http_path);
	target_name(t);
	target_schedule(h, t);
	rearm(h);
	return 0;
}

static void target_free(struct health *h, struct target *t)
{
	probe_close(h, t);
	heap_remove(h, t);
	h->slot[t->slot] = NULL;
	free(t);
}

int health_del(struct health *h, uint64_t target_id)
{
	uint32_t i = lower_bound(h, target_id);
	struct target *t;

	if (i >= h->n || h->by_id[i]->id != target_id)
		return -ENOENT;
	t = h->by_id[i];
	memmove(&h->by_id[i], &h->by_id[i + 1],
		(h->n - i - 1) * sizeof(h->by_id[0]));
	h->n--;
	target_free(h, t);
	rearm(h);
	return 0;
}

enum health_state health_get(const struct health *h, uint64_t target_id)
{
	const struct target *t = find(h, target_id);

	return t ? t->state : HEALTH_UNKNOWN;
}

const char *health_last_error(const struct health *h, uint64_t target_id)
{
	const struct target *t = find(h, target_id);

	if (!t) {
		errno = ENOENT;
		return NULL;
	}
	return t->err;
}

int health_fd(const struct health *h)
{
	return h->epfd;
}

int health_new(struct health **out, health_cb cb, void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_TIMER };
	struct health *h;
	int err;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->cb = cb;
	h->arg = arg;
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (h->epfd < 0) {
		err = -errno;
		goto err_free;
	}
	h->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (h->tfd < 0) {
		err = -errno;
		goto err_epoll;
	}
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->tfd, &ev)) {
		err = -errno;
		goto err_timer;
	}
	*out = h;
	return 0;

err_timer:
	close(h->tfd);
err_epoll:
	close(h->epfd);
err_free:
	free(h);
	return err;
}

void health_free(struct health *h)
{
	if (!h)
		return;
	for (uint32_t i = 0; i < h->n; i++)
		target_free(h, h->by_id[i]);
	close(h->tfd);
	close(h->epfd);
	free(h);
}

static void health_ready(void *h)
{
	health_run(h);
}

int health_loop_add(struct health *h, struct loop *l)
{
	return loop_add_fd(l, health_fd(h), health_ready, h) ? 0 : -errno;
}
