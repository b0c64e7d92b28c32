// SPDX-License-Identifier: BSD-2-Clause
/*
 * The af_xdp driver: one AF_XDP socket per queue (libxdp's xsk.h), bound
 * to queue `queue + q` of the interface, on the UMEM of the queue's pool
 * (af_xdp_umem.c), so a buffer goes from rx to tx, on this port or any
 * other af_xdp port on that pool, by descriptor: no copy.  A buffer of
 * another pool is copied into the queue's pool on tx (counted).
 *
 * Zero-copy is tried first and copy mode taken when the driver says
 * EOPNOTSUPP (zerocopy=required refuses instead); what each queue got is
 * in its pktio_queue_info.  need_wakeup is honoured: the kernel is kicked
 * (recvfrom, sendto; counted in wakeups) only when its ring flag asks,
 * or always with busy polling (busy_poll=USEC), which drives the device
 * from those calls.
 *
 * The driver tracks every buffer it gave the kernel (fill ring, tx ring)
 * in a bitmap per queue: close() returns them all to the pool, whatever
 * the kernel did with them.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_xdp.h>
#include "af_xdp.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

#define AFXDP_BATCH 64u
#define AFXDP_RING_DEFAULT 2048ul
#define AFXDP_BUSY_TRIES 50 /* 20 ms apart */
/* The kernel's drop counters are read every this many rx bursts, and on
 * an empty burst once AFXDP_XSTATS_IDLE have passed since the last read:
 * a reader of the stats sees drops soon after the traffic stops, not 256
 * bursts later (the tool that found it read 0 of 3,952 drops).  Only the
 * polling thread writes the stats, so the read happens here. */
#define AFXDP_XSTATS_EVERY 256u
#define AFXDP_XSTATS_IDLE 16u

enum afxdp_zc { AFXDP_ZC_AUTO, AFXDP_ZC_REQUIRED, AFXDP_ZC_OFF };

struct afxdp_opts {
	int zc;		     /* enum afxdp_zc */
	int mode;	     /* mode=: auto, zerocopy, copy; -1 if not given */
	int xdp_mode;	     /* enum afxdp_xdp_mode */
	unsigned long queue; /* first interface queue */
	unsigned long rx_size, tx_size, fill_size, comp_size;
	unsigned long fill; /* buffers kept in the fill ring, 0: auto */
	unsigned long busy_poll, busy_budget;
	bool need_wakeup;
	const char *pin_dir;
};

struct afxdp_queue {
	struct xsk_socket *xsk;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	/* a socket after its UMEM's first has rings of its own */
	struct xsk_ring_prod own_fill;
	struct xsk_ring_cons own_comp;
	struct xsk_ring_prod *fill;
	struct xsk_ring_cons *comp;
	struct afxdp_umem *umem;
	struct pktio_pool *pool;
	struct pktio_port_stats *stats;
	uint64_t *owned; /* a bit per pool frame: the kernel has it */
	struct xdp_statistics xstats; /* the socket's, at the last read */
	uint32_t polls;		      /* rx bursts since xstats was read */
	uint32_t qid;
	uint32_t shift; /* log2 of the frame size */
	uint32_t fill_target;
	uint32_t in_fill;
	int fd;
	bool zerocopy, shared, need_wakeup, busy_poll, in_map;
};

struct afxdp_port {
	struct afxdp_queue *q;
	uint16_t nqueues;
	bool prog_ready;
	struct afxdp_prog prog;
};

static inline void owned_set(struct afxdp_queue *aq, uint32_t idx)
{
	aq->owned[idx >> 6] |= 1ull << (idx & 63);
}

/* Clears idx's bit: whether it was set (else the kernel handed back a
 * frame it never had from us). */
static inline bool owned_clear(struct afxdp_queue *aq, uint32_t idx)
{
	uint64_t bit = 1ull << (idx & 63);
	bool was = aq->owned[idx >> 6] & bit;

	aq->owned[idx >> 6] &= ~bit;
	return was;
}

/* ---- link facts ---- */

