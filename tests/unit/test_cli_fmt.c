// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl's text output: a canned API document in, the exact text out.
 * The documents follow the REST contract (docs/cli.md). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cli.h"

typedef int (*print_fn)(json_object *, FILE *, char *, size_t);

/* Runs @print over @json; returns the text (free it), asserting success. */
static char *render(print_fn print, json_object *doc)
{
	char *text = NULL, err[256] = "";
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int r;

	assert_non_null(f);
	r = print(doc, f, err, sizeof(err));
	fclose(f);
	if (r)
		fail_msg("printer failed: %d %s", r, err);
	return text;
}

static json_object *parse(const char *json)
{
	json_object *doc = json_tokener_parse(json);

	assert_non_null(doc);
	return doc;
}

static void expect(print_fn print, const char *json, const char *want)
{
	json_object *doc = parse(json);
	char *got = render(print, doc);

	if (strcmp(got, want))
		fail_msg("text differs.\n--- got:\n%s--- want:\n%s---", got,
			 want);
	free(got);
	json_object_put(doc);
}

/* ---- status ---- */

static void test_status(void **state)
{
	(void)state;
	expect(cli_status_print,
	       "{\"version\":\"0.1.0\",\"uptime_s\":12,"
	       "\"pin_dir\":\"/sys/fs/bpf/sluice\",\"maps_reused\":false,"
	       "\"xdp_mode\":\"auto\",\"interfaces\":2,\"routes_v4\":10,"
	       "\"routes_v6\":8,\"nexthop_groups\":3,\"neighbors\":4,"
	       "\"netlink_events\":120,\"netlink_resyncs\":0,"
	       "\"route_errors\":0}",
	       "version          0.1.0\n"
	       "uptime           12s\n"
	       "pin dir          /sys/fs/bpf/sluice\n"
	       "maps reused      no\n"
	       "xdp mode         auto\n"
	       "interfaces       2\n"
	       "IPv4 routes      10\n"
	       "IPv6 routes      8\n"
	       "nexthop groups   3\n"
	       "neighbors        4\n"
	       "netlink events   120\n"
	       "netlink resyncs  0\n"
	       "route errors     0\n");
}

/* The counters added since, labelled; the table's groups from the fib
 * object as "N of MAX". */
static void test_status_later_fields(void **state)
{
	(void)state;
	expect(cli_status_print,
	       "{\"version\":\"0.1.0\",\"route_errors\":0,"
	       "\"netlink_overruns\":1,\"netlink_resyncs_coalesced\":2,"
	       "\"neigh_errors\":3,\"onlink_resolutions\":4,"
	       "\"onlink_left_to_owner\":5,\"onlink_errors\":6,"
	       "\"routes_left_to_kernel\":7,\"fib\":{\"v4_groups\":1030,"
	       "\"v4_groups_max\":65536,\"v6_groups\":9,"
	       "\"v6_groups_max\":65536}}",
	       "version                0.1.0\n"
	       "route errors           0\n"
	       "netlink overruns       1\n"
	       "resyncs coalesced      2\n"
	       "neighbour errors       3\n"
	       "on-link resolutions    4\n"
	       "on-link left to owner  5\n"
	       "on-link errors         6\n"
	       "routes left to kernel  7\n"
	       "IPv4 table groups      1030 of 65536\n"
	       "IPv6 table groups      9 of 65536\n");
}

/* The IPv6 /48 index's slots, when the daemon reports them. */
static void test_status_fib_index(void **state)
{
	(void)state;
	expect(cli_status_print,
	       "{\"version\":\"0.1.0\",\"fib\":{\"v4_groups\":1,"
	       "\"v4_groups_max\":16384,\"v6_groups\":9,"
	       "\"v6_groups_max\":65536,\"v6_index_slots\":3,"
	       "\"v6_index_slots_max\":524288}}",
	       "version               0.1.0\n"
	       "IPv4 table groups     1 of 16384\n"
	       "IPv6 table groups     9 of 65536\n"
	       "IPv6 /48 index slots  3 of 524288\n");
	/* fib.v6_index_slots 0: no index, said so rather than "0 of 0" */
	expect(cli_status_print,
	       "{\"version\":\"0.1.0\",\"fib\":{\"v4_groups\":1,"
	       "\"v4_groups_max\":16384,\"v6_groups\":9,"
	       "\"v6_groups_max\":65536,\"v6_index_slots\":0,"
	       "\"v6_index_slots_max\":0}}",
	       "version               0.1.0\n"
	       "IPv4 table groups     1 of 16384\n"
	       "IPv6 table groups     9 of 65536\n"
	       "IPv6 /48 index slots  off (fib.v6_index_slots 0)\n");
}

