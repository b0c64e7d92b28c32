// SPDX-License-Identifier: BSD-2-Clause
/* Conntrack's control plane without a data path: the config section, the
 * runtime body and the state file (every bad value named, nothing
 * changed), the filter and page of /v1/conntrack, the cursor, an entry's
 * JSON and the heaviest sources. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "api.h"
#include "config.h"
#include "ct.h"
#include "dp_ct.h"

static char err[512];

static void expect_config_error(const char *json, const char *needle)
{
	struct sluiced_config cfg;

	config_init(&cfg);
	err[0] = '\0';
	assert_int_not_equal(config_parse_json(&cfg, json, err, sizeof(err)),
			     0);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
	config_free(&cfg);
}

static void test_config_section(void **state)
{
	struct sluiced_config cfg;
	struct sluice_ct_config dc, def;

	(void)state;
	config_init(&cfg);
	/* off and compiled defaults unless said */
	assert_false(cfg.ct.enabled);
	assert_int_equal(cfg.ct.max_entries, 0);
	ct_config_to_dp(&cfg.ct, &dc);
	dp_ct_default_config(&def);
	assert_memory_equal(&dc, &def, sizeof(dc));
	assert_int_equal(
		config_parse_json(&cfg,
				  "{\"conntrack\": {\"enabled\": true, "
				  "\"max_entries\": 2048, \"timeouts\": "
				  "{\"established\": 3600, \"unreplied\": 5}, "
				  "\"debug_fill\": true}}",
				  err, sizeof(err)),
		0);
	assert_true(cfg.ct.enabled);
	assert_true(cfg.ct.debug_fill);
	assert_int_equal(cfg.ct.max_entries, 2048);
	ct_config_to_dp(&cfg.ct, &dc);
	assert_int_equal(dc.enabled, 1);
	assert_int_equal(dc.timeout[SLUICE_CT_ESTABLISHED], 3600);
	assert_int_equal(dc.timeout[SLUICE_CT_UNREPLIED], 5);
	/* the others keep the compiled defaults */
	assert_int_equal(dc.timeout[SLUICE_CT_TIME_WAIT],
			 def.timeout[SLUICE_CT_TIME_WAIT]);
	assert_int_equal(dc.timeout[SLUICE_CT_REPLIED],
			 def.timeout[SLUICE_CT_REPLIED]);
	config_free(&cfg);
}

static void test_config_errors(void **state)
{
	(void)state;
	expect_config_error("{\"conntrack\": []}",
			    "conntrack: expected object");
	expect_config_error("{\"conntrack\": {\"enable\": true}}",
			    "unknown field 'conntrack.enable' (known: enabled, "
			    "max_entries, timeouts, debug_fill)");
	expect_config_error("{\"conntrack\": {\"enabled\": 1}}",
			    "conntrack.enabled: expected boolean, got int (1)");
	expect_config_error("{\"conntrack\": {\"max_entries\": 10}}",
			    "conntrack.max_entries: 10 is out of range "
			    "1024..16777216");
	expect_config_error("{\"conntrack\": {\"max_entries\": \"1M\"}}",
			    "conntrack.max_entries: expected int, got string");
	/* the value quoted as written: '/' not escaped */
	expect_config_error("{\"conntrack\": {\"max_entries\": \"1/s\"}}",
			    "conntrack.max_entries: expected int, got string "
			    "(\"1/s\")");
	expect_config_error(
		"{\"conntrack\": {\"timeouts\": {\"establishd\": 5}}}",
		"conntrack.timeouts: unknown state 'establishd' (known: "
		"syn_sent,");
	expect_config_error(
		"{\"conntrack\": {\"timeouts\": {\"established\": 0}}}",
		"conntrack.timeouts.established: 0 is out of range "
		"1..2147483647");
	expect_config_error(
		"{\"conntrack\": {\"timeouts\": {\"replied\": 2147483648}}}",
		"conntrack.timeouts.replied: 2147483648 is out of range");
	expect_config_error(
		"{\"conntrack\": {\"timeouts\": {\"replied\": -1}}}",
		"conntrack.timeouts.replied: -1 is out of range");
	expect_config_error("{\"conntrack\": {\"timeouts\": {\"none\": 5}}}",
			    "conntrack.timeouts: unknown state 'none'");
	expect_config_error("{\"conntrack\": {\"timeouts\": 5}}",
			    "conntrack.timeouts: expected object, got int (5)");
	expect_config_error("{\"conntrack\": {\"version\": 1}}",
			    "unknown field 'conntrack.version'");
	expect_config_error("{\"conntrak\": {}}",
			    "unknown field 'conntrak' (known: ");
}

