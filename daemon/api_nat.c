// SPDX-License-Identifier: BSD-2-Clause
/*
 * NAT's resources (docs/nat.md):
 *   GET    /v1/nat        the rules with their ids, counts by kind, the
 *                         data path's NAT events, the NATed flows
 *   POST   /v1/nat        one rule: {"type": "snat", "src": .., "out": ..,
 *                         "to": .., "ports": ..} or {"type": "dnat",
 *                         "in": .., "dst": .., "to": ..}; 201 {"id": N}
 *   DELETE /v1/nat/{id}   one rule
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "config.h"
#include "json_out.h"
#include "nat.h"

static char *no_nat(struct api_ctx *c, unsigned int *status)
{
	return error_body(status, 404,
			  "no NAT in role %s (the router role has it)",
			  config_role_name(c->cfg->role));
}

char *api_get_nat(struct api_ctx *c, const struct api_req *r,
		  unsigned int *status)
{
	(void)r;
	if (!c->nat)
		return no_nat(c, status);
	return json_take(nat_json(c->nat));
}

char *api_post_nat(struct api_ctx *c, const struct api_req *r,
		   unsigned int *status)
{
	struct json_object *doc = NULL;
	char err[600], *answer;
	struct nat_rule rule;
	uint32_t id;
	int rc;

	if (api_body_doc(r, &doc, status, &answer))
		return answer;
	rc = nat_rule_parse(doc, "", 0, &rule, err, sizeof(err));
	json_object_put(doc);
	if (rc)
		return error_body(status, 400, "%s", err);
	if (!c->nat)
		return no_nat(c, status);
	rc = nat_add(c->nat, &rule, &id, err, sizeof(err));
	if (rc)
		return error_body(status,
				  rc == -EINVAL ? 400 :
				  rc == -EEXIST ? 409 :
				  rc == -ENOSPC ? 507 :
						  500,
				  "%s", err);
	return api_created_id(id, status);
}

char *api_del_nat(struct api_ctx *c, const struct api_req *r,
		  unsigned int *status)
{
	struct json_object *o;
	char err[300], *answer;
	uint32_t id;
	int rc;

	if (api_id_param(r->param[0], UINT32_MAX, "rule", &id, status, &answer))
		return answer;
	if (!c->nat)
		return no_nat(c, status);
	rc = nat_del(c->nat, id, err, sizeof(err));
	if (rc)
		return error_body(status, rc == -ENOENT ? 404 : 500, "%s", err);
	o = json_object_new_object();
	json_add_int(o, "deleted", (int64_t)id);
	return json_take(o);
}
