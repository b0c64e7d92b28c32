// SPDX-License-Identifier: BSD-2-Clause
/*
 * l7_ctl: the L7 local hop driven through lib/dp (dp_l7.h) for
 * tests/netns/t_l7.sh, the calls sluiced makes, in a process a test
 * controls with signals:
 *
 *   l7_ctl CGROUP PORT [PORT...]   load, attach to CGROUP, select PORTs
 *                                  (all under selector 1), print "ready"
 *   SIGUSR1   print one line of selector 1's counters and the sockets
 *             in the sockhash
 *   SIGUSR2   detach (the sockhash and its sockets stay, as in sluiced)
 *   SIGTERM   print the counters, detach, exit
 *
 * Nothing is pinned: the maps live as long as this process (a test that
 * ends it with connections open loses what was redirected and not yet
 * read, which is why sluiced pins them).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dp.h"
#include "dp_l7.h"

static volatile sig_atomic_t want_print, want_detach, want_stop;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_print = 1;
	else if (sig == SIGUSR2)
		want_detach = 1;
	else
		want_stop = 1;
}

static void print_counters(struct dp_l7 *l)
{
	struct sluice_l7_counter c;

	if (dp_l7_counters(l, 1, &c)) {
		printf("counters: error\n");
		return;
	}
	printf("socks=%llu redirect_msgs=%llu redirect_bytes=%llu",
	       (unsigned long long)c.socks, (unsigned long long)c.redirect_msgs,
	       (unsigned long long)c.redirect_bytes);
	for (__u32 r = 0; r < SLUICE_L7_FB_COUNT; r++)
		printf(" %s=%llu", dp_l7_fallback_name(r),
		       (unsigned long long)c.fb_msgs[r]);
	printf(" in_map=%d attached=%d\n", dp_l7_socks_count(l),
	       dp_l7_attached(l));
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct dp_l7 *l;
	int err;

	if (argc < 3) {
		fprintf(stderr, "usage: l7_ctl CGROUP PORT [PORT...]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	dp_log_route_libbpf();
	err = dp_l7_open(&l, NULL);
	if (!err)
		err = dp_l7_attach(l, argv[1]);
	for (int i = 2; !err && i < argc; i++)
		err = dp_l7_port_set(l, (__u16)atoi(argv[i]), 1);
	if (err) {
		fprintf(stderr, "l7_ctl: %s\n", strerror(-err));
		return 1;
	}
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ready\n");
	/* a poll, not pause(): a signal just before pause() would wait
	 * for the next one */
	while (!want_stop) {
		usleep(20000);
		if (want_print) {
			want_print = 0;
			print_counters(l);
		}
		if (want_detach) {
			want_detach = 0;
			printf("detach %s\n",
			       dp_l7_detach(l) ? "failed" : "done");
		}
	}
	print_counters(l);
	if (dp_l7_attached(l))
		dp_l7_detach(l);
	dp_l7_close(l);
	return 0;
}
