// SPDX-License-Identifier: BSD-2-Clause
/*
 * Every resource of the API is one row of routes[]: a method, a path
 * pattern and the function that answers.  A new resource is a new row.
 *
 * A pattern is literal text with {placeholders}; each placeholder takes as
 * much of the path as its rule says (param_rules[]) and hands it to the
 * handler in r->param[].  A path that no pattern matches is 404, a path
 * that matches with none of its rows taking the method is 405.
 *
 * A row also names the query parameters it takes; any other is refused
 * (400) before the handler runs, so a misspelt filter never widens a
 * listing or a flush to everything (?devv=eth0, ?vp=7).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "config.h"
#include "json_out.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum route_flags {
	ROUTE_LB = 1u << 0, /* needs the load balancer: 404 without it */
	/* reads no parameter and refuses none: a health probe whose URL
	 * carries a query must not fail the node over it */
	ROUTE_ANY_QUERY = 1u << 1,
};

struct api_route {
	const char *method; /* "GET" answers HEAD too */
	const char *pattern;
	api_handler *handler;
	unsigned int flags;	  /* enum route_flags */
	const char *content_type; /* NULL: application/json */
	const char *query; /* "family prefix": its parameters; NULL: none */
};

static char *get_metrics(struct api_ctx *c, const struct api_req *r,
			 unsigned int *status)
{
	(void)r;
	(void)status;
	return metrics_render(c);
}

#define ROUTE(m, p, fn)                                                        \
	{                                                                      \
		.method = m, .pattern = p, .handler = fn                       \
	}
#define LB_ROUTE(m, p, fn)                                                     \
	{                                                                      \
		.method = m, .pattern = p, .handler = fn, .flags = ROUTE_LB    \
	}
/* a row that takes query parameters: QUERY "name name ..." */
#define ROUTE_Q(m, p, fn, qs)                                                  \
	{                                                                      \
		.method = m, .pattern = p, .handler = fn, .query = qs          \
	}
#define LB_ROUTE_Q(m, p, fn, qs)                                               \
	{                                                                      \
		.method = m, .pattern = p, .handler = fn, .flags = ROUTE_LB,   \
		.query = qs                                                    \
	}

