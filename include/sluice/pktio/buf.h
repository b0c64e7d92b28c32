/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libpktio packet buffers: a pool of fixed-size frames in one mmap'd area
 * (usable as an AF_XDP UMEM as is) and a metadata array beside it, one
 * struct pktio_buf per frame, so the frames hold only headroom and data.
 *
 * Errors: functions returning int give 0 or -errno; functions returning a
 * pointer give NULL and set errno.
 */
#ifndef SLUICE_PKTIO_BUF_H
#define SLUICE_PKTIO_BUF_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PKTIO_BUF_SIZE_DEFAULT 2048u
/* XDP_PACKET_HEADROOM: where the kernel puts an AF_XDP rx frame's data */
#define PKTIO_HEADROOM_DEFAULT 256u
#define PKTIO_CACHE_SIZE_DEFAULT 64u
#define PKTIO_BUF_SIZE_MIN 512u
#define PKTIO_BUF_SIZE_MAX 65536u
#define PKTIO_CACHE_SIZE_MAX 512u
#define PKTIO_NAME_MAX 32

/* struct pktio_buf.ol_flags: offload hints a driver sets on rx */
#define PKTIO_OL_RX_HASH (1u << 0) /* rx_hash is valid */
#define PKTIO_OL_L3_CSUM_GOOD (1u << 1)
#define PKTIO_OL_L4_CSUM_GOOD (1u << 2)
#define PKTIO_OL_L3_CSUM_BAD (1u << 3)
#define PKTIO_OL_L4_CSUM_BAD (1u << 4)

#define PKTIO_PORT_NONE 0xffffu

struct pktio_pool;

struct pktio_pool_cfg {
	const char *name; /* for logs and the config; may be NULL */
	uint32_t count;	  /* number of buffers, >= 1 */
	/* frame size: power of two, 512..65536; an AF_XDP UMEM (aligned
	 * mode) takes only 2048 or the page size (the kernel says EINVAL) */
	uint32_t buf_size;
	uint32_t headroom; /* bytes before the data at alloc, < buf_size */
	/* buffers each thread keeps for itself (0: every alloc and free takes
	 * the pool's lock); a thread's cache goes back when the thread exits */
	uint32_t cache_size;
};

/*
 * One buffer.  The fields are public so that the accessors below inline;
 * change them only through the functions of this header (a driver uses
 * pktio_driver.h).  A buffer whose refcnt is above 1 (pktio_buf_clone) is
 * shared: its data and its metadata are the same for every reference, and
 * the functions that change its bounds refuse with EBUSY.
 */
struct pktio_buf {
	struct pktio_pool *pool;
	uint8_t *frame;	   /* the frame: headroom, data, tailroom */
	uint32_t idx;	   /* frame number in the pool */
	uint32_t buf_size; /* frame size */
	uint32_t data_off; /* data starts at frame + data_off */
	uint32_t len;	   /* data length */
	uint16_t port; /* port id the buffer came in on, or PKTIO_PORT_NONE */
	uint16_t queue;
	uint32_t ol_flags; /* PKTIO_OL_* */
	uint32_t rx_hash;
	uint32_t refcnt; /* atomic: references to this buffer */
	uint64_t udata;	 /* the application's, untouched by the library */
} __attribute__((aligned(64)));

struct pktio_pool_stats {
	uint64_t total;	 /* buffers in the pool */
	uint64_t avail;	 /* in the pool (shared stack + every thread's cache) */
	uint64_t in_use; /* total - avail */
	uint64_t copies; /* packets whose data a driver or the API copied */
	uint64_t alloc_fails; /* allocations refused: the pool was empty */
};

/* Fills cfg with the defaults: buf_size 2048, headroom 256, cache 64. */
void pktio_pool_cfg_init(struct pktio_pool_cfg *cfg, uint32_t count);
/* Creates a pool; a bad field is refused with -EINVAL naming it (see
 * pktio_last_error()). */
