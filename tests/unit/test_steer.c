// SPDX-License-Identifier: BSD-2-Clause
/* Steering selectors (daemon/steer_parse.c): what is taken, what is
 * refused with the field and the value named, the JSON round trip and
 * overlaps; sluicectl steer's arguments into requests and its table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "cli.h"
#include "steer.h"

static char err[512];

static int parse(const char *text, unsigned int keys, struct steer_sel *s)
{
	json_object *o = json_tokener_parse(text);
	int rc;

	if (!o)
		fail_msg("bad test JSON: %s", text);
	err[0] = '\0';
	memset(s, 0xab, sizeof(*s)); /* unchanged on error: see refused() */
	rc = steer_sel_parse(o, "", keys, s, err, sizeof(err));
	json_object_put(o);
	return rc;
}

static void refused(const char *text, const char *needle)
{
	struct steer_sel s, poison;
	int rc = parse(text, 0, &s);

	memset(&poison, 0xab, sizeof(poison));
	if (rc != -EINVAL)
		fail_msg("'%s' taken (rc %d)", text, rc);
	if (!strstr(err, needle))
		fail_msg("'%s': error '%s' lacks '%s'", text, err, needle);
	assert_memory_equal(&s, &poison, sizeof(s));
}

static void test_taken(void **state)
{
	struct steer_sel s;
	__u8 a[16];

	(void)state;
	assert_int_equal(
		parse("{\"proto\":\"udp\",\"dport\":\"5000-5010\"}", 0, &s), 0);
	assert_int_equal(s.kind, STEER_PORT);
	assert_int_equal(s.proto, IPPROTO_UDP);
	assert_int_equal(s.port_lo, 5000);
	assert_int_equal(s.port_hi, 5010);
	assert_int_equal(s.queue, SLUICE_STEER_ANY_QUEUE);
	assert_string_equal(s.iface, "");
	assert_int_equal(steer_sel_entries(&s), 11);

	assert_int_equal(parse("{\"proto\":\"tcp\",\"dport\":179,\"iface\":"
			       "\"eth0\",\"queue\":3}",
			       0, &s),
			 0);
	assert_int_equal(s.proto, IPPROTO_TCP);
	assert_int_equal(s.port_lo, 179);
	assert_int_equal(s.port_hi, 179);
	assert_string_equal(s.iface, "eth0");
	assert_int_equal(s.queue, 3);

	assert_int_equal(parse("{\"dst\":\"198.18.0.0/24\"}", 0, &s), 0);
	assert_int_equal(s.kind, STEER_DST);
	assert_int_equal(s.family, AF_INET);
	assert_int_equal(s.plen, 24);
	inet_pton(AF_INET, "198.18.0.0", a);
	assert_memory_equal(s.addr, a, 4);

	assert_int_equal(parse("{\"vip\":\"2001:db8::10\"}", 0, &s), 0);
	assert_int_equal(s.kind, STEER_VIP);
	assert_int_equal(s.family, AF_INET6);
	assert_int_equal(s.plen, 128);

	/* the state file's form: with its id */
	assert_int_equal(parse("{\"id\":7,\"dst\":\"2001:db8::/32\"}",
			       STEER_PARSE_ID, &s),
			 0);
	assert_int_equal(s.id, 7);
}

static void test_refused(void **state)
{
	(void)state;
	refused("[]", "expected object");
	refused("{}",
		"a selector is one of proto and dport, dst, vip, or transit");
	refused("{\"proto\":\"udp\"}", "dport: required with proto");
	refused("{\"dport\":53}", "proto: required with dport");
	refused("{\"proto\":\"icmp\",\"dport\":1}",
		"proto: 'icmp' is not udp or tcp");
	refused("{\"proto\":\"udp\",\"dport\":0}", "dport: 0 is not a port");
	refused("{\"proto\":\"udp\",\"dport\":70000}",
		"dport: 70000 is not a port");
	refused("{\"proto\":\"udp\",\"dport\":\"9-1\"}",
		"dport: \"9-1\" is not a port or a range");
	refused("{\"proto\":\"udp\",\"dport\":\"5000-\"}",
		"dport: \"5000-\" is not");
	refused("{\"proto\":\"udp\",\"dport\":\"+5\"}", "dport: \"+5\"");
	refused("{\"dst\":\"198.18.0.1/24\"}",
		"dst: '198.18.0.1/24' is not a prefix");
	refused("{\"dst\":\"198.18.0.0/33\"}", "dst: '198.18.0.0/33'");
	refused("{\"dst\":\"nope\"}", "dst: 'nope'");
	refused("{\"vip\":\"198.18.0.0/24\"}",
		"vip: '198.18.0.0/24' is not an address");
	refused("{\"dst\":\"198.18.0.0/24\",\"vip\":\"198.18.0.1\"}",
		"a selector is one of");
	refused("{\"proto\":\"udp\",\"dport\":53,\"dst\":\"198.18.0.0/24\"}",
		"a selector is one of");
	refused("{\"vip\":\"198.18.0.1\",\"queue\":64}",
		"queue: 64 is not an rx queue 0..63");
	refused("{\"vip\":\"198.18.0.1\",\"queue\":\"1\"}",
		"queue: \"1\" is not an rx queue");
	refused("{\"vip\":\"198.18.0.1\",\"iface\":\"a/b\"}",
		"iface: 'a/b' is not an interface name");
	refused("{\"vip\":\"198.18.0.1\",\"iface\":\"abcdefghijklmnopq\"}",
		"iface: 'abcdefghijklmnopq'");
	refused("{\"vip\":\"198.18.0.1\",\"id\":3}",
		"id: not a field of a selector");
	refused("{\"vip\":\"198.18.0.1\",\"port\":3}",
		"port: not a field of a selector (known: iface, proto, dport, "
		"dst, vip, queue, transit)");
	refused("{\"vip\":1}", "vip: expected string, got int");
}

