// SPDX-License-Identifier: BSD-2-Clause
/* Configuration parsing and validation: every bad input is rejected with a
 * message that names the field and the value, and leaves nothing behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "config.h"

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
	assert_int_not_equal(parse(&cfg, json), 0);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
	config_free(&cfg);
}

static void test_full_config(void **state)
{
	struct sluiced_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(parse(&cfg,
			       "{\"interfaces\": [\"eth0\", \"eth1\"],\n"
			       " \"api\": [\"unix:/run/x.sock\", \"tcp:[2001:db8::1]:8080\"],\n"
			       " \"api_token\": \"0123456789abcdef0123\",\n"
			       " \"pin_dir\": \"/sys/fs/bpf/r1\", \"xdp_mode\": \"generic\",\n"
			       " \"log_level\": \"debug\", \"keep_on_exit\": true}\n"),
			 0);
	assert_int_equal(cfg.n_ifaces, 2);
	assert_string_equal(cfg.ifaces[1], "eth1");
	assert_int_equal(cfg.n_apis, 2);
	assert_string_equal(cfg.pin_dir, "/sys/fs/bpf/r1");
	assert_int_equal(cfg.xdp_mode, DP_XDP_GENERIC);
	assert_int_equal(cfg.log_level, LOG_LVL_DEBUG);
	assert_true(cfg.keep_on_exit);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	config_free(&cfg);
}

static void test_bad_json(void **state)
{
	(void)state;
	expect_error("{\"interfaces\": [\"eth0\",\n  }", "line 2");
	expect_error("{\"interfaces\": [\"eth0\"]} trailing", "after the document");
	expect_error("[1, 2]", "expected an object");
	expect_error("", "invalid JSON");
}

static void test_unknown_field(void **state)
{
	(void)state;
	expect_error("{\"interface\": [\"eth0\"]}", "unknown field 'interface'");
}

static void test_wrong_types(void **state)
{
	(void)state;
	expect_error("{\"interfaces\": \"eth0\"}", "interfaces: expected array");
	expect_error("{\"interfaces\": [7]}", "interfaces[0]: expected string");
	expect_error("{\"keep_on_exit\": \"yes\"}", "keep_on_exit: expected boolean");
	expect_error("{\"pin_dir\": 3}", "pin_dir: expected string");
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_error("{\"interfaces\": [\"a/b\"]}", "invalid interface name 'a/b'");
	expect_error("{\"interfaces\": [\"0123456789abcdef\"]}",
		     "'0123456789abcdef'");
	expect_error("{\"interfaces\": [\"eth0\", \"eth0\"]}", "listed twice");
	expect_error("{\"interfaces\": [\"\"]}", "invalid interface name ''");
	expect_error("{\"xdp_mode\": \"turbo\"}", "xdp_mode: 'turbo'");
	expect_error("{\"log_level\": \"loud\"}", "log_level: 'loud'");
	expect_error("{\"pin_dir\": \"relative/dir\"}", "pin_dir: 'relative/dir'");
	expect_error("{\"api\": [\"http://x\"]}", "'http://x'");
	expect_error("{\"api\": [\"tcp:198.18.0.1:99999\"]}", "port '99999'");
	expect_error("{\"api\": [\"tcp:host.example:80\"]}", "host 'host.example'");
	expect_error("{\"api\": [\"unix:rel.sock\"]}", "must be absolute");
	expect_error("{\"api_token\": \"short\"}", "api_token");
	expect_error("{\"api_token\": \"has a space in it, long enough\"}",
		     "api_token");
}

static void test_tcp_needs_token(void **state)
{
	struct sluiced_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(parse(&cfg, "{\"api\": [\"tcp:198.18.0.1:8080\"]}"), 0);
	assert_int_not_equal(config_validate(&cfg, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "needs api_token"));
	config_free(&cfg);
}

/* An error part-way through leaves the earlier fields' defaults intact for
 * the fields it did not reach, and the caller discards the config. */
static void test_error_reports_first_bad_field(void **state)
{
	struct sluiced_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_not_equal(parse(&cfg, "{\"xdp_mode\": \"bogus\"}"), 0);
	assert_int_equal(cfg.xdp_mode, DP_XDP_AUTO);
	config_free(&cfg);
}

static void test_too_many_interfaces(void **state)
{
	struct sluiced_config cfg;
	char name[16];
	int rc = 0;

	(void)state;
	config_init(&cfg);
	for (int i = 0; i <= CFG_MAX_IFACES && !rc; i++) {
		snprintf(name, sizeof(name), "eth%d", i);
		rc = config_add_iface(&cfg, name, err, sizeof(err));
	}
	assert_int_not_equal(rc, 0);
	assert_int_equal(cfg.n_ifaces, CFG_MAX_IFACES);
	assert_non_null(strstr(err, "at most"));
	config_free(&cfg);
}

static void test_load_file(void **state)
{
	struct sluiced_config cfg;
	char path[] = "/tmp/sluice-cfg-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"interfaces\": [\"r0\"]}\n", 23), 23);
	close(fd);
	config_init(&cfg);
	assert_int_equal(config_load_file(&cfg, path, err, sizeof(err)), 0);
	assert_string_equal(cfg.ifaces[0], "r0");
	config_free(&cfg);
	unlink(path);

	config_init(&cfg);
	assert_int_not_equal(config_load_file(&cfg, "/nonexistent/x.json", err,
					      sizeof(err)), 0);
	assert_non_null(strstr(err, "/nonexistent/x.json"));
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_unknown_field),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_tcp_needs_token),
		cmocka_unit_test(test_error_reports_first_bad_field),
		cmocka_unit_test(test_too_many_interfaces),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
