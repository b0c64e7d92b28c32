// SPDX-License-Identifier: BSD-2-Clause
/*
 * The firewall's resources (docs/firewall.md):
 *   GET/POST /v1/fw/rules, DELETE /v1/fw/rules/{iface}/{id}
 *   GET/POST /v1/fw/policy
 *   PUT /v1/fw/{iface}/{dir}: the whole ordered list ({"rules": [...]})
 *   GET/POST /v1/fw/sets, POST /v1/fw/sets/{name}/load,
 *   DELETE /v1/fw/sets/{name}
 *   GET /v1/fw/check
 * Bad input is 400 with the field and the value named; nothing changed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "config.h"
#include "fwd.h"
#include "json_out.h"

static char *no_fw(unsigned int *status)
{
	return error_body(status, 404, "no firewall in this role");
}

/* A POST handler's start: 0 with the body's object in *@o, or the error
 * (no firewall: -ENOENT; a bad body: -EINVAL) in @err for api_fail(). */
static int fw_body(struct api_ctx *c, const struct api_req *r,
		   struct json_object **o, char *err, size_t errlen)
{
	if (!c->fw) {
		snprintf(err, errlen, "no firewall in this role");
		return -ENOENT;
	}
	return api_body_object(r->q, o, err, errlen);
}

/* {"@key": @a}: the API's lists are objects, as the other nouns'. */
static char *wrap(const char *key, struct json_object *a)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, key, a);
	return json_take(o);
}

