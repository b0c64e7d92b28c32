// SPDX-License-Identifier: BSD-2-Clause
/* The driver table: static, because a static library drops the objects
 * nothing references (constructors in driver files would never run). */
#include <string.h>
#include "pktio_internal.h"

const struct pktio_driver_ops *const pktio_drivers[] = {
	&pktio_drv_af_xdp, &pktio_drv_af_packet, &pktio_drv_tap, &pktio_drv_tun,
	&pktio_drv_memif,  &pktio_drv_ring,	 NULL,
};

static const char *const driver_names[] = {
	"af_xdp", "af_packet", "tap", "tun", "memif", "ring", NULL,
};

const char *const *pktio_driver_names(void)
{
	return driver_names;
}

const struct pktio_driver_ops *pktio_driver_find(const char *name)
{
	for (size_t i = 0; pktio_drivers[i]; i++)
		if (!strcmp(pktio_drivers[i]->name, name))
			return pktio_drivers[i];
	return NULL;
}
