/* SPDX-License-Identifier: BSD-2-Clause */
/* trace.c's opener by fd, for trace_dp.c. */
#ifndef SLUICE_DP_TRACE_INTERNAL_H
#define SLUICE_DP_TRACE_INTERNAL_H

#include <stdbool.h>
#include "dp_trace.h"

/* @own_fds: dp_trace_close() closes them. */
int dp_trace_open_fds(struct dp_trace **out, int cfg_fd, int stats_fd,
		      int events_fd, bool own_fds);

#endif
