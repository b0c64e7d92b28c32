/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libpktio workers: a thread, pinned to a CPU when it can be, that polls
 * a list of (port, queue) and hands each non-empty burst to a callback.
 * A queue belongs to one worker at a time (rx/tx on it take no lock).
 * pktio_worker_stop() joins the thread: the thread's pool caches go back
 * when it exits, so after stop and pktio_port_close() every buffer is in
 * its pool again.  Destroy the workers before closing their ports.
 */
#ifndef SLUICE_PKTIO_WORKER_H
#define SLUICE_PKTIO_WORKER_H

#include <stdint.h>
#include <sluice/pktio/pktio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PKTIO_WORKER_MAX_QUEUES 64
#define PKTIO_BURST_MAX 256

struct pktio_worker;

/*
 * Called on the worker's thread with n (>= 1) buffers received on
 * (port, q).  The buffers are the callback's: it sends them (on any queue
 * this worker owns) or frees them, those a tx did not take included.
 */
typedef void (*pktio_burst_fn)(struct pktio_worker *w, struct pktio_port *port,
			       uint16_t q, struct pktio_buf **bufs, uint16_t n,
			       void *ctx);

struct pktio_worker_cfg {
	const char *name; /* the thread's name (15 characters show) */
	int cpu;	  /* the CPU to pin to, -1 for none */
	pktio_burst_fn fn;
	void *ctx;
	uint16_t burst; /* 1..PKTIO_BURST_MAX, default 32 */
	/* after a loop that found nothing, sleep this long (0: busy poll) */
	uint32_t idle_sleep_us;
};

struct pktio_worker_stats {
	uint64_t loops;	 /* passes over the worker's queues */
	uint64_t polls;	 /* rx_burst calls */
	uint64_t bursts; /* non-empty ones, handed to the callback */
	uint64_t packets;
	uint64_t idle_loops; /* passes that found no packet */
};

/* cpu -1, burst 32, busy poll */
void pktio_worker_cfg_init(struct pktio_worker_cfg *cfg, pktio_burst_fn fn,
			   void *ctx);
int pktio_worker_create(const struct pktio_worker_cfg *cfg,
			struct pktio_worker **out);
/* Gives (port, q) to the worker before it starts: -EBUSY when another
 * worker has it, -EINVAL for a queue the port does not have. */
int pktio_worker_add_queue(struct pktio_worker *w, struct pktio_port *port,
			   uint16_t q);
int pktio_worker_start(struct pktio_worker *w);
/* Asks the thread to finish its loop and joins it. */
int pktio_worker_stop(struct pktio_worker *w);
/* Stops it if running and releases its queues. */
void pktio_worker_destroy(struct pktio_worker *w);
void pktio_worker_stats(const struct pktio_worker *w,
			struct pktio_worker_stats *s);
const char *pktio_worker_name(const struct pktio_worker *w);
/* The CPU it is pinned to, or -1 (not asked, or pinning failed). */
int pktio_worker_cpu(const struct pktio_worker *w);
/* true between start and stop */
bool pktio_worker_running(const struct pktio_worker *w);

#ifdef __cplusplus
}
#endif

#endif