static int afxdp_link_update(struct pktio_port *port)
{
	const char *dev = pktio_port_dev(port);
	struct ifreq ifr;
	uint8_t mac[6] = { 0 };
	uint32_t mtu = 1500;
	bool up = false;
	int fd, ifindex;

	ifindex = (int)if_nametoindex(dev);
	if (!ifindex)
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (!ioctl(fd, SIOCGIFMTU, &ifr))
		mtu = (uint32_t)ifr.ifr_mtu;
	if (!ioctl(fd, SIOCGIFHWADDR, &ifr))
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr))
		up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	close(fd);
	pktio_drv_set_link(port, ifindex, mtu, mac, up);
	return 0;
}

/* ---- buffers between the pool and the kernel ---- */

/* Tops the fill ring up to the queue's target. */
static void fill_refill(struct afxdp_queue *aq)
{
	struct pktio_buf *bufs[AFXDP_BATCH];
	uint32_t want, got, idx = 0;

	while (aq->in_fill < aq->fill_target) {
		want = aq->fill_target - aq->in_fill;
		if (want > AFXDP_BATCH)
			want = AFXDP_BATCH;
		want = xsk_prod_nb_free(aq->fill, want) < want ?
			       xsk_prod_nb_free(aq->fill, want) :
			       want;
		if (!want)
			return;
		got = pktio_buf_alloc_burst(aq->pool, bufs, want);
		if (got < want)
			PKTIO_STAT_ADD(aq->stats, fill_empty, 1);
		if (!got)
			return;
		xsk_ring_prod__reserve(aq->fill, got, &idx);
		for (uint32_t i = 0; i < got; i++) {
			owned_set(aq, bufs[i]->idx);
			/* the frame's start: the kernel puts the data at
			 * XDP_PACKET_HEADROOM and says so in the rx desc */
			*xsk_ring_prod__fill_addr(aq->fill, idx + i) =
				(uint64_t)bufs[i]->idx << aq->shift;
		}
		xsk_ring_prod__submit(aq->fill, got);
		aq->in_fill += got;
		if (got < want)
			return;
	}
}

/* Returns the buffers whose transmission completed to the pool. */
static void comp_reap(struct afxdp_queue *aq)
{
	struct pktio_buf *bufs[AFXDP_BATCH];
	uint32_t n, idx, k;

	while ((n = xsk_ring_cons__peek(aq->comp, AFXDP_BATCH, &idx))) {
		k = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t addr =
				*xsk_ring_cons__comp_addr(aq->comp, idx + i);
			struct pktio_buf *b =
				pktio_pool_addr_buf(aq->pool, addr);

			if (b && owned_clear(aq, b->idx))
				bufs[k++] = b;
			else
				PKTIO_STAT_ADD(aq->stats, tx_errors, 1);
		}
		xsk_ring_cons__release(aq->comp, n);
		pktio_buf_free_bulk(bufs, k);
	}
}

/* Adds what the kernel dropped since the last read to the queue's
 * counters: frames it had no rx ring room or no fill buffer for
 * (rx_drops, fill_empty), frames too large for a frame (rx_oversize and
 * rx_errors), tx descriptors it refused (tx_errors). */
static void xstats_sync(struct afxdp_queue *aq)
{
	struct xdp_statistics now, *was = &aq->xstats;
	socklen_t len = sizeof(now);

	if (getsockopt(aq->fd, SOL_XDP, XDP_STATISTICS, &now, &len) ||
	    len != sizeof(now))
		return;
	PKTIO_STAT_ADD(aq->stats, rx_drops,
		       now.rx_dropped - was->rx_dropped + now.rx_ring_full -
			       was->rx_ring_full);
	PKTIO_STAT_ADD(aq->stats, fill_empty,
		       now.rx_fill_ring_empty_descs -
			       was->rx_fill_ring_empty_descs);
	PKTIO_STAT_ADD(aq->stats, rx_oversize,
		       now.rx_invalid_descs - was->rx_invalid_descs);
	PKTIO_STAT_ADD(aq->stats, rx_errors,
		       now.rx_invalid_descs - was->rx_invalid_descs);
	PKTIO_STAT_ADD(aq->stats, tx_errors,
		       now.tx_invalid_descs - was->tx_invalid_descs);
	*was = now;
}

static uint16_t afxdp_rx(struct pktio_port *port, uint16_t q,
			 struct pktio_buf **bufs, uint16_t n)
{
	struct afxdp_port *ap = pktio_port_priv(port);
	struct afxdp_queue *aq = &ap->q[q];
	uint32_t rcvd, idx, keep = 0, bad = 0;

