// SPDX-License-Identifier: BSD-2-Clause
/*
 * pktio_echo_check: a minimal UDP echo over libpktio for the netns tier
 * (until the sluice-echo example exists).  Every UDP datagram, IPv4 or
 * IPv6, that comes in on any queue of the port goes back out of the same
 * queue with its Ethernet addresses (none with --l3, for tun), IP
 * addresses and ports swapped: the checksums stay right.
 *
 *   pktio_echo_check --driver D --dev IF [--queues N] [--opt KEY=VALUE]...
 *                    [--l3] [--udp-port N] [--seconds S]
 *   pktio_echo_check --driver D --dev IF --open-fail N [--max-fds M]
 *                    [--queues N] [--opt ...]
 *
 * It prints each queue's mode ("queue Q mode: copy,..."), "maps M" (M:
 * the mappings of sockets in /proc/self/maps, an af_packet ring is one)
 * and "ready" once the port is open, and at
 * SIGTERM/SIGINT (or after
 * S seconds) one line per queue ("queue Q echoed N rx R tx T drops D
 * errors E copies C wakeups W oversize O") and "pool A/T" after the port is closed;
 * it fails when a buffer did not come back.  --open-fail N opens the port
 * N times expecting each open to fail, prints the error and fails when an
 * open succeeded, a file descriptor or a socket mapping leaked or a buffer
 * is missing; --max-fds M lets the process open only M more fds (an open
 * that fails half way, after its first queues are set up).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sluice/pktio/pktio.h>

#define POOL_COUNT 4096u
#define BURST 32
#define MAX_OPTS 16

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
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
	return n - 1; /* the directory's own */
}

/* The highest open fd number, not counting the one this walk opens (it is
 * closed on return: counted, it left one number too many free when the
 * process had only 0-2 open). */
static int max_fd(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = -1, own;

	if (!d)
		return -1;
	own = dirfd(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != own &&
		    atoi(e->d_name) > n)
			n = atoi(e->d_name);
	closedir(d);
	return n;
}

/* Lets the process open only n more fds: fills the holes below the
 * highest open fd (an fd takes the lowest free number, and the limit is on
 * numbers) and sets RLIMIT_NOFILE just above.  The fillers are fds
 * fill[0..*nfill), closed by the caller. */
static int limit_fds(int n, int *fill, int *nfill, int room)
{
	int top = max_fd(), fd;
	struct rlimit rl;

	*nfill = 0;
	while ((fd = dup(0)) >= 0 && fd < top && *nfill < room)
		fill[(*nfill)++] = fd;
	if (fd >= top)
		close(fd);
	rl.rlim_cur = rl.rlim_max = (rlim_t)(top + 1 + n);
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* Mappings of sockets (an AF_PACKET ring): "socket:[inode]" lines. */
static int count_socket_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, " socket:[") != NULL;
	fclose(f);
	return n;
}

