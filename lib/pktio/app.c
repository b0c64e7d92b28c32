// SPDX-License-Identifier: BSD-2-Clause
/* A validated config, opened: its pools, ports and workers, and the way
 * back (close undoes open in reverse). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sluice/pktio/config.h>
#include "pktio_internal.h"

struct pktio_app {
	struct pktio_config cfg; /* a copy: names for the lookups */
	struct pktio_pool *pools[PKTIO_CFG_MAX_POOLS];
	unsigned int n_pools;
	struct pktio_port *ports[PKTIO_CFG_MAX_PORTS];
	unsigned int n_ports;
	struct pktio_worker *workers[PKTIO_CFG_MAX_THREADS];
	unsigned int n_workers;
};

static int open_pools(struct pktio_app *app)
{
	for (unsigned int i = 0; i < app->cfg.n_pools; i++) {
		const struct pktio_config_pool *p = &app->cfg.pools[i];
		struct pktio_pool_cfg pc = {
			.name = p->name,
			.count = p->count,
			.buf_size = p->buf_size,
			.headroom = p->headroom,
			.cache_size = p->cache_size,
		};
		int err = pktio_pool_create(&pc, &app->pools[i]);

		if (err)
			return err;
		app->n_pools++;
	}
	return 0;
}

static struct pktio_pool *pool_named(const struct pktio_app *app,
				     const char *name)
{
	for (unsigned int i = 0; i < app->n_pools; i++)
		if (!strcmp(app->cfg.pools[i].name, name))
			return app->pools[i];
	return NULL;
}

static int open_ports(struct pktio_app *app)
{
	for (unsigned int i = 0; i < app->cfg.n_ports; i++) {
		const struct pktio_config_port *p = &app->cfg.ports[i];
		const char *opts[PKTIO_CFG_MAX_OPTIONS];
		struct pktio_port_cfg pc = {
			.name = p->name,
			.driver = p->driver,
			.dev = p->dev,
			.nqueues = p->queues,
			.pool = pool_named(app, p->pool),
			.options = opts,
			.n_options = p->n_options,
		};
		int err;

		for (unsigned int k = 0; k < p->n_options; k++)
			opts[k] = p->options[k];
		err = pktio_port_open(&pc, &app->ports[i]);
		if (err) {
			/* which entry of the config the driver refused (it
			 * logged why already) */
			pktio_set_error("ports[%u] (%s): %s", i, p->name,
					pktio_last_error());
			return err;
		}
		app->n_ports++;
	}
	return 0;
}

static int open_workers(struct pktio_app *app, pktio_burst_fn fn, void *ctx)
{
	for (unsigned int i = 0; i < app->cfg.n_threads; i++) {
		const struct pktio_config_thread *t = &app->cfg.threads[i];
		struct pktio_worker_cfg wc;
		struct pktio_worker *w;
		int err;

		pktio_worker_cfg_init(&wc, fn, ctx);
		wc.name = t->name;
		wc.cpu = t->cpu;
		wc.burst = t->burst;
		wc.idle_sleep_us = t->idle_sleep_us;
		err = pktio_worker_create(&wc, &w);
		if (err)
			return err;
		app->workers[app->n_workers++] = w;
		for (unsigned int k = 0; k < t->n_queues; k++) {
			err = pktio_worker_add_queue(
				w, pktio_app_port(app, t->queues[k].port),
				t->queues[k].queue);
			if (err)
				return err;
		}
	}
	return 0;
}

int pktio_app_open(const struct pktio_config *c, pktio_burst_fn fn, void *ctx,
		   struct pktio_app **out)
{
	struct pktio_app *app;
	int err;

	*out = NULL;
	app = calloc(1, sizeof(*app));
	if (!app)
		return -ENOMEM;
	app->cfg = *c;
	/* a config filled in by a program gets its defaults and checks */
	err = pktio_config_validate(&app->cfg);
	if (!err)
		err = open_pools(app);
	if (!err)
		err = open_ports(app);
	if (!err)
		err = open_workers(app, fn, ctx);
	if (err) {
		pktio_app_close(app);
		return err;
	}
	*out = app;
	return 0;
}

int pktio_app_start(struct pktio_app *app)
{
	int err;

	for (unsigned int i = 0; i < app->n_workers; i++) {
		err = pktio_worker_start(app->workers[i]);
		if (err) {
			pktio_app_stop(app);
			return err;
		}
	}
	return 0;
}

int pktio_app_stop(struct pktio_app *app)
{
	int err, ret = 0;

	for (unsigned int i = 0; i < app->n_workers; i++) {
		err = pktio_worker_stop(app->workers[i]);
		if (err && !ret)
			ret = err;
	}
	return ret;
}

int pktio_app_close(struct pktio_app *app)
{
	int err, ret = 0;

	if (!app)
		return 0;
	for (unsigned int i = app->n_workers; i-- > 0;)
		pktio_worker_destroy(app->workers[i]);
	for (unsigned int i = app->n_ports; i-- > 0;) {
		err = pktio_port_close(app->ports[i]);
		if (err && !ret)
			ret = err;
	}
	for (unsigned int i = app->n_pools; i-- > 0;) {
		err = pktio_pool_destroy(app->pools[i]);
		if (err && !ret)
			ret = err;
	}
	free(app);
	return ret;
}

struct pktio_port *pktio_app_port(const struct pktio_app *app, const char *name)
{
	for (unsigned int i = 0; i < app->n_ports; i++)
		if (!strcmp(app->cfg.ports[i].name, name))
			return app->ports[i];
	errno = ENOENT;
	return NULL;
}

struct pktio_pool *pktio_app_pool(const struct pktio_app *app, const char *name)
{
	struct pktio_pool *pool = pool_named(app, name);

	if (!pool)
		errno = ENOENT;
	return pool;
}

struct pktio_worker *pktio_app_worker(const struct pktio_app *app,
				      const char *name)
{
	for (unsigned int i = 0; i < app->n_workers; i++)
		if (!strcmp(pktio_worker_name(app->workers[i]), name))
			return app->workers[i];
	errno = ENOENT;
	return NULL;
}

unsigned int pktio_app_nports(const struct pktio_app *app)
{
	return app->n_ports;
}

struct pktio_port *pktio_app_port_at(const struct pktio_app *app,
				     unsigned int i)
{
	if (i >= app->n_ports) {
		errno = EINVAL;
		return NULL;
	}
	return app->ports[i];
}

unsigned int pktio_app_nworkers(const struct pktio_app *app)
{
	return app->n_workers;
}

struct pktio_worker *pktio_app_worker_at(const struct pktio_app *app,
					 unsigned int i)
{
	if (i >= app->n_workers) {
		errno = EINVAL;
		return NULL;
	}
	return app->workers[i];
}
