// SPDX-License-Identifier: BSD-2-Clause
/*
 * UDP channels (include/sluice/graph/udp.h): the table of bindings, bind,
 * close, the lookup and delivery udp-input uses, and recv.  Sending is
 * udp_send.c's; the queues are udp_ring.h's.
 *
 * Readers (udp-input's lookup, poll_tx) take no lock: the bindings hang
 * off port buckets as singly linked lists that bind inserts at the head
 * and close unlinks with release stores; a closed channel keeps its
 * memory (and its next pointer) until graph_udp_reclaim(), so a reader
 * that loaded it finishes its walk on valid memory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <sluice/graph/graph.h>
#include "nodes/ip_check.h"
#include "udp_internal.h"

const char *graph_udp_ep_fmt(const struct graph_udp_ep *ep, char *buf,
			     size_t size)
{
	char a[INET6_ADDRSTRLEN] = "*";

	if (ep->family == AF_INET || ep->family == AF_INET6)
		inet_ntop(ep->family, &ep->addr, a, sizeof(a));
	snprintf(buf, size, ep->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		 ep->port);
	return buf;
}

int graph_udp_ep_is_any(const struct graph_udp_ep *ep)
{
	static const uint8_t zero[16];

	if (ep->family == AF_UNSPEC)
		return 1;
	return !memcmp(&ep->addr, zero, udp_alen(ep->family));
}

int graph_udp_create(struct graph_udp **out, const struct graph_udp_opts *opts)
{
	struct graph_udp_opts o = { 0 };
	struct graph_udp *t;

	if (!out) {
		graph_set_error("graph_udp_create: out: NULL");
		return -EINVAL;
	}
	*out = NULL;
	if (opts)
		o = *opts;
	if (!o.queue_size)
		o.queue_size = UDP_QUEUE_DEFAULT;
	if (!o.mtu)
		o.mtu = UDP_MTU_DEFAULT;
	if (!o.max_chans)
		o.max_chans = UDP_CHANS_DEFAULT;
	if (o.queue_size < 2 || o.queue_size > UDP_QUEUE_MAX ||
	    (o.queue_size & (o.queue_size - 1))) {
		graph_set_error("queue_size: %u is not a power of two in "
				"2..%u",
				o.queue_size, UDP_QUEUE_MAX);
		return -EINVAL;
	}
	if (o.mtu < UDP_MTU_MIN || o.mtu > 65535) {
		graph_set_error("mtu: %u is not in %u..65535", o.mtu,
				UDP_MTU_MIN);
		return -EINVAL;
	}
	if (o.max_chans > GRAPH_UDP_CHANS_MAX) {
		graph_set_error("max_chans: %u is not in 1..%d", o.max_chans,
				GRAPH_UDP_CHANS_MAX);
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t) + o.max_chans * sizeof(t->slots[0]));
	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	t->opts = o;
	*out = t;
	return 0;
}

static void chan_free(struct graph_udp_chan *ch)
{
	if (ch->rx) {
		udp_ring_free_bufs(ch->rx);
		free(ch->rx);
	}
	if (ch->tx) {
		udp_ring_free_bufs(ch->tx);
		free(ch->tx);
	}
	if (ch->efd >= 0)
		close(ch->efd);
	free(ch);
}

void graph_udp_reclaim(struct graph_udp *t)
{
	struct graph_udp_chan *ch, *next;

	pthread_mutex_lock(&t->lock);
	ch = t->closed;
	t->closed = NULL;
	pthread_mutex_unlock(&t->lock);
	for (; ch; ch = next) {
		next = ch->closed_next;
		chan_free(ch);
	}
}

void graph_udp_destroy(struct graph_udp *t)
{
	if (!t)
		return;
	for (unsigned int i = 0; i < t->opts.max_chans; i++)
		if (t->slots[i])
			graph_udp_close(t->slots[i]);
	graph_udp_reclaim(t);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* Whether two bindings of the same port would both take a datagram. */
static int overlap(const struct graph_udp_chan *ch,
		   const struct graph_udp_ep *ep, int any)
{
	if (ch->local.family == AF_UNSPEC || ep->family == AF_UNSPEC)
		return 1;
	if (ch->local.family != ep->family)
		return 0;
	return ch->any || any ||
	       !memcmp(&ch->local.addr, &ep->addr, udp_alen(ep->family));
}

static int check_local(const struct graph_udp_ep *local)
{
	if (!local) {
		graph_set_error("bind: local: NULL");
		return -EINVAL;
	}
	if (local->family != AF_INET && local->family != AF_INET6 &&
	    local->family != AF_UNSPEC) {
		graph_set_error("bind: family: %d is not AF_INET, AF_INET6 or "
				"AF_UNSPEC",
				local->family);
		return -EINVAL;
	}
	if (!local->port) {
		graph_set_error("bind: port: 0 is not a port (1..65535)");
		return -EINVAL;
	}
	return 0;
}