	comp_reap(aq);
	rcvd = xsk_ring_cons__peek(&aq->rx, n, &idx);
	if (++aq->polls >= (rcvd ? AFXDP_XSTATS_EVERY : AFXDP_XSTATS_IDLE)) {
		xstats_sync(aq);
		aq->polls = 0;
	}
	if (!rcvd) {
		if (aq->busy_poll || (aq->need_wakeup &&
				      xsk_ring_prod__needs_wakeup(aq->fill))) {
			/* cppcheck-suppress nullPointer ; the fill ring's kick */
			recvfrom(aq->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
			PKTIO_STAT_ADD(aq->stats, wakeups, 1);
		}
		fill_refill(aq);
		return 0;
	}
	for (uint32_t i = 0; i < rcvd; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&aq->rx, idx + i);
		struct pktio_buf *b = pktio_pool_addr_buf(aq->pool, d->addr);

		if (!b || !owned_clear(aq, b->idx)) {
			bad++; /* not a frame we gave: nothing to free */
			continue;
		}
		aq->in_fill--;
		if (pktio_drv_buf_set(
			    b, (uint32_t)(d->addr & ((1u << aq->shift) - 1)),
			    d->len)) {
			bad++;
			pktio_buf_free(b);
			continue;
		}
		bufs[keep++] = b;
	}
	xsk_ring_cons__release(&aq->rx, rcvd);
	if (bad)
		PKTIO_STAT_ADD(aq->stats, rx_errors, bad);
	fill_refill(aq);
	return (uint16_t)keep;
}

static void tx_kick(struct afxdp_queue *aq)
{
	if (!aq->busy_poll && aq->need_wakeup &&
	    !xsk_ring_prod__needs_wakeup(&aq->tx))
		return;
	/* cppcheck-suppress nullPointer ; a zero-length send is the kick */
	if (sendto(aq->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
	    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS &&
	    errno != ENETDOWN)
		PKTIO_STAT_ADD(aq->stats, tx_errors, 1);
	PKTIO_STAT_ADD(aq->stats, wakeups, 1);
}

/* Sends up to AFXDP_BATCH buffers: how many it took. */
static uint32_t tx_batch(struct afxdp_queue *aq, struct pktio_buf **bufs,
			 uint32_t n)
{
	struct pktio_buf *out[AFXDP_BATCH];
	uint32_t room, m, idx = 0, copies = 0;

	room = xsk_prod_nb_free(&aq->tx, n);
	if (room < n) {
		/* the kernel may hold completions we have not read */
		tx_kick(aq);
		comp_reap(aq);
		room = xsk_prod_nb_free(&aq->tx, n);
	}
	m = n < room ? n : room;
	for (uint32_t i = 0; i < m; i++) {
		struct pktio_buf *b = bufs[i];

		if (b->pool == aq->pool && pktio_buf_refcnt(b) == 1 && b->len) {
			out[i] = b;
			continue;
		}
		/* another UMEM, or a buffer shared with someone who may
		 * still read it: the kernel gets a copy of our own */
		out[i] = b->len ? pktio_buf_copy(aq->pool, b) : NULL;
		if (!out[i]) {
			/* an empty frame is an invalid descriptor the kernel
			 * would drop without completing it: refused */
			if (!b->len)
				PKTIO_STAT_ADD(aq->stats, tx_errors, 1);
			m = i;
			break;
		}
		copies++;
	}
	if (!m)
		return 0;
	xsk_ring_prod__reserve(&aq->tx, m, &idx);
	for (uint32_t i = 0; i < m; i++) {
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&aq->tx, idx + i);

		owned_set(aq, out[i]->idx);
		d->addr = pktio_buf_addr(out[i]);
		d->len = out[i]->len;
		d->options = 0;
		if (out[i] != bufs[i])
			pktio_buf_free(bufs[i]); /* its copy is sent */
	}
	xsk_ring_prod__submit(&aq->tx, m);
	if (copies)
		PKTIO_STAT_ADD(aq->stats, copies, copies);
	return m;
}

static uint16_t afxdp_tx(struct pktio_port *port, uint16_t q,
			 struct pktio_buf **bufs, uint16_t n)
{
	struct afxdp_port *ap = pktio_port_priv(port);
	struct afxdp_queue *aq = &ap->q[q];
	uint32_t done = 0, want, sent;

