// SPDX-License-Identifier: BSD-2-Clause
/*
 * Steering's rows (bpf/lib/steer.h), over the router's topology and
 * program, programmed through lib/dp/steer.c.  A real AF_XDP socket
 * (libxdp, copy mode, no program of its own) bound to sl0's queue 0 is
 * put in steer_xsks, so a match is a true XDP_REDIRECT to it; without the
 * socket the same packet keeps its normal path and no_socket grows.
 * Every row checks the verdict, the one reason counter that moved, the
 * output bytes (the input's: steering rewrites nothing) and each
 * selector's three counters.  Steering is left off at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>
#include "dp.h"
#include "dp_steer.h"
#include "names.h"
#include "runner.h"
#include "steer_runner.h"

#define TO_P0 .dst = MAC_P0, .src = MAC_H0
#define TO_V10 .dst = MAC_V10, .src = MAC_H0, .tagged = 1, .vid = 10
#define IP4(d) .l3 = PKT_L3_IP4, .saddr = H0_4, .daddr = d
#define IP6(d) .l3 = PKT_L3_IP6, .saddr = H0_6, .daddr = d
#define UDPP(p) .l4 = IPPROTO_UDP, .sport = 40001, .dport = p, .payload = 16
#define TCPP(s, d) .l4 = IPPROTO_TCP, .sport = s, .dport = d, .payload = 8
#define PASS(r) .verdict = XDP_PASS, .reason = SLUICE_PASS_##r
#define STEERED .verdict = XDP_REDIRECT, .reason = SLUICE_FWD_STEER_XSK

/* selector ids */
#define SEL_UDP 1   /* udp 5000-5002, any port, any queue */
#define SEL_DST4 2  /* 198.18.0.1/32 (our address on P0) */
#define SEL_DST6 3  /* 2001:db8::/64 */
#define SEL_BGP 4   /* tcp 179 by port: a port selector may name it */
#define SEL_QUEUE 5 /* udp 6000, queue 1 only */
#define SEL_IFACE 6 /* udp 7000, from P1 only */
#define SEL_N 7

#define UMEM_FRAMES 64

static struct {
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	void *area;
} sk;

static int sel_set(struct env *e, __u32 id, struct dp_steer_entry *en,
		   __u32 queue)
{
	struct sluice_steer_sel s = { .id = id, .queue = queue };

	return dp_steer_entry_set(e->dp, en, &s);
}

static int port_sel(struct env *e, __u32 id, __u8 proto, __u16 lo, __u16 hi,
		    __u32 ifindex, __u32 queue)
{
	struct dp_steer_entry en = { .kind = DP_STEER_PORT,
				     .proto = proto,
				     .ifindex = ifindex };
	int err = 0;

	for (__u32 p = lo; p <= hi && !err; p++) {
		en.dport = (__u16)p;
		err = sel_set(e, id, &en, queue);
	}
	return err;
}

static int dst_sel(struct env *e, __u32 id, const char *addr, __u8 plen)
{
	struct dp_steer_entry en = { .kind = DP_STEER_DST, .plen = plen };

	en.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(en.family, addr, en.addr) != 1)
		return -EINVAL;
	return sel_set(e, id, &en, SLUICE_STEER_ANY_QUEUE);
}

static int setup_selectors(struct env *e)
{
	for (__u32 i = 1; i < SEL_N; i++)
		if (dp_steer_counters_clear(e->dp, i))
			return -EIO;
	return port_sel(e, SEL_UDP, IPPROTO_UDP, 5000, 5002, 0, SLUICE_STEER_ANY_QUEUE) ?:
		       dst_sel(e, SEL_DST4, "198.18.0.1", 32) ?:
		       dst_sel(e, SEL_DST6, "2001:db8::", 64) ?:
		       port_sel(e, SEL_BGP, IPPROTO_TCP, 179, 179, 0, SLUICE_STEER_ANY_QUEUE) ?:
		       port_sel(e, SEL_QUEUE, IPPROTO_UDP, 6000, 6000, 0, 1) ?:
		       port_sel(e, SEL_IFACE, IPPROTO_UDP, 7000, 7000, e->ifindex[IFX_P1], SLUICE_STEER_ANY_QUEUE) ?:
		       dp_steer_flags_set(e->dp, SLUICE_STEER_F_PORTS |
							 SLUICE_STEER_F_DST4 |
							 SLUICE_STEER_F_DST6 |
							 SLUICE_STEER_F_IFACE);
}

