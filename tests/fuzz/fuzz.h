/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the libFuzzer targets share: the entry point libFuzzer calls, and
 * the input as a NUL-terminated copy (the parsers take C strings, and an
 * ASan-checked heap copy catches a read past the end).
 */
#ifndef SLUICE_FUZZ_H
#define SLUICE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @data as a malloc'd string (a NUL inside it ends it early, as it would
 * for the parser), or NULL when out of memory. */
char *fuzz_strdup(const uint8_t *data, size_t size);

/* Splits off the part of *@data up to the first @sep (or all of it):
 * a malloc'd string; *@data and *@size move past the separator. */
char *fuzz_take(const uint8_t **data, size_t *size, uint8_t sep);

#endif
