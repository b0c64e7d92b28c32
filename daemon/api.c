// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <microhttpd.h>
#include "api_internal.h"
#include "api_stats.h"
#include "api_tls.h"
#include "config.h"
#include "endpoint.h"
#include "log.h"
#include "loop.h"

/*
 * One connection, from accept to close.  sluiced accepts, and reads (peeks
 * at) the request's header itself before libmicrohttpd sees a byte of it:
 * MHD 0.9.75 cuts a header value or the request line at a NUL byte and
 * reports the cut length, so "Bearer TOKEN\0..." would pass as the token,
 * and it decodes %00 in the URL into a NUL that cuts our C strings short.
 * A clean header is handed to MHD (MHD_add_connection); every answer says
 * Connection: close, so that every request on a connection is looked at.
 * MHD's own timeout only measures silence, so each connection also has an
 * absolute deadline: a byte a second does not hold one for ever.
 */
struct api_conn {
	struct api_conn *prev, *next;
	int fd;			   /* ours until handed to MHD, then -1 */
	struct MHD_Connection *mc; /* once MHD has it */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	uint64_t deadline_ms; /* CLOCK_MONOTONIC; 0: answering, no deadline */
	bool cut;	      /* shut down, MHD has yet to notice */
};

struct api {
	struct MHD_Daemon *mhd;
	struct endpoint ep;
	char *token;
	int listen_fd;
	int epfd;	/* the listener, waiting connections, MHD's */
	bool accepting; /* the listener is in epfd */
	struct api_ctx *ctx;
	/* HTTPS: MHD reads the header, sluiced cannot peek at it, so what it
	 * screens for there is checked per request (uri_log(), handle()) */
	bool tls;
	bool bound;	/* EP_UNIX: we created the socket file */
	dev_t sock_dev; /* ... this one */
	ino_t sock_ino;
	struct api_conn *conns; /* every open connection, ours or MHD's */
	unsigned int n_conns;
	struct api_conn *handoff; /* being given to MHD_add_connection() */
	const char *spec;	  /* for messages */
	uint64_t log_quiet_until; /* refusals: at most one message per window */
	unsigned int log_dropped;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- HTTP plumbing --------------------------------------------------------- */

/* Refusals (a full listener, an address over its share, MHD's messages):
 * under a flood one line each would be thousands, so one per window goes
 * out with a count of those held back. */
static void api_warn(struct api *api, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void api_warn(struct api *api, const char *fmt, ...)
{
	uint64_t now = now_ms();
	char msg[256];
	va_list ap;

	if (now < api->log_quiet_until) {
		api->log_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (api->log_dropped)
		pr_warn("api %s: %s (%u messages not shown before this one)",
			api->spec, msg, api->log_dropped);
	else
		pr_warn("api %s: %s", api->spec, msg);
	api->log_dropped = 0;
	api->log_quiet_until = now + API_LOG_WINDOW_S * 1000;
}

/* libmicrohttpd's printf-style format: the attribute tells the compiler */
__attribute__((format(printf, 2, 0))) static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct api *api = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	/* libmicrohttpd sets TCP options on every connection, a unix
	 * socket's too, and says so when the kernel refuses; without them
	 * it cannot "push" an answer out of the socket's buffers and warns
	 * of a delay.  A unix socket has no Nagle and no cork: what was
	 * written is the peer's to read at once (MSG_MORE is ignored), so
	 * nothing is wrong, and a warning per request would use up the
	 * window the messages that matter need */
	if (api->ep.kind == EP_UNIX &&
	    (strstr(msg, "TCP_") || strstr(msg, "Failed to push the data"))) {
		pr_debug("api %s: %s", api->spec, msg);
		return;
	}
	api_warn(cls, "%s", msg);
}

/* The header's NUL bytes never get this far (see struct api_conn). */
static bool authorized(struct api *api, struct MHD_Connection *conn)
{
	unsigned char diff;
	const char *h;
	size_t hl, tl;

	if (api->ep.kind == EP_UNIX)
		return true; /* the socket is 0600: the kernel checked */
	if (MHD_lookup_connection_value_n(conn, MHD_HEADER_KIND,
					  MHD_HTTP_HEADER_AUTHORIZATION,
					  strlen(MHD_HTTP_HEADER_AUTHORIZATION),
					  &h, &hl) != MHD_YES ||
	    hl < 7 || strncasecmp(h, "Bearer ", 7)) /* RFC 7235: any case */
		return false;
	h += 7;
	hl -= 7;
	tl = strlen(api->token);
	/* Constant time: every byte of the token is compared whatever the
	 * client sent, so neither where the first difference is nor how
	 * long the guess is changes the time taken (a guess shorter than the
	 * token is compared against NULs it never matches). */
	diff = hl != tl;
	for (size_t i = 0; i < tl; i++)
		diff |= (unsigned char)((i < hl ? h[i] : 0) ^ api->token[i]);
	return diff == 0;
}

/* One request: its body arrives in pieces (POST/PATCH). */
struct req {
	char *body; /* NUL-terminated */
	size_t len;
	size_t max; /* body_max() */
	bool too_big;
	bool started;	     /* handle() has seen its header */
	size_t uri_len;	     /* the raw request target's, from uri_log() */
	unsigned int refuse; /* an HTTPS request's screening: 414, 400 */
	char why[128];	     /* ... and why */
};

/* A firewall rule list replaced whole (PUT /v1/fw/IFACE/DIR) may hold
 * 16,384 rules; every other body is small. */
static size_t body_max(const char *method, const char *url)
{
	if (!strcmp(method, "PUT") && !strncmp(url, "/v1/fw/", 7))
		return API_BODY_BULK_MAX;
	return API_BODY_MAX;
}

/* Every answer ends its connection: the next request comes on a new one,
 * whose header sluiced reads first. */
static enum MHD_Result respond(struct MHD_Connection *conn, const char *method,
			       unsigned int status, char *body,
			       const char *ctype)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (!body)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(body), body,
					       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	if (ret == MHD_YES)
		api_stats_count(method, status);
	return ret;
}

static bool body_add(struct req *r, const char *data, size_t len)
{
	char *b;

	if (r->too_big || r->len + len > r->max) {
		r->too_big = true;
		return true;
	}
	b = realloc(r->body, r->len + len + 1);
	if (!b)
		return false;
	memcpy(b + r->len, data, len);
	r->len += len;
	b[r->len] = '\0';
	r->body = b;
	return true;
}

/* A client that sent "Expect: 100-continue" sends no body until told to. */
static bool expects_continue(struct MHD_Connection *conn)
{
	const char *e = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_EXPECT);

