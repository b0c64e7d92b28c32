// SPDX-License-Identifier: BSD-2-Clause
/* The load balancer's resources (docs/lb-api.md): /v1/lb, /v1/vips and
 * below.  The dispatcher has matched the path and the method; what is
 * left is whether the VIP and the backend named exist. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "config.h"
#include "json_out.h"

static char *deleted(const char *what)
{
	struct json_object *o = json_object_new_object();

	json_add_str(o, "deleted", what);
	return json_take(o);
}

char *api_post_vip(struct api_ctx *c, const struct api_req *r,
		   unsigned int *status)
{
	const struct api_query *q = r->q;
	struct json_object *o;
	struct lb_vip_spec spec;
	char err[512];
	uint32_t id;
	int rc;

	rc = api_body_json(q, &o, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	rc = lb_vip_spec_from_json(o, "", &spec, err, sizeof(err));
	json_object_put(o);
	if (rc)
		return api_fail(status, rc, err);
	rc = lb_vip_add(c->lb, &spec, &id, err, sizeof(err));
	lb_vip_spec_free(&spec);
	if (rc)
		return api_fail(status, rc, err);
	*status = 201;
	return json_take(lb_vip_json(c->lb, lb_vip_get(c->lb, id)));
}

static char *backends_of(struct api_ctx *c, const struct lb_vip *v)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < v->n_be; i++)
		json_object_array_add(arr, lb_backend_json(c->lb, &v->be[i]));
	json_object_object_add(o, "backends", arr);
	return json_take(o);
}

static char *post_backend(struct api_ctx *c, uint32_t vip_id,
			  const struct api_query *q, unsigned int *status)
{
	struct lb_backend_spec spec;
	struct json_object *o;
	char err[512];
	int rc;

	rc = api_body_json(q, &o, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	rc = lb_backend_spec_from_json(o, "", &spec, err, sizeof(err));
	json_object_put(o);
	if (!rc)
		rc = lb_backend_add(c->lb, vip_id, &spec, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	*status = 201;
	return json_take(lb_backend_json(
		c->lb, lb_backend_find(lb_vip_get(c->lb, vip_id), &spec.addr)));
}

static char *patch_backend(struct api_ctx *c, uint32_t vip_id,
			   const struct lb_addr *a, const struct api_query *q,
			   unsigned int *status)
{
	struct lb_backend_patch pa;
	struct json_object *o;
	char err[512];
	int rc;

	rc = api_body_json(q, &o, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	rc = lb_backend_patch_from_json(o, &pa, err, sizeof(err));
	json_object_put(o);
	if (!rc)
		rc = lb_backend_patch(c->lb, vip_id, a, &pa, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	return json_take(lb_backend_json(
		c->lb, lb_backend_find(lb_vip_get(c->lb, vip_id), a)));
}

char *api_get_lb(struct api_ctx *c, const struct api_req *r,
		 unsigned int *status)
{
	(void)r;
	(void)status;
	return json_take(lb_summary_json(c->lb));
}

char *api_get_vips(struct api_ctx *c, const struct api_req *r,
		   unsigned int *status)
{
	(void)r;
	(void)status;
	return json_take(lb_vips_json(c->lb));
}

/* The VIP r->param[0] names: NULL with the answer in *@body when it is not
 * a VIP id (400) or there is no such VIP (404). */
static const struct lb_vip *vip_of(struct api_ctx *c, const struct api_req *r,
				   unsigned int *status, char **body)
{
	const char *id = r->param[0];
	const struct lb_vip *v;

	if (!*id || lb_vip_lookup(c->lb, id, &v)) {
		*body = error_body(status, 400,
				   "id: '%s' is not a VIP "
				   "(ADDR:PORT/PROTO, [ADDR6]:PORT/PROTO or a "
				   "vip_id 1..%u)",
				   id, LB_MAX_VIPS);
		return NULL;
	}
	if (!v)
		*body = error_body(status, 404, "vip %s does not exist", id);
	return v;
}

/* The backend r->param[1] names in @v: 0, else -1 with the answer in
 * *@body (400 not an address, 404 not in @v). */
static int backend_of(const struct lb_vip *v, const struct api_req *r,
		      unsigned int *status, struct lb_addr *addr, char **body)
{
	char name[LB_VIP_ID_LEN], a[INET6_ADDRSTRLEN];

	if (lb_addr_parse(r->param[1], addr)) {
		*body = error_body(status, 400,
				   "address: '%s' is not an IPv4 "
				   "or IPv6 address",
				   r->param[1]);
		return -1;
	}
	if (!lb_backend_find(v, addr)) {
		*body = error_body(status, 404, "backend %s is not in vip %s",
				   lb_addr_str(addr, a, sizeof(a)),
				   lb_vip_id_str(&v->conf.key, name,
						 sizeof(name)));
		return -1;
	}
	return 0;
}

