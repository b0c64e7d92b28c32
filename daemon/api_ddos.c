// SPDX-License-Identifier: BSD-2-Clause
/*
 * The DDoS guard's resources (docs/ddos.md):
 *   GET /v1/ddos                    settings, services and their cookie state
 *   PATCH /v1/ddos                  {"syn_cookies": "auto", "rate": "24:10000", ...}
 *   POST /v1/ddos/services          {"service": "198.18.0.10:80"}
 *   DELETE /v1/ddos/services/{addr} (ADDR:PORT, [ADDR6]:PORT)
 *   GET /v1/block                   the blocklist
 *   POST /v1/block                  {"prefix": P} or {"prefixes": [P, ...]},
 *                                   optional "expire_s"
 *   DELETE /v1/block?prefix=P
 * Bad input is refused naming the field and value; nothing changes then.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "config.h"
#include "ddos.h"
#include "json_out.h"

/* Entries one POST /v1/block takes (the body limit allows about 3,000). */
#define DDOS_BLOCK_POST_MAX 65536

static char *no_guard(unsigned int *status)
{
	return error_body(status, 404, "no DDoS guard in this role");
}

char *api_get_ddos(struct api_ctx *c, const struct api_req *r,
		   unsigned int *status)
{
	(void)r;
	if (!c->ddos)
		return no_guard(status);
	return json_take(ddos_json(c->ddos));
}

char *api_patch_ddos(struct api_ctx *c, const struct api_req *r,
		     unsigned int *status)
{
	struct ddos_settings s;
	struct json_object *o;
	char err[512];
	int rc;

	if (!c->ddos)
		return no_guard(status);
	rc = api_body_object(r->q, &o, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	s = *ddos_settings(c->ddos);
	rc = ddos_settings_from_json(o, "", false, &s, err, sizeof(err));
	json_object_put(o);
	if (!rc)
		rc = ddos_settings_set(c->ddos, &s, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	return json_take(ddos_json(c->ddos));
}

/* The one string field @key of the body. */
static int body_string(const struct api_query *q, const char *key, char *buf,
		       size_t len, char *err, size_t errlen)
{
	struct json_object *o, *v;
	int rc = api_body_object(q, &o, err, errlen);

	if (rc)
		return rc;
	json_object_object_foreach(o, k, val) {
		(void)val;
		if (strcmp(k, key)) {
			snprintf(err, errlen, "unknown field '%s' (known: %s)",
				 k, key);
			rc = -EINVAL;
			goto out;
		}
	}
	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "%s: a string is required", key);
		rc = -EINVAL;
		goto out;
	}
	snprintf(buf, len, "%s", json_object_get_string(v));
out:
	json_object_put(o);
	return rc;
}

