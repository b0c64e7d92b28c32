// SPDX-License-Identifier: BSD-2-Clause
/*
 * The memif driver: the shared-memory packet interface of libmemif and
 * DPDK's net_memif, both roles.  memif_ctl.c runs the control channel; this
 * file opens and closes ports and moves packets.  Every packet is copied
 * between the shared region and a pool buffer (counted in `copies`): the
 * peer's buffers are not the pool's.
 *
 * Options: role=master|slave (default slave), socket=PATH (default
 * /run/memif.sock; @NAME: the abstract socket NAME), id=N (interface id, default 0), secret=S (up to 23
 * characters), rings=N (rings per direction, 1..queues, default queues),
 * ring_size=2^k (slots per ring, 2..16384, default 1024), buffer_size=N
 * (bytes per shared buffer, the slave's choice, default 2048), mtu=N
 * (default 1500).  Queue q is ring q of each direction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "memif_priv.h"

#define MEMIF_SOCKET_DEFAULT "/run/memif.sock"
#define MEMIF_OPEN_WAIT_MS 6000

/* ---- the data path ---- */

/* A burst runs only while the connection is up; teardown clears `up`,
 * then waits for busy to drop (both sequentially consistent: either the
 * burst sees up == 0, or teardown sees busy == 1). */
static inline bool queue_enter(struct memif_port *mp, struct memif_queue *mq,
			       int dir)
{
	__atomic_store_n(&mq->busy[dir], 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&mp->up, __ATOMIC_SEQ_CST))
		return true;
	__atomic_store_n(&mq->busy[dir], 0, __ATOMIC_RELEASE);
	return false;
}

static inline void queue_leave(struct memif_queue *mq, int dir)
{
	__atomic_store_n(&mq->busy[dir], 0, __ATOMIC_RELEASE);
}

/* The buffer descriptor d of slot names, with its capacity or length in
 * *len, or NULL when it lies outside the shared memory.  A slave trusts
 * only its own layout; a master checks what the slave wrote. */
static inline uint8_t *desc_buf(struct memif_port *mp,
				const struct memif_qring *r,
				const struct memif_desc *d, uint16_t slot,
				uint32_t *len)
{
	const struct memif_region *reg;
	uint32_t off = d->offset, l = d->length;
	uint16_t ri = d->region;

	if (mp->role == MEMIF_ROLE_SLAVE) {
		if (l > mp->buf_size)
			return NULL;
		*len = l;
		return mp->regions[0].addr + r->buf0 +
		       (size_t)(slot & r->mask) * mp->buf_size;
	}
	if (ri >= mp->nregions)
		return NULL;
	reg = &mp->regions[ri];
	if ((uint64_t)off + l > reg->size)
		return NULL;
	*len = l;
	return reg->addr + off;
}

/* Gives the master every slot up to last + size again (slave, M2S). */
static void slave_refill(struct memif_port *mp, struct memif_qring *r)
{
	uint16_t head = __atomic_load_n(&r->ring->head, __ATOMIC_RELAXED);
	uint16_t end = (uint16_t)(r->last + r->size);

	for (; head != end; head++) {
		struct memif_desc *d = &r->ring->desc[head & r->mask];

		d->region = 0;
		d->offset = r->buf0 + (uint32_t)(head & r->mask) * mp->buf_size;
		d->length = mp->buf_size;
		d->flags = 0;
	}
	__atomic_store_n(&r->ring->head, end, __ATOMIC_RELEASE);
}

static uint16_t memif_rx(struct pktio_port *port, uint16_t q,
			 struct pktio_buf **bufs, uint16_t n)
{
	struct memif_port *mp = pktio_port_priv(port);
	struct memif_queue *mq = &mp->q[q];
	struct memif_qring *r = &mq->rx;
	uint16_t got = 0, slot, avail, errors = 0;
	bool master = mp->role == MEMIF_ROLE_MASTER;

