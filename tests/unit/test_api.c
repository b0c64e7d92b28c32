// SPDX-License-Identifier: BSD-2-Clause
/* REST API input validation: bad queries are answered 4xx with a message
 * naming the parameter and value, before any state is touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "api.h"

static struct state st;
static struct sluiced_config cfg;
static struct api_ctx ctx = { .st = &st, .cfg = &cfg };

static void expect(const char *method, const char *url,
		   const struct api_query *q, unsigned int want_status,
		   const char *needle)
{
	const char *ctype;
	unsigned int status;
	char *body = api_render(&ctx, method, url, q, &status, &ctype);

	assert_non_null(body);
	assert_int_equal(status, want_status);
	if (!strstr(body, needle))
		fail_msg("body '%s' lacks '%s'", body, needle);
	free(body);
}

static void test_unknown_resource(void **state)
{
	struct api_query q = {};

	(void)state;
	expect("GET", "/v1/nope", &q, 404, "no such resource '/v1/nope'");
	expect("GET", "/", &q, 404, "no such resource");
}

static void test_method_not_allowed(void **state)
{
	struct api_query q = {};

	(void)state;
	expect("DELETE", "/v1/routes", &q, 405, "method DELETE");
	expect("POST", "/v1/status", &q, 405, "/v1/status");
}

static void test_bad_route_queries(void **state)
{
	struct api_query q = {};

	(void)state;
	q.family = "5";
	expect("GET", "/v1/routes", &q, 400, "family: '5'");
	q.family = NULL;
	q.prefix = "198.18.0.0/33";
	expect("GET", "/v1/routes", &q, 400, "prefix: '198.18.0.0/33'");
	q.prefix = "2001:db8::/129";
	expect("GET", "/v1/routes", &q, 400, "prefix: '2001:db8::/129'");
	q.prefix = "not-an-address";
	expect("GET", "/v1/routes", &q, 400, "prefix: 'not-an-address'");
	q.prefix = "198.18.0.0/";
	expect("GET", "/v1/routes", &q, 400, "prefix");
	q.prefix = NULL;
	q.limit = "0";
	expect("GET", "/v1/routes", &q, 400,
	       "limit: '0' is not a number 1..10000");
	q.limit = "10001";
	expect("GET", "/v1/routes", &q, 400, "limit: '10001'");
	q.limit = "ten";
	expect("GET", "/v1/routes", &q, 400, "limit: 'ten'");
	q.limit = NULL;
	q.cursor = "198.18.0.0";
	expect("GET", "/v1/routes", &q, 400,
	       "cursor: '198.18.0.0' is not a cursor (the 'next' of the "
	       "previous page: a prefix)");
	q.cursor = "198.18.0.0/33";
	expect("GET", "/v1/routes", &q, 400, "cursor: '198.18.0.0/33'");
	q.cursor = "198.18.0.1/24";
	expect("GET", "/v1/routes", &q, 400,
	       "cursor: '198.18.0.1/24' has host bits set past its length (a "
	       "page's 'next' has none)");
	q.cursor = "2001:db8::1:0/96";
	expect("GET", "/v1/routes", &q, 400,
	       "cursor: '2001:db8::1:0/96' has host bits set");
	/* a bare address is a lookup: one route, no page */
	q.cursor = NULL;
	q.prefix = "198.18.0.1";
	q.limit = "5";
	expect("GET", "/v1/routes", &q, 400,
	       "limit: not with prefix=ADDR, which gives the one route ADDR "
	       "takes");
	q.limit = NULL;
	q.cursor = "198.18.0.0/24";
	expect("GET", "/v1/routes", &q, 400, "cursor: not with prefix=ADDR");
}

static void test_unknown_route_argument(void **state)
{
	struct api_query q = { .keys = { "family", "limt" },
			       .n_keys = 2,
			       .family = "4" };

	(void)state;
	expect("GET", "/v1/routes", &q, 400,
	       "limt: unknown parameter (known: family, prefix, limit, "
	       "cursor)");
}

/* Every resource refuses a parameter its row does not name, before its
 * handler runs: a misspelt filter never lists or flushes everything. */
