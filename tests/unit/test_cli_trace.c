// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl trace: flags into the in-kernel filter (the bad one named,
 * nothing half-set), an event into its line, and the pcapng bytes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>
#include <uapi/sluice/ct.h>
#include <uapi/sluice/fw.h>
#include "cli_trace.h"
#include "dp.h"
#include "pcapng.h"

static char err[256];

static int run(struct cli_trace *t, ...)
{
	char *argv[24];
	int argc = 0;
	va_list ap;

	va_start(ap, t);
	for (char *a; (a = va_arg(ap, char *)) && argc < 24;)
		argv[argc++] = a;
	va_end(ap);
	err[0] = '\0';
	return cli_trace_args(argc, argv, t, err, sizeof(err));
}

static void test_args_ok(void **state)
{
	struct cli_trace t;
	__u8 want[16] = { 198, 18, 0, 0 };

	(void)state;
	assert_int_equal(run(&t, "--src", "198.18.0.0/15", "--dst",
			     "2001:db8::/32", "--proto", "udp", "--port", "53",
			     "--reason", "pass_no_route,drop_fw_rule",
			     "--sample", "1/100", "--count", "10", "--pcap",
			     "f.pcapng", "--pin-dir", "/x", "-j", (char *)NULL),
			 0);
	assert_int_equal(t.cfg.src.family, AF_INET);
	assert_int_equal(t.cfg.src.plen, 15);
	assert_memory_equal(t.cfg.src.addr, want, 16);
	assert_int_equal(t.cfg.dst.family, AF_INET6);
	assert_int_equal(t.cfg.dst.plen, 32);
	assert_int_equal(t.cfg.proto, IPPROTO_UDP);
	assert_int_equal(t.cfg.port, 53);
	assert_int_equal(t.cfg.sample, 100);
	assert_int_equal(t.cfg.count, 10);
	assert_int_equal(t.count, 10);
	assert_true(t.cfg.reasons_on);
	assert_true(t.cfg.reasons[SLUICE_PASS_NO_ROUTE / 8] &
		    (1u << (SLUICE_PASS_NO_ROUTE % 8)));
	assert_true(t.cfg.reasons[SLUICE_DROP_FW_RULE / 8] &
		    (1u << (SLUICE_DROP_FW_RULE % 8)));
	assert_false(t.cfg.reasons[SLUICE_FWD_REDIRECT / 8] &
		     (1u << (SLUICE_FWD_REDIRECT % 8)));
	assert_string_equal(t.pcap, "f.pcapng");
	assert_string_equal(t.pin_dir, "/x");
	assert_true(t.json);
	assert_int_equal(t.cfg.enabled, 0); /* dp_trace_start() switches */

	assert_int_equal(run(&t, "--vip", "[2001:db8::5]:443", (char *)NULL),
			 0);
	assert_int_equal(t.cfg.dst.family, AF_INET6);
	assert_int_equal(t.cfg.dst.plen, 128);
	assert_int_equal(t.cfg.port, 443);
	assert_int_equal(run(&t, "--vip", "198.18.100.1:80", (char *)NULL), 0);
	assert_int_equal(t.cfg.dst.plen, 32);
	assert_int_equal(t.cfg.port, 80);
	assert_int_equal(
		run(&t, "--proto", "47", "--sample", "7", (char *)NULL), 0);
	assert_int_equal(t.cfg.proto, 47);
	assert_int_equal(t.cfg.sample, 7);
	/* not given: do_trace asks sluiced (cli_trace_pin_dir) */
	assert_int_equal(run(&t, (char *)NULL), 0);
	assert_null(t.pin_dir);
}