	if (!queue_enter(mp, mq, 0))
		return 0;
	if (!r->ring)
		goto out;
	slot = r->last;
	/* the master reads what the slave produced (head), the slave what
	 * the master filled (tail) */
	avail = (uint16_t)(__atomic_load_n(master ? &r->ring->head :
						    &r->ring->tail,
					   __ATOMIC_ACQUIRE) -
			   slot);
	if (avail > r->size) {
		/* a peer that moved its index beyond the ring */
		PKTIO_STAT_ADD(mq->stats, rx_errors, 1);
		goto out;
	}
	while (got < n && avail) {
		struct pktio_buf *b = pktio_buf_alloc(mq->pool);
		uint32_t total = 0, room;
		uint16_t used = 0, flags = 0;
		uint8_t *data;
		bool bad = false;

		if (!b) {
			/* the frame waits in the ring for the next burst */
			PKTIO_STAT_ADD(mq->stats, fill_empty, 1);
			break;
		}
		data = pktio_buf_data(b);
		room = pktio_buf_tailroom(b);
		do {
			struct memif_desc d;
			uint8_t *src;
			uint32_t len = 0;

			if (used == avail)
				break; /* a chain not complete yet */
			d = r->ring->desc[(uint16_t)(slot + used) & r->mask];
			src = desc_buf(mp, r, &d, (uint16_t)(slot + used),
				       &len);
			used++;
			flags = d.flags;
			if (!src || total + len > room) {
				bad = true;
			} else if (!bad) {
				memcpy(data + total, src, len);
				total += len;
			}
		} while (flags & MEMIF_DESC_FLAG_NEXT);
		if (flags & MEMIF_DESC_FLAG_NEXT) {
			pktio_buf_free(b);
			break;
		}
		slot = (uint16_t)(slot + used);
		avail = (uint16_t)(avail - used);
		if (bad) {
			/* outside the region, or larger than a pool buffer */
			errors++;
			pktio_buf_free(b);
			continue;
		}
		pktio_buf_set_len(b, total);
		bufs[got++] = b;
	}
	r->last = slot;
	if (master)
		__atomic_store_n(&r->ring->tail, slot, __ATOMIC_RELEASE);
	else
		slave_refill(mp, r);
	if (got) {
		PKTIO_STAT_ADD(mq->stats, copies, got);
		pktio_pool_count_copies(mq->pool, got);
	}
	if (errors) {
		PKTIO_STAT_ADD(mq->stats, rx_errors, errors);
		PKTIO_STAT_ADD(mq->stats, rx_drops, errors);
	}
out:
	queue_leave(mq, 0);
	return got;
}

/* Copies b into the ring from slot on, chained over as many descriptors as
 * it needs: the number used, 0 if it does not fit in the free ones, -1 if
 * a descriptor is outside the shared memory. */
static int tx_one(struct memif_port *mp, struct memif_qring *r,
		  const struct pktio_buf *b, uint16_t slot, uint16_t free_slots)
{
	const uint8_t *src = pktio_buf_data(b);
	uint32_t left = b->len;
	uint16_t used = 0;

	do {
		uint16_t s = (uint16_t)(slot + used);
		struct memif_desc *d = &r->ring->desc[s & r->mask];
		uint32_t cap = 0, chunk;
		uint8_t *dst;

		if (used == free_slots)
			return 0;
		if (mp->role == MEMIF_ROLE_SLAVE) {
			/* our own buffer for the slot, whatever the ring says */
			d->region = 0;
			d->offset = r->buf0 +
				    (uint32_t)(s & r->mask) * mp->buf_size;
			d->length = mp->buf_size;
		}
		dst = desc_buf(mp, r, d, s, &cap);
		if (!dst || !cap)
			return -1;
		chunk = left < cap ? left : cap;
		memcpy(dst, src, chunk);
		src += chunk;
		left -= chunk;
		d->length = chunk;
		d->flags = left ? MEMIF_DESC_FLAG_NEXT : 0;
		used++;
	} while (left);
	return used;
}

static uint16_t memif_tx(struct pktio_port *port, uint16_t q,
			 struct pktio_buf **bufs, uint16_t n)
{
	struct memif_port *mp = pktio_port_priv(port);
	struct memif_queue *mq = &mp->q[q];
	struct memif_qring *r = &mq->tx;
	bool master = mp->role == MEMIF_ROLE_MASTER;
	uint16_t sent = 0, slot, free_slots;

