// SPDX-License-Identifier: BSD-2-Clause
/*
 * pktio_memif_check: the memif driver's netns-tier test tool, on libpktio's
 * public API only.
 *
 *   pktio_memif_check send [-n N] [-t SECS] [-e same|macswap] OPT...
 *	opens a memif port with the driver options OPT (role=, socket=, ...),
 *	waits for the link, sends N UDP frames (v4 and v6 in turn, payloads
 *	of 4..1400 bytes, each numbered) and receives them back from a peer
 *	that returns them (testpmd io: the same bytes; macswap: the MACs
 *	swapped).  Every frame must come back once, byte for byte.
 *   pktio_memif_check reflect [-n N] [-t SECS] OPT...
 *	returns every frame it receives until N have gone back.
 *   pktio_memif_check open-fail [-n LOOPS] OPT...
 *	opens LOOPS times, each must fail with the same error; then no fd
 *	and no pool buffer may be left over.
 *
 * -s PATH (send): starts sending only once PATH exists (the peer
 * forwards; at most SECS).
 * -w PATH (send, reflect): after the run, keeps the port open until PATH
 * exists (at most SECS more), so that the peer's counters can be read
 * while it is still connected.
 *
 * Prints "key=value" lines (the script greps them) and the port's
 * counters; exits 0 only if everything checked held.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sluice/pktio/pktio.h>

#define POOL_BUFS 4096
#define BURST 32
#define MAX_PAYLOAD 1400

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x09, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x09, 0x02 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_us(long us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = us * 1000 };

	nanosleep(&ts, NULL);
}

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Frame number seq: Ethernet, IPv4 (even) or IPv6 (odd), UDP 7007 -> 7007,
 * a payload of 4..1400 bytes that starts with the number.  Returns its
 * length. */
static uint32_t build_frame(uint8_t *f, uint32_t seq)
{
	uint32_t plen = 4 + seq * 37 % (MAX_PAYLOAD - 3), l4 = 8 + plen, ip,
		 len;
	bool v6 = seq & 1;
	uint8_t *udp, *pay;
	uint32_t sum;

	memcpy(f, mac_b, 6);
	memcpy(f + 6, mac_a, 6);
	put16(f + 12, v6 ? 0x86dd : 0x0800);
	ip = 14;
	if (v6) {
		static const uint8_t s6[16] = { 0x20, 0x01, 0x0d,    0xb8,
						0,    9,    [15] = 1 };
		static const uint8_t d6[16] = { 0x20, 0x01, 0x0d,    0xb8,
						0,    9,    [15] = 2 };

		memset(f + ip, 0, 40);
		f[ip] = 0x60;
		put16(f + ip + 4, (uint16_t)l4);
		f[ip + 6] = 17;
		f[ip + 7] = 64;
		memcpy(f + ip + 8, s6, 16);
		memcpy(f + ip + 24, d6, 16);
		udp = f + ip + 40;
	} else {
		static const uint8_t s4[4] = { 198, 18, 9, 1 };
		static const uint8_t d4[4] = { 198, 18, 9, 2 };

		memset(f + ip, 0, 20);
		f[ip] = 0x45;
		put16(f + ip + 2, (uint16_t)(20 + l4));
		f[ip + 8] = 64;
		f[ip + 9] = 17;
		memcpy(f + ip + 12, s4, 4);
		memcpy(f + ip + 16, d4, 4);
		put16(f + ip + 10, csum_fold(csum_add(0, f + ip, 20)));
		udp = f + ip + 20;
	}
	put16(udp, 7007);
	put16(udp + 2, 7007);
	put16(udp + 4, (uint16_t)l4);
	put16(udp + 6, 0);
	pay = udp + 8;
	for (uint32_t i = 0; i < plen; i++)
		pay[i] = (uint8_t)(seq * 7 + i);
	memcpy(pay, &seq, 4);
	len = (uint32_t)(pay + plen - f);
	/* the pseudo-header: addresses, length, protocol */
	sum = v6 ? csum_add(0, f + ip + 8, 32) : csum_add(0, f + ip + 12, 8);
	sum += l4 + 17;
	sum = csum_add(sum, udp, l4);
	put16(udp + 6, csum_fold(sum) ? csum_fold(sum) : 0xffff);
	return len;
}

struct args {
	const char *mode;
	unsigned long n;
	double secs;
	bool macswap;
	const char *hold;  /* -w */
	const char *start; /* -s */
	const char *const *opts;
	unsigned int nopts;
};

