// SPDX-License-Identifier: BSD-2-Clause
/*
 * sluicectl ddos and block: the DDoS guard (docs/ddos.md).
 *
 *   ddos [show] [-j]
 *   ddos set [--syn-cookies off|on|auto] [--syn-threshold PPS] [--hold S]
 *            [--rate PREFIXLEN:PPS[:BURST]|off] [--rate6 ...]
 *            [--conn-rate ...] [--conn-rate6 ...]
 *   ddos protect ADDR:PORT | unprotect ADDR:PORT
 *   block [show] [-j] | add PREFIX [--expire S] | del PREFIX
 *   block load FILE [--expire S]
 *
 * Values go to sluiced as they are written: it validates them and names
 * the field and value it refuses, changing nothing.  `block load` checks
 * every line of its file here first, so that a bad line stops the load
 * before any of it is sent, then posts the prefixes in batches that fit
 * the API's body limit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BLOCK_BATCH_BYTES (48 * 1024) /* under the API's 64 KiB */

static const char ddos_usage[] =
	"Usage: sluicectl [OPTIONS] ddos [show] [-j]\n"
	"       sluicectl ddos set [--syn-cookies off|on|auto] "
	"[--syn-threshold PPS]\n"
	"                          [--hold SECONDS] [--rate "
	"PREFIXLEN:PPS[:BURST]|off]\n"
	"                          [--rate6 ...] [--conn-rate ...] "
	"[--conn-rate6 ...]\n"
	"       sluicectl ddos protect ADDR:PORT | unprotect ADDR:PORT\n"
	"\n"
	"--rate limits the packets of each source prefix of PREFIXLEN bits\n"
	"(IPv4; --rate6 for IPv6), --conn-rate its new TCP connections (SYNs).\n"
	"SYN cookies are answered for protected services: on, or auto while\n"
	"a service's SYN rate is over --syn-threshold (off again after\n"
	"--hold seconds under half of it).\n";

static const char block_usage[] =
	"Usage: sluicectl [OPTIONS] block [show] [-j]\n"
	"       sluicectl block add PREFIX [--expire SECONDS]\n"
	"       sluicectl block del PREFIX\n"
	"       sluicectl block load FILE [--expire SECONDS]\n"
	"\n"
	"Packets from a blocked source prefix are dropped (drop_ddos_blocked).\n"
	"FILE: one prefix a line; blank lines and '#' comments are skipped.\n";

/* ---- printing ---- */

static int ddos_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *svcs = NULL;
	int r = fmt_not_object(doc, "the answer", err, errlen);
	const char *mode;

	if (r)
		return r;
	mode = jstr(doc, "syn_cookies");
	fprintf(out, "syn cookies     %s", str_empty(mode) ? "-" : mode);
	if (mode && !strcmp(mode, "auto"))
		fprintf(out, " (on at %s SYN/s, off after %s s under half)",
			jstr(doc, "syn_threshold") ?: "-",
			jstr(doc, "hold_s") ?: "-");
	fprintf(out, "\n");
	fprintf(out, "rate            %s\n", jstr(doc, "rate") ?: "-");
	fprintf(out, "rate6           %s\n", jstr(doc, "rate6") ?: "-");
	fprintf(out, "conn rate       %s\n", jstr(doc, "conn_rate") ?: "-");
	fprintf(out, "conn rate6      %s\n", jstr(doc, "conn_rate6") ?: "-");
	fprintf(out, "blocklist       %llu IPv4, %llu IPv6 prefixes\n",
		(unsigned long long)ju64(doc, "blocklist_v4"),
		(unsigned long long)ju64(doc, "blocklist_v6"));
	fprintf(out, "buckets         %llu\n",
		(unsigned long long)ju64(doc, "buckets"));
	fprintf(out, "cookie flows    %llu\n",
		(unsigned long long)ju64(doc, "cookie_flows"));
	if (!json_object_object_get_ex(doc, "services", &svcs) ||
	    !json_object_is_type(svcs, json_type_array) ||
	    !json_object_array_length(svcs)) {
		fprintf(out, "services        none\n");
		return 0;
	}
	fprintf(out, "services\n");
	for (size_t i = 0; i < json_object_array_length(svcs); i++) {
		json_object *s = json_object_array_get_idx(svcs, i);

		fprintf(out,
			"  %-24s cookies %-3s  syn/s %llu  switches %llu\n",
			jstr(s, "service") ?: "-", jstr(s, "cookies") ?: "-",
			(unsigned long long)ju64(s, "syn_rate"),
			(unsigned long long)ju64(s, "switches"));
	}
	return 0;
}

static int block_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	json_object *arr = fmt_top_array(doc, "entries", err, errlen);

	if (!arr)
		return -EPROTO;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		uint64_t in = ju64(e, "expires_in_s");
		char dur[32];

		if (in)
			cli_fmt_duration(in, dur, sizeof(dur));
		fprintf(out, "%-44s %s%s\n", jstr(e, "prefix") ?: "-",
			in ? "expires in " : "never expires", in ? dur : "");
	}
	return 0;
}