	comp_reap(aq);
	while (done < n) {
		want = n - done < AFXDP_BATCH ? n - done : AFXDP_BATCH;
		sent = tx_batch(aq, bufs + done, want);
		done += sent;
		if (sent < want)
			break;
	}
	if (done)
		tx_kick(aq);
	return (uint16_t)done;
}

/* ---- open and close ---- */

static void queue_close(struct afxdp_port *ap, struct afxdp_queue *aq)
{
	if (aq->in_map)
		afxdp_prog_del(&ap->prog, aq->qid);
	aq->in_map = false;
	if (aq->xsk) {
		afxdp_umem_lock();
		xsk_socket__delete(aq->xsk);
		afxdp_umem_unlock();
		aq->xsk = NULL;
	}
	/* the socket is gone: every frame it had is ours again */
	if (aq->owned) {
		uint32_t count = pktio_pool_count(aq->pool);

		for (uint32_t w = 0; w < (count + 63) / 64; w++) {
			while (aq->owned[w]) {
				uint32_t bit =
					(uint32_t)__builtin_ctzll(aq->owned[w]);

				aq->owned[w] &= aq->owned[w] - 1;
				pktio_buf_free(pktio_pool_idx_buf(
					aq->pool, w * 64 + bit));
			}
		}
		free(aq->owned);
		aq->owned = NULL;
	}
	afxdp_umem_put(aq->umem);
	aq->umem = NULL;
}

static void afxdp_close(struct pktio_port *port)
{
	struct afxdp_port *ap = pktio_port_priv(port);

	if (!ap->q)
		return;
	/* out of the XSKMAP and the program gone first: no frame is
	 * redirected to a socket being closed */
	for (uint16_t q = 0; q < ap->nqueues; q++) {
		if (ap->q[q].in_map)
			afxdp_prog_del(&ap->prog, ap->q[q].qid);
		ap->q[q].in_map = false;
	}
	if (ap->prog_ready)
		afxdp_prog_release(&ap->prog);
	ap->prog_ready = false;
	for (uint16_t q = 0; q < ap->nqueues; q++)
		queue_close(ap, &ap->q[q]);
	free(ap->q);
	ap->q = NULL;
}

static int xsk_create(struct afxdp_queue *aq, const char *dev,
		      const struct afxdp_opts *o, uint32_t bind_flags)
{
	struct xsk_socket_config cfg = {
		.rx_size = (uint32_t)o->rx_size,
		.tx_size = (uint32_t)o->tx_size,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = (uint16_t)bind_flags,
	};
	struct afxdp_umem *u = aq->umem;

	if (!u->first_taken) {
		aq->fill = &u->fill;
		aq->comp = &u->comp;
	} else {
		aq->fill = &aq->own_fill;
		aq->comp = &aq->own_comp;
	}
	return xsk_socket__create_shared(&aq->xsk, dev, aq->qid, u->umem,
					 &aq->rx, &aq->tx, aq->fill, aq->comp,
					 &cfg);
}

/*
 * xsk_create(), again while the queue is busy (EBUSY): the kernel lets go
 * of a closed socket's queue from a workqueue, so a queue closed a moment
 * ago (a port reopened, a program restarted) is busy for a few ms.  A
 * queue held by a live socket stays busy: that fails after ~1 s.
 */
static int xsk_create_retry(struct afxdp_queue *aq, const char *dev,
			    const struct afxdp_opts *o, uint32_t bind_flags)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };
	int err;

	for (int tries = 0;; tries++) {
		err = xsk_create(aq, dev, o, bind_flags);
		if (err != -EBUSY || tries == AFXDP_BUSY_TRIES)
			return err;
		/* a failed first socket spoils its UMEM's rings (libxdp) */
		if (!aq->umem->first_taken) {
			err = afxdp_umem_renew(aq->umem);
			if (err)
				return err;
		}
		nanosleep(&pause, NULL);
	}
}

/* Binds the queue's socket: zero-copy first unless told otherwise.
 * Called with the UMEM registry locked. */
