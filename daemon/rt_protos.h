/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Route protocol numbers by the names iproute2 prints for them, so that
 * `sluicectl route` and GET /v1/routes say "static" where `ip route` does
 * for a route FRR's staticd installed (protocol 196, named by the
 * rt_protos.d/frr.conf FRR ships), not "196".
 */
#ifndef SLUICE_RT_PROTOS_H
#define SLUICE_RT_PROTOS_H

#include <stddef.h>
#include <stdint.h>

/* The system's directories, in the order iproute2 reads them: the
 * distribution's defaults first, the administrator's last (and winning). */
#define RT_PROTOS_DIRS                                                         \
	{                                                                      \
		"/usr/share/iproute2", "/etc/iproute2", NULL                   \
	}

/* @p's name: from the files under RT_PROTOS_DIRS (read at the first call),
 * else the kernel's own names (linux/rtnetlink.h), else the number in
 * @buf. */
const char *rt_proto_name(uint8_t p, char *buf, size_t len);

/* Replaces the table with the kernel's names and then those of each
 * directory of @dirs (NULL-terminated): its rt_protos, then its
 * rt_protos.d/ *.conf in name order.  A line is "NUMBER NAME", '#' starts
 * a comment; a line that is not is skipped, as iproute2 does.  Missing
 * files are no error.  For tests and the first rt_proto_name(). */
void rt_protos_load(const char *const *dirs);

#endif
