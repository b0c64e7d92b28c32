// SPDX-License-Identifier: BSD-2-Clause
/*
 * UDP channels, the send side (include/sluice/graph/udp.h): sendto builds
 * a whole frame into the channel's tx queue; the graph threads take the
 * frames with poll_tx and walk them through their graph's entry.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sluice/graph/graph.h>
#include "udp_csum.h"
#include "udp_internal.h"

/* Whether the channel's binding covers @src (an address, not any). */
static int covers(const struct graph_udp_chan *ch,
		  const struct graph_udp_ep *src)
{
	if (ch->local.family == AF_UNSPEC)
		return 1;
	if (ch->local.family != src->family)
		return 0;
	return ch->any ||
	       !memcmp(&ch->local.addr, &src->addr, udp_alen(src->family));
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
				graph_udp_ep_fmt(*src, a, sizeof(a)));
		return -EINVAL;
	}
	if (graph_udp_ep_is_any(*src) || !covers(ch, *src)) {
		graph_set_error("sendto: src: %s is not an address of the "
				"binding %s",
				graph_udp_ep_fmt(*src, a, sizeof(a)),
				graph_udp_ep_fmt(&ch->local, b, sizeof(b)));
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
	size_t al = udp_alen(peer->family);
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
	if (udp_ring_enqueue(ch->tx, b)) {
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
		while (got < max && (b = udp_ring_dequeue(ch->tx)))
			bufs[got++] = b;
	}
	return (uint16_t)got;
}
