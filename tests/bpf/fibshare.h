/* SPDX-License-Identifier: BSD-2-Clause */
/* What fibshare_runner.c shares with fibshare_race.c. */
#ifndef SLUICE_TESTS_FIBSHARE_H
#define SLUICE_TESTS_FIBSHARE_H

#include "fibread.h"
#include "runner.h"

/* A reader against lib/dp changing a route and a group under it (TAP
 * lines of its own); @dp has fibshare_runner.c's ports P1, P2. */
void fibshare_race(struct env *e, struct dp *dp, const struct fibread *rd);

#endif
