// SPDX-License-Identifier: BSD-2-Clause
/*
 * The tap and tun drivers: one /dev/net/tun file descriptor per queue on a
 * TAP (Ethernet frames, IFF_TAP) or TUN (IP packets, IFF_TUN) device, both
 * without the packet information header (IFF_NO_PI).  The device is
 * created when no interface has that name, attached to otherwise; several
 * queues need IFF_MULTI_QUEUE (a device created elsewhere must have been
 * created multi-queue: `ip tuntap add dev X mode tap multi_queue`).  Open
 * sets the link up, so the kernel side can be given an address at once.
 *
 * Each read() and write() copies one packet between a pool buffer and the
 * kernel: rx and tx count `copies`, and every write counts as a wakeup (a
 * system call that hands the kernel a packet).  A packet that did not fit
 * the buffer (it reached one spill byte past it) is dropped and counted in
 * rx_oversize and rx_errors.  A packet the kernel refuses on write is
 * dropped and counted in tx_drops and tx_errors.  The driver holds no
 * buffer between bursts.
 *
 * Options: persist=0|1 (default 0).  persist=1 keeps the device after
 * close; with 0 a device this port created goes away at close, and a
 * device it attached to is left as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "pktio_driver.h"

#define TUN_PATH "/dev/net/tun"

struct tap_queue {
	int fd;
	struct pktio_pool *pool;
	struct pktio_port_stats *stats;
};

struct tap_port {
	const char *driver; /* "tap" or "tun" */
	bool l2;	    /* tap: Ethernet frames */
	uint16_t nqueues;
	struct tap_queue *q;
};

/* Opens queue q's fd on the device dev: -errno after saying why. */
static int queue_open(struct tap_port *tp, struct tap_queue *tq, uint16_t q,
		      const char *dev, bool existed)
{
	struct ifreq ifr = { 0 };
	int err;

	tq->fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (tq->fd < 0) {
		err = -errno;
		pktio_drv_err("port %s: driver %s: queue %u: %s: %s", dev,
			      tp->driver, q, TUN_PATH, strerror(errno));
		return err;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_flags = (short)((tp->l2 ? IFF_TAP : IFF_TUN) | IFF_NO_PI);
	if (tp->nqueues > 1)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	if (!ioctl(tq->fd, TUNSETIFF, &ifr))
		return 0;
	err = -errno;
	if (existed && (errno == EINVAL || errno == EBUSY))
		pktio_drv_err(
			"port %s: driver %s: queue %u: cannot attach to interface %s: %s (is it a %s device, %s?)",
			dev, tp->driver, q, dev, strerror(errno), tp->driver,
			tp->nqueues > 1 ? "created multi_queue" :
					  "not multi_queue");
	else
		pktio_drv_err(
			"port %s: driver %s: queue %u: TUNSETIFF %s: %s%s", dev,
			tp->driver, q, dev, strerror(errno),
			errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
	close(tq->fd);
	tq->fd = -1;
	return err;
}

/* Sets the link up and tells the core its facts (through an ioctl socket:
 * the tun fd takes no interface ioctls). */
static int link_setup(struct pktio_port *port, struct tap_port *tp, bool set_up)
{
	const char *dev = pktio_port_dev(port);
	struct ifreq ifr = { 0 };
	const uint8_t *mac = NULL;
	uint32_t mtu;
	int fd, err = 0;
	bool up;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		goto err;
	if (set_up && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr))
			goto err;
	}
	up = (ifr.ifr_flags & IFF_UP) != 0;
	if (ioctl(fd, SIOCGIFMTU, &ifr))
		goto err;
	mtu = (uint32_t)ifr.ifr_mtu;
	if (tp->l2) {
		if (ioctl(fd, SIOCGIFHWADDR, &ifr))
			goto err;
		mac = (const uint8_t *)ifr.ifr_hwaddr.sa_data;
	}
	pktio_drv_set_link(port, (int)if_nametoindex(dev), mtu, mac, up);
	close(fd);
	return 0;
err:
	err = -errno;
	close(fd);
	return err;
}

static void tap_close(struct pktio_port *port)
{
	struct tap_port *tp = pktio_port_priv(port);

	if (!tp->q)
		return;
	for (uint16_t q = 0; q < tp->nqueues; q++)
		if (tp->q[q].fd >= 0)
			close(tp->q[q].fd);
	free(tp->q);
	tp->q = NULL;
}