	return e && !strcasecmp(e, "100-continue");
}

/* The request is in: answering it is bounded by the idle timeout only. */
static void conn_disarm(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct api_conn *c = ci ? ci->socket_context : NULL;

	if (c)
		c->deadline_ms = 0;
}

static enum MHD_Result query_key(void *cls, enum MHD_ValueKind kind,
				 const char *key, const char *value)
{
	struct api_query *q = cls;

	(void)kind;
	(void)value;
	if (q->n_keys < API_QUERY_KEYS)
		q->keys[q->n_keys] = key;
	q->n_keys++;
	return MHD_YES;
}

static const char *find_pct00(const char *s, const char *end);

/*
 * MHD calls this with the request target as it came (path and query, not
 * yet decoded), before it reads the header fields: on an HTTPS listener,
 * where sluiced cannot peek at the header, the target's length and %00
 * are checked here (api_screen_header() does it on the others, which pass
 * here anyway).  What it returns is the request's *con_cls.
 */
static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct req *r = calloc(1, sizeof(*r));
	size_t n = strlen(uri);

	(void)cls;
	(void)conn;
	if (!r)
		return NULL;
	r->uri_len = n;
	if (n > API_URL_MAX) {
		r->refuse = 414;
		snprintf(r->why, sizeof(r->why),
			 "url: longer than %d bytes (the path and the query "
			 "string)",
			 API_URL_MAX);
	} else if (find_pct00(uri, uri + n)) {
		r->refuse = 400;
		snprintf(r->why, sizeof(r->why),
			 "url: %%00 (a NUL byte) in the path or the query");
	}
	return r;
}

static enum MHD_Result add_size(void *cls, enum MHD_ValueKind kind,
				const char *key, size_t key_size,
				const char *value, size_t value_size)
{
	(void)kind;
	(void)key;
	(void)value;
	*(size_t *)cls += key_size + value_size + 4; /* ": " and CRLF */
	return MHD_YES;
}