/* --pin-dir wins, then what sluiced reports, then the default */
static void test_pin_dir(void **state)
{
	json_object *st = json_tokener_parse(
		"{\"version\":\"0.1.0\",\"pin_dir\":\"/sys/fs/bpf/sluice-b\"}");
	json_object *odd = json_tokener_parse(
		"{\"pin_dir\":\"relative/dir\",\"version\":\"0.0.9\"}");
	json_object *none = json_tokener_parse("{\"version\":\"0.0.9\"}");
	json_object *num = json_tokener_parse("{\"pin_dir\":5}");
	const char *from = NULL;

	(void)state;
	assert_string_equal(cli_trace_pin_dir("/x", st, &from), "/x");
	assert_string_equal(from, "--pin-dir");
	assert_string_equal(cli_trace_pin_dir("/x", NULL, &from), "/x");
	assert_string_equal(from, "--pin-dir");
	assert_string_equal(cli_trace_pin_dir(NULL, st, &from),
			    "/sys/fs/bpf/sluice-b");
	assert_string_equal(from, "sluiced's pin directory");
	/* no answer, or none we could use: the default */
	assert_string_equal(cli_trace_pin_dir(NULL, NULL, &from),
			    "/sys/fs/bpf/sluice");
	assert_string_equal(from, "the default");
	assert_string_equal(cli_trace_pin_dir(NULL, none, &from),
			    "/sys/fs/bpf/sluice");
	assert_string_equal(cli_trace_pin_dir(NULL, odd, &from),
			    "/sys/fs/bpf/sluice");
	assert_string_equal(cli_trace_pin_dir(NULL, num, &from),
			    "/sys/fs/bpf/sluice");
	assert_string_equal(from, "the default");
	json_object_put(st);
	json_object_put(odd);
	json_object_put(none);
	json_object_put(num);
}

static void refused(const char *needle, ...)
{
	struct cli_trace t;
	char *argv[8];
	int argc = 0;
	va_list ap;

	va_start(ap, needle);
	for (char *a; (a = va_arg(ap, char *)) && argc < 8;)
		argv[argc++] = a;
	va_end(ap);
	err[0] = '\0';
	assert_int_equal(cli_trace_args(argc, argv, &t, err, sizeof(err)),
			 -EINVAL);
	if (!strstr(err, needle))
		fail_msg("'%s' does not name '%s'", err, needle);
}

static void test_args_refused(void **state)
{
	(void)state;
	refused("invalid --port 'x'", "--port", "x", (char *)NULL);
	refused("invalid --port '0'", "--port", "0", (char *)NULL);
	refused("invalid --port '65536'", "--port", "65536", (char *)NULL);
	refused("invalid --src '198.18.0.1/15'", "--src", "198.18.0.1/15",
		(char *)NULL);
	refused("invalid --dst 'nope'", "--dst", "nope", (char *)NULL);
	refused("invalid --proto 'sctpx'", "--proto", "sctpx", (char *)NULL);
	refused("invalid --proto '0'", "--proto", "0", (char *)NULL);
	refused("no reason 'bogus'", "--reason", "pass_no_route,bogus",
		(char *)NULL);
	refused("invalid --sample '1/0'", "--sample", "1/0", (char *)NULL);
	refused("invalid --count '-3'", "--count", "-3", (char *)NULL);
	refused("invalid --vip '198.18.0.0/24'", "--vip", "198.18.0.0/24",
		(char *)NULL);
	refused("invalid --vip '198.18.0.1:0'", "--vip", "198.18.0.1:0",
		(char *)NULL);
	refused("--pcap needs a value", "--pcap", (char *)NULL);
	refused("unknown option '--bogus'", "--bogus", "1", (char *)NULL);
	/* last on the line: unknown, not "needs a value" */
	refused("trace: unknown option '--bogus', try 'sluicectl trace help'",
		"--count", "1", "--bogus", (char *)NULL);
	refused("trace: '--api' is a global option, put it before the noun",
		"--api", (char *)NULL);
	refused("unexpected argument 'x'", "x", (char *)NULL);
}