static void test_json_round_trip(void **state)
{
	static const char *const docs[] = {
		"{ \"id\": 1, \"proto\": \"udp\", \"dport\": \"5000-5010\" }",
		"{ \"id\": 2, \"iface\": \"eth0\", \"proto\": \"tcp\", "
		"\"dport\": \"443\", \"queue\": 2 }",
		"{ \"id\": 3, \"dst\": \"198.18.0.0/24\" }",
		"{ \"id\": 4, \"vip\": \"2001:db8::10\" }",
		"{ \"id\": 5, \"transit\": true }",
		"{ \"id\": 6, \"iface\": \"eth1\", \"transit\": true, "
		"\"queue\": 0 }",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct steer_sel s;
		json_object *o;

		assert_int_equal(parse(docs[i], STEER_PARSE_ID, &s), 0);
		o = steer_sel_json(&s);
		assert_string_equal(
			json_object_to_json_string_ext(
				o, JSON_C_TO_STRING_SPACED |
					   JSON_C_TO_STRING_NOSLASHESCAPE),
			docs[i]);
		json_object_put(o);
	}
}

static void test_overlap(void **state)
{
	struct steer_sel a, b;
	char t[80];

	(void)state;
	parse("{\"proto\":\"udp\",\"dport\":\"5000-5010\"}", 0, &a);
	parse("{\"proto\":\"udp\",\"dport\":\"5010-5020\"}", 0, &b);
	assert_true(steer_sel_overlap(&a, &b));
	parse("{\"proto\":\"tcp\",\"dport\":\"5000-5010\"}", 0, &b);
	assert_false(steer_sel_overlap(&a, &b)); /* another protocol */
	parse("{\"proto\":\"udp\",\"dport\":5005,\"iface\":\"eth0\"}", 0, &b);
	assert_false(steer_sel_overlap(&a, &b)); /* its own interface */
	parse("{\"dst\":\"198.18.0.1/32\"}", 0, &a);
	parse("{\"vip\":\"198.18.0.1\"}", 0, &b);
	assert_true(steer_sel_overlap(&a, &b)); /* the same key */
	parse("{\"dst\":\"198.18.0.0/24\"}", 0, &b);
	assert_false(steer_sel_overlap(&a, &b)); /* longest prefix wins */
	steer_sel_text(&b, t, sizeof(t));
	assert_string_equal(t, "dst 198.18.0.0/24");
}

/* The transit kind: taken alone (with iface and queue), refused with
 * any other kind's field, one per interface. */
