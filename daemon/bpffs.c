// SPDX-License-Identifier: BSD-2-Clause
/*
 * Mounting bpffs for the pins (bpffs.h).  `ip netns exec` runs its
 * command in a new mount namespace with /sys mounted afresh, so the
 * system's bpffs is not there; the one sluiced mounts instead lives and
 * dies with that namespace: the pins vanish when sluiced exits, and
 * --keep-on-exit keeps nothing.  The README starts instances with
 * `nsenter --net=...`, which keeps the system's mounts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "bpffs.h"
#include "log.h"

#define BPF_FS_MAGIC 0xcafe4a11

/* @pid's mount namespace as "mnt:[N]" in @buf; 0 or -errno. */
static int mnt_ns_of(const char *pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
	n = readlink(path, buf, len - 1);
	if (n <= 0)
		return n ? -errno : -EINVAL;
	buf[n] = '\0';
	return 0;
}

/* @pid's parent, from /proc/PID/stat ("PID (COMM) STATE PPID ...", the
 * name may hold spaces and parentheses); 0 when it cannot be read. */
static long parent_of(long pid)
{
	char path[64], buf[512], *end;
	long ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f)) {
		end = strrchr(buf, ')');
		if (!end || sscanf(end + 1, " %*c %ld", &ppid) != 1)
			ppid = 0;
	}
	fclose(f);
	return ppid;
}

/*
 * Whether this process's mount namespace was made below the one it was
 * started from: the first ancestor we may read that is in another one
 * says so (`ip netns exec` from a shell, or through `timeout`).  False
 * when none can be read (a container's init, whose parent is hidden).
 */
static bool mount_ns_private(void)
{
	char self[64], other[64], pid[24];
	long p = getppid();

	if (mnt_ns_of("self", self, sizeof(self)))
		return false;
	for (int depth = 0; p > 0 && depth < 32; depth++) {
		snprintf(pid, sizeof(pid), "%ld", p);
		if (mnt_ns_of(pid, other, sizeof(other)))
			return false;
		if (strcmp(self, other))
			return true;
		if (p == 1)
			return false;
		p = parent_of(p);
	}
	return false;
}

int bpffs_ensure(const char *pin_dir, bool keep_on_exit)
{
	struct statfs sfs;

	if (strncmp(pin_dir, "/sys/fs/bpf", 11))
		return 0;
	if (!statfs("/sys/fs/bpf", &sfs) && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	mkdir("/sys/fs/bpf", 0700);
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		int err = -errno;

		pr_err("cannot mount bpffs on /sys/fs/bpf: %s%s",
		       strerror(-err),
		       err == -EPERM ? " (needs CAP_SYS_ADMIN: mount it before "
				       "starting sluiced, or grant it)" :
				       "");
		return err;
	}
	pr_info("mounted bpffs on /sys/fs/bpf");
	if (mount_ns_private())
		pr_warn("bpffs: /sys/fs/bpf was mounted in a mount namespace "
			"of sluiced's own (`ip netns exec` makes one): the "
			"pins go when sluiced exits%s and no other process sees "
			"them; start it with `nsenter --net=/var/run/netns/NAME` "
			"instead",
			keep_on_exit ? ", so --keep-on-exit keeps nothing" :
				       "");
	return 0;
}
