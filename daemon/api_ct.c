// SPDX-License-Identifier: BSD-2-Clause
/*
 * Conntrack's resources (docs/conntrack.md):
 *   GET    /v1/conntrack?limit=&cursor=&src=&dst=&proto=&state=   a page
 *   DELETE /v1/conntrack?src=&dst=&proto=&state=                  flush
 *   GET    /v1/conntrack/count      gauges and events, no walk
 *   GET    /v1/conntrack/config     the running settings
 *   PUT    /v1/conntrack/config     {"enabled": .., "timeouts": {..}}
 *   POST   /v1/conntrack/fill       {"count": N}, conntrack.debug_fill only
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "config.h"
#include "ct.h"
#include "dp_ct.h"
#include "json_out.h"
#include "nat.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static char *no_ct(struct api_ctx *c, unsigned int *status)
{
	return error_body(status, 404,
			  "no conntrack in role %s (the router role has it)",
			  config_role_name(c->cfg->role));
}

static int filter_of(const struct api_query *q, struct sluice_ct_filter *f,
		     char *err, size_t errlen)
{
	struct ct_filter_args a = { .src = q->src,
				    .dst = q->dst,
				    .proto = q->proto,
				    .state = q->state };

	/* a misspelt filter, which must not widen a flush to the whole
	 * table, never gets here: api_dispatch.c's rows name the known */
	return ct_filter_parse(&a, f, err, errlen);
}

struct page {
	const struct sluice_ct_filter *f;
	struct json_object *arr;
	const uint32_t *timeouts;
	uint64_t now_ns;
	uint32_t limit, n, scanned;
	struct sluice_ct_key last;
};

static int page_cb(const struct sluice_ct_key *k,
		   const struct sluice_ct_entry *e, void *arg)
{
	struct page *p = arg;

	p->last = *k;
	p->scanned++;
	if (dp_ct_match(p->f, k, e)) {
		json_object_array_add(p->arr, ct_entry_json(k, e, p->now_ns,
							    p->timeouts));
		p->n++;
	}
	return p->n >= p->limit || p->scanned >= CT_SCAN_MAX;
}

char *api_get_conntrack(struct api_ctx *c, const struct api_req *r,
			unsigned int *status)
{
	struct sluice_ct_filter f;
	struct sluice_ct_config run;
	struct sluice_ct_key cursor;
	struct json_object *o;
	struct page p = {};
	char err[300], next[CT_CURSOR_LEN + 1];
	bool has_cursor;
	int rc;

	if (filter_of(r->q, &f, err, sizeof(err)) ||
	    ct_page_parse(r->q->limit, r->q->cursor, &p.limit, &cursor,
			  &has_cursor, err, sizeof(err)))
		return error_body(status, 400, "%s", err);
	if (!c->ct)
		return no_ct(c, status);
	ct_running(c->ct, &run);
	o = json_object_new_object();
	p.f = &f;
	p.arr = json_object_new_array();
	p.timeouts = run.timeout;
	p.now_ns = mono_ns();
	json_object_object_add(o, "entries", p.arr);
	rc = dp_ct_walk(ct_dp(c->ct), has_cursor ? &cursor : NULL, page_cb, &p);
	if (rc < 0) {
		json_object_put(o);
		return error_body(status, 500, "conntrack: walk: %s",
				  strerror(-rc));
	}
	/* rc 1: stopped at a full page or the scan limit, more may follow;
	 * 0: the table's end, no cursor */
	if (rc > 0) {
		ct_cursor_str(&p.last, next, sizeof(next));
		json_add_str(o, "next", next);
	} else {
		json_object_object_add(o, "next", NULL);
	}
	json_add_int(o, "scanned", p.scanned);
	return json_take(o);
}

char *api_del_conntrack(struct api_ctx *c, const struct api_req *r,
			unsigned int *status)
{
	struct sluice_ct_filter f;
	struct json_object *o;
	char err[300];
	__u32 n = 0;
	int rc;

	if (filter_of(r->q, &f, err, sizeof(err)))
		return error_body(status, 400, "%s", err);
	if (!c->ct)
		return no_ct(c, status);
	rc = dp_ct_flush(ct_dp(c->ct), &f, &n);
	if (rc)
		return error_body(status, 500, "conntrack: flush: %s",
				  strerror(-rc));
	o = json_object_new_object();
	json_add_int(o, "flushed", n);
	return json_take(o);
}

char *api_get_conntrack_count(struct api_ctx *c, const struct api_req *r,
			      unsigned int *status)
{
	struct dp_ct_counts n;
	struct json_object *o, *cls, *ev;
	__u32 cap;
	int rc;

	(void)r;
	if (!c->ct)
		return no_ct(c, status);
	rc = dp_ct_counts(ct_dp(c->ct), &n);
	if (rc)
		return error_body(status, 500, "conntrack: counts: %s",
				  strerror(-rc));
	cap = dp_ct_capacity(ct_dp(c->ct));
	o = json_object_new_object();
	json_add_bool(o, "enabled", ct_get_config(c->ct)->enabled);
	json_add_int(o, "total", (int64_t)n.total);
	json_add_int(o, "capacity", cap);
	json_object_object_add(
		o, "fill_ratio",
		json_object_new_double(cap ? (double)n.total / cap : 0));
	cls = json_object_new_object();
	for (unsigned int p = 0; p < SLUICE_CT_NPROTO; p++) {
		struct json_object *s = json_object_new_object();
		int64_t sum = 0;

		for (unsigned int st = 1; st < SLUICE_CT_NSTATES; st++) {
			json_add_int(s, dp_ct_state_name(st), n.gauge[p][st]);
			sum += n.gauge[p][st];
		}
		json_add_int(s, "total", sum);
		json_object_object_add(cls, dp_ct_class_name(p), s);
	}
	json_object_object_add(o, "by_class", cls);
	ev = json_object_new_object();
	for (unsigned int e = 0; e < SLUICE_CT_NEVENTS; e++)
		if (dp_ct_event_name(e))
			json_add_int(ev, dp_ct_event_name(e),
				     (int64_t)n.events[e]);
	json_object_object_add(o, "events", ev);
	return json_take(o);
}