static int queue_bind(struct afxdp_queue *aq, const char *dev,
		      const struct afxdp_opts *o)
{
	struct afxdp_umem *u = aq->umem;
	uint32_t wake = o->need_wakeup ? XDP_USE_NEED_WAKEUP : 0;
	int err;

	if (u->first_taken) {
		/* XDP_SHARED_UMEM: the mode is the first socket's */
		err = xsk_create_retry(aq, dev, o, 0);
		if (err)
			return err;
		aq->shared = true;
		aq->need_wakeup = u->need_wakeup;
		return 0;
	}
	if (o->zc != AFXDP_ZC_OFF) {
		err = xsk_create_retry(aq, dev, o, XDP_ZEROCOPY | wake);
		if (!err)
			goto bound;
		if (o->zc == AFXDP_ZC_REQUIRED || err != -EOPNOTSUPP)
			return err;
		pktio_log(
			PKTIO_LOG_INFO,
			"port %s: driver af_xdp: queue %u: no zero-copy on %s, copy mode",
			dev, aq->qid, dev);
		err = afxdp_umem_renew(u);
		if (err)
			return err;
	}
	err = xsk_create_retry(aq, dev, o, XDP_COPY | wake);
	if (err)
		return err;
bound:
	u->first_taken = true;
	u->need_wakeup = o->need_wakeup;
	aq->need_wakeup = o->need_wakeup;
	return 0;
}

static int queue_busy_poll(struct afxdp_queue *aq, const char *dev,
			   const struct afxdp_opts *o)
{
	int one = 1, usec = (int)o->busy_poll, budget = (int)o->busy_budget;

	if (!o->busy_poll)
		return 0;
	if (setsockopt(aq->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one,
		       sizeof(one)) ||
	    setsockopt(aq->fd, SOL_SOCKET, SO_BUSY_POLL, &usec, sizeof(usec)) ||
	    setsockopt(aq->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget,
		       sizeof(budget))) {
		int err = -errno;

		pktio_drv_err(
			"port %s: driver af_xdp: option busy_poll=%lu: queue %u: %s",
			dev, o->busy_poll, aq->qid, strerror(errno));
		return err;
	}
	aq->busy_poll = true;
	return 0;
}

static int queue_open(struct pktio_port *port, struct afxdp_queue *aq,
		      uint16_t q, const struct afxdp_opts *o)
{
	const char *dev = pktio_port_dev(port);
	struct xdp_options xo = { 0 };
	socklen_t len = sizeof(xo);
	uint32_t count;
	int err;

	aq->pool = pktio_port_pool(port, q);
	aq->stats = pktio_drv_queue_stats(port, q);
	aq->qid = (uint32_t)o->queue + q;
	aq->shift = (uint32_t)__builtin_ctz(pktio_pool_buf_size(aq->pool));
	count = pktio_pool_count(aq->pool);
	aq->owned = calloc((count + 63) / 64, sizeof(uint64_t));
	if (!aq->owned)
		return -ENOMEM;

	afxdp_umem_lock();
	err = afxdp_umem_get(aq->pool, (uint32_t)o->fill_size,
			     (uint32_t)o->comp_size, &aq->umem);
	if (!err) {
		err = queue_bind(aq, dev, o);
		if (err)
			aq->xsk = NULL;
	}
	afxdp_umem_unlock();
	if (err) {
		if (err == -EOPNOTSUPP && o->zc == AFXDP_ZC_REQUIRED)
			pktio_drv_err(
				"port %s: driver af_xdp: queue %u: zerocopy=required but %s's driver has no AF_XDP zero-copy (EOPNOTSUPP); use mode=auto or mode=copy",
				dev, aq->qid, dev);
		else if (err == -EBUSY)
			pktio_drv_err(
				"port %s: driver af_xdp: queue %u of %s is busy: another AF_XDP socket is bound to it",
				dev, aq->qid, dev);
		else if (aq->umem)
			pktio_drv_err(
				"port %s: driver af_xdp: queue %u: creating the AF_XDP socket: %s",
				dev, aq->qid, strerror(-err));
		return err;
	}
	aq->fd = xsk_socket__fd(aq->xsk);
	if (getsockopt(aq->fd, SOL_XDP, XDP_OPTIONS, &xo, &len) == 0)
		aq->zerocopy = xo.flags & XDP_OPTIONS_ZEROCOPY;
	if (aq->zerocopy ? o->zc == AFXDP_ZC_OFF && o->mode >= 0 :
			   o->zc == AFXDP_ZC_REQUIRED) {
		/* a shared UMEM imposes its first socket's mode */
		pktio_drv_err(
			"port %s: driver af_xdp: queue %u: %s asked, but the pool's UMEM is in %s mode already (another port opened it first)",
			dev, aq->qid, aq->zerocopy ? "copy" : "zero-copy",
			aq->zerocopy ? "zero-copy" : "copy");
		return -EINVAL;
	}
	err = queue_busy_poll(aq, dev, o);
	if (err)
		return err;
	/* a share of the pool, so that other queues and tx copies find
	 * buffers too */
	aq->fill_target = o->fill ? (uint32_t)o->fill : count / 2;
	if (aq->fill_target > o->fill_size)
		aq->fill_target = (uint32_t)o->fill_size;
	fill_refill(aq);
	return 0;
}

