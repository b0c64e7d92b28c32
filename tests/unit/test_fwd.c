// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluiced's firewall model (daemon/fwd*.c) without a data path: rules by
 * position, deletion, policies, named sets from a file, bad input naming
 * the field with nothing changed, the state file's round trip, the
 * config's "fw" section, `fw check` over several interfaces, and
 * POST /v1/fw/rules refusing a rule (400, nothing changed, no id used).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "api.h"
#include "config.h"
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
	strcpy(dir, "/tmp/test_fwd.XXXXXX");
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

/* The rules' ids in order, as "1,3,2". */
static void ids(struct fwd *f, char *buf, size_t len)
{
	struct json_object *a = fwd_rules_json(f, NULL);
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *v;

		json_object_object_get_ex(json_object_array_get_idx(a, i), "id",
					  &v);
		n += (size_t)snprintf(buf + n, len - n, "%s%d", i ? "," : "",
				      json_object_get_int(v));
	}
	json_object_put(a);
}

static void test_rules(void **state)
{
	struct fwd *f;
	char err[512], buf[128];

	(void)state;
	assert_int_equal(
		fwd_new(&f, NULL, slot, NULL, dir, NULL, err, sizeof(err)), 0);
	assert_int_equal(add(f,
			     "{\"iface\":\"eth0\",\"dir\":\"in\","
			     "\"proto\":\"tcp\",\"dport\":22,"
			     "\"action\":\"accept\"}",
			     err, sizeof(err)),
			 0);
	assert_int_equal(add(f,
			     "{\"iface\":\"eth0\",\"dir\":\"in\","
			     "\"action\":\"drop\"}",
			     err, sizeof(err)),
			 0);
	assert_int_equal(add(f,
			     "{\"iface\":\"eth0\",\"dir\":\"in\","
			     "\"src\":\"198.18.0.0/24\",\"action\":\"drop\","
			     "\"position\":1}",
			     err, sizeof(err)),
			 0);
	assert_int_equal(add(f,
			     "{\"iface\":\"eth1\",\"dir\":\"out\","
			     "\"action\":\"reject\"}",
			     err, sizeof(err)),
			 0);
	ids(f, buf, sizeof(buf));
	assert_string_equal(buf, "3,1,2,4");
	/* bad input: the field named, nothing changed */
	assert_int_equal(add(f,
			     "{\"iface\":\"eth0\",\"dir\":\"in\","
			     "\"dport\":70000,\"proto\":\"tcp\","
			     "\"action\":\"drop\"}",
			     err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "dport: 70000 is not a port");
	/* no action: refused, not an accept (docs/firewall.md: required) */
	assert_int_equal(add(f, "{\"iface\":\"eth0\",\"dir\":\"in\"}", err,
			     sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "action: required (accept, drop or reject)");
	assert_int_equal(add(f,
			     "{\"iface\":\"eth9\",\"dir\":\"in\","
			     "\"action\":\"drop\"}",
			     err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
			    "iface: eth9 is not an interface sluiced manages");
	assert_int_equal(add(f,
			     "{\"iface\":\"eth0\",\"dir\":\"in\","
			     "\"action\":\"drop\",\"position\":9}",
			     err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "position: 9 is past the end (eth0 in has "
				 "3 rules)");
	assert_int_equal(add(f,
			     "{\"iface\":\"eth0\",\"dir\":\"in\","
			     "\"src\":\"@nope\",\"action\":\"drop\"}",
			     err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "src: @nope is not a named set");
	assert_int_equal(add(f,
			     "{\"iface\":\"eth0\",\"dir\":\"in\","
			     "\"action\":true}",
			     err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "action: expected a string or a number");
	ids(f, buf, sizeof(buf));
	assert_string_equal(buf, "3,1,2,4");
	assert_int_equal(fwd_rule_del(f, "eth1", 3, err, sizeof(err)), -ENOENT);
	assert_int_equal(fwd_rule_del(f, "eth0", 1, err, sizeof(err)), 0);
	ids(f, buf, sizeof(buf));
	assert_string_equal(buf, "3,2,4");
	assert_int_equal(fwd_policy_set(f, "eth0", SLUICE_FW_IN,
					SLUICE_FW_ACT_DROP, err, sizeof(err)),
			 0);
	fwd_free(f);

	/* the state file brings it all back, ids included */
	assert_int_equal(
		fwd_new(&f, NULL, slot, NULL, dir, NULL, err, sizeof(err)), 0);
	ids(f, buf, sizeof(buf));
	assert_string_equal(buf, "3,2,4");
	{
		struct json_object *p = fwd_policies_json(f);
		const char *t = json_object_to_json_string(p);

		assert_non_null(strstr(t, "\"policy\": \"drop\""));
		json_object_put(p);
	}
	/* a new id never reuses one in use */
	assert_int_equal(add(f,
			     "{\"iface\":\"eth0\",\"dir\":\"out\","
			     "\"action\":\"drop\"}",
			     err, sizeof(err)),
			 0);
	ids(f, buf, sizeof(buf));
	assert_string_equal(buf, "3,2,4,5");
	fwd_free(f);
}

static void test_sets_and_check(void **state)
{
	struct json_object *a, *cfg;
	struct fwd *f;
	char err[512], path[128];
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/set.txt", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("# bad ones\n198.18.7.0/24\n\n2001:db8:7::/48  # v6\n", fp);
	fclose(fp);
	snprintf(err, sizeof(err),
		 "{\"sets\":[{\"name\":\"bad\",\"file\":\"%s\"}],"
		 "\"rules\":[{\"iface\":\"eth0\",\"dir\":\"in\","
		 "\"src\":\"@bad\",\"action\":\"drop\"},"
		 "{\"iface\":\"eth0\",\"dir\":\"in\",\"src\":\"@bad\","
		 "\"proto\":\"tcp\",\"action\":\"accept\"},"
		 "{\"iface\":\"eth1\",\"dir\":\"in\",\"proto\":\"udp\","
		 "\"action\":\"drop\"},"
		 "{\"iface\":\"eth1\",\"dir\":\"in\",\"proto\":\"udp\","
		 "\"action\":\"accept\"}]}",
		 path);
	cfg = json_tokener_parse(err);
	assert_non_null(cfg);
	/* no fw.json in an empty dir: the config is used */
	snprintf(path, sizeof(path), "%s/cfg", dir);
	assert_int_equal(
		fwd_new(&f, NULL, slot, NULL, path, cfg, err, sizeof(err)), 0);
	json_object_put(cfg);
	a = fwd_sets_json(f);
	assert_string_equal(json_object_to_json_string(a),
			    "[ { \"name\": \"bad\", \"prefixes\": 2 } ]");
	json_object_put(a);
	a = fwd_check_json(f);
	assert_int_equal(json_object_array_length(a), 2);
	assert_non_null(strstr(json_object_to_json_string(a),
			       "\"issue\": \"shadowed\", \"rule\": 2, "
			       "\"by\": 1"));
	assert_non_null(strstr(json_object_to_json_string(a),
			       "\"issue\": \"contradicts\", \"rule\": 4, "
			       "\"by\": 3"));
	json_object_put(a);
	/* a set file with a bad line: named with its number, nothing
	 * changed */
	snprintf(path, sizeof(path), "%s/set2.txt", dir);
	fp = fopen(path, "w");
	fputs("198.18.8.0/24\n198.18.9.300/24\n", fp);
	fclose(fp);
	assert_int_equal(fwd_set_load(f, "bad", path, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "line 2: 198.18.9.300/24 is not a "
				    "prefix"));
	a = fwd_sets_json(f);
	assert_non_null(
		strstr(json_object_to_json_string(a), "\"prefixes\": 2"));
	json_object_put(a);
	/* only a regular file is a set file: a directory read as 0
	 * prefixes, and /dev/zero's endless empty lines held the event
	 * loop for good (a request that times out in tests/fuzz/fuzz_api).
	 * The directory first: without the check it fails, not hangs. */
	assert_int_equal(fwd_set_load(f, "bad", dir, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fwd_set_load(f, "bad", "/dev/zero", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "file: /dev/zero is not a regular file");
	assert_int_equal(fwd_set_add(f, "bad", err, sizeof(err)), -EEXIST);
	assert_int_equal(fwd_set_add(f, "no spaces", err, sizeof(err)),
			 -EINVAL);
	fwd_free(f);
	/* a bad config: the field and the rule's index */
	cfg = json_tokener_parse("{\"rules\":[{\"iface\":\"eth0\","
				 "\"dir\":\"in\",\"sport\":\"5-3\","
				 "\"proto\":\"udp\",\"action\":\"drop\"}]}");
	snprintf(path, sizeof(path), "%s/cfg2", dir);
	assert_int_equal(fwd_new(&f, NULL, slot, NULL, path, cfg, err,
				 sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "fw.rules[0].sport: 5-3 is not a range (the "
				 "first port is above the last)");
	json_object_put(cfg);
}

/* One request to the API: its status must be @want; the answer's "id"
 * (the rule's) or 0. */
static int post_rule(struct api_ctx *c, const char *body, unsigned int want,
		     const char *needle)
{
	struct api_query q = { .body = body, .body_len = strlen(body) };
	struct json_object *o, *v;
	const char *ctype;
	unsigned int status;
	char *out = api_render(c, "POST", "/v1/fw/rules", &q, &status, &ctype);
	int id = 0;

	assert_non_null(out);
	if (status != want || !strstr(out, needle))
		fail_msg("POST %s: %u '%s', wanted %u with '%s'", body, status,
			 out, want, needle);
	o = json_tokener_parse(out);
	if (o && json_object_object_get_ex(o, "id", &v))
		id = json_object_get_int(v);
	json_object_put(o);
	free(out);
	return id;
}

/* A rule naming a set that does not exist is bad input of the request:
 * 400 naming the field and value, as a rule on an unknown interface; no
 * rule added, and no rule id used up (the next rule gets the next id). */
static void test_api_refused_rule(void **state)
{
	struct sluiced_config cfg;
	struct api_ctx c = { .cfg = &cfg };
	struct fwd *f;
	char err[512], path[128], buf[128];

	(void)state;
	config_init(&cfg);
	snprintf(path, sizeof(path), "%s/refused", dir);
	assert_int_equal(
		fwd_new(&f, NULL, slot, NULL, path, NULL, err, sizeof(err)), 0);
	c.fw = f;
	assert_int_equal(post_rule(&c,
				   "{\"iface\":\"eth0\",\"dir\":\"in\","
				   "\"proto\":\"tcp\",\"dport\":22,"
				   "\"action\":\"accept\"}",
				   201, "\"id\""),
			 1);
	assert_int_equal(post_rule(&c,
				   "{\"iface\":\"eth0\",\"dir\":\"in\","
				   "\"proto\":\"tcp\",\"dport\":23,"
				   "\"action\":\"drop\"}",
				   201, "\"id\""),
			 2);
	post_rule(&c,
		  "{\"iface\":\"eth0\",\"dir\":\"in\",\"src\":\"@nosuch\","
		  "\"action\":\"drop\"}",
		  400, "src: @nosuch is not a named set");
	post_rule(&c,
		  "{\"iface\":\"eth0\",\"dir\":\"in\",\"dst\":\"@nosuch\","
		  "\"action\":\"drop\"}",
		  400, "dst: @nosuch is not a named set");
	post_rule(&c,
		  "{\"iface\":\"eth0\",\"dir\":\"in\",\"action\":\"drop\","
		  "\"position\":9}",
		  400, "position: 9 is past the end");
	ids(f, buf, sizeof(buf));
	assert_string_equal(buf, "1,2");
	assert_int_equal(post_rule(&c,
				   "{\"iface\":\"eth0\",\"dir\":\"in\","
				   "\"action\":\"drop\"}",
				   201, "\"id\""),
			 3);
	fwd_free(f);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_sets_and_check),
		cmocka_unit_test(test_api_refused_rule),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
