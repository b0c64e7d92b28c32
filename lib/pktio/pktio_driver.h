/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libpktio, the driver API: the ops table a driver fills and the helpers
 * it uses.  A driver is one file, lib/pktio/drivers/<name>.c, defining one
 * `const struct pktio_driver_ops pktio_drv_<name>`; lib/pktio/drivers.c
 * lists them (a static table: a static library would drop constructors).
 *
 * The core checks the port config (driver, dev, queues, pools), allocates
 * the port with priv_size bytes of zeroed private data, and calls open().
 * rx_burst/tx_burst run on one thread per queue: no lock.  The core
 * counts rx/tx packets and bytes, stamps port and queue on rx buffers and
 * drops 0-length and oversized frames; a driver counts the rest (drops,
 * errors, wakeups, fill_empty, copies) in its queue's stats with
 * PKTIO_STAT_ADD.  close() returns every buffer the driver holds.
 */
#ifndef SLUICE_PKTIO_DRIVER_H
#define SLUICE_PKTIO_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sluice/pktio/pktio.h>
#include <sluice/pktio/ring.h>

struct pktio_driver_ops {
	const char *name;
	size_t priv_size; /* per port, zeroed, pktio_port_priv() */
	/* Opens the device; on error undoes everything it did and returns
	 * -errno after pktio_drv_err() said why. */
	int (*open)(struct pktio_port *port, const struct pktio_port_cfg *cfg);
	/* Releases the device and gives back every buffer it holds. */
	void (*close)(struct pktio_port *port);
	uint16_t (*rx_burst)(struct pktio_port *port, uint16_t q,
			     struct pktio_buf **bufs, uint16_t n);
	/* Takes bufs[0..r), returns r; bufs[r..n) stay the caller's. */
	uint16_t (*tx_burst)(struct pktio_port *port, uint16_t q,
			     struct pktio_buf **bufs, uint16_t n);
	/* Optional: refreshes link state/MTU/MAC before pktio_port_info(). */
	int (*link_update)(struct pktio_port *port);
};

/* The drivers' ops (lib/pktio/drivers/<name>.c). */
extern const struct pktio_driver_ops pktio_drv_af_xdp;
extern const struct pktio_driver_ops pktio_drv_af_packet;
extern const struct pktio_driver_ops pktio_drv_tap;
extern const struct pktio_driver_ops pktio_drv_tun;
extern const struct pktio_driver_ops pktio_drv_memif;
extern const struct pktio_driver_ops pktio_drv_ring;

/* ---- the port, as a driver sees it ---- */
void *pktio_port_priv(struct pktio_port *port);
const char *pktio_port_dev(const struct pktio_port *port);
const char *pktio_port_driver(const struct pktio_port *port);
/* Queue q's counters, for the driver's thread of that queue. */
struct pktio_port_stats *pktio_drv_queue_stats(struct pktio_port *port,
					       uint16_t q);
/* Link facts for pktio_port_info(); mtu also bounds rx frames (mtu + 18:
 * Ethernet header and one VLAN tag).  mac may be NULL. */
void pktio_drv_set_link(struct pktio_port *port, int ifindex, uint32_t mtu,
			const uint8_t *mac, bool link_up);
/* Reads ifname's ifindex, MTU, MAC and state (up and running) into the
 * port's link facts: 0, or -ENODEV ("port P: interface X: no such
 * interface") or another -errno, said with pktio_drv_err().  Usable from
 * open() and from link_update(). */
int pktio_drv_netdev_link(struct pktio_port *port, const char *ifname);
/* Whether ifname's kernel driver is `driver` (ethtool's name for it, e.g.
 * "veth"); false when it cannot be told. */
bool pktio_drv_netdev_is(const char *ifname, const char *driver);
/* How many queues @ifname has for a socket to bind to (ethtool's channels:
 * combined, plus the larger of rx and tx), or -errno (-EOPNOTSUPP: the
 * driver does not say). */
int pktio_drv_netdev_queues(const char *ifname);
/* Queue q's mode: PKTIO_QF_* flags; the mode string is made from them. */
void pktio_drv_set_queue_mode(struct pktio_port *port, uint16_t q,
			      uint32_t flags);

/* Every field of struct pktio_port_stats is a uint64_t counter (the core
 * sums them as an array).  They are written by the queue's thread and read
 * by any: relaxed atomics, so a reader never sees a torn value. */
#define PKTIO_STAT_ADD(s, field, n)                                            \
	__atomic_store_n(&(s)->field,                                          \
			 __atomic_load_n(&(s)->field, __ATOMIC_RELAXED) + (n), \
			 __ATOMIC_RELAXED)

/* ---- messages: log once, where the decision is made ---- */
void pktio_log(enum pktio_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Logs an error and keeps it for pktio_last_error(). */
void pktio_drv_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- options: "key=value" strings checked against a table ---- */
enum pktio_opt_type {
	PKTIO_OPT_STR,	/* out: const char ** into the option string */
	PKTIO_OPT_UINT, /* out: unsigned long *, min..max; decimal or 0x hex */
	PKTIO_OPT_BOOL, /* out: bool *; 0/1, yes/no, true/false, on/off */
	PKTIO_OPT_ENUM, /* out: int *, the index of value in choices */
};

struct pktio_opt {
	const char *key;
	enum pktio_opt_type type;
	void *out;
	unsigned long min, max;	    /* PKTIO_OPT_UINT */
	const char *const *choices; /* PKTIO_OPT_ENUM, NULL-terminated */
};

/*
 * Parses cfg's options against tbl (n entries): 0, or -EINVAL after
 * pktio_drv_err() named the port, the key and the value ("port r0: driver
 * ring: option mtu=12x: not a number within 68..65535", "port r0: driver
 * ring: unknown option 'foo' (peer, size, mtu)").
 * Values not given keep what out held.  A string value points into the
 * cfg's option, which lives only during open().
 */
int pktio_drv_parse_opts(const char *driver, const struct pktio_port_cfg *cfg,
			 const struct pktio_opt *tbl, size_t n);

/* ---- buffers, as a driver sees them ---- */
/* The byte offset of the buffer's data in the pool area (an AF_XDP
 * descriptor address, aligned mode). */
static inline uint64_t pktio_buf_addr(const struct pktio_buf *b)
{
	return (uint64_t)b->idx * b->buf_size + b->data_off;
}

/* The buffer whose frame holds area offset addr. */
struct pktio_buf *pktio_pool_addr_buf(struct pktio_pool *pool, uint64_t addr);
/* The buffer of frame number idx. */
struct pktio_buf *pktio_pool_idx_buf(struct pktio_pool *pool, uint32_t idx);

/* Sets where a received frame's data is, for a buffer the driver owns:
 * no check beyond the frame's bounds (-EINVAL). */
int pktio_drv_buf_set(struct pktio_buf *b, uint32_t data_off, uint32_t len);

#endif
