// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "vr_punt.h"

static int sysctl_rw(const char *path, const char *set, char *got,
		     size_t gotlen)
{
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, set ? O_WRONLY | O_CLOEXEC : O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (set) {
		n = write(fd, set, strlen(set));
		if (n != (ssize_t)strlen(set))
			rc = n < 0 ? -errno : -EIO;
	} else {
		n = read(fd, got, gotlen - 1);
		if (n < 0)
			rc = -errno;
		else
			got[n] = '\0';
	}
	close(fd);
	return rc;
}

int vr_punt_sysctls(const char *tap, char *err, size_t errlen)
{
	struct {
		const char *family;
		const char *key;
		const char *val;
	} sets[] = {
		{ "ipv4", "rp_filter", "0" },
		{ "ipv6", "disable_ipv6", "0" },
		{ "ipv6", "accept_ra", "0" },
		{ "ipv6", "router_solicitations", "0" },
	};
	char path[256], all[16] = "";
	int rc;

	/* strict on "all" wins over 0 on the TAP: ask for loose there */
	if (!sysctl_rw("/proc/sys/net/ipv4/conf/all/rp_filter", NULL, all,
		       sizeof(all)) &&
	    all[0] == '1')
		sets[0].val = "2";
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s",
			 sets[i].family, tap, sets[i].key);
		rc = sysctl_rw(path, sets[i].val, NULL, 0);
		if (rc) {
			snprintf(err, errlen, "%s = %s: %s", path + 10,
				 sets[i].val, strerror(-rc));
			return rc;
		}
	}
	return 0;
}