/* An HTTPS request's line and header fields, as MHD parsed them: about
 * what api_screen_header() counts on the others (MHD's own buffer, 32 KiB,
 * bounds them before this; beyond it MHD answers 431 itself). */
static size_t header_size(struct MHD_Connection *conn, const char *method,
			  const struct req *r)
{
	size_t n = strlen(method) + 1 + r->uri_len + 11; /* HTTP/1.1 CRLF */

	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, add_size, &n);
	return n + 2;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct api *api = cls;
	struct api_query q = {};
	const char *ctype = "application/json", *cl;
	struct req *r = *con_cls;
	unsigned int status;
	char *body;

	(void)version;
	if (!r || !r->started) { /* first call: headers only */
		if (!r) {
			r = calloc(1, sizeof(*r));
			if (!r)
				return MHD_NO;
			*con_cls = r;
		}
		r->started = true;
		r->max = body_max(method, url);
		if (api->tls && !r->refuse &&
		    header_size(conn, method, r) > API_HEADER_MAX) {
			r->refuse = 431;
			snprintf(r->why, sizeof(r->why),
				 "request header: larger than %d bytes",
				 API_HEADER_MAX);
		}
		if (r->refuse) {
			conn_disarm(conn);
			return respond(conn, method, r->refuse,
				       error_body(&status, r->refuse, "%s",
						  r->why),
				       ctype);
		}
		/* Refused before any body is read: a client without the
		 * token costs a connection for one request, never a buffer. */
		if (!api_path_public(method, url) && !authorized(api, conn)) {
			conn_disarm(conn);
			return respond(conn, method, 401,
				       error_body(&status, 401,
						  "missing or "
						  "wrong bearer token "
						  "(api_token)"),
				       ctype);
		}
		/* A body announced too big is refused before it is read
		 * when the client waits for "100 Continue" or the body is
		 * too big to be worth reading. A client that sends a
		 * smaller body right behind its headers (curl does below
		 * 1 MiB) gets the 413 once the body is read and dropped:
		 * closing a socket with unread bytes resets the connection,
		 * and the reset can destroy the answer before the client
		 * reads it. */
		cl = MHD_lookup_connection_value(
			conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > r->max) {
			r->too_big = true;
			if (!expects_continue(conn) &&
			    strtoull(cl, NULL, 10) <= API_BODY_DISCARD_MAX)
				return MHD_YES;
			conn_disarm(conn);
			return respond(conn, method, 413,
				       error_body(&status, 413,
						  "body: larger "
						  "than %zu bytes",
						  r->max),
				       ctype);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!body_add(r, upload_data, *upload_data_size))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	conn_disarm(conn);
	if (r->too_big) {
		body = error_body(&status, 413, "body: larger than %zu bytes",
				  r->max);
	} else {
		q.prefix = MHD_lookup_connection_value(
			conn, MHD_GET_ARGUMENT_KIND, "prefix");
		q.family = MHD_lookup_connection_value(
			conn, MHD_GET_ARGUMENT_KIND, "family");
		q.dev = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
						    "dev");
		q.src = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
						    "src");
		q.dst = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
						    "dst");
		q.proto = MHD_lookup_connection_value(
			conn, MHD_GET_ARGUMENT_KIND, "proto");
		q.state = MHD_lookup_connection_value(
			conn, MHD_GET_ARGUMENT_KIND, "state");
		q.limit = MHD_lookup_connection_value(
			conn, MHD_GET_ARGUMENT_KIND, "limit");
		q.cursor = MHD_lookup_connection_value(
			conn, MHD_GET_ARGUMENT_KIND, "cursor");
		q.vip = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
						    "vip");
		q.backend = MHD_lookup_connection_value(
			conn, MHD_GET_ARGUMENT_KIND, "backend");
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND,
					  query_key, &q);
		q.body = r->body;
		q.body_len = r->len;
		body = api_render(api->ctx, method, url, &q, &status, &ctype);
	}
	return respond(conn, method, status, body, ctype);
}

static void request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r) {
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
}

/* ---- connections: accepted here, screened, handed to MHD ------------------- */

static void listen_enable(struct api *api, bool on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0,
				  .data.ptr = NULL };

	if (api->accepting == on)
		return;
	if (epoll_ctl(api->epfd, EPOLL_CTL_MOD, api->listen_fd, &ev))
		pr_warn("api %s: epoll: %s", api->spec, strerror(errno));
	else
		api->accepting = on;
}

