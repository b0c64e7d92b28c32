/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The time the data path stamps its tables with when their readers count
 * in seconds: a load-balanced flow's last_seen_ns (refreshed once a
 * second, idle timeouts in seconds).
 *
 * bpf_ktime_get_ns() is a clocksource read: about 30 ns on the 2-vCPU VMs
 * sluice is measured on (the TSC read behind the hypervisor), as much as
 * a hash lookup, paid once per packet of every balanced flow only to learn
 * that the second has not turned.  bpf_jiffies64() is a load.  So each
 * CPU reads the clock once per tick and keeps it: a stamp is the
 * CLOCK_MONOTONIC time of the first packet of the current tick on that
 * CPU, at most one tick (1-10 ms) old.
 *
 * One CPU's time may be behind a stamp another CPU (or sluiced, from
 * clock_gettime) wrote a moment ago: clock_since() takes a stamp in the
 * future as no time elapsed, where a plain subtraction would wrap and
 * call a live flow idle.
 */
#ifndef SLUICE_BPF_CLOCK_H
#define SLUICE_BPF_CLOCK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct clock_tick_cache {
	__u64 jiffies;
	__u64 ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct clock_tick_cache);
} clock_tick SEC(".maps");

/* CLOCK_MONOTONIC in ns, at most one tick old. */
static __always_inline __u64 clock_tick_ns(void)
{
	struct clock_tick_cache *c;
	__u32 zero = 0;
	__u64 j;

	c = bpf_map_lookup_elem(&clock_tick, &zero);
	if (!c)
		return bpf_ktime_get_ns();
	j = bpf_jiffies64();
	if (c->jiffies != j) {
		c->ns = bpf_ktime_get_ns();
		c->jiffies = j;
	}
	return c->ns;
}

/* ns from @stamp to @now; 0 for a stamp ahead of @now. */
static __always_inline __u64 clock_since(__u64 now, __u64 stamp)
{
	return now > stamp ? now - stamp : 0;
}

#endif
