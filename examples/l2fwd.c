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

int main(int argc, char **argv)
{
	struct app_cli c;
	struct l2fwd l = { 0 };
	struct pktio_config *cfg;
	struct pktio_app *app;
	unsigned int n_dst = 0;
	int err;

	app_cli_init(&c, "sluice-l2fwd");
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
		if (!strcmp(argv[i], "--dst-mac") && i + 1 < argc) {
			if (n_dst == 2 ||
			    parse_mac(argv[++i], l.dst_mac[n_dst])) {
				fprintf(stderr,
					"sluice-l2fwd: --dst-mac: '%s' is not a MAC (or more than two)\n",
					argv[i]);
				return 2;
			}
			l.has_dst[n_dst++] = true;
			continue;
		}
		fprintf(stderr, "sluice-l2fwd: '%s' is not an option\n",
			argv[i]);
		usage(stderr);
		return 2;
	}
	if (app_cli_check(&c, 2))
		return 2;
	cfg = app_cli_config(&c);
	if (!cfg)
		return 1;
	err = pktio_app_open(cfg, fwd_burst, &l, &app);
	pktio_config_free(cfg);
	if (err) {
		fprintf(stderr, "sluice-l2fwd: %s\n", pktio_last_error());
		return 1;
	}
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
