// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-l7proxy: a small HTTP/1.1 reverse proxy for the L7 local hop
 * (docs/l7.md).  It reads a connection's request line and Host header,
 * picks a local application from its table by host, connects to it and
 * then relays both ways until both sides are done.  With `sluicectl l7
 * add --port APP_PORT` and both processes in the attached cgroup, the
 * proxy -> application hop is moved socket to socket by the kernel.
 *
 *   sluice-l7proxy --listen ADDR:PORT --route HOST=ADDR:PORT
 *                  [--route ...] [--default ADDR:PORT]
 *
 * One epoll loop, non-blocking sockets, no framework.  Kept simple on
 * purpose: a connection goes to the application its first request
 * names (later requests on it follow), addresses are numeric, and a
 * request whose head does not fit in 16 KiB is refused (431).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define HEAD_MAX 16384
#define RELAY_BUF 65536
#define MAX_ROUTES 32
#define MAX_EVENTS 64

struct route {
	char host[256];
	struct sockaddr_storage ss;
	socklen_t len;
};

static struct route routes[MAX_ROUTES];
static int n_routes;
static struct route dflt;
static bool have_dflt;

/* One direction of a relay: bytes read from src, not yet written. */
struct pipe_dir {
	char buf[RELAY_BUF];
	size_t off, len;
	bool eof;  /* src said EOF */
	bool shut; /* dst was shut down for writing */
	bool got;  /* src sent something */
};

struct conn;

/* What epoll hands back: a socket and the connection it belongs to. */
struct end {
	struct conn *c;
	int fd;
};

struct conn {
	struct end client, app;
	char head[HEAD_MAX];
	size_t head_len;
	bool relaying;
	bool over;		  /* closed, freed after this batch of events */
	struct pipe_dir up, down; /* client -> app, app -> client */
};

static int ep;

static int parse_addr(const char *s, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	size_t n;
	long port;

	if (!colon || colon == s)
		return -EINVAL;
	n = (size_t)(colon - s);
	if (s[0] == '[' && n > 2 && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	port = strtol(colon + 1, NULL, 10);
	if (port < 1 || port > 65535)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) ==
	    1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
		*len = sizeof(struct sockaddr_in);
		return 0;
	}
	if (inet_pton(AF_INET6, host,
		      &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
		*len = sizeof(struct sockaddr_in6);
		return 0;
	}
	return -EINVAL;
}

static void watch(struct end *e, uint32_t events, int op)
{
	struct epoll_event ev = { .events = events, .data.ptr = e };

	epoll_ctl(ep, op, e->fd, &ev);
}

/* Connections ended in this batch of events: freed after it, since a
 * later event of the batch may name them. */
static struct conn *dead[MAX_EVENTS];
static int n_dead;

static void conn_free(struct conn *c)
{
	if (c->over)
		return;
	c->over = true;
	if (c->client.fd >= 0)
		close(c->client.fd);
	if (c->app.fd >= 0)
		close(c->app.fd);
	dead[n_dead++] = c;
}

static void reply(struct conn *c, const char *status)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg),
			 "HTTP/1.1 %s\r\nContent-Length: 0\r\n"
			 "Connection: close\r\n\r\n",
			 status);

	/* best effort: the socket is fresh and the answer small */
	if (write(c->client.fd, msg, (size_t)n) < 0)
		return;
}

/* The Host header's name, without a port; NULL when there is none. */
static const char *find_host(char *head, char *out, size_t len)
{
	char *line = strstr(head, "\r\n");

	while (line && line[2] != '\r') {
		char *v = line + 2, *end = strstr(v, "\r\n");
		size_t n;

		if (!end)
			return NULL;
		if (!strncasecmp(v, "Host:", 5)) {
			v += 5;
			while (*v == ' ' || *v == '\t')
				v++;
			n = strcspn(v, "\r");
			/* "[v6]:port" keeps its brackets; "name:port" not */
			if (*v != '[' && memchr(v, ':', n))
				n = (size_t)((char *)memchr(v, ':', n) - v);
			while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			if (!n || n >= len)
				return NULL;
			memcpy(out, v, n);
			out[n] = '\0';
			return out;
		}
		line = end;
	}
	return NULL;
}

