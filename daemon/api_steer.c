// SPDX-License-Identifier: BSD-2-Clause
/*
 * Steering's resources (docs/steering.md):
 *   GET    /v1/steer        the selectors with their counters, and per
 *                           port the rx queues that have a socket
 *   POST   /v1/steer        one selector: {"proto": "udp", "dport":
 *                           "5000-5010"} or {"dst": PREFIX} or {"vip":
 *                           ADDR} or {"transit": true}, optional "iface"
 *                           and "queue"; 201 {"id": N}
 *   DELETE /v1/steer/{id}   one selector
 * Bad input is refused naming the field and value; nothing changes then.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "config.h"
#include "json_out.h"
#include "steer.h"

static char *no_steer(struct api_ctx *c, unsigned int *status)
{
	return error_body(status, 404,
			  "no steering in role %s (the router role has it)",
			  config_role_name(c->cfg->role));
}

char *api_get_steer(struct api_ctx *c, const struct api_req *r,
		    unsigned int *status)
{
	(void)r;
	if (!c->steer)
		return no_steer(c, status);
	return json_take(steer_json(c->steer));
}

char *api_post_steer(struct api_ctx *c, const struct api_req *r,
		     unsigned int *status)
{
	struct json_object *doc = NULL;
	char err[600], *answer;
	struct steer_sel sel;
	uint32_t id;
	int rc;

	if (api_body_doc(r, &doc, status, &answer))
		return answer;
	rc = steer_sel_parse(doc, "", 0, &sel, err, sizeof(err));
	json_object_put(doc);
	if (rc)
		return error_body(status, 400, "%s", err);
	if (!c->steer)
		return no_steer(c, status);
	rc = steer_add(c->steer, &sel, &id, err, sizeof(err));
	if (rc)
		return error_body(status,
				  rc == -EINVAL ? 400 :
				  rc == -EEXIST ? 409 :
				  rc == -ENOSPC ? 507 :
						  500,
				  "%s", err);
	return api_created_id(id, status);
}

char *api_del_steer(struct api_ctx *c, const struct api_req *r,
		    unsigned int *status)
{
	struct json_object *o;
	char err[300], *answer;
	uint32_t id;
	int rc;

	if (api_id_param(r->param[0], STEER_MAX_SELECTORS, "selector", &id,
			 status, &answer))
		return answer;
	if (!c->steer)
		return no_steer(c, status);
	rc = steer_del(c->steer, id, err, sizeof(err));
	if (rc)
		return error_body(status, rc == -ENOENT ? 404 : 500, "%s", err);
	o = json_object_new_object();
	json_add_int(o, "deleted", (int64_t)id);
	return json_take(o);
}
