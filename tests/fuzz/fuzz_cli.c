// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluicectl's argument parsing: the global options, then one noun's
 * arguments into a request (the path, the query string and the JSON body
 * it would send), as main() runs them without the HTTP part; and the
 * printers, on an answer from the daemon (the CLI parses what a daemon
 * sends back, so a wrong or hostile answer is input too).
 *
 * Byte 0 picks the noun (below 0x80) or the printer (0x80 and above);
 * for a noun the rest is argv, NUL-separated (global options, the noun,
 * its arguments); for a printer it is the answer's JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "cli.h"
#include "fuzz.h"

#define MAX_ARGS 24

static int ct_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen)
{
	enum cli_ct_out out;

	return cli_ct_args(argc, argv, q, &out, err, errlen);
}

static int nat_args(int argc, char **argv, struct cli_query *q, char *err,
		    size_t errlen)
{
	enum cli_nat_out out;

	return cli_nat_args(argc, argv, q, &out, err, errlen);
}

static int steer_args(int argc, char **argv, struct cli_query *q, char *err,
		      size_t errlen)
{
	enum cli_steer_out out;

	return cli_steer_args(argc, argv, q, &out, err, errlen);
}

static int fw_args(int argc, char **argv, struct cli_query *q, char *err,
		   size_t errlen)
{
	int kind;

	/* "fw load" reads the file its arguments name: not the fuzzer's */
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "lo", 2))
			return 0;
	return cli_fw_args(argc, argv, q, &kind, err, errlen);
}

typedef int (*noun_args)(int argc, char **argv, struct cli_query *q, char *err,
			 size_t errlen);

static const noun_args nouns[] = {
	cli_status_args, cli_iface_args, cli_route_args,   cli_neigh_args,
	cli_stats_args,	 cli_vip_args,	 cli_backend_args, cli_lb_args,
	cli_ddos_args,	 cli_node_args,	 ct_args,	   nat_args,
	steer_args,	 fw_args,
};

static const cli_print_fn printers[] = {
	cli_status_print,   cli_iface_print,	   cli_route_print,
	cli_neigh_print,    cli_stats_print,	   cli_vips_print,
	cli_vip_print,	    cli_backends_print,	   cli_backend_print,
	cli_lb_print,	    cli_deleted_print,	   cli_node_print,
	cli_ct_print,	    cli_ct_count_print,	   cli_ct_config_print,
	cli_ct_flush_print, cli_nat_print,	   cli_nat_added_print,
	cli_steer_print,    cli_steer_added_print,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static FILE *devnull;

static void print(unsigned int which, const uint8_t *data, size_t size)
{
	char err[512];
	char *text = fuzz_strdup(data, size);
	json_object *doc = text ? json_tokener_parse(text) : NULL;

	if (doc) {
		printers[which % N(printers)](doc, devnull, err, sizeof(err));
		if (which & 1) { /* and the filters, on what came back */
			cli_iface_filter(doc, "veth0", err, sizeof(err));
			cli_stats_filter(doc, false, err, sizeof(err));
		}
		json_object_put(doc);
	}
	free(text);
}

/* What an accepted command line becomes: a method, a path of this API
 * (percent-encoding kept it one line: no space, no control byte), and a
 * body that is a JSON document. */
static void check_request(const struct cli_query *q)
{
	const char *body = cli_body_string(q);
	json_object *doc;

	if (q->help)
		return;
	if (!q->method || q->path[0] != '/' ||
	    strnlen(q->path, sizeof(q->path)) == sizeof(q->path)) {
		fprintf(stderr, "fuzz_cli: request %s '%.*s'\n",
			q->method ? q->method : "NULL", (int)sizeof(q->path),
			q->path);
		abort();
	}
	for (const char *p = q->path; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			fprintf(stderr, "fuzz_cli: byte 0x%02x in path '%s'\n",
				(unsigned char)*p, q->path);
			abort();
		}
	if (!body)
		return;
	doc = json_tokener_parse(body);
	if (!doc) {
		fprintf(stderr, "fuzz_cli: body is not JSON: %s\n", body);
		abort();
	}
	json_object_put(doc);
}

static void parse(unsigned int which, const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2] = { NULL };
	struct cli_opts o;
	struct cli_query q = {};
	char err[512];
	int argc = 1, i;

	argv[0] = strdup("sluicectl");
	while (size && argc < MAX_ARGS)
		argv[argc++] = fuzz_take(&data, &size, '\0');
	for (i = 0; i < argc; i++)
		if (!argv[i])
			goto out;
	cli_opts_init(&o, NULL, NULL);
	i = cli_opts_parse(&o, argc, argv, err, sizeof(err));
	if (i < 0 || i >= argc)
		goto out;
	/* argv[i] is the noun as typed; the noun's parser gets what
	 * follows it */
	cli_query_init(&q, "/");
	if (!nouns[which % N(nouns)](argc - i - 1, argv + i + 1, &q, err,
				     sizeof(err)))
		check_request(&q);
	cli_query_free(&q);
out:
	for (i = 0; i < argc; i++)
		free(argv[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!size || !devnull)
		return 0;
	if (data[0] & 0x80)
		print(data[0] & 0x7f, data + 1, size - 1);
	else
		parse(data[0], data + 1, size - 1);
	return 0;
}
