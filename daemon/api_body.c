// SPDX-License-Identifier: BSD-2-Clause
/* What the feature handlers share once a request is theirs: the request's
 * JSON body, and their error answers from an -errno. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "config.h"
#include "json_out.h"

unsigned int api_errno_status(int rc)
{
	switch (rc) {
	case -EINVAL:
	case -E2BIG: return 400;
	case -ENOENT: return 404;
	case -EEXIST:
	case -EBUSY:
	case -ENOSPC: return 409;
	default: return 500;
	}
}

char *api_fail(unsigned int *status, int rc, const char *msg)
{
	return error_body(status, api_errno_status(rc), "%s",
			  rc == -ENOMEM ? "out of memory" : msg);
}

int api_body_json(const struct api_query *q, struct json_object **out,
		  char *err, size_t errlen)
{
	char msg[256];
	int rc;

	if (!q->body || !q->body_len) {
		snprintf(err, errlen, "body: a JSON object is required");
		return -EINVAL;
	}
	rc = config_json_parse(q->body, q->body_len, out, msg, sizeof(msg));
	if (rc)
		snprintf(err, errlen, "body: %s", msg);
	return rc;
}

int api_body_object(const struct api_query *q, struct json_object **out,
		    char *err, size_t errlen)
{
	int rc = api_body_json(q, out, err, errlen);

	if (rc)
		return rc;
	/* a bare 80 or [..] is no request, and json-c's object calls must
	 * not see one */
	if (!json_object_is_type(*out, json_type_object)) {
		snprintf(err, errlen, "body: expected a JSON object, got %s",
			 json_type_to_name(json_object_get_type(*out)));
		json_object_put(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

int api_body_doc(const struct api_req *r, struct json_object **doc,
		 unsigned int *status, char **answer)
{
	char err[600];

	if (api_body_object(r->q, doc, err, sizeof(err))) {
		*answer = error_body(status, 400, "%s", err);
		return -EINVAL;
	}
	return 0;
}

int api_id_param(const char *s, unsigned long max, const char *what,
		 uint32_t *id, unsigned int *status, char **answer)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || strspn(s, "0123456789") != strlen(s) || errno ||
	    !v || v > max) {
		*answer = error_body(status, 400,
				     "id: '%s' is not a %s id 1..%lu", s, what,
				     max);
		return -EINVAL;
	}
	*id = (uint32_t)v;
	return 0;
}

char *api_created_id(uint32_t id, unsigned int *status)
{
	struct json_object *o = json_object_new_object();

	json_add_int(o, "id", id);
	*status = 201;
	return json_take(o);
}
