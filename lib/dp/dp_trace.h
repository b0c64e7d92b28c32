/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The per-packet trace's maps from user space (uapi/sluice/trace.h,
 * docs/trace.md): set the filter, switch the trace on and off, read the
 * ring and the counters.  The maps are reached by fd: from sluiced's pin
 * directory (sluicectl trace, which runs as root beside sluiced) or from
 * a loaded struct dp (the BPF tier).  0 or -errno throughout.
 */
#ifndef SLUICE_DP_TRACE_H
#define SLUICE_DP_TRACE_H

#include <sys/types.h>
#include <linux/types.h>
#include <uapi/sluice/trace.h>

struct dp;
struct dp_trace;

/* Called for each event; a nonzero return stops dp_trace_poll() and is
 * what it returns. */
typedef int (*dp_trace_fn)(void *arg, const struct sluice_trace_event *ev);

/* The pinned trace_cfg, trace_stats and trace_events under @pin_dir;
 * -ENOENT (with the path in errno's sense) when sluiced pinned none. */
int dp_trace_open_pinned(struct dp_trace **out, const char *pin_dir);
/* The maps of @dp's loaded object (trace_dp.c). */
int dp_trace_open(struct dp_trace **out, const struct dp *dp);
/* Switches the trace off and frees @t (NULL is fine). */
void dp_trace_close(struct dp_trace *t);

/* The counters zeroed, @cfg written switched off, then the same bytes
 * switched on: the programs never apply a half-written filter. */
int dp_trace_start(struct dp_trace *t, const struct sluice_trace_cfg *cfg);
/* Off: the programs are back to one lookup and a branch. */
int dp_trace_stop(struct dp_trace *t);
/* The live process whose trace is on (another than the caller), or 0.
 * dp_trace_start() refuses with -EBUSY while there is one, and
 * dp_trace_stop() leaves its filter alone. */
pid_t dp_trace_owner(struct dp_trace *t);
/* 1 while @pin_dir still pins the filter @t writes; 0 once it pins
 * another or none (sluiced restarted without --keep-on-exit: @t's maps
 * are no program's any more), or -errno. */
int dp_trace_pinned_still(struct dp_trace *t, const char *pin_dir);
/* The counters summed over the CPUs. */
int dp_trace_stats(struct dp_trace *t, struct sluice_trace_stats *sum);
/* Events for up to @timeout_ms (0: what is there, without waiting) to
 * @fn: the number handled, or -errno, or @fn's nonzero answer. */
int dp_trace_poll(struct dp_trace *t, int timeout_ms, dp_trace_fn fn,
		  void *arg);

/* "198.18.0.0/15", "2001:db8::1" (a full-length prefix) into @p; host
 * bits must be zero.  -EINVAL otherwise. */
int dp_trace_prefix_parse(const char *s, struct sluice_trace_prefix *p);
/* Reason @r set in @cfg's reason filter. */
void dp_trace_cfg_reason(struct sluice_trace_cfg *cfg, unsigned int r);

#endif