	if (!queue_enter(mp, mq, 1))
		return 0;
	if (!r->ring)
		goto out;
	if (master) {
		/* the master fills the buffers the slave offered up to head */
		slot = __atomic_load_n(&r->ring->tail, __ATOMIC_RELAXED);
		free_slots = (uint16_t)(__atomic_load_n(&r->ring->head,
							__ATOMIC_ACQUIRE) -
					slot);
	} else {
		slot = __atomic_load_n(&r->ring->head, __ATOMIC_RELAXED);
		free_slots = (uint16_t)(r->size -
					(uint16_t)(slot -
						   __atomic_load_n(
							   &r->ring->tail,
							   __ATOMIC_ACQUIRE)));
	}
	if (free_slots > r->size) {
		PKTIO_STAT_ADD(mq->stats, tx_errors, 1);
		goto out;
	}
	while (sent < n) {
		int used = tx_one(mp, r, bufs[sent], slot, free_slots);

		if (used <= 0) {
			if (used < 0)
				PKTIO_STAT_ADD(mq->stats, tx_errors, 1);
			break;
		}
		slot = (uint16_t)(slot + used);
		free_slots = (uint16_t)(free_slots - used);
		sent++;
	}
	if (!sent)
		goto out;
	__atomic_store_n(master ? &r->ring->tail : &r->ring->head, slot,
			 __ATOMIC_RELEASE);
	/* a receiver that sleeps on its eventfd says so by leaving the
	 * ring's interrupt unmasked */
	if (!(__atomic_load_n(&r->ring->flags, __ATOMIC_RELAXED) &
	      MEMIF_RING_FLAG_MASK_INT) &&
	    r->efd >= 0) {
		uint64_t one = 1;

		if (write(r->efd, &one, sizeof(one)) == sizeof(one))
			PKTIO_STAT_ADD(mq->stats, wakeups, 1);
	}
	PKTIO_STAT_ADD(mq->stats, copies, sent);
	pktio_pool_count_copies(bufs[0]->pool, sent);
	pktio_buf_free_bulk(bufs, sent);
out:
	queue_leave(mq, 1);
	return sent;
}

/* ---- open and close ---- */

static const char *errno_name(int err)
{
	switch (err) {
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EADDRINUSE: return "EADDRINUSE";
	case ENOTSOCK: return "ENOTSOCK";
	default: return "error";
	}
}

/* Binds the master's socket; a socket file nobody listens on is left
 * over from a process that died, and is replaced. */
static int master_listen(struct memif_port *mp)
{
	struct sockaddr_un sun;
	socklen_t len = memif_sock_addr(mp, &sun);
	const char *dev = pktio_port_dev(mp->port);
	bool abstract = mp->sock_path[0] == '@';
	int fd, err;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = bind(fd, (struct sockaddr *)&sun, len) ? -errno : 0;
	/* an abstract name goes with its socket: in use means listened on */
	if (err == -EADDRINUSE && !abstract) {
		int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

		err = probe < 0 ? -errno :
		      connect(probe, (struct sockaddr *)&sun, len) ?
				  -errno :
				  -EADDRINUSE;
		if (probe >= 0)
			close(probe);
		if (err == -EADDRINUSE) {
			pktio_drv_err(
				"port %s: driver memif: option socket=%s: a memif master listens there already (EADDRINUSE)",
				dev, mp->sock_path);
			close(fd);
			return err;
		}
		if (err == -ECONNREFUSED)
			unlink(mp->sock_path);
		err = bind(fd, (struct sockaddr *)&sun, len) ? -errno : 0;
	}
	if (!err && listen(fd, 4))
		err = -errno;
	if (err) {
		pktio_drv_err(
			"port %s: driver memif: option socket=%s: cannot listen: %s (%s)",
			dev, mp->sock_path, strerror(-err), errno_name(-err));
		close(fd);
		return err;
	}
	mp->listen_fd = fd;
	return 0;
}

