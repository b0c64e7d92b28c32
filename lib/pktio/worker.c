// SPDX-License-Identifier: BSD-2-Clause
/* Workers: one thread polling its (port, queue) list, pinned when it can
 * be, handing bursts to a callback; a clean stop joins it. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sluice/pktio/worker.h>
#include "pktio_internal.h"

struct worker_queue {
	struct pktio_port *port;
	uint16_t q;
};

struct pktio_worker {
	char name[PKTIO_NAME_MAX];
	struct pktio_worker_cfg cfg;
	struct worker_queue queues[PKTIO_WORKER_MAX_QUEUES];
	unsigned int nqueues;
	pthread_t thread;
	bool running;
	int stop;			 /* atomic */
	int pinned_cpu;			 /* atomic */
	struct pktio_worker_stats stats; /* written by the thread, relaxed */
};

void pktio_worker_cfg_init(struct pktio_worker_cfg *cfg, pktio_burst_fn fn,
			   void *ctx)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cpu = -1;
	cfg->fn = fn;
	cfg->ctx = ctx;
	cfg->burst = 32;
}

int pktio_worker_create(const struct pktio_worker_cfg *cfg,
			struct pktio_worker **out)
{
	const char *name = cfg->name ? cfg->name : "pktio";
	struct pktio_worker *w;

	*out = NULL;
	if (!cfg->fn) {
		pktio_err("worker %s: fn: no callback", name);
		return -EINVAL;
	}
	if (cfg->burst < 1 || cfg->burst > PKTIO_BURST_MAX) {
		pktio_err("worker %s: burst: %u is not within 1..%d", name,
			  cfg->burst, PKTIO_BURST_MAX);
		return -EINVAL;
	}
	if (cfg->cpu < -1 || cfg->cpu >= CPU_SETSIZE) {
		pktio_err("worker %s: cpu: %d is not a CPU number", name,
			  cfg->cpu);
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->cfg = *cfg;
	w->cfg.name = w->name;
	w->pinned_cpu = -1;
	*out = w;
	return 0;
}

int pktio_worker_add_queue(struct pktio_worker *w, struct pktio_port *port,
			   uint16_t q)
{
	struct pktio_worker *none = NULL;

	if (w->running)
		return -EBUSY;
	if (q >= port->nqueues) {
		pktio_err("worker %s: port %s has no queue %u", w->name,
			  port->name, q);
		return -EINVAL;
	}
	if (w->nqueues == PKTIO_WORKER_MAX_QUEUES) {
		pktio_err("worker %s: more than %d queues", w->name,
			  PKTIO_WORKER_MAX_QUEUES);
		return -ENOSPC;
	}
	if (!__atomic_compare_exchange_n(&port->q[q].owner, &none, w, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		pktio_err("worker %s: port %s queue %u belongs to worker %s",
			  w->name, port->name, q, none->name);
		return -EBUSY;
	}
	w->queues[w->nqueues].port = port;
	w->queues[w->nqueues].q = q;
	w->nqueues++;
	return 0;
}

static void pin(struct pktio_worker *w)
{
	cpu_set_t set;
	int err;

	if (w->cfg.cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(w->cfg.cpu, &set);
	err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (err) {
		/* best effort: a worker on any CPU still works */
		pktio_log(PKTIO_LOG_WARN, "worker %s: not pinned to CPU %d: %s",
			  w->name, w->cfg.cpu, strerror(err));
		return;
	}
	__atomic_store_n(&w->pinned_cpu, w->cfg.cpu, __ATOMIC_RELAXED);
}

#define STAT_ADD(f, n)                                                         \
	__atomic_store_n(&w->stats.f,                                          \
			 __atomic_load_n(&w->stats.f, __ATOMIC_RELAXED) + (n), \
			 __ATOMIC_RELAXED)

static void *worker_main(void *arg)
{
	struct pktio_worker *w = arg;
	struct pktio_buf *bufs[PKTIO_BURST_MAX];
	uint16_t burst = w->cfg.burst;

	pin(w);
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		uint64_t got = 0, bursts = 0;

		for (unsigned int i = 0; i < w->nqueues; i++) {
			struct worker_queue *wq = &w->queues[i];
			uint16_t n =
				pktio_rx_burst(wq->port, wq->q, bufs, burst);

			if (!n)
				continue;
			w->cfg.fn(w, wq->port, wq->q, bufs, n, w->cfg.ctx);
			got += n;
			bursts++;
		}
		STAT_ADD(loops, 1);
		STAT_ADD(polls, w->nqueues);
		if (got) {
			STAT_ADD(bursts, bursts);
			STAT_ADD(packets, got);
		} else {
			STAT_ADD(idle_loops, 1);
			if (w->cfg.idle_sleep_us)
				usleep(w->cfg.idle_sleep_us);
		}
	}
	/* leaving the thread flushes its pool caches (pthread key dtors) */
	return NULL;
}

int pktio_worker_start(struct pktio_worker *w)
{
	int err;

	if (w->running)
		return -EBUSY;
	__atomic_store_n(&w->stop, 0, __ATOMIC_RELEASE);
	err = pthread_create(&w->thread, NULL, worker_main, w);
	if (err) {
		pktio_err("worker %s: cannot start a thread: %s", w->name,
			  strerror(err));
		return -err;
	}
	/* the kernel keeps 15 characters; a longer name is cut */
	char tname[16];

	snprintf(tname, sizeof(tname), "%.15s", w->name);
	pthread_setname_np(w->thread, tname);
	w->running = true;
	return 0;
}

int pktio_worker_stop(struct pktio_worker *w)
{
	int err;

	if (!w->running)
		return 0;
	__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
	err = pthread_join(w->thread, NULL);
	if (err)
		return -err;
	w->running = false;
	return 0;
}

void pktio_worker_destroy(struct pktio_worker *w)
{
	if (!w)
		return;
	pktio_worker_stop(w);
	for (unsigned int i = 0; i < w->nqueues; i++)
		__atomic_store_n(&w->queues[i].port->q[w->queues[i].q].owner,
				 NULL, __ATOMIC_RELEASE);
	free(w);
}

void pktio_worker_stats(const struct pktio_worker *w,
			struct pktio_worker_stats *s)
{
	s->loops = __atomic_load_n(&w->stats.loops, __ATOMIC_RELAXED);
	s->polls = __atomic_load_n(&w->stats.polls, __ATOMIC_RELAXED);
	s->bursts = __atomic_load_n(&w->stats.bursts, __ATOMIC_RELAXED);
	s->packets = __atomic_load_n(&w->stats.packets, __ATOMIC_RELAXED);
	s->idle_loops = __atomic_load_n(&w->stats.idle_loops, __ATOMIC_RELAXED);
}

const char *pktio_worker_name(const struct pktio_worker *w)
{
	return w->name;
}

int pktio_worker_cpu(const struct pktio_worker *w)
{
	return __atomic_load_n(&w->pinned_cpu, __ATOMIC_RELAXED);
}

bool pktio_worker_running(const struct pktio_worker *w)
{
	return w->running;
}
