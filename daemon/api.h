/* SPDX-License-Identifier: BSD-2-Clause */
/* REST API and Prometheus metrics over libmicrohttpd, driven by the main
 * event loop: api_fd() is an epoll set holding the listener, the
 * connections whose header sluiced is still reading, and MHD's own epoll
 * fd (no threads, no locks). */
#ifndef SLUICED_API_H
#define SLUICED_API_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "lb.h"
#include "state.h"

/* Largest request body accepted (413 beyond): a VIP with a few hundred
 * backends fits. */
#define API_BODY_MAX (64 * 1024)
/* ... and for a firewall rule list replaced whole (16,384 rules) */
#define API_BODY_BULK_MAX (8 * 1024 * 1024)
/* A body announced larger than its limit but not beyond this, sent
 * without "Expect: 100-continue", is read and dropped before the 413 goes
 * out (daemon/api.c says why). */
#define API_BODY_DISCARD_MAX (1024 * 1024)

/* What one listener gives its clients (docs/api.md, "Limits").  A TCP
 * client without the token costs one connection for one request; one
 * address can hold API_CONN_PER_IP connections at most, so it takes more
 * than API_CONN_MAX / API_CONN_PER_IP addresses to fill a listener, and
 * even then every connection ends within the deadline or the idle time. */
#define API_CONN_MAX 512      /* connections at once, per listener */
#define API_CONN_PER_IP 32    /* from one IPv4/IPv6 address */
#define API_IDLE_TIMEOUT_S 10 /* silence before a connection is closed */
/* From a connection's start (or the end of its previous request) to the
 * last byte of the request: a client sending a byte a second cannot hold
 * a connection longer. */
#define API_REQUEST_DEADLINE_S 10
#define API_LISTEN_BACKLOG 256
/* The request line and header fields, read by sluiced before MHD: 431
 * beyond (MHD's own buffer for them is 32 KiB). */
#define API_HEADER_MAX 8192
/* The request target (path and query string) within it: 414 beyond. */
#define API_URL_MAX 4096
#define API_LOG_WINDOW_S 10 /* one refusal message per window */

struct api;
struct ct;
struct ddos;
struct loop;
struct nat;
struct steer;
struct l7;

struct api_ctx {
	struct state *st;
	const struct sluiced_config *cfg;
	struct lb *lb;	     /* NULL: no load balancer (role backend) */
	struct ct *ct;	     /* NULL: no conntrack (role backend) */
	struct ddos *ddos;   /* NULL: no DDoS guard (role backend) */
	struct nat *nat;     /* NULL: no NAT (role backend) */
	struct fwd *fw;	     /* NULL: no firewall (role backend) */
	struct steer *steer; /* NULL: no steering (role backend) */
	struct l7 *l7;	     /* NULL: the L7 local hop unavailable */
	struct node *node;   /* NULL: no drain (role backend) */
	uint64_t started_at; /* CLOCK_MONOTONIC seconds */
};

struct api_tls;
/* @tls (api_tls.h): HTTPS on a tcp: listener when it holds a certificate;
 * a unix: listener is plain HTTP whatever it holds. */
int api_start(struct api **out, const char *spec, const char *token,
	      const struct api_tls *tls, struct api_ctx *ctx);
void api_stop(struct api *api);
int api_fd(const struct api *api);
void api_run(struct api *api);
/* How long the event loop may sleep before api_run() is due anyway, in ms
 * (@max when nothing is pending).  0 when MHD has work it did not finish:
 * its sockets are edge-triggered, so a body larger than its read buffer
 * raises no new event for the rest. */
int api_timeout_ms(const struct api *api, int max);
/* Serves @api from @l: api_run() when its socket is readable or
 * api_timeout_ms() says it is due. */
int api_loop_add(struct api *api, struct loop *l);

/* Response bodies, exposed for tests: each returns a malloc'd string and
 * an HTTP status, or NULL with errno set. */
struct api_query {
	const char *prefix; /* ?prefix=198.18.0.0/24 */
	const char *family; /* ?family=4|6 */
	const char *dev;    /* ?dev=IFNAME */
	/* /v1/conntrack: the filter and the page */
	const char *src, *dst, *proto, *state, *limit, *cursor;
	/* /v1/lb/flows: the filter (with src, limit, cursor) */
	const char *vip, *backend;
	/* every argument's name, as sent (the first API_QUERY_KEYS; n_keys
	 * counts them all): api_render() refuses one the resource's row
	 * does not name, and more than API_QUERY_KEYS */
#define API_QUERY_KEYS 8
	const char *keys[API_QUERY_KEYS];
	unsigned int n_keys;
	const char *body; /* POST/PATCH body, NULL if none */
	size_t body_len;
};

char *api_render(struct api_ctx *ctx, const char *method, const char *url,
		 const struct api_query *q, unsigned int *status,
		 const char **content_type);

/* Every row of the route table, "METHOD PATTERN" a line, in the table's
 * order (sluiced --api-routes: tests/openapi checks docs/openapi.yaml
 * against it). */
void api_routes_print(FILE *f);

/* Looks at a request's line and header fields before libmicrohttpd does
 * (it cuts them at a NUL byte and decodes %00 into one): @buf holds the
 * first @len bytes of the connection, @tcp says a bearer token is checked.
 * 0 when the header is complete (*@hdr_len bytes) and clean; -EAGAIN when
 * more is to come; otherwise an error, with *@code the HTTP status to
 * answer (400, 401, 414, 431) and @msg saying what is wrong, e.g. "url: query
 * parameter 'dev' has %00 (a NUL byte) in its value". */
int api_screen_header(bool tcp, const char *buf, size_t len, size_t *hdr_len,
		      unsigned int *code, char *msg, size_t msglen);

/* Prometheus text exposition (metrics.c). */
char *metrics_render(struct api_ctx *ctx);

#endif