char *api_get_vip(struct api_ctx *c, const struct api_req *r,
		  unsigned int *status)
{
	const struct lb_vip *v;
	char *body;

	v = vip_of(c, r, status, &body);
	if (!v)
		return body;
	return json_take(lb_vip_json(c->lb, v));
}

char *api_del_vip(struct api_ctx *c, const struct api_req *r,
		  unsigned int *status)
{
	char name[LB_VIP_ID_LEN], err[512];
	const struct lb_vip *v;
	char *body;
	int rc;

	v = vip_of(c, r, status, &body);
	if (!v)
		return body;
	lb_vip_id_str(&v->conf.key, name, sizeof(name));
	rc = lb_vip_del(c->lb, v->id, err, sizeof(err));
	return rc ? api_fail(status, rc, err) : deleted(name);
}

char *api_get_backends(struct api_ctx *c, const struct api_req *r,
		       unsigned int *status)
{
	const struct lb_vip *v;
	char *body;

	v = vip_of(c, r, status, &body);
	if (!v)
		return body;
	return backends_of(c, v);
}

char *api_post_backend(struct api_ctx *c, const struct api_req *r,
		       unsigned int *status)
{
	const struct lb_vip *v;
	char *body;

	v = vip_of(c, r, status, &body);
	if (!v)
		return body;
	return post_backend(c, v->id, r->q, status);
}

/* The whole set at once: one table computed, one diff written. */
char *api_put_backends(struct api_ctx *c, const struct api_req *r,
		       unsigned int *status)
{
	struct lb_replace_stats st;
	struct lb_vip_spec set = {};
	const struct lb_vip *v;
	struct json_object *o, *arr;
	char err[512], *body;
	uint32_t vip_id;
	int rc;

	v = vip_of(c, r, status, &body);
	if (!v)
		return body;
	vip_id = v->id; /* @v is freed when the change commits */
	rc = api_body_json(r->q, &o, err, sizeof(err));
	if (rc)
		return api_fail(status, rc, err);
	rc = lb_backend_set_from_json(o, &set, err, sizeof(err));
	json_object_put(o);
	if (!rc)
		rc = lb_backends_replace(c->lb, vip_id, set.be, set.n_be, &st,
					 err, sizeof(err));
	lb_vip_spec_free(&set);
	if (rc)
		return api_fail(status, rc, err);
	v = lb_vip_get(c->lb, vip_id);
	o = json_object_new_object();
	json_add_int(o, "added", st.added);
	json_add_int(o, "removed", st.removed);
	json_add_int(o, "changed", st.changed);
	json_add_int(o, "slots_written", st.slots_written);
	arr = json_object_new_array();
	for (size_t i = 0; i < v->n_be; i++)
		json_object_array_add(arr, lb_backend_json(c->lb, &v->be[i]));
	json_object_object_add(o, "backends", arr);
	return json_take(o);
}

char *api_get_backend(struct api_ctx *c, const struct api_req *r,
		      unsigned int *status)
{
	const struct lb_vip *v;
	struct lb_addr addr;
	char *body;

	v = vip_of(c, r, status, &body);
	if (!v || backend_of(v, r, status, &addr, &body))
		return body;
	return json_take(lb_backend_json(c->lb, lb_backend_find(v, &addr)));
}

char *api_del_backend(struct api_ctx *c, const struct api_req *r,
		      unsigned int *status)
{
	char err[512], a[INET6_ADDRSTRLEN];
	const struct lb_vip *v;
	struct lb_addr addr;
	char *body;
	int rc;

	v = vip_of(c, r, status, &body);
	if (!v || backend_of(v, r, status, &addr, &body))
		return body;
	rc = lb_backend_del(c->lb, v->id, &addr, err, sizeof(err));
	return rc ? api_fail(status, rc, err) :
		    deleted(lb_addr_str(&addr, a, sizeof(a)));
}

char *api_patch_backend(struct api_ctx *c, const struct api_req *r,
			unsigned int *status)
{
	const struct lb_vip *v;
	struct lb_addr addr;
	char *body;

	v = vip_of(c, r, status, &body);
	if (!v || backend_of(v, r, status, &addr, &body))
		return body;
	return patch_backend(c, v->id, &addr, r->q, status);
}