static uint32_t queue_flags(const struct afxdp_queue *aq, bool drv)
{
	uint32_t f = aq->zerocopy ? PKTIO_QF_ZEROCOPY : PKTIO_QF_COPY;

	f |= drv ? PKTIO_QF_DRV_MODE : PKTIO_QF_SKB_MODE;
	if (aq->need_wakeup)
		f |= PKTIO_QF_NEED_WAKEUP;
	if (aq->busy_poll)
		f |= PKTIO_QF_BUSY_POLL;
	if (aq->shared)
		f |= PKTIO_QF_SHARED_UMEM;
	return f;
}

static int check_ring(const char *key, unsigned long v)
{
	if (v & (v - 1)) {
		pktio_drv_err(
			"driver af_xdp: option %s=%lu: not a power of two", key,
			v);
		return -EINVAL;
	}
	return 0;
}

static int parse_opts(const struct pktio_port_cfg *cfg, struct afxdp_opts *o)
{
	static const char *const zc_choices[] = { "auto", "required", "off",
						  NULL };
	static const char *const mode_choices[] = { "auto", "zerocopy", "copy",
						    NULL };
	static const char *const xdp_choices[] = { "auto", "drv", "skb", NULL };
	const struct pktio_opt tbl[] = {
		{ .key = "mode",
		  .type = PKTIO_OPT_ENUM,
		  .out = &o->mode,
		  .choices = mode_choices },
		{ .key = "zerocopy",
		  .type = PKTIO_OPT_ENUM,
		  .out = &o->zc,
		  .choices = zc_choices },
		{ .key = "xdp_mode",
		  .type = PKTIO_OPT_ENUM,
		  .out = &o->xdp_mode,
		  .choices = xdp_choices },
		{ .key = "queue",
		  .type = PKTIO_OPT_UINT,
		  .out = &o->queue,
		  .max = 1023 },
		{ .key = "rx_size",
		  .type = PKTIO_OPT_UINT,
		  .out = &o->rx_size,
		  .min = 64,
		  .max = 1ul << 16 },
		{ .key = "tx_size",
		  .type = PKTIO_OPT_UINT,
		  .out = &o->tx_size,
		  .min = 64,
		  .max = 1ul << 16 },
		{ .key = "fill_size",
		  .type = PKTIO_OPT_UINT,
		  .out = &o->fill_size,
		  .min = 64,
		  .max = 1ul << 16 },
		{ .key = "comp_size",
		  .type = PKTIO_OPT_UINT,
		  .out = &o->comp_size,
		  .min = 64,
		  .max = 1ul << 16 },
		{ .key = "fill",
		  .type = PKTIO_OPT_UINT,
		  .out = &o->fill,
		  .max = 1ul << 16 },
		{ .key = "busy_poll",
		  .type = PKTIO_OPT_UINT,
		  .out = &o->busy_poll,
		  .max = 1000000 },
		{ .key = "busy_budget",
		  .type = PKTIO_OPT_UINT,
		  .out = &o->busy_budget,
		  .min = 1,
		  .max = 1024 },
		{ .key = "need_wakeup",
		  .type = PKTIO_OPT_BOOL,
		  .out = &o->need_wakeup },
		{ .key = "pin_dir", .type = PKTIO_OPT_STR, .out = &o->pin_dir },
	};
	int err;

	memset(o, 0, sizeof(*o));
	o->mode = -1;
	o->rx_size = o->tx_size = AFXDP_RING_DEFAULT;
	o->fill_size = o->comp_size = AFXDP_RING_DEFAULT;
	o->busy_budget = 64;
	o->need_wakeup = true;
	err = pktio_drv_parse_opts("af_xdp", cfg, tbl,
				   sizeof(tbl) / sizeof(tbl[0]));
	if (err)
		return err;
	if (o->mode >= 0) /* mode= is the other name of zerocopy= */
		o->zc = o->mode == 0 ? AFXDP_ZC_AUTO :
			o->mode == 1 ? AFXDP_ZC_REQUIRED :
				       AFXDP_ZC_OFF;
	err = check_ring("rx_size", o->rx_size);
	if (!err)
		err = check_ring("tx_size", o->tx_size);
	if (!err)
		err = check_ring("fill_size", o->fill_size);
	if (!err)
		err = check_ring("comp_size", o->comp_size);
	if (!err && o->queue + cfg->nqueues > 1024) {
		pktio_drv_err(
			"driver af_xdp: option queue=%lu: queues %lu..%lu are beyond 1023",
			o->queue, o->queue, o->queue + cfg->nqueues - 1);
		err = -EINVAL;
	}
	return err;
}

