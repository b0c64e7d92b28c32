/* SPDX-License-Identifier: BSD-2-Clause */
/* libpktio internals: the structures the core owns.  Drivers use
 * pktio_driver.h, never this. */
#ifndef SLUICE_PKTIO_INTERNAL_H
#define SLUICE_PKTIO_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include "pktio_driver.h"

#define PKTIO_CACHELINE 64

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* A thread's cache of one pool's buffers (rte_mempool's idea): alloc and
 * free take no lock until the cache runs dry or overflows. */
struct pktio_cache {
	struct pktio_pool *pool;
	struct pktio_cache *next; /* the pool's list, under pool->lock */
	uint32_t len;  /* written by the owner, read by pktio_pool_avail */
	uint32_t size; /* refill to this; flush above 2 * size */
	struct pktio_buf *objs[]; /* 3 * size + PKTIO_CACHE_SLACK */
};

/* bulk frees land in the cache first, then flush: room for one burst */
#define PKTIO_CACHE_SLACK 256u

struct pktio_pool {
	char name[PKTIO_NAME_MAX];
	uint8_t *area;
	size_t area_len;
	struct pktio_buf *bufs; /* count entries, indexed by frame number */
	uint32_t count;
	uint32_t buf_size;
	uint32_t buf_shift; /* log2(buf_size) */
	uint32_t headroom;
	uint32_t cache_size;
	pthread_key_t cache_key;

	pthread_mutex_t lock; /* the shared stack and the cache list */
	struct pktio_buf **stack;
	uint32_t top; /* stack[0..top) are free */
	struct pktio_cache *caches;

	uint64_t copies;      /* atomic */
	uint64_t alloc_fails; /* atomic */
};

struct pktio_queue {
	struct pktio_port_stats stats;
	struct pktio_queue_info info;
	struct pktio_pool *pool;
	struct pktio_worker *owner; /* the worker polling it, or NULL */
} __attribute__((aligned(PKTIO_CACHELINE)));

struct pktio_port {
	const struct pktio_driver_ops *ops;
	char name[PKTIO_DEV_MAX];
	char dev[PKTIO_DEV_MAX];
	uint16_t id;
	uint16_t nqueues;
	uint32_t max_frame; /* rx frames above it are dropped */
	int ifindex;
	uint32_t mtu;
	uint8_t mac[6];
	bool link_up;
	void *priv;
	struct pktio_queue *q; /* nqueues entries */
};

/* the core's own functions stay out of the shared library's symbols */
#define PKTIO_HIDDEN __attribute__((visibility("hidden")))

PKTIO_HIDDEN const struct pktio_driver_ops *pktio_driver_find(const char *name);
PKTIO_HIDDEN extern const struct pktio_driver_ops *const pktio_drivers[];

PKTIO_HIDDEN void pktio_err(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Sets the thread's last error without logging it: for a message that
 * adds context to one logged already (log once). */
PKTIO_HIDDEN void pktio_set_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
