// SPDX-License-Identifier: BSD-2-Clause
/* The af_packet driver: a stub until it is written (this file is its whole
 * place: replace it). */
#include <errno.h>
#include "pktio_driver.h"

static int af_packet_open(struct pktio_port *port,
			  const struct pktio_port_cfg *cfg)
{
	(void)cfg;
	pktio_drv_err(
		"port %s: driver af_packet is not available in this build",
		pktio_port_dev(port));
	return -EOPNOTSUPP;
}

static void af_packet_close(struct pktio_port *port)
{
	(void)port;
}

static uint16_t af_packet_burst(struct pktio_port *port, uint16_t q,
				struct pktio_buf **bufs, uint16_t n)
{
	(void)port;
	(void)q;
	(void)bufs;
	(void)n;
	return 0;
}

const struct pktio_driver_ops pktio_drv_af_packet = {
	.name = "af_packet",
	.open = af_packet_open,
	.close = af_packet_close,
	.rx_burst = af_packet_burst,
	.tx_burst = af_packet_burst,
};
