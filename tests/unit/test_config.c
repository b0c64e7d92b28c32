// SPDX-License-Identifier: BSD-2-Clause
/* Configuration parsing and validation: every bad input is rejected with a
 * message that names the field and the value, and leaves nothing behind. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "config.h"
#include "json_strict.h"
#include "pin_dir_check.h"

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
	assert_int_equal(
		parse(&cfg,
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
	assert_null(cfg.state_dir); /* main() fills in the default */
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	config_free(&cfg);

	config_init(&cfg);
	assert_int_equal(parse(&cfg, "{\"state_dir\": \"/var/lib/sluice-r1\"}"),
			 0);
	assert_string_equal(cfg.state_dir, "/var/lib/sluice-r1");
	/* a flag replaces the file's value */
	assert_int_equal(config_set_state_dir(&cfg, "/tmp/t1/state", err,
					      sizeof(err)),
			 0);
	assert_string_equal(cfg.state_dir, "/tmp/t1/state");
	config_free(&cfg);
}

/* fib: the forwarding table's group pools, load-time sizes. */
static void test_fib_section(void **state)
{
	struct sluiced_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(cfg.fib_v4_groups, 0); /* the compiled default */
	assert_int_equal(parse(&cfg, "{\"fib\": {\"v4_groups\": 65536, "
				     "\"v6_groups\": 1048576}}"),
			 0);
	assert_int_equal(cfg.fib_v4_groups, 65536);
	assert_int_equal(cfg.fib_v6_groups, 1048576);
	assert_false(cfg.fib_v6_index_set); /* the default index */
	assert_int_equal(parse(&cfg, "{\"fib\": {\"v6_index_slots\": "
				     "2097152}}"),
			 0);
	assert_true(cfg.fib_v6_index_set);
	assert_int_equal(cfg.fib_v6_index_slots, 2097152);
	assert_int_equal(parse(&cfg, "{\"fib\": {\"v6_index_slots\": 0}}"), 0);
	assert_true(cfg.fib_v6_index_set); /* set, to none */
	assert_int_equal(cfg.fib_v6_index_slots, 0);
	config_free(&cfg);
}

/* state_dir: where two instances must not write the same file. */
static void test_state_dir(void **state)
{
	static const char *const good[] = {
		"/var/lib/sluice", "/",		 "/tmp/a..b",
		"/tmp/...",	   "/x/.hidden", "/sys/fs/bpfx",
	};
	static const struct {
		const char *dir, *err;
	} bad[] = {
		{ "var/lib/sluice",
		  "state_dir: 'var/lib/sluice' must be an "
		  "absolute path without '..' (at most 200 bytes)" },
		{ "", "state_dir: '' must be an absolute path" },
		{ "/var/lib/../tmp", "state_dir: '/var/lib/../tmp' must be" },
		{ "/var/lib/..", "state_dir: '/var/lib/..' must be" },
		{ "/sys/fs/bpf", "state_dir: '/sys/fs/bpf' is in bpffs" },
		{ "/sys/fs/bpf/sluice", "state_dir: '/sys/fs/bpf/sluice' is in "
					"bpffs, which holds no regular files" },
	};
	struct sluiced_config cfg;
	char long_dir[260];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		config_init(&cfg);
		if (config_set_state_dir(&cfg, good[i], err, sizeof(err)))
			fail_msg("'%s' refused: %s", good[i], err);
		config_free(&cfg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_init(&cfg);
		assert_int_equal(config_set_state_dir(&cfg, bad[i].dir, err,
						      sizeof(err)),
				 -EINVAL);
		if (strncmp(err, bad[i].err, strlen(bad[i].err)))
			fail_msg("'%s': '%s', wanted '%s'", bad[i].dir, err,
				 bad[i].err);
		assert_null(cfg.state_dir);
		config_free(&cfg);
	}
	memset(long_dir, 'a', sizeof(long_dir) - 1);
	long_dir[0] = '/';
	long_dir[sizeof(long_dir) - 1] = '\0';
	expect_error("{\"state_dir\": 7}", "state_dir: expected string");
	config_init(&cfg);
	assert_int_equal(config_set_state_dir(&cfg, long_dir, err, sizeof(err)),
			 -EINVAL);
	config_free(&cfg);
	expect_error("{\"state_dir\": \"rel\"}", "state_dir: 'rel' must be");
	expect_error("{\"statedir\": \"/x\"}",
		     "unknown field 'statedir' "
		     "(known: interfaces, tc_interfaces, api, api_token, "
		     "api_tls_cert, api_tls_key, pin_dir, "
		     "state_dir,");
}

