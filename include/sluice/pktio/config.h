/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libpktio application config: pools, ports and threads, from JSON or
 * filled in by the program, validated (every refusal names the field path
 * and the value, as in `ports[1].driver: "afxdp" is not a driver (af_xdp,
 * af_packet, tap, tun, memif, ring)`), then opened as a pktio_app.
 *
 *   {"pools":   [{"name": "p0", "count": 4096, "buf_size": 2048,
 *                 "headroom": 256, "cache_size": 64}],
 *    "ports":   [{"name": "in", "driver": "af_xdp", "dev": "eth0",
 *                 "queues": 1, "pool": "p0",
 *                 "options": {"mode": "copy", "busy_poll": 1}}],
 *    "threads": [{"name": "w0", "cpu": 0, "burst": 32,
 *                 "idle_sleep_us": 0,
 *                 "ports": [{"port": "in", "queue": 0}]}]}
 *
 * Defaults: no "pools" gives one pool "default" (4096 buffers); a port
 * without "pool" uses the only pool there is; a port's name is its dev; no
 * "threads" gives one thread "worker0" polling every queue of every port.
 */
#ifndef SLUICE_PKTIO_CONFIG_H
#define SLUICE_PKTIO_CONFIG_H

#include <stdint.h>
#include <sluice/pktio/pktio.h>
#include <sluice/pktio/worker.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PKTIO_CFG_MAX_POOLS 16
#define PKTIO_CFG_MAX_PORTS 32
#define PKTIO_CFG_MAX_THREADS 32
#define PKTIO_CFG_MAX_OPTIONS 16
#define PKTIO_CFG_OPTION_MAX 128
#define PKTIO_CFG_DEFAULT_POOL_COUNT 4096u

struct pktio_config_pool {
	char name[PKTIO_NAME_MAX];
	uint32_t count;
	uint32_t buf_size;
	uint32_t headroom;
	uint32_t cache_size;
};

struct pktio_config_port {
	char name[PKTIO_DEV_MAX];
	char driver[16];
	char dev[PKTIO_DEV_MAX];
	uint16_t queues;
	char pool[PKTIO_NAME_MAX]; /* "" : the only pool */
	char options[PKTIO_CFG_MAX_OPTIONS][PKTIO_CFG_OPTION_MAX]; /* k=v */
	unsigned int n_options;
};

struct pktio_config_queue {
	char port[PKTIO_DEV_MAX];
	uint16_t queue;
};

struct pktio_config_thread {
	char name[PKTIO_NAME_MAX];
	int cpu; /* -1: not pinned */
	uint16_t burst;
	uint32_t idle_sleep_us;
	struct pktio_config_queue queues[PKTIO_WORKER_MAX_QUEUES];
	unsigned int n_queues;
};

struct pktio_config {
	struct pktio_config_pool pools[PKTIO_CFG_MAX_POOLS];
	unsigned int n_pools;
	struct pktio_config_port ports[PKTIO_CFG_MAX_PORTS];
	unsigned int n_ports;
	struct pktio_config_thread threads[PKTIO_CFG_MAX_THREADS];
	unsigned int n_threads;
};

/* An empty config (no pools, ports or threads), or NULL (ENOMEM). */
struct pktio_config *pktio_config_new(void);
void pktio_config_free(struct pktio_config *c);
/* Entries with their defaults, appended: the entry, or NULL (ENOSPC). */
struct pktio_config_pool *pktio_config_add_pool(struct pktio_config *c,
						const char *name);
struct pktio_config_port *pktio_config_add_port(struct pktio_config *c,
						const char *driver,
						const char *dev);
struct pktio_config_thread *pktio_config_add_thread(struct pktio_config *c,
						    const char *name);
/* "key=value" appended to the port's options: 0, -ENOSPC or -EINVAL. */
int pktio_config_port_option(struct pktio_config_port *p, const char *kv);

/* Parses JSON text (or the file at path) into a validated config.  On
 * error, -EINVAL (or -errno of the file) and pktio_last_error() names the
 * field path and the value. */
int pktio_config_parse(const char *text, struct pktio_config **out);
int pktio_config_load(const char *path, struct pktio_config **out);
/* Fills the defaults in (see above) and checks every field: 0 or -EINVAL
 * with pktio_last_error() naming what.  pktio_config_parse calls it. */
int pktio_config_validate(struct pktio_config *c);

/* ---- a config, opened ---- */
struct pktio_app;

/* Creates the pools, opens the ports (in order: a ring port's peer comes
 * first) and creates the workers, each with fn(ctx) as its callback; the
 * workers are not started.  On error everything opened is closed again. */
int pktio_app_open(const struct pktio_config *c, pktio_burst_fn fn, void *ctx,
		   struct pktio_app **out);
int pktio_app_start(struct pktio_app *app);
/* Stops and joins every worker. */
int pktio_app_stop(struct pktio_app *app);
/* Stops the workers, closes the ports, destroys the pools: -EBUSY (and
 * the pools kept) when buffers are still out. */
int pktio_app_close(struct pktio_app *app);
struct pktio_port *pktio_app_port(const struct pktio_app *app,
				  const char *name);
struct pktio_pool *pktio_app_pool(const struct pktio_app *app,
				  const char *name);
struct pktio_worker *pktio_app_worker(const struct pktio_app *app,
				      const char *name);
unsigned int pktio_app_nports(const struct pktio_app *app);
struct pktio_port *pktio_app_port_at(const struct pktio_app *app,
				     unsigned int i);
unsigned int pktio_app_nworkers(const struct pktio_app *app);
struct pktio_worker *pktio_app_worker_at(const struct pktio_app *app,
					 unsigned int i);

#ifdef __cplusplus
}
#endif

#endif
