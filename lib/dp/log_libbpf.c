// SPDX-License-Identifier: BSD-2-Clause
/* libbpf's own messages through our logger (lib/dp is where libbpf is). */
#include <stdarg.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "log.h"

__attribute__((format(printf, 2, 0))) static int
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level lvl = level == LIBBPF_WARN ? LOG_LVL_WARN :
			     level == LIBBPF_INFO ? LOG_LVL_DEBUG :
						    LOG_LVL_DEBUG + 1;

	if (lvl > log_get_level())
		return 0;
	log_vmsg(lvl > LOG_LVL_DEBUG ? LOG_LVL_DEBUG : lvl, fmt, ap);
	return 0;
}

void dp_log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
