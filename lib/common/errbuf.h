/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The caller's error buffer: parsers and openers that refuse an input say
 * why into (err, errlen) -- the field and the value -- and return -errno.
 * One definition for the whole tree; a NULL or empty buffer is allowed
 * (the caller wants the code only).
 */
#ifndef SLUICE_COMMON_ERRBUF_H
#define SLUICE_COMMON_ERRBUF_H

#include <stddef.h>

/* Formats into @err (at most @errlen bytes, NUL-terminated). */
__attribute__((format(printf, 3, 4))) void errbuf_set(char *err, size_t errlen,
						      const char *fmt, ...);

/* errbuf_set(), then -EINVAL: `return errbuf_einval(err, len, ...)`. */
__attribute__((format(printf, 3, 4))) int
errbuf_einval(char *err, size_t errlen, const char *fmt, ...);

#endif
