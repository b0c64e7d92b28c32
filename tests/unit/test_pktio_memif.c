// SPDX-License-Identifier: BSD-2-Clause
/* The memif driver, our master talking to our slave in one process:
 * exact bytes both ways (chained descriptors included), back-pressure
 * when a ring is full, refusals (secret, id, no master, a second master,
 * bad options) naming what, a master that goes away and comes back, and
 * no fd, mapping or buffer left behind. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sluice/pktio/pktio.h>

static char sock_opt[128];
static char sock_path[108];

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static int map_count(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "memif_region") != NULL;
	fclose(f);
	return n;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool wait_link(struct pktio_port *p, bool up, int ms)
{
	struct pktio_port_info info;

	for (int i = 0; i < ms / 10; i++) {
		assert_int_equal(pktio_port_info(p, &info), 0);
		if (info.link_up == up)
			return true;
		sleep_ms(10);
	}
	return false;
}

static struct pktio_pool *make_pool(uint32_t count)
{
	struct pktio_pool_cfg cfg;
	struct pktio_pool *pool;

	pktio_pool_cfg_init(&cfg, count);
	assert_int_equal(pktio_pool_create(&cfg, &pool), 0);
	return pool;
}

static int open_memif_q(const char *dev, struct pktio_pool *pool,
			const char *const *opts, unsigned int n, uint16_t nq,
			struct pktio_port **out)
{
	struct pktio_port_cfg cfg = {
		.driver = "memif",
		.dev = dev,
		.nqueues = nq,
		.pool = pool,
		.options = opts,
		.n_options = n,
	};

	return pktio_port_open(&cfg, out);
}

static int open_memif(const char *dev, struct pktio_pool *pool,
		      const char *const *opts, unsigned int n,
		      struct pktio_port **out)
{
	return open_memif_q(dev, pool, opts, n, 1, out);
}

/* Frame number i of a run: its length and its bytes follow from i. */
static uint32_t frame_len(uint32_t len0, int i)
{
	return len0 + (uint32_t)(i * 37) % 1400;
}

static uint8_t frame_byte(int seed, int i, uint32_t j)
{
	return (uint8_t)(seed + i * 7 + (int)j);
}

/* n frames numbered first.. into b. */
static void fill_from(struct pktio_pool *pool, struct pktio_buf **b, int n,
		      uint32_t len0, int seed, int first)
{
	for (int k = 0; k < n; k++) {
		uint32_t len = frame_len(len0, first + k);
		uint8_t *p;

		b[k] = pktio_buf_alloc(pool);
		assert_non_null(b[k]);
		p = pktio_buf_append(b[k], len);
		assert_non_null(p);
		for (uint32_t i = 0; i < len; i++)
			p[i] = frame_byte(seed, first + k, i);
	}
}

static void fill(struct pktio_pool *pool, struct pktio_buf **b, int n,
		 uint32_t len0, int seed)
{
	fill_from(pool, b, n, len0, seed, 0);
}

/* Sends n frames from a to b and checks that each arrives in order with
 * its exact length and bytes. */
static void send_check_q(struct pktio_port *a, struct pktio_port *b, uint16_t q,
			 struct pktio_pool *pool, int n, int seed)
{
	struct pktio_buf *tx[64], *rx[64];
	int got = 0, sent = 0, spins = 0;

	while (got < n && spins++ < 100000) {
		if (sent < n) {
			int want = n - sent < 64 ? n - sent : 64;
			uint16_t s;

			fill_from(pool, tx, want, 60, seed, sent);
			s = pktio_tx_burst(a, q, tx, (uint16_t)want);
			pktio_buf_free_bulk(tx + s, (unsigned int)(want - s));
			sent += s;
		}
		uint16_t r = pktio_rx_burst(b, q, rx, 64);

		for (uint16_t i = 0; i < r; i++, got++) {
			const uint8_t *p = pktio_buf_data(rx[i]);

			assert_int_equal(pktio_buf_len(rx[i]),
					 frame_len(60, got));
			for (uint32_t j = 0; j < pktio_buf_len(rx[i]); j++)
				if (p[j] != frame_byte(seed, got, j)) {
					print_error("frame %d byte %u\n", got,
						    j);
					fail();
				}
			pktio_buf_free(rx[i]);
		}
		if (!r)
			sleep_ms(0);
	}
	assert_int_equal(sent, n);
	assert_int_equal(got, n);
}