static void test_backend_has_no_conntrack(void **state)
{
	struct sluiced_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(
		config_parse_json(&cfg,
				  "{\"role\": \"backend\", "
				  "\"conntrack\": {\"enabled\": true}}",
				  err, sizeof(err)),
		0);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "conntrack.enabled must be false"));
	config_free(&cfg);
}

/* The PUT body: enabled and timeouts only, into a copy, nothing changed
 * on error. */
static int runtime(struct ct_config *c, const char *json)
{
	struct json_object *o = json_tokener_parse(json);
	struct ct_config next = *c;
	int rc;

	assert_non_null(o);
	err[0] = '\0';
	rc = ct_config_parse(&next, o, "", CT_KEYS_RUNTIME, err, sizeof(err));
	json_object_put(o);
	if (!rc)
		*c = next;
	return rc;
}

static void test_runtime_body(void **state)
{
	struct ct_config c = { .max_entries = 4096 }, before;

	(void)state;
	assert_int_equal(runtime(&c, "{\"enabled\": true}"), 0);
	assert_true(c.enabled);
	assert_int_equal(runtime(&c, "{\"timeouts\": {\"time_wait\": 7}}"), 0);
	assert_int_equal(c.timeout[SLUICE_CT_TIME_WAIT], 7);
	assert_true(c.enabled); /* what the body leaves out stays */
	before = c;
	assert_int_equal(runtime(&c, "{\"enabled\": false, \"timeouts\": "
				     "{\"close\": 0}}"),
			 -EINVAL);
	assert_non_null(strstr(err, "timeouts.close: 0 is out of range"));
	assert_memory_equal(&c, &before, sizeof(c));
	assert_int_equal(runtime(&c, "{\"max_entries\": 8192}"), -EINVAL);
	assert_non_null(strstr(err, "unknown field 'max_entries' (known: "
				    "enabled, timeouts); it is set at start"));
	assert_int_equal(runtime(&c, "{\"debug_fill\": true}"), -EINVAL);
	assert_non_null(strstr(err, "'debug_fill'"));
	assert_int_equal(runtime(&c, "[1]"), -EINVAL);
	assert_non_null(strstr(err, "body: expected object"));
	assert_memory_equal(&c, &before, sizeof(c));
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_state_file(void **state)
{
	char dir[] = "/tmp/test_ct_api.XXXXXX", path[300];
	struct ct_config cfg = { .enabled = false, .max_entries = 4096 }, out;
	bool from_state = true;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, CT_STATE_FILE);
	/* no file: the config's settings */
	cfg.timeout[SLUICE_CT_CLOSE] = 3;
	assert_int_equal(ct_start_read(dir, &cfg, &out, &from_state, err,
				       sizeof(err)),
			 0);
	assert_false(from_state);
	assert_memory_equal(&out, &cfg, sizeof(cfg));
	/* a file wins for what it holds; max_entries stays the config's */
	write_file(path, "{\"version\": 1, \"enabled\": true, \"timeouts\": "
			 "{\"close\": 9, \"unreplied\": 5}}\n");
	assert_int_equal(ct_start_read(dir, &cfg, &out, &from_state, err,
				       sizeof(err)),
			 0);
	assert_true(from_state);
	assert_true(out.enabled);
	assert_int_equal(out.timeout[SLUICE_CT_CLOSE], 9);
	assert_int_equal(out.timeout[SLUICE_CT_UNREPLIED], 5);
	assert_int_equal(out.max_entries, 4096);
	/* a file sluiced cannot use is an error naming it, never ignored */
	write_file(path, "{\"version\": 2, \"enabled\": true}");
	assert_int_equal(ct_start_read(dir, &cfg, &out, &from_state, err,
				       sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "version: 2 is not 1"));
	write_file(path, "{\"enabled\": true, \"max_entries\": 5000}");
	assert_int_equal(ct_start_read(dir, &cfg, &out, &from_state, err,
				       sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "unknown field 'max_entries'"));
	write_file(path, "{\"enabled\": tru}");
	assert_int_equal(ct_start_read(dir, &cfg, &out, &from_state, err,
				       sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "invalid JSON at line 1"));
	unlink(path);
	rmdir(dir);
}

static int filter(const char *src, const char *dst, const char *proto,
		  const char *st, struct sluice_ct_filter *f)
{
	struct ct_filter_args a = {
		.src = src, .dst = dst, .proto = proto, .state = st
	};

	err[0] = '\0';
	return ct_filter_parse(&a, f, err, sizeof(err));
}