/* Whether ours or MHD's: gone, its slot free.  A full listener that was
 * left out of epfd comes back here, where the count drops, so that it
 * cannot stay out with nothing to wake it (what MHD's own accept did). */
static void conn_release(struct api *api, struct api_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		api->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	api->n_conns--;
	if (api->n_conns < API_CONN_MAX)
		listen_enable(api, true);
}

static bool same_peer(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr,
		       sizeof(struct in6_addr));
}

static unsigned int conns_from(const struct api *api,
			       const struct sockaddr_storage *peer)
{
	unsigned int n = 0;

	for (const struct api_conn *c = api->conns; c; c = c->next)
		n += same_peer(&c->peer, peer);
	return n;
}

/* @c to MHD, which reads from its socket from now on. */
static void conn_handoff(struct api *api, struct api_conn *c)
{
	bool adopted;

	api->handoff = c;
	MHD_add_connection(api->mhd, c->fd, (struct sockaddr *)&c->peer,
			   c->peer_len);
	/* conn_notify() took it, or MHD closed the socket without */
	adopted = !api->handoff;
	api->handoff = NULL;
	if (!adopted) {
		c->fd = -1;
		conn_release(api, c);
	}
}

static void accept_some(struct api *api)
{
	/* a few per run: waiting connections and MHD get their turn */
	for (int i = 0; i < 16 && api->n_conns < API_CONN_MAX; i++) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP |
						    EPOLLET };
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		char a[INET6_ADDRSTRLEN] = "";
		struct api_conn *c;
		int fd;

		fd = accept4(api->listen_fd, (struct sockaddr *)&peer, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				api_warn(api, "accept: %s", strerror(errno));
			return;
		}
		/* unix sockets are 0600: their clients are the operator */
		if ((peer.ss_family == AF_INET || peer.ss_family == AF_INET6) &&
		    conns_from(api, &peer) >= API_CONN_PER_IP) {
			inet_ntop(
				peer.ss_family,
				peer.ss_family == AF_INET ?
					(void *)&((struct sockaddr_in *)&peer)
						->sin_addr :
					(void *)&((struct sockaddr_in6 *)&peer)
						->sin6_addr,
				a, sizeof(a));
			api_warn(api,
				 "%s has %d connections: closing a new one", a,
				 API_CONN_PER_IP);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->peer = peer;
		c->peer_len = len;
		c->deadline_ms = now_ms() + API_REQUEST_DEADLINE_S * 1000;
		c->next = api->conns;
		if (api->conns)
			api->conns->prev = c;
		api->conns = c;
		api->n_conns++;
		/* HTTPS: the header is encrypted, MHD has it at once */
		if (api->tls) {
			conn_handoff(api, c);
			continue;
		}
		ev.data.ptr = c;
		if (epoll_ctl(api->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			api_warn(api, "epoll: %s", strerror(errno));
			conn_release(api, c);
		}
	}
	if (api->n_conns >= API_CONN_MAX) {
		api_warn(api, "%d connections: accepting again when one ends",
			 API_CONN_MAX);
		listen_enable(api, false);
	}
}

/* Says why on a connection MHD never saw, then closes it.  The header is
 * read first: closing with unread data would reset the connection, and
 * the client could lose the answer. */
static void conn_refuse(struct api *api, struct api_conn *c, unsigned int code,
			const char *reason, char *body)
{
	char head[256], junk[4096];
	int n;

	for (int i = 0; i < 16 && recv(c->fd, junk, sizeof(junk), 0) > 0; i++)
		;
	if (body) {
		n = snprintf(head, sizeof(head),
			     "HTTP/1.1 %u %s\r\nContent-Type: "
			     "application/json\r\nContent-Length: %zu\r\n"
			     "Connection: close\r\n\r\n",
			     code, reason, strlen(body));
		/* a fresh socket's buffer takes a few hundred bytes */
		if (send(c->fd, head, (size_t)n, MSG_NOSIGNAL) == n)
			send(c->fd, body, strlen(body), MSG_NOSIGNAL);
		free(body);
		/* refused on its header alone: the method is not known */
		api_stats_count(NULL, code);
	}
	shutdown(c->fd, SHUT_WR);
	conn_release(api, c);
}

