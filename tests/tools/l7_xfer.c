// SPDX-License-Identifier: BSD-2-Clause
/*
 * l7_xfer: real sockets for the L7 local hop's tests (tests/netns/t_l7.sh,
 * docs/l7.md).  A server echoes every connection back and checks what it
 * reads against the stream the client announced; a client opens
 * connections, sends a seekable pseudo-random stream (read back and
 * checked byte by byte, non-blocking, under poll), half-closes when it
 * has sent everything, and waits for the echo's end.
 *
 *   l7_xfer server PORT [--v6] [--splice]
 *       one line a connection: "done ok BYTES of LEN eagain=N", "done
 *       short BYTES of LEN ERR eagain=N" (a clean prefix, then an error
 *       or an early end) or "done bad OFF"; N counts blocking reads that
 *       returned EAGAIN (docs/l7.md)
 *   l7_xfer client ADDR PORT [--conns N] [--bytes N] [--chunk N]
 *       [--sendfile] [--rst-after N] [--timeout S] [--seed N]
 *       [--delay-us N] (a pause after each send)
 *       "ok conns=N bytes=N" and exit 0, else the reason and exit 1;
 *       with --rst-after, each connection sends that many bytes and is
 *       closed with a reset (SO_LINGER 0): exit 0 when every one was.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#define MAGIC 0x4c375846u /* "L7XF" */
#define BUF (256 * 1024)

/* What a connection starts with: the stream to expect. */
struct hdr {
	uint32_t magic;
	uint32_t pad;
	uint64_t seed;
	uint64_t len;
};

/* Byte @off of stream @seed: seekable, so either end checks any part. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void stream_fill(uint64_t seed, uint64_t off, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t o = off + i;

		buf[i] = (uint8_t)(mix(seed ^ (o >> 3)) >> ((o & 7) * 8));
	}
}

/* The first offset in @buf that differs from the stream, or -1. */
static int64_t stream_check(uint64_t seed, uint64_t off, const uint8_t *buf,
			    size_t n)
{
	uint8_t exp[4096];

	for (size_t i = 0; i < n; i += sizeof(exp)) {
		size_t k = n - i < sizeof(exp) ? n - i : sizeof(exp);

		stream_fill(seed, off + i, exp, k);
		for (size_t j = 0; j < k; j++)
			if (exp[j] != buf[i + j])
				return (int64_t)(off + i + j);
	}
	return -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- server ------------------------------------------------------------- */

static bool use_splice;

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg, p[2] = { -1, -1 };
	uint8_t *buf = malloc(BUF);
	uint64_t got = 0;
	struct hdr h;
	size_t hgot = 0;
	const char *why = "eof";
	unsigned long eagain = 0;

	if (!buf)
		goto out;
	if (use_splice && pipe(p))
		goto out;
	/* the header is read (and echoed) as data too */
	while (hgot < sizeof(h)) {
		ssize_t r = read(fd, (uint8_t *)&h + hgot, sizeof(h) - hgot);

		if (r <= 0) {
			printf("done short 0 header\n");
			goto out;
		}
		hgot += (size_t)r;
	}
	if (h.magic != MAGIC) {
		printf("done bad 0\n");
		goto out;
	}
	if (write_all(fd, (uint8_t *)&h, sizeof(h))) {
		printf("done short 0 of %llu %s eagain=0\n",
		       (unsigned long long)h.len, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (use_splice) {
			/* socket -> pipe -> socket: the bytes never reach
			 * user space (the client checks them) */
			r = splice(fd, NULL, p[1], NULL, BUF, SPLICE_F_MOVE);
			if (r > 0) {
				ssize_t left = r;

				while (left > 0) {
					ssize_t w = splice(p[0], NULL, fd, NULL,
							   (size_t)left,
							   SPLICE_F_MOVE);
					if (w <= 0) {
						r = -1;
						break;
					}
					left -= w;
				}
			}
		} else {
			r = read(fd, buf, BUF);
			if (r > 0) {
				int64_t bad = stream_check(h.seed, got, buf,
							   (size_t)r);
				if (bad >= 0) {
					printf("done bad %lld\n",
					       (long long)bad);
					goto out;
				}
				if (write_all(fd, buf, (size_t)r))
					r = -1;
			}
		}
		if (r == 0)
			break;
		if (r < 0) {
			/* a blocking read of a socket in a sockhash can
			 * return EAGAIN without data (docs/l7.md): an
			 * application retries, so does this one */
			if (errno == EINTR || errno == EAGAIN) {
				eagain += errno == EAGAIN;
				continue;
			}
			why = strerror(errno);
			printf("done short %llu of %llu %s eagain=%lu\n",
			       (unsigned long long)got,
			       (unsigned long long)h.len, why, eagain);
			goto out;
		}
		got += (uint64_t)r;
	}
	if (got == h.len)
		printf("done ok %llu of %llu eagain=%lu\n",
		       (unsigned long long)got, (unsigned long long)h.len,
		       eagain);
	else
		printf("done short %llu of %llu %s eagain=%lu\n",
		       (unsigned long long)got, (unsigned long long)h.len, why,
		       eagain);
out:
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	close(fd);
	free(buf);
	return NULL;
}

static int server(int port, bool v6)
{
	int one = 1, ls;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons((uint16_t)port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };

	/* --v6: one dual-stack socket (IPv4 clients arrive v4-mapped) */
	ls = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	if (ls < 0)
		return 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6) {
		int zero = 0;

		setsockopt(ls, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	}
	if ((v6 ? bind(ls, (struct sockaddr *)&a6, sizeof(a6)) :
		  bind(ls, (struct sockaddr *)&a4, sizeof(a4))) ||
	    listen(ls, 1024)) {
		perror("l7_xfer: bind/listen");
		close(ls);
		return 1;
	}
	printf("listening %d\n", port);
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		pthread_t t;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("l7_xfer: accept");
			return 1;
		}
		if (pthread_create(&t, NULL, serve, (void *)(intptr_t)fd)) {
			close(fd);
			continue;
		}
		pthread_detach(t);
	}
}