/* A string field of @o, or NULL. */
static const char *str_of(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

char *api_get_fw_rules(struct api_ctx *c, const struct api_req *r,
		       unsigned int *status)
{
	if (!c->fw)
		return no_fw(status);
	return wrap("rules", fwd_rules_json(c->fw, r->q->dev));
}

char *api_post_fw_rule(struct api_ctx *c, const struct api_req *r,
		       unsigned int *status)
{
	struct json_object *o;
	struct fw_rule rule;
	char err[512];
	int pos, rc;

	rc = fw_body(c, r, &o, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	rc = fwd_rule_from_json(o, &rule, &pos, err, sizeof(err));
	json_object_put(o);
	if (!rc)
		rc = fwd_rule_add(c->fw, &rule, pos, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	*status = 201;
	return json_take(fwd_rule_json(c->fw, &rule, true));
}

char *api_del_fw_rule(struct api_ctx *c, const struct api_req *r,
		      unsigned int *status)
{
	char err[256], *end;
	unsigned long id;
	int rc;

	if (!c->fw)
		return no_fw(status);
	id = strtoul(r->param[1], &end, 10);
	if (!r->param[1][0] || *end || !id || id >= SLUICE_FW_MAX_COUNTERS)
		return error_body(status, 400, "id: %s is not a rule id",
				  r->param[1]);
	rc = fwd_rule_del(c->fw, r->param[0], (uint32_t)id, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	return json_take(json_object_new_object());
}

char *api_get_fw_policy(struct api_ctx *c, const struct api_req *r,
			unsigned int *status)
{
	(void)r;
	if (!c->fw)
		return no_fw(status);
	return wrap("policies", fwd_policies_json(c->fw));
}

char *api_post_fw_policy(struct api_ctx *c, const struct api_req *r,
			 unsigned int *status)
{
	struct json_object *o;
	const char *iface, *dir, *pol;
	uint8_t d, p;
	char err[512];
	int rc;

	rc = fw_body(c, r, &o, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	iface = str_of(o, "iface");
	dir = str_of(o, "dir");
	pol = str_of(o, "policy");
	rc = -EINVAL;
	if (!iface || !*iface)
		snprintf(err, sizeof(err), "iface: missing");
	else if (fw_dir_parse(dir, &d))
		snprintf(err, sizeof(err), "dir: %s is not in or out",
			 dir ? dir : "(none)");
	else if (fw_action_parse(pol, &p) || p == SLUICE_FW_ACT_REJECT)
		snprintf(err, sizeof(err), "policy: %s is not accept or drop",
			 pol ? pol : "(none)");
	else
		rc = fwd_policy_set(c->fw, iface, d, p, err, sizeof(err));
	json_object_put(o);
	if (rc)
		return api_fail(status, rc, err);
	return wrap("policies", fwd_policies_json(c->fw));
}

char *api_get_fw_sets(struct api_ctx *c, const struct api_req *r,
		      unsigned int *status)
{
	(void)r;
	if (!c->fw)
		return no_fw(status);
	return wrap("sets", fwd_sets_json(c->fw));
}

char *api_post_fw_set(struct api_ctx *c, const struct api_req *r,
		      unsigned int *status)
{
	struct json_object *o;
	const char *name;
	char err[512];
	int rc;

	rc = fw_body(c, r, &o, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	name = str_of(o, "name");
	rc = fwd_set_add(c->fw, name ? name : "", err, sizeof(err));
	json_object_put(o);
	if (rc)
		return api_fail(status, rc, err);
	*status = 201;
	return wrap("sets", fwd_sets_json(c->fw));
}

char *api_post_fw_set_load(struct api_ctx *c, const struct api_req *r,
			   unsigned int *status)
{
	struct json_object *o;
	const char *file;
	char err[512];
	int rc;

	rc = fw_body(c, r, &o, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	file = str_of(o, "file");
	rc = -EINVAL;
	if (!file || file[0] != '/')
		snprintf(err, sizeof(err), "file: %s is not an absolute path",
			 file ? file : "(none)");
	else
		rc = fwd_set_load(c->fw, r->param[0], file, err, sizeof(err));
	json_object_put(o);
	if (rc)
		return api_fail(status, rc, err);
	return wrap("sets", fwd_sets_json(c->fw));
}

char *api_get_fw_check(struct api_ctx *c, const struct api_req *r,
		       unsigned int *status)
{
	(void)r;
	if (!c->fw)
		return no_fw(status);
	return wrap("issues", fwd_check_json(c->fw));
}

/* {"rules": [rule, ...]}: the list of (iface, dir), replaced as one. */
char *api_put_fw_list(struct api_ctx *c, const struct api_req *r,
		      unsigned int *status)
{
	struct json_object *o, *a = NULL;
	struct fw_rule *rules = NULL;
	char err[512], why[FW_ERR_MAX];
	size_t n = 0;
	uint8_t dir;
	int pos, rc;

	if (!c->fw)
		return no_fw(status);
	if (fw_dir_parse(r->param[1], &dir))
		return error_body(status, 400, "dir: %s is not in or out",
				  r->param[1]);
	rc = api_body_object(r->q, &o, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	rc = -EINVAL;
	if (!json_object_object_get_ex(o, "rules", &a) ||
	    !json_object_is_type(a, json_type_array)) {
		snprintf(err, sizeof(err), "rules: expected an array");
		goto out;
	}
	n = json_object_array_length(a);
	rules = calloc(n ? n : 1, sizeof(*rules));
	if (!rules) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		/* the URL names the list: a rule may leave them out */
		if (json_object_is_type(e, json_type_object)) {
			if (!json_object_object_get_ex(e, "iface", NULL))
				json_object_object_add(
					e, "iface",
					json_object_new_string(r->param[0]));
			if (!json_object_object_get_ex(e, "dir", NULL))
				json_object_object_add(
					e, "dir",
					json_object_new_string(r->param[1]));
		}
		if (fwd_rule_from_json(e, &rules[i], &pos, why, sizeof(why))) {
			snprintf(err, sizeof(err), "rules[%zu]: %s", i, why);
			goto out;
		}
		if (pos) {
			snprintf(err, sizeof(err),
				 "rules[%zu]: position: the list's order is "
				 "the rules' order",
				 i);
			goto out;
		}
		if (strcmp(rules[i].iface, r->param[0]) ||
		    rules[i].dir != dir) {
			snprintf(err, sizeof(err),
				 "rules[%zu]: iface, dir: %s %s is not %s %s",
				 i, rules[i].iface, fw_dir_name(rules[i].dir),
				 r->param[0], r->param[1]);
			goto out;
		}
	}
	rc = fwd_rules_replace(c->fw, r->param[0], dir, rules, n, err,
			       sizeof(err));
out:
	free(rules);
	json_object_put(o);
	if (rc)
		return api_fail(status, rc, err);
	return wrap("rules", fwd_rules_json(c->fw, r->param[0]));
}

char *api_del_fw_set(struct api_ctx *c, const struct api_req *r,
		     unsigned int *status)
{
	char err[256];
	int rc;

	if (!c->fw)
		return no_fw(status);
	rc = fwd_set_del(c->fw, r->param[0], err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	return wrap("sets", fwd_sets_json(c->fw));
}
