// SPDX-License-Identifier: BSD-2-Clause
/* The node's resources: GET /v1/node, POST /v1/node/drain and
 * /v1/node/undrain (node.h, docs/lb-api.md). */
#include <errno.h>
#include <stdio.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "json_out.h"
#include "node.h"

static char *no_node(unsigned int *status)
{
	return error_body(status, 404,
			  "no node drain here (role backend: no VIPs to "
			  "announce)");
}

char *api_get_node(struct api_ctx *c, const struct api_req *r,
		   unsigned int *status)
{
	(void)r;
	if (!c->node)
		return no_node(status);
	return json_take(node_json(c->node));
}

/* 409 for "already so": a conflict with the node's state, nothing lost. */
static char *answer(struct api_ctx *c, int rc, const char *err,
		    unsigned int *status)
{
	if (rc)
		return error_body(status,
				  rc == -EALREADY || rc == -EBUSY ?
					  409 :
					  api_errno_status(rc),
				  "%s", err);
	return json_take(node_json(c->node));
}

char *api_post_node_drain(struct api_ctx *c, const struct api_req *r,
			  unsigned int *status)
{
	struct json_object *doc = NULL;
	uint32_t grace = 0;
	char err[256];
	int rc = 0;

	if (!c->node)
		return no_node(status);
	/* no body, or {}: no grace */
	if (r->q->body && r->q->body_len)
		rc = api_body_object(r->q, &doc, err, sizeof(err));
	if (!rc)
		rc = node_drain_body(doc, &grace, err, sizeof(err));
	json_object_put(doc);
	if (!rc)
		rc = node_drain(c->node, grace, err, sizeof(err));
	return answer(c, rc, err, status);
}

char *api_post_node_undrain(struct api_ctx *c, const struct api_req *r,
			    unsigned int *status)
{
	char err[256];
	int rc;

	(void)r;
	if (!c->node)
		return no_node(status);
	rc = node_undrain(c->node, err, sizeof(err));
	return answer(c, rc, err, status);
}