static void test_transit(void **state)
{
	struct steer_sel a, b;
	char t[80];

	(void)state;
	assert_int_equal(parse("{\"transit\":true}", 0, &a), 0);
	assert_int_equal(a.kind, STEER_TRANSIT);
	assert_string_equal(a.iface, "");
	assert_int_equal(a.queue, SLUICE_STEER_ANY_QUEUE);
	assert_int_equal(steer_sel_entries(&a), 1);
	steer_sel_text(&a, t, sizeof(t));
	assert_string_equal(t, "transit");
	assert_string_equal(steer_kind_name(a.kind), "transit");
	assert_int_equal(parse("{\"transit\":true,\"iface\":\"eth1\","
			       "\"queue\":3}",
			       0, &b),
			 0);
	assert_int_equal(b.kind, STEER_TRANSIT);
	assert_string_equal(b.iface, "eth1");
	assert_int_equal(b.queue, 3);

	refused("{\"transit\":false}",
		"transit: false is not true (a transit selector is "
		"{\"transit\": true})");
	refused("{\"transit\":\"yes\"}", "transit: \"yes\" is not true");
	refused("{\"transit\":1}", "transit: 1 is not true");
	refused("{\"transit\":null}", "transit: null is not true");
	refused("{\"transit\":true,\"proto\":\"udp\",\"dport\":53}",
		"proto: not with transit");
	refused("{\"transit\":true,\"dport\":53}", "dport: not with transit");
	refused("{\"transit\":true,\"dst\":\"198.18.0.0/24\"}",
		"dst: not with transit");
	refused("{\"vip\":\"198.18.0.1\",\"transit\":true}",
		"vip: not with transit");
	refused("{\"transit\":true,\"queue\":64}",
		"queue: 64 is not an rx queue 0..63");
	refused("{\"transit\":true,\"iface\":\"a b\"}",
		"iface: 'a b' is not an interface name");

	/* one per interface, and one for every port */
	assert_true(steer_sel_overlap(&a, &a));
	assert_true(steer_sel_overlap(&b, &b));
	assert_false(steer_sel_overlap(&a, &b));
	parse("{\"transit\":true,\"iface\":\"eth1\"}", 0, &a);
	assert_true(steer_sel_overlap(&a, &b)); /* another queue: one entry */
	parse("{\"proto\":\"udp\",\"dport\":\"1-65535\",\"iface\":"
	      "\"eth1\"}",
	      0, &a);
	assert_false(steer_sel_overlap(&a, &b));
	assert_false(steer_sel_overlap(&b, &a));
	parse("{\"dst\":\"0.0.0.0/0\",\"iface\":\"eth1\"}", 0, &a);
	assert_false(steer_sel_overlap(&b, &a));
	assert_non_null(strstr(steer_overlap_why(&b),
			       "a transit selector of the same interface"));
}

