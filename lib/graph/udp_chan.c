// SPDX-License-Identifier: BSD-2-Clause
/*
 * UDP channels (include/sluice/graph/udp.h): the table of bindings, the
 * channels' rx and tx queues, recv and send.
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
#include <sluice/graph/udp.h>
#include "udp_csum.h"

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

/*
 * A bounded lock-free MPMC queue of pointers (D. Vyukov's): each cell
 * carries a sequence number that says whose turn it is, so producers and
 * consumers claim positions with one CAS each and never wait on another
 * thread's copy.
 */
struct udp_cell {
	size_t seq;
	void *obj;
};

struct udp_ring {
	size_t mask;
	_Alignas(64) size_t head; /* next position to enqueue */
	_Alignas(64) size_t tail; /* next position to dequeue */
	_Alignas(64) struct udp_cell cells[];
};

static struct udp_ring *ring_create(unsigned int size)
{
	struct udp_ring *r;
	size_t bytes = sizeof(*r) + size * sizeof(struct udp_cell);

	if (posix_memalign((void **)&r, 64, bytes))
		return NULL;
	memset(r, 0, bytes);
	r->mask = size - 1;
	for (size_t i = 0; i < size; i++)
		r->cells[i].seq = i;
	return r;
}

static int ring_enqueue(struct udp_ring *r, void *obj)
{
	size_t pos = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	struct udp_cell *c;

	for (;;) {
		size_t seq;
		intptr_t dif;

		c = &r->cells[pos & r->mask];
		seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		dif = (intptr_t)seq - (intptr_t)pos;
		if (dif == 0) {
			if (__atomic_compare_exchange_n(&r->head, &pos, pos + 1,
							1, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED))
				break;
		} else if (dif < 0) {
			return -ENOBUFS; /* full */
		} else {
			pos = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
		}
	}
	c->obj = obj;
	__atomic_store_n(&c->seq, pos + 1, __ATOMIC_RELEASE);
	return 0;
}

static void *ring_dequeue(struct udp_ring *r)
{
	size_t pos = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	struct udp_cell *c;
	void *obj;

	for (;;) {
		size_t seq;
		intptr_t dif;

		c = &r->cells[pos & r->mask];
		seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		dif = (intptr_t)seq - (intptr_t)(pos + 1);
		if (dif == 0) {
			if (__atomic_compare_exchange_n(&r->tail, &pos, pos + 1,
							1, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED))
				break;
		} else if (dif < 0) {
			return NULL; /* empty */
		} else {
			pos = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
		}
	}
	obj = c->obj;
	__atomic_store_n(&c->seq, pos + r->mask + 1, __ATOMIC_RELEASE);
	return obj;
}

static void ring_free_bufs(struct udp_ring *r)
{
	struct pktio_buf *b;

	while ((b = ring_dequeue(r)))
		pktio_buf_free(b);
}

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

static size_t alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* "198.18.0.1:7000", "[2001:db8::1]:7000", "*:7000" (AF_UNSPEC) */
static const char *ep_str(const struct graph_udp_ep *ep, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "*";

	if (ep->family == AF_INET || ep->family == AF_INET6)
		inet_ntop(ep->family, &ep->addr, a, sizeof(a));
	snprintf(buf, size, ep->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		 ep->port);
	return buf;
}

static int addr_is_any(const struct graph_udp_ep *ep)
{
	static const uint8_t zero[16];

	if (ep->family == AF_UNSPEC)
		return 1;
	return !memcmp(&ep->addr, zero, alen(ep->family));
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
		ring_free_bufs(ch->rx);
		free(ch->rx);
	}
	if (ch->tx) {
		ring_free_bufs(ch->tx);
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
	       !memcmp(&ch->local.addr, &ep->addr, alen(ep->family));
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
	ch->any = addr_is_any(local);
	ch->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	err = ch->efd < 0 ? -errno : 0;
	ch->rx = ring_create(t->opts.queue_size);
	ch->tx = ring_create(t->opts.queue_size);
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
	any = addr_is_any(local);
	pthread_mutex_lock(&t->lock);
	head = &t->buckets[local->port & (UDP_BUCKETS - 1)];
	for (ch = *head; ch; ch = ch->next)
		if (ch->local.port == local->port && overlap(ch, local, any)) {
			graph_set_error("bind %s: port %u is bound already "
					"(%s)",
					ep_str(local, a, sizeof(a)),
					local->port,
					ep_str(&ch->local, b, sizeof(b)));
			err = -EADDRINUSE;
			goto out_unlock;
		}
	for (slot = 0; slot < t->opts.max_chans && t->slots[slot]; slot++)
		;
	if (slot == t->opts.max_chans) {
		graph_set_error("bind %s: %u channels open already "
				"(max_chans)",
				ep_str(local, a, sizeof(a)), t->opts.max_chans);
		err = -ENOSPC;
		goto out_unlock;
	}
	err = chan_new(t, local, &ch);
	if (err) {
		graph_set_error("bind %s: %s", ep_str(local, a, sizeof(a)),
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
	ring_free_bufs(ch->rx);
	ring_free_bufs(ch->tx);
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
		    (ch->any || !memcmp(&ch->local.addr, addr, alen(family))))
			return ch;
	}
	return NULL;
}

