// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl explain: one synthesized packet through a copy of the live
 * program (POST /v1/explain, docs/explain.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "cli.h"

static const char usage[] =
	"Usage: sluicectl [OPTIONS] explain SRC[:PORT] [->] DST[:PORT]/PROTO\n"
	"                               [--in IFACE] [--syn|--ack|--flags F]\n"
	"                               [--ttl N] [-j]\n"
	"\n"
	"Runs one packet through a copy of the live XDP program over the live\n"
	"tables, without touching any counter, flow or conntrack entry, and\n"
	"prints every decision, the reason, the verdict and the output frame.\n"
	"  SRC, DST     198.18.1.2:1234, [2001:db8::1]:1234; PROTO tcp, udp or\n"
	"               icmp (an echo request: no ports); quote the arrow\n"
	"               ('->') or leave it out: the shell reads > itself\n"
	"  --in IFACE   the port the packet comes in by (default: the port the\n"
	"               route back to SRC leaves by)\n"
	"  --syn        a TCP SYN: a new connection (the default)\n"
	"  --ack        a TCP ACK: a packet of an established connection\n"
	"  --flags F    syn, ack, synack, fin or rst\n"
	"  --ttl N      the packet's TTL / hop limit (default 64)\n"
	"  -j           print the daemon's JSON answer\n";

/* "ADDR", "ADDR:PORT" or "[ADDR]:PORT" into the body's @addr and @port
 * fields; @what names the argument in errors. */
static int endpoint_add(json_object *b, const char *s, const char *what,
			const char *addr_key, const char *port_key, char *err,
			size_t errlen)
{
	char buf[64], *port = NULL, *a = buf;
	unsigned char tmp[16];
	uint32_t n;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close || (close[1] && close[1] != ':'))
			goto bad;
		*close = '\0';
		a = buf + 1;
		if (close[1] == ':')
			port = close + 2;
	} else if (strchr(buf, ':') == strrchr(buf, ':') && strchr(buf, ':')) {
		port = strchr(buf, ':'); /* IPv4:PORT */
		*port++ = '\0';
	}
	if (inet_pton(AF_INET, a, tmp) != 1 && inet_pton(AF_INET6, a, tmp) != 1)
		goto bad;
	json_object_object_add(b, addr_key, json_object_new_string(a));
	if (port) {
		if (cli_parse_u32(port, 0, 65535, &n))
			goto bad;
		json_object_object_add(b, port_key,
				       json_object_new_int((int)n));
	}
	return 0;
bad:
	return cli_fail(err, errlen,
			"explain: %s '%s' is not ADDR, ADDR:PORT or "
			"[IPV6]:PORT",
			what, s);
}

static int explain_args(int argc, char **argv, struct cli_query *q, char *err,
			size_t errlen)
{
	const char *src = NULL, *dst = NULL;
	char dbuf[80], *slash;
	json_object *b;
	uint32_t n;
	int r;

	cli_query_init(q, "/v1/explain");
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") ||
		    (i == 0 && !strcmp(argv[i], "help")))
			q->help = true;
	if (q->help)
		return 0;
	b = json_object_new_object();
	if (!b)
		return fmt_nomem(err, errlen);
	q->method = "POST";
	q->body = b;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		if (cli_is_json_opt(a)) {
			q->json = true;
		} else if (!strcmp(a, "->") || !strcmp(a, "to")) {
			continue;
		} else if (!strcmp(a, "--syn") || !strcmp(a, "--ack")) {
			json_object_object_add(b, "flags",
					       json_object_new_string(a + 2));
		} else if (!strcmp(a, "--flags") || !strcmp(a, "--in") ||
			   !strcmp(a, "--ttl")) {
			if (!has_val)
				return cli_fail(err, errlen,
						"explain: %s needs a value", a);
			if (!strcmp(a, "--in") &&
			    !cli_ifname_valid(argv[i + 1]))
				return cli_fail(err, errlen,
						"explain: --in '%s' is not an "
						"interface name",
						argv[i + 1]);
			if (!strcmp(a, "--ttl")) {
				if (cli_parse_u32(argv[i + 1], 1, 255, &n))
					return cli_fail(err, errlen,
							"explain: --ttl '%s' "
							"is not 1-255",
							argv[i + 1]);
				json_object_object_add(
					b, "ttl", json_object_new_int((int)n));
			} else {
				json_object_object_add(
					b, a + 2,
					json_object_new_string(argv[i + 1]));
			}
			i++;
		} else if (a[0] == '-' && a[1]) {
			return cli_bad_arg("explain", a, false, err, errlen);
		} else if (!src) {
			src = a;
		} else if (!dst) {
			dst = a;
		} else {
			return cli_bad_arg("explain", a, false, err, errlen);
		}
	}
	if (!src || !dst)
		return cli_fail(err, errlen,
				"explain: needs SRC[:PORT] -> DST[:PORT]/PROTO "
				"(see explain help)");
	r = endpoint_add(b, src, "source", "src", "sport", err, errlen);
	if (r)
		return r;
	if (strlen(dst) >= sizeof(dbuf))
		return cli_fail(err, errlen,
				"explain: destination '%s' is too long", dst);
	strcpy(dbuf, dst);
	slash = strrchr(dbuf, '/');
	if (!slash)
		return cli_fail(err, errlen,
				"explain: destination '%s' needs /tcp, /udp or "
				"/icmp",
				dst);
	*slash++ = '\0';
	json_object_object_add(b, "proto", json_object_new_string(slash));
	return endpoint_add(b, dbuf, "destination", "dst", "dport", err,
			    errlen);
}

/* The lines of array @key of @o. */
static void print_lines(FILE *out, json_object *o, const char *key,
			const char *indent)
{
	json_object *arr;

	if (!o || !json_object_object_get_ex(o, key, &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		fprintf(out, "%s%s\n", indent,
			json_object_get_string(
				json_object_array_get_idx(arr, i)));
}

static int explain_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *in = jobj(doc, "input"), *o = jobj(doc, "output");
	int r = fmt_not_object(doc, "the answer", err, errlen);

	if (r)
		return r;
	print_lines(out, doc, "decisions", "");
	if (o) {
		fprintf(out, "output frame (%s bytes):\n",
			jstr(o, "len") ?: "0");
		print_lines(out, o, "decoded", "  ");
		fprintf(out, "  %s\n", jstr(o, "hex") ?: "");
	}
	if (in)
		fprintf(out, "input frame (%s bytes):\n  %s\n",
			jstr(in, "len") ?: "0", jstr(in, "hex") ?: "");
	return 0;
}

int do_explain(int argc, char **argv)
{
	struct cli_query q;
	char err[256];
	int r = explain_args(argc, argv, &q, err, sizeof(err));

	return cli_run("explain", usage, &q, r, err, explain_print);
}
