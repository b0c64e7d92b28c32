// SPDX-License-Identifier: BSD-2-Clause
/*
 * The L7 local hop's resources (docs/l7.md):
 *   GET    /v1/l7               on or off, attached, the cgroup, the
 *                               sockets in the sockhash, the ports with
 *                               their counters
 *   PUT    /v1/l7               {"enabled": BOOL, "cgroup": PATH}: turns
 *                               it on (attaching to the cgroup) or off
 *   POST   /v1/l7/ports         {"port": N}: 201 {"id": N}
 *   DELETE /v1/l7/ports/{port}  one port
 * Bad input is refused naming the field and value; nothing changes then.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "json_out.h"
#include "l7.h"

static char *no_l7(unsigned int *status)
{
	return error_body(status, 404,
			  "the L7 local hop is not available (see sluiced's "
			  "log: the kernel refused its programs)");
}

static unsigned int status_of(int rc)
{
	return rc == -EINVAL ? 400 :
	       rc == -ENOENT ? 404 :
	       rc == -EEXIST ? 409 :
	       rc == -ENOSPC ? 507 :
			       500;
}

char *api_get_l7(struct api_ctx *c, const struct api_req *r,
		 unsigned int *status)
{
	(void)r;
	if (!c->l7)
		return no_l7(status);
	return json_take(l7_json(c->l7));
}

char *api_put_l7(struct api_ctx *c, const struct api_req *r,
		 unsigned int *status)
{
	struct json_object *doc = NULL, *v;
	char err[600], *answer, cgroup[L7_CGROUP_LEN];
	bool enabled, has_cg;
	struct l7_conf conf;
	int rc;

	if (api_body_doc(r, &doc, status, &answer))
		return answer;
	rc = l7_conf_parse(doc, "", &conf, err, sizeof(err));
	if (!rc && (json_object_object_get_ex(doc, "ports", &v) ||
		    json_object_object_get_ex(doc, "version", &v))) {
		snprintf(err, sizeof(err),
			 "body: only enabled and cgroup (ports: POST "
			 "/v1/l7/ports)");
		rc = -EINVAL;
	}
	if (!rc && !json_object_object_get_ex(doc, "enabled", &v)) {
		snprintf(err, sizeof(err), "enabled: required");
		rc = -EINVAL;
	}
	has_cg = json_object_object_get_ex(doc, "cgroup", &v);
	json_object_put(doc);
	if (rc)
		return error_body(status, 400, "%s", err);
	if (!c->l7)
		return no_l7(status);
	enabled = conf.enabled;
	snprintf(cgroup, sizeof(cgroup), "%s", conf.cgroup);
	rc = l7_set(c->l7, enabled, has_cg ? cgroup : NULL, err, sizeof(err));
	if (rc)
		return error_body(status, status_of(rc), "%s", err);
	return json_take(l7_json(c->l7));
}

char *api_post_l7_port(struct api_ctx *c, const struct api_req *r,
		       unsigned int *status)
{
	struct json_object *doc = NULL, *v = NULL;
	char err[300], *answer;
	int64_t port = 0;
	uint32_t id;
	int rc = 0;

	if (api_body_doc(r, &doc, status, &answer))
		return answer;
	json_object_object_foreach(doc, key, f) {
		if (strcmp(key, "port")) {
			snprintf(err, sizeof(err),
				 "%s: unknown field (known: port)", key);
			rc = -EINVAL;
		}
		(void)f;
	}
	if (!rc && !json_object_object_get_ex(doc, "port", &v)) {
		snprintf(err, sizeof(err), "port: required");
		rc = -EINVAL;
	}
	if (!rc) {
		port = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) || port < 1 ||
		    port > 65535) {
			snprintf(err, sizeof(err),
				 "port: '%s' is not a port 1..65535",
				 json_object_get_string(v));
			rc = -EINVAL;
		}
	}
	json_object_put(doc);
	if (rc)
		return error_body(status, 400, "%s", err);
	if (!c->l7)
		return no_l7(status);
	rc = l7_port_add(c->l7, (uint16_t)port, &id, err, sizeof(err));
	if (rc)
		return error_body(status, status_of(rc), "%s", err);
	return api_created_id(id, status);
}

char *api_del_l7_port(struct api_ctx *c, const struct api_req *r,
		      unsigned int *status)
{
	struct json_object *o;
	char err[300], *answer;
	uint32_t port;
	int rc;

	if (api_id_param(r->param[0], 65535, "port", &port, status, &answer))
		return answer;
	if (!c->l7)
		return no_l7(status);
	rc = l7_port_del(c->l7, (uint16_t)port, err, sizeof(err));
	if (rc)
		return error_body(status, status_of(rc), "%s", err);
	o = json_object_new_object();
	json_add_int(o, "deleted", (int64_t)port);
	return json_take(o);
}
