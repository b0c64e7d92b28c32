// SPDX-License-Identifier: BSD-2-Clause
/*
 * The ring driver: an in-process port for tests and thread hand-off.  Each
 * queue has an rx ring and a tx ring (SPSC).  Two ring ports pair with
 * "peer=DEV": then A's tx on queue q goes into B's rx ring of queue q and
 * back.  Unpaired, what a port sends waits in its tx ring for
 * pktio_ring_drain(); pktio_ring_inject() feeds its rx ring.  A buffer sent
 * to a peer whose queue receives into another pool is copied (counted).
 *
 * Options: peer=DEV, size=N (ring entries, a power of two, default 1024),
 * mtu=N (default 1500).  Close both ports of a pair only when no thread
 * sends on either.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "pktio_driver.h"

struct ring_queue {
	struct pktio_ring *rx;
	struct pktio_ring *tx;
	struct pktio_pool *pool; /* the pool rx buffers should be in */
	struct pktio_port_stats *stats;
};

struct ring_port {
	struct pktio_port *port;
	struct ring_port *next; /* ring_ports, under ring_lock */
	struct ring_port *peer; /* written under ring_lock */
	uint16_t nqueues;
	struct ring_queue *q;
};

static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ring_port *ring_ports;

#define RING_SIZE_DEFAULT 1024ul
#define RING_MTU_DEFAULT 1500ul

static struct ring_port *find_locked(const char *dev)
{
	for (struct ring_port *rp = ring_ports; rp; rp = rp->next)
		if (!strcmp(pktio_port_dev(rp->port), dev))
			return rp;
	return NULL;
}

static void free_queues(struct ring_port *rp)
{
	struct pktio_buf *bufs[64];
	unsigned int n;

	if (!rp->q)
		return;
	for (uint16_t q = 0; q < rp->nqueues; q++) {
		struct ring_queue *rq = &rp->q[q];

		if (rq->rx)
			while ((n = pktio_ring_dequeue_burst(
					rq->rx, (void **)bufs, 64)))
				pktio_buf_free_bulk(bufs, n);
		if (rq->tx)
			while ((n = pktio_ring_dequeue_burst(
					rq->tx, (void **)bufs, 64)))
				pktio_buf_free_bulk(bufs, n);
		pktio_ring_destroy(rq->rx);
		pktio_ring_destroy(rq->tx);
	}
	free(rp->q);
	rp->q = NULL;
}

static int pair_locked(struct ring_port *rp, const char *peer_dev)
{
	const char *dev = pktio_port_dev(rp->port);
	struct ring_port *peer = find_locked(peer_dev);

	if (!peer) {
		pktio_drv_err(
			"port %s: driver ring: option peer=%s: no ring port of that name is open",
			dev, peer_dev);
		return -ENOENT;
	}
	if (peer->peer) {
		pktio_drv_err(
			"port %s: driver ring: option peer=%s: that port is paired already",
			dev, peer_dev);
		return -EBUSY;
	}
	if (peer->nqueues != rp->nqueues) {
		pktio_drv_err(
			"port %s: driver ring: option peer=%s: it has %u queues, this port %u",
			dev, peer_dev, peer->nqueues, rp->nqueues);
		return -EINVAL;
	}
	__atomic_store_n(&peer->peer, rp, __ATOMIC_RELEASE);
	__atomic_store_n(&rp->peer, peer, __ATOMIC_RELEASE);
	return 0;
}

static int ring_open(struct pktio_port *port, const struct pktio_port_cfg *cfg)
{
	struct ring_port *rp = pktio_port_priv(port);
	unsigned long size = RING_SIZE_DEFAULT, mtu = RING_MTU_DEFAULT;
	const char *peer = NULL;
	const struct pktio_opt opts[] = {
		{ .key = "peer", .type = PKTIO_OPT_STR, .out = &peer },
		{ .key = "size",
		  .type = PKTIO_OPT_UINT,
		  .out = &size,
		  .min = 2,
		  .max = 1ul << 20 },
		{ .key = "mtu",
		  .type = PKTIO_OPT_UINT,
		  .out = &mtu,
		  .min = 68,
		  .max = 65535 },
	};
	uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00 };
	int err;

	err = pktio_drv_parse_opts("ring", cfg, opts,
				   sizeof(opts) / sizeof(opts[0]));
	if (err)
		return err;
	if (size & (size - 1)) {
		pktio_drv_err(
			"port %s: driver ring: option size=%lu: not a power of two",
			cfg->dev, size);
		return -EINVAL;
	}
	rp->port = port;
	rp->nqueues = cfg->nqueues;
	rp->q = calloc(cfg->nqueues, sizeof(*rp->q));
	if (!rp->q)
		return -ENOMEM;
	for (uint16_t q = 0; q < cfg->nqueues; q++) {
		struct ring_queue *rq = &rp->q[q];

		err = pktio_ring_create(cfg->dev, (unsigned int)size, &rq->rx);
		if (!err)
			err = pktio_ring_create(cfg->dev, (unsigned int)size,
						&rq->tx);
		if (err)
			goto err_free;
		rq->pool = pktio_port_pool(port, q);
		rq->stats = pktio_drv_queue_stats(port, q);
		/* buffers move by pointer: no copy within one pool */
		pktio_drv_set_queue_mode(port, q, PKTIO_QF_ZEROCOPY);
	}

	pthread_mutex_lock(&ring_lock);
	if (find_locked(cfg->dev)) {
		pthread_mutex_unlock(&ring_lock);
		pktio_drv_err(
			"port %s: driver ring: a ring port of that name is open",
			cfg->dev);
		err = -EEXIST;
		goto err_free;
	}
	if (peer) {
		err = pair_locked(rp, peer);
		if (err) {
			pthread_mutex_unlock(&ring_lock);
			goto err_free;
		}
	}
	rp->next = ring_ports;
	ring_ports = rp;
	pthread_mutex_unlock(&ring_lock);

	mac[4] = (uint8_t)(pktio_port_id(port) >> 8);
	mac[5] = (uint8_t)pktio_port_id(port);
	pktio_drv_set_link(port, 0, (uint32_t)mtu, mac, true);
	return 0;