/* ---- client ------------------------------------------------------------- */

struct conn {
	int fd;
	struct hdr h;
	uint64_t sent, rcvd; /* counting the header */
	bool shut, done;
};

struct opts {
	int conns;
	uint64_t bytes, chunk, rst_after, seed, delay_us;
	bool use_sendfile;
	double timeout;
};

static int dial(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int fd, rc = getaddrinfo(host, port, &hints, &ai);

	if (rc) {
		fprintf(stderr, "l7_xfer: %s: %s\n", host, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* The stream file sendfile() reads from (a memfd of @o->bytes). */
static int stream_file(const struct opts *o, uint64_t seed)
{
	uint8_t *buf = malloc(BUF);
	int fd = memfd_create("l7_xfer", 0);

	if (fd < 0 || !buf)
		goto err;
	for (uint64_t off = 0; off < o->bytes; off += BUF) {
		size_t n = o->bytes - off < BUF ? o->bytes - off : BUF;

		stream_fill(seed, off, buf, n);
		if (write_all(fd, buf, n))
			goto err;
	}
	free(buf);
	return fd;
err:
	free(buf);
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Sends what @c may send now: the header, then the stream. */
static int conn_send(struct conn *c, const struct opts *o, uint8_t *buf, int sf)
{
	uint64_t total = sizeof(c->h) + o->bytes;
	ssize_t w;

	if (c->sent < sizeof(c->h)) {
		w = send(c->fd, (uint8_t *)&c->h + c->sent,
			 sizeof(c->h) - c->sent, MSG_NOSIGNAL);
	} else if (sf >= 0) {
		off_t off = (off_t)(c->sent - sizeof(c->h));
		uint64_t n = total - c->sent;

		w = sendfile(c->fd, sf, &off, n < o->chunk ? n : o->chunk);
	} else {
		uint64_t off = c->sent - sizeof(c->h), n = total - c->sent;

		if (n > o->chunk)
			n = o->chunk;
		stream_fill(c->h.seed, off, buf, n);
		w = send(c->fd, buf, n, MSG_NOSIGNAL);
	}
	if (w < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	c->sent += (uint64_t)w;
	if (c->sent == total && !c->shut) {
		shutdown(c->fd, SHUT_WR); /* half-close: the echo goes on */
		c->shut = true;
	}
	return 0;
}

/* Reads and checks the echo; 1 at its end. */
static int conn_recv(struct conn *c, const struct opts *o, uint8_t *buf)
{
	ssize_t r = recv(c->fd, buf, BUF, 0);
	uint64_t total = sizeof(c->h) + o->bytes;
	size_t skip = 0;

	if (r < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (r == 0)
		return c->rcvd == total ? 1 : -EPIPE;
	if (c->rcvd < sizeof(c->h)) {
		skip = sizeof(c->h) - c->rcvd < (size_t)r ?
			       sizeof(c->h) - c->rcvd :
			       (size_t)r;
		if (memcmp(buf, (uint8_t *)&c->h + c->rcvd, skip))
			return -EBADMSG;
	}
	if ((size_t)r > skip) {
		uint64_t off = c->rcvd + skip - sizeof(c->h);

		if (stream_check(c->h.seed, off, buf + skip,
				 (size_t)r - skip) >= 0)
			return -EBADMSG;
	}
	c->rcvd += (uint64_t)r;
	return c->rcvd > total ? -EBADMSG : 0;
}

/* Each connection sends @o->rst_after bytes and resets. */
static int client_rst(const char *host, const char *port, const struct opts *o)
{
	uint8_t *buf = malloc(o->rst_after ? o->rst_after : 1);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int bad = 0;

	if (!buf)
		return 1;
	for (int i = 0; i < o->conns; i++) {
		struct hdr h = { .magic = MAGIC,
				 .seed = o->seed + (uint64_t)i,
				 .len = o->bytes };
		int fd = dial(host, port);

		if (fd < 0 || write_all(fd, (uint8_t *)&h, sizeof(h))) {
			bad++;
			if (fd >= 0)
				close(fd);
			continue;
		}
		stream_fill(h.seed, 0, buf, o->rst_after);
		if (write_all(fd, buf, o->rst_after))
			bad++;
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
	}
	free(buf);
	if (bad) {
		printf("fail rst: %d of %d connections\n", bad, o->conns);
		return 1;
	}
	printf("ok rst conns=%d after=%llu\n", o->conns,
	       (unsigned long long)o->rst_after);
	return 0;
}

static int client(const char *host, const char *port, const struct opts *o)
{
	struct conn *cs = calloc((size_t)o->conns, sizeof(*cs));
	struct pollfd *pf = calloc((size_t)o->conns, sizeof(*pf));
	uint8_t *buf = malloc(BUF);
	int left = o->conns, rc = 1, sf = -1;
	double deadline = now_s() + o->timeout;

	if (!cs || !pf || !buf)
		goto out;
	if (o->use_sendfile) {
		sf = stream_file(o, o->seed);
		if (sf < 0)
			goto out;
	}
	for (int i = 0; i < o->conns; i++) {
		cs[i].fd = dial(host, port);
		if (cs[i].fd < 0) {
			printf("fail connect %d: %s\n", i, strerror(errno));
			goto out;
		}
		fcntl(cs[i].fd, F_SETFL, O_NONBLOCK);
		/* sendfile reads one file: every connection the same seed */
		cs[i].h = (struct hdr){ .magic = MAGIC,
					.seed = sf >= 0 ? o->seed :
							  o->seed + (uint64_t)i,
					.len = o->bytes };
	}
	while (left) {
		int n;

		for (int i = 0; i < o->conns; i++) {
			pf[i].fd = cs[i].done ? -1 : cs[i].fd;
			pf[i].events = POLLIN | (cs[i].shut ? 0 : POLLOUT);
		}
		n = poll(pf, (nfds_t)o->conns, 1000);
		if (now_s() > deadline) {
			printf("fail timeout: %d of %d connections open\n",
			       left, o->conns);
			goto out;
		}
		if (n <= 0)
			continue;
		for (int i = 0; i < o->conns; i++) {
			struct conn *c = &cs[i];
			int r = 0;

			if (c->done || !pf[i].revents)
				continue;
			if (pf[i].revents & POLLOUT) {
				r = conn_send(c, o, buf, sf);
				/* --delay-us: a transfer that lasts, for a
				 * change made while it runs */
				if (o->delay_us)
					usleep((useconds_t)o->delay_us);
			}
			if (!r && pf[i].revents & (POLLIN | POLLHUP | POLLERR))
				r = conn_recv(c, o, buf);
			if (r < 0) {
				printf("fail conn %d: %s (sent %llu, echoed "
				       "%llu)\n",
				       i, strerror(-r),
				       (unsigned long long)c->sent,
				       (unsigned long long)c->rcvd);
				goto out;
			}
			if (r == 1) {
				c->done = true;
				left--;
			}
		}
	}
	printf("ok conns=%d bytes=%llu\n", o->conns,
	       (unsigned long long)o->bytes);
	rc = 0;
out:
	for (int i = 0; cs && i < o->conns; i++)
		if (cs[i].fd > 0)
			close(cs[i].fd);
	if (sf >= 0)
		close(sf);
	free(cs);
	free(pf);
	free(buf);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: l7_xfer server PORT [--v6] [--splice]\n"
			"       l7_xfer client ADDR PORT [--conns N] "
			"[--bytes N] [--chunk N] [--sendfile]\n"
			"               [--rst-after N] [--timeout S] "
			"[--seed N] [--delay-us N]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct opts o = { .conns = 1,
			  .bytes = 1024,
			  .chunk = BUF,
			  .timeout = 60,
			  .seed = 1 };
	bool v6 = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "server")) {
		for (int i = 3; i < argc; i++) {
			if (!strcmp(argv[i], "--v6"))
				v6 = true;
			else if (!strcmp(argv[i], "--splice"))
				use_splice = true;
			else
				return usage();
		}
		return server(atoi(argv[2]), v6);
	}
	if (argc < 4 || strcmp(argv[1], "client"))
		return usage();
	for (int i = 4; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--sendfile")) {
			o.use_sendfile = true;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--conns"))
			o.conns = atoi(v);
		else if (!strcmp(a, "--bytes"))
			o.bytes = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--chunk"))
			o.chunk = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--rst-after"))
			o.rst_after = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--timeout"))
			o.timeout = atof(v);
		else if (!strcmp(a, "--delay-us"))
			o.delay_us = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--seed"))
			o.seed = strtoull(v, NULL, 0);
		else
			return usage();
	}
	if (o.conns < 1 || o.chunk < 1 || o.chunk > BUF)
		return usage();
	if (o.rst_after)
		return client_rst(argv[2], argv[3], &o);
	return client(argv[2], argv[3], &o);
}
