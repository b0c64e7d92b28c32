// SPDX-License-Identifier: BSD-2-Clause
/*
 * A million conntrack entries: how long lib/dp's dp_ct_fill() (the admin
 * program, synthetic UDP entries) takes to make them, what they cost in
 * memory, and how long the in-kernel sweep takes to age them out.
 *
 * Per repetition, a fresh sluice_xdp object (default capacity, 1,048,576
 * entries; the table is not preallocated, so it costs what it holds):
 *  - memory: the table's memlock from /proc/self/fdinfo (for a hash
 *    without preallocation the kernel counts its elements) empty and
 *    full, per entry; and MemAvailable before and after the fill, per
 *    entry (the slab's real cost, but other processes move it too);
 *  - the fill's wall time;
 *  - ageing: the unreplied timeout (the fill's entries are unreplied UDP)
 *    set to 5 s (2 s in --smoke) at t0, after the fill, so every entry is
 *    due at t0 + timeout at the latest; the gauges polled every 50 ms
 *    until the table is empty (bounded: timeout + 60 s).  The figure is
 *    the seconds from t0 + timeout until empty: how far the sweep (one
 *    slice of 32768 entries every 50 ms by default) lags the timeout.
 * Path checks: the fill made exactly the entries asked (its answer and
 * the gauges, all UDP unreplied); afterwards the gauges say 0, "expired"
 * grew by exactly the count, and a walk finds no entry.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "dp.h"
#include "dp_ct.h"
#include "dp_nat.h"
#include "statecost.h"

#define FILL_CHUNK 65536u
#define POLL_NS 50000000L
#define AGE_BOUND_S 60
#define N_FIGS 5

struct cm_run {
	__u32 count, timeout_s;
	long long memlock_empty, memlock_full, nat_memlock;
	long long avail_before, avail_after; /* kB */
	long long slab_before, slab_after;   /* SUnreclaim, kB */
	double fill_s, first_s, age_s;
	__u64 passes;
};

/* A /proc/meminfo line's kB ("MemAvailable:"), or -errno. */
static long long meminfo_kb(const char *key)
{
	char line[128];
	long long kb = -ENOENT;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) &&
		    sscanf(line + n, " %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int walk_count(const struct sluice_ct_key *k,
		      const struct sluice_ct_entry *e, void *arg)
{
	(void)k;
	(void)e;
	++*(unsigned long *)arg;
	return 0;
}

static bool fill(struct dp *dp, struct fig *f, struct cm_run *r)
{
	struct dp_ct_counts c;
	double t0 = now_ns();

	for (__u32 done = 0; done < r->count;) {
		__u32 want = r->count - done < FILL_CHUNK ? r->count - done :
							    FILL_CHUNK;
		__u32 n = 0;
		int err = dp_ct_fill(dp, want, done, &n);

		if (err || n != want) {
			fig_invalid(f, "dp_ct_fill at %u: %s, %u of %u made",
				    done, err ? strerror(-err) : "ok", n, want);
			return false;
		}
		done += n;
	}
	r->fill_s = (now_ns() - t0) / 1e9;
	if (dp_ct_counts(dp, &c)) {
		fig_invalid(f, "cannot read the gauges");
		return false;
	}
	if (c.total != r->count ||
	    c.gauge[SLUICE_CT_P_UDP][SLUICE_CT_UNREPLIED] != r->count) {
		fig_invalid(
			f,
			"after the fill the gauges say %llu entries "
			"(%lld UDP unreplied), want %u",
			(unsigned long long)c.total,
			(long long)c.gauge[SLUICE_CT_P_UDP][SLUICE_CT_UNREPLIED],
			r->count);
		return false;
	}
	return true;
}

/* The timeout cut to r->timeout_s at t0; seconds from t0 + timeout to an
 * empty table. */
