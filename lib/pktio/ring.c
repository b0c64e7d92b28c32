// SPDX-License-Identifier: BSD-2-Clause
/*
 * A single-producer single-consumer ring of pointers.  Indices run free
 * (wrap at 2^32) and are masked on access; the producer publishes slots
 * with a release store of head that the consumer's acquire load pairs
 * with, and the reverse for tail.  Each side keeps a copy of the other's
 * index, reloaded only when the copy says full (or empty), so the shared
 * cache lines move once per burst at most.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pktio_internal.h"

struct pktio_ring {
	struct {
		uint32_t head;	    /* next slot to write */
		uint32_t tail_seen; /* the consumer's tail, as last read */
	} prod __attribute__((aligned(PKTIO_CACHELINE)));
	struct {
		uint32_t tail; /* next slot to read */
		uint32_t head_seen;
	} cons __attribute__((aligned(PKTIO_CACHELINE)));
	uint32_t size;
	uint32_t mask;
	char name[PKTIO_NAME_MAX];
	void *slots[] __attribute__((aligned(PKTIO_CACHELINE)));
};

#define RING_SIZE_MAX (1u << 24)

int pktio_ring_create(const char *name, unsigned int size,
		      struct pktio_ring **out)
{
	struct pktio_ring *r;
	size_t bytes;

	*out = NULL;
	if (size < 2 || size > RING_SIZE_MAX || (size & (size - 1))) {
		pktio_err("ring %s: size %u is not a power of two within 2..%u",
			  name ? name : "", size, RING_SIZE_MAX);
		return -EINVAL;
	}
	bytes = sizeof(*r) + (size_t)size * sizeof(r->slots[0]);
	bytes = (bytes + PKTIO_CACHELINE - 1) & ~(size_t)(PKTIO_CACHELINE - 1);
	r = aligned_alloc(PKTIO_CACHELINE, bytes);
	if (!r)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->mask = size - 1;
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
	*out = r;
	return 0;
}

void pktio_ring_destroy(struct pktio_ring *r)
{
	free(r);
}

unsigned int pktio_ring_enqueue_burst(struct pktio_ring *r, void *const *objs,
				      unsigned int n)
{
	uint32_t head = r->prod.head;
	uint32_t room = r->size - (head - r->prod.tail_seen);

	if (room < n) {
		r->prod.tail_seen =
			__atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);
		room = r->size - (head - r->prod.tail_seen);
		if (n > room)
			n = room;
	}
	for (unsigned int i = 0; i < n; i++)
		r->slots[(head + i) & r->mask] = objs[i];
	__atomic_store_n(&r->prod.head, head + n, __ATOMIC_RELEASE);
	return n;
}

unsigned int pktio_ring_dequeue_burst(struct pktio_ring *r, void **objs,
				      unsigned int n)
{
	uint32_t tail = r->cons.tail;
	uint32_t ready = r->cons.head_seen - tail;

	if (ready < n) {
		r->cons.head_seen =
			__atomic_load_n(&r->prod.head, __ATOMIC_ACQUIRE);
		ready = r->cons.head_seen - tail;
		if (n > ready)
			n = ready;
	}
	for (unsigned int i = 0; i < n; i++)
		objs[i] = r->slots[(tail + i) & r->mask];
	__atomic_store_n(&r->cons.tail, tail + n, __ATOMIC_RELEASE);
	return n;
}

unsigned int pktio_ring_count(const struct pktio_ring *r)
{
	/* tail first: a head read after it is never behind it */
	uint32_t tail = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);
	uint32_t head = __atomic_load_n(&r->prod.head, __ATOMIC_ACQUIRE);

	return head - tail;
}

unsigned int pktio_ring_free_count(const struct pktio_ring *r)
{
	return r->size - pktio_ring_count(r);
}

unsigned int pktio_ring_size(const struct pktio_ring *r)
{
	return r->size;
}

const char *pktio_ring_name(const struct pktio_ring *r)
{
	return r->name;
}
