// SPDX-License-Identifier: BSD-2-Clause
/* The baseline programs of tests and benchmarks: see floor.h. */
#include <errno.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "floor.h"
#include "xdp_floor.skel.h"

struct dp_floor {
	struct xdp_floor *skel;
};

struct dp_floor *dp_floor_open(void)
{
	struct dp_floor *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return NULL;
	f->skel = xdp_floor__open_and_load();
	if (!f->skel) {
		err = errno;
		free(f);
		errno = err;
		return NULL;
	}
	return f;
}

void dp_floor_close(struct dp_floor *f)
{
	if (!f)
		return;
	xdp_floor__destroy(f->skel);
	free(f);
}

int dp_floor_pass_fd(const struct dp_floor *f)
{
	return bpf_program__fd(f->skel->progs.xdp_pass);
}

int dp_floor_macswap_fd(const struct dp_floor *f)
{
	return bpf_program__fd(f->skel->progs.xdp_macswap_tx);
}
