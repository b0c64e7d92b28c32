// SPDX-License-Identifier: BSD-2-Clause
/*
 * What a BPF object behind an fd or a pin is: the info queries dp.c,
 * link_prune.c, lb_ring.c and trace.c share.  A file of its own so that
 * sluicectl's trace, which links lib/dp for trace.c alone, does not pull
 * in dp.c and the forwarding table with it.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "dp_internal.h"

int dp_pinned_link(const char *path, struct bpf_link_info *info)
{
	__u32 len = sizeof(*info);
	int fd, err;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int dp_map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}
