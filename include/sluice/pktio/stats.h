/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libpktio's live statistics export: a running application serves its
 * ports' and workers' counters on a unix socket, and sluice-pktio-stats
 * (or anything that reads JSON) prints them.  A client connects, the
 * server writes one JSON document and closes:
 *
 *   {"pid": 123, "name": "sluice-echo",
 *    "ports": [{"name", "driver", "dev", "id", "pool": {total, avail,
 *               copies, alloc_fails},
 *               "queues": [{"queue", "mode", rx_packets, rx_bytes, rx_drops,
 *                           rx_errors, tx_packets, tx_bytes, tx_drops,
 *                           tx_errors, wakeups, fill_empty, copies}]}],
 *    "workers": [{"name", "cpu", loops, polls, bursts, packets,
 *                 idle_loops}]}
 *
 * The server reads the counters while the workers update them (64-bit
 * aligned loads: a figure may be one burst old, never torn).  Stop the
 * server before closing the ports and workers it was given.
 */
#ifndef SLUICE_PKTIO_STATS_H
#define SLUICE_PKTIO_STATS_H

#include <sluice/pktio/pktio.h>
#include <sluice/pktio/worker.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where applications put their sockets unless told otherwise. */
#define PKTIO_STATS_DIR "/run/sluice-pktio"

struct pktio_stats_server;

struct pktio_stats_cfg {
	const char
		*path; /* the socket; NULL: PKTIO_STATS_DIR/<name>.<pid>.sock */
	const char *name; /* the application's name, in the document */
	struct pktio_port *const *ports;
	unsigned int nports;
	struct pktio_worker *const *workers;
	unsigned int nworkers;
};

/* Binds the socket (creating PKTIO_STATS_DIR when the default path is
 * used; an existing socket file of a dead server is replaced) and starts
 * the serving thread. */
int pktio_stats_serve(const struct pktio_stats_cfg *cfg,
		      struct pktio_stats_server **out);
/* The socket's path. */
const char *pktio_stats_path(const struct pktio_stats_server *srv);
/* Stops the thread, closes and removes the socket. */
void pktio_stats_stop(struct pktio_stats_server *srv);
/* The document the server writes, for a caller of its own: a string to
 * free(), or NULL with errno set. */
char *pktio_stats_json(const struct pktio_stats_cfg *cfg);

#ifdef __cplusplus
}
#endif

#endif
