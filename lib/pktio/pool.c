// SPDX-License-Identifier: BSD-2-Clause
/*
 * The buffer pool: count frames of buf_size bytes in one page-aligned mmap
 * (an AF_XDP UMEM as is), their metadata in a separate array indexed by
 * frame number, a shared stack of free buffers under a mutex and, per
 * thread, a cache that alloc and free use without a lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "pktio_internal.h"

void pktio_pool_cfg_init(struct pktio_pool_cfg *cfg, uint32_t count)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->count = count;
	cfg->buf_size = PKTIO_BUF_SIZE_DEFAULT;
	cfg->headroom = PKTIO_HEADROOM_DEFAULT;
	cfg->cache_size = PKTIO_CACHE_SIZE_DEFAULT;
}

static int check_cfg(const struct pktio_pool_cfg *cfg)
{
	const char *name = cfg->name ? cfg->name : "";

	if (strlen(name) >= PKTIO_NAME_MAX) {
		pktio_err("pool name: \"%s\" is longer than %d characters",
			  name, PKTIO_NAME_MAX - 1);
		return -EINVAL;
	}
	if (cfg->count == 0 || cfg->count > (1u << 24)) {
		pktio_err("pool %s: count %u is not within 1..%u", name,
			  cfg->count, 1u << 24);
		return -EINVAL;
	}
	if (cfg->buf_size < PKTIO_BUF_SIZE_MIN ||
	    cfg->buf_size > PKTIO_BUF_SIZE_MAX ||
	    (cfg->buf_size & (cfg->buf_size - 1))) {
		pktio_err(
			"pool %s: buf_size %u is not a power of two within %u..%u",
			name, cfg->buf_size, PKTIO_BUF_SIZE_MIN,
			PKTIO_BUF_SIZE_MAX);
		return -EINVAL;
	}
	if (cfg->headroom >= cfg->buf_size) {
		pktio_err("pool %s: headroom %u leaves no room in buf_size %u",
			  name, cfg->headroom, cfg->buf_size);
		return -EINVAL;
	}
	if (cfg->cache_size > PKTIO_CACHE_SIZE_MAX) {
		pktio_err("pool %s: cache_size %u is above %u", name,
			  cfg->cache_size, PKTIO_CACHE_SIZE_MAX);
		return -EINVAL;
	}
	return 0;
}

/* Gives a thread's cached buffers back to the shared stack; pool locked. */
static void cache_flush_locked(struct pktio_cache *c, uint32_t keep)
{
	struct pktio_pool *pool = c->pool;

	while (c->len > keep)
		pool->stack[pool->top++] = c->objs[--c->len];
}

static void cache_unlink_locked(struct pktio_cache *c)
{
	struct pktio_cache **pp = &c->pool->caches;

	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp)
		*pp = c->next;
}

/* pthread key destructor: the thread exits, its buffers go back. */
static void cache_release(void *arg)
{
	struct pktio_cache *c = arg;
	struct pktio_pool *pool = c->pool;

	pthread_mutex_lock(&pool->lock);
	cache_flush_locked(c, 0);
	cache_unlink_locked(c);
	pthread_mutex_unlock(&pool->lock);
	free(c);
}

static struct pktio_cache *cache_create(struct pktio_pool *pool)
{
	struct pktio_cache *c;

	c = calloc(1, sizeof(*c) + (3 * pool->cache_size + PKTIO_CACHE_SLACK) *
					   sizeof(c->objs[0]));
	if (!c)
		return NULL;
	c->pool = pool;
	c->size = pool->cache_size;
	if (pthread_setspecific(pool->cache_key, c)) {
		free(c);
		return NULL;
	}
	pthread_mutex_lock(&pool->lock);
	c->next = pool->caches;
	pool->caches = c;
	pthread_mutex_unlock(&pool->lock);
	return c;
}

/* The calling thread's cache, NULL when the pool has none (or no memory:
 * then the shared stack serves, slower but right). */
static inline struct pktio_cache *cache_get(struct pktio_pool *pool)
{
	struct pktio_cache *c;

	if (!pool->cache_size)
		return NULL;
	c = pthread_getspecific(pool->cache_key);
	if (likely(c))
		return c;
	return cache_create(pool);
}

