/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The BPF file system sluiced pins into: mounted where the system would
 * when it is missing, and a warning when that mount cannot outlive
 * sluiced (a mount namespace of its own, as `ip netns exec` makes).
 */
#ifndef SLUICED_BPFFS_H
#define SLUICED_BPFFS_H

#include <stdbool.h>

/* When @pin_dir is under /sys/fs/bpf and no bpffs is mounted there,
 * mounts one and warns if it is private to this mount namespace (worse
 * with @keep_on_exit, which then keeps nothing).  0 or -errno, logged. */
int bpffs_ensure(const char *pin_dir, bool keep_on_exit);

#endif