int steer_xsk_open(char *why, size_t len)
{
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};
	size_t size = UMEM_FRAMES * XSK_UMEM__DEFAULT_FRAME_SIZE;
	int err;

	if (sk.xsk)
		return 0;
	steer_xsk_close(); /* what a failed attempt left */
	sk.area = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sk.area == MAP_FAILED) {
		sk.area = NULL;
		snprintf(why, len, "mmap: %s", strerror(errno));
		return -ENOMEM;
	}
	err = xsk_umem__create(&sk.umem, sk.area, size, &sk.fill, &sk.comp,
			       NULL);
	if (err) {
		snprintf(why, len, "xsk_umem__create: %s", strerror(-err));
		return err;
	}
	err = xsk_socket__create(&sk.xsk, "sl0", 0, sk.umem, &sk.rx, &sk.tx,
				 &cfg);
	if (err)
		snprintf(why, len, "xsk_socket__create(sl0, 0): %s",
			 strerror(-err));
	return err;
}

int steer_xsk_fd(void)
{
	return sk.xsk ? xsk_socket__fd(sk.xsk) : -EBADF;
}

void steer_xsk_close(void)
{
	if (sk.xsk)
		xsk_socket__delete(sk.xsk);
	if (sk.umem)
		xsk_umem__delete(sk.umem);
	if (sk.area)
		munmap(sk.area, UMEM_FRAMES * XSK_UMEM__DEFAULT_FRAME_SIZE);
	memset(&sk, 0, sizeof(sk));
}

static bool counters_moved(struct env *e,
			   const struct sluice_steer_counter *before,
			   __u32 first, __u32 end, const struct steer_row *row)
{
	bool ok = true;

	for (__u32 i = first; i < end; i++) {
		struct sluice_steer_counter c, want = before[i - first];

		if (dp_steer_counters(e->dp, i, &c))
			return false;
		if (i == row->sel) {
			want.matched++;
			if (row->redirected)
				want.redirected++;
			else
				want.no_socket++;
		}
		if (c.matched != want.matched ||
		    c.redirected != want.redirected ||
		    c.no_socket != want.no_socket) {
			diag("selector %u: matched %llu redirected %llu "
			     "no_socket %llu, want %llu %llu %llu\n",
			     i, (unsigned long long)c.matched,
			     (unsigned long long)c.redirected,
			     (unsigned long long)c.no_socket,
			     (unsigned long long)want.matched,
			     (unsigned long long)want.redirected,
			     (unsigned long long)want.no_socket);
			ok = false;
		}
	}
	return ok;
}

bool steer_row_run(struct env *e, const struct steer_row *row, __u32 first,
		   __u32 end)
{
	struct sluice_steer_counter before[SLUICE_STEER_MAX_SELECTORS];
	bool ok;

	if (first > end || end > SLUICE_STEER_MAX_SELECTORS)
		return false;
	for (__u32 i = first; i < end; i++)
		if (dp_steer_counters(e->dp, i, &before[i - first]))
			return false;
	ok = run_fixture(e, &row->fx);
	return counters_moved(e, before, first, end, row) && ok;
}

