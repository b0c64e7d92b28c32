// SPDX-License-Identifier: BSD-2-Clause
/*
 * Least privilege for sluiced (caps.h).  Starting needs CAP_BPF (create
 * maps, load programs), CAP_PERFMON (the verifier only accepts the
 * programs' pointer arithmetic and helpers from a perfmon-capable loader)
 * and CAP_NET_ADMIN (attach XDP and TC, netlink writes, a forced netlink
 * receive buffer).  Running needs CAP_BPF (a VIP added through the API
 * gets a new Maglev ring map) and CAP_NET_ADMIN (an interface that
 * appears later is attached then); CAP_PERFMON is only for loads, and no
 * program is loaded after start.  Map reads and writes go through the fds
 * sluiced already holds and need no capability.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "caps.h"
#include "log.h"

/* Older UAPI headers lack them; the numbers are the kernel's ABI. */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static const struct {
	int cap;
	const char *name;
} cap_names[] = {
	{ CAP_NET_ADMIN, "CAP_NET_ADMIN" }, { CAP_NET_RAW, "CAP_NET_RAW" },
	{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" }, { CAP_SETPCAP, "CAP_SETPCAP" },
	{ CAP_PERFMON, "CAP_PERFMON" },	    { CAP_BPF, "CAP_BPF" },
};

static bool has(uint64_t eff, int cap)
{
	return eff & CAPS_BIT(cap);
}

const char *caps_start_missing(uint64_t eff, const char **why)
{
	bool admin = has(eff, CAP_SYS_ADMIN);

	if (!has(eff, CAP_BPF) && !admin) {
		*why = "load programs, create maps";
		return "CAP_BPF";
	}
	if (!has(eff, CAP_PERFMON) && !admin) {
		*why = "the verifier accepts the programs only from a "
		       "perfmon-capable loader";
		return "CAP_PERFMON";
	}
	if (!has(eff, CAP_NET_ADMIN)) {
		*why = "attach XDP and TC programs, netlink";
		return "CAP_NET_ADMIN";
	}
	*why = NULL;
	return NULL;
}

uint64_t caps_runtime_set(uint64_t eff)
{
	uint64_t keep = CAPS_BIT(CAP_NET_ADMIN) | CAPS_BIT(CAP_BPF);

	/* a kernel before 5.8 knows no CAP_BPF: CAP_SYS_ADMIN did its work */
	if (!has(eff, CAP_BPF))
		keep |= CAPS_BIT(CAP_SYS_ADMIN);
	return eff & keep;
}

void caps_format(uint64_t mask, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int c = 0; c < 64 && off < len; c++) {
		const char *name = NULL;

		if (!has(mask, c))
			continue;
		for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]);
		     i++)
			if (cap_names[i].cap == c)
				name = cap_names[i].name;
		if (name)
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "," : "", name);
		else
			off += snprintf(buf + off, len - off, "%scap_%d",
					off ? "," : "", c);
	}
}

static int cap_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capget, &h, d) ? -errno : 0;
}

int caps_get_effective(uint64_t *eff)
{
	struct __user_cap_data_struct d[2] = {};
	int err = cap_get(d);

	if (!err)
		*eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	return err;
}

int caps_check_start(void)
{
	const char *missing, *why;
	uint64_t eff;
	int err = caps_get_effective(&eff);

	if (err) {
		pr_err("capabilities: cannot read them: %s", strerror(-err));
		return err;
	}
	missing = caps_start_missing(eff, &why);
	if (!missing)
		return 0;
	pr_err("needs %s (%s): run as root or grant it", missing, why);
	return -EPERM;
}

static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int n = CAP_LAST_CAP;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = CAP_LAST_CAP;
		fclose(f);
	}
	return n < 63 ? n : 63;
}

int caps_drop_to_runtime(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {};
	uint64_t eff, keep;
	char buf[128];
	int err = caps_get_effective(&eff);

	if (err)
		return err;
	keep = caps_runtime_set(eff);
	/* the bounding set first: dropping from it takes CAP_SETPCAP, which
	 * goes below; without it (a unit's CapabilityBoundingSet already
	 * narrowed it) the bounding set stays as given */
	if (has(eff, CAP_SETPCAP)) {
		for (int c = 0; c <= last_cap(); c++) {
			if (has(keep, c))
				continue;
			if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) &&
			    errno != EINVAL) {
				err = -errno;
				pr_err("capabilities: cannot drop %d from the "
				       "bounding set: %s",
				       c, strerror(errno));
				return err;
			}
		}
	}
	/* no ambient capabilities survive into anything sluiced runs */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	d[0].effective = d[0].permitted = (uint32_t)keep;
	d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &h, d)) {
		err = -errno;
		pr_err("capabilities: cannot drop to the running set: %s",
		       strerror(errno));
		return err;
	}
	caps_format(keep, buf, sizeof(buf));
	pr_info("capabilities: kept %s (attach interfaces that appear, "
		"create VIPs' maps), dropped the rest",
		buf[0] ? buf : "none");
	return 0;
}