static int afxdp_open(struct pktio_port *port, const struct pktio_port_cfg *cfg)
{
	struct afxdp_port *ap = pktio_port_priv(port);
	const char *dev = cfg->dev;
	struct afxdp_opts o;
	int ifindex, err, n;
	bool drv = false;

	err = parse_opts(cfg, &o);
	if (err)
		return err;
	ifindex = (int)if_nametoindex(dev);
	if (!ifindex) {
		err = -errno;
		pktio_drv_err(
			"port %s: driver af_xdp: dev %s: no such interface",
			pktio_port_name(port), dev);
		return err ? err : -ENODEV;
	}
	err = afxdp_link_update(port);
	if (err)
		return err;
	/* a queue the device does not have fails the bind with a bare
	 * EINVAL: say which, and how many there are */
	n = pktio_drv_netdev_queues(dev);
	if (n > 0 && o.queue + cfg->nqueues > (unsigned long)n) {
		pktio_drv_err(
			"port %s: driver af_xdp: dev %s has %d queue%s (0..%d): queues %lu..%lu asked for (queue=%lu, %u queue%s)",
			pktio_port_name(port), dev, n, n == 1 ? "" : "s", n - 1,
			o.queue, o.queue + cfg->nqueues - 1, o.queue,
			(unsigned int)cfg->nqueues,
			cfg->nqueues == 1 ? "" : "s");
		return -EINVAL;
	}
	ap->nqueues = cfg->nqueues;
	ap->q = calloc(cfg->nqueues, sizeof(*ap->q));
	if (!ap->q)
		return -ENOMEM;
	err = afxdp_prog_setup(&ap->prog, dev, ifindex, o.pin_dir,
			       (uint32_t)o.queue + cfg->nqueues - 1);
	ap->prog_ready = true;
	if (err)
		goto err_close;
	for (uint16_t q = 0; q < cfg->nqueues; q++) {
		err = queue_open(port, &ap->q[q], q, &o);
		if (err)
			goto err_close;
	}
	for (uint16_t q = 0; q < cfg->nqueues; q++) {
		err = afxdp_prog_add(&ap->prog, ap->q[q].qid, ap->q[q].fd);
		if (err) {
			pktio_drv_err(
				"port %s: driver af_xdp: queue %u: entering the socket in the XSKMAP: %s",
				dev, ap->q[q].qid, strerror(-err));
			goto err_close;
		}
		ap->q[q].in_map = true;
	}
	err = afxdp_prog_attach(&ap->prog, dev, (enum afxdp_xdp_mode)o.xdp_mode,
				&drv);
	if (err)
		goto err_close;
	for (uint16_t q = 0; q < cfg->nqueues; q++)
		pktio_drv_set_queue_mode(port, q, queue_flags(&ap->q[q], drv));
	return 0;

err_close:
	afxdp_close(port);
	return err;
}

const struct pktio_driver_ops pktio_drv_af_xdp = {
	.name = "af_xdp",
	.priv_size = sizeof(struct afxdp_port),
	.open = afxdp_open,
	.close = afxdp_close,
	.rx_burst = afxdp_rx,
	.tx_burst = afxdp_tx,
	.link_update = afxdp_link_update,
};
