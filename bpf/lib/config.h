/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Load-time knobs: const volatile globals the loader sets through the
 * skeleton before load (lib/dp).  The verifier prunes what is switched
 * off, so there is one object and no build flavours.
 */
#ifndef SLUICE_BPF_CONFIG_H
#define SLUICE_BPF_CONFIG_H

#include <linux/types.h>

/* A router that balances nothing skips the VIP lookup. */
const volatile __u8 cfg_lb_enabled = 1;

#endif