static bool age(struct dp *dp, struct fig *f, struct cm_run *r)
{
	struct sluice_ct_config cfg;
	struct dp_ct_counts b, c;
	struct sluice_ct_sweep sw0, sw1;
	struct timespec nap = { 0, POLL_NS };
	unsigned long left = 0;
	double t0;

	if (dp_ct_config_get(dp, &cfg) || dp_ct_counts(dp, &b) ||
	    dp_ct_sweep_read(dp, &sw0)) {
		fig_invalid(f, "cannot read the table's settings");
		return false;
	}
	cfg.timeout[SLUICE_CT_UNREPLIED] = r->timeout_s;
	if (dp_ct_config_set(dp, &cfg)) {
		fig_invalid(f, "cannot set the unreplied timeout");
		return false;
	}
	t0 = now_ns();
	r->first_s = -1;
	for (;;) {
		double t = (now_ns() - t0) / 1e9;

		if (dp_ct_counts(dp, &c)) {
			fig_invalid(f, "cannot read the gauges");
			return false;
		}
		if (r->first_s < 0 && c.total < r->count)
			r->first_s = t;
		if (!c.total) {
			r->age_s = t - r->timeout_s;
			break;
		}
		if (t > r->timeout_s + AGE_BOUND_S) {
			fig_invalid(f,
				    "%llu entries left %d s after the "
				    "timeout",
				    (unsigned long long)c.total, AGE_BOUND_S);
			return false;
		}
		nanosleep(&nap, NULL);
	}
	if (dp_ct_sweep_read(dp, &sw1) ||
	    dp_ct_walk(dp, NULL, walk_count, &left)) {
		fig_invalid(f, "cannot read the sweep or walk the table");
		return false;
	}
	r->passes = sw1.passes - sw0.passes;
	if (left ||
	    c.events[SLUICE_CTE_EXPIRED] - b.events[SLUICE_CTE_EXPIRED] !=
		    r->count) {
		fig_invalid(f,
			    "aged out: %llu expired, %lu entries found; "
			    "want %u and 0",
			    (unsigned long long)(c.events[SLUICE_CTE_EXPIRED] -
						 b.events[SLUICE_CTE_EXPIRED]),
			    left, r->count);
		return false;
	}
	return true;
}

static bool one(const struct bench_opts *o, struct fig *f, struct cm_run *r)
{
	struct sluice_ct_config cfg;
	struct dp *dp = NULL;
	bool ok = false;
	int err;

	err = dp_open(&dp, &(struct dp_opts){ .lb_disabled = true });
	if (err) {
		fig_invalid(f, "dp_open: %s", strerror(-err));
		return false;
	}
	(void)o;
	dp_ct_default_config(&cfg);
	cfg.enabled = 1;
	r->memlock_empty = map_memlock(dp_ct_map_fd(dp));
	if (dp_ct_capacity(dp) < r->count || r->memlock_empty < 0 ||
	    dp_ct_config_set(dp, &cfg)) {
		fig_invalid(f, "capacity %u or the table's memlock",
			    dp_ct_capacity(dp));
		goto out;
	}
	r->avail_before = meminfo_kb("MemAvailable:");
	r->slab_before = meminfo_kb("SUnreclaim:");
	if (!fill(dp, f, r))
		goto out;
	r->slab_after = meminfo_kb("SUnreclaim:");
	r->avail_after = meminfo_kb("MemAvailable:");
	r->memlock_full = map_memlock(dp_ct_map_fd(dp));
	r->nat_memlock = map_memlock(dp_nat_flows_fd(dp));
	ok = age(dp, f, r);
out:
	dp_close(dp);
	return ok;
}

