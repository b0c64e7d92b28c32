// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "cli.h"
#include "vr_steer.h"

/* sluiced's {"error": "..."} when it sent one, else the status. */
static void daemon_says(const struct http_resp *r, const char *what, char *err,
			size_t errlen)
{
	struct json_object *doc = r->body ? json_tokener_parse(r->body) : NULL;
	struct json_object *e;

	if (doc && json_object_object_get_ex(doc, "error", &e))
		snprintf(err, errlen, "%s: sluiced answered %ld: %s", what,
			 r->status, json_object_get_string(e));
	else
		snprintf(err, errlen, "%s: sluiced answered %ld", what,
			 r->status);
	json_object_put(doc);
}

/* Whether a transit selector of sluiced's covers @iface. */
static bool covered(struct json_object *sels, const char *iface)
{
	for (size_t i = 0; i < json_object_array_length(sels); i++) {
		struct json_object *s = json_object_array_get_idx(sels, i);
		struct json_object *t, *f;

		if (!json_object_object_get_ex(s, "transit", &t) ||
		    !json_object_get_boolean(t))
			continue;
		if (!json_object_object_get_ex(s, "iface", &f) ||
		    !strcmp(json_object_get_string(f), iface))
			return true;
	}
	return false;
}

static int get_selectors(const struct endpoint *ep, struct json_object **out,
			 char *err, size_t errlen)
{
	struct json_object *doc = NULL, *sels;
	struct http_resp r;
	char why[256];
	int rc;

	*out = NULL;
	rc = http_request(ep, NULL, "GET", "/v1/steer", NULL, &r, why,
			  sizeof(why));
	if (rc) {
		snprintf(err, errlen, "GET /v1/steer: %s", why);
		return rc;
	}
	if (r.status != 200) {
		daemon_says(&r, "GET /v1/steer", err, errlen);
		rc = -EPROTO;
		goto out;
	}
	doc = r.body ? json_tokener_parse(r.body) : NULL;
	if (!doc || !json_object_object_get_ex(doc, "selectors", &sels) ||
	    !json_object_is_type(sels, json_type_array)) {
		snprintf(err, errlen, "GET /v1/steer: no selectors array");
		rc = -EPROTO;
		goto out;
	}
	*out = json_object_get(sels);
out:
	json_object_put(doc);
	http_resp_free(&r);
	return rc;
}

static int post_transit(const struct endpoint *ep, const char *iface,
			uint32_t *id, char *err, size_t errlen)
{
	struct json_object *doc = NULL, *o;
	struct http_resp r;
	char body[128], why[256];
	int rc;

	snprintf(body, sizeof(body), "{\"transit\": true, \"iface\": \"%s\"}",
		 iface);
	rc = http_request(ep, NULL, "POST", "/v1/steer", body, &r, why,
			  sizeof(why));
	if (rc) {
		snprintf(err, errlen, "POST /v1/steer %s: %s", body, why);
		return rc;
	}
	if (r.status != 201 && r.status != 200) {
		snprintf(why, sizeof(why), "POST /v1/steer %s", body);
		daemon_says(&r, why, err, errlen);
		rc = -EPROTO;
		goto out;
	}
	doc = r.body ? json_tokener_parse(r.body) : NULL;
	if (!doc || !json_object_object_get_ex(doc, "id", &o) ||
	    !json_object_is_type(o, json_type_int)) {
		snprintf(err, errlen, "POST /v1/steer: no id in the answer");
		rc = -EPROTO;
		goto out;
	}
	*id = (uint32_t)json_object_get_int64(o);
out:
	json_object_put(doc);
	http_resp_free(&r);
	return rc;
}

int vr_steer_add(struct vr_steer_state *st, const char *api,
		 const char *const ifaces[], unsigned int n, char *err,
		 size_t errlen)
{
	struct json_object *sels;
	struct endpoint ep;
	int rc;

	/* again after sluiced rebuilt its maps: the ids added before stay
	 * ours (a selector of them that sluiced kept counts as covering) */
	st->n_found = 0;
	snprintf(st->api, sizeof(st->api), "%s", api);
	rc = endpoint_parse(api, &ep, err, errlen);
	if (rc)
		return rc;
	rc = get_selectors(&ep, &sels, err, errlen);
	if (rc)
		return rc;
	for (unsigned int i = 0; !rc && i < n; i++) {
		if (covered(sels, ifaces[i])) {
			st->n_found++;
			continue;
		}
		if (st->n_added == VR_PORTS_MAX) {
			snprintf(err, errlen, "more than %d selectors added",
				 VR_PORTS_MAX);
			rc = -ENOSPC;
			break;
		}
		rc = post_transit(&ep, ifaces[i], &st->added[st->n_added], err,
				  errlen);
		if (!rc)
			st->n_added++;
	}
	json_object_put(sels);
	return rc;
}

int vr_steer_wait_api(const char *api, unsigned int timeout_ms,
		      volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	const struct timespec step = { 0, 100 * 1000 * 1000 };
	struct endpoint ep;
	int rc;

	rc = endpoint_parse(api, &ep, err, errlen);
	if (rc)
		return rc;
	for (unsigned int t = 0; t <= timeout_ms; t += 100) {
		struct http_resp r;

		if (*stop)
			return -ECANCELED;
		/* any answer will do: sluiced serves only once it is up */
		rc = http_request(&ep, NULL, "GET", "/v1/status", NULL, &r, err,
				  errlen);
		http_resp_free(&r);
		if (!rc)
			return 0;
		nanosleep(&step, NULL);
	}
	return -ETIMEDOUT;
}

int vr_steer_del(struct vr_steer_state *st, char *err, size_t errlen)
{
	struct endpoint ep;
	int first = 0;

	if (!st->n_added)
		return 0;
	if (endpoint_parse(st->api, &ep, err, errlen))
		return -EINVAL;
	for (unsigned int i = 0; i < st->n_added; i++) {
		struct http_resp r;
		char path[64], why[256];
		int rc;

		snprintf(path, sizeof(path), "/v1/steer/%u", st->added[i]);
		rc = http_request(&ep, NULL, "DELETE", path, NULL, &r, why,
				  sizeof(why));
		/* 404: sluiced lost it already (a rebuild): nothing to do */
		if (!rc && r.status >= 300 && r.status != 404) {
			snprintf(why, sizeof(why), "DELETE %s", path);
			if (!first)
				daemon_says(&r, why, err, errlen);
			rc = -EPROTO;
		} else if (rc && !first) {
			snprintf(err, errlen, "DELETE %s: %s", path, why);
		}
		http_resp_free(&r);
		if (rc && !first)
			first = rc;
	}
	st->n_added = 0;
	return first;
}
