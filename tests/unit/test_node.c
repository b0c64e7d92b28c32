// SPDX-License-Identifier: BSD-2-Clause
/* The node's drain and the "announce" and "node" config sections: bad
 * input named and refused with nothing changed, a drain while draining
 * refused (409) with the drain in progress intact, and sluicectl node's
 * requests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "cli.h"
#include "config.h"
#include "lb_announce.h"
#include "node.h"

static char err[512];

static int parse(struct sluiced_config *cfg, const char *json)
{
	err[0] = '\0';
	return config_parse_json(cfg, json, err, sizeof(err));
}

static void expect_error(const char *json, const char *needle)
{
	struct sluiced_config cfg;

	config_init(&cfg);
	assert_int_equal(parse(&cfg, json), -EINVAL);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
	/* nothing of the bad section stays */
	assert_false(cfg.announce.enabled);
	assert_int_equal(cfg.announce.table, ANNOUNCE_TABLE_DEFAULT);
	assert_int_equal(cfg.announce.protocol, ANNOUNCE_PROTO_DEFAULT);
	assert_false(cfg.announce.gshut);
	assert_int_equal(cfg.announce.gshut_table,
			 ANNOUNCE_GSHUT_TABLE_DEFAULT);
	assert_int_equal(cfg.sigterm_grace_s, 0);
	config_free(&cfg);
}

static void test_config_defaults(void **state)
{
	struct sluiced_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(parse(&cfg, "{}"), 0);
	assert_false(cfg.announce.enabled);
	assert_int_equal(cfg.announce.table, 83);
	assert_int_equal(cfg.announce.protocol, 83);
	assert_int_equal(cfg.sigterm_grace_s, 0);
	assert_int_equal(parse(&cfg, "{\"announce\": {\"enabled\": true, "
				     "\"table\": 1000, \"protocol\": 200}, "
				     "\"node\": {\"sigterm_grace_s\": 30}}"),
			 0);
	assert_true(cfg.announce.enabled);
	assert_int_equal(cfg.announce.table, 1000);
	assert_int_equal(cfg.announce.protocol, 200);
	assert_int_equal(cfg.sigterm_grace_s, 30);
	assert_false(cfg.announce.gshut);
	assert_int_equal(cfg.announce.gshut_table, 84);
	assert_int_equal(parse(&cfg, "{\"announce\": {\"drain\": "
				     "\"graceful_shutdown\", \"gshut_table\": "
				     "99}}"),
			 0);
	assert_true(cfg.announce.gshut);
	assert_int_equal(cfg.announce.gshut_table, 99);
	assert_int_equal(parse(&cfg, "{\"announce\": {\"drain\": "
				     "\"withdraw\"}}"),
			 0);
	assert_false(cfg.announce.gshut);
	config_free(&cfg);
}

static void test_config_errors(void **state)
{
	(void)state;
	expect_error("{\"announce\": {\"table\": 254, \"enabled\": true}}",
		     "announce.table: 254 is the kernel's main table");
	expect_error("{\"announce\": {\"enabled\": true, \"table\": 255}}",
		     "announce.table: 255 is the kernel's local table");
	expect_error("{\"announce\": {\"table\": 0}}",
		     "announce.table: 0 is out of range");
	expect_error("{\"announce\": {\"table\": \"83\"}}",
		     "announce.table: expected an integer");
	expect_error("{\"announce\": {\"protocol\": 4}}",
		     "announce.protocol: 4 is out of range 5..255");
	expect_error("{\"announce\": {\"protocol\": 256}}",
		     "announce.protocol: 256 is out of range 5..255");
	expect_error("{\"announce\": {\"enabled\": 1}}",
		     "announce.enabled: expected true or false");
	expect_error("{\"announce\": {\"tabel\": 83}}",
		     "unknown field 'announce.tabel'");
	expect_error("{\"announce\": []}", "announce: expected an object");
	expect_error("{\"announce\": {\"drain\": \"gshut\"}}",
		     "announce.drain: 'gshut' is not withdraw or "
		     "graceful_shutdown");
	expect_error("{\"announce\": {\"drain\": true}}",
		     "announce.drain: 'true' is not withdraw");
	expect_error("{\"announce\": {\"gshut_table\": 83}}",
		     "announce.gshut_table: 83 is announce.table too");
	expect_error("{\"announce\": {\"table\": 90, \"gshut_table\": 90}}",
		     "announce.gshut_table: 90 is announce.table too");
	expect_error("{\"announce\": {\"gshut_table\": 254}}",
		     "announce.gshut_table: 254 is the kernel's main table");
	expect_error("{\"node\": {\"sigterm_grace_s\": -1}}",
		     "node.sigterm_grace_s: -1 is out of range 0..86400");
	expect_error("{\"node\": {\"sigterm_grace_s\": 86401}}",
		     "node.sigterm_grace_s: 86401 is out of range");
	expect_error("{\"node\": {\"grace\": 3}}",
		     "unknown field 'node.grace'");
}