static void test_bad_json(void **state)
{
	(void)state;
	expect_error("{\"interfaces\": [\"eth0\",\n  }", "line 2");
	expect_error("{\"interfaces\": [\"eth0\"]} trailing",
		     "after the document");
	expect_error("[1, 2]", "expected an object");
	expect_error("", "invalid JSON");
}

/* config_json_parse() is the one door for the config file and API bodies:
 * exactly @want (or, with @want NULL, success). */
static void expect_json(const char *text, const char *want)
{
	struct json_object *o = NULL;
	char e[256] = "";
	int rc = config_json_parse(text, strlen(text), &o, e, sizeof(e));

	if (!want) {
		if (rc)
			fail_msg("'%s' refused: %s", text, e);
		json_object_put(o);
		return;
	}
	if (!rc)
		fail_msg("'%s' accepted, wanted '%s'", text, want);
	assert_null(o);
	if (strcmp(e, want))
		fail_msg("'%s'\n  error  '%s'\n  wanted '%s'", text, e, want);
}

/* What we rely on json-c for, checked against the json-c we build with
 * (Debian 12: 0.16): JSON_TOKENER_STRICT refuses trailing commas and
 * comments; it does not refuse duplicate keys (the last one wins),
 * single quotes, NaN, raw control characters, or \u0000 in a string. */
static void test_json_c_strict(void **state)
{
	static const char *const refused[] = {
		"{\"a\": 1,}",	    "[1,]",
		"{\"a\": [1,],}",   "{\"a\": 1 /* c */}",
		"// c\n{\"a\": 1}", "{\"a\": 1} # c",
		"{\"a\": 1} // c",
	};
	static const char *const taken[] = {
		"{\"a\": 1, \"a\": 2}",	  "{'a': 1}",
		"{\"a\": NaN}",		  "{\"a\": \"x\ty\"}",
		"{\"a\": \"x\\u0000y\"}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o;

		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		o = json_tokener_parse_ex(tok, refused[i],
					  (int)strlen(refused[i]));
		if (o && json_tokener_get_parse_end(tok) == strlen(refused[i]))
			fail_msg("json-c strict took '%s'", refused[i]);
		json_object_put(o);
		json_tokener_free(tok);
	}
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o;

		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		o = json_tokener_parse_ex(tok, taken[i], (int)strlen(taken[i]));
		/* if this fails, json-c got stricter: good, but revisit
		 * json_strict.h */
		if (!o)
			fail_msg("json-c strict refused '%s'", taken[i]);
		json_object_put(o);
		json_tokener_free(tok);
	}
}