int pktio_pool_create(const struct pktio_pool_cfg *cfg, struct pktio_pool **out)
{
	struct pktio_pool *pool;
	int err;

	*out = NULL;
	err = check_cfg(cfg);
	if (err)
		return err;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	snprintf(pool->name, sizeof(pool->name), "%s",
		 cfg->name ? cfg->name : "");
	pool->count = cfg->count;
	pool->buf_size = cfg->buf_size;
	pool->buf_shift = (uint32_t)__builtin_ctz(cfg->buf_size);
	pool->headroom = cfg->headroom;
	pool->cache_size = cfg->cache_size;

	pool->area_len = (size_t)cfg->count * cfg->buf_size;
	pool->area = mmap(NULL, pool->area_len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool->area == MAP_FAILED) {
		err = -errno;
		pktio_err("pool %s: mmap of %zu bytes: %s", pool->name,
			  pool->area_len, strerror(errno));
		goto err_free_pool;
	}
	pool->bufs = aligned_alloc(PKTIO_CACHELINE,
				   sizeof(*pool->bufs) * cfg->count);
	pool->stack = calloc(cfg->count, sizeof(*pool->stack));
	if (!pool->bufs || !pool->stack) {
		err = -ENOMEM;
		goto err_free_arrays;
	}
	memset(pool->bufs, 0, sizeof(*pool->bufs) * cfg->count);
	err = -pthread_key_create(&pool->cache_key, cache_release);
	if (err)
		goto err_free_arrays;
	pthread_mutex_init(&pool->lock, NULL);

	for (uint32_t i = 0; i < cfg->count; i++) {
		struct pktio_buf *b = &pool->bufs[i];

		b->pool = pool;
		b->frame = pool->area + ((size_t)i << pool->buf_shift);
		b->idx = i;
		b->buf_size = pool->buf_size;
		/* the stack pops the lowest frames first */
		pool->stack[cfg->count - 1 - i] = b;
	}
	pool->top = cfg->count;
	*out = pool;
	return 0;

err_free_arrays:
	free(pool->stack);
	free(pool->bufs);
	munmap(pool->area, pool->area_len);
err_free_pool:
	free(pool);
	return err;
}

uint32_t pktio_pool_avail(struct pktio_pool *pool)
{
	uint32_t n;

	pthread_mutex_lock(&pool->lock);
	n = pool->top;
	for (struct pktio_cache *c = pool->caches; c; c = c->next)
		n += __atomic_load_n(&c->len, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&pool->lock);
	return n;
}

int pktio_pool_destroy(struct pktio_pool *pool)
{
	uint32_t avail;

	if (!pool)
		return 0;
	avail = pktio_pool_avail(pool);
	if (avail != pool->count) {
		pktio_err("pool %s: %u of %u buffers still in use", pool->name,
			  pool->count - avail, pool->count);
		return -EBUSY;
	}
	/* no destructor runs after this: the caches are freed here */
	pthread_key_delete(pool->cache_key);
	while (pool->caches) {
		struct pktio_cache *c = pool->caches;

		pool->caches = c->next;
		free(c);
	}
	pthread_mutex_destroy(&pool->lock);
	free(pool->stack);
	free(pool->bufs);
	munmap(pool->area, pool->area_len);
	free(pool);
	return 0;
}

void pktio_pool_area(const struct pktio_pool *pool, void **base, size_t *len)
{
	*base = pool->area;
	*len = pool->area_len;
}

const char *pktio_pool_name(const struct pktio_pool *pool)
{
	return pool->name;
}

uint32_t pktio_pool_buf_size(const struct pktio_pool *pool)
{
	return pool->buf_size;
}

uint32_t pktio_pool_headroom(const struct pktio_pool *pool)
{
	return pool->headroom;
}

uint32_t pktio_pool_count(const struct pktio_pool *pool)
{
	return pool->count;
}

void pktio_pool_stats(struct pktio_pool *pool, struct pktio_pool_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->total = pool->count;
	s->avail = pktio_pool_avail(pool);
	s->in_use = s->total - s->avail;
	s->copies = __atomic_load_n(&pool->copies, __ATOMIC_RELAXED);
	s->alloc_fails = __atomic_load_n(&pool->alloc_fails, __ATOMIC_RELAXED);
}

void pktio_pool_count_copies(struct pktio_pool *pool, uint64_t n)
{
	__atomic_fetch_add(&pool->copies, n, __ATOMIC_RELAXED);
}

struct pktio_buf *pktio_pool_idx_buf(struct pktio_pool *pool, uint32_t idx)
{
	if (idx >= pool->count) {
		errno = EINVAL;
		return NULL;
	}
	return &pool->bufs[idx];
}

struct pktio_buf *pktio_pool_addr_buf(struct pktio_pool *pool, uint64_t addr)
{
	return pktio_pool_idx_buf(pool, (uint32_t)(addr >> pool->buf_shift));
}

static inline void buf_reset(struct pktio_pool *pool, struct pktio_buf *b)
{
	b->data_off = pool->headroom;
	b->len = 0;
	b->port = PKTIO_PORT_NONE;
	b->queue = 0;
	b->ol_flags = 0;
	b->rx_hash = 0;
	b->udata = 0;
	__atomic_store_n(&b->refcnt, 1, __ATOMIC_RELAXED);
}