static void print_stats(struct pktio_port *p, struct pktio_pool *pool)
{
	struct pktio_port_stats s;
	struct pktio_pool_stats ps;

	if (pktio_port_stats_total(p, &s))
		return;
	pktio_pool_stats(pool, &ps);
	printf("port_rx_packets=%llu\nport_tx_packets=%llu\n"
	       "port_rx_bytes=%llu\nport_tx_bytes=%llu\n"
	       "port_rx_drops=%llu\nport_rx_errors=%llu\n"
	       "port_tx_errors=%llu\nport_fill_empty=%llu\n"
	       "port_wakeups=%llu\nport_copies=%llu\npool_copies=%llu\n",
	       (unsigned long long)s.rx_packets,
	       (unsigned long long)s.tx_packets, (unsigned long long)s.rx_bytes,
	       (unsigned long long)s.tx_bytes, (unsigned long long)s.rx_drops,
	       (unsigned long long)s.rx_errors, (unsigned long long)s.tx_errors,
	       (unsigned long long)s.fill_empty, (unsigned long long)s.wakeups,
	       (unsigned long long)s.copies, (unsigned long long)ps.copies);
}

static int open_port(const struct args *a, struct pktio_pool *pool,
		     struct pktio_port **p)
{
	struct pktio_port_cfg cfg = {
		.name = "memif0",
		.driver = "memif",
		.dev = "memif0",
		.nqueues = 1,
		.pool = pool,
		.options = a->opts,
		.n_options = a->nopts,
	};

	return pktio_port_open(&cfg, p);
}

static bool wait_link(struct pktio_port *p, double until)
{
	struct pktio_port_info info;

	while (now_s() < until) {
		if (!pktio_port_info(p, &info) && info.link_up)
			return true;
		pause_us(10000);
	}
	return false;
}

/* Checks one frame that came back: its number, then every byte. */
static bool check_frame(const struct args *a, const struct pktio_buf *b,
			uint8_t *seen, unsigned long *bad)
{
	uint8_t want[2048];
	const uint8_t *got = pktio_buf_data(b);
	uint32_t seq, len;

	uint32_t off = got[13] == 0xdd ? 62 : 42;

	if (pktio_buf_len(b) < off + 4) {
		(*bad)++;
		return false;
	}
	memcpy(&seq, got + off, 4);
	if (seq >= a->n || seen[seq]) {
		if (*bad < 5)
			fprintf(stderr, "frame number %u unknown or twice\n",
				seq);
		(*bad)++;
		return false;
	}
	len = build_frame(want, seq);
	if (a->macswap) {
		memcpy(want, mac_a, 6);
		memcpy(want + 6, mac_b, 6);
	}
	if (len != pktio_buf_len(b) || memcmp(want, got, len)) {
		if (*bad < 5)
			fprintf(stderr,
				"frame %u: %u bytes came back as %u, or changed\n",
				seq, len, pktio_buf_len(b));
		(*bad)++;
		return false;
	}
	seen[seq] = 1;
	return true;
}

static int run_send(const struct args *a, struct pktio_pool *pool,
		    struct pktio_port *p)
{
	struct pktio_buf *tx[BURST], *rx[BURST];
	unsigned long sent = 0, got = 0, bad = 0;
	double until = now_s() + a->secs;
	uint8_t *seen = calloc(a->n ? a->n : 1, 1);

	if (!seen)
		return 1;
	while (a->start && access(a->start, F_OK) && now_s() < until)
		pause_us(10000);
	while (got < a->n && now_s() < until) {
		uint16_t m = 0, r;

		/* at most one ring of frames in flight */
		while (sent < a->n && sent - got < 256 && m < BURST) {
			struct pktio_buf *b = pktio_buf_alloc(pool);
			uint8_t *d;

			if (!b)
				break;
			d = pktio_buf_append(b, 1518);
			pktio_buf_set_len(b, build_frame(d, (uint32_t)sent));
			tx[m++] = b;
			sent++;
		}
		if (m) {
			uint16_t s = pktio_tx_burst(p, 0, tx, m);

			/* unsent frames are made again next round */
			pktio_buf_free_bulk(tx + s, (unsigned int)(m - s));
			sent -= (unsigned long)(m - s);
		}
		r = pktio_rx_burst(p, 0, rx, BURST);
		for (uint16_t i = 0; i < r; i++)
			got += check_frame(a, rx[i], seen, &bad);
		pktio_buf_free_bulk(rx, r);
		if (!r && !m)
			pause_us(100);
		if (bad > 100)
			break;
	}
	free(seen);
	printf("sent=%lu\nreceived=%lu\nmismatched=%lu\n", sent, got, bad);
	return got == a->n && sent == a->n && !bad ? 0 : 1;
}

