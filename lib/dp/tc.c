// SPDX-License-Identifier: BSD-2-Clause
/*
 * The TC router at clsact ingress (docs/veth.md): attach, adopt across a
 * --keep-on-exit restart, detach.  libbpf 1.1 has no tcx links (1.3), so
 * this is a classic cls_bpf filter in direct-action mode, found again by
 * its place: our priority and handle at the device's ingress.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dp.h"
#include "dp_internal.h"
#include "log.h"

/* Priority 1 runs before the filters tc adds with its default priorities
 * (we redirect: what runs after us never sees those packets); the handle
 * tells ours from another tool's filter at the same priority. */
#define DP_TC_PRIORITY 1
#define DP_TC_HANDLE 0x51ce
/* The program's name as the kernel keeps it (BPF_OBJ_NAME_LEN). */
#define DP_TC_PROG_NAME "sluice_tc"

static struct dp_tc_port *tc_port(struct dp *dp, const char *ifname, bool alloc)
{
	struct dp_tc_port *free_port = NULL;

	for (int i = 0; i < SLUICE_MAX_IFACES; i++) {
		struct dp_tc_port *t = &dp->tc_ports[i];

		if (t->ifindex && !strcmp(t->ifname, ifname))
			return t;
		if (!t->ifindex && !free_port)
			free_port = t;
	}
	return alloc ? free_port : NULL;
}

/* What holds our place at @ifindex's ingress: 0 and *ours when it is a
 * sluice_tc program, 0 and !*ours for someone else's, -ENOENT for nobody
 * (no clsact qdisc, or no filter there). */
static int tc_query(int ifindex, bool *ours)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, q, .handle = DP_TC_HANDLE,
		    .priority = DP_TC_PRIORITY);
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd, err;

	*ours = false;
	err = bpf_tc_query(&hook, &q);
	if (err)
		return err == -EINVAL ? -ENOENT : err; /* EINVAL: no clsact */
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
	*ours = !err && info.type == BPF_PROG_TYPE_SCHED_CLS &&
		!strcmp(info.name, DP_TC_PROG_NAME);
	return 0;
}

static int tc_remove(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = DP_TC_HANDLE,
		    .priority = DP_TC_PRIORITY);

	return bpf_tc_detach(&hook, &o);
}

void dp_tc_remove_stale(int ifindex, const char *ifname)
{
	bool ours;
	int err;

	if (tc_query(ifindex, &ours) || !ours)
		return;
	err = tc_remove(ifindex);
	if (err)
		pr_warn("dp: %s: cannot remove the TC filter an earlier run "
			"left: %s",
			ifname, strerror(-err));
	else
		pr_info("dp: %s: removed the TC filter an earlier run left "
			"(the port is XDP now)",
			ifname);
}

void dp_port_forget(struct dp *dp, __u32 ifindex)
{
	char name[IF_NAMESIZE];
	bool ours;
	int err;

	(void)dp;
	if (!if_indextoname(ifindex, name))
		return; /* gone, and its filters with it */
	dp_egress_detach((int)ifindex);
	if (tc_query((int)ifindex, &ours) || !ours)
		return;
	err = tc_remove((int)ifindex);
	if (err)
		pr_warn("dp: %s is no longer configured, but its TC filter "
			"cannot be removed: %s",
			name, strerror(-err));
	else
		pr_info("dp: %s is no longer configured: removed its TC "
			"filter",
			name);
}

/* The port was XDP in the run before (kept with --keep-on-exit): its
 * pinned link goes, which detaches that program now that ours is in. */
static void drop_xdp_pin(struct dp *dp, const char *ifname)
{
	char path[PATH_MAX];

	if (!dp->pin_dir)
		return;
	dp_link_pin_path(dp, ifname, path, sizeof(path));
	if (!unlink(path))
		pr_info("dp: %s: removed the XDP link an earlier run left "
			"(the port is TC now)",
			ifname);
}

int dp_tc_attach(struct dp *dp, int ifindex, const char *ifname, bool *adopted)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = DP_TC_HANDLE,
		    .priority = DP_TC_PRIORITY);
	int prog_fd = dp_tc_prog_fd(dp);
	struct dp_tc_port *t;
	bool ours = false;
	int err;

	if (adopted)
		*adopted = false;
	if (prog_fd < 0)
		return prog_fd;
	if (strlen(ifname) >= sizeof(t->ifname))
		return -ENAMETOOLONG;
	t = tc_port(dp, ifname, false);
	if (t && t->ifindex == ifindex)
		return 0;
	if (t) /* the name came back with a new index: the old filter died */
		t->ifindex = 0;
	t = tc_port(dp, ifname, true);
	if (!t)
		return -ENOSPC;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		pr_err("dp: cannot add a clsact qdisc to %s: %s", ifname,
		       strerror(-err));
		return err;
	}
	err = tc_query(ifindex, &ours);
	if (!err && !ours) {
		pr_err("dp: cannot attach TC to %s: another program holds "
		       "ingress priority %u handle 0x%x",
		       ifname, DP_TC_PRIORITY, DP_TC_HANDLE);
		return -EBUSY;
	}
	/* ours from a kept run: the kernel swaps the program in place */
	o.prog_fd = prog_fd;
	o.flags = ours ? BPF_TC_F_REPLACE : 0;
	err = bpf_tc_attach(&hook, &o);
	if (err) {
		pr_err("dp: cannot attach TC to %s: %s", ifname,
		       strerror(-err));
		return err;
	}
	drop_xdp_pin(dp, ifname);
	dp_egress_attach(dp, ifindex, ifname);
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifname);
	t->ifindex = ifindex;
	if (adopted)
		*adopted = ours;
	return 0;
}

int dp_tc_detach(struct dp *dp, const char *ifname, bool keep)
{
	struct dp_tc_port *t = tc_port(dp, ifname, false);
	bool ours;
	int err = 0;

	if (!t)
		return -ENOENT;
	/* only our program: the index may be another device's by now */
	if (!keep && !tc_query(t->ifindex, &ours) && ours)
		err = tc_remove(t->ifindex);
	if (!keep)
		dp_egress_detach(t->ifindex);
	t->ifindex = 0;
	return err;
}
