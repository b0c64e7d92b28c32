// SPDX-License-Identifier: BSD-2-Clause
/* The DDoS guard's syntax (daemon/ddos_parse.c): modes, rates, prefixes,
 * services and the settings object.  Tables: good input and what it
 * becomes, bad input and the words its message must name (the field and
 * the value), with the target unchanged. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "ddos.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void test_modes(void **state)
{
	char err[256];
	uint32_t m = 99;

	(void)state;
	assert_int_equal(ddos_parse_mode("m", "off", &m, err, sizeof(err)), 0);
	assert_int_equal(m, SLUICE_DDOS_COOKIES_OFF);
	assert_int_equal(ddos_parse_mode("m", "on", &m, err, sizeof(err)), 0);
	assert_int_equal(m, SLUICE_DDOS_COOKIES_ON);
	assert_int_equal(ddos_parse_mode("m", "auto", &m, err, sizeof(err)), 0);
	assert_int_equal(m, SLUICE_DDOS_COOKIES_AUTO);
	assert_int_equal(ddos_parse_mode("syn_cookies", "On", &m, err,
					 sizeof(err)),
			 -EINVAL);
	assert_int_equal(m, SLUICE_DDOS_COOKIES_AUTO);
	assert_non_null(strstr(err, "syn_cookies: 'On'"));
	assert_string_equal(ddos_mode_name(SLUICE_DDOS_COOKIES_AUTO), "auto");
}

/* Field by field: the structs have padding. */
static bool rate_eq(const struct ddos_rate *a, const struct ddos_rate *b)
{
	return a->pps == b->pps && a->burst == b->burst && a->plen == b->plen;
}

static bool settings_eq(const struct ddos_settings *a,
			const struct ddos_settings *b)
{
	for (int i = 0; i < SLUICE_DDOS_NLIMITS; i++)
		if (!rate_eq(&a->limit[i], &b->limit[i]))
			return false;
	return a->cookie_mode == b->cookie_mode &&
	       a->syn_threshold == b->syn_threshold && a->hold_s == b->hold_s &&
	       a->mss4 == b->mss4 && a->mss6 == b->mss6;
}

static const struct {
	const char *in;
	bool v6;
	uint8_t plen;
	uint32_t pps, burst;
} good_rates[] = {
	{ "24:10000:20000", false, 24, 10000, 20000 },
	{ "24:10000", false, 24, 10000, 10000 }, /* burst = rate */
	{ "0:1:1", false, 0, 1, 1 },
	{ "32:100000000:1000000000", false, 32, 100000000, 1000000000 },
	{ "64:500", true, 64, 500, 500 },
	{ "128:1:7", true, 128, 1, 7 },
	{ "off", false, 0, 0, 0 },
};

static const struct {
	const char *in;
	bool v6;
	const char *words; /* in the message */
} bad_rates[] = {
	{ "33:100", false, "prefix length '33'" },
	{ "129:100", true, "prefix length '129'" },
	{ "24:0", false, "rate '0'" },
	{ "24:100000001", false, "rate '100000001'" },
	{ "24:-5", false, "rate '-5'" },
	{ "24:10:0", false, "burst '0'" },
	{ "24:10:x", false, "burst 'x'" },
	{ "24", false, "PREFIXLEN:PPS" },
	{ "", false, "PREFIXLEN:PPS" },
	{ ":5", false, "prefix length ''" },
	{ "24:abc", false, "rate: '24:abc'" },
	{ "Off", false, "'Off'" },
};

static void test_rates(void **state)
{
	char err[256], txt[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good_rates); i++) {
		struct ddos_rate r = { 9, 9, 9 };

		assert_int_equal(ddos_parse_rate("rate", good_rates[i].in,
						 good_rates[i].v6, &r, err,
						 sizeof(err)),
				 0);
		assert_int_equal(r.plen, good_rates[i].plen);
		assert_int_equal(r.pps, good_rates[i].pps);
		assert_int_equal(r.burst, good_rates[i].burst);
		ddos_rate_text(&r, txt, sizeof(txt));
		if (r.pps) { /* prints back as it parses */
			struct ddos_rate again;

			assert_int_equal(
				ddos_parse_rate("rate", txt, good_rates[i].v6,
						&again, err, sizeof(err)),
				0);
			assert_true(rate_eq(&again, &r));
		} else {
			assert_string_equal(txt, "off");
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_rates); i++) {
		struct ddos_rate r = { .pps = 1, .burst = 2, .plen = 3 };

		err[0] = '\0';
		assert_int_equal(ddos_parse_rate("rate", bad_rates[i].in,
						 bad_rates[i].v6, &r, err,
						 sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad_rates[i].words) ||
		    strncmp(err, "rate: ", 6))
			fail_msg("'%s': message '%s' lacks '%s'",
				 bad_rates[i].in, err, bad_rates[i].words);
		assert_int_equal(r.pps, 1); /* untouched */
		assert_int_equal(r.burst, 2);
	}
}

