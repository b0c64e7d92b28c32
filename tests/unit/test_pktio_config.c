// SPDX-License-Identifier: BSD-2-Clause
/* libpktio config: every bad field refused naming its path and value,
 * the defaults, loading from a file, and a config opened as an app whose
 * workers move packets and whose close gives every buffer back. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sluice/pktio/config.h>
#include <sluice/pktio/ring.h>

struct bad {
	const char *json;
	const char *error; /* pktio_last_error(), exactly */
};

#define PORT_R0 "{\"driver\":\"ring\",\"dev\":\"r0\"}"

static const struct bad bad_cases[] = {
	{ "{\"pools\":[{\"count\":8}],}",
	  "config: invalid JSON at line 1 column 24: unexpected character" },
	{ "[1]", "config: [1] is not an object" },
	{ "{\"port\":[]}", "port: unknown key (pools, ports, threads)" },
	{ "{\"pools\":{}}", "pools: {} is not an array" },
	{ "{\"pools\":[7]}", "pools[0]: 7 is not an object" },
	{ "{\"pools\":[{\"count\":\"8\"}]}",
	  "pools[0].count: \"8\" is not an integer" },
	{ "{\"pools\":[{\"count\":0}]}",
	  "pools[0].count: 0 is not within 1..16777216" },
	{ "{\"pools\":[{\"count\":-1}]}",
	  "pools[0].count: -1 is not within 0..4294967295" },
	{ "{\"pools\":[{\"buf_size\":3000}]}",
	  "pools[0].buf_size: 3000 is not a power of two within 512..65536" },
	{ "{\"pools\":[{\"headroom\":2048}]}",
	  "pools[0].headroom: 2048 leaves no room in buf_size 2048" },
	{ "{\"pools\":[{\"cache_size\":1000}]}",
	  "pools[0].cache_size: 1000 is above 512" },
	{ "{\"pools\":[{\"name\":\"a\"},{\"name\":\"a\"}]}",
	  "pools[1].name: \"a\" is used twice" },
	{ "{\"pools\":[{\"name\":\"\"}]}",
	  "pools[0].name: \"\" is not a string of 1..31 characters" },
	{ "{\"pools\":[{\"nmae\":\"a\"}]}",
	  "pools[0].nmae: unknown key (name, count, buf_size, headroom, cache_size)" },
	{ "{\"ports\":[{\"dev\":\"r0\"}]}", "ports[0].driver: missing" },
	{ "{\"ports\":[{\"driver\":\"afxdp\",\"dev\":\"eth0\"}]}",
	  "ports[0].driver: \"afxdp\" is not a driver (af_xdp, af_packet, tap, tun, memif, ring)" },
	{ "{\"ports\":[" PORT_R0 ",{\"driver\":\"afxdp\",\"dev\":\"eth0\"}]}",
	  "ports[1].driver: \"afxdp\" is not a driver (af_xdp, af_packet, tap, tun, memif, ring)" },
	{ "{\"ports\":[{\"driver\":\"ring\"}]}", "ports[0].dev: missing" },
	{ "{\"ports\":[{\"driver\":\"ring\",\"dev\":7}]}",
	  "ports[0].dev: 7 is not a string of 1..63 characters" },
	{ "{\"ports\":[" PORT_R0 "," PORT_R0 "]}",
	  "ports[1].name: \"r0\" is used twice" },
	{ "{\"ports\":[{\"driver\":\"ring\",\"dev\":\"r0\",\"queues\":0}]}",
	  "ports[0].queues: 0 is not within 1..64" },
	{ "{\"ports\":[{\"driver\":\"ring\",\"dev\":\"r0\",\"queues\":65536}]}",
	  "ports[0].queues: 65536 is not within 0..65535" },
	{ "{\"ports\":[{\"driver\":\"ring\",\"dev\":\"r0\",\"pool\":\"p9\"}]}",
	  "ports[0].pool: \"p9\" is not a pool (default)" },
	{ "{\"pools\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"ports\":[" PORT_R0
	  "]}",
	  "ports[0].pool: missing, and there are 2 pools (a, b)" },
	{ "{\"ports\":[{\"driver\":\"ring\",\"dev\":\"r0\",\"options\":[]}]}",
	  "ports[0].options: [] is not an object" },
	{ "{\"ports\":[{\"driver\":\"ring\",\"dev\":\"r0\",\"options\":{\"size\":1.5}}]}",
	  "ports[0].options.size: 1.5 is not a string, integer or boolean" },
	{ "{\"ports\":[{\"driver\":\"ring\",\"dev\":\"r0\",\"options\":{\"peer=r1\":\"x\"}}]}",
	  "ports[0].options.peer=r1: a key has no '='" },
	{ "{\"ports\":[{\"driver\":\"ring\",\"dev\":\"r0\",\"options\":{\"\":\"x\"}}]}",
	  "ports[0].options: \"\" is not a key" },
	{ "{\"ports\":[{\"driver\":\"ring\",\"dev\":\"r0\",\"options\":{\"peer\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}]}",
	  "ports[0].options.peer: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" is too long (key=value within 127 characters)" },
	{ "{\"ports\":[" PORT_R0
	  "],\"threads\":[{\"cpu\":\"0\",\"ports\":[{\"port\":\"r0\"}]}]}",
	  "threads[0].cpu: \"0\" is not an integer" },
	{ "{\"ports\":[" PORT_R0
	  "],\"threads\":[{\"cores\":[0],\"ports\":[{\"port\":\"r0\"}]}]}",
	  "threads[0].cores: unknown key (name, cpu, burst, ports, idle_sleep_us)" },
	{ "{\"ports\":[" PORT_R0 "],\"threads\":{}}",
	  "threads: {} is not an array" },
	{ "{\"ports\":[{\"name\":true,\"driver\":\"ring\",\"dev\":\"r0\"}]}",
	  "ports[0].name: true is not a string of 1..63 characters" },
	{ "{\"ports\":[{\"driver\":\"ring\",\"dev\":\"r0\",\"queue\":2}]}",
	  "ports[0].queue: unknown key (name, driver, dev, queues, pool, options)" },
	{ "{\"ports\":[" PORT_R0 "],\"threads\":[{\"name\":\"w\"}]}",
	  "threads[0].ports: missing" },
	{ "{\"ports\":[" PORT_R0 "],\"threads\":[{\"ports\":[]}]}",
	  "threads[0].ports: empty" },
	{ "{\"ports\":[" PORT_R0
	  "],\"threads\":[{\"ports\":[{\"port\":\"r1\"}]}]}",
	  "threads[0].ports[0].port: \"r1\" is not a port (r0)" },
	{ "{\"ports\":[" PORT_R0 "],\"threads\":[{\"ports\":[{\"queue\":0}]}]}",
	  "threads[0].ports[0].port: missing" },
	{ "{\"ports\":[" PORT_R0
	  "],\"threads\":[{\"ports\":[{\"port\":\"r0\",\"queue\":1}]}]}",
	  "threads[0].ports[0].queue: 1 is not a queue of port \"r0\" (0..0)" },
	{ "{\"ports\":[" PORT_R0
	  "],\"threads\":[{\"ports\":[{\"port\":\"r0\"}]},"
	  "{\"ports\":[{\"port\":\"r0\"}]}]}",
	  "threads[1].ports[0]: port \"r0\" queue 0 is polled by threads[0] already" },
	{ "{\"ports\":[" PORT_R0
	  "],\"threads\":[{\"cpu\":-2,\"ports\":[{\"port\":\"r0\"}]}]}",
	  "threads[0].cpu: -2 is not within -1..1023" },
	{ "{\"ports\":[" PORT_R0
	  "],\"threads\":[{\"burst\":0,\"ports\":[{\"port\":\"r0\"}]}]}",
	  "threads[0].burst: 0 is not within 1..256" },
	{ "{\"ports\":[" PORT_R0
	  "],\"threads\":[{\"name\":\"w\",\"ports\":[{\"port\":\"r0\"}]},"
	  "{\"name\":\"w\",\"ports\":[{\"port\":\"r0\",\"queue\":0}]}]}",
	  "threads[1].name: \"w\" is used twice" },
	{ "{\"ports\":[" PORT_R0
	  "],\"threads\":[{\"ports\":[{\"port\":\"r0\",\"q\":0}]}]}",
	  "threads[0].ports[0].q: unknown key (port, queue)" },
};

static void test_bad_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct pktio_config *c = (void *)1;
		int err = pktio_config_parse(bad_cases[i].json, &c);

		if (err != -EINVAL ||
		    strcmp(pktio_last_error(), bad_cases[i].error)) {
			print_error(
				"case %zu: %s\n  got %d \"%s\"\n  want \"%s\"\n",
				i, bad_cases[i].json, err, pktio_last_error(),
				bad_cases[i].error);
			fail();
		}
		assert_null(c);
	}
}

