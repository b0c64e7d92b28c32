// SPDX-License-Identifier: BSD-2-Clause
/* Decimal numbers from API queries (decimal.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "decimal.h"

int decimal_parse(const char *s, unsigned long lo, unsigned long hi,
		  unsigned long *out)
{
	size_t n = strspn(s, "0123456789");
	unsigned long v;

	if (!n || s[n] || n > 10)
		return -EINVAL;
	v = strtoul(s, NULL, 10);
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}
