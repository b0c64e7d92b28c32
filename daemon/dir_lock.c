// SPDX-License-Identifier: BSD-2-Clause
/*
 * One sluiced per directory (dir_lock.h): flock on the directory itself.
 * bpffs takes flock like any file system (the lock lives in the VFS), and
 * it is the one place a second daemon on the same pins is sure to look.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "dir_lock.h"
#include "log.h"

/* mkdir -p @dir with @mode for what it creates. */
static int mkdir_parents(const char *dir, mode_t mode)
{
	char buf[4096];
	size_t len = strlen(dir);

	if (!len || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

pid_t dir_lock_holder_parse(const char *locks, dev_t dev, ino_t ino)
{
	char want[64];
	const char *line = locks;

	/* "1: FLOCK  ADVISORY  WRITE 1234 00:1e:5678 0 EOF": the device as
	 * two hex numbers, the inode in decimal (fs/locks.c) */
	snprintf(want, sizeof(want), "%02x:%02x:%llu", major(dev), minor(dev),
		 (unsigned long long)ino);
	while (line && *line) {
		char kind[16], id[64];
		long pid;

		if (sscanf(line, "%*s %15s %*s %*s %ld %63s", kind, &pid, id) ==
			    3 &&
		    !strcmp(kind, "FLOCK") && !strcmp(id, want) && pid > 0)
			return (pid_t)pid;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

/* Who holds @fd's inode, by /proc/locks; 0 when it does not say. */
static pid_t lock_holder(int fd)
{
	char buf[65536];
	struct stat st;
	ssize_t n;
	int lfd;

	if (fstat(fd, &st))
		return 0;
	lfd = open("/proc/locks", O_RDONLY | O_CLOEXEC);
	if (lfd < 0)
		return 0;
	n = read(lfd, buf, sizeof(buf) - 1);
	close(lfd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return dir_lock_holder_parse(buf, st.st_dev, st.st_ino);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The lock is on the inode: the directory the path names now must be the
 * one locked (an orderly stop removes its pin dir, and a start creates a
 * new one). */
static int same_dir(int fd, const char *dir)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(dir, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int dir_lock(const char *dir, const char *what, mode_t mode, int wait_ms,
	     int *fd, char *err, size_t errlen)
{
	const long step_ms = 100;
	char by[48] = "";
	pid_t holder = 0;
	bool told = false;
	int rc;

	for (long waited = 0;; waited += step_ms) {
		int lfd;

		rc = mkdir_parents(dir, mode);
		if (rc) {
			snprintf(err, errlen, "%s %s: cannot create it: %s",
				 what, dir, strerror(-rc));
			return rc;
		}
		lfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (lfd < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s %s: %s", what, dir,
				 strerror(-rc));
			return rc;
		}
		if (!flock(lfd, LOCK_EX | LOCK_NB)) {
			if (same_dir(lfd, dir)) {
				*fd = lfd;
				return 0;
			}
			close(lfd); /* removed under us: lock its successor */
			continue;
		}
		rc = -errno;
		if (rc != -EWOULDBLOCK) {
			close(lfd);
			snprintf(err, errlen, "%s %s: cannot lock it: %s", what,
				 dir, strerror(-rc));
			return rc;
		}
		holder = lock_holder(lfd);
		close(lfd);
		if (holder)
			snprintf(by, sizeof(by), " (pid %d)", (int)holder);
		else
			by[0] = '\0';
		if (waited >= wait_ms)
			break;
		if (!told) {
			pr_warn("%s %s is in use by another sluiced%s: waiting "
				"up to %g s for it to exit",
				what, dir, by, wait_ms / 1000.0);
			told = true;
		}
		sleep_ms(step_ms);
	}
	snprintf(err, errlen,
		 "%s %s is in use by another sluiced%s: one sluiced per "
		 "pin dir and state dir; give each instance its own "
		 "--pin-dir, --state-dir and --api, or stop the other first",
		 what, dir, by);
	return -EBUSY;
}