static void test_defaults(void **state)
{
	struct pktio_config *c;

	(void)state;
	assert_int_equal(
		pktio_config_parse(
			"{\"ports\":[{\"driver\":\"ring\",\"dev\":\"d0\","
			"\"queues\":2,\"options\":{\"size\":64,\"mtu\":\"9000\"}},"
			"{\"name\":\"b\",\"driver\":\"ring\",\"dev\":\"d1\","
			"\"options\":{\"peer\":\"d0\"}}]}\n",
			&c),
		0);
	assert_int_equal(c->n_pools, 1);
	assert_string_equal(c->pools[0].name, "default");
	assert_int_equal(c->pools[0].count, 4096);
	assert_int_equal(c->pools[0].buf_size, 2048);
	assert_int_equal(c->pools[0].headroom, 256);
	assert_string_equal(c->ports[0].name, "d0");
	assert_string_equal(c->ports[0].pool, "default");
	assert_int_equal(c->ports[0].n_options, 2);
	assert_string_equal(c->ports[0].options[0], "size=64");
	assert_string_equal(c->ports[0].options[1], "mtu=9000");
	assert_string_equal(c->ports[1].name, "b");
	/* one thread polling every queue */
	assert_int_equal(c->n_threads, 1);
	assert_string_equal(c->threads[0].name, "worker0");
	assert_int_equal(c->threads[0].cpu, -1);
	assert_int_equal(c->threads[0].n_queues, 3);
	assert_string_equal(c->threads[0].queues[1].port, "d0");
	assert_int_equal(c->threads[0].queues[1].queue, 1);
	assert_string_equal(c->threads[0].queues[2].port, "b");
	pktio_config_free(c);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/pktio-config-XXXXXX";
	const char *text = "{\"pools\":[{\"name\":\"p\",\"count\":\"x\"}]}";
	struct pktio_config *c;
	int fd;

	(void)state;
	assert_int_equal(pktio_config_load("/nonexistent/pktio.json", &c),
			 -ENOENT);
	assert_non_null(strstr(pktio_last_error(), "/nonexistent/pktio.json"));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(pktio_config_load(path, &c), -EINVAL);
	assert_string_equal(pktio_last_error(),
			    "pools[0].count: \"x\" is not an integer");
	unlink(path);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bounce(struct pktio_worker *w, struct pktio_port *port, uint16_t q,
		   struct pktio_buf **bufs, uint16_t n, void *ctx)
{
	uint16_t sent = pktio_tx_burst(port, q, bufs, n);

	(void)w;
	(void)ctx;
	pktio_buf_free_bulk(bufs + sent, n - sent);
}

static const char app_json[] =
	"{\"pools\":[{\"name\":\"p\",\"count\":256,\"cache_size\":16}],"
	" \"ports\":[{\"name\":\"a\",\"driver\":\"ring\",\"dev\":\"app-a\"},"
	"  {\"name\":\"b\",\"driver\":\"ring\",\"dev\":\"app-b\","
	"   \"options\":{\"peer\":\"app-a\"}}],"
	" \"threads\":[{\"name\":\"ta\",\"cpu\":0,\"idle_sleep_us\":100,"
	"   \"ports\":[{\"port\":\"a\",\"queue\":0}]},"
	"  {\"name\":\"tb\",\"cpu\":1,\"idle_sleep_us\":100,"
	"   \"ports\":[{\"port\":\"b\"}]}]}";

static void test_app(void **state)
{
	struct pktio_config *c;
	struct pktio_app *app;
	struct pktio_buf *bufs[16];
	struct pktio_worker_stats s;
	struct pktio_pool *pool;
	struct pktio_port *a;
	double t0;

	(void)state;
	assert_int_equal(pktio_config_parse(app_json, &c), 0);
	assert_int_equal(pktio_app_open(c, bounce, NULL, &app), 0);
	assert_int_equal(pktio_app_nports(app), 2);
	assert_int_equal(pktio_app_nworkers(app), 2);
	pool = pktio_app_pool(app, "p");
	a = pktio_app_port(app, "a");
	assert_non_null(pool);
	assert_non_null(a);
	assert_null(pktio_app_port(app, "zz"));
	assert_int_equal(pktio_buf_alloc_bulk(pool, bufs, 16), 0);
	for (int i = 0; i < 16; i++)
		pktio_buf_append(bufs[i], 60);
	assert_int_equal(pktio_ring_inject(a, 0, bufs, 16), 16);
	assert_int_equal(pktio_app_start(app), 0);
	/* a deadline, not a count of sleeps: on a loaded 2-CPU machine
	 * (sanitizers, other builds) the pinned workers may crawl */
	t0 = now();
	do {
		usleep(1000);
		pktio_worker_stats(pktio_app_worker(app, "tb"), &s);
	} while (s.packets < 10000 && now() - t0 < 30);
	assert_int_equal(pktio_app_stop(app), 0);
	pktio_worker_stats(pktio_app_worker(app, "tb"), &s);
	assert_true(s.packets >= 10000);
	/* the 16 are in the rings: close gives them back, then the pool goes */
	assert_int_equal(pktio_pool_avail(pool), 256 - 16);
	assert_int_equal(pktio_app_close(app), 0);
	pktio_config_free(c);
}

static void test_app_open_fails_clean(void **state)
{
	struct pktio_config *c;
	struct pktio_app *app;

	(void)state;
	/* the second port's driver refuses its option: named with its entry,
	 * and the first port, the pool and the workers are gone again */
	assert_int_equal(
		pktio_config_parse(
			"{\"ports\":[{\"name\":\"a\",\"driver\":\"ring\",\"dev\":\"f-a\"},"
			"{\"name\":\"b\",\"driver\":\"ring\",\"dev\":\"f-b\","
			"\"options\":{\"colour\":\"red\"}}]}",
			&c),
		0);
	assert_int_equal(pktio_app_open(c, bounce, NULL, &app), -EINVAL);
	assert_null(app);
	assert_string_equal(
		pktio_last_error(),
		"ports[1] (b): port f-b: driver ring: unknown option 'colour' (peer, size, mtu)");
	assert_null(pktio_port_by_name("a"));
	/* a program's own config: filled in, validated by open */
	struct pktio_config *p = pktio_config_new();
	struct pktio_config_port *port;

	port = pktio_config_add_port(p, "ring", "f-a");
	assert_non_null(port);
	assert_int_equal(pktio_config_port_option(port, "size=64"), 0);
	assert_int_equal(pktio_app_open(p, bounce, NULL, &app), 0);
	assert_non_null(pktio_app_worker(app, "worker0"));
	assert_int_equal(pktio_app_close(app), 0);
	pktio_config_add_port(p, "tun0", "x");
	assert_int_equal(pktio_app_open(p, bounce, NULL, &app), -EINVAL);
	assert_string_equal(
		pktio_last_error(),
		"ports[1].driver: \"tun0\" is not a driver (af_xdp, af_packet, tap, tun, memif, ring)");
	pktio_config_free(p);
	pktio_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_app),
		cmocka_unit_test(test_app_open_fails_clean),
	};

	pktio_set_log(NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