int pktio_pool_create(const struct pktio_pool_cfg *cfg,
		      struct pktio_pool **out);
/* -EBUSY (and nothing freed) while buffers are still out of the pool. */
int pktio_pool_destroy(struct pktio_pool *pool);
/* The frame area: page aligned, count * buf_size bytes (an AF_XDP UMEM). */
void pktio_pool_area(const struct pktio_pool *pool, void **base, size_t *len);
const char *pktio_pool_name(const struct pktio_pool *pool);
uint32_t pktio_pool_buf_size(const struct pktio_pool *pool);
uint32_t pktio_pool_headroom(const struct pktio_pool *pool);
uint32_t pktio_pool_count(const struct pktio_pool *pool);
/* Buffers in the pool now, every thread's cache included. */
uint32_t pktio_pool_avail(struct pktio_pool *pool);
void pktio_pool_stats(struct pktio_pool *pool, struct pktio_pool_stats *s);
/* Counts n packet copies (a driver or API that copied packet data). */
void pktio_pool_count_copies(struct pktio_pool *pool, uint64_t n);

/* One buffer (data at the headroom, length 0), or NULL with errno ENOBUFS. */
struct pktio_buf *pktio_buf_alloc(struct pktio_pool *pool);
/* All n or none: 0, or -ENOBUFS with nothing allocated. */
int pktio_buf_alloc_bulk(struct pktio_pool *pool, struct pktio_buf **bufs,
			 unsigned int n);
/* As many as there are, up to n: the number allocated. */
unsigned int pktio_buf_alloc_burst(struct pktio_pool *pool,
				   struct pktio_buf **bufs, unsigned int n);
/* Drops one reference; the last one returns the buffer to its pool. */
void pktio_buf_free(struct pktio_buf *b);
/* Buffers of any pools. */
void pktio_buf_free_bulk(struct pktio_buf **bufs, unsigned int n);
/* A second reference to the same buffer (refcnt + 1); returns b. */
struct pktio_buf *pktio_buf_clone(struct pktio_buf *b);

/* Room before the data: pointer to the new start, or NULL with errno
 * ENOSPC (not enough headroom) or EBUSY (shared). */
void *pktio_buf_prepend(struct pktio_buf *b, uint32_t n);
/* Removes n bytes at the start: the new start, or NULL (EINVAL, EBUSY). */
void *pktio_buf_adj(struct pktio_buf *b, uint32_t n);
/* n bytes more at the end: pointer to them, or NULL (ENOSPC, EBUSY). */
void *pktio_buf_append(struct pktio_buf *b, uint32_t n);
/* Removes n bytes at the end: 0, -EINVAL or -EBUSY. */
int pktio_buf_trim(struct pktio_buf *b, uint32_t n);
/* Sets the length (0..tailroom from data): 0, -EINVAL or -EBUSY. */
int pktio_buf_set_len(struct pktio_buf *b, uint32_t len);
/* Copies len bytes into a fresh buffer of the pool: the buffer, or NULL. */
struct pktio_buf *pktio_buf_copy(struct pktio_pool *pool,
				 const struct pktio_buf *b);

static inline void *pktio_buf_data(const struct pktio_buf *b)
{
	return b->frame + b->data_off;
}

static inline uint32_t pktio_buf_len(const struct pktio_buf *b)
{
	return b->len;
}

static inline uint32_t pktio_buf_headroom(const struct pktio_buf *b)
{
	return b->data_off;
}

static inline uint32_t pktio_buf_tailroom(const struct pktio_buf *b)
{
	return b->buf_size - b->data_off - b->len;
}

static inline uint32_t pktio_buf_refcnt(const struct pktio_buf *b)
{
	return __atomic_load_n(&b->refcnt, __ATOMIC_ACQUIRE);
}

#ifdef __cplusplus
}
#endif

#endif