/*
 * 414 when the request target of the request line at @line (@n bytes, the
 * line's end or as much of it as has come) is longer than API_URL_MAX: said
 * as soon as that many bytes of it are in, not when the header is whole.
 */
static bool url_too_long(const char *line, size_t n, unsigned int *code,
			 char *msg, size_t msglen)
{
	const char *t = memchr(line, ' ', n), *te;

	if (!t)
		return false;
	t++;
	te = memchr(t, ' ', (size_t)(line + n - t));
	if ((size_t)((te ? te : line + n) - t) <= API_URL_MAX)
		return false;
	*code = 414;
	snprintf(msg, msglen,
		 "url: longer than %d bytes (the path and the query "
		 "string)",
		 API_URL_MAX);
	return true;
}

/* The first of "%00" in @s..@end, or NULL. */
static const char *find_pct00(const char *s, const char *end)
{
	for (; s + 3 <= end; s++)
		if (s[0] == '%' && s[1] == '0' && s[2] == '0')
			return s;
	return NULL;
}

int api_screen_header(bool tcp, const char *buf, size_t len, size_t *hdr_len,
		      unsigned int *code, char *msg, size_t msglen)
{
	const char *p = buf, *end = buf + len, *line, *nl, *nul, *t, *te, *q;
	bool first = true;

	*hdr_len = 0;

	/* MHD skips empty lines before the request line; so do we */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	for (line = p; line < end; line = nl + 1) {
		size_t n;

		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl && first &&
		    url_too_long(line, (size_t)(end - line), code, msg, msglen))
			return -EMSGSIZE;
		if (!nl)
			break;
		n = (size_t)(nl - line);
		if (n && line[n - 1] == '\r')
			n--;
		if (first && url_too_long(line, n, code, msg, msglen))
			return -EMSGSIZE;
		nul = memchr(line, '\0', n);
		if (nul && first) {
			*code = 400;
			snprintf(msg, msglen,
				 "request line: a NUL byte at "
				 "column %zu",
				 (size_t)(nul - line) + 1);
			return -EINVAL;
		}
		if (nul) {
			const char *colon =
				memchr(line, ':', (size_t)(nul - line));
			size_t name = colon ? (size_t)(colon - line) : 0;

			/* a NUL ends a header value early in MHD: a token
			 * followed by anything is still a wrong token */
			if (tcp && name == 13 &&
			    !strncasecmp(line, "Authorization", 13)) {
				*code = 401;
				snprintf(msg, msglen,
					 "Authorization: a NUL byte "
					 "in the bearer token");
			} else {
				*code = 400;
				snprintf(msg, msglen,
					 "header '%.*s': a NUL byte",
					 (int)(name > 40 ? 40 : name), line);
			}
			return -EINVAL;
		}
		if (!n && !first) {
			*hdr_len = (size_t)(nl + 1 - buf);
			break;
		}
		if (first) {
			/* the target, between the first two spaces: MHD
			 * decodes %00 to a NUL that cuts it, or a query
			 * value, short */
			t = memchr(line, ' ', n);
			te = t ? memchr(t + 1, ' ',
					(size_t)(line + n - t - 1)) :
				 NULL;
			if (t && !te)
				te = line + n;
			q = t ? memchr(t, '?', (size_t)(te - t)) : NULL;
			if (t && find_pct00(t, q ? q : te)) {
				*code = 400;
				snprintf(msg, msglen,
					 "url: the path has %%00 (a "
					 "NUL byte) in it");
				return -EINVAL;
			}
			if (q && (nul = find_pct00(q, te))) {
				const char *k = nul, *eq;

				while (k > q + 1 && k[-1] != '&')
					k--;
				eq = memchr(k, '=', (size_t)(te - k));
				*code = 400;
				if (eq && eq < nul)
					snprintf(
						msg, msglen,
						"url: query parameter "
						"'%.*s' has %%00 (a NUL byte) in "
						"its value",
						(int)(eq - k > 40 ? 40 :
								    eq - k),
						k);
				else
					snprintf(
						msg, msglen,
						"url: a query "
						"parameter name has %%00 (a NUL "
						"byte) in it");
				return -EINVAL;
			}
		}
		first = false;
	}
	if (!*hdr_len && len >= API_HEADER_MAX) {
		*code = 431;
		snprintf(msg, msglen, "request header: larger than %d bytes",
			 API_HEADER_MAX);
		return -EMSGSIZE;
	}
	return *hdr_len ? 0 : -EAGAIN;
}