static int run_reflect(const struct args *a, struct pktio_port *p)
{
	struct pktio_buf *b[BURST];
	unsigned long back = 0, dropped = 0;
	double until = now_s() + a->secs;

	while (back < a->n && now_s() < until) {
		uint16_t r = pktio_rx_burst(p, 0, b, BURST), s = 0;

		if (!r) {
			pause_us(100);
			continue;
		}
		while (s < r && now_s() < until)
			s = (uint16_t)(s + pktio_tx_burst(p, 0, b + s,
							  (uint16_t)(r - s)));
		pktio_buf_free_bulk(b + s, (unsigned int)(r - s));
		back += s;
		dropped += (unsigned long)(r - s);
	}
	/* the last frames must reach the peer before the port closes */
	pause_us(200000);
	printf("reflected=%lu\nnot_reflected=%lu\n", back, dropped);
	return back == a->n ? 0 : 1;
}

static int run_open_fail(const struct args *a, struct pktio_pool *pool)
{
	int fds = fd_count(), first = 0, rc = 0;

	for (unsigned long i = 0; i < a->n; i++) {
		struct pktio_port *p = NULL;
		int err = open_port(a, pool, &p);

		if (!err) {
			printf("opened=yes\n");
			pktio_port_close(p);
			return 1;
		}
		if (!i)
			first = err;
		else if (err != first)
			rc = 1;
	}
	printf("error=%d\nerrno_name=%s\nmessage=%s\n", -first,
	       strerror(-first), pktio_last_error());
	printf("fd_leak=%d\npool_leak=%u\n", fd_count() - fds,
	       POOL_BUFS - pktio_pool_avail(pool));
	if (fd_count() != fds || pktio_pool_avail(pool) != POOL_BUFS)
		rc = 1;
	return rc;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: pktio_memif_check send|reflect|open-fail [-n N] [-t SECS] [-e same|macswap] [-w PATH] OPTION...\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct args a = { .n = 1000, .secs = 20 };
	struct pktio_pool_cfg pc;
	struct pktio_pool *pool;
	struct pktio_port *p;
	int opt, rc;

	if (argc < 2)
		return usage();
	a.mode = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "n:t:e:w:s:")) != -1) {
		switch (opt) {
		case 'n': a.n = strtoul(optarg, NULL, 0); break;
		case 't': a.secs = strtod(optarg, NULL); break;
		case 'e': a.macswap = !strcmp(optarg, "macswap"); break;
		case 'w': a.hold = optarg; break;
		case 's': a.start = optarg; break;
		default: return usage();
		}
	}
	a.opts = (const char *const *)argv + optind;
	a.nopts = (unsigned int)(argc - optind);
	setvbuf(stdout, NULL, _IOLBF, 0);
	pktio_set_log_level(PKTIO_LOG_INFO);

	pktio_pool_cfg_init(&pc, POOL_BUFS);
	if (pktio_pool_create(&pc, &pool)) {
		fprintf(stderr, "pool: %s\n", pktio_last_error());
		return 1;
	}
	if (!strcmp(a.mode, "open-fail")) {
		rc = run_open_fail(&a, pool);
		goto out_pool;
	}
	if (strcmp(a.mode, "send") && strcmp(a.mode, "reflect"))
		return usage();
	rc = open_port(&a, pool, &p);
	if (rc) {
		printf("open_error=%d\n", -rc);
		rc = 1;
		goto out_pool;
	}
	if (!wait_link(p, now_s() + a.secs)) {
		printf("link=down\n");
		rc = 1;
	} else {
		printf("link=up\n");
		rc = !strcmp(a.mode, "send") ? run_send(&a, pool, p) :
					       run_reflect(&a, p);
	}
	print_stats(p, pool);
	if (a.hold) {
		double until = now_s() + a.secs;

		printf("holding=%s\n", a.hold);
		while (access(a.hold, F_OK) && now_s() < until)
			pause_us(10000);
	}
	pktio_port_close(p);
out_pool:
	printf("pool_in_use=%u\n", POOL_BUFS - pktio_pool_avail(pool));
	if (pktio_pool_avail(pool) != POOL_BUFS)
		rc = 1;
	pktio_pool_destroy(pool);
	return rc;
}
