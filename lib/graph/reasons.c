// SPDX-License-Identifier: BSD-2-Clause
/* The XDP path's reason names (include/uapi/sluice/reasons.h), so the
 * graph's drop and punt counters read as the XDP counters do. */
#include <errno.h>
#include <string.h>
#include <uapi/sluice/reasons.h>
#include "graph_internal.h"

#define REASON_NAME_(id, num, name, verdict) [num] = name,
static const char *const reason_names[SLUICE_REASON_SLOTS] = { SLUICE_REASONS(
	REASON_NAME_) };
#undef REASON_NAME_

const char *graph_reason_name(unsigned int reason)
{
	return reason < SLUICE_REASON_SLOTS ? reason_names[reason] : NULL;
}

int graph_reason_by_name(const char *name)
{
	for (int i = 0; i < SLUICE_REASON_SLOTS; i++)
		if (reason_names[i] && !strcmp(reason_names[i], name))
			return i;
	return -ENOENT;
}