static const struct {
	const char *in, *text;
	int family;
} good_prefixes[] = {
	{ "198.18.0.0/24", "198.18.0.0/24", AF_INET },
	{ "198.18.0.1", "198.18.0.1/32", AF_INET },
	{ "0.0.0.0/0", "0.0.0.0/0", AF_INET },
	{ "2001:db8::/32", "2001:db8::/32", AF_INET6 },
	{ "2001:DB8:1::5", "2001:db8:1::5/128", AF_INET6 },
};

static const struct {
	const char *in, *words;
} bad_prefixes[] = {
	{ "198.18.0.1/24", "host bits set past /24" },
	{ "2001:db8::1/64", "host bits set past /64" },
	{ "198.18.0.0/33", "prefix length '33'" },
	{ "198.18.0.0/", "prefix length ''" },
	{ "198.18.0.0/2x", "prefix length '2x'" },
	{ "198.18.0", "'198.18.0' is not an IPv4 or IPv6 prefix" },
	{ "nonsense", "'nonsense'" },
	{ "", "''" },
};

static void test_prefixes(void **state)
{
	struct dp_ddos_prefix pf;
	char err[256], txt[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good_prefixes); i++) {
		assert_int_equal(ddos_parse_prefix("prefix",
						   good_prefixes[i].in, &pf,
						   err, sizeof(err)),
				 0);
		assert_int_equal(pf.family, good_prefixes[i].family);
		ddos_prefix_text(&pf, txt, sizeof(txt));
		assert_string_equal(txt, good_prefixes[i].text);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_prefixes); i++) {
		assert_int_equal(ddos_parse_prefix("prefixes[3]",
						   bad_prefixes[i].in, &pf, err,
						   sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad_prefixes[i].words) ||
		    strncmp(err, "prefixes[3]: ", 13))
			fail_msg("'%s': message '%s' lacks '%s'",
				 bad_prefixes[i].in, err,
				 bad_prefixes[i].words);
	}
}

static void test_services(void **state)
{
	static const struct {
		const char *in, *words;
	} bad[] = {
		{ "198.18.0.10", "expected ADDR:PORT" },
		{ "198.18.0.10:0", "port '0'" },
		{ "198.18.0.10:65536", "port '65536'" },
		{ "198.18.0.10:http", "port 'http'" },
		{ "2001:db8::1:80", "IPv6 goes in brackets" },
		{ "[2001:db8::1:80", "[ADDR6]:PORT" },
		{ "[198.18.0.1]:80", "'198.18.0.1' is not an IPv6 address" },
	};
	struct sluice_ddos_service_key k;
	char err[256], txt[80];

	(void)state;
	assert_int_equal(ddos_parse_service("service", "198.18.0.10:80", &k,
					    err, sizeof(err)),
			 0);
	assert_int_equal(k.family, AF_INET);
	assert_int_equal(ntohs(k.port), 80);
	ddos_service_text(&k, txt, sizeof(txt));
	assert_string_equal(txt, "198.18.0.10:80");
	assert_int_equal(ddos_parse_service("service", "[2001:db8::1]:443", &k,
					    err, sizeof(err)),
			 0);
	assert_int_equal(k.family, AF_INET6);
	ddos_service_text(&k, txt, sizeof(txt));
	assert_string_equal(txt, "[2001:db8::1]:443");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(ddos_parse_service("service", bad[i].in, &k,
						    err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad[i].words) || strncmp(err, "service: ", 9))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].in,
				 err, bad[i].words);
	}
}

static int settings_of(const char *json, struct ddos_settings *s, char *err,
		       size_t errlen)
{
	struct json_object *o = json_tokener_parse(json);
	int rc;

	assert_non_null(o);
	rc = ddos_settings_from_json(o, "ddos.", false, s, err, errlen);
	json_object_put(o);
	return rc;
}