/* A slave's open() returns once the first handshake is done. */
static int wait_first(struct memif_port *mp)
{
	struct timespec ts;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += MEMIF_OPEN_WAIT_MS / 1000;
	pthread_mutex_lock(&mp->lock);
	while (!mp->first_done && !err)
		err = pthread_cond_timedwait(&mp->cond, &mp->lock, &ts);
	if (!mp->first_done) {
		pthread_mutex_unlock(&mp->lock);
		pktio_drv_err(
			"port %s: driver memif: socket=%s: no handshake within %d ms",
			pktio_port_dev(mp->port), mp->sock_path,
			MEMIF_OPEN_WAIT_MS);
		return -ETIMEDOUT;
	}
	err = mp->first_err;
	pthread_mutex_unlock(&mp->lock);
	if (err)
		pktio_drv_err("port %s: driver memif: socket=%s id=%u: %s",
			      pktio_port_dev(mp->port), mp->sock_path, mp->id,
			      mp->first_msg);
	return err;
}

static int parse(struct memif_port *mp, const struct pktio_port_cfg *cfg)
{
	static const char *const roles[] = { "master", "slave", NULL };
	const char *dev = cfg->dev, *sock = MEMIF_SOCKET_DEFAULT,
		   *secret = NULL;
	unsigned long id = 0, rings = cfg->nqueues, ring_size = 1024,
		      buf_size = 2048, mtu = 1500;
	int role = MEMIF_ROLE_SLAVE;
	const struct pktio_opt opts[] = {
		{ .key = "role",
		  .type = PKTIO_OPT_ENUM,
		  .out = &role,
		  .choices = roles },
		{ .key = "socket", .type = PKTIO_OPT_STR, .out = &sock },
		{ .key = "id",
		  .type = PKTIO_OPT_UINT,
		  .out = &id,
		  .max = UINT32_MAX },
		{ .key = "secret", .type = PKTIO_OPT_STR, .out = &secret },
		{ .key = "rings",
		  .type = PKTIO_OPT_UINT,
		  .out = &rings,
		  .min = 1,
		  .max = cfg->nqueues },
		{ .key = "ring_size",
		  .type = PKTIO_OPT_UINT,
		  .out = &ring_size,
		  .min = 2,
		  .max = 1ul << MEMIF_MAX_LOG2_RING },
		{ .key = "buffer_size",
		  .type = PKTIO_OPT_UINT,
		  .out = &buf_size,
		  .min = 128,
		  .max = 65535 },
		{ .key = "mtu",
		  .type = PKTIO_OPT_UINT,
		  .out = &mtu,
		  .min = 68,
		  .max = 65535 },
	};
	int err;

	err = pktio_drv_parse_opts("memif", cfg, opts,
				   sizeof(opts) / sizeof(opts[0]));
	if (err)
		return err;
	if (ring_size & (ring_size - 1)) {
		pktio_drv_err(
			"port %s: driver memif: option ring_size=%lu: not a power of two",
			dev, ring_size);
		return -EINVAL;
	}
	if (strlen(sock) >= sizeof(mp->sock_path)) {
		pktio_drv_err(
			"port %s: driver memif: option socket=%s: longer than %zu characters",
			dev, sock, sizeof(mp->sock_path) - 1);
		return -EINVAL;
	}
	if (!sock[0] || !strcmp(sock, "@")) {
		pktio_drv_err(
			"port %s: driver memif: option socket=%s: no path or name",
			dev, sock);
		return -EINVAL;
	}
	if (secret && strlen(secret) >= MEMIF_SECRET_SZ) {
		pktio_drv_err(
			"port %s: driver memif: option secret=%s: longer than %d characters",
			dev, secret, MEMIF_SECRET_SZ - 1);
		return -EINVAL;
	}
	for (uint16_t q = 0; q < cfg->nqueues; q++) {
		struct pktio_pool *pool = pktio_port_pool(mp->port, q);

		if (pktio_pool_buf_size(pool) - pktio_pool_headroom(pool) <
		    mtu + 18) {
			pktio_drv_err(
				"port %s: driver memif: option mtu=%lu: a frame of %lu bytes does not fit in queue %u's pool buffers (%u bytes after headroom)",
				dev, mtu, mtu + 18, q,
				pktio_pool_buf_size(pool) -
					pktio_pool_headroom(pool));
			return -EINVAL;
		}
	}
	mp->role = role;
	snprintf(mp->sock_path, sizeof(mp->sock_path), "%s", sock);
	mp->id = (uint32_t)id;
	if (secret)
		memcpy(mp->secret, secret, strlen(secret));
	mp->rings = (uint16_t)rings;
	mp->log2_ring = (uint8_t)__builtin_ctzl(ring_size);
	mp->buf_size = (uint32_t)buf_size;
	mp->mtu = (uint32_t)mtu;
	return 0;
}

