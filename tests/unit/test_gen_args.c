// SPDX-License-Identifier: BSD-2-Clause
/* sluice-gen's command line and frame template (bench/gen/gen_args.c).
 * Fixtures are tables: a command line and what it must become, a bad
 * command line and the words its message must contain, a frame spec and
 * the flows whose headers must carry correct checksums. */
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
#include "gen_args.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 48
#define BASE "sluice-gen -i veth0 -m 02:00:00:00:01:01 "

static int split(const char *line, char *buf, size_t len, char **argv)
{
	int argc = 0;
	char *save = NULL, *tok;

	snprintf(buf, len, "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < MAX_ARGS - 1;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return argc;
}

static int parse(const char *line, struct gen_args *a, char *err, size_t n)
{
	char buf[1024], *argv[MAX_ARGS];
	int argc = split(line, buf, sizeof(buf), argv);

	return gen_args_parse(argc, argv, a, err, n);
}

/* ---- good command lines ---- */

static const struct {
	const char *line;
	int family;
	enum gen_l4 l4;
	unsigned int size, flows;
	enum gen_vary vary;
	unsigned short sport, dport;
	double duration;
	unsigned long long count, rate;
	int cpu;
	int json;
} good[] = {
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 5", AF_INET, GEN_UDP, 60, 1,
	  GEN_VARY_SPORT, 1024, 9, 5, 0, 0, -1, 0 },
	{ "sluice-gen --dev=veth0 --dst-mac=02:00:00:00:01:01 --src=198.18.1.2 "
	  "--dst=198.18.2.2 --count=1M --rate=100k --json",
	  AF_INET, GEN_UDP, 60, 1, GEN_VARY_SPORT, 1024, 9, 0, 1000000, 100000,
	  -1, 1 },
	/* family from --dst; IPv6 minimum sizes */
	{ BASE "-s 2001:db8:1::2 -d 2001:db8:2::2 -n 10", AF_INET6, GEN_UDP, 62,
	  1, GEN_VARY_SPORT, 1024, 9, 0, 10, 0, -1, 0 },
	{ BASE "-6 -y -s 2001:db8:1::2 -d 2001:db8:2::2 -n 10", AF_INET6,
	  GEN_TCP_SYN, 74, 1, GEN_VARY_SPORT, 1024, 9, 0, 10, 0, -1, 0 },
	{ BASE "-4 -k -l 1514 -f 65536 -v both -s 198.18.1.2 -d 198.18.2.2 "
	       "-P 1 -p 80 -t 0.5 -n 3G -c 1 -j",
	  AF_INET, GEN_TCP_ACK, 1514, 65536, GEN_VARY_BOTH, 1, 80, 0.5,
	  3000000000ULL, 0, 1, 1 },
	/* the last of repeated options wins */
	{ BASE "-y -u -l 100 -l 128 -s 198.18.1.2 -d 198.18.2.2 -t 1 -t 2",
	  AF_INET, GEN_UDP, 128, 1, GEN_VARY_SPORT, 1024, 9, 2, 0, 0, -1, 0 },
	/* exactly the ports there are */
	{ BASE "-f 64512 -s 198.18.1.2 -d 198.18.2.2 -t 1", AF_INET, GEN_UDP,
	  60, 64512, GEN_VARY_SPORT, 1024, 9, 1, 0, 0, -1, 0 },
	{ BASE "-f 16777216 -v saddr -s 2001:db8:: -d 2001:db8::1 -t 1",
	  AF_INET6, GEN_UDP, 62, 16777216, GEN_VARY_SADDR, 1024, 9, 1, 0, 0, -1,
	  0 },
	/* any unicast is accepted, not only the documentation ranges */
	{ BASE "-s 10.0.0.1 -d 192.0.2.1 -t 86400", AF_INET, GEN_UDP, 60, 1,
	  GEN_VARY_SPORT, 1024, 9, 86400, 0, 0, -1, 0 },
};

/* --method: auto unless given, the last one wins */
static void test_method(void **state)
{
	static const struct {
		const char *opt;
		enum gen_method m;
	} cases[] = {
		{ "", GEN_METHOD_AUTO },
		{ "--method live", GEN_METHOD_LIVE },
		{ "--method=af_packet", GEN_METHOD_PACKET },
		{ "-x af_packet -x auto", GEN_METHOD_AUTO },
	};
	char line[256], err[256];
	struct gen_args a;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(line, sizeof(line),
			 BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 %s",
			 cases[i].opt);
		if (parse(line, &a, err, sizeof(err)))
			fail_msg("'%s': %s", line, err);
		assert_int_equal(a.method, cases[i].m);
	}
}

