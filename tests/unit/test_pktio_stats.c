// SPDX-License-Identifier: BSD-2-Clause
/* libpktio's live statistics export: the document a client reads (a ring
 * port's counters after real traffic), a second server on a live socket
 * refused, a dead server's socket file replaced, and the file gone after
 * stop. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <sluice/pktio/ring.h>
#include <sluice/pktio/stats.h>

static char sock_path[108];

static char *read_doc(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char buf[1 << 16];
	size_t len = 0;
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	return buf;
}

static uint64_t member(struct json_object *o, const char *k)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_uint64(v);
}

static void test_document_after_traffic(void **state)
{
	struct pktio_port_cfg pc = { .driver = "ring",
				     .dev = "st0",
				     .nqueues = 1 };
	struct pktio_stats_server *srv, *second;
	struct pktio_buf *b[3], *rx[8];
	struct json_object *doc, *ports, *p, *q, *pool;
	struct pktio_pool_cfg cfg;
	struct pktio_pool *pl;
	struct pktio_port *port;
	struct pktio_stats_cfg sc = { .path = sock_path, .name = "unit" };

	(void)state;
	pktio_pool_cfg_init(&cfg, 64);
	assert_int_equal(pktio_pool_create(&cfg, &pl), 0);
	pc.pool = pl;
	assert_int_equal(pktio_port_open(&pc, &port), 0);
	for (int i = 0; i < 3; i++) {
		b[i] = pktio_buf_alloc(pl);
		memset(pktio_buf_append(b[i], 60), i, 60);
	}
	assert_int_equal(pktio_ring_inject(port, 0, b, 3), 3);
	assert_int_equal(pktio_rx_burst(port, 0, rx, 8), 3);
	assert_int_equal(pktio_tx_burst(port, 0, rx, 2), 2);
	pktio_buf_free(rx[2]);

	sc.ports = &port;
	sc.nports = 1;
	assert_int_equal(pktio_stats_serve(&sc, &srv), 0);
	assert_string_equal(pktio_stats_path(srv), sock_path);
	doc = json_tokener_parse(read_doc(sock_path));
	assert_non_null(doc);
	assert_int_equal(member(doc, "pid"), (uint64_t)getpid());
	assert_true(json_object_object_get_ex(doc, "ports", &ports));
	assert_int_equal(json_object_array_length(ports), 1);
	p = json_object_array_get_idx(ports, 0);
	assert_true(json_object_object_get_ex(p, "pool", &pool));
	assert_int_equal(member(pool, "total"), 64);
	assert_true(json_object_object_get_ex(p, "queues", &q));
	q = json_object_array_get_idx(q, 0);
	assert_int_equal(member(q, "rx_packets"), 3);
	assert_int_equal(member(q, "rx_bytes"), 180);
	assert_int_equal(member(q, "tx_packets"), 2);
	json_object_put(doc);

	/* a live server's socket is not taken over */
	assert_int_equal(pktio_stats_serve(&sc, &second), -EADDRINUSE);
	assert_non_null(strstr(pktio_last_error(), sock_path));

	pktio_stats_stop(srv);
	assert_int_equal(access(sock_path, F_OK), -1);
	assert_int_equal(pktio_ring_drain(port, 0, rx, 8), 2);
	pktio_buf_free_bulk(rx, 2);
	pktio_port_close(port);
	assert_int_equal(pktio_pool_destroy(pl), 0);
}

static void test_stale_socket_replaced(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pktio_stats_cfg sc = { .path = sock_path, .name = "unit" };
	struct pktio_stats_server *srv;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct json_object *doc, *ports;

	(void)state;
	/* a server that died: its file is there, nobody listens */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(access(sock_path, F_OK), 0);
	assert_int_equal(pktio_stats_serve(&sc, &srv), 0);
	doc = json_tokener_parse(read_doc(sock_path));
	assert_non_null(doc);
	assert_true(json_object_object_get_ex(doc, "ports", &ports));
	assert_int_equal(json_object_array_length(ports), 0);
	json_object_put(doc);
	pktio_stats_stop(srv);
}

static void test_bad_input(void **state)
{
	struct pktio_stats_cfg sc = { .nports = 1 };
	struct pktio_stats_server *srv;
	char longp[200];

	(void)state;
	assert_int_equal(pktio_stats_serve(&sc, &srv), -EINVAL);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	sc.nports = 0;
	sc.path = longp;
	assert_int_equal(pktio_stats_serve(&sc, &srv), -ENAMETOOLONG);
	sc.path = "/nonexistent-dir-sluice/x.sock";
	assert_int_equal(pktio_stats_serve(&sc, &srv), -ENOENT);
	assert_non_null(strstr(pktio_last_error(), "/nonexistent-dir-sluice"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document_after_traffic),
		cmocka_unit_test(test_stale_socket_replaced),
		cmocka_unit_test(test_bad_input),
	};

	snprintf(sock_path, sizeof(sock_path), "/tmp/pktio-stats-unit.%d.sock",
		 (int)getpid());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
