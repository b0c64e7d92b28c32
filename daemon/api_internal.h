/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the API's files share: the HTTP plumbing (api.c) hands a request to
 * api_render() (api_dispatch.c), which finds its row in the resource table
 * and calls the row's handler (api_router.c, api_lb.c, metrics.c).
 */
#ifndef SLUICED_API_INTERNAL_H
#define SLUICED_API_INTERNAL_H

#include "api.h"

#define API_MAX_PARAMS 2
/* a vip id ("[2001:db8:100::1]:65535/tcp") and room to spare */
#define API_PARAM_LEN (LB_VIP_ID_LEN + 8)

/* One request as a handler sees it. */
struct api_req {
	const char *method;
	const char *url;
	const struct api_query *q;
	/* what the {placeholders} of the row's pattern took, in order; ""
	 * when it was longer than API_PARAM_LEN - 1 */
	char param[API_MAX_PARAMS][API_PARAM_LEN];
};

/* A response body (malloc'd; NULL with errno set) with *@status set when
 * it is not 200. */
typedef char *api_handler(struct api_ctx *c, const struct api_req *r,
			  unsigned int *status);

/* {"error": "..."} with *@status = @code. */
char *error_body(unsigned int *status, unsigned int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* api_body.c: the feature handlers' errors and bodies.  400 for -EINVAL
 * and -E2BIG, 404 -ENOENT, 409 -EEXIST and -ENOSPC, else 500. */
unsigned int api_errno_status(int rc);
/* error_body() with that status and @msg ("out of memory" for -ENOMEM). */
char *api_fail(unsigned int *status, int rc, const char *msg);
/* A POST body that is a JSON object, parsed: 0, or an error body (400)
 * in *@answer (api_body_object()'s message). */
int api_body_doc(const struct api_req *r, struct json_object **doc,
		 unsigned int *status, char **answer);
/* A rule or selector id in the URL (1..@max, decimal only): 0, or an
 * error body (400) naming it as @what in *@answer. */
int api_id_param(const char *s, unsigned long max, const char *what,
		 uint32_t *id, unsigned int *status, char **answer);
/* The answer to an add: 201 and {"id": @id}. */
char *api_created_id(uint32_t id, unsigned int *status);
/* The request's body parsed as JSON, or -EINVAL with "body: ..." in @err;
 * api_body_object() also wants an object ("body: expected a JSON object,
 * got array"). */
struct json_object;
int api_body_json(const struct api_query *q, struct json_object **out,
		  char *err, size_t errlen);
int api_body_object(const struct api_query *q, struct json_object **out,
		    char *err, size_t errlen);

/* The node's drain (api_node.c). */
api_handler api_get_node, api_post_node_drain, api_post_node_undrain;

/* api_health.c: GET /healthz, the one resource that needs no token */
bool api_path_public(const char *method, const char *url);
api_handler api_get_healthz;
/* The router's resources (api_router.c, api_routes.c, api_neighbors.c). */
api_handler api_get_status, api_get_interfaces, api_get_routes,
	api_get_neighbors, api_get_stats;

/* The load balancer's (api_lb.c, docs/lb-api.md). */
api_handler api_get_lb, api_get_vips, api_post_vip, api_get_vip, api_del_vip,
	api_get_backends, api_post_backend, api_put_backends, api_get_backend,
	api_del_backend, api_patch_backend;
/* The flow table's (api_lb_flows.c, docs/lb-api.md "Flows"). */
api_handler api_get_lb_flows, api_del_lb_flows;

/* Conntrack's (api_ct.c, docs/conntrack.md). */
api_handler api_get_conntrack, api_del_conntrack, api_get_conntrack_count,
	api_get_conntrack_config, api_put_conntrack_config,
	api_post_conntrack_fill;
/* Steering to AF_XDP sockets (api_steer.c, docs/steering.md). */
api_handler api_get_steer, api_post_steer, api_del_steer;
/* The L7 local hop's (api_l7.c, docs/l7.md). */
api_handler api_get_l7, api_put_l7, api_post_l7_port, api_del_l7_port;
/* The DDoS guard's (api_ddos.c, docs/ddos.md). */
api_handler api_get_ddos, api_patch_ddos, api_post_ddos_service,
	api_del_ddos_service, api_get_block, api_post_block, api_del_block;
/* The firewall's (api_fw.c, docs/firewall.md). */
api_handler api_get_fw_rules, api_post_fw_rule, api_del_fw_rule,
	api_get_fw_policy, api_post_fw_policy, api_get_fw_sets, api_post_fw_set,
	api_post_fw_set_load, api_get_fw_check, api_put_fw_list, api_del_fw_set;

/* NAT's (api_nat.c, docs/nat.md). */
api_handler api_get_nat, api_post_nat, api_del_nat;
/* One packet through a copy of the live program (api_explain.c). */
api_handler api_post_explain;

#endif
