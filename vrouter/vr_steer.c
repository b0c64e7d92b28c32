// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <net/if.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <uapi/sluice/route.h>
#include <uapi/sluice/steer.h>
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

/*
 * One request to sluiced's API: @method @path with @body (or none), an
 * answer of status @ok (or 200) whose JSON document has a member @key of
 * @type, returned in @out with a reference of its own.  Errors name the
 * request and what sluiced said.
 */
static int api_member(const struct endpoint *ep, const char *method,
		      const char *path, struct json_object *body, long ok,
		      const char *key, enum json_type type,
		      struct json_object **out, char *err, size_t errlen)
{
	const char *text =
		body ? json_object_to_json_string_ext(
			       body, JSON_C_TO_STRING_PLAIN |
					     JSON_C_TO_STRING_NOSLASHESCAPE) :
		       NULL;
	struct json_object *doc = NULL, *o;
	struct http_resp r;
	char what[192], why[256], where[140];
	int rc;

	*out = NULL;
	snprintf(what, sizeof(what), "%s %s%s%s", method, path, text ? " " : "",
		 text ? text : "");
	rc = http_request(ep, NULL, method, path, text, &r, why, sizeof(why));
	if (rc) {
		/* no answer at all: say whose API, and what to check */
		if (ep->kind == EP_UNIX)
			snprintf(where, sizeof(where), "unix:%s", ep->path);
		else
			snprintf(where, sizeof(where), "tcp:%s:%u", ep->host,
				 ep->port);
		snprintf(err, errlen,
			 "%s: sluiced's API %s: %s (is sluiced running there? "
			 "--api names it)",
			 what, where, why);
		return rc;
	}
	if (r.status != ok && r.status != 200) {
		daemon_says(&r, what, err, errlen);
		rc = -EPROTO;
		goto out;
	}
	doc = r.body ? json_tokener_parse(r.body) : NULL;
	if (!doc || !json_object_object_get_ex(doc, key, &o) ||
	    !json_object_is_type(o, type)) {
		snprintf(err, errlen, "%s: no %s in the answer", what, key);
		rc = -EPROTO;
		goto out;
	}
	*out = json_object_get(o);
out:
	json_object_put(doc);
	http_resp_free(&r);
	return rc;
}

static int get_selectors(const struct endpoint *ep, struct json_object **out,
			 char *err, size_t errlen)
{
	return api_member(ep, "GET", "/v1/steer", NULL, 200, "selectors",
			  json_type_array, out, err, errlen);
}

/* The body is built by json-c: an interface name may hold a quote. */
static int post_transit(const struct endpoint *ep, const char *iface,
			uint32_t *id, char *err, size_t errlen)
{
	struct json_object *body = json_object_new_object(), *o = NULL;
	int rc;

	if (!body ||
	    json_object_object_add(body, "transit",
				   json_object_new_boolean(1)) ||
	    json_object_object_add(body, "iface",
				   json_object_new_string(iface))) {
		json_object_put(body);
		snprintf(err, errlen, "POST /v1/steer: out of memory");
		return -ENOMEM;
	}
	rc = api_member(ep, "POST", "/v1/steer", body, 201, "id", json_type_int,
			&o, err, errlen);
	if (!rc)
		*id = (uint32_t)json_object_get_int64(o);
	json_object_put(o);
	json_object_put(body);
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

int vr_ports_managed(const char *pin_dir, const char *const ifaces[],
		     unsigned int n, char *err, size_t errlen)
{
	struct sluice_iface v;
	char path[PATH_MAX];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, SLUICE_STEER_IFACES_PIN);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "sluiced's %s: %s", path,
			 strerror(errno));
		return rc;
	}
	for (unsigned int i = 0; i < n && !rc; i++) {
		__u32 key = if_nametoindex(ifaces[i]);

		if (key && !bpf_map_lookup_elem(fd, &key, &v))
			continue;
		snprintf(err, errlen,
			 "ports[%u] (%s): sluiced (pin dir %s) does not manage "
			 "%s: the vRouter's ports are sluiced's; start sluiced "
			 "with --interface %s",
			 i, ifaces[i], pin_dir, ifaces[i], ifaces[i]);
		rc = -ENOENT;
	}
	close(fd);
	return rc;
}
