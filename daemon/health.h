/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Backend health checks: TCP connect or HTTP GET probes, rise/fall
 * hysteresis, state changes reported through a callback.  Single-threaded
 * and non-blocking: everything hangs off one epoll fd (probe sockets plus a
 * timerfd) that the daemon puts in its own epoll set, so no threads, no
 * locks, and a slow backend can never stall the event loop.
 */
#ifndef SLUICED_HEALTH_H
#define SLUICED_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#define HEALTH_MAX_TARGETS 4096
#define HEALTH_MIN_INTERVAL_MS 100
#define HEALTH_MAX_RISE_FALL 100

enum health_kind { HEALTH_NONE, HEALTH_TCP, HEALTH_HTTP };
enum health_state { HEALTH_UNKNOWN, HEALTH_UP, HEALTH_DOWN };

struct health_params {
	enum health_kind kind;
	uint32_t interval_ms; /* between checks, >= 100 */
	uint32_t timeout_ms;  /* per check, < interval */
	uint32_t rise,
		fall; /* consecutive successes/failures to change state, 1..100 */
	uint16_t port; /* TCP port to connect to (host order) */
	char http_path
		[128]; /* HTTP: GET this path, 2xx/3xx = success; Host: header = the address */
};

/* Called from health_run() only, once per state change (UNKNOWN is never
 * reported: a target leaves it, it does not enter it through a callback).
 * The callback may call health_set(), health_del() and health_get(), also
 * for the target being reported; it must not call health_free() or
 * health_run(). */
typedef void (*health_cb)(void *arg, uint64_t target_id, enum health_state st);

struct health;
struct loop;

int health_new(struct health **out, health_cb cb, void *arg);
void health_free(struct health *h);
/* One fd for the caller's epoll (EPOLLIN): readable when work is due. */
int health_fd(const struct health *h);
/* Call when health_fd() is readable; never blocks. */
void health_run(struct health *h);
/* Runs @h's checks from @l: health_run() whenever health_fd() is
 * readable.  0 or -errno. */
int health_loop_add(struct health *h, struct loop *l);

/*
 * Add or update a target.  @addr is 4 (AF_INET) or 16 (AF_INET6) bytes in
 * network order.  Same id: params/address replaced; the state is kept if
 * the address is unchanged, and goes back to UNKNOWN (silently: no
 * callback) if it changed.  Setting exactly what is already there is a
 * no-op, so a config reload does not restart probes.  Any other change
 * aborts the probe in flight and restarts the rise/fall counts.
 * HEALTH_NONE targets become UP at the next health_run() (the fd is
 * readable at once), with one callback.  Never calls back.
 * 0, -EINVAL (params: see health_params_validate), -EAFNOSUPPORT,
 * -ENOSPC (HEALTH_MAX_TARGETS), -ENOMEM.
 */
int health_set(struct health *h, uint64_t target_id, int family,
	       const void *addr, const struct health_params *p);
/* 0 or -ENOENT.  No callback for @target_id is made after this returns. */
int health_del(struct health *h, uint64_t target_id);
/* HEALTH_UNKNOWN for an id that is not there. */
enum health_state health_get(const struct health *h, uint64_t target_id);
/* Why the last check of @target_id failed ("connection refused",
 * "HTTP 500", "timeout after 200 ms (connect)"...), "" if none has failed
 * yet.  Kept after later successes: it explains the last flap.  Valid until
 * the next health_* call; NULL with errno = ENOENT for an unknown id. */
const char *health_last_error(const struct health *h, uint64_t target_id);

const char *
health_state_name(enum health_state s);		  /* "unknown", "up", "down" */
const char *health_kind_name(enum health_kind k); /* "none", "tcp", "http" */
/* 0, or -EINVAL if @s is none of those names. */
int health_kind_parse(const char *s, enum health_kind *out);
/*
 * 0, or -EINVAL with a message naming the field and the value in @err
 * (which may be NULL), e.g. "health.interval_ms: 50 is below 100".  For
 * HEALTH_NONE only the kind is checked: nothing else is used.
 */
int health_params_validate(const struct health_params *p, char *err,
			   size_t errlen);

#endif