static void test_strict_json(void **state)
{
	(void)state;
	/* trailing commas and comments */
	expect_json(
		"{\"port\": 80,\n \"protocol\": \"tcp\",\n}",
		"invalid JSON at line 2 column 19: trailing comma before '}'");
	expect_json(
		"{\"interfaces\": [\"eth0\", \"eth1\",]}",
		"invalid JSON at line 1 column 31: trailing comma before ']'");
	expect_json(
		"{\"a\": [[1,],2]}",
		"invalid JSON at line 1 column 10: trailing comma before ']'");
	expect_json("{\"a\": 1,,\"b\": 2}",
		    "invalid JSON at line 1 column 9: unexpected ',' (a key in "
		    "double quotes expected)");
	expect_json(
		"// sluiced\n{\"a\": 1}",
		"invalid JSON at line 1 column 1: comments are not allowed");
	expect_json(
		"{\"a\": 1 /* one */}",
		"invalid JSON at line 1 column 9: comments are not allowed");
	expect_json(
		"{\"a\": /* one */ 1}",
		"invalid JSON at line 1 column 7: comments are not allowed");
	expect_json(
		"{\"a\": 1}\n// end\n",
		"invalid JSON at line 2 column 1: comments are not allowed");
	expect_json(
		"{\"a\": 1} # end",
		"invalid JSON at line 1 column 10: unexpected data after the "
		"document");
	/* duplicate keys at any depth, however they are spelled */
	expect_json("{\"address\": \"198.18.100.1\",\n    \"port\": 80,\n"
		    "    \"port\": 8080}",
		    "invalid JSON at line 3 column 5: duplicate key 'port'");
	expect_json("{\"lb\": {\"vips\": [{\"backends\": [{\"address\": \"a\", "
		    "\"weight\": 1, \"weight\": 2}]}]}}",
		    "invalid JSON at line 1 column 62: duplicate key 'weight'");
	expect_json(
		"{\"port\": 80, \"p\\u006frt\": 81}",
		"invalid JSON at line 1 column 14: duplicate key 'p\\u006frt'");
	expect_json(
		"{\"a\": {\"x\": 1}, \"b\": {\"x\": 1}, \"c\": [{\"x\": 1}, "
		"{\"x\": 2}]}",
		NULL); /* same key, other objects */
	expect_json("{\"a\": 1, \"A\": 2, \"a \": 3}", NULL);
	/* what json-c would take but RFC 8259 does not */
	expect_json("{'a': 1}", "invalid JSON at line 1 column 2: strings take "
				"double quotes, not single");
	expect_json("{\"a\": NaN}", "invalid JSON at line 1 column 7: "
				    "unexpected 'NaN' (a value expected)");
	expect_json("{\"a\": -Infinity}",
		    "invalid JSON at line 1 column 8: "
		    "unexpected 'Infinity' (a digit expected)");
	expect_json("{\"a\": True}", "invalid JSON at line 1 column 7: "
				     "unexpected 'True' (a value expected)");
	expect_json("{\"a\": 01}", "invalid JSON at line 1 column 7: leading "
				   "zero in a number");
	/* an integer json-c would keep as the nearest 64-bit one */
	expect_json("{\"port\": 99999999999999999999}",
		    "invalid JSON at line 1 column 10: the integer "
		    "99999999999999999999 is beyond 64 bits (-2^63..2^63-1)");
	expect_json("{\"a\": 9223372036854775808}",
		    "invalid JSON at line 1 column 7: the integer "
		    "9223372036854775808 is beyond 64 bits (-2^63..2^63-1)");
	expect_json("{\"a\": -9223372036854775809}",
		    "invalid JSON at line 1 column 7: the integer "
		    "-9223372036854775809 is beyond 64 bits (-2^63..2^63-1)");
	expect_json("{\"a\": [9223372036854775807, -9223372036854775808, "
		    "1e30, 99999999999999999999.5, 0, -0]}",
		    NULL); /* the limits themselves, and numbers with a fraction
			    * or an exponent, are json-c's to take */
	expect_json("{\"a\": 1.}",
		    "invalid JSON at line 1 column 9: "
		    "unexpected '}' (a digit after '.' expected)");
	expect_json(
		"{\"a\": \"x\ty\"}",
		"invalid JSON at line 1 column 9: "
		"control character 0x09 in a string (write it as an escape)");
	expect_json("{\"a\": \"\xff\"}", "invalid JSON at line 1 column 8: "
					 "invalid UTF-8 in a string");
	expect_json("{\"a\": \"\xc0\xaf\"}",
		    "invalid JSON at line 1 column 8: "
		    "invalid UTF-8 in a string"); /* overlong '/' */
	expect_json("{\"a\": \"\xed\xa0\x80\"}",
		    "invalid JSON at line 1 "
		    "column 8: invalid UTF-8 in a string"); /* a surrogate */
	expect_json("{\"a\": \"\\x41\"}", "invalid JSON at line 1 column 8: "
					  "invalid escape '\\x' in a string");
	expect_json("{\"a\": \"\\ud800\"}",
		    "invalid JSON at line 1 column 8: "
		    "'\\ud800' is the first half of a surrogate pair, without "
		    "the second");
	expect_json("{\"a\": \"\\u12\"}", "invalid JSON at line 1 column 8: "
					  "'\\u' takes four hex digits");
	/* our strings are C strings: a NUL would cut one short unseen */
	expect_json("{\"api_token\": \"0123456789abcdef\\u0000x\"}",
		    "invalid JSON at line 1 column 32: '\\u0000' (NUL) is not "
		    "allowed in a string");
	expect_json("{\"a\": \"x", "invalid JSON at line 1 column 7: string "
				   "not terminated");
	expect_json("{\"a\" 1}", "invalid JSON at line 1 column 6: unexpected "
				 "'1' (':' expected)");
	expect_json("",
		    "invalid JSON at line 1 column 1: unexpected end of input "
		    "(a value expected)");
	expect_json("\xef\xbb\xbf{}",
		    "invalid JSON at line 1 column 1: "
		    "unexpected byte 0xef (a value expected)");
	/* and what RFC 8259 does allow */
	expect_json(
		" {\"a\": [true, false, null, -0.5e3, 0, 1E+2, \"\\\"\\\\/"
		"\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\xc3\xa9\"], \"b\": {},"
		" \"c\": []}\r\n\t",
		NULL);
}

/* A request body is not NUL-terminated: the length is the document. */
static void test_json_length_is_the_document(void **state)
{
	const char *text = "{\"a\": 1}, \"a\": 2}";
	struct json_object *o = NULL;
	char e[256];

	(void)state;
	assert_int_equal(config_json_parse(text, 8, &o, e, sizeof(e)), 0);
	json_object_put(o);
	assert_int_not_equal(config_json_parse(text, 9, &o, e, sizeof(e)), 0);
	assert_string_equal(e,
			    "invalid JSON at line 1 column 9: unexpected data "
			    "after the document");
}