static void test_unknown_parameters(void **state)
{
	struct api_query q = { .keys = { "devv" }, .n_keys = 1, .dev = NULL };

	(void)state;
	expect("GET", "/v1/stats", &q, 400,
	       "devv: unknown parameter (known: dev)");
	expect("GET", "/v1/interfaces", &q, 400,
	       "devv: unknown parameter (known: dev)");
	expect("GET", "/v1/status", &q, 400,
	       "devv: unknown parameter (GET /v1/status takes none)");
	expect("GET", "/metrics", &q, 400,
	       "devv: unknown parameter (GET /metrics takes none)");
	/* a probe's query is ignored: /healthz reads nothing */
	expect("GET", "/healthz", &q, 200, "ok");
	q.keys[0] = "dev";
	q.dev = "eth9";
	expect("GET", "/v1/status", &q, 400, "dev: unknown parameter");
	expect("GET", "/v1/stats", &q, 404,
	       "'eth9'"); /* known: the handler's */
	q.dev = NULL;
	q.keys[0] = "";
	expect("GET", "/v1/status", &q, 400, ": unknown parameter");
	q.keys[0] = "limit";
	q.n_keys = API_QUERY_KEYS + 1;
	expect("GET", "/v1/routes", &q, 400,
	       "query: 9 parameters, more than any resource takes (8)");
}

static void test_good_route_query_empty_state(void **state)
{
	struct api_query q = { .prefix = "198.18.0.0/15", .family = "4" };

	(void)state;
	expect("GET", "/v1/routes", &q, 200, "\"routes\":[]");
	expect("GET", "/v1/routes", &q, 200, "\"total\":0");
	expect("GET", "/v1/routes", &q, 200, "\"next\":null");
	q.limit = "1";
	q.cursor = "198.18.0.0/24";
	expect("GET", "/v1/routes", &q, 200, "\"routes\":[]");
}

static void test_unknown_dev(void **state)
{
	struct api_query q = { .dev = "eth9" };

	(void)state;
	expect("GET", "/v1/interfaces", &q, 404,
	       "dev: no managed interface 'eth9'");
	expect("GET", "/v1/stats", &q, 404, "'eth9'");
	expect("GET", "/v1/neighbors", &q, 404, "dev: no interface 'eth9'");
}

static void test_neighbors_page(void **state)
{
	static struct st_neigh n[3];
	static const char *const addr[3] = { "198.18.2.9", "2001:db8:2::2",
					     "198.18.2.2" };
	struct api_query q = {};

	(void)state;
	memset(n, 0, sizeof(n));
	for (int i = 0; i < 3; i++) {
		n[i].key.ifindex = 3;
		n[i].key.family = strchr(addr[i], ':') ? AF_INET6 : AF_INET;
		assert_int_equal(
			inet_pton(n[i].key.family, addr[i], n[i].key.addr), 1);
		n[i].mac[0] = 2;
		n[i].mac[5] = (uint8_t)i;
		HASH_ADD(hh, st.neighs, key, sizeof(n[i].key), &n[i]);
	}
	q.limit = "2";
	expect("GET", "/v1/neighbors", &q, 200,
	       "{\"neighbors\":[{\"dev\":\"\",\"ifindex\":3,\"address\":"
	       "\"198.18.2.2\",\"mac\":\"02:00:00:00:00:02\"");
	expect("GET", "/v1/neighbors", &q, 200,
	       "\"address\":\"198.18.2.9\",\"mac\":\"02:00:00:00:00:00\"");
	expect("GET", "/v1/neighbors", &q, 200,
	       "],\"total\":3,\"next\":\"198.18.2.9,3\"}");
	q.cursor = "198.18.2.9,3";
	expect("GET", "/v1/neighbors", &q, 200,
	       "{\"neighbors\":[{\"dev\":\"\",\"ifindex\":3,\"address\":"
	       "\"2001:db8:2::2\"");
	expect("GET", "/v1/neighbors", &q, 200, "],\"total\":3,\"next\":null}");
	q.cursor = NULL;
	q.limit = NULL;
	expect("GET", "/v1/neighbors", &q, 200, "\"total\":3,\"next\":null}");
	HASH_CLEAR(hh, st.neighs);
}

