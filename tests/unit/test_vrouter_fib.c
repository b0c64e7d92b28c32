// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-vrouter's control step for the lookups' on-link notes
 * (vrouter/vr_fib.c): the neigh_wanted map is opened at the start when
 * pinned; when it is not, the router runs without it and a later tick
 * opens it once it is; when the pin names another map (sluiced re-created
 * it), a tick opens the new one, swaps it in and retires the old, closed
 * at the next tick (no worker here: every worker has passed).  The FIB
 * reader is left alone throughout (its maps did not change).  The maps
 * are made here with sluiced's names and shapes, pinned in a directory of
 * this test.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <cmocka.h>
#include <uapi/sluice/fib.h>
#include <uapi/sluice/route.h>
#include "fibread.h"
#include "neigh_note.h"
#include "vr_fib.h"

static char pin[96];

static int map_pin(const char *name, enum bpf_map_type type, __u32 key,
		   __u32 val, __u32 n, __u32 flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	char path[160];
	int fd, err;

	fd = bpf_map_create(type, NULL, key, val, n, &o);
	if (fd < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s", pin, name);
	err = bpf_obj_pin(fd, path) ? -errno : 0;
	close(fd);
	return err;
}

/* A new neigh_wanted, pinned in place of the one there (if any). */
static int wanted_pin(void)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/neigh_wanted", pin);
	unlink(path);
	return map_pin("neigh_wanted", BPF_MAP_TYPE_LRU_HASH,
		       sizeof(struct sluice_neigh_key), 4, 64, 0);
}

static void wanted_unpin(void)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/neigh_wanted", pin);
	assert_int_equal(unlink(path), 0);
}

static int setup(void **state)
{
	const __u32 blk = sizeof(struct sluice_fib_block);
	const __u32 root = SLUICE_FIB_ROOT_SIZE / SLUICE_FIB_GROUP_SIZE;
	int err;

	(void)state;
	snprintf(pin, sizeof(pin), "/sys/fs/bpf/sluice-test-vr-fib-%d",
		 (int)getpid());
	if (mkdir(pin, 0700))
		return -1;
	err = map_pin("fib4_root", BPF_MAP_TYPE_ARRAY, 4, blk, root, BPF_F_MMAPABLE) ?:
		      map_pin("fib4_groups", BPF_MAP_TYPE_ARRAY, 4, blk, 4, BPF_F_MMAPABLE) ?:
		      map_pin("fib6_root", BPF_MAP_TYPE_ARRAY, 4, blk, root, BPF_F_MMAPABLE) ?:
		      map_pin("fib6_groups", BPF_MAP_TYPE_ARRAY, 4, blk, 4, BPF_F_MMAPABLE) ?:
		      map_pin("fib_nhgs", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct sluice_fib_nhg), 4, BPF_F_MMAPABLE) ?:
		      map_pin("fib_nhs", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct sluice_fib_nh), 4, BPF_F_MMAPABLE) ?:
		      map_pin("neighbors", BPF_MAP_TYPE_HASH,
			      sizeof(struct sluice_neigh_key),
			      sizeof(struct sluice_neigh), 4, 0);
	if (err)
		fprintf(stderr, "setup: %s\n", strerror(-err));
	return err ? -1 : 0;
}

static int teardown(void **state)
{
	static const char *const names[] = {
		"fib4_root", "fib4_groups", "fib6_root", "fib6_groups",
		"fib_nhgs",  "fib_nhs",	    "neighbors", "neigh_wanted",
	};
	char path[160];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", pin, names[i]);
		unlink(path);
	}
	rmdir(pin);
	return 0;
}

static void test_notes_follow_the_pin(void **state)
{
	struct graph_fib gf = { 0 };
	struct vr_fib f = { .fib = &gf };
	struct neigh_note *first, *second;
	struct fibread *rd;
	char err[512] = "";

	(void)state;
	snprintf(f.pin_dir, sizeof(f.pin_dir), "%s", pin);
	assert_int_equal(fibread_open(&rd, pin, err, sizeof(err)), 0);
	gf.reader = rd;

	/* not pinned: refused by name, the router runs without */
	assert_int_equal(vr_fib_open_notes(&f, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/neigh_wanted: No such file"));
	assert_null(gf.notes);
	assert_int_equal(vr_fib_tick(&f, err, sizeof(err)), 0);
	assert_null(gf.notes);
	assert_int_equal(f.note_opens, 0);

	/* pinned later (sluiced started): the next tick opens it */
	assert_int_equal(wanted_pin(), 0);
	assert_int_equal(vr_fib_tick(&f, err, sizeof(err)), 0);
	first = gf.notes;
	assert_non_null(first);
	assert_int_equal(f.note_opens, 1);
	assert_null(f.retired_notes);
	assert_ptr_equal(gf.reader, rd); /* the FIB reader stays */
	assert_int_equal(neigh_note_stale(first), 0);
	/* nothing changed: nothing done */
	assert_int_equal(vr_fib_tick(&f, err, sizeof(err)), 0);
	assert_ptr_equal(gf.notes, first);
	assert_int_equal(f.note_opens, 1);

	/* re-created: swapped in, the old one retired, then closed */
	assert_int_equal(wanted_pin(), 0);
	assert_int_equal(neigh_note_stale(first), 1);
	assert_int_equal(vr_fib_tick(&f, err, sizeof(err)), 0);
	second = gf.notes;
	assert_non_null(second);
	assert_ptr_not_equal(second, first);
	assert_ptr_equal(f.retired_notes, first);
	assert_int_equal(f.note_opens, 2);
	assert_int_equal(neigh_note_stale(second), 0);
	assert_int_equal(vr_fib_tick(&f, err, sizeof(err)), 0);
	assert_null(f.retired_notes);
	assert_ptr_equal(gf.notes, second);

	/* gone (sluiced stopped): kept until a new one is pinned */
	wanted_unpin();
	assert_int_equal(vr_fib_tick(&f, err, sizeof(err)), 0);
	assert_ptr_equal(gf.notes, second);
	assert_int_equal(f.note_opens, 2);
	assert_int_equal(f.swaps, 0);
	assert_int_equal(f.stale_errors, 0);
	vr_fib_close(&f);
	assert_null(gf.notes);
	assert_null(gf.reader);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notes_follow_the_pin),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