/* 32 levels of nesting are fine (json-c's own limit), 33 are not. */
static void test_json_depth(void **state)
{
	char text[200];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < JSON_STRICT_MAX_DEPTH; i++)
		text[n++] = '[';
	for (int i = 0; i < JSON_STRICT_MAX_DEPTH; i++)
		text[n++] = ']';
	text[n] = '\0';
	expect_json(text, NULL);
	memmove(text + 1, text, n + 1);
	text[0] = '[';
	strcat(text, "]");
	expect_json(text,
		    "invalid JSON at line 1 column 33: nested deeper than "
		    "32 objects and arrays");
}

/* Through the config file: the error says which file and where. */
/* A pin dir must be on bpffs: under /sys/fs/bpf (mounted when missing)
 * or on a bpffs mount; elsewhere libbpf failed on the first map. */
static void test_pin_dir_check(void **state)
{
	char err[600] = "";

	(void)state;
	assert_int_equal(pin_dir_check("/sys/fs/bpf/sluice", err, sizeof(err)),
			 0);
	assert_int_equal(pin_dir_check("/sys/fs/bpf", err, sizeof(err)), 0);
	assert_int_equal(pin_dir_check("/tmp/test_config-no/such/dir", err,
				       sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "pin_dir: '/tmp/test_config-no/such/dir' "
				    "is not on a BPF file system (bpffs)"));
	assert_int_equal(pin_dir_check("/sys/fs/bpfx", err, sizeof(err)),
			 -EINVAL);
}

static void test_config_strict(void **state)
{
	(void)state;
	expect_error(
		"{\"interfaces\": [\"eth0\"],\n \"interfaces\": [\"eth1\"]}",
		"invalid JSON at line 2 column 2: duplicate key 'interfaces'");
	expect_error(
		"{\"interfaces\": [\"eth0\"], /* lab */ \"xdp_mode\": \"generic\"}",
		"comments are not allowed");
	expect_error("{\"interfaces\": [\"eth0\"],}",
		     "trailing comma before '}'");
}

static void test_unknown_field(void **state)
{
	(void)state;
	expect_error("{\"interface\": [\"eth0\"]}",
		     "unknown field 'interface'");
}

static void test_wrong_types(void **state)
{
	(void)state;
	expect_error("{\"interfaces\": \"eth0\"}",
		     "interfaces: expected array");
	expect_error("{\"interfaces\": [7]}", "interfaces[0]: expected string");
	expect_error("{\"keep_on_exit\": \"yes\"}",
		     "keep_on_exit: expected boolean");
	expect_error("{\"pin_dir\": 3}", "pin_dir: expected string");
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_error("{\"interfaces\": [\"a/b\"]}",
		     "invalid interface name 'a/b'");
	expect_error("{\"interfaces\": [\"0123456789abcdef\"]}",
		     "'0123456789abcdef'");
	expect_error("{\"interfaces\": [\"eth0\", \"eth0\"]}", "listed twice");
	expect_error("{\"interfaces\": [\"\"]}", "invalid interface name ''");
	expect_error("{\"xdp_mode\": \"turbo\"}", "xdp_mode: 'turbo'");
	expect_error("{\"log_level\": \"loud\"}", "log_level: 'loud'");
	expect_error("{\"pin_dir\": \"relative/dir\"}",
		     "pin_dir: 'relative/dir'");
	expect_error("{\"api\": [\"http://x\"]}", "'http://x'");
	expect_error("{\"api\": [\"tcp:198.18.0.1:99999\"]}", "port '99999'");
	expect_error("{\"api\": [\"tcp:host.example:80\"]}",
		     "host 'host.example'");
	expect_error("{\"api\": [\"unix:rel.sock\"]}", "must be absolute");
	expect_error("{\"api_token\": \"short\"}", "api_token");
	/* the examples' placeholders: public, refused */
	expect_error("{\"api_token\": \"change-me-to-16+-chars\"}",
		     "api_token: 'change-me-to...' is the placeholder");
	expect_error("{\"api_token\": \"change-me-change-me-change-me\"}",
		     "is the placeholder of the examples");
	expect_error("{\"api_token\": \"has a space in it, long enough\"}",
		     "api_token");
}

static void test_tcp_needs_token(void **state)
{
	struct sluiced_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(parse(&cfg, "{\"api\": [\"tcp:198.18.0.1:8080\"]}"),
			 0);
	assert_int_not_equal(config_validate(&cfg, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "needs api_token"));
	config_free(&cfg);
}

