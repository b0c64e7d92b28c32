// SPDX-License-Identifier: BSD-2-Clause
/* The tap and tun drivers: stubs until they are written (this file is
 * their whole place: replace it). */
#include <errno.h>
#include "pktio_driver.h"

static int tap_open(struct pktio_port *port, const struct pktio_port_cfg *cfg)
{
	pktio_drv_err("port %s: driver %s is not available in this build",
		      pktio_port_dev(port), cfg->driver);
	return -EOPNOTSUPP;
}

static void tap_close(struct pktio_port *port)
{
	(void)port;
}

static uint16_t tap_burst(struct pktio_port *port, uint16_t q,
			  struct pktio_buf **bufs, uint16_t n)
{
	(void)port;
	(void)q;
	(void)bufs;
	(void)n;
	return 0;
}

const struct pktio_driver_ops pktio_drv_tap = {
	.name = "tap",
	.open = tap_open,
	.close = tap_close,
	.rx_burst = tap_burst,
	.tx_burst = tap_burst,
};

const struct pktio_driver_ops pktio_drv_tun = {
	.name = "tun",
	.open = tap_open,
	.close = tap_close,
	.rx_burst = tap_burst,
	.tx_burst = tap_burst,
};
