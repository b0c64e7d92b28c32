// SPDX-License-Identifier: BSD-2-Clause
/*
 * Ports: the core checks the config, allocates the port and its queues,
 * gives it an id and calls the driver.  rx/tx bursts go straight to the
 * driver; the core counts packets and bytes and drops the frames no
 * application should see (0 length, above MTU + 18).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sluice/pktio/worker.h>
#include "pktio_internal.h"

/* Ethernet header and one VLAN tag above the MTU */
#define PKTIO_L2_OVERHEAD 18u
#define PKTIO_MTU_DEFAULT 1500u

static pthread_mutex_t ports_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pktio_port *ports[PKTIO_MAX_PORTS];

static void driver_list(char *buf, size_t len)
{
	const char *const *names = pktio_driver_names();
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; names[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", names[i]);
}

static int check_cfg(const struct pktio_port_cfg *cfg,
		     const struct pktio_driver_ops **ops)
{
	const char *name = cfg->name ? cfg->name : cfg->dev;
	char list[128];

	if (!cfg->driver || !(*ops = pktio_driver_find(cfg->driver))) {
		driver_list(list, sizeof(list));
		pktio_err("port %s: driver: \"%s\" is not a driver (%s)",
			  name ? name : "?", cfg->driver ? cfg->driver : "",
			  list);
		return -EINVAL;
	}
	if (!cfg->dev || !cfg->dev[0] || strlen(cfg->dev) >= PKTIO_DEV_MAX) {
		pktio_err(
			"port %s: dev: \"%s\" is empty or longer than %d characters",
			name ? name : "?", cfg->dev ? cfg->dev : "",
			PKTIO_DEV_MAX - 1);
		return -EINVAL;
	}
	if (strlen(name) >= PKTIO_DEV_MAX) {
		pktio_err("port %s: name is longer than %d characters", name,
			  PKTIO_DEV_MAX - 1);
		return -EINVAL;
	}
	if (cfg->nqueues < 1 || cfg->nqueues > PKTIO_MAX_QUEUES) {
		pktio_err("port %s: queues: %u is not within 1..%d", name,
			  cfg->nqueues, PKTIO_MAX_QUEUES);
		return -EINVAL;
	}
	for (uint16_t q = 0; q < cfg->nqueues; q++) {
		if (cfg->queue_pools ? !cfg->queue_pools[q] : !cfg->pool) {
			pktio_err("port %s: pool: queue %u has none", name, q);
			return -EINVAL;
		}
	}
	for (unsigned int i = 0; i < cfg->n_options; i++) {
		const char *o = cfg->options[i];

		if (!o || !strchr(o, '=') || o[0] == '=') {
			pktio_err(
				"port %s: options[%u]: \"%s\" is not key=value",
				name, i, o ? o : "");
			return -EINVAL;
		}
	}
	return 0;
}

/* Enters the port in the table: its id, or -errno. */
static int port_register(struct pktio_port *port)
{
	int id = -ENOSPC;

	pthread_mutex_lock(&ports_lock);
	for (int i = 0; i < PKTIO_MAX_PORTS; i++) {
		if (ports[i] && !strcmp(ports[i]->name, port->name)) {
			id = -EEXIST;
			break;
		}
	}
	for (int i = 0; id == -ENOSPC && i < PKTIO_MAX_PORTS; i++) {
		if (!ports[i]) {
			ports[i] = port;
			id = i;
		}
	}
	pthread_mutex_unlock(&ports_lock);
	return id;
}

static void port_unregister(struct pktio_port *port)
{
	pthread_mutex_lock(&ports_lock);
	if (ports[port->id] == port)
		ports[port->id] = NULL;
	pthread_mutex_unlock(&ports_lock);
}

int pktio_port_open(const struct pktio_port_cfg *cfg, struct pktio_port **out)
{
	const struct pktio_driver_ops *ops = NULL;
	struct pktio_port *port;
	int err, id;

	*out = NULL;
	err = check_cfg(cfg, &ops);
	if (err)
		return err;
	port = calloc(1, sizeof(*port));
	if (!port)
		return -ENOMEM;
	port->ops = ops;
	snprintf(port->name, sizeof(port->name), "%s",
		 cfg->name ? cfg->name : cfg->dev);
	snprintf(port->dev, sizeof(port->dev), "%s", cfg->dev);
	port->nqueues = cfg->nqueues;
	port->mtu = PKTIO_MTU_DEFAULT;
	port->max_frame = PKTIO_MTU_DEFAULT + PKTIO_L2_OVERHEAD;
	port->q =
		aligned_alloc(PKTIO_CACHELINE, sizeof(*port->q) * cfg->nqueues);
	if (!port->q) {
		err = -ENOMEM;
		goto err_free_port;
	}
	memset(port->q, 0, sizeof(*port->q) * cfg->nqueues);
	for (uint16_t q = 0; q < cfg->nqueues; q++)
		port->q[q].pool = cfg->queue_pools ? cfg->queue_pools[q] :
						     cfg->pool;
	if (ops->priv_size) {
		port->priv = calloc(1, ops->priv_size);
		if (!port->priv) {
			err = -ENOMEM;
			goto err_free_queues;
		}
	}
	id = port_register(port);
	if (id < 0) {
		err = id;
		pktio_err("port %s: %s", port->name,
			  err == -EEXIST ? "a port of that name is open" :
					   "too many ports open");
		goto err_free_priv;
	}
	port->id = (uint16_t)id;
	err = ops->open(port, cfg);
	if (err)
		goto err_unregister;
	*out = port;
	return 0;

err_unregister:
	port_unregister(port);
err_free_priv:
	free(port->priv);
err_free_queues:
	free(port->q);
err_free_port:
	free(port);
	return err;
}

int pktio_port_close(struct pktio_port *port)
{
	if (!port)
		return 0;
	/* A worker that owns a queue polls it, and writes the queue's owner
	 * field when it is destroyed: freeing the port under it would be a
	 * use after free in another thread.  The port stays open. */
	for (uint16_t i = 0; i < port->nqueues; i++) {
		struct pktio_worker *w =
			__atomic_load_n(&port->q[i].owner, __ATOMIC_ACQUIRE);

		if (w) {
			pktio_err("port %s: queue %u belongs to worker %s: "
				  "destroy the worker before closing the port",
				  port->name, i, pktio_worker_name(w));
			return -EBUSY;
		}
	}
	port->ops->close(port);
	port_unregister(port);
	free(port->priv);
	free(port->q);
	free(port);
	return 0;
}

uint16_t pktio_rx_burst(struct pktio_port *port, uint16_t q,
			struct pktio_buf **bufs, uint16_t n)
{
	struct pktio_port_stats *s;
	uint64_t bytes = 0;
	uint16_t got, keep = 0, runts = 0, big = 0;

	if (unlikely(q >= port->nqueues)) {
		errno = EINVAL;
		return 0;
	}
	got = port->ops->rx_burst(port, q, bufs, n);
	if (!got)
		return 0;
	for (uint16_t i = 0; i < got; i++) {
		struct pktio_buf *b = bufs[i];

		if (unlikely(b->len == 0 || b->len > port->max_frame)) {
			if (b->len == 0)
				runts++;
			else
				big++;
			pktio_buf_free(b);
			continue;
		}
		b->port = port->id;
		b->queue = q;
		bytes += b->len;
		bufs[keep++] = b;
	}
	s = &port->q[q].stats;
	PKTIO_STAT_ADD(s, rx_packets, keep);
	PKTIO_STAT_ADD(s, rx_bytes, bytes);
	if (unlikely(runts || big)) {
		PKTIO_STAT_ADD(s, rx_runts, runts);
		PKTIO_STAT_ADD(s, rx_oversize, big);
		PKTIO_STAT_ADD(s, rx_errors, runts + big);
	}
	return keep;
}

uint16_t pktio_tx_burst(struct pktio_port *port, uint16_t q,
			struct pktio_buf **bufs, uint16_t n)
{
	struct pktio_port_stats *s;
	uint64_t bytes = 0;
	uint16_t sent;

	if (unlikely(q >= port->nqueues)) {
		errno = EINVAL;
		return 0;
	}
	/* sent buffers are the port's once the driver has them: count
	 * their bytes before, take back those of the unsent after */
	for (uint16_t i = 0; i < n; i++)
		bytes += bufs[i]->len;
	sent = port->ops->tx_burst(port, q, bufs, n);
	for (uint16_t i = sent; i < n; i++)
		bytes -= bufs[i]->len;
	s = &port->q[q].stats;
	PKTIO_STAT_ADD(s, tx_packets, sent);
	PKTIO_STAT_ADD(s, tx_bytes, bytes);
	return sent;
}

int pktio_port_info(struct pktio_port *port, struct pktio_port_info *info)
{
	int err;

	if (port->ops->link_update) {
		err = port->ops->link_update(port);
		if (err)
			return err;
	}
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", port->name);
	snprintf(info->driver, sizeof(info->driver), "%s", port->ops->name);
	snprintf(info->dev, sizeof(info->dev), "%s", port->dev);
	info->id = port->id;
	info->nqueues = port->nqueues;
	info->ifindex = port->ifindex;
	info->mtu = port->mtu;
	memcpy(info->mac, port->mac, sizeof(info->mac));
	info->link_up = port->link_up;
	return 0;
}

int pktio_queue_info(struct pktio_port *port, uint16_t q,
		     struct pktio_queue_info *info)
{
	if (q >= port->nqueues)
		return -EINVAL;
	*info = port->q[q].info;
	return 0;
}

/* every counter is a uint64_t: summed and zeroed as an array, so a counter
 * added to the struct is summed without a change here */
#define N_STATS (sizeof(struct pktio_port_stats) / sizeof(uint64_t))
_Static_assert(sizeof(struct pktio_port_stats) % sizeof(uint64_t) == 0,
	       "struct pktio_port_stats holds only uint64_t counters");

static void stats_add(struct pktio_port_stats *dst,
		      const struct pktio_port_stats *src)
{
	const uint64_t *from = (const uint64_t *)src;
	uint64_t *to = (uint64_t *)dst;

	for (size_t i = 0; i < N_STATS; i++)
		to[i] += __atomic_load_n(&from[i], __ATOMIC_RELAXED);
}

int pktio_port_stats(struct pktio_port *port, uint16_t q,
		     struct pktio_port_stats *s)
{
	if (q >= port->nqueues)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	stats_add(s, &port->q[q].stats);
	return 0;
}

int pktio_port_stats_total(struct pktio_port *port, struct pktio_port_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (uint16_t q = 0; q < port->nqueues; q++)
		stats_add(s, &port->q[q].stats);
	return 0;
}

int pktio_port_stats_reset(struct pktio_port *port)
{
	for (uint16_t q = 0; q < port->nqueues; q++) {
		uint64_t *c = (uint64_t *)&port->q[q].stats;

		for (size_t i = 0; i < N_STATS; i++)
			__atomic_store_n(&c[i], 0, __ATOMIC_RELAXED);
	}
	return 0;
}

const char *pktio_port_name(const struct pktio_port *port)
{
	return port->name;
}

uint16_t pktio_port_id(const struct pktio_port *port)
{
	return port->id;
}

uint16_t pktio_port_nqueues(const struct pktio_port *port)
{
	return port->nqueues;
}

struct pktio_pool *pktio_port_pool(const struct pktio_port *port, uint16_t q)
{
	if (q >= port->nqueues) {
		errno = EINVAL;
		return NULL;
	}
	return port->q[q].pool;
}

struct pktio_port *pktio_port_by_id(uint16_t id)
{
	struct pktio_port *port = NULL;

	pthread_mutex_lock(&ports_lock);
	if (id < PKTIO_MAX_PORTS)
		port = ports[id];
	pthread_mutex_unlock(&ports_lock);
	if (!port)
		errno = ENOENT;
	return port;
}

struct pktio_port *pktio_port_by_name(const char *name)
{
	struct pktio_port *port = NULL;

	pthread_mutex_lock(&ports_lock);
	for (int i = 0; i < PKTIO_MAX_PORTS && !port; i++)
		if (ports[i] && !strcmp(ports[i]->name, name))
			port = ports[i];
	pthread_mutex_unlock(&ports_lock);
	if (!port)
		errno = ENOENT;
	return port;
}

/* ---- the driver's side ---- */
void *pktio_port_priv(struct pktio_port *port)
{
	return port->priv;
}

const char *pktio_port_dev(const struct pktio_port *port)
{
	return port->dev;
}

const char *pktio_port_driver(const struct pktio_port *port)
{
	return port->ops->name;
}

struct pktio_port_stats *pktio_drv_queue_stats(struct pktio_port *port,
					       uint16_t q)
{
	return &port->q[q].stats;
}

void pktio_drv_set_link(struct pktio_port *port, int ifindex, uint32_t mtu,
			const uint8_t *mac, bool link_up)
{
	port->ifindex = ifindex;
	port->mtu = mtu;
	port->max_frame = mtu + PKTIO_L2_OVERHEAD;
	if (mac)
		memcpy(port->mac, mac, sizeof(port->mac));
	port->link_up = link_up;
}

static const struct {
	uint32_t flag;
	const char *word;
} qf_words[] = {
	{ PKTIO_QF_ZEROCOPY, "zero-copy" },
	{ PKTIO_QF_COPY, "copy" },
	{ PKTIO_QF_DRV_MODE, "drv" },
	{ PKTIO_QF_SKB_MODE, "skb" },
	{ PKTIO_QF_NEED_WAKEUP, "need_wakeup" },
	{ PKTIO_QF_BUSY_POLL, "busy-poll" },
	{ PKTIO_QF_SHARED_UMEM, "shared-umem" },
	{ PKTIO_QF_TX_SEND, "tx-send" },
};

void pktio_drv_set_queue_mode(struct pktio_port *port, uint16_t q,
			      uint32_t flags)
{
	struct pktio_queue_info *qi = &port->q[q].info;
	size_t off = 0;

	qi->flags = flags;
	qi->mode[0] = '\0';
	for (size_t i = 0; i < sizeof(qf_words) / sizeof(qf_words[0]); i++) {
		if (!(flags & qf_words[i].flag) || off >= sizeof(qi->mode))
			continue;
		off += (size_t)snprintf(qi->mode + off, sizeof(qi->mode) - off,
					"%s%s", off ? "," : "",
					qf_words[i].word);
	}
}