/* With the socket in steer_xsks. */
static const struct steer_row with_socket[] = {
	{ { "steer: v4 udp 5000 to our address -> the socket",
	    IFX_P0,
	    { TO_P0, IP4("198.18.0.1"), UDPP(5000) },
	    STEERED },
	  SEL_UDP,
	  true },
	{ { "steer: v4 udp 5002 (the range's end) routed through -> the socket",
	    IFX_P0,
	    { TO_P0, IP4("198.19.0.5"), UDPP(5002) },
	    STEERED },
	  SEL_UDP,
	  true },
	{ { "steer: v6 udp 5001 -> the socket",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8::1"), UDPP(5001) },
	    STEERED },
	  SEL_UDP,
	  true },
	{ { "steer: tagged (vlan 10) udp 5000 -> the port's socket",
	    IFX_P0,
	    { TO_V10, IP4("198.18.10.1"), UDPP(5000) },
	    STEERED },
	  SEL_UDP,
	  true },
	{ { "steer: v4 tcp 443 to a steered prefix -> the socket",
	    IFX_P0,
	    { TO_P0, IP4("198.18.0.1"), TCPP(40000, 443) },
	    STEERED },
	  SEL_DST4,
	  true },
	{ { "steer: v6 tcp 443 to a steered prefix -> the socket",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8::1"), TCPP(40000, 443) },
	    STEERED },
	  SEL_DST6,
	  true },
	{ { "steer: tcp to 179 matches only the port selector naming it",
	    IFX_P0,
	    { TO_P0, IP4("198.18.0.1"), TCPP(40000, 179) },
	    STEERED },
	  SEL_BGP,
	  true },
	{ { "steer: bgp from port 179 is never taken by a prefix",
	    IFX_P0,
	    { TO_P0, IP4("198.18.0.1"), TCPP(179, 40000) },
	    PASS(LOCAL) },
	  0,
	  false },
	{ { "steer: v6 bgp from port 179 is never taken by a prefix",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8::1"), TCPP(179, 40000) },
	    PASS(LOCAL) },
	  0,
	  false },
	{ { "steer: unmatched udp port untouched",
	    IFX_P0,
	    { TO_P0, IP4("198.19.0.5"), UDPP(5003) },
	    .verdict = XDP_REDIRECT,
	    .reason = SLUICE_FWD_REDIRECT,
	    .routed = true,
	    .out = { .dst = MAC_GW1, .src = MAC_P1 } },
	  0,
	  false },
	{ { "steer: icmp echo to a steered prefix stays the kernel's",
	    IFX_P0,
	    { TO_P0, IP4("198.18.0.1"), .l4 = IPPROTO_ICMP, .sport = 7,
	      .dport = 1, .payload = 16 },
	    PASS(LOCAL) },
	  0,
	  false },
	{ { "steer: icmpv6 echo to a steered prefix stays the kernel's",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8::1"), .l4 = IPPROTO_ICMPV6, .sport = 7,
	      .dport = 1, .payload = 16 },
	    PASS(LOCAL) },
	  0,
	  false },
	{ { "steer: ospf unicast to a steered prefix stays the kernel's",
	    IFX_P0,
	    { TO_P0, IP4("198.18.0.1"), .l4 = 89, .payload = 40, .ttl = 1 },
	    PASS(LOCAL) },
	  0,
	  false },
	{ { "steer: arp to our address stays the kernel's",
	    IFX_P0,
	    { TO_P0, .l3 = PKT_L3_ARP, .saddr = H0_4, .daddr = "198.18.0.1",
	      .eth_pad = 18 },
	    PASS(NOT_IP) },
	  0,
	  false },
	{ { "steer: queue 1's selector leaves queue 0's packet alone",
	    IFX_P0,
	    { TO_P0, IP4("198.19.0.5"), UDPP(6000) },
	    .verdict = XDP_REDIRECT,
	    .reason = SLUICE_FWD_REDIRECT,
	    .routed = true,
	    .out = { .dst = MAC_GW1, .src = MAC_P1 } },
	  0,
	  false },
	{ { "steer: P1's selector leaves P0's packet alone",
	    IFX_P0,
	    { TO_P0, IP4("198.19.0.5"), UDPP(7000) },
	    .verdict = XDP_REDIRECT,
	    .reason = SLUICE_FWD_REDIRECT,
	    .routed = true,
	    .out = { .dst = MAC_GW1, .src = MAC_P1 } },
	  0,
	  false },
};

