// SPDX-License-Identifier: BSD-2-Clause
/*
 * GET /v1/neighbors?dev=&limit=&cursor=: the neighbours (ARP/ND entries)
 * the data path rewrites packets with, a page at a time (neigh_page.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include "api_internal.h"
#include "decimal.h"
#include "json_out.h"
#include "neigh_page.h"

static bool dev_known(struct state *st, const char *dev)
{
	struct st_link *lk, *tmp;

	HASH_ITER(hh, st->links, lk, tmp)
		if (!strcmp(lk->l.name, dev))
			return true;
	return false;
}

static struct json_object *neigh_json(struct state *st,
				      const struct st_neigh *e)
{
	struct json_object *n = json_object_new_object();
	char addr[INET6_ADDRSTRLEN];

	json_add_str(n, "dev", state_ifname(st, e->key.ifindex));
	json_add_int(n, "ifindex", e->key.ifindex);
	inet_ntop(e->key.family, e->key.addr, addr, sizeof(addr));
	json_add_str(n, "address", addr);
	json_add_mac(n, "mac", e->mac);
	json_add_str(n, "state", nl_neigh_state_name(e->state));
	json_add_bool(n, "programmed", e->programmed);
	return n;
}

/* {"neighbors": [...], "total": N, "next": CURSOR or null} */
static char *neighbors_body(struct state *st, const struct page *pg)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	char next[NEIGH_CURSOR_LEN];

	for (uint32_t i = 0; i < pg->n; i++)
		json_object_array_add(arr, neigh_json(st, pg->items[i]));
	json_object_object_add(o, "neighbors", arr);
	json_add_int(o, "total", (int64_t)pg->total);
	if (pg->more && pg->n) {
		neigh_cursor_str(page_key(pg, pg->n - 1), next, sizeof(next));
		json_add_str(o, "next", next);
	} else {
		json_object_object_add(o, "next", NULL);
	}
	return json_take(o);
}

char *api_get_neighbors(struct api_ctx *c, const struct api_req *r,
			unsigned int *status)
{
	const struct api_query *q = r->q;
	unsigned long limit = NEIGHS_LIMIT_DEFAULT;
	struct sluice_neigh_key cursor;
	struct st_neigh *e, *tmp;
	struct page pg;
	char *body;
	int rc;

	if (q->limit && decimal_parse(q->limit, 1, NEIGHS_LIMIT_MAX, &limit))
		return error_body(status, 400,
				  "limit: '%.64s' is not a number 1..%u",
				  q->limit, NEIGHS_LIMIT_MAX);
	if (q->cursor && neigh_cursor_parse(q->cursor, &cursor))
		return error_body(status, 400,
				  "cursor: '%.100s' is not a cursor (the "
				  "'next' of the previous page: ADDRESS,"
				  "IFINDEX)",
				  q->cursor);
	if (q->dev && !dev_known(c->st, q->dev))
		return error_body(status, 404, "dev: no interface '%s'",
				  q->dev);
	rc = page_init(&pg, &neigh_page_order, q->cursor ? &cursor : NULL,
		       (uint32_t)limit);
	if (rc)
		return api_fail(status, rc, "neighbors");
	HASH_ITER(hh, c->st->neighs, e, tmp) {
		if (q->dev &&
		    strcmp(q->dev, state_ifname(c->st, e->key.ifindex)))
			continue;
		page_offer(&pg, e);
	}
	page_finish(&pg);
	body = neighbors_body(c->st, &pg);
	page_free(&pg);
	return body;
}