/* Fields a newer daemon adds still show; missing ones are left out. */
static void test_status_unknown_fields(void **state)
{
	(void)state;
	expect(cli_status_print,
	       "{\"version\":\"0.2.0\",\"maps_reused\":true,"
	       "\"uptime_s\":3600,\"vip_count\":7,\"nested\":{\"a\":1}}",
	       "version      0.2.0\n"
	       "uptime       1h 0m 0s\n"
	       "maps reused  yes\n"
	       "vip_count    7\n");
}

static void test_duration(void **state)
{
	static const struct {
		uint64_t s;
		const char *want;
	} cases[] = {
		{ 0, "0s" },
		{ 59, "59s" },
		{ 60, "1m 0s" },
		{ 3599, "59m 59s" },
		{ 3600, "1h 0m 0s" },
		{ 86399, "23h 59m 59s" },
		{ 86400, "1d 0h 0m 0s" },
		{ 93784, "1d 2h 3m 4s" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cli_fmt_duration(cases[i].s, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

/* ---- interfaces ---- */

static const char ifaces_json[] =
	"{\"interfaces\":["
	"{\"name\":\"r-eth0\",\"ifindex\":5,\"state\":\"attached\","
	"\"mode\":\"native\",\"adopted\":false,\"mac\":\"02:00:00:00:01:01\","
	"\"mtu\":1500,\"slot\":1,\"vlan_id\":0,\"parent\":\"\",\"error\":\"\","
	"\"back_out\":\"redirect\",\"xmit_drops\":{\"redirect_failed\":3,"
	"\"xmit_dropped\":2,\"tx_failed\":0,\"steer_failed\":0,"
	"\"last_errors\":{\"redirect_failed\":\"EOPNOTSUPP\","
	"\"xmit_dropped\":\"\"}}},"
	"{\"name\":\"r-eth1.10\",\"ifindex\":9,\"state\":\"attached\","
	"\"mode\":\"generic\",\"adopted\":true,\"mac\":\"02:00:00:00:02:01\","
	"\"mtu\":1500,\"slot\":3,\"vlan_id\":10,\"parent\":\"r-eth1\","
	"\"error\":\"\",\"xmit_drops\":{\"redirect_failed\":0,"
	"\"xmit_dropped\":0,\"tx_failed\":0,\"steer_failed\":0,"
	"\"last_errors\":{}}},"
	"{\"name\":\"r-eth9\",\"ifindex\":0,\"state\":\"absent\","
	"\"mode\":\"none\",\"adopted\":false,\"mac\":\"\",\"mtu\":0,"
	"\"slot\":0,\"vlan_id\":0,\"parent\":\"\",\"error\":\"\"},"
	"{\"name\":\"r-eth7\",\"ifindex\":12,\"state\":\"error\","
	"\"mode\":\"none\",\"mac\":\"02:00:00:00:07:01\",\"mtu\":9000,"
	"\"slot\":4,\"error\":\"native XDP not supported\"}"
	"]}";

static void test_iface(void **state)
{
	(void)state;
	expect(cli_iface_print, ifaces_json,
	       "NAME       IFINDEX  STATE     MODE     SLOT   MTU  MAC                INFO\n"
	       "r-eth0           5  attached  native      1  1500  02:00:00:00:01:01  back out: redirect, lost: redirect_failed 3 (EOPNOTSUPP), xmit_dropped 2\n"
	       "r-eth1.10        9  attached  generic     3  1500  02:00:00:00:02:01  vlan 10 on r-eth1, adopted\n"
	       "r-eth9           -  absent    none        -     -  -\n"
	       "r-eth7          12  error     none        4  9000  02:00:00:00:07:01  error: native XDP not supported\n");
}

static void test_iface_filter(void **state)
{
	json_object *doc = parse(ifaces_json);
	char err[256] = "", *got;

	(void)state;
	assert_int_equal(cli_iface_filter(doc, "r-eth9", err, sizeof(err)), 0);
	got = render(cli_iface_print, doc);
	assert_string_equal(
		got, "NAME    IFINDEX  STATE   MODE  SLOT  MTU  MAC  INFO\n"
		     "r-eth9        -  absent  none     -    -  -\n");
	free(got);
	/* no name: everything stays */
	json_object_put(doc);
	doc = parse(ifaces_json);
	assert_int_equal(cli_iface_filter(doc, NULL, err, sizeof(err)), 0);
	assert_int_equal(json_object_array_length(
				 json_object_object_get(doc, "interfaces")),
			 4);
	/* a prefix of a name is not the name */
	assert_int_equal(cli_iface_filter(doc, "r-eth", err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "iface: interface 'r-eth' not found");
	json_object_put(doc);
}

/* ---- routes ---- */

static void test_route(void **state)
{
	(void)state;
	expect(cli_route_print,
	       "{\"routes\":["
	       /* on-link: via "" */
	       "{\"prefix\":\"198.18.1.0/24\",\"family\":4,\"table\":\"main\","
	       "\"metric\":0,\"protocol\":\"kernel\",\"type\":\"forward\","
	       "\"nexthops\":[{\"via\":\"\",\"dev\":\"r-eth0\",\"ifindex\":5}]},"
	       "{\"prefix\":\"198.18.2.0/24\",\"family\":4,\"table\":\"main\","
	       "\"metric\":0,\"protocol\":\"kernel\",\"type\":\"forward\","
	       "\"nexthops\":[{\"via\":\"198.18.1.2\",\"dev\":\"r-eth1\","
	       "\"ifindex\":6}]},"
	       /* multipath */
	       "{\"prefix\":\"198.18.5.0/24\",\"family\":4,\"table\":\"main\","
	       "\"metric\":32,\"protocol\":\"bird\",\"type\":\"forward\","
	       "\"nexthops\":[{\"via\":\"198.18.1.2\",\"dev\":\"r-eth1\","
	       "\"ifindex\":6},{\"via\":\"198.18.3.2\",\"dev\":\"r-eth3\","
	       "\"ifindex\":8},{\"via\":\"\",\"dev\":\"\",\"ifindex\":11}]},"
	       "{\"prefix\":\"198.18.1.1/32\",\"family\":4,\"table\":\"local\","
	       "\"metric\":0,\"protocol\":\"kernel\",\"type\":\"local\","
	       "\"nexthops\":[]},"
	       /* numeric table and protocol; no nexthops key at all */
	       "{\"prefix\":\"198.18.9.0/24\",\"family\":4,\"table\":100,"
	       "\"metric\":1024,\"protocol\":4,\"type\":\"kernel\"},"
	       "{\"prefix\":\"2001:db8:2::/64\",\"family\":6,\"table\":\"main\","
	       "\"metric\":1024,\"protocol\":\"static\",\"type\":\"forward\","
	       "\"nexthops\":[{\"via\":\"fe80::2\",\"dev\":\"r-eth1\","
	       "\"ifindex\":6}]}"
	       "]}",
	       "198.18.1.0/24 dev r-eth0 proto kernel metric 0 [forward]\n"
	       "198.18.2.0/24 via 198.18.1.2 dev r-eth1 proto kernel metric 0 [forward]\n"
	       "198.18.5.0/24 proto bird metric 32 [forward]\n"
	       "\tnexthop via 198.18.1.2 dev r-eth1\n"
	       "\tnexthop via 198.18.3.2 dev r-eth3\n"
	       "\tnexthop dev if11\n"
	       "198.18.1.1/32 table local proto kernel metric 0 [local]\n"
	       "198.18.9.0/24 table 100 proto 4 metric 1024 [kernel]\n"
	       "2001:db8:2::/64 via fe80::2 dev r-eth1 proto static metric 1024 [forward]\n");
}

static void test_route_empty(void **state)
{
	(void)state;
	expect(cli_route_print, "{\"routes\":[]}", "");
	expect(cli_route_print, "{\"routes\":[],\"total\":0,\"next\":null}",
	       "");
}

/* a page with more after it says how to get the next one */
static void test_route_more(void **state)
{
	(void)state;
	expect(cli_route_print,
	       "{\"routes\":["
	       "{\"prefix\":\"198.18.1.0/24\",\"family\":4,\"table\":\"main\","
	       "\"metric\":0,\"protocol\":\"kernel\",\"type\":\"forward\","
	       "\"nexthops\":[{\"via\":\"\",\"dev\":\"r-eth0\",\"ifindex\":5}]}"
	       "],\"total\":3,\"next\":\"198.18.1.0/24\"}",
	       "198.18.1.0/24 dev r-eth0 proto kernel metric 0 [forward]\n"
	       "more: --cursor 198.18.1.0/24\n");
}

/* ---- neighbours ---- */

static void test_neigh(void **state)
{
	(void)state;
	expect(cli_neigh_print,
	       "{\"neighbors\":["
	       "{\"dev\":\"r-eth1\",\"ifindex\":6,\"address\":\"198.18.1.2\","
	       "\"mac\":\"02:00:00:00:02:02\",\"state\":\"reachable\"},"
	       "{\"dev\":\"r-eth1\",\"ifindex\":6,"
	       "\"address\":\"2001:db8:1::2\",\"mac\":\"02:00:00:00:02:02\","
	       "\"state\":\"stale\"},"
	       "{\"dev\":\"r-eth0\",\"ifindex\":5,\"address\":\"198.18.0.9\","
	       "\"mac\":\"\",\"state\":\"incomplete\"}"
	       "]}",
	       "ADDRESS        DEV     MAC                STATE\n"
	       "198.18.1.2     r-eth1  02:00:00:00:02:02  reachable\n"
	       "2001:db8:1::2  r-eth1  02:00:00:00:02:02  stale\n"
	       "198.18.0.9     r-eth0  -                  incomplete\n");
	/* one the full map refused is marked; "programmed" absent: not */
	expect(cli_neigh_print,
	       "{\"neighbors\":["
	       "{\"dev\":\"r1\",\"ifindex\":3,\"address\":\"198.18.2.2\","
	       "\"mac\":\"02:00:00:00:02:02\",\"state\":\"permanent\","
	       "\"programmed\":true},"
	       "{\"dev\":\"r1\",\"ifindex\":3,\"address\":\"198.18.2.3\","
	       "\"mac\":\"02:00:00:00:02:03\",\"state\":\"permanent\","
	       "\"programmed\":false}"
	       "],\"total\":2,\"next\":null}",
	       "ADDRESS     DEV  MAC                STATE\n"
	       "198.18.2.2  r1   02:00:00:00:02:02  permanent\n"
	       "198.18.2.3  r1   02:00:00:00:02:03  permanent [not in map]\n");
}

/* ---- stats ---- */

#define REASON(r, v, p, b)                                                     \
	"{\"reason\":\"" r "\",\"verdict\":\"" v "\",\"packets\":" #p          \
	",\"bytes\":" #b "}"

static const char stats_json[] =
	"{\"interfaces\":["
	"{\"name\":\"r-eth0\",\"slot\":1,\"reasons\":[" REASON("fwd_redirect", "forward", 10, 980) "," REASON("fwd_tx", "forward", 0, 0) "," REASON(
		"pass_not_ip", "pass", 2,
		120) "," REASON("drop_bad_csum", "drop", 0,
				0) "]},"
				   "{\"name\":\"r-eth1\",\"slot\":2,\"reasons\":[" REASON("fwd_redirect", "forward", 18446744073709551615, 12345678901) "," REASON(
					   "fwd_tx", "forward", 0,
					   0) "," REASON("pass_not_ip", "pass",
							 0,
							 0) "," REASON("drop_bad_csum",
								       "drop",
								       1,
								       64) "]}"
									   "],\"totals\":[" REASON("fwd_redirect", "forward", 18446744073709551615, 12345679881) "," REASON(
										   "fwd_tx",
										   "forward",
										   0,
										   0) "," REASON("pass_not_ip",
												 "pass",
												 2,
												 120) "," REASON("drop_bad_csum",
														 "drop",
														 1,
														 64) "]}";

static void test_stats_default(void **state)
{
	json_object *doc = parse(stats_json);
	char err[256], *got;

	(void)state;
	assert_int_equal(cli_stats_filter(doc, false, err, sizeof(err)), 0);
	got = render(cli_stats_print, doc);
	assert_string_equal(
		got,
		"IFACE   REASON         VERDICT               PACKETS        BYTES\n"
		"r-eth0  fwd_redirect   forward                    10          980\n"
		"r-eth0  pass_not_ip    pass                        2          120\n"
		"r-eth1  fwd_redirect   forward  18446744073709551615  12345678901\n"
		"r-eth1  drop_bad_csum  drop                        1           64\n"
		"total   fwd_redirect   forward  18446744073709551615  12345679881\n"
		"total   pass_not_ip    pass                        2          120\n"
		"total   drop_bad_csum  drop                        1           64\n");
	free(got);
	/* -j prints the same rows: the filter changed the document itself */
	assert_int_equal(
		json_object_array_length(json_object_object_get(
			json_object_array_get_idx(
				json_object_object_get(doc, "interfaces"), 0),
			"reasons")),
		2);
	assert_int_equal(
		json_object_array_length(json_object_object_get(doc, "totals")),
		3);
	json_object_put(doc);
}

static void test_stats_all(void **state)
{
	json_object *doc = parse(stats_json);
	char err[256], *got;

	(void)state;
	assert_int_equal(cli_stats_filter(doc, true, err, sizeof(err)), 0);
	got = render(cli_stats_print, doc);
	assert_string_equal(
		got,
		"IFACE   REASON         VERDICT               PACKETS        BYTES\n"
		"r-eth0  fwd_redirect   forward                    10          980\n"
		"r-eth0  fwd_tx         forward                     0            0\n"
		"r-eth0  pass_not_ip    pass                        2          120\n"
		"r-eth0  drop_bad_csum  drop                        0            0\n"
		"r-eth1  fwd_redirect   forward  18446744073709551615  12345678901\n"
		"r-eth1  fwd_tx         forward                     0            0\n"
		"r-eth1  pass_not_ip    pass                        0            0\n"
		"r-eth1  drop_bad_csum  drop                        1           64\n"
		"total   fwd_redirect   forward  18446744073709551615  12345679881\n"
		"total   fwd_tx         forward                     0            0\n"
		"total   pass_not_ip    pass                        2          120\n"
		"total   drop_bad_csum  drop                        1           64\n");
	free(got);
	json_object_put(doc);
}

/* One interface (dev IFNAME): its own rows, no total repeating them;
 * nothing counted: nothing printed. */
static void test_stats_one_dev(void **state)
{
	json_object *doc = parse(
		"{\"interfaces\":[{\"name\":\"r-eth0\",\"slot\":1,\"reasons\":[" REASON(
			"fwd_redirect", "forward", 3,
			300) "," REASON("drop_trunc_eth", "drop", 0,
					0) "]}],"
					   "\"totals\":[" REASON("fwd_redirect",
								 "forward", 3,
								 300) "]}");
	char err[256], *got;

	(void)state;
	assert_int_equal(cli_stats_filter(doc, false, err, sizeof(err)), 0);
	got = render(cli_stats_print, doc);
	assert_string_equal(got,
			    "IFACE   REASON        VERDICT  PACKETS  BYTES\n"
			    "r-eth0  fwd_redirect  forward        3    300\n");
	free(got);
	json_object_put(doc);

	doc = parse(
		"{\"interfaces\":[{\"name\":\"r-eth0\",\"reasons\":[" REASON(
			"fwd_tx", "forward", 0, 0) "]}]}");
	assert_int_equal(cli_stats_filter(doc, false, err, sizeof(err)), 0);
	got = render(cli_stats_print, doc);
	assert_string_equal(got, "");
	free(got);
	json_object_put(doc);
}

/* ---- malformed documents, errors, -j ---- */

static void test_bad_shape(void **state)
{
	static const struct {
		print_fn print;
		const char *json, *err;
	} cases[] = {
		{ cli_route_print, "{\"route\":[]}",
		  "unexpected response from sluiced: no 'routes' array" },
		{ cli_route_print, "[]",
		  "unexpected response from sluiced: no 'routes' array" },
		{ cli_neigh_print, "{\"neighbors\":{}}",
		  "unexpected response from sluiced: no 'neighbors' array" },
		{ cli_iface_print, "{\"interfaces\":null}",
		  "unexpected response from sluiced: no 'interfaces' array" },
		{ cli_stats_print, "\"x\"",
		  "unexpected response from sluiced: no 'interfaces' array" },
		{ cli_status_print, "[1]",
		  "unexpected response from sluiced: not an object" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *doc = parse(cases[i].json);
		char err[256] = "";

		assert_int_equal(cases[i].print(doc, stdout, err, sizeof(err)),
				 -EPROTO);
		assert_string_equal(err, cases[i].err);
		json_object_put(doc);
	}
}

static void test_error_message(void **state)
{
	json_object *doc;

	(void)state;
	doc = parse("{\"error\":\"no such interface 'x'\"}");
	assert_string_equal(cli_error_message(doc), "no such interface 'x'");
	json_object_put(doc);
	doc = parse("{\"error\":\"\"}");
	assert_null(cli_error_message(doc));
	json_object_put(doc);
	doc = parse("{\"message\":\"x\"}");
	assert_null(cli_error_message(doc));
	json_object_put(doc);
	doc = parse("[\"error\"]");
	assert_null(cli_error_message(doc));
	json_object_put(doc);
}

static void test_json_print(void **state)
{
	json_object *doc = parse("{\"routes\":[{\"prefix\":\"198.18.2.0/24\","
				 "\"metric\":0}]}");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(cli_json_print(doc, f), 0);
	fclose(f);
	/* pretty, and '/' is not escaped as "\/" */
	assert_string_equal(text, "{\n"
				  "  \"routes\": [\n"
				  "    {\n"
				  "      \"prefix\": \"198.18.2.0/24\",\n"
				  "      \"metric\": 0\n"
				  "    }\n"
				  "  ]\n"
				  "}\n");
	free(text);
	json_object_put(doc);
}

/* ---- load balancer ---- */

static const char vips_json[] =
	"{\"vips\":["
	"{\"id\":\"198.18.100.1:80/tcp\",\"vip_id\":1,\"address\":\"198.18.100.1\","
	"\"port\":80,\"protocol\":\"tcp\",\"encap\":\"ipip\",\"hash\":\"5tuple\","
	"\"ring_size\":65537,"
	"\"health\":{\"kind\":\"tcp\",\"port\":80,\"path\":\"/\","
	"\"interval_ms\":1000,\"timeout_ms\":500,\"rise\":2,\"fall\":3},"
	"\"counters\":{\"packets\":123,\"bytes\":9840,\"new_flows\":4,"
	"\"flow_hits\":119,\"drops\":0,\"too_big\":0},"
	"\"backends\":["
	"{\"address\":\"198.18.2.11\",\"backend_id\":1,\"weight\":2,"
	"\"state\":\"active\",\"health\":\"up\",\"health_error\":\"\","
	"\"slots\":43691,"
	"\"counters\":{\"packets\":123,\"bytes\":9840,\"new_flows\":4}},"
	"{\"address\":\"2001:db8:3::11\",\"backend_id\":2,\"weight\":1000,"
	"\"state\":\"draining\",\"health\":\"down\","
	"\"health_error\":\"connect: Connection refused\",\"slots\":0,"
	"\"counters\":{\"packets\":0,\"bytes\":0,\"new_flows\":0}},"
	"{\"address\":\"198.18.4.11\",\"backend_id\":3,\"weight\":1,"
	"\"state\":\"active\",\"health\":\"unknown\",\"health_error\":\"\","
	"\"slots\":21846,"
	"\"counters\":{\"packets\":18446744073709551615,\"bytes\":1,"
	"\"new_flows\":12345}}]},"
	/* every port; the check names its own port; GRE, src hash */
	"{\"id\":\"[2001:db8:100::1]:0/udp\",\"vip_id\":2,"
	"\"address\":\"2001:db8:100::1\",\"port\":0,\"protocol\":\"udp\","
	"\"encap\":\"gre\",\"hash\":\"src\",\"ring_size\":251,"
	"\"health\":{\"kind\":\"http\",\"port\":8080,\"path\":\"/healthz\","
	"\"interval_ms\":250,\"timeout_ms\":100,\"rise\":2,\"fall\":3},"
	"\"counters\":{\"packets\":0,\"bytes\":0,\"new_flows\":0,"
	"\"flow_hits\":0,\"drops\":7,\"too_big\":2},"
	"\"backends\":[]},"
	/* no checks; and a daemon that left fields out */
	"{\"id\":\"198.18.100.2:53/udp\",\"port\":53,\"encap\":\"ipip\","
	"\"health\":{\"kind\":\"none\"},"
	"\"backends\":[{\"address\":\"198.18.2.12\"}]}"
	"],\"flows\":5,\"flow_capacity\":131072}";

static void test_vips(void **state)
{
	(void)state;
	expect(cli_vips_print, vips_json,
	       "198.18.100.1:80/tcp  encap ipip  hash 5tuple  M 65537  health tcp/1000ms\n"
	       "  198.18.2.11     weight 2     active    up       slots 43691  packets 123                   new_flows 4\n"
	       "  2001:db8:3::11  weight 1000  draining  down     slots 0      packets 0                     new_flows 0      error: connect: Connection refused\n"
	       "  198.18.4.11     weight 1     active    unknown  slots 21846  packets 18446744073709551615  new_flows 12345\n"
	       "  counters  packets 123  bytes 9840  new_flows 4  flow_hits 119  drops 0  too_big 0\n"
	       "\n"
	       "[2001:db8:100::1]:0/udp  encap gre  hash src  M 251  health http:8080/250ms\n"
	       "  no backends\n"
	       "  counters  packets 0  bytes 0  new_flows 0  flow_hits 0  drops 7  too_big 2\n"
	       "\n"
	       "198.18.100.2:53/udp  encap ipip  hash -  M -  health none\n"
	       "  198.18.2.12  weight -  -  -  slots -  packets -  new_flows -\n"
	       "  counters  packets -  bytes -  new_flows -  flow_hits -  drops -  too_big -\n");
}

/* The contract's own example, one backend: the line the brief shows. */
static const char vip_json[] =
	"{\"id\":\"198.18.100.1:80/tcp\",\"vip_id\":1,\"address\":\"198.18.100.1\","
	"\"port\":80,\"protocol\":\"tcp\",\"encap\":\"ipip\",\"hash\":\"5tuple\","
	"\"ring_size\":65537,"
	"\"health\":{\"kind\":\"tcp\",\"port\":80,\"path\":\"/\","
	"\"interval_ms\":1000,\"timeout_ms\":500,\"rise\":2,\"fall\":3},"
	"\"counters\":{\"packets\":123,\"bytes\":9840,\"new_flows\":4,"
	"\"flow_hits\":119,\"drops\":0,\"too_big\":0},"
	"\"backends\":[{\"address\":\"198.18.2.11\",\"backend_id\":1,"
	"\"weight\":2,\"state\":\"active\",\"health\":\"up\","
	"\"health_error\":\"\",\"slots\":43691,"
	"\"counters\":{\"packets\":123,\"bytes\":9840,\"new_flows\":4}}]}";

static void test_vip_one(void **state)
{
	(void)state;
	expect(cli_vip_print, vip_json,
	       "198.18.100.1:80/tcp  encap ipip  hash 5tuple  M 65537  health tcp/1000ms\n"
	       "  198.18.2.11  weight 2  active  up  slots 43691  packets 123  new_flows 4\n"
	       "  counters  packets 123  bytes 9840  new_flows 4  flow_hits 119  drops 0  too_big 0\n");
}

static void test_vips_empty(void **state)
{
	(void)state;
	expect(cli_vips_print,
	       "{\"vips\":[],\"flows\":0,\"flow_capacity\":131072}", "");
}

static void test_backends(void **state)
{
	(void)state;
	expect(cli_backends_print,
	       "{\"backends\":["
	       "{\"address\":\"198.18.2.11\",\"backend_id\":1,\"weight\":2,"
	       "\"state\":\"active\",\"health\":\"up\",\"health_error\":\"\","
	       "\"slots\":43691,"
	       "\"counters\":{\"packets\":123,\"bytes\":9840,\"new_flows\":4}},"
	       "{\"address\":\"2001:db8:3::11\",\"backend_id\":2,\"weight\":1,"
	       "\"state\":\"down\",\"health\":\"unknown\",\"health_error\":\"\","
	       "\"slots\":0,"
	       "\"counters\":{\"packets\":0,\"bytes\":0,\"new_flows\":0}}]}",
	       "198.18.2.11     weight 2  active  up       slots 43691  packets 123  new_flows 4\n"
	       "2001:db8:3::11  weight 1  down    unknown  slots 0      packets 0    new_flows 0\n");
	expect(cli_backends_print, "{\"backends\":[]}", "");
	/* POST/PATCH answer with one BACKEND */
	expect(cli_backend_print,
	       "{\"address\":\"198.18.2.11\",\"backend_id\":1,\"weight\":5,"
	       "\"state\":\"draining\",\"health\":\"up\",\"health_error\":\"\","
	       "\"slots\":0,"
	       "\"counters\":{\"packets\":1,\"bytes\":60,\"new_flows\":1}}",
	       "198.18.2.11  weight 5  draining  up  slots 0  packets 1  new_flows 1\n");
}

static void test_deleted(void **state)
{
	(void)state;
	expect(cli_deleted_print, "{\"deleted\":\"198.18.100.1:80/tcp\"}",
	       "deleted 198.18.100.1:80/tcp\n");
	expect(cli_deleted_print, "{\"deleted\":\"2001:db8:3::11\"}",
	       "deleted 2001:db8:3::11\n");
}

static void test_lb(void **state)
{
	(void)state;
	expect(cli_lb_print,
	       "{\"source_v4\":\"198.18.200.0/24\",\"source_v6\":\"\","
	       "\"flow_idle_timeout_s\":300,\"flows\":5,"
	       "\"flow_capacity\":131072,\"lru_evictions\":3,"
	       "\"slots_written\":290739,\"vips\":2}",
	       "source v4          198.18.200.0/24\n"
	       "source v6          the egress port's address (no range)\n"
	       "flow idle timeout  5m 0s\n"
	       "flows              5\n"
	       "flow capacity      131072\n"
	       "VIPs               2\n"
	       "slots written      290739\n"
	       "lru_evictions      3\n");
	/* where API changes are saved, and how many were not */
	expect(cli_lb_print,
	       "{\"source_v4\":\"198.18.200.0/24\",\"vips\":1,"
	       "\"state_file\":\"/var/lib/sluice/lb.json\","
	       "\"state_write_errors\":2}",
	       "source v4           198.18.200.0/24\n"
	       "VIPs                1\n"
	       "state file          /var/lib/sluice/lb.json\n"
	       "state write errors  2\n");
	/* the flow table's events: those that happened, on a line */
	expect(cli_lb_print,
	       "{\"flows\":9,\"flow_events\":{\"evicted\":12,"
	       "\"insert_fail_busy\":0}}",
	       "flows  9\n"
	       "flow events: evicted 12\n");
	expect(cli_lb_print,
	       "{\"flows\":9,\"flow_events\":{\"evicted\":0,"
	       "\"insert_fail_busy\":0}}",
	       "flows  9\n");
	/* GET /v1/lb as sluiced writes it (lb_summary_json), as docs/cli.md
	 * shows it: flows_age_ms is always there and sets the width */
	expect(cli_lb_print,
	       "{\"source_v4\":\"198.18.200.0/24\",\"source_v6\":\"\","
	       "\"flow_idle_timeout_s\":300,\"flows\":12,"
	       "\"flows_age_ms\":840,\"flow_capacity\":131072,"
	       "\"flow_events\":{\"evicted\":0,\"insert_fail_busy\":0},"
	       "\"vips\":2,\"slots_written\":290739,"
	       "\"state_file\":\"/var/lib/sluice/lb.json\","
	       "\"state_write_errors\":0}",
	       "source v4              198.18.200.0/24\n"
	       "source v6              the egress port's address (no range)\n"
	       "flow idle timeout      5m 0s\n"
	       "flows                  12\n"
	       "flows counted, ms ago  840\n"
	       "flow capacity          131072\n"
	       "VIPs                   2\n"
	       "slots written          290739\n"
	       "state file             /var/lib/sluice/lb.json\n"
	       "state write errors     0\n");
}

/* ---- node ---- */

static void test_node(void **state)
{
	(void)state;
	/* the node's fields and its announce object: one block, one width */
	expect(cli_node_print,
	       "{\"state\":\"active\",\"sigterm_grace_s\":0,"
	       "\"announce\":{\"enabled\":false,\"routes\":0,"
	       "\"errors\":0}}",
	       "state              active\n"
	       "SIGTERM grace (s)  0\n"
	       "announce           no\n"
	       "VIP routes         0\n"
	       "route errors       0\n");
	expect(cli_node_print,
	       "{\"state\":\"draining\",\"grace_s\":30,"
	       "\"draining_for_ms\":1200,\"sigterm_grace_s\":5,"
	       "\"announce\":{\"enabled\":true,\"table\":83,"
	       "\"drain\":\"graceful_shutdown\",\"gshut_table\":84,"
	       "\"protocol\":99,\"routes\":2,\"errors\":0}}",
	       "state                draining\n"
	       "grace (s)            30\n"
	       "draining for (ms)    1200\n"
	       "SIGTERM grace (s)    5\n"
	       "announce             yes\n"
	       "route table          83\n"
	       "route protocol       99\n"
	       "drain                graceful_shutdown\n"
	       "drained route table  84\n"
	       "VIP routes           2\n"
	       "route errors         0\n");
	/* no announce object (an older daemon): the node's lines alone */
	expect(cli_node_print, "{\"state\":\"active\"}", "state  active\n");
}

static void test_lb_printer(void **state)
{
	(void)state;
	assert_ptr_equal(cli_lb_printer(CLI_OUT_VIPS), cli_vips_print);
	assert_ptr_equal(cli_lb_printer(CLI_OUT_VIP), cli_vip_print);
	assert_ptr_equal(cli_lb_printer(CLI_OUT_BACKENDS), cli_backends_print);
	assert_ptr_equal(cli_lb_printer(CLI_OUT_BACKEND), cli_backend_print);
	assert_ptr_equal(cli_lb_printer(CLI_OUT_DELETED), cli_deleted_print);
	assert_ptr_equal(cli_lb_printer(CLI_OUT_LB), cli_lb_print);
}

static void test_lb_bad_shape(void **state)
{
	static const struct {
		print_fn print;
		const char *json, *err;
	} cases[] = {
		{ cli_vips_print, "{\"vip\":[]}",
		  "unexpected response from sluiced: no 'vips' array" },
		{ cli_backends_print, "{\"backends\":{}}",
		  "unexpected response from sluiced: no 'backends' array" },
		{ cli_vip_print, "[]",
		  "unexpected response from sluiced: the VIP is not an object" },
		{ cli_backend_print, "3",
		  "unexpected response from sluiced: the backend is not an object" },
		{ cli_deleted_print, "\"x\"",
		  "unexpected response from sluiced: the answer is not an object" },
		{ cli_lb_print, "[]",
		  "unexpected response from sluiced: the document is not an object" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *doc = parse(cases[i].json);
		char err[256] = "";

		assert_int_equal(cases[i].print(doc, stdout, err, sizeof(err)),
				 -EPROTO);
		assert_string_equal(err, cases[i].err);
		json_object_put(doc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_status_later_fields),
		cmocka_unit_test(test_status_fib_index),
		cmocka_unit_test(test_status_unknown_fields),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_iface),
		cmocka_unit_test(test_iface_filter),
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_route_empty),
		cmocka_unit_test(test_route_more),
		cmocka_unit_test(test_neigh),
		cmocka_unit_test(test_stats_default),
		cmocka_unit_test(test_stats_all),
		cmocka_unit_test(test_stats_one_dev),
		cmocka_unit_test(test_bad_shape),
		cmocka_unit_test(test_error_message),
		cmocka_unit_test(test_json_print),
		cmocka_unit_test(test_vips),
		cmocka_unit_test(test_vip_one),
		cmocka_unit_test(test_vips_empty),
		cmocka_unit_test(test_backends),
		cmocka_unit_test(test_deleted),
		cmocka_unit_test(test_lb),
		cmocka_unit_test(test_lb_printer),
		cmocka_unit_test(test_lb_bad_shape),
		cmocka_unit_test(test_node),
	};

	return cmocka_run_group_tests_name("cli_fmt", tests, NULL, NULL);
}
