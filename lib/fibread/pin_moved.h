/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Whether a pin still names the map a reader opened: sluiced re-creates
 * its maps on a layout change or a restart without --keep-on-exit, and a
 * reader holding the old one reads a table nobody writes any more.
 */
#ifndef SLUICE_FIBREAD_PIN_MOVED_H
#define SLUICE_FIBREAD_PIN_MOVED_H

#include <linux/types.h>

/* 0: @path names map @id; 1: another map, or nothing (unpinned);
 * -errno when it cannot be told. */
int pin_moved(const char *path, __u32 id);

#endif
