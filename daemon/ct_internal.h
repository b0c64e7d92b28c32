/* SPDX-License-Identifier: BSD-2-Clause */
/* What ct.c (settings), ct_query.c and ct_top.c (the loop's walk, the
 * metrics) share. */
#ifndef SLUICED_CT_INTERNAL_H
#define SLUICED_CT_INTERNAL_H

#include "ct.h"

struct loop_src;

struct ct {
	struct dp *dp;
	const struct ct_dp_ops *ops;
	struct ct_config cfg; /* what runs */
	char *state_dir;      /* NULL: changes are not saved */
	char state_path[320];
	uint64_t state_write_errors;

	/* the heaviest sources: a walk in slices, its result cached */
	struct loop *loop;
	struct loop_src *timer; /* every CT_TOP_INTERVAL_MS */
	struct loop_src *slice; /* the walk's next slice, when walking */
	struct ct_top *top;
	bool walking;
	bool have_cursor;
	struct sluice_ct_key cursor;
	uint64_t walked;		      /* entries this walk */
	struct ct_top_entry result[CT_TOP_N]; /* the last complete walk */
	size_t n_result;
	uint64_t result_at_ms; /* 0: none yet */
	uint64_t walks;
	uint64_t walk_ms; /* the last walk, first slice to last */
	uint64_t walk_started_ms;
};

#endif
