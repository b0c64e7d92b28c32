// SPDX-License-Identifier: BSD-2-Clause
/*
 * The flow table's event counters (lb_flow_events, uapi/sluice/lb_flows.h):
 * what the data path's inserts could not do cleanly, summed over CPUs.
 */
#include <errno.h>
#include "dp.h"
#include "dp_internal.h"

#define LB_FLOW_EVENT_NAME_(id, num, name) [num] = name,
static const char *const event_names[SLUICE_LB_FLOW_NEVENTS] = {
	SLUICE_LB_FLOW_EVENTS(LB_FLOW_EVENT_NAME_)
};
#undef LB_FLOW_EVENT_NAME_

const char *dp_lb_flow_event_name(unsigned int ev)
{
	return ev < SLUICE_LB_FLOW_NEVENTS ? event_names[ev] : NULL;
}

int dp_lb_flow_events(struct dp *dp, __u64 out[SLUICE_LB_FLOW_NEVENTS])
{
	if (!dp->flows.slot)
		return -EOPNOTSUPP;
	return dp_percpu_sum_events(dp, DP_MAP_LB_FLOW_EVENTS,
				    SLUICE_LB_FLOW_NEVENTS, out);
}
