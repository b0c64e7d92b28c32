// SPDX-License-Identifier: BSD-2-Clause
/*
 * The af_xdp driver's test tool (tests/netns/t_pktio_af_xdp.sh).
 *
 *   pktio_af_xdp_check echo IF SECS [--foreign] [--stall] [--queues N]
 *                      [OPTION...]
 *     opens IF (one queue), prints the queue's mode, then echoes UDP
 *     datagrams (MACs, IPs and ports swapped) for SECS seconds or until
 *     SIGTERM; drops everything else.  --foreign sends each reply from a
 *     buffer of a second pool (the driver must copy it and count it).
 *     --stall sleeps 5 ms after each burst (a slow reader: the kernel
 *     drops, and the port must count it).  --queues N opens N queues
 *     and polls them all from this thread.
 *     Ends printing the port and pool counters; exit 0 only if every
 *     buffer is back in its pool after close.
 *   pktio_af_xdp_check l2fwd IF1 IF2 SECS [OPTION...]
 *     opens IF1 and IF2 (one queue each) on ONE pool, so one UMEM, and
 *     forwards every frame of each to the other, untouched, for SECS
 *     seconds or until SIGTERM.  Ends printing both ports' counters and
 *     the pool's; exit 0 only if every buffer is back after close.
 *   pktio_af_xdp_check openfail IF N [OPTION...]
 *     opens IF N times expecting a failure each time; exit 0 only if
 *     every open failed and left no fd or buffer behind and the
 *     interface's XDP program as it was.
 */
#include <errno.h>
#include <dirent.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <sluice/pktio/pktio.h>

static volatile sig_atomic_t stop;
static uint16_t nqueues = 1; /* --queues N */

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_log(enum pktio_log_level lvl, const char *msg, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "pktio[%d]: %s\n", lvl, msg);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void swap(uint8_t *a, uint8_t *b, size_t n)
{
	uint8_t t[16];

	memcpy(t, a, n);
	memcpy(a, b, n);
	memcpy(b, t, n);
}

/* Turns a UDP datagram into its reply in place: 0, or -1 if not UDP. */
static int udp_reply(uint8_t *p, uint32_t len)
{
	uint16_t type;
	uint8_t *l4;

	if (len < 14)
		return -1;
	type = (uint16_t)(p[12] << 8 | p[13]);
	if (type == 0x0800) {
		uint32_t ihl;

		if (len < 14 + 20 + 8 || p[14 + 9] != 17)
			return -1;
		ihl = (uint32_t)(p[14] & 15) * 4;
		if (ihl < 20 || len < 14 + ihl + 8)
			return -1;
		swap(p + 14 + 12, p + 14 + 16, 4);
		l4 = p + 14 + ihl;
	} else if (type == 0x86dd) {
		if (len < 14 + 40 + 8 || p[14 + 6] != 17)
			return -1;
		swap(p + 14 + 8, p + 14 + 24, 16);
		l4 = p + 14 + 40;
	} else {
		return -1;
	}
	/* the checksums stay right: the sums are over the same words */
	swap(p, p + 6, 6);
	swap(l4, l4 + 2, 2);
	return 0;
}

static int make_pool(const char *name, uint32_t count, struct pktio_pool **p)
{
	struct pktio_pool_cfg cfg;

	pktio_pool_cfg_init(&cfg, count);
	cfg.name = name;
	return pktio_pool_create(&cfg, p);
}

static int open_port(const char *dev, struct pktio_pool *pool, char **opts,
		     int nopts, struct pktio_port **port)
{
	struct pktio_port_cfg cfg = {
		.driver = "af_xdp",
		.dev = dev,
		.nqueues = nqueues,
		.pool = pool,
		.options = (const char *const *)opts,
		.n_options = (unsigned int)nopts,
	};

	return pktio_port_open(&cfg, port);
}

