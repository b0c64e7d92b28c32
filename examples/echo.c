// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-echo: a UDP echo server on libpktio (seed 001's echo server).
 * Each UDP datagram (IPv4 or IPv6, untagged) to the chosen port goes back
 * out of the port and queue it came in on with its MAC addresses, IP
 * addresses and UDP ports swapped.  Swapping keeps every checksum valid,
 * so nothing is recomputed and the buffer is sent as it came: on AF_XDP
 * the frame never leaves the UMEM.  Anything else is dropped (counted).
 *
 *   sluice-echo --driver af_xdp|af_packet|tap --dev IF [--queue N]
 *               [--udp-port N] [--opt K=V]... [--duration S]
 *   sluice-echo --config FILE [--udp-port N]
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sluice/pktio/config.h>
#include "app_cli.h"
#include "udp_swap.h"

struct echo {
	uint16_t udp_port; /* 0: every port */
	_Atomic uint64_t echoed;
	_Atomic uint64_t ignored;
};

static void echo_burst(struct pktio_worker *w, struct pktio_port *port,
		       uint16_t q, struct pktio_buf **bufs, uint16_t n,
		       void *ctx)
{
	struct echo *e = ctx;
	struct pktio_buf *out[PKTIO_BURST_MAX];
	uint16_t k = 0, sent;

	(void)w;
	for (uint16_t i = 0; i < n; i++) {
		if (udp_swap(pktio_buf_data(bufs[i]), pktio_buf_len(bufs[i]),
			     e->udp_port))
			out[k++] = bufs[i];
		else
			pktio_buf_free(bufs[i]);
	}
	sent = k ? pktio_tx_burst(port, q, out, k) : 0;
	if (sent < k)
		pktio_buf_free_bulk(out + sent, k - sent);
	atomic_fetch_add_explicit(&e->echoed, sent, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->ignored, (uint64_t)(n - sent),
				  memory_order_relaxed);
}

static void summary(FILE *f, void *ctx)
{
	struct echo *e = ctx;

	fprintf(f, "\"echoed\": %llu, \"ignored\": %llu",
		(unsigned long long)atomic_load(&e->echoed),
		(unsigned long long)atomic_load(&e->ignored));
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sluice-echo --driver D --dev IF [--udp-port N] [options]\n"
		"       sluice-echo --config FILE [--udp-port N] [options]\n"
		"Answers UDP datagrams (IPv4 and IPv6) to --udp-port (every\n"
		"port when omitted) with addresses and ports swapped; prints a\n"
		"JSON summary when it stops.\n"
		"  --udp-port N    only datagrams to port N\n");
	app_cli_usage(f);
}

/* --udp-port N */
static int echo_option(int argc, char **argv, int *i, void *ctx)
{
	struct echo *e = ctx;
	char *end;
	long p;

	if (strcmp(argv[*i], "--udp-port"))
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "sluice-echo: --udp-port needs a value\n");
		return -1;
	}
	p = strtol(argv[++*i], &end, 10);
	if (*end || end == argv[*i] || p < 1 || p > 65535) {
		fprintf(stderr,
			"sluice-echo: --udp-port: '%s' is not a port (1-65535)\n",
			argv[*i]);
		return -1;
	}
	e->udp_port = (uint16_t)p;
	return 1;
}

int main(int argc, char **argv)
{
	struct echo e = { 0 };
	struct pktio_app *app;
	struct app_cli c;
	int r;

	app_cli_init(&c, "sluice-echo");
	r = app_cli_parse(&c, argc, argv, echo_option, usage, &e);
	if (r)
		return r < 0 ? 2 : 0;
	r = app_cli_open(&c, 1, echo_burst, &e, &app);
	if (r)
		return r;
	return app_cli_run(&c, app, summary, &e);
}
