// SPDX-License-Identifier: BSD-2-Clause
/* libpktio workers: config refusals, one owner per queue, two pinned
 * workers bouncing packets between paired ring ports, a clean stop under
 * that traffic giving every buffer back, and idle accounting. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sluice/pktio/pktio.h>
#include <sluice/pktio/ring.h>
#include <sluice/pktio/worker.h>

static struct pktio_pool *make_pool(uint32_t count)
{
	struct pktio_pool_cfg cfg;
	struct pktio_pool *pool;

	pktio_pool_cfg_init(&cfg, count);
	cfg.cache_size = 32;
	assert_int_equal(pktio_pool_create(&cfg, &pool), 0);
	return pool;
}

static struct pktio_port *open_ring(const char *dev, struct pktio_pool *pool,
				    const char *peer)
{
	const char *opts[] = { peer };
	struct pktio_port_cfg cfg = {
		.driver = "ring",
		.dev = dev,
		.nqueues = 1,
		.pool = pool,
		.options = opts,
		.n_options = peer ? 1 : 0,
	};
	struct pktio_port *port;

	assert_int_equal(pktio_port_open(&cfg, &port), 0);
	return port;
}

/* sends every burst back out of the port it came in on */
static void bounce(struct pktio_worker *w, struct pktio_port *port, uint16_t q,
		   struct pktio_buf **bufs, uint16_t n, void *ctx)
{
	uint16_t sent = pktio_tx_burst(port, q, bufs, n);

	(void)w;
	(void)ctx;
	pktio_buf_free_bulk(bufs + sent, n - sent);
}

static void test_cfg_refused(void **state)
{
	struct pktio_worker_cfg cfg;
	struct pktio_worker *w = (void *)1;

	(void)state;
	pktio_worker_cfg_init(&cfg, NULL, NULL);
	cfg.name = "w0";
	assert_int_equal(pktio_worker_create(&cfg, &w), -EINVAL);
	assert_null(w);
	assert_string_equal(pktio_last_error(), "worker w0: fn: no callback");
	cfg.fn = bounce;
	cfg.burst = 0;
	assert_int_equal(pktio_worker_create(&cfg, &w), -EINVAL);
	assert_non_null(strstr(pktio_last_error(), "burst: 0"));
	cfg.burst = 32;
	cfg.cpu = -2;
	assert_int_equal(pktio_worker_create(&cfg, &w), -EINVAL);
	assert_non_null(strstr(pktio_last_error(), "cpu: -2"));
}

