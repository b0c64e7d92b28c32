// SPDX-License-Identifier: BSD-2-Clause
/*
 * l7bench: the proxy -> application hop for bench/l7.sh (docs/l7.md):
 * throughput and request latency of one TCP connection on this host,
 * run once on a port the L7 local hop redirects and once on plain
 * loopback TCP, in the same run.
 *
 *   l7bench server PORT
 *       per connection, by its first byte: 'T' reads to the end and
 *       answers the byte count (8 bytes); 'P' answers every SIZE-byte
 *       message with SIZE bytes (SIZE in the 4 bytes after 'P')
 *   l7bench client ADDR PORT --mode tput|lat --size N --seconds S
 *       [--server-pid PID]
 *       one JSON line: tput: bytes, seconds, gbit_s, cpu_s (this process
 *       and PID's user+system time, /proc) and cpu_s_per_gb; lat: the
 *       requests, p50_us, p99_us
 * A throughput figure counts only what the server says it read.
 */
#include <errno.h>
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
#include <sys/resource.h>
#include <sys/socket.h>

#define MAX_MSG (1u << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int io_all(int fd, void *buf, size_t n, bool rd)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t r = rd ? read(fd, p, n) : write(fd, p, n);

		/* a blocking read in a sockhash may return EAGAIN with
		 * nothing read (docs/l7.md): retried */
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	uint8_t *buf = malloc(MAX_MSG);
	uint64_t total = 0;
	uint32_t size;
	char mode;

	if (!buf || io_all(fd, &mode, 1, true))
		goto out;
	if (mode == 'T') {
		for (;;) {
			ssize_t r = read(fd, buf, MAX_MSG);

			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0)
				break;
			total += (uint64_t)r;
		}
		io_all(fd, &total, sizeof(total), false);
	} else if (mode == 'P' && !io_all(fd, &size, 4, true) &&
		   size <= MAX_MSG) {
		while (!io_all(fd, buf, size, true) &&
		       !io_all(fd, buf, size, false))
			;
	}
out:
	free(buf);
	close(fd);
	return NULL;
}

static int server(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0);

	if (ls < 0) {
		perror("l7bench: socket");
		return 1;
	}
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 64)) {
		perror("l7bench: bind");
		close(ls);
		return 1;
	}
	printf("listening %d\n", port);
	fflush(stdout);
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		pthread_t t;

		if (fd < 0)
			continue;
		if (pthread_create(&t, NULL, serve, (void *)(intptr_t)fd))
			close(fd);
		else
			pthread_detach(t);
	}
}

/* User + system seconds of @pid (0: this process). */
static double cpu_of(int pid)
{
	unsigned long ut, st;
	char path[64], buf[1024], *p;
	FILE *f;

	if (!pid) {
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* after "comm)": state and 11 fields, then utime stime */
	if (!p || sscanf(p + 2,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%lu %lu",
			 &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int client(const char *addr, int port, bool tput, uint32_t size,
		  double secs, int spid)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	uint8_t *buf = calloc(1, size ? size : 1);
	double t0, t1, c0, c1, *rtt = NULL;
	size_t n = 0, cap = 1 << 16;
	uint64_t sent = 0, got = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), rc = 1;
	char mode = tput ? 'T' : 'P';

	if (!buf || fd < 0 || inet_pton(AF_INET, addr, &a.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    io_all(fd, &mode, 1, false) ||
	    (!tput && io_all(fd, &size, 4, false)))
		goto out;
	memset(buf, 0x5a, size);
	c0 = cpu_of(0) + cpu_of(spid);
	t0 = now_s();
	if (tput) {
		do {
			if (io_all(fd, buf, size, false))
				goto out;
			sent += size;
		} while (now_s() - t0 < secs);
		shutdown(fd, SHUT_WR);
		if (io_all(fd, &got, sizeof(got), true))
			goto out;
		t1 = now_s();
		c1 = cpu_of(0) + cpu_of(spid);
		if (got != sent) {
			printf("{\"error\": \"the server read %llu of %llu "
			       "bytes\"}\n",
			       (unsigned long long)got,
			       (unsigned long long)sent);
			goto out;
		}
		printf("{\"bytes\": %llu, \"seconds\": %.3f, \"gbit_s\": %.3f, "
		       "\"cpu_s\": %.3f, \"cpu_s_per_gb\": %.3f}\n",
		       (unsigned long long)got, t1 - t0,
		       (double)got * 8 / (t1 - t0) / 1e9, c1 - c0,
		       (c1 - c0) / ((double)got / 1e9));
		rc = 0;
		goto out;
	}
	rtt = malloc(cap * sizeof(*rtt));
	if (!rtt)
		goto out;
	do {
		double s = now_s();

		if (io_all(fd, buf, size, false) || io_all(fd, buf, size, true))
			goto out;
		if (n < cap)
			rtt[n++] = (now_s() - s) * 1e6;
	} while (now_s() - t0 < secs);
	qsort(rtt, n, sizeof(*rtt), cmp_dbl);
	printf("{\"requests\": %zu, \"p50_us\": %.2f, \"p99_us\": %.2f}\n", n,
	       rtt[n / 2], rtt[(size_t)((double)n * 0.99)]);
	rc = 0;
out:
	free(rtt);
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	double secs = 2;
	uint32_t size = 4096;
	bool tput = true;
	int spid = 0;

	if (argc >= 3 && !strcmp(argv[1], "server"))
		return server(atoi(argv[2]));
	if (argc < 4 || strcmp(argv[1], "client"))
		goto usage;
	for (int i = 4; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--mode"))
			tput = !strcmp(argv[i + 1], "tput");
		else if (!strcmp(argv[i], "--size"))
			size = (uint32_t)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds"))
			secs = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--server-pid"))
			spid = atoi(argv[i + 1]);
		else
			goto usage;
	}
	if (!size || size > MAX_MSG)
		goto usage;
	return client(argv[2], atoi(argv[3]), tput, size, secs, spid);
usage:
	fprintf(stderr, "usage: l7bench server PORT | client ADDR PORT "
			"[--mode tput|lat] [--size N] [--seconds S] "
			"[--server-pid PID]\n");
	return 2;
}
