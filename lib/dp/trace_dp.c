// SPDX-License-Identifier: BSD-2-Clause
/* The trace over a loaded struct dp's maps (dp_trace.h); apart from
 * trace.c so that sluicectl does not link the skeletons. */
#include <errno.h>
#include "dp_internal.h"
#include "dp_trace.h"
#include "dp_trace_internal.h"

int dp_trace_open(struct dp_trace **out, const struct dp *dp)
{
	return dp_trace_open_fds(out, dp_fd(dp, DP_MAP_TRACE_CFG),
				 dp_fd(dp, DP_MAP_TRACE_STATS),
				 dp_fd(dp, DP_MAP_TRACE_EVENTS), false);
}
