// SPDX-License-Identifier: BSD-2-Clause
/*
 * A program outside the tree: built with only what `pkg-config --cflags
 * --libs sluice-pktio` gives (strict C11), linked against the shared
 * library.  It checks that the library loads, that it exports the API and
 * hides the core's own functions, and moves packets through a pair of ring
 * ports.  Prints TAP for the unit tier.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sluice/pktio/pktio.h>
#include <sluice/pktio/ring.h>

static int n_test, n_fail;

static void check(int ok, const char *what)
{
	n_test++;
	n_fail += !ok;
	printf("%sok %d - %s\n", ok ? "" : "not ", n_test, what);
}

int main(void)
{
	const char *peer[] = { "peer=lt0" };
	struct pktio_port_cfg cfg = { .driver = "ring", .nqueues = 1 };
	struct pktio_pool_cfg pcfg;
	struct pktio_pool *pool = NULL;
	struct pktio_port *a = NULL, *b = NULL;
	struct pktio_buf *out[2], *in[4];
	struct pktio_port_stats s;
	int err;

	pktio_set_log(NULL, NULL);
	check(dlsym(RTLD_DEFAULT, "pktio_pool_create") != NULL,
	      "the API is exported");
	/* the core's own (hidden) and the version script's local symbols */
	check(dlsym(RTLD_DEFAULT, "pktio_err") == NULL &&
		      dlsym(RTLD_DEFAULT, "pktio_driver_find") == NULL,
	      "the core's functions are not");
	check(dlvsym(RTLD_DEFAULT, "pktio_rx_burst", "SLUICE_PKTIO_0.1") !=
		      NULL,
	      "symbols carry the version SLUICE_PKTIO_0.1");

	pktio_pool_cfg_init(&pcfg, 64);
	err = pktio_pool_create(&pcfg, &pool);
	check(err == 0, "pool created");
	if (err)
		goto out;
	cfg.pool = pool;
	cfg.dev = "lt0";
	err = pktio_port_open(&cfg, &a);
	cfg.dev = "lt1";
	cfg.options = peer;
	cfg.n_options = 1;
	err = err ? err : pktio_port_open(&cfg, &b);
	check(err == 0, "two paired ring ports open");
	if (err)
		goto out;
	for (int i = 0; i < 2; i++) {
		out[i] = pktio_buf_alloc(pool);
		memcpy(pktio_buf_append(out[i], 6), "hello", 6);
	}
	check(pktio_tx_burst(a, 0, out, 2) == 2, "tx 2 on one end");
	check(pktio_rx_burst(b, 0, in, 4) == 2 &&
		      !strcmp(pktio_buf_data(in[1]), "hello"),
	      "rx the same 2 on the other");
	pktio_buf_free_bulk(in, 2);
	pktio_port_stats_total(b, &s);
	check(s.rx_packets == 2 && s.rx_bytes == 12, "stats count them");
out:
	pktio_port_close(b);
	pktio_port_close(a);
	check(!pool || pktio_pool_destroy(pool) == 0,
	      "every buffer back in the pool");
	printf("1..%d\n", n_test);
	return n_fail ? 1 : 0;
}
