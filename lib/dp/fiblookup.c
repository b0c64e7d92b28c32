// SPDX-License-Identifier: BSD-2-Clause
/* The route-lookup benchmark's object: see fiblookup.h. */
#include <errno.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include <uapi/sluice/fib_p48.h>
#include "fiblookup.h"
#include "fib_lookup.skel.h"

struct dp_fiblookup {
	struct fib_lookup *skel;
};

struct dp_fiblookup *dp_fiblookup_open(__u32 fib4_groups, __u32 fib6_groups,
				       unsigned int p48_bits)
{
	struct dp_fiblookup *b;
	int err;

	if (!fib4_groups || !fib6_groups ||
	    (p48_bits && (p48_bits < SLUICE_FIB6_P48_BITS_MIN ||
			  p48_bits > SLUICE_FIB6_P48_BITS_MAX))) {
		errno = EINVAL;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->skel = fib_lookup__open();
	if (!b->skel) {
		err = -errno;
		goto err_free;
	}
	/* the /48 index's size, as lib/dp sets it for sluice_xdp */
	b->skel->rodata->cfg_fib6_p48_bits = p48_bits;
	/* fib.h brings the next-hop arrays along; nothing here reads them */
	err = bpf_map__set_max_entries(b->skel->maps.fib6_p48, p48_bits ? 1u << p48_bits : 1) ?:
		      bpf_map__set_max_entries(b->skel->maps.fib4_groups, fib4_groups) ?:
		      bpf_map__set_max_entries(b->skel->maps.fib6_groups, fib6_groups) ?:
		      bpf_map__set_max_entries(b->skel->maps.fib_nhgs, 1) ?:
		      bpf_map__set_max_entries(b->skel->maps.fib_nhs, 1)  ?:
		      fib_lookup__load(b->skel);
	if (err)
		goto err_destroy;
	return b;
err_destroy:
	fib_lookup__destroy(b->skel);
err_free:
	free(b);
	errno = -err;
	return NULL;
}

void dp_fiblookup_close(struct dp_fiblookup *b)
{
	if (!b)
		return;
	fib_lookup__destroy(b->skel);
	free(b);
}

int dp_fiblookup_prog_fd(const struct dp_fiblookup *b, enum dp_fiblookup_prog p)
{
	const struct bpf_program *prog[DP_FIBLOOKUP_PROGS] = {
		[DP_FIBLOOKUP_TRIE4] = b->skel->progs.lookup_trie4,
		[DP_FIBLOOKUP_TABLE4] = b->skel->progs.lookup_table4,
		[DP_FIBLOOKUP_TRIE6] = b->skel->progs.lookup_trie6,
		[DP_FIBLOOKUP_TABLE6] = b->skel->progs.lookup_table6,
	};

	return (unsigned int)p < DP_FIBLOOKUP_PROGS ? bpf_program__fd(prog[p]) :
						      -EINVAL;
}

int dp_fiblookup_map_fd(const struct dp_fiblookup *b, enum dp_fiblookup_map m)
{
	const struct bpf_map *map[DP_FIBLOOKUP_MAPS] = {
		[DP_FIBLOOKUP_MAP_TRIE4] = b->skel->maps.trie4,
		[DP_FIBLOOKUP_MAP_TRIE6] = b->skel->maps.trie6,
		[DP_FIBLOOKUP_MAP_FIB4_ROOT] = b->skel->maps.fib4_root,
		[DP_FIBLOOKUP_MAP_FIB4_GROUPS] = b->skel->maps.fib4_groups,
		[DP_FIBLOOKUP_MAP_FIB6_ROOT] = b->skel->maps.fib6_root,
		[DP_FIBLOOKUP_MAP_FIB6_GROUPS] = b->skel->maps.fib6_groups,
		[DP_FIBLOOKUP_MAP_FIB6_P48] = b->skel->maps.fib6_p48,
	};

	return (unsigned int)m < DP_FIBLOOKUP_MAPS ? bpf_map__fd(map[m]) :
						     -EINVAL;
}
