/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One sluiced per pin dir and per state dir.  Two daemons on one pin dir
 * adopt the same maps and links and undo each other: the second removes
 * the first's VIPs as "not configured", and its stop unpins the maps
 * under the first, which goes on answering that all is well.  Two on one
 * state dir overwrite each other's files.  So each directory gets an
 * advisory lock (flock) held for the daemon's life; the kernel releases
 * it when the daemon exits, however it exits.
 */
#ifndef SLUICED_DIR_LOCK_H
#define SLUICED_DIR_LOCK_H

#include <stddef.h>
#include <sys/types.h>

/* How long a start waits for the holder to exit: a restart script that
 * sends SIGTERM and starts the next one at once must not fail while the
 * old one tears down. */
#define DIR_LOCK_WAIT_MS 10000

/*
 * Takes @dir's lock (creating @dir, mode @mode, with its parents, when it
 * does not exist), waiting up to @wait_ms for a holder to let go.  On
 * success *@fd holds the lock (close-on-exec) and 0 is returned.  -EBUSY
 * when another process kept it; the error, naming @what ("pin dir",
 * "state dir"), @dir and the holder's pid when /proc/locks shows it, is in
 * @err.  Other -errno values: @dir could not be created or opened.
 */
int dir_lock(const char *dir, const char *what, mode_t mode, int wait_ms,
	     int *fd, char *err, size_t errlen);

/* The pid holding a flock on the inode @dev:@ino according to @locks, the
 * text of /proc/locks; 0 when none is listed.  Pure, for the unit tests. */
pid_t dir_lock_holder_parse(const char *locks, dev_t dev, ino_t ino);

#endif
