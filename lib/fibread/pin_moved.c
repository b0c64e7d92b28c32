// SPDX-License-Identifier: BSD-2-Clause
/* Whether a pin still names a map: see pin_moved.h. */
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "pin_moved.h"

int pin_moved(const char *path, __u32 id)
{
	LIBBPF_OPTS(bpf_obj_get_opts, o, .file_flags = BPF_F_RDONLY);
	struct bpf_map_info info = { 0 };
	__u32 ilen = sizeof(info);
	int fd, e = 0;

	fd = bpf_obj_get_opts(path, &o);
	if (fd < 0)
		return errno == ENOENT ? 1 : -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		e = -errno;
	close(fd);
	if (e)
		return e;
	return info.id != id;
}
