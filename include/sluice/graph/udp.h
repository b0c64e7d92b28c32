/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UDP channels on the graph (issue #10): an application binds a UDP
 * (address, port) on the graph and receives and sends datagrams through
 * it, as through a socket, without the kernel.
 *
 *   receive  the node udp-input (lib/graph/nodes/udp_input.h) gives each
 *            datagram to a bound (address, port) to its channel's rx
 *            queue; graph_udp_recv() hands the application the pktio
 *            buffer itself (zero copy) with the payload's place and the
 *            peer; the application gives it back with graph_udp_release().
 *            An eventfd (graph_udp_fd) becomes readable when the rx queue
 *            goes non-empty, so an application can sleep in poll().
 *   send     graph_udp_sendto() builds a whole frame (zero MACs, IPv4 or
 *            IPv6, UDP, checksums, TTL/hop limit 64) into the channel's
 *            tx queue; each graph worker takes such frames with
 *            graph_udp_poll_tx() and walks them through its graph's entry
 *            like a received frame (eth-input -> ip input -> lookup ->
 *            rewrite -> output), so datagrams are routed as any packet.
 *
 * Threads.  One struct graph_udp is shared by every worker's graph (the
 * arg of each udp-input node) and by the application threads.  Graph
 * threads produce into a channel's rx queue, any number at once; one
 * application thread at a time consumes it (recv).  Application threads
 * produce into the tx queue; graph threads consume it (poll_tx).  Both
 * queues are bounded lock-free MPMC rings: no lock, no allocation on the
 * per-packet path; a full rx queue frees the datagram and counts it
 * (rx_full), a full tx queue refuses the send (-EAGAIN, tx_full).
 *
 * bind and close are rare and take the table's mutex; they are safe while
 * graph threads run.  close unlinks the channel, marks it dead and frees
 * what its queues hold, but keeps its memory: a graph thread may still be
 * looking at it in the burst it is in (the datagram it then delivers is
 * freed later, never lost).  graph_udp_reclaim() frees the closed
 * channels; call it at a quiescent point, when every graph thread has
 * finished the burst it was in at the time of the close (as for
 * graph_fib's reader), or not at all: graph_udp_destroy() frees them.
 * Destroy the table after the graphs that use it and before the pools
 * its buffers come from.
 *
 * Conventions as libgraph's: 0 or -errno, NULL with errno set; a refusal
 * says why in graph_last_error() (the calling thread's), naming the field
 * and the value.
 */
#ifndef SLUICE_GRAPH_UDP_H
#define SLUICE_GRAPH_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sluice/pktio/pktio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct graph_udp;
struct graph_udp_chan;

#define GRAPH_UDP_CHANS_MAX 1024
#define GRAPH_UDP_TTL 64

/* An endpoint: an address and a port. */
struct graph_udp_ep {
	/* AF_INET or AF_INET6; in a bind, AF_UNSPEC is any address of
	 * either family (then addr is not read) */
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;	       /* network order; 0.0.0.0 or :: in a bind: any */
	uint16_t port; /* host order */
};

struct graph_udp_opts {
	/* where sendto takes its buffers (any pool: a driver that cannot
	 * send from it copies); required to send, may be NULL for a table
	 * that only receives */
	struct pktio_pool *tx_pool;
	/* entries of each channel's rx and tx queue, a power of two,
	 * 2..65536; 0: 1024 */
	unsigned int queue_size;
	/* the largest IP datagram sendto builds; 0: 1500 */
	unsigned int mtu;
	/* channels open at once, 1..GRAPH_UDP_CHANS_MAX; 0: 64 */
	unsigned int max_chans;
};

/*
 * A table of bindings.  Refusals name the field: "queue_size: 1000 is
 * not a power of two in 2..65536".
 */
int graph_udp_create(struct graph_udp **out, const struct graph_udp_opts *opts);
/* Frees every channel, closed or not, and the buffers in their queues.
 * Only when no graph thread uses the table any more. */
void graph_udp_destroy(struct graph_udp *t);
/* Frees the channels closed so far: see the quiescent point above. */
void graph_udp_reclaim(struct graph_udp *t);

/*
 * Binds @local (its port 1..65535) to a new channel.  -EADDRINUSE when a
 * binding overlaps (the same port, and the same address, or either of
 * the two is any address of a family the other has):
 *   bind 198.18.0.1:7000: port 7000 is bound already (0.0.0.0:7000)
 * -EINVAL for a bad field ("port: 0 is not a port (1..65535)",
 * "family: 99 is not AF_INET, AF_INET6 or AF_UNSPEC"), -ENOSPC beyond
 * max_chans, -ENOMEM.
 */
int graph_udp_bind(struct graph_udp *t, const struct graph_udp_ep *local,
		   struct graph_udp_chan **out);
/* Unbinds the channel and frees its queued buffers (see above). */
void graph_udp_close(struct graph_udp_chan *ch);

/* One datagram received, in the buffer that carried it. */
struct graph_udp_dgram {
	struct pktio_buf *buf;	   /* the application's: graph_udp_release() */
	const uint8_t *data;	   /* the payload, in buf */
	uint16_t len;		   /* payload bytes */
	struct graph_udp_ep peer;  /* its source */
	struct graph_udp_ep local; /* its destination (a bind to any) */
};

/*
 * Up to @n datagrams: the number stored in @out, 0 when the rx queue is
 * empty (never blocks).  One thread at a time per channel.
 */
unsigned int graph_udp_recv(struct graph_udp_chan *ch,
			    struct graph_udp_dgram *out, unsigned int n);
/* Gives a received datagram's buffer back to its pool. */
void graph_udp_release(struct graph_udp_dgram *d);
/*
 * An eventfd (EFD_NONBLOCK) readable when the rx queue went non-empty:
 * poll it, then recv until it returns 0 (recv re-arms it then).  Owned
 * by the channel: do not close it.
 */
int graph_udp_fd(const struct graph_udp_chan *ch);

/*
 * Sends @len bytes to @peer from the bound address and port.  A channel
 * bound to any address has no source: it is refused (-EDESTADDRREQ,
 * "sendto: the channel of port 7000 is bound to any address: give the
 * source (graph_udp_send)").  -EINVAL for a bad field (peer family,
 * port 0, a payload above the MTU or the buffer: -EMSGSIZE), -ENOBUFS
 * when the pool is empty (tx_nobuf), -EAGAIN when the tx queue is full
 * (tx_full).  0 when queued.
 */
int graph_udp_sendto(struct graph_udp_chan *ch, const struct graph_udp_ep *peer,
		     const void *payload, size_t len);
/*
 * As sendto, from the address of @src (its port is not read: the
 * channel's): an address the binding covers, of @peer's family.  @src
 * NULL: the bound address.
 */
int graph_udp_send(struct graph_udp_chan *ch, const struct graph_udp_ep *src,
		   const struct graph_udp_ep *peer, const void *payload,
		   size_t len);

/*
 * For each graph thread: takes up to @max frames from the channels' tx
 * queues (round robin over the channels).  The caller walks them through
 * its graph's entry (graph_walk): they are its buffers then.
 */
uint16_t graph_udp_poll_tx(struct graph_udp *t, struct pktio_buf **bufs,
			   uint16_t max);

/* A channel's counters (written by several threads: read, not exact
 * while they run). */
struct graph_udp_chan_stats {
	uint64_t rx;	   /* datagrams queued for recv */
	uint64_t rx_full;  /* freed: the rx queue was full */
	uint64_t tx;	   /* datagrams queued by send */
	uint64_t tx_full;  /* refused: the tx queue was full */
	uint64_t tx_nobuf; /* refused: no buffer in the pool */
};

void graph_udp_chan_stats(const struct graph_udp_chan *ch,
			  struct graph_udp_chan_stats *s);
/* The bound endpoint. */
void graph_udp_chan_local(const struct graph_udp_chan *ch,
			  struct graph_udp_ep *local);

/*
 * For udp-input: the channel bound to a datagram's destination (at most
 * one binding covers it), NULL when none.  @addr is 4 or 16 bytes as
 * @family says.  Lock-free; the pointer stays valid for the burst.
 */
struct graph_udp_chan *graph_udp_lookup(struct graph_udp *t, int family,
					const void *addr, uint16_t port);
/* For udp-input: queues a datagram for recv; 0, or -ENOBUFS (rx_full,
 * the buffer is the caller's still), or -EPIPE (the channel was closed). */
int graph_udp_deliver(struct graph_udp_chan *ch, struct pktio_buf *b);
/* For udp-input: at the end of a burst, signal the channels delivered
 * to (the eventfd write when recv waits for it). */
void graph_udp_signal(struct graph_udp_chan *ch);

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_GRAPH_UDP_H */
