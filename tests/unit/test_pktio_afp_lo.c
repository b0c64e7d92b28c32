// SPDX-License-Identifier: BSD-2-Clause
/* libpktio's af_packet driver on the loopback of a network namespace of
 * its own (unshare: nothing outside the test sees a frame): a frame sent
 * comes back on rx byte for byte, a buffer longer than a tx ring frame is
 * dropped and counted in tx_drops and tx_errors, copies count both ways,
 * and close leaves the pool full.  Skipped without CAP_SYS_ADMIN. */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sluice/pktio/pktio.h>

#define POOL_N 64u
/* frame_size=256: a tx frame holds 256 - 48 bytes */
#define TX_MAX 208u

/* A network namespace of our own with lo up: 0, or -1 (skip). */
static int own_netns(void)
{
	struct ifreq ifr = { 0 };
	int fd, rc;

	if (unshare(CLONE_NEWNET))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (!rc) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc ? -1 : 0;
}

/* A frame to lo's own (zero) MAC, a local experimental EtherType, and a
 * payload where byte i is seed + i. */
static struct pktio_buf *frame(struct pktio_pool *pool, uint32_t len,
			       uint8_t seed)
{
	struct pktio_buf *b = pktio_buf_alloc(pool);
	uint8_t *p;

	assert_non_null(b);
	p = pktio_buf_append(b, len);
	assert_non_null(p);
	memset(p, 0, 12);
	p[12] = 0x88;
	p[13] = 0xb5;
	for (uint32_t i = 14; i < len; i++)
		p[i] = (uint8_t)(seed + i);
	return b;
}

static void test_lo_tx_rx(void **state)
{
	const char *opts[] = { "block_size=4096", "block_count=4",
			       "frame_size=256" };
	struct pktio_pool_cfg pcfg;
	struct pktio_pool *pool;
	struct pktio_port_cfg cfg = {
		.driver = "af_packet",
		.dev = "lo",
		.nqueues = 1,
		.options = opts,
		.n_options = 3,
	};
	struct pktio_buf *tx[2], *rx[8], *sent;
	struct pktio_port_stats s;
	struct pktio_port *port;
	struct timespec nap = { 0, 1000000 };
	uint16_t got = 0;

	(void)state;
	if (own_netns()) {
		/* without root there is no namespace of our own; CI is root,
		 * so there nothing may skip */
		if (getenv("CI"))
			fail_msg("no network namespace of our own under CI");
		skip();
	}
	pktio_pool_cfg_init(&pcfg, POOL_N);
	assert_int_equal(pktio_pool_create(&pcfg, &pool), 0);
	cfg.pool = pool;
	assert_int_equal(pktio_port_open(&cfg, &port), 0);

	tx[0] = frame(pool, 114, 7);
	tx[1] = frame(pool, TX_MAX + 1, 9);
	/* the copy we compare with: the port frees what it sends */
	sent = frame(pool, 114, 7);
	assert_int_equal(pktio_tx_burst(port, 0, tx, 2), 2);
	assert_int_equal(pktio_port_stats(port, 0, &s), 0);
	assert_int_equal(s.tx_packets, 2);
	assert_int_equal(s.tx_drops, 1);
	assert_int_equal(s.tx_errors, 1);
	assert_int_equal(s.wakeups, 1);
	assert_int_equal(s.copies, 1);

	/* the block retires after 1 ms (retire_ms): bounded wait */
	for (int i = 0; i < 2000 && !got; i++) {
		got = pktio_rx_burst(port, 0, rx, 8);
		if (!got)
			nanosleep(&nap, NULL);
	}
	assert_int_equal(got, 1);
	assert_int_equal(pktio_buf_len(rx[0]), 114);
	assert_memory_equal(pktio_buf_data(rx[0]), pktio_buf_data(sent), 114);
	pktio_buf_free(rx[0]);
	pktio_buf_free(sent);
	/* nothing else: the driver did not receive its own send (outgoing) */
	assert_int_equal(pktio_rx_burst(port, 0, rx, 8), 0);
	assert_int_equal(pktio_port_stats(port, 0, &s), 0);
	assert_int_equal(s.rx_packets, 1);
	assert_int_equal(s.rx_bytes, 114);
	assert_int_equal(s.copies, 2);
	assert_int_equal(s.rx_errors, 0);

	pktio_port_close(port);
	assert_int_equal(pktio_pool_avail(pool), POOL_N);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lo_tx_rx),
	};

	pktio_set_log(NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
