// SPDX-License-Identifier: BSD-2-Clause
/*
 * One UMEM per pool: the pool's frame area registered once, whatever the
 * number of ports and queues receiving into it, so that a buffer received
 * on one port is sent on another by descriptor, without a copy.  Sockets
 * after the first bind with XDP_SHARED_UMEM (libxdp's
 * xsk_socket__create_shared) and get fill and completion rings of their
 * own; they inherit the first socket's copy or zero-copy mode.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "af_xdp.h"

static pthread_mutex_t umem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct afxdp_umem *umems;

void afxdp_umem_lock(void)
{
	pthread_mutex_lock(&umem_lock);
}

void afxdp_umem_unlock(void)
{
	pthread_mutex_unlock(&umem_lock);
}

/* AF_XDP in aligned mode takes chunks of 2048 bytes up to a page. */
static int check_frame(struct pktio_pool *pool)
{
	uint32_t size = pktio_pool_buf_size(pool);

	if (size < 2048 || size > 4096) {
		pktio_drv_err(
			"driver af_xdp: pool %s: buf_size %u: AF_XDP frames are 2048 or 4096 bytes",
			pktio_pool_name(pool), size);
		return -EINVAL;
	}
	return 0;
}

/* Called with the lock held. */
int afxdp_umem_get(struct pktio_pool *pool, uint32_t fill_size,
		   uint32_t comp_size, struct afxdp_umem **out)
{
	struct xsk_umem_config ucfg = {
		.fill_size = fill_size,
		.comp_size = comp_size,
		.frame_size = pktio_pool_buf_size(pool),
		/* the kernel puts rx data XDP_PACKET_HEADROOM into the
		 * frame; the descriptor says where, so no headroom of ours */
		.frame_headroom = 0,
		.flags = 0,
	};
	struct afxdp_umem *u;
	void *area;
	size_t len;
	int err;

	for (u = umems; u; u = u->next) {
		if (u->pool == pool) {
			u->users++;
			*out = u;
			return 0;
		}
	}
	err = check_frame(pool);
	if (err)
		return err;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	pktio_pool_area(pool, &area, &len);
	err = xsk_umem__create(&u->umem, area, len, &u->fill, &u->comp, &ucfg);
	if (err) {
		pktio_drv_err(
			"driver af_xdp: pool %s: registering its %zu bytes as a UMEM: %s",
			pktio_pool_name(pool), len, strerror(-err));
		free(u);
		return err;
	}
	u->pool = pool;
	u->fill_size = fill_size;
	u->comp_size = comp_size;
	u->users = 1;
	u->next = umems;
	umems = u;
	*out = u;
	return 0;
}

/* After a failed first bind: libxdp cannot set the first socket's rings
 * up twice on the UMEM's own socket, so a retry needs a new UMEM.  Called
 * with the lock held, while no socket uses u. */
int afxdp_umem_renew(struct afxdp_umem *u)
{
	struct xsk_umem_config ucfg = {
		.fill_size = u->fill_size,
		.comp_size = u->comp_size,
		.frame_size = pktio_pool_buf_size(u->pool),
	};
	void *area;
	size_t len;
	int err;

	xsk_umem__delete(u->umem);
	u->umem = NULL;
	pktio_pool_area(u->pool, &area, &len);
	err = xsk_umem__create(&u->umem, area, len, &u->fill, &u->comp, &ucfg);
	if (err)
		pktio_drv_err(
			"driver af_xdp: pool %s: registering its %zu bytes as a UMEM again: %s",
			pktio_pool_name(u->pool), len, strerror(-err));
	return err;
}

void afxdp_umem_put(struct afxdp_umem *u)
{
	struct afxdp_umem **pp;

	if (!u)
		return;
	afxdp_umem_lock();
	if (--u->users) {
		afxdp_umem_unlock();
		return;
	}
	for (pp = &umems; *pp; pp = &(*pp)->next) {
		if (*pp == u) {
			*pp = u->next;
			break;
		}
	}
	afxdp_umem_unlock();
	/* every socket on it is gone: libxdp refuses (EBUSY) otherwise */
	if (u->umem && xsk_umem__delete(u->umem))
		pktio_log(
			PKTIO_LOG_WARN,
			"driver af_xdp: pool %s: UMEM still in use at release",
			pktio_pool_name(u->pool));
	free(u);
}
