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

int main(int argc, char **argv)
{
	struct app_cli c;
	struct echo e = { 0 };
	struct pktio_config *cfg;
	struct pktio_app *app;
	int err;

	app_cli_init(&c, "sluice-echo");
	for (int i = 1; i < argc; i++) {
		int r = app_cli_option(&c, argc, argv, &i);

		if (r < 0)
			return 2;
		if (r)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--udp-port") && i + 1 < argc) {
			char *end;
			long p = strtol(argv[++i], &end, 10);

			if (*end || end == argv[i] || p < 1 || p > 65535) {
				fprintf(stderr,
					"sluice-echo: --udp-port: '%s' is not a port (1-65535)\n",
					argv[i]);
				return 2;
			}
			e.udp_port = (uint16_t)p;
			continue;
		}
		fprintf(stderr, "sluice-echo: '%s' is not an option\n",
			argv[i]);
		usage(stderr);
		return 2;
	}
	if (app_cli_check(&c, 1))
		return 2;
	cfg = app_cli_config(&c);
	if (!cfg)
		return 1;
	err = pktio_app_open(cfg, echo_burst, &e, &app);
	pktio_config_free(cfg);
	if (err) {
		fprintf(stderr, "sluice-echo: %s\n", pktio_last_error());
		return 1;
	}
	return app_cli_run(&c, app, summary, &e);
}
