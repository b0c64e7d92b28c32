/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel side of the punt TAP (docs/vrouter.md, "The punt TAP").
 * libpktio's tap driver creates the device and sets it up; what the
 * kernel needs on top to take a punted packet as if it had arrived on the
 * port it came in by:
 *
 *   net.ipv4.conf.TAP.rp_filter = 0 (2 when conf.all is 1)
 *       the packet's source is routed via the port, not the TAP: strict
 *       reverse-path filtering would drop it.  The kernel uses
 *       max(conf.all, conf.TAP), so with all = 1 (strict) only loose (2)
 *       can be had on the TAP: the source is routable, loose accepts it.
 *   net.ipv6.conf.TAP.disable_ipv6 = 0
 *       ipv6_rcv drops what arrives on a device without IPv6.
 *   net.ipv6.conf.TAP.accept_ra = 0, router_solicitations = 0
 *       the TAP is no link: nothing on it may configure the host, and the
 *       host has no router to ask there.
 *
 * The destination MAC is the punt-mac node's business (punt_mac.h).
 */
#ifndef SLUICE_VROUTER_PUNT_H
#define SLUICE_VROUTER_PUNT_H

#include <stddef.h>

/* 0, or -errno with @err naming the sysctl that could not be set. */
int vr_punt_sysctls(const char *tap, char *err, size_t errlen);

#endif
