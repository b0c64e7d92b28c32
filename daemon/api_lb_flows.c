// SPDX-License-Identifier: BSD-2-Clause
/*
 * The load balancer's flow table (docs/lb-api.md "Flows"):
 *   GET    /v1/lb/flows?vip=&backend=&src=&limit=&cursor=   a page
 *   DELETE /v1/lb/flows?vip=&backend=&src=                  flush
 * The cursor is a slot of the table: a page goes on from the slot after
 * the last flow it gave.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "decimal.h"
#include "json_out.h"
#include "lb_flow_query.h"

static int filter_of(struct api_ctx *c, const struct api_query *q,
		     struct lb_flow_filter *f, char *err, size_t errlen)
{
	/* a misspelt filter, which must not widen a flush to the whole
	 * table, never gets here: api_dispatch.c's rows name the known */
	return lb_flow_filter_parse(c->lb, q->vip, q->backend, q->src, f, err,
				    errlen);
}

static char *no_table(unsigned int *status, int rc)
{
	return error_body(status, rc == -EOPNOTSUPP ? 404 : 500, "lb flows: %s",
			  rc == -EOPNOTSUPP ? "this role has no flow table" :
					      strerror(-rc));
}

char *api_get_lb_flows(struct api_ctx *c, const struct api_req *r,
		       unsigned int *status)
{
	struct lb_flow_page pg = { .limit = LB_FLOWS_LIMIT_DEFAULT };
	struct lb_flow_filter f;
	struct json_object *o;
	char err[300], next[16];
	unsigned long n = 0;
	uint32_t from = 0;
	int rc;

	rc = filter_of(c, r->q, &f, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	if (r->q->limit &&
	    decimal_parse(r->q->limit, 1, LB_FLOWS_LIMIT_MAX, &n))
		return error_body(status, 400,
				  "limit: '%s' is not a number 1..%u",
				  r->q->limit, LB_FLOWS_LIMIT_MAX);
	if (r->q->limit)
		pg.limit = (uint32_t)n;
	if (r->q->cursor && decimal_parse(r->q->cursor, 0, UINT32_MAX, &n))
		return error_body(status, 400,
				  "cursor: '%.100s' is not a cursor (the "
				  "'next' of the previous page: a slot "
				  "number)",
				  r->q->cursor);
	if (r->q->cursor)
		from = (uint32_t)n;
	o = json_object_new_object();
	pg.flows = json_object_new_array();
	json_object_object_add(o, "flows", pg.flows);
	rc = lb_flows_page(c->lb, &f, from, &pg);
	if (rc) {
		json_object_put(o);
		return no_table(status, rc);
	}
	if (pg.more) {
		snprintf(next, sizeof(next), "%u", pg.next);
		json_add_str(o, "next", next);
	} else {
		json_object_object_add(o, "next", NULL);
	}
	json_add_int(o, "scanned", pg.next > from ? pg.next - from : 0);
	json_add_int(o, "slots", pg.slots);
	return json_take(o);
}

char *api_del_lb_flows(struct api_ctx *c, const struct api_req *r,
		       unsigned int *status)
{
	struct lb_flow_filter f;
	struct json_object *o;
	char err[300];
	uint32_t n = 0;
	int rc;

	rc = filter_of(c, r->q, &f, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	rc = lb_flows_flush(c->lb, &f, &n);
	if (rc)
		return no_table(status, rc);
	o = json_object_new_object();
	json_add_int(o, "flushed", n);
	return json_take(o);
}