static int done_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	int r = fmt_not_object(doc, "the answer", err, errlen);

	if (r)
		return r;
	if (jstr(doc, "deleted"))
		fprintf(out, "deleted %s\n", jstr(doc, "deleted"));
	else
		fprintf(out, "added %s\n", jstr(doc, "added") ?: "-");
	return 0;
}

/* ---- ddos ---- */

static const struct {
	const char *opt, *key;
	bool number;
} set_opts[] = {
	{ "--syn-cookies", "syn_cookies", false },
	{ "--syn-threshold", "syn_threshold", true },
	{ "--hold", "hold_s", true },
	{ "--rate", "rate", false },
	{ "--rate6", "rate6", false },
	{ "--conn-rate", "conn_rate", false },
	{ "--conn-rate6", "conn_rate6", false },
};

static const struct cli_name ddos_verbs[] = {
	{ "show", 0 },	    { "list", 0 }, { "set", 1 }, { "protect", 2 },
	{ "unprotect", 3 }, { "help", 4 }, { NULL, 0 },
};

/* Everything after the verb: "-j", and for set its options. */
static int ddos_set_args(int argc, char **argv, int i, struct cli_query *q,
			 char *err, size_t errlen)
{
	json_object *body = json_object_new_object();

	q->body = body;
	for (; i < argc; i++) {
		size_t o;
		uint32_t n;

		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		for (o = 0; o < ARRAY_SIZE(set_opts); o++)
			if (!strcmp(argv[i], set_opts[o].opt))
				break;
		if (o == ARRAY_SIZE(set_opts))
			return cli_bad_arg("ddos set", argv[i], false, err,
					   errlen);
		if (i + 1 >= argc)
			return cli_fail(err, errlen,
					"ddos: option '%s' needs a value",
					argv[i]);
		if (json_object_object_get_ex(body, set_opts[o].key, NULL))
			return cli_fail(err, errlen, "ddos: %s given twice",
					argv[i]);
		i++;
		if (!set_opts[o].number) {
			json_object_object_add(body, set_opts[o].key,
					       json_object_new_string(argv[i]));
			continue;
		}
		if (cli_parse_u32(argv[i], 1, 100000000, &n))
			return cli_fail(err, errlen,
					"ddos: %s '%s': expected a number "
					"1..100000000",
					argv[i - 1], argv[i]);
		json_object_object_add(body, set_opts[o].key,
				       json_object_new_int64(n));
	}
	if (!json_object_object_length(body))
		return cli_fail(err, errlen,
				"ddos set: nothing to set (see ddos help)");
	return 0;
}

int cli_ddos_args(int argc, char **argv, struct cli_query *q, char *err,
		  size_t errlen)
{
	int verb = 0, i = 0;
	char enc[256];

	cli_query_init(q, "/v1/ddos");
	for (int k = 0; k < argc; k++)
		if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help"))
			q->help = true;
	if (argc && argv[0][0] != '-') {
		verb = cli_match(argv[0], ddos_verbs);
		if (verb < 0)
			return q->help ? 0 :
					 cli_bad_arg("ddos", argv[0], true, err,
						     errlen);
		i = 1;
	}
	if (verb == 4)
		q->help = true;
	if (q->help)
		return 0;
	switch (verb) {
	case 1:
		q->method = "PATCH";
		return ddos_set_args(argc, argv, i, q, err, errlen);
	case 2:
	case 3:
		if (i >= argc)
			return cli_fail(err, errlen,
					"ddos %s: ADDR:PORT is required",
					argv[0]);
		if (verb == 2) {
			q->method = "POST";
			cli_query_init(q, "/v1/ddos/services");
			q->method = "POST";
			q->body = json_object_new_object();
			json_object_object_add(q->body, "service",
					       json_object_new_string(argv[i]));
		} else {
			if (cli_path_encode(argv[i], enc, sizeof(enc)))
				return cli_too_long("ddos", err, errlen);
			cli_query_init(q, "/v1/ddos/services/");
			if (strlen(q->path) + strlen(enc) >= sizeof(q->path))
				return cli_too_long("ddos", err, errlen);
			strcat(q->path, enc);
			q->method = "DELETE";
		}
		i++;
		break;
	default: break;
	}
	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
			continue;
		}
		return cli_bad_arg("ddos", argv[i], false, err, errlen);
	}
	return 0;
}

int do_ddos(int argc, char **argv)
{
	struct cli_query q;
	char err[256];
	int r = cli_ddos_args(argc, argv, &q, err, sizeof(err));

	return cli_run("ddos", ddos_usage, &q, r, err,
		       q.method && !strcmp(q.method, "DELETE") ? done_print :
								 ddos_print);
}

/* ---- block ---- */

/* A batch's answer is not printed (the load says what it did). */
static int quiet_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	(void)doc;
	(void)out;
	(void)err;
	(void)errlen;
	return 0;
}

