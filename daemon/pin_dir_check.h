/* SPDX-License-Identifier: BSD-2-Clause */
/* Whether a pin dir can hold pins: --check-config and the start refuse
 * one that is not on a BPF file system before anything is loaded (libbpf
 * would fail later, on the first map, naming neither). */
#ifndef SLUICED_PIN_DIR_CHECK_H
#define SLUICED_PIN_DIR_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* 0 when @dir is under /sys/fs/bpf (sluiced mounts bpffs there when it
 * is missing) or its nearest existing ancestor is on bpffs; -EINVAL with
 * @err naming pin_dir and the value otherwise. */
int pin_dir_check(const char *dir, char *err, size_t errlen);

#endif