static int echo(const char *dev, double secs, bool foreign, bool stall,
		char **opts, int nopts)
{
	struct pktio_pool *pool = NULL, *other = NULL;
	struct pktio_port *port = NULL;
	struct pktio_queue_info qi;
	struct pktio_port_stats st;
	struct pktio_pool_stats ps, os = { 0 };
	struct pktio_buf *bufs[64];
	uint64_t echoed = 0, dropped = 0;
	double end;
	int err, bad = 0;

	if (make_pool("echo", 4096, &pool) ||
	    (foreign && make_pool("other", 256, &other)))
		return 2;
	err = open_port(dev, pool, opts, nopts, &port);
	if (err) {
		fprintf(stderr, "open: %s\n", pktio_last_error());
		goto out_pools;
	}
	pktio_queue_info(port, 0, &qi);
	printf("mode: %s\n", qi.mode);
	for (uint16_t q = 1; q < nqueues; q++) {
		pktio_queue_info(port, q, &qi);
		printf("queue %u mode: %s\n", q, qi.mode);
	}
	printf("ready\n");
	fflush(stdout);
	end = now() + secs;
	for (uint16_t q = 0; !stop && now() < end; q = (q + 1) % nqueues) {
		uint16_t n = pktio_rx_burst(port, q, bufs, 64), k = 0, sent;

		for (uint16_t i = 0; i < n; i++) {
			struct pktio_buf *b = bufs[i];

			if (udp_reply(pktio_buf_data(b), pktio_buf_len(b))) {
				pktio_buf_free(b);
				dropped++;
				continue;
			}
			if (foreign) {
				/* the reply in a buffer of another pool, by
				 * hand: only the driver's copy is counted */
				struct pktio_buf *c = pktio_buf_alloc(other);
				void *d;

				if (!c) {
					pktio_buf_free(b);
					dropped++;
					continue;
				}
				d = pktio_buf_append(c, pktio_buf_len(b));
				memcpy(d, pktio_buf_data(b), pktio_buf_len(b));
				pktio_buf_free(b);
				b = c;
			}
			bufs[k++] = b;
		}
		sent = k ? pktio_tx_burst(port, q, bufs, k) : 0;
		echoed += sent;
		pktio_buf_free_bulk(bufs + sent, (unsigned int)(k - sent));
		dropped += (uint64_t)(k - sent);
		if (!n || stall) {
			struct timespec ts = { 0, stall ? 5000000 : 50000 };

			nanosleep(&ts, NULL);
		}
	}
	for (uint16_t q = 1; q < nqueues; q++) {
		pktio_port_stats(port, q, &st);
		printf("queue %u received %llu\n", q,
		       (unsigned long long)st.rx_packets);
	}
	pktio_port_stats_total(port, &st);
	pktio_port_close(port);
	pktio_pool_stats(pool, &ps);
	if (other)
		pktio_pool_stats(other, &os);
	printf("echoed %llu dropped %llu rx_packets %llu rx_drops %llu "
	       "tx_packets %llu wakeups %llu fill_empty %llu rx_errors %llu "
	       "tx_errors %llu copies %llu\n",
	       (unsigned long long)echoed, (unsigned long long)dropped,
	       (unsigned long long)st.rx_packets,
	       (unsigned long long)st.rx_drops,
	       (unsigned long long)st.tx_packets,
	       (unsigned long long)st.wakeups,
	       (unsigned long long)st.fill_empty,
	       (unsigned long long)st.rx_errors,
	       (unsigned long long)st.tx_errors, (unsigned long long)st.copies);
	printf("pool copies %llu avail %llu total %llu\n",
	       (unsigned long long)ps.copies, (unsigned long long)ps.avail,
	       (unsigned long long)ps.total);
	if (other)
		printf("other avail %llu total %llu\n",
		       (unsigned long long)os.avail,
		       (unsigned long long)os.total);
	bad = ps.avail != ps.total || (other && os.avail != os.total);
out_pools:
	if (pktio_pool_destroy(pool) || (other && pktio_pool_destroy(other)))
		bad = 1;
	return err ? 1 : bad;
}

static void print_stats(const char *what, struct pktio_port *port)
{
	struct pktio_port_stats st;

	pktio_port_stats(port, 0, &st);
	printf("%s rx_packets %llu tx_packets %llu tx_drops %llu "
	       "wakeups %llu fill_empty %llu rx_errors %llu tx_errors %llu "
	       "copies %llu\n",
	       what, (unsigned long long)st.rx_packets,
	       (unsigned long long)st.tx_packets,
	       (unsigned long long)st.tx_drops, (unsigned long long)st.wakeups,
	       (unsigned long long)st.fill_empty,
	       (unsigned long long)st.rx_errors,
	       (unsigned long long)st.tx_errors, (unsigned long long)st.copies);
}

/* Moves one burst from port a to port b: the number forwarded. */
static uint64_t fwd_burst(struct pktio_port *a, struct pktio_port *b,
			  uint64_t *dropped)
{
	struct pktio_buf *bufs[64];
	uint16_t n = pktio_rx_burst(a, 0, bufs, 64), sent;

	if (!n)
		return 0;
	sent = pktio_tx_burst(b, 0, bufs, n);
	pktio_buf_free_bulk(bufs + sent, (unsigned int)(n - sent));
	*dropped += (uint64_t)(n - sent);
	return sent;
}

