// SPDX-License-Identifier: BSD-2-Clause
/* Input helpers for the libFuzzer targets (fuzz.h). */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"

char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

char *fuzz_take(const uint8_t **data, size_t *size, uint8_t sep)
{
	const uint8_t *end = memchr(*data, sep, *size);
	size_t n = end ? (size_t)(end - *data) : *size;
	char *s = fuzz_strdup(*data, n);

	*data += n + (end ? 1 : 0);
	*size -= n + (end ? 1 : 0);
	return s;
}
