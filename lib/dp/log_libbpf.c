// SPDX-License-Identifier: BSD-2-Clause
/* libbpf's own messages through our logger (lib/dp is where libbpf is). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "log.h"

/*
 * The kernel's messages for netlink errors lib/dp expects and handles
 * (each caller logs what it could not do in its own words), which libbpf
 * prints as warnings all the same: a clsact qdisc that is already there
 * (bpf_tc_hook_create(), EEXIST), a TC filter query that finds no filter
 * (ENOENT) or no clsact qdisc at all (EINVAL).  A user enabling conntrack
 * (the egress program's attach) or restarting saw them as warnings; they
 * are debug.
 */
static bool expected_netlink_error(const char *msg)
{
	return strstr(msg, "Kernel error message:") &&
	       (strstr(msg, "Exclusivity flag on, cannot modify") ||
		strstr(msg, "Cannot find specified filter chain") ||
		strstr(msg, "Parent Qdisc doesn't exists"));
}

__attribute__((format(printf, 2, 0))) static int
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level lvl = level == LIBBPF_WARN ? LOG_LVL_WARN :
			     level == LIBBPF_INFO ? LOG_LVL_DEBUG :
						    LOG_LVL_DEBUG + 1;
	char msg[512];
	va_list cp;

	if (lvl == LOG_LVL_WARN) {
		va_copy(cp, ap);
		vsnprintf(msg, sizeof(msg), fmt, cp);
		va_end(cp);
		if (expected_netlink_error(msg))
			lvl = LOG_LVL_DEBUG;
	}
	if (lvl > log_get_level())
		return 0;
	log_vmsg(lvl > LOG_LVL_DEBUG ? LOG_LVL_DEBUG : lvl, fmt, ap);
	return 0;
}

void dp_log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
