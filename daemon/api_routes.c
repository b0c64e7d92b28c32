// SPDX-License-Identifier: BSD-2-Clause
/*
 * GET /v1/routes?family=&prefix=&limit=&cursor=: the routes in the data
 * path, a page at a time in prefix order (route_page.h), or with a bare
 * address as prefix the one route it takes (as `ip route get`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include <linux/rtnetlink.h>
#include "api_internal.h"
#include "decimal.h"
#include "json_out.h"
#include "route_page.h"
#include "rt_protos.h"

static const char *table_name(uint32_t t, char *buf, size_t len)
{
	if (t == RT_TABLE_MAIN)
		return "main";
	if (t == RT_TABLE_LOCAL)
		return "local";
	snprintf(buf, len, "%u", t);
	return buf;
}

static const char *rt_type_name(uint8_t t)
{
	switch (t) {
	case SLUICE_RT_FORWARD: return "forward";
	case SLUICE_RT_LOCAL: return "local";
	default: return "kernel";
	}
}

/* "ADDR/LEN" */
static void prefix_str(const struct prefix_key *k, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(k->family, k->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, k->len);
}

static struct json_object *route_json(struct state *st,
				      const struct st_prefix *p)
{
	struct json_object *o = json_object_new_object();
	struct json_object *nhs = json_object_new_array();
	const struct st_variant *v = p->best;
	char addr[INET6_ADDRSTRLEN], buf[64], num[16];
	struct nl_route *r = malloc(sizeof(*r));

	prefix_str(&p->key, buf, sizeof(buf));
	json_add_str(o, "prefix", buf);
	json_add_int(o, "family", p->key.family == AF_INET ? 4 : 6);
	json_add_str(o, "table", table_name(v->table, num, sizeof(num)));
	json_add_int(o, "metric", v->priority);
	json_add_str(o, "protocol",
		     rt_proto_name(v->protocol, num, sizeof(num)));
	json_add_str(o, "type", rt_type_name(p->programmed.type));
	if (v->nh_id)
		json_add_int(o, "nhid", v->nh_id);
	/* the nexthops as forwarded: a nexthop object's are resolved */
	if (r)
		state_route_of(st, p, r);
	for (int i = 0; r && i < r->n_nh; i++) {
		struct json_object *nh = json_object_new_object();

		if (r->nh[i].gw_family)
			inet_ntop(r->nh[i].gw_family, r->nh[i].gw, addr,
				  sizeof(addr));
		else
			addr[0] = '\0';
		json_add_str(nh, "via", addr);
		json_add_str(nh, "dev", state_ifname(st, r->nh[i].ifindex));
		json_add_int(nh, "ifindex", r->nh[i].ifindex);
		json_add_int(nh, "weight", r->nh[i].weight);
		json_object_array_add(nhs, nh);
	}
	free(r);
	json_object_object_add(o, "nexthops", nhs);
	return o;
}

static bool prefix_contains(const struct prefix_key *outer,
			    const struct prefix_key *inner)
{
	if (outer->family != inner->family || inner->len < outer->len)
		return false;
	for (unsigned int b = 0; b < outer->len; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));

		if ((outer->addr[b / 8] & m) != (inner->addr[b / 8] & m))
			return false;
	}
	return true;
}

/* "ADDR/LEN" or "ADDR" → key; -EINVAL otherwise. */
static int parse_prefix(const char *s, struct prefix_key *k)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long len;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, k->addr) == 1)
		k->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, k->addr) == 1)
		k->family = AF_INET6;
	else
		return -EINVAL;
	len = k->family == AF_INET ? 32 : 128;
	if (slash) {
		long max = len;

		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || len < 0 || len > max)
			return -EINVAL;
	}
	k->len = (uint8_t)len;
	return 0;
}

/* A bit set past @k's length: 198.18.0.1/24, which no route prints as. */
static bool prefix_has_host_bits(const struct prefix_key *k)
{
	unsigned int bits = k->family == AF_INET ? 32 : 128;

	for (unsigned int b = k->len; b < bits; b++)
		if (k->addr[b / 8] & (0x80 >> (b % 8)))
			return true;
	return false;
}

