// SPDX-License-Identifier: BSD-2-Clause
/*
 * One sluiced per pin dir and state dir (daemon/dir_lock.c): the lock is
 * taken, refused to a second taker with the directory and the holder's
 * pid named, waited for, released with its fd, and a directory removed
 * under a holder (an orderly stop removes its pin dir) does not block the
 * next; /proc/locks is read for the holder's pid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <cmocka.h>
#include "dir_lock.h"

static char base[64];

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/sluice-dir-lock-XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) ? -1 : 0;
}

static void holder_from_proc_locks(void **state)
{
	const char *locks = "1: POSIX  ADVISORY  WRITE 77 00:1e:4242 0 EOF\n"
			    "2: FLOCK  ADVISORY  WRITE 1234 00:1e:4242 0 EOF\n"
			    "3: FLOCK  ADVISORY  WRITE 99 fd:01:4242 0 EOF\n"
			    "4: FLOCK  ADVISORY  WRITE 555 103:0a:17 0 EOF\n";

	(void)state;
	/* the flock on the inode, not the POSIX lock before it */
	assert_int_equal(dir_lock_holder_parse(locks, makedev(0, 0x1e), 4242),
			 1234);
	assert_int_equal(dir_lock_holder_parse(locks, makedev(0xfd, 1), 4242),
			 99);
	assert_int_equal(dir_lock_holder_parse(locks, makedev(0x103, 0xa), 17),
			 555);
	/* not listed, or the same inode number on another device */
	assert_int_equal(dir_lock_holder_parse(locks, makedev(0, 0x1e), 4243),
			 0);
	assert_int_equal(dir_lock_holder_parse(locks, makedev(0, 0x1f), 4242),
			 0);
	assert_int_equal(dir_lock_holder_parse("", makedev(0, 0x1e), 4242), 0);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void second_taker_refused(void **state)
{
	char dir[128], err[600], want[64];
	struct timespec t0;
	struct stat st;
	int a = -1, b = -1;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/pins/sluice", base);
	/* created with its parents, the mode asked for */
	assert_int_equal(
		dir_lock(dir, "pin dir", 0700, 0, &a, err, sizeof(err)), 0);
	assert_true(a >= 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	/* a flock belongs to its open file: a second open is refused */
	assert_int_equal(dir_lock(dir, "pin dir", 0700, 0, &b, err,
				  sizeof(err)),
			 -EBUSY);
	assert_int_equal(b, -1);
	assert_non_null(strstr(err, "pin dir "));
	assert_non_null(strstr(err, dir));
	snprintf(want, sizeof(want), "(pid %d)", (int)getpid());
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "--pin-dir, --state-dir and --api"));

	/* it waits about as long as it is told, then refuses */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(dir_lock(dir, "state dir", 0755, 300, &b, err,
				  sizeof(err)),
			 -EBUSY);
	assert_true(ms_since(&t0) >= 300);
	assert_non_null(strstr(err, "state dir "));

	/* the holder gone, the next one has it */
	close(a);
	assert_int_equal(
		dir_lock(dir, "pin dir", 0700, 0, &b, err, sizeof(err)), 0);
	close(b);
}

static void removed_dir_does_not_block(void **state)
{
	char dir[128], err[600];
	int a = -1, b = -1, c = -1;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/removed", base);
	assert_int_equal(
		dir_lock(dir, "pin dir", 0700, 0, &a, err, sizeof(err)), 0);
	/* an orderly stop removes its pin dir while it holds the lock */
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(
		dir_lock(dir, "pin dir", 0700, 0, &b, err, sizeof(err)), 0);
	/* and the directory now there is the one locked */
	assert_int_equal(dir_lock(dir, "pin dir", 0700, 0, &c, err,
				  sizeof(err)),
			 -EBUSY);
	close(a);
	close(b);
}

static void uncreatable_dir_named(void **state)
{
	char dir[256], file[128], err[600];
	FILE *f;
	int fd = -1;

	(void)state;
	snprintf(file, sizeof(file), "%s/a-file", base);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(dir, sizeof(dir), "%s/under", file);
	assert_int_equal(dir_lock(dir, "state dir", 0755, 0, &fd, err,
				  sizeof(err)),
			 -ENOTDIR);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(err, "state dir "));
	assert_non_null(strstr(err, "cannot create it"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(holder_from_proc_locks),
		cmocka_unit_test(second_taker_refused),
		cmocka_unit_test(removed_dir_does_not_block),
		cmocka_unit_test(uncreatable_dir_named),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
