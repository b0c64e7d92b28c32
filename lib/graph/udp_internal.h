/* SPDX-License-Identifier: BSD-2-Clause */
/* What the UDP channels' sources share (udp_chan.c, udp_send.c). */
#ifndef SLUICE_GRAPH_UDP_INTERNAL_H
#define SLUICE_GRAPH_UDP_INTERNAL_H

#include <pthread.h>
#include <sys/socket.h>
#include <sluice/graph/udp.h>
#include "udp_ring.h"

#define UDP_BUCKETS 256 /* by port; a power of two */
#define UDP_QUEUE_DEFAULT 1024u
#define UDP_QUEUE_MAX 65536u
#define UDP_MTU_DEFAULT 1500u
#define UDP_MTU_MIN 68u
#define UDP_CHANS_DEFAULT 64u
#define ETH_HLEN_ 14u
#define IP4_HLEN_ 20u
#define IP6_HLEN_ 40u
#define UDP_HLEN_ 8u

struct graph_udp_chan {
	struct graph_udp *t;
	struct graph_udp_ep local;
	int any; /* local's address is 0.0.0.0, :: or AF_UNSPEC */
	int efd;
	int dead;      /* atomic: closed */
	int signalled; /* atomic: efd written since recv last re-armed it */
	unsigned int slot;
	struct graph_udp_chan *next; /* atomic: the bucket's list */
	struct graph_udp_chan *closed_next;
	struct udp_ring *rx, *tx;
	/* atomic, relaxed */
	uint64_t n_rx, n_rx_full, n_tx, n_tx_full, n_tx_nobuf;
};

struct graph_udp {
	pthread_mutex_t lock; /* bind, close, reclaim */
	struct graph_udp_opts opts;
	unsigned int n_slots;	       /* atomic: slots in use are below it */
	unsigned int tx_cursor;	       /* poll_tx's round robin (a hint) */
	struct graph_udp_chan *closed; /* waiting for reclaim */
	struct graph_udp_chan *buckets[UDP_BUCKETS]; /* atomic heads */
	struct graph_udp_chan *slots[]; /* atomic: poll_tx walks them */
};

static inline size_t udp_alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* "198.18.0.1:7000", "[2001:db8::1]:7000", "*:7000" (AF_UNSPEC) */
const char *graph_udp_ep_fmt(const struct graph_udp_ep *ep, char *buf,
			     size_t size);
/* 0.0.0.0, :: or AF_UNSPEC */
int graph_udp_ep_is_any(const struct graph_udp_ep *ep);

#endif