static void test_array(void **state)
{
	json_object *a = json_tokener_parse(
		"[{\"proto\":\"udp\",\"dport\":53},{\"dst\":\"2001:db8::/32\"},"
		"{\"proto\":\"udp\",\"dport\":\"50-60\"}]");
	struct steer_sel *v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(steer_sels_parse(a, "steer", 0, &v, &n, err,
					  sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "steer[2].: overlaps steer[0]"));
	json_object_put(a);
	a = json_tokener_parse("[{\"id\":1,\"proto\":\"udp\",\"dport\":53},"
			       "{\"id\":1,\"dst\":\"2001:db8::/32\"}]");
	assert_int_equal(steer_sels_parse(a, "selectors", STEER_PARSE_ID, &v,
					  &n, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "selectors[1].id: 1 is selectors[0]'s"));
	json_object_put(a);
	a = json_tokener_parse("[{\"proto\":\"udp\",\"dport\":53},"
			       "{\"dst\":\"2001:db8::/32\"}]");
	assert_int_equal(
		steer_sels_parse(a, "steer", 0, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	free(v);
	json_object_put(a);
	a = json_tokener_parse("[{\"transit\":true},{\"transit\":true,"
			       "\"iface\":\"eth1\"},{\"transit\":true,"
			       "\"queue\":1}]");
	assert_int_equal(steer_sels_parse(a, "steer", 0, &v, &n, err,
					  sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "steer[2].: overlaps steer[0] (a transit "
				    "selector of the same interface"));
	json_object_put(a);
}

/* ---- sluicectl steer ---- */

static int steer_cli(struct cli_query *q, enum cli_steer_out *out, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	va_start(ap, out);
	for (char *a; (a = va_arg(ap, char *)) && argc < 16;)
		argv[argc++] = a;
	va_end(ap);
	err[0] = '\0';
	return cli_steer_args(argc, argv, q, out, err, sizeof(err));
}

static void test_cli(void **state)
{
	enum cli_steer_out out;
	struct cli_query q;

	(void)state;
	assert_int_equal(steer_cli(&q, &out, "add", "--iface", "eth0",
				   "--proto", "udp", "--dport", "5000-5010",
				   "--queue", "2", (char *)NULL),
			 0);
	assert_string_equal(q.method, "POST");
	assert_string_equal(q.path, "/v1/steer");
	assert_string_equal(cli_body_string(&q),
			    "{\"iface\":\"eth0\",\"proto\":\"udp\",\"dport\":"
			    "\"5000-5010\",\"queue\":2}");
	assert_int_equal(out, CLI_STEER_ADDED);
	cli_query_free(&q);
	assert_int_equal(steer_cli(&q, &out, "del", "3", (char *)NULL), 0);
	assert_string_equal(q.method, "DELETE");
	assert_string_equal(q.path, "/v1/steer/3");
	cli_query_free(&q);
	assert_int_equal(steer_cli(&q, &out, "show", "-j", (char *)NULL), 0);
	assert_string_equal(q.path, "/v1/steer");
	assert_true(q.json);
	cli_query_free(&q);

	assert_int_equal(steer_cli(&q, &out, "add", "--iface", "eth0",
				   (char *)NULL),
			 -EINVAL);
	assert_non_null(strstr(err, "add needs --proto and --dport"));
	cli_query_free(&q);
	assert_int_equal(steer_cli(&q, &out, "add", "--proto", "icmp",
				   (char *)NULL),
			 -EINVAL);
	assert_non_null(strstr(err, "--proto 'icmp' is not udp or tcp"));
	cli_query_free(&q);
	assert_int_equal(steer_cli(&q, &out, "add", "--vip", "198.18.0.1",
				   "--queue", "64", (char *)NULL),
			 -EINVAL);
	assert_non_null(strstr(err, "--queue '64' is not an rx queue 0..63"));
	cli_query_free(&q);
	assert_int_equal(steer_cli(&q, &out, "del", "0", (char *)NULL),
			 -EINVAL);
	assert_non_null(strstr(err, "del '0': a selector ID is a number"));
	cli_query_free(&q);

	/* --transit is a flag: true in the body */
	assert_int_equal(steer_cli(&q, &out, "add", "--transit", "--iface",
				   "eth1", "--queue", "0", (char *)NULL),
			 0);
	assert_string_equal(q.method, "POST");
	assert_string_equal(
		cli_body_string(&q),
		"{\"transit\":true,\"iface\":\"eth1\",\"queue\":0}");
	cli_query_free(&q);
	assert_int_equal(steer_cli(&q, &out, "add", "--transit", (char *)NULL),
			 0);
	assert_string_equal(cli_body_string(&q), "{\"transit\":true}");
	cli_query_free(&q);
	/* sluiced refuses the mix, naming the field */
	assert_int_equal(steer_cli(&q, &out, "add", "--transit", "--dport",
				   "53", (char *)NULL),
			 0);
	assert_string_equal(cli_body_string(&q),
			    "{\"transit\":true,\"dport\":\"53\"}");
	cli_query_free(&q);
	assert_int_equal(steer_cli(&q, &out, "add", "--transit", "--transit",
				   (char *)NULL),
			 -EINVAL);
	assert_non_null(strstr(err, "steer: --transit given twice"));
	cli_query_free(&q);
	assert_int_equal(steer_cli(&q, &out, "add", "--transit", "yes",
				   (char *)NULL),
			 -EINVAL);
	assert_non_null(strstr(err, "yes"));
	cli_query_free(&q);
	assert_int_equal(steer_cli(&q, &out, "add", "--queue", "1",
				   (char *)NULL),
			 -EINVAL);
	assert_non_null(strstr(err, "add needs --proto and --dport, --dst, "
				    "--vip or --transit"));
	cli_query_free(&q);
}

static void test_cli_print(void **state)
{
	json_object *doc = json_tokener_parse(
		"{\"selectors\":[{\"id\":1,\"proto\":\"udp\",\"dport\":"
		"\"5000\",\"active\":true,\"counters\":{\"matched\":5,"
		"\"redirected\":3,\"no_socket\":2}},{\"id\":2,\"iface\":"
		"\"eth9\",\"vip\":\"198.18.0.10\",\"queue\":1,\"active\":"
		"false,\"counters\":{\"matched\":0,\"redirected\":0,"
		"\"no_socket\":0}},{\"id\":3,\"kind\":\"transit\","
		"\"iface\":\"eth1\",\"transit\":true,\"active\":true,"
		"\"counters\":{\"matched\":9,\"redirected\":7,"
		"\"no_socket\":2}}],\"sockets\":[{\"iface\":\"eth0\","
		"\"queues\":[0,2]},{\"iface\":\"eth1\",\"queues\":[]}]}");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(cli_steer_print(doc, f, err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(buf, "udp 5000"));
	assert_non_null(strstr(buf, "eth9 (inactive)"));
	assert_non_null(strstr(buf, "vip 198.18.0.10"));
	assert_non_null(strstr(buf, "transit"));
	assert_non_null(strstr(buf, "eth1"));
	assert_non_null(strstr(buf, "sockets eth0: queue 0,2\n"));
	assert_non_null(strstr(buf, "sockets eth1: none\n"));
	free(buf);
	json_object_put(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taken),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_transit),
		cmocka_unit_test(test_array),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_cli_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