static void test_api_listed_twice(void **state)
{
	(void)state;
	expect_error("{\"api\": [\"unix:/run/a.sock\", \"unix:/run/a.sock\"]}",
		     "'unix:/run/a.sock' is listed twice");
	expect_error(
		"{\"api\": [\"tcp:[2001:db8::1]:80\", \"tcp:[2001:db8::1]:80\"]}",
		"'tcp:[2001:db8::1]:80' is listed twice");
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
					      sizeof(err)),
			     0);
	assert_non_null(strstr(err, "/nonexistent/x.json"));
	config_free(&cfg);
}

static void write_file(char *path, const char *text)
{
	int fd = mkstemp(path);
	size_t len = strlen(text);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* The file "fw" came from, which a bad section's error names (sluiced
 * parses the section only when the firewall starts): the last --config
 * that had one. */
static void test_fw_file(void **state)
{
	char a[] = "/tmp/sluice-cfg-XXXXXX", b[] = "/tmp/sluice-cfg-XXXXXX",
	     c[] = "/tmp/sluice-cfg-XXXXXX";
	struct sluiced_config cfg;

	(void)state;
	write_file(a, "{\"fw\": {\"rules\": []}}");
	write_file(b, "{\"interfaces\": [\"r0\"]}");
	write_file(c, "{\"fw\": {\"policies\": []}}");
	config_init(&cfg);
	assert_int_equal(config_load_file(&cfg, b, err, sizeof(err)), 0);
	assert_null(cfg.fw_file);
	assert_int_equal(config_load_file(&cfg, a, err, sizeof(err)), 0);
	assert_string_equal(cfg.fw_file, a);
	assert_int_equal(config_load_file(&cfg, b, err, sizeof(err)), 0);
	assert_string_equal(cfg.fw_file, a);
	assert_int_equal(config_load_file(&cfg, c, err, sizeof(err)), 0);
	assert_string_equal(cfg.fw_file, c);
	config_free(&cfg);
	assert_null(cfg.fw_file);
	unlink(a);
	unlink(b);
	unlink(c);
}

#define LB_VIP                                                                 \
	"{\"address\": \"198.18.100.1\", \"port\": 80, "                       \
	"\"protocol\": \"tcp\", \"health\": {\"kind\": \"http\", "             \
	"\"path\": \"/\"}, \"backends\": [{\"address\": "                      \
	"\"198.18.2.11\", \"weight\": 2}, {\"address\": \"198.18.3.11\"}]}"

/* The example of docs/lb-api.md, with the VIPs before the sources. */
static void test_lb_section(void **state)
{
	struct sluiced_config cfg;
	char buf[64];

	(void)state;
	config_init(&cfg);
	assert_int_equal(cfg.role, DP_ROLE_ROUTER);
	assert_int_equal(cfg.lb.flow_idle_timeout_s, LB_FLOW_IDLE_DEFAULT);
	assert_int_equal(
		parse(&cfg,
		      "{\"interfaces\": [\"eth0\", \"eth1\"], \"role\": \"router\",\n"
		      " \"lb\": {\"vips\": [" LB_VIP ",\n"
		      "   {\"address\": \"2001:db8:100::1\", \"port\": 443,"
		      "    \"protocol\": \"tcp\", \"encap\": \"gre\","
		      "    \"backends\": [{\"address\": \"2001:db8:2::11\"}]}],\n"
		      "  \"source_v4\": \"198.18.200.0/24\",\n"
		      "  \"source_v6\": \"2001:db8:200::/96\",\n"
		      "  \"flow_idle_timeout_s\": 300, \"max_flows\": 131072}}\n"),
		0);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	assert_string_equal(lb_source_str(&cfg.lb, AF_INET, buf, sizeof(buf)),
			    "198.18.200.0/24");
	assert_string_equal(lb_source_str(&cfg.lb, AF_INET6, buf, sizeof(buf)),
			    "2001:db8:200::/96");
	assert_int_equal(cfg.lb.flow_idle_timeout_s, 300);
	assert_int_equal(cfg.lb.max_flows, 131072);
	assert_int_equal(cfg.n_vips, 2);
	assert_int_equal(cfg.vips[0].n_be, 2);
	assert_int_equal(cfg.vips[0].be[0].weight, 2);
	assert_int_equal(cfg.vips[0].conf.health.kind, HEALTH_HTTP);
	assert_int_equal(cfg.vips[0].conf.health.port, 80);
	assert_int_equal(cfg.vips[1].conf.flags, SLUICE_VIP_GRE);
	assert_string_equal(lb_vip_id_str(&cfg.vips[1].conf.key, buf,
					  sizeof(buf)),
			    "[2001:db8:100::1]:443/tcp");
	config_free(&cfg);

	config_init(&cfg);
	assert_int_equal(config_set_role(&cfg, "backend", err, sizeof(err)), 0);
	assert_int_equal(cfg.role, DP_ROLE_BACKEND);
	assert_string_equal(config_role_name(cfg.role), "backend");
	config_free(&cfg);
}

