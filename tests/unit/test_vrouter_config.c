// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluice-vrouter's config (vrouter/vr_config.c): every bad config file
 * and flag is refused with its exact message (the field and the value),
 * a good one gets its defaults, the router's threads (thread i polls
 * queue i of every data port) and the punt TAP, and the command line
 * overrides the file.
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
#include "vr_config.h"

struct bad {
	const char *json; /* NULL: no file */
	struct vr_cli cli;
	const char *msg;
};

static const struct bad bads[] = {
	{ "{", { 0 }, "config: invalid JSON: unexpected end of input" },
	{ "[]", { 0 }, "config: [] is not an object" },
	{ "{} x", { 0 }, "config: invalid JSON: unexpected character" },
	{ "{\"colour\": 1}",
	  { 0 },
	  "colour: unknown key (ports, pools, threads, pin_dir, punt_tap, "
	  "stats_file, steer, api, fib_wait, burst, stats_interval, "
	  "idle_sleep_us)" },
	{ "{}",
	  { 0 },
	  "ports: missing: give --port IF or \"ports\" in the config" },
	{ NULL,
	  { 0 },
	  "ports: missing: give --port IF or \"ports\" in the config" },
	{ "{\"threads\": \"2\", \"ports\": []}",
	  { 0 },
	  "threads: \"2\" is not a non-negative integer" },
	{ "{\"threads\": 0}",
	  { 0 },
	  "threads: \"0\" is not an integer within 1..16" },
	{ "{\"threads\": 17}",
	  { 0 },
	  "threads: \"17\" is not an integer within 1..16" },
	{ "{\"pin_dir\": 5}", { 0 }, "pin_dir: 5 is not a string" },
	{ "{\"pin_dir\": \"\"}",
	  { 0 },
	  "pin_dir: \"\" is not a string of 1..4095 characters" },
	{ "{\"punt_tap\": \"sv-punt-much-too-long\"}",
	  { 0 },
	  "punt_tap: \"sv-punt-much-too-long\" is not a string of 1..15 "
	  "characters" },
	{ "{\"punt_tap\": \"a/b\"}",
	  { 0 },
	  "punt_tap: \"a/b\" is not an interface name" },
	{ "{\"stats_interval\": 0}",
	  { 0 },
	  "stats_interval: \"0\" is not an integer within 1..3600" },
	{ "{\"steer\": \"yes\"}",
	  { 0 },
	  "steer: \"yes\" is not auto, required or off" },
	{ "{\"api\": \"http://x\"}", { 0 }, "api: \"http://x\": " },
	{ "{\"fib_wait\": 601}",
	  { 0 },
	  "fib_wait: \"601\" is not an integer within 0..600" },
	{ "{\"burst\": 0}",
	  { 0 },
	  "burst: \"0\" is not an integer within 1..256" },
	{ "{\"idle_sleep_us\": -1}",
	  { 0 },
	  "idle_sleep_us: -1 is not a non-negative integer" },
	/* libpktio's own messages for the ports and pools */
	{ "{\"ports\": [{\"driver\": \"afxdp\", \"dev\": \"x0\"}]}",
	  { 0 },
	  "ports[0].driver: \"afxdp\" is not a driver (af_xdp, af_packet, "
	  "tap, tun, memif, ring)" },
	{ "{\"ports\": [{\"dev\": \"x0\"}]}",
	  { 0 },
	  "ports[0].driver: missing" },
	/* the router's own rules */
	{ "{\"threads\": 2, \"ports\": [{\"driver\": \"ring\", \"dev\": "
	  "\"a\"}, {\"driver\": \"ring\", \"dev\": \"b\", \"queues\": 1}]}",
	  { 0 },
	  "ports[1].queues: 1 is not threads (2): thread i polls and sends on "
	  "queue i of every port" },
	{ "{\"ports\": [{\"driver\": \"tap\", \"dev\": \"t0\"}]}",
	  { 0 },
	  "ports[0].driver: \"tap\": the graph routes between Ethernet ports, "
	  "not into a tap or tun" },
	{ "{\"ports\": [{\"driver\": \"ring\", \"dev\": \"sv-punt\"}]}",
	  { 0 },
	  "ports[0].dev: \"sv-punt\" is the punt TAP's name" },
	/* flags: named as flags, and they win over the file */
	{ "{\"threads\": 2}",
	  { .threads = "x", .ports = { "x0" }, .n_ports = 1 },
	  "--threads: \"x\" is not an integer within 1..16" },
	{ NULL,
	  { .threads = "-1", .ports = { "x0" }, .n_ports = 1 },
	  "--threads: \"-1\" is not an integer within 1..16" },
	{ NULL,
	  { .ports = { "" }, .n_ports = 1 },
	  "--port: \"\" is not an interface name" },
	{ NULL,
	  { .ports = { "x0" }, .n_ports = 1, .stats_interval = "1s" },
	  "--stats-interval: \"1s\" is not an integer within 1..3600" },
	{ NULL,
	  { .ports = { "x0" }, .n_ports = 1, .steer = "on" },
	  "--steer: \"on\" is not auto, required or off" },
	{ NULL,
	  { .ports = { "x0" }, .n_ports = 1, .api = "unix:" },
	  "--api: \"unix:\": " },
	{ NULL,
	  { .ports = { "x0" }, .n_ports = 1, .punt_tap = "x0" },
	  "ports[0].dev: \"x0\" is the punt TAP's name" },
	{ "{\"steer\": \"off\"}",
	  { .ports = { "x0" }, .n_ports = 1, .fib_wait = "" },
	  "--fib-wait: \"\" is not an integer within 0..600" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct vr_config *c = (void *)1;
		char err[512] = "";
		int rc;

		rc = vr_config_parse(bads[i].json, &bads[i].cli, &c, err,
				     sizeof(err));
		if (rc != -EINVAL ||
		    strncmp(err, bads[i].msg, strlen(bads[i].msg)))
			fail_msg("case %zu: rc %d, \"%s\", want \"%s\"", i, rc,
				 err, bads[i].msg);
		assert_null(c);
	}
}

