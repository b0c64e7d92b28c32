/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sluiced's capabilities: which it needs to start (load the programs,
 * create and pin the maps, attach them), which it keeps while it runs
 * (docs/deploy.md, "Capabilities"), and the drop between the two.  Plain
 * capget/capset/prctl: no libcap.
 */
#ifndef SLUICED_CAPS_H
#define SLUICED_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAPS_BIT(c) (1ULL << (c))

/* The first capability of @eff (a CapEff mask) that starting needs and
 * is missing, as "CAP_BPF", and why, in @why; NULL when none is.  The
 * kernel lets CAP_SYS_ADMIN stand in for CAP_BPF and CAP_PERFMON, and so
 * does this.  Pure, for the unit tests. */
const char *caps_start_missing(uint64_t eff, const char **why);

/* What sluiced keeps once it runs, given what it started with (@eff):
 * CAP_BPF and CAP_NET_ADMIN (or CAP_SYS_ADMIN where it stood in for
 * CAP_BPF).  Pure. */
uint64_t caps_runtime_set(uint64_t eff);

/* The process's effective set; 0 or -errno. */
int caps_get_effective(uint64_t *eff);

/* Before anything touches the system: 0, or -EPERM after printing which
 * capability is missing and what for. */
int caps_check_start(void);

/* Once the programs are loaded and attached and the maps pinned: keeps
 * caps_runtime_set() in the effective and permitted sets, clears the
 * inheritable and ambient sets, and drops the rest from the bounding set
 * when CAP_SETPCAP allows it.  0 or -errno. */
int caps_drop_to_runtime(void);

/* "CAP_BPF,CAP_NET_ADMIN" for @mask into @buf (for the logs). */
void caps_format(uint64_t mask, char *buf, size_t len);

#endif
