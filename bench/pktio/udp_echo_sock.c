// SPDX-License-Identifier: BSD-2-Clause
/*
 * The baseline of sluice-echo in bench/pktio.sh: a plain UDP socket echo
 * server, as fast as the socket API goes (recvmmsg/sendmmsg in batches of
 * 64, one dual-stack socket, busy on one thread).  Prints a JSON line with
 * what it echoed when it stops (SIGTERM/SIGINT or --duration).
 *
 *   udp-echo-sock --port N [--duration S]
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MSG_MAX 2048

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static char bufs[BATCH][MSG_MAX];
	struct sockaddr_in6 addrs[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sigaction sa = { .sa_handler = on_signal };
	struct sockaddr_in6 me = { .sin6_family = AF_INET6 };
	struct timeval tmo = { .tv_usec = 100000 };
	unsigned long long echoed = 0;
	long port = 0, duration = 0;
	time_t start = time(NULL);
	int fd, off = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port"))
			port = strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--duration"))
			duration = strtol(argv[i + 1], NULL, 10);
	}
	if (port < 1 || port > 65535) {
		fprintf(stderr,
			"usage: udp-echo-sock --port N [--duration S]\n");
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo))) {
		perror("udp-echo-sock: socket");
		return 1;
	}
	me.sin6_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me))) {
		perror("udp-echo-sock: bind");
		return 1;
	}
	while (!stop && (!duration || time(NULL) - start < duration)) {
		int n;

		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], MSG_MAX };
			msgs[i].msg_hdr = (struct msghdr){
				.msg_name = &addrs[i],
				.msg_namelen = sizeof(addrs[i]),
				.msg_iov = &iov[i],
				.msg_iovlen = 1,
			};
		}
		n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		for (int i = 0; i < n; i++)
			iov[i].iov_len = msgs[i].msg_len;
		n = sendmmsg(fd, msgs, (unsigned int)n, 0);
		if (n > 0)
			echoed += (unsigned long long)n;
	}
	printf("{\"echoed\": %llu}\n", echoed);
	close(fd);
	return 0;
}