int ctmem_run(const struct bench_opts *o)
{
	struct cm_run r = { .count = o->smoke ? 20000 : 1000000,
			    .timeout_s = o->smoke ? 2 : 5 };
	struct fig *fill_f, *mem_f, *slab_f, *avail_f, *age_f;
	const char *name[N_FIGS] = { "ct_fill", "ct_memlock_per_entry",
				     "ct_slab_per_entry",
				     "ct_memavail_per_entry", "ct_age" };
	const char *unit[N_FIGS] = { "s", "bytes/entry", "bytes/entry",
				     "bytes/entry", "s" };
	struct fig *figs[N_FIGS];

	for (int i = 0; i < N_FIGS; i++)
		figs[i] = fig_new(SC_GROUP, name[i], r.count, unit[i]);
	fill_f = figs[0];
	mem_f = figs[1];
	slab_f = figs[2];
	avail_f = figs[3];
	age_f = figs[4];
	snprintf(fill_f->label, sizeof(fill_f->label),
		 "conntrack: fill %u entries (dp_ct_fill)", r.count);
	snprintf(fill_f->method, sizeof(fill_f->method),
		 "wall time of dp_ct_fill() in chunks of %u (the admin "
		 "program via test_run), fresh table",
		 FILL_CHUNK);
	snprintf(mem_f->label, sizeof(mem_f->label),
		 "conntrack: table memory per entry (memlock)");
	snprintf(mem_f->method, sizeof(mem_f->method),
		 "ct map's memlock (/proc/self/fdinfo) full minus empty, "
		 "divided by the entries");
	snprintf(slab_f->label, sizeof(slab_f->label),
		 "conntrack: unreclaimable slab growth per entry");
	snprintf(slab_f->method, sizeof(slab_f->method),
		 "SUnreclaim (/proc/meminfo) after the fill minus before, per "
		 "entry: the elements' slab objects (others move it too, far "
		 "less than MemAvailable)");
	snprintf(avail_f->label, sizeof(avail_f->label),
		 "conntrack: MemAvailable drop per entry (noisy)");
	snprintf(avail_f->method, sizeof(avail_f->method),
		 "MemAvailable before the fill minus after it, divided by the "
		 "entries; other processes move it too");
	snprintf(age_f->label, sizeof(age_f->label),
		 "conntrack: %u entries empty, seconds after the %u s timeout",
		 r.count, r.timeout_s);
	snprintf(age_f->method, sizeof(age_f->method),
		 "unreplied timeout set to %u s at t0 (after the fill); gauges "
		 "polled every 50 ms; (empty - t0) - timeout",
		 r.timeout_s);
	for (int i = 0; i < N_FIGS; i++)
		snprintf(figs[i]->check, sizeof(figs[i]->check),
			 "the fill made exactly %u UDP unreplied entries "
			 "(answer, gauges); then gauges 0, expired +%u, a "
			 "walk finds none",
			 r.count, r.count);
	for (unsigned int rep = 0; rep < o->reps && !age_f->invalid; rep++) {
		if (!one(o, age_f, &r)) {
			for (int i = 0; i < N_FIGS - 1; i++)
				fig_invalid(figs[i], "%s", age_f->why);
			break;
		}
		fig_add(fill_f, r.fill_s);
		fig_add(mem_f,
			(double)(r.memlock_full - r.memlock_empty) / r.count);
		fig_add(slab_f, (double)(r.slab_after - r.slab_before) *
					1024.0 / r.count);
		fig_add(avail_f, (double)(r.avail_before - r.avail_after) *
					 1024.0 / r.count);
		fig_add(age_f, r.age_s);
		snprintf(
			age_f->extra, sizeof(age_f->extra),
			"{\"first_expiry_after_t0_s\": %.3f, \"sweep_passes\": "
			"%llu, \"timeout_s\": %u, \"memlock_empty\": %lld, "
			"\"memlock_full\": %lld, \"nat_flows_memlock\": %lld, "
			"\"mem_available_before_kb\": %lld, "
			"\"mem_available_after_kb\": %lld, "
			"\"sunreclaim_before_kb\": %lld, "
			"\"sunreclaim_after_kb\": %lld, "
			"\"fill_entries_per_s\": %.0f}",
			r.first_s, (unsigned long long)r.passes, r.timeout_s,
			r.memlock_empty, r.memlock_full, r.nat_memlock,
			r.avail_before, r.avail_after, r.slab_before,
			r.slab_after, r.count / r.fill_s);
		note("stateful: %u entries filled in %.2f s; memlock %lld -> "
		     "%lld; SUnreclaim %lld -> %lld kB; MemAvailable %lld -> "
		     "%lld kB; empty %.2f s after "
		     "the %u s timeout (first expiry at %.2f s, %llu passes)",
		     r.count, r.fill_s, r.memlock_empty, r.memlock_full,
		     r.slab_before, r.slab_after, r.avail_before, r.avail_after,
		     r.age_s, r.timeout_s, r.first_s,
		     (unsigned long long)r.passes);
	}
	for (int i = 0; i < N_FIGS; i++)
		fig_tap(figs[i], "path check");
	return 0;
}
