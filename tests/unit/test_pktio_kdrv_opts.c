// SPDX-License-Identifier: BSD-2-Clause
/* libpktio's af_packet, tap and tun drivers refuse bad options naming the
 * key and the value, before they touch any interface or open any file: no
 * fd and no buffer is left behind (the netns tier tests them with traffic,
 * tests/netns/t_pktio_af_packet.sh and t_pktio_tap.sh). */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sluice/pktio/pktio.h>

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

struct bad_opt {
	const char *driver;
	const char *opts[2];
	int err;
	const char *says; /* a part of the error message */
};

static const struct bad_opt bad_opts[] = {
	{ "af_packet",
	  { "fanout=rr" },
	  -EINVAL,
	  "option fanout=rr: not one of" },
	{ "af_packet",
	  { "qdisc_bypass=2" },
	  -EINVAL,
	  "option qdisc_bypass=2: not a boolean" },
	{ "af_packet",
	  { "block_size=1000" },
	  -EINVAL,
	  "option block_size=1000: not a number within 4096.." },
	{ "af_packet",
	  { "block_size=12288" },
	  -EINVAL,
	  "option block_size=12288: not a power of two" },
	{ "af_packet",
	  { "frame_size=2050" },
	  -EINVAL,
	  "option frame_size=2050: not a multiple of 16" },
	{ "af_packet",
	  { "block_size=4096", "frame_size=8192" },
	  -EINVAL,
	  "option frame_size=8192: above block_size=4096" },
	{ "af_packet",
	  { "block_count=0" },
	  -EINVAL,
	  "option block_count=0: not a number" },
	{ "af_packet", { "retire_ms=x" }, -EINVAL, "option retire_ms=x" },
	/* the kernel would try to allocate 8 TiB */
	{ "af_packet",
	  { "block_size=67108864", "block_count=65536" },
	  -EINVAL,
	  "options block_size=67108864 block_count=65536: the rings of 2 queues would take 16777216 MiB, above the limit of" },
	{ "af_packet",
	  { "rings=2" },
	  -EINVAL,
	  "unknown option 'rings' (block_size, block_count, frame_size, retire_ms, fanout, qdisc_bypass, tx)" },
	{ "af_packet",
	  { "tx=sendmsg" },
	  -EINVAL,
	  "option tx=sendmsg: not one of ring, send, auto" },
	{ "tap", { "persist=maybe" }, -EINVAL, "option persist=maybe" },
	{ "tun", { "persist=2" }, -EINVAL, "option persist=2" },
	{ "tun", { "mtu=1500" }, -EINVAL, "unknown option 'mtu' (persist)" },
};

static void test_bad_options(void **state)
{
	struct pktio_pool_cfg pcfg;
	struct pktio_pool *pool;
	int fds;

	(void)state;
	pktio_pool_cfg_init(&pcfg, 64);
	assert_int_equal(pktio_pool_create(&pcfg, &pool), 0);
	fds = count_fds();
	for (size_t i = 0; i < sizeof(bad_opts) / sizeof(bad_opts[0]); i++) {
		const struct bad_opt *b = &bad_opts[i];
		struct pktio_port_cfg cfg = {
			.driver = b->driver,
			/* no such interface: the options fail first */
			.dev = "pktio-nosuch",
			.nqueues = 2,
			.pool = pool,
			.options = b->opts,
			.n_options = b->opts[1] ? 2 : 1,
		};
		struct pktio_port *port = NULL;

		assert_int_equal(pktio_port_open(&cfg, &port), b->err);
		assert_null(port);
		if (!strstr(pktio_last_error(), b->says))
			fail_msg("%s %s: error \"%s\" does not say \"%s\"",
				 b->driver, b->opts[0], pktio_last_error(),
				 b->says);
		assert_non_null(strstr(pktio_last_error(), b->driver));
		assert_int_equal(count_fds(), fds);
		assert_int_equal(pktio_pool_avail(pool), 64);
	}
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* Good options and a missing interface: af_packet says which. */
static void test_missing_interface(void **state)
{
	const char *opts[] = { "fanout=lb",	  "qdisc_bypass=1",
			       "block_size=8192", "block_count=4",
			       "frame_size=2048", "tx=auto" };
	struct pktio_pool_cfg pcfg;
	struct pktio_pool *pool;
	struct pktio_port_cfg cfg = {
		.driver = "af_packet",
		.dev = "pktio-nosuch",
		.nqueues = 2,
		.options = opts,
		.n_options = 6,
	};
	struct pktio_port *port = NULL;
	int fds;

	(void)state;
	pktio_pool_cfg_init(&pcfg, 64);
	assert_int_equal(pktio_pool_create(&pcfg, &pool), 0);
	cfg.pool = pool;
	fds = count_fds();
	for (int i = 0; i < 50; i++)
		assert_int_equal(pktio_port_open(&cfg, &port), -ENODEV);
	assert_null(port);
	assert_non_null(
		strstr(pktio_last_error(), "no interface named pktio-nosuch"));
	assert_int_equal(count_fds(), fds);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_missing_interface),
	};

	pktio_set_log(NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
