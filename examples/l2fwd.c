// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-l2fwd: forwards every frame between two ports (for benchmarks),
 * rewriting the MACs: the source becomes the egress port's own MAC, the
 * destination the one given for that port (--dst-mac), or stays.  With
 * both ports on one pool (the default), an af_xdp frame goes from one
 * port's rx to the other's tx without a copy: the summary's "copies"
 * says so.
 *
 *   sluice-l2fwd --driver D --dev IF1 --dev IF2 [--dst-mac MAC1 --dst-mac MAC2]
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sluice/pktio/config.h>
#include "app_cli.h"

struct l2fwd {
	struct pktio_port *port[2];
	uint8_t src_mac[2][6];
	uint8_t dst_mac[2][6];
	bool has_dst[2];
	_Atomic uint64_t forwarded;
	_Atomic uint64_t dropped;
};

static void fwd_burst(struct pktio_worker *w, struct pktio_port *port,
		      uint16_t q, struct pktio_buf **bufs, uint16_t n,
		      void *ctx)
{
	struct l2fwd *l = ctx;
	int out = port == l->port[0] ? 1 : 0;
	uint16_t sent;

	(void)w;
	for (uint16_t i = 0; i < n; i++) {
		uint8_t *eth = pktio_buf_data(bufs[i]);

		if (pktio_buf_len(bufs[i]) < 14)
			continue; /* the driver drops runts; never here */
		if (l->has_dst[out])
			memcpy(eth, l->dst_mac[out], 6);
		memcpy(eth + 6, l->src_mac[out], 6);
	}
	sent = pktio_tx_burst(l->port[out], q, bufs, n);
	if (sent < n)
		pktio_buf_free_bulk(bufs + sent, n - sent);
	atomic_fetch_add_explicit(&l->forwarded, sent, memory_order_relaxed);
	atomic_fetch_add_explicit(&l->dropped, (uint64_t)(n - sent),
				  memory_order_relaxed);
}

static void summary(FILE *f, void *ctx)
{
	struct l2fwd *l = ctx;

	fprintf(f, "\"forwarded\": %llu, \"tx_full\": %llu",
		(unsigned long long)atomic_load(&l->forwarded),
		(unsigned long long)atomic_load(&l->dropped));
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sluice-l2fwd --driver D --dev IF1 --dev IF2 [--dst-mac MAC]... [options]\n"
		"       sluice-l2fwd --config FILE (two ports) [options]\n"
		"Forwards every frame from each port out of the other, with the\n"
		"source MAC the egress port's and the destination the --dst-mac\n"
		"given for it (first: frames out of IF1, second: out of IF2).\n"
		"  --dst-mac MAC   destination MAC per egress port (repeat twice)\n");
	app_cli_usage(f);
}

/* --dst-mac MAC, at most twice: the first for frames out of the first
 * port */
static int l2fwd_option(int argc, char **argv, int *i, void *ctx)
{
	struct l2fwd *l = ctx;
	unsigned int n = l->has_dst[0] + l->has_dst[1];

	if (strcmp(argv[*i], "--dst-mac"))
		return 0;
	if (*i + 1 >= argc || n == 2 ||
	    parse_mac(argv[*i + 1], l->dst_mac[n])) {
		fprintf(stderr,
			"sluice-l2fwd: --dst-mac: '%s' is not a MAC (or more than two)\n",
			*i + 1 < argc ? argv[*i + 1] : "");
		return -1;
	}
	l->has_dst[n] = true;
	++*i;
	return 1;
}

int main(int argc, char **argv)
{
	struct l2fwd l = { 0 };
	struct pktio_app *app;
	struct app_cli c;
	int r;

	app_cli_init(&c, "sluice-l2fwd");
	r = app_cli_parse(&c, argc, argv, l2fwd_option, usage, &l);
	if (r)
		return r < 0 ? 2 : 0;
	r = app_cli_open(&c, 2, fwd_burst, &l, &app);
	if (r)
		return r;
	if (pktio_app_nports(app) != 2) {
		fprintf(stderr,
			"sluice-l2fwd: the config has %u ports, not 2\n",
			pktio_app_nports(app));
		pktio_app_close(app);
		return 2;
	}
	for (int i = 0; i < 2; i++) {
		struct pktio_port_info info;

		l.port[i] = pktio_app_port_at(app, (unsigned int)i);
		if (!pktio_port_info(l.port[i], &info))
			memcpy(l.src_mac[i], info.mac, 6);
	}
	return app_cli_run(&c, app, summary, &l);
}