/* New bytes on a connection MHD does not have yet. */
static void pending_ready(struct api *api, struct api_conn *c, uint32_t events)
{
	char buf[API_HEADER_MAX], msg[256];
	size_t hdr_len = 0;
	unsigned int code = 0, st;
	ssize_t n;
	int rc;

	n = recv(c->fd, buf, sizeof(buf), MSG_PEEK);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* gone before it asked anything */
		conn_release(api, c);
		return;
	}
	rc = api_screen_header(api->ep.kind == EP_TCP, buf, (size_t)n, &hdr_len,
			       &code, msg, sizeof(msg));
	if (rc == -EAGAIN) {
		/* it stopped sending before the end of its header */
		if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			conn_release(api, c);
		return;
	}
	if (rc) {
		pr_debug("api %s: refused with %u: %s", api->spec, code, msg);
		conn_refuse(api, c, code,
			    code == 401 ? "Unauthorized" :
			    code == 414 ? "URI Too Long" :
			    code == 431 ? "Request Header Fields Too Large" :
					  "Bad Request",
			    error_body(&st, code, "%s", msg));
		return;
	}
	/* MHD reads the header we looked at from the socket itself */
	epoll_ctl(api->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	conn_handoff(api, c);
}

static void conn_notify(void *cls, struct MHD_Connection *mc,
			void **socket_context,
			enum MHD_ConnectionNotificationCode toe)
{
	struct api *api = cls;
	struct api_conn *c = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		/* only MHD_add_connection() gives MHD connections */
		c = api->handoff;
		api->handoff = NULL;
		if (!c)
			return;
		c->fd = -1; /* MHD's to close now */
		c->mc = mc;
		*socket_context = c;
		return;
	}
	if (c)
		conn_release(api, c);
	*socket_context = NULL;
}

/* Requests past their deadline.  One MHD has is shut down under it: MHD
 * sees the end of the stream at its next run and closes the connection
 * itself (it has no call to close one from outside a callback). */
static void cut_late(struct api *api)
{
	uint64_t now = now_ms();
	struct api_conn *c, *next;

	for (c = api->conns; c; c = next) {
		const union MHD_ConnectionInfo *ci;

		next = c->next;
		if (c->cut || !c->deadline_ms || now < c->deadline_ms)
			continue;
		pr_debug("api %s: closing a connection whose request took "
			 "over %d s",
			 api->spec, API_REQUEST_DEADLINE_S);
		if (!c->mc) {
			conn_release(api, c);
			continue;
		}
		c->cut = true;
		ci = MHD_get_connection_info(c->mc,
					     MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci)
			shutdown(ci->connect_fd, SHUT_RDWR);
	}
}

/* ---- listeners ------------------------------------------------------------- */

static const char *file_kind(mode_t m)
{
	return S_ISREG(m)		? "a regular file" :
	       S_ISDIR(m)		? "a directory" :
	       S_ISLNK(m)		? "a symbolic link" :
	       S_ISFIFO(m)		? "a FIFO" :
	       S_ISCHR(m) || S_ISBLK(m) ? "a device" :
					  "not a socket";
}

/* Whatever is at @path may be replaced only if it is a socket nobody
 * listens on (a crashed run's): anything else is someone's, and a live
 * socket is another daemon's, which must keep it. */
static int unix_clear_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st, again;
	int fd, rc;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, errlen, "'%s': %s", path, strerror(-rc));
		return rc;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen,
			 "'%s' is %s, not a socket: not replacing it", path,
			 file_kind(st.st_mode));
		return -EEXIST;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* non-blocking: a live listener with a full backlog says EAGAIN
	 * rather than making us wait */
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	close(fd);
	if (rc != -ECONNREFUSED) {
		if (!rc || rc == -EAGAIN)
			snprintf(err, errlen,
				 "'%s': another process is "
				 "listening on this socket",
				 path);
		else
			snprintf(err, errlen,
				 "'%s': cannot tell whether the "
				 "socket is in use: %s",
				 path, strerror(-rc));
		return rc ? rc : -EADDRINUSE;
	}
	/* only the socket we tested, not what may have taken its place */
	if (lstat(path, &again) || again.st_dev != st.st_dev ||
	    again.st_ino != st.st_ino) {
		snprintf(err, errlen, "'%s' changed while it was checked",
			 path);
		return -EAGAIN;
	}
	if (unlink(path)) {
		rc = -errno;
		snprintf(err, errlen,
			 "'%s': cannot remove the stale socket: %s", path,
			 strerror(-rc));
		return rc;
	}
	pr_info("api: replaced the stale socket '%s'", path);
	return 0;
}