static void expect_filter_error(const char *src, const char *dst,
				const char *proto, const char *st,
				const char *needle)
{
	struct sluice_ct_filter f;

	assert_int_equal(filter(src, dst, proto, st, &f), -EINVAL);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
}

static void test_filter(void **state)
{
	struct sluice_ct_filter f, zero = {};
	uint8_t a[16] = {};

	(void)state;
	assert_int_equal(filter(NULL, NULL, NULL, NULL, &f), 0);
	assert_memory_equal(&f, &zero, sizeof(f));
	assert_int_equal(filter("198.18.1.77/24", "198.19.0.1", "tcp",
				"established", &f),
			 0);
	assert_int_equal(f.family, AF_INET);
	assert_int_equal(f.src_plen, 24);
	inet_pton(AF_INET, "198.18.1.0", a); /* host bits cleared */
	assert_memory_equal(f.src, a, 16);
	assert_int_equal(f.dst_plen, 32);
	assert_int_equal(f.proto, IPPROTO_TCP);
	assert_int_equal(f.state, SLUICE_CT_ESTABLISHED);
	assert_int_equal(filter(NULL, "2001:db8::/32", "icmpv6", NULL, &f), 0);
	assert_int_equal(f.family, AF_INET6);
	assert_int_equal(f.dst_plen, 32);
	assert_int_equal(f.proto, IPPROTO_ICMPV6);
	assert_int_equal(filter(NULL, NULL, "icmp", "replied", &f), 0);
	assert_int_equal(f.proto, IPPROTO_ICMP);
	assert_int_equal(f.family, 0);
	assert_int_equal(filter(NULL, NULL, "132", NULL, &f), 0);
	assert_int_equal(f.proto, 132);

	expect_filter_error("198.18.0.0/33", NULL, NULL, NULL,
			    "src: '198.18.0.0/33' is not an address or a "
			    "prefix");
	expect_filter_error("bogus", NULL, NULL, NULL, "src: 'bogus'");
	expect_filter_error(NULL, "2001:db8::/129", NULL, NULL,
			    "dst: '2001:db8::/129'");
	expect_filter_error(NULL, "198.18.0.0/", NULL, NULL,
			    "dst: '198.18.0.0/'");
	expect_filter_error("198.18.0.1", "2001:db8::1", NULL, NULL,
			    "dst: '2001:db8::1' is not of the family of src "
			    "'198.18.0.1'");
	expect_filter_error(NULL, NULL, "sctp", NULL,
			    "proto: 'sctp' is not one of tcp, udp, icmp, "
			    "icmpv6 or a number 1..255");
	expect_filter_error(NULL, NULL, "0", NULL, "proto: '0'");
	expect_filter_error(NULL, NULL, "256", NULL, "proto: '256'");
	expect_filter_error(NULL, NULL, "TCP", NULL, "proto: 'TCP'");
	expect_filter_error(NULL, NULL, NULL, "open",
			    "state: 'open' is not one of syn_sent");
	expect_filter_error(NULL, NULL, NULL, "none", "state: 'none'");
}

static void test_page_and_cursor(void **state)
{
	struct sluice_ct_key k = { .proto = IPPROTO_UDP, .family = AF_INET },
			     back;
	char cur[CT_CURSOR_LEN + 1];
	uint32_t n;
	bool has;

	(void)state;
	assert_int_equal(ct_page_parse(NULL, NULL, &n, &back, &has, err,
				       sizeof(err)),
			 0);
	assert_int_equal(n, CT_LIMIT_DEFAULT);
	assert_false(has);
	assert_int_equal(ct_page_parse("10000", NULL, &n, &back, &has, err,
				       sizeof(err)),
			 0);
	assert_int_equal(n, 10000);
	assert_int_equal(ct_page_parse("10001", NULL, &n, &back, &has, err,
				       sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "limit: '10001' is not a number 1..10000"));
	assert_int_equal(ct_page_parse("0", NULL, &n, &back, &has, err,
				       sizeof(err)),
			 -EINVAL);
	assert_int_equal(ct_page_parse("-1", NULL, &n, &back, &has, err,
				       sizeof(err)),
			 -EINVAL);
	assert_int_equal(ct_page_parse("1e3", NULL, &n, &back, &has, err,
				       sizeof(err)),
			 -EINVAL);
	inet_pton(AF_INET, "198.18.0.1", k.lo_addr);
	inet_pton(AF_INET, "198.19.0.1", k.hi_addr);
	k.lo_port = htons(1234);
	k.hi_port = htons(53);
	ct_cursor_str(&k, cur, sizeof(cur));
	assert_int_equal(strlen(cur), CT_CURSOR_LEN);
	assert_int_equal(
		ct_page_parse(NULL, cur, &n, &back, &has, err, sizeof(err)), 0);
	assert_true(has);
	assert_memory_equal(&back, &k, sizeof(k));
	cur[5] = 'X';
	assert_int_equal(ct_page_parse(NULL, cur, &n, &back, &has, err,
				       sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "cursor: '"));
	assert_int_equal(ct_page_parse(NULL, "abc", &n, &back, &has, err,
				       sizeof(err)),
			 -EINVAL);
}