static void test_lb_errors_name_the_path(void **state)
{
	static const struct {
		const char *json, *err;
	} bad[] = {
		{ "{\"role\": \"switch\"}",
		  "role: 'switch' is not one of router, backend" },
		{ "{\"role\": 1}", "role: expected string" },
		{ "{\"lb\": []}", "lb: expected object, got array" },
		{ "{\"lb\": {\"colour\": 1}}",
		  "unknown field 'lb.colour' (known: "
		  "source_v4, source_v6, flow_idle_timeout_s, max_flows, vips)" },
		{ "{\"lb\": {\"source_v4\": 5}}",
		  "lb.source_v4: expected string, got int" },
		/* the value quoted as written: '/' not escaped */
		{ "{\"lb\": {\"source_v4\": [\"198.18.200.0/24\"]}}",
		  "lb.source_v4: expected string, got array "
		  "([\"198.18.200.0/24\"])" },
		{ "{\"lb\": {\"source_v4\": \"198.18.200.0/23\"}}",
		  "lb.source_v4: '198.18.200.0/23' must be a /24" },
		{ "{\"lb\": {\"source_v6\": \"198.18.200.0/24\"}}",
		  "lb.source_v6: '198.18.200.0/24' is not an IPv6 prefix" },
		{ "{\"fib\": {\"v4_groups\": 1}}",
		  "fib.v4_groups: 1 is out of range 16..4194304" },
		{ "{\"fib\": {\"v6_groups\": \"many\"}}",
		  "fib.v6_groups: expected int" },
		{ "{\"fib\": {\"groups\": 5}}",
		  "unknown field 'fib.groups' (known: v4_groups, v6_groups, "
		  "v6_index_slots)" },
		{ "{\"fib\": 3}", "fib: expected object, got int" },
		{ "{\"fib\": {\"v6_index_slots\": 300000}}",
		  "fib.v6_index_slots: 300000 is not 0 (no index) or a power of "
		  "two from 262144 to 16777216" },
		{ "{\"fib\": {\"v6_index_slots\": 131072}}",
		  "fib.v6_index_slots: 131072 is not 0 (no index) or a power of "
		  "two from 262144 to 16777216" },
		{ "{\"fib\": {\"v6_index_slots\": 33554432}}",
		  "fib.v6_index_slots: 33554432 is not 0 (no index) or a power "
		  "of two from 262144 to 16777216" },
		{ "{\"fib\": {\"v6_index_slots\": -262144}}",
		  "fib.v6_index_slots: -262144 is not 0 (no index) or a power "
		  "of two from 262144 to 16777216" },
		{ "{\"fib\": {\"v6_index_slots\": true}}",
		  "fib.v6_index_slots: expected int" },
		{ "{\"lb\": {\"max_flows\": 10}}",
		  "lb.max_flows: 10 is out of range 1024..16777216" },
		{ "{\"lb\": {\"max_flows\": \"lots\"}}",
		  "lb.max_flows: expected int" },
		{ "{\"lb\": {\"flow_idle_timeout_s\": -1}}",
		  "lb.flow_idle_timeout_s: -1 is out of range 0..86400" },
		{ "{\"lb\": {\"vips\": {}}}",
		  "lb.vips: expected array, got object" },
		{ "{\"lb\": {\"vips\": [7]}}",
		  "lb.vips[0]: expected an object, got int" },
		{ "{\"lb\": {\"source_v4\": \"198.18.200.0/24\", \"vips\": [" LB_VIP
		  ", "
		  "{\"address\": \"198.18.100.2\", \"port\": 80, \"protocol\": \"tcp\", "
		  "\"backends\": [{\"address\": \"198.18.2.11\"}, "
		  "{\"address\": \"198.18.2.300\"}]}]}}",
		  "lb.vips[1].backends[1].address: '198.18.2.300' is not an IPv4 or "
		  "IPv6 address" },
		{ "{\"lb\": {\"vips\": [{\"address\": \"198.18.100.2\", \"port\": 80, "
		  "\"protocol\": \"tcp\", \"ring_size\": 65536}]}}",
		  "lb.vips[0].ring_size: 65536 is not a prime" },
		{ "{\"lb\": {\"vips\": [{\"address\": \"198.18.100.2\", \"port\": 0, "
		  "\"protocol\": \"udp\", \"health\": {\"kind\": \"tcp\"}}]}}",
		  "lb.vips[0].health.port: required when the VIP port is 0" },
		{ "{\"lb\": {\"vips\": [{\"address\": \"198.18.100.2\", \"port\": 80, "
		  "\"protocol\": \"tcp\", \"health\": {\"interval_ms\": 10}}]}}",
		  "lb.vips[0].health.interval_ms: 10 is below 100" },
		{ "{\"lb\": {\"vips\": [{\"address\": \"198.18.100.2\", \"port\": 80, "
		  "\"protocol\": \"tcp\", \"backends\": [{\"address\": \"198.18.2.1\", "
		  "\"weight\": 0}]}]}}",
		  "lb.vips[0].backends[0].weight: 0 is out of range 1..1000" },
		{ "{\"lb\": {\"vips\": [{\"address\": \"198.18.100.2\", \"port\": 80, "
		  "\"protocol\": \"tcp\", \"retries\": 3}]}}",
		  "unknown field 'lb.vips[0].retries'" },
		{ "{\"lb\": {\"source_v4\": \"198.18.200.0/24\", \"vips\": [" LB_VIP
		  ", " LB_VIP "]}}",
		  "lb.vips[1]: vip 198.18.100.1:80/tcp is listed twice" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i].json, bad[i].err);
}

