// SPDX-License-Identifier: BSD-2-Clause
/* libpktio buffers: pool config, exhaustion, headroom and bounds, the
 * AF_XDP address mapping, clones, copies, and per-thread caches giving
 * every buffer back. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>
#include <cmocka.h>
#include <sluice/pktio/pktio.h>
#include <sluice/pktio/ring.h>
#include "pktio_driver.h"

static struct pktio_pool *make_pool(uint32_t count, uint32_t cache)
{
	struct pktio_pool_cfg cfg;
	struct pktio_pool *pool;

	pktio_pool_cfg_init(&cfg, count);
	cfg.name = "test";
	cfg.cache_size = cache;
	assert_int_equal(pktio_pool_create(&cfg, &pool), 0);
	return pool;
}

static void test_cfg_refused(void **state)
{
	struct pktio_pool_cfg cfg;
	struct pktio_pool *pool = (void *)1;

	(void)state;
	pktio_pool_cfg_init(&cfg, 16);
	assert_int_equal(cfg.buf_size, 2048);
	assert_int_equal(cfg.headroom, 256);
	cfg.buf_size = 1000;
	assert_int_equal(pktio_pool_create(&cfg, &pool), -EINVAL);
	assert_null(pool);
	assert_non_null(strstr(pktio_last_error(), "buf_size 1000"));
	cfg.buf_size = 2048;
	cfg.count = 0;
	assert_int_equal(pktio_pool_create(&cfg, &pool), -EINVAL);
	assert_non_null(strstr(pktio_last_error(), "count 0"));
	cfg.count = 16;
	cfg.headroom = 2048;
	assert_int_equal(pktio_pool_create(&cfg, &pool), -EINVAL);
	assert_non_null(strstr(pktio_last_error(), "headroom 2048"));
	cfg.headroom = 256;
	cfg.cache_size = 100000;
	assert_int_equal(pktio_pool_create(&cfg, &pool), -EINVAL);
	assert_non_null(strstr(pktio_last_error(), "cache_size 100000"));
}

static void exhaust(uint32_t cache)
{
	struct pktio_pool *pool = make_pool(8, cache);
	struct pktio_buf *b[9], *one;
	struct pktio_pool_stats s;

	for (int i = 0; i < 8; i++) {
		b[i] = pktio_buf_alloc(pool);
		assert_non_null(b[i]);
	}
	errno = 0;
	assert_null(pktio_buf_alloc(pool));
	assert_int_equal(errno, ENOBUFS);
	assert_int_equal(pktio_buf_alloc_bulk(pool, &one, 1), -ENOBUFS);
	assert_int_equal(pktio_buf_alloc_burst(pool, &one, 1), 0);
	assert_int_equal(pktio_pool_avail(pool), 0);
	pktio_pool_stats(pool, &s);
	assert_int_equal(s.total, 8);
	assert_int_equal(s.in_use, 8);
	assert_int_equal(s.alloc_fails, 3);
	/* 8 distinct frames */
	for (int i = 0; i < 8; i++)
		for (int j = i + 1; j < 8; j++)
			assert_ptr_not_equal(b[i]->frame, b[j]->frame);
	pktio_buf_free_bulk(b, 8);
	assert_int_equal(pktio_pool_avail(pool), 8);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_exhaustion_no_cache(void **state)
{
	(void)state;
	exhaust(0);
}

static void test_exhaustion_cache(void **state)
{
	(void)state;
	exhaust(4);
}