/* "METHOD SP TARGET SP HTTP/1.x" */
static bool request_line_ok(const char *head)
{
	const char *sp1 = strchr(head, ' '), *sp2, *eol = strstr(head, "\r\n");

	if (!sp1 || !eol || sp1 > eol || sp1 == head)
		return false;
	sp2 = strchr(sp1 + 1, ' ');
	if (!sp2 || sp2 > eol || sp2 == sp1 + 1)
		return false;
	for (const char *p = head; p < sp1; p++)
		if (!isupper((unsigned char)*p))
			return false;
	return eol - (sp2 + 1) == 8 && !strncmp(sp2 + 1, "HTTP/1.", 7);
}

static const struct route *pick(const char *host)
{
	for (int i = 0; i < n_routes; i++)
		if (!strcasecmp(routes[i].host, host))
			return &routes[i];
	return have_dflt ? &dflt : NULL;
}

/* The head is complete: choose, connect, queue the head for the app. */
static int start_relay(struct conn *c)
{
	const struct route *r;
	char host[256];

	if (!request_line_ok(c->head)) {
		reply(c, "400 Bad Request");
		return -1;
	}
	if (!find_host(c->head, host, sizeof(host))) {
		reply(c, "400 Bad Request");
		return -1;
	}
	r = pick(host);
	if (!r) {
		reply(c, "404 Not Found");
		return -1;
	}
	c->app.fd = socket(r->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->app.fd < 0 ||
	    (connect(c->app.fd, (const struct sockaddr *)&r->ss, r->len) &&
	     errno != EINPROGRESS)) {
		reply(c, "502 Bad Gateway");
		return -1;
	}
	/* what was read so far (the head and any body) goes first */
	memcpy(c->up.buf, c->head, c->head_len);
	c->up.len = c->head_len;
	c->relaying = true;
	watch(&c->app, EPOLLIN | EPOLLOUT, EPOLL_CTL_ADD);
	return 0;
}

