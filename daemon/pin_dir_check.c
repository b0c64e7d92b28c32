// SPDX-License-Identifier: BSD-2-Clause
/* The pin dir is on a BPF file system (pin_dir_check.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "pin_dir_check.h"

/* sluiced mounts bpffs here when nothing is mounted (lib/dp) */
#define BPFFS_HOME "/sys/fs/bpf"

static bool under_bpffs_home(const char *dir)
{
	size_t n = strlen(BPFFS_HOME);

	return !strncmp(dir, BPFFS_HOME, n) && (!dir[n] || dir[n] == '/');
}

int pin_dir_check(const char *dir, char *err, size_t errlen)
{
	char p[PATH_MAX];
	struct statfs sf;

	if (under_bpffs_home(dir))
		return 0;
	/* the dir itself may not exist yet: its nearest existing parent's
	 * file system is the one it would be made on */
	snprintf(p, sizeof(p), "%s", dir);
	while (statfs(p, &sf)) {
		char *slash = strrchr(p, '/');

		if (errno != ENOENT && errno != ENOTDIR)
			return 0; /* the start will say what is wrong */
		if (!slash || slash == p) {
			snprintf(p, sizeof(p), "/");
			if (statfs(p, &sf))
				return 0;
			break;
		}
		*slash = '\0';
	}
	if (sf.f_type == BPF_FS_MAGIC)
		return 0;
	snprintf(err, errlen,
		 "pin_dir: '%s' is not on a BPF file system (bpffs), where "
		 "maps and links are pinned: give a dir under " BPFFS_HOME
		 " (mounted when missing), or mount bpffs at or above it",
		 dir);
	return -EINVAL;
}