static int tap_open_any(struct pktio_port *port,
			const struct pktio_port_cfg *cfg, bool l2)
{
	struct tap_port *tp = pktio_port_priv(port);
	bool persist = false, existed;
	const struct pktio_opt opts[] = {
		{ .key = "persist", .type = PKTIO_OPT_BOOL, .out = &persist },
	};
	int err;

	tp->driver = l2 ? "tap" : "tun";
	tp->l2 = l2;
	err = pktio_drv_parse_opts(tp->driver, cfg, opts,
				   sizeof(opts) / sizeof(opts[0]));
	if (err)
		return err;
	if (strlen(cfg->dev) >= IFNAMSIZ) {
		pktio_drv_err(
			"port %s: driver %s: interface name longer than %d bytes",
			cfg->dev, tp->driver, IFNAMSIZ - 1);
		return -EINVAL;
	}
	existed = if_nametoindex(cfg->dev) != 0;
	tp->nqueues = cfg->nqueues;
	tp->q = calloc(cfg->nqueues, sizeof(*tp->q));
	if (!tp->q)
		return -ENOMEM;
	for (uint16_t q = 0; q < cfg->nqueues; q++)
		tp->q[q].fd = -1;
	for (uint16_t q = 0; q < cfg->nqueues; q++) {
		struct tap_queue *tq = &tp->q[q];

		tq->pool = pktio_port_pool(port, q);
		tq->stats = pktio_drv_queue_stats(port, q);
		err = queue_open(tp, tq, q, cfg->dev, existed);
		if (err)
			goto err_close;
		pktio_drv_set_queue_mode(port, q, PKTIO_QF_COPY);
	}
	if (persist && ioctl(tp->q[0].fd, TUNSETPERSIST, 1)) {
		err = -errno;
		pktio_drv_err("port %s: driver %s: option persist=1: %s",
			      cfg->dev, tp->driver, strerror(errno));
		goto err_close;
	}
	err = link_setup(port, tp, true);
	if (err) {
		pktio_drv_err("port %s: driver %s: link up: %s", cfg->dev,
			      tp->driver, strerror(-err));
		goto err_undo_persist;
	}
	return 0;

err_undo_persist:
	if (persist && !existed)
		ioctl(tp->q[0].fd, TUNSETPERSIST, 0);
err_close:
	tap_close(port);
	return err;
}

static int tap_open(struct pktio_port *port, const struct pktio_port_cfg *cfg)
{
	return tap_open_any(port, cfg, true);
}

static int tun_open(struct pktio_port *port, const struct pktio_port_cfg *cfg)
{
	return tap_open_any(port, cfg, false);
}

static int tap_link_update(struct pktio_port *port)
{
	return link_setup(port, pktio_port_priv(port), false);
}

static uint16_t tap_rx(struct pktio_port *port, uint16_t q,
		       struct pktio_buf **bufs, uint16_t n)
{
	struct tap_port *tp = pktio_port_priv(port);
	struct tap_queue *tq = &tp->q[q];
	uint16_t got = 0, big = 0, errs = 0;
	uint8_t spill;

	while (got < n) {
		struct pktio_buf *b = pktio_buf_alloc(tq->pool);
		struct iovec iov[2];
		uint32_t room;
		ssize_t len;

		if (!b) {
			/* the packet waits in the kernel for the next burst */
			PKTIO_STAT_ADD(tq->stats, fill_empty, 1);
			break;
		}
		room = pktio_buf_tailroom(b);
		/* a byte beyond the buffer: a packet that reaches it was longer
		 * than the buffer (the kernel cuts it and says only what it
		 * copied) */
		iov[0] = (struct iovec){ pktio_buf_data(b), room };
		iov[1] = (struct iovec){ &spill, 1 };
		len = readv(tq->fd, iov, 2);
		if (len < 0) {
			pktio_buf_free(b);
			if (errno != EAGAIN && errno != EINTR)
				errs++; /* EIO: the link went down */
			break;
		}
		if ((size_t)len > room) {
			pktio_buf_free(b);
			big++;
			continue;
		}
		pktio_drv_buf_set(b, pktio_buf_headroom(b), (uint32_t)len);
		bufs[got++] = b;
	}
	if (got) {
		PKTIO_STAT_ADD(tq->stats, copies, got);
		pktio_pool_count_copies(tq->pool, got);
	}
	if (big) {
		PKTIO_STAT_ADD(tq->stats, rx_oversize, big);
		PKTIO_STAT_ADD(tq->stats, rx_errors, big);
	}
	if (errs)
		PKTIO_STAT_ADD(tq->stats, rx_errors, errs);
	return got;
}

static uint16_t tap_tx(struct pktio_port *port, uint16_t q,
		       struct pktio_buf **bufs, uint16_t n)
{
	struct tap_port *tp = pktio_port_priv(port);
	struct tap_queue *tq = &tp->q[q];
	uint16_t i, sent = 0, refused = 0;

	for (i = 0; i < n; i++) {
		struct pktio_buf *b = bufs[i];

		if (write(tq->fd, pktio_buf_data(b), b->len) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break; /* bufs[i..n) stay the caller's */
			refused++;
		} else {
			sent++;
		}
	}
	pktio_buf_free_bulk(bufs, i);
	if (i)
		PKTIO_STAT_ADD(tq->stats, wakeups, i);
	if (sent) {
		PKTIO_STAT_ADD(tq->stats, copies, sent);
		pktio_pool_count_copies(tq->pool, sent);
	}
	if (refused) {
		PKTIO_STAT_ADD(tq->stats, tx_drops, refused);
		PKTIO_STAT_ADD(tq->stats, tx_errors, refused);
	}
	return i;
}

const struct pktio_driver_ops pktio_drv_tap = {
	.name = "tap",
	.priv_size = sizeof(struct tap_port),
	.open = tap_open,
	.close = tap_close,
	.rx_burst = tap_rx,
	.tx_burst = tap_tx,
	.link_update = tap_link_update,
};

const struct pktio_driver_ops pktio_drv_tun = {
	.name = "tun",
	.priv_size = sizeof(struct tap_port),
	.open = tun_open,
	.close = tap_close,
	.rx_burst = tap_rx,
	.tx_burst = tap_tx,
	.link_update = tap_link_update,
};
