// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluiced's firewall, whole lists (daemon/fwd_replace.c) without a data
 * path: a 10,000-rule list replaces an interface's rules in one step and
 * survives a restart (fw.json), other interfaces' rules are untouched,
 * a bad rule is named by its index and field with nothing changed, and
 * a named set is deleted only once no rule names it (the error names the
 * rule).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "fwd.h"

static int slot(const char *iface, void *arg)
{
	(void)arg;
	if (!strcmp(iface, "eth0"))
		return 1;
	if (!strcmp(iface, "eth1"))
		return 2;
	return -ENOENT;
}

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_fwd_bulk.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

static int add(struct fwd *f, const char *json, char *err, size_t len)
{
	struct json_object *o = json_tokener_parse(json);
	struct fw_rule r;
	int pos, rc;

	assert_non_null(o);
	rc = fwd_rule_from_json(o, &r, &pos, err, len);
	json_object_put(o);
	return rc ?: fwd_rule_add(f, &r, pos, err, len);
}

/* How many rules (@iface) has, and the src of its rule @k in @src. */
static size_t count(struct fwd *f, const char *iface, size_t k, char *src,
		    size_t len)
{
	struct json_object *a = fwd_rules_json(f, iface), *v;
	size_t n = json_object_array_length(a);

	src[0] = '\0';
	if (k < n && json_object_object_get_ex(json_object_array_get_idx(a, k),
					       "src", &v))
		snprintf(src, len, "%s", json_object_get_string(v));
	json_object_put(a);
	return n;
}

#define BULK_N 10000

static void fill(struct fw_rule *rules, size_t n)
{
	char err[FW_ERR_MAX], a[40];

	for (size_t i = 0; i < n; i++) {
		fw_rule_init(&rules[i]);
		snprintf(a, sizeof(a), "198.19.%zu.%zu/32", i / 256, i % 256);
		assert_int_equal(
			fw_rule_set(&rules[i], "src", a, err, sizeof(err)), 0);
		rules[i].action = SLUICE_FW_ACT_DROP;
	}
}

static void test_replace(void **state)
{
	static struct fw_rule rules[BULK_N];
	char err[512], src[64];
	struct fwd *f;

	(void)state;
	assert_int_equal(
		fwd_new(&f, NULL, slot, NULL, dir, NULL, err, sizeof(err)), 0);
	assert_int_equal(add(f,
			     "{\"iface\":\"eth0\",\"dir\":\"in\","
			     "\"proto\":\"tcp\",\"action\":\"accept\"}",
			     err, sizeof(err)),
			 0);
	assert_int_equal(add(f,
			     "{\"iface\":\"eth1\",\"dir\":\"in\","
			     "\"proto\":\"udp\",\"action\":\"drop\"}",
			     err, sizeof(err)),
			 0);
	fill(rules, BULK_N);
	assert_int_equal(fwd_rules_replace(f, "eth0", SLUICE_FW_IN, rules,
					   BULK_N, err, sizeof(err)),
			 0);
	assert_int_equal(count(f, "eth0", BULK_N - 1, src, sizeof(src)),
			 BULK_N);
	assert_string_equal(src, "198.19.39.15/32");
	assert_int_equal(count(f, "eth1", 0, src, sizeof(src)), 1);
	/* bad input: the index and the field named, nothing changed */
	fill(rules, 3);
	rules[2].proto = IPPROTO_ICMP;
	rules[2].sport.lo = 7;
	assert_int_equal(fwd_rules_replace(f, "eth0", SLUICE_FW_IN, rules, 3,
					   err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "rules[2]: sport: ports need proto tcp or udp "
				 "(proto is 'icmp')");
	assert_int_equal(fwd_rules_replace(f, "eth9", SLUICE_FW_IN, rules, 1,
					   err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
			    "iface: eth9 is not an interface sluiced manages");
	assert_int_equal(fwd_rules_replace(f, "eth0", SLUICE_FW_IN, rules,
					   SLUICE_FW_MAX_RULES + 1, err,
					   sizeof(err)),
			 -E2BIG);
	assert_int_equal(count(f, "eth0", 0, src, sizeof(src)), BULK_N);
	assert_string_equal(src, "198.19.0.0/32");
	fwd_free(f);

	/* the state file brings the 10,000 back */
	assert_int_equal(
		fwd_new(&f, NULL, slot, NULL, dir, NULL, err, sizeof(err)), 0);
	assert_int_equal(count(f, "eth0", BULK_N - 1, src, sizeof(src)),
			 BULK_N);
	assert_string_equal(src, "198.19.39.15/32");
	/* an empty list: no rules left there */
	assert_int_equal(fwd_rules_replace(f, "eth0", SLUICE_FW_IN, rules, 0,
					   err, sizeof(err)),
			 0);
	assert_int_equal(count(f, "eth0", 0, src, sizeof(src)), 0);
	assert_int_equal(count(f, "eth1", 0, src, sizeof(src)), 1);
	fwd_free(f);
}

static void test_set_del(void **state)
{
	struct json_object *a;
	char err[512];
	struct fwd *f;

	(void)state;
	/* a fresh start: rule ids from 1 */
	snprintf(err, sizeof(err), "%s/fw.json", dir);
	unlink(err);
	assert_int_equal(
		fwd_new(&f, NULL, slot, NULL, dir, NULL, err, sizeof(err)), 0);
	assert_int_equal(fwd_set_add(f, "a", err, sizeof(err)), 0);
	assert_int_equal(fwd_set_add(f, "b", err, sizeof(err)), 0);
	assert_int_equal(add(f,
			     "{\"iface\":\"eth1\",\"dir\":\"out\","
			     "\"dst\":\"@b\",\"action\":\"drop\"}",
			     err, sizeof(err)),
			 0);
	assert_int_equal(fwd_set_del(f, "b", err, sizeof(err)), -EBUSY);
	assert_string_equal(err, "name: set b is used by rule 1 (eth1 out); "
				 "delete the rule first");
	assert_int_equal(fwd_set_del(f, "nope", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "name: no set nope");
	assert_int_equal(fwd_set_del(f, "a", err, sizeof(err)), 0);
	a = fwd_sets_json(f);
	assert_int_equal(json_object_array_length(a), 1);
	json_object_put(a);
	/* a new set takes the free id, not b's */
	assert_int_equal(fwd_set_add(f, "c", err, sizeof(err)), 0);
	assert_int_equal(fwd_rule_del(f, "eth1", 1, err, sizeof(err)), 0);
	assert_int_equal(fwd_set_del(f, "b", err, sizeof(err)), 0);
	fwd_free(f);
	/* gone after a restart too */
	assert_int_equal(
		fwd_new(&f, NULL, slot, NULL, dir, NULL, err, sizeof(err)), 0);
	a = fwd_sets_json(f);
	assert_int_equal(json_object_array_length(a), 1);
	json_object_put(a);
	fwd_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_set_del),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