static void test_settings(void **state)
{
	static const struct {
		const char *json, *words;
	} bad[] = {
		{ "{\"syn_cookies\": \"always\"}",
		  "ddos.syn_cookies: 'always'" },
		{ "{\"syn_cookies\": 1}",
		  "ddos.syn_cookies: '1' is not a string" },
		{ "{\"syn_threshold\": 0}", "ddos.syn_threshold: 0 is not" },
		{ "{\"hold_s\": \"10\"}",
		  "ddos.hold_s: '\"10\"' is not an integer" },
		{ "{\"mss4\": 100}", "ddos.mss4: 100 is not 0 or 536..65535" },
		{ "{\"rate6\": \"129:5\"}", "ddos.rate6: '129:5'" },
		{ "{\"conn_rate\": \"24:x\"}", "ddos.conn_rate: '24:x'" },
		{ "{\"rates\": \"24:5\"}", "unknown field 'ddos.rates'" },
		/* a good field before a bad one is not applied either */
		{ "{\"hold_s\": 5, \"rate\": \"99:1\"}", "ddos.rate: '99:1'" },
	};
	struct ddos_settings s, before;
	struct json_object *o;
	char err[256], *txt;

	(void)state;
	ddos_settings_default(&s);
	assert_int_equal(
		settings_of("{\"syn_cookies\": \"auto\", \"syn_threshold\": "
			    "5000, \"hold_s\": 3, \"rate\": \"24:10000:20000\", "
			    "\"conn_rate6\": \"64:100\", \"mss4\": 1400}",
			    &s, err, sizeof(err)),
		0);
	assert_int_equal(s.cookie_mode, SLUICE_DDOS_COOKIES_AUTO);
	assert_int_equal(s.syn_threshold, 5000);
	assert_int_equal(s.hold_s, 3);
	assert_int_equal(s.mss4, 1400);
	assert_int_equal(s.limit[SLUICE_DDOS_L_PKT_V4].plen, 24);
	assert_int_equal(s.limit[SLUICE_DDOS_L_PKT_V4].burst, 20000);
	assert_int_equal(s.limit[SLUICE_DDOS_L_CONN_V6].pps, 100);
	assert_int_equal(s.limit[SLUICE_DDOS_L_PKT_V6].pps, 0);
	/* the settings object reads back as it was written */
	o = ddos_settings_json(&s);
	txt = strdup(json_object_to_json_string(o));
	json_object_put(o);
	before = s;
	ddos_settings_default(&s);
	assert_int_equal(settings_of(txt, &s, err, sizeof(err)), 0);
	free(txt);
	assert_true(settings_eq(&s, &before));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		assert_int_equal(settings_of(bad[i].json, &s, err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad[i].words))
			fail_msg("%s: message '%s' lacks '%s'", bad[i].json,
				 err, bad[i].words);
		assert_true(settings_eq(&s, &before));
	}
}

static void test_config_section(void **state)
{
	static const struct {
		const char *json, *words; /* NULL: accepted */
	} cases[] = {
		{ "{\"syn_cookies\": \"on\", \"services\": [\"198.18.2.2:80\"], "
		  "\"block\": [\"198.18.9.0/24\", \"2001:db8:9::/48\"]}",
		  NULL },
		{ "{\"services\": [\"198.18.2.2\"]}", "ddos.services[0]" },
		{ "{\"block\": [\"198.18.9.1/24\"]}", "ddos.block[0]" },
		{ "{\"block\": [\"198.18.9.0/24\", 5]}", "ddos.block[1]" },
		{ "{\"block\": \"198.18.9.0/24\"}",
		  "ddos.block: expected an array" },
		{ "{\"bogus\": 1}", "unknown field 'ddos.bogus'" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct json_object *o = json_tokener_parse(cases[i].json);
		int rc;

		assert_non_null(o);
		err[0] = '\0';
		rc = ddos_config_check(o, err, sizeof(err));
		json_object_put(o);
		if (!cases[i].words) {
			assert_int_equal(rc, 0);
			continue;
		}
		assert_int_equal(rc, -EINVAL);
		if (!strstr(err, cases[i].words))
			fail_msg("%s: message '%s' lacks '%s'", cases[i].json,
				 err, cases[i].words);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_config_section),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
