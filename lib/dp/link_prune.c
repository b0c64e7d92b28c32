// SPDX-License-Identifier: BSD-2-Clause
/*
 * The pinned XDP links of interfaces no longer configured.  A run with
 * --keep-on-exit leaves each port's link pinned so that the next one adopts
 * it without a gap; a next run whose configuration no longer names that
 * port never adopts it, and nothing else would ever remove the pin: the
 * old program would go on running there, over maps nobody updates, past
 * even a full stop.  So at start, once the configured ports are attached,
 * such a pin goes, and with it the program (the pin is the link's last
 * reference) and our TC egress filter on that port.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"
#include "log.h"

#define LINK_PIN_PREFIX "link_"

/* The interface an XDP link sits on (0: gone), or -errno when @path is
 * not an XDP link. */
static int xdp_link_ifindex(const char *path)
{
	struct bpf_link_info info;
	int fd = dp_pinned_link(path, &info);

	if (fd < 0)
		return fd;
	close(fd);
	if (info.type != BPF_LINK_TYPE_XDP)
		return -EINVAL;
	return (int)info.xdp.ifindex;
}

int dp_links_prune(struct dp *dp, bool (*wanted)(const char *ifname, void *),
		   void *arg)
{
	char path[PATH_MAX];
	struct dirent *e;
	int pruned = 0;
	DIR *d;

	if (!dp->pin_dir)
		return 0;
	d = opendir(dp->pin_dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		const char *ifname = e->d_name + strlen(LINK_PIN_PREFIX);
		int ifindex;

		if (strncmp(e->d_name, LINK_PIN_PREFIX,
			    strlen(LINK_PIN_PREFIX)) ||
		    !*ifname || wanted(ifname, arg))
			continue;
		dp_link_pin_path(dp, ifname, path, sizeof(path));
		ifindex = xdp_link_ifindex(path);
		if (ifindex < 0)
			continue; /* not a link of ours: left alone */
		pr_info("dp: %s is no longer configured: removing its pinned "
			"XDP link (its program detaches)",
			ifname);
		if (unlink(path)) {
			pr_warn("dp: cannot remove %s: %s", path,
				strerror(errno));
			continue;
		}
		if (ifindex)
			dp_egress_detach(ifindex);
		pruned++;
	}
	closedir(d);
	return pruned;
}
