// SPDX-License-Identifier: BSD-2-Clause
/* The caller's error buffer: see errbuf.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include "errbuf.h"

__attribute__((format(printf, 3, 0))) static void
errbuf_vset(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
}

void errbuf_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(err, errlen, fmt, ap);
	va_end(ap);
}

int errbuf_einval(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}
