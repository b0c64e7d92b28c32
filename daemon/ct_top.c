// SPDX-License-Identifier: BSD-2-Clause
/*
 * Conntrack in the event loop and in /metrics.  The gauges come from the
 * per-CPU counters (dp_ct_counts, no walk).  The heaviest sources need a
 * walk: it runs only when the table is over CT_TOP_FILL_PCT full, at most
 * every CT_TOP_INTERVAL_MS, CT_TOP_SLICE entries per loop turn (a one-shot
 * timer of 0 ms between slices lets the API and netlink in), and /metrics
 * shows the last complete walk's result.
 *
 * A hash map's walk restarts from the first entry when the entry it
 * continues from has gone meanwhile (the kernel's get_next_key); a walk
 * that has seen twice the capacity is cut there, so that it ends even in a
 * table that expires as fast as it is read: the result is then an
 * estimate, which is what it is for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "ct_internal.h"
#include "dp_ct.h"
#include "log.h"
#include "loop.h"
#include <uthash.h>

/* distinct prefixes counted in one walk; past that, new ones are not */
#define CT_TOP_MAX_PREFIXES 65536

struct top_prefix {
	uint8_t key[9]; /* family, then 8 bytes: a /24 or a /64 */
	uint64_t count;
	UT_hash_handle hh;
};

struct ct_top {
	struct top_prefix *set;
	size_t n;
};

struct ct_top *ct_top_new(void)
{
	return calloc(1, sizeof(struct ct_top));
}

void ct_top_reset(struct ct_top *t)
{
	struct top_prefix *p, *tmp;

	HASH_ITER(hh, t->set, p, tmp) {
		HASH_DEL(t->set, p);
		free(p);
	}
	t->n = 0;
}

void ct_top_free(struct ct_top *t)
{
	if (!t)
		return;
	ct_top_reset(t);
	free(t);
}

int ct_top_add(struct ct_top *t, const struct sluice_ct_key *k,
	       const struct sluice_ct_entry *e)
{
	const uint8_t *src, *dst;
	__be16 sp, dpt;
	struct top_prefix *p;
	uint8_t key[9] = { k->family };

	dp_ct_sides(k, e, &src, &sp, &dst, &dpt);
	memcpy(key + 1, src, k->family == AF_INET ? 3 : 8);
	HASH_FIND(hh, t->set, key, sizeof(key), p);
	if (p) {
		p->count++;
		return 0;
	}
	if (t->n >= CT_TOP_MAX_PREFIXES)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	memcpy(p->key, key, sizeof(key));
	p->count = 1;
	HASH_ADD(hh, t->set, key, sizeof(p->key), p);
	t->n++;
	return 0;
}

static void prefix_str(const uint8_t *key, char *buf, size_t len)
{
	uint8_t a[16] = {};
	char s[INET6_ADDRSTRLEN];
	int af = key[0] == AF_INET6 ? AF_INET6 : AF_INET;

	memcpy(a, key + 1, af == AF_INET ? 3 : 8);
	inet_ntop(af, a, s, sizeof(s));
	snprintf(buf, len, "%s/%d", s, af == AF_INET ? 24 : 64);
}

/* heaviest first, then the lower key */
static int heavier(const struct top_prefix *a, const struct top_prefix *b)
{
	if (a->count != b->count)
		return a->count > b->count;
	return memcmp(a->key, b->key, sizeof(a->key)) < 0;
}

size_t ct_top_result(const struct ct_top *t, struct ct_top_entry *out,
		     size_t max)
{
	const struct top_prefix *best[CT_TOP_N];
	struct top_prefix *p, *tmp;
	size_t n = 0;

	if (max > CT_TOP_N)
		max = CT_TOP_N;
	/* insertion into a sorted array of at most CT_TOP_N */
	HASH_ITER(hh, t->set, p, tmp) {
		size_t i;

		if (n < max)
			i = n++;
		else if (max && heavier(p, best[max - 1]))
			i = max - 1;
		else
			continue;
		while (i > 0 && heavier(p, best[i - 1])) {
			best[i] = best[i - 1];
			i--;
		}
		best[i] = p;
	}
	for (size_t i = 0; i < n; i++) {
		prefix_str(best[i]->key, out[i].prefix, sizeof(out[i].prefix));
		out[i].count = best[i]->count;
	}
	return n;
}

/* ---- the walk in slices ---------------------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct slice_arg {
	struct ct *ct;
	uint32_t left;
	int err;
};

static int slice_cb(const struct sluice_ct_key *k,
		    const struct sluice_ct_entry *e, void *arg)
{
	struct slice_arg *sa = arg;
	struct ct *ct = sa->ct;

	ct->cursor = *k;
	ct->have_cursor = true;
	ct->walked++;
	if (e->state != SLUICE_CT_NONE)
		sa->err = ct_top_add(ct->top, k, e);
	if (sa->err)
		return 1;
	return --sa->left ? 0 : 1;
}

static void walk_done(struct ct *ct)
{
	ct->n_result = ct_top_result(ct->top, ct->result, CT_TOP_N);
	ct->result_at_ms = now_ms();
	ct->walk_ms = ct->result_at_ms - ct->walk_started_ms;
	ct->walks++;
	ct->walking = false;
	ct_top_reset(ct->top);
	pr_debug("conntrack: top sources over %llu entries in %llu ms",
		 (unsigned long long)ct->walked,
		 (unsigned long long)ct->walk_ms);
}

static void on_slice(void *arg);

static void next_slice(struct ct *ct)
{
	ct->slice = loop_add_timer(ct->loop, 0, 0, on_slice, ct);
	if (!ct->slice) {
		pr_warn("conntrack: cannot schedule the top-sources walk: %s",
			strerror(errno));
		ct->walking = false;
		ct_top_reset(ct->top);
	}
}

static void on_slice(void *arg)
{
	struct ct *ct = arg;
	struct slice_arg sa = { .ct = ct, .left = CT_TOP_SLICE };
	uint64_t cap = ct->ops->capacity(ct->dp);
	int r;

	ct->slice = NULL;
	r = ct->ops->walk(ct->dp, ct->have_cursor ? &ct->cursor : NULL,
			  slice_cb, &sa);
	if (r < 0 || sa.err) {
		pr_warn("conntrack: top-sources walk: %s",
			strerror(-(r < 0 ? r : sa.err)));
		ct->walking = false;
		ct_top_reset(ct->top);
		return;
	}
	/* r == 0: the table's end; else the slice is used up */
	if (!r || ct->walked >= 2 * cap) {
		walk_done(ct);
		return;
	}
	next_slice(ct);
}

