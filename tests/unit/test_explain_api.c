// SPDX-License-Identifier: BSD-2-Clause
/* POST /v1/explain without a data path: every bad field refused naming
 * the field and the value, before anything runs; a good request says how
 * to turn explain on when sluiced started without it, and the backend
 * role has none.  The frame decoder on an IPIP frame built by pktbuild. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include <cmocka.h>
#include "api.h"
#include "config.h"
#include "explain.h"
#include "pktbuild.h"
#include "state.h"

static struct state st; /* no interfaces: names resolve in the kernel */

static char *api(struct api_ctx *ctx, const char *body, unsigned int want,
		 const char *needle)
{
	struct api_query q = { .body = body,
			       .body_len = body ? strlen(body) : 0 };
	const char *ctype;
	unsigned int status;
	char *out;

	out = api_render(ctx, "POST", "/v1/explain", &q, &status, &ctype);
	assert_non_null(out);
	if (status != want || !strstr(out, needle))
		fail_msg("%s: %u '%s', wanted %u with '%s'", body ? body : "-",
			 status, out, want, needle);
	return out;
}

#define GOOD_HEAD "{\"src\":\"198.18.1.2\",\"dst\":\"198.18.100.1\","

static void test_refused(void **state)
{
	static const struct {
		const char *body, *needle;
	} bad[] = {
		{ GOOD_HEAD "\"dport\":80,\"in\":\"lo\",\"bogus\":1}",
		  "bogus: unknown field" },
		{ "{\"dst\":\"198.18.100.1\",\"dport\":80,\"in\":\"lo\"}",
		  "src: required" },
		{ "{\"src\":\"198.18.1\",\"dst\":\"198.18.100.1\",\"dport\":80,"
		  "\"in\":\"lo\"}",
		  "src: '198.18.1' is not an IPv4 or IPv6 address" },
		{ "{\"src\":\"198.18.1.2\",\"dst\":\"2001:db8::1\","
		  "\"dport\":80,\"in\":\"lo\"}",
		  "dst: '2001:db8::1' is not of src's family" },
		{ GOOD_HEAD "\"proto\":\"sctp\",\"dport\":80,\"in\":\"lo\"}",
		  "proto: 'sctp' is not tcp, udp or icmp" },
		{ GOOD_HEAD "\"in\":\"lo\"}", "dport: required for tcp" },
		{ GOOD_HEAD "\"dport\":70000,\"in\":\"lo\"}",
		  "dport: 70000 is not a port" },
		{ GOOD_HEAD "\"dport\":\"http\",\"in\":\"lo\"}",
		  "dport: 'http' is not a port" },
		{ GOOD_HEAD "\"proto\":\"udp\",\"dport\":53,\"flags\":\"syn\","
			    "\"in\":\"lo\"}",
		  "flags: 'syn' is not syn, ack, synack, fin or rst of a tcp" },
		{ GOOD_HEAD "\"dport\":80,\"flags\":\"psh\",\"in\":\"lo\"}",
		  "flags: 'psh'" },
		{ GOOD_HEAD "\"dport\":80,\"ttl\":0,\"in\":\"lo\"}",
		  "ttl: '0' is not 1-255" },
		{ GOOD_HEAD "\"dport\":80}", "in: required" },
		{ GOOD_HEAD "\"dport\":80,\"in\":\"nosuch0\"}",
		  "in: no interface 'nosuch0'" },
		{ "[1]", "body: expected a JSON object, got array" },
		{ NULL, "body: a JSON object is required" },
	};
	struct sluiced_config cfg;
	struct api_ctx ctx = { .cfg = &cfg, .st = &st };

	(void)state;
	config_init(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		free(api(&ctx, bad[i].body, 400, bad[i].needle));
	config_free(&cfg);
}

static void test_off_and_role(void **state)
{
	struct sluiced_config cfg;
	struct api_ctx ctx = { .cfg = &cfg, .st = &st };
	char err[128];

	(void)state;
	config_init(&cfg);
	free(api(&ctx, GOOD_HEAD "\"dport\":80,\"in\":\"lo\"}", 409,
		 "explain is off: start sluiced with --explain"));
	free(api(&ctx,
		 "{\"src\":\"198.18.1.2\",\"dst\":\"198.18.12.2\","
		 "\"proto\":\"icmp\",\"in\":\"lo\"}",
		 409, "explain is off"));
	assert_int_equal(config_set_role(&cfg, "backend", err, sizeof(err)), 0);
	free(api(&ctx, GOOD_HEAD "\"dport\":80,\"in\":\"lo\"}", 404,
		 "no explain in role backend"));
	config_free(&cfg);
}

static bool has_line(struct json_object *arr, const char *want)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (!strcmp(json_object_get_string(
				    json_object_array_get_idx(arr, i)),
			    want))
			return true;
	return false;
}

static void test_decode(void **state)
{
	const struct pkt_spec in = {
		.dst = { 2, 0, 0, 0, 0, 2 },
		.src = { 2, 0, 0, 0, 0, 1 },
		.l3 = PKT_L3_IP4,
		.l4 = IPPROTO_TCP,
		.saddr = "198.18.1.2",
		.daddr = "198.18.100.1",
		.sport = 40001,
		.dport = 8080,
		.tcp_flags = 0x02,
	};
	struct pkt_encap e = { .dst = { 2, 0, 0, 0, 0x11, 2 },
			       .src = { 2, 0, 0, 0, 0x11, 1 },
			       .family = AF_INET,
			       .saddr = { 198, 18, 200, 7 },
			       .daddr = { 198, 18, 11, 2 } };
	static struct frame inner, outer;
	struct explain_decoded d;
	struct json_object *arr;

	(void)state;
	assert_int_equal(pkt_build(&in, &inner), 0);
	assert_int_equal(pkt_encap(&inner, &e, &outer), 0);
	arr = explain_decode(outer.buf, outer.len, &d);
	assert_true(has_line(arr, "eth 02:00:00:00:11:01 > 02:00:00:00:11:02 "
				  "type 0x0800"));
	assert_true(has_line(arr, "ipv4 198.18.200.7 > 198.18.11.2 ttl 64 "
				  "proto ipip"));
	assert_true(has_line(arr, "inner ipv4 198.18.1.2 > 198.18.100.1 ttl "
				  "64 proto tcp"));
	assert_true(has_line(arr, "tcp 40001 > 8080 flags S"));
	assert_string_equal(d.encap, "ipip");
	assert_string_equal(d.dst, "198.18.11.2");
	json_object_put(arr);
	/* cut short: no line past what the frame holds, no crash */
	for (size_t n = 0; n < outer.len; n++) {
		arr = explain_decode(outer.buf, n, &d);
		assert_true(json_object_array_length(arr) <= 4);
		json_object_put(arr);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_off_and_role),
		cmocka_unit_test(test_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
