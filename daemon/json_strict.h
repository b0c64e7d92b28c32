/* SPDX-License-Identifier: BSD-2-Clause */
/* The JSON our contract accepts (config file and API bodies): RFC 8259 and
 * no more.  json-c, even with JSON_TOKENER_STRICT, takes single-quoted
 * strings, NaN and Infinity, raw control characters and bad UTF-8 in
 * strings, and keeps the last of duplicate keys; this check runs first and
 * refuses all of that, naming the line and column. */
#ifndef SLUICED_JSON_STRICT_H
#define SLUICED_JSON_STRICT_H

#include <stddef.h>

/* Deepest nesting of objects and arrays (json-c's own default limit). */
#define JSON_STRICT_MAX_DEPTH 32

/* 0 when @text (@len bytes, not necessarily NUL-terminated) is one JSON
 * value with optional whitespace around it, no key twice in any object and
 * no \u0000 in any string (our strings are C strings: a NUL would cut them
 * short without a word).  Otherwise -EINVAL (or -ENOMEM) and @err says
 * "invalid JSON at line L column C: what". */
int json_strict_check(const char *text, size_t len, char *err, size_t errlen);

/* 1-based line and column (in bytes) of offset @off of @text. */
void json_text_position(const char *text, size_t len, size_t off, int *line,
			int *col);

#endif