static void test_entry_json(void **state)
{
	struct sluice_ct_key k = { .proto = IPPROTO_TCP, .family = AF_INET };
	struct sluice_ct_entry e = {};
	struct sluice_ct_config dc;
	struct json_object *o, *v;
	const uint64_t s = 1000000000ull;

	(void)state;
	dp_ct_default_config(&dc);
	/* the opener is the "hi" side: 198.19.0.2:40000 -> 198.18.0.1:80 */
	inet_pton(AF_INET, "198.18.0.1", k.lo_addr);
	inet_pton(AF_INET, "198.19.0.2", k.hi_addr);
	k.lo_port = htons(80);
	k.hi_port = htons(40000);
	e.flags = SLUICE_CTF_ORIG_HI | SLUICE_CTF_REPLIED;
	e.state = SLUICE_CT_ESTABLISHED;
	e.created_ns = 100 * s;
	e.last_seen_ns = 150 * s;
	e.packets[0] = 5;
	e.packets[1] = 4;
	e.bytes[0] = 500;
	e.bytes[1] = 40000;
	e.in_ifindex = 7;
	o = ct_entry_json(&k, &e, 160 * s, dc.timeout);
	assert_string_equal(
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		"{\"family\":\"ipv4\",\"proto\":\"tcp\",\"src\":\"198.19.0.2\","
		"\"sport\":40000,\"dst\":\"198.18.0.1\",\"dport\":80,"
		"\"state\":\"established\",\"flags\":[\"replied\"],"
		"\"age_s\":60,\"idle_s\":10,\"expires_s\":21590,"
		"\"packets_orig\":5,\"bytes_orig\":500,\"packets_reply\":4,"
		"\"bytes_reply\":40000,\"in_ifindex\":7}");
	json_object_put(o);
	/* ICMP: the identifier, no ports */
	k.proto = IPPROTO_ICMP;
	k.lo_port = k.hi_port = htons(77);
	e.state = SLUICE_CT_REPLIED;
	o = ct_entry_json(&k, &e, 160 * s, dc.timeout);
	assert_true(json_object_object_get_ex(o, "id", &v));
	assert_int_equal(json_object_get_int(v), 77);
	assert_false(json_object_object_get_ex(o, "sport", &v));
	assert_true(json_object_object_get_ex(o, "proto", &v));
	assert_string_equal(json_object_get_string(v), "icmp");
	json_object_put(o);
}

static void add_src(struct ct_top *t, const char *src, int n)
{
	struct sluice_ct_key k = { .proto = IPPROTO_UDP };
	struct sluice_ct_entry e = { .state = SLUICE_CT_UNREPLIED };
	int af = strchr(src, ':') ? AF_INET6 : AF_INET;

	k.family = (uint8_t)af;
	/* the opener on the lo side */
	inet_pton(af, src, k.lo_addr);
	for (int i = 0; i < n; i++)
		assert_int_equal(ct_top_add(t, &k, &e), 0);
}

