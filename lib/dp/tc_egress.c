// SPDX-License-Identifier: BSD-2-Clause
/*
 * The TC egress filter on every router port (bpf/sluice_egress.bpf.c):
 * connection tracking of what the host sends.  It goes on with the port's
 * XDP link or TC filter and off with it; like the TC router it is a
 * classic cls_bpf filter, found again by its priority and handle, so a
 * filter a kept run left is switched to our program in place.  A port
 * where it cannot go still routes: the host's own flows are then seen
 * one way only (logged).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "dp_internal.h"
#include "log.h"

#define DP_EGRESS_PRIORITY 1
#define DP_EGRESS_HANDLE 0x51cf
#define DP_EGRESS_PROG_NAME "sluice_egress"

/* 0 and *ours when our program holds the place, -ENOENT when nobody. */
static int egress_query(int ifindex, bool *ours)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, q, .handle = DP_EGRESS_HANDLE,
		    .priority = DP_EGRESS_PRIORITY);
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd, err;

	*ours = false;
	err = bpf_tc_query(&hook, &q);
	if (err)
		return err == -EINVAL ? -ENOENT : err;
	fd = bpf_prog_get_fd_by_id(q.prog_id);
	if (fd < 0) {
		/* opening a program by id takes CAP_SYS_ADMIN, which sluiced
		 * neither needs nor keeps (daemon/caps.c): then the filter at
		 * our own handle and priority is taken for ours */
		*ours = errno == EPERM;
		return 0; /* else gone meanwhile */
	}
	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	*ours = !err && !strcmp(info.name, DP_EGRESS_PROG_NAME);
	return 0;
}

void dp_egress_attach(struct dp *dp, int ifindex, const char *ifname)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = DP_EGRESS_HANDLE,
		    .priority = DP_EGRESS_PRIORITY);
	int fd = dp_egress_prog_fd(dp);
	bool ours = false;
	int err;

	if (fd < 0)
		return; /* the backend role tracks nothing */
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		goto fail;
	err = egress_query(ifindex, &ours);
	if (!err && !ours) {
		pr_warn("dp: %s: egress priority %u handle 0x%x is taken by "
			"another program: the host's own flows are tracked one "
			"way only",
			ifname, DP_EGRESS_PRIORITY, DP_EGRESS_HANDLE);
		return;
	}
	o.prog_fd = fd;
	o.flags = ours ? BPF_TC_F_REPLACE : 0;
	err = bpf_tc_attach(&hook, &o);
	if (!err)
		return;
fail:
	pr_warn("dp: %s: cannot attach the TC egress filter (%s): the host's "
		"own flows are tracked one way only",
		ifname, strerror(-err));
}

void dp_egress_detach(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = DP_EGRESS_HANDLE,
		    .priority = DP_EGRESS_PRIORITY);
	bool ours;

	/* only ours: the index may be another device's by now */
	if (!egress_query(ifindex, &ours) && ours)
		bpf_tc_detach(&hook, &o);
}