int graph_udp_deliver(struct graph_udp_chan *ch, struct pktio_buf *b)
{
	if (__atomic_load_n(&ch->dead, __ATOMIC_ACQUIRE))
		return -EPIPE;
	if (ring_enqueue(ch->rx, b)) {
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
		udp = ip + IP6_HLEN_;
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

	while (k < n && (b = ring_dequeue(ch->rx)))
		parse(b, &out[k++]);
	if (k || !n || !__atomic_load_n(&ch->signalled, __ATOMIC_RELAXED))
		return k;
	/* empty and signalled: re-arm (graph_udp_signal), look again */
	if (read(ch->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return 0;
	__atomic_store_n(&ch->signalled, 0, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while (k < n && (b = ring_dequeue(ch->rx)))
		parse(b, &out[k++]);
	return k;
}

void graph_udp_release(struct graph_udp_dgram *d)
{
	if (d->buf)
		pktio_buf_free(d->buf);
	d->buf = NULL;
}

/* Whether the channel's binding covers @src (an address, not any). */
static int covers(const struct graph_udp_chan *ch,
		  const struct graph_udp_ep *src)
{
	if (ch->local.family == AF_UNSPEC)
		return 1;
	if (ch->local.family != src->family)
		return 0;
	return ch->any ||
	       !memcmp(&ch->local.addr, &src->addr, alen(src->family));
}

static int check_send(struct graph_udp_chan *ch,
		      const struct graph_udp_ep **src,
		      const struct graph_udp_ep *peer, const void *payload,
		      size_t len)
{
	const char *fam;
	char a[64], b[64];
	size_t room;

	if (!peer || (peer->family != AF_INET && peer->family != AF_INET6)) {
		graph_set_error("sendto: peer.family: %d is not AF_INET or "
				"AF_INET6",
				peer ? peer->family : -1);
		return -EINVAL;
	}
	fam = peer->family == AF_INET ? "IPv4" : "IPv6";
	if (!peer->port) {
		graph_set_error("sendto: peer.port: 0 is not a port "
				"(1..65535)");
		return -EINVAL;
	}
	if (!*src) {
		if (ch->any) {
			graph_set_error("sendto: the channel of port %u is "
					"bound to any address: give the "
					"source (graph_udp_send)",
					ch->local.port);
			return -EDESTADDRREQ;
		}
		*src = &ch->local;
	}
	if ((*src)->family != peer->family) {
		graph_set_error("sendto: peer.family: an %s peer, from %s", fam,
				ep_str(*src, a, sizeof(a)));
		return -EINVAL;
	}
	if (addr_is_any(*src) || !covers(ch, *src)) {
		graph_set_error("sendto: src: %s is not an address of the "
				"binding %s",
				ep_str(*src, a, sizeof(a)),
				ep_str(&ch->local, b, sizeof(b)));
		return -EINVAL;
	}
	if (!payload && len) {
		graph_set_error("sendto: payload: NULL for %zu bytes", len);
		return -EINVAL;
	}
	room = ch->t->opts.mtu -
	       (peer->family == AF_INET ? IP4_HLEN_ : IP6_HLEN_) - UDP_HLEN_;
	if (len > room) {
		graph_set_error("sendto: len: %zu bytes, above the %zu an "
				"MTU of %u takes",
				len, room, ch->t->opts.mtu);
		return -EMSGSIZE;
	}
	if (!ch->t->opts.tx_pool) {
		graph_set_error("sendto: tx_pool: none given to "
				"graph_udp_create");
		return -EINVAL;
	}
	if (__atomic_load_n(&ch->dead, __ATOMIC_ACQUIRE)) {
		graph_set_error("sendto: the channel of port %u is closed",
				ch->local.port);
		return -EPIPE;
	}
	return 0;
}

static inline void wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet (zero MACs), IP and UDP headers in front of the payload. */
static void build(uint8_t *f, const struct graph_udp_ep *src,
		  const struct graph_udp_ep *peer, uint16_t sport, size_t len)
{
	uint32_t udp_len = (uint32_t)(UDP_HLEN_ + len);
	uint8_t *ip = f + ETH_HLEN_, *udp;
	size_t al = alen(peer->family);
	uint16_t csum;

	memset(f, 0, ETH_HLEN_);
	if (peer->family == AF_INET) {
		wr16(f + 12, 0x0800);
		udp = ip + IP4_HLEN_;
		memset(ip, 0, IP4_HLEN_);
		ip[0] = 0x45;
		wr16(ip + 2, IP4_HLEN_ + udp_len);
		wr16(ip + 6, 0x4000); /* DF, id 0 (RFC 6864: atomic) */
		ip[8] = GRAPH_UDP_TTL;
		ip[9] = 17;
		memcpy(ip + 12, &src->addr, 4);
		memcpy(ip + 16, &peer->addr, 4);
		wr16(ip + 10,
		     (uint16_t)~udp_csum_fold(udp_csum_add(0, ip, IP4_HLEN_)));
	} else {
		wr16(f + 12, 0x86dd);
		udp = ip + IP6_HLEN_;
		memset(ip, 0, 8);
		ip[0] = 0x60;
		wr16(ip + 4, udp_len);
		ip[6] = 17;
		ip[7] = GRAPH_UDP_TTL;
		memcpy(ip + 8, &src->addr, 16);
		memcpy(ip + 24, &peer->addr, 16);
	}
	wr16(udp, sport);
	wr16(udp + 2, peer->port);
	wr16(udp + 4, udp_len);
	wr16(udp + 6, 0);
	csum = (uint16_t)~udp_csum_sum((const uint8_t *)&src->addr,
				       (const uint8_t *)&peer->addr, al, udp,
				       udp_len);
	/* 0 is "no checksum" in IPv4 and forbidden in IPv6: 0xffff */
	wr16(udp + 6, csum ? csum : 0xffff);
}

int graph_udp_send(struct graph_udp_chan *ch, const struct graph_udp_ep *src,
		   const struct graph_udp_ep *peer, const void *payload,
		   size_t len)
{
	size_t hlen;
	struct pktio_buf *b;
	uint8_t *f;
	int err;

	err = check_send(ch, &src, peer, payload, len);
	if (err)
		return err;
	hlen = ETH_HLEN_ + (peer->family == AF_INET ? IP4_HLEN_ : IP6_HLEN_) +
	       UDP_HLEN_;
	b = pktio_buf_alloc(ch->t->opts.tx_pool);
	if (!b) {
		__atomic_fetch_add(&ch->n_tx_nobuf, 1, __ATOMIC_RELAXED);
		graph_set_error("sendto: no buffer in the pool");
		return -ENOBUFS;
	}
	f = pktio_buf_append(b, (uint32_t)(hlen + len));
	if (!f) {
		pktio_buf_free(b);
		graph_set_error("sendto: len: %zu bytes do not fit a buffer "
				"of the pool",
				len);
		return -EMSGSIZE;
	}
	memcpy(f + hlen, payload, len);
	build(f, src, peer, ch->local.port, len);
	if (ring_enqueue(ch->tx, b)) {
		pktio_buf_free(b);
		__atomic_fetch_add(&ch->n_tx_full, 1, __ATOMIC_RELAXED);
		graph_set_error("sendto: the tx queue is full");
		return -EAGAIN;
	}
	__atomic_fetch_add(&ch->n_tx, 1, __ATOMIC_RELAXED);
	return 0;
}

int graph_udp_sendto(struct graph_udp_chan *ch, const struct graph_udp_ep *peer,
		     const void *payload, size_t len)
{
	return graph_udp_send(ch, NULL, peer, payload, len);
}

uint16_t graph_udp_poll_tx(struct graph_udp *t, struct pktio_buf **bufs,
			   uint16_t max)
{
	unsigned int n = __atomic_load_n(&t->n_slots, __ATOMIC_ACQUIRE);
	unsigned int start, got = 0;

	if (!n || !max)
		return 0;
	/* a racy increment is fine: it only spreads the start */
	start = __atomic_load_n(&t->tx_cursor, __ATOMIC_RELAXED);
	__atomic_store_n(&t->tx_cursor, start + 1, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < n && got < max; i++) {
		struct graph_udp_chan *ch = __atomic_load_n(
			&t->slots[(start + i) % n], __ATOMIC_ACQUIRE);
		void *b;

		if (!ch)
			continue;
		while (got < max && (b = ring_dequeue(ch->tx)))
			bufs[got++] = b;
	}
	return (uint16_t)got;
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
