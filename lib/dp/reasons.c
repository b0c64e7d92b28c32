// SPDX-License-Identifier: BSD-2-Clause
/* The reason list (uapi/sluice/reasons.h) as user space reads it: names,
 * verdicts, and the numbers in use. */
#include <errno.h>
#include <string.h>
#include "dp.h"

#define NAME_(id, num, name, verdict) [num] = name,
static const char *const reason_names[SLUICE_REASON_SLOTS] = { SLUICE_REASONS(
	NAME_) };
#undef NAME_

#define VERDICT_(id, num, name, verdict) [num] = verdict,
static const unsigned char reason_verdicts[SLUICE_REASON_SLOTS] = {
	SLUICE_REASONS(VERDICT_)
};
#undef VERDICT_

#define NUM_(id, num, name, verdict) num,
static const unsigned int reason_ids[] = { SLUICE_REASONS(NUM_) };
#undef NUM_

const char *dp_reason_name(unsigned int reason)
{
	if (reason >= SLUICE_REASON_SLOTS || !reason_names[reason])
		return "unknown";
	return reason_names[reason];
}

int dp_reason_by_name(const char *name)
{
	for (size_t i = 0; i < DP_REASON_COUNT; i++)
		if (!strcmp(reason_names[reason_ids[i]], name))
			return (int)reason_ids[i];
	return -ENOENT;
}

int dp_reason_verdict(unsigned int reason)
{
	if (reason >= SLUICE_REASON_SLOTS || !reason_names[reason])
		return -ENOENT;
	return reason_verdicts[reason];
}

const char *dp_reason_verdict_name(unsigned int reason)
{
	switch (dp_reason_verdict(reason)) {
	case SLUICE_V_PASS: return "pass";
	case SLUICE_V_DROP: return "drop";
	case SLUICE_V_REDIRECT:
	case SLUICE_V_TX: return "forward";
	default: return "unknown";
	}
}

unsigned int dp_reason_at(size_t i)
{
	return i < DP_REASON_COUNT ? reason_ids[i] : SLUICE_REASON_SLOTS;
}

_Static_assert(sizeof(reason_ids) / sizeof(reason_ids[0]) == DP_REASON_COUNT,
	       "DP_REASON_COUNT counts the list");
