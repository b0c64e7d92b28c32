/* SPDX-License-Identifier: BSD-2-Clause */
/* The release, one number for sluiced, sluicectl and what they report. */
#ifndef SLUICE_VERSION_H
#define SLUICE_VERSION_H

#define SLUICE_VERSION "0.1.0"

#endif
