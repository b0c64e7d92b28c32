/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A minimal pcapng writer (draft-ietf-opsawg-pcapng): a Section Header
 * Block, one Ethernet Interface Description Block, then one Enhanced
 * Packet Block a frame, with a text comment (opt_comment) on each, as
 * tshark shows it in frame.comment.  Little-endian, microsecond
 * timestamps (the default if_tsresol).
 */
#ifndef SLUICECTL_PCAPNG_H
#define SLUICECTL_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

/* The header blocks: 0 or -errno.  @snaplen: bytes a frame may carry. */
int pcapng_begin(FILE *f, uint32_t snaplen, const char *app);
/* One frame: @cap bytes of @data captured of @orig, taken at @ts_us
 * (microseconds since the epoch), with @comment (may be NULL). */
int pcapng_frame(FILE *f, uint64_t ts_us, const void *data, uint32_t cap,
		 uint32_t orig, const char *comment);

#endif