/* Removes the socket file only while it is still the one we bound: a
 * later daemon's socket or an operator's file at the path stays. */
static void unix_unlink_own(const struct api *api)
{
	struct stat st;

	if (!api->bound)
		return;
	if (lstat(api->ep.path, &st) || !S_ISSOCK(st.st_mode) ||
	    st.st_dev != api->sock_dev || st.st_ino != api->sock_ino) {
		pr_info("api: '%s' is no longer our socket: leaving it",
			api->ep.path);
		return;
	}
	unlink(api->ep.path);
}

static int unix_listen(struct api *api, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)], *slash;
	const char *path = api->ep.path;
	struct stat st;
	mode_t old;
	int fd, rc;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			rc = -errno;
			snprintf(err, errlen, "'%s': %s", dir, strerror(-rc));
			return rc;
		}
	}
	rc = unix_clear_stale(path, err, errlen);
	if (rc)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	old = umask(0177); /* born 0600: no window where others can connect */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc) {
		/* EADDRINUSE: someone bound it since we looked */
		rc = -errno;
		snprintf(err, errlen, "'%s': %s", path, strerror(-rc));
		goto err_close;
	}
	if (lstat(path, &st)) {
		rc = -errno;
		snprintf(err, errlen, "'%s': %s", path, strerror(-rc));
		goto err_close;
	}
	api->bound = true;
	api->sock_dev = st.st_dev;
	api->sock_ino = st.st_ino;
	if (chmod(path, 0600) || listen(fd, API_LISTEN_BACKLOG)) {
		rc = -errno;
		snprintf(err, errlen, "'%s': %s", path, strerror(-rc));
		goto err_unlink;
	}
	return fd;
err_unlink:
	unix_unlink_own(api);
	api->bound = false;
err_close:
	close(fd);
	return rc;
}

