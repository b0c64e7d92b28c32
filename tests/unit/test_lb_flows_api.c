// SPDX-License-Identifier: BSD-2-Clause
/*
 * GET and DELETE /v1/lb/flows (daemon/api_lb_flows.c, lb_flow_query.c)
 * over a real flow table in a plain array: the filters by VIP, backend
 * and client, a walk in pages that gives every flow once, a flush that
 * removes what the filter names and nothing else, and bad input refused
 * with the parameter and the value named and the table unchanged.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include <cmocka.h>
#include "api.h"
#include "config.h"
#include "lb.h"
#include "dp_internal.h"
#include "fake_dp.h"
#include "lb_flow_table.h"

/* ---- the fuzz targets' data path (tests/fuzz/fake_dp.h), whose flow
 * table is plain memory; a second ops table without one ---- */

static struct dp *fake;
static struct lb_dp_ops no_table_ops;

/* ---- the model: two VIPs, flows of known clients ---- */

#define VIP1                                                                   \
	"{\"address\":\"198.18.100.1\",\"port\":80,\"protocol\":\"tcp\","      \
	"\"backends\":[{\"address\":\"198.18.2.11\"},"                         \
	"{\"address\":\"198.18.2.12\"}]}"
#define VIP2                                                                   \
	"{\"address\":\"2001:db8:100::1\",\"port\":53,\"protocol\":\"udp\","   \
	"\"backends\":[{\"address\":\"2001:db8:2::11\"},"                      \
	"{\"address\":\"198.18.2.11\"}]}"

static struct state api_st;
static struct sluiced_config api_cfg;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t add_vip(struct lb *lb, const char *text)
{
	struct json_object *o = json_tokener_parse(text);
	struct lb_vip_spec s;
	char err[256];
	uint32_t id = 0;

	assert_non_null(o);
	if (lb_vip_spec_from_json(o, "", &s, err, sizeof(err)))
		fail_msg("%s", err);
	json_object_put(o);
	if (lb_vip_add(lb, &s, &id, err, sizeof(err)))
		fail_msg("%s", err);
	lb_vip_spec_free(&s);
	return id;
}

/* The backend id @addr has in VIP @vip_id. */
static uint32_t be_id(struct lb *lb, uint32_t vip_id, const char *addr)
{
	const struct lb_backend *b;
	struct lb_addr a;

	assert_int_equal(lb_addr_parse(addr, &a), 0);
	b = lb_backend_find(lb_vip_get(lb, vip_id), &a);
	assert_non_null(b);
	return b->id;
}

/* Client 198.18.0.(i / 10 + 1):(1024 + i) of VIP @vip_id, or, for the
 * IPv6 VIP, 2001:db8:1::(i + 1). */
static void put_flow(struct lb *lb, uint32_t vip_id, unsigned int i,
		     uint32_t backend_id, uint64_t seen)
{
	struct sluice_flow_key k = {};
	struct sluice_flow v = { .vip_id = vip_id,
				 .backend_id = backend_id,
				 .last_seen_ns = seen };
	const struct lb_vip *vip = lb_vip_get(lb, vip_id);

	k.family = vip->conf.key.family;
	k.proto = vip->conf.key.proto;
	if (k.family == AF_INET) {
		memcpy(k.saddr, (__u8[]){ 198, 18, 0, (__u8)(i / 10 + 1) }, 4);
		memcpy(k.daddr, vip->conf.key.addr, 4);
	} else {
		inet_pton(AF_INET6, "2001:db8:1::", k.saddr);
		k.saddr[15] = (__u8)(i + 1);
		memcpy(k.daddr, vip->conf.key.addr, 16);
	}
	k.sport = htons((uint16_t)(1024 + i));
	k.dport = vip->conf.key.port;
	assert_int_equal(lb_flow_table_put(&fake->flows, &k, &v), 0);
}

/* A query with its arguments' names, as sluiced's HTTP layer makes it. */
struct q {
	const char *vip, *backend, *src, *limit, *cursor, *other;
};