static void swap(void *a, void *b, size_t n)
{
	uint8_t t[16];

	memcpy(t, a, n);
	memcpy(a, b, n);
	memcpy(b, t, n);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Turns a UDP datagram (to udp_port, any when 0) into its echo: true, or
 * false for anything else.  Byte offsets, no header structs: the data
 * after a 14-byte Ethernet header is not 4-byte aligned. */
static bool echo_frame(uint8_t *p, uint32_t len, bool l3, unsigned int port)
{
	uint8_t *l3h = p, *uh;
	uint16_t proto;
	uint32_t ihl;

	if (!l3) {
		if (len < ETH_HLEN)
			return false;
		proto = get16(p + 12);
		l3h = p + ETH_HLEN;
		len -= ETH_HLEN;
	} else {
		proto = len && (p[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP;
	}
	if (proto == ETH_P_IP) {
		if (len < 20 || l3h[0] >> 4 != 4 || l3h[9] != IPPROTO_UDP)
			return false;
		ihl = (l3h[0] & 0xfu) * 4;
		if (ihl < 20 || len < ihl + 8)
			return false;
		uh = l3h + ihl;
		if (port && get16(uh + 2) != port)
			return false;
		swap(l3h + 12, l3h + 16, 4);
	} else if (proto == ETH_P_IPV6) {
		if (len < 40 + 8 || l3h[0] >> 4 != 6 || l3h[6] != IPPROTO_UDP)
			return false;
		uh = l3h + 40;
		if (port && get16(uh + 2) != port)
			return false;
		swap(l3h + 8, l3h + 24, 16);
	} else {
		return false;
	}
	swap(uh, uh + 2, 2);
	if (!l3)
		swap(p, p + ETH_ALEN, ETH_ALEN);
	return true;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pktio_echo_check --driver D --dev IF [--queues N] [--opt K=V]...\n"
		"       [--l3] [--udp-port N] [--seconds S] [--open-fail N [--max-fds M]]\n");
}

static int open_fail_loop(struct pktio_port_cfg *cfg, struct pktio_pool *pool,
			  int n, int max_fds)
{
	int before = count_fds(), after, opened = 0, err = 0, maps;
	int fill[256], nfill = 0;
	struct pktio_port *port;

	if (max_fds && limit_fds(max_fds, fill, &nfill, 256)) {
		perror("setrlimit");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		err = pktio_port_open(cfg, &port);
		if (!err) {
			opened++;
			pktio_port_close(port);
		}
	}
	while (nfill)
		close(fill[--nfill]);
	after = count_fds();
	maps = count_socket_maps();
	printf("error %d: %s\n", err, pktio_last_error());
	printf("opened %d of %d, fds %d -> %d, socket maps %d, pool %u/%u\n",
	       opened, n, before, after, maps, pktio_pool_avail(pool),
	       pktio_pool_count(pool));
	return opened || before != after || maps != 0 ||
	       pktio_pool_avail(pool) != pktio_pool_count(pool);
}

static void print_stats(struct pktio_port *port, const uint64_t *echoed)
{
	struct pktio_port_stats s;

	for (uint16_t q = 0; q < pktio_port_nqueues(port); q++) {
		pktio_port_stats(port, q, &s);
		printf("queue %u echoed %llu rx %llu tx %llu drops %llu errors %llu copies %llu wakeups %llu oversize %llu\n",
		       q, (unsigned long long)echoed[q],
		       (unsigned long long)s.rx_packets,
		       (unsigned long long)s.tx_packets,
		       (unsigned long long)(s.rx_drops + s.tx_drops),
		       (unsigned long long)(s.rx_errors + s.tx_errors),
		       (unsigned long long)s.copies,
		       (unsigned long long)s.wakeups,
		       (unsigned long long)s.rx_oversize);
	}
}

static void run(struct pktio_port *port, bool l3, unsigned int udp_port,
		double seconds, uint64_t *echoed)
{
	struct pktio_buf *bufs[BURST], *out[BURST];
	struct timespec t0, now, nap = { 0, 50000 };
	uint16_t nq = pktio_port_nqueues(port);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		bool idle = true;

		for (uint16_t q = 0; q < nq; q++) {
			uint16_t n = pktio_rx_burst(port, q, bufs, BURST);
			uint16_t m = 0, sent;

			for (uint16_t i = 0; i < n; i++) {
				if (echo_frame(pktio_buf_data(bufs[i]),
					       pktio_buf_len(bufs[i]), l3,
					       udp_port))
					out[m++] = bufs[i];
				else
					pktio_buf_free(bufs[i]);
			}
			sent = m ? pktio_tx_burst(port, q, out, m) : 0;
			echoed[q] += sent;
			pktio_buf_free_bulk(out + sent, m - sent);
			idle &= !n;
		}
		if (seconds > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - t0.tv_sec +
				    (now.tv_nsec - t0.tv_nsec) / 1e9 >
			    seconds)
				break;
		}
		if (idle)
			nanosleep(&nap, NULL);
	}
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "dev", required_argument, NULL, 'i' },
		{ "queues", required_argument, NULL, 'q' },
		{ "opt", required_argument, NULL, 'o' },
		{ "l3", no_argument, NULL, '3' },
		{ "udp-port", required_argument, NULL, 'u' },
		{ "seconds", required_argument, NULL, 's' },
		{ "open-fail", required_argument, NULL, 'f' },
		{ "max-fds", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *opts[MAX_OPTS];
	struct pktio_port_cfg cfg = { .nqueues = 1, .options = opts };
	uint64_t echoed[PKTIO_MAX_QUEUES] = { 0 };
	struct pktio_pool_cfg pcfg;
	struct pktio_pool *pool;
	struct pktio_port *port;
	unsigned int udp_port = 0;
	double seconds = 0;
	int c, open_fail = 0, max_fds = 0, err, rc = 0;
	bool l3 = false;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'd': cfg.driver = optarg; break;
		case 'i': cfg.dev = optarg; break;
		case 'q': cfg.nqueues = (uint16_t)atoi(optarg); break;
		case 'o':
			if (cfg.n_options == MAX_OPTS) {
				fprintf(stderr, "too many --opt\n");
				return 2;
			}
			opts[cfg.n_options++] = optarg;
			break;
		case '3': l3 = true; break;
		case 'u': udp_port = (unsigned int)atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'f': open_fail = atoi(optarg); break;
		case 'm': max_fds = atoi(optarg); break;
		default: usage(); return 2;
		}
	}
	if (!cfg.driver || !cfg.dev) {
		usage();
		return 2;
	}
	pktio_pool_cfg_init(&pcfg, POOL_COUNT);
	err = pktio_pool_create(&pcfg, &pool);
	if (err) {
		fprintf(stderr, "pool: %s\n", strerror(-err));
		return 1;
	}
	cfg.pool = pool;
	if (open_fail) {
		rc = open_fail_loop(&cfg, pool, open_fail, max_fds);
		pktio_pool_destroy(pool);
		return rc;
	}
	err = pktio_port_open(&cfg, &port);
	if (err) {
		fprintf(stderr, "open: %s (%s)\n", pktio_last_error(),
			strerror(-err));
		pktio_pool_destroy(pool);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (uint16_t q = 0; q < pktio_port_nqueues(port); q++) {
		struct pktio_queue_info qi;

		if (!pktio_queue_info(port, q, &qi))
			printf("queue %u mode: %s\n", q, qi.mode);
	}
	printf("maps %d\nready\n", count_socket_maps());
	fflush(stdout);
	run(port, l3, udp_port, seconds, echoed);
	print_stats(port, echoed);
	pktio_port_close(port);
	printf("pool %u/%u\n", pktio_pool_avail(pool), pktio_pool_count(pool));
	if (pktio_pool_avail(pool) != pktio_pool_count(pool))
		rc = 1;
	if (pktio_pool_destroy(pool))
		rc = 1;
	return rc;
}