err_free:
	free_queues(rp);
	return err;
}

static void ring_close(struct pktio_port *port)
{
	struct ring_port *rp = pktio_port_priv(port);
	struct ring_port **pp;

	pthread_mutex_lock(&ring_lock);
	if (rp->peer)
		__atomic_store_n(&rp->peer->peer, NULL, __ATOMIC_RELEASE);
	rp->peer = NULL;
	for (pp = &ring_ports; *pp; pp = &(*pp)->next) {
		if (*pp == rp) {
			*pp = rp->next;
			break;
		}
	}
	pthread_mutex_unlock(&ring_lock);
	free_queues(rp);
}

static uint16_t ring_rx(struct pktio_port *port, uint16_t q,
			struct pktio_buf **bufs, uint16_t n)
{
	struct ring_port *rp = pktio_port_priv(port);

	return (uint16_t)pktio_ring_dequeue_burst(rp->q[q].rx, (void **)bufs,
						  n);
}

/* To a peer queue with buffers of another pool: those are copied into the
 * peer's pool (counted), and their originals freed once the copy is sent. */
static uint16_t tx_copy(struct ring_queue *self, struct ring_queue *dst,
			struct pktio_buf **bufs, uint16_t n)
{
	struct pktio_buf *out[64];
	uint16_t done = 0;

	while (done < n) {
		uint16_t want = n - done < 64 ? n - done : 64;
		uint16_t made = 0, sent, copied = 0;

		for (; made < want; made++) {
			struct pktio_buf *b = bufs[done + made];

			out[made] = b->pool == dst->pool ?
					    b :
					    pktio_buf_copy(dst->pool, b);
			if (!out[made])
				break;
		}
		sent = (uint16_t)pktio_ring_enqueue_burst(
			dst->rx, (void *const *)out, made);
		for (uint16_t i = 0; i < made; i++) {
			struct pktio_buf *b = bufs[done + i];

			if (out[i] == b)
				continue;
			copied += i < sent;
			/* a sent copy frees its original, an unsent one
			 * itself: the caller keeps the original */
			pktio_buf_free(i < sent ? b : out[i]);
		}
		PKTIO_STAT_ADD(self->stats, copies, copied);
		done += sent;
		if (sent < want)
			break;
	}
	/* the unsent stay the caller's, at bufs[done..n) as they were */
	return done;
}

static uint16_t ring_tx(struct pktio_port *port, uint16_t q,
			struct pktio_buf **bufs, uint16_t n)
{
	struct ring_port *rp = pktio_port_priv(port);
	struct ring_port *peer = __atomic_load_n(&rp->peer, __ATOMIC_ACQUIRE);
	struct ring_queue *dst;
	uint16_t i;

	if (!peer)
		return (uint16_t)pktio_ring_enqueue_burst(
			rp->q[q].tx, (void *const *)bufs, n);
	dst = &peer->q[q];
	for (i = 0; i < n; i++)
		if (bufs[i]->pool != dst->pool)
			break;
	if (i == n)
		return (uint16_t)pktio_ring_enqueue_burst(
			dst->rx, (void *const *)bufs, n);
	return tx_copy(&rp->q[q], dst, bufs, n);
}

const struct pktio_driver_ops pktio_drv_ring = {
	.name = "ring",
	.priv_size = sizeof(struct ring_port),
	.open = ring_open,
	.close = ring_close,
	.rx_burst = ring_rx,
	.tx_burst = ring_tx,
};

static struct ring_port *ring_port_of(struct pktio_port *port, uint16_t q)
{
	if (strcmp(pktio_port_driver(port), pktio_drv_ring.name) ||
	    q >= pktio_port_nqueues(port)) {
		errno = EINVAL;
		return NULL;
	}
	return pktio_port_priv(port);
}

uint16_t pktio_ring_inject(struct pktio_port *port, uint16_t q,
			   struct pktio_buf **bufs, uint16_t n)
{
	struct ring_port *rp = ring_port_of(port, q);

	if (!rp)
		return 0;
	return (uint16_t)pktio_ring_enqueue_burst(rp->q[q].rx,
						  (void *const *)bufs, n);
}

uint16_t pktio_ring_drain(struct pktio_port *port, uint16_t q,
			  struct pktio_buf **bufs, uint16_t n)
{
	struct ring_port *rp = ring_port_of(port, q);

	if (!rp)
		return 0;
	return (uint16_t)pktio_ring_dequeue_burst(rp->q[q].tx, (void **)bufs,
						  n);
}