static int post_batch(json_object *arr, uint32_t expire, size_t *added)
{
	json_object *body = json_object_new_object();
	struct cli_query q;
	size_t n = json_object_array_length(arr);
	int r;

	json_object_object_add(body, "prefixes", arr);
	if (expire)
		json_object_object_add(body, "expire_s",
				       json_object_new_int64(expire));
	cli_query_init(&q, "/v1/block");
	q.method = "POST";
	q.body = body;
	r = cli_show("block", &q, NULL, quiet_print);
	cli_query_free(&q);
	if (!r)
		*added += n;
	return r;
}

static int block_load(const char *file, uint32_t expire)
{
	FILE *f = fopen(file, "r");
	json_object *arr = NULL;
	size_t lineno = 0, bytes = 0, added = 0, total = 0;
	char line[512];
	int r = CLI_EXIT_OK;

	if (!f) {
		cli_error("block load: cannot open '%s': %s", file,
			  strerror(errno));
		return CLI_EXIT_ERR;
	}
	/* every line checked before anything is sent */
	while (fgets(line, sizeof(line), f)) {
		char *s = line + strspn(line, " \t");

		lineno++;
		s[strcspn(s, " \t\r\n#")] = '\0';
		if (!*s)
			continue;
		if (!cli_prefix_is_network(s)) {
			cli_error("block load: %s:%zu: '%s' is not an IPv4 or "
				  "IPv6 prefix (ADDR[/LEN], no host bits); "
				  "nothing loaded",
				  file, lineno, s);
			fclose(f);
			return CLI_EXIT_ERR;
		}
		total++;
	}
	rewind(f);
	while (r == CLI_EXIT_OK && fgets(line, sizeof(line), f)) {
		char *s = line + strspn(line, " \t");

		s[strcspn(s, " \t\r\n#")] = '\0';
		if (!*s)
			continue;
		if (!arr)
			arr = json_object_new_array();
		json_object_array_add(arr, json_object_new_string(s));
		bytes += strlen(s) + 3;
		if (bytes >= BLOCK_BATCH_BYTES) {
			r = post_batch(arr, expire, &added);
			arr = NULL;
			bytes = 0;
		}
	}
	if (r == CLI_EXIT_OK && arr)
		r = post_batch(arr, expire, &added);
	else if (arr)
		json_object_put(arr);
	fclose(f);
	if (cli.json || r != CLI_EXIT_OK)
		fprintf(r ? stderr : stdout, "{\"added\": %zu, \"of\": %zu}\n",
			added, total);
	else
		printf("added %zu of %zu prefixes from %s\n", added, total,
		       file);
	return r;
}

static const struct cli_name block_verbs[] = {
	{ "show", 0 }, { "list", 0 }, { "add", 1 }, { "del", 2 },
	{ "load", 3 }, { "help", 4 }, { NULL, 0 },
};

int do_block(int argc, char **argv)
{
	struct cli_query q;
	const char *arg = NULL;
	uint32_t expire = 0;
	int verb = 0, i = 0, r;
	char err[256] = "";

	cli_query_init(&q, "/v1/block");
	for (int k = 0; k < argc; k++)
		if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help"))
			q.help = true;
	if (argc && argv[0][0] != '-') {
		verb = cli_match(argv[0], block_verbs);
		if (verb < 0 && !q.help) {
			cli_bad_arg("block", argv[0], true, err, sizeof(err));
			cli_error("%s", err);
			return CLI_EXIT_ERR;
		}
		i = 1;
	}
	if (q.help || verb == 4) {
		fputs(block_usage, stdout);
		return CLI_EXIT_OK;
	}
	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q.json = true;
		} else if (!strcmp(argv[i], "--expire") && verb != 2 &&
			   verb != 0) {
			if (i + 1 >= argc ||
			    cli_parse_u32(argv[i + 1], 1, 31536000, &expire)) {
				cli_error("block: --expire '%s': expected "
					  "seconds 1..31536000",
					  i + 1 < argc ? argv[i + 1] : "");
				return CLI_EXIT_ERR;
			}
			i++;
		} else if (verb && !arg) {
			arg = argv[i];
		} else {
			cli_bad_arg("block", argv[i], false, err, sizeof(err));
			cli_error("%s", err);
			return CLI_EXIT_ERR;
		}
	}
	if (verb && !arg) {
		static const char *const names[] = { "show", "add", "del",
						     "load" };

		cli_error("block %s: %s is required", names[verb],
			  verb == 3 ? "FILE" : "PREFIX");
		return CLI_EXIT_ERR;
	}
	if (verb == 3)
		return block_load(arg, expire);
	if (verb == 1) {
		q.method = "POST";
		q.body = json_object_new_object();
		json_object_object_add(q.body, "prefix",
				       json_object_new_string(arg));
		if (expire)
			json_object_object_add(q.body, "expire_s",
					       json_object_new_int64(expire));
	} else if (verb == 2) {
		q.method = "DELETE";
		if (cli_query_add(&q, "prefix", arg)) {
			cli_error("block del: '%s' is too long", arg);
			return CLI_EXIT_ERR;
		}
	}
	r = cli_show("block", &q, NULL, verb ? done_print : block_print);
	cli_query_free(&q);
	return r;
}
