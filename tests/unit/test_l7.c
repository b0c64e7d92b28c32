// SPDX-License-Identifier: BSD-2-Clause
/* The L7 local hop's settings (daemon/l7.c, docs/l7.md): what the config
 * file's "l7" and the state file l7.json may say, and what is refused
 * with the field and the value named; the fallback names (an ABI). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "dp_l7.h"
#include "l7.h"

static char err[512];

static int parse(const char *text, struct l7_conf *c)
{
	json_object *o = json_tokener_parse(text);
	int rc;

	if (!o)
		fail_msg("bad test JSON: %s", text);
	err[0] = '\0';
	rc = l7_conf_parse(o, "l7.", c, err, sizeof(err));
	json_object_put(o);
	return rc;
}

static void refused(const char *text, const char *needle)
{
	struct l7_conf c;

	assert_int_equal(parse(text, &c), -EINVAL);
	if (!strstr(err, needle))
		fail_msg("'%s': error '%s' lacks '%s'", text, err, needle);
}

static void test_taken(void **state)
{
	struct l7_conf c;

	(void)state;
	assert_int_equal(parse("{}", &c), 0);
	assert_false(c.enabled);
	assert_string_equal(c.cgroup, "");
	assert_int_equal(c.n_ports, 0);
	assert_int_equal(parse("{\"enabled\": true, \"cgroup\": "
			       "\"/sys/fs/cgroup/x.slice\", \"ports\": [8080, "
			       "1, 65535]}",
			       &c),
			 0);
	assert_true(c.enabled);
	assert_string_equal(c.cgroup, "/sys/fs/cgroup/x.slice");
	assert_int_equal(c.n_ports, 3);
	assert_int_equal(c.ports[0], 8080);
	assert_int_equal(c.ports[2], 65535);
	assert_int_equal(c.ids[0], 0);
	/* the state file's form keeps the selector ids */
	assert_int_equal(parse("{\"version\": 1, \"ports\": [{\"port\": 80, "
			       "\"id\": 7}]}",
			       &c),
			 0);
	assert_int_equal(c.ports[0], 80);
	assert_int_equal(c.ids[0], 7);
}

/* A state file with "cgroup": "" (what sluiced wrote after an 'l7 add'
 * with no cgroup ever given, until it left the key out): read as no
 * cgroup given, so the start it used to stop goes on; a config file's
 * "" is still refused. */
static void test_state_empty_cgroup(void **state)
{
	char dir[] = "/tmp/test_l7.XXXXXX", path[64];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/l7.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"version\": 1, \"enabled\": false, \"cgroup\": \"\", "
	      "\"ports\": [{\"port\": 8080, \"id\": 1}]}",
	      f);
	assert_int_equal(fclose(f), 0);
	err[0] = '\0';
	if (l7_check(dir, NULL, err, sizeof(err)))
		fail_msg("state file refused: %s", err);
	unlink(path);
	rmdir(dir);
	refused("{\"cgroup\": \"\"}", "l7.cgroup: '' is not an absolute path");
}

static void test_refused(void **state)
{
	(void)state;
	refused("[]", "expected an object");
	refused("{\"enabled\": \"yes\"}", "l7.enabled: 'yes'");
	refused("{\"cgroup\": \"relative/path\"}",
		"l7.cgroup: 'relative/path'");
	refused("{\"cgroup\": \"/sys/fs/cgroup/../etc\"}", "l7.cgroup:");
	refused("{\"cgroup\": 5}", "l7.cgroup: '5'");
	refused("{\"ports\": 80}", "l7.ports: expected an array");
	refused("{\"ports\": [0]}", "l7.ports[0]: '0' is not a port");
	refused("{\"ports\": [80, 70000]}", "l7.ports[1]: '70000'");
	refused("{\"ports\": [\"80\"]}", "l7.ports[0]: '80'");
	refused("{\"ports\": [80, 80]}", "l7.ports[1]: 80 is given twice");
	refused("{\"ports\": [{\"port\": 80}]}",
		"l7.ports[0]: needs port and id");
	refused("{\"ports\": [{\"port\": 80, \"id\": 0}]}", "l7.ports[0].id");
	refused("{\"colour\": 1}", "l7.colour: unknown field");
}

static void test_fallback_names(void **state)
{
	(void)state;
	/* metric labels and the CLI's column names: fixed */
	assert_string_equal(dp_l7_fallback_name(SLUICE_L7_FB_NO_PEER),
			    "no_peer");
	assert_string_equal(dp_l7_fallback_name(SLUICE_L7_FB_STICKY), "sticky");
	assert_string_equal(dp_l7_fallback_name(SLUICE_L7_FB_NO_STATE),
			    "no_state");
	assert_string_equal(dp_l7_fallback_name(SLUICE_L7_FB_INSERT),
			    "insert_failed");
	assert_string_equal(dp_l7_fallback_name(SLUICE_L7_FB_DISABLED),
			    "disabled");
	assert_string_equal(dp_l7_fallback_name(SLUICE_L7_FB_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taken),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_state_empty_cgroup),
		cmocka_unit_test(test_fallback_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
