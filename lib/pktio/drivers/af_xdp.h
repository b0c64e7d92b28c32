/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The af_xdp driver's parts (af_xdp.c: ports and bursts, af_xdp_umem.c:
 * one UMEM per pool, af_xdp_prog.c: how frames reach the sockets).
 */
#ifndef SLUICE_PKTIO_AF_XDP_H
#define SLUICE_PKTIO_AF_XDP_H

#include <stdbool.h>
#include <stdint.h>
#include <xdp/xsk.h>
#include "pktio_driver.h"

/* ---- af_xdp_umem.c ---- */
/* A pool's area registered as a UMEM, shared by every socket (of any
 * port) whose queue receives into that pool. */
struct afxdp_umem {
	struct afxdp_umem *next; /* the registry, under its lock */
	struct pktio_pool *pool;
	struct xsk_umem *umem;
	unsigned int users; /* queues on it */
	uint32_t fill_size, comp_size;
	/* the rings xsk_umem__create() made: the first socket's */
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	bool first_taken; /* a socket uses fill/comp above */
	bool need_wakeup; /* the first socket's, inherited by the rest */
};

/* The pool's UMEM, made on first use (ring sizes for its first socket):
 * 0 or -errno after pktio_drv_err(). */
int afxdp_umem_get(struct pktio_pool *pool, uint32_t fill_size,
		   uint32_t comp_size, struct afxdp_umem **out);
/* A fresh UMEM after the first socket failed to bind: 0 or -errno. */
int afxdp_umem_renew(struct afxdp_umem *u);
/* Drops a reference taken by afxdp_umem_get(). */
void afxdp_umem_put(struct afxdp_umem *u);
/* The registry's lock: socket creation on a UMEM happens under it. */
void afxdp_umem_lock(void);
void afxdp_umem_unlock(void);

/* ---- af_xdp_prog.c ---- */
enum afxdp_xdp_mode { AFXDP_XDP_AUTO, AFXDP_XDP_DRV, AFXDP_XDP_SKB };

/* How frames of an interface reach the port's sockets: sluiced's steering
 * stage (its pinned steer_xsks XSKMAP) when sluiced manages the
 * interface, else a redirect program of our own. */
struct afxdp_prog {
	int ifindex;
	/* sluiced's */
	bool steer;
	int steer_xsks_fd;
	uint32_t steer_slot;
	/* ours */
	int map_fd;
	int prog_fd;
	uint32_t attach_flags; /* XDP_FLAGS_* it is attached with, or 0 */
};

/* Finds sluiced on the interface (pin_dir) or prepares our own program
 * with an XSKMAP of max_qid + 1 entries: 0 or -errno. */
int afxdp_prog_setup(struct afxdp_prog *p, const char *dev, int ifindex,
		     const char *pin_dir, uint32_t max_qid);
/* Enters a socket for queue qid: 0 or -errno. */
int afxdp_prog_add(struct afxdp_prog *p, uint32_t qid, int xsk_fd);
void afxdp_prog_del(struct afxdp_prog *p, uint32_t qid);
/* Attaches our program (nothing when sluiced steers): 0 or -errno; sets
 * *drv to whether it runs in the driver. */
int afxdp_prog_attach(struct afxdp_prog *p, const char *dev,
		      enum afxdp_xdp_mode mode, bool *drv);
/* Detaches and frees everything setup/attach made. */
void afxdp_prog_release(struct afxdp_prog *p);

/* ---- af_xdp_owner.c ---- */
/* 1 if the XDP program on ifindex (in this network namespace) uses the
 * map xsks_fd refers to, 0 if not (or no program), or -errno. */
int afxdp_steer_owned(int ifindex, int xsks_fd);

#endif