/* Moves what it can of @d from @src to @dst; -1 when the pair is over. */
static int pump(struct pipe_dir *d, int src, int dst)
{
	for (;;) {
		if (d->off < d->len) {
			ssize_t w = send(dst, d->buf + d->off, d->len - d->off,
					 MSG_NOSIGNAL);

			if (w < 0)
				return errno == EAGAIN ? 0 : -1;
			d->off += (size_t)w;
			continue;
		}
		d->off = d->len = 0;
		if (d->eof) {
			if (!d->shut) {
				shutdown(dst, SHUT_WR); /* half-close on */
				d->shut = true;
			}
			return 0;
		}
		ssize_t r = recv(src, d->buf, sizeof(d->buf), 0);

		if (r == 0) {
			d->eof = true;
			continue;
		}
		if (r < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		d->len = (size_t)r;
		d->got = true;
	}
}

static void relay(struct conn *c)
{
	uint32_t ce = EPOLLIN, ae = EPOLLIN;

	if (pump(&c->up, c->client.fd, c->app.fd) ||
	    pump(&c->down, c->app.fd, c->client.fd)) {
		/* the application refused the connection or reset it before
		 * it said anything: the client gets an answer, not a bare
		 * close (after a byte of its answer, only the close) */
		if (!c->down.got)
			reply(c, "502 Bad Gateway");
		conn_free(c);
		return;
	}
	if (c->up.shut && c->down.shut) {
		conn_free(c);
		return;
	}
	/* wait for room where bytes are pending, for data elsewhere */
	if (c->up.off < c->up.len)
		ae |= EPOLLOUT;
	if (c->down.off < c->down.len)
		ce |= EPOLLOUT;
	if (c->up.eof)
		ce &= ~EPOLLIN;
	if (c->down.eof)
		ae &= ~EPOLLIN;
	watch(&c->client, ce, EPOLL_CTL_MOD);
	watch(&c->app, ae, EPOLL_CTL_MOD);
}

static void on_client(struct conn *c)
{
	ssize_t r;

	if (c->relaying) {
		relay(c);
		return;
	}
	r = recv(c->client.fd, c->head + c->head_len,
		 sizeof(c->head) - 1 - c->head_len, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		conn_free(c);
		return;
	}
	c->head_len += (size_t)r;
	c->head[c->head_len] = '\0';
	if (!strstr(c->head, "\r\n\r\n")) {
		if (c->head_len == sizeof(c->head) - 1) {
			reply(c, "431 Request Header Fields Too Large");
			conn_free(c);
		}
		return;
	}
	if (start_relay(c))
		conn_free(c);
}

static int listen_on(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd;

	if (parse_addr(spec, &ss, &len))
		return -EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 1024)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: sluice-l7proxy --listen ADDR:PORT --route HOST=ADDR:PORT"
		" [--route ...] [--default ADDR:PORT]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct epoll_event evs[MAX_EVENTS];
	struct end lsn = { .fd = -1 };
	const char *listen_spec = NULL;

	/* every option takes a value: i steps over both */
	for (int i = 1; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage();
		if (strcmp(argv[i], "--listen") && strcmp(argv[i], "--route") &&
		    strcmp(argv[i], "--default")) {
			fprintf(stderr, "sluice-l7proxy: unknown option '%s'\n",
				argv[i]);
			return usage();
		}
		if (!v) {
			fprintf(stderr, "sluice-l7proxy: %s needs a value\n",
				argv[i]);
			return usage();
		}
		if (!strcmp(argv[i], "--listen")) {
			struct sockaddr_storage ss;
			socklen_t len;

			if (parse_addr(v, &ss, &len)) {
				fprintf(stderr,
					"sluice-l7proxy: --listen '%s' is not "
					"ADDR:PORT\n",
					v);
				return 2;
			}
			listen_spec = v;
		} else if (!strcmp(argv[i], "--route")) {
			const char *eq = strchr(v, '=');
			struct route *r = &routes[n_routes];

			if (!eq || eq == v || n_routes == MAX_ROUTES ||
			    (size_t)(eq - v) >= sizeof(r->host) ||
			    parse_addr(eq + 1, &r->ss, &r->len)) {
				fprintf(stderr,
					"sluice-l7proxy: --route '%s' is not "
					"HOST=ADDR:PORT\n",
					v);
				return 2;
			}
			memcpy(r->host, v, (size_t)(eq - v));
			n_routes++;
		} else if (!strcmp(argv[i], "--default")) {
			if (parse_addr(v, &dflt.ss, &dflt.len)) {
				fprintf(stderr,
					"sluice-l7proxy: --default '%s' is "
					"not ADDR:PORT\n",
					v);
				return 2;
			}
			have_dflt = true;
		}
	}
	if (!listen_spec || (!n_routes && !have_dflt)) {
		fprintf(stderr, "sluice-l7proxy: needs --listen and a --route "
				"or --default\n");
		return usage();
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	lsn.fd = listen_on(listen_spec);
	if (lsn.fd < 0) {
		fprintf(stderr, "sluice-l7proxy: listen %s: %s\n", listen_spec,
			strerror(-lsn.fd));
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return 1;
	watch(&lsn, EPOLLIN, EPOLL_CTL_ADD);
	printf("listening %s, %d routes%s\n", listen_spec, n_routes,
	       have_dflt ? " and a default" : "");
	for (;;) {
		int n = epoll_wait(ep, evs, MAX_EVENTS, -1);

		for (int i = 0; i < n; i++) {
			struct end *e = evs[i].data.ptr;
			struct conn *c;
			int fd;

			if (e == &lsn) {
				fd = accept4(lsn.fd, NULL, NULL,
					     SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (fd < 0)
					continue;
				c = calloc(1, sizeof(*c));
				if (!c) {
					close(fd);
					continue;
				}
				c->client = (struct end){ .c = c, .fd = fd };
				c->app = (struct end){ .c = c, .fd = -1 };
				watch(&c->client, EPOLLIN, EPOLL_CTL_ADD);
				continue;
			}
			c = e->c;
			if (c->over)
				continue;
			if (e == &c->client)
				on_client(c);
			else
				relay(c);
		}
		while (n_dead)
			free(dead[--n_dead]);
	}
}
