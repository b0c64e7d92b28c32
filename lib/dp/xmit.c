// SPDX-License-Identifier: BSD-2-Clause
/*
 * Frames the kernel lost after the data path let go of them (xmit_drops,
 * uapi/sluice/xmit.h; counted by bpf/sluice_xmit.bpf.c): per port and
 * event, summed over CPUs, with the error of the latest loss.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "dp.h"
#include "dp_internal.h"

#define XMIT_EVENT_NAME_(id, num, name) [num] = name,
static const char *const event_names[SLUICE_XMIT_NEVENTS] = {
	SLUICE_XMIT_EVENTS(XMIT_EVENT_NAME_)
};
#undef XMIT_EVENT_NAME_

const char *dp_xmit_event_name(unsigned int ev)
{
	return ev < SLUICE_XMIT_NEVENTS ? event_names[ev] : NULL;
}

int dp_xmit_drops(const struct dp *dp, __u32 slot, struct dp_xmit_drops *out)
{
	struct sluice_xmit_drop *v;
	int fd = dp_fd(dp, DP_MAP_XMIT_DROPS), err = 0;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return fd;
	if (slot >= SLUICE_MAX_IFACES)
		return -ERANGE;
	v = calloc((size_t)dp->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (__u32 ev = 0; ev < SLUICE_XMIT_NEVENTS && !err; ev++) {
		__u32 k = slot * SLUICE_XMIT_SLOTS + ev;
		__u64 last = 0;

		if (bpf_map_lookup_elem(fd, &k, v)) {
			err = -errno;
			break;
		}
		/* the latest loss over the CPUs gives the error */
		for (int c = 0; c < dp->ncpus; c++) {
			out->frames[ev] += v[c].frames;
			if (v[c].frames && v[c].last_ns >= last) {
				last = v[c].last_ns;
				out->last_err[ev] = v[c].last_err;
			}
		}
	}
	free(v);
	return err;
}