static const struct api_route routes[] = {
	/* no token: api_health.c */
	{ .method = "GET",
	  .pattern = "/healthz",
	  .handler = api_get_healthz,
	  .flags = ROUTE_ANY_QUERY },
	ROUTE("GET", "/v1/status", api_get_status),
	ROUTE_Q("GET", "/v1/interfaces", api_get_interfaces, "dev"),
	ROUTE_Q("GET", "/v1/routes", api_get_routes,
		"family prefix limit cursor"),
	ROUTE_Q("GET", "/v1/neighbors", api_get_neighbors, "dev limit cursor"),
	ROUTE_Q("GET", "/v1/stats", api_get_stats, "dev"),
	{ .method = "GET",
	  .pattern = "/metrics",
	  .handler = get_metrics,
	  .content_type = "text/plain; version=0.0.4" },
	LB_ROUTE("GET", "/v1/lb", api_get_lb),
	LB_ROUTE_Q("GET", "/v1/lb/flows", api_get_lb_flows,
		   "vip backend src limit cursor"),
	LB_ROUTE_Q("DELETE", "/v1/lb/flows", api_del_lb_flows,
		   "vip backend src"),
	LB_ROUTE("GET", "/v1/vips", api_get_vips),
	LB_ROUTE("POST", "/v1/vips", api_post_vip),
	LB_ROUTE("GET", "/v1/vips/{vip}", api_get_vip),
	LB_ROUTE("DELETE", "/v1/vips/{vip}", api_del_vip),
	LB_ROUTE("GET", "/v1/vips/{vip}/backends", api_get_backends),
	LB_ROUTE("POST", "/v1/vips/{vip}/backends", api_post_backend),
	LB_ROUTE("PUT", "/v1/vips/{vip}/backends", api_put_backends),
	/* the list, with a trailing '/' */
	LB_ROUTE("GET", "/v1/vips/{vip}/backends/", api_get_backends),
	LB_ROUTE("POST", "/v1/vips/{vip}/backends/", api_post_backend),
	LB_ROUTE("PUT", "/v1/vips/{vip}/backends/", api_put_backends),
	LB_ROUTE("GET", "/v1/vips/{vip}/backends/{addr}", api_get_backend),
	LB_ROUTE("DELETE", "/v1/vips/{vip}/backends/{addr}", api_del_backend),
	LB_ROUTE("PATCH", "/v1/vips/{vip}/backends/{addr}", api_patch_backend),
	ROUTE("GET", "/v1/node", api_get_node),
	ROUTE("POST", "/v1/node/drain", api_post_node_drain),
	ROUTE("POST", "/v1/node/undrain", api_post_node_undrain),
	ROUTE_Q("GET", "/v1/conntrack", api_get_conntrack,
		"src dst proto state limit cursor"),
	ROUTE_Q("DELETE", "/v1/conntrack", api_del_conntrack,
		"src dst proto state"),
	ROUTE("GET", "/v1/conntrack/count", api_get_conntrack_count),
	ROUTE("GET", "/v1/conntrack/config", api_get_conntrack_config),
	ROUTE("PUT", "/v1/conntrack/config", api_put_conntrack_config),
	ROUTE("POST", "/v1/conntrack/fill", api_post_conntrack_fill),
	/* the DDoS guard (api_ddos.c) */
	ROUTE("GET", "/v1/ddos", api_get_ddos),
	ROUTE("PATCH", "/v1/ddos", api_patch_ddos),
	ROUTE("POST", "/v1/ddos/services", api_post_ddos_service),
	ROUTE("DELETE", "/v1/ddos/services/{addr}", api_del_ddos_service),
	ROUTE("GET", "/v1/block", api_get_block),
	ROUTE("POST", "/v1/block", api_post_block),
	ROUTE_Q("DELETE", "/v1/block", api_del_block, "prefix"),
	ROUTE("GET", "/v1/nat", api_get_nat),
	ROUTE("POST", "/v1/nat", api_post_nat),
	ROUTE("DELETE", "/v1/nat/{id}", api_del_nat),
	ROUTE_Q("GET", "/v1/fw/rules", api_get_fw_rules, "dev"),
	ROUTE("POST", "/v1/fw/rules", api_post_fw_rule),
	ROUTE("DELETE", "/v1/fw/rules/{name}/{name}", api_del_fw_rule),
	ROUTE("GET", "/v1/fw/policy", api_get_fw_policy),
	ROUTE("POST", "/v1/fw/policy", api_post_fw_policy),
	ROUTE("GET", "/v1/fw/sets", api_get_fw_sets),
	ROUTE("POST", "/v1/fw/sets", api_post_fw_set),
	ROUTE("POST", "/v1/fw/sets/{name}/load", api_post_fw_set_load),
	ROUTE("DELETE", "/v1/fw/sets/{name}", api_del_fw_set),
	ROUTE("PUT", "/v1/fw/{name}/{name}", api_put_fw_list),
	ROUTE("GET", "/v1/fw/check", api_get_fw_check),
	/* steering to AF_XDP sockets (api_steer.c) */
	ROUTE("GET", "/v1/steer", api_get_steer),
	ROUTE("POST", "/v1/steer", api_post_steer),
	ROUTE("DELETE", "/v1/steer/{id}", api_del_steer),
	/* the L7 local hop (api_l7.c) */
	ROUTE("GET", "/v1/l7", api_get_l7),
	ROUTE("PUT", "/v1/l7", api_put_l7),
	ROUTE("POST", "/v1/l7/ports", api_post_l7_port),
	ROUTE("DELETE", "/v1/l7/ports/{id}", api_del_l7_port),
	ROUTE("POST", "/v1/explain", api_post_explain), /* api_explain.c */
};

void api_routes_print(FILE *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		fprintf(f, "%s %s%s", routes[i].method, routes[i].pattern,
			routes[i].query ? " " : "");
		/* the parameters comma-separated, as one word */
		for (const char *s = routes[i].query; s && *s; s++)
			fputc(*s == ' ' ? ',' : *s, f);
		fputc('\n', f);
	}
}

/*
 * A VIP id is a vip_id ("7") or "ADDR:PORT/PROTO", which holds a '/' of
 * its own: digits up to a '/' or the end, else up to the second '/'.  One
 * that is empty or too long takes the rest of the path, so that the VIP's
 * own row answers (400) whatever follows it.
 */
static ssize_t vip_extent(const char *s)
{
	size_t digits = strspn(s, "0123456789");
	const char *end;

	if (digits && (s[digits] == '/' || !s[digits])) {
		end = s + digits;
	} else {
		end = strchr(s, '/');
		end = end ? strchr(end + 1, '/') : NULL;
		if (!end)
			end = s + strlen(s);
	}
	if (end == s || (size_t)(end - s) >= API_PARAM_LEN)
		return (ssize_t)strlen(s);
	return end - s;
}

/* A backend address: the last part of the path, not empty, not too long. */
static ssize_t addr_extent(const char *s)
{
	size_t n = strcspn(s, "/");

	return n && n < INET6_ADDRSTRLEN + 8 ? (ssize_t)n : -1;
}