/* The same selectors, no socket: each match keeps its normal path. */
static const struct steer_row without_socket[] = {
	{ { "steer no socket: v4 udp 5000 to our address -> the kernel",
	    IFX_P0,
	    { TO_P0, IP4("198.18.0.1"), UDPP(5000) },
	    PASS(LOCAL) },
	  SEL_UDP,
	  false },
	{ { "steer no socket: v4 udp 5002 routed -> forwarded as ever",
	    IFX_P0,
	    { TO_P0, IP4("198.19.0.5"), UDPP(5002) },
	    .verdict = XDP_REDIRECT,
	    .reason = SLUICE_FWD_REDIRECT,
	    .routed = true,
	    .out = { .dst = MAC_GW1, .src = MAC_P1 } },
	  SEL_UDP,
	  false },
	{ { "steer no socket: v6 tcp 443 to a steered prefix -> the kernel",
	    IFX_P0,
	    { TO_P0, IP6("2001:db8::1"), TCPP(40000, 443) },
	    PASS(LOCAL) },
	  SEL_DST6,
	  false },
};

static void run_rows(struct env *e, const struct steer_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tap(e, steer_row_run(e, &rows[i], 1, SEL_N), rows[i].fx.name);
}

/* steer_xsks as the probe reads it: queue 0 of P0 and nothing else. */
static bool queues_are(struct env *e, __u64 p0)
{
	__u64 bits = ~0ull;
	int err = dp_steer_xsk_queues(e->dp, e->ifindex[IFX_P0], &bits);

	if (err || bits != p0) {
		diag("P0 queues %#llx (%s), want %#llx\n",
		     (unsigned long long)bits, strerror(-err),
		     (unsigned long long)p0);
		return false;
	}
	err = dp_steer_xsk_queues(e->dp, e->ifindex[IFX_P1], &bits);
	if (err || bits) {
		diag("P1 queues %#llx (%s), want 0\n", (unsigned long long)bits,
		     strerror(-err));
		return false;
	}
	return true;
}

/* Steering off: a matching packet goes its way, no counter moves. */
static const struct steer_row off_row = {
	{ "steer off: udp 5000 -> the kernel, no selector counts",
	  IFX_P0,
	  { TO_P0, IP4("198.18.0.1"), UDPP(5000) },
	  PASS(LOCAL) },
	0,
	false,
};

void steer_run_all(struct env *e)
{
	char why[256] = "";
	__u32 flags = 1;
	bool ok;

	ok = !setup_selectors(e);
	tap(e, ok, "steer setup: selectors and the switch through lib/dp");
	if (!ok)
		goto out;
	run_rows(e, without_socket,
		 sizeof(without_socket) / sizeof(without_socket[0]));
	ok = !steer_xsk_open(why, sizeof(why));
	if (!ok)
		diag("%s\n", why);
	ok = ok && !dp_steer_xsk_set(e->dp, e->ifindex[IFX_P0], 0,
				     xsk_socket__fd(sk.xsk));
	tap(e, ok, "steer: an AF_XDP socket on sl0 queue 0 in steer_xsks");
	tap(e, ok && queues_are(e, 1), "steer: the probe sees P0's queue 0");
	if (ok)
		run_rows(e, with_socket,
			 sizeof(with_socket) / sizeof(with_socket[0]));
	ok = ok && !dp_steer_xsk_del(e->dp, e->ifindex[IFX_P0], 0);
	tap(e, ok && queues_are(e, 0), "steer: the socket's entry deleted");
	run_rows(e, without_socket, 1);
	ok = !dp_steer_xsk_set(e->dp, e->ifindex[IFX_P0], 64, 0);
	tap(e, !ok, "steer: queue 64 has no key (SLUICE_STEER_MAX_QUEUES)");
out:
	ok = !dp_steer_flush(e->dp) && !dp_steer_flags_get(e->dp, &flags) &&
	     !flags;
	tap(e, ok, "steer: flushed, switch off");
	run_rows(e, &off_row, 1);
	/* the same socket: one closed is released by the kernel later, and
	 * the queue refuses another meanwhile (EBUSY) */
	steer_transit_run_all(e);
	steer_xsk_close();
}
