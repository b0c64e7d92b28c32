/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The memif driver's state, shared by its data path (memif.c) and its
 * control channel (memif_ctl.c).  Each port has one control thread: it
 * listens (master) or connects (slave), runs the handshake, maps or
 * creates the shared memory, and tears it down on a disconnect.  The data
 * path runs only while `up` is set; teardown clears `up` and waits for
 * every queue to leave its burst before anything is unmapped.
 */
#ifndef SLUICE_PKTIO_MEMIF_PRIV_H
#define SLUICE_PKTIO_MEMIF_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>
#include "pktio_driver.h"
#include "memif_proto.h"

#define MEMIF_MAX_REGIONS 16
#define MEMIF_MAX_RINGS PKTIO_MAX_QUEUES

enum memif_role { MEMIF_ROLE_MASTER, MEMIF_ROLE_SLAVE };

struct memif_region {
	uint8_t *addr;
	uint64_t size;
	int fd;
};

/* One ring of one queue, as this side sees it. */
struct memif_qring {
	struct memif_ring *ring; /* NULL while down */
	uint16_t size;
	uint16_t mask;
	uint16_t last; /* rx: next slot to read */
	int efd;       /* the ring's interrupt eventfd, or -1 */
	/* master: where the slave said the ring is */
	uint16_t region;
	uint32_t offset;
	uint8_t log2;
	bool announced;
	/* slave: region 0 offset of slot 0's buffer */
	uint32_t buf0;
};

struct memif_queue {
	struct memif_qring rx;
	struct memif_qring tx;
	struct pktio_pool *pool;
	struct pktio_port_stats *stats;
	int busy[2]; /* rx, tx: in a burst (memif.c, queue_enter()) */
} __attribute__((aligned(64)));

struct memif_port {
	struct pktio_port *port;
	/* options */
	enum memif_role role;
	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint32_t id;
	char secret[MEMIF_SECRET_SZ];
	uint16_t rings;	   /* per direction, this side's maximum */
	uint8_t log2_ring; /* this side's maximum */
	uint32_t buf_size; /* slave: bytes per shared buffer */
	uint32_t mtu;
	uint16_t nqueues;
	struct memif_queue *q;

	/* connection: written by the control thread */
	int up; /* atomic: the data path may run */
	int listen_fd;
	int conn_fd;
	int stop_fd; /* eventfd: the control thread stops */
	pthread_t thread;
	bool thread_started;
	struct memif_region regions[MEMIF_MAX_REGIONS];
	uint16_t nregions;
	uint16_t run_s2m; /* rings in use per direction */
	uint16_t run_m2s;
	uint8_t run_log2;
	/* slave handshake: the messages still to send after each ACK */
	struct memif_msg *script;
	int *script_fds;
	unsigned int script_len, script_pos;
	bool connecting;
	int64_t deadline_ms; /* handshake or reconnect time, 0: none */
	char remote_name[MEMIF_NAME_SZ];
	char remote_if[MEMIF_NAME_SZ];

	/* open() waits for a slave's first handshake */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool first_done;
	int first_err;
	char first_msg[160];
	uint64_t connects; /* completed handshakes */
};

/* memif_ctl.c */
/* The socket's address: a file, or with socket=@NAME the abstract name
 * NAME (DPDK's socket-abstract=yes); returns its length. */
socklen_t memif_sock_addr(const struct memif_port *mp, struct sockaddr_un *sun);
int memif_ctl_start(struct memif_port *mp);
/* Connects a slave's socket (no handshake yet): 0 or -errno. */
int memif_slave_connect(struct memif_port *mp);
void memif_ctl_stop(struct memif_port *mp);

#endif