static int l2fwd(const char *dev1, const char *dev2, double secs, char **opts,
		 int nopts)
{
	struct pktio_pool *pool = NULL;
	struct pktio_port *p1 = NULL, *p2 = NULL;
	struct pktio_queue_info q1, q2;
	struct pktio_pool_stats ps;
	uint64_t fwd = 0, dropped = 0;
	double end;
	int err, bad = 0;

	if (make_pool("l2fwd", 8192, &pool))
		return 2;
	err = open_port(dev1, pool, opts, nopts, &p1);
	if (!err)
		err = open_port(dev2, pool, opts, nopts, &p2);
	if (err) {
		fprintf(stderr, "open: %s\n", pktio_last_error());
		goto out;
	}
	pktio_queue_info(p1, 0, &q1);
	pktio_queue_info(p2, 0, &q2);
	printf("mode1: %s\nmode2: %s\nready\n", q1.mode, q2.mode);
	fflush(stdout);
	end = now() + secs;
	while (!stop && now() < end) {
		uint64_t n = fwd_burst(p1, p2, &dropped);

		n += fwd_burst(p2, p1, &dropped);
		fwd += n;
		if (!n) {
			struct timespec ts = { 0, 50000 };

			nanosleep(&ts, NULL);
		}
	}
	print_stats("port1", p1);
	print_stats("port2", p2);
out:
	pktio_port_close(p2);
	pktio_port_close(p1);
	pktio_pool_stats(pool, &ps);
	printf("forwarded %llu dropped %llu\n", (unsigned long long)fwd,
	       (unsigned long long)dropped);
	printf("pool copies %llu avail %llu total %llu\n",
	       (unsigned long long)ps.copies, (unsigned long long)ps.avail,
	       (unsigned long long)ps.total);
	bad = ps.avail != ps.total;
	if (pktio_pool_destroy(pool))
		bad = 1;
	return err ? 1 : bad;
}

static int openfail(const char *dev, int n, char **opts, int nopts)
{
	struct pktio_pool *pool;
	struct pktio_port *port;
	int fds0, fds1, opened = 0, ifindex = (int)if_nametoindex(dev);
	uint32_t prog0 = 0, prog1 = 0;
	int err = 0;

	if (make_pool("openfail", 1024, &pool))
		return 2;
	/* a first failure may load what libbpf/libxdp keep for good */
	if (!open_port(dev, pool, opts, nopts, &port)) {
		pktio_port_close(port);
		opened++;
	}
	fds0 = count_fds();
	if (ifindex)
		bpf_xdp_query_id(ifindex, 0, &prog0);
	for (int i = 0; i < n; i++) {
		err = open_port(dev, pool, opts, nopts, &port);
		if (!err) {
			pktio_port_close(port);
			opened++;
		}
	}
	fds1 = count_fds();
	printf("error: %s (%s)\n", pktio_last_error(), strerror(-err));
	if (ifindex)
		bpf_xdp_query_id(ifindex, 0, &prog1);
	printf("opened %d fds %d -> %d avail %u total %u xdp_prog %u -> %u\n",
	       opened, fds0, fds1, pktio_pool_avail(pool),
	       pktio_pool_count(pool), prog0, prog1);
	/* the failed opens left the interface's XDP program as it was */
	err = opened || fds0 != fds1 ||
	      pktio_pool_avail(pool) != pktio_pool_count(pool) ||
	      prog0 != prog1;
	if (pktio_pool_destroy(pool))
		err = 1;
	return err;
}

int main(int argc, char **argv)
{
	bool foreign = false, stall = false;
	int first = 4;

	pktio_set_log(on_log, NULL);
	pktio_set_log_level(PKTIO_LOG_INFO);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (argc >= 4 && !strcmp(argv[1], "echo")) {
		for (; first < argc && !strncmp(argv[first], "--", 2);
		     first++) {
			if (!strcmp(argv[first], "--foreign"))
				foreign = true;
			else if (!strcmp(argv[first], "--stall"))
				stall = true;
			else if (!strcmp(argv[first], "--queues") &&
				 first + 1 < argc)
				nqueues = (uint16_t)atoi(argv[++first]);
			else
				break;
		}
		if (!nqueues)
			nqueues = 1;
		return echo(argv[2], atof(argv[3]), foreign, stall,
			    argv + first, argc - first);
	}
	if (argc >= 5 && !strcmp(argv[1], "l2fwd"))
		return l2fwd(argv[2], argv[3], atof(argv[4]), argv + 5,
			     argc - 5);
	if (argc >= 4 && !strcmp(argv[1], "openfail"))
		return openfail(argv[2], atoi(argv[3]), argv + 4, argc - 4);
	fprintf(stderr,
		"usage: %s echo IF SECS [--foreign] [--stall] [--queues N] [OPT...] | l2fwd IF1 IF2 SECS [OPT...] | openfail IF N [OPT...]\n",
		argv[0]);
	return 2;
}