static bool over_threshold(struct ct *ct)
{
	struct dp_ct_counts c;
	uint64_t cap = ct->ops->capacity(ct->dp);

	if (!cap || ct->ops->counts(ct->dp, &c))
		return false;
	return c.total * 100 > cap * CT_TOP_FILL_PCT;
}

static void on_top_timer(void *arg)
{
	struct ct *ct = arg;

	if (ct->walking)
		return;
	if (!over_threshold(ct)) {
		ct->n_result = 0; /* not shown below the threshold */
		return;
	}
	ct->walking = true;
	ct->have_cursor = false;
	ct->walked = 0;
	ct->walk_started_ms = now_ms();
	ct_top_reset(ct->top);
	next_slice(ct);
}

int ct_loop_add(struct ct *ct, struct loop *l)
{
	ct->loop = l;
	/* first at 1 s: a daemon restarted over a full table shows its
	 * sources soon */
	ct->timer =
		loop_add_timer(l, 1000, CT_TOP_INTERVAL_MS, on_top_timer, ct);
	return ct->timer ? 0 : -errno;
}

void ct_loop_del(struct ct *ct)
{
	if (!ct->loop)
		return;
	loop_remove(ct->loop, ct->timer);
	loop_remove(ct->loop, ct->slice);
	ct->timer = ct->slice = NULL;
	ct->walking = false;
	ct->loop = NULL;
}

/* ---- /metrics ------------------------------------------------------------ */

char *ct_metrics(struct ct *ct)
{
	struct dp_ct_counts c;
	uint64_t cap = ct->ops->capacity(ct->dp);
	char *text = NULL;
	size_t len = 0;
	FILE *b = open_memstream(&text, &len);

	if (!b)
		return NULL;
	fprintf(b,
		"# HELP sluice_ct_enabled Whether connection tracking is on "
		"(conntrack.enabled, sluicectl ct enable).\n"
		"# TYPE sluice_ct_enabled gauge\n"
		"sluice_ct_enabled %d\n"
		"# HELP sluice_ct_capacity The conntrack table's capacity "
		"(conntrack.max_entries).\n"
		"# TYPE sluice_ct_capacity gauge\n"
		"sluice_ct_capacity %llu\n",
		ct->cfg.enabled, (unsigned long long)cap);
	if (!ct->ops->counts(ct->dp, &c)) {
		fprintf(b, "# HELP sluice_ct_entries Conntrack entries by "
			   "protocol class and state.\n"
			   "# TYPE sluice_ct_entries gauge\n");
		for (unsigned int p = 0; p < SLUICE_CT_NPROTO; p++)
			for (unsigned int s = 1; s < SLUICE_CT_NSTATES; s++)
				fprintf(b,
					"sluice_ct_entries{proto=\"%s\","
					"state=\"%s\"} %lld\n",
					dp_ct_class_name(p),
					dp_ct_state_name(s),
					(long long)c.gauge[p][s]);
		fprintf(b, "# HELP sluice_ct_events_total Conntrack events "
			   "(entries created, expired, evicted, refused...).\n"
			   "# TYPE sluice_ct_events_total counter\n");
		for (unsigned int ev = 0; ev < SLUICE_CT_NEVENTS; ev++)
			if (dp_ct_event_name(ev))
				fprintf(b,
					"sluice_ct_events_total{event=\"%s\"} "
					"%llu\n",
					dp_ct_event_name(ev),
					(unsigned long long)c.events[ev]);
	}
	if (ct->n_result) {
		fprintf(b,
			"# HELP sluice_ct_top_sources Entries by the opener's "
			"/24 (IPv4) or /64 (IPv6), the %d heaviest, while the "
			"table is over %d%% full (a walk every %d s).\n"
			"# TYPE sluice_ct_top_sources gauge\n",
			CT_TOP_N, CT_TOP_FILL_PCT, CT_TOP_INTERVAL_MS / 1000);
		for (size_t i = 0; i < ct->n_result; i++)
			fprintf(b,
				"sluice_ct_top_sources{prefix=\"%s\"} %llu\n",
				ct->result[i].prefix,
				(unsigned long long)ct->result[i].count);
	}
	fprintf(b,
		"# HELP sluice_ct_state_write_errors_total Conntrack settings "
		"that could not be saved to ct.json.\n"
		"# TYPE sluice_ct_state_write_errors_total counter\n"
		"sluice_ct_state_write_errors_total %llu\n",
		(unsigned long long)ct->state_write_errors);
	if (ferror(b)) {
		fclose(b);
		free(text);
		return NULL;
	}
	if (fclose(b)) {
		free(text);
		return NULL;
	}
	return text;
}
