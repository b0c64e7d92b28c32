// SPDX-License-Identifier: BSD-2-Clause
/*
 * Is the XDP program on an interface sluiced's, the one that redirects to
 * a given steer_xsks map?  sluiced's pinned `ifaces` map is keyed by
 * ifindex, and ifindexes repeat across network namespaces while bpffs is
 * shared by all of them: an entry for our ifindex may be another
 * namespace's interface.  What cannot lie is the program attached here,
 * in the caller's namespace: it is sluiced's for us only if it uses that
 * very steer_xsks map.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "af_xdp.h"

/* sluice_xdp uses a few dozen maps; more than this is not sluiced's */
#define OWNER_MAX_MAPS 256

/* 1 if program prog_id uses map map_id, 0 if not, or -errno. */
static int prog_uses_map(uint32_t prog_id, uint32_t map_id)
{
	uint32_t ids[OWNER_MAX_MAPS];
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), i, n;
	int fd, err;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = OWNER_MAX_MAPS;
	info.map_ids = (uint64_t)(uintptr_t)ids;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	n = info.nr_map_ids < OWNER_MAX_MAPS ? info.nr_map_ids : OWNER_MAX_MAPS;
	for (i = 0; i < n; i++)
		if (ids[i] == map_id)
			return 1;
	return 0;
}

int afxdp_steer_owned(int ifindex, int xsks_fd)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_map_info minfo;
	uint32_t len = sizeof(minfo);
	int r;

	memset(&minfo, 0, sizeof(minfo));
	if (bpf_obj_get_info_by_fd(xsks_fd, &minfo, &len))
		return -errno;
	r = bpf_xdp_query(ifindex, 0, &q);
	if (r)
		return r;
	/* sluiced attaches in the driver or, failing that, generic mode */
	if (q.drv_prog_id) {
		r = prog_uses_map(q.drv_prog_id, minfo.id);
		if (r)
			return r;
	}
	if (q.skb_prog_id)
		return prog_uses_map(q.skb_prog_id, minfo.id);
	return 0;
}
