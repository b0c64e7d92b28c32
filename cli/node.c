// SPDX-License-Identifier: BSD-2-Clause
/* sluicectl node: the node's drain (GET /v1/node, POST /v1/node/drain,
 * POST /v1/node/undrain; docs/deploy.md). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NODE_GRACE_MAX 86400 /* the daemon's limit (daemon/node.h) */

static const char usage[] =
	"Usage: sluicectl [OPTIONS] node [show] [-j]\n"
	"       sluicectl [OPTIONS] node drain [--grace S]\n"
	"       sluicectl [OPTIONS] node undrain\n"
	"\n"
	"drain withdraws every VIP route this node announces (the routing\n"
	"daemon stops advertising the VIPs; with announce.drain\n"
	"graceful_shutdown it advertises them with that community instead)\n"
	"and keeps forwarding the flows that still arrive; --grace S\n"
	"(0..86400) is how long that is meant to last, shown by node show.\n"
	"undrain announces the VIPs with a healthy backend again.  A drain\n"
	"while draining is refused (409), as is an\n"
	"undrain of a node that is not draining.\n";

enum { NODE_SHOW, NODE_DRAIN, NODE_UNDRAIN, NODE_HELP };

static const struct cli_name node_verbs[] = {
	{ "show", NODE_SHOW },
	{ "list", NODE_SHOW },
	{ "ls", NODE_SHOW },
	{ "drain", NODE_DRAIN },
	{ "undrain", NODE_UNDRAIN },
	{ "help", NODE_HELP },
	{ NULL, 0 },
};

int cli_node_args(int argc, char **argv, struct cli_query *q, char *err,
		  size_t errlen)
{
	int verb = NODE_SHOW, i;
	uint32_t grace = 0;
	bool has_grace = false, json;

	cli_query_init(q, "/v1/node");
	i = cli_noun_verb("node", argc, argv, node_verbs, q, &verb, err,
			  errlen);
	if (i < 0)
		return i;
	if (verb == NODE_HELP)
		q->help = true;
	if (q->help)
		return 0;
	for (; i < argc; i++) {
		if (cli_is_json_opt(argv[i])) {
			q->json = true;
		} else if (verb == NODE_DRAIN && !strcmp(argv[i], "--grace")) {
			if (i + 1 >= argc)
				return cli_fail(err, errlen,
						"node: --grace needs a value "
						"(seconds)");
			if (cli_parse_u32(argv[i + 1], 0, NODE_GRACE_MAX,
					  &grace))
				return cli_fail(err, errlen,
						"node: --grace '%s': expected "
						"0..%u seconds",
						argv[i + 1], NODE_GRACE_MAX);
			has_grace = true;
			i++;
		} else {
			return cli_bad_arg("node", argv[i], false, err, errlen);
		}
	}
	if (verb == NODE_SHOW)
		return 0;
	json = q->json;
	cli_query_init(q, verb == NODE_DRAIN ? "/v1/node/drain" :
					       "/v1/node/undrain");
	q->method = "POST";
	q->json = json;
	q->body = json_object_new_object();
	if (!q->body)
		return fmt_nomem(err, errlen);
	if (has_grace)
		json_object_object_add(q->body, "grace_s",
				       json_object_new_int64(grace));
	return 0;
}

static const struct field node_fields[] = {
	{ "state", "state", F_TEXT },
	{ "grace_s", "grace (s)", F_TEXT },
	{ "draining_for_ms", "draining for (ms)", F_TEXT },
	{ "exit_in_ms", "exit in (ms)", F_TEXT },
	{ "sigterm_grace_s", "SIGTERM grace (s)", F_TEXT },
};

static const struct field announce_fields[] = {
	{ "enabled", "announce", F_BOOL },
	{ "table", "route table", F_TEXT },
	{ "protocol", "route protocol", F_TEXT },
	{ "drain", "drain", F_TEXT },
	{ "gshut_table", "drained route table", F_TEXT },
	{ "routes", "VIP routes", F_TEXT },
	{ "errors", "route errors", F_TEXT },
};

int cli_node_print(json_object *doc, FILE *out, char *err, size_t errlen)
{
	struct table t = { .ncols = 2 };
	json_object *copy, *an;
	int r = fmt_not_object(doc, "the node", err, errlen);

	if (r)
		return r;
	/* the announce object as lines of its own, after the node's, in one
	 * table: one block, one label width */
	an = jobj(doc, "announce");
	copy = json_object_new_object();
	if (!copy)
		return fmt_nomem(err, errlen);
	json_object_object_foreach(doc, k, v) {
		if (strcmp(k, "announce"))
			json_object_object_add(copy, k, json_object_get(v));
	}
	r = fields_add(&t, copy, node_fields, ARRAY_SIZE(node_fields));
	json_object_put(copy);
	if (!r && an)
		r = fields_add(&t, an, announce_fields,
			       ARRAY_SIZE(announce_fields));
	if (!r)
		table_print(&t, out);
	table_free(&t);
	return r ? fmt_nomem(err, errlen) : 0;
}

int do_node(int argc, char **argv)
{
	struct cli_query q;
	char err[256];
	int rc = cli_node_args(argc, argv, &q, err, sizeof(err));

	return cli_run("node", usage, &q, rc, err, cli_node_print);
}