static const char *opt_of(const struct pktio_config_port *p, const char *key)
{
	size_t n = strlen(key);

	for (unsigned int i = 0; i < p->n_options; i++)
		if (!strncmp(p->options[i], key, n) && p->options[i][n] == '=')
			return p->options[i] + n + 1;
	return NULL;
}

/* Two af_xdp ports, two threads: the TAP is the third port, each thread
 * polls its own queue of the data ports, never the TAP. */
static void test_good(void **state)
{
	static const char json[] =
		"{\"threads\": 2, \"pin_dir\": \"/sys/fs/bpf/s1\", "
		"\"stats_file\": \"/tmp/vr.json\", \"steer\": \"off\", "
		"\"idle_sleep_us\": 50, \"ports\": ["
		"{\"driver\": \"af_xdp\", \"dev\": \"r0\", "
		"\"options\": {\"mode\": \"copy\"}},"
		"{\"driver\": \"af_xdp\", \"dev\": \"r1\", \"queues\": 2, "
		"\"options\": {\"pin_dir\": \"/elsewhere\"}}]}";
	const struct vr_cli cli = { 0 };
	struct vr_config *c;
	char err[512] = "";

	(void)state;
	assert_int_equal(vr_config_parse(json, &cli, &c, err, sizeof(err)), 0);
	assert_int_equal(c->threads, 2);
	assert_int_equal(c->n_data_ports, 2);
	assert_string_equal(c->pin_dir, "/sys/fs/bpf/s1");
	assert_string_equal(c->punt_tap, "sv-punt");
	assert_string_equal(c->stats_file, "/tmp/vr.json");
	assert_int_equal(c->stats_interval, 1);
	assert_int_equal(c->steer, VR_STEER_OFF);
	assert_string_equal(c->api, "unix:/run/sluice/sluiced.sock");
	assert_int_equal(c->fib_wait, 10);
	assert_int_equal(c->idle_sleep_us, 50);
	/* one default pool, the ports, the TAP */
	assert_int_equal(c->pk->n_pools, 1);
	assert_int_equal(c->pk->pools[0].count, VR_DEFAULT_POOL_COUNT);
	assert_int_equal(c->pk->n_ports, 3);
	assert_int_equal(c->pk->ports[0].queues, 2);
	assert_int_equal(c->pk->ports[1].queues, 2);
	assert_string_equal(opt_of(&c->pk->ports[0], "pin_dir"),
			    "/sys/fs/bpf/s1");
	assert_string_equal(opt_of(&c->pk->ports[0], "mode"), "copy");
	/* a pin_dir of the port's own is kept */
	assert_string_equal(opt_of(&c->pk->ports[1], "pin_dir"), "/elsewhere");
	assert_string_equal(c->pk->ports[2].driver, "tap");
	assert_string_equal(c->pk->ports[2].dev, "sv-punt");
	assert_int_equal(c->pk->ports[2].queues, 2);
	assert_int_equal(c->pk->n_threads, 2);
	for (unsigned int t = 0; t < 2; t++) {
		const struct pktio_config_thread *th = &c->pk->threads[t];
		char name[16];

		snprintf(name, sizeof(name), "vr%u", t);
		assert_string_equal(th->name, name);
		assert_int_equal(th->idle_sleep_us, 50);
		assert_int_equal(th->n_queues, 2);
		assert_string_equal(th->queues[0].port, "r0");
		assert_string_equal(th->queues[1].port, "r1");
		assert_int_equal(th->queues[0].queue, t);
		assert_int_equal(th->queues[1].queue, t);
	}
	vr_config_free(c);
}

