/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the REST API answered, for /metrics: sluice_api_responses_total
 * {method, code}, every listener together, refusals included.  The method
 * is one of a closed list ("other" for the rest, and for a request refused
 * on its header alone, before its method is known), so a client cannot
 * make series up.  Counted where an answer is queued or sent (api.c), on
 * the event loop's thread: plain counters, no locks.
 */
#ifndef SLUICED_API_STATS_H
#define SLUICED_API_STATS_H

void api_stats_count(const char *method, unsigned int status);
/* The family in the exposition format (HELP and TYPE even before the
 * first answer): a malloc'd string, or NULL with errno set. */
char *api_stats_metrics(void);
/* Back to zero (for tests). */
void api_stats_reset(void);

#endif