char *api_post_ddos_service(struct api_ctx *c, const struct api_req *r,
			    unsigned int *status)
{
	struct sluice_ddos_service_key k;
	char err[512], svc[128];
	int rc;

	if (!c->ddos)
		return no_guard(status);
	rc = body_string(r->q, "service", svc, sizeof(svc), err, sizeof(err));
	rc = rc ?: ddos_parse_service("service", svc, &k, err, sizeof(err));
	rc = rc ?: ddos_service_add(c->ddos, &k, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	*status = 201;
	return json_take(ddos_json(c->ddos));
}

char *api_del_ddos_service(struct api_ctx *c, const struct api_req *r,
			   unsigned int *status)
{
	struct sluice_ddos_service_key k;
	struct json_object *o;
	char err[512];
	int rc;

	if (!c->ddos)
		return no_guard(status);
	rc = ddos_parse_service("service", r->param[0], &k, err, sizeof(err));
	rc = rc ?: ddos_service_del(c->ddos, &k, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	o = json_object_new_object();
	json_add_str(o, "deleted", r->param[0]);
	return json_take(o);
}

char *api_get_block(struct api_ctx *c, const struct api_req *r,
		    unsigned int *status)
{
	(void)r;
	if (!c->ddos)
		return no_guard(status);
	return json_take(ddos_block_json(c->ddos));
}

/* The prefixes of a POST /v1/block body into *@out (malloc'd). */
static int block_body(struct json_object *o, struct dp_ddos_prefix **out,
		      size_t *n, uint32_t *expire_s, char *err, size_t errlen)
{
	struct json_object *one = NULL, *many = NULL, *exp = NULL;
	char field[64];
	size_t len;

	*out = NULL;
	*n = 0;
	*expire_s = 0;
	json_object_object_foreach(o, k, val) {
		(void)val;
		if (strcmp(k, "prefix") && strcmp(k, "prefixes") &&
		    strcmp(k, "expire_s")) {
			snprintf(err, errlen,
				 "unknown field '%s' (known: prefix, "
				 "prefixes, expire_s)",
				 k);
			return -EINVAL;
		}
	}
	json_object_object_get_ex(o, "prefix", &one);
	json_object_object_get_ex(o, "prefixes", &many);
	json_object_object_get_ex(o, "expire_s", &exp);
	if (!one == !many) {
		snprintf(err, errlen, "body: one of prefix, prefixes");
		return -EINVAL;
	}
	if (exp) {
		int64_t e = json_object_get_int64(exp);

		if (!json_object_is_type(exp, json_type_int) || e < 1 ||
		    e > 365 * 86400) {
			snprintf(
				err, errlen,
				"expire_s: '%s' is not 1..31536000 seconds",
				json_object_to_json_string_ext(
					exp,
					JSON_C_TO_STRING_SPACED |
						JSON_C_TO_STRING_NOSLASHESCAPE));
			return -EINVAL;
		}
		*expire_s = (uint32_t)e;
	}
	if (many && !json_object_is_type(many, json_type_array)) {
		snprintf(err, errlen, "prefixes: expected an array");
		return -EINVAL;
	}
	len = one ? 1 : json_object_array_length(many);
	if (len > DDOS_BLOCK_POST_MAX) {
		snprintf(err, errlen, "prefixes: %zu, at most %d a request",
			 len, DDOS_BLOCK_POST_MAX);
		return -EINVAL;
	}
	*out = calloc(len ? len : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		struct json_object *e =
			one ?: json_object_array_get_idx(many, i);

		if (one)
			snprintf(field, sizeof(field), "prefix");
		else
			snprintf(field, sizeof(field), "prefixes[%zu]", i);
		if (!json_object_is_type(e, json_type_string)) {
			snprintf(
				err, errlen, "%s: '%s' is not a string", field,
				json_object_to_json_string_ext(
					e,
					JSON_C_TO_STRING_SPACED |
						JSON_C_TO_STRING_NOSLASHESCAPE));
			goto fail;
		}
		if (ddos_parse_prefix(field, json_object_get_string(e),
				      &(*out)[i], err, errlen))
			goto fail;
	}
	*n = len;
	return 0;
fail:
	free(*out);
	*out = NULL;
	return -EINVAL;
}

char *api_post_block(struct api_ctx *c, const struct api_req *r,
		     unsigned int *status)
{
	struct dp_ddos_prefix *v = NULL;
	struct json_object *o, *res;
	uint32_t expire_s;
	char err[512];
	size_t n;
	int rc;

	if (!c->ddos)
		return no_guard(status);
	rc = api_body_object(r->q, &o, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	rc = block_body(o, &v, &n, &expire_s, err, sizeof(err));
	json_object_put(o);
	rc = rc ?: ddos_block_add(c->ddos, v, n, expire_s, err, sizeof(err));
	free(v);
	if (rc)
		return api_fail(status, rc, err);
	*status = 201;
	res = json_object_new_object();
	json_add_int(res, "added", (int64_t)n);
	json_add_int(res, "expire_s", expire_s);
	return json_take(res);
}

char *api_del_block(struct api_ctx *c, const struct api_req *r,
		    unsigned int *status)
{
	struct dp_ddos_prefix pf;
	struct json_object *o;
	char err[512];
	int rc;

	if (!c->ddos)
		return no_guard(status);
	if (!r->q->prefix)
		return error_body(status, 400,
				  "prefix: ?prefix=PREFIX is required");
	rc = ddos_parse_prefix("prefix", r->q->prefix, &pf, err, sizeof(err));
	rc = rc ?: ddos_block_del(c->ddos, &pf, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	o = json_object_new_object();
	json_add_str(o, "deleted", r->q->prefix);
	return json_take(o);
}