static char *call(struct api_ctx *c, const char *method, const struct q *a,
		  unsigned int want)
{
	struct api_query q = { .vip = a->vip,
			       .backend = a->backend,
			       .src = a->src,
			       .limit = a->limit,
			       .cursor = a->cursor };
	const char *ctype;
	unsigned int status;
	char *out;

#define KEY(f)                                                                 \
	do {                                                                   \
		if (a->f)                                                      \
			q.keys[q.n_keys++] = #f;                               \
	} while (0)
	KEY(vip);
	KEY(backend);
	KEY(src);
	KEY(limit);
	KEY(cursor);
#undef KEY
	if (a->other)
		q.keys[q.n_keys++] = a->other;
	out = api_render(c, method, "/v1/lb/flows", &q, &status, &ctype);
	assert_non_null(out);
	if (status != want)
		fail_msg("%s /v1/lb/flows: %u, wanted %u: %s", method, status,
			 want, out);
	return out;
}

static void expect(struct api_ctx *c, const char *method, const struct q *a,
		   unsigned int want, const char *needle)
{
	char *out = call(c, method, a, want);

	if (!strstr(out, needle))
		fail_msg("%s /v1/lb/flows: '%s' lacks '%s'", method, out,
			 needle);
	free(out);
}

/* The flows of a GET, and its "next" into @next (empty: null). */
static int flows_of(struct api_ctx *c, const struct q *a, char *next,
		    size_t len)
{
	char *out = call(c, "GET", a, 200);
	struct json_object *o = json_tokener_parse(out), *v;
	int n;

	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "flows", &v));
	n = (int)json_object_array_length(v);
	next[0] = '\0';
	if (json_object_object_get_ex(o, "next", &v) && v)
		snprintf(next, len, "%s", json_object_get_string(v));
	json_object_put(o);
	free(out);
	return n;
}

static struct lb *lb;
static struct api_ctx ctx;
static uint32_t v1, v2;

/* VIP 1: 30 flows, clients 198.18.0.1-3, even ones on .11, odd on .12;
 * VIP 2: 5 flows on 2001:db8:2::11 and 3 on 198.18.2.11. */
static int setup(void **state)
{
	struct lb_settings s = { .flow_idle_timeout_s = 300 };
	uint64_t now = mono_ns();

	(void)state;
	fake = fuzz_dp_new();
	assert_non_null(fake);
	assert_int_equal(lb_new(&lb, fake, &fuzz_lb_ops, NULL, &s), 0);
	ctx = (struct api_ctx){ .st = &api_st, .cfg = &api_cfg, .lb = lb };
	v1 = add_vip(lb, VIP1);
	v2 = add_vip(lb, VIP2);
	for (unsigned int i = 0; i < 30; i++)
		put_flow(lb, v1, i,
			 be_id(lb, v1, i % 2 ? "198.18.2.12" : "198.18.2.11"),
			 now - 7000000000ull);
	for (unsigned int i = 0; i < 8; i++)
		put_flow(lb, v2, i,
			 be_id(lb, v2,
			       i < 5 ? "2001:db8:2::11" : "198.18.2.11"),
			 now);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lb_free(lb);
	fuzz_dp_free(fake);
	return 0;
}

static void test_one_flow_whole(void **state)
{
	char want[512], next[16];

	(void)state;
	/* client 198.18.0.1:1024, the first of VIP 1, on 198.18.2.11 */
	snprintf(want, sizeof(want),
		 "{\"vip\":\"198.18.100.1:80/tcp\",\"vip_id\":%u,"
		 "\"family\":\"ipv4\",\"proto\":\"tcp\",\"src\":\"198.18.0.1\","
		 "\"sport\":1024,\"dst\":\"198.18.100.1\",\"dport\":80,"
		 "\"backend\":\"198.18.2.11\",\"backend_id\":%u,\"idle_s\":7}",
		 v1, be_id(lb, v1, "198.18.2.11"));
	/* client 198.18.0.1 has 10 flows: a page of one says there is more */
	assert_int_equal(flows_of(&ctx,
				  &(struct q){ .src = "198.18.0.1",
					       .vip = "1",
					       .limit = "1" },
				  next, sizeof(next)),
			 1);
	assert_true(strlen(next) > 0);
	{
		struct q a = { .src = "198.18.0.1", .vip = "1" };
		char *out = call(&ctx, "GET", &a, 200);

		if (!strstr(out, want))
			fail_msg("'%s' lacks '%s'", out, want);
		assert_non_null(strstr(out, "\"next\":null"));
		assert_non_null(strstr(out, "\"slots\":2048"));
		assert_non_null(strstr(out, "\"scanned\":2048"));
		free(out);
	}
	expect(&ctx, "GET", &(struct q){ .src = "2001:db8:1::1" }, 200,
	       "\"family\":\"ipv6\",\"proto\":\"udp\",\"src\":\"2001:db8:1::1\","
	       "\"sport\":1024,\"dst\":\"2001:db8:100::1\",\"dport\":53,"
	       "\"backend\":\"2001:db8:2::11\"");
}