static void memif_free(struct memif_port *mp)
{
	memif_ctl_stop(mp);
	if (mp->listen_fd >= 0) {
		close(mp->listen_fd);
		if (mp->sock_path[0] != '@')
			unlink(mp->sock_path);
		mp->listen_fd = -1;
	}
	free(mp->q);
	mp->q = NULL;
	pthread_cond_destroy(&mp->cond);
	pthread_mutex_destroy(&mp->lock);
}

static int memif_open(struct pktio_port *port, const struct pktio_port_cfg *cfg)
{
	struct memif_port *mp = pktio_port_priv(port);
	uint8_t mac[6] = { 0x02, 0xfe, 0, 0, 0, 0 };
	int err;

	mp->port = port;
	mp->listen_fd = mp->conn_fd = mp->stop_fd = -1;
	for (unsigned int i = 0; i < MEMIF_MAX_REGIONS; i++)
		mp->regions[i].fd = -1;
	err = parse(mp, cfg);
	if (err)
		return err;
	mp->nqueues = cfg->nqueues;
	mp->q = aligned_alloc(64, sizeof(*mp->q) * cfg->nqueues);
	if (!mp->q)
		return -ENOMEM;
	memset(mp->q, 0, sizeof(*mp->q) * cfg->nqueues);
	for (uint16_t q = 0; q < cfg->nqueues; q++) {
		mp->q[q].rx.efd = mp->q[q].tx.efd = -1;
		mp->q[q].pool = pktio_port_pool(port, q);
		mp->q[q].stats = pktio_drv_queue_stats(port, q);
		pktio_drv_set_queue_mode(port, q, PKTIO_QF_COPY);
	}
	pthread_mutex_init(&mp->lock, NULL);
	pthread_cond_init(&mp->cond, NULL);
	mac[2] = (uint8_t)(mp->id >> 24);
	mac[3] = (uint8_t)(mp->id >> 16);
	mac[4] = (uint8_t)(mp->id >> 8);
	mac[5] = (uint8_t)mp->id;
	pktio_drv_set_link(port, 0, mp->mtu, mac, false);

	if (mp->role == MEMIF_ROLE_MASTER) {
		err = master_listen(mp);
	} else {
		err = memif_slave_connect(mp);
		if (err)
			pktio_drv_err(
				"port %s: driver memif: option socket=%s: no memif master: connect: %s (%s)",
				cfg->dev, mp->sock_path, strerror(-err),
				errno_name(-err));
	}
	if (!err)
		err = memif_ctl_start(mp);
	if (!err && mp->role == MEMIF_ROLE_SLAVE)
		err = wait_first(mp);
	if (err) {
		memif_free(mp);
		return err;
	}
	return 0;
}

static void memif_close(struct pktio_port *port)
{
	memif_free(pktio_port_priv(port));
}

/* The link is up while a peer is connected.  Read here, on the caller's
 * thread, so that the control thread never writes the core's fields. */
static int memif_link_update(struct pktio_port *port)
{
	struct memif_port *mp = pktio_port_priv(port);

	pktio_drv_set_link(port, 0, mp->mtu, NULL,
			   __atomic_load_n(&mp->up, __ATOMIC_ACQUIRE));
	return 0;
}

const struct pktio_driver_ops pktio_drv_memif = {
	.name = "memif",
	.priv_size = sizeof(struct memif_port),
	.open = memif_open,
	.close = memif_close,
	.rx_burst = memif_rx,
	.tx_burst = memif_tx,
	.link_update = memif_link_update,
};