static const struct {
	const char *name;
	ssize_t (*extent)(const char *s); /* -1: no match */
} param_rules[] = {
	{ "{vip}", vip_extent },
	{ "{addr}", addr_extent },
	{ "{id}", addr_extent },   /* a NAT rule's: the last part too */
	{ "{name}", addr_extent }, /* an interface, a rule id, a set name */
};

/* 0 and r->param[] filled when @url matches @pattern, else -1. */
static int match(const char *pattern, const char *url, struct api_req *r)
{
	size_t n_param = 0;

	while (*pattern) {
		size_t i;
		ssize_t len;

		if (*pattern != '{') {
			if (*pattern++ != *url++)
				return -1;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(param_rules); i++)
			if (!strncmp(pattern, param_rules[i].name,
				     strlen(param_rules[i].name)))
				break;
		if (i == ARRAY_SIZE(param_rules) || n_param == API_MAX_PARAMS)
			return -1;
		len = param_rules[i].extent(url);
		if (len < 0)
			return -1;
		if ((size_t)len < API_PARAM_LEN) {
			memcpy(r->param[n_param], url, (size_t)len);
			r->param[n_param][len] = '\0';
		} else {
			r->param[n_param][0] = '\0';
		}
		n_param++;
		url += len;
		pattern += strlen(param_rules[i].name);
	}
	return *url ? -1 : 0;
}

/* @url is @pattern or lies below its placeholders. */
static bool under(const char *pattern, const char *url)
{
	const char *brace = strchr(pattern, '{');

	if (!brace)
		return !strcmp(url, pattern);
	return !strncmp(url, pattern, (size_t)(brace - pattern));
}

static bool method_ok(const char *row, const char *method)
{
	return !strcmp(row, method) ||
	       (!strcmp(row, "GET") && !strcmp(method, "HEAD"));
}

char *error_body(unsigned int *status, unsigned int code, const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_add_str(o, "error", msg);
	*status = code;
	return json_take(o);
}

/* @name is a word of the row's "name name ..." */
static bool takes(const struct api_route *rt, const char *name)
{
	size_t len = strlen(name);

	for (const char *s = rt->query; s && *s;) {
		size_t n = strcspn(s, " ");

		if (n == len && !strncmp(s, name, n))
			return true;
		s += n + (s[n] == ' ');
	}
	return false;
}

/* NULL, or the 400 for a query parameter @rt does not take: named, with
 * what it does take. */
static char *query_refused(const struct api_route *rt,
			   const struct api_query *q, unsigned int *status)
{
	char known[160] = "";

	if (rt->flags & ROUTE_ANY_QUERY)
		return NULL;
	if (q->n_keys > API_QUERY_KEYS)
		return error_body(status, 400,
				  "query: %u parameters, more than any "
				  "resource takes (%u)",
				  q->n_keys, API_QUERY_KEYS);
	for (unsigned int i = 0; i < q->n_keys; i++) {
		const char *k = q->keys[i] ? q->keys[i] : "";

		if (takes(rt, k))
			continue;
		for (const char *s = rt->query; s && *s; s++) {
			size_t used = strlen(known);

			if (used + 3 < sizeof(known)) {
				if (*s == ' ') {
					known[used] = ',';
					known[used + 1] = ' ';
					known[used + 2] = '\0';
				} else {
					known[used] = *s;
					known[used + 1] = '\0';
				}
			}
		}
		if (!rt->query)
			return error_body(status, 400,
					  "%.64s: unknown parameter (%s %s "
					  "takes none)",
					  k, rt->method, rt->pattern);
		return error_body(status, 400,
				  "%.64s: unknown parameter (known: %s)", k,
				  known);
	}
	return NULL;
}

char *api_render(struct api_ctx *ctx, const char *method, const char *url,
		 const struct api_query *q, unsigned int *status,
		 const char **content_type)
{
	struct api_req r = { .method = method, .url = url, .q = q };
	bool known = false;
	char *body;

	*status = 200;
	*content_type = "application/json";
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++)
		if ((routes[i].flags & ROUTE_LB) && !ctx->lb &&
		    under(routes[i].pattern, url))
			return error_body(status, 404,
					  "no such resource '%s' "
					  "(no load balancer in role %s)",
					  url,
					  config_role_name(ctx->cfg->role));
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		const struct api_route *rt = &routes[i];

		if (match(rt->pattern, url, &r))
			continue;
		known = true;
		if (!method_ok(rt->method, method))
			continue;
		if (rt->content_type)
			*content_type = rt->content_type;
		body = query_refused(rt, q, status);
		return body ? body : rt->handler(ctx, &r, status);
	}
	if (!known)
		return error_body(status, 404, "no such resource '%s'", url);
	return error_body(status, 405, "method %s is not allowed on %s", method,
			  url);
}