static void test_bad_neighbor_queries(void **state)
{
	struct api_query q = {};
	struct api_query unknown = { .keys = { "dev", "lmit" }, .n_keys = 2 };

	(void)state;
	q.limit = "0";
	expect("GET", "/v1/neighbors", &q, 400,
	       "limit: '0' is not a number 1..10000");
	q.limit = "10001";
	expect("GET", "/v1/neighbors", &q, 400, "limit: '10001'");
	q.limit = NULL;
	q.cursor = "198.18.2.2";
	expect("GET", "/v1/neighbors", &q, 400,
	       "cursor: '198.18.2.2' is not a cursor (the 'next' of the "
	       "previous page: ADDRESS,IFINDEX)");
	q.cursor = "198.18.2.2,0";
	expect("GET", "/v1/neighbors", &q, 400, "cursor: '198.18.2.2,0'");
	expect("GET", "/v1/neighbors", &unknown, 400,
	       "lmit: unknown parameter (known: dev, limit, cursor)");
}

/* api_screen_header() on @len bytes (sizeof - 1 of a literal keeps its
 * NULs): the return code, and *code and the message when it refuses. */
static void screen(bool tcp, const char *buf, size_t len, int want_rc,
		   unsigned int want_code, const char *want_msg)
{
	unsigned int code = 0;
	size_t hdr_len;
	char msg[256] = "";
	int rc = api_screen_header(tcp, buf, len, &hdr_len, &code, msg,
				   sizeof(msg));

	if (rc != want_rc)
		fail_msg("'%.*s': rc %d, wanted %d (%s)", (int)len, buf, rc,
			 want_rc, msg);
	if (want_msg && (code != want_code || strcmp(msg, want_msg)))
		fail_msg("'%.*s': %u '%s', wanted %u '%s'", (int)len, buf, code,
			 msg, want_code, want_msg);
}

#define SCREEN(tcp, lit, rc, code, msg)                                        \
	screen(tcp, lit, sizeof(lit) - 1, rc, code, msg)

static void test_screen_header(void **state)
{
	const char *get =
		"GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n{\"body\"}";
	char big[API_HEADER_MAX + 16];
	unsigned int code;
	size_t hdr_len;
	char msg[256];

	(void)state;
	/* complete and clean: the header's length, not the body's */
	assert_int_equal(api_screen_header(true, get, strlen(get), &hdr_len,
					   &code, msg, sizeof(msg)),
			 0);
	assert_int_equal(hdr_len, strlen(get) - strlen("{\"body\"}"));
	SCREEN(true, "\r\n\r\nGET / HTTP/1.1\r\n\r\n", 0, 0, NULL);
	SCREEN(true, "GET / HTTP/1.1\nHost: x\n\n", 0, 0, NULL);
	SCREEN(true, "GET /v1/routes?prefix=198.18.0.0%2F15 HTTP/1.1\r\n\r\n",
	       0, 0, NULL);
	SCREEN(true, "GET /v1/x%2500 HTTP/1.1\r\n\r\n", 0, 0, NULL);
	/* more to come */
	SCREEN(true, "GET /v1/status HTTP/1.1\r\nHost: x\r\n", -EAGAIN, 0,
	       NULL);
	SCREEN(true, "GET /v1/stat", -EAGAIN, 0, NULL);
	SCREEN(true, "\r\n", -EAGAIN, 0, NULL);
	/* a NUL: MHD would cut the value there and report the rest as is */
	SCREEN(true,
	       "GET /v1/status HTTP/1.1\r\nAuthorization: Bearer t0ken\0"
	       "\r\n\r\n",
	       -EINVAL, 401, "Authorization: a NUL byte in the bearer token");
	SCREEN(true,
	       "GET /v1/status HTTP/1.1\r\nauthorization: Bearer t0ken\0x"
	       "\r\nHost: x\r\n\r\n",
	       -EINVAL, 401, "Authorization: a NUL byte in the bearer token");
	SCREEN(false,
	       "GET /v1/status HTTP/1.1\r\nAuthorization: Bearer t\0\r\n"
	       "\r\n",
	       -EINVAL, 400, "header 'Authorization': a NUL byte");
	SCREEN(true, "GET /v1/status HTTP/1.1\r\nX-Trace: a\0b\r\n\r\n",
	       -EINVAL, 400, "header 'X-Trace': a NUL byte");
	SCREEN(true, "GET /v1/status\0junk HTTP/1.1\r\n\r\n", -EINVAL, 400,
	       "request line: a NUL byte at column 15");
	/* %00: MHD decodes it into a NUL that cuts our strings short */
	SCREEN(true, "GET /v1/status%00junk HTTP/1.1\r\n\r\n", -EINVAL, 400,
	       "url: the path has %00 (a NUL byte) in it");
	SCREEN(false, "GET /v1/stats?dev=r0%00x HTTP/1.1\r\n\r\n", -EINVAL, 400,
	       "url: query parameter 'dev' has %00 (a NUL byte) in its value");
	SCREEN(true, "GET /v1/routes?family=4&prefix=%00 HTTP/1.1\r\n\r\n",
	       -EINVAL, 400,
	       "url: query parameter 'prefix' has %00 (a NUL "
	       "byte) in its value");
	SCREEN(true, "GET /v1/routes?fam%00ily=4 HTTP/1.1\r\n\r\n", -EINVAL,
	       400, "url: a query parameter name has %00 (a NUL byte) in it");
	/* a header that does not end within API_HEADER_MAX */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX-Pad: ", 23);
	screen(true, big, API_HEADER_MAX, -EMSGSIZE, 431,
	       "request header: larger than 8192 bytes");
	screen(true, big, API_HEADER_MAX - 1, -EAGAIN, 0, NULL);
}

