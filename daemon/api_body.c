// SPDX-License-Identifier: BSD-2-Clause
/* What the feature handlers share once a request is theirs: the request's
 * JSON body, and their error answers from an -errno. */
#include <errno.h>
#include <stdio.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "config.h"

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
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		snprintf(err, errlen, "body: expected a JSON object");
		return -EINVAL;
	}
	return 0;
}