static void test_filters(void **state)
{
	char next[16];

	(void)state;
	assert_int_equal(flows_of(&ctx, &(struct q){ 0 }, next, sizeof(next)),
			 38);
	assert_string_equal(next, "");
	assert_int_equal(flows_of(&ctx, &(struct q){ .vip = "1" }, next,
				  sizeof(next)),
			 30);
	assert_int_equal(
		flows_of(&ctx, &(struct q){ .vip = "[2001:db8:100::1]:53/udp" },
			 next, sizeof(next)),
		8);
	/* a backend's address in either VIP, or in one */
	assert_int_equal(flows_of(&ctx, &(struct q){ .backend = "198.18.2.11" },
				  next, sizeof(next)),
			 18);
	assert_int_equal(flows_of(&ctx,
				  &(struct q){ .backend = "198.18.2.11",
					       .vip = "198.18.100.1:80/tcp" },
				  next, sizeof(next)),
			 15);
	assert_int_equal(flows_of(&ctx, &(struct q){ .src = "198.18.0.0/24" },
				  next, sizeof(next)),
			 30);
	/* clients 198.18.0.2 (flows 10-19): 5 on each backend */
	assert_int_equal(flows_of(&ctx,
				  &(struct q){ .src = "198.18.0.2",
					       .backend = "198.18.2.12" },
				  next, sizeof(next)),
			 5);
	assert_int_equal(flows_of(&ctx, &(struct q){ .src = "2001:db8:1::/64" },
				  next, sizeof(next)),
			 8);
	assert_int_equal(flows_of(&ctx, &(struct q){ .src = "198.19.0.0/16" },
				  next, sizeof(next)),
			 0);
}

static void test_pages(void **state)
{
	char next[16] = "", cursor[16];
	int total = 0, pages = 0, n;

	(void)state;
	do {
		snprintf(cursor, sizeof(cursor), "%s", next);
		n = flows_of(&ctx,
			     &(struct q){ .limit = "7",
					  .cursor = pages ? cursor : NULL },
			     next, sizeof(next));
		assert_true(n <= 7);
		total += n;
		pages++;
	} while (*next && pages < 20);
	assert_int_equal(total, 38);
	/* 5 full pages and one of 3, or a sixth full one and an empty
	 * seventh when the table ends on a full page */
	assert_true(pages == 6 || pages == 7);
	/* past the end: nothing, and no next */
	assert_int_equal(flows_of(&ctx, &(struct q){ .cursor = "4000000000" },
				  next, sizeof(next)),
			 0);
	assert_string_equal(next, "");
}