/* The request target: API_URL_MAX bytes pass, one more is 414, said as
 * soon as it is in (the line's end need not have come), and a long header
 * field is 431, not 414. */
static void test_screen_url(void **state)
{
	static const char tail[] = " HTTP/1.1\r\n\r\n";
	const char *msg = "url: longer than 4096 bytes (the path and the "
			  "query string)";
	char line[API_HEADER_MAX + 64];
	size_t n, t;

	(void)state;
	/* "GET " and a target of exactly API_URL_MAX bytes */
	n = (size_t)snprintf(line, sizeof(line), "GET /v1/routes?prefix=");
	t = API_URL_MAX - (n - 4);
	memset(line + n, 'a', t);
	n += t;
	memcpy(line + n, tail, sizeof(tail) - 1);
	screen(true, line, n + sizeof(tail) - 1, 0, 0, NULL);
	/* one byte more */
	line[n] = 'a';
	n++;
	memcpy(line + n, tail, sizeof(tail) - 1);
	screen(true, line, n + sizeof(tail) - 1, -EMSGSIZE, 414, msg);
	/* still coming: the target alone is too long already */
	screen(true, line, n, -EMSGSIZE, 414, msg);
	screen(true, line, n - 1, -EAGAIN, 0, NULL);
	/* no version: the target runs to the line's end */
	memcpy(line + n, "\r\n\r\n", 4);
	screen(true, line, n + 4, -EMSGSIZE, 414, msg);
	/* a long header field is not a long URL */
	n = (size_t)snprintf(line, sizeof(line), "GET / HTTP/1.1\r\nX: ");
	memset(line + n, 'a', API_URL_MAX + 10);
	n += API_URL_MAX + 10;
	memcpy(line + n, "\r\n\r\n", 4);
	screen(true, line, n + 4, 0, 0, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_resource),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_bad_route_queries),
		cmocka_unit_test(test_unknown_route_argument),
		cmocka_unit_test(test_unknown_parameters),
		cmocka_unit_test(test_good_route_query_empty_state),
		cmocka_unit_test(test_unknown_dev),
		cmocka_unit_test(test_neighbors_page),
		cmocka_unit_test(test_bad_neighbor_queries),
		cmocka_unit_test(test_screen_header),
		cmocka_unit_test(test_screen_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
