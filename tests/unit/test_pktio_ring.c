// SPDX-License-Identifier: BSD-2-Clause
/* libpktio rings and ports: the SPSC ring (limits, order under two
 * threads), port config refusals, the ring driver (inject/drain, pairs,
 * copies between pools, runts and oversized frames, stats, close giving
 * every buffer back). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <cmocka.h>
#include <sluice/pktio/pktio.h>
#include <sluice/pktio/ring.h>
#include "pktio_driver.h"

static struct pktio_pool *make_pool(uint32_t count)
{
	struct pktio_pool_cfg cfg;
	struct pktio_pool *pool;

	pktio_pool_cfg_init(&cfg, count);
	assert_int_equal(pktio_pool_create(&cfg, &pool), 0);
	return pool;
}

static struct pktio_port *open_ring(const char *dev, uint16_t nq,
				    struct pktio_pool *pool,
				    const char *const *opts, unsigned int nopt)
{
	struct pktio_port_cfg cfg = {
		.driver = "ring",
		.dev = dev,
		.nqueues = nq,
		.pool = pool,
		.options = opts,
		.n_options = nopt,
	};
	struct pktio_port *port;

	assert_int_equal(pktio_port_open(&cfg, &port), 0);
	return port;
}

/* n buffers of len bytes, byte i of packet k is k + i */
static void fill(struct pktio_pool *pool, struct pktio_buf **b, int n,
		 uint32_t len)
{
	for (int k = 0; k < n; k++) {
		uint8_t *p;

		b[k] = pktio_buf_alloc(pool);
		assert_non_null(b[k]);
		p = pktio_buf_append(b[k], len);
		assert_non_null(p);
		for (uint32_t i = 0; i < len; i++)
			p[i] = (uint8_t)(k + i);
	}
}

static void test_ring_limits(void **state)
{
	struct pktio_ring *r;
	uintptr_t in[10], out[10];

	(void)state;
	assert_int_equal(pktio_ring_create("x", 6, &r), -EINVAL);
	assert_null(r);
	assert_non_null(strstr(pktio_last_error(), "size 6"));
	assert_int_equal(pktio_ring_create("x", 1, &r), -EINVAL);
	assert_int_equal(pktio_ring_create("x", 8, &r), 0);
	for (uintptr_t i = 0; i < 10; i++)
		in[i] = i + 1;
	assert_int_equal(pktio_ring_dequeue_burst(r, (void **)out, 1), 0);
	assert_int_equal(pktio_ring_enqueue_burst(r, (void **)in, 10), 8);
	assert_int_equal(pktio_ring_count(r), 8);
	assert_int_equal(pktio_ring_free_count(r), 0);
	assert_int_equal(pktio_ring_enqueue_burst(r, (void **)in, 1), 0);
	assert_int_equal(pktio_ring_dequeue_burst(r, (void **)out, 3), 3);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[2], 3);
	/* wraps around */
	assert_int_equal(pktio_ring_enqueue_burst(r, (void **)in + 8, 2), 2);
	assert_int_equal(pktio_ring_dequeue_burst(r, (void **)out, 10), 7);
	assert_int_equal(out[0], 4);
	assert_int_equal(out[4], 8);
	assert_int_equal(out[5], 9);
	assert_int_equal(out[6], 10);
	assert_int_equal(pktio_ring_count(r), 0);
	pktio_ring_destroy(r);
}

#define SPSC_N 1000000u

static void *spsc_producer(void *arg)
{
	struct pktio_ring *r = arg;
	uintptr_t next = 1, burst[37];

	while (next <= SPSC_N) {
		unsigned int n = 0, done = 0;

		while (n < 37 && next + n <= SPSC_N) {
			burst[n] = next + n;
			n++;
		}
		while (done < n)
			done += pktio_ring_enqueue_burst(
				r, (void *const *)burst + done, n - done);
		next += n;
	}
	return NULL;
}