static void test_one_owner(void **state)
{
	struct pktio_pool *pool = make_pool(8);
	struct pktio_port *port = open_ring("wo0", pool, NULL);
	struct pktio_worker_cfg cfg;
	struct pktio_worker *a, *b;

	(void)state;
	pktio_worker_cfg_init(&cfg, bounce, NULL);
	cfg.name = "a";
	assert_int_equal(pktio_worker_create(&cfg, &a), 0);
	cfg.name = "b";
	assert_int_equal(pktio_worker_create(&cfg, &b), 0);
	assert_int_equal(pktio_worker_add_queue(a, port, 1), -EINVAL);
	assert_int_equal(pktio_worker_add_queue(a, port, 0), 0);
	assert_int_equal(pktio_worker_add_queue(b, port, 0), -EBUSY);
	assert_string_equal(pktio_last_error(),
			    "worker b: port wo0 queue 0 belongs to worker a");
	pktio_worker_destroy(a);
	assert_int_equal(pktio_worker_add_queue(b, port, 0), 0);
	pktio_worker_destroy(b);
	pktio_port_close(port);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* Closing a port a worker still owns (running or not) is refused and
 * leaves the port working: the worker would poll freed memory, and its
 * destroy would write into it (ASan would see either). */
static void test_close_refused_while_owned(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	struct pktio_port *port = open_ring("wc0", pool, NULL);
	struct pktio_worker_cfg cfg;
	struct pktio_worker *w;

	(void)state;
	pktio_worker_cfg_init(&cfg, bounce, NULL);
	cfg.name = "owner";
	cfg.idle_sleep_us = 100;
	assert_int_equal(pktio_worker_create(&cfg, &w), 0);
	assert_int_equal(pktio_worker_add_queue(w, port, 0), 0);
	assert_int_equal(pktio_port_close(port), -EBUSY);
	assert_string_equal(pktio_last_error(),
			    "port wc0: queue 0 belongs to worker owner: "
			    "destroy the worker before closing the port");
	assert_int_equal(pktio_worker_start(w), 0);
	assert_int_equal(pktio_port_close(port), -EBUSY);
	/* the worker ran on a port still whole; once it is gone the close
	 * goes through, every buffer back in the pool */
	pktio_worker_destroy(w);
	assert_int_equal(pktio_port_close(port), 0);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#define BOUNCE_PACKETS 200000u
#define IN_FLIGHT 64

static void test_bounce_clean_stop(void **state)
{
	struct pktio_pool *pool = make_pool(512);
	struct pktio_port *a = open_ring("wa", pool, NULL);
	struct pktio_port *b = open_ring("wb", pool, "peer=wa");
	struct pktio_worker_cfg cfg;
	struct pktio_worker *wa, *wb;
	struct pktio_worker_stats sa, sb;
	struct pktio_buf *bufs[IN_FLIGHT];
	unsigned int left = 0, n;
	double t0;

	(void)state;
	pktio_worker_cfg_init(&cfg, bounce, NULL);
	cfg.name = "bounce-a";
	cfg.cpu = 0;
	assert_int_equal(pktio_worker_create(&cfg, &wa), 0);
	cfg.name = "bounce-b";
	cfg.cpu = 1;
	assert_int_equal(pktio_worker_create(&cfg, &wb), 0);
	assert_int_equal(pktio_worker_add_queue(wa, a, 0), 0);
	assert_int_equal(pktio_worker_add_queue(wb, b, 0), 0);

	for (int i = 0; i < IN_FLIGHT; i++) {
		bufs[i] = pktio_buf_alloc(pool);
		assert_non_null(pktio_buf_append(bufs[i], 64));
	}
	assert_int_equal(pktio_ring_inject(a, 0, bufs, IN_FLIGHT), IN_FLIGHT);
	assert_int_equal(pktio_worker_start(wa), 0);
	assert_int_equal(pktio_worker_start(wb), 0);
	assert_int_equal(pktio_worker_start(wa), -EBUSY);
	t0 = now();
	do {
		usleep(10000);
		pktio_worker_stats(wa, &sa);
		pktio_worker_stats(wb, &sb);
	} while (sa.packets + sb.packets < BOUNCE_PACKETS && now() - t0 < 20);
	/* stop under traffic */
	assert_int_equal(pktio_worker_stop(wa), 0);
	assert_int_equal(pktio_worker_stop(wb), 0);
	assert_false(pktio_worker_running(wa));
	pktio_worker_stats(wa, &sa);
	pktio_worker_stats(wb, &sb);
	print_message(
		"# bounced %llu packets in %.2f s, workers on CPU %d and %d\n",
		(unsigned long long)(sa.packets + sb.packets), now() - t0,
		pktio_worker_cpu(wa), pktio_worker_cpu(wb));
	assert_true(sa.packets + sb.packets >= BOUNCE_PACKETS);
	assert_true(sa.bursts > 0 && sa.loops >= sa.bursts);
	assert_int_equal(sa.polls, sa.loops);
	assert_true(pktio_worker_cpu(wa) == 0 || pktio_worker_cpu(wa) == -1);

	/* nothing lost: the packets still bouncing sit in the rings */
	while ((n = pktio_rx_burst(a, 0, bufs, IN_FLIGHT)) > 0) {
		left += n;
		pktio_buf_free_bulk(bufs, n);
	}
	while ((n = pktio_rx_burst(b, 0, bufs, IN_FLIGHT)) > 0) {
		left += n;
		pktio_buf_free_bulk(bufs, n);
	}
	assert_int_equal(left, IN_FLIGHT);
	assert_int_equal(pktio_pool_avail(pool), 512);

	pktio_worker_destroy(wa);
	pktio_worker_destroy(wb);
	pktio_port_close(b);
	pktio_port_close(a);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_idle(void **state)
{
	struct pktio_pool *pool = make_pool(8);
	struct pktio_port *port = open_ring("widle", pool, NULL);
	struct pktio_worker_cfg cfg;
	struct pktio_worker *w;
	struct pktio_worker_stats s;
	double t0, ms;

	(void)state;
	pktio_worker_cfg_init(&cfg, bounce, NULL);
	cfg.idle_sleep_us = 1000;
	assert_int_equal(pktio_worker_create(&cfg, &w), 0);
	assert_int_equal(pktio_worker_add_queue(w, port, 0), 0);
	t0 = now();
	assert_int_equal(pktio_worker_start(w), 0);
	/* a few passes, however slowly a loaded machine runs the thread */
	do {
		usleep(5000);
		pktio_worker_stats(w, &s);
	} while (s.loops < 5 && now() - t0 < 30);
	assert_int_equal(pktio_worker_stop(w), 0);
	ms = (now() - t0) * 1000;
	pktio_worker_stats(w, &s);
	/* each idle pass sleeps at least 1 ms: no more passes than ms went
	 * by (a busy poll would make millions), and load only lowers it */
	assert_int_equal(s.packets, 0);
	assert_true(s.idle_loops >= 5);
	assert_true((double)s.idle_loops <= ms + 1);
	assert_int_equal(s.idle_loops, s.loops);
	pktio_worker_destroy(w);
	pktio_port_close(port);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg_refused),
		cmocka_unit_test(test_one_owner),
		cmocka_unit_test(test_close_refused_while_owned),
		cmocka_unit_test(test_bounce_clean_stop),
		cmocka_unit_test(test_idle),
	};

	pktio_set_log(NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