/* Announcing off: no netlink, the drain state alone. */
static void test_drain_states(void **state)
{
	struct announce_conf c;
	struct announce *an = NULL;
	struct node *n = NULL;
	struct json_object *o;

	(void)state;
	announce_conf_init(&c);
	assert_int_equal(announce_new(&an, &c, NULL), 0);
	assert_false(announce_enabled(an));
	assert_int_equal(node_new(&n, an, 0), 0);
	assert_false(node_draining(n));
	assert_int_equal(node_undrain(n, err, sizeof(err)), -EALREADY);
	assert_non_null(strstr(err, "not draining"));
	assert_int_equal(node_drain(n, 86401, err, sizeof(err)), -EINVAL);
	assert_false(node_draining(n));
	assert_int_equal(node_drain(n, 30, err, sizeof(err)), 0);
	assert_true(node_draining(n));
	assert_int_equal(node_drain(n, 5, err, sizeof(err)), -EALREADY);
	assert_non_null(strstr(err, "already draining"));
	o = node_json(n);
	assert_string_equal(
		json_object_get_string(json_object_object_get(o, "state")),
		"draining");
	/* the first drain's grace, not the refused one's */
	assert_int_equal(
		json_object_get_int(json_object_object_get(o, "grace_s")), 30);
	json_object_put(o);
	/* no grace configured, no loop: SIGTERM exits at once */
	assert_false(node_sigterm(n));
	assert_int_equal(node_undrain(n, err, sizeof(err)), 0);
	assert_false(node_draining(n));
	o = node_json(n);
	assert_string_equal(
		json_object_get_string(json_object_object_get(o, "state")),
		"active");
	json_object_put(o);
	node_free(n);
	announce_free(an, true);
}

static void test_drain_body(void **state)
{
	struct json_object *o;
	uint32_t g = 7;

	(void)state;
	assert_int_equal(node_drain_body(NULL, &g, err, sizeof(err)), 0);
	assert_int_equal(g, 0);
	o = json_tokener_parse("{\"grace_s\": 12}");
	assert_int_equal(node_drain_body(o, &g, err, sizeof(err)), 0);
	assert_int_equal(g, 12);
	json_object_put(o);
	o = json_tokener_parse("{\"grace\": 12}");
	assert_int_equal(node_drain_body(o, &g, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown field 'grace'"));
	json_object_put(o);
	o = json_tokener_parse("{\"grace_s\": \"12\"}");
	assert_int_equal(node_drain_body(o, &g, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(
		err, "grace_s: '12' is not an integer (seconds, 0..86400)"));
	json_object_put(o);
	assert_int_equal(g, 12);
}

static int cli_args(const char *line, struct cli_query *q)
{
	char buf[256], *argv[16];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 15; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	err[0] = '\0';
	return cli_node_args(argc, argv, q, err, sizeof(err));
}

static void test_cli(void **state)
{
	struct cli_query q;

	(void)state;
	assert_int_equal(cli_args("", &q), 0);
	assert_string_equal(q.path, "/v1/node");
	assert_string_equal(q.method, "GET");
	cli_query_free(&q);
	assert_int_equal(cli_args("drain --grace 30 -j", &q), 0);
	assert_string_equal(q.path, "/v1/node/drain");
	assert_string_equal(q.method, "POST");
	assert_true(q.json);
	assert_string_equal(cli_body_string(&q), "{\"grace_s\":30}");
	cli_query_free(&q);
	assert_int_equal(cli_args("undrain", &q), 0);
	assert_string_equal(q.path, "/v1/node/undrain");
	assert_string_equal(cli_body_string(&q), "{}");
	cli_query_free(&q);
	assert_int_equal(cli_args("drain --grace 86401", &q), -EINVAL);
	assert_non_null(strstr(err, "--grace '86401'"));
	cli_query_free(&q);
	assert_int_equal(cli_args("drain --grace", &q), -EINVAL);
	cli_query_free(&q);
	assert_int_equal(cli_args("undrain --grace 3", &q), -EINVAL);
	cli_query_free(&q);
	assert_int_equal(cli_args("bogus", &q), -EINVAL);
	cli_query_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_drain_states),
		cmocka_unit_test(test_drain_body),
		cmocka_unit_test(test_cli),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