/* The flags win: --port replaces the file's ports (its pools stay). */
static void test_override(void **state)
{
	static const char json[] =
		"{\"threads\": 3, \"punt_tap\": \"p0\", \"steer\": \"off\", "
		"\"pools\": [{\"name\": \"big\", \"count\": 1024}], "
		"\"ports\": [{\"driver\": \"ring\", \"dev\": \"a\"}]}";
	const struct vr_cli cli = {
		.ports = { "x0", "x1" },
		.n_ports = 2,
		.threads = "1",
		.punt_tap = "tp9",
		.steer = "required",
		.stats_interval = "5",
		.pin_dir = "/sys/fs/bpf/other",
	};
	struct vr_config *c;
	char err[512] = "";

	(void)state;
	assert_int_equal(vr_config_parse(json, &cli, &c, err, sizeof(err)), 0);
	assert_int_equal(c->threads, 1);
	assert_string_equal(c->punt_tap, "tp9");
	assert_int_equal(c->steer, VR_STEER_REQUIRED);
	assert_int_equal(c->stats_interval, 5);
	assert_int_equal(c->n_data_ports, 2);
	assert_int_equal(c->pk->n_pools, 1);
	assert_string_equal(c->pk->pools[0].name, "big");
	assert_string_equal(c->pk->ports[0].driver, "af_xdp");
	assert_string_equal(c->pk->ports[0].dev, "x0");
	assert_string_equal(c->pk->ports[1].dev, "x1");
	assert_string_equal(opt_of(&c->pk->ports[1], "pin_dir"),
			    "/sys/fs/bpf/other");
	assert_string_equal(c->pk->ports[2].dev, "tp9");
	assert_int_equal(c->pk->threads[0].n_queues, 2);
	vr_config_free(c);
}

/* A file: read, and a missing one named. */
static void test_file(void **state)
{
	char path[] = "/tmp/vr-config-XXXXXX";
	struct vr_cli cli = { 0 };
	struct vr_config *c;
	char err[512] = "";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_true(dprintf(fd, "{\"ports\": [{\"driver\": \"af_xdp\", "
				"\"dev\": \"e1\"}]}\n") > 0);
	close(fd);
	cli.config = path;
	assert_int_equal(vr_config_build(&cli, &c, err, sizeof(err)), 0);
	assert_string_equal(c->pk->ports[0].dev, "e1");
	vr_config_free(c);
	unlink(path);
	assert_int_equal(vr_config_build(&cli, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "--config: /tmp/vr-config-"));
	assert_non_null(strstr(err, "No such file or directory"));
	assert_null(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