/* The answer: {"routes": [...], "total": N, "next": PREFIX or null}. */
static char *routes_body(struct state *st, const void *const *items, uint32_t n,
			 uint64_t total, const char *next)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();

	for (uint32_t i = 0; i < n; i++)
		json_object_array_add(arr, route_json(st, items[i]));
	json_object_object_add(o, "routes", arr);
	json_add_int(o, "total", (int64_t)total);
	if (next)
		json_add_str(o, "next", next);
	else
		json_object_object_add(o, "next", NULL);
	return json_take(o);
}

char *api_get_routes(struct api_ctx *c, const struct api_req *r,
		     unsigned int *status)
{
	const struct api_query *q = r->q;
	const struct st_prefix *longest = NULL;
	const void *one;
	struct prefix_key filter, cursor;
	struct st_prefix *p, *tmp;
	struct state *st = c->st;
	struct page pg;
	char next[INET6_ADDRSTRLEN + 8];
	unsigned long limit = ROUTES_LIMIT_DEFAULT;
	bool lookup = false;
	int family = 0, rc;
	char *body;

	/* a misspelt parameter never gets here: api_dispatch.c's row */
	if (q->family) {
		if (!strcmp(q->family, "4"))
			family = AF_INET;
		else if (!strcmp(q->family, "6"))
			family = AF_INET6;
		else
			return error_body(status, 400,
					  "family: '%.64s' is not 4 or 6",
					  q->family);
	}
	if (q->prefix) {
		if (parse_prefix(q->prefix, &filter))
			return error_body(
				status, 400,
				"prefix: '%.100s' is not an IPv4/IPv6 prefix",
				q->prefix);
		lookup = !strchr(q->prefix, '/');
	}
	if (q->limit && decimal_parse(q->limit, 1, ROUTES_LIMIT_MAX, &limit))
		return error_body(status, 400,
				  "limit: '%.64s' is not a number 1..%u",
				  q->limit, ROUTES_LIMIT_MAX);
	if (q->cursor &&
	    (!strchr(q->cursor, '/') || parse_prefix(q->cursor, &cursor)))
		return error_body(status, 400,
				  "cursor: '%.100s' is not a cursor (the "
				  "'next' of the previous page: a prefix)",
				  q->cursor);
	/* it would sort after 198.18.0.0/25 and skip it */
	if (q->cursor && prefix_has_host_bits(&cursor))
		return error_body(status, 400,
				  "cursor: '%.100s' has host bits set past its "
				  "length (a page's 'next' has none)",
				  q->cursor);
	if (lookup && (q->limit || q->cursor))
		return error_body(status, 400,
				  "%s: not with prefix=ADDR, which gives the "
				  "one route ADDR takes",
				  q->limit ? "limit" : "cursor");
	if (lookup) {
		HASH_ITER(hh, st->prefixes, p, tmp) {
			if (!p->is_programmed || !p->best ||
			    (family && p->key.family != family))
				continue;
			if (prefix_contains(&p->key, &filter) &&
			    (!longest || p->key.len > longest->key.len))
				longest = p;
		}
		one = longest;
		return routes_body(st, &one, longest ? 1 : 0, longest ? 1 : 0,
				   NULL);
	}
	rc = page_init(&pg, &route_page_order, q->cursor ? &cursor : NULL,
		       (uint32_t)limit);
	if (rc)
		return api_fail(status, rc, "routes");
	HASH_ITER(hh, st->prefixes, p, tmp) {
		if (!p->is_programmed || !p->best ||
		    (family && p->key.family != family) ||
		    (q->prefix && !prefix_contains(&filter, &p->key)))
			continue;
		page_offer(&pg, p);
	}
	page_finish(&pg);
	if (pg.more && pg.n)
		prefix_str(page_key(&pg, pg.n - 1), next, sizeof(next));
	body = routes_body(st, pg.items, pg.n, pg.total,
			   pg.more && pg.n ? next : NULL);
	page_free(&pg);
	return body;
}
