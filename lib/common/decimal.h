/* SPDX-License-Identifier: BSD-2-Clause */
/* A number an operator typed: decimal digits only, nothing else. */
#ifndef SLUICE_COMMON_DECIMAL_H
#define SLUICE_COMMON_DECIMAL_H

/* @s as a number within @lo..@hi into *@out: 0; -EINVAL unless @s is 1
 * to 10 decimal digits and nothing else (no sign, space or "0x"), -ERANGE
 * outside the range. */
int decimal_parse(const char *s, unsigned long lo, unsigned long hi,
		  unsigned long *out);

#endif