/* A backend decapsulates; it has no VIPs to balance. */
static void test_role_backend_has_no_vips(void **state)
{
	struct sluiced_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(
		parse(&cfg,
		      "{\"role\": \"backend\", \"lb\": {"
		      "\"source_v4\": \"198.18.200.0/24\", \"vips\": [" LB_VIP
		      "]}}"),
		0);
	assert_int_not_equal(config_validate(&cfg, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "role: a backend does not balance"));
	config_free(&cfg);
	config_init(&cfg);
	assert_int_equal(parse(&cfg, "{\"role\": \"backend\"}"), 0);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	config_free(&cfg);
}

/* expect_error() for a document that parses but fails config_validate(). */
static void expect_invalid(const char *json, const char *needle)
{
	struct sluiced_config cfg;

	config_init(&cfg);
	assert_int_equal(parse(&cfg, json), 0);
	err[0] = '\0';
	assert_int_not_equal(config_validate(&cfg, err, sizeof(err)), 0);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
	config_free(&cfg);
}

/* api_tls_cert and api_tls_key: absolute paths, both or neither (the files
 * themselves are read at start: t_api_tls.sh). */
static void test_api_tls(void **state)
{
	struct sluiced_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(parse(&cfg, "{\"interfaces\": [\"eth0\"], "
				     "\"api_tls_cert\": \"/etc/s/c.pem\", "
				     "\"api_tls_key\": \"/etc/s/k.pem\"}"),
			 0);
	assert_string_equal(cfg.api_tls_cert, "/etc/s/c.pem");
	assert_string_equal(cfg.api_tls_key, "/etc/s/k.pem");
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	config_free(&cfg);
	expect_error("{\"api_tls_cert\": \"c.pem\"}",
		     "api_tls_cert: 'c.pem' is not an absolute path");
	expect_error("{\"api_tls_key\": 7}", "api_tls_key");
	expect_invalid("{\"interfaces\": [\"eth0\"], "
		       "\"api_tls_key\": \"/etc/s/k.pem\"}",
		       "api_tls_key: set without api_tls_cert");
}

/* tc_interfaces: the TC program instead of XDP, per interface. */
static void test_tc_interfaces(void **state)
{
	struct sluiced_config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(parse(&cfg,
			       "{\"interfaces\": [\"eth0\"],\n"
			       " \"tc_interfaces\": [\"veth1\", \"veth2\"]}"),
			 0);
	assert_int_equal(cfg.n_ifaces, 1);
	assert_int_equal(cfg.n_tc_ifaces, 2);
	assert_string_equal(cfg.tc_ifaces[0], "veth1");
	assert_string_equal(cfg.tc_ifaces[1], "veth2");
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	/* a second list replaces the first, as for interfaces */
	assert_int_equal(parse(&cfg, "{\"tc_interfaces\": [\"veth3\"]}"), 0);
	assert_int_equal(cfg.n_tc_ifaces, 1);
	assert_string_equal(cfg.tc_ifaces[0], "veth3");
	assert_int_equal(cfg.n_ifaces, 1);
	config_free(&cfg);
	assert_int_equal(cfg.n_tc_ifaces, 0);

	/* TC ports alone are a configuration */
	config_init(&cfg);
	assert_int_equal(parse(&cfg, "{\"tc_interfaces\": [\"veth1\"]}"), 0);
	assert_int_equal(cfg.n_ifaces, 0);
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	config_free(&cfg);
	/* the setter the flag uses */
	config_init(&cfg);
	assert_int_equal(config_add_tc_iface(&cfg, "veth9", err, sizeof(err)),
			 0);
	assert_int_equal(cfg.n_tc_ifaces, 1);
	config_clear_tc_ifaces(&cfg);
	assert_int_equal(cfg.n_tc_ifaces, 0);
	config_free(&cfg);
}