static void test_ring_spsc_threads(void **state)
{
	struct pktio_ring *r;
	uintptr_t expect = 1, out[64];
	unsigned int bad = 0;
	pthread_t p;

	(void)state;
	assert_int_equal(pktio_ring_create("spsc", 256, &r), 0);
	assert_int_equal(pthread_create(&p, NULL, spsc_producer, r), 0);
	while (expect <= SPSC_N) {
		unsigned int n = pktio_ring_dequeue_burst(r, (void **)out, 64);

		for (unsigned int i = 0; i < n; i++)
			bad += out[i] != expect++;
	}
	pthread_join(p, NULL);
	assert_int_equal(bad, 0);
	assert_int_equal(expect, SPSC_N + 1);
	assert_int_equal(pktio_ring_count(r), 0);
	pktio_ring_destroy(r);
}

static void test_port_cfg_refused(void **state)
{
	struct pktio_pool *pool = make_pool(8);
	const char *bad_opt[] = { "foo=1" };
	const char *bad_size[] = { "size=3" };
	const char *bad_num[] = { "mtu=12x" };
	const char *no_peer[] = { "peer=nope" };
	const char *no_eq[] = { "size" };
	struct pktio_port_cfg cfg = {
		.driver = "afxdp", .dev = "r0", .nqueues = 1, .pool = pool
	};
	struct pktio_port *port;

	(void)state;
	assert_int_equal(pktio_port_open(&cfg, &port), -EINVAL);
	assert_null(port);
	assert_string_equal(
		pktio_last_error(),
		"port r0: driver: \"afxdp\" is not a driver (af_xdp, af_packet, tap, tun, memif, ring)");
	cfg.driver = "ring";
	cfg.nqueues = 0;
	assert_int_equal(pktio_port_open(&cfg, &port), -EINVAL);
	assert_non_null(strstr(pktio_last_error(), "queues: 0"));
	cfg.nqueues = 1;
	cfg.pool = NULL;
	assert_int_equal(pktio_port_open(&cfg, &port), -EINVAL);
	assert_non_null(strstr(pktio_last_error(), "pool"));
	cfg.pool = pool;
	cfg.dev = "";
	assert_int_equal(pktio_port_open(&cfg, &port), -EINVAL);
	assert_non_null(strstr(pktio_last_error(), "dev"));
	cfg.dev = "r0";

	cfg.options = bad_opt;
	cfg.n_options = 1;
	assert_int_equal(pktio_port_open(&cfg, &port), -EINVAL);
	assert_string_equal(
		pktio_last_error(),
		"port r0: driver ring: unknown option 'foo' (peer, size, mtu)");
	cfg.options = bad_size;
	assert_int_equal(pktio_port_open(&cfg, &port), -EINVAL);
	assert_non_null(strstr(pktio_last_error(), "size=3"));
	cfg.options = bad_num;
	assert_int_equal(pktio_port_open(&cfg, &port), -EINVAL);
	assert_non_null(strstr(pktio_last_error(), "mtu=12x"));
	cfg.options = no_peer;
	assert_int_equal(pktio_port_open(&cfg, &port), -ENOENT);
	assert_non_null(strstr(pktio_last_error(), "peer=nope"));
	cfg.options = no_eq;
	assert_int_equal(pktio_port_open(&cfg, &port), -EINVAL);
	assert_non_null(
		strstr(pktio_last_error(), "\"size\" is not key=value"));
	cfg.options = NULL;
	cfg.n_options = 0;

	/* a driver that cannot open: af_xdp on a name that is no interface */
	cfg.driver = "af_xdp";
	assert_int_equal(pktio_port_open(&cfg, &port), -ENODEV);
	assert_non_null(strstr(pktio_last_error(), "no such interface"));
	/* refusals left nothing open: the name is free */
	cfg.driver = "ring";
	assert_int_equal(pktio_port_open(&cfg, &port), 0);
	struct pktio_port *dup;

	assert_int_equal(pktio_port_open(&cfg, &dup), -EEXIST);
	pktio_port_close(port);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_inject_drain_stats(void **state)
{
	struct pktio_pool *pool = make_pool(64);
	const char *opts[] = { "mtu=9000", "size=16" };
	struct pktio_port *port = open_ring("r1", 2, pool, opts, 2);
	struct pktio_buf *in[4], *got[8];
	struct pktio_port_stats s;
	struct pktio_port_info info;
	struct pktio_queue_info qi;

	(void)state;
	assert_int_equal(pktio_port_info(port, &info), 0);
	assert_string_equal(info.driver, "ring");
	assert_string_equal(info.dev, "r1");
	assert_string_equal(info.name, "r1");
	assert_int_equal(info.nqueues, 2);
	assert_int_equal(info.mtu, 9000);
	assert_true(info.link_up);
	assert_int_equal(info.mac[0], 0x02);
	assert_int_equal(pktio_queue_info(port, 1, &qi), 0);
	assert_string_equal(qi.mode, "zero-copy");
	assert_int_equal(pktio_queue_info(port, 2, &qi), -EINVAL);
	assert_ptr_equal(pktio_port_by_name("r1"), port);
	assert_ptr_equal(pktio_port_by_id(pktio_port_id(port)), port);

	fill(pool, in, 4, 60);
	assert_int_equal(pktio_ring_inject(port, 1, in, 4), 4);
	assert_int_equal(pktio_rx_burst(port, 0, got, 8), 0);
	assert_int_equal(pktio_rx_burst(port, 2, got, 8), 0);
	assert_int_equal(pktio_rx_burst(port, 1, got, 8), 4);
	for (int k = 0; k < 4; k++) {
		assert_ptr_equal(got[k], in[k]);
		assert_int_equal(got[k]->port, pktio_port_id(port));
		assert_int_equal(got[k]->queue, 1);
	}
	assert_int_equal(pktio_tx_burst(port, 1, got, 4), 4);
	assert_int_equal(pktio_ring_drain(port, 0, got, 8), 0);
	assert_int_equal(pktio_ring_drain(port, 1, got, 8), 4);
	for (int k = 0; k < 4; k++)
		assert_int_equal(((uint8_t *)pktio_buf_data(got[k]))[1], k + 1);
	assert_int_equal(pktio_port_stats(port, 1, &s), 0);
	assert_int_equal(s.rx_packets, 4);
	assert_int_equal(s.rx_bytes, 240);
	assert_int_equal(s.tx_packets, 4);
	assert_int_equal(s.tx_bytes, 240);
	assert_int_equal(s.rx_errors, 0);
	assert_int_equal(pktio_port_stats(port, 0, &s), 0);
	assert_int_equal(s.rx_packets, 0);

	/* a full tx ring (16): the rest stay the caller's, not counted */
	struct pktio_buf *many[20];

	pktio_buf_free_bulk(got, 4);
	fill(pool, many, 20, 10);
	assert_int_equal(pktio_tx_burst(port, 0, many, 20), 16);
	pktio_port_stats_total(port, &s);
	assert_int_equal(s.tx_packets, 20);
	assert_int_equal(s.tx_bytes, 240 + 160);
	pktio_buf_free_bulk(many + 16, 4);
	assert_int_equal(pktio_port_stats_reset(port), 0);
	pktio_port_stats_total(port, &s);
	assert_int_equal(s.tx_packets, 0);

	/* closing gives back the 16 still in the tx ring */
	pktio_port_close(port);
	assert_int_equal(pktio_pool_avail(pool), 64);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_runt_oversize(void **state)
{
	struct pktio_pool *pool = make_pool(16);
	struct pktio_port *port = open_ring("r2", 1, pool, NULL, 0);
	struct pktio_buf *in[3], *got[4];
	struct pktio_port_stats s;

	(void)state;
	fill(pool, in, 3, 0);
	assert_non_null(pktio_buf_append(in[1], 1519)); /* 1500 + 18 + 1 */
	assert_non_null(pktio_buf_append(in[2], 1518));
	assert_int_equal(pktio_ring_inject(port, 0, in, 3), 3);
	assert_int_equal(pktio_rx_burst(port, 0, got, 4), 1);
	assert_ptr_equal(got[0], in[2]);
	pktio_port_stats(port, 0, &s);
	assert_int_equal(s.rx_packets, 1);
	assert_int_equal(s.rx_bytes, 1518);
	assert_int_equal(s.rx_runts, 1);
	assert_int_equal(s.rx_oversize, 1);
	assert_int_equal(s.rx_errors, 2);
	/* the dropped ones went back */
	assert_int_equal(pktio_pool_avail(pool), 15);
	pktio_buf_free(got[0]);
	pktio_port_close(port);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_pair(void **state)
{
	struct pktio_pool *pool = make_pool(32);
	const char *peer[] = { "peer=pa" };
	struct pktio_port *a = open_ring("pa", 1, pool, NULL, 0);
	struct pktio_port *b = open_ring("pb", 1, pool, peer, 1);
	struct pktio_buf *out[4], *got[8];
	struct pktio_port_stats s;
	struct pktio_port_cfg cfg = { .driver = "ring",
				      .dev = "pc",
				      .nqueues = 1,
				      .pool = pool,
				      .options = peer,
				      .n_options = 1 };
	struct pktio_port *c;

	(void)state;
	/* a pair has two ends */
	assert_int_equal(pktio_port_open(&cfg, &c), -EBUSY);
	assert_non_null(strstr(pktio_last_error(), "paired already"));

	fill(pool, out, 4, 64);
	assert_int_equal(pktio_tx_burst(a, 0, out, 4), 4);
	assert_int_equal(pktio_ring_drain(a, 0, got, 8), 0);
	assert_int_equal(pktio_rx_burst(b, 0, got, 8), 4);
	for (int k = 0; k < 4; k++)
		assert_ptr_equal(got[k], out[k]);
	/* and back, without a copy */
	assert_int_equal(pktio_tx_burst(b, 0, got, 4), 4);
	assert_int_equal(pktio_rx_burst(a, 0, got, 8), 4);
	assert_int_equal(got[3]->port, pktio_port_id(a));
	pktio_port_stats(b, 0, &s);
	assert_int_equal(s.rx_packets, 4);
	assert_int_equal(s.tx_packets, 4);
	assert_int_equal(s.copies, 0);
	pktio_buf_free_bulk(got, 4);

	/* a closed peer: tx goes to the port's own tx ring again */
	pktio_port_close(b);
	fill(pool, out, 1, 10);
	assert_int_equal(pktio_tx_burst(a, 0, out, 1), 1);
	assert_int_equal(pktio_ring_drain(a, 0, got, 8), 1);
	pktio_buf_free(got[0]);
	pktio_port_close(a);
	assert_int_equal(pktio_pool_avail(pool), 32);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_pair_two_pools_copies(void **state)
{
	struct pktio_pool *pa = make_pool(8), *pb = make_pool(8);
	const char *peer[] = { "peer=qa" };
	struct pktio_port *a = open_ring("qa", 1, pa, NULL, 0);
	struct pktio_port *b = open_ring("qb", 1, pb, peer, 1);
	struct pktio_buf *out[3], *got[4];
	struct pktio_port_stats s;
	struct pktio_pool_stats ps;

	(void)state;
	fill(pa, out, 3, 100);
	assert_int_equal(pktio_tx_burst(a, 0, out, 3), 3);
	/* the originals went back to pool a, copies are in pool b */
	assert_int_equal(pktio_pool_avail(pa), 8);
	assert_int_equal(pktio_rx_burst(b, 0, got, 4), 3);
	for (int k = 0; k < 3; k++) {
		assert_ptr_equal(got[k]->pool, pb);
		assert_int_equal(pktio_buf_len(got[k]), 100);
		assert_int_equal(((uint8_t *)pktio_buf_data(got[k]))[99],
				 (uint8_t)(k + 99));
	}
	pktio_port_stats(a, 0, &s);
	assert_int_equal(s.copies, 3);
	pktio_pool_stats(pb, &ps);
	assert_int_equal(ps.copies, 3);

	/* and back: copied into pool a, pool b gets its buffers back */
	assert_int_equal(pktio_tx_burst(b, 0, got, 3), 3);
	assert_int_equal(pktio_pool_avail(pb), 8);
	assert_int_equal(pktio_rx_burst(a, 0, got, 4), 3);
	pktio_buf_free_bulk(got, 3);

	/* pool b empty: the copy fails, nothing is sent, caller keeps all */
	struct pktio_buf *hog[8];

	assert_int_equal(pktio_buf_alloc_bulk(pb, hog, 8), 0);
	fill(pa, out, 2, 10);
	assert_int_equal(pktio_tx_burst(a, 0, out, 2), 0);
	pktio_buf_free_bulk(out, 2);
	pktio_buf_free_bulk(hog, 8);

	pktio_port_close(a);
	pktio_port_close(b);
	assert_int_equal(pktio_pool_destroy(pa), 0);
	assert_int_equal(pktio_pool_destroy(pb), 0);
}

/* Pool b has room for one copy of three: one is sent (its original
 * freed), the two others stay the caller's, untouched. */
static void test_pair_copy_partial(void **state)
{
	struct pktio_pool *pa = make_pool(8), *pb = make_pool(8);
	const char *peer[] = { "peer=ca" };
	struct pktio_port *a = open_ring("ca", 1, pa, NULL, 0);
	struct pktio_port *b = open_ring("cb", 1, pb, peer, 1);
	struct pktio_buf *out[3], *got[4], *hog[7];
	struct pktio_port_stats s;

	(void)state;
	assert_int_equal(pktio_buf_alloc_bulk(pb, hog, 7), 0);
	fill(pa, out, 3, 50);
	assert_int_equal(pktio_tx_burst(a, 0, out, 3), 1);
	/* out[0] went (as a copy), out[1] and out[2] are still ours */
	assert_int_equal(pktio_pool_avail(pa), 8 - 2);
	for (int k = 1; k < 3; k++) {
		assert_int_equal(pktio_buf_refcnt(out[k]), 1);
		assert_int_equal(pktio_buf_len(out[k]), 50);
		assert_int_equal(((uint8_t *)pktio_buf_data(out[k]))[0], k);
	}
	pktio_port_stats(a, 0, &s);
	assert_int_equal(s.tx_packets, 1);
	assert_int_equal(s.tx_bytes, 50);
	assert_int_equal(s.copies, 1);
	assert_int_equal(pktio_rx_burst(b, 0, got, 4), 1);
	assert_ptr_equal(got[0]->pool, pb);
	assert_int_equal(((uint8_t *)pktio_buf_data(got[0]))[49], 49);
	pktio_buf_free(got[0]);
	pktio_buf_free_bulk(out + 1, 2);
	pktio_buf_free_bulk(hog, 7);
	pktio_port_close(b);
	pktio_port_close(a);
	assert_int_equal(pktio_pool_destroy(pa), 0);
	assert_int_equal(pktio_pool_destroy(pb), 0);
}

/* queue q of one end is queue q of the other: counts must match; queues
 * stay apart */
static void test_pair_queues(void **state)
{
	struct pktio_pool *pool = make_pool(16);
	const char *peer[] = { "peer=ma" };
	struct pktio_port *a = open_ring("ma", 2, pool, NULL, 0);
	struct pktio_port_cfg cfg = { .driver = "ring",
				      .dev = "mb",
				      .nqueues = 1,
				      .pool = pool,
				      .options = peer,
				      .n_options = 1 };
	struct pktio_port *b;
	struct pktio_buf *out[2], *got[4];

	(void)state;
	assert_int_equal(pktio_port_open(&cfg, &b), -EINVAL);
	assert_string_equal(
		pktio_last_error(),
		"port mb: driver ring: option peer=ma: it has 2 queues, this port 1");
	assert_null(pktio_port_by_name("mb"));
	cfg.nqueues = 2;
	assert_int_equal(pktio_port_open(&cfg, &b), 0);
	fill(pool, out, 2, 20);
	assert_int_equal(pktio_tx_burst(a, 1, out, 1), 1);
	assert_int_equal(pktio_tx_burst(b, 0, out + 1, 1), 1);
	assert_int_equal(pktio_rx_burst(b, 0, got, 4), 0);
	assert_int_equal(pktio_rx_burst(b, 1, got, 4), 1);
	assert_ptr_equal(got[0], out[0]);
	assert_int_equal(got[0]->queue, 1);
	assert_int_equal(pktio_rx_burst(a, 1, got + 1, 3), 0);
	assert_int_equal(pktio_rx_burst(a, 0, got + 1, 3), 1);
	assert_ptr_equal(got[1], out[1]);
	pktio_buf_free_bulk(got, 2);
	/* closing one end with buffers in its rx ring gives them back */
	fill(pool, out, 2, 20);
	assert_int_equal(pktio_tx_burst(a, 0, out, 2), 2);
	pktio_port_close(b);
	assert_int_equal(pktio_pool_avail(pool), 16);
	pktio_port_close(a);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* PKTIO_MAX_PORTS ports at most; a closed port's id is free again */
static void test_port_table_full(void **state)
{
	struct pktio_pool *pool = make_pool(4);
	const char *small[] = { "size=2" };
	struct pktio_port *ports[PKTIO_MAX_PORTS], *extra;
	struct pktio_port_cfg cfg = { .driver = "ring",
				      .nqueues = 1,
				      .pool = pool,
				      .options = small,
				      .n_options = 1 };
	char name[PKTIO_MAX_PORTS][16];
	uint16_t freed;

	(void)state;
	for (int i = 0; i < PKTIO_MAX_PORTS; i++) {
		snprintf(name[i], sizeof(name[i]), "t%d", i);
		ports[i] = open_ring(name[i], 1, pool, small, 1);
	}
	cfg.dev = "one-too-many";
	assert_int_equal(pktio_port_open(&cfg, &extra), -ENOSPC);
	assert_string_equal(pktio_last_error(),
			    "port one-too-many: too many ports open");
	/* the refused name opens once a port is closed, with its id */
	freed = pktio_port_id(ports[100]);
	pktio_port_close(ports[100]);
	assert_int_equal(pktio_port_open(&cfg, &extra), 0);
	assert_int_equal(pktio_port_id(extra), freed);
	assert_ptr_equal(pktio_port_by_id(freed), extra);
	pktio_port_close(extra);
	for (int i = 0; i < PKTIO_MAX_PORTS; i++)
		if (i != 100)
			pktio_port_close(ports[i]);
	errno = 0;
	assert_null(pktio_port_by_name("t0"));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* lo's flags as getifaddrs() says them: up and running */
static bool lo_up(void)
{
	struct ifaddrs *ifa, *i;
	bool up = false;

	assert_int_equal(getifaddrs(&ifa), 0);
	for (i = ifa; i; i = i->ifa_next)
		if (!strcmp(i->ifa_name, "lo"))
			up = (i->ifa_flags & IFF_UP) &&
			     (i->ifa_flags & IFF_RUNNING);
	freeifaddrs(ifa);
	return up;
}

/* the drivers' helper for kernel interfaces, on the loopback */
static void test_netdev_link(void **state)
{
	static const uint8_t zero_mac[6];
	struct pktio_pool *pool = make_pool(4);
	struct pktio_port *port = open_ring("nd0", 1, pool, NULL, 0);
	struct pktio_port_info info;

	(void)state;
	/* the ring driver's link facts first: a made-up MAC, no ifindex */
	assert_int_equal(pktio_port_info(port, &info), 0);
	assert_int_equal(info.ifindex, 0);
	assert_int_equal(info.mac[0], 0x02);
	assert_int_equal(pktio_drv_netdev_link(port, "lo"), 0);
	assert_int_equal(pktio_port_info(port, &info), 0);
	assert_int_equal(info.ifindex, (int)if_nametoindex("lo"));
	assert_true(info.mtu >= 1500);
	assert_int_equal(info.link_up, lo_up());
	/* the loopback's hardware address is all zeros */
	assert_memory_equal(info.mac, zero_mac, 6);
	assert_int_equal(pktio_drv_netdev_link(port, "nosuchif0"), -ENODEV);
	assert_string_equal(pktio_last_error(),
			    "port nd0: interface nosuchif0: no such interface");
	assert_int_equal(pktio_drv_netdev_link(port, "a-name-far-too-long-0"),
			 -EINVAL);
	/* a refusal leaves the link facts as they were */
	assert_int_equal(pktio_port_info(port, &info), 0);
	assert_int_equal(info.ifindex, (int)if_nametoindex("lo"));
	pktio_port_close(port);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_limits),
		cmocka_unit_test(test_ring_spsc_threads),
		cmocka_unit_test(test_port_cfg_refused),
		cmocka_unit_test(test_inject_drain_stats),
		cmocka_unit_test(test_runt_oversize),
		cmocka_unit_test(test_pair),
		cmocka_unit_test(test_pair_two_pools_copies),
		cmocka_unit_test(test_pair_copy_partial),
		cmocka_unit_test(test_pair_queues),
		cmocka_unit_test(test_port_table_full),
		cmocka_unit_test(test_netdev_link),
	};

	pktio_set_log(NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