static struct json_object *config_json(const struct ct *ct)
{
	const struct ct_config *cfg = ct_get_config(ct);
	struct json_object *o = json_object_new_object();
	struct json_object *t = json_object_new_object();
	struct sluice_ct_config run;

	ct_running(ct, &run);
	json_add_bool(o, "enabled", cfg->enabled);
	for (unsigned int s = 1; s < SLUICE_CT_NSTATES; s++)
		json_add_int(t, dp_ct_state_name(s), run.timeout[s]);
	json_object_object_add(o, "timeouts", t);
	json_add_int(o, "max_entries", dp_ct_capacity(ct_dp(ct)));
	json_add_bool(o, "debug_fill", cfg->debug_fill);
	json_add_str(o, "state_file", ct_state_path(ct));
	json_add_int(o, "state_write_errors",
		     (int64_t)ct_state_write_errors(ct));
	return o;
}

char *api_get_conntrack_config(struct api_ctx *c, const struct api_req *r,
			       unsigned int *status)
{
	(void)r;
	if (!c->ct)
		return no_ct(c, status);
	return json_take(config_json(c->ct));
}

char *api_put_conntrack_config(struct api_ctx *c, const struct api_req *r,
			       unsigned int *status)
{
	struct ct_config next;
	struct json_object *doc;
	char err[400], *answer;
	int rc;

	if (!c->ct)
		return no_ct(c, status);
	if (api_body_doc(r, &doc, status, &answer))
		return answer;
	/* into a copy: a bad field leaves what runs alone */
	next = *ct_get_config(c->ct);
	rc = ct_config_parse(&next, doc, "", CT_KEYS_RUNTIME, err, sizeof(err));
	json_object_put(doc);
	if (rc)
		return error_body(status, 400, "%s", err);
	/* NAT rides on conntrack: off only once its rules are gone */
	if (!next.enabled && nat_rule_count(c->nat))
		return error_body(status, 409,
				  "enabled: false is refused while %zu NAT "
				  "rules exist (NAT rides on conntrack); "
				  "delete them first (sluicectl nat del)",
				  nat_rule_count(c->nat));
	if (ct_set_config(c->ct, &next, err, sizeof(err)))
		return error_body(status, 500, "%s", err);
	return json_take(config_json(c->ct));
}

char *api_post_conntrack_fill(struct api_ctx *c, const struct api_req *r,
			      unsigned int *status)
{
	struct dp_ct_counts before, after;
	struct json_object *doc, *o;
	uint32_t count = 0, seed = 0;
	char *answer;
	__u32 n = 0;
	int rc;

	if (!c->ct)
		return no_ct(c, status);
	if (!ct_get_config(c->ct)->debug_fill)
		return error_body(status, 403,
				  "conntrack.debug_fill is off: filling the "
				  "table with synthetic entries is for tests");
	if (api_body_doc(r, &doc, status, &answer))
		return answer;
	if (!json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		return error_body(status, 400, "body: expected an object");
	}
	json_object_object_foreach(doc, key, v) {
		uint32_t *dst = !strcmp(key, "count") ? &count :
				!strcmp(key, "seed")  ? &seed :
							NULL;
		int64_t x = json_object_get_int64(v);

		if (!dst) {
			answer = error_body(status, 400,
					    "unknown field '%s' (known: count, "
					    "seed)",
					    key);
			goto out;
		}
		if (!json_object_is_type(v, json_type_int) || x < 0 ||
		    x > (dst == &count ? CT_FILL_MAX : UINT32_MAX) ||
		    (dst == &count && !x)) {
			answer = error_body(
				status, 400, "%s: %s is out of range %u..%u",
				key,
				json_object_to_json_string_ext(
					v,
					JSON_C_TO_STRING_PLAIN |
						JSON_C_TO_STRING_NOSLASHESCAPE),
				dst == &count ? 1u : 0u,
				dst == &count ? CT_FILL_MAX : UINT32_MAX);
			goto out;
		}
		*dst = (uint32_t)x;
	}
	if (!count) {
		answer = error_body(status, 400, "count: required");
		goto out;
	}
	/* the event counters say what happened, beside the program's own
	 * count (both should agree) */
	rc = dp_ct_counts(ct_dp(c->ct), &before);
	if (!rc)
		rc = dp_ct_fill(ct_dp(c->ct), count, seed, &n);
	if (!rc)
		rc = dp_ct_counts(ct_dp(c->ct), &after);
	if (rc) {
		answer = error_body(status, 500, "conntrack: fill: %s",
				    strerror(-rc));
		goto out;
	}
	o = json_object_new_object();
	json_add_int(o, "requested", count);
	json_add_int(o, "program_count", n);
	json_add_int(o, "filled",
		     (int64_t)(after.events[SLUICE_CTE_CREATED] -
			       before.events[SLUICE_CTE_CREATED]));
	json_add_int(o, "insert_fail",
		     (int64_t)(after.events[SLUICE_CTE_INSERT_FAIL_FULL] +
			       after.events[SLUICE_CTE_INSERT_FAIL_OTHER] -
			       before.events[SLUICE_CTE_INSERT_FAIL_FULL] -
			       before.events[SLUICE_CTE_INSERT_FAIL_OTHER]));
	json_add_int(o, "total", (int64_t)after.total);
	answer = json_take(o);
out:
	json_object_put(doc);
	return answer;
}