static void test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		struct gen_args a;
		char err[256];
		int rc = parse(good[i].line, &a, err, sizeof(err));

		if (rc)
			fail_msg("'%s': %s", good[i].line, err);
		assert_string_equal(a.dev, "veth0");
		assert_int_equal(a.family, good[i].family);
		assert_int_equal(a.l4, good[i].l4);
		assert_int_equal(a.size, good[i].size);
		assert_int_equal(a.flows, good[i].flows);
		assert_int_equal(a.vary, good[i].vary);
		assert_int_equal(a.sport, good[i].sport);
		assert_int_equal(a.dport, good[i].dport);
		assert_true(a.duration == good[i].duration);
		assert_true(a.count == good[i].count);
		assert_true(a.rate == good[i].rate);
		assert_int_equal(a.cpu, good[i].cpu);
		assert_int_equal(a.json, good[i].json);
		assert_false(a.help);
		assert_false(a.have_src_mac);
		assert_memory_equal(a.dst_mac, "\x02\0\0\0\x01\x01", 6);
	}
}

static void test_addresses_and_macs(void **state)
{
	struct gen_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(BASE "-M 02:aa:bb:cc:dd:ee -s 198.18.1.2 "
				    "-d 198.18.2.3 -t 1",
			       &a, err, sizeof(err)),
			 0);
	assert_true(a.have_src_mac);
	assert_memory_equal(a.src_mac, "\x02\xaa\xbb\xcc\xdd\xee", 6);
	assert_memory_equal(a.src, "\xc6\x12\x01\x02", 4);
	assert_memory_equal(a.dst, "\xc6\x12\x02\x03", 4);
	assert_int_equal(parse(BASE "-s 2001:db8:1::2 -d 2001:db8:2::3 -t 1",
			       &a, err, sizeof(err)),
			 0);
	assert_memory_equal(a.dst,
			    "\x20\x01\x0d\xb8\0\x02\0\0\0\0\0\0\0\0\0\x03", 16);
}

static void test_help(void **state)
{
	struct gen_args a;
	char err[256];

	(void)state;
	/* --help wins over everything, even missing or bad options */
	assert_int_equal(parse("sluice-gen --help", &a, err, sizeof(err)), 0);
	assert_true(a.help);
	assert_int_equal(parse("sluice-gen -h -l 5", &a, err, sizeof(err)), 0);
	assert_true(a.help);
}

/* ---- bad command lines: refused, the option and value named ---- */