static void test_line(void **state)
{
	struct sluice_trace_event ev = {
		.ifindex = 0, /* no name lookups: "-" */
		.len = 98,
		.reason = SLUICE_FWD_LB,
		.verdict = SLUICE_V_REDIRECT,
		.hook = SLUICE_TRACE_HOOK_XDP,
		.flags = SLUICE_TRACE_F_PARSED | SLUICE_TRACE_F_PORTS |
			 SLUICE_TRACE_F_ENCAP,
		.family = AF_INET,
		.proto = IPPROTO_TCP,
		.tun_family = AF_INET,
		.sport = 40000,
		.dport = 80,
		.src = { 198, 18, 1, 2 },
		.dst = { 198, 18, 100, 1 },
		.tun_dst = { 198, 18, 2, 11 },
	};
	char buf[320];

	(void)state;
	cli_trace_line(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "xdp in - 198.18.1.2:40000 > "
				 "198.18.100.1:80 tcp len 98 fwd_lb redirect "
				 "out - backend 198.18.2.11");
	/* the decision: VIP and backend by id, the hop (ifindex 0 has no
	 * name: its number) */
	ev.d.flags = SLUICE_TRACE_D_VIP | SLUICE_TRACE_D_HOP;
	ev.d.vip_id = 1;
	ev.d.backend_id = 3;
	ev.d.gw_family = AF_INET;
	memcpy(ev.d.gw, (__u8[]){ 198, 18, 1, 254 }, 4);
	cli_trace_line(&ev, buf, sizeof(buf));
	assert_string_equal(buf,
			    "xdp in - 198.18.1.2:40000 > "
			    "198.18.100.1:80 tcp len 98 fwd_lb redirect "
			    "out - vip 198.18.100.1:80/tcp (id 1) backend "
			    "198.18.2.11 (id 3) hop via 198.18.1.254 dev 0");
	/* routed, conntracked, accepted by a rule, SNATed */
	ev.flags = SLUICE_TRACE_F_PARSED | SLUICE_TRACE_F_PORTS;
	ev.reason = SLUICE_FWD_REDIRECT;
	ev.d = (struct sluice_trace_decision){
		.flags = SLUICE_TRACE_D_ROUTE | SLUICE_TRACE_D_HOP |
			 SLUICE_TRACE_D_CT | SLUICE_TRACE_D_FW |
			 SLUICE_TRACE_D_NAT_SRC,
		.plen = 16,
		.route_family = AF_INET,
		.route_dst = { 198, 18, 100, 1 },
		.nhg_id = 5,
		.ct_state = SLUICE_CTM_ESTABLISHED,
		.fw_id = 7,
		.fw_action = SLUICE_FW_ACT_ACCEPT,
	};
	cli_trace_line(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "xdp in - 198.18.1.2:40000 > "
				 "198.18.100.1:80 tcp len 98 fwd_redirect "
				 "redirect out - ct established fw rule 7 "
				 "(accept) nat src 198.18.1.2:40000 route "
				 "198.18.0.0/16 nhg 5 dev 0");
	/* the addresses as received (F_RX): NAT's new source is the
	 * frame's as it left, not the event's */
	ev.flags |= SLUICE_TRACE_F_RX;
	memset(ev.data, 0, sizeof(ev.data));
	ev.data[12] = 0x08; /* IPv4 */
	ev.data[14] = 0x45;
	ev.data[14 + 9] = IPPROTO_TCP;
	memcpy(ev.data + 14 + 12, (__u8[]){ 198, 18, 2, 1 }, 4);
	memcpy(ev.data + 14 + 16, (__u8[]){ 198, 18, 100, 1 }, 4);
	ev.data[34] = 1024 >> 8; /* sport 1024 */
	ev.data[35] = 1024 & 0xff;
	ev.data[36] = 80 >> 8;
	ev.data[37] = 80 & 0xff;
	ev.cap_len = 38;
	cli_trace_line(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "xdp in - 198.18.1.2:40000 > "
				 "198.18.100.1:80 tcp len 98 fwd_redirect "
				 "redirect out - ct established fw rule 7 "
				 "(accept) nat src 198.18.2.1:1024 route "
				 "198.18.0.0/16 nhg 5 dev 0");
	/* a full-NAT VIP as received: the VIP from the event, the backend
	 * from the frame (198.18.100.1:80 left as 198.18.2.11:8080) */
	ev.d = (struct sluice_trace_decision){
		.flags = SLUICE_TRACE_D_VIP,
		.vip_id = 2,
		.backend_id = 4,
	};
	memcpy(ev.data + 14 + 16, (__u8[]){ 198, 18, 2, 11 }, 4);
	ev.data[36] = 8080 >> 8;
	ev.data[37] = 8080 & 0xff;
	ev.reason = SLUICE_FWD_LB;
	cli_trace_line(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "xdp in - 198.18.1.2:40000 > "
				 "198.18.100.1:80 tcp len 98 fwd_lb redirect "
				 "out - vip 198.18.100.1:80/tcp (id 2) backend "
				 "198.18.2.11:8080 (id 4)");
	ev.reason = SLUICE_FWD_REDIRECT;
	ev.flags &= ~SLUICE_TRACE_F_RX;
	ev.cap_len = 0;
	/* the policy, by its counter: "out" */
	ev.d = (struct sluice_trace_decision){
		.flags = SLUICE_TRACE_D_FW_POLICY,
		.fw_id = SLUICE_FW_POLICY_COUNTER(3, SLUICE_FW_OUT),
		.fw_action = SLUICE_FW_ACT_DROP,
	};
	ev.reason = SLUICE_DROP_FW_POLICY;
	ev.verdict = SLUICE_V_DROP;
	cli_trace_line(&ev, buf, sizeof(buf));
	assert_non_null(
		strstr(buf, "drop_fw_policy drop out - fw policy drop (out)"));
	memset(&ev.d, 0, sizeof(ev.d));
	ev.flags = 0;
	ev.reason = SLUICE_DROP_TRUNC_ETH;
	ev.verdict = SLUICE_V_DROP;
	ev.hook = SLUICE_TRACE_HOOK_TC;
	ev.len = 5;
	cli_trace_line(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "tc in - len 5 drop_trunc_eth drop out -");
}