static void test_top_sources(void **state)
{
	struct ct_top_entry out[CT_TOP_N];
	struct ct_top *t = ct_top_new();
	char a[32];
	size_t n;

	(void)state;
	assert_non_null(t);
	assert_int_equal(ct_top_result(t, out, CT_TOP_N), 0);
	add_src(t, "198.18.1.1", 3);
	add_src(t, "198.18.1.200", 2); /* the same /24 */
	add_src(t, "198.18.2.1", 7);
	add_src(t, "2001:db8:1:2:3::1", 4);
	add_src(t, "2001:db8:1:2:ffff::9", 1); /* the same /64 */
	for (int i = 0; i < 20; i++) {
		snprintf(a, sizeof(a), "198.19.%d.1", i);
		add_src(t, a, 1);
	}
	n = ct_top_result(t, out, CT_TOP_N);
	assert_int_equal(n, CT_TOP_N);
	assert_string_equal(out[0].prefix, "198.18.2.0/24");
	assert_int_equal(out[0].count, 7);
	assert_string_equal(out[1].prefix, "198.18.1.0/24");
	assert_int_equal(out[1].count, 5);
	assert_string_equal(out[2].prefix, "2001:db8:1:2::/64");
	assert_int_equal(out[2].count, 5);
	/* ties: the lower prefix first */
	assert_string_equal(out[3].prefix, "198.19.0.0/24");
	assert_string_equal(out[9].prefix, "198.19.6.0/24");
	assert_int_equal(ct_top_result(t, out, 2), 2);
	ct_top_reset(t);
	assert_int_equal(ct_top_result(t, out, CT_TOP_N), 0);
	ct_top_free(t);
}

/* Through the API's table: bad filters are 400 naming the field before
 * anything is looked at; without conntrack (the backend role) 404. */
static void expect_api(const char *method, const char *url,
		       const struct api_query *q, unsigned int want,
		       const char *needle)
{
	struct state st;
	struct sluiced_config cfg;
	struct api_ctx ctx = { .st = &st, .cfg = &cfg };
	const char *ctype;
	unsigned int status;
	char *body;

	config_init(&cfg);
	body = api_render(&ctx, method, url, q, &status, &ctype);
	assert_non_null(body);
	assert_int_equal(status, want);
	if (!strstr(body, needle))
		fail_msg("body '%s' lacks '%s'", body, needle);
	free(body);
	config_free(&cfg);
}

static void test_api_rejects(void **state)
{
	struct api_query q = {};

	(void)state;
	q.proto = "sctp";
	expect_api("GET", "/v1/conntrack", &q, 400, "proto: 'sctp'");
	expect_api("DELETE", "/v1/conntrack", &q, 400, "proto: 'sctp'");
	q.proto = NULL;
	q.state = "open";
	expect_api("GET", "/v1/conntrack", &q, 400, "state: 'open'");
	q.state = NULL;
	q.src = "198.18.0.0/40";
	expect_api("DELETE", "/v1/conntrack", &q, 400, "src: '198.18.0.0/40'");
	q.src = NULL;
	q.limit = "100000";
	expect_api("GET", "/v1/conntrack", &q, 400, "limit: '100000'");
	/* a page is GET's: a flush's row does not name limit */
	q.keys[0] = "limit";
	q.n_keys = 1;
	expect_api("DELETE", "/v1/conntrack", &q, 400,
		   "limit: unknown parameter (known: src, dst, proto, state)");
	q.keys[0] = NULL;
	q.n_keys = 0;
	q.limit = NULL;
	q.cursor = "zz";
	expect_api("GET", "/v1/conntrack", &q, 400, "cursor: 'zz'");
	q.cursor = NULL;
	/* a misspelt filter is refused, never a flush of everything */
	q.keys[0] = "srcc";
	q.n_keys = 1;
	expect_api("DELETE", "/v1/conntrack", &q, 400,
		   "srcc: unknown parameter (known: src, dst, proto, state");
	expect_api("GET", "/v1/conntrack", &q, 400, "srcc: unknown parameter");
	q.keys[0] = "src";
	q.keys[1] = "prefix";
	q.n_keys = 2;
	q.src = "198.18.0.0/15";
	expect_api("DELETE", "/v1/conntrack", &q, 400,
		   "prefix: unknown parameter");
	q.src = NULL;
	q.keys[0] = q.keys[1] = NULL;
	q.n_keys = 0;
	expect_api("GET", "/v1/conntrack", &q, 404, "no conntrack in role");
	expect_api("GET", "/v1/conntrack/count", &q, 404, "no conntrack");
	expect_api("PUT", "/v1/conntrack/config", &q, 404, "no conntrack");
	expect_api("POST", "/v1/conntrack/fill", &q, 404, "no conntrack");
	expect_api("POST", "/v1/conntrack", &q, 405, "method POST");
	expect_api("DELETE", "/v1/conntrack/count", &q, 405, "method DELETE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_section),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_backend_has_no_conntrack),
		cmocka_unit_test(test_runtime_body),
		cmocka_unit_test(test_state_file),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_page_and_cursor),
		cmocka_unit_test(test_entry_json),
		cmocka_unit_test(test_top_sources),
		cmocka_unit_test(test_api_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