/* Takes up to n from the shared stack into objs: how many. */
static uint32_t stack_take(struct pktio_pool *pool, struct pktio_buf **objs,
			   uint32_t n)
{
	uint32_t got;

	pthread_mutex_lock(&pool->lock);
	got = n < pool->top ? n : pool->top;
	for (uint32_t i = 0; i < got; i++)
		objs[i] = pool->stack[--pool->top];
	pthread_mutex_unlock(&pool->lock);
	return got;
}

static void stack_put(struct pktio_pool *pool, struct pktio_buf *const *objs,
		      uint32_t n)
{
	pthread_mutex_lock(&pool->lock);
	for (uint32_t i = 0; i < n; i++)
		pool->stack[pool->top++] = objs[i];
	pthread_mutex_unlock(&pool->lock);
}

/* Up to n buffers from the calling thread's cache: how many. */
static uint32_t cache_take(struct pktio_cache *c, struct pktio_buf **bufs,
			   uint32_t n)
{
	uint32_t got = n < c->len ? n : c->len;

	for (uint32_t i = 0; i < got; i++)
		bufs[i] = c->objs[c->len - 1 - i];
	__atomic_store_n(&c->len, c->len - got, __ATOMIC_RELAXED);
	return got;
}

/* Up to n buffers, not reset: how many (all or none when exact). */
static uint32_t pool_get(struct pktio_pool *pool, struct pktio_buf **bufs,
			 uint32_t n, bool exact)
{
	struct pktio_cache *c = cache_get(pool);
	uint32_t got, want;

	if (!c || n > c->size * 2) {
		/* too many for the cache: from the stack, then what this
		 * thread's cache holds, so that "none" means none */
		got = stack_take(pool, bufs, n);
		if (got < n && c)
			got += cache_take(c, bufs + got, n - got);
		if (got < n && exact) {
			stack_put(pool, bufs, got);
			return 0;
		}
		return got;
	}
	if (c->len < n) {
		/* refill to size beyond what this call takes */
		want = c->size + n - c->len;
		got = stack_take(pool, &c->objs[c->len], want);
		__atomic_store_n(&c->len, c->len + got, __ATOMIC_RELAXED);
		if (c->len < n && exact)
			return 0;
	}
	return cache_take(c, bufs, n);
}

static void pool_put(struct pktio_pool *pool, struct pktio_buf *b)
{
	struct pktio_cache *c = cache_get(pool);

	if (!c) {
		stack_put(pool, &b, 1);
		return;
	}
	c->objs[c->len] = b;
	__atomic_store_n(&c->len, c->len + 1, __ATOMIC_RELAXED);
	if (unlikely(c->len > 2 * c->size)) {
		pthread_mutex_lock(&pool->lock);
		cache_flush_locked(c, c->size);
		pthread_mutex_unlock(&pool->lock);
	}
}

struct pktio_buf *pktio_buf_alloc(struct pktio_pool *pool)
{
	struct pktio_buf *b;

	if (!pool_get(pool, &b, 1, true)) {
		__atomic_fetch_add(&pool->alloc_fails, 1, __ATOMIC_RELAXED);
		errno = ENOBUFS;
		return NULL;
	}
	buf_reset(pool, b);
	return b;
}

int pktio_buf_alloc_bulk(struct pktio_pool *pool, struct pktio_buf **bufs,
			 unsigned int n)
{
	if (!n)
		return 0;
	if (!pool_get(pool, bufs, n, true)) {
		__atomic_fetch_add(&pool->alloc_fails, 1, __ATOMIC_RELAXED);
		return -ENOBUFS;
	}
	for (unsigned int i = 0; i < n; i++)
		buf_reset(pool, bufs[i]);
	return 0;
}

unsigned int pktio_buf_alloc_burst(struct pktio_pool *pool,
				   struct pktio_buf **bufs, unsigned int n)
{
	unsigned int got = 0, r;

	/* a burst larger than the cache is served in cache-sized steps */
	while (got < n) {
		r = pool_get(pool, bufs + got, n - got, false);
		if (!r)
			break;
		got += r;
	}
	if (got < n)
		__atomic_fetch_add(&pool->alloc_fails, 1, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < got; i++)
		buf_reset(pool, bufs[i]);
	return got;
}

void pktio_buf_free(struct pktio_buf *b)
{
	/* the sole owner skips the atomic read-modify-write */
	if (likely(__atomic_load_n(&b->refcnt, __ATOMIC_ACQUIRE) == 1) ||
	    __atomic_sub_fetch(&b->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		pool_put(b->pool, b);
}

void pktio_buf_free_bulk(struct pktio_buf **bufs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		pktio_buf_free(bufs[i]);
}

struct pktio_buf *pktio_buf_clone(struct pktio_buf *b)
{
	__atomic_fetch_add(&b->refcnt, 1, __ATOMIC_RELAXED);
	return b;
}