static uint32_t u32_at(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The blocks' types, lengths (both copies) and the comment's place. */
/* -j: one object a line, '/' as is (json-c escapes it by default) */
static void test_json(void **state)
{
	struct sluice_trace_event ev = {
		.len = 98,
		.reason = SLUICE_FWD_LB,
		.verdict = SLUICE_V_REDIRECT,
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(cli_trace_json(&ev, 1500000000,
					"vip 198.18.100.1:80/tcp", f),
			 0);
	fclose(f);
	assert_string_equal(text, "{\"ts_ns\":1500000000,\"reason\":\"fwd_lb\","
				  "\"verdict\":\"redirect\",\"ifindex\":0,"
				  "\"egress_ifindex\":0,\"len\":98,"
				  "\"text\":\"vip 198.18.100.1:80/tcp\"}\n");
	free(text);
}

static void test_pcapng(void **state)
{
	unsigned char frame[60] = { 0x02, 0, 0, 0, 0, 1 }, *b;
	char *buf = NULL;
	size_t len = 0, off;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(pcapng_begin(f, 128, "test"), 0);
	assert_int_equal(pcapng_frame(f, 1700000000123456ull, frame, 60, 1514,
				      "fwd_redirect"),
			 0);
	assert_int_equal(fclose(f), 0);
	b = (unsigned char *)buf;
	/* SHB: 28 + "test" option (8) + end of options (4) */
	assert_int_equal(u32_at(b), 0x0A0D0D0A);
	assert_int_equal(u32_at(b + 4), 40);
	assert_int_equal(u32_at(b + 8), 0x1A2B3C4D);
	assert_int_equal(u32_at(b + 36), 40);
	/* IDB: Ethernet, snaplen 128 */
	off = 40;
	assert_int_equal(u32_at(b + off), 1);
	assert_int_equal(u32_at(b + off + 4), 20);
	assert_int_equal(b[off + 8], 1);
	assert_int_equal(u32_at(b + off + 12), 128);
	/* EPB: 28 + 60 bytes + comment 4 + 12 + end 4 + trailer 4 */
	off += 20;
	assert_int_equal(u32_at(b + off), 6);
	assert_int_equal(u32_at(b + off + 4), 112);
	assert_int_equal(u32_at(b + off + 12), 1700000000123456ull >> 32);
	assert_int_equal(u32_at(b + off + 16), (uint32_t)1700000000123456ull);
	assert_int_equal(u32_at(b + off + 20), 60);
	assert_int_equal(u32_at(b + off + 24), 1514);
	assert_memory_equal(b + off + 28, frame, 60);
	assert_int_equal(b[off + 88], 1);  /* opt_comment */
	assert_int_equal(b[off + 90], 12); /* its length */
	assert_memory_equal(b + off + 92, "fwd_redirect", 12);
	assert_int_equal(u32_at(b + off + 104), 0); /* opt_endofopt */
	assert_int_equal(u32_at(b + off + 108), 112);
	assert_int_equal(len, off + 112);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args_ok),
		cmocka_unit_test(test_args_refused),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_pin_dir),
		cmocka_unit_test(test_pcapng),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
