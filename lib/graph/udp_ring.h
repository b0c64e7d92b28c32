/* SPDX-License-Identifier: BSD-2-Clause */
/* The UDP channels' queues (udp_chan.c, udp_send.c). */
#ifndef SLUICE_GRAPH_UDP_RING_H
#define SLUICE_GRAPH_UDP_RING_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sluice/pktio/buf.h>

/*
 * A bounded lock-free MPMC queue of pointers (D. Vyukov's): each cell
 * carries a sequence number that says whose turn it is, so producers and
 * consumers claim positions with one CAS each and never wait on another
 * thread's copy.
 */
struct udp_cell {
	size_t seq;
	void *obj;
};

struct udp_ring {
	size_t mask;
	_Alignas(64) size_t head; /* next position to enqueue */
	_Alignas(64) size_t tail; /* next position to dequeue */
	_Alignas(64) struct udp_cell cells[];
};

static inline struct udp_ring *udp_ring_create(unsigned int size)
{
	struct udp_ring *r;
	size_t bytes = sizeof(*r) + size * sizeof(struct udp_cell);

	if (posix_memalign((void **)&r, 64, bytes))
		return NULL;
	memset(r, 0, bytes);
	r->mask = size - 1;
	for (size_t i = 0; i < size; i++)
		r->cells[i].seq = i;
	return r;
}

static inline int udp_ring_enqueue(struct udp_ring *r, void *obj)
{
	size_t pos = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	struct udp_cell *c;

	for (;;) {
		size_t seq;
		intptr_t dif;

		c = &r->cells[pos & r->mask];
		seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		dif = (intptr_t)seq - (intptr_t)pos;
		if (dif == 0) {
			if (__atomic_compare_exchange_n(&r->head, &pos, pos + 1,
							1, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED))
				break;
		} else if (dif < 0) {
			return -ENOBUFS; /* full */
		} else {
			pos = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
		}
	}
	c->obj = obj;
	__atomic_store_n(&c->seq, pos + 1, __ATOMIC_RELEASE);
	return 0;
}

static inline void *udp_ring_dequeue(struct udp_ring *r)
{
	size_t pos = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	struct udp_cell *c;
	void *obj;

	for (;;) {
		size_t seq;
		intptr_t dif;

		c = &r->cells[pos & r->mask];
		seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		dif = (intptr_t)seq - (intptr_t)(pos + 1);
		if (dif == 0) {
			if (__atomic_compare_exchange_n(&r->tail, &pos, pos + 1,
							1, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED))
				break;
		} else if (dif < 0) {
			return NULL; /* empty */
		} else {
			pos = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
		}
	}
	obj = c->obj;
	__atomic_store_n(&c->seq, pos + r->mask + 1, __ATOMIC_RELEASE);
	return obj;
}

static inline void udp_ring_free_bufs(struct udp_ring *r)
{
	struct pktio_buf *b;

	while ((b = udp_ring_dequeue(r)))
		pktio_buf_free(b);
}

#endif