static const struct {
	const char *line;
	const char *words[3];
} bad[] = {
	{ "sluice-gen -m 02:00:00:00:01:01 -s 198.18.1.2 -d 198.18.2.2 -t 1",
	  { "--dev", "required" } },
	{ BASE "-s 198.18.1.2 -t 1", { "--dst", "required" } },
	{ BASE "-d 198.18.2.2 -t 1", { "--src", "required" } },
	{ "sluice-gen -i veth0 -s 198.18.1.2 -d 198.18.2.2 -t 1",
	  { "--dst-mac", "required" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2", { "--duration", "--count" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -l 59", { "--size", "'59'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -l 1515",
	  { "--size", "'1515'", "60..1514" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -l 6o", { "--size", "'6o'" } },
	{ BASE "-s 2001:db8::1 -d 2001:db8::2 -t 1 -l 60",
	  { "--size", "60", "62 bytes" } },
	{ BASE "-s 2001:db8::1 -d 2001:db8::2 -y -t 1 -l 70",
	  { "--size", "IPv6/tcp-syn", "74 bytes" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -f 0", { "--flows", "'0'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -f 16777217",
	  { "--flows", "'16777217'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -f 65536",
	  { "--flows", "65536", "--vary" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -f 100 -P 65500",
	  { "--flows", "100", "36" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -v dport",
	  { "--vary", "'dport'", "sport, saddr, both" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 --method xdp",
	  { "--method", "'xdp'", "auto, live, af_packet" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -m 02:00:00:00:01",
	  { "--dst-mac", "'02:00:00:00:01'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -m 00:00:00:00:00:00",
	  { "--dst-mac", "'00:00:00:00:00:00'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -M 01:00:5e:00:00:01",
	  { "--src-mac", "'01:00:5e:00:00:01'", "unicast" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.256 -t 1",
	  { "--dst", "'198.18.2.256'" } },
	{ BASE "-s 198.18.1.2 -d 224.0.0.1 -t 1",
	  { "--dst", "'224.0.0.1'", "multicast" } },
	{ BASE "-s 198.18.1.2 -d 255.255.255.255 -t 1",
	  { "--dst", "broadcast" } },
	{ BASE "-s 0.0.0.0 -d 198.18.2.2 -t 1", { "--src", "unspecified" } },
	{ BASE "-s 2001:db8::1 -d ff02::1 -t 1",
	  { "--dst", "'ff02::1'", "multicast" } },
	{ BASE "-6 -s 198.18.1.2 -d 2001:db8::2 -t 1",
	  { "--src", "'198.18.1.2'", "not an IPv6" } },
	{ BASE "-4 -s 198.18.1.2 -d 2001:db8::2 -t 1",
	  { "--dst", "'2001:db8::2'", "--ipv6" } },
	{ BASE "-s 2001:db8::1 -d 198.18.2.2 -t 1", { "--src", "IPv4" } },
	{ BASE "-4 -6 -s 198.18.1.2 -d 198.18.2.2 -t 1",
	  { "--ipv4", "--ipv6" } },
	{ BASE "-s 223.255.255.255 -d 198.18.2.2 -t 1 -f 2 -v saddr",
	  { "--flows", "223.255.255.255", "224.0.0.0" } },
	{ BASE "-s 2001:db8::ffff:ffff -d 2001:db8::1 -t 1 -f 2 -v saddr",
	  { "--flows", "past the end" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 0", { "--duration", "'0'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 86401",
	  { "--duration", "'86401'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t nan",
	  { "--duration", "'nan'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t -1", { "--duration", "'-1'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -n 0", { "--count", "'0'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -n 2000G",
	  { "--count", "'2000G'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -n 5x", { "--count", "'5x'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -r 0", { "--rate", "'0'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -p 0", { "--dport", "'0'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -P 65536",
	  { "--sport", "'65536'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -c x", { "--cpu", "'x'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 --dev=", { "--dev", "''" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 --frobnicate",
	  { "unknown option", "'--frobnicate'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -Z",
	  { "unknown option", "'-Z'" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t",
	  { "--duration", "needs a value" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 --size",
	  { "--size", "needs a value" } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 extra",
	  { "unexpected argument", "'extra'" } },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct gen_args a;
		char err[256];

		if (parse(bad[i].line, &a, err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i].line);
		for (size_t w = 0;
		     w < ARRAY_SIZE(bad[i].words) && bad[i].words[w]; w++)
			if (!strstr(err, bad[i].words[w]))
				fail_msg("'%s': message '%s' lacks '%s'",
					 bad[i].line, err, bad[i].words[w]);
	}
}

/* ---- frames ---- */

/* Verifies flow k's headers: addresses, ports and every checksum. */
static void check_flow(const struct gen_args *a, const struct gen_frame *f,
		       unsigned int k, unsigned int want_port_idx,
		       unsigned int want_addr_idx)
{
	unsigned char fr[GEN_SIZE_MAX] = { 0 }, pseudo[40];
	unsigned int l3 = 14, l4, l4_len, plen;
	uint32_t be, saddr;
	uint16_t port;
	int v4 = a->family == AF_INET;

	gen_frame_flow(f, k, fr);
	assert_memory_equal(fr, a->dst_mac, 6);
	l4 = l3 + (v4 ? 20 : 40);
	l4_len = f->size - l4;
	memcpy(&port, fr + l4, 2);
	assert_int_equal(ntohs(port), a->sport + want_port_idx);
	memcpy(&port, fr + l4 + 2, 2);
	assert_int_equal(ntohs(port), a->dport);
	memcpy(&be, a->src + (v4 ? 0 : 12), 4);
	saddr = ntohl(be) + want_addr_idx;
	memcpy(&be, fr + (v4 ? l3 + 12 : l3 + 8 + 12), 4);
	assert_int_equal(ntohl(be), saddr);
	if (v4) {
		assert_int_equal(fr[l3], 0x45);
		assert_int_equal(gen_csum(fr + l3, 20, 0), 0);
		memcpy(pseudo, fr + l3 + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = fr[l3 + 9];
		pseudo[10] = (unsigned char)(l4_len >> 8);
		pseudo[11] = (unsigned char)l4_len;
		plen = 12;
		assert_int_equal((fr[l3 + 2] << 8) | fr[l3 + 3], f->size - 14);
	} else {
		assert_int_equal(fr[l3], 0x60);
		assert_memory_equal(fr + l3 + 8, a->src, 12);
		memcpy(pseudo, fr + l3 + 8, 32);
		be = htonl(l4_len);
		memcpy(pseudo + 32, &be, 4);
		memset(pseudo + 36, 0, 3);
		pseudo[39] = fr[l3 + 6];
		plen = 40;
		assert_int_equal((fr[l3 + 4] << 8) | fr[l3 + 5], l4_len);
	}
	{
		uint32_t sum = 0;
		uint16_t w;

		for (unsigned int i = 0; i < plen; i += 2) {
			memcpy(&w, pseudo + i, 2);
			sum += w;
		}
		/* the whole L4 segment, payload (zeros) included */
		assert_int_equal(gen_csum(fr + l4, l4_len, sum), 0);
	}
	if (a->l4 == GEN_UDP)
		assert_int_not_equal(
			fr[f->l4_csum_off] | fr[f->l4_csum_off + 1], 0);
	else
		assert_int_equal(fr[l4 + 13],
				 a->l4 == GEN_TCP_SYN ? 0x02 : 0x10);
}

static const struct {
	const char *line;
	unsigned int nports;
	/* flow -> expected port index, address index */
	unsigned int k[4], port[4], addr[4];
} frames[] = {
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1",
	  1,
	  { 0, 1, 2, 3 },
	  { 0, 0, 0, 0 },
	  { 0, 0, 0, 0 } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -f 100",
	  100,
	  { 0, 1, 99, 100 },
	  { 0, 1, 99, 0 },
	  { 0, 0, 0, 0 } },
	{ BASE "-s 198.18.1.250 -d 198.18.2.2 -t 1 -f 10 -v saddr -y -l 333",
	  1,
	  { 0, 5, 9, 10 },
	  { 0, 0, 0, 0 },
	  { 0, 5, 9, 0 } },
	{ BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -f 65536 -v both -k",
	  64512,
	  { 0, 64511, 64512, 65535 },
	  { 0, 64511, 0, 1023 },
	  { 0, 0, 1, 1 } },
	{ BASE "-s 2001:db8:1::ffff:fffe -d 2001:db8:2::2 -t 1 -f 6 -v both "
	       "-P 65533 -l 1514",
	  3,
	  { 0, 2, 3, 5 },
	  { 0, 2, 0, 2 },
	  { 0, 0, 1, 1 } },
	{ BASE "-s 2001:db8:1::2 -d 2001:db8:2::2 -t 1 -f 7 -y",
	  7,
	  { 0, 3, 6, 7 },
	  { 0, 3, 6, 0 },
	  { 0, 0, 0, 0 } },
	{ BASE
	  "-s 2001:db8:1::2 -d 2001:db8:2::2 -t 1 -f 70000 -v saddr -k -l 75",
	  1,
	  { 0, 1, 69999, 70000 },
	  { 0, 0, 0, 0 },
	  { 0, 1, 69999, 0 } },
};

static void test_frames(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(frames); i++) {
		struct gen_args a;
		struct gen_frame f;
		char err[256];

		if (parse(frames[i].line, &a, err, sizeof(err)))
			fail_msg("'%s': %s", frames[i].line, err);
		assert_int_equal(gen_frame_build(&a, &f), 0);
		assert_int_equal(f.nports, frames[i].nports);
		assert_int_equal(f.hdr_len, gen_hdr_len(a.family, a.l4));
		for (size_t j = 0; j < 4; j++)
			check_flow(&a, &f, frames[i].k[j], frames[i].port[j],
				   frames[i].addr[j]);
	}
}

/* Every 16-bit value of the varied fields: the zero UDP checksum case
 * (sent as 0xffff) is met somewhere in 65536 ports. */
static void test_all_ports_checksums(void **state)
{
	struct gen_args a;
	struct gen_frame f;
	char err[256];

	(void)state;
	assert_int_equal(parse(BASE "-s 198.18.1.2 -d 198.18.2.2 -t 1 -f 65535 "
				    "-P 1 -l 61",
			       &a, err, sizeof(err)),
			 0);
	assert_int_equal(gen_frame_build(&a, &f), 0);
	for (unsigned int k = 0; k < 65535; k += 1)
		check_flow(&a, &f, k, k, 0);
}

static void test_build_refuses(void **state)
{
	struct gen_args a;
	struct gen_frame f;
	char err[256];

	(void)state;
	assert_int_equal(parse(BASE "-6 -y -s 2001:db8::1 -d 2001:db8::2 -t 1",
			       &a, err, sizeof(err)),
			 0);
	a.size = 70; /* below the headers: refused, not truncated */
	assert_int_equal(gen_frame_build(&a, &f), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_method),
		cmocka_unit_test(test_addresses_and_macs),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_all_ports_checksums),
		cmocka_unit_test(test_build_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