static void test_bulk_all_or_nothing(void **state)
{
	struct pktio_pool *pool = make_pool(100, 8);
	struct pktio_buf *a[64], *b[64];

	(void)state;
	assert_int_equal(pktio_buf_alloc_bulk(pool, a, 64), 0);
	assert_int_equal(pktio_buf_alloc_bulk(pool, b, 64), -ENOBUFS);
	/* nothing was taken by the refused call */
	assert_int_equal(pktio_pool_avail(pool), 36);
	assert_int_equal(pktio_buf_alloc_burst(pool, b, 64), 36);
	assert_int_equal(pktio_pool_avail(pool), 0);
	pktio_buf_free_bulk(a, 64);
	pktio_buf_free_bulk(b, 36);
	assert_int_equal(pktio_pool_avail(pool), 100);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* A request larger than the cache takes what the calling thread's cache
 * holds too: "none left" must mean none. */
static void test_big_request_uses_cache(void **state)
{
	struct pktio_pool *pool = make_pool(100, 8);
	struct pktio_buf *b[100];

	(void)state;
	/* the first alloc fills the cache: 1 out, 8 cached, 91 on the stack */
	b[0] = pktio_buf_alloc(pool);
	assert_non_null(b[0]);
	assert_int_equal(pktio_buf_alloc_bulk(pool, b + 1, 91), 0);
	assert_int_equal(pktio_pool_avail(pool), 8);
	/* 32 > 2 * cache: the 8 cached ones are all there is */
	assert_int_equal(pktio_buf_alloc_burst(pool, b + 92, 32), 8);
	assert_int_equal(pktio_pool_avail(pool), 0);
	pktio_buf_free_bulk(b, 100);
	/* every buffer free, split between stack and cache: the whole pool
	 * comes out in one call, and a refusal takes nothing */
	assert_int_equal(pktio_pool_avail(pool), 100);
	assert_int_equal(pktio_buf_alloc_bulk(pool, b, 100), 0);
	assert_int_equal(pktio_pool_avail(pool), 0);
	pktio_buf_free_bulk(b, 60);
	assert_int_equal(pktio_buf_alloc_bulk(pool, b, 61), -ENOBUFS);
	assert_int_equal(pktio_pool_avail(pool), 60);
	assert_int_equal(pktio_buf_alloc_bulk(pool, b, 60), 0);
	pktio_buf_free_bulk(b, 100);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_destroy_busy(void **state)
{
	struct pktio_pool *pool = make_pool(4, 2);
	struct pktio_buf *b = pktio_buf_alloc(pool);

	(void)state;
	assert_int_equal(pktio_pool_destroy(pool), -EBUSY);
	assert_non_null(strstr(pktio_last_error(), "1 of 4 buffers"));
	pktio_buf_free(b);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_headroom_bounds(void **state)
{
	struct pktio_pool *pool = make_pool(4, 0);
	struct pktio_buf *b = pktio_buf_alloc(pool);
	uint8_t *p;

	(void)state;
	assert_int_equal(pktio_buf_headroom(b), 256);
	assert_ptr_equal(pktio_buf_data(b), b->frame + 256);
	assert_int_equal(pktio_buf_len(b), 0);
	assert_int_equal(pktio_buf_tailroom(b), 2048 - 256);

	p = pktio_buf_append(b, 100);
	assert_ptr_equal(p, b->frame + 256);
	memset(p, 0xab, 100);
	p = pktio_buf_prepend(b, 14);
	assert_ptr_equal(p, b->frame + 242);
	assert_int_equal(pktio_buf_len(b), 114);
	/* 242 bytes of headroom left: 243 is refused, nothing changes */
	errno = 0;
	assert_null(pktio_buf_prepend(b, 243));
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(pktio_buf_headroom(b), 242);
	assert_non_null(pktio_buf_prepend(b, 242));
	assert_int_equal(pktio_buf_headroom(b), 0);
	assert_null(pktio_buf_prepend(b, 1));

	assert_non_null(pktio_buf_adj(b, 256));
	assert_int_equal(pktio_buf_len(b), 100);
	assert_int_equal(((uint8_t *)pktio_buf_data(b))[0], 0xab);
	assert_null(pktio_buf_adj(b, 101));
	assert_int_equal(errno, EINVAL);
	assert_null(pktio_buf_append(b, 2048 - 256 - 100 + 1));
	assert_int_equal(errno, ENOSPC);
	assert_non_null(pktio_buf_append(b, 2048 - 256 - 100));
	assert_int_equal(pktio_buf_tailroom(b), 0);
	assert_int_equal(pktio_buf_trim(b, 2048), -EINVAL);
	assert_int_equal(pktio_buf_trim(b, 2048 - 256 - 100), 0);
	assert_int_equal(pktio_buf_len(b), 100);
	assert_int_equal(pktio_buf_set_len(b, 2048), -EINVAL);

	/* a freed and reallocated buffer starts at the headroom again */
	pktio_buf_free(b);
	b = pktio_buf_alloc(pool);
	assert_int_equal(pktio_buf_headroom(b), 256);
	assert_int_equal(pktio_buf_len(b), 0);
	pktio_buf_free(b);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_area_addr(void **state)
{
	struct pktio_pool *pool = make_pool(16, 0);
	struct pktio_buf *b[16];
	size_t len;
	void *base;

	(void)state;
	pktio_pool_area(pool, &base, &len);
	assert_int_equal((uintptr_t)base % (uintptr_t)sysconf(_SC_PAGESIZE), 0);
	assert_int_equal(len, 16 * 2048);
	assert_int_equal(pktio_buf_alloc_bulk(pool, b, 16), 0);
	for (int i = 0; i < 16; i++) {
		uint64_t addr = pktio_buf_addr(b[i]);

		assert_true(addr < len);
		assert_ptr_equal((uint8_t *)base + addr, pktio_buf_data(b[i]));
		assert_ptr_equal(pktio_pool_addr_buf(pool, addr), b[i]);
		/* any address inside the frame maps to it */
		assert_ptr_equal(pktio_pool_addr_buf(pool, addr + 1000), b[i]);
	}
	assert_null(pktio_pool_addr_buf(pool, len));
	assert_int_equal(pktio_drv_buf_set(b[0], 300, 100), 0);
	assert_int_equal(pktio_buf_addr(b[0]) % 2048, 300);
	assert_int_equal(pktio_drv_buf_set(b[0], 2000, 100), -EINVAL);
	pktio_buf_free_bulk(b, 16);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* The area registers as an AF_XDP UMEM as is (aligned mode, one frame a
 * chunk), for the frame sizes the kernel takes there: 2048 and the page
 * size.  Needs CAP_NET_RAW and AF_XDP: skipped without them,
 * except under CI, where that fails. */
static int umem_register(struct pktio_pool *pool)
{
	struct xdp_umem_reg reg = { 0 };
	size_t len;
	void *base;
	int fd, err = 0;

	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	pktio_pool_area(pool, &base, &len);
	reg.addr = (uint64_t)(uintptr_t)base;
	reg.len = len;
	reg.chunk_size = pktio_pool_buf_size(pool);
	/* the kernel adds XDP_PACKET_HEADROOM (the pool's 256) itself */
	reg.headroom = 0;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)))
		err = -errno;
	close(fd);
	return err;
}

static void test_area_is_umem(void **state)
{
	struct pktio_pool_cfg cfg;
	struct pktio_pool *pool;
	int fd;

	(void)state;
	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		/* CI's machines have AF_XDP: there nothing may skip */
		if (getenv("CI"))
			fail_msg("no AF_XDP socket under CI: %s",
				 strerror(errno));
		print_message("# no AF_XDP socket here (%s): skipped\n",
			      strerror(errno));
		skip();
	}
	close(fd);
	pktio_pool_cfg_init(&cfg, 64);
	assert_int_equal(pktio_pool_create(&cfg, &pool), 0);
	assert_int_equal(umem_register(pool), 0);
	assert_int_equal(pktio_pool_destroy(pool), 0);
	cfg.buf_size = (uint32_t)sysconf(_SC_PAGESIZE);
	assert_int_equal(pktio_pool_create(&cfg, &pool), 0);
	assert_int_equal(umem_register(pool), 0);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_clone(void **state)
{
	struct pktio_pool *pool = make_pool(4, 2);
	struct pktio_buf *b = pktio_buf_alloc(pool), *c;

	(void)state;
	memcpy(pktio_buf_append(b, 5), "hello", 5);
	c = pktio_buf_clone(b);
	assert_ptr_equal(pktio_buf_data(c), pktio_buf_data(b));
	assert_int_equal(pktio_buf_refcnt(b), 2);
	/* shared: bounds stay as they are */
	errno = 0;
	assert_null(pktio_buf_prepend(c, 4));
	assert_int_equal(errno, EBUSY);
	assert_int_equal(pktio_buf_trim(c, 1), -EBUSY);
	pktio_buf_free(b);
	/* the data is alive until the last reference goes */
	assert_int_equal(pktio_pool_avail(pool), 3);
	assert_memory_equal(pktio_buf_data(c), "hello", 5);
	/* alloc everything left: the clone's frame is not handed out */
	struct pktio_buf *rest[3];

	assert_int_equal(pktio_buf_alloc_bulk(pool, rest, 3), 0);
	for (int i = 0; i < 3; i++)
		assert_ptr_not_equal(rest[i], c);
	assert_null(pktio_buf_alloc(pool));
	pktio_buf_free_bulk(rest, 3);
	assert_int_equal(pktio_buf_refcnt(c), 1);
	assert_non_null(pktio_buf_prepend(c, 4));
	pktio_buf_free(c);
	assert_int_equal(pktio_pool_avail(pool), 4);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

static void test_copy_counted(void **state)
{
	struct pktio_pool *a = make_pool(4, 0), *b = make_pool(4, 0);
	struct pktio_buf *x = pktio_buf_alloc(a), *y;
	struct pktio_pool_stats s;

	(void)state;
	memcpy(pktio_buf_append(x, 3), "abc", 3);
	y = pktio_buf_copy(b, x);
	assert_non_null(y);
	assert_ptr_equal(y->pool, b);
	assert_int_equal(pktio_buf_len(y), 3);
	assert_memory_equal(pktio_buf_data(y), "abc", 3);
	pktio_pool_stats(b, &s);
	assert_int_equal(s.copies, 1);
	pktio_pool_stats(a, &s);
	assert_int_equal(s.copies, 0);
	pktio_buf_free(x);
	pktio_buf_free(y);
	assert_int_equal(pktio_pool_destroy(a), 0);
	assert_int_equal(pktio_pool_destroy(b), 0);
}

/* Two threads: the producer allocates and hands buffers to the consumer
 * over an SPSC ring, the consumer frees them (so buffers move from one
 * thread's cache to the other's), and both also alloc/free on their own. */
#define HANDOFF_N 200000u

struct handoff {
	struct pktio_pool *pool;
	struct pktio_ring *ring;
	uint32_t received;
};

static void *producer(void *arg)
{
	struct handoff *h = arg;
	struct pktio_buf *b[32], *own[16];
	uint32_t sent = 0;

	while (sent < HANDOFF_N) {
		unsigned int n = pktio_buf_alloc_burst(h->pool, b, 32), q = 0;

		while (q < n)
			q += pktio_ring_enqueue_burst(
				h->ring, (void *const *)b + q, n - q);
		sent += n;
		if (pktio_buf_alloc_bulk(h->pool, own, 16) == 0)
			pktio_buf_free_bulk(own, 16);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct handoff *h = arg;
	struct pktio_buf *b[32];

	while (h->received < HANDOFF_N) {
		unsigned int n =
			pktio_ring_dequeue_burst(h->ring, (void **)b, 32);

		pktio_buf_free_bulk(b, n);
		h->received += n;
	}
	return NULL;
}

static void test_thread_caches(void **state)
{
	struct handoff h = { 0 };
	pthread_t p, c;

	(void)state;
	h.pool = make_pool(1024, 64);
	assert_int_equal(pktio_ring_create("handoff", 256, &h.ring), 0);
	assert_int_equal(pthread_create(&c, NULL, consumer, &h), 0);
	assert_int_equal(pthread_create(&p, NULL, producer, &h), 0);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	assert_int_equal(h.received, HANDOFF_N);
	/* the exited threads' caches went back */
	assert_int_equal(pktio_pool_avail(h.pool), 1024);
	pktio_ring_destroy(h.ring);
	assert_int_equal(pktio_pool_destroy(h.pool), 0);
}

/* A thread that keeps its cache (full of free buffers) while the pool is
 * destroyed: those count as available, destroy frees the cache, and the
 * thread's exit afterwards runs no destructor on it (ASan would see). */
struct idle_thread {
	struct pktio_pool *pool;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stage; /* 1: cache filled, 2: pool destroyed */
};

static void *cache_holder(void *arg)
{
	struct idle_thread *t = arg;
	struct pktio_buf *b[4];

	if (pktio_buf_alloc_bulk(t->pool, b, 4) == 0)
		pktio_buf_free_bulk(b, 4);
	pthread_mutex_lock(&t->lock);
	t->stage = 1;
	pthread_cond_broadcast(&t->cond);
	while (t->stage != 2)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static void test_destroy_with_live_cache(void **state)
{
	struct idle_thread t = { .lock = PTHREAD_MUTEX_INITIALIZER,
				 .cond = PTHREAD_COND_INITIALIZER };
	struct pktio_pool *other;
	pthread_t th;

	(void)state;
	t.pool = make_pool(64, 16);
	assert_int_equal(pthread_create(&th, NULL, cache_holder, &t), 0);
	pthread_mutex_lock(&t.lock);
	while (t.stage != 1)
		pthread_cond_wait(&t.cond, &t.lock);
	pthread_mutex_unlock(&t.lock);
	/* the thread's cache holds at least its 4 freed buffers */
	assert_int_equal(pktio_pool_avail(t.pool), 64);
	assert_int_equal(pktio_pool_destroy(t.pool), 0);
	/* a new pool may reuse the key: the thread's stale value is not it */
	other = make_pool(8, 4);
	pthread_mutex_lock(&t.lock);
	t.stage = 2;
	pthread_cond_broadcast(&t.cond);
	pthread_mutex_unlock(&t.lock);
	pthread_join(th, NULL);
	assert_int_equal(pktio_pool_avail(other), 8);
	assert_int_equal(pktio_pool_destroy(other), 0);
}

/* Clones freed on two threads at once: each frame goes back exactly once
 * (a double return would leave avail above total, or overflow the stack). */
#define CLONE_N 100000u

struct clone_race {
	struct pktio_pool *pool;
	struct pktio_ring *ring;
};

static void *clone_freer(void *arg)
{
	struct clone_race *cr = arg;
	struct pktio_buf *b[32];
	uint32_t done = 0;

	while (done < CLONE_N) {
		unsigned int n =
			pktio_ring_dequeue_burst(cr->ring, (void **)b, 32);

		pktio_buf_free_bulk(b, n);
		done += n;
	}
	return NULL;
}

static void test_clone_threads(void **state)
{
	struct clone_race cr;
	struct pktio_buf *b[16], *c[16];
	uint32_t sent = 0;
	pthread_t th;

	(void)state;
	cr.pool = make_pool(256, 16);
	assert_int_equal(pktio_ring_create("clones", 64, &cr.ring), 0);
	assert_int_equal(pthread_create(&th, NULL, clone_freer, &cr), 0);
	while (sent < CLONE_N) {
		unsigned int want = CLONE_N - sent < 16 ? CLONE_N - sent : 16;
		unsigned int n = pktio_buf_alloc_burst(cr.pool, b, want), q = 0;

		for (unsigned int i = 0; i < n; i++)
			c[i] = pktio_buf_clone(b[i]);
		while (q < n)
			q += pktio_ring_enqueue_burst(
				cr.ring, (void *const *)c + q, n - q);
		/* the other thread may free its reference first, or not */
		pktio_buf_free_bulk(b, n);
		sent += n;
	}
	pthread_join(th, NULL);
	assert_int_equal(sent, CLONE_N);
	assert_int_equal(pktio_pool_avail(cr.pool), 256);
	pktio_ring_destroy(cr.ring);
	assert_int_equal(pktio_pool_destroy(cr.pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg_refused),
		cmocka_unit_test(test_exhaustion_no_cache),
		cmocka_unit_test(test_exhaustion_cache),
		cmocka_unit_test(test_bulk_all_or_nothing),
		cmocka_unit_test(test_big_request_uses_cache),
		cmocka_unit_test(test_destroy_busy),
		cmocka_unit_test(test_headroom_bounds),
		cmocka_unit_test(test_area_addr),
		cmocka_unit_test(test_area_is_umem),
		cmocka_unit_test(test_clone),
		cmocka_unit_test(test_copy_counted),
		cmocka_unit_test(test_thread_caches),
		cmocka_unit_test(test_destroy_with_live_cache),
		cmocka_unit_test(test_clone_threads),
	};

	pktio_set_log(NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