static int chan_new(struct graph_udp *t, const struct graph_udp_ep *local,
		    struct graph_udp_chan **out)
{
	struct graph_udp_chan *ch = calloc(1, sizeof(*ch));
	int err;

	if (!ch)
		return -ENOMEM;
	ch->t = t;
	ch->local = *local;
	if (local->family == AF_UNSPEC)
		memset(&ch->local.addr, 0, sizeof(ch->local.addr));
	ch->any = graph_udp_ep_is_any(local);
	ch->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	err = ch->efd < 0 ? -errno : 0;
	ch->rx = udp_ring_create(t->opts.queue_size);
	ch->tx = udp_ring_create(t->opts.queue_size);
	if (!err && (!ch->rx || !ch->tx))
		err = -ENOMEM;
	if (err) {
		chan_free(ch);
		return err;
	}
	*out = ch;
	return 0;
}

int graph_udp_bind(struct graph_udp *t, const struct graph_udp_ep *local,
		   struct graph_udp_chan **out)
{
	struct graph_udp_chan *ch, **head;
	char a[64], b[64];
	unsigned int slot;
	int err, any;

	err = check_local(local);
	if (err)
		return err;
	any = graph_udp_ep_is_any(local);
	pthread_mutex_lock(&t->lock);
	head = &t->buckets[local->port & (UDP_BUCKETS - 1)];
	for (ch = *head; ch; ch = ch->next)
		if (ch->local.port == local->port && overlap(ch, local, any)) {
			graph_set_error("bind %s: port %u is bound already "
					"(%s)",
					graph_udp_ep_fmt(local, a, sizeof(a)),
					local->port,
					graph_udp_ep_fmt(&ch->local, b,
							 sizeof(b)));
			err = -EADDRINUSE;
			goto out_unlock;
		}
	for (slot = 0; slot < t->opts.max_chans && t->slots[slot]; slot++)
		;
	if (slot == t->opts.max_chans) {
		graph_set_error("bind %s: %u channels open already "
				"(max_chans)",
				graph_udp_ep_fmt(local, a, sizeof(a)),
				t->opts.max_chans);
		err = -ENOSPC;
		goto out_unlock;
	}
	err = chan_new(t, local, &ch);
	if (err) {
		graph_set_error("bind %s: %s",
				graph_udp_ep_fmt(local, a, sizeof(a)),
				strerror(-err));
		goto out_unlock;
	}
	ch->slot = slot;
	ch->next = *head;
	/* published whole: readers see it only after these stores */
	__atomic_store_n(&t->slots[slot], ch, __ATOMIC_RELEASE);
	if (slot >= t->n_slots)
		__atomic_store_n(&t->n_slots, slot + 1, __ATOMIC_RELEASE);
	__atomic_store_n(head, ch, __ATOMIC_RELEASE);
	*out = ch;
out_unlock:
	pthread_mutex_unlock(&t->lock);
	return err;
}

void graph_udp_close(struct graph_udp_chan *ch)
{
	struct graph_udp *t;
	struct graph_udp_chan **pp;

	if (!ch)
		return;
	t = ch->t;
	pthread_mutex_lock(&t->lock);
	if (ch->dead) {
		pthread_mutex_unlock(&t->lock);
		return;
	}
	pp = &t->buckets[ch->local.port & (UDP_BUCKETS - 1)];
	while (*pp != ch)
		pp = &(*pp)->next;
	/* ch->next stays: a reader standing on ch walks on */
	__atomic_store_n(pp, ch->next, __ATOMIC_RELEASE);
	__atomic_store_n(&t->slots[ch->slot], NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&ch->dead, 1, __ATOMIC_RELEASE);
	ch->closed_next = t->closed;
	t->closed = ch;
	pthread_mutex_unlock(&t->lock);
	/* both rings are MPMC: a graph thread may dequeue beside us */
	udp_ring_free_bufs(ch->rx);
	udp_ring_free_bufs(ch->tx);
}

struct graph_udp_chan *graph_udp_lookup(struct graph_udp *t, int family,
					const void *addr, uint16_t port)
{
	struct graph_udp_chan *ch;

	ch = __atomic_load_n(&t->buckets[port & (UDP_BUCKETS - 1)],
			     __ATOMIC_ACQUIRE);
	for (; ch; ch = __atomic_load_n(&ch->next, __ATOMIC_ACQUIRE)) {
		if (ch->local.port != port)
			continue;
		if (ch->local.family == AF_UNSPEC)
			return ch;
		if (ch->local.family == family &&
		    (ch->any ||
		     !memcmp(&ch->local.addr, addr, udp_alen(family))))
			return ch;
	}
	return NULL;
}