static void test_tc_interfaces_errors(void **state)
{
	(void)state;
	expect_error("{\"tc_interfaces\": \"veth1\"}",
		     "tc_interfaces: expected array");
	expect_error("{\"tc_interfaces\": [1]}",
		     "tc_interfaces[0]: expected string");
	expect_error("{\"tc_interfaces\": [\"a:b\"]}",
		     "tc_interfaces: invalid interface name 'a:b'");
	expect_error(
		"{\"tc_interfaces\": [\"0123456789abcdef\"]}",
		"tc_interfaces: invalid interface name '0123456789abcdef'");
	expect_error("{\"tc_interfaces\": [\"veth1\", \"veth1\"]}",
		     "tc_interfaces: 'veth1' is listed twice");
	expect_error("{\"tc_interface\": [\"veth1\"]}",
		     "unknown field 'tc_interface' (known: interfaces, "
		     "tc_interfaces,");
	/* one hook per interface, whichever list comes first */
	expect_invalid("{\"interfaces\": [\"eth0\", \"veth1\"], "
		       "\"tc_interfaces\": [\"veth1\"]}",
		       "tc_interfaces: 'veth1' is also in interfaces");
	expect_invalid("{\"tc_interfaces\": [\"veth2\", \"eth0\"], "
		       "\"interfaces\": [\"eth0\"]}",
		       "tc_interfaces: 'eth0' is also in interfaces");
	/* the backend role loads the decapsulation program alone */
	expect_invalid("{\"role\": \"backend\", \"interfaces\": [\"eth0\"], "
		       "\"tc_interfaces\": [\"veth1\"]}",
		       "tc_interfaces: a backend attaches XDP only");
}

/* The two lists share the counter slots. */
static void test_tc_interfaces_share_slots(void **state)
{
	struct sluiced_config cfg;
	char name[16];
	int half = CFG_MAX_IFACES / 2 + 1;

	(void)state;
	config_init(&cfg);
	for (int i = 0; i < half; i++) {
		snprintf(name, sizeof(name), "eth%d", i);
		assert_int_equal(config_add_iface(&cfg, name, err, sizeof(err)),
				 0);
		snprintf(name, sizeof(name), "veth%d", i);
		assert_int_equal(
			config_add_tc_iface(&cfg, name, err, sizeof(err)), 0);
	}
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "interfaces and tc_interfaces"));
	assert_non_null(strstr(err, "at most"));
	/* at the limit, fine */
	config_clear_tc_ifaces(&cfg);
	for (int i = 0; i < CFG_MAX_IFACES - half; i++) {
		snprintf(name, sizeof(name), "veth%d", i);
		assert_int_equal(
			config_add_tc_iface(&cfg, name, err, sizeof(err)), 0);
	}
	assert_int_equal(config_validate(&cfg, err, sizeof(err)), 0);
	/* one list alone has the same limit */
	for (int i = cfg.n_tc_ifaces; i < CFG_MAX_IFACES; i++) {
		snprintf(name, sizeof(name), "veth%d", i);
		assert_int_equal(
			config_add_tc_iface(&cfg, name, err, sizeof(err)), 0);
	}
	assert_int_equal(config_add_tc_iface(&cfg, "one-more", err,
					     sizeof(err)),
			 -E2BIG);
	assert_non_null(
		strstr(err, "tc_interfaces: 'one-more' is one too many"));
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_state_dir),
		cmocka_unit_test(test_api_tls),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_json_c_strict),
		cmocka_unit_test(test_strict_json),
		cmocka_unit_test(test_json_length_is_the_document),
		cmocka_unit_test(test_json_depth),
		cmocka_unit_test(test_config_strict),
		cmocka_unit_test(test_pin_dir_check),
		cmocka_unit_test(test_unknown_field),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_tcp_needs_token),
		cmocka_unit_test(test_api_listed_twice),
		cmocka_unit_test(test_error_reports_first_bad_field),
		cmocka_unit_test(test_too_many_interfaces),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_fw_file),
		cmocka_unit_test(test_lb_section),
		cmocka_unit_test(test_lb_errors_name_the_path),
		cmocka_unit_test(test_role_backend_has_no_vips),
		cmocka_unit_test(test_fib_section),
		cmocka_unit_test(test_tc_interfaces),
		cmocka_unit_test(test_tc_interfaces_errors),
		cmocka_unit_test(test_tc_interfaces_share_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
