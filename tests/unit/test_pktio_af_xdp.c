// SPDX-License-Identifier: BSD-2-Clause
/* libpktio's af_xdp driver, what needs no traffic: bad options and a
 * missing interface are refused naming what, so is a pool whose frames
 * AF_XDP cannot take, and a refused open leaves no fd and no buffer
 * behind.  Traffic, zero-copy refusal and the XSKMAP are
 * in tests/netns/t_pktio_af_xdp.sh. */
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

static struct pktio_pool *make_pool(uint32_t count, uint32_t buf_size)
{
	struct pktio_pool_cfg cfg;
	struct pktio_pool *pool;

	pktio_pool_cfg_init(&cfg, count);
	cfg.buf_size = buf_size;
	assert_int_equal(pktio_pool_create(&cfg, &pool), 0);
	return pool;
}

/* Opens dev with one option (and a pin_dir where no sluiced runs):
 * expects err, and msg in the error. */
static void refused(struct pktio_pool *pool, const char *dev, const char *opt,
		    int err, const char *msg)
{
	const char *opts[] = { "pin_dir=/nonexistent/sluice", opt };
	struct pktio_port_cfg cfg = {
		.driver = "af_xdp",
		.dev = dev,
		.nqueues = 2,
		.pool = pool,
		.options = opts,
		.n_options = opt ? 2 : 1,
	};
	struct pktio_port *port = NULL;

	assert_int_equal(pktio_port_open(&cfg, &port), err);
	assert_null(port);
	if (!strstr(pktio_last_error(), msg))
		fail_msg("error '%s' does not say '%s'", pktio_last_error(),
			 msg);
}

static void test_bad_options(void **state)
{
	struct pktio_pool *pool = make_pool(256, 2048);
	int fds;

	(void)state;
	pktio_set_log(NULL, NULL);
	fds = count_fds();
	refused(pool, "lo", "rx_size=100", -EINVAL,
		"option rx_size=100: not a power of two");
	refused(pool, "lo", "fill_size=32", -EINVAL,
		"option fill_size=32: not a number within 64..65536");
	refused(pool, "lo", "mode=fast", -EINVAL,
		"option mode=fast: not one of");
	refused(pool, "lo", "zerocopy=maybe", -EINVAL,
		"option zerocopy=maybe: not one of");
	refused(pool, "lo", "xdp_mode=hw", -EINVAL,
		"option xdp_mode=hw: not one of");
	refused(pool, "lo", "need_wakeup=perhaps", -EINVAL,
		"option need_wakeup=perhaps: not a boolean");
	refused(pool, "lo", "busy_budget=0", -EINVAL,
		"option busy_budget=0: not a number");
	/* two queues from 1023: queue 1024 is beyond */
	refused(pool, "lo", "queue=1023", -EINVAL,
		"option queue=1023: queues 1023..1024 are beyond 1023");
	refused(pool, "lo", "wobble=1", -EINVAL, "unknown option 'wobble'");
	refused(pool, "nosuch0", NULL, -ENODEV,
		"dev nosuch0: no such interface");
	assert_int_equal(count_fds(), fds);
	assert_int_equal(pktio_pool_avail(pool), 256);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

/* A pool whose frames AF_XDP cannot take: refused naming the pool, after
 * the redirect program and its map were made, which go with it. */
static void test_bad_frame_size(void **state)
{
	struct pktio_pool *pool = make_pool(256, 1024);
	int fds;

	(void)state;
	pktio_set_log(NULL, NULL);
	refused(pool, "lo", NULL, -EINVAL, "buf_size 1024");
	fds = count_fds();
	for (int i = 0; i < 5; i++)
		refused(pool, "lo", NULL, -EINVAL,
			"buf_size 1024: AF_XDP frames are 2048 or 4096 bytes");
	assert_int_equal(count_fds(), fds);
	assert_int_equal(pktio_pool_avail(pool), 256);
	assert_int_equal(pktio_pool_destroy(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_bad_frame_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