static int tcp_listen(const struct endpoint *ep)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd, one = 1, family;

	if (inet_pton(AF_INET, ep->host,
		      &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		family = sin->sin_family = AF_INET;
		sin->sin_port = htons(ep->port);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_pton(AF_INET6, ep->host, &sin6->sin6_addr);
		family = sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(ep->port);
		len = sizeof(*sin6);
	}
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) ||
	    listen(fd, API_LISTEN_BACKLOG)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int api_start(struct api **out, const char *spec, const char *token,
	      const struct api_tls *tls, struct api_ctx *ctx)
{
	struct MHD_OptionItem tls_opts[3] = { { MHD_OPTION_END, 0, NULL } };
	struct epoll_event ev = { .events = EPOLLIN };
	const union MHD_DaemonInfo *info;
	char msg[256];
	struct api *api;
	int err;

	api = calloc(1, sizeof(*api));
	if (!api)
		return -ENOMEM;
	api->ctx = ctx;
	api->listen_fd = -1;
	api->epfd = -1;
	api->spec = strdup(spec);
	if (!api->spec) {
		err = -ENOMEM;
		goto err_free;
	}
	err = endpoint_parse(spec, &api->ep, msg, sizeof(msg));
	if (err) {
		pr_err("%s", msg);
		goto err_free;
	}
	if (token) {
		api->token = strdup(token);
		if (!api->token) {
			err = -ENOMEM;
			goto err_free;
		}
	}
	if (api->ep.kind == EP_UNIX) {
		api->listen_fd = unix_listen(api, msg, sizeof(msg));
	} else {
		api->listen_fd = tcp_listen(&api->ep);
		if (api->listen_fd < 0)
			snprintf(msg, sizeof(msg), "%s",
				 strerror(-api->listen_fd));
	}
	if (api->listen_fd < 0) {
		err = api->listen_fd;
		pr_err("api: cannot listen on %s: %s", spec, msg);
		goto err_free;
	}
	api->tls = api->ep.kind == EP_TCP && tls && tls->cert;
	if (api->tls) {
		tls_opts[0] =
			(struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
						 tls->cert };
		tls_opts[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY,
						       0, tls->key };
		tls_opts[2] =
			(struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	}
	/* We accept (accept_some), MHD serves what we hand it.  Its own
	 * limits stay as a second line behind ours. */
	api->mhd = MHD_start_daemon(
		MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET |
			(api->tls ? MHD_USE_TLS : 0),
		0, NULL, NULL, handle, api,
		/* first, or MHD prints the messages of the options before */
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, api,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)API_CONN_MAX,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)API_CONN_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)API_IDLE_TIMEOUT_S, MHD_OPTION_NOTIFY_COMPLETED,
		request_done, NULL, MHD_OPTION_NOTIFY_CONNECTION, conn_notify,
		api, MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL,
		MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
	if (!api->mhd && api->tls) {
		err = -EINVAL;
		pr_err("api: %s: libmicrohttpd (GnuTLS) refused api_tls_cert "
		       "'%s' with api_tls_key '%s': not a certificate and its "
		       "own private key?",
		       spec, tls->cert_path, tls->key_path);
		goto err_close;
	}
	if (!api->mhd) {
		err = -EIO;
		pr_err("api: libmicrohttpd failed to start on %s", spec);
		goto err_close;
	}
	info = MHD_get_daemon_info(api->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	api->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!info || api->epfd < 0) {
		err = api->epfd < 0 ? -errno : -EIO;
		pr_err("api: %s: cannot set up its epoll set", spec);
		goto err_mhd;
	}
	/* data.ptr: NULL the listener, api MHD's set, else a connection */
	ev.data.ptr = api;
	if (epoll_ctl(api->epfd, EPOLL_CTL_ADD, info->epoll_fd, &ev)) {
		err = -errno;
		goto err_mhd;
	}
	ev.data.ptr = NULL;
	if (epoll_ctl(api->epfd, EPOLL_CTL_ADD, api->listen_fd, &ev)) {
		err = -errno;
		goto err_mhd;
	}
	api->accepting = true;
	pr_info("api: listening on %s%s", spec, api->tls ? " (https)" : "");
	*out = api;
	return 0;
err_mhd:
	MHD_stop_daemon(api->mhd);
	if (api->epfd >= 0)
		close(api->epfd);
err_close:
	close(api->listen_fd);
	unix_unlink_own(api);
err_free:
	free(api->token);
	free((char *)api->spec);
	free(api);
	return err;
}

void api_stop(struct api *api)
{
	if (!api)
		return;
	api->accepting = true;	   /* nothing to re-enable from here on */
	MHD_stop_daemon(api->mhd); /* its connections: conn_notify() */
	while (api->conns)
		conn_release(api, api->conns);
	close(api->epfd);
	close(api->listen_fd);
	unix_unlink_own(api);
	free(api->token);
	free((char *)api->spec);
	free(api);
}

int api_fd(const struct api *api)
{
	return api->epfd;
}

void api_run(struct api *api)
{
	struct epoll_event evs[32];
	int n;

	n = epoll_wait(api->epfd, evs, 32, 0);
	for (int i = 0; i < n; i++) {
		void *p = evs[i].data.ptr;

		if (!p)
			accept_some(api);
		else if (p != api)
			pending_ready(api, p, evs[i].events);
	}
	MHD_run(api->mhd);
	cut_late(api);
}

int api_timeout_ms(const struct api *api, int max)
{
	MHD_UNSIGNED_LONG_LONG t;
	uint64_t now = now_ms();

	for (const struct api_conn *c = api->conns; c; c = c->next) {
		if (c->cut || !c->deadline_ms)
			continue;
		if (c->deadline_ms <= now)
			return 0;
		if (c->deadline_ms - now < (uint64_t)max)
			max = (int)(c->deadline_ms - now);
	}
	if (MHD_get_timeout(api->mhd, &t) != MHD_YES || t >= (unsigned int)max)
		return max;
	return (int)t;
}

static void api_ready(void *api)
{
	api_run(api);
}

static int api_due(void *api, int max)
{
	return api_timeout_ms(api, max);
}

int api_loop_add(struct api *api, struct loop *l)
{
	struct loop_src *src = loop_add_fd(l, api_fd(api), api_ready, api);

	if (!src)
		return -errno;
	loop_set_due(src, api_due);
	return 0;
}
