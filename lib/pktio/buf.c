// SPDX-License-Identifier: BSD-2-Clause
/* A buffer's bounds: headroom, data, tailroom within its frame.  A shared
 * buffer (refcnt > 1) keeps its bounds: the other reference sees them. */
#include <errno.h>
#include <string.h>
#include "pktio_internal.h"

static inline bool shared(const struct pktio_buf *b)
{
	return __atomic_load_n(&b->refcnt, __ATOMIC_ACQUIRE) > 1;
}

void *pktio_buf_prepend(struct pktio_buf *b, uint32_t n)
{
	if (shared(b)) {
		errno = EBUSY;
		return NULL;
	}
	if (n > b->data_off) {
		errno = ENOSPC;
		return NULL;
	}
	b->data_off -= n;
	b->len += n;
	return pktio_buf_data(b);
}

void *pktio_buf_adj(struct pktio_buf *b, uint32_t n)
{
	if (shared(b)) {
		errno = EBUSY;
		return NULL;
	}
	if (n > b->len) {
		errno = EINVAL;
		return NULL;
	}
	b->data_off += n;
	b->len -= n;
	return pktio_buf_data(b);
}

void *pktio_buf_append(struct pktio_buf *b, uint32_t n)
{
	void *tail;

	if (shared(b)) {
		errno = EBUSY;
		return NULL;
	}
	if (n > pktio_buf_tailroom(b)) {
		errno = ENOSPC;
		return NULL;
	}
	tail = (uint8_t *)pktio_buf_data(b) + b->len;
	b->len += n;
	return tail;
}

int pktio_buf_trim(struct pktio_buf *b, uint32_t n)
{
	if (shared(b))
		return -EBUSY;
	if (n > b->len)
		return -EINVAL;
	b->len -= n;
	return 0;
}

int pktio_buf_set_len(struct pktio_buf *b, uint32_t len)
{
	if (shared(b))
		return -EBUSY;
	if (len > b->buf_size - b->data_off)
		return -EINVAL;
	b->len = len;
	return 0;
}

struct pktio_buf *pktio_buf_copy(struct pktio_pool *pool,
				 const struct pktio_buf *b)
{
	struct pktio_buf *c;

	if (b->len > pool->buf_size - pool->headroom) {
		errno = EMSGSIZE;
		return NULL;
	}
	c = pktio_buf_alloc(pool);
	if (!c)
		return NULL;
	memcpy(pktio_buf_data(c), pktio_buf_data(b), b->len);
	c->len = b->len;
	c->port = b->port;
	c->queue = b->queue;
	c->ol_flags = b->ol_flags;
	c->rx_hash = b->rx_hash;
	c->udata = b->udata;
	pktio_pool_count_copies(pool, 1);
	return c;
}

int pktio_drv_buf_set(struct pktio_buf *b, uint32_t data_off, uint32_t len)
{
	if (data_off > b->buf_size || len > b->buf_size - data_off)
		return -EINVAL;
	b->data_off = data_off;
	b->len = len;
	return 0;
}