int graph_udp_deliver(struct graph_udp_chan *ch, struct pktio_buf *b)
{
	if (__atomic_load_n(&ch->dead, __ATOMIC_ACQUIRE))
		return -EPIPE;
	if (udp_ring_enqueue(ch->rx, b)) {
		__atomic_fetch_add(&ch->n_rx_full, 1, __ATOMIC_RELAXED);
		return -ENOBUFS;
	}
	__atomic_fetch_add(&ch->n_rx, 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * The wake-up handshake with recv: a producer writes the eventfd only
 * when it flips signalled 0 -> 1; recv, finding the queue empty, drains
 * the eventfd, stores 0 and looks again.  The two fences make it a
 * Dekker pair: either recv's second look sees the datagrams queued
 * before the producer's fence, or the producer sees recv's 0 and writes.
 */
void graph_udp_signal(struct graph_udp_chan *ch)
{
	uint64_t one = 1;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ch->signalled, __ATOMIC_RELAXED))
		return;
	if (__atomic_exchange_n(&ch->signalled, 1, __ATOMIC_SEQ_CST))
		return;
	/* EAGAIN only at a counter of 2^64-2: readable anyway */
	if (write(ch->efd, &one, sizeof(one)) < 0)
		return;
}

int graph_udp_fd(const struct graph_udp_chan *ch)
{
	return ch->efd;
}

/* The datagram in @b (checked by udp-input): payload, peer, local. */
static void parse(struct pktio_buf *b, struct graph_udp_dgram *d)
{
	const uint8_t *ip =
		(const uint8_t *)pktio_buf_data(b) + graph_meta(b)->l3_off;
	const uint8_t *udp;
	int waypoint;

	d->buf = b;
	if (ip[0] >> 4 == 4) {
		d->peer.family = AF_INET;
		memcpy(&d->peer.addr, ip + 12, 4);
		memcpy(&d->local.addr, ip + 16, 4);
		udp = ip + (ip[0] & 0xf) * 4;
	} else {
		d->peer.family = AF_INET6;
		memcpy(&d->peer.addr, ip + 8, 16);
		memcpy(&d->local.addr, ip + 24, 16);
		/* behind the extension headers udp-input let through */
		udp = ip + ip6_ext_end(ip, &waypoint);
	}
	d->local.family = d->peer.family;
	d->peer.port = (uint16_t)(udp[0] << 8 | udp[1]);
	d->local.port = (uint16_t)(udp[2] << 8 | udp[3]);
	d->len = (uint16_t)((udp[4] << 8 | udp[5]) - UDP_HLEN_);
	d->data = udp + UDP_HLEN_;
}

unsigned int graph_udp_recv(struct graph_udp_chan *ch,
			    struct graph_udp_dgram *out, unsigned int n)
{
	unsigned int k = 0;
	uint64_t v;
	void *b;

	while (k < n && (b = udp_ring_dequeue(ch->rx)))
		parse(b, &out[k++]);
	if (k || !n || !__atomic_load_n(&ch->signalled, __ATOMIC_RELAXED))
		return k;
	/* empty and signalled: re-arm (graph_udp_signal), look again */
	if (read(ch->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return 0;
	__atomic_store_n(&ch->signalled, 0, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while (k < n && (b = udp_ring_dequeue(ch->rx)))
		parse(b, &out[k++]);
	return k;
}

void graph_udp_release(struct graph_udp_dgram *d)
{
	if (d->buf)
		pktio_buf_free(d->buf);
	d->buf = NULL;
}

void graph_udp_chan_stats(const struct graph_udp_chan *ch,
			  struct graph_udp_chan_stats *s)
{
	s->rx = __atomic_load_n(&ch->n_rx, __ATOMIC_RELAXED);
	s->rx_full = __atomic_load_n(&ch->n_rx_full, __ATOMIC_RELAXED);
	s->tx = __atomic_load_n(&ch->n_tx, __ATOMIC_RELAXED);
	s->tx_full = __atomic_load_n(&ch->n_tx_full, __ATOMIC_RELAXED);
	s->tx_nobuf = __atomic_load_n(&ch->n_tx_nobuf, __ATOMIC_RELAXED);
}

void graph_udp_chan_local(const struct graph_udp_chan *ch,
			  struct graph_udp_ep *local)
{
	*local = ch->local;
}
