/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libpktio, the application API: one packet I/O interface over AF_XDP,
 * AF_PACKET, TAP/TUN, memif and an in-process ring.  A port is opened with
 * a driver name, a device and key=value options; each of its queues is
 * polled by one thread with pktio_rx_burst()/pktio_tx_burst(), no lock.
 *
 * Errors: functions returning int give 0 or -errno; functions returning a
 * pointer give NULL and set errno.  The library prints nothing itself: it
 * hands messages to the log callback (pktio_set_log), and the last error
 * message of the calling thread is kept for pktio_last_error().
 */
#ifndef SLUICE_PKTIO_H
#define SLUICE_PKTIO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sluice/pktio/buf.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PKTIO_MAX_QUEUES 64
#define PKTIO_MAX_PORTS 256
#define PKTIO_DEV_MAX 64
#define PKTIO_MODE_MAX 48

/* ---- logging and errors ---- */
enum pktio_log_level {
	PKTIO_LOG_ERR,
	PKTIO_LOG_WARN,
	PKTIO_LOG_INFO,
	PKTIO_LOG_DEBUG,
};

typedef void (*pktio_log_fn)(enum pktio_log_level lvl, const char *msg,
			     void *ctx);
/* fn NULL silences the library.  The default prints errors and warnings to
 * stderr, prefixed "pktio: ". */
void pktio_set_log(pktio_log_fn fn, void *ctx);
/* Messages above max are not passed on (default PKTIO_LOG_WARN). */
void pktio_set_log_level(enum pktio_log_level max);
/* The calling thread's last error message ("" if none). */
const char *pktio_last_error(void);

/* ---- ports ---- */
struct pktio_port;

struct pktio_port_cfg {
	const char *name; /* the application's name for it (default: dev) */
	/* "af_xdp", "af_packet", "tap", "tun", "memif" or "ring" */
	const char *driver;
	const char *dev;  /* interface name, or ring/memif name */
	uint16_t nqueues; /* 1..PKTIO_MAX_QUEUES */
	/* one pool for every queue, unless queue_pools (nqueues entries) */
	struct pktio_pool *pool;
	struct pktio_pool *const *queue_pools;
	/* driver options, "key=value", parsed and checked by the driver */
	const char *const *options;
	unsigned int n_options;
};

/* struct pktio_queue_info.flags */
#define PKTIO_QF_ZEROCOPY (1u << 0)
#define PKTIO_QF_COPY (1u << 1)
#define PKTIO_QF_DRV_MODE (1u << 2) /* XDP in the driver (native) */
#define PKTIO_QF_SKB_MODE (1u << 3) /* generic XDP */
#define PKTIO_QF_NEED_WAKEUP (1u << 4)
#define PKTIO_QF_BUSY_POLL (1u << 5)
#define PKTIO_QF_SHARED_UMEM (1u << 6)
#define PKTIO_QF_TX_SEND (1u << 7) /* af_packet: sendmmsg(), no tx ring */

struct pktio_queue_info {
	uint32_t flags; /* PKTIO_QF_* */
	/* what the flags say, for people: "zero-copy,drv,need_wakeup" */
	char mode[PKTIO_MODE_MAX];
};

struct pktio_port_info {
	char name[PKTIO_DEV_MAX];
	char driver[16];
	char dev[PKTIO_DEV_MAX];
	uint16_t id; /* the port id stamped on its rx buffers */
	uint16_t nqueues;
	int ifindex; /* 0 when the port is no kernel interface */
	uint32_t mtu;
	uint8_t mac[6];
	bool link_up;
};

/* only uint64_t counters: add at the end */
struct pktio_port_stats {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t rx_drops; /* frames the port lost or dropped on rx */
	uint64_t rx_errors;
	uint64_t rx_runts;    /* dropped: 0 length (also in rx_errors) */
	uint64_t rx_oversize; /* dropped: above MTU + 18 (also in rx_errors) */
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t tx_drops; /* accepted by tx_burst, then lost */
	uint64_t tx_errors;
	uint64_t wakeups;    /* system calls to kick the kernel */
	uint64_t fill_empty; /* rx found no buffer to give the device */
	uint64_t copies;     /* packets copied between pools */
};

/* The drivers this library has, NULL-terminated. */
const char *const *pktio_driver_names(void);

/* Opens a port; bad input is refused naming the field and value. */
int pktio_port_open(const struct pktio_port_cfg *cfg, struct pktio_port **out);
/* Closes it: every buffer the driver held goes back to its pool.  0, or
 * -EBUSY (the port stays open, the error says which) while a worker owns
 * one of its queues: destroy the worker first. */
int pktio_port_close(struct pktio_port *port);

/*
 * Up to n received buffers of queue q: the number stored in bufs.  The
 * buffers are the caller's.  0-length and oversized frames are dropped
 * and counted here, never returned.
 */
uint16_t pktio_rx_burst(struct pktio_port *port, uint16_t q,
			struct pktio_buf **bufs, uint16_t n);
/*
 * Sends up to n buffers on queue q: the number the port took (bufs[0..r)).
 * Those now belong to the port; the rest, bufs[r..n), stay the caller's.
 */
uint16_t pktio_tx_burst(struct pktio_port *port, uint16_t q,
			struct pktio_buf **bufs, uint16_t n);

int pktio_port_info(struct pktio_port *port, struct pktio_port_info *info);
int pktio_queue_info(struct pktio_port *port, uint16_t q,
		     struct pktio_queue_info *info);
int pktio_port_stats(struct pktio_port *port, uint16_t q,
		     struct pktio_port_stats *s);
/* The sum over the queues. */
int pktio_port_stats_total(struct pktio_port *port, struct pktio_port_stats *s);
int pktio_port_stats_reset(struct pktio_port *port);

const char *pktio_port_name(const struct pktio_port *port);
uint16_t pktio_port_id(const struct pktio_port *port);
uint16_t pktio_port_nqueues(const struct pktio_port *port);
/* The pool queue q receives into. */
struct pktio_pool *pktio_port_pool(const struct pktio_port *port, uint16_t q);
/* The open port with this id or name, or NULL (errno ENOENT). */
struct pktio_port *pktio_port_by_id(uint16_t id);
struct pktio_port *pktio_port_by_name(const char *name);

#ifdef __cplusplus
}
#endif

#endif
