// SPDX-License-Identifier: BSD-2-Clause
/*
 * The verifier's budget: each program of the XDP pipeline (sluice_xdp and
 * the stages its tail calls reach, xdp_tails) and the TC router must
 * verify in fewer than VERIFIER_ALARM instructions, the kernel's limit
 * being 1,000,000 per program.  sluice_xdp is the largest, and a change
 * that inlines one more path at every call site can take it over the
 * limit at once (a flow cache tried on 2026-12-06 did, as static
 * functions): this fails while there is still room to see it coming.
 * The figures are printed on every run.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "dp.h"
#include "runner.h"

#define VERIFIER_LIMIT 1000000u
#define VERIFIER_ALARM 950000u
#define MAX_MAPS 128

static int prog_info(int fd, struct bpf_prog_info *info, __u32 *map_ids,
		     __u32 n_map_ids)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (map_ids) {
		info->nr_map_ids = n_map_ids;
		info->map_ids = (__u64)(unsigned long)map_ids;
	}
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

static void check_prog(struct env *e, int fd, const char *role)
{
	struct bpf_prog_info info;
	char name[200];
	int err = prog_info(fd, &info, NULL, 0);

	if (err) {
		snprintf(name, sizeof(name),
			 "verifier: %s: no program info (%s)", role,
			 strerror(-err));
		tap(e, false, name);
		return;
	}
	snprintf(name, sizeof(name),
		 "verifier: %s (%s) verified in %u instructions, under %u "
		 "(the limit %u)",
		 info.name, role, info.verified_insns, VERIFIER_ALARM,
		 VERIFIER_LIMIT);
	tap(e, info.verified_insns > 0 && info.verified_insns < VERIFIER_ALARM,
	    name);
}

/* The program array named @want among the maps @prog_fd uses, or -1. */
static int prog_map_named(int prog_fd, const char *want)
{
	__u32 ids[MAX_MAPS];
	struct bpf_prog_info info;
	int fd;

	if (prog_info(prog_fd, &info, ids, MAX_MAPS))
		return -1;
	for (__u32 i = 0; i < info.nr_map_ids && i < MAX_MAPS; i++) {
		struct bpf_map_info mi;
		__u32 len = sizeof(mi);

		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		if (!bpf_obj_get_info_by_fd(fd, &mi, &len) &&
		    !strcmp(mi.name, want) &&
		    mi.type == BPF_MAP_TYPE_PROG_ARRAY)
			return fd;
		close(fd);
	}
	return -1;
}

void verifier_run_all(struct env *e)
{
	int main_fd = dp_xdp_prog_fd(e->dp), tails, n = 0;
	__u32 key, id;

	check_prog(e, main_fd, "the XDP entry");
	tails = prog_map_named(main_fd, "xdp_tails");
	tap(e, tails >= 0, "verifier: sluice_xdp's xdp_tails found");
	for (key = 0; tails >= 0 && key < 64; key++) {
		int fd;

		if (bpf_map_lookup_elem(tails, &key, &id))
			continue; /* an empty slot, or past the end */
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		check_prog(e, fd, "a tail call of the XDP pipeline");
		close(fd);
		n++;
	}
	if (tails >= 0)
		close(tails);
	tap(e, n >= 3, "verifier: the XDP pipeline's tail-called stages read");
	if (e->tc_fd >= 0)
		check_prog(e, e->tc_fd, "the TC entry");
}