static void test_bad_input(void **state)
{
	static const struct {
		const char *method;
		struct q a;
		unsigned int status;
		const char *error;
	} bad[] = {
		{ "GET",
		  { .vip = "web" },
		  400,
		  "vip: 'web' is not a VIP (ADDR:PORT/PROTO, "
		  "[ADDR6]:PORT/PROTO or a vip_id 1..255)" },
		{ "GET", { .vip = "" }, 400, "vip: '' is not a VIP" },
		{ "DELETE", { .vip = "9" }, 404, "vip: 9 does not exist" },
		{ "DELETE",
		  { .vip = "198.18.100.1:81/tcp" },
		  404,
		  "vip: 198.18.100.1:81/tcp does not exist" },
		{ "DELETE",
		  { .backend = "198.18.2.300" },
		  400,
		  "backend: '198.18.2.300' is not an IPv4 or IPv6 address" },
		{ "DELETE",
		  { .backend = "198.18.2.99" },
		  404,
		  "backend: 198.18.2.99 is a backend of no VIP" },
		{ "DELETE",
		  { .backend = "2001:db8:2::11", .vip = "1" },
		  404,
		  "backend: 2001:db8:2::11 is not a backend of vip 1" },
		{ "DELETE",
		  { .src = "198.18.0.1/33" },
		  400,
		  "src: '198.18.0.1/33' is not an address or a prefix" },
		{ "DELETE", { .src = "198.18.0.1/24" }, 400, "host bits zero" },
		{ "GET",
		  { .limit = "0" },
		  400,
		  "limit: '0' is not a number 1..10000" },
		{ "GET", { .limit = "10001" }, 400, "limit: '10001'" },
		{ "GET",
		  { .cursor = "-1" },
		  400,
		  "cursor: '-1' is not a cursor" },
		{ "GET", { .cursor = "99999999999" }, 400, "cursor:" },
		{ "DELETE",
		  { .limit = "5" },
		  400,
		  "limit: unknown parameter (known: vip, backend, src)" },
		{ "DELETE",
		  { .cursor = "5" },
		  400,
		  "cursor: unknown parameter (known: vip, backend, src)" },
		{ "DELETE",
		  { .other = "backends" },
		  400,
		  "backends: unknown parameter (known: vip, backend, src)" },
		{ "GET",
		  { .other = "client" },
		  400,
		  "client: unknown parameter (known: vip, backend, src, "
		  "limit, cursor)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect(&ctx, bad[i].method, &bad[i].a, bad[i].status,
		       bad[i].error);
	/* nothing was flushed */
	assert_int_equal(lb_flow_table_count(&fake->flows), 38);
}

static void test_flush(void **state)
{
	char next[16];

	(void)state;
	/* VIP 1's flows of one backend: 15 of them, the other VIP's flows
	 * on the same address stay */
	expect(&ctx, "DELETE",
	       &(struct q){ .backend = "198.18.2.11", .vip = "1" }, 200,
	       "{\"flushed\":15}");
	assert_int_equal(lb_flow_table_count(&fake->flows), 23);
	assert_int_equal(flows_of(&ctx, &(struct q){ .backend = "198.18.2.11" },
				  next, sizeof(next)),
			 3);
	/* again: none left to flush */
	expect(&ctx, "DELETE",
	       &(struct q){ .backend = "198.18.2.11", .vip = "1" }, 200,
	       "{\"flushed\":0}");
	expect(&ctx, "DELETE", &(struct q){ .src = "2001:db8:1::4/126" }, 200,
	       "{\"flushed\":4}");
	/* the rest, all of it */
	expect(&ctx, "DELETE", &(struct q){ 0 }, 200, "{\"flushed\":19}");
	assert_int_equal(lb_flow_table_count(&fake->flows), 0);
	assert_int_equal(flows_of(&ctx, &(struct q){ 0 }, next, sizeof(next)),
			 0);
}

/* A flow whose VIP is gone keeps its ids; the names are null. */
static void test_flow_of_deleted_vip(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(lb_vip_del(lb, v2, err, sizeof(err)), 0);
	expect(&ctx, "GET", &(struct q){ .src = "2001:db8:1::1" }, 200,
	       "{\"vip\":null,\"vip_id\":2,\"family\":\"ipv6\"");
	expect(&ctx, "GET", &(struct q){ .src = "2001:db8:1::1" }, 200,
	       "\"backend\":null,\"backend_id\":");
}

static void test_no_table(void **state)
{
	struct lb_settings s = { .flow_idle_timeout_s = 300 };
	struct api_ctx c;
	struct lb *l;

	(void)state;
	no_table_ops = fuzz_lb_ops;
	no_table_ops.flow_table = NULL;
	assert_int_equal(lb_new(&l, fake, &no_table_ops, NULL, &s), 0);
	c = (struct api_ctx){ .st = &api_st, .cfg = &api_cfg, .lb = l };
	expect(&c, "GET", &(struct q){ 0 }, 404,
	       "lb flows: this role has no flow table");
	expect(&c, "DELETE", &(struct q){ 0 }, 404,
	       "lb flows: this role has no flow table");
	lb_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_flow_whole, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flow_of_deleted_vip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_table, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