static void send_check(struct pktio_port *a, struct pktio_port *b,
		       struct pktio_pool *pool, int n, int seed)
{
	send_check_q(a, b, 0, pool, n, seed);
}

static void setup_path(const char *tag)
{
	snprintf(sock_path, sizeof(sock_path), "/tmp/sluice-memif-%s-%d.sock",
		 tag, (int)getpid());
	snprintf(sock_opt, sizeof(sock_opt), "socket=%s", sock_path);
	unlink(sock_path);
}

static void test_pair_traffic(void **state)
{
	struct pktio_pool *pool = make_pool(1024);
	struct pktio_port *m, *s;
	struct pktio_port_stats ms, ss;
	struct pktio_queue_info qi;
	/* 512-byte shared buffers: large frames chain over descriptors */
	const char *mo[] = { "role=master", sock_opt, "id=7" };
	const char *so[] = { "role=slave", sock_opt, "id=7", "ring_size=256",
			     "buffer_size=512" };
	int fds = fd_count();

	(void)state;
	setup_path("pair");
	assert_int_equal(open_memif("mm", pool, mo, 3, &m), 0);
	assert_false(wait_link(m, true, 50));
	assert_int_equal(open_memif("ms", pool, so, 5, &s), 0);
	assert_true(wait_link(s, true, 100));
	assert_true(wait_link(m, true, 2000));
	assert_int_equal(map_count(), 2); /* the slave's and the master's */
	assert_int_equal(pktio_queue_info(s, 0, &qi), 0);
	assert_string_equal(qi.mode, "copy");

	send_check(s, m, pool, 1000, 1);
	send_check(m, s, pool, 1000, 2);

	assert_int_equal(pktio_port_stats_total(m, &ms), 0);
	assert_int_equal(pktio_port_stats_total(s, &ss), 0);
	assert_int_equal(ms.rx_packets, 1000);
	assert_int_equal(ms.tx_packets, 1000);
	assert_int_equal(ss.rx_packets, 1000);
	assert_int_equal(ss.tx_packets, 1000);
	assert_int_equal(ms.copies, 2000);
	assert_int_equal(ss.copies, 2000);
	assert_int_equal(ms.rx_errors + ss.rx_errors, 0);
	assert_int_equal(ms.rx_bytes, ss.tx_bytes);
	assert_int_equal(ss.rx_bytes, ms.tx_bytes);

	pktio_port_close(s);
	assert_true(wait_link(m, false, 2000));
	pktio_port_close(m);
	assert_int_equal(access(sock_path, F_OK), -1);
	assert_int_equal(pktio_pool_avail(pool), 1024);
	assert_int_equal(fd_count(), fds);
	assert_int_equal(map_count(), 0);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* A full ring takes no more: tx returns what fit, the rest stays the
 * caller's, and nothing is lost once the receiver drains it. */
static void test_ring_full(void **state)
{
	struct pktio_pool *pool = make_pool(1024);
	struct pktio_buf *b[64];
	struct pktio_port *m, *s;
	const char *mo[] = { "role=master", sock_opt };
	const char *so[] = { "role=slave", sock_opt, "ring_size=32" };
	unsigned int total = 0;
	uint16_t n;

	(void)state;
	setup_path("full");
	assert_int_equal(open_memif("fm", pool, mo, 2, &m), 0);
	assert_int_equal(open_memif("fs", pool, so, 3, &s), 0);
	assert_true(wait_link(m, true, 2000));
	fill(pool, b, 64, 100, 0);
	n = pktio_tx_burst(s, 0, b, 64);
	assert_int_equal(n, 32);
	assert_int_equal(pktio_tx_burst(s, 0, b + n, 32), 0);
	pktio_buf_free_bulk(b + n, 32);
	while ((n = pktio_rx_burst(m, 0, b, 64))) {
		total += n;
		pktio_buf_free_bulk(b, n);
	}
	assert_int_equal(total, 32);
	/* master -> slave: the slave offered 32 buffers */
	fill(pool, b, 64, 100, 0);
	n = pktio_tx_burst(m, 0, b, 64);
	assert_int_equal(n, 32);
	pktio_buf_free_bulk(b + n, 32);
	n = pktio_rx_burst(s, 0, b, 64);
	assert_int_equal(n, 32);
	pktio_buf_free_bulk(b, n);
	pktio_port_close(s);
	pktio_port_close(m);
	assert_int_equal(pktio_pool_avail(pool), 1024);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void expect_refused(struct pktio_pool *pool, const char *const *o,
			   unsigned int n, int err, const char *words)
{
	struct pktio_port *p = NULL;

	assert_int_equal(open_memif("bad", pool, o, n, &p), err);
	assert_null(p);
	if (!strstr(pktio_last_error(), words)) {
		print_error("\"%s\" not in \"%s\"\n", words,
			    pktio_last_error());
		fail();
	}
}

static void test_refusals(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	struct pktio_port *m, *m2 = NULL;
	const char *mo[] = { "role=master", sock_opt, "secret=abc", "id=3" };
	const char *wrong_secret[] = { sock_opt, "secret=xyz", "id=3" };
	const char *no_secret[] = { sock_opt, "id=3" };
	const char *wrong_id[] = { sock_opt, "secret=abc", "id=4" };
	const char *o_role[] = { "role=boss" };
	const char *o_ring[] = { "ring_size=1000" };
	const char *o_rings[] = { "rings=2" };
	const char *o_secret[] = { "secret=123456789012345678901234" };
	const char *o_mtu[] = { "mtu=9000" };
	const char *o_key[] = { "colour=blue" };
	const char *o_sock[] = { "socket=@" };
	int fds;

	(void)state;
	setup_path("refuse");
	assert_int_equal(open_memif("rm", pool, mo, 4, &m), 0);
	fds = fd_count();
	for (int i = 0; i < 5; i++) {
		expect_refused(pool, wrong_secret, 3, -ECONNREFUSED,
			       "Incorrect secret");
		expect_refused(pool, no_secret, 2, -ECONNREFUSED,
			       "Secret required");
		expect_refused(pool, wrong_id, 3, -ECONNREFUSED,
			       "ID not found");
	}
	/* a second master on the same socket */
	assert_int_equal(open_memif("rm2", pool, mo, 4, &m2), -EADDRINUSE);
	assert_non_null(strstr(pktio_last_error(), "EADDRINUSE"));
	expect_refused(pool, o_role, 1, -EINVAL, "role=boss");
	expect_refused(pool, o_ring, 1, -EINVAL, "ring_size=1000");
	expect_refused(pool, o_rings, 1, -EINVAL, "rings=2");
	expect_refused(pool, o_secret, 1, -EINVAL, "secret=");
	expect_refused(pool, o_mtu, 1, -EINVAL, "mtu=9000");
	expect_refused(pool, o_key, 1, -EINVAL, "colour");
	expect_refused(pool, o_sock, 1, -EINVAL, "socket=@");
	/* the master is still there and takes a slave after all that */
	sleep_ms(50);
	assert_int_equal(fd_count(), fds);
	{
		const char *ok[] = { sock_opt, "secret=abc", "id=3" };
		struct pktio_port *s;

		assert_int_equal(open_memif("rs", pool, ok, 3, &s), 0);
		pktio_port_close(s);
	}
	pktio_port_close(m);
	assert_int_equal(pktio_pool_avail(pool), 64);
	assert_int_equal(map_count(), 0);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* A slave with no master: ECONNREFUSED (a socket file nobody listens on)
 * or ENOENT (no file), named, and nothing leaked over many tries. */
static void test_no_master(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *o[] = { "role=slave", sock_opt };
	int fd, fds;

	(void)state;
	setup_path("none");
	fds = fd_count();
	for (int i = 0; i < 50; i++)
		expect_refused(pool, o, 2, -ENOENT, "ENOENT");
	assert_non_null(strstr(pktio_last_error(), "no memif master"));
	assert_non_null(strstr(pktio_last_error(), sock_path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	memcpy(sun.sun_path, sock_path, strlen(sock_path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	for (int i = 0; i < 50; i++)
		expect_refused(pool, o, 2, -ECONNREFUSED, "ECONNREFUSED");
	close(fd);
	assert_int_equal(fd_count(), fds);
	assert_int_equal(pktio_pool_avail(pool), 64);
	/* that stale file is replaced by a master */
	{
		const char *mo[] = { "role=master", sock_opt };
		struct pktio_port *m;

		assert_int_equal(open_memif("nm", pool, mo, 2, &m), 0);
		pktio_port_close(m);
	}
	assert_int_equal(fd_count(), fds);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* The master goes away: the slave's link goes down, tx takes nothing;
 * a new master comes: the slave connects again by itself. */
static void test_reconnect(void **state)
{
	struct pktio_pool *pool = make_pool(512);
	struct pktio_port *m, *s;
	struct pktio_buf *b[4];
	const char *mo[] = { "role=master", sock_opt };
	const char *so[] = { "role=slave", sock_opt };
	int fds = fd_count();

	(void)state;
	setup_path("again");
	assert_int_equal(open_memif("am", pool, mo, 2, &m), 0);
	assert_int_equal(open_memif("as", pool, so, 2, &s), 0);
	send_check(s, m, pool, 10, 3);
	pktio_port_close(m);
	assert_true(wait_link(s, false, 2000));
	fill(pool, b, 4, 60, 0);
	assert_int_equal(pktio_tx_burst(s, 0, b, 4), 0);
	pktio_buf_free_bulk(b, 4);
	assert_int_equal(open_memif("am", pool, mo, 2, &m), 0);
	assert_true(wait_link(s, true, 3000));
	assert_true(wait_link(m, true, 1000));
	send_check(m, s, pool, 10, 4);
	send_check(s, m, pool, 10, 5);
	pktio_port_close(s);
	pktio_port_close(m);
	assert_int_equal(fd_count(), fds);
	assert_int_equal(map_count(), 0);
	assert_int_equal(pktio_pool_avail(pool), 512);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* socket=@NAME: an abstract socket (DPDK's default), no file anywhere;
 * a second master on it is refused, a slave of an unknown name too. */
static void test_abstract(void **state)
{
	struct pktio_pool *pool = make_pool(512);
	struct pktio_port *m, *s, *m2 = NULL;
	char opt[96], none[96];
	const char *mo[] = { "role=master", opt };
	const char *so[] = { "role=slave", opt };
	const char *no[] = { "role=slave", none };
	int fds = fd_count();

	(void)state;
	snprintf(opt, sizeof(opt), "socket=@/sluice/memif-abs-%d.sock",
		 (int)getpid());
	snprintf(none, sizeof(none), "socket=@/sluice/memif-none-%d.sock",
		 (int)getpid());
	assert_int_equal(open_memif("abm", pool, mo, 2, &m), 0);
	assert_int_equal(access(opt + strlen("socket=@"), F_OK), -1);
	assert_int_equal(open_memif("abm2", pool, mo, 2, &m2), -EADDRINUSE);
	assert_non_null(strstr(pktio_last_error(), "EADDRINUSE"));
	expect_refused(pool, no, 2, -ECONNREFUSED, "ECONNREFUSED");
	assert_int_equal(open_memif("abs", pool, so, 2, &s), 0);
	assert_true(wait_link(m, true, 2000));
	send_check(s, m, pool, 100, 6);
	send_check(m, s, pool, 100, 7);
	pktio_port_close(s);
	pktio_port_close(m);
	assert_int_equal(fd_count(), fds);
	assert_int_equal(map_count(), 0);
	assert_int_equal(pktio_pool_avail(pool), 512);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* Queue q is ring q of each direction: what goes in on one queue comes
 * out on the same queue only.  The master offers 3 rings, the slave wants
 * 2 of its 3 queues: 2 rings each way, its third queue has none. */
static void test_queues(void **state)
{
	struct pktio_pool *pool = make_pool(1024);
	struct pktio_buf *b[8], *r[8];
	struct pktio_port *m, *s;
	const char *mo[] = { "role=master", sock_opt };
	const char *so[] = { "role=slave", sock_opt, "rings=2" };

	(void)state;
	setup_path("queues");
	assert_int_equal(open_memif_q("qm", pool, mo, 2, 3, &m), 0);
	assert_int_equal(open_memif_q("qs", pool, so, 3, 3, &s), 0);
	assert_true(wait_link(m, true, 2000));
	send_check_q(s, m, 1, pool, 200, 8);
	send_check_q(m, s, 1, pool, 200, 9);
	send_check_q(s, m, 0, pool, 200, 10);
	/* nothing crossed over to the other queue */
	assert_int_equal(pktio_rx_burst(m, 0, r, 8), 0);
	assert_int_equal(pktio_rx_burst(s, 0, r, 8), 0);
	/* queue 2 has no ring: tx takes nothing, rx gives nothing */
	fill(pool, b, 8, 60, 0);
	assert_int_equal(pktio_tx_burst(s, 2, b, 8), 0);
	assert_int_equal(pktio_tx_burst(m, 2, b, 8), 0);
	pktio_buf_free_bulk(b, 8);
	assert_int_equal(pktio_rx_burst(m, 2, r, 8), 0);
	pktio_port_close(s);
	pktio_port_close(m);
	assert_int_equal(pktio_pool_avail(pool), 1024);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* Frames the master cannot take: 0 bytes (runt), above its MTU (oversize,
 * the core drops it), larger than its pool buffers (the driver drops it,
 * chained over two descriptors); each counted, none returned, and the
 * frame after them arrives whole. */
static void test_bad_frames(void **state)
{
	struct pktio_pool_cfg pc;
	struct pktio_pool *pool = make_pool(256), *big;
	struct pktio_port *m, *s;
	struct pktio_port_stats st;
	struct pktio_buf *b[4], *r[8];
	const char *mo[] = { "role=master", sock_opt };
	const char *so[] = { "role=slave", sock_opt, "mtu=3500" };
	const uint32_t len[4] = { 0, 1600, 3000, 200 };
	struct pktio_port_cfg cfg = {
		.driver = "memif",
		.dev = "bs",
		.nqueues = 1,
		.options = so,
		.n_options = 3,
	};
	uint16_t got = 0;

	(void)state;
	setup_path("bad");
	pktio_pool_cfg_init(&pc, 64);
	pc.buf_size = 4096;
	assert_int_equal(pktio_pool_create(&pc, &big), 0);
	cfg.pool = big;
	assert_int_equal(open_memif("bm", pool, mo, 2, &m), 0);
	assert_int_equal(pktio_port_open(&cfg, &s), 0);
	assert_true(wait_link(m, true, 2000));
	for (int i = 0; i < 4; i++) {
		b[i] = pktio_buf_alloc(big);
		assert_non_null(b[i]);
		if (len[i])
			memset(pktio_buf_append(b[i], len[i]), 0x5a + i,
			       len[i]);
	}
	assert_int_equal(pktio_tx_burst(s, 0, b, 4), 4);
	for (int i = 0; i < 100 && !got; i++) {
		got = pktio_rx_burst(m, 0, r, 8);
		if (!got)
			sleep_ms(1);
	}
	assert_int_equal(got, 1);
	assert_int_equal(pktio_buf_len(r[0]), 200);
	assert_int_equal(((uint8_t *)pktio_buf_data(r[0]))[199], 0x5d);
	pktio_buf_free(r[0]);
	assert_int_equal(pktio_port_stats_total(m, &st), 0);
	assert_int_equal(st.rx_packets, 1);
	assert_int_equal(st.rx_runts, 1);
	assert_int_equal(st.rx_oversize, 1);
	/* the 3000-byte frame: the driver's drop, with the core's two */
	assert_int_equal(st.rx_drops, 1);
	assert_int_equal(st.rx_errors, 3);
	pktio_port_close(s);
	pktio_port_close(m);
	assert_int_equal(pktio_pool_avail(pool), 256);
	assert_int_equal(pktio_pool_avail(big), 64);
	assert_int_equal(pktio_pool_destroy(big), 0);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_traffic),
		cmocka_unit_test(test_ring_full),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_no_master),
		cmocka_unit_test(test_reconnect),
		cmocka_unit_test(test_abstract),
		cmocka_unit_test(test_queues),
		cmocka_unit_test(test_bad_frames),
	};

	pktio_set_log(NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
