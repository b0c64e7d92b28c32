/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libpktio rings: a lock-free single-producer single-consumer ring of
 * pointers (for handing buffers from one thread to another), and the test
 * face of the "ring" driver (feed a ring port's rx, read its tx).
 */
#ifndef SLUICE_PKTIO_RING_H
#define SLUICE_PKTIO_RING_H

#include <stdint.h>
#include <sluice/pktio/pktio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pktio_ring;

/* size: a power of two, 2..2^24: the number of entries it holds. */
int pktio_ring_create(const char *name, unsigned int size,
		      struct pktio_ring **out);
void pktio_ring_destroy(struct pktio_ring *r);
/* Producer side only (one thread): how many of objs went in. */
unsigned int pktio_ring_enqueue_burst(struct pktio_ring *r, void *const *objs,
				      unsigned int n);
/* Consumer side only (one thread): how many were stored in objs. */
unsigned int pktio_ring_dequeue_burst(struct pktio_ring *r, void **objs,
				      unsigned int n);
/* Approximate when the other side is running. */
unsigned int pktio_ring_count(const struct pktio_ring *r);
unsigned int pktio_ring_free_count(const struct pktio_ring *r);
unsigned int pktio_ring_size(const struct pktio_ring *r);
const char *pktio_ring_name(const struct pktio_ring *r);

/*
 * The ring driver's test face.  pktio_ring_inject() puts buffers on queue
 * q's rx side as if they had arrived (the port takes those it returns the
 * count of); pktio_ring_drain() takes what the port sent on queue q (when
 * the port has no peer).  Inject is a producer of q's rx ring: do not call
 * it while a peer port transmits into the same queue.  -EINVAL (as 0 with
 * errno) when port is not a ring port.
 */
uint16_t pktio_ring_inject(struct pktio_port *port, uint16_t q,
			   struct pktio_buf **bufs, uint16_t n);
uint16_t pktio_ring_drain(struct pktio_port *port, uint16_t q,
			  struct pktio_buf **bufs, uint16_t n);

#ifdef __cplusplus
}
#endif

#endif
